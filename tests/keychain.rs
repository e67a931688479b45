//! Keys in a real Secret Service (gnome-keyring inside dbus-run-session). Skips with a note
//! when none is reachable, unless IDCHECK_REQUIRE_KEYCHAIN=1.
//!
//! One test function: it sets process environment (IDCHECK_CONFIG_DIR), which must not race.

use idcheck::keys::{self, KeyErrorKind, Source};
use idcheck::providers;
use idcheck::secret::Sensitive;
use idcheck::settings;
use idcheck_fake::{FakeConfig, FakeServices, IDENTITIES};
use std::process::{Command, Stdio};

#[test]
fn keychain_round_trip_in_a_relocated_config_dir() {
    let dir = std::env::temp_dir().join(format!("idcheck-keychain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_var("IDCHECK_CONFIG_DIR", &dir);
    for v in ["IDCHECK_APIZERO_KEY", "IDCHECK_NOWAPI_APPKEY", "IDCHECK_NOWAPI_SIGN", "IDCHECK_MUZHIYUN_APPCODE"] {
        std::env::remove_var(v);
    }
    let service = keys::service_name();
    assert!(service.starts_with("idcheck:") && service.len() == "idcheck:".len() + 16, "{service}");

    match keys::set("apizero", "key", Sensitive::new(idcheck_fake::APIZERO_KEY.to_string())) {
        Ok(()) => {}
        Err(e) if e.kind == KeyErrorKind::NoKeychain => {
            if std::env::var("IDCHECK_REQUIRE_KEYCHAIN").as_deref() == Ok("1") {
                panic!("IDCHECK_REQUIRE_KEYCHAIN=1 but no Secret Service: {e}");
            }
            eprintln!("note: skipping keychain test, no Secret Service reachable ({})", e.message.en);
            return;
        }
        Err(e) => panic!("{e}"),
    }
    let field = |s: &keys::Status, p: &str, f: &str| s.fields.iter().find(|x| x.provider == p && x.field == f).unwrap().source;

    let st = keys::status();
    assert!(st.keychain_error.is_none());
    assert_eq!(field(&st, "apizero", "key"), Source::Keychain);
    assert_eq!(field(&st, "muzhiyun", "appcode"), Source::Missing);
    assert!(!format!("{st:?} {}", serde_json::to_string(&st).unwrap()).contains(idcheck_fake::APIZERO_KEY));

    // The stored key drives a real call to the fake.
    let fake = FakeServices::start_background(FakeConfig::default()).unwrap();
    let mut s = settings::Settings::default();
    s.base_urls.insert("apizero".into(), fake.apizero_url());
    settings::save(&s).unwrap();
    let loaded = settings::load().unwrap();
    assert_eq!(loaded.base_url("apizero").as_deref(), Some(fake.apizero_url().as_str()));
    let cfg = idcheck::desk::client_config(&idcheck::paths::Namespace::from_env(), "apizero", &loaded).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let c = providers::two_factor("apizero", cfg).unwrap();
    let r = rt.block_on(c.verify(IDENTITIES[0].name, IDENTITIES[0].number)).unwrap();
    assert_eq!(r.verdict, providers::Verdict::Match);

    // The command stores NowAPI's two fields from stdin, in the same relocated keychain.
    let mut child = Command::new(env!("CARGO_BIN_EXE_idcheck"))
        .args(["key", "set", "nowapi", "--json"])
        .env("IDCHECK_CONFIG_DIR", &dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(format!("{}\n{}\n", idcheck_fake::NOWAPI_APPKEY, idcheck_fake::NOWAPI_SIGN).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let st = keys::status();
    assert_eq!(field(&st, "nowapi", "appkey"), Source::Keychain);
    assert_eq!(field(&st, "nowapi", "sign"), Source::Keychain);

    // The environment wins over the keychain, for scripts and CI.
    std::env::set_var("IDCHECK_MUZHIYUN_APPCODE", "from-env");
    assert_eq!(field(&keys::status(), "muzhiyun", "appcode"), Source::Environment);
    std::env::remove_var("IDCHECK_MUZHIYUN_APPCODE");

    // Status through the command never prints a key.
    let out = Command::new(env!("CARGO_BIN_EXE_idcheck")).args(["key", "status", "--json"]).env("IDCHECK_CONFIG_DIR", &dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"keychain\"") && !text.contains(idcheck_fake::NOWAPI_SIGN) && !text.contains(idcheck_fake::APIZERO_KEY));

    // Errors: unknown provider, empty key, a provider without keys.
    assert_eq!(keys::set("nope", "key", Sensitive::new("x".into())).unwrap_err().kind, KeyErrorKind::UnknownProvider);
    assert_eq!(keys::set("apizero", "key", Sensitive::new("  ".into())).unwrap_err().kind, KeyErrorKind::Empty);
    assert_eq!(keys::set("apizero", "sign", Sensitive::new("x".into())).unwrap_err().kind, KeyErrorKind::UnknownField);

    // Delete.
    assert_eq!(keys::delete("apizero").unwrap(), 1);
    assert_eq!(keys::delete("nowapi").unwrap(), 2);
    assert_eq!(keys::delete("apizero").unwrap(), 0);
    let st = keys::status();
    assert!(st.fields.iter().all(|f| f.source == Source::Missing));
    let _ = std::fs::remove_dir_all(&dir);
}
