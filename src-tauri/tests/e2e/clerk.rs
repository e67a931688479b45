//! End-to-end tests in the real window.
//!
//! The built app (debug) runs under a virtual display, driven through `tauri-driver` and
//! WebKitWebDriver, against the vendor fakes (`idcheck-fake`) over real HTTP on loopback and
//! against the real Secret Service of the session. `scripts/test.sh` sets all of that up:
//! `xvfb-run -a dbus-run-session` with an unlocked throw-away gnome-keyring.
//!
//! Each test starts its own fakes, its own config directory and its own `tauri-driver` on
//! free ports; sessions run one at a time (a lock), since one app window at a time is what a
//! 2-core machine can drive reliably.

use crate::harness;

use harness::{App, Opts};
use idcheck_fake::{Endpoint, Fault};

const MATCH_NAME: &str = "李四";
const MATCH_NUMBER: &str = "110101199003070038";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_starts_in_chinese_and_switches_to_english_and_back() {
    let app = App::start(Opts::default()).await;
    app.wait_text("#app-title", "身份证核验台").await;
    assert_eq!(app.attr("html", "lang").await.as_deref(), Some("zh-CN"));
    app.shot("01-start-zh").await;

    app.click("#lang-toggle").await;
    app.wait_text("#app-title", "IDCheck").await;
    assert_eq!(app.attr("html", "lang").await.as_deref(), Some("en"));
    // The choice persists in the settings file of this config directory.
    let settings = app.settings_file_text();
    assert!(settings.contains("\"en\""), "language not saved in settings: {settings}");
    app.shot("02-start-en").await;
    let config_dir = app.config_dir_path();
    app.stop().await;

    // A new start in the same config directory comes up in English.
    let app = App::start(Opts { config_dir: Some(config_dir), ..Opts::default() }).await;
    app.wait_text("#app-title", "IDCheck").await;
    app.click("#lang-toggle").await;
    app.wait_text("#app-title", "身份证核验台").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photo_fills_form_then_consent_gives_match_verdict() {
    // Photos go to the apizero fake only because this test chose it (the default is local).
    let app = App::start(Opts::with_keys_apizero_ocr()).await;
    app.open_photo(&harness::front_photo()).await;
    // The fake OCR's fixed demo fields land in the form.
    app.wait_value("#f-number", MATCH_NUMBER).await;
    assert_eq!(app.value("#f-name").await, MATCH_NAME);
    assert!(app.visible("#preview-img").await || app.visible("#crops").await, "the prepared image (or the card cut out of it) is shown");
    app.wait_text("#local-verdict", "").await;
    app.shot("03-form-filled").await;

    // The check button waits for the consent tick.
    assert!(!app.enabled("#btn-verify").await, "check must wait for consent");
    app.click("#consent").await;
    assert!(app.enabled("#btn-verify").await, "valid number + name + provider + consent enables the check");
    app.click("#btn-verify").await;
    app.wait_js("return document.querySelector('#verdict').classList.contains('match')").await;
    assert_eq!(app.text("#verdict-main .word").await, "一致");
    let verdict = app.text("#verdict").await;
    assert!(verdict.contains("apizero") || verdict.contains("极数本源"), "provider shown: {verdict}");
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 1);

    // After a verdict the number and name are masked, with a reveal toggle.
    app.wait_text("#masked-number", "110***********0038").await;
    assert!(!app.visible("#f-number").await, "full number hidden after the verdict");
    app.shot("04-verdict-match").await;

    // Pressing again never pays twice (the consent was for one check: it is given again).
    assert!(!app.checked("#consent").await, "the consent was used by the check");
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.click("#btn-verify").await;
    app.wait_text("#verdict-meta", "缓存").await;
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 1, "a second press must not call the vendor again");

    // 清空 wipes form and image.
    app.click("#btn-clear").await;
    app.wait_value("#f-number", "").await;
    assert_eq!(app.value("#f-name").await, "");
    assert!(!app.visible("#preview-img").await);
    assert!(!app.visible("#crops").await, "清空 drops the card cut out of the photo too");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_checksum_shows_reasons_and_never_reaches_the_vendor() {
    let app = App::start(Opts::with_keys()).await;
    app.type_into("#f-name", MATCH_NAME).await;
    app.type_into("#f-number", "110101199003070037").await;
    app.wait_text("#local-verdict", "校验码").await;
    // The expected check digit is shown.
    app.wait_text("#local-verdict", "8").await;
    app.click("#consent").await;
    assert!(!app.enabled("#btn-verify").await, "an invalid number must never be checked");
    app.shot("05-bad-checksum").await;
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 0);
    assert_eq!(app.fakes.calls(Endpoint::Muzhiyun2c), 0);
    // What the clerk typed is still there.
    assert_eq!(app.value("#f-number").await, "110101199003070037");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_error_is_shown_next_to_the_check_and_form_is_kept() {
    let app = App::start(Opts::with_keys()).await;
    app.fakes.set_fault(Endpoint::Apizero2c, Fault::apizero(4022, 200));
    app.type_into("#f-name", MATCH_NAME).await;
    app.type_into("#f-number", MATCH_NUMBER).await;
    // The region panel fills in after the number and moves the consent box down: wait for it.
    app.wait_text("#region", "东城区").await;
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.click("#btn-verify").await;
    app.wait_visible("#verify-error").await;
    let msg = app.text("#verify-error").await;
    assert!(!msg.trim().is_empty());
    assert!(msg.contains("4022"), "the vendor code is shown for the support desk: {msg}");
    assert_eq!(app.value("#f-number").await, MATCH_NUMBER, "nothing typed is lost");
    assert_eq!(app.value("#f-name").await, MATCH_NAME);
    app.shot("06-vendor-error").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_image_file_gives_a_clear_error() {
    let app = App::start(Opts::default()).await;
    let path = app.temp_file("notes.txt", b"this is not a photo of a card");
    app.open_photo(&path).await;
    app.wait_visible("#photo-error").await;
    let msg = app.text("#photo-error").await;
    assert!(msg.contains("图片") || msg.contains("图像"), "message in Chinese about the image: {msg}");
    assert!(!app.visible("#preview-img").await);
    assert!(!app.visible("#crops").await);
    app.shot("07-not-an-image").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_saved_in_settings_lands_in_keychain_not_in_settings_file() {
    let app = App::start(Opts::default()).await;
    app.click("#btn-settings").await;
    app.wait_visible("#settings").await;
    let key = format!("e2e-key-{}", std::process::id());
    app.type_into("#key-apizero", &key).await;
    app.click("#save-key-apizero").await;
    app.wait_text("#status-apizero", "已配置").await;
    app.shot("08-settings-key-saved").await;

    // The key is in the Secret Service, readable by the core's keys module ...
    assert!(app.keychain_has("apizero", "key", &key), "the key must be in the keychain");
    // ... and nowhere in the settings file, nor in the page.
    let settings = app.settings_file_text();
    assert!(!settings.contains(&key), "key leaked into settings file");
    let page = app.page_source().await;
    assert!(!page.contains(&key), "key still in the page after saving");
    app.stop().await;
}

/// The form's fields, all of them (`FIELDS` in ui/app.js).
const FIELDS: [&str; 9] = ["name", "number", "sex", "ethnicity", "birth", "address", "issued_by", "valid_from", "valid_until"];

/// Whether every field of the form is empty.
async fn form_is_empty(app: &App) -> bool {
    let mut empty = true;
    for f in FIELDS {
        let v = app.value(&format!("#f-{f}")).await;
        if !v.is_empty() {
            eprintln!("#f-{f} still holds {v:?}");
            empty = false;
        }
    }
    empty
}

/// Waits until the read of the photo just brought in is over (a filled form or an error).
async fn wait_read_done(app: &App) {
    app.wait_js("return document.querySelector('#ocr-progress').hidden").await;
}

/// The apizero OCR answering with the back of a card (国徽面): no name, no number.
fn back_side_read() -> Fault {
    let body = serde_json::json!({"code": 0, "msg": "成功", "request_id": "fake-req-back", "data": {
        "side": 0, "identity_name": null, "identity_code": null, "gender": null, "race": null, "birth": null, "address": null,
        "issued_by": "北京市公安局东城分局", "valid_date_start": "2015.03.07", "valid_date_end": "长期"}});
    Fault::Reply { status: 200, headers: vec![], body: body.to_string() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_belongs_to_one_holder_and_one_check() {
    let app = App::start(Opts::with_keys_apizero_ocr()).await;
    let other_photo = harness::repo_root().join("tests/data/cards/clean-front.jpg");
    app.open_photo(&harness::front_photo()).await;
    app.wait_value("#f-number", MATCH_NUMBER).await;
    app.wait_text("#region", "东城区").await;
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;

    // One check: the verdict uses the consent up.
    app.click("#btn-verify").await;
    app.wait_js("return document.querySelector('#verdict').classList.contains('match')").await;
    assert!(!app.checked("#consent").await, "the consent is for one check");
    assert!(!app.enabled("#btn-verify").await, "no second check without a new consent");
    app.wait_text("#verify-why", "每次核验都需本人授权").await;
    app.settled_shot("09-consent-used-by-the-check").await;

    // A new photo is a new holder: the tick goes, whatever the new read finds.
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.open_photo(&other_photo).await;
    app.wait_js("return !document.querySelector('#consent').checked").await;
    wait_read_done(&app).await;
    app.wait_value("#f-number", MATCH_NUMBER).await;
    assert_eq!(app.fakes.calls(Endpoint::ApizeroOcr), 2, "the second photo was read");
    assert!(!app.checked("#consent").await, "a new photo unticks the consent");
    assert!(!app.enabled("#btn-verify").await, "no check for the new holder without consent");
    assert!(!app.visible("#verdict").await, "the old verdict is gone");
    app.settled_shot("10-consent-cleared-by-new-photo").await;

    // Another number: the consent was not given for it.
    app.wait_text("#region", "东城区").await;
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    let other = &idcheck_fake::IDENTITIES[0];
    app.type_into("#f-number", other.number).await;
    app.wait_js("return !document.querySelector('#consent').checked").await;
    assert!(!app.enabled("#btn-verify").await, "another number needs its own consent");
    assert_eq!(app.value("#f-name").await, MATCH_NAME, "what the clerk has for this holder stays");

    // Another name: the same. (The region panel fills in for the new number first and moves
    // the consent box: wait for it before clicking.)
    app.wait_text("#region", "朝阳区").await;
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.type_into("#f-name", other.name).await;
    app.wait_js("return !document.querySelector('#consent').checked").await;
    assert!(!app.enabled("#btn-verify").await, "another name needs its own consent");
    assert_eq!(app.value("#f-number").await, other.number);
    app.settled_shot("11-consent-cleared-by-new-number").await;

    // 清空: no holder, no consent, no fields.
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.click("#btn-clear").await;
    app.wait_value("#f-number", "").await;
    assert!(!app.checked("#consent").await, "清空 unticks the consent");
    assert!(form_is_empty(&app).await, "清空 empties every field");
    assert!(!app.enabled("#btn-verify").await);
    app.settled_shot("12-consent-cleared-by-clear").await;
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 1, "only the one consented check reached the vendor");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_photo_leaves_nothing_of_the_previous_holder() {
    let app = App::start(Opts::with_keys_apizero_ocr()).await;
    let other_photo = harness::repo_root().join("tests/data/cards/clean-front.jpg");
    app.open_photo(&harness::front_photo()).await;
    app.wait_value("#f-number", MATCH_NUMBER).await;
    assert_eq!(app.value("#f-name").await, MATCH_NAME);
    assert!(app.value("#f-address").await.contains("演示路"), "the front's address is read");
    app.wait_text("#region", "东城区").await;

    // The next photo's read has no name, number or address (the back of a card): nothing of
    // the previous holder survives it.
    app.fakes.set_fault(Endpoint::ApizeroOcr, back_side_read());
    app.open_photo(&other_photo).await;
    app.wait_value("#f-issued_by", "北京市公安局东城分局").await;
    for f in ["name", "number", "sex", "ethnicity", "birth", "address"] {
        assert_eq!(app.value(&format!("#f-{f}")).await, "", "#f-{f} of the previous holder survived a read without it");
    }
    app.wait_js("return !document.querySelector('#region').textContent.includes('东城区')").await;
    app.settled_shot("13-new-read-without-name").await;

    // A front again, consent given, then a photo whose read fails: the previous holder's
    // fields and consent are gone all the same (a new photo is a new holder).
    app.fakes.clear_fault(Endpoint::ApizeroOcr);
    app.open_photo(&harness::front_photo()).await;
    app.wait_value("#f-number", MATCH_NUMBER).await;
    assert_eq!(app.value("#f-issued_by").await, "", "the back's issuer is not this holder's");
    app.wait_text("#region", "东城区").await;
    app.click("#consent").await;
    app.wait_enabled("#btn-verify").await;
    app.fakes.set_fault(Endpoint::ApizeroOcr, Fault::apizero(5021, 200));
    app.open_photo(&other_photo).await;
    app.wait_visible("#photo-error").await;
    wait_read_done(&app).await;
    assert!(!app.text("#photo-error").await.trim().is_empty(), "the read's error is shown");
    assert!(form_is_empty(&app).await, "a failed read of a new photo leaves none of the previous holder's fields");
    assert!(!app.checked("#consent").await, "nor the previous holder's consent");
    assert!(!app.enabled("#btn-verify").await);
    assert!(app.visible("#preview-img").await || app.visible("#crops").await, "the new photo (or its card) is shown");
    app.settled_shot("14-failed-read-of-new-photo").await;

    // What the clerk types for this holder is not lost by a second look at the same photo.
    app.fakes.clear_fault(Endpoint::ApizeroOcr);
    app.type_into("#f-address", "手工录入的住址").await;
    app.click("#btn-read").await;
    app.wait_value("#f-number", MATCH_NUMBER).await;
    wait_read_done(&app).await;
    assert_eq!(app.value("#f-address").await, "手工录入的住址", "the read must not overwrite what the clerk typed");
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_a_vendor_key_keeps_photos_on_this_machine() {
    // No keys, no settings file: the defaults.
    let app = App::start(Opts::default()).await;
    app.click("#btn-settings").await;
    app.wait_visible("#settings").await;
    app.wait_value("#sel-ocr", "local").await;

    let key = format!("e2e-key-{}", std::process::id());
    app.type_into("#key-apizero", &key).await;
    app.click("#save-key-apizero").await;
    app.wait_text("#status-apizero", "已配置").await;
    // The key is for the services the clerk chose to pay for; where photos are read is not
    // changed by it.
    assert_eq!(app.value("#sel-ocr").await, "local", "saving an apizero key must not switch OCR to uploading photos");
    let settings = app.settings_json();
    let ocr = settings.get("ocr_provider").and_then(|v| v.as_str());
    assert!(ocr.is_none() || ocr == Some("local"), "settings.json chose another OCR: {settings}");
    app.settled_shot("15-key-saved-ocr-still-local").await;

    // And a photo brought in now is read here: nothing reaches apizero's OCR.
    app.click("#btn-settings-close").await;
    app.open_photo(&harness::front_photo()).await;
    app.wait_js_for(
        "return document.querySelector('#ocr-progress').hidden && (!document.querySelector('#ocr-source').hidden || !document.querySelector('#photo-error').hidden)",
        std::time::Duration::from_secs(120),
    )
    .await;
    assert_eq!(app.fakes.calls(Endpoint::ApizeroOcr), 0, "the photo was uploaded");
    if app.visible("#ocr-source").await {
        assert!(app.text("#ocr-source").await.contains("本机识别"), "read by: {}", app.text("#ocr-source").await);
    }
    app.stop().await;
}

/// A card made by `data/make_doubt_card.py`: 周明瑀 (瑀 is not among the characters the
/// recogniser knows), printed 女 and 1990-05-21, while the number (110105199005123418) says 男
/// and 1990-05-12.
fn doubt_photo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/data/doubt-front.jpg")
}

const DOUBT_NUMBER: &str = "110105199005123418";

/// Whether the field is marked as doubtful (outline and ⚠ by the class, the caption shown).
async fn doubtful(app: &App, field: &str) -> bool {
    app.js("return document.querySelector(`.field[data-field=\"${arguments[0]}\"]`).classList.contains('doubtful')", vec![serde_json::json!(field)])
        .await
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reads_doubt_and_the_numbers_birth_and_sex_show_beside_the_fields() {
    // Read on this machine: the local engine gives each field a confidence.
    let app = App::start(Opts::default()).await;
    app.open_photo(&doubt_photo()).await;
    app.wait_js_for(
        "return document.querySelector('#ocr-progress').hidden && (document.querySelector('#f-number').value !== '' || !document.querySelector('#photo-error').hidden)",
        std::time::Duration::from_secs(120),
    )
    .await;
    assert_eq!(app.value("#f-number").await, DOUBT_NUMBER, "the number is read: {}", app.text("#photo-error").await);

    // The name, read with little confidence, is marked where the clerk looks: outline, ⚠,
    // caption, tooltip.
    app.wait_js("return document.querySelector('.field[data-field=\"name\"]').classList.contains('doubtful')").await;
    assert!(app.visible("#doubt-name").await, "the caption under the doubtful field");
    assert_eq!(app.text("#doubt-name").await, "请对照证件核对");
    assert_eq!(app.attr("#f-name", "title").await.as_deref(), Some("请对照证件核对"));
    for f in ["number", "birth", "sex"] {
        assert!(!doubtful(&app, f).await, "#f-{f} was read clearly and is not marked");
    }

    // The number's birth date and sex beside the printed ones, which are left as printed.
    app.wait_text("#says-birth", "号码显示：1990-05-12").await;
    app.wait_text("#says-sex", "号码显示：男").await;
    assert_eq!(app.value("#f-birth").await, "1990-05-21", "the printed birth date is never replaced by the number's");
    assert_eq!(app.value("#f-sex").await, "女", "the printed sex is never replaced by the number's");
    app.wait_text("#local-verdict", "1990-05-21").await;
    app.settled_shot("16-ocr-doubt-and-number-says").await;

    // In English too.
    app.click("#lang-toggle").await;
    app.wait_text("#says-birth", "Number says: 1990-05-12").await;
    assert_eq!(app.text("#says-sex").await, "Number says: Male");
    assert_eq!(app.text("#doubt-name").await, "Check this against the card");
    app.settled_shot("17-ocr-doubt-and-number-says-en").await;
    app.click("#lang-toggle").await;
    app.wait_text("#says-birth", "号码显示").await;

    // The clerk checks the card and edits the field: its mark goes.
    app.type_into("#f-name", "周明瑀").await;
    app.wait_js("return !document.querySelector('.field[data-field=\"name\"]').classList.contains('doubtful')").await;
    assert!(!app.visible("#doubt-name").await, "the caption goes with the edit");
    assert_eq!(app.attr("#f-name", "title").await.as_deref(), Some(""));
    assert!(app.visible("#says-birth").await, "the birth date still disagrees");

    // Corrected to agree with the number, the printed value no longer gets a note beside it.
    app.type_into("#f-birth", "1990-05-12").await;
    app.wait_js("return document.querySelector('#says-birth').hidden").await;
    app.select("#f-sex", "男").await;
    app.wait_js("return document.querySelector('#says-sex').hidden").await;

    // A new photo is a new holder: no mark or note of the previous one stays before its read.
    app.click("#btn-clear").await;
    app.wait_value("#f-number", "").await;
    assert!(!doubtful(&app, "name").await);
    assert!(!app.visible("#says-birth").await && !app.visible("#says-sex").await);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_card_drops_the_photos_not_a_card_warning() {
    let app = App::start(Opts::with_keys_apizero_ocr()).await;
    // A desk without a card: the photo's checks say it is not an ID card. The apizero fake
    // reads 李四's fields off anything, slowly enough to see the photo's warning first.
    let scene = idcheck::synth::Scene { card: None, ..idcheck::synth::Scene::centred(1600, 1200, 0.7, 0.0) };
    let path = app.temp_file("desk.jpg", &idcheck::synth::jpeg(&idcheck::synth::render(&scene), 90));
    let not_a_card = "return !!document.querySelector('#photo-warnings li[data-kind=\"not_id_card\"]')";
    app.fakes.set_fault(Endpoint::ApizeroOcr, Fault::Delay(std::time::Duration::from_millis(2500)));
    app.open_photo(&path).await;
    app.wait_js(not_a_card).await;
    assert!(app.text("#photo-warnings").await.contains("没有找到身份证"), "{}", app.text("#photo-warnings").await);

    // The fields were read: the core drops the warning, and the page shows its list.
    app.wait_value("#f-number", MATCH_NUMBER).await;
    wait_read_done(&app).await;
    app.wait_js(&not_a_card.replace("return !!", "return !")).await;

    // A read that fails settles nothing: the warning of the next such photo stays.
    app.fakes.set_fault(Endpoint::ApizeroOcr, Fault::apizero(5021, 200));
    app.open_photo(&path).await;
    app.wait_visible("#photo-error").await;
    wait_read_done(&app).await;
    assert_eq!(app.js(not_a_card, vec![]).await, serde_json::Value::Bool(true), "the photo's warning stays after a failed read");
    app.stop().await;
}
