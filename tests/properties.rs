//! Property tests: what must hold for any input, not only the fixtures.

use std::io::Read;
use std::path::PathBuf;

use proptest::prelude::*;
use wandb_sa_lint::detect::mask::stable_ids;
use wandb_sa_lint::finding::Outcome;
use wandb_sa_lint::report;
use wandb_sa_lint::rules::fakes::Fakes;
use wandb_sa_lint::rules::{load_embedded, RuleSet};

fn catalogue() -> RuleSet {
    load_embedded(wandb_sa_lint::checks::CHECKS).0
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A reader that hands out its bytes in chunks of the given sizes (cycling).
struct Chunked {
    data: Vec<u8>,
    pos: usize,
    sizes: Vec<usize>,
    turn: usize,
}

impl Read for Chunked {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()].max(1);
        self.turn += 1;
        let n = size.min(out.len()).min(self.data.len() - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

type Read2 = (Vec<String>, Vec<(Option<usize>, String)>);

fn read_audit(data: &[u8], sizes: Vec<usize>) -> Read2 {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let mut stats = wandb_sa_lint::auditlog::ReadStats::default();
    let reader = Chunked {
        data: data.to_vec(),
        pos: 0,
        sizes,
        turn: 0,
    };
    wandb_sa_lint::auditlog::read_stream(
        "log.jsonl",
        Box::new(reader),
        false,
        &mut stats,
        &mut |e| events.push(format!("{e:?}")),
        &mut |p| problems.push((p.line, p.message)),
    );
    (events, problems)
}

/// The text fixtures a key can be inserted into (no inline allow comments, which would
/// rightly hide it).
fn fixture_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["fixtures/config", "fixtures/demo-repo"] {
        for e in walkdir::WalkDir::new(root().join(dir)).sort_by_file_name() {
            let Ok(e) = e else { continue };
            if !e.file_type().is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            if text.contains("wandb-sa-lint: allow") || text.contains('\r') || text.len() > 20_000 {
                continue;
            }
            let rel = e
                .path()
                .strip_prefix(root().join(dir))
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            out.push((rel, text));
        }
    }
    out
}

fn outcome_of(findings: Vec<wandb_sa_lint::finding::Finding>) -> Outcome {
    let mut o = Outcome {
        findings,
        ..Outcome::default()
    };
    o.count();
    o
}

fn every_format(outcome: &Outcome, rules: &RuleSet) -> Vec<(&'static str, String)> {
    let style = report::human::Style {
        color: false,
        width: 100,
        narratable: false,
    };
    let json = report::json::render(outcome);
    // The compliance report reads the JSON result back, as `report --scan` does.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("repo.json");
    std::fs::write(&path, &json).expect("write");
    let mut problems = Vec::new();
    let repo = report::compliance::read_scan(&path, &mut problems).expect("read back");
    let r = report::compliance::build(
        jiff::civil::Date::constant(2026, 11, 1),
        vec![repo],
        None,
        None,
        rules,
        problems,
    );
    vec![
        ("human", report::human::render(outcome, style, false)),
        ("json", json),
        ("sarif", report::sarif::render(outcome, rules)),
        ("junit", report::junit::render(outcome, rules)),
        ("gitlab", report::gitlab::render(outcome)),
        ("github", report::github::render(outcome)),
        ("html", report::html::render(&r)),
        ("markdown", report::markdown::render(&r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The audit-log reader gives the same events and problems however its input is chunked.
    #[test]
    fn audit_reading_does_not_depend_on_chunking(
        picks in proptest::collection::vec(0usize..6, 1..40),
        sizes in proptest::collection::vec(1usize..700, 1..8),
    ) {
        let lines = [
            r#"{"timestamp":"2026-10-01T10:00:00Z","action":"run:update","actor_user_id":"VXNlcjox","entity_name":"ml-team","response_code":200}"#,
            r#"{"timestamp":"2026-10-02T23:30:00-02:00","action":"project:read","actor_email":"a@x.com","response_code":"403","extra":{"k":[1,2]}}"#,
            "{not json",
            "",
            "{\"action\":\"a\u{e9}\u{1F600}\"}",
            r#"{"action": 3}"#,
        ];
        let text: String = picks.iter().map(|i| format!("{}\n", lines[*i])).collect();
        let whole = read_audit(text.as_bytes(), vec![usize::MAX]);
        let chunked = read_audit(text.as_bytes(), sizes);
        prop_assert_eq!(whole, chunked);
    }

    /// A key inserted on its own line anywhere in any fixture is found at that line and column.
    #[test]
    fn an_inserted_key_is_found_where_it_is(
        file in any::<proptest::sample::Index>(),
        line in any::<proptest::sample::Index>(),
        indent in 0usize..12,
        seed in any::<u64>(),
    ) {
        let files = fixture_files();
        prop_assume!(!files.is_empty());
        let (path, text) = &files[file.index(files.len())];
        let key = Fakes::new(seed).v1();
        let mut lines: Vec<&str> = text.split('\n').collect();
        let at = line.index(lines.len());
        let inserted = format!("{}key = {key}", " ".repeat(indent));
        lines.insert(at, &inserted);
        let content = lines.join("\n");
        let findings = wandb_sa_lint::scan::scan_bytes(path, content.as_bytes(), &catalogue());
        let hit = findings.iter().find(|f| {
            f.rule.id == "S001"
                && f.location.as_ref().is_some_and(|l| l.line == at + 1)
        });
        prop_assert!(hit.is_some(), "{path}: no S001 at line {}", at + 1);
        let loc = hit.and_then(|f| f.location.clone()).expect("location");
        prop_assert_eq!(loc.column, indent + "key = ".len() + 1, "{}", path);
    }

    /// A key assigned to `WANDB_API_KEY`, of any shape, anywhere in any fixture, on a line
    /// padded with up to 20 KB on each side, is found at its line and column whatever the
    /// context window (`context-window`, from its smallest to its largest value).
    #[test]
    fn a_direct_assignment_is_found_at_every_window(
        file in any::<proptest::sample::Index>(),
        line in any::<proptest::sample::Index>(),
        pad_before in 0usize..20_000,
        pad_after in 0usize..20_000,
        window in wandb_sa_lint::detect::context::MIN_WINDOW..=wandb_sa_lint::detect::context::MAX_WINDOW,
        shape in 0usize..3,
        seed in any::<u64>(),
    ) {
        let files = fixture_files();
        prop_assume!(!files.is_empty());
        let (path, text) = &files[file.index(files.len())];
        let mut f = Fakes::new(seed);
        let key = match shape {
            0 => f.v1(),
            1 => f.hex(40),
            _ => f.prefixed("local"),
        };
        let before = "ab ".repeat(pad_before / 3);
        let mut lines: Vec<&str> = text.split('\n').collect();
        let at = line.index(lines.len());
        let inserted = format!("{before}WANDB_API_KEY={key} {}", "cd ".repeat(pad_after / 3));
        lines.insert(at, &inserted);
        let content = lines.join("\n");
        let config = wandb_sa_lint::config::Config {
            context_window: window,
            ..wandb_sa_lint::config::Config::default()
        };
        let findings =
            wandb_sa_lint::scan::scan_bytes_with(path, content.as_bytes(), &catalogue(), &config);
        let hit = findings.iter().find(|f| {
            f.rule.id == "S001"
                && f.location.as_ref().is_some_and(|l| l.line == at + 1)
        });
        prop_assert!(hit.is_some(), "{}: no S001 at line {} (window {})", path, at + 1, window);
        let loc = hit.and_then(|f| f.location.clone()).expect("location");
        prop_assert_eq!(loc.column, before.len() + "WANDB_API_KEY=".len() + 1, "{}", path);
    }

    /// No output format holds a planted key or its last 30 characters, whatever surrounds it.
    #[test]
    fn no_format_leaks_a_planted_key(
        before in "[ -~\n]{0,200}",
        after in "[ -~\n]{0,200}",
        shape in 0usize..4,
        seed in any::<u64>(),
    ) {
        let mut f = Fakes::new(seed);
        let (key, line) = match shape {
            0 => { let k = f.v1(); (k.clone(), format!("token: {k}")) }
            1 => { let k = f.hex(40); (k.clone(), format!("WANDB_API_KEY={k}")) }
            2 => { let k = f.prefixed("local"); (k.clone(), format!("wandb.login(key=\"{k}\")")) }
            _ => { let k = f.hex(40); (k.clone(), format!("machine api.wandb.ai\n  login user\n  password {k}")) }
        };
        let path = if shape == 3 { ".netrc" } else { "config/app.env" };
        let content = format!("{before}\n{line}\n{after}");
        let rules = catalogue();
        let findings = wandb_sa_lint::scan::scan_bytes(path, content.as_bytes(), &rules);
        prop_assert!(!findings.is_empty(), "the planted key is found");
        let outcome = outcome_of(findings);
        for (name, text) in every_format(&outcome, &rules) {
            prop_assert!(!text.contains(&key), "{} holds the whole key", name);
            prop_assert!(!text.contains(&key[key.len() - 30..]), "{} holds the key's tail", name);
        }
    }

    /// Fingerprints and stable identities do not change when unrelated lines move.
    #[test]
    fn fingerprints_survive_unrelated_lines(
        above in proptest::collection::vec("[a-z =#]{0,40}", 0..20),
        below in proptest::collection::vec("[a-z =#]{0,40}", 0..20),
        seed in any::<u64>(),
    ) {
        let key = Fakes::new(seed).v1();
        let base = format!("WANDB_API_KEY={key}\n");
        let moved = format!("{}\n{base}{}\n", above.join("\n"), below.join("\n"));
        let rules = catalogue();
        let a = wandb_sa_lint::scan::scan_bytes("ci.env", base.as_bytes(), &rules);
        let b = wandb_sa_lint::scan::scan_bytes("ci.env", moved.as_bytes(), &rules);
        let fps = |v: &[wandb_sa_lint::finding::Finding]| {
            let mut x: Vec<(String, String)> = v.iter().map(|f| (f.rule.id.clone(), f.fingerprint.clone())).collect();
            x.sort();
            x
        };
        prop_assert_eq!(fps(&a), fps(&b));
        let mut ia = stable_ids(&a);
        let mut ib = stable_ids(&b);
        ia.sort();
        ib.sort();
        prop_assert_eq!(ia, ib);
    }
}

#[test]
fn an_overlong_audit_line_is_skipped_without_being_held() {
    // 40 MiB of one line between two good lines, through a reader of small chunks.
    let good = r#"{"timestamp":"2026-10-01T10:00:00Z","action":"run:update"}"#;
    let mut data = format!("{good}\n").into_bytes();
    data.extend(std::iter::repeat_n(b'a', 40 << 20));
    data.extend(format!("\n{good}\n").as_bytes());
    let (events, problems) = read_audit(&data, vec![65_536]);
    assert_eq!(events.len(), 2);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, Some(2));
    assert!(problems[0].1.contains("longer than 16 MiB"));
}

/// Found by `an_inserted_key_is_found_where_it_is`: in a netrc block for another host, the
/// "prefixed keys only" narrowing hid self-identifying `wandb_v1_` keys too.
#[test]
fn a_v1_key_in_another_hosts_netrc_block_is_found() {
    let key = Fakes::new(0).v1();
    let text = format!("machine github.com\nkey = {key}\n  login ci\n  password x\n");
    let findings = wandb_sa_lint::scan::scan_bytes(".netrc", text.as_bytes(), &catalogue());
    assert!(
        findings.iter().any(|f| f.rule.id == "S001"
            && f.location
                .as_ref()
                .is_some_and(|l| l.line == 2 && l.column == 7)),
        "{findings:?}"
    );
}
