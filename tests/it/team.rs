//! The team trail against a real PostgreSQL: Debian's server in a throw-away cluster
//! (`idcheck_fake::postgres`), desks with keychains of their own (a real Secret Service), and
//! the `idcheck team` commands.
//!
//! Needs PostgreSQL and a Secret Service; scripts/test.sh provides both and sets
//! IDCHECK_REQUIRE_POSTGRES=1 and IDCHECK_REQUIRE_KEYCHAIN=1, so a missing one fails there
//! instead of skipping.

use idcheck::audit::{Outcome, Record};
use idcheck::desk::{Desk, DeskConfig};
use idcheck::paths::Namespace;
use idcheck::providers::Verdict;
use idcheck::team::{Problem, Role, TeamFilter};
use idcheck_fake::postgres::Cluster;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

const BIN: &str = env!("CARGO_BIN_EXE_idcheck");
const DB: &str = "postgres";

fn ready() -> Option<Cluster> {
    let need_keychain = std::env::var("IDCHECK_REQUIRE_KEYCHAIN").as_deref() == Ok("1");
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(!need_keychain, "IDCHECK_REQUIRE_KEYCHAIN=1 but no D-Bus session");
        eprintln!("skipped: no D-Bus session (run inside dbus-run-session with gnome-keyring)");
        return None;
    }
    match Cluster::start() {
        Ok(Some(c)) => Some(c),
        Ok(None) => {
            assert!(std::env::var("IDCHECK_REQUIRE_POSTGRES").as_deref() != Ok("1"), "IDCHECK_REQUIRE_POSTGRES=1 but PostgreSQL is not installed");
            eprintln!("skipped: PostgreSQL is not installed (scripts/setup.sh installs it)");
            None
        }
        Err(e) => panic!("cannot start PostgreSQL: {e}"),
    }
}

/// A desk of its own: config directory, settings, trail and keychain service.
struct Site {
    _dir: tempfile::TempDir,
    desk: Arc<Desk>,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(DeskConfig::at(Namespace::at(dir.path()))).unwrap();
        Site { _dir: dir, desk }
    }
    fn dir(&self) -> &Path {
        self._dir.path()
    }
    /// `n` two-factor checks of distinct holders, numbered from `from`.
    fn record(&self, from: usize, n: usize) {
        let records: Vec<Record> = (from..from + n).map(|i| Record::two_factor("apizero", &name(i), &number(i), &Ok(Verdict::Match)).consent(true)).collect();
        self.desk.record_now(records).unwrap();
    }
}

fn number(i: usize) -> String {
    format!("110105194912{:06}", 310_000 + i)
}

fn name(i: usize) -> String {
    const GIVEN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    format!("欧阳{}{}", GIVEN[i % 10], GIVEN[(i / 10) % 10])
}

fn idcheck(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut c = Command::new(BIN)
        .args(args)
        .env("IDCHECK_CONFIG_DIR", dir)
        .env_remove("IDCHECK_TEAM_URL")
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let o = c.wait_with_output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// The administrator's site with the team database set up, and desks joined to it.
async fn team(pg: &Cluster, desks: &[(&str, Role)]) -> (Site, Vec<Site>) {
    let admin = Site::new();
    admin.desk.team_init(&pg.admin_url(DB)).await.unwrap();
    let mut sites = Vec::new();
    for (name, role) in desks {
        let inv = admin.desk.team_add_desk(&pg.admin_url(DB), name, *role, 1).await.unwrap();
        let site = Site::new();
        site.desk.team_join(Some(&inv.url), inv.code.expose()).await.unwrap();
        sites.push(site);
    }
    (admin, sites)
}

fn count(pg: &Cluster, sql: &str) -> i64 {
    pg.psql(DB, sql).unwrap().trim().parse().unwrap()
}

/// The whole path from a shell: init, add a desk, join with the code on stdin, record, status,
/// sync, search, verify. A code works once.
#[test]
fn a_desk_joins_records_and_pushes_from_the_command_line() {
    let Some(pg) = ready() else { return };
    let admin = tempfile::tempdir().unwrap();
    let owner = format!("postgres://postgres@127.0.0.1:{}/{DB}", pg.port());
    let (code, out, err) = idcheck(admin.path(), &["team", "init", "--admin-url", &owner], &format!("{}\n", idcheck_fake::postgres::SUPERUSER_PASSWORD));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("team key was made"), "{out}");
    let (code, out, err) = idcheck(admin.path(), &["team", "add-desk", "front_1", "--admin-url", &pg.admin_url(DB), "--json"], "");
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (url, join_code) = (v["url"].as_str().unwrap().to_string(), v["code"].as_str().unwrap().to_string());
    assert_eq!(url, format!("postgres://front_1@127.0.0.1:{}/{DB}", pg.port()), "no password in the desk URL");

    let desk = tempfile::tempdir().unwrap();
    let (code, out, err) = idcheck(desk.path(), &["team", "join", "--url", &url], &format!("{join_code}\n"));
    assert_eq!(code, 0, "{out}{err}");
    // The settings keep the URL; the password and the key are in the keychain, not the file.
    let settings = std::fs::read_to_string(desk.path().join("settings.json")).unwrap();
    assert!(settings.contains("front_1@127.0.0.1") && !settings.contains(&join_code[5..15]), "{settings}");
    // The code was used up.
    let other = tempfile::tempdir().unwrap();
    let (code, _, err) = idcheck(other.path(), &["team", "join", "--url", &url], &format!("{join_code}\n"));
    assert_eq!(code, 2);
    assert!(err.contains("already used"), "{err}");

    let (code, out, err) = idcheck(desk.path(), &["check", number(1).as_str(), "11010519491231002X"], "");
    assert!(code <= 1, "{out}{err}");
    let (code, out, _) = idcheck(desk.path(), &["team", "status", "--json"], "");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"]["outbox"]["pending"], 2, "{out}");
    assert!(v["status"]["outbox"]["oldest"].is_string(), "{out}");

    let (code, out, err) = idcheck(desk.path(), &["team", "sync", "--json"], "");
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["sync"]["pushed"].as_u64(), v["sync"]["left"].as_u64()), (Some(2), Some(0)), "{out}");
    assert_eq!(count(&pg, "SELECT count(*) FROM idcheck_checks WHERE desk = 'front_1'"), 2);
    let (code, out, _) = idcheck(desk.path(), &["team", "status"], "");
    assert_eq!(code, 0);
    assert!(out.contains("Nothing waits"), "{out}");

    let (code, out, err) = idcheck(desk.path(), &["history", "--team", "--number", "11010519491231002X", "--json"], "");
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(lines[0]["desk"], "front_1");
    assert_eq!(lines[0]["number_masked"], "110***********002X");

    let (code, out, err) = idcheck(desk.path(), &["team", "verify"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("front_1: 2 rows, chain intact"), "{out}");
}

/// Two desks record and push at once (and one of them from two processes at once): every
/// check lands exactly once, each desk's chain is whole, and a number is found across desks.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_desks_writing_at_once_land_every_check_once() {
    let Some(pg) = ready() else { return };
    let (_admin, sites) = team(&pg, &[("desk_a", Role::Clerk), ("desk_b", Role::Reviewer)]).await;
    let sites: Vec<Arc<Site>> = sites.into_iter().map(Arc::new).collect();
    let mut tasks = Vec::new();
    for (k, site) in sites.iter().enumerate() {
        for round in 0..5 {
            let site = site.clone();
            tasks.push(tokio::spawn(async move {
                let s = site.clone();
                tokio::task::spawn_blocking(move || s.record(k * 10_000 + round * 300, 300)).await.unwrap();
                site.desk.team_sync().await.unwrap();
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    for site in &sites {
        let r = site.desk.team_sync().await.unwrap();
        assert_eq!(r.left, 0);
    }
    for desk in ["desk_a", "desk_b"] {
        assert_eq!(count(&pg, &format!("SELECT count(*) FROM idcheck_checks WHERE desk = '{desk}'")), 1500);
        assert_eq!(count(&pg, &format!("SELECT max(seq) FROM idcheck_checks WHERE desk = '{desk}'")), 1500);
    }
    // Desk b is a reviewer: it finds the holder desk a checked (same team key on both desks).
    let f = TeamFilter { number: Some(idcheck::secret::Sensitive::new(number(7))), ..Default::default() };
    let found = sites[1].desk.team_history(&f).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].desk.as_str(), found[0].name_masked.as_deref()), ("desk_a", Some("欧*")));
    // Desk a is a clerk: the same search over desk b's holder finds nothing it may read.
    let f = TeamFilter { number: Some(idcheck::secret::Sensitive::new(number(10_007))), ..Default::default() };
    assert!(sites[0].desk.team_history(&f).await.unwrap().is_empty());
    assert_eq!(sites[1].desk.team_history(&f).await.unwrap().len(), 1);
    let report = sites[1].desk.team_verify().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.rows(), 3000);
}

/// The server goes away in the middle of a run and comes back: checks go on locally, the
/// push fails and says so, and after `team sync` every check is there exactly once — also
/// those whose push had committed before the local outbox could mark them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_stopped_mid_run_then_sync_leaves_every_check_there_once() {
    let Some(pg) = ready() else { return };
    let (_admin, sites) = team(&pg, &[("desk_c", Role::Clerk)]).await;
    let site = &sites[0];
    site.record(0, 400);
    assert_eq!(site.desk.team_sync().await.unwrap().pushed, 400);
    site.record(400, 400);
    pg.stop().unwrap();
    let e = site.desk.team_sync().await.unwrap_err();
    assert_eq!(e.kind, "team_unreachable", "{e:?}");
    assert!(e.message.en.contains("kept on this desk"), "{e}");
    site.record(800, 400);
    let status = site.desk.team_status().unwrap();
    assert_eq!(status.outbox.unwrap().pending, 800);
    assert!(status.last_error.is_some());
    pg.start_server().unwrap();
    // A push whose commit landed but whose answer was lost: rows pushed, then marked pending
    // again in the outbox (as if the desk had crashed before marking them).
    let first = site.desk.team_sync().await.unwrap();
    assert_eq!((first.pushed, first.left), (800, 0));
    let db = site.dir().join(idcheck::audit::DB_FILE);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let reset = conn.execute("UPDATE checks SET pushed = 0 WHERE pushed = 1", []).unwrap();
    assert_eq!(reset, 1200);
    drop(conn);
    site.record(1200, 10);
    let (code, out, err) = idcheck(site.dir(), &["team", "sync", "--json"], "");
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["sync"]["pushed"].as_u64(), v["sync"]["already"].as_u64(), v["sync"]["left"].as_u64()), (Some(10), Some(1200), Some(0)), "{out}");
    assert_eq!(count(&pg, "SELECT count(*) FROM idcheck_checks"), 1210);
    assert_eq!(count(&pg, "SELECT count(DISTINCT number_hash) FROM idcheck_checks"), 1210);
    assert_eq!(count(&pg, "SELECT max(seq) FROM idcheck_checks WHERE desk = 'desk_c'"), 1210);
    assert!(site.desk.team_verify().await.unwrap().ok());
}

/// PostgreSQL, not the app, keeps a clerk to its own rows and everybody from changing any.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_cannot_read_another_desks_rows_nor_change_any() {
    let Some(pg) = ready() else { return };
    let (_admin, sites) = team(&pg, &[("desk_d", Role::Clerk), ("desk_e", Role::Clerk)]).await;
    for (i, s) in sites.iter().enumerate() {
        s.record(i * 100, 5);
        s.desk.team_sync().await.unwrap();
    }
    let ns = sites[0].desk.namespace();
    let pw = idcheck::team::password(ns).unwrap().unwrap();
    let url = pg.url("desk_d", pw.expose(), DB);
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let seen: i64 = client.query_one("SELECT count(*) FROM idcheck_checks", &[]).await.unwrap().get(0);
    assert_eq!(seen, 5, "a clerk sees only its own desk's rows");
    for sql in [
        "DELETE FROM idcheck_checks",
        "UPDATE idcheck_checks SET outcome = 'mismatch'",
        "TRUNCATE idcheck_checks",
        "SELECT * FROM idcheck_invites",
        "INSERT INTO idcheck_checks (uid, desk, seq, at_ms, kind, provider, outcome, consent, prev_hash, row_hash) VALUES ('\\x01', 'desk_e', 99, 0, 'local', 'local', 'valid', false, '\\x00', '\\x00')",
    ] {
        let e = client.batch_execute(sql).await.unwrap_err();
        let code = e.as_db_error().map(|d| d.code().code().to_string()).unwrap_or_default();
        assert_eq!(code, "42501", "{sql}: {e:?}");
    }
    // Not even the owner may change a row: the trigger refuses.
    let e = pg.psql(DB, "UPDATE idcheck_checks SET outcome = 'mismatch' WHERE seq = 1").unwrap_err();
    assert!(e.contains("append-only"), "{e}");
    let e = pg.psql(DB, "DELETE FROM idcheck_checks").unwrap_err();
    assert!(e.contains("append-only"), "{e}");
    assert_eq!(count(&pg, "SELECT count(*) FROM idcheck_checks"), 10);
}

/// Someone with the database's keys edits and deletes rows anyway: `team verify` names them.
/// And `pg_dump` of the whole database holds no full number, name or key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_row_is_caught_and_no_full_number_or_name_is_in_a_dump() {
    let Some(pg) = ready() else { return };
    let (admin, sites) = team(&pg, &[("desk_f", Role::Reviewer)]).await;
    let site = &sites[0];
    site.record(0, 20);
    let mut numbers: Vec<String> = (0..20).map(number).collect();
    let mut names: Vec<String> = (0..20).map(name).collect();
    // A vendor error that echoes the number back is recorded scrubbed.
    let err = idcheck::providers::ProviderError {
        provider: "apizero",
        kind: idcheck::providers::ErrorKind::Upstream,
        message: idcheck::i18n::Msg::new(format!("号码 {} 与 {} 不符", number(99), name(99)), format!("{} does not match", number(99))),
        vendor_code: Some("9".into()),
        request_id: Some("req-1".into()),
        http_status: Some(200),
        maybe_billed: true,
    };
    site.desk.record_now(vec![Record::two_factor("apizero", &name(99), &number(99), &Err(err))]).unwrap();
    numbers.push(number(99));
    names.push(name(99));
    assert_eq!(site.desk.team_sync().await.unwrap().pushed, 21);

    let dump = pg.dump(DB).unwrap();
    assert!(dump.contains("110***********"), "the dump holds the masked numbers");
    for n in &numbers {
        assert!(!dump.contains(n.as_str()), "full number in pg_dump");
        assert!(!dump.contains(&n[6..14]), "birth date of a number in pg_dump");
    }
    for n in &names {
        assert!(!dump.contains(n.as_str()), "full name in pg_dump");
    }
    for ns in [admin.desk.namespace(), site.desk.namespace()] {
        let key = idcheck::team::team_key(ns).unwrap().unwrap();
        assert!(!dump.contains(&hex_of(key.expose())), "the team key in pg_dump");
    }
    assert_eq!(count(&pg, "SELECT count(*) FROM idcheck_invites WHERE wrapped_key IS NOT NULL"), 0, "a redeemed code keeps no key");

    assert!(site.desk.team_verify().await.unwrap().ok());
    pg.psql(
        DB,
        "ALTER TABLE idcheck_checks DISABLE TRIGGER USER; \
         UPDATE idcheck_checks SET outcome = 'mismatch' WHERE seq = 3; \
         DELETE FROM idcheck_checks WHERE seq IN (7, 8); \
         ALTER TABLE idcheck_checks ENABLE TRIGGER USER;",
    )
    .unwrap();
    let report = site.desk.team_verify().await.unwrap();
    assert!(!report.ok());
    assert_eq!(report.desks[0].problems, vec![Problem::Altered { seq: 3 }, Problem::Missing { from: 7, to: 8 }, Problem::Unlinked { seq: 9 }]);
    let (code, out, _) = idcheck(site.dir(), &["team", "verify"], "");
    assert_eq!(code, 1);
    assert!(out.contains("row 3 was changed") && out.contains("rows 7-8 are missing"), "{out}");
    let _ = Outcome::Match;
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
