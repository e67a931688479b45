//! Vendor keys in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) through `keyring`.
//!
//! Keys are stored as `<provider>.<field>` under the service `idcheck` (or `idcheck:<hash of
//! the config dir>` when `IDCHECK_CONFIG_DIR` relocates the settings, so tests never touch a
//! user's keys). Without a usable keychain nothing is stored anywhere else: the user is told
//! so, and scripts may supply keys through environment variables instead
//! (`IDCHECK_APIZERO_KEY`, `IDCHECK_NOWAPI_APPKEY` + `IDCHECK_NOWAPI_SIGN`,
//! `IDCHECK_MUZHIYUN_APPCODE`). Nothing here returns a key to a caller outside the crate.

use crate::i18n::Msg;
use crate::paths::Namespace;
use crate::providers::{self, KeyField, Vendor};
use crate::secret::Sensitive;
use serde::Serialize;

/// Why a key operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyErrorKind {
    /// No usable keychain (no Secret Service, locked, refused).
    NoKeychain,
    UnknownProvider,
    UnknownField,
    Empty,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyError {
    pub kind: KeyErrorKind,
    pub message: Msg,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)
    }
}

impl std::error::Error for KeyError {}

fn no_keychain(detail: &str) -> KeyError {
    KeyError {
        kind: KeyErrorKind::NoKeychain,
        message: Msg::new(
            format!(
                "无法使用系统钥匙串（{detail}），密钥没有保存到任何地方。请启动并解锁钥匙串服务（如 GNOME Keyring 或 KWallet）后再试；脚本中可改用环境变量（如 IDCHECK_APIZERO_KEY）提供密钥"
            ),
            format!(
                "The system keychain is not usable ({detail}); the key was stored nowhere. Start and unlock a keychain service (GNOME Keyring, KWallet) and try again; scripts may supply keys through environment variables (IDCHECK_APIZERO_KEY, ...) instead"
            ),
        ),
    }
}

fn map_err(e: keyring::Error) -> KeyError {
    match e {
        keyring::Error::NoStorageAccess(_) => no_keychain("no storage access"),
        keyring::Error::PlatformFailure(_) => no_keychain("platform failure"),
        keyring::Error::Invalid(..) | keyring::Error::TooLong(..) => KeyError {
            kind: KeyErrorKind::Empty,
            message: Msg::new("钥匙串拒绝了这个密钥（过长或含非法字符）", "The keychain refused this key (too long or invalid)"),
        },
        _ => no_keychain("unexpected keychain error"),
    }
}

pub use crate::paths::keychain_service as service_name;

fn lookup(provider: &str, field: &str) -> Result<(&'static Vendor, &'static KeyField), KeyError> {
    let v = providers::vendor(provider).filter(|v| !v.key_fields.is_empty()).ok_or_else(|| {
        let list: Vec<&str> = providers::VENDORS.iter().filter(|v| !v.key_fields.is_empty()).map(|v| v.id).collect();
        KeyError {
            kind: KeyErrorKind::UnknownProvider,
            message: Msg::new(
                format!("没有需要密钥的服务商“{provider}”。可选：{}", list.join(", ")),
                format!("No provider `{provider}` takes keys. Choose one of: {}", list.join(", ")),
            ),
        }
    })?;
    let f = v.key_fields.iter().find(|f| f.field == field).ok_or_else(|| {
        let list: Vec<&str> = v.key_fields.iter().map(|f| f.field).collect();
        KeyError {
            kind: KeyErrorKind::UnknownField,
            message: Msg::new(
                format!("{provider} 没有“{field}”这一项。可选：{}", list.join(", ")),
                format!("{provider} has no field `{field}`. Choose one of: {}", list.join(", ")),
            ),
        }
    })?;
    Ok((v, f))
}

fn entry(service: &str, provider: &str, field: &str) -> Result<keyring::Entry, KeyError> {
    keyring::Entry::new(service, &format!("{provider}.{field}")).map_err(map_err)
}

/// Stores one secret in the keychain.
pub fn set(provider: &str, field: &str, value: Sensitive<String>) -> Result<(), KeyError> {
    set_in(&Namespace::from_env(), provider, field, value)
}

/// [`set`] in the keychain service of `ns`.
pub fn set_in(ns: &Namespace, provider: &str, field: &str, value: Sensitive<String>) -> Result<(), KeyError> {
    lookup(provider, field)?;
    let v = value.expose().trim();
    if v.is_empty() {
        return Err(KeyError {
            kind: KeyErrorKind::Empty,
            message: Msg::new("密钥为空，未保存。请粘贴服务商控制台中的密钥", "The key is empty and was not saved. Paste the key from the vendor's console"),
        });
    }
    entry(&ns.keychain_service, provider, field)?.set_password(v).map_err(map_err)
}

/// Deletes every secret of a provider; returns how many were there.
pub fn delete(provider: &str) -> Result<usize, KeyError> {
    delete_in(&Namespace::from_env(), provider)
}

/// [`delete`] in the keychain service of `ns`.
pub fn delete_in(ns: &Namespace, provider: &str) -> Result<usize, KeyError> {
    let v = providers::vendor(provider).ok_or_else(|| lookup(provider, "").unwrap_err())?;
    let mut n = 0;
    for f in v.key_fields {
        match entry(&ns.keychain_service, provider, f.field)?.delete_credential() {
            Ok(()) => n += 1,
            Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(map_err(e)),
        }
    }
    Ok(n)
}

/// Where a configured secret comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Keychain,
    Environment,
    Missing,
}

/// One provider field's state. Never carries the key.
#[derive(Debug, Clone, Serialize)]
pub struct FieldStatus {
    pub provider: &'static str,
    pub field: &'static str,
    pub env: &'static str,
    pub source: Source,
}

/// The state of the keychain and of every provider field.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub service: String,
    /// `None` when the keychain answered; the bilingual reason otherwise.
    pub keychain_error: Option<Msg>,
    pub fields: Vec<FieldStatus>,
}

/// Which provider fields are configured, and from where. Never returns a key.
pub fn status() -> Status {
    status_in(&Namespace::from_env())
}

/// [`status`] in the keychain service of `ns`.
pub fn status_in(ns: &Namespace) -> Status {
    let mut keychain_error = None;
    let mut fields = Vec::new();
    for v in providers::VENDORS {
        for f in v.key_fields {
            let source = if env_value(f).is_some() {
                Source::Environment
            } else {
                match keychain_value(&ns.keychain_service, v.id, f.field) {
                    Ok(Some(_)) => Source::Keychain,
                    Ok(None) => Source::Missing,
                    Err(e) => {
                        keychain_error.get_or_insert(e.message);
                        Source::Missing
                    }
                }
            };
            fields.push(FieldStatus { provider: v.id, field: f.field, env: f.env, source });
        }
    }
    Status { service: ns.keychain_service.clone(), keychain_error, fields }
}

fn env_value(f: &KeyField) -> Option<Sensitive<String>> {
    std::env::var(f.env).ok().filter(|v| !v.trim().is_empty()).map(Sensitive::new)
}

fn keychain_value(service: &str, provider: &str, field: &str) -> Result<Option<Sensitive<String>>, KeyError> {
    match entry(service, provider, field)?.get_password() {
        Ok(v) => Ok(Some(Sensitive::new(v))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(map_err(e)),
    }
}

/// One secret for a client: the environment variable if set, else the keychain.
pub(crate) fn get(ns: &Namespace, provider: &str, field: &str) -> Result<Option<Sensitive<String>>, KeyError> {
    let (_, f) = lookup(provider, field)?;
    if let Some(v) = env_value(f) {
        return Ok(Some(v));
    }
    keychain_value(&ns.keychain_service, provider, field)
}
