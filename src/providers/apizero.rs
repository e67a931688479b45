//! 极数本源 (apizero): `ocr-idcard`, `idcard-2c` and `idcard-region`.
//!
//! Documents: /work/shared/seeds 003 (OCR), 002 (two-factor), 000 (region). All three take the
//! key as `Authorization: Bearer <key>` (the documents' auth sections; their samples' X-Api-Key
//! and `key=` in the URL are not used). Replies are `{"code", "msg", "data", "request_id"}`;
//! an error may come as HTTP 200 with a non-zero `code` or as an HTTP error status, and both
//! are handled. QPS: OCR 2/s, two-factor 5/s, region 10/s.

use super::http::{self, BaseUrl};
use super::{
    normalise as norm, ClientConfig, ErrorKind, KeyField, Ocr, Place, ProviderError, Region, RegionResult, TwoFactor, TwoFactorResult, Vendor, Verdict,
};
use crate::card::{CardFields, Side};
use crate::i18n::Msg;
use crate::secret::Sensitive;
use base64::Engine;
use serde_json::{json, Value};
use std::sync::Arc;

pub const ID: &str = "apizero";
pub const DEFAULT_BASE_URL: &str = "https://v1.apizero.cn";

pub static VENDOR: Vendor = Vendor {
    id: ID,
    name: ("极数本源", "apizero"),
    key_fields: &[KeyField { field: "key", env: "IDCHECK_APIZERO_KEY", label: ("API Key", "API key") }],
    default_base_url: Some(DEFAULT_BASE_URL),
    url_env: Some("IDCHECK_APIZERO_URL"),
    ocr: Some(|c| Ok(Arc::new(Apizero::new(c)?))),
    two_factor: Some(|c| Ok(Arc::new(Apizero::new(c)?))),
    region: Some(|c| Ok(Arc::new(Apizero::new(c)?))),
};

/// The three documented services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Ocr,
    TwoFactor,
    Region,
}

impl Service {
    fn path(self) -> &'static str {
        match self {
            Service::Ocr => "/api/ocr-idcard",
            Service::TwoFactor => "/api/idcard-2c",
            Service::Region => "/api/idcard-region",
        }
    }
    fn qps(self) -> u32 {
        match self {
            Service::Ocr => 2,
            Service::TwoFactor => 5,
            Service::Region => 10,
        }
    }
}

/// Largest base64 payload the OCR document allows.
pub const MAX_OCR_BASE64: usize = 10 * 1024 * 1024;

pub struct Apizero {
    base: BaseUrl,
    key: Option<Sensitive<String>>,
    client: reqwest::Client,
}

impl Apizero {
    pub fn new(cfg: ClientConfig) -> Result<Apizero, ProviderError> {
        Ok(Apizero { base: BaseUrl::parse(ID, &cfg.base_url)?, key: cfg.require(ID, "key").ok().cloned(), client: http::client(ID, cfg.timeouts)? })
    }

    fn key(&self) -> Result<&Sensitive<String>, ProviderError> {
        self.key.as_ref().ok_or_else(|| ClientConfig::new("").require(ID, "key").expect_err("an empty config has no key"))
    }

    /// Sends one request and returns `data` and the request id, or the normalised error.
    async fn call(&self, service: Service, req: reqwest::RequestBuilder) -> Result<(Value, Option<String>), ProviderError> {
        let key = self.key()?;
        super::limit::shared(&format!("{ID}{}", service.path()), self.base.as_str(), service.qps()).acquire().await;
        let billed = service == Service::TwoFactor;
        let reply = http::send(ID, req.bearer_auth(key.expose())).await.map_err(|e| {
            let maybe = billed && !http::never_sent(&e) && matches!(e.kind, ErrorKind::Timeout | ErrorKind::Network);
            e.billed(maybe)
        })?;
        let v: Option<Value> = serde_json::from_slice(&reply.body).ok();
        let request_id = v
            .as_ref()
            .and_then(|v| v.get("request_id"))
            .and_then(|r| r.as_str().map(str::to_string).or_else(|| r.as_i64().map(|n| n.to_string())))
            .or_else(|| reply.header("x-request-id"));
        let code = v.as_ref().and_then(|v| v.get("code")).and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()));
        let ok_status = (200..300).contains(&reply.status);
        match (ok_status, code) {
            (true, Some(0)) => {
                let data = v.as_ref().and_then(|v| v.get("data")).cloned().unwrap_or(Value::Null);
                if !data.is_object() {
                    return Err(malformed(reply.status, request_id));
                }
                Ok((data, request_id))
            }
            (_, Some(code)) if code != 0 => {
                let msg = v.as_ref().and_then(|v| v.get("msg")).and_then(Value::as_str).unwrap_or("");
                Err(map_code(service, code, msg, reply.status).with_request_id(request_id))
            }
            (false, _) => Err(ProviderError::new(ID, http::kind_for_status(reply.status))
                .with_status(reply.status)
                .with_code(format!("http {}", reply.status))
                .with_request_id(request_id)),
            (true, _) => Err(malformed(reply.status, request_id)),
        }
    }
}

fn malformed(status: u16, request_id: Option<String>) -> ProviderError {
    ProviderError::new(ID, ErrorKind::Malformed).with_status(status).with_request_id(request_id)
}

/// The documented codes (and plausible auth / rate codes) onto kinds.
fn map_code(service: Service, code: i64, msg: &str, status: u16) -> ProviderError {
    let kind = match code {
        4000 if msg.contains("未找到") => ErrorKind::NotFound,
        4000 => ErrorKind::InvalidInput,
        4022 | 402 => ErrorKind::Quota,
        5020 => ErrorKind::Upstream,
        5021 if service == Service::Ocr => ErrorKind::Unrecognisable,
        5021 => ErrorKind::Upstream,
        5030 => ErrorKind::NotEnabled,
        401 | 403 | 4010 | 4011 | 4030 | 4031 => ErrorKind::Auth,
        429 | 4029 | 4290 => ErrorKind::RateLimited,
        _ if status == 429 => ErrorKind::RateLimited,
        _ if status == 401 || status == 403 => ErrorKind::Auth,
        _ if status >= 500 => ErrorKind::Upstream,
        _ => ErrorKind::Other,
    };
    let mut e = ProviderError::new(ID, kind).with_code(code.to_string()).with_status(status);
    if kind == ErrorKind::InvalidInput && service == Service::Ocr {
        e = e.with_message(Msg::new(
            "服务商拒绝了图片参数。请换一张 JPG 或 PNG 照片（不超过 7.5 MB）再试",
            "The vendor refused the image parameters. Try another JPG or PNG photo (at most 7.5 MB)",
        ));
    }
    if kind == ErrorKind::Upstream && code == 5021 {
        e = e.with_message(Msg::new(
            "核验服务的上游返回了异常格式。请稍后再试；持续出现请联系服务商并提供请求编号",
            "The verification upstream returned a malformed answer. Try again later; if it persists, contact the vendor with the request id",
        ));
    }
    e.with_vendor_text(msg)
}

#[async_trait::async_trait]
impl Ocr for Apizero {
    fn id(&self) -> &'static str {
        ID
    }

    async fn read(&self, jpeg: &[u8]) -> Result<CardFields, ProviderError> {
        let is_image = jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) || jpeg.starts_with(b"\x89PNG\r\n\x1a\n");
        if !is_image {
            return Err(ProviderError::new(ID, ErrorKind::InvalidInput).with_message(Msg::new(
                "只能发送 JPG 或 PNG 图片，未发送。请换一张照片",
                "Only JPG or PNG images can be sent; nothing was sent. Use another photo",
            )));
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(jpeg);
        if b64.len() > MAX_OCR_BASE64 {
            return Err(ProviderError::new(ID, ErrorKind::InvalidInput).with_message(Msg::new(
                "图片过大（编码后超过 10 MB），未发送。请缩小或压缩后再试",
                "The image is too large (over 10 MB encoded) and was not sent. Shrink or compress it and try again",
            )));
        }
        let req = self.client.post(self.base.join(Service::Ocr.path())).json(&json!({"input_type": "base64", "input_data": b64}));
        let (data, _rid) = self.call(Service::Ocr, req).await?;
        Ok(card_fields(&data))
    }
}

/// Maps `data` of an OCR reply onto [`CardFields`].
pub fn card_fields(d: &Value) -> CardFields {
    let s = |k: &str| norm::text(d.get(k).and_then(Value::as_str));
    let number = s("identity_code").map(|n| n.to_ascii_uppercase());
    let issued_by = s("issued_by");
    let side = match d.get("side").and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok())) {
        Some(1) => Some(Side::Front),
        Some(0) => Some(Side::Back),
        _ if number.is_some() => Some(Side::Front),
        _ if issued_by.is_some() => Some(Side::Back),
        _ => None,
    };
    CardFields {
        side,
        name: s("identity_name"),
        number,
        sex: s("gender").and_then(|x| norm::sex(&x)),
        ethnicity: s("race").and_then(|x| norm::ethnicity(&x)),
        birth: s("birth").and_then(|x| norm::date(&x)),
        address: s("address"),
        issued_by,
        valid_from: s("valid_date_start").and_then(|x| norm::date(&x)),
        valid_until: s("valid_date_end").and_then(|x| norm::date(&x)),
        confidence: Default::default(),
        temporary: false,
    }
}

#[async_trait::async_trait]
impl TwoFactor for Apizero {
    fn id(&self) -> &'static str {
        ID
    }

    async fn verify(&self, name: &str, number: &str) -> Result<TwoFactorResult, ProviderError> {
        let number = super::require_valid_number(ID, number)?;
        super::guard::check_name(ID, name.trim())?;
        let req = self.client.post(self.base.join(Service::TwoFactor.path())).json(&json!({"name": name.trim(), "idcard": number}));
        let (data, request_id) = self.call(Service::TwoFactor, req).await?;
        let rc = data.get("result_code").and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()));
        let verdict = match (rc, data.get("valid").and_then(Value::as_bool)) {
            (Some(100), _) => Verdict::Match,
            (Some(101), _) => Verdict::Mismatch,
            (Some(102), _) => Verdict::NoRecord,
            (None, Some(true)) => Verdict::Match,
            (None, Some(false)) => Verdict::Mismatch,
            _ => return Err(malformed(200, request_id).with_code(rc.map(|c| c.to_string()).unwrap_or_default()).billed(true)),
        };
        Ok(TwoFactorResult {
            provider: ID,
            verdict,
            vendor_message: norm::text(data.get("message").and_then(Value::as_str)),
            vendor_code: rc.map(|c| c.to_string()),
            birthday: None,
            sex: None,
            address_masked: None,
            request_id,
            reused: false,
        })
    }
}

#[async_trait::async_trait]
impl Region for Apizero {
    fn id(&self) -> &'static str {
        ID
    }

    /// Sends only the first six digits: the document accepts them and the rest of the number
    /// tells the vendor nothing it needs.
    async fn region(&self, number: &str) -> Result<RegionResult, ProviderError> {
        let code = six_digits(ID, number)?;
        let req = self.client.get(self.base.join(Service::Region.path())).query(&[("idcard", code.as_str())]);
        let (data, request_id) = self.call(Service::Region, req).await?;
        let place = |k: &str| {
            let p = data.get(k)?;
            let name = norm::text(p.get("name").and_then(Value::as_str))?;
            Some(Place { code: norm::text(p.get("code").and_then(Value::as_str)), name })
        };
        let (province, city, district) = (place("province"), place("city"), place("district"));
        if province.is_none() {
            return Err(malformed(200, request_id));
        }
        Ok(RegionResult { provider: ID, code, full_name: full_name([&province, &city, &district]), province, city, district, request_id, ..Default::default() })
    }
}

/// The six-digit region code of a number or code; refuses anything else before sending.
pub fn six_digits(provider: &'static str, input: &str) -> Result<String, ProviderError> {
    let t = input.trim();
    let ok = matches!(t.len(), 6 | 15 | 18) && t.bytes().take(6).all(|b| b.is_ascii_digit()) && t.is_ascii();
    if !ok {
        return Err(ProviderError::new(provider, ErrorKind::InvalidInput)
            .with_message(Msg::new("请输入 6 位地区代码或 15/18 位身份证号码", "Enter a 6-digit region code or a 15/18-digit ID number")));
    }
    Ok(t[..6].to_string())
}

/// `北京市 北京市 东城区` → `北京市 东城区`.
pub fn full_name(levels: [&Option<Place>; 3]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for p in levels.into_iter().flatten() {
        if out.last() != Some(&p.name.as_str()) && !p.name.is_empty() {
            out.push(&p.name);
        }
    }
    out.join(" ")
}
