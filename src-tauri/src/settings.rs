//! The app's non-secret settings as the window sees them: a view of the desk's settings file
//! (`idcheck::settings`). The idle clear time has no core field and rides in the file's extra
//! fields; everything else is the core's, shared with the `idcheck` command.

use idcheck::i18n::Lang;
use idcheck::settings as core_settings;
use std::collections::BTreeMap;

pub use idcheck::desk::{KEYED_PROVIDERS, OCR_PROVIDERS, REGION_PROVIDERS, TWO_FACTOR_PROVIDERS};
pub const IDLE_KEY: &str = "idle_clear_secs";

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub lang: Lang,
    /// The OCR provider: `local` unless a vendor was chosen.
    pub ocr: String,
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
    pub fn from_core(s: &core_settings::Settings) -> Settings {
        Settings {
            lang: s.lang.unwrap_or_else(Lang::from_env),
            ocr: s.ocr().to_string(),
            two_factor: s.two_factor().to_string(),
            region: s.region().to_string(),
            idle_clear_secs: s.other.get(IDLE_KEY).and_then(|v| v.as_u64()).map_or(180, |v| v.min(86_400) as u32),
            base_urls: s.base_urls.clone(),
            demo: s.demo_mode,
            operator: s.operator().map(String::from),
            retention_days: s.retention_days(),
        }
    }
}
