//! `audit fetch`, `scan --verify` and `registry init/sync/check` against the fake W&B server
//! of `fake_wandb` (127.0.0.1 only: no test touches the internet).

mod common;
mod fake_wandb;

use std::path::Path;

use common::bin;
use fake_wandb::{FakeWandb, Fault, Member, Viewer, World};
use sha2::Digest;

/// A generated fake of a classic key's shape (40 hex characters), from a label.
fn fake_key(label: &str) -> String {
    let digest = sha2::Sha256::digest(label.as_bytes());
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..40]
        .to_string()
}

fn event(day: &str, hour: u32, action: &str, actor: &str, extra: &str) -> String {
    format!(
        "{{\"timestamp\":\"{day}T{hour:02}:00:00Z\",\"action\":\"{action}\",\"actor_user_id\":\"{actor}\",\"actor_email\":\"{actor}@acme.com\",\"entity_name\":\"ml-team\",\"response_code\":200{extra}}}"
    )
}

/// Three days of events: 3, 0 and 5.
fn world() -> World {
    let mut w = World {
        admin_key: fake_key("admin"),
        ..World::default()
    };
    w.events.insert(
        "2026-11-01".into(),
        (0..3)
            .map(|h| event("2026-11-01", h, "user:login", "ci-train", ""))
            .collect(),
    );
    w.events.insert(
        "2026-11-03".into(),
        (0..5)
            .map(|h| event("2026-11-03", h, "artifact:read", "ci-eval", ""))
            .collect(),
    );
    w
}

fn fetch(server: &FakeWandb, out: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .env("WANDB_API_KEY", fake_key("admin"))
        .env("WANDB_SA_LINT_RETRY_BASE_MS", "10")
        .env_remove("WANDB_BASE_URL")
        .args([
            "audit",
            "fetch",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-03",
            "--host",
        ])
        .arg(&server.url)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run")
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("day file")
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every event of a folder, as the audit reader sees it, and its problems.
fn read_back(dir: &Path) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut problems = Vec::new();
    wandb_sa_lint::auditlog::read(&[dir.to_path_buf()], &mut |_| n += 1, &mut |p| {
        problems.push(format!("{}: {}", p.path, p.message))
    });
    (n, problems)
}

#[test]
fn an_instance_is_fetched_by_pages_into_daily_files() {
    let server = FakeWandb::start(world());
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("logs");
    let o = fetch(&server, &out, &["--page-size", "2", "--anonymize"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(lines(&out.join("2026-11-01.ndjson")).len(), 3);
    assert_eq!(lines(&out.join("2026-11-02.ndjson")).len(), 0);
    let third = lines(&out.join("2026-11-03.ndjson"));
    assert_eq!(third.len(), 5);
    // Anonymised: no emails, no team names.
    assert!(third
        .iter()
        .all(|l| !l.contains("actor_email") && !l.contains("entity_name")));
    let log = server.log();
    // One day per request, paged by cursor (5 events, pages of 2: three requests).
    let third_day: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("startDate=2026-11-03"))
        .collect();
    assert_eq!(third_day.len(), 3, "{log:?}");
    assert!(third_day
        .iter()
        .all(|l| l.starts_with("GET /admin/audit_logs?")
            && l.contains("endDate=2026-11-04")
            && l.contains("limit=2")
            && l.contains("anonymize=true")));
    assert!(third_day[2].contains("cursor=off-4"), "{log:?}");
    // The folder feeds the audit reader: 8 events, the state file is not read as a log.
    assert_eq!(read_back(&out), (8, Vec::new()));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("fetched 8 events over 3 days"), "{stderr}");
}

#[test]
fn multi_tenant_cloud_is_asked_one_day_at_a_time() {
    let server = FakeWandb::start(world());
    let dir = tempfile::tempdir().expect("dir");
    let o = fetch(&server, dir.path(), &["--api", "multi-tenant"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let log = server.log();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log.iter().all(|l| l.starts_with("GET /audit_logs?")
        && l.contains("numDays=0")
        && !l.contains("anonymize")));
    assert_eq!(read_back(dir.path()).0, 8);
    // Multi-tenant Cloud cannot anonymise: refused before any request.
    let o = fetch(
        &server,
        dir.path(),
        &["--api", "multi-tenant", "--anonymize"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(server.log().len(), 3);
}

#[test]
fn an_instance_without_paging_answers_ndjson() {
    let mut w = world();
    w.legacy = true;
    let server = FakeWandb::start(w);
    let dir = tempfile::tempdir().expect("dir");
    let o = fetch(&server, dir.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read_back(dir.path()), (8, Vec::new()));
}

#[test]
fn busy_and_broken_answers_are_retried_without_duplicates() {
    let mut w = world();
    w.faults = [
        Fault::Status(503),
        Fault::TooMany(1),
        Fault::Truncated,
        Fault::Status(502),
    ]
    .into();
    let server = FakeWandb::start(w);
    let dir = tempfile::tempdir().expect("dir");
    let started = std::time::Instant::now();
    let o = fetch(&server, dir.path(), &["--page-size", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Retry-After: 1 was honoured.
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(lines(&dir.path().join("2026-11-01.ndjson")).len(), 3);
    let third = lines(&dir.path().join("2026-11-03.ndjson"));
    let unique: std::collections::BTreeSet<&String> = third.iter().collect();
    assert_eq!((third.len(), unique.len()), (5, 5));
}

#[test]
fn a_refused_key_stops_the_fetch_and_is_never_shown() {
    let server = FakeWandb::start(world());
    let dir = tempfile::tempdir().expect("dir");
    let wrong = fake_key("not-the-admin");
    let o = bin()
        .env("WANDB_API_KEY", &wrong)
        .args([
            "audit",
            "fetch",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-01",
            "--host",
        ])
        .arg(&server.url)
        .arg("--out")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("401"), "{text}");
    assert!(!text.contains(&wrong), "{text}");
    assert!(!text.contains(&wrong[..12]), "{text}");
    // No key at all: a clear message, no request.
    let o = bin()
        .env_remove("WANDB_API_KEY")
        .args(["audit", "fetch", "--from", "2026-11-01", "--host"])
        .arg(&server.url)
        .arg("--out")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("WANDB_API_KEY"));
    // The key is not an argument.
    let o = bin()
        .args([
            "audit",
            "fetch",
            "--from",
            "2026-11-01",
            "--api-key",
            "x",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_stopped_fetch_resumes_where_it_stopped() {
    let mut w = world();
    w.broken_days = vec!["2026-11-02".into()];
    let server = FakeWandb::start(w);
    let dir = tempfile::tempdir().expect("dir");
    let o = fetch(&server, dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("stopped at 2026-11-02") && stderr.contains("run the same command again"),
        "{stderr}"
    );
    assert!(dir.path().join("2026-11-01.ndjson").exists());
    assert!(!dir.path().join("2026-11-02.ndjson").exists());
    server.world.lock().expect("world").broken_days.clear();
    let before = server.log().len();
    let o = fetch(&server, dir.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let again: Vec<String> = server.log()[before..].to_vec();
    assert!(
        again.iter().all(|l| !l.contains("startDate=2026-11-01")),
        "{again:?}"
    );
    assert_eq!(again.len(), 2, "{again:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 day already there"));
    assert_eq!(read_back(dir.path()), (8, Vec::new()));
    // A folder fetched from one host is not continued from another.
    let other = FakeWandb::start(world());
    let o = fetch(&other, dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot resume"));
}

#[test]
fn daily_files_are_never_written_through_a_link() {
    let server = FakeWandb::start(world());
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("logs");
    std::fs::create_dir(&out).expect("mkdir");
    let target = dir.path().join("precious.txt");
    std::fs::write(&target, "keep").expect("write");
    // A partial day (listed in the state) is fetched again; its file is a link.
    std::fs::write(
        out.join(".wandb-sa-lint-fetch.json"),
        format!(
            "{{\"version\":1,\"host\":\"{}\",\"endpoint\":\"instance\",\"anonymize\":false,\"partial\":[\"2026-11-01\"]}}",
            server.url
        ),
    )
    .expect("state");
    std::os::unix::fs::symlink(&target, out.join("2026-11-01.ndjson")).expect("link");
    let o = fetch(&server, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
}

fn viewer(id: &str, username: &str, account_type: &str) -> Viewer {
    Viewer {
        id: id.into(),
        username: username.into(),
        entity: "ml-team".into(),
        email: format!("{username}@acme.com"),
        account_type: account_type.into(),
    }
}

#[test]
fn found_keys_are_verified_with_their_owner() {
    let live = fake_key("live-service-key");
    let revoked = fake_key("revoked-key");
    let mut w = world();
    w.viewers.insert(
        live.clone(),
        viewer("VXNlcjo3", "ci-model-training", "SERVICE"),
    );
    let server = FakeWandb::start(w);
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join(".env"), format!("WANDB_API_KEY={live}\n")).expect("env");
    std::fs::write(
        dir.path().join("train.env"),
        format!("WANDB_API_KEY={revoked}\n"),
    )
    .expect("env");
    let registry = dir.path().join("registry.yaml");
    std::fs::write(
        &registry,
        "organization: acme\nteams:\n  ml-team:\n    members: [alice@acme.com]\nservice_accounts:\n  - name: training-bot\n    scope: team\n    team: ml-team\n    auth: api-key\n    purpose: trains\n    owner: alice@acme.com\n    audit_ids: [VXNlcjo3]\n",
    )
    .expect("registry");
    let run = |format: &str| {
        bin()
            .env("WANDB_SA_LINT_RETRY_BASE_MS", "10")
            .args([
                "scan",
                "--isolated",
                "--verify",
                "--format",
                format,
                "--wandb-host",
            ])
            .arg(&server.url)
            .arg("--registry")
            .arg(&registry)
            .arg(dir.path())
            .output()
            .expect("run")
    };
    let o = run("json");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    let by_path = |p: &str| {
        findings
            .iter()
            .find(|f| {
                f["path"]
                    .as_str()
                    .is_some_and(|x| x == p || x.ends_with(&format!("/{p}")))
                    && f.get("verification").is_some()
            })
            .unwrap_or_else(|| panic!("no verified finding in {p}: {json}"))
    };
    let v = &by_path(".env")["verification"];
    assert_eq!(v["status"], "live");
    assert_eq!(v["username"], "ci-model-training");
    assert_eq!(v["service_account"], true);
    assert_eq!(v["registry_account"], "training-bot");
    assert_eq!(by_path("train.env")["verification"]["status"], "revoked");
    let o = run("sarif");
    let sarif = String::from_utf8_lossy(&o.stdout);
    assert!(sarif.contains("\"verification\""), "{sarif}");
    let o = run("human");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("W&B: live, owner `ci-model-training`"),
        "{text}"
    );
    assert!(text.contains("W&B: revoked"), "{text}");
    for k in [&live, &revoked] {
        assert!(!text.contains(k.as_str()) && !sarif.contains(k.as_str()));
    }
    // Without --verify nothing is asked.
    let before = server.log().len();
    let o = bin()
        .args(["scan", "--isolated", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("verification"));
    assert_eq!(server.log().len(), before);
}

/// The first finding of a JSON report that carries a verification.
fn verified(json: &serde_json::Value) -> &serde_json::Value {
    json["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f.get("verification").is_some()))
        .unwrap_or_else(|| panic!("no verified finding: {json}"))
}

#[test]
fn a_key_that_cannot_be_checked_is_unknown_not_revoked() {
    let key = fake_key("unreachable");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join(".env"), format!("WANDB_API_KEY={key}\n")).expect("env");
    let second = fake_key("unreachable-too");
    std::fs::write(
        dir.path().join("other.env"),
        format!("WANDB_API_KEY={second}\n"),
    )
    .expect("env");
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let o = bin()
        .env("WANDB_SA_LINT_RETRY_BASE_MS", "1")
        .args([
            "scan",
            "--isolated",
            "--verify",
            "--format",
            "json",
            "--wandb-host",
            &url,
        ])
        .arg(dir.path())
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let f = verified(&json);
    assert_eq!(f["verification"]["status"], "unknown", "{json}");
    // Every key is unknown, the second without another round of attempts.
    let statuses: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f.get("verification"))
        .map(|v| &v["status"])
        .collect();
    assert_eq!(statuses, ["unknown", "unknown"], "{json}");
    assert!(f["verification"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("cannot reach")));
    // A server without `accountType` on the viewer: the SDK's own fields are asked.
    let mut w = world();
    w.viewer_without_type = true;
    w.viewers
        .insert(key.clone(), viewer("VXNlcjo4", "alice", "USER"));
    let server = FakeWandb::start(w);
    let o = bin()
        .args([
            "scan",
            "--isolated",
            "--verify",
            "--format",
            "json",
            "--wandb-host",
            &server.url,
        ])
        .arg(dir.path())
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let v = &verified(&json)["verification"];
    assert_eq!(v["status"], "live", "{json}");
    assert!(v.get("service_account").is_none(), "{json}");
}

fn member(id: &str, username: &str, account_type: &str) -> Member {
    Member {
        id: id.into(),
        username: username.into(),
        email: if account_type == "USER" {
            format!("{username}@acme.com")
        } else {
            String::new()
        },
        account_type: account_type.into(),
    }
}

#[test]
fn a_registry_is_drafted_checked_and_synced() {
    let mut w = world();
    w.teams.insert(
        "ml-team".into(),
        vec![
            member("VXNlcjox", "alice", "USER"),
            member("VXNlcjo3", "ci-model-training", "SERVICE"),
        ],
    );
    let server = FakeWandb::start(w);
    let dir = tempfile::tempdir().expect("dir");
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    std::fs::write(
        logs.join("2026-11-01.ndjson"),
        [
            event(
                "2026-11-01",
                1,
                "user:create_api_key",
                "admin",
                ",\"user_asset\":\"VXNlcjo3\"",
            ),
            event(
                "2026-11-01",
                2,
                "team:create_service_account",
                "admin",
                ",\"user_asset\":\"VXNlcjo5\"",
            ),
            event(
                "2026-11-01",
                3,
                "user:create_api_key",
                "admin",
                ",\"user_asset\":\"VXNlcjo5\"",
            ),
            event(
                "2026-11-01",
                4,
                "user:delete_api_key",
                "admin",
                ",\"user_asset\":\"VXNlcjo5\"",
            ),
        ]
        .join("\n"),
    )
    .expect("log");
    let file = dir.path().join("registry.yaml");
    let o = bin()
        .env("WANDB_API_KEY", fake_key("admin"))
        .args([
            "registry",
            "init",
            "--team",
            "ml-team",
            "--organization",
            "acme",
            "--host",
            &server.url,
        ])
        .arg(&file)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&file).expect("registry");
    assert!(text.contains("- name: \"ci-model-training\""), "{text}");
    assert!(text.contains("members: [\"alice@acme.com\"]"), "{text}");
    assert!(!text.contains("name: \"alice\""), "{text}");
    // Every field a person must write is marked; `registry check` lists them and exits 1.
    let check = || {
        bin()
            .args(["registry", "check"])
            .arg(&file)
            .output()
            .expect("run")
    };
    let o = check();
    assert_eq!(o.status.code(), Some(1));
    let listed = String::from_utf8_lossy(&o.stdout);
    for field in ["purpose", "owner", "used_by"] {
        assert!(
            listed.contains(&format!("`{field}` is still to complete")),
            "{listed}"
        );
    }
    // A person completes the account; sync adds what the logs know and keeps what they wrote.
    let completed =
        text.replace(
            "\"TODO: what it is for, in a sentence\"",
            "trains the churn model",
        )
        .replace(
            "\"TODO: who answers for it (a person or a group mailbox)\"",
            "alice@acme.com",
        )
        .replace(
            "\"TODO: path globs of the CI files and names of the secrets that hold its key\"",
            "[.github/workflows/train.yml]",
        ) + "  # a comment a person wrote\n";
    std::fs::write(&file, &completed).expect("write");
    assert_eq!(
        check().status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check().stdout)
    );
    let o = bin()
        .args(["registry", "sync", "--audit-log"])
        .arg(&logs)
        .arg(&file)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let synced = std::fs::read_to_string(&file).expect("registry");
    assert!(synced.starts_with(&completed), "{synced}");
    let added = &synced[completed.len()..];
    assert!(
        added.contains("TODO: the W&B name of the account VXNlcjo5"),
        "{added}"
    );
    assert!(
        added.contains("created: 2026-11-01") && added.contains("1 key deletion"),
        "{added}"
    );
    assert!(added.contains("team: \"ml-team\""), "{added}");
    // The result is a valid registry, its new account still to complete.
    let o = check();
    assert_eq!(o.status.code(), Some(1));
    // A second sync adds nothing.
    let o = bin()
        .args(["registry", "sync", "--audit-log"])
        .arg(&logs)
        .arg(&file)
        .output()
        .expect("run");
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(&file).expect("registry"), synced);
}
