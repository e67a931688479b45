//! Bilingual messages.
//!
//! Every message a user can see exists in Chinese and English; the face (window or command)
//! picks one. Keeping both in one value means errors can be serialised once and shown in
//! whichever language the user switches to later.

use serde::Serialize;
use std::fmt;

/// The two languages of the app. Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the language from the environment (`LC_ALL`, `LC_MESSAGES`, `LANG`): Chinese
    /// unless the locale says otherwise.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if v.is_empty() {
                    continue;
                }
                return if v.starts_with("zh") || v == "C" || v == "POSIX" || v.starts_with("C.") { Lang::Zh } else { Lang::En };
            }
        }
        Lang::Zh
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "chinese" => Some(Lang::Zh),
            "en" | "en-us" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A user-facing message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Msg {
        Msg { zh: zh.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Msg {
    /// Displays the Chinese text followed by the English one; faces that know the user's
    /// language call [`Msg::get`] instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.zh, self.en)
    }
}
