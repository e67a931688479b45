//! Non-secret settings: provider per job, base URL overrides, demo mode, language, operator,
//! retention of the audit trail.
//!
//! Stored as JSON in the platform config dir (`$XDG_CONFIG_HOME/idcheck`, `~/.config/idcheck`;
//! the macOS / Windows equivalents through `dirs`). `IDCHECK_CONFIG_DIR` relocates it, and the
//! keychain service name follows it (see [`crate::keys`]) so tests and second installations
//! never touch a user's real keys. Secrets never live here.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const FILE_NAME: &str = "settings.json";

/// How many days the audit trail keeps a check unless the settings say otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

/// The settings file's content. Unknown fields are kept and written back untouched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Provider id for OCR (`apizero`, later `local`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr_provider: Option<String>,
    /// Provider id for two-factor (`apizero`, `muzhiyun`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_factor_provider: Option<String>,
    /// Provider id for region (`embedded`, `apizero`, `nowapi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_provider: Option<String>,
    /// Base URL per provider id, overriding the documented host.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub base_urls: BTreeMap<String, String>,
    #[serde(default)]
    pub demo_mode: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// Who works at this desk (操作员), written with every check to the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Days the audit trail keeps a check (保留天数); 0 keeps everything. Default 180.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// The team trail's PostgreSQL URL (团队数据库), without its password (that stays in the
    /// keychain). `IDCHECK_TEAM_URL` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_url: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

pub use crate::paths::{config_dir, relocated_dir};

pub fn path() -> PathBuf {
    config_dir().join(FILE_NAME)
}

/// A settings file that could not be read or written.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsError {
    pub message: Msg,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)
    }
}

impl std::error::Error for SettingsError {}

/// Reads the settings; a missing file gives the defaults.
pub fn load() -> Result<Settings, SettingsError> {
    load_in(&config_dir())
}

/// [`load`] from the directory `dir`.
pub fn load_in(dir: &std::path::Path) -> Result<Settings, SettingsError> {
    let p = dir.join(FILE_NAME);
    match std::fs::read(&p) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| SettingsError {
            message: Msg::new(
                format!("设置文件 {} 格式有误（{e}）。请修正或删除该文件（删除后恢复默认设置）", p.display()),
                format!("The settings file {} is malformed ({e}). Fix or delete it (deleting restores the defaults)", p.display()),
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(SettingsError {
            message: Msg::new(
                format!("无法读取设置文件 {}（{e}）。请检查文件权限", p.display()),
                format!("Cannot read the settings file {} ({e}). Check its permissions", p.display()),
            ),
        }),
    }
}

/// Writes the settings atomically (temporary file + rename), creating the directory.
pub fn save(s: &Settings) -> Result<(), SettingsError> {
    save_in(&config_dir(), s)
}

/// [`save`] into the directory `dir`.
pub fn save_in(dir: &std::path::Path, s: &Settings) -> Result<(), SettingsError> {
    let dir = dir.to_path_buf();
    let fail = |e: std::io::Error| SettingsError {
        message: Msg::new(
            format!("无法保存设置到 {}（{e}）。请检查目录权限和磁盘空间", dir.display()),
            format!("Cannot save the settings to {} ({e}). Check the directory's permissions and free space", dir.display()),
        ),
    };
    create_private_dir(&dir).map_err(fail)?;
    let tmp = dir.join(format!(".{FILE_NAME}.tmp"));
    let json = serde_json::to_vec_pretty(s).expect("settings serialise");
    std::fs::write(&tmp, json).map_err(fail)?;
    std::fs::rename(&tmp, dir.join(FILE_NAME)).map_err(fail)
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

impl Settings {
    /// The base URL for a provider: its environment variable, else the settings file, else
    /// the documented host. `None` for providers without one (`embedded`).
    pub fn base_url(&self, provider: &str) -> Option<String> {
        let v = crate::providers::vendor(provider)?;
        if let Some(env) = v.url_env {
            if let Ok(u) = std::env::var(env) {
                if !u.trim().is_empty() {
                    return Some(u);
                }
            }
        }
        if let Some(u) = self.base_urls.get(provider).filter(|u| !u.trim().is_empty()) {
            return Some(u.clone());
        }
        v.default_base_url.map(str::to_string)
    }

    /// The OCR provider: the one chosen, else `local` (本机识别: no key, the photo stays here).
    pub fn ocr(&self) -> &str {
        self.ocr_provider.as_deref().unwrap_or("local")
    }
    pub fn two_factor(&self) -> &str {
        self.two_factor_provider.as_deref().unwrap_or("apizero")
    }
    pub fn region(&self) -> &str {
        self.region_provider.as_deref().unwrap_or("embedded")
    }

    /// The operator's name, if one is set (blank counts as none).
    pub fn operator(&self) -> Option<&str> {
        self.operator.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// How many days the audit trail keeps checks (0: forever).
    pub fn retention_days(&self) -> u32 {
        self.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS)
    }
}
