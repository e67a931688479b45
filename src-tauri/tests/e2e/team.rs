//! End to end: the team trail in the real window. An administrator sets up a team database
//! (a throw-away PostgreSQL cluster) and invites a desk through the core; in the window the
//! clerk joins with the desk's URL and the one-time code (Settings → 团队), records a check,
//! presses 立即上传, and finds it in 历史 → 团队 — masked, under the desk's name. The settings
//! file and the page hold no password or code; errors (not in a team, server down) are shown
//! in the clerk's language and what was typed stays.
//!
//! Needs PostgreSQL (scripts/setup.sh installs it): skipped without it, unless
//! IDCHECK_REQUIRE_POSTGRES=1 (scripts/test.sh sets it), when it fails instead.

use crate::harness::{App, Opts};
use idcheck::desk::{Desk, DeskConfig};
use idcheck::paths::Namespace;
use idcheck::team::Role;
use idcheck_fake::postgres::Cluster;
use std::time::{Duration, Instant};

const DB: &str = "postgres";
const DESK: &str = "front_e2e";
const NUMBER: &str = "110101199003070038";
const MASKED: &str = "110***********0038";

/// A throw-away cluster, or `None` (the test is skipped) when PostgreSQL is not installed.
fn cluster() -> Option<Cluster> {
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

/// `kind|number_masked` of every row the team database holds for the desk.
fn team_rows(pg: &Cluster) -> Vec<String> {
    let sql = format!("SELECT kind || '|' || coalesce(number_masked, '') FROM idcheck_checks WHERE desk = '{DESK}' ORDER BY seq");
    pg.psql(DB, &sql).unwrap().lines().map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_joins_the_team_pushes_a_check_and_finds_it_in_the_team_history() {
    let Some(pg) = cluster() else { return };
    // An empty IDCHECK_TEAM_URL: the team is the one the clerk sets in the window.
    let app = App::start(Opts { env: vec![("IDCHECK_TEAM_URL".into(), String::new())], ..Opts::default() }).await;

    // The administrator's machine (a namespace and keychain service of its own): the team
    // database, and an account and one-time code for this desk.
    let admin = Desk::open(DeskConfig::at(Namespace::at(app.scratch_path().join("admin")))).unwrap();
    admin.team_init(&pg.admin_url(DB)).await.unwrap();
    let invite = admin.team_add_desk(&pg.admin_url(DB), DESK, Role::Clerk, 1).await.unwrap();
    let code = invite.code.expose().to_string();
    let password = idcheck::team::invite::Code::parse(&code).unwrap().password.expose().to_string();

    // Not in a team yet: 历史 → 团队 says so in Chinese, keeps the number typed, and offers the
    // way to Settings → 团队.
    app.click("#nav-history").await;
    app.type_into("#h-number", NUMBER).await;
    app.click("#h-scope-team").await;
    app.wait_text("#history-error", "尚未设置团队数据库").await;
    assert_eq!(app.value("#h-number").await, NUMBER, "what was typed stays");
    assert!(app.visible("#h-desk").await && !app.visible("#h-export").await, "the team filter: desk, no CSV export");
    app.click("#history-goto-team").await;
    app.wait_visible("#team-url").await;
    app.wait_text("#team-status", "未加入团队").await;
    assert!(!app.enabled("#team-sync").await, "nothing to push before joining");

    // A code without the desk's URL is refused with the reason, and the code stays typed.
    app.type_into("#team-code", &code).await;
    app.click("#team-join").await;
    app.wait_text("#team-msg", "尚未设置团队数据库").await;
    assert_eq!(app.value("#team-code").await, code);

    // Settings → 团队: the desk's URL and the code, 加入团队.
    app.type_into("#team-url", &invite.url).await;
    app.click("#team-join").await;
    app.wait_text("#team-msg", "已加入团队").await;
    app.wait_text("#team-status", &format!("柜台 {DESK}")).await;
    assert_eq!(app.value("#team-code").await, "", "the code leaves the page once used");
    assert_eq!(app.value("#team-url").await, invite.url);
    let page = app.page_source().await;
    assert!(!page.contains(&code) && !page.contains(&password), "no code or password in the page");
    // The settings keep the URL without a password; the password and the team key are in the
    // keychain, never in a file.
    let settings = std::fs::read_to_string(app.config_dir_path().join("settings.json")).unwrap();
    assert!(settings.contains(&format!("{DESK}@127.0.0.1:{}", pg.port())), "{settings}");
    let on_disk = app.settings_file_text();
    for secret in [password.as_str(), code.as_str(), &code[5..15]] {
        assert!(!on_disk.contains(secret), "a password or code on disk in the config directory: {secret}");
    }

    // A check at the desk: a typed number, 记入历史.
    app.click("#nav-main").await;
    app.click("#f-number").await;
    app.type_into("#f-number", NUMBER).await;
    app.wait_enabled("#btn-record").await;
    app.click("#btn-record").await;
    app.wait_text("#record-msg", "已记入历史").await;

    // 立即上传 (the background sender may have pushed it already: either way it is there).
    app.click("#btn-settings").await;
    app.wait_enabled("#team-sync").await;
    app.click("#team-sync").await;
    app.wait_text("#team-msg", "上传完成").await;
    app.wait_text("#team-status", "没有等待上传的核验").await;
    app.wait_text("#team-last", "上次上传").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !team_rows(&pg).iter().any(|r| *r == format!("local|{MASKED}")) {
        assert!(Instant::now() < deadline, "the check is not in idcheck_checks for {DESK}: {:?}", team_rows(&pg));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!pg.dump(DB).unwrap().contains(NUMBER), "the full number is nowhere in the team database");
    // The picture shows the team section (and no tooltip of an earlier click).
    app.js("document.querySelector('#h-team').scrollIntoView({block: 'center'})", vec![]).await;
    app.click("#h-team").await;
    app.settled_shot("settings-team").await;

    // 历史 → 团队: the row, masked, under the desk's name, found by the full number.
    app.click("#nav-history").await;
    app.wait_js(&format!(
        "const r=[...document.querySelectorAll('#history-rows tr[data-desk]')]; \
         return r.length >= 1 && r.every(t => t.dataset.desk === '{DESK}' && t.textContent.includes('{MASKED}')) \
         && r.some(t => t.textContent.includes('本地校验'));"
    ))
    .await;
    let table = app.text("#history-rows").await;
    assert!(!table.contains(NUMBER), "nothing unmasked in the view: {table}");
    assert!(app.text("#history-table thead").await.contains("柜台"), "the desk column");
    assert!(app.text("#history-count").await.contains("团队记录"), "{}", app.text("#history-count").await);
    app.settled_shot("history-team").await;

    // The server goes away: the search says so and keeps the filter; 本机 still works.
    pg.stop().unwrap();
    app.click("#h-search").await;
    app.wait_text("#history-error", "无法连接团队数据库").await;
    assert_eq!(app.value("#h-number").await, NUMBER);
    app.settled_shot("history-team-unreachable").await;
    app.click("#h-scope-local").await;
    app.wait_js("return document.querySelector('#history-error-box').hidden && document.querySelectorAll('#history-rows tr[data-outcome]').length >= 1").await;

    // And a push now fails with the reason, in the clerk's language (English too).
    app.click("#btn-settings").await;
    app.wait_enabled("#team-sync").await;
    app.click("#team-sync").await;
    app.wait_text("#team-last", "上次上传失败：无法连接团队数据库").await;
    app.wait_js("return document.querySelector('#team-msg').hidden").await; // said once, not twice
    app.click("#lang-toggle").await;
    app.wait_text("#team-last", "The last push failed").await;
    app.wait_text("#team-status", &format!("In the team as desk {DESK}")).await;
    app.stop().await;
}
