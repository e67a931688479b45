//! End-to-end tests of the reviewers' views in the real window: 批量 (a batch from a folder of
//! photos, live progress, exports) and 历史 (the audit trail written by the window's own
//! checks: filters, search by a full number, CSV export), plus the operator from Settings.
//!
//! Same set-up as `e2e.rs` (see there and `scripts/test.sh`): the built app under a virtual
//! display, the vendor fakes over real HTTP, the real Secret Service (the audit key lives
//! there). Native save dialogs cannot be driven, so exports go to `IDCHECK_TEST_SAVE_PATH`.

use crate::harness;

use harness::{App, Opts};
use idcheck_fake::{Endpoint, IDENTITIES};
use std::path::{Path, PathBuf};
use std::time::Duration;

const MATCH_NAME: &str = "李四";
const MATCH_NUMBER: &str = "110101199003070038";
const MASKED: &str = "110***********0038";
const OPERATOR: &str = "前台一号";

/// A directory the app saves its exports into.
fn save_dir(tag: &str) -> PathBuf {
    let d = harness::repo_root().join("test-output/e2e").join(format!("exports-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The fakes' keys, exports into `save`, and photos read by the apizero fake (李四): chosen
/// explicitly, since photos stay on this machine unless the clerk chooses otherwise.
fn opts(save: &Path) -> Opts {
    Opts { env_keys: true, ocr: Some("apizero"), env: vec![("IDCHECK_TEST_SAVE_PATH".into(), save.display().to_string())], ..Opts::default() }
}

/// The one file in `dir` whose name starts with `prefix` and ends with `ext`.
fn exported(dir: &Path, prefix: &str, ext: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(prefix) && n.ends_with(ext)
        })
        .collect();
    assert_eq!(found.len(), 1, "one {prefix}*{ext} in {}: {found:?}", dir.display());
    found[0].clone()
}

/// A CSV export: BOM, then header and rows.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let mut rd = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
    rd.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_from_a_folder_shows_progress_results_and_exports() {
    let save = save_dir("batch");
    let app = App::start(opts(&save)).await;
    // A folder of photos: two card fronts (the fake OCR reads 李四 from any JPEG) and a file
    // that only pretends to be a photo.
    let photos = app.scratch_path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    std::fs::copy(harness::front_photo(), photos.join("a-front.jpg")).unwrap();
    std::fs::copy(harness::repo_root().join("tests/data/cards/clean-front.jpg"), photos.join("b-front.jpg")).unwrap();
    std::fs::write(photos.join("c-scan.jpg"), b"not a photo at all").unwrap();

    app.click("#nav-batch").await;
    app.wait_visible("#batch-path").await;
    app.type_into("#batch-path", photos.to_str().unwrap()).await;
    app.click("#batch-load").await;
    app.wait_js_for("return !document.querySelector('#batch-plan').hidden", Duration::from_secs(60)).await;
    let summary = app.text("#batch-summary").await;
    assert!(summary.contains("共 3 行") && summary.contains("待核验 1 行") && summary.contains("本地校验不通过 1 行"), "{summary}");
    // Validated and read, nothing paid yet; the unreadable file is reported, never sent.
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 0);
    assert_eq!(app.fakes.calls(Endpoint::ApizeroOcr), 2);
    let invalid = app.text("#batch-rows tr[data-status='invalid']").await;
    assert!(invalid.contains("c-scan.jpg") && invalid.contains("图"), "the unreadable photo and why: {invalid}");

    // One consent for the batch.
    assert!(!app.enabled("#batch-run").await, "no run before consent");
    app.click("#batch-consent").await;
    app.wait_enabled("#batch-run").await;
    app.click("#batch-run").await;
    app.wait_js("return !document.querySelector('#batch-progress').hidden").await;
    app.wait_js_for("return !document.querySelector('#batch-done').hidden", Duration::from_secs(60)).await;
    let progress = app.text("#batch-progress-text").await;
    // The second photo repeats the first (same name and number): one call, not two.
    assert!(progress.contains("1/1"), "progress reached the end: {progress}");
    let bar = app.js("const b=document.querySelector('#batch-bar'); return [b.value, b.max]", vec![]).await;
    assert_eq!((bar[0].as_f64(), bar[1].as_f64()), (Some(1.0), Some(1.0)), "the bar is full");
    assert!(app.text("#batch-done").await.contains("一致 2"), "{}", app.text("#batch-done").await);
    assert_eq!(app.js("return document.querySelectorAll(\"#batch-rows tr[data-status='done']\").length", vec![]).await, 2);
    // The same holder twice is paid once (the second row takes the first's answer).
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 1);
    let table = app.text("#batch-rows").await;
    assert!(table.contains(MASKED) && table.contains("李*") && !table.contains(MATCH_NUMBER), "masked in the window: {table}");
    app.settled_shot("batch-finished").await;

    // CSV, masked by default.
    app.click("#batch-export-csv").await;
    app.wait_text("#batch-export-msg", "idcheck-batch-").await;
    let rows = read_csv(&exported(&save, "idcheck-batch-", ".csv"));
    assert_eq!(rows.len(), 4, "header + 3 rows: {rows:?}");
    assert!(rows[0][3].contains("身份证号"));
    for r in &rows[1..3] {
        assert_eq!((r[2].as_str(), r[3].as_str()), ("李*", MASKED));
        assert!(r[5].contains("一致"), "{r:?}");
    }
    assert!(rows[3][4].contains("本地校验不通过"), "{:?}", rows[3]);
    let text = std::fs::read_to_string(exported(&save, "idcheck-batch-", ".csv")).unwrap();
    assert!(!text.contains(MATCH_NUMBER) && !text.contains(MATCH_NAME));

    // XLSX with full values, only because the reviewer ticked it.
    app.click("#batch-reveal").await;
    app.click("#batch-export-xlsx").await;
    app.wait_text("#batch-export-msg", ".xlsx").await;
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(exported(&save, "idcheck-batch-", "-full.xlsx")).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), 4);
    let cell = |r: usize, c: usize| range.get((r, c)).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!((cell(1, 2).as_str(), cell(1, 3).as_str()), (MATCH_NAME, MATCH_NUMBER));
    assert!(cell(2, 5).contains("一致"));

    // The batch is in the audit trail too: two-factor rows carry its consent.
    app.click("#nav-history").await;
    app.select("#h-kind", "two_factor").await;
    app.wait_js("return document.querySelectorAll('#history-rows tr[data-outcome=\"match\"]').length === 1").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_the_windows_checks_filters_searches_and_exports() {
    let save = save_dir("history");
    let app = App::start(opts(&save)).await;

    // The operator and the retention, set once in Settings, shared with the command.
    app.click("#btn-settings").await;
    app.type_into("#operator", OPERATOR).await;
    app.type_into("#retention-days", "90").await;
    app.click("#btn-settings-save").await;
    app.wait_text("#settings-msg", "已保存").await;
    let settings = std::fs::read_to_string(app.config_dir_path().join("settings.json")).unwrap();
    assert!(settings.contains(OPERATOR) && settings.contains("\"retention_days\": 90"), "{settings}");
    app.click("#btn-settings-close").await;

    // Checks in the window: a photo read (OCR + local check), a match, a mismatch, and a bad
    // number recorded explicitly.
    app.open_photo(&harness::front_photo()).await;
    app.wait_value("#f-number", MATCH_NUMBER).await;
    // The region panel fills in after the number (and moves the consent box down): wait for it
    // before clicking below it.
    app.wait_text("#region", "东城区").await;
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.click("#btn-verify").await;
    app.wait_js("return document.querySelector('#verdict').classList.contains('match')").await;
    app.click("#btn-clear").await;
    app.type_into("#f-name", "王五").await;
    app.type_into("#f-number", MATCH_NUMBER).await;
    app.wait_text("#region", "东城区").await;
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.click("#btn-verify").await;
    app.wait_js("return document.querySelector('#verdict').classList.contains('mismatch')").await;
    app.click("#btn-clear").await;
    app.type_into("#f-number", "110101199003070037").await;
    app.wait_text("#local-verdict", "校验码").await;
    app.wait_enabled("#btn-record").await;
    app.click("#btn-record").await;
    app.wait_text("#record-msg", "已记入历史").await;

    // 历史: newest first, every kind, masked.
    app.click("#nav-history").await;
    app.wait_js("return document.querySelectorAll('#history-rows tr[data-outcome]').length >= 7").await;
    let table = app.text("#history-rows").await;
    for needle in ["证件识别", "二要素核验", "本地校验", "地区查询", MASKED, "李*", "王*", OPERATOR] {
        assert!(table.contains(needle), "{needle} in the history: {table}");
    }
    assert!(!table.contains(MATCH_NUMBER) && !table.contains(MATCH_NAME), "nothing unmasked in the view");
    let first = app.text("#history-rows tr:first-child").await;
    assert!(first.contains("本地校验") && first.contains("校验不通过"), "newest first: {first}");
    app.settled_shot("history").await;

    // Filter by verdict, then by provider.
    app.select("#h-outcome", "match").await;
    app.wait_js("const r=[...document.querySelectorAll('#history-rows tr[data-outcome]')]; return r.length === 1 && r[0].dataset.outcome === 'match';").await;
    assert!(app.text("#history-rows").await.contains("fake-req-"), "the vendor's request id is shown");
    app.select("#h-outcome", "").await;
    app.select("#h-provider", "embedded").await;
    app.wait_js(
        "const r=[...document.querySelectorAll('#history-rows tr[data-outcome]')]; return r.length >= 1 && r.every(t => t.textContent.includes('地区查询'));",
    )
    .await;
    app.select("#h-provider", "").await;

    // Search by the full number: hashed in Rust; only checks of this number come back.
    app.type_into("#h-number", MATCH_NUMBER).await;
    app.click("#h-search").await;
    app.wait_js(&format!(
        "const r=[...document.querySelectorAll('#history-rows tr[data-outcome]')]; return r.length >= 6 && r.every(t => t.textContent.includes('{MASKED}'));"
    ))
    .await;
    let found = app.js("return document.querySelectorAll('#history-rows tr[data-outcome]').length", vec![]).await.as_u64().unwrap();
    app.type_into("#h-number", IDENTITIES[0].number).await;
    app.click("#h-search").await;
    app.wait_text("#history-rows", "没有符合条件的记录").await;

    // Export what the filter finds: the checks of one number, two-factor only.
    app.type_into("#h-number", MATCH_NUMBER).await;
    app.select("#h-kind", "two_factor").await;
    app.wait_js("return document.querySelectorAll('#history-rows tr[data-outcome]').length === 2").await;
    app.click("#h-export").await;
    app.wait_text("#history-msg", "已导出 2 条").await;
    let rows = read_csv(&exported(&save, "idcheck-history-", ".csv"));
    assert_eq!(rows.len(), 3, "header + 2: {rows:?}");
    assert!(rows[0][0].starts_with("时间"));
    assert!(rows[1][5].contains("不一致") && rows[2][5].contains("一致"), "newest first: {rows:?}");
    for r in &rows[1..] {
        assert_eq!(r[4], MASKED);
        assert_eq!(r[12], OPERATOR);
        assert!(r[11].contains("是"), "consent recorded: {r:?}");
        assert!(r[8].starts_with("fake-req-"), "request id kept: {r:?}");
    }
    assert!(found >= 6);

    // The trail's files never hold the number or the names.
    let on_disk = app.settings_file_text();
    for needle in [MATCH_NUMBER, MATCH_NAME, "王五", "110101199003070037"] {
        assert!(!on_disk.contains(needle), "{needle} on disk in the config directory");
    }
    assert!(app.config_dir_path().join("audit.sqlite3").exists());
    app.stop().await;
}
