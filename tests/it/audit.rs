//! The audit trail: one row per kind of check, nothing unmasked on disk, queries, retention
//! and CSV export.

use chrono::{Duration, Utc};
use idcheck::audit::{Filter, Kind, Outcome, Record, StaticKey, Store};
use idcheck::card::CardFields;
use idcheck::i18n::Msg;
use idcheck::providers::{ErrorKind, ProviderError, Verdict};
use idcheck::secret::Sensitive;

const NUMBER: &str = "11010519491231002X";
const OTHER: &str = "110105194912310028";
const NAME: &str = "欧阳娜娜";

fn store(dir: &std::path::Path) -> Store {
    Store::open(dir, &StaticKey::new(vec![7u8; 32])).unwrap()
}

fn quota_error() -> ProviderError {
    ProviderError::new("apizero", ErrorKind::Quota)
        // A vendor that echoes the input back: the trail must not keep it.
        .with_message(Msg::new(format!("余额不足（{NUMBER} {NAME}）"), "Balance exhausted"))
        .with_code("4022")
        .with_request_id(Some("req-abc-123".into()))
        .with_status(200)
}

/// Writes one record of every kind and returns the store.
fn record_all(s: &Store) {
    s.record(&Record::local(&idcheck::id::check(NUMBER)).operator(Some("王审核"))).unwrap();
    let fields = CardFields { name: Some(NAME.into()), number: Some(NUMBER.into()), ..Default::default() };
    s.record(&Record::ocr("embedded", &Ok(fields))).unwrap();
    s.record(&Record::region("local", NUMBER, &Ok(true))).unwrap();
    s.record(&Record::two_factor("apizero", NAME, NUMBER, &Ok(Verdict::Match)).consent(true)).unwrap();
    s.record(&Record::two_factor("nowapi", NAME, OTHER, &Err(quota_error())).consent(true)).unwrap();
}

#[test]
fn one_row_per_kind_of_check_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    record_all(&s);
    let all = s.query(&Filter::default()).unwrap();
    assert_eq!(all.len(), 5);
    let kinds: Vec<Kind> = all.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [Kind::TwoFactor, Kind::TwoFactor, Kind::Region, Kind::Ocr, Kind::Local]);

    let local = &all[4];
    assert_eq!(local.outcome, Outcome::Valid);
    assert_eq!(local.number_masked.as_deref(), Some("110***********002X"));
    assert_eq!(local.operator.as_deref(), Some("王审核"));
    assert!(!local.consent);

    let ocr = &all[3];
    assert_eq!((ocr.provider.as_str(), ocr.outcome), ("embedded", Outcome::Read));
    assert_eq!(ocr.name_masked.as_deref(), Some("欧*"));

    assert_eq!(all[2].outcome, Outcome::Found);

    let err = &all[0];
    assert_eq!((err.provider.as_str(), err.outcome), ("nowapi", Outcome::Error));
    assert!(err.consent);
    let e = err.error.as_ref().unwrap();
    assert_eq!(e.kind, "quota");
    assert_eq!(e.vendor_code.as_deref(), Some("4022"));
    assert_eq!(e.request_id.as_deref(), Some("req-abc-123"));
    assert_eq!(e.http_status, Some(200));
    assert!(e.message_zh.contains("110***********002X") && e.message_zh.contains("欧*"), "{}", e.message_zh);

    let ok = &all[1];
    assert_eq!(ok.outcome, Outcome::Match);
    assert!(ok.error.is_none());
}

#[test]
fn invalid_local_check_is_recorded_as_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    s.record(&Record::local(&idcheck::id::check("110105194912310021"))).unwrap();
    let e = s.query(&Filter::default()).unwrap();
    assert_eq!(e[0].outcome, Outcome::Invalid);
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn database_and_wal_hold_nothing_unmasked() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    record_all(&s);
    let mut scanned = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let p = entry.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        scanned += bytes.len();
        for needle in [NUMBER, OTHER, &NUMBER.to_ascii_lowercase(), NAME, "1949123100"] {
            assert!(!contains(&bytes, needle.as_bytes()), "{} holds {needle:?}", p.display());
        }
    }
    // The WAL is where fresh writes live before a checkpoint: it must have been scanned.
    assert!(dir.path().join("audit.sqlite3-wal").exists());
    #[cfg(unix)]
    for f in ["audit.sqlite3", "audit.sqlite3-wal"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f} is readable by the owner only");
    }
    assert!(scanned > 0);
    s.checkpoint().unwrap();
    let bytes = std::fs::read(dir.path().join("audit.sqlite3")).unwrap();
    assert!(!contains(&bytes, NUMBER.as_bytes()) && !contains(&bytes, NAME.as_bytes()));
    assert!(contains(&bytes, "110***********002X".as_bytes()), "the masked number is stored");
}

#[test]
fn search_by_full_number_date_outcome_and_provider() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    record_all(&s);
    let old = Utc::now() - Duration::days(10);
    s.record(&Record::two_factor("apizero", NAME, NUMBER, &Ok(Verdict::Mismatch)).at(old)).unwrap();

    let by_number = |n: &str| s.query(&Filter { number: Some(Sensitive::new(n.into())), ..Default::default() }).unwrap();
    assert_eq!(by_number(NUMBER).len(), 5);
    assert_eq!(by_number(&NUMBER.to_ascii_lowercase()).len(), 5, "lower-case x finds the same number");
    assert_eq!(by_number(OTHER).len(), 1);
    assert_eq!(by_number("110105194912310036").len(), 0);

    let since = s.query(&Filter { since: Some(Utc::now() - Duration::days(1)), ..Default::default() }).unwrap();
    assert_eq!(since.len(), 5);
    let until = s.query(&Filter { until: Some(Utc::now() - Duration::days(1)), ..Default::default() }).unwrap();
    assert_eq!(until.len(), 1);
    assert_eq!(until[0].outcome, Outcome::Mismatch);

    let f = Filter { outcome: Some(Outcome::Match), ..Default::default() };
    assert_eq!(s.query(&f).unwrap().len(), 1);
    let f = Filter { provider: Some("apizero".into()), ..Default::default() };
    assert_eq!(s.query(&f).unwrap().len(), 2);
    assert_eq!(s.count(&Filter::default()).unwrap(), 6);
    let page = s.query(&Filter { limit: Some(2), offset: 1, ..Default::default() }).unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].kind, Kind::TwoFactor);
    assert_eq!(page[1].kind, Kind::Region);
}

#[test]
fn a_different_install_key_cannot_find_the_number() {
    let dir = tempfile::tempdir().unwrap();
    record_all(&store(dir.path()));
    let other = Store::open(dir.path(), &StaticKey::new(vec![8u8; 32])).unwrap();
    let f = Filter { number: Some(Sensitive::new(NUMBER.into())), ..Default::default() };
    assert_eq!(other.query(&f).unwrap().len(), 0);
}

#[test]
fn retention_purges_older_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    s.record(&Record::local(&idcheck::id::check(NUMBER)).at(Utc::now() - Duration::days(200))).unwrap();
    s.record(&Record::local(&idcheck::id::check(OTHER)).at(Utc::now() - Duration::days(179))).unwrap();
    s.record(&Record::local(&idcheck::id::check(OTHER))).unwrap();
    assert_eq!(s.purge_older_than(idcheck::audit::DEFAULT_RETENTION_DAYS).unwrap(), 1);
    let left = s.query(&Filter::default()).unwrap();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|e| e.number_masked.as_deref() == Some("110***********0028")));
    assert_eq!(s.purge_older_than(0).unwrap(), 0, "0 keeps everything");
    assert_eq!(s.purge_older_than(1).unwrap(), 1);
}

#[test]
fn reopening_keeps_records_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    record_all(&store(dir.path()));
    let s = store(dir.path());
    assert_eq!(s.count(&Filter::default()).unwrap(), 5);
}

#[test]
fn csv_export_has_bom_header_and_masked_rows() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    record_all(&s);
    let mut buf = Vec::new();
    idcheck::audit::write_csv(&mut buf, &s.query(&Filter::default()).unwrap()).unwrap();
    assert!(buf.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(buf[3..].to_vec()).unwrap();
    assert!(!text.contains(NUMBER) && !text.contains(NAME));
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    assert!(rd.headers().unwrap().iter().next().unwrap().starts_with("时间"));
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][4], "110***********0028");
    assert_eq!(&rows[0][7], "4022");
    assert_eq!(&rows[1][3], "欧*");
    assert!(rows[1][5].contains("一致"));
}

/// The key kept in the real keychain (Secret Service). Runs where a session bus with a
/// secret service exists: `dbus-run-session -- sh -c 'echo | gnome-keyring-daemon --unlock; cargo test'`.
#[test]
fn keychain_key_is_created_once_and_reused() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no D-Bus session (run inside dbus-run-session with gnome-keyring)");
        return;
    }
    use idcheck::audit::{KeySource, KeychainKey};
    let account = format!("audit-hash-key-test-{}", std::process::id());
    let k = KeychainKey { service: "idcheck-test".into(), account: account.clone() };
    let a = k.key().unwrap();
    let b = k.key().unwrap();
    assert_eq!(a.expose(), b.expose());
    assert_eq!(a.expose().len(), 32);
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &k).unwrap();
    s.record(&Record::local(&idcheck::id::check(NUMBER))).unwrap();
    let f = Filter { number: Some(Sensitive::new(NUMBER.into())), ..Default::default() };
    assert_eq!(Store::open(dir.path(), &k).unwrap().query(&f).unwrap().len(), 1);
    keyring::Entry::new("idcheck-test", &account).unwrap().delete_credential().unwrap();
}

/// `idcheck history` reads the trail written with the keychain key: search by full number,
/// JSON lines, CSV export. Needs a Secret Service (see the keychain test above).
#[test]
fn history_command_finds_checks_by_number() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no D-Bus session (run inside dbus-run-session with gnome-keyring)");
        return;
    }
    use idcheck::audit::KeychainKey;
    let dir = tempfile::tempdir().unwrap();
    // The command below runs with this config directory, and the keychain service (so the
    // audit key) follows it; write the trail in the same namespace, away from the user's keys.
    let s = Store::open(dir.path(), &KeychainKey::of(&idcheck::paths::Namespace::at(dir.path()))).unwrap();
    record_all(&s);
    drop(s);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_idcheck")).args(args).env("IDCHECK_CONFIG_DIR", dir.path()).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, out, err) = run(&["history", "--json", "--number", &NUMBER.to_ascii_lowercase()]);
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l["number_masked"] == "110***********002X"));
    assert_eq!(lines[0]["kind"], "two_factor");
    assert!(!out.contains(NUMBER) && !out.contains(NAME));

    let (code, out, _) = run(&["--lang", "en", "history", "--outcome", "error"]);
    assert_eq!(code, Some(0));
    assert_eq!(out.lines().count(), 1);
    assert!(out.contains("code 4022") && out.contains("req-abc-123") && out.contains("consent"), "{out}");

    let csv = dir.path().join("h.csv");
    let (code, _, _) = run(&["history", "--since", "2020-01-01", "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(String::from_utf8(bytes).unwrap().lines().count(), 6);

    let (code, _, err) = run(&["history", "--since", "yesterday"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("YYYY-MM-DD"));
}
