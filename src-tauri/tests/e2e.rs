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

mod harness;

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
    let app = App::start(Opts::with_keys()).await;
    app.open_photo(&harness::front_photo()).await;
    // The fake OCR's fixed demo fields land in the form.
    app.wait_value("#f-number", MATCH_NUMBER).await;
    assert_eq!(app.value("#f-name").await, MATCH_NAME);
    assert!(app.visible("#preview-img").await, "the prepared image is shown");
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

    // Pressing again never pays twice.
    if app.enabled("#btn-verify").await {
        app.click("#btn-verify").await;
        app.wait_text("#verdict-meta", "缓存").await;
    }
    assert_eq!(app.fakes.calls(Endpoint::Apizero2c), 1, "a second press must not call the vendor again");

    // 清空 wipes form and image.
    app.click("#btn-clear").await;
    app.wait_value("#f-number", "").await;
    assert_eq!(app.value("#f-name").await, "");
    assert!(!app.visible("#preview-img").await);
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
