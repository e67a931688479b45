//! Helpers shared by the provider tests: a fake per test and client configs pointing at it.
#![allow(dead_code)]

use idcheck::providers::http::Timeouts;
use idcheck::providers::ClientConfig;
use idcheck_fake::{FakeConfig, FakeServices, Vendor};
use std::time::Duration;

pub async fn fake() -> FakeServices {
    FakeServices::start(FakeConfig::default()).await.expect("fake services start")
}

pub async fn fake_with_qps(endpoint: idcheck_fake::Endpoint, qps: u32) -> FakeServices {
    let mut cfg = FakeConfig::default();
    cfg.qps.insert(endpoint, qps);
    FakeServices::start(cfg).await.expect("fake services start")
}

pub fn apizero(f: &FakeServices) -> ClientConfig {
    ClientConfig::new(f.base_url(Vendor::Apizero)).key("key", idcheck_fake::APIZERO_KEY)
}

pub fn nowapi(f: &FakeServices) -> ClientConfig {
    ClientConfig::new(f.base_url(Vendor::Nowapi)).key("appkey", idcheck_fake::NOWAPI_APPKEY).key("sign", idcheck_fake::NOWAPI_SIGN)
}

pub fn muzhiyun(f: &FakeServices) -> ClientConfig {
    ClientConfig::new(f.base_url(Vendor::Muzhiyun)).key("appcode", idcheck_fake::MUZHIYUN_APPCODE)
}

/// Short timeouts for the fault tests.
pub fn quick(cfg: ClientConfig) -> ClientConfig {
    cfg.timeouts(Timeouts { connect: Duration::from_millis(500), total: Duration::from_millis(400) })
}

/// A tiny JPEG header followed by filler: enough for the fake, which checks the magic bytes.
pub fn jpeg() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0];
    v.extend(std::iter::repeat_n(0x42, 2000));
    v
}

pub fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(std::iter::repeat_n(0x42, 2000));
    v
}
