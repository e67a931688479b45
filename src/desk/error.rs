//! The one error type of the desk, and so of the window: what went wrong in both languages,
//! what to do next, and what a vendor's support desk needs. Every error the core raises is
//! turned into it here, in one place, so the page and the command see the same shape.

use crate::i18n::Msg;
use serde::Serialize;

/// A failure as the faces report it. `kind` is a stable word (`consent`, `invalid_number`,
/// `auth`, `network`, ...) the page may branch on; `message` is for the person.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeskError {
    pub kind: String,
    pub message: Msg,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl DeskError {
    pub fn new(kind: &str, zh: impl Into<String>, en: impl Into<String>) -> DeskError {
        DeskError::from_msg(kind, Msg::new(zh, en))
    }

    pub fn from_msg(kind: &str, message: Msg) -> DeskError {
        DeskError { kind: kind.into(), message, provider: None, vendor_code: None, request_id: None }
    }

    /// An argument that is not what the action accepts.
    pub fn bad_input(what: &str) -> DeskError {
        DeskError::new("bad_input", format!("输入无效：{what}。请检查后重试。"), format!("Invalid input: {what}. Check it and try again."))
    }

    pub fn cancelled() -> DeskError {
        DeskError::new("cancelled", "已取消。", "Cancelled.")
    }

    pub fn internal() -> DeskError {
        DeskError::new(
            "internal",
            "内部错误：任务意外中止。请重试；持续出现请重启本程序。",
            "Internal error: the task stopped unexpectedly. Try again; if it persists, restart the app.",
        )
    }

    pub fn with_provider(mut self, provider: &str) -> DeskError {
        self.provider = Some(provider.to_string());
        self
    }
}

impl std::fmt::Display for DeskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)?;
        if let Some(c) = &self.vendor_code {
            write!(f, " [{c}]")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " [request id {r}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for DeskError {}

/// The snake_case word serde gives a unit enum variant.
fn word<T: Serialize>(kind: &T) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

impl From<crate::providers::ProviderError> for DeskError {
    fn from(e: crate::providers::ProviderError) -> DeskError {
        DeskError { kind: word(&e.kind), message: e.message, provider: Some(e.provider.to_string()), vendor_code: e.vendor_code, request_id: e.request_id }
    }
}

impl From<crate::keys::KeyError> for DeskError {
    fn from(e: crate::keys::KeyError) -> DeskError {
        DeskError::from_msg(&word(&e.kind), e.message)
    }
}

impl From<crate::audit::AuditError> for DeskError {
    fn from(e: crate::audit::AuditError) -> DeskError {
        DeskError::from_msg("audit", e.message().clone())
    }
}

impl From<crate::settings::SettingsError> for DeskError {
    fn from(e: crate::settings::SettingsError) -> DeskError {
        DeskError::from_msg("settings_io", e.message)
    }
}

impl From<crate::image_prep::ImageError> for DeskError {
    fn from(e: crate::image_prep::ImageError) -> DeskError {
        DeskError::from_msg(&word(&e.kind), e.message)
    }
}

impl From<crate::batch::BatchError> for DeskError {
    fn from(e: crate::batch::BatchError) -> DeskError {
        DeskError::from_msg("batch", e.message().clone())
    }
}

impl From<crate::batch::InputError> for DeskError {
    fn from(e: crate::batch::InputError) -> DeskError {
        DeskError::from_msg("batch_input", e.0)
    }
}

impl From<crate::team::TeamError> for DeskError {
    fn from(e: crate::team::TeamError) -> DeskError {
        DeskError::from_msg(&format!("team_{}", word(&e.kind)), e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{ErrorKind, ProviderError};
    use serde_json::json;

    #[test]
    fn a_plain_error_serialises_without_empty_fields() {
        let e = DeskError::new("consent", "须授权", "Needs consent");
        assert_eq!(serde_json::to_value(&e).unwrap(), json!({"kind": "consent", "message": {"zh": "须授权", "en": "Needs consent"}}));
    }

    #[test]
    fn a_vendor_error_keeps_its_kind_provider_code_and_request_id() {
        let p = ProviderError::new("apizero", ErrorKind::Quota).with_code("4022").with_request_id(Some("req-1".into()));
        let v = serde_json::to_value(DeskError::from(p)).unwrap();
        assert_eq!(v["kind"], "quota");
        assert_eq!(v["provider"], "apizero");
        assert_eq!(v["vendor_code"], "4022");
        assert_eq!(v["request_id"], "req-1");
        assert!(v["message"]["zh"].as_str().unwrap().contains("余额"));
        assert!(v["message"]["en"].as_str().unwrap().contains("balance"));
    }

    #[test]
    fn key_and_settings_errors_keep_their_kind_and_message() {
        let k = crate::keys::KeyError { kind: crate::keys::KeyErrorKind::NoKeychain, message: Msg::new("无钥匙串", "no keychain") };
        let v = serde_json::to_value(DeskError::from(k)).unwrap();
        assert_eq!(v["kind"], "no_keychain");
        assert_eq!(v["message"]["en"], "no keychain");
        let s = crate::settings::SettingsError { message: Msg::new("坏", "bad") };
        assert_eq!(serde_json::to_value(DeskError::from(s)).unwrap()["kind"], "settings_io");
    }
}
