//! TEMPORARY: the surface of the core's vendor clients and of the fakes that the shell uses,
//! until they land on main. Every call says "not available in this build".

pub mod providers {
    pub use idcheck::providers::*;
    use crate::views::UiError;
    use std::sync::Arc;

    pub struct KeyField { pub field: &'static str }
    pub struct Vendor { pub url_env: Option<&'static str>, pub default_base_url: Option<&'static str>, pub key_fields: &'static [KeyField] }
    pub fn vendor(_id: &str) -> Option<&'static Vendor> { None }

    #[derive(Clone)]
    pub struct ClientConfig { pub base_url: String }
    impl ClientConfig {
        pub fn new(base_url: String) -> Self { ClientConfig { base_url } }
        pub fn key(self, _f: &str, _v: &str) -> Self { self }
        pub fn require(&self, _p: &str, _f: &str) -> Result<(), UiError> { Err(na()) }
    }
    pub struct TwoFactorResult { pub provider: &'static str, pub verdict: Verdict, pub request_id: Option<String>, pub reused: bool, pub birthday: Option<String>, pub sex: Option<String>, pub address_masked: Option<String> }
    pub struct RegionResult { pub full_name: String }
    pub trait Ocr: Send + Sync { fn read<'a>(&'a self, jpeg: &'a [u8]) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<idcheck::card::CardFields, ProviderError>> + Send + 'a>>; }
    pub trait TwoFactor: Send + Sync { fn verify<'a>(&'a self, name: &'a str, number: &'a str) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<TwoFactorResult, ProviderError>> + Send + 'a>>; }
    pub trait Region: Send + Sync { fn region<'a>(&'a self, number: &'a str) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RegionResult, ProviderError>> + Send + 'a>>; }
    fn na() -> UiError { UiError::new("unavailable", "此版本尚未包含在线服务。", "Online services are not in this build yet.") }
    pub fn two_factor(_id: &str, _c: ClientConfig) -> Result<Arc<dyn TwoFactor>, UiError> { Err(na()) }
    pub fn region(_id: &str, _c: ClientConfig) -> Result<Arc<dyn Region>, UiError> { Err(na()) }
    pub fn ocr(_id: &str, _c: ClientConfig) -> Result<Arc<dyn Ocr>, UiError> { Err(na()) }
    pub trait VerdictMsg { fn message(self) -> idcheck::i18n::Msg; }
    impl VerdictMsg for Verdict { fn message(self) -> idcheck::i18n::Msg { idcheck::i18n::Msg::new("", "") } }
}

pub mod fake {
    pub struct FakeServices;
    #[derive(Default)]
    pub struct FakeConfig;
    pub enum Vendor { Apizero, Nowapi, Muzhiyun }
    impl FakeServices {
        pub fn start_background(_c: FakeConfig) -> std::io::Result<FakeServices> { Err(std::io::Error::other("the fakes are not in this build yet")) }
        pub fn base_url(&self, _v: Vendor) -> String { String::new() }
    }
    pub const APIZERO_KEY: &str = "";
    pub const NOWAPI_APPKEY: &str = "";
    pub const NOWAPI_SIGN: &str = "";
    pub const MUZHIYUN_APPCODE: &str = "";
}
