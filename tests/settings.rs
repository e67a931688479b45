//! Settings file: location, round trip, unknown fields kept, env overrides, bad files.
//! One test function: it sets process environment.

use idcheck::settings::{self, Settings};

#[test]
fn settings_round_trip_and_overrides() {
    let dir = std::env::temp_dir().join(format!("idcheck-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::env::set_var("IDCHECK_CONFIG_DIR", &dir);
    std::env::remove_var("IDCHECK_NOWAPI_URL");
    assert_eq!(settings::config_dir(), dir);
    assert!(idcheck::keys::service_name().starts_with("idcheck:"));

    // Missing file: defaults.
    let s = settings::load().unwrap();
    assert_eq!(s, Settings::default());
    assert_eq!((s.ocr(), s.two_factor(), s.region()), ("local", "apizero", "embedded"));
    assert_eq!(s.base_url("nowapi").as_deref(), Some("https://sapi.k780.com"));
    assert_eq!(s.base_url("embedded"), None);
    assert_eq!((s.operator(), s.retention_days()), (None, idcheck::audit::DEFAULT_RETENTION_DAYS));

    // A file written by a newer version keeps its unknown fields.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        settings::path(),
        r#"{"two_factor_provider":"muzhiyun","base_urls":{"nowapi":"https://gw.example"},"demo_mode":true,"lang":"en","future_field":[1,2]}"#,
    )
    .unwrap();
    let mut s = settings::load().unwrap();
    assert_eq!(s.two_factor(), "muzhiyun");
    assert!(s.demo_mode);
    assert_eq!(s.lang, Some(idcheck::i18n::Lang::En));
    assert_eq!(s.base_url("nowapi").as_deref(), Some("https://gw.example"));
    std::env::set_var("IDCHECK_NOWAPI_URL", "http://127.0.0.1:1");
    assert_eq!(s.base_url("nowapi").as_deref(), Some("http://127.0.0.1:1"), "environment wins");
    std::env::remove_var("IDCHECK_NOWAPI_URL");
    s.operator = Some(" 前台一 ".into());
    s.retention_days = Some(30);
    settings::save(&s).unwrap();
    let text = std::fs::read_to_string(settings::path()).unwrap();
    assert!(text.contains("future_field") && text.contains("前台一") && text.contains("\"retention_days\": 30"), "{text}");
    assert_eq!((s.operator(), s.retention_days()), (Some("前台一"), 30));
    assert_eq!(settings::load().unwrap(), s);

    // A broken file: a clear message naming the file and what to do, in both languages.
    std::fs::write(settings::path(), "{not json").unwrap();
    let e = settings::load().unwrap_err();
    assert!(e.message.zh.contains("settings.json") && e.message.zh.contains("删除"));
    assert!(e.message.en.contains("Fix or delete"));
    let _ = std::fs::remove_dir_all(&dir);
}
