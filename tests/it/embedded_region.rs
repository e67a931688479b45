//! The built-in region provider over `crate::region`.

use idcheck::providers::{self, ClientConfig, ErrorKind};

#[tokio::test]
async fn known_and_unknown_codes() {
    let c = providers::region("embedded", ClientConfig::new("")).unwrap();
    let r = c.region("110101199003070038").await.unwrap();
    assert_eq!(r.code, "110101");
    assert_eq!(r.province.as_ref().unwrap().name, "北京市");
    assert_eq!(r.province.as_ref().unwrap().code.as_deref(), Some("110000"));
    assert_eq!(r.district.as_ref().unwrap().name, "东城区");
    assert_eq!(r.full_name, "北京市 东城区");
    assert_eq!(r.abolished, Some(false));
    assert_eq!(c.region("110101").await.unwrap().code, "110101");
    assert_eq!(c.region("990101").await.unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(c.region("ab0101").await.unwrap_err().kind, ErrorKind::InvalidInput);
}

#[test]
fn registry_knows_every_provider_and_refuses_wrong_jobs() {
    for id in ["apizero", "nowapi", "muzhiyun", "embedded"] {
        assert!(providers::vendor(id).is_some(), "{id}");
    }
    assert_eq!(providers::two_factor("nowapi", ClientConfig::new("https://x")).err().unwrap().kind, ErrorKind::Config);
    assert_eq!(providers::ocr("muzhiyun", ClientConfig::new("https://x")).err().unwrap().kind, ErrorKind::Config);
    let e = providers::region("nope", ClientConfig::new("https://x")).err().unwrap();
    assert!(e.message.en.contains("embedded"), "{}", e.message.en);
}
