//! The progress bar of a history scan, drawn on stderr with indicatif.

use std::io::IsTerminal;

/// Progress drawn on stderr with indicatif; it hides itself when stderr is not a terminal.
pub(super) struct Bar {
    bar: Option<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl Bar {
    pub(super) fn new(enabled: bool) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        Self {
            bar,
            bytes: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl crate::scan::Progress for Bar {
    fn phase(&self, name: &str, total: Option<u64>) {
        let Some(b) = &self.bar else { return };
        let style = match total {
            Some(t) => {
                b.set_length(t);
                b.set_position(0);
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:30}] {pos}/{len} blobs, {prefix} read, {per_sec}, eta {eta}",
                )
            }
            None => indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})"),
        };
        if let Ok(style) = style {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message(name.to_string());
    }
    fn advance(&self, items: u64, bytes: u64) {
        let Some(b) = &self.bar else { return };
        b.inc(items);
        if bytes > 0 {
            let total = self
                .bytes
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed)
                + bytes;
            b.set_prefix(indicatif::HumanBytes(total).to_string());
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
