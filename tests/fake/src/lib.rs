//! Fakes of the vendor services (see the vendor documents), served over real HTTP on loopback.
//!
//! Tests and the desktop app's demo mode need the five services without the internet and
//! without paying. Each fake follows its vendor document: URL path, method, auth header,
//! parameter names, result and error codes, and the documented QPS (an over-QPS request gets
//! 429, or 拇指云's gateway answer). Faults (latency, 5xx, vendor error codes, malformed or
//! oversized replies, dropped connections) are injected per endpoint, and every request is
//! recorded (request line, headers, body, time) so tests can assert what reached the wire.
//!
//! The data are clearly fake identities with valid check digits ([`IDENTITIES`]); the fake OCR
//! returns fixed demo fields.

mod data;
pub mod postgres;
mod server;

pub use data::{Identity, IDENTITIES, NO_RECORD_NUMBER, UNKNOWN_REGION_NUMBER};
pub use server::{Endpoint, FakeConfig, FakeServices, Fault, Recorded, Vendor};

/// The apizero API key the fake accepts (`Authorization: Bearer <key>`).
pub const APIZERO_KEY: &str = "fake-apizero-key-0001";
/// The NowAPI appkey the fake accepts.
pub const NOWAPI_APPKEY: &str = "10003";
/// The NowAPI sign the fake accepts (32 hex digits, like the real one).
pub const NOWAPI_SIGN: &str = "0123456789abcdef0123456789abcdef";
/// The 拇指云 AppCode the fake accepts (`Authorization: APPCODE <code>`).
pub const MUZHIYUN_APPCODE: &str = "fakeappcode00000000000000000000001";
