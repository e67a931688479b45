//! The HTTP side of the fakes: one loopback listener per vendor, routing, auth, QPS, faults,
//! recording.

use crate::data;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A vendor: one listener (one base URL) each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    Apizero,
    Nowapi,
    Muzhiyun,
}

/// One documented service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// apizero `POST /api/ocr-idcard`
    ApizeroOcr,
    /// apizero `POST /api/idcard-2c`
    Apizero2c,
    /// apizero `GET /api/idcard-region`
    ApizeroRegion,
    /// NowAPI `GET|POST /?app=idcard.get`
    NowapiIdcard,
    /// 拇指云 `GET /idcard`
    Muzhiyun2c,
}

impl Endpoint {
    pub const ALL: [Endpoint; 5] = [Endpoint::ApizeroOcr, Endpoint::Apizero2c, Endpoint::ApizeroRegion, Endpoint::NowapiIdcard, Endpoint::Muzhiyun2c];

    /// The documented QPS (拇指云 documents none; 5/s is assumed, like the other 二要素).
    pub fn documented_qps(self) -> u32 {
        match self {
            Endpoint::ApizeroOcr => 2,
            Endpoint::Apizero2c => 5,
            Endpoint::ApizeroRegion => 10,
            Endpoint::NowapiIdcard => 10,
            Endpoint::Muzhiyun2c => 5,
        }
    }
}

/// A fault injected on an endpoint; it applies to every request until cleared.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Answer with this status, these headers and this body verbatim.
    Reply { status: u16, headers: Vec<(String, String)>, body: String },
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// HTTP 200 with a JSON-looking body of this many bytes.
    Oversized(usize),
    /// Close the connection without answering.
    Drop,
}

impl Fault {
    /// An apizero error exactly as its documents list them: `{"code", "msg", "request_id"}`,
    /// with the given HTTP status (the documents do not say which; 200 and the matching 4xx/5xx
    /// are both plausible).
    pub fn apizero(code: u32, http: u16) -> Fault {
        let (status, msg) = match code {
            4000 => ("VALIDATION_ERROR", "缺少必填参数或身份证号格式错误"),
            4022 => ("INSUFFICIENT_BALANCE", "余额不足，请充值后再试"),
            5020 => ("UPSTREAM_ERROR", "上游服务不可用"),
            5021 => ("UPSTREAM_INVALID", "图片无法识别，请确认为清晰的身份证正面或反面照片"),
            5030 => ("UPSTREAM_MISSING", "上游 Token 未配置，联系管理员"),
            _ => ("ERROR", "错误"),
        };
        Fault::Reply { status: http, headers: vec![], body: json!({"code": code, "status": status, "msg": msg, "request_id": "fake-req-err"}).to_string() }
    }

    /// A NowAPI `result.status` other than ALREADY_ATT (`WAIT_PROCESS`, `NOT_ATT`, `WRONG_IDCARD`).
    pub fn nowapi_status(status: &str) -> Fault {
        let msg = match status {
            "WAIT_PROCESS" => "wait process",
            "NOT_ATT" => "暂无归属地信息",
            "WRONG_IDCARD" => "身份证号码不正确",
            _ => "",
        };
        Fault::Reply { status: 200, headers: vec![], body: nowapi_empty(status, msg).to_string() }
    }

    /// A NowAPI system-level error: `{"success":"0","msgid","msg"}`.
    pub fn nowapi_system(msgid: &str, msg: &str) -> Fault {
        Fault::Reply { status: 200, headers: vec![], body: json!({"success": "0", "msgid": msgid, "msg": msg}).to_string() }
    }

    /// 拇指云 failure: HTTP 666 with `{"ok":0,"msg":...}` (not billed).
    pub fn muzhiyun_failed(msg: &str) -> Fault {
        Fault::Reply { status: 666, headers: vec![], body: json!({"ok": 0, "msg": msg}).to_string() }
    }

    /// 拇指云 / Alibaba Cloud Market: quota used up, HTTP 403 "Quota Exhausted".
    pub fn muzhiyun_quota() -> Fault {
        Fault::Reply {
            status: 403,
            headers: vec![("X-Ca-Error-Message".into(), "Quota Exhausted".into()), ("X-Ca-Request-Id".into(), "FAKE-CA-REQ-QUOTA".into())],
            body: String::new(),
        }
    }

    /// A bare HTTP status with a short text body (a gateway's 502, a 503 page).
    pub fn status(status: u16) -> Fault {
        Fault::Reply { status, headers: vec![], body: format!("<html><body>{status}</body></html>") }
    }
}

/// One request as it reached the fake.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub vendor: Vendor,
    pub endpoint: Option<Endpoint>,
    pub method: String,
    /// Path and query, as on the request line.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
    /// The status the fake answered (0 for a dropped connection).
    pub status: u16,
    /// Answered as over the endpoint's QPS.
    pub throttled: bool,
}

impl Recorded {
    /// The request line, headers and body as one string, for "does X appear anywhere" checks.
    pub fn wire_text(&self) -> String {
        let mut s = format!("{} {}\n", self.method, self.target);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\n"));
        }
        s.push_str(&String::from_utf8_lossy(&self.body));
        s
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// How to start the fakes.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// QPS per endpoint; requests over it get the vendor's over-QPS answer.
    pub qps: HashMap<Endpoint, u32>,
    /// Keep request bodies in the record (the OCR images make them big).
    pub record_bodies: bool,
    /// The sliding window QPS is counted over (1 s; tests may narrow it for jitter tolerance).
    pub qps_window: Duration,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig { qps: Endpoint::ALL.iter().map(|e| (*e, e.documented_qps())).collect(), record_bodies: true, qps_window: Duration::from_secs(1) }
    }
}

struct State {
    cfg: FakeConfig,
    faults: Mutex<HashMap<Endpoint, Fault>>,
    log: Mutex<Vec<Recorded>>,
    /// Accepted request times per endpoint within the last second.
    window: Mutex<HashMap<Endpoint, VecDeque<Instant>>>,
    seq: AtomicU64,
}

/// The running fakes. Dropping the handle stops them.
pub struct FakeServices {
    addrs: HashMap<Vendor, SocketAddr>,
    state: Arc<State>,
    tasks: Vec<JoinHandle<()>>,
    _runtime: Option<Arc<tokio::runtime::Runtime>>,
}

impl FakeServices {
    /// Starts the three listeners on 127.0.0.1 with ephemeral ports, inside the current Tokio
    /// runtime.
    pub async fn start(cfg: FakeConfig) -> std::io::Result<FakeServices> {
        let state = Arc::new(State { cfg, faults: Mutex::default(), log: Mutex::default(), window: Mutex::default(), seq: AtomicU64::new(1) });
        let mut addrs = HashMap::new();
        let mut tasks = Vec::new();
        for vendor in [Vendor::Apizero, Vendor::Nowapi, Vendor::Muzhiyun] {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
            addrs.insert(vendor, listener.local_addr()?);
            let state = state.clone();
            tasks.push(tokio::spawn(accept_loop(listener, vendor, state)));
        }
        Ok(FakeServices { addrs, state, tasks, _runtime: None })
    }

    /// Starts the fakes on a runtime of their own (for callers without one, e.g. a demo mode
    /// started from synchronous code).
    pub fn start_background(cfg: FakeConfig) -> std::io::Result<FakeServices> {
        let rt = Arc::new(tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?);
        let mut fake = rt.block_on(FakeServices::start(cfg))?;
        fake._runtime = Some(rt);
        Ok(fake)
    }

    /// The base URL of a vendor (`http://127.0.0.1:PORT`), to use in place of the vendor's host.
    pub fn base_url(&self, vendor: Vendor) -> String {
        format!("http://{}", self.addrs[&vendor])
    }

    pub fn apizero_url(&self) -> String {
        self.base_url(Vendor::Apizero)
    }
    pub fn nowapi_url(&self) -> String {
        self.base_url(Vendor::Nowapi)
    }
    pub fn muzhiyun_url(&self) -> String {
        self.base_url(Vendor::Muzhiyun)
    }

    /// `export` lines for a shell, pointing the app at the fakes with the fakes' keys.
    pub fn env_exports(&self) -> Vec<(String, String)> {
        vec![
            ("IDCHECK_APIZERO_URL".into(), self.apizero_url()),
            ("IDCHECK_NOWAPI_URL".into(), self.nowapi_url()),
            ("IDCHECK_MUZHIYUN_URL".into(), self.muzhiyun_url()),
            ("IDCHECK_APIZERO_KEY".into(), crate::APIZERO_KEY.into()),
            ("IDCHECK_NOWAPI_APPKEY".into(), crate::NOWAPI_APPKEY.into()),
            ("IDCHECK_NOWAPI_SIGN".into(), crate::NOWAPI_SIGN.into()),
            ("IDCHECK_MUZHIYUN_APPCODE".into(), crate::MUZHIYUN_APPCODE.into()),
        ]
    }

    /// Injects a fault on an endpoint until [`FakeServices::clear_fault`].
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        self.state.faults.lock().unwrap().insert(endpoint, fault);
    }

    pub fn clear_fault(&self, endpoint: Endpoint) {
        self.state.faults.lock().unwrap().remove(&endpoint);
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }

    /// How many requests reached an endpoint (including rejected ones).
    pub fn calls(&self, endpoint: Endpoint) -> usize {
        self.state.log.lock().unwrap().iter().filter(|r| r.endpoint == Some(endpoint)).count()
    }

    /// How many requests reached any of the fakes.
    pub fn total_calls(&self) -> usize {
        self.state.log.lock().unwrap().len()
    }

    /// Requests to an endpoint that were answered as over its QPS.
    pub fn rejected_over_qps(&self, endpoint: Endpoint) -> usize {
        self.state.log.lock().unwrap().iter().filter(|r| r.endpoint == Some(endpoint) && r.throttled).count()
    }

    /// Arrival times of the requests to an endpoint.
    pub fn timestamps(&self, endpoint: Endpoint) -> Vec<Instant> {
        self.state.log.lock().unwrap().iter().filter(|r| r.endpoint == Some(endpoint)).map(|r| r.at).collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

impl Drop for FakeServices {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, vendor: Vendor, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let state = state.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { handle(vendor, state, req).await }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), svc).await;
        });
    }
}

type Reply = Response<Full<Bytes>>;

#[derive(Debug)]
struct DropConnection;
impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}
impl std::error::Error for DropConnection {}

async fn handle(vendor: Vendor, state: Arc<State>, req: Request<Incoming>) -> Result<Reply, DropConnection> {
    let at = Instant::now();
    let method = req.method().clone();
    let target = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let headers: Vec<(String, String)> =
        req.headers().iter().map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();

    let endpoint = match (vendor, path.as_str()) {
        (Vendor::Apizero, "/api/ocr-idcard") => Some(Endpoint::ApizeroOcr),
        (Vendor::Apizero, "/api/idcard-2c") => Some(Endpoint::Apizero2c),
        (Vendor::Apizero, "/api/idcard-region") => Some(Endpoint::ApizeroRegion),
        (Vendor::Nowapi, "/") => Some(Endpoint::NowapiIdcard),
        (Vendor::Muzhiyun, "/idcard") => Some(Endpoint::Muzhiyun2c),
        _ => None,
    };
    let req = Req { method, headers: headers.clone(), query, body: body.clone() };
    let seq = state.seq.fetch_add(1, Ordering::Relaxed);

    // Recorded on arrival (a delayed or dropped request still counts as having reached us).
    let idx = record(&state, vendor, endpoint, &req, target, at);
    let fault = endpoint.and_then(|e| state.faults.lock().unwrap().get(&e).cloned());
    if let Some(Fault::Delay(d)) = &fault {
        tokio::time::sleep(*d).await;
    }
    let (reply, throttled) = match (endpoint, fault) {
        (None, _) => (text(404, "not found"), false),
        (Some(_), Some(Fault::Drop)) => return Err(DropConnection),
        (Some(e), Some(Fault::Reply { status, headers, body })) => {
            let mut r = text(status, &body);
            for (k, v) in headers {
                r.headers_mut().insert(hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
            }
            if body.starts_with('{') {
                r.headers_mut().insert(hyper::header::CONTENT_TYPE, "application/json".parse().unwrap());
            }
            let _ = e;
            (r, false)
        }
        (Some(_), Some(Fault::Malformed)) => (json_reply(200, "{\"code\": 0, \"data\": {\"side\": 1, \"identity_na"), false),
        (Some(_), Some(Fault::Oversized(n))) => {
            let mut s = String::with_capacity(n + 32);
            s.push_str("{\"code\":0,\"msg\":\"");
            s.extend(std::iter::repeat_n('x', n));
            s.push_str("\"}");
            (json_reply(200, &s), false)
        }
        (Some(e), _) => route(e, &state, &req, seq),
    };
    let status = reply.status().as_u16();
    if let Some(r) = state.log.lock().unwrap().get_mut(idx) {
        r.status = status;
        r.throttled = throttled;
    }
    Ok(reply)
}

fn record(state: &State, vendor: Vendor, endpoint: Option<Endpoint>, req: &Req, target: String, at: Instant) -> usize {
    let body = if state.cfg.record_bodies { req.body.to_vec() } else { Vec::new() };
    let mut log = state.log.lock().unwrap();
    log.push(Recorded { vendor, endpoint, method: req.method.to_string(), target, headers: req.headers.clone(), body, at, status: 0, throttled: false });
    log.len() - 1
}

struct Req {
    method: Method,
    headers: Vec<(String, String)>,
    query: String,
    body: Bytes,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
    fn form_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(&self.body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

fn text(status: u16, body: &str) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

fn json_reply(status: u16, body: &str) -> Reply {
    let mut r = text(status, body);
    r.headers_mut().insert(hyper::header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
    r
}

/// Admits a request under the endpoint's QPS (sliding one-second window).
fn admit(state: &State, e: Endpoint) -> bool {
    let limit = state.cfg.qps.get(&e).copied().unwrap_or(u32::MAX) as usize;
    let now = Instant::now();
    let mut w = state.window.lock().unwrap();
    let q = w.entry(e).or_default();
    while q.front().is_some_and(|t| now.duration_since(*t) >= state.cfg.qps_window) {
        q.pop_front();
    }
    if q.len() >= limit {
        return false;
    }
    q.push_back(now);
    true
}

/// Returns the reply and whether it was a throttling answer.
fn route(e: Endpoint, state: &State, req: &Req, seq: u64) -> (Reply, bool) {
    match e {
        Endpoint::ApizeroOcr | Endpoint::Apizero2c | Endpoint::ApizeroRegion => apizero(e, state, req, seq),
        Endpoint::NowapiIdcard => nowapi(state, req),
        Endpoint::Muzhiyun2c => muzhiyun(state, req, seq),
    }
}

// ---- apizero (极数本源) ----

fn apizero_err(http: u16, code: u32, msg: &str, seq: u64) -> Reply {
    json_reply(http, &json!({"code": code, "msg": msg, "request_id": format!("fake-req-{seq}")}).to_string())
}

fn apizero_ok(data: Value, seq: u64) -> Reply {
    json_reply(200, &json!({"code": 0, "msg": "成功", "data": data, "request_id": format!("fake-req-{seq}")}).to_string())
}

fn apizero(e: Endpoint, state: &State, req: &Req, seq: u64) -> (Reply, bool) {
    let want_method = if e == Endpoint::ApizeroRegion { Method::GET } else { Method::POST };
    if req.method != want_method {
        return (apizero_err(405, 405, "method not allowed", seq), false);
    }
    // The documents' auth sections: `Authorization: Bearer <key>`.
    let auth = req.header("authorization").unwrap_or("");
    match auth.strip_prefix("Bearer ") {
        None => return (apizero_err(401, 401, "缺少 API Key (Authorization: Bearer <key>)", seq), false),
        Some(k) if k != crate::APIZERO_KEY => return (apizero_err(401, 401, "API Key 无效", seq), false),
        _ => {}
    }
    if !admit(state, e) {
        return (apizero_err(429, 429, "请求过于频繁，超过 QPS 限制", seq), true);
    }
    match e {
        Endpoint::ApizeroRegion => {
            let idcard = req.query_param("idcard").unwrap_or_default();
            let ok_len = matches!(idcard.len(), 6 | 15 | 18) && idcard.bytes().take(17).all(|b| b.is_ascii_digit());
            if !ok_len {
                return (apizero_err(200, 4000, "idcard 格式无效（应为 6/15/18 位）", seq), false);
            }
            let code = &idcard[..6];
            let (Some(p), Some(c), d) = (data::place(&format!("{}0000", &code[..2])), data::place(&format!("{}00", &code[..4])), data::place(code)) else {
                return (apizero_err(200, 4000, "未找到该省份/区县数据", seq), false);
            };
            let masked = if idcard.len() > 6 { format!("{code}{}", "*".repeat(idcard.len() - 6)) } else { idcard.clone() };
            let mut data = json!({
                "idcard": masked,
                "province": {"code": p.code, "name": p.name},
                "city": {"code": c.code, "name": c.name},
            });
            if let Some(d) = d {
                data["district"] = json!({"code": d.code, "name": d.name});
            }
            (apizero_ok(data, seq), false)
        }
        Endpoint::Apizero2c => {
            let Some(body) = req.json() else {
                return (apizero_err(200, 4000, "缺少必填参数或身份证号格式错误", seq), false);
            };
            let name = body["name"].as_str().unwrap_or("");
            let idcard = body["idcard"].as_str().unwrap_or("");
            if name.is_empty() || !data::valid_number(idcard) {
                return (apizero_err(200, 4000, "缺少必填参数或身份证号格式错误", seq), false);
            }
            let (valid, rc, msg) = match data::identity(idcard) {
                Some(i) if i.name == name => (true, 100, "一致"),
                Some(_) => (false, 101, "不一致"),
                None => (false, 102, "库中无此号"),
            };
            let masked = format!("{}***********{}", &idcard[..3], &idcard[14..]);
            (apizero_ok(json!({"name": name, "idcard": masked, "valid": valid, "result_code": rc, "message": msg}), seq), false)
        }
        Endpoint::ApizeroOcr => {
            let Some(body) = req.json() else {
                return (apizero_err(200, 4000, "参数缺失或格式错误", seq), false);
            };
            let input_type = body["input_type"].as_str().unwrap_or("");
            let input = body["input_data"].as_str().unwrap_or("");
            if !matches!(input_type, "url" | "base64") || input.is_empty() {
                return (apizero_err(200, 4000, "参数缺失或格式错误，如 input_type 不是 url/base64，或 input_data 为空", seq), false);
            }
            if input.len() > 10 * 1024 * 1024 {
                return (apizero_err(200, 4000, "base64 超过 10 MB", seq), false);
            }
            use base64::Engine;
            let img = if input_type == "base64" { base64::engine::general_purpose::STANDARD.decode(input).ok() } else { None };
            let is_image = img.as_deref().is_some_and(|b| b.starts_with(&[0xFF, 0xD8, 0xFF]) || b.starts_with(b"\x89PNG"));
            if !is_image {
                return (apizero_err(200, 5021, "图片无法识别，请确认为清晰的身份证正面或反面照片", seq), false);
            }
            // A PNG gives the back of the demo card, a JPEG the front: enough to exercise both.
            let back = img.as_deref().is_some_and(|b| b.starts_with(b"\x89PNG"));
            let data = if back {
                json!({"side": 0, "identity_name": null, "identity_code": null, "gender": null, "race": null,
                       "birth": null, "address": null, "issued_by": "北京市公安局东城分局",
                       "valid_date_start": "2015.03.07", "valid_date_end": "长期"})
            } else {
                let i = &data::IDENTITIES[1];
                json!({"side": 1, "identity_name": i.name, "identity_code": i.number, "gender": i.sex, "race": "汉",
                       "birth": "1990年3月7日", "address": "北京市东城区演示路1号（演示数据）", "issued_by": null,
                       "valid_date_start": null, "valid_date_end": null})
            };
            (apizero_ok(data, seq), false)
        }
        _ => unreachable!(),
    }
}

// ---- NowAPI (k780) ----

fn nowapi_empty(status: &str, msg: &str) -> Value {
    json!({"success": "1", "result": {"status": status, "par": "", "born": "", "sex": "", "att": "",
            "postno": "", "areano": "", "style_simcall": "", "style_citynm": "", "msg": msg}})
}

fn nowapi(state: &State, req: &Req) -> (Reply, bool) {
    // GET with a query or POST with a form body, as the document allows.
    let param = |k: &str| match req.method {
        Method::POST => req.form_param(k).or_else(|| req.query_param(k)),
        _ => req.query_param(k),
    };
    if !matches!(req.method, Method::GET | Method::POST) {
        return (text(405, "method not allowed"), false);
    }
    if req.method == Method::POST && !req.header("content-type").unwrap_or("").starts_with("application/x-www-form-urlencoded") {
        return (json_reply(200, &json!({"success": "0", "msgid": "1000001", "msg": "请求参数为空 (no form body)"}).to_string()), false);
    }
    if param("app").as_deref() != Some("idcard.get") {
        return (json_reply(200, &json!({"success": "0", "msgid": "1000101", "msg": "app 参数错误"}).to_string()), false);
    }
    if param("appkey").as_deref() != Some(crate::NOWAPI_APPKEY) || param("sign").as_deref() != Some(crate::NOWAPI_SIGN) {
        return (json_reply(200, &json!({"success": "0", "msgid": "1000103", "msg": "appkey 或 sign 错误"}).to_string()), false);
    }
    if !admit(state, Endpoint::NowapiIdcard) {
        return (json_reply(429, &json!({"success": "0", "msgid": "1000701", "msg": "请求过于频繁"}).to_string()), true);
    }
    let idcard = param("idcard").unwrap_or_default();
    if !data::valid_number(&idcard) {
        let mut v = nowapi_empty("WRONG_IDCARD", "身份证号码不正确");
        v["result"]["idcard"] = json!(idcard);
        return (json_reply(200, &v.to_string()), false);
    }
    let code = &idcard[..6];
    let (Some(p), Some(c)) = (data::place(&format!("{}0000", &code[..2])), data::place(&format!("{}00", &code[..4]))) else {
        let mut v = nowapi_empty("NOT_ATT", "暂无归属地信息");
        v["result"]["idcard"] = json!(idcard);
        return (json_reply(200, &v.to_string()), false);
    };
    let d = data::place(code);
    let att = match d {
        Some(d) if p.name == c.name => format!("{} {} ", p.name, d.name),
        Some(d) => format!("{} {} {} ", p.name, c.name, d.name),
        None => format!("{} {} ", p.name, c.name),
    };
    let sexd = idcard.as_bytes()[16] - b'0';
    let place = d.unwrap_or(c);
    let short = p.name.trim_end_matches(['省', '市']);
    let v = json!({"success": "1", "result": {
        "status": "ALREADY_ATT", "idcard": idcard, "par": code,
        "born": format!("{}年{}月{}日", &idcard[6..10], &idcard[10..12], &idcard[12..14]),
        "sex": if sexd % 2 == 1 { "男" } else { "女" },
        "att": att, "postno": place.postno, "areano": place.areano,
        "style_simcall": format!("中国,{short}"), "style_citynm": format!("中华人民共和国,{}", p.name)
    }});
    (json_reply(200, &v.to_string()), false)
}

// ---- 拇指云 (Alibaba Cloud Market gateway) ----

fn ca_reply(status: u16, body: &str, seq: u64, ca_error: Option<&str>) -> Reply {
    let mut r = json_reply(status, body);
    r.headers_mut().insert("x-ca-request-id", format!("FAKE-CA-{seq:08}").parse().unwrap());
    if let Some(m) = ca_error {
        r.headers_mut().insert("x-ca-error-message", m.parse().unwrap());
    }
    r
}

fn muzhiyun(state: &State, req: &Req, seq: u64) -> (Reply, bool) {
    if req.method != Method::GET {
        return (ca_reply(405, "", seq, Some("Invalid Method")), false);
    }
    let auth = req.header("authorization").unwrap_or("");
    match auth.strip_prefix("APPCODE ") {
        Some(code) if code == crate::MUZHIYUN_APPCODE => {}
        // Alibaba's gateway: 401 with the reason in X-Ca-Error-Message.
        Some(_) => return (ca_reply(401, "", seq, Some("Invalid AppCode")), false),
        None => return (ca_reply(401, "", seq, Some("Missing AppCode")), false),
    }
    if !admit(state, Endpoint::Muzhiyun2c) {
        return (ca_reply(403, "", seq, Some("Throttled by APP Flow Control")), true);
    }
    let failed = |msg: &str| (ca_reply(666, &json!({"ok": 0, "msg": msg}).to_string(), seq, None), false);
    let Some(xm) = req.query_param("xm").filter(|s| !s.is_empty()) else { return failed("未传入真实姓名xm") };
    let Some(sfz) = req.query_param("sfz").filter(|s| !s.is_empty()) else { return failed("未传入身份证号码sfz") };
    if xm.chars().count() > 50 {
        return failed("传入真实姓名xm字符串长度超限");
    }
    if sfz.len() > 18 {
        return failed("传入身份证号码sfz字符串长度超限");
    }
    if xm.contains(char::is_whitespace) || xm.chars().any(|c| c.is_ascii_digit()) {
        return failed("姓名有误");
    }
    if !data::valid_number(&sfz) {
        return failed("身份证号码有误");
    }
    let first = xm.chars().next().map(|c| format!("{c}**")).unwrap_or_default();
    let masked_sfz = format!("{}*****{}", &sfz[..4], &sfz[16..]);
    let birthday = format!("{}****{}", &sfz[6..8], &sfz[12..14]);
    let sexd = sfz.as_bytes()[16] - b'0';
    let sex = if sexd % 2 == 1 { "男" } else { "女" };
    let prov = data::place(&format!("{}0000", &sfz[..2])).map(|p| p.name).unwrap_or("");
    let address = format!("{prov}**区");
    let body = match data::identity(&sfz) {
        Some(i) if i.name == xm => json!({"ok": 1, "msg": "实名信息正确", "xm": first, "sfz": masked_sfz, "match": true,
                                           "birthday": birthday, "sex": sex, "address": address}),
        Some(_) => json!({"ok": 1, "msg": "实名校验失败:身份证与姓名不匹配", "xm": first, "sfz": masked_sfz, "match": false,
                          "birthday": birthday, "sex": sex, "address": address}),
        None => json!({"ok": 1, "msg": "实名校验失败:查无记录", "xm": first, "sfz": masked_sfz, "match": false}),
    };
    (ca_reply(200, &body.to_string(), seq, None), false)
}
