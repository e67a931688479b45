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

// ---------- chunks of numbers (a stream) and the team outbox ----------

/// A full number from 17 digits.
fn with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// The `i`-th of many distinct valid numbers.
fn nth(i: usize) -> String {
    with_check(&format!("110101{}{:02}{:02}{:03}", 1950 + i % 50, 1 + (i / 50) % 12, 1 + (i / 600) % 28, (i / 16800) % 1000))
}

fn by_number(n: &str) -> Filter {
    Filter { number: Some(Sensitive::new(n.into())), ..Default::default() }
}

/// Records `numbers` as one chunk (valid unless listed in `invalid`).
fn write_chunk(s: &Store, numbers: &[String], invalid: &[usize]) -> usize {
    let mut c = s.chunk(Some("流水线"));
    for (i, n) in numbers.iter().enumerate() {
        assert!(c.push(n.as_bytes(), !invalid.contains(&i)));
    }
    s.write_chunk(&mut c).unwrap()
}

#[test]
fn a_chunk_lists_as_one_entry_and_each_number_in_it_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    s.record(&Record::two_factor("apizero", NAME, NUMBER, &Ok(Verdict::Match)).at(Utc::now() - Duration::seconds(5))).unwrap();
    let numbers: Vec<String> = (0..10_000).map(nth).collect();
    assert_eq!(write_chunk(&s, &numbers, &[7, 9_999]), 10_000);
    // 15-digit numbers and a copy of a number already in the first chunk.
    let more = vec!["110105491231002".to_string(), numbers[7].clone(), "11010519491231002X".to_string()];
    write_chunk(&s, &more, &[0, 1]);

    // Listed: the two chunks (newest first), then the row; each chunk one entry.
    let all = s.query(&Filter::default()).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(s.count(&Filter::default()).unwrap(), 3);
    assert_eq!((all[0].numbers, all[0].numbers_valid, all[0].outcome), (Some(3), Some(1), Outcome::Invalid));
    assert_eq!((all[1].numbers, all[1].numbers_valid, all[1].outcome), (Some(10_000), Some(9_998), Outcome::Invalid));
    assert!(all[..2].iter().all(|e| e.kind == Kind::Local && e.provider == "local" && e.number_masked.is_none()));
    assert_eq!(all[1].operator.as_deref(), Some("流水线"));
    assert_eq!((all[2].kind, all[2].numbers), (Kind::TwoFactor, None));
    let json = serde_json::to_value(&all[1]).unwrap();
    assert_eq!((json["numbers"].as_u64(), json["numbers_valid"].as_u64()), (Some(10_000), Some(9_998)));
    assert!(serde_json::to_value(&all[2]).unwrap()["numbers"].is_null());
    assert!(s.providers().unwrap().contains(&"local".to_string()));

    // Found by number: one entry per copy, with its masked form and its own outcome.
    let hits = s.query(&by_number(&numbers[123])).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].number_masked.as_deref(), Some(idcheck::mask::number(&numbers[123]).as_str()));
    assert_eq!((hits[0].outcome, hits[0].numbers, hits[0].kind), (Outcome::Valid, None, Kind::Local));
    assert_eq!(hits[0].operator.as_deref(), Some("流水线"));
    let twice = s.query(&by_number(&numbers[7])).unwrap();
    assert_eq!(twice.len(), 2, "in both chunks");
    assert!(twice.iter().all(|e| e.outcome == Outcome::Invalid));
    assert!(twice[0].at >= twice[1].at);
    let fifteen = s.query(&by_number(" 110105491231002 ")).unwrap();
    assert_eq!((fifteen.len(), fifteen[0].number_masked.as_deref()), (1, Some("110********1002")));
    // A number in a chunk and in a row, newest first across both; count agrees.
    let mine = s.query(&by_number(&NUMBER.to_ascii_lowercase())).unwrap();
    assert_eq!(mine.iter().map(|e| e.kind).collect::<Vec<_>>(), [Kind::Local, Kind::TwoFactor]);
    assert_eq!(s.count(&by_number(NUMBER)).unwrap(), 2);
    assert_eq!(s.query(&by_number(&nth(20_000))).unwrap().len(), 0);
    assert_eq!(s.query(&by_number("1101")).unwrap().len(), 0);

    // Filters apply to chunks: a chunk is kind local, provider local, no batch; by outcome it
    // matches when it holds a number of that outcome; a number's own outcome when searched.
    let count = |f: Filter| (s.query(&f).unwrap().len() as u64, s.count(&f).unwrap());
    assert_eq!(count(Filter { kind: Some(Kind::Local), ..Default::default() }), (2, 2));
    assert_eq!(count(Filter { kind: Some(Kind::TwoFactor), ..Default::default() }), (1, 1));
    assert_eq!(count(Filter { provider: Some("local".into()), ..Default::default() }), (2, 2));
    assert_eq!(count(Filter { provider: Some("apizero".into()), ..Default::default() }), (1, 1));
    assert_eq!(count(Filter { batch_id: Some("b".into()), ..Default::default() }), (0, 0));
    assert_eq!(count(Filter { outcome: Some(Outcome::Valid), ..Default::default() }), (2, 2));
    assert_eq!(count(Filter { outcome: Some(Outcome::Match), ..Default::default() }), (1, 1));
    assert_eq!(count(Filter { operator: Some("流水线".into()), ..Default::default() }), (2, 2));
    let f = |o| Filter { outcome: Some(o), ..by_number(&numbers[7]) };
    assert_eq!((count(f(Outcome::Invalid)), count(f(Outcome::Valid))), ((2, 2), (0, 0)));
    let f = Filter { kind: Some(Kind::TwoFactor), ..by_number(NUMBER) };
    assert_eq!(count(f), (1, 1));
    let f = Filter { until: Some(Utc::now() - Duration::seconds(2)), ..by_number(NUMBER) };
    assert_eq!(count(f), (1, 1), "the chunk is newer than the range");

    // Pages across both tables.
    let page = s.query(&Filter { limit: Some(2), offset: 1, ..Default::default() }).unwrap();
    assert_eq!(page.iter().map(|e| e.numbers).collect::<Vec<_>>(), [Some(10_000), None]);
    let page = s.query(&Filter { limit: Some(1), offset: 1, ..by_number(NUMBER) }).unwrap();
    assert_eq!(page.iter().map(|e| e.kind).collect::<Vec<_>>(), [Kind::TwoFactor]);

    // CSV: the chunk's row says how many numbers and how many passed.
    let mut buf = Vec::new();
    idcheck::audit::write_csv(&mut buf, &all).unwrap();
    let text = String::from_utf8(buf[3..].to_vec()).unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes()).records().map(Result::unwrap).collect();
    assert_eq!((&rows[1][14], &rows[1][15], &rows[1][4]), ("10000", "9998", ""));
    assert!(rows[1][5].contains("9,998 valid / 2 invalid") && rows[1][5].contains("通过 9,998"), "{}", &rows[1][5]);
    assert_eq!((&rows[2][14], &rows[2][15]), ("", ""));
}

#[test]
fn chunks_hold_no_full_number_and_are_purged_and_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let numbers: Vec<String> = (0..3_000).map(nth).collect();
    write_chunk(&s, &numbers, &[]);
    s.checkpoint().unwrap();
    let scan = |what: &[u8]| -> bool {
        std::fs::read_dir(dir.path()).unwrap().any(|e| {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            bytes.windows(what.len()).any(|w| w == what)
        })
    };
    for n in [&numbers[0], &numbers[1_500], &numbers[2_999]] {
        assert!(!scan(n.as_bytes()), "{n} is on disk");
        assert!(!scan(&n.as_bytes()[3..14]), "the hidden middle of {n} is on disk");
    }
    // What an entry keeps of a number: its outcome byte and its first 3 and last 4 characters.
    let n = &numbers[42];
    let visible: Vec<u8> = [&[0u8][..], &n.as_bytes()[..3], &n.as_bytes()[14..]].concat();
    assert!(scan(&visible), "the entry is in the database");

    // Retention by the chunk's time; the purged chunk's pages are overwritten (secure_delete).
    assert_eq!(s.purge_before_ms(Utc::now().timestamp_millis() - 60_000).unwrap(), 0, "a newer chunk is kept");
    assert_eq!(s.count(&Filter::default()).unwrap(), 1);
    assert_eq!(s.purge_before_ms(Utc::now().timestamp_millis() + 1).unwrap(), 3_000);
    assert_eq!(s.count(&Filter::default()).unwrap(), 0);
    assert_eq!(s.query(&by_number(n)).unwrap().len(), 0);
    s.checkpoint().unwrap();
    assert!(!scan(&visible), "the purged entry is overwritten");
}

#[test]
fn outside_a_team_nothing_waits_and_no_team_hash_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    record_all(&s);
    write_chunk(&s, &[nth(1), nth(2)], &[]);
    assert_eq!(s.team_hash(NUMBER), None);
    assert!(s.pending(100).unwrap().is_empty());
    assert_eq!(s.outbox_status().unwrap(), idcheck::audit::OutboxStatus { pending: 0, oldest: None });
    drop(s);
    let conn = rusqlite::Connection::open(dir.path().join(idcheck::audit::DB_FILE)).unwrap();
    let (hashes, pushed, uids): (i64, i64, i64) =
        conn.query_row("SELECT COUNT(team_hash), COUNT(pushed), COUNT(DISTINCT uid) FROM checks", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!((hashes, pushed, uids), (0, 0, 5), "every row has its own uid, none a team hash or outbox state");
    let (pushed, len): (Option<i64>, i64) = conn.query_row("SELECT pushed, entry_len FROM check_chunks", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((pushed, len), (None, idcheck::audit::ENTRY_LEN as i64));
}

#[test]
fn in_a_team_every_check_waits_in_the_outbox_until_pushed() {
    use idcheck::audit::{OutKey, TEAM_ENTRY_LEN};
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    // Recorded before joining: never pushed.
    s.record(&Record::local(&idcheck::id::check(OTHER))).unwrap();
    let team_key = Sensitive::new(vec![42u8; 32]);
    s.set_team_key(Some(team_key.clone()));
    let team_hash = |n: &str| idcheck::audit::key::keyed_hash(&team_key, n.trim().to_ascii_uppercase().as_bytes())[..32].to_string();
    assert_eq!(s.team_hash(" 11010519491231002x").as_deref(), Some(team_hash(NUMBER).as_str()));

    let t0 = Utc::now();
    s.record(&Record::two_factor("nowapi", NAME, NUMBER, &Err(quota_error())).consent(true).operator(Some("王审核")).at(t0 - Duration::seconds(30))).unwrap();
    s.record(&Record::ocr("embedded", &Err(ProviderError::new("embedded", ErrorKind::Timeout)))).unwrap();
    let numbers: Vec<String> = (0..5_000).map(nth).collect();
    write_chunk(&s, &numbers, &[3]);
    // Stamped a second later: rows at the chunk's own millisecond would go before it.
    let later = Utc::now() + Duration::seconds(1);
    s.record_many(&[Record::local(&idcheck::id::check(NUMBER)).at(later), Record::region("local", NUMBER, &Ok(true)).at(later)]).unwrap();

    let status = s.outbox_status().unwrap();
    assert_eq!(status.pending, 2 + 5_000 + 2, "each number of a chunk counted");
    assert_eq!(status.oldest.map(|t| t.timestamp_millis()), Some((t0 - Duration::seconds(30)).timestamp_millis()));

    // Oldest first; a chunk whole, so the total may pass the limit; at least one item.
    let items = s.pending(1).unwrap();
    assert_eq!(items.len(), 1);
    let first = &items[0];
    assert!(matches!(first.key, OutKey::Check(_)));
    let r = &first.rows[0];
    assert_eq!((r.kind, r.outcome, r.provider.as_str()), (Kind::TwoFactor, Outcome::Error, "nowapi"));
    assert_eq!((r.number_masked.as_deref(), r.name_masked.as_deref()), (Some("110***********002X"), Some("欧*")));
    assert_eq!(r.team_hash.as_deref(), Some(team_hash(NUMBER).as_str()));
    assert_eq!((r.vendor_code.as_deref(), r.request_id.as_deref()), (Some("4022"), Some("req-abc-123")));
    assert_eq!(r.error.as_ref().map(|e| e.kind.as_str()), Some("quota"));
    assert!(r.error.as_ref().unwrap().message_zh.contains("110***********002X"), "masked as in the trail");
    assert!(r.consent && r.operator.as_deref() == Some("王审核"));
    let all = s.pending(3).unwrap();
    assert_eq!(all.iter().map(|i| i.rows.len()).collect::<Vec<_>>(), [1, 1, 5_000], "stops once the limit is passed");
    assert_eq!(all[1].rows[0].team_hash, None, "no number, no team hash");
    assert_eq!(s.pending(100_000).unwrap().len(), 5, "everything: four rows and the chunk");

    // The chunk's rows: one per number, its masked form, outcome and team hash; uids from the
    // chunk's and the index, the same on every read.
    let chunk = &all[2];
    assert!(matches!(chunk.key, OutKey::Chunk(_)));
    let again = s.pending(3).unwrap();
    assert_eq!(again, all, "the same items and uids on every read");
    let uids: std::collections::HashSet<[u8; 16]> = chunk.rows.iter().map(|r| r.uid).collect();
    assert_eq!(uids.len(), 5_000);
    assert!(chunk.rows.iter().enumerate().all(|(i, r)| r.uid[..12] == chunk.rows[0].uid[..12] && r.uid[12..] == (i as u32).to_be_bytes()));
    for (i, n) in numbers.iter().enumerate().step_by(499) {
        let row = chunk.rows.iter().find(|r| r.team_hash.as_deref() == Some(team_hash(n).as_str())).expect("every number's row");
        assert_eq!(row.number_masked.as_deref(), Some(idcheck::mask::number(n).as_str()));
        assert_eq!(row.outcome, if i == 3 { Outcome::Invalid } else { Outcome::Valid });
        assert_eq!((row.kind, row.provider.as_str(), row.operator.as_deref()), (Kind::Local, "local", Some("流水线")));
    }

    // Marked pushed: gone from the outbox, still in the trail.
    s.mark_pushed(&all.iter().map(|i| i.key).collect::<Vec<_>>()).unwrap();
    let rest = s.pending(100_000).unwrap();
    assert_eq!(rest.iter().map(|i| i.rows.len()).sum::<usize>(), 2);
    assert_eq!(s.outbox_status().unwrap().pending, 2);
    s.mark_pushed(&rest.iter().map(|i| i.key).collect::<Vec<_>>()).unwrap();
    s.mark_pushed(&rest.iter().map(|i| i.key).collect::<Vec<_>>()).unwrap();
    assert!(s.pending(100).unwrap().is_empty());
    assert_eq!(s.outbox_status().unwrap(), idcheck::audit::OutboxStatus { pending: 0, oldest: None });
    assert_eq!(s.count(&Filter::default()).unwrap(), 6);

    // The local search still uses the install key; the team hash is stored beside it.
    assert_eq!(s.query(&by_number(&numbers[3])).unwrap()[0].outcome, Outcome::Invalid);
    let (len,): (i64,) = s_conn(dir.path()).query_row("SELECT entry_len FROM check_chunks", [], |r| Ok((r.get(0)?,))).unwrap();
    assert_eq!(len, TEAM_ENTRY_LEN as i64);

    // Leaving the team: new checks are local only.
    s.set_team_key(None);
    s.record(&Record::local(&idcheck::id::check(OTHER))).unwrap();
    assert!(s.pending(100).unwrap().is_empty());
}

fn s_conn(dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(idcheck::audit::DB_FILE)).unwrap()
}
