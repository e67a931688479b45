//! The app's non-secret settings: language, provider per job, base-URL overrides, idle clear,
//! demo mode. Stored as JSON in the config directory (`IDCHECK_CONFIG_DIR` relocates it).
//!
//! ADAPTER: a thin stand-in until the core's settings module is available to the shell; the
//! file format is plain JSON so the core can take it over.

use idcheck::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const OCR_PROVIDERS: &[&str] = &["local", "apizero"];
pub const TWO_FACTOR_PROVIDERS: &[&str] = &["apizero", "muzhiyun"];
pub const REGION_PROVIDERS: &[&str] = &["embedded", "apizero", "nowapi"];
pub const KEYED_PROVIDERS: &[&str] = &["apizero", "muzhiyun", "nowapi"];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    pub lang: Lang,
    /// `None`: apizero when it has a key, else the local engine.
    pub ocr: Option<String>,
    pub two_factor: String,
    pub region: String,
    pub idle_clear_secs: u32,
    /// Base-URL overrides per provider (advanced).
    pub base_urls: BTreeMap<String, String>,
    pub demo: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::from_env(),
            ocr: None,
            two_factor: "apizero".into(),
            region: "embedded".into(),
            idle_clear_secs: 180,
            base_urls: BTreeMap::new(),
            demo: false,
        }
    }
}

/// The config directory: `IDCHECK_CONFIG_DIR`, else the platform's (`~/.config/idcheck`).
pub fn config_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("IDCHECK_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    dirs::config_dir().unwrap_or_else(std::env::temp_dir).join("idcheck")
}

fn file() -> PathBuf {
    config_dir().join("settings.json")
}

/// Loads the settings; a missing or unreadable file gives the defaults (never an error at
/// start: the clerk can always work by hand).
pub fn load() -> Settings {
    std::fs::read(file()).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

pub fn save(s: &Settings) -> Result<(), crate::views::UiError> {
    let dir = config_dir();
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join("settings.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(s).expect("settings serialise"))?;
        std::fs::rename(&tmp, file())
    };
    write().map_err(|e| {
        crate::views::UiError::new(
            "settings_io",
            format!("设置无法保存到 {}：{e}。请检查该目录的写权限（或用 IDCHECK_CONFIG_DIR 指定其他目录）。", dir.display()),
            format!("Settings could not be saved to {}: {e}. Check that the directory is writable (or point IDCHECK_CONFIG_DIR elsewhere).", dir.display()),
        )
    })
}
