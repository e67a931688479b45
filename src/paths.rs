//! Where this installation keeps its things: the config directory (settings, audit trail) and
//! the keychain service its secrets live under. A leaf: it depends on nothing else in the
//! crate, so settings, keys and the trail can all ask it without depending on each other.
//!
//! `IDCHECK_CONFIG_DIR` relocates the directory, and the keychain service follows it
//! (`idcheck:<hash of the directory>`), so tests and second installations never touch a
//! user's real settings or keys.

use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// One installation's place: its config directory and its keychain service. The faces build
/// it once ([`Namespace::from_env`]) and pass it in; tests build their own ([`Namespace::at`])
/// and so never touch a user's settings or keys, nor need to change the process environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub dir: PathBuf,
    pub keychain_service: String,
}

impl Namespace {
    /// This process's namespace: `IDCHECK_CONFIG_DIR` or the platform's config directory.
    pub fn from_env() -> Namespace {
        Namespace { dir: config_dir(), keychain_service: keychain_service() }
    }

    /// A namespace of its own in `dir`, with a keychain service derived from the directory.
    pub fn at(dir: impl Into<PathBuf>) -> Namespace {
        let dir = dir.into();
        Namespace { keychain_service: service_for(&dir), dir }
    }
}

fn service_for(dir: &std::path::Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let h = Sha256::digest(abs.to_string_lossy().as_bytes());
    let hex: String = h[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("idcheck:{hex}")
}

/// Where settings live: `IDCHECK_CONFIG_DIR`, else the platform config dir + `idcheck`.
pub fn config_dir() -> PathBuf {
    if let Some(d) = relocated_dir() {
        return d;
    }
    dirs::config_dir().unwrap_or_else(|| PathBuf::from(".config")).join("idcheck")
}

/// The relocated config dir, if `IDCHECK_CONFIG_DIR` is set.
pub fn relocated_dir() -> Option<PathBuf> {
    std::env::var_os("IDCHECK_CONFIG_DIR").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The keychain service name: `idcheck`, or `idcheck:<16 hex digits of the relocated config
/// dir's path hash>`.
pub fn keychain_service() -> String {
    match relocated_dir() {
        None => "idcheck".to_string(),
        Some(dir) => service_for(&dir),
    }
}
