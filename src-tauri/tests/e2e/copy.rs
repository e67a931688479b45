//! 生成复印件… end to end: a card photo read on this machine, the copy made from the dialog
//! with a purpose (refused, with the typed text kept, while the purpose is empty), saved
//! through the save dialog's test hook (`IDCHECK_TEST_SAVE_PATH`), then the PDF opened with
//! poppler-utils: A4, its text holds the purpose and the operator; and 历史 holds the copy.

use crate::harness;

use harness::{App, Opts};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn card(name: &str) -> PathBuf {
    harness::repo_root().join("tests/data/cards").join(name)
}

pub(crate) fn save_dir(tag: &str) -> PathBuf {
    let d = harness::repo_root().join("test-output/e2e").join(format!("copy-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub(crate) fn poppler(tool: &str, file: &Path) -> String {
    let o = Command::new(tool).arg(file).args(if tool == "pdftotext" { &["-raw", "-"][..] } else { &[][..] }).output();
    let o = o.unwrap_or_else(|e| panic!("{tool}: {e} (install poppler-utils: scripts/setup.sh)"));
    assert!(o.status.success(), "{tool}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Waits until the read of the photo just brought in is over with a number or an error.
async fn wait_read(app: &App) {
    app.wait_js_for(
        "return document.querySelector('#ocr-progress').hidden && (document.querySelector('#f-number').value !== '' || !document.querySelector('#photo-error').hidden)",
        Duration::from_secs(120),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_is_made_from_the_dialog_saved_where_asked_and_recorded() {
    let save = save_dir("front-back");
    let app = App::start(Opts {
        env: vec![("IDCHECK_TEST_SAVE_PATH".into(), save.display().to_string())],
        settings: Some(json!({"operator": "王芳"})),
        ..Opts::default()
    })
    .await;
    assert!(!app.enabled("#btn-copy").await, "no photo, no copy");

    // The front, read on this machine.
    app.open_photo(&card("desk-front.jpg")).await;
    wait_read(&app).await;
    assert_eq!(app.value("#f-number").await, "450103199404037352", "{}", app.text("#photo-error").await);
    assert_eq!(app.value("#f-name").await, "诸葛瑀");
    app.wait_enabled("#btn-copy").await;

    app.click("#btn-copy").await;
    app.wait_visible("#copy-dialog").await;
    assert_eq!(app.value("#copy-operator").await, "王芳", "the operator comes from the settings");
    // No purpose: said at once, nothing saved.
    app.click("#copy-save").await;
    app.wait_text("#copy-error", "请填写复印件的用途").await;
    // Too long: said with the count, and what was typed stays.
    let long = "办理入职手续".repeat(8);
    app.type_into("#copy-purpose", &long).await;
    app.click("#copy-save").await;
    app.wait_text("#copy-error", "最多 40 个字").await;
    assert_eq!(app.value("#copy-purpose").await, long, "the typed purpose is kept");
    assert_eq!(std::fs::read_dir(&save).unwrap().count(), 0, "nothing saved while the purpose is refused");

    // The back from a second photo, then the copy.
    let back = app.client.find(fantoccini::Locator::Css("#copy-back-input")).await.unwrap();
    back.send_keys(card("upside-back.jpg").to_str().unwrap()).await.unwrap();
    app.wait_visible("#copy-back-info").await;
    app.type_into("#copy-purpose", "办理入职手续").await;
    app.click("#copy-save").await;
    app.wait_js_for("return document.querySelector('#copy-msg').textContent.includes('已保存复印件')", Duration::from_secs(60)).await;
    let said = app.text("#copy-msg").await;
    assert!(said.contains("正面+反面"), "{said}");
    app.settled_shot("copy-saved").await;

    // Saved under the suggested name, 身份证复印件-YYYY-MM-DD.pdf, and nothing else.
    let saved: Vec<PathBuf> = std::fs::read_dir(&save).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let pdf = saved[0].clone();
    let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
    let today = name.strip_prefix("身份证复印件-").and_then(|n| n.strip_suffix(".pdf")).unwrap_or_else(|| panic!("{name}")).to_string();
    assert!(today.len() == 10 && today.as_bytes()[4] == b'-' && today.as_bytes()[7] == b'-', "{name}");
    let info = poppler("pdfinfo", &pdf);
    assert!(info.contains("595.276 x 841.89 pts (A4)") && info.contains("Pages:           1"), "{info}");
    let text = poppler("pdftotext", &pdf);
    assert!(text.contains(&format!("仅供办理入职手续使用 · {today} · 操作员 王芳")), "{text}");

    // 历史 holds the copy (purpose and operator; no image anywhere in the config directory).
    app.click("#copy-close").await;
    app.click("#nav-history").await;
    app.wait_js("return document.querySelectorAll('#history-rows tr[data-outcome=\"copied\"]').length === 1").await;
    assert!(app.text("#history-rows").await.contains("复印件"), "{}", app.text("#history-rows").await);
    for f in walk(&app.config_dir_path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!bytes.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]) && !bytes.windows(5).any(|w| w == b"%PDF-"), "an image in {}", f.display());
    }
    app.stop().await;
}

pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
