//! API keys: the OS keychain (Secret Service on Linux), or the environment for scripts.
//!
//! ADAPTER: a thin stand-in until the core's keys module is available to the shell. Keys
//! never leave Rust: the page learns only "configured / not configured".

use crate::views::UiError;
use idcheck::secret::Sensitive;

const SERVICE: &str = "idcheck";

/// The key fields of a provider and the environment variable of each.
pub fn fields(provider: &str) -> &'static [(&'static str, &'static str)] {
    match provider {
        "apizero" => &[("key", "IDCHECK_APIZERO_KEY")],
        "nowapi" => &[("appkey", "IDCHECK_NOWAPI_APPKEY"), ("sign", "IDCHECK_NOWAPI_SIGN")],
        "muzhiyun" => &[("appcode", "IDCHECK_MUZHIYUN_APPCODE")],
        _ => &[],
    }
}

fn entry(provider: &str, field: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(SERVICE, &format!("{provider}.{field}"))
}

fn unavailable(e: &keyring::Error) -> UiError {
    let _ = e; // the platform's text may name the key's entry; keep it out of the UI
    UiError::new(
        "no_keychain",
        "系统钥匙串不可用，密钥无法保存。请登录桌面会话并解锁钥匙串（GNOME 密钥环 / KWallet），或改用环境变量（如 IDCHECK_APIZERO_KEY）。",
        "No system keychain is available, so the key cannot be saved. Log in to a desktop session and unlock the keychain (GNOME Keyring / KWallet), or use environment variables (e.g. IDCHECK_APIZERO_KEY).",
    )
}

/// Whether a keychain answers at all.
pub fn keychain_available() -> Result<(), UiError> {
    match entry("probe", "probe").and_then(|e| e.get_password()) {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(&e)),
    }
}

/// Where a provider's keys come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Env,
    Keychain,
    None,
}

/// One key field: the environment first (scripts, CI), then the keychain.
pub fn get(provider: &str, field: &str) -> Option<(Sensitive<String>, Source)> {
    let env = fields(provider).iter().find(|(f, _)| *f == field)?.1;
    if let Ok(v) = std::env::var(env) {
        if !v.trim().is_empty() {
            return Some((Sensitive::new(v), Source::Env));
        }
    }
    match entry(provider, field).and_then(|e| e.get_password()) {
        Ok(v) if !v.is_empty() => Some((Sensitive::new(v), Source::Keychain)),
        _ => None,
    }
}

/// One key field from the keychain only (not the environment).
pub fn keychain_get(provider: &str, field: &str) -> Option<Sensitive<String>> {
    entry(provider, field).and_then(|e| e.get_password()).ok().map(Sensitive::new)
}

/// Whether every key field of a provider is present, and where from.
pub fn status(provider: &str) -> Source {
    let mut src = Source::None;
    for (f, _) in fields(provider) {
        match get(provider, f) {
            None => return Source::None,
            Some((_, s)) => {
                if src != Source::Env {
                    src = s;
                }
            }
        }
    }
    src
}

pub fn set(provider: &str, field: &str, value: &Sensitive<String>) -> Result<(), UiError> {
    entry(provider, field).and_then(|e| e.set_password(value.expose())).map_err(|e| unavailable(&e))
}

pub fn delete(provider: &str) -> Result<(), UiError> {
    for (f, _) in fields(provider) {
        match entry(provider, f).and_then(|e| e.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(unavailable(&e)),
        }
    }
    Ok(())
}
