//! The fields read off a card, whoever read them (a vendor's OCR or the local engine).
//!
//! One normalised shape so the window, the command and the audit trail never care which
//! engine read the photo.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which side of the card a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// 姓名页: name, sex, ethnicity, birth, address, number.
    Front,
    /// 国徽页: issuing authority and validity period.
    Back,
}

/// Normalised card fields. Every field is optional: a photo of the back has no name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CardFields {
    pub side: Option<Side>,
    pub name: Option<String>,
    /// The ID number as read (not yet validated; run it through [`crate::id::check`]).
    pub number: Option<String>,
    /// 男 / 女 as printed.
    pub sex: Option<String>,
    /// 民族 without the 族 suffix, as printed: 汉, 回, 维吾尔.
    pub ethnicity: Option<String>,
    /// Birth date as YYYY-MM-DD.
    pub birth: Option<String>,
    pub address: Option<String>,
    pub issued_by: Option<String>,
    /// Validity start as YYYY-MM-DD.
    pub valid_from: Option<String>,
    /// Validity end as YYYY-MM-DD, or `长期` for a card without end.
    pub valid_until: Option<String>,
    /// Confidence in 0..=1 per field name (`name`, `number`, ...), where the engine gives one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub confidence: BTreeMap<String, f32>,
    /// The card is a 临时居民身份证 (temporary resident ID card, valid three months at most):
    /// its title was read. Vendors' readings leave it false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub temporary: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}
