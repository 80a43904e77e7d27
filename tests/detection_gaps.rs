//! Detection gaps of issue 14 item 17, through the real binary: keys right after a string or URL
//! escape or followed by `_`, keys base64-encoded in a Kubernetes Secret, UTF-16 files, and
//! keys split into string pieces next to a finding's snippet; and from item 18, audit logs
//! that start with a UTF-8 byte order mark or are dated up to the end of year 9999.

mod common;

use common::audit_org;

use std::path::Path;

use common::{assert_no_secret, bin, json, write};
use wandb_sa_lint::rules::fakes::Fakes;

/// One finding as (path, line, column, rule, shape, message).
type Found = (String, u64, u64, String, String, String);

/// Scans `dir` in JSON with no configuration; returns the findings and the whole output.
fn scan(dir: &Path) -> (Vec<Found>, String, Option<i32>) {
    let out = bin()
        .current_dir(dir)
        .args(["scan", ".", "--isolated", "--format", "json"])
        .output()
        .expect("run");
    let doc = json(&out);
    let findings = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or("").to_string(),
                f["shape"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (findings, all, out.status.code())
}

/// The human output of a scan of `dir` (snippets included).
fn human(dir: &Path) -> String {
    let out = bin()
        .current_dir(dir)
        .args(["scan", ".", "--isolated", "--color", "never"])
        .output()
        .expect("run");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s001_at(found: &[Found], path: &str) -> Vec<(u64, u64, String)> {
    found
        .iter()
        .filter(|f| f.0 == path && f.3 == "S001")
        .map(|f| (f.1, f.2, f.4.clone()))
        .collect()
}

#[test]
fn keys_after_string_and_url_escapes_or_before_an_underscore_are_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let mut f = Fakes::new(1701);
    let keys: Vec<String> = (0..8).map(|_| f.v1()).collect();
    let (hex_a, hex_b) = (f.hex(40), f.hex(40));
    let local = f.prefixed("local");
    write(
        d,
        "logs/run.json",
        &format!(
            "{{\"log\": \"login ok\\n{}\"}}\n{{\"log\": \"key:\\t{}\"}}\n",
            keys[0], keys[1]
        ),
    );
    write(
        d,
        "src/client.c",
        &format!(
            "const char *k = \"\\x3d{}\";\nconst char *j = \"\\u003d{}\";\n",
            keys[2], keys[3]
        ),
    );
    write(
        d,
        "notes/urls.txt",
        &format!(
            "https://example.com/cb?key%3D{}\nhttps://example.com/cb?x=1%0A{}\n",
            keys[4], keys[5]
        ),
    );
    write(
        d,
        "deploy/names.txt",
        &format!("{}_suffix\nprefix {}_\n", keys[6], keys[7]),
    );
    // Legacy and self-managed keys after an escape, in a W&B context.
    write(
        d,
        "ci/env.json",
        &format!(
            "{{\"hook\": \"https://example.com/cb?wandb_api_key%3D{hex_a}\"}}\n\
             {{\"wandb_api_key\": \"\\u0022{hex_b}\", \"wandb_key\": \"\\n{local}\"}}\n"
        ),
    );
    let (found, all, code) = scan(d);
    assert_eq!(code, Some(1), "{all}");
    assert_eq!(
        s001_at(&found, "logs/run.json"),
        vec![(1, 20, "v1".into()), (2, 16, "v1".into())]
    );
    assert_eq!(
        s001_at(&found, "src/client.c"),
        vec![(1, 22, "v1".into()), (2, 24, "v1".into())]
    );
    assert_eq!(
        s001_at(&found, "notes/urls.txt"),
        vec![(1, 30, "v1".into()), (2, 30, "v1".into())]
    );
    assert_eq!(
        s001_at(&found, "deploy/names.txt"),
        vec![(1, 1, "v1".into()), (2, 8, "v1".into())]
    );
    assert_eq!(
        s001_at(&found, "ci/env.json"),
        vec![
            (1, 50, "legacy".into()),
            (2, 26, "legacy".into()),
            (2, 85, "prefixed".into())
        ],
        "{found:?}"
    );
    let mut planted = keys.clone();
    planted.extend([hex_a, hex_b, local]);
    assert_no_secret(&all, &planted, "json output");
    assert_no_secret(&human(d), &planted, "human output");
}

#[test]
fn escapes_do_not_make_keys_of_longer_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let mut f = Fakes::new(1702);
    // 41 hex digits after `\n` in a W&B log: not a key shape (a probably mangled key only when
    // assigned to a W&B key name); a key glued to a word is not a key either.
    write(
        d,
        "logs/sync.json",
        &format!("{{\"msg\": \"wandb: synced\\n{}\"}}\n", f.hex(41)),
    );
    write(d, "notes.txt", &format!("wandb x{}\n", f.v1()));
    let (found, all, code) = scan(d);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, Some(0), "{all}");
    // Assigned to a W&B key name, the 41 digits are a mangled key: the escape's `n` is not
    // part of it.
    let mangled = f.hex(41);
    write(
        d,
        "ci/env.json",
        &format!("{{\"wandb_api_key\": \"\\n{mangled}\"}}\n"),
    );
    let (found, all, _) = scan(d);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].1, found[0].2), (1, 22));
    assert!(found[0].5.contains("(41)"), "{}", found[0].5);
    assert_no_secret(&all, &[mangled], "json output");
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut v = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        v.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    v
}

/// A PowerShell profile and a settings file as Windows tools write them (UTF-16 with a byte
/// order mark, CRLF), and files with a UTF-8 byte order mark.
fn plant_encoded(d: &Path, f: &mut Fakes) -> Vec<String> {
    let (v1, hex, hex_bom, v1_bom) = (f.v1(), f.hex(40), f.hex(40), f.v1());
    let ps1 = format!(
        "# W&B login for the nightly job (é)\r\n$env:WANDB_ENTITY = \"ml-team\"\r\n$env:WANDB_API_KEY = \"{v1}\"\r\n"
    );
    std::fs::create_dir_all(d.join("win")).expect("mkdir");
    std::fs::write(d.join("win/profile.ps1"), utf16(&ps1, false)).expect("write");
    let ini = format!("[default]\r\nentity = ml-team\r\napi_key = {hex}\r\n");
    std::fs::create_dir_all(d.join("wandb")).expect("mkdir");
    std::fs::write(d.join("wandb/settings"), utf16(&ini, true)).expect("write");
    std::fs::write(
        d.join(".env"),
        format!("\u{feff}WANDB_API_KEY={hex_bom}\nWANDB_ENTITY=ml-team\n"),
    )
    .expect("write");
    std::fs::write(
        d.join("notes.md"),
        format!("\u{feff}{v1_bom}\nsecond line\n"),
    )
    .expect("write");
    vec![v1, hex, hex_bom, v1_bom]
}

fn encoded_expectations(found: &[Found]) {
    assert_eq!(
        s001_at(found, "win/profile.ps1"),
        vec![(3, 23, "v1".into())],
        "{found:?}"
    );
    assert_eq!(
        s001_at(found, "wandb/settings"),
        vec![(3, 11, "legacy".into())],
        "{found:?}"
    );
    // Columns as an editor shows them: the byte order mark is not a character of the line.
    assert_eq!(s001_at(found, ".env"), vec![(1, 15, "legacy".into())]);
    assert_eq!(s001_at(found, "notes.md"), vec![(1, 1, "v1".into())]);
}

#[test]
fn utf16_files_and_utf8_byte_order_marks_are_scanned() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let keys = plant_encoded(d, &mut Fakes::new(1703));
    // Binary stays binary: UTF-32 starts like UTF-16 LE and decodes to NULs.
    std::fs::write(d.join("blob.bin"), [0xFF, 0xFE, 0, 0, b'a', 0, 0, 0]).expect("write");
    let (found, all, code) = scan(d);
    assert_eq!(code, Some(1), "{all}");
    encoded_expectations(&found);
    assert_eq!(
        found.iter().filter(|f| f.3 == "S001").count(),
        4,
        "{found:?}"
    );
    assert_no_secret(&all, &keys, "json output");
    let shown = human(d);
    assert_no_secret(&shown, &keys, "human output");
    assert!(shown.contains("profile.ps1:3:23"), "{shown}");
}

#[test]
fn utf16_files_are_scanned_when_staged_and_in_history() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    common::git(d, &["init", "-q"]);
    let keys = plant_encoded(d, &mut Fakes::new(1704));
    common::git(d, &["add", "-A"]);
    // Staged; then in history as loose objects, then packed.
    for (step, args) in [
        ("staged", &["scan", "--staged"][..]),
        ("loose", &["scan", "--history"][..]),
        ("packed", &["scan", "--history"][..]),
    ] {
        match step {
            "loose" => common::git(d, &["commit", "-qm", "windows files"]),
            "packed" => common::git(d, &["gc", "-q"]),
            _ => {}
        }
        let out = bin()
            .current_dir(d)
            .args(args)
            .args(["--isolated", "--format", "json"])
            .output()
            .expect("run");
        let doc = json(&out);
        let found: Vec<Found> = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or("").to_string(),
                    f["line"].as_u64().unwrap_or(0),
                    f["column"].as_u64().unwrap_or(0),
                    f["rule"].as_str().unwrap_or("").to_string(),
                    f["shape"].as_str().unwrap_or("").to_string(),
                    f["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        encoded_expectations(&found);
        assert_no_secret(&String::from_utf8_lossy(&out.stdout), &keys, "json output");
    }
}

fn b64(s: &str) -> String {
    data_encoding::BASE64.encode(s.as_bytes())
}

#[test]
fn keys_base64_encoded_in_kubernetes_secrets_are_found_at_the_value() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let mut f = Fakes::new(1705);
    let (v1, hex, env_key, flow_key, anywhere) = (f.v1(), f.hex(40), f.v1(), f.v1(), f.v1());
    let (v1_b, hex_b, flow_b, anywhere_b) = (b64(&v1), b64(&hex), b64(&flow_key), b64(&anywhere));
    let env_b = b64(&format!("WANDB_ENTITY=ml-team\nWANDB_API_KEY={env_key}\n"));
    write(
        d,
        "k8s/secrets.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: wandb-credentials\ntype: Opaque\ndata:\n  WANDB_API_KEY: {v1_b}\n  WANDB_LEGACY_KEY: \"{hex_b}\"\n  trainer.env: {env_b}\n  ca.crt: {}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: ci}}\ndata: {{WANDB_API_KEY: {flow_b}}}\n",
            b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        ),
    );
    // A base64 `wandb_v1_` key outside a Secret is as self-identifying as the key.
    write(
        d,
        "deploy/vars.env",
        &format!("WANDB_KEY_B64={anywhere_b}\n"),
    );
    let (found, all, code) = scan(d);
    assert_eq!(code, Some(1), "{all}");
    let at: Vec<(String, u64, u64, String)> = found
        .iter()
        .filter(|f| f.3 == "S001")
        .map(|f| (f.0.clone(), f.1, f.2, f.4.clone()))
        .collect();
    let s = |p: &str, l: u64, c: u64, shape: &str| (p.to_string(), l, c, shape.to_string());
    assert_eq!(
        at,
        vec![
            s("deploy/vars.env", 1, 15, "v1"),
            s("k8s/secrets.yaml", 7, 18, "v1"),
            s("k8s/secrets.yaml", 8, 22, "legacy"),
            s("k8s/secrets.yaml", 9, 16, "v1"),
            s("k8s/secrets.yaml", 15, 23, "v1"),
        ],
        "{found:?}"
    );
    let msg = |line: u64| {
        found
            .iter()
            .find(|f| f.0 == "k8s/secrets.yaml" && f.1 == line)
            .map(|f| f.5.clone())
            .unwrap_or_default()
    };
    assert!(
        msg(7).contains(
            "base64-encoded in `data.WANDB_API_KEY` of Kubernetes Secret `wandb-credentials`"
        ),
        "{}",
        msg(7)
    );
    assert!(
        msg(8).contains("assigned to `WANDB_LEGACY_KEY`"),
        "{}",
        msg(8)
    );
    assert!(msg(9).contains("`data.trainer.env`"), "{}", msg(9));
    assert!(msg(15).contains("Kubernetes Secret `ci`"), "{}", msg(15));
    // Neither the key nor its base64 text is shown.
    let planted = vec![
        v1.clone(),
        hex.clone(),
        env_key,
        flow_key,
        anywhere,
        v1_b,
        hex_b,
        env_b,
        flow_b,
        anywhere_b,
    ];
    assert_no_secret(&all, &planted, "json output");
    assert_no_secret(&human(d), &planted, "human output");
}

#[test]
fn base64_that_is_no_key_is_not_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let mut f = Fakes::new(1706);
    // A Secret of other credentials, a hex digest under a W&B-free name, and base64 that is
    // not a Secret's data.
    write(
        d,
        "k8s/secret.yaml",
        &format!(
            "kind: Secret\nmetadata: {{name: wandb-db}}\ndata:\n  password: {}\n  checksum_sha: {}\n  placeholder: {}\n",
            b64(&f.alnum(24)),
            b64(&f.hex(40)),
            b64("wandb_v1_xxxxxxxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        ),
    );
    write(
        d,
        "config/values.yaml",
        &format!("wandb:\n  note: {}\n", b64(&format!("sha {}", f.hex(40)))),
    );
    let (found, all, code) = scan(d);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, Some(0), "{all}");
}

/// Whether `text` shows a run of 5 or more characters of `key` past its first 4.
fn shows_piece(text: &str, key: &str) -> Option<String> {
    (4..key.len() - 5)
        .map(|i| &key[i..i + 5])
        .find(|p| p.bytes().all(|b| b.is_ascii_alphanumeric()) && text.contains(p))
        .map(str::to_string)
}

#[test]
fn keys_cut_into_string_pieces_are_masked_in_snippets() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let mut f = Fakes::new(1707);
    let (key, split) = (f.v1(), f.v1());
    let b = &split[9..];
    let k = &key[9..];
    write(
        d,
        "train.py",
        &format!(
            "import wandb\n\
             wandb.login(key=\"{key}\")\n\
             FALLBACK = \"wandb_v1_{}\" + \"{}\" + \"{}\"\n\
             SPARE = (\"wandb_v1_{}\"\n\
             \x20        \"{}\"\n\
             \x20        \"{}\")\n\
             os.environ[\"WANDB_API_KEY\"] = \"{key}\"\n\
             PARTS = [\"{}\", \"{}\", \"{}\"]\n\
             wandb.init(project=\"detector\")\n",
            &b[..7],
            &b[7..31],
            &b[31..],
            &b[..20],
            &b[20..50],
            &b[50..],
            &k[..11],
            &k[11..40],
            &k[40..],
        ),
    );
    let shown = human(d);
    assert!(shown.contains("train.py:2:"), "{shown}");
    assert!(shown.contains("train.py:7:"), "{shown}");
    for secret in [&key, &split] {
        assert_eq!(shows_piece(&shown, secret), None, "{shown}");
    }
    // Lines without pieces keep their text; a cut key shows its first 4 characters, as a
    // whole one does.
    assert!(shown.contains(" 1 │ import wandb\n"), "{shown}");
    assert!(shown.contains("FALLBACK = \"wand*****"), "{shown}");
    // The end of `SPARE`, whose prefix is two lines up, out of the window.
    assert!(shown.contains(" 6 │          \"*****"), "{shown}");
}

#[test]
fn audit_logs_with_a_byte_order_mark_and_dates_up_to_9999_are_read_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    audit_org::write(d, 5, 0).expect("generate");
    let day = d.join("logs/audit-2026-09-01.jsonl");
    let text = std::fs::read_to_string(&day).expect("day");
    let events = text.lines().filter(|l| !l.trim().is_empty()).count();
    std::fs::write(
        &day,
        format!(
            "\u{feff}{text}{{\"timestamp\":\"9999-12-31T23:59:59Z\",\"action\":\"user:login\"}}\n{{\"timestamp\":\"9999-12-31T23:59:59.5-01:00\",\"action\":\"user:login\"}}\n"
        ),
    )
    .expect("write");
    let out = bin()
        .current_dir(d)
        .args(["audit", "--isolated", "--format", "json", "--as-of"])
        .arg(audit_org::AS_OF)
        .arg("--registry")
        .arg(d.join("registry.yaml"))
        .arg("--audit-log")
        .arg(d.join("logs"))
        .output()
        .expect("run");
    let doc = json(&out);
    let errors = doc["errors"].to_string();
    assert!(!errors.contains("audit-2026-09-01.jsonl"), "{errors}");
    assert_eq!(doc["summary"]["audit"]["malformed_lines"], 0, "{errors}");
    assert!(events > 0);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{errors}");
}

mod robustness {
    use proptest::prelude::*;
    use wandb_sa_lint::rules::fakes::Fakes;
    use wandb_sa_lint::source::decode;

    fn rules() -> &'static wandb_sa_lint::rules::RuleSet {
        static RULES: std::sync::OnceLock<wandb_sa_lint::rules::RuleSet> =
            std::sync::OnceLock::new();
        RULES.get_or_init(|| wandb_sa_lint::rules::load_embedded(wandb_sa_lint::checks::CHECKS).0)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Any bytes behind either UTF-16 mark decode without a panic, and a key written in
        /// UTF-16 amid them is found at its decoded line.
        #[test]
        fn utf16_decoding_never_panics(body in proptest::collection::vec(any::<u8>(), 0..300), le in any::<bool>(), seed in any::<u64>()) {
            let mark: &[u8] = if le { b"\xFF\xFE" } else { b"\xFE\xFF" };
            let raw = [mark, &body].concat();
            let _ = decode::text(&raw);
            let _ = decode::text_owned(raw);
            let key = Fakes::new(seed).v1();
            // A random key may spell a placeholder word (`your`, `xxxx`): not a key then.
            prop_assume!(!wandb_sa_lint::detect::is_placeholder(key.as_bytes()));
            let text = format!("line one\nkey {key}\n");
            let mut bytes = mark.to_vec();
            for u in text.encode_utf16() {
                bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            let decoded = decode::text(&bytes).expect("text");
            let found = wandb_sa_lint::scan::scan_bytes("notes.txt", &decoded, rules());
            prop_assert_eq!(found.len(), 1);
            prop_assert_eq!(found[0].location.as_ref().map(|l| (l.line, l.column)), Some((2, 5)));
        }

        /// Arbitrary Secret values, escapes and string pieces never panic the detector.
        #[test]
        fn secrets_escapes_and_pieces_never_panic(
            value in "[A-Za-z0-9+/=_ \\\\%\"'-]{0,200}",
            glue in "[\\\\%\"' +.\n]{0,6}",
            seed in any::<u64>(),
        ) {
            let key = Fakes::new(seed).v1();
            let (a, b) = key.split_at(20);
            let manifest = format!(
                "kind: Secret\nmetadata: {{name: wandb}}\ndata:\n  WANDB_API_KEY: {value}\n  other: \"{value}\"\nx: \"{a}\"{glue}\"{b}\"\ny: {glue}{key}{glue}\n"
            );
            for path in ["k8s/secret.yaml", "notes.txt", "cfg.json"] {
                let _ = wandb_sa_lint::scan::scan_bytes(path, manifest.as_bytes(), rules());
            }
        }
    }
}
