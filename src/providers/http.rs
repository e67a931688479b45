//! The one HTTP transport every vendor client uses.
//!
//! It exists so the rules hold in one place: TLS always verified (rustls, webpki roots),
//! HTTPS required except for loopback base URLs (tests and on-premise gateways), no redirects
//! (a redirect could carry a key elsewhere), timeouts on connect and on the whole call, a cap
//! on reply size, and errors that never carry a URL (a 拇指云 URL holds a name and a number).

use super::{ErrorKind, ProviderError};
use crate::i18n::Msg;
use std::time::Duration;

/// Replies larger than this are refused: no documented reply comes near it.
pub const MAX_REPLY_BYTES: usize = 256 * 1024;

/// Connect and whole-call timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        // The vendors' own samples use 15 s for the whole call.
        Timeouts { connect: Duration::from_secs(5), total: Duration::from_secs(15) }
    }
}

/// A reply as read off the wire (status, the few headers we use, body).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

/// A base URL checked against the transport rules, without a trailing slash.
#[derive(Debug, Clone)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Accepts `https://…`, and `http://` only for loopback hosts (127.0.0.0/8, ::1,
    /// localhost).
    pub fn parse(provider: &'static str, url: &str) -> Result<BaseUrl, ProviderError> {
        let bad = |zh: String, en: String| Err(ProviderError::new(provider, ErrorKind::Config).with_message(Msg::new(zh, en)));
        let parsed = match reqwest::Url::parse(url.trim()) {
            Ok(u) => u,
            Err(_) => {
                return bad(
                    format!("服务地址“{url}”不是有效的网址。请填写如 https://example.com 的地址"),
                    format!("The service address `{url}` is not a valid URL. Use one like https://example.com"),
                )
            }
        };
        if !parsed.username().is_empty() || parsed.password().is_some() || parsed.query().is_some() {
            return bad(
                "服务地址中不能包含用户名、密码或查询参数。密钥请存入系统钥匙串".into(),
                "The service address must not contain a user, password or query. Keep keys in the system keychain".into(),
            );
        }
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&parsed) => {}
            _ => {
                return bad(
                    format!("服务地址“{url}”必须使用 HTTPS（仅本机地址可用 HTTP）"),
                    format!("The service address `{url}` must use HTTPS (plain HTTP only for loopback addresses)"),
                )
            }
        }
        Ok(BaseUrl(parsed.as_str().trim_end_matches('/').to_string()))
    }

    /// The base URL joined with a documented path (`/api/idcard-2c`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_loopback(u: &reqwest::Url) -> bool {
    let h = u.host_str().unwrap_or("");
    let h = h.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A client with the transport rules applied.
pub fn client(provider: &'static str, t: Timeouts) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .connect_timeout(t.connect)
        .timeout(t.total)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("idcheck/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| ProviderError::new(provider, ErrorKind::Config))
}

/// What a failed send means for money: whether the request provably never left the machine.
pub fn never_sent(e: &ProviderError) -> bool {
    e.kind == ErrorKind::Network && e.vendor_code.as_deref() == Some("connect")
}

/// Sends a request and reads the reply, capped at [`MAX_REPLY_BYTES`].
pub async fn send(provider: &'static str, req: reqwest::RequestBuilder) -> Result<Reply, ProviderError> {
    let mut resp = req.send().await.map_err(|e| transport_error(provider, &e))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    if resp.content_length().is_some_and(|n| n > MAX_REPLY_BYTES as u64) {
        return Err(too_large(provider, status));
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if body.len() + c.len() > MAX_REPLY_BYTES {
                    return Err(too_large(provider, status));
                }
                body.extend_from_slice(&c);
            }
            Ok(None) => break,
            Err(e) => return Err(transport_error(provider, &e).with_status(status)),
        }
    }
    Ok(Reply { status, headers, body })
}

fn too_large(provider: &'static str, status: u16) -> ProviderError {
    ProviderError::new(provider, ErrorKind::Malformed)
        .with_message(Msg::new(
            format!("服务商的应答超过 {} KB，已拒收。请稍后再试；持续出现请联系服务商", MAX_REPLY_BYTES / 1024),
            format!("The vendor's reply exceeded {} KB and was refused. Try again later; if it persists, contact the vendor", MAX_REPLY_BYTES / 1024),
        ))
        .with_status(status)
}

/// Maps a reqwest error without ever formatting it (its Display carries the URL).
fn transport_error(provider: &'static str, e: &reqwest::Error) -> ProviderError {
    if e.is_timeout() {
        ProviderError::new(provider, ErrorKind::Timeout).with_code("timeout")
    } else if e.is_connect() {
        ProviderError::new(provider, ErrorKind::Network).with_code("connect")
    } else if e.is_body() || e.is_decode() {
        ProviderError::new(provider, ErrorKind::Malformed).with_code("body")
    } else {
        // The request may have been written before the connection broke.
        ProviderError::new(provider, ErrorKind::Network).with_code("transport")
    }
}

/// Parses a JSON body, or a `Malformed` error that keeps the HTTP status.
pub fn json(provider: &'static str, reply: &Reply) -> Result<serde_json::Value, ProviderError> {
    serde_json::from_slice(&reply.body)
        .map_err(|_| ProviderError::new(provider, ErrorKind::Malformed).with_status(reply.status).with_code(format!("http {}", reply.status)))
}

/// The kind an HTTP status alone implies, for replies without a usable vendor code.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Auth,
        402 => ErrorKind::Quota,
        408 | 504 => ErrorKind::Timeout,
        429 => ErrorKind::RateLimited,
        400 | 422 => ErrorKind::InvalidInput,
        500..=599 => ErrorKind::Upstream,
        _ => ErrorKind::Other,
    }
}
