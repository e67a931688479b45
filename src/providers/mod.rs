//! Vendor services behind one trait per job: OCR, two-factor, region.
//!
//! CONTRACT STUB: the shared result and error types. Each vendor lives in its own module with
//! the same small shape (config fields, request, response mapping) and one registry line.

use crate::i18n::Msg;
use serde::Serialize;

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
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.provider, self.message)
    }
}

impl std::error::Error for ProviderError {}
