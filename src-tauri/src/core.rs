//! The shell's one door into the core's vendor clients: builds a client for the configured
//! provider of a job with its base URL and keys (from the keychain, the environment, or the
//! demo fakes) and maps results to views.

use crate::keys;
use crate::settings::Settings;
use crate::state::Demo;
use crate::views::UiError;
use crate::pending::providers::{self, ClientConfig};

/// Where a provider's requests go: demo fakes, a settings override, the environment, or the
/// vendor's documented address.
fn base_url(provider: &str, settings: &Settings, demo: Option<&Demo>) -> Option<String> {
    if let Some(d) = demo {
        return d.url(provider);
    }
    if let Some(u) = settings.base_urls.get(provider).filter(|u| !u.trim().is_empty()) {
        return Some(u.trim().to_string());
    }
    let v = providers::vendor(provider)?;
    if let Some(env) = v.url_env {
        if let Ok(u) = std::env::var(env) {
            if !u.trim().is_empty() {
                return Some(u);
            }
        }
    }
    v.default_base_url.map(str::to_string)
}

/// The client configuration of a provider, keys included (never leaves Rust).
pub fn config(provider: &str, settings: &Settings, demo: Option<&Demo>) -> ClientConfig {
    let mut cfg = ClientConfig::new(base_url(provider, settings, demo).unwrap_or_default());
    if let Some(v) = providers::vendor(provider) {
        for kf in v.key_fields {
            let value = match demo {
                Some(d) => d.key(provider, kf.field).map(str::to_string),
                None => keys::get(provider, kf.field).map(|(s, _)| s.into_inner()),
            };
            if let Some(value) = value {
                cfg = cfg.key(kf.field, &value);
            }
        }
    }
    cfg
}

/// Whether a provider can be used now (keys present, or demo).
pub fn configured(provider: &str, demo: Option<&Demo>) -> bool {
    if provider == "local" || provider == "embedded" {
        return true;
    }
    demo.is_some() || keys::status(provider) != keys::Source::None
}

pub fn two_factor(s: &Settings, demo: Option<&Demo>) -> Result<std::sync::Arc<dyn providers::TwoFactor>, UiError> {
    Ok(providers::two_factor(&s.two_factor, config(&s.two_factor, s, demo))?)
}

pub fn region(s: &Settings, demo: Option<&Demo>) -> Result<std::sync::Arc<dyn providers::Region>, UiError> {
    region_of(&s.region, s, demo)
}

pub fn region_of(id: &str, s: &Settings, demo: Option<&Demo>) -> Result<std::sync::Arc<dyn providers::Region>, UiError> {
    Ok(providers::region(id, config(id, s, demo))?)
}

pub fn ocr(id: &str, s: &Settings, demo: Option<&Demo>) -> Result<std::sync::Arc<dyn providers::Ocr>, UiError> {
    Ok(providers::ocr(id, config(id, s, demo))?)
}
