//! The built-in region table as a region provider: offline, free, no key.
//!
//! It answers from [`crate::region::lookup`] with the names a code has today (or had last, for
//! an abolished code) and the years it stood in the lists.

use super::{ClientConfig, ErrorKind, Place, ProviderError, Region, RegionResult, Vendor};
use crate::i18n::Msg;
use std::sync::Arc;

pub const ID: &str = "embedded";

pub static VENDOR: Vendor = Vendor {
    id: ID,
    name: ("内置地区库", "built-in region table"),
    key_fields: &[],
    default_base_url: None,
    url_env: None,
    ocr: None,
    two_factor: None,
    region: Some(|_c: ClientConfig| Ok(Arc::new(Embedded))),
};

/// The built-in table.
pub struct Embedded;

#[async_trait::async_trait]
impl Region for Embedded {
    fn id(&self) -> &'static str {
        ID
    }

    async fn region(&self, number: &str) -> Result<RegionResult, ProviderError> {
        let code = super::apizero::six_digits(ID, number)?;
        let n: u32 = code.parse().expect("six ASCII digits");
        let Some(entry) = crate::region::lookup(n) else {
            return Err(ProviderError::new(ID, ErrorKind::NotFound).with_message(Msg::new(
                format!("内置地区库中没有代码 {code}。请核对号码前 6 位"),
                format!("The built-in region table has no code {code}. Check the first six digits"),
            )));
        };
        let names = entry.current();
        let level = |c: String, name: &str| (!name.is_empty()).then(|| Place { code: Some(c), name: name.to_string() });
        let province = level(format!("{}0000", &code[..2]), names.province);
        let city = level(format!("{}00", &code[..4]), names.city);
        let district = level(code.clone(), names.district);
        Ok(RegionResult {
            provider: ID,
            full_name: super::apizero::full_name([&province, &city, &district]),
            code,
            province,
            city,
            district,
            abolished: Some(entry.abolished()),
            since: Some(entry.since()),
            until: entry.until(),
            ..Default::default()
        })
    }
}
