//! `audit fetch`: download audit logs day by day into a folder of daily NDJSON files, with a
//! state file that lets a stopped run resume; and the W&B settings (`WANDB_API_KEY`, the
//! host, the retry policy) that `scan --verify` and `registry` share.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::args::{ApiKind, FetchArgs, Global};
use super::diag::Fatal;
use super::output;
use super::EXIT_CLEAN;
use crate::wandb::audit::{fetch_day, Endpoint, Plan, INSTANCE_MAX_LIMIT};
use crate::wandb::{ApiKey, Client, Retry};

/// The state file `audit fetch` keeps in its output folder (the audit-log readers skip it).
pub(super) const STATE_FILE: &str = crate::auditlog::FETCH_STATE_FILE;

/// The key from `WANDB_API_KEY`: never from an argument, never shown.
pub(super) fn api_key() -> Result<ApiKey, Fatal> {
    let key = ApiKey::new(&std::env::var("WANDB_API_KEY").unwrap_or_default());
    if key.is_empty() {
        return Err(Fatal::Missing(
            "set WANDB_API_KEY to the API key to use (it is read from the environment only)",
        ));
    }
    Ok(key)
}

/// `--host`, else `WANDB_BASE_URL` (clap reads it), else Multi-tenant Cloud.
pub(super) fn host(arg: Option<&str>) -> String {
    crate::wandb::normalize_host(
        arg.filter(|h| !h.trim().is_empty())
            .unwrap_or(crate::wandb::CLOUD_HOST),
    )
}

/// The retry policy; `WANDB_SA_LINT_RETRY_BASE_MS` shortens the backoff (for tests).
pub(super) fn retry() -> Retry {
    let mut r = Retry::default();
    if let Some(ms) = std::env::var("WANDB_SA_LINT_RETRY_BASE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        r.base = std::time::Duration::from_millis(ms);
    }
    r
}

/// What the state file records: where the folder's logs come from, and the days written
/// while still in progress (today's), which a later run fetches again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct State {
    version: u32,
    host: String,
    endpoint: String,
    anonymize: bool,
    #[serde(default)]
    partial: Vec<String>,
}

fn endpoint_name(e: Endpoint) -> &'static str {
    match e {
        Endpoint::MultiTenant => "multi-tenant",
        Endpoint::Instance => "instance",
    }
}

fn parse_day(what: &'static str, s: &str) -> Result<Date, Fatal> {
    crate::registry::parse_date(s).ok_or_else(|| Fatal::Usage {
        what,
        value: s.to_string(),
    })
}

/// The days `--from`..=`--to`, checked.
fn days(args: &FetchArgs, today: Date) -> Result<Vec<Date>, Fatal> {
    let from = parse_day("--from date (expected YYYY-MM-DD)", &args.from)?;
    let to = match &args.to {
        Some(t) => parse_day("--to date (expected YYYY-MM-DD)", t)?,
        None => today.yesterday().unwrap_or(today),
    };
    if from > to || to > today {
        return Err(Fatal::Usage {
            what: "date range (--from must not be after --to, nor --to after today, UTC)",
            value: format!("{from}..{to}"),
        });
    }
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(d);
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    Ok(out)
}

/// Reads the folder's state, refusing a folder fetched from elsewhere or otherwise.
fn load_state(path: &Path, fresh: &State) -> Result<State, Fatal> {
    if !output::exists(path) {
        return Ok(fresh.clone());
    }
    let unusable = |message: String| Fatal::Api {
        what: format!("cannot resume from `{}`", path.display()),
        message,
        help: "choose another --out folder, or delete the state file to start over".to_string(),
    };
    let text = crate::source::files::read_to_string(path).map_err(|e| unusable(e.to_string()))?;
    let old: State = serde_json::from_str(&text).map_err(|e| unusable(e.to_string()))?;
    if (&old.host, &old.endpoint, old.anonymize) != (&fresh.host, &fresh.endpoint, fresh.anonymize)
    {
        return Err(unusable(format!(
            "its logs come from {} ({} API, anonymize={}), not {} ({} API, anonymize={})",
            old.host, old.endpoint, old.anonymize, fresh.host, fresh.endpoint, fresh.anonymize
        )));
    }
    Ok(old)
}

fn save_state(path: &Path, state: &State) -> Result<(), Fatal> {
    let text = serde_json::to_string_pretty(state).unwrap_or_default() + "\n";
    output::write_file(path, &text).map_err(|source| Fatal::Write {
        path: path.display().to_string(),
        source,
    })
}

/// A progress bar over the days, on stderr when it is a terminal.
fn bar(enabled: bool, days: usize) -> Option<indicatif::ProgressBar> {
    (enabled && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::with_draw_target(
            Some(days as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "fetching {msg} [{bar:30}] {pos}/{len} days, {prefix} events, eta {eta}",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b
    })
}

pub(super) fn fetch(g: &Global, args: FetchArgs) -> Result<u8, Fatal> {
    let key = api_key()?;
    let host = host(args.host.as_deref());
    let endpoint = match args.api {
        ApiKind::Auto => Endpoint::for_host(&host),
        ApiKind::MultiTenant => Endpoint::MultiTenant,
        ApiKind::Instance => Endpoint::Instance,
    };
    if args.anonymize && endpoint == Endpoint::MultiTenant {
        return Err(Fatal::Missing(
            "--anonymize is for Dedicated Cloud and Self-Managed instances: Multi-tenant Cloud always includes names",
        ));
    }
    if args.page_size == 0
        || (endpoint == Endpoint::Instance && args.page_size > INSTANCE_MAX_LIMIT)
    {
        return Err(Fatal::Usage {
            what: "--page-size (1 to 20000 on an instance)",
            value: args.page_size.to_string(),
        });
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let days = days(&args, today)?;
    output::create_dir_all(&args.out).map_err(|source| Fatal::Write {
        path: args.out.display().to_string(),
        source,
    })?;
    let state_path = args.out.join(STATE_FILE);
    let mut state = load_state(
        &state_path,
        &State {
            version: 1,
            host: host.clone(),
            endpoint: endpoint_name(endpoint).to_string(),
            anonymize: args.anonymize,
            partial: Vec::new(),
        },
    )?;
    let file_of = |d: Date| args.out.join(format!("{d}.ndjson"));
    let todo: Vec<Date> = days
        .iter()
        .copied()
        .filter(|d| !output::exists(&file_of(*d)) || state.partial.contains(&d.to_string()))
        .collect();
    let already = days.len() - todo.len();
    let plan = Plan {
        endpoint,
        anonymize: args.anonymize,
        limit: args.page_size,
    };
    let client = Client::new(&host, key, retry());
    let progress = bar(!g.quiet && !g.no_progress, todo.len());
    let mut events = 0usize;
    for (done, day) in todo.iter().enumerate() {
        if let Some(b) = &progress {
            b.set_message(day.to_string());
        }
        let lines = fetch_day(&client, &plan, *day, &mut |n| {
            events += n;
            if let Some(b) = &progress {
                b.set_prefix(events.to_string());
            }
        })
        .map_err(|e| {
            if let Some(b) = &progress {
                b.abandon();
            }
            Fatal::Api {
                what: format!(
                    "audit fetch stopped at {day} ({done} of {} days written)",
                    todo.len()
                ),
                message: e.to_string(),
                help: "run the same command again: it continues from the first day not written"
                    .to_string(),
            }
        })?;
        let name = day.to_string();
        // Today is still being written to: record it as partial before its file exists, so
        // a later run fetches it again.
        let partial = *day >= today;
        if partial && !state.partial.contains(&name) {
            state.partial.push(name.clone());
            save_state(&state_path, &state)?;
        }
        let mut text = lines.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        let path: PathBuf = file_of(*day);
        output::write_data_file(&path, &text).map_err(|source| Fatal::Write {
            path: path.display().to_string(),
            source,
        })?;
        if !partial && state.partial.contains(&name) {
            state.partial.retain(|p| p != &name);
        }
        save_state(&state_path, &state)?;
        if let Some(b) = &progress {
            b.inc(1);
        }
    }
    if let Some(b) = &progress {
        b.finish_and_clear();
    }
    if !g.quiet {
        summary(events, todo.len(), already, &host, &args.out);
    }
    Ok(EXIT_CLEAN)
}

/// The closing line on stderr.
fn summary(events: usize, days: usize, already: usize, host: &str, out: &Path) {
    let count = crate::report::human::count;
    let skipped = if already > 0 {
        format!(
            " ({} already there, not fetched again)",
            count(already, "day")
        )
    } else {
        String::new()
    };
    output::stderr(
        &format!(
            "fetched {} over {} from {host} into {}{skipped}\n",
            count(events, "event"),
            count(days, "day"),
            out.display(),
        ),
        false,
    );
}
