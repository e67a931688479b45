//! The cards of one photo, end to end, read on this machine: a photo holding one card's front
//! and back fills the form with both halves and shows the two cards straightened (and the
//! front's portrait) in place of the photo, with 显示原图 to see it as taken, and makes the copy
//! on its own; a photo of two people's cards asks which one to check before filling anything;
//! 打印… makes and records the copy and hands the print dialog a view of the cards at true size.
//! The truth of each photo is its JSON beside it (`tests/data/cards/`).

use crate::copy::{poppler, save_dir, walk};
use crate::harness;

use harness::{App, Opts};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

fn card(name: &str) -> PathBuf {
    harness::repo_root().join("tests/data/cards").join(name)
}

/// The cards of a fixture's truth, in reading order.
fn truth(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(card(&format!("{name}.json"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cards"].as_array().unwrap().clone()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("no {k} in {v}"))
}

/// Waits until the read of the photo just brought in is over: a number in the form, the
/// chooser, or an error.
async fn wait_read(app: &App) {
    app.wait_js_for(
        "return document.querySelector('#ocr-progress').hidden && (document.querySelector('#f-number').value !== '' \
         || !document.querySelector('#card-chooser').hidden || !document.querySelector('#photo-error').hidden)",
        Duration::from_secs(120),
    )
    .await;
}

/// The sides of the cards shown in place of the photo, in order.
async fn crop_sides(app: &App) -> Value {
    app.js("return [...document.querySelectorAll('#crops figure.crop')].map(f => f.dataset.side)", vec![]).await
}

async fn count(app: &App, sel: &str) -> u64 {
    app.js("return document.querySelectorAll(arguments[0]).length", vec![json!(sel)]).await.as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_photo_of_both_sides_fills_the_form_shows_the_cards_and_makes_the_copy() {
    let save = save_dir("both-sides");
    let app = App::start(Opts {
        env: vec![("IDCHECK_TEST_SAVE_PATH".into(), save.display().to_string())],
        settings: Some(json!({"operator": "王芳"})),
        ..Opts::default()
    })
    .await;
    app.open_photo(&card("both-sides.jpg")).await;
    wait_read(&app).await;

    // One person: the form fills at once, the front's fields and the back's.
    let t = truth("both-sides");
    let (front, back) = (&t[0], &t[1]);
    assert_eq!(app.value("#f-number").await, s(front, "number"), "{}", app.text("#photo-error").await);
    assert_eq!(app.value("#f-name").await, s(front, "name"));
    // The form shows dates as read, YYYY-MM-DD, and 长期 for a card without end.
    for f in ["issued_by", "valid_from", "valid_until"] {
        assert_eq!(app.value(&format!("#f-{f}")).await, s(back, f), "#f-{f}");
    }
    assert!(!app.visible("#card-chooser").await, "one person's card needs no choice");
    assert!(!app.checked("#consent").await);

    // The two cards straightened, front above back, and the front's portrait, in place of the
    // photo.
    app.wait_js("return document.querySelectorAll('#crops figure.crop').length === 2").await;
    assert_eq!(crop_sides(&app).await, json!(["front", "back"]));
    assert_eq!(count(&app, "#crops img.card").await, 2);
    assert_eq!(count(&app, "#crops img.portrait").await, 1, "a portrait for the front only");
    let images = app
        .js("return [...document.querySelectorAll('#crops img')].every(i => i.src.startsWith('data:image/jpeg;base64,') && i.naturalWidth > 0)", vec![])
        .await;
    assert_eq!(images, json!(true), "the crops are images in memory");
    assert!(app.visible("#crops").await && !app.visible("#preview-img").await, "the cards are shown instead of the photo");
    app.settled_shot("20-cards-both-sides").await;

    // 显示原图 and back.
    assert_eq!(app.text("#btn-original").await, "显示原图");
    app.click("#btn-original").await;
    app.wait_visible("#preview-img").await;
    assert!(!app.visible("#crops").await);
    assert_eq!(app.attr("#btn-original", "aria-pressed").await.as_deref(), Some("true"));
    assert_ne!(app.text("#btn-original").await, "显示原图");
    app.click("#btn-original").await;
    app.wait_visible("#crops").await;
    assert!(!app.visible("#preview-img").await);

    // The copy from this one photo: both sides.
    app.wait_enabled("#btn-copy").await;
    app.click("#btn-copy").await;
    app.wait_visible("#copy-dialog").await;
    app.type_into("#copy-purpose", "办理入职手续").await;
    app.click("#copy-save").await;
    app.wait_js_for("return document.querySelector('#copy-msg').textContent.includes('已保存复印件')", Duration::from_secs(60)).await;
    let said = app.text("#copy-msg").await;
    assert!(said.contains("正面+反面"), "{said}");
    let saved: Vec<PathBuf> = std::fs::read_dir(&save).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let info = poppler("pdfinfo", &saved[0]);
    assert!(info.contains("595.276 x 841.89 pts (A4)") && info.contains("Pages:           1"), "{info}");
    let text = poppler("pdftotext", &saved[0]);
    assert!(text.contains("仅供办理入职手续使用") && text.contains("操作员 王芳"), "{text}");
    app.click("#copy-close").await;

    // 清空 drops the cards with the photo.
    app.click("#btn-clear").await;
    app.wait_value("#f-number", "").await;
    assert!(!app.visible("#crops").await && !app.visible("#btn-original").await);
    assert_eq!(count(&app, "#crops img").await, 0, "no card image left in the page");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_of_two_peoples_cards_asks_which_one_to_check() {
    let app = App::start(Opts::default()).await;
    app.open_photo(&card("two-people.jpg")).await;
    wait_read(&app).await;
    let t = truth("two-people");

    // The chooser, one button per card, and nothing filled until the clerk chooses.
    app.wait_visible("#card-chooser").await;
    assert!(app.text("#chooser-title").await.contains("照片中有 2 张身份证，请选择要核验的一张"), "{}", app.text("#chooser-title").await);
    assert_eq!(count(&app, "#chooser-cards .card-choice").await, 2);
    for (i, c) in t.iter().enumerate() {
        let label = app.text(&format!("#chooser-cards .card-choice[data-index=\"{i}\"]")).await;
        assert!(label.contains(s(c, "name")) && label.contains(s(c, "number")) && label.contains("人像面"), "card {i}: {label}");
    }
    for f in ["name", "number", "sex", "birth", "address"] {
        assert_eq!(app.value(&format!("#f-{f}")).await, "", "#f-{f} filled before a choice");
    }
    assert!(!app.checked("#consent").await);
    // Both fronts straightened, each with its portrait.
    app.wait_js("return document.querySelectorAll('#crops figure.crop').length === 2").await;
    assert_eq!(crop_sides(&app).await, json!(["front", "front"]));
    assert_eq!(count(&app, "#crops img.portrait").await, 2);
    app.settled_shot("21-cards-chooser").await;

    // In English too.
    app.click("#lang-toggle").await;
    app.wait_text("#chooser-title", "This photo holds 2 ID cards: choose the one to check").await;
    assert!(app.text("#chooser-cards").await.contains("front"), "{}", app.text("#chooser-cards").await);
    app.click("#lang-toggle").await;
    app.wait_text("#chooser-title", "照片中有 2 张").await;

    // The first card, chosen from the keyboard (the chooser has the focus when it appears),
    // and the consent for its holder.
    app.js("document.querySelector('#chooser-cards .card-choice').focus(); return true", vec![]).await;
    let first = app.client.active_element().await.unwrap();
    assert_eq!(first.attr("data-index").await.unwrap().as_deref(), Some("0"));
    first.send_keys(&fantoccini::key::Key::Enter).await.unwrap();
    app.wait_value("#f-number", s(&t[0], "number")).await;
    assert_eq!(app.value("#f-name").await, s(&t[0], "name"));
    app.click("#consent").await;
    assert!(app.checked("#consent").await);

    // The second: another holder, so the consent goes and the form is the second card's.
    app.click("#chooser-cards .card-choice[data-index=\"1\"]").await;
    app.wait_value("#f-number", s(&t[1], "number")).await;
    assert_eq!(app.value("#f-name").await, s(&t[1], "name"));
    assert_eq!(app.value("#f-birth").await, s(&t[1], "birth"));
    assert!(!app.checked("#consent").await, "choosing another card is a new holder: the consent is unticked");
    assert_eq!(app.attr("#chooser-cards .card-choice[data-index=\"1\"]", "aria-pressed").await.as_deref(), Some("true"));
    assert_eq!(app.attr("#chooser-cards .card-choice[data-index=\"0\"]", "aria-pressed").await.as_deref(), Some("false"));
    assert!(app.visible("#card-chooser").await, "the chooser stays to switch cards");
    app.settled_shot("22-cards-chosen").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_makes_and_records_the_copy_and_opens_the_print_dialog() {
    let app = App::start(Opts { settings: Some(json!({"operator": "王芳"})), ..Opts::default() }).await;
    app.open_photo(&card("both-sides.jpg")).await;
    wait_read(&app).await;
    assert_eq!(app.value("#f-number").await, s(&truth("both-sides")[0], "number"), "{}", app.text("#photo-error").await);
    app.wait_enabled("#btn-copy").await;
    app.click("#btn-copy").await;
    app.wait_visible("#copy-dialog").await;

    // No purpose: said at once, nothing printed nor recorded.
    app.js("window.print = () => { window.__printed = (window.__printed || 0) + 1; }; return true", vec![]).await;
    app.click("#copy-print").await;
    app.wait_text("#copy-error", "请填写复印件的用途").await;
    assert_eq!(app.js("return window.__printed || 0", vec![]).await, json!(0));

    app.type_into("#copy-purpose", "办理入职手续").await;
    app.settled_shot("23-copy-dialog").await;
    app.click("#copy-print").await;
    app.wait_js_for("return window.__printed === 1", Duration::from_secs(60)).await;
    // The print view: both cards, front above back, the statement over them and under them.
    assert_eq!(count(&app, "#print-view .print-card img").await, 2);
    let sides = app.js("return [...document.querySelectorAll('#print-view .print-card')].map(c => c.dataset.side)", vec![]).await;
    assert_eq!(sides, json!(["front", "back"]));
    let caption = app.text("#print-view .print-caption").await;
    assert!(caption.starts_with("仅供办理入职手续使用 · ") && caption.contains("操作员 王芳 · 再复印无效"), "{caption}");
    let marks = app.text("#print-view .print-card .print-mark").await;
    assert!(marks.contains(&caption), "the statement across the cards: {marks}");
    assert!(!app.visible("#print-view").await, "the print view is for the printer only");
    let said = app.text("#copy-msg").await;
    assert!(said.contains("送去打印") && said.contains("正面+反面"), "{said}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.js("return window.__printed", vec![]).await, json!(1), "the print dialog opened once");

    // What the printer gets (WebKitWebDriver cannot print a page): the print rules applied to
    // the screen for a moment, the cards measured at true size, front above back.
    let to_screen = "for (const sheet of document.styleSheets) for (const r of sheet.cssRules) \
                     if (r.media && r.media.mediaText === arguments[0]) r.media.mediaText = arguments[1]; return true";
    app.js(to_screen, vec![json!("print"), json!("screen")]).await;
    let mm = app
        .js(
            "const px = 96 / 25.4; return [...document.querySelectorAll('#print-view .print-card')].map(c => { const r = c.getBoundingClientRect(); \
             return [r.left / px, r.top / px, r.width / px, r.height / px].map(v => Math.round(v * 10) / 10); })",
            vec![],
        )
        .await;
    let cards: Vec<Vec<f64>> = serde_json::from_value(mm.clone()).unwrap();
    assert_eq!(cards.len(), 2, "{mm}");
    for c in &cards {
        assert!((c[2] - 85.6).abs() < 0.3 && (c[3] - 54.0).abs() < 0.3, "a card at 85.6 × 54 mm: {mm}");
    }
    assert!((cards[1][1] - cards[0][1] - 70.0).abs() < 0.5 && (cards[0][0] - cards[1][0]).abs() < 0.3, "the back 16 mm under the front: {mm}");
    app.settled_shot("24-print-view").await;
    app.js(to_screen, vec![json!("screen"), json!("print")]).await;

    // Closing the dialog drops the cards from the page; 历史 holds the copy; nothing on disk
    // holds an image.
    app.click("#copy-close").await;
    app.wait_js("return document.querySelectorAll('#print-view img').length === 0").await;
    app.click("#nav-history").await;
    app.wait_js("return document.querySelectorAll('#history-rows tr[data-outcome=\"copied\"]').length === 1").await;
    assert!(app.text("#history-rows").await.contains("复印件"));
    for f in walk(&app.config_dir_path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!bytes.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]) && !bytes.windows(5).any(|w| w == b"%PDF-"), "an image in {}", f.display());
    }
    app.stop().await;
}
