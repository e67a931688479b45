//! Vendor services behind one trait per job: OCR, two-factor, region.
//!
//! Each vendor lives in its own module with the same small shape: its [`Vendor`] description
//! (id, key fields, base URL), its requests, and the mapping of its replies onto the shared
//! types here. [`VENDORS`] is the registry: adding a vendor touches its module and one line.
//! Everything money-related for two-factor (local validation, reuse of earlier verdicts,
//! single-flight) sits in [`guard`], wrapped around whichever vendor is chosen.

use crate::card::CardFields;
use crate::i18n::Msg;
use crate::secret::Sensitive;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

pub mod apizero;
pub mod embedded;
pub mod guard;
pub mod http;
pub mod limit;
pub mod local;
pub mod muzhiyun;
pub mod normalise;
pub mod nowapi;

/// The answer of a two-factor (二要素) check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 一致
    Match,
    /// 不一致
    Mismatch,
    /// 库中无此号
    NoRecord,
}

impl Verdict {
    pub fn message(self) -> Msg {
        match self {
            Verdict::Match => Msg::new("一致：姓名与身份证号码相符", "Match: the name and the number belong together"),
            Verdict::Mismatch => Msg::new(
                "不一致：姓名与身份证号码不符。请核对姓名和号码，再请持证人出示证件原件",
                "Mismatch: the name does not go with this number. Check both, then ask the holder for the original card",
            ),
            Verdict::NoRecord => Msg::new(
                "查无记录：权威库中没有这个号码。请核对号码；号码无误时请持证人到公安机关核实",
                "No record: the authority database has no such number. Check the number; if it is right, refer the holder to the police",
            ),
        }
    }
}

/// What went wrong talking to a vendor, normalised across vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No key configured, or the vendor rejected it.
    Auth,
    /// Balance or quota exhausted.
    Quota,
    /// Over the vendor's QPS.
    RateLimited,
    /// The vendor refused the input (bad number, bad name, bad image parameters).
    InvalidInput,
    /// The vendor could not read the image.
    Unrecognisable,
    /// The service is not enabled for this account.
    NotEnabled,
    /// The vendor or its upstream is down.
    Upstream,
    /// No answer in time.
    Timeout,
    /// The request could not be sent (DNS, connection refused, TLS).
    Network,
    /// The reply was not what the document describes, or too large.
    Malformed,
    /// The vendor has no data for this input (no region for this prefix).
    NotFound,
    /// The vendor is still processing and asks to try again later (NowAPI WAIT_PROCESS).
    Pending,
    /// Our own configuration is unusable (a plain-HTTP base URL, an unknown provider).
    Config,
    /// Anything else the vendor said.
    Other,
}

/// A normalised vendor error: what happened, in both languages, what to do next, and what a
/// vendor's support desk needs (its code and request id).
#[derive(Debug, Clone, Serialize)]
pub struct ProviderError {
    pub kind: ErrorKind,
    /// The provider id (`apizero`, `nowapi`, `muzhiyun`, `local`, `embedded`).
    pub provider: &'static str,
    pub message: Msg,
    /// The vendor's own code (`4022`, `666`, `WRONG_IDCARD`), if any.
    pub vendor_code: Option<String>,
    pub request_id: Option<String>,
    /// HTTP status, if a reply came.
    pub http_status: Option<u16>,
    /// Whether the vendor may have billed the call (a two-factor request that reached it).
    #[serde(default)]
    pub maybe_billed: bool,
}

impl ProviderError {
    /// An error of `kind` with the standard bilingual message for it.
    pub fn new(provider: &'static str, kind: ErrorKind) -> ProviderError {
        ProviderError { kind, provider, message: standard_message(kind), vendor_code: None, request_id: None, http_status: None, maybe_billed: false }
    }

    pub fn with_message(mut self, message: Msg) -> Self {
        self.message = message;
        self
    }

    /// Appends what the vendor said (its own words, already free of personal data) to both
    /// languages of the message.
    pub fn with_vendor_text(mut self, text: &str) -> Self {
        let text = text.trim();
        if !text.is_empty() {
            self.message.zh = format!("{}（服务商原话：{text}）", self.message.zh);
            self.message.en = format!("{} (the vendor said: {text})", self.message.en);
        }
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.vendor_code = Some(code.into());
        self
    }

    pub fn with_request_id(mut self, id: Option<String>) -> Self {
        if id.is_some() {
            self.request_id = id;
        }
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn billed(mut self, maybe: bool) -> Self {
        self.maybe_billed = maybe;
        self
    }
}

/// The standard message per kind: what happened and what to do next.
pub fn standard_message(kind: ErrorKind) -> Msg {
    match kind {
        ErrorKind::Auth => Msg::new(
            "密钥缺失或无效。请在“设置 → 服务密钥”中填写正确的密钥（命令行：idcheck key set <服务商>）",
            "The API key is missing or was rejected. Enter the right key under Settings → Service keys (command line: idcheck key set <provider>)",
        ),
        ErrorKind::Quota => Msg::new(
            "余额或调用次数已用完。请到服务商控制台充值或续费后再试",
            "The balance or quota is used up. Top up or renew at the vendor's console, then try again",
        ),
        ErrorKind::RateLimited => Msg::new(
            "请求过于频繁，超过了服务商的每秒次数限制。请稍等几秒再试",
            "Too many requests per second for this vendor. Wait a few seconds and try again",
        ),
        ErrorKind::InvalidInput => {
            Msg::new("服务商拒绝了输入。请核对姓名、号码或图片后再试", "The vendor refused the input. Check the name, the number or the image and try again")
        }
        ErrorKind::Unrecognisable => Msg::new(
            "图片无法识别。请重新拍摄清晰、完整、无反光的身份证正面或反面照片",
            "The image could not be read. Take a sharp, complete photo of the front or back of the card without glare",
        ),
        ErrorKind::NotEnabled => Msg::new(
            "该服务未开通或未配置。请在服务商控制台开通，或联系服务商管理员",
            "This service is not enabled for the account. Enable it at the vendor's console or contact the vendor",
        ),
        ErrorKind::Upstream => Msg::new(
            "服务商或其上游暂时不可用。请稍后再试；持续出现请联系服务商并提供请求编号",
            "The vendor or its upstream is unavailable. Try again later; if it persists, contact the vendor with the request id",
        ),
        ErrorKind::Timeout => Msg::new(
            "服务商没有按时应答。请检查网络后再试（二要素核验可能已计费，请先查看服务商的调用记录）",
            "The vendor did not answer in time. Check the network and try again (a two-factor check may have been billed; look at the vendor's call log first)",
        ),
        ErrorKind::Network => Msg::new(
            "无法连接服务商。请检查网络、代理和防火墙设置，以及服务地址是否正确",
            "Could not reach the vendor. Check the network, proxy and firewall, and the service address",
        ),
        ErrorKind::Malformed => Msg::new(
            "服务商的应答格式不对或过大，结果无法使用。请稍后再试；持续出现请联系服务商",
            "The vendor's reply was malformed or too large and cannot be used. Try again later; if it persists, contact the vendor",
        ),
        ErrorKind::NotFound => {
            Msg::new("服务商没有这个地区代码的数据。可改用内置地区库查询", "The vendor has no data for this region code. Try the built-in region table instead")
        }
        ErrorKind::Pending => Msg::new("服务商仍在处理（未计费）。请过一会儿再查", "The vendor is still processing (not billed). Ask again in a moment"),
        ErrorKind::Config => Msg::new(
            "服务配置无效。请检查设置中的服务商和服务地址",
            "The service configuration is unusable. Check the provider and service address in Settings",
        ),
        ErrorKind::Other => Msg::new(
            "服务商返回了错误。请稍后再试；持续出现请联系服务商并提供错误码和请求编号",
            "The vendor returned an error. Try again later; if it persists, contact the vendor with the code and request id",
        ),
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.provider, self.message)?;
        if let Some(c) = &self.vendor_code {
            write!(f, " [code {c}]")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " [request id {r}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}

// ---- results ----

/// The result of a two-factor check, with what the vendor adds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwoFactorResult {
    pub provider: &'static str,
    pub verdict: Verdict,
    /// The vendor's own words for the verdict (`一致`, `实名校验失败:身份证与姓名不匹配`).
    pub vendor_message: Option<String>,
    /// The vendor's result code (apizero `100`/`101`/`102`).
    pub vendor_code: Option<String>,
    /// Birth date as the vendor returns it (拇指云 masks it: `19****16`).
    pub birthday: Option<String>,
    pub sex: Option<String>,
    /// The region as the vendor returns it, masked (`福建省泉州市**县`).
    pub address_masked: Option<String>,
    pub request_id: Option<String>,
    /// True when this verdict was reused from an earlier identical check in this process
    /// (nothing was paid for it).
    pub reused: bool,
}

/// One level of a region (province, city, district).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub code: Option<String>,
    pub name: String,
}

/// The region of a number's first six digits, with what the vendor adds.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RegionResult {
    pub provider: &'static str,
    /// The six-digit code asked about.
    pub code: String,
    pub province: Option<Place>,
    pub city: Option<Place>,
    pub district: Option<Place>,
    /// The whole place as one line (`北京市 东城区`).
    pub full_name: String,
    pub postal_code: Option<String>,
    pub area_code: Option<String>,
    /// Birth date YYYY-MM-DD (NowAPI).
    pub birth: Option<String>,
    pub sex: Option<String>,
    /// The code is no longer in the current lists (built-in table).
    pub abolished: Option<bool>,
    /// Year range the code stood in the lists (built-in table).
    pub since: Option<u16>,
    pub until: Option<u16>,
    pub request_id: Option<String>,
}

// ---- the three jobs ----

/// Reads a card photo. Object-safe so local engines can be registered next to vendors.
#[async_trait::async_trait]
pub trait Ocr: Send + Sync {
    fn id(&self) -> &'static str;
    /// `jpeg` is the prepared image (JPEG bytes; PNG is accepted where the vendor takes it).
    async fn read(&self, jpeg: &[u8]) -> Result<CardFields, ProviderError>;
    /// Every card in the photo, each holder's front and back as one (see
    /// [`crate::card::holders`]), the first as [`Ocr::read`] would give it. Vendors' services
    /// read one card per photo.
    async fn read_all(&self, jpeg: &[u8]) -> Result<Vec<CardFields>, ProviderError> {
        Ok(vec![self.read(jpeg).await?])
    }
}

/// Checks name + number against the authority database. Billed per call.
#[async_trait::async_trait]
pub trait TwoFactor: Send + Sync {
    fn id(&self) -> &'static str;
    /// Implementations validate the number locally before sending anything.
    async fn verify(&self, name: &str, number: &str) -> Result<TwoFactorResult, ProviderError>;
}

/// Looks up the region of a number (or of a six-digit code where the provider allows it).
#[async_trait::async_trait]
pub trait Region: Send + Sync {
    fn id(&self) -> &'static str;
    async fn region(&self, number: &str) -> Result<RegionResult, ProviderError>;
}

// ---- registry ----

/// A secret a vendor needs, stored in the keychain under `<provider>.<field>`.
#[derive(Debug, Clone, Copy)]
pub struct KeyField {
    pub field: &'static str,
    /// The environment variable that may supply it instead (scripts, CI).
    pub env: &'static str,
    pub label: (&'static str, &'static str),
}

/// What a client is built from.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL (scheme + host [+ port]); the module appends the documented paths.
    pub base_url: String,
    /// Secrets by field name.
    pub keys: BTreeMap<&'static str, Sensitive<String>>,
    pub timeouts: http::Timeouts,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>) -> ClientConfig {
        ClientConfig { base_url: base_url.into(), keys: BTreeMap::new(), timeouts: http::Timeouts::default() }
    }

    pub fn key(mut self, field: &'static str, value: &str) -> ClientConfig {
        self.keys.insert(field, Sensitive::new(value.to_string()));
        self
    }

    pub fn timeouts(mut self, t: http::Timeouts) -> ClientConfig {
        self.timeouts = t;
        self
    }

    /// The secret `field`, or an `Auth` error naming what to configure.
    pub fn require(&self, provider: &'static str, field: &'static str) -> Result<&Sensitive<String>, ProviderError> {
        match self.keys.get(field) {
            Some(v) if !v.expose().trim().is_empty() => Ok(v),
            _ => Err(ProviderError::new(provider, ErrorKind::Auth).with_message(Msg::new(
                format!("尚未配置 {provider} 的 {field}。请运行 idcheck key set {provider}，或在“设置 → 服务密钥”中填写"),
                format!("No {field} configured for {provider}. Run `idcheck key set {provider}` or fill it in under Settings → Service keys"),
            ))),
        }
    }
}

type Make<T> = fn(ClientConfig) -> Result<Arc<T>, ProviderError>;

/// One vendor: its id, what it needs, and which jobs it does.
#[derive(Clone, Copy)]
pub struct Vendor {
    pub id: &'static str,
    pub name: (&'static str, &'static str),
    pub key_fields: &'static [KeyField],
    /// The documented base URL (`None` for providers that run locally).
    pub default_base_url: Option<&'static str>,
    /// The environment variable overriding the base URL.
    pub url_env: Option<&'static str>,
    pub ocr: Option<Make<dyn Ocr>>,
    pub two_factor: Option<Make<dyn TwoFactor>>,
    pub region: Option<Make<dyn Region>>,
}

impl std::fmt::Debug for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vendor").field("id", &self.id).finish_non_exhaustive()
    }
}

/// The registry. One line per vendor.
pub static VENDORS: &[&Vendor] = &[&local::VENDOR, &apizero::VENDOR, &nowapi::VENDOR, &muzhiyun::VENDOR, &embedded::VENDOR];

/// The two-factor QPS of a provider: documented by NowAPI and 拇指云; apizero's is 5.
pub fn two_factor_qps(id: &str) -> u32 {
    match id {
        "nowapi" => nowapi::QPS,
        "muzhiyun" => muzhiyun::QPS,
        _ => 5,
    }
}

/// Looks a provider up by id.
pub fn vendor(id: &str) -> Option<&'static Vendor> {
    VENDORS.iter().copied().find(|v| v.id == id)
}

/// The jobs a provider can be chosen for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Ocr,
    TwoFactor,
    Region,
}

fn unknown(id: &str, job: Job) -> ProviderError {
    let can: Vec<&str> = VENDORS
        .iter()
        .filter(|v| match job {
            Job::Ocr => v.ocr.is_some(),
            Job::TwoFactor => v.two_factor.is_some(),
            Job::Region => v.region.is_some(),
        })
        .map(|v| v.id)
        .collect();
    let list = can.join(", ");
    ProviderError::new("config", ErrorKind::Config)
        .with_message(Msg::new(format!("“{id}”不能用于这项工作。可选：{list}"), format!("`{id}` cannot do this job. Choose one of: {list}")))
}

/// Builds the OCR client of provider `id`.
pub fn ocr(id: &str, cfg: ClientConfig) -> Result<Arc<dyn Ocr>, ProviderError> {
    vendor(id).and_then(|v| v.ocr).ok_or_else(|| unknown(id, Job::Ocr))?(cfg)
}

/// Builds the two-factor client of provider `id`, wrapped in the process-wide money guard
/// (local validation, reuse of earlier verdicts, single-flight).
pub fn two_factor(id: &str, cfg: ClientConfig) -> Result<Arc<dyn TwoFactor>, ProviderError> {
    let scope = cfg.base_url.clone();
    two_factor_in(id, cfg, guard::VerdictCache::global(), &scope)
}

/// [`two_factor`] with the verdicts kept in `cache` under `scope` (the endpoint and mode the
/// answers come from).
pub fn two_factor_in(id: &str, cfg: ClientConfig, cache: Arc<guard::VerdictCache>, scope: &str) -> Result<Arc<dyn TwoFactor>, ProviderError> {
    let inner = vendor(id).and_then(|v| v.two_factor).ok_or_else(|| unknown(id, Job::TwoFactor))?(cfg)?;
    Ok(Arc::new(guard::Guarded::new(inner, cache, scope)))
}

/// Builds the region client of provider `id`.
pub fn region(id: &str, cfg: ClientConfig) -> Result<Arc<dyn Region>, ProviderError> {
    vendor(id).and_then(|v| v.region).ok_or_else(|| unknown(id, Job::Region))?(cfg)
}

/// Validates a number locally; a number that fails is never sent to a paid service.
///
/// A valid 外国人永久居留身份证 number (see [`crate::id::foreign`]) is refused as well: every
/// vendor document in use (apizero `idcard-2c` and `idcard-region`, NowAPI `idcard.get`,
/// 拇指云 `sfz2`) describes its parameter as a resident ID number ("18 位身份证号", "身份证号码",
/// "15/18 位身份证号"; the region services read the first six digits as a region code) and none
/// mentions the foreigners' card, so sending one would pay for an answer about a number the
/// service does not check.
pub fn require_valid_number(provider: &'static str, number: &str) -> Result<String, ProviderError> {
    let checked = crate::id::check(number);
    if let Some(f) = checked.foreign.filter(|_| checked.is_valid()) {
        let doc = f.edition.msg();
        Err(ProviderError::new(provider, ErrorKind::InvalidInput).with_message(Msg::new(
            format!("这是{}的号码，号码本身有效；但服务商只核验居民身份证号码，因此未发送给服务商，也未计费。请按证件人工核验", doc.zh),
            format!(
                "This is the number of a {}, and it is valid; but the vendor's service checks resident ID numbers only, so it was not sent, nor billed. Check the card by hand",
                doc.en
            ),
        )))
    } else if checked.is_valid() {
        Ok(checked.number().to_string())
    } else {
        Err(ProviderError::new(provider, ErrorKind::InvalidInput).with_message(Msg::new(
            "身份证号码未通过本地校验（长度、出生日期或校验位有误），未发送给服务商，也未计费。请核对号码",
            "The ID number failed local validation (length, birth date or check digit) and was not sent to the vendor, nor billed. Check the number",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        let b: &[u8; 17] = first17.as_bytes().try_into().unwrap();
        format!("{first17}{}", crate::id::fast::check_char(b) as char)
    }

    #[test]
    fn foreign_permanent_resident_numbers_are_not_sent() {
        for n in [with_check("91184019900307123"), "USA310090030712".to_string()] {
            assert!(crate::id::check(&n).is_valid(), "{n}");
            let e = require_valid_number("apizero", &n).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput);
            let m = &e.message;
            assert!(m.zh.contains("外国人永久居留身份证") && m.zh.contains("只核验居民身份证号码"), "{}", m.zh);
            assert!(m.en.contains("resident ID numbers only") && m.en.contains("not sent"), "{}", m.en);
        }
        assert!(require_valid_number("apizero", &with_check("11010119900307123")).is_ok());
        assert!(require_valid_number("apizero", &with_check("81000019900307123")).is_ok(), "港澳台居民居住证 numbers are still sent");
    }
}
