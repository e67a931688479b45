//! API keys through the core's keys module (the same code as `idcheck key`): the OS keychain,
//! or the environment for scripts. Keys never leave Rust: the page learns only "configured /
//! not configured" and where from.

use crate::views::UiError;
use idcheck::keys as core_keys;
use idcheck::secret::Sensitive;

fn ui(e: core_keys::KeyError) -> UiError {
    let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    UiError { kind, message: e.message, provider: None, vendor_code: None, request_id: None }
}

/// The key fields of a provider, in order.
pub fn fields(provider: &str) -> Vec<&'static str> {
    idcheck::providers::vendor(provider).map(|v| v.key_fields.iter().map(|f| f.field).collect()).unwrap_or_default()
}

/// Whether a keychain answers at all; the reason if not.
pub fn keychain_available() -> Result<(), UiError> {
    match core_keys::status().keychain_error {
        None => Ok(()),
        Some(m) => Err(UiError { kind: "no_keychain".into(), message: m, provider: None, vendor_code: None, request_id: None }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Env,
    Keychain,
    None,
}

/// Whether every key field of every provider is present, and where from, in one pass.
pub fn statuses() -> std::collections::BTreeMap<&'static str, Source> {
    let mut out = std::collections::BTreeMap::new();
    for f in core_keys::status().fields {
        let s = match f.source {
            core_keys::Source::Environment => Source::Env,
            core_keys::Source::Keychain => Source::Keychain,
            core_keys::Source::Missing => Source::None,
        };
        let e = out.entry(f.provider).or_insert(s);
        *e = match (*e, s) {
            (Source::None, _) | (_, Source::None) => Source::None,
            (Source::Env, _) | (_, Source::Env) => Source::Env,
            _ => Source::Keychain,
        };
    }
    out
}

pub fn status(provider: &str) -> Source {
    statuses().get(provider).copied().unwrap_or(Source::None)
}

pub fn set(provider: &str, field: &str, value: Sensitive<String>) -> Result<(), UiError> {
    core_keys::set(provider, field, value).map_err(ui)
}

pub fn delete(provider: &str) -> Result<(), UiError> {
    core_keys::delete(provider).map(|_| ()).map_err(ui)
}
