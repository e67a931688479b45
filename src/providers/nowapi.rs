//! NowAPI (k780): `idcard.get`, region, birth date, sex, postal and area code of a number.
//!
//! Document: /work/shared/seeds 001. Sent as the document's own PHP sample does: POST to the
//! HTTPS host with an `application/x-www-form-urlencoded` body holding `app=idcard.get`,
//! `idcard`, `appkey`, `sign` and `format=json` (so neither the keys nor the number end up in
//! a URL). `success: "1"` carries `result.status` (ALREADY_ATT, WAIT_PROCESS, NOT_ATT,
//! WRONG_IDCARD); `success: "0"` is a system-level error with `msgid` and `msg`. The document
//! states no QPS; 10/s is assumed.

use super::http::{self, BaseUrl};
use super::{normalise as norm, ClientConfig, ErrorKind, KeyField, Place, ProviderError, Region, RegionResult, Vendor};
use crate::i18n::Msg;
use crate::secret::Sensitive;
use serde_json::Value;
use std::sync::Arc;

pub const ID: &str = "nowapi";
pub const DEFAULT_BASE_URL: &str = "https://sapi.k780.com";
/// Not documented; assumed.
pub const QPS: u32 = 10;

pub static VENDOR: Vendor = Vendor {
    id: ID,
    name: ("NowAPI", "NowAPI"),
    key_fields: &[
        KeyField { field: "appkey", env: "IDCHECK_NOWAPI_APPKEY", label: ("AppKey", "appkey") },
        KeyField { field: "sign", env: "IDCHECK_NOWAPI_SIGN", label: ("Sign（32 位密文）", "sign (32 hex digits)") },
    ],
    default_base_url: Some(DEFAULT_BASE_URL),
    url_env: Some("IDCHECK_NOWAPI_URL"),
    ocr: None,
    two_factor: None,
    region: Some(|c| Ok(Arc::new(Nowapi::new(c)?))),
};

pub struct Nowapi {
    base: BaseUrl,
    appkey: Option<Sensitive<String>>,
    sign: Option<Sensitive<String>>,
    client: reqwest::Client,
}

impl Nowapi {
    pub fn new(cfg: ClientConfig) -> Result<Nowapi, ProviderError> {
        Ok(Nowapi {
            base: BaseUrl::parse(ID, &cfg.base_url)?,
            appkey: cfg.require(ID, "appkey").ok().cloned(),
            sign: cfg.require(ID, "sign").ok().cloned(),
            client: http::client(ID, cfg.timeouts)?,
        })
    }
}

fn missing(field: &'static str) -> ProviderError {
    ClientConfig::new("").require(ID, field).expect_err("an empty config has no key")
}

#[async_trait::async_trait]
impl Region for Nowapi {
    fn id(&self) -> &'static str {
        ID
    }

    async fn region(&self, number: &str) -> Result<RegionResult, ProviderError> {
        // Billed per call: only a number that passes local validation is sent.
        let number = super::require_valid_number(ID, number)?;
        let appkey = self.appkey.as_ref().ok_or_else(|| missing("appkey"))?;
        let sign = self.sign.as_ref().ok_or_else(|| missing("sign"))?;
        let form =
            [("app", "idcard.get"), ("idcard", number.as_str()), ("appkey", appkey.expose().as_str()), ("sign", sign.expose().as_str()), ("format", "json")];
        super::limit::shared("nowapi/idcard.get", self.base.as_str(), QPS).acquire().await;
        let reply = http::send(ID, self.client.post(self.base.join("/")).form(&form)).await?;
        let v: Option<Value> = serde_json::from_slice(&reply.body).ok();
        let ok_status = (200..300).contains(&reply.status);
        let Some(v) = v.filter(Value::is_object) else {
            let kind = if ok_status { ErrorKind::Malformed } else { http::kind_for_status(reply.status) };
            return Err(ProviderError::new(ID, kind).with_status(reply.status).with_code(format!("http {}", reply.status)));
        };
        let success = v.get("success").and_then(|s| s.as_str().map(str::to_string).or_else(|| s.as_i64().map(|n| n.to_string())));
        if !ok_status && success.as_deref() != Some("0") {
            return Err(ProviderError::new(ID, http::kind_for_status(reply.status)).with_status(reply.status));
        }
        match success.as_deref() {
            Some("1") => {}
            Some("0") => {
                let msgid = v.get("msgid").and_then(|m| m.as_str().map(str::to_string).or_else(|| m.as_i64().map(|n| n.to_string())));
                let msg = v.get("msg").and_then(Value::as_str).unwrap_or("");
                let kind = if reply.status == 429 { ErrorKind::RateLimited } else { system_kind(msg) };
                return Err(ProviderError::new(ID, kind)
                    .with_code(msgid.unwrap_or_else(|| "success 0".into()))
                    .with_status(reply.status)
                    .with_vendor_text(msg));
            }
            _ => return Err(ProviderError::new(ID, ErrorKind::Malformed).with_status(reply.status)),
        }
        let r = v.get("result").cloned().unwrap_or(Value::Null);
        let s = |k: &str| norm::text(r.get(k).and_then(Value::as_str));
        let status = s("status").unwrap_or_default();
        let vendor_msg = s("msg").unwrap_or_default();
        match status.as_str() {
            "ALREADY_ATT" => {}
            "WAIT_PROCESS" => return Err(ProviderError::new(ID, ErrorKind::Pending).with_code(status).with_vendor_text(&vendor_msg)),
            "NOT_ATT" => {
                return Err(ProviderError::new(ID, ErrorKind::NotFound)
                    .with_message(Msg::new(
                        "NowAPI 没有这个号码的归属地信息。可改用内置地区库查询",
                        "NowAPI has no region for this number. Try the built-in region table instead",
                    ))
                    .with_code(status)
                    .with_vendor_text(&vendor_msg))
            }
            "WRONG_IDCARD" => {
                return Err(ProviderError::new(ID, ErrorKind::InvalidInput)
                    .with_message(Msg::new(
                        "NowAPI 认为身份证号码不正确（含校验失败）。请核对号码",
                        "NowAPI says the ID number is wrong (incl. a failed check). Check the number",
                    ))
                    .with_code(status)
                    .with_vendor_text(&vendor_msg))
            }
            "" => return Err(ProviderError::new(ID, ErrorKind::Malformed).with_status(reply.status)),
            other => return Err(ProviderError::new(ID, ErrorKind::Other).with_code(other).with_vendor_text(&vendor_msg)),
        }
        let par = s("par").unwrap_or_else(|| number[..6].to_string());
        let parts: Vec<String> = s("att").unwrap_or_default().split_whitespace().map(str::to_string).collect();
        let city_level = par.ends_with("00");
        let place = |name: &String, code: Option<String>| Place { code, name: name.clone() };
        let (province, city, district) = match parts.as_slice() {
            [] => (None, None, None),
            [p] => (Some(place(p, None)), None, None),
            [p, x] if city_level => (Some(place(p, None)), Some(place(x, Some(par.clone()))), None),
            [p, x] => (Some(place(p, None)), None, Some(place(x, Some(par.clone())))),
            [p, c, d, ..] => (Some(place(p, None)), Some(place(c, None)), Some(place(d, Some(par.clone())))),
        };
        Ok(RegionResult {
            provider: ID,
            code: number[..6].to_string(),
            full_name: parts.join(" "),
            province,
            city,
            district,
            postal_code: s("postno"),
            area_code: s("areano"),
            birth: s("born").and_then(|b| norm::date(&b)),
            sex: s("sex").and_then(|x| norm::sex(&x)),
            ..Default::default()
        })
    }
}

/// NowAPI's system-level errors carry free text; the words decide the kind.
fn system_kind(msg: &str) -> ErrorKind {
    let m = msg.to_ascii_lowercase();
    if m.contains("appkey") || m.contains("sign") || msg.contains("签名") || msg.contains("密钥") {
        ErrorKind::Auth
    } else if msg.contains("频繁") || m.contains("qps") || m.contains("frequen") {
        ErrorKind::RateLimited
    } else if msg.contains("次数") || msg.contains("配额") || msg.contains("余额") || msg.contains("欠费") || m.contains("quota") {
        ErrorKind::Quota
    } else if msg.contains("未开通") || msg.contains("未授权") || msg.contains("无权") {
        ErrorKind::NotEnabled
    } else if msg.contains("繁忙") || msg.contains("维护") {
        ErrorKind::Upstream
    } else {
        ErrorKind::Other
    }
}
