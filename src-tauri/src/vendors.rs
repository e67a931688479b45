//! The shell's one door into the core's vendor clients: builds the client of a job's
//! configured provider with its base URL and keys (the core's keys module: environment, then
//! keychain) or, in demo mode, with the in-process fakes' addresses and keys.

use crate::settings::Settings;
use crate::state::Demo;
use crate::views::UiError;
use idcheck::providers::{self, ClientConfig};
use std::sync::Arc;

/// The client configuration of a provider, keys included (never leaves Rust).
pub fn config(provider: &str, settings: &Settings, demo: Option<&Demo>) -> Result<ClientConfig, UiError> {
    if let Some(d) = demo {
        let mut cfg = ClientConfig::new(d.url(provider).unwrap_or_default());
        if let Some(v) = providers::vendor(provider) {
            for kf in v.key_fields {
                if let Some(k) = d.key(provider, kf.field) {
                    cfg = cfg.key(kf.field, k);
                }
            }
        }
        return Ok(cfg);
    }
    idcheck::keys::client_config(provider, &settings.to_core()).map_err(|e| UiError {
        kind: "keys".into(),
        message: e.message,
        provider: Some(provider.to_string()),
        vendor_code: None,
        request_id: None,
    })
}

/// Whether a provider can be used now (keys present, or demo).
pub fn configured(provider: &str, demo: Option<&Demo>) -> bool {
    if provider == "local" || provider == "embedded" {
        return true;
    }
    demo.is_some() || crate::keys::status(provider) != crate::keys::Source::None
}

/// The two-factor client of `provider`, or why it cannot be used now (no key, no demo).
pub fn two_factor(provider: &str, s: &Settings, demo: Option<&Demo>) -> Result<Arc<dyn providers::TwoFactor>, UiError> {
    if !configured(provider, demo) {
        return Err(UiError::new(
            "not_configured",
            "未配置核验服务：请在“设置”里填写密钥，或打开演示模式。",
            "No checking service configured: add a key in Settings, or turn on demo mode.",
        ));
    }
    Ok(providers::two_factor(provider, config(provider, s, demo)?)?)
}

pub fn region(s: &Settings, demo: Option<&Demo>) -> Result<Arc<dyn providers::Region>, UiError> {
    region_of(&s.region, s, demo)
}

pub fn region_of(id: &str, s: &Settings, demo: Option<&Demo>) -> Result<Arc<dyn providers::Region>, UiError> {
    Ok(providers::region(id, config(id, s, demo)?)?)
}

pub fn ocr(id: &str, s: &Settings, demo: Option<&Demo>) -> Result<Arc<dyn providers::Ocr>, UiError> {
    Ok(providers::ocr(id, config(id, s, demo)?)?)
}
