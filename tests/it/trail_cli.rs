//! Every check the command makes lands in the audit trail: `check` (arguments and a stream on
//! stdin, in several transactions), `ocr`, `verify` and `region` against the fakes over real
//! HTTP, with the audit key in the real keychain. The database files never hold a full number
//! or a name; `--no-record` writes nothing; a trail that cannot be opened warns once and the
//! check goes on.
//!
//! Needs a Secret Service (scripts/test.sh runs the tests inside dbus-run-session with an
//! unlocked gnome-keyring); without one it prints "skipped", unless IDCHECK_REQUIRE_KEYCHAIN=1.

use idcheck_fake::{Endpoint, FakeConfig, FakeServices, Fault, IDENTITIES, NO_RECORD_NUMBER};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_idcheck");
const OPERATOR: &str = "前台审核员";

fn keychain_reachable() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return true;
    }
    if std::env::var("IDCHECK_REQUIRE_KEYCHAIN").as_deref() == Ok("1") {
        panic!("IDCHECK_REQUIRE_KEYCHAIN=1 but no D-Bus session: run inside dbus-run-session with gnome-keyring");
    }
    eprintln!("skipped: no D-Bus session (run inside dbus-run-session with gnome-keyring)");
    false
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn idcheck(cfg: &Path, fake: Option<&FakeServices>, args: &[&str], stdin: Option<&str>) -> Run {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("IDCHECK_CONFIG_DIR", cfg)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(f) = fake {
        for (k, v) in f.env_exports() {
            c.env(k, v);
        }
    }
    let o = feed(c.spawn().unwrap(), stdin.unwrap_or("").as_bytes().to_vec());
    Run { code: o.status.code(), stdout: String::from_utf8_lossy(&o.stdout).into_owned(), stderr: String::from_utf8_lossy(&o.stderr).into_owned() }
}

/// Writes `input` to the child's stdin from a thread (the child's output is read meanwhile,
/// so neither side blocks on a full pipe) and waits for it.
fn feed(mut child: std::process::Child, input: Vec<u8>) -> std::process::Output {
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// The trail as `idcheck history --json` reads it (newest first), with extra filters.
fn history(cfg: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["history", "--json"];
    args.extend_from_slice(extra);
    let r = idcheck(cfg, None, &args, None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn count_kind(rows: &[Value], kind: &str) -> usize {
    rows.iter().filter(|r| r["kind"] == kind).count()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The `i`-th of up to 336,000 distinct valid numbers.
fn stream_number(i: usize) -> String {
    with_check(&format!("1101011990{:02}{:02}{:03}", 1 + (i / 28_000) % 12, 1 + i % 28, (i / 28) % 1000))
}

/// A full number from 17 digits.
fn with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

#[test]
fn every_kind_of_check_from_the_command_is_recorded_masked() {
    if !keychain_reachable() {
        return;
    }
    let fake = FakeServices::start_background(FakeConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("settings.json"), format!(r#"{{"operator":"{OPERATOR}"}}"#)).unwrap();
    let li = IDENTITIES[1];

    // Local validation: one valid and one invalid number as arguments.
    let r = idcheck(&cfg, None, &["check", li.number, "110101199003070037"], None);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.is_empty(), "no warning when the trail works: {}", r.stderr);
    let rows = history(&cfg, &[]);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["kind"].as_str(), rows[0]["outcome"].as_str()), (Some("local"), Some("invalid")));
    assert_eq!((rows[1]["outcome"].as_str(), rows[1]["number_masked"].as_str()), (Some("valid"), Some("110***********0038")));
    assert_eq!(rows[1]["operator"], OPERATOR);
    assert_eq!(rows[1]["consent"], false);

    // A stream on stdin, longer than one chunk: its numbers are recorded in chunks (each
    // listed as one entry with its count), its other lines as rows of their own.
    let n = 70_000;
    let mut input = String::new();
    let stream: Vec<String> = (0..n).map(stream_number).collect();
    for number in &stream {
        input.push_str(number);
        input.push('\n');
    }
    input.push_str("not a number\n");
    input.push_str("110101199003070037\n");
    let r = idcheck(&cfg, None, &["check", "--json"], Some(&input));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), n + 2);
    let locals = history(&cfg, &["--kind", "local"]);
    let chunks: Vec<&Value> = locals.iter().filter(|e| e["numbers"].is_u64()).collect();
    assert!(chunks.len() >= 2, "{} chunks", chunks.len());
    assert_eq!(chunks.iter().map(|e| e["numbers"].as_u64().unwrap()).sum::<u64>(), n as u64 + 1);
    assert_eq!(chunks.iter().map(|e| e["numbers"].as_u64().unwrap() - e["numbers_valid"].as_u64().unwrap()).sum::<u64>(), 1);
    assert!(chunks.iter().all(|e| e["number_masked"].is_null() && e["operator"] == OPERATOR && e["provider"] == "local"));
    let rows: Vec<&Value> = locals.iter().filter(|e| e["numbers"].is_null()).collect();
    assert_eq!(rows.len(), 3, "the two arguments and the line that is not a number");
    assert!(rows[0]["number_masked"].as_str().unwrap().chars().all(|c| c == '*'), "a line that is not a number is starred: {}", rows[0]);
    // Each number of the stream is found by its full number, masked.
    for number in [&stream[0], &stream[n / 2], &stream[n - 1]] {
        let found = history(&cfg, &["--number", number]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0]["outcome"].as_str(), found[0]["kind"].as_str()), (Some("valid"), Some("local")));
        assert_eq!(found[0]["number_masked"].as_str(), Some(idcheck::mask::number(number).as_str()));
    }
    let wrong = history(&cfg, &["--number", "110101199003070037"]);
    assert_eq!(wrong.iter().map(|e| e["outcome"].as_str().unwrap()).collect::<Vec<_>>(), ["invalid", "invalid"], "in a chunk and as an argument");
    // The text listing says how many numbers a chunk holds and how many passed.
    let text = idcheck(&cfg, None, &["--lang", "en", "history", "--kind", "local"], None);
    assert!(text.stdout.contains("× 65,536") && text.stdout.contains("65,536 valid / 0 invalid"), "{}", text.stdout);
    let text = idcheck(&cfg, None, &["--lang", "zh", "history", "--kind", "local"], None);
    assert!(text.stdout.contains("通过 65,536 / 不通过 0"), "{}", text.stdout);
    let before = history(&cfg, &["--kind", "local"]).len();
    // `--no-record`: checked, nothing written.
    let r = idcheck(&cfg, None, &["check", "--no-record", li.number], None);
    assert_eq!(r.code, Some(0));
    assert_eq!(history(&cfg, &["--kind", "local"]).len(), before);

    // OCR through the fake apizero: the fields read are recorded masked.
    let img = dir.path().join("front.jpg");
    let scene = idcheck::synth::Scene::centred(1600, 1200, 0.8, 3.0);
    std::fs::write(&img, idcheck::synth::jpeg(&idcheck::synth::render(&scene), 90)).unwrap();
    let r = idcheck(&cfg, Some(&fake), &["ocr", "--provider", "apizero", "--json", img.to_str().unwrap()], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let ocr = &history(&cfg, &["--kind", "ocr"])[0];
    assert_eq!((ocr["provider"].as_str(), ocr["outcome"].as_str()), (Some("apizero"), Some("read")));
    assert_eq!((ocr["name_masked"].as_str(), ocr["number_masked"].as_str()), (Some("李*"), Some("110***********0038")));

    // Two-factor: a match (with the vendor's request id) and a vendor error (code + id).
    let r = idcheck(&cfg, Some(&fake), &["verify", "--provider", "apizero", "--name", li.name, "--consent", li.number], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    fake.set_fault(Endpoint::Apizero2c, Fault::apizero(4022, 200));
    let r = idcheck(&cfg, Some(&fake), &["verify", "--provider", "apizero", "--name", "王五", "--consent", NO_RECORD_NUMBER], None);
    assert_eq!(r.code, Some(2));
    let two = history(&cfg, &["--kind", "two_factor"]);
    assert_eq!(two.len(), 2);
    assert_eq!((two[0]["outcome"].as_str(), two[0]["error"]["vendor_code"].as_str()), (Some("error"), Some("4022")));
    assert_eq!(two[0]["error"]["request_id"], "fake-req-err");
    assert_eq!(two[0]["name_masked"], "王*");
    assert_eq!((two[1]["outcome"].as_str(), two[1]["provider"].as_str()), (Some("match"), Some("apizero")));
    assert!(two[1]["request_id"].as_str().is_some_and(|id| id.starts_with("fake-req-")), "{}", two[1]);
    assert!(two.iter().all(|r| r["consent"] == true && r["operator"] == OPERATOR));
    // Refused before any call (no consent): nothing checked, nothing recorded.
    let r = idcheck(&cfg, Some(&fake), &["verify", "--provider", "apizero", "--name", li.name, li.number], None);
    assert_eq!(r.code, Some(2));
    assert_eq!(history(&cfg, &["--kind", "two_factor"]).len(), 2);

    // Region: the built-in table and a vendor.
    for p in ["embedded", "apizero"] {
        let r = idcheck(&cfg, Some(&fake), &["region", "--provider", p, li.number], None);
        assert_eq!(r.code, Some(0), "{p}: {}", r.stderr);
    }
    let regions = history(&cfg, &["--kind", "region"]);
    assert_eq!(regions.len(), 2);
    assert_eq!(regions.iter().map(|r| r["provider"].as_str().unwrap()).collect::<Vec<_>>(), ["apizero", "embedded"]);
    assert!(regions.iter().all(|r| r["outcome"] == "found"));

    // One number, every kind of check: found by its full number through the keyed hash.
    let mine = history(&cfg, &["--number", li.number]);
    for kind in ["local", "ocr", "two_factor", "region"] {
        assert!(count_kind(&mine, kind) >= 1, "no {kind} check of the number: {mine:?}");
    }

    // Nothing on disk holds a full number or a name.
    let mut scanned = 0;
    for e in std::fs::read_dir(&cfg).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        scanned += bytes.len();
        for needle in [li.number, NO_RECORD_NUMBER, li.name, "王五", &stream[0], &stream[n - 1], &stream[n / 2][3..14], "110101199003070037"] {
            assert!(!contains(&bytes, needle.as_bytes()), "{} holds {needle}", p.display());
        }
    }
    assert!(scanned > 100_000, "the trail was written ({scanned} bytes)");
}

#[test]
fn a_trail_that_cannot_be_opened_warns_once_and_the_check_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let numbers: String = (0..20_000).map(|i| stream_number(i) + "\n").collect();
    let no_bus = format!("unix:path={}/no-such-bus", dir.path().display());
    let run = |lang: &str| {
        let mut c = Command::new(BIN);
        c.args(["--lang", lang, "check"])
            .env("IDCHECK_CONFIG_DIR", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &no_bus)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        feed(c.spawn().unwrap(), numbers.as_bytes().to_vec())
    };
    let o = run("en");
    assert_eq!(o.status.code(), Some(0));
    assert!(!o.stdout.is_empty(), "the numbers were checked");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("warning: the audit trail cannot be written").count(), 1, "{err}");
    assert!(err.contains("--no-record"), "{err}");
    let o = run("zh");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("审计记录无法写入").count(), 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // With --no-record the trail is never touched: no warning at all.
    let mut c = Command::new(BIN);
    let o =
        c.args(["check", "--no-record", IDENTITIES[0].number]).env("IDCHECK_CONFIG_DIR", dir.path()).env("DBUS_SESSION_BUS_ADDRESS", &no_bus).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_retention_in_the_settings_purges_when_the_command_opens_the_trail() {
    if !keychain_reachable() {
        return;
    }
    use idcheck::audit::{KeychainKey, Record, Store};
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    // Old checks, written under the keychain service the command will use for this directory
    // (the other tests of this file pass their directory to their commands explicitly).
    let store = Store::open(&cfg, &KeychainKey::of(&idcheck::paths::Namespace::at(&cfg))).unwrap();
    let days_ago = |d: i64| chrono::Utc::now() - chrono::Duration::days(d);
    store.record(&Record::local(&idcheck::id::check(IDENTITIES[0].number)).at(days_ago(40))).unwrap();
    store.record(&Record::local(&idcheck::id::check(IDENTITIES[1].number)).at(days_ago(10))).unwrap();
    drop(store);

    std::fs::write(cfg.join("settings.json"), r#"{"retention_days": 30}"#).unwrap();
    let rows = history(&cfg, &[]);
    assert_eq!(rows.len(), 1, "the 40-day-old check is gone, the 10-day-old one kept: {rows:?}");
    assert_eq!(rows[0]["number_masked"], "110***********0038");

    std::fs::write(cfg.join("settings.json"), r#"{"retention_days": 5}"#).unwrap();
    let r = idcheck(&cfg, None, &["check", IDENTITIES[2].number], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let rows = history(&cfg, &[]);
    assert_eq!(rows.len(), 1, "only today's check is left: {rows:?}");
    assert_eq!(rows[0]["number_masked"], "310***********4523");
}

/// Local checks in the trail, each number of a chunk counted.
fn local_checks(cfg: &Path) -> u64 {
    history(cfg, &["--kind", "local"]).iter().map(|e| e["numbers"].as_u64().unwrap_or(1)).sum()
}

#[test]
fn an_interactive_stream_records_each_line_before_it_ends() {
    if !keychain_reachable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let mut child = Command::new(BIN)
        .arg("check")
        .env("IDCHECK_CONFIG_DIR", &cfg)
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let recorded_within = |count: u64| {
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_secs(10) {
            if cfg.join(idcheck::audit::DB_FILE).exists() && local_checks(&cfg) == count {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    };
    writeln!(stdin, "{}", stream_number(0)).unwrap();
    stdin.flush().unwrap();
    assert!(recorded_within(1), "the first line is recorded while the input stays open");
    // Lines right after a write: recorded once the input has been quiet for a moment, not
    // left waiting for the next line or the end.
    writeln!(stdin, "{}\n{}", stream_number(1), stream_number(2)).unwrap();
    stdin.flush().unwrap();
    assert!(recorded_within(3), "the next lines are recorded while the input stays open");
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(local_checks(&cfg), 3);
}

/// A desk in a team (the team key in the keychain, as `idcheck team join` leaves it): every
/// check the command records also waits in the outbox with the number's team hash.
#[test]
fn with_a_team_key_in_the_keychain_the_command_fills_the_outbox() {
    if !keychain_reachable() {
        return;
    }
    use idcheck::audit::{KeychainKey, TEAM_KEYCHAIN_ACCOUNT};
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let ns = idcheck::paths::Namespace::at(&cfg);
    let numbers: Vec<String> = (0..1_000).map(stream_number).collect();
    let input = numbers.join("\n") + "\n";

    // Not in a team: recorded, nothing waits, and no team key is made.
    let r = idcheck(&cfg, None, &["check"], Some(&input));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(KeychainKey::team(&ns).unwrap().is_none());
    let store = idcheck::audit::open_ns(&ns, 0).unwrap();
    assert_eq!(store.outbox_status().unwrap().pending, 0);
    assert_eq!(store.team_hash(&numbers[0]), None);
    drop(store);

    // Joined.
    let team = keyring::Entry::new(&ns.keychain_service, TEAM_KEYCHAIN_ACCOUNT).unwrap();
    team.set_password(&"5a".repeat(32)).unwrap();
    assert_eq!(KeychainKey::team(&ns).unwrap().map(|k| k.expose().clone()), Some(vec![0x5a; 32]));
    let r = idcheck(&cfg, None, &["check"], Some(&input));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = idcheck(&cfg, None, &["check", IDENTITIES[0].number], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let store = idcheck::audit::open_ns(&ns, 0).unwrap();
    assert_eq!(store.outbox_status().unwrap().pending, 1_001);
    let rows: Vec<idcheck::audit::OutRow> = store.pending(10_000).unwrap().into_iter().flat_map(|i| i.rows).collect();
    assert_eq!(rows.len(), 1_001);
    let hashes: std::collections::HashSet<String> = rows.iter().filter_map(|r| r.team_hash.clone()).collect();
    for n in numbers.iter().chain([&IDENTITIES[0].number.to_string()]) {
        assert!(hashes.contains(&store.team_hash(n).unwrap()), "{}", idcheck::mask::number(n));
    }
    assert_eq!(store.team_hash(&numbers[0]).unwrap().len(), 32);
    drop(store);

    // A damaged team key stops the trail with a message that says what to do.
    team.set_password("not hex").unwrap();
    let e = idcheck::audit::open_ns(&ns, 0).err().expect("refused");
    assert!(e.message().en.contains("team join") && e.message().zh.contains("团队"), "{}", e.message().en);
    team.delete_credential().unwrap();
    assert!(KeychainKey::team(&ns).unwrap().is_none());
}
