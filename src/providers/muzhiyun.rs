//! 拇指云 on Alibaba Cloud Market: `sfz2 /idcard`, two-factor with birth date, sex and masked
//! address.
//!
//! Document: /work/shared/seeds 004. `GET {base}/idcard?xm=<name>&sfz=<number>` with
//! `Authorization: APPCODE <code>`. HTTP 200 + `ok: 1` is billed (match or not); HTTP 666 +
//! `ok: 0` is a failure with the reason in `msg` (not billed); HTTP 403 "Quota Exhausted" (in
//! the gateway's `X-Ca-Error-Message` header or the body) means the purchased calls are used
//! up. The gateway's other answers (401 bad AppCode, 403 throttled) are mapped too. The
//! document states no QPS; 5/s is assumed, like apizero's two-factor.
//!
//! The name and number travel in the query string because the document says so; the URL is
//! never logged and never appears in an error.

use super::http::{self, BaseUrl};
use super::{normalise as norm, ClientConfig, ErrorKind, KeyField, ProviderError, TwoFactor, TwoFactorResult, Vendor, Verdict};
use crate::i18n::Msg;
use crate::secret::Sensitive;
use serde_json::Value;
use std::sync::Arc;

pub const ID: &str = "muzhiyun";
pub const DEFAULT_BASE_URL: &str = "https://sfz2.market.alicloudapi.com";
/// Not documented; assumed.
pub const QPS: u32 = 5;

pub static VENDOR: Vendor = Vendor {
    id: ID,
    name: ("拇指云", "Muzhiyun"),
    key_fields: &[KeyField { field: "appcode", env: "IDCHECK_MUZHIYUN_APPCODE", label: ("AppCode", "AppCode") }],
    default_base_url: Some(DEFAULT_BASE_URL),
    url_env: Some("IDCHECK_MUZHIYUN_URL"),
    ocr: None,
    two_factor: Some(|c| Ok(Arc::new(Muzhiyun::new(c)?))),
    region: None,
};

pub struct Muzhiyun {
    base: BaseUrl,
    appcode: Option<Sensitive<String>>,
    client: reqwest::Client,
}

impl Muzhiyun {
    pub fn new(cfg: ClientConfig) -> Result<Muzhiyun, ProviderError> {
        Ok(Muzhiyun { base: BaseUrl::parse(ID, &cfg.base_url)?, appcode: cfg.require(ID, "appcode").ok().cloned(), client: http::client(ID, cfg.timeouts)? })
    }
}

#[async_trait::async_trait]
impl TwoFactor for Muzhiyun {
    fn id(&self) -> &'static str {
        ID
    }

    async fn verify(&self, name: &str, number: &str) -> Result<TwoFactorResult, ProviderError> {
        let number = super::require_valid_number(ID, number)?;
        let name = name.trim();
        super::guard::check_name(ID, name)?;
        let appcode = self.appcode.as_ref().ok_or_else(|| ClientConfig::new("").require(ID, "appcode").expect_err("an empty config has no key"))?;
        super::limit::shared("muzhiyun/idcard", self.base.as_str(), QPS).acquire().await;
        let req = self
            .client
            .get(self.base.join("/idcard"))
            .query(&[("xm", name), ("sfz", number.as_str())])
            .header(reqwest::header::AUTHORIZATION, sensitive_header(&format!("APPCODE {}", appcode.expose()))?);
        let reply = http::send(ID, req).await.map_err(|e| {
            let maybe = !http::never_sent(&e) && matches!(e.kind, ErrorKind::Timeout | ErrorKind::Network);
            e.billed(maybe)
        })?;
        let request_id = reply.header("x-ca-request-id");
        let ca_error = reply.header("x-ca-error-message").unwrap_or_default();
        let v: Option<Value> = serde_json::from_slice(&reply.body).ok().filter(Value::is_object);
        let msg = v.as_ref().and_then(|v| v.get("msg")).and_then(Value::as_str).unwrap_or("").to_string();
        let ok = v.as_ref().and_then(|v| v.get("ok")).and_then(|o| o.as_i64().or_else(|| o.as_str()?.parse().ok()));
        let body_text = String::from_utf8_lossy(&reply.body).into_owned();
        let err = |kind: ErrorKind| ProviderError::new(ID, kind).with_status(reply.status).with_request_id(request_id.clone());

        match reply.status {
            200..=299 => {}
            666 => return Err(failed(&msg, ok).with_status(666).with_request_id(request_id)),
            403 if ca_error.contains("Quota Exhausted") || body_text.contains("Quota Exhausted") => {
                return Err(err(ErrorKind::Quota).with_code("403 Quota Exhausted").with_message(Msg::new(
                    "拇指云的购买次数已用完。请到阿里云市场续费后再试",
                    "The purchased 拇指云 calls are used up. Renew at Alibaba Cloud Market, then try again",
                )))
            }
            403 | 429 if ca_error.contains("Throttled") || reply.status == 429 => {
                return Err(err(ErrorKind::RateLimited).with_code(format!("{} {ca_error}", reply.status).trim().to_string()))
            }
            401 | 403 => {
                let kind = if ca_error.contains("Unauthorized") && reply.status == 403 { ErrorKind::NotEnabled } else { ErrorKind::Auth };
                return Err(err(kind).with_code(format!("{} {ca_error}", reply.status).trim().to_string()));
            }
            s => return Err(err(http::kind_for_status(s)).with_code(format!("http {s}"))),
        }
        let Some(v) = v else {
            return Err(err(ErrorKind::Malformed).billed(true));
        };
        if ok != Some(1) {
            // HTTP 200 with ok 0: the document says failures come with 666, but treat the body
            // the same way.
            return Err(failed(&msg, ok).with_status(reply.status).with_request_id(request_id));
        }
        let matched = v.get("match").and_then(Value::as_bool);
        let verdict = if msg.contains("查无记录") {
            Verdict::NoRecord
        } else if msg.contains("不匹配") || matched == Some(false) {
            Verdict::Mismatch
        } else if matched == Some(true) {
            Verdict::Match
        } else {
            return Err(err(ErrorKind::Malformed).billed(true));
        };
        let s = |k: &str| norm::text(v.get(k).and_then(Value::as_str));
        Ok(TwoFactorResult {
            provider: ID,
            verdict,
            vendor_message: norm::text(Some(&msg)),
            vendor_code: None,
            birthday: s("birthday"),
            sex: s("sex").and_then(|x| norm::sex(&x)),
            address_masked: s("address"),
            request_id,
            reused: false,
        })
    }
}

/// `ok: 0` (HTTP 666): the reason is in `msg`; nothing was billed.
fn failed(msg: &str, ok: Option<i64>) -> ProviderError {
    let kind = if msg.contains("已停用") {
        ErrorKind::NotEnabled
    } else if msg.contains("非法来源") {
        ErrorKind::Other
    } else {
        ErrorKind::InvalidInput
    };
    let base = ProviderError::new(ID, kind).with_code(format!("ok {}", ok.map(|o| o.to_string()).unwrap_or_else(|| "?".into())));
    let base = if kind == ErrorKind::InvalidInput {
        base.with_message(Msg::new(
            "拇指云拒绝了输入（未计费）。请按服务商的说明核对姓名和号码",
            "拇指云 refused the input (not billed). Check the name and number as the vendor says",
        ))
    } else {
        base
    };
    base.with_vendor_text(msg.trim_end_matches("key"))
}

fn sensitive_header(v: &str) -> Result<reqwest::header::HeaderValue, ProviderError> {
    let mut h = reqwest::header::HeaderValue::from_str(v).map_err(|_| {
        ProviderError::new(ID, ErrorKind::Auth)
            .with_message(Msg::new("AppCode 含有非法字符。请重新填写", "The AppCode contains characters that cannot be sent. Enter it again"))
    })?;
    h.set_sensitive(true);
    Ok(h)
}
