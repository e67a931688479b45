//! The app's non-secret settings as the window sees them, kept in the core's settings file
//! (`idcheck::settings`: platform config dir, `IDCHECK_CONFIG_DIR` relocates it). The idle
//! clear time has no core field and rides in the file's extra fields. The operator and the
//! audit trail's retention are the core's fields, shared with the `idcheck` command.

use crate::views::UiError;
use idcheck::i18n::Lang;
use idcheck::settings as core_settings;
use std::collections::BTreeMap;

pub const OCR_PROVIDERS: &[&str] = &["local", "apizero"];
pub const TWO_FACTOR_PROVIDERS: &[&str] = &["apizero", "muzhiyun"];
pub const REGION_PROVIDERS: &[&str] = &["embedded", "apizero", "nowapi"];
pub const KEYED_PROVIDERS: &[&str] = &["apizero", "muzhiyun", "nowapi"];
const IDLE_KEY: &str = "idle_clear_secs";

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub lang: Lang,
    /// `None`: apizero when it has a key, else the local engine.
    pub ocr: Option<String>,
    pub two_factor: String,
    pub region: String,
    pub idle_clear_secs: u32,
    pub base_urls: BTreeMap<String, String>,
    pub demo: bool,
    /// 操作员: written with every check to the audit trail.
    pub operator: Option<String>,
    /// 保留天数: the audit trail keeps checks this many days (0: forever).
    pub retention_days: u32,
}

impl Settings {
    fn from_core(s: &core_settings::Settings) -> Settings {
        Settings {
            lang: s.lang.unwrap_or_else(Lang::from_env),
            ocr: s.ocr_provider.clone(),
            two_factor: s.two_factor().to_string(),
            region: s.region().to_string(),
            idle_clear_secs: s.other.get(IDLE_KEY).and_then(|v| v.as_u64()).map_or(180, |v| v.min(86_400) as u32),
            base_urls: s.base_urls.clone(),
            demo: s.demo_mode,
            operator: s.operator().map(String::from),
            retention_days: s.retention_days(),
        }
    }

    /// The core's settings with this window's choices applied (for the vendor clients).
    pub fn to_core(&self) -> core_settings::Settings {
        let mut c = core_settings::load().unwrap_or_default();
        self.apply(&mut c);
        c
    }

    fn apply(&self, c: &mut core_settings::Settings) {
        c.lang = Some(self.lang);
        c.ocr_provider = self.ocr.clone();
        c.two_factor_provider = Some(self.two_factor.clone());
        c.region_provider = Some(self.region.clone());
        c.base_urls = self.base_urls.clone();
        c.demo_mode = self.demo;
        c.operator = self.operator.clone();
        c.retention_days = Some(self.retention_days);
        c.other.insert(IDLE_KEY.into(), serde_json::Value::from(self.idle_clear_secs));
    }
}

fn io_error(e: &dyn std::fmt::Display) -> UiError {
    let dir = core_settings::config_dir();
    UiError::new(
        "settings_io",
        format!("设置无法读写（{}）：{e}。请检查该目录的权限，或用 IDCHECK_CONFIG_DIR 指定其他目录。", dir.display()),
        format!("Settings could not be read or written ({}): {e}. Check the directory's permissions, or point IDCHECK_CONFIG_DIR elsewhere.", dir.display()),
    )
}

/// Loads the settings; an unreadable file gives the defaults and the reason (the clerk can
/// always work by hand).
pub fn load() -> (Settings, Option<UiError>) {
    match core_settings::load() {
        Ok(c) => (Settings::from_core(&c), None),
        Err(e) => (Settings::from_core(&core_settings::Settings::default()), Some(io_error(&e))),
    }
}

pub fn save(s: &Settings) -> Result<(), UiError> {
    let mut c = core_settings::load().map_err(|e| io_error(&e))?;
    s.apply(&mut c);
    core_settings::save(&c).map_err(|e| io_error(&e))
}
