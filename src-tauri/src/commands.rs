//! The commands the page may call. Every argument is untrusted input: lengths and choices
//! are checked here before anything reaches the core, a vendor or the keychain.

use crate::settings::{self, Settings, KEYED_PROVIDERS, OCR_PROVIDERS, REGION_PROVIDERS, TWO_FACTOR_PROVIDERS};
use crate::state::{AppState, Photo};
use crate::views::*;
use crate::{keys, photo, trail, vendors};
use idcheck::audit::Record;
use idcheck::i18n::{Lang, Msg};
use idcheck::secret::Sensitive;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tauri::Manager;
use tauri::State;

fn check_len(what: &str, s: &str, max: usize) -> Result<(), UiError> {
    if s.chars().count() > max {
        return Err(UiError::bad_input(&format!("{what} > {max}")));
    }
    Ok(())
}

fn one_of(what: &str, s: &str, allowed: &[&str]) -> Result<(), UiError> {
    if allowed.contains(&s) {
        Ok(())
    } else {
        Err(UiError::bad_input(what))
    }
}

// ---------- info and settings ----------

#[derive(Serialize)]
pub struct ProviderStatus {
    configured: bool,
    /// `keychain`, `env`, `demo` or `none`.
    source: &'static str,
}

#[derive(Serialize)]
pub struct KeychainStatus {
    available: bool,
    message: Option<Msg>,
}

#[derive(Serialize)]
pub struct SettingsView {
    lang: Lang,
    ocr: String,
    two_factor: String,
    region: String,
    idle_clear_secs: u32,
    base_urls: BTreeMap<String, String>,
    demo: bool,
    demo_forced: bool,
    providers: BTreeMap<&'static str, ProviderStatus>,
    keychain: KeychainStatus,
    two_factor_ready: bool,
    operator: String,
    retention_days: u32,
    /// Why the audit trail cannot be written, if it cannot.
    audit_problem: Option<Msg>,
}

/// The effective OCR provider: the setting, else apizero when it has a real key, else local
/// (本机识别). Demo mode reads photos locally too: the photo is the clerk's own, and the local
/// engine needs no key.
pub fn effective_ocr(s: &Settings, demo: bool) -> String {
    match &s.ocr {
        Some(p) => p.clone(),
        None if !demo && keys::status("apizero") != keys::Source::None => "apizero".into(),
        None => "local".into(),
    }
}

/// A photo is on its way (a drag entered, 打开… was pressed, a photo arrived): when the local
/// engine will read it, start loading the models now.
pub fn photo_coming(app: &tauri::AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        if effective_ocr(&state.settings(), state.demo().is_some()) == "local" {
            crate::ocr_local::warm();
        }
    });
}

pub fn settings_view(state: &AppState) -> SettingsView {
    let s = state.settings();
    let demo = state.demo();
    let mut providers = BTreeMap::new();
    let statuses = keys::statuses();
    for p in KEYED_PROVIDERS {
        let source = if demo.is_some() {
            "demo"
        } else {
            match statuses.get(p).copied().unwrap_or(keys::Source::None) {
                keys::Source::Env => "env",
                keys::Source::Keychain => "keychain",
                keys::Source::None => "none",
            }
        };
        providers.insert(*p, ProviderStatus { configured: source != "none", source });
    }
    let keychain = match keys::keychain_available() {
        Ok(()) => KeychainStatus { available: true, message: None },
        Err(e) => KeychainStatus { available: false, message: Some(e.message) },
    };
    SettingsView {
        lang: s.lang,
        ocr: effective_ocr(&s, demo.is_some()),
        two_factor_ready: vendors::configured(&s.two_factor, demo),
        two_factor: s.two_factor.clone(),
        region: s.region.clone(),
        idle_clear_secs: s.idle_clear_secs,
        base_urls: s.base_urls.clone(),
        demo: demo.is_some(),
        demo_forced: state.demo_forced,
        providers,
        keychain,
        operator: s.operator.clone().unwrap_or_default(),
        retention_days: s.retention_days,
        audit_problem: state.trail.problem(),
    }
}

/// What the page needs for its first paint: nothing here waits for the keychain.
#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    lang: Lang,
    demo: bool,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION"), lang: state.settings().lang, demo: state.demo().is_some() }
}

/// The settings with each provider's key status, asked of the keychain (tens of milliseconds
/// over D-Bus, more while the Secret Service starts): the page asks once it has painted.
#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> Result<SettingsView, UiError> {
    Ok(settings_view(&state))
}

#[tauri::command]
pub async fn set_lang(state: State<'_, AppState>, lang: String) -> Result<SettingsView, UiError> {
    let lang = Lang::parse(&lang).ok_or_else(|| UiError::bad_input("lang"))?;
    let mut s = state.settings();
    s.lang = lang;
    settings::save(&s)?;
    *state.settings.lock().unwrap() = s;
    Ok(settings_view(&state))
}

#[derive(Deserialize)]
pub struct SettingsPatch {
    ocr: String,
    two_factor: String,
    region: String,
    idle_clear_secs: u32,
    base_urls: BTreeMap<String, String>,
    demo: bool,
    operator: String,
    retention_days: u32,
}

/// The longest retention offered: ten years.
const MAX_RETENTION_DAYS: u32 = 3650;

fn check_url(provider: &str, u: &str) -> Result<(), UiError> {
    if u.is_empty() {
        return Ok(());
    }
    let ok = u.len() <= 200
        && (u.starts_with("https://") || u.starts_with("http://127.0.0.1") || u.starts_with("http://localhost") || u.starts_with("http://[::1]"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(UiError::new(
            "bad_url",
            format!("{provider} 的服务地址无效：必须以 https:// 开头（仅本机测试可用 http://127.0.0.1）。"),
            format!("The service address of {provider} is not valid: it must start with https:// (http://127.0.0.1 only for local tests)."),
        ))
    }
}

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, patch: SettingsPatch) -> Result<SettingsView, UiError> {
    one_of("ocr", &patch.ocr, OCR_PROVIDERS)?;
    one_of("two_factor", &patch.two_factor, TWO_FACTOR_PROVIDERS)?;
    one_of("region", &patch.region, REGION_PROVIDERS)?;
    if patch.idle_clear_secs > 24 * 3600 {
        return Err(UiError::bad_input("idle_clear_secs"));
    }
    let operator = patch.operator.trim().to_string();
    if operator.chars().count() > 32 || operator.chars().any(char::is_control) {
        return Err(UiError::new(
            "bad_operator",
            "操作员姓名最长 32 个字符，不能含换行等控制字符。",
            "The operator's name may have at most 32 characters and no line breaks or other control characters.",
        ));
    }
    if patch.retention_days > MAX_RETENTION_DAYS {
        return Err(UiError::new(
            "bad_retention",
            format!("保留天数应在 0 到 {MAX_RETENTION_DAYS} 之间（0 表示一直保留）。"),
            format!("Keep records for 0 to {MAX_RETENTION_DAYS} days (0 keeps them for ever)."),
        ));
    }
    let mut base_urls = BTreeMap::new();
    for (p, u) in &patch.base_urls {
        one_of("base_urls", p, KEYED_PROVIDERS)?;
        let u = u.trim();
        check_url(p, u)?;
        if !u.is_empty() {
            base_urls.insert(p.clone(), u.to_string());
        }
    }
    let mut s = state.settings();
    s.ocr = Some(patch.ocr);
    s.two_factor = patch.two_factor;
    s.region = patch.region;
    s.idle_clear_secs = patch.idle_clear_secs;
    s.base_urls = base_urls;
    s.demo = patch.demo;
    s.operator = (!operator.is_empty()).then_some(operator);
    let retention_changed = s.retention_days != patch.retention_days;
    s.retention_days = patch.retention_days;
    settings::save(&s)?;
    *state.settings.lock().unwrap() = s;
    state.set_demo(patch.demo || state.demo_forced)?;
    if retention_changed {
        // A shorter retention applies at once (the trail also purges each time it opens).
        let days = patch.retention_days;
        trail::with_store(&state, move |store| Ok(store.purge_older_than(days)?)).await?;
    }
    Ok(settings_view(&state))
}

#[tauri::command]
pub async fn save_key(state: State<'_, AppState>, provider: String, key: String, second: Option<String>) -> Result<SettingsView, UiError> {
    one_of("provider", &provider, KEYED_PROVIDERS)?;
    let fields = keys::fields(&provider);
    let values: Vec<Sensitive<String>> = [Some(key), second].into_iter().flatten().map(|v| Sensitive::new(v.trim().to_string())).collect();
    if values.len() < fields.len() || values.iter().take(fields.len()).any(|v| v.expose().is_empty()) {
        return Err(UiError::new("empty_key", "请先输入密钥。", "Enter a key first."));
    }
    for v in &values {
        if v.expose().len() > 256 || v.expose().chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(UiError::new(
                "bad_key",
                "密钥格式不对：不能有空格或换行，最长 256 个字符。请从服务商控制台重新复制。",
                "The key does not look right: no spaces or line breaks, at most 256 characters. Copy it again from the vendor's console.",
            ));
        }
    }
    for (field, v) in fields.iter().zip(values) {
        keys::set(&provider, field, v)?;
    }
    Ok(settings_view(&state))
}

#[tauri::command]
pub async fn delete_key(state: State<'_, AppState>, provider: String) -> Result<SettingsView, UiError> {
    one_of("provider", &provider, KEYED_PROVIDERS)?;
    keys::delete(&provider)?;
    Ok(settings_view(&state))
}

#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, provider: String) -> Result<TestView, UiError> {
    one_of("provider", &provider, KEYED_PROVIDERS)?;
    let s = state.settings();
    let demo = state.demo();
    let started = std::time::Instant::now();
    // The cheapest call each vendor offers that still proves address and key: a region
    // lookup of a fixed code (free at apizero; one NowAPI call). 拇指云 has only the billed
    // check, so only its address is tried; the key is proven by the first real check.
    match provider.as_str() {
        "apizero" | "nowapi" => {
            let client = vendors::region_of(&provider, &s, demo)?;
            let probe = if provider == "apizero" { "110101" } else { "110101199003070038" };
            state.run_job("test", async move { client.region(probe).await.map(|_| ()).map_err(UiError::from) }).await?;
        }
        _ => {
            let cfg = vendors::config(&provider, &s, demo)?;
            cfg.require("muzhiyun", "appcode")?;
            let url = cfg.base_url.clone();
            state
                .run_job("test", async move {
                    let c = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().map_err(|_| UiError::internal())?;
                    c.get(&url).send().await.map(|_| ()).map_err(|_| {
                        UiError::new(
                            "network",
                            "无法连接该服务地址。请检查网络和服务地址。",
                            "Could not reach the service address. Check the network and the address.",
                        )
                    })
                })
                .await?;
            return Ok(TestView {
                millis: started.elapsed().as_millis() as u64,
                note: Some(Msg::new(
                    "拇指云只有计费接口：已确认地址可达，密钥将在第一次核验时验证。",
                    "Muzhiyun has only the billed call: the address answers; the key is proven by the first check.",
                )),
            });
        }
    }
    Ok(TestView { millis: started.elapsed().as_millis() as u64, note: None })
}

// ---------- photo ----------

pub fn store_photo(state: &AppState, p: photo::Prepared) -> PhotoView {
    *state.photo.lock().unwrap() = Some(Arc::new(Photo { jpeg: p.jpeg }));
    p.view
}

/// Bytes from the page (file input, paste), sent raw.
#[tauri::command]
pub async fn load_photo(app: tauri::AppHandle, state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<PhotoView, UiError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::bad_input("photo bytes"));
    };
    photo_coming(&app);
    if bytes.len() > photo::MAX_BYTES {
        return Err(photo::too_big(bytes.len()));
    }
    *state.photo.lock().unwrap() = None;
    let bytes = bytes.clone();
    let p = tokio::task::spawn_blocking(move || photo::prepare(&bytes)).await.map_err(|_| UiError::internal())??;
    Ok(store_photo(&state, p))
}

/// 打开…: the native dialog (rfd), then the same path as a drop.
#[tauri::command]
pub async fn open_dialog(app: tauri::AppHandle, window: tauri::WebviewWindow, state: State<'_, AppState>) -> Result<Option<PhotoLoaded>, UiError> {
    let lang = state.settings().lang;
    photo_coming(&app);
    let Some(path) = crate::dialogs::pick_photo(&window, lang).await? else {
        return Ok(None);
    };
    Ok(Some(load_path(&state, &path, None)))
}

/// Reads and prepares a file chosen or dropped by the clerk.
pub fn load_path(state: &AppState, path: &std::path::Path, note: Option<Msg>) -> PhotoLoaded {
    *state.photo.lock().unwrap() = None;
    match photo::read_path(path).and_then(|b| photo::prepare(&b)) {
        Ok(p) => PhotoLoaded { photo: Some(store_photo(state, p)), error: None, note },
        Err(e) => PhotoLoaded { photo: None, error: Some(e), note },
    }
}

#[tauri::command]
pub async fn read_card(state: State<'_, AppState>) -> Result<OcrView, UiError> {
    let photo = state.photo.lock().unwrap().clone().ok_or_else(|| {
        UiError::new("no_photo", "还没有照片。请先拖入、打开或粘贴一张身份证照片。", "No photo yet. Drop, open or paste a photo of the ID card first.")
    })?;
    let s = state.settings();
    let demo = state.demo();
    let provider = effective_ocr(&s, demo.is_some());
    let is_demo = demo.is_some() && provider != "local";
    let result = if provider == "local" {
        state.run_job("ocr", async move { Ok(crate::ocr_local::read(&photo.jpeg).await) }).await?
    } else {
        let client = vendors::ocr(&provider, &s, demo)?;
        state.run_job("ocr", async move { Ok(client.read(&photo.jpeg).await) }).await?
    };
    // The read is recorded, and so is the local check of the number it found: the clerk
    // committed to this photo.
    let mut records = vec![Record::ocr(&trail::provider_id(&provider, is_demo), &result)];
    if let Some(n) = result.as_ref().ok().and_then(|f| f.number.as_deref()).filter(|n| !n.trim().is_empty()) {
        records.push(Record::local(&idcheck::id::check(n)));
    }
    trail::record_later(&state, records);
    let fields = result?;
    let low = fields.confidence.iter().filter(|(_, c)| **c < 0.80).map(|(k, _)| k.clone()).collect();
    Ok(OcrView { provider_name: provider_name(&provider), provider, fields, low, demo: is_demo })
}

#[tauri::command]
pub fn cancel(state: State<'_, AppState>, job: String) -> bool {
    matches!(job.as_str(), "ocr" | "verify" | "region" | "test") && state.cancel(&job)
}

#[tauri::command]
pub fn clear(state: State<'_, AppState>) {
    *state.photo.lock().unwrap() = None;
    state.cancel("ocr");
    state.cancel("verify");
}

// ---------- local checks and region ----------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FormFields {
    name: String,
    number: String,
    sex: String,
    ethnicity: String,
    birth: String,
    address: String,
    issued_by: String,
    valid_from: String,
    valid_until: String,
}

#[tauri::command]
pub fn check_local(fields: FormFields) -> Result<LocalView, UiError> {
    for (k, v, max) in [
        ("name", &fields.name, 64),
        ("number", &fields.number, 24),
        ("sex", &fields.sex, 8),
        ("ethnicity", &fields.ethnicity, 16),
        ("birth", &fields.birth, 16),
        ("address", &fields.address, 128),
        ("issued_by", &fields.issued_by, 64),
        ("valid_from", &fields.valid_from, 16),
        ("valid_until", &fields.valid_until, 16),
    ] {
        check_len(k, v, max)?;
    }
    Ok(crate::local::view(&fields.number, &fields.sex, &fields.birth, &fields.valid_from, &fields.valid_until))
}

#[tauri::command]
pub async fn region_lookup(state: State<'_, AppState>, number: String) -> Result<RegionView, UiError> {
    check_len("number", &number, 24)?;
    let n = number.trim().to_ascii_uppercase();
    let code: String = n.chars().take(6).collect();
    if code.len() < 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UiError::bad_input("region code"));
    }
    let checked = idcheck::id::check(&n);
    let embedded = crate::local::embedded_region(code.parse().unwrap_or(0), &n);
    let s = state.settings();
    let demo = state.demo();
    let mut online = None;
    let mut record = None;
    if s.region != "embedded" && checked.is_valid() && vendors::configured(&s.region, demo) {
        let provider = s.region.clone();
        let client = vendors::region(&s, demo);
        let number = checked.number().to_string();
        let r = match client {
            Ok(c) => state.run_job("region", async move { Ok(c.region(&number).await) }).await?,
            Err(e) => return Ok(RegionView { code, embedded, online: Some(OnlineRegion::failed(&provider, demo.is_some(), e)) }),
        };
        let found = match &r {
            Ok(_) => Ok(true),
            Err(e) if e.kind == idcheck::providers::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.clone()),
        };
        let request_id = r.as_ref().ok().and_then(|r| r.request_id.clone());
        record = Some(Record::region(&trail::provider_id(&provider, demo.is_some()), checked.number(), &found).reply(None, request_id.as_deref()));
        let embedded_name = embedded.as_ref().map(|e| format!("{}{}{}", e.current.province, e.current.city, e.current.district));
        online = Some(match r {
            Ok(r) => {
                let differs = embedded_name.as_ref().is_some_and(|e| crate::local::names_differ(e, &r.full_name));
                OnlineRegion { provider_name: provider_name(&provider), provider, full_name: r.full_name, differs, demo: demo.is_some(), error: None }
            }
            Err(e) => OnlineRegion::failed(&provider, demo.is_some(), e.into()),
        });
    }
    // A complete, valid number's region is a check worth recording; the prefixes looked up
    // while the clerk types are not.
    if checked.is_valid() {
        let record = record.unwrap_or_else(|| Record::region("embedded", checked.number(), &Ok(embedded.is_some())));
        trail::record_later(&state, vec![record]);
    }
    Ok(RegionView { code, embedded, online })
}

// ---------- two-factor ----------

#[tauri::command]
pub async fn verify(state: State<'_, AppState>, name: String, number: String, consent: bool) -> Result<VerifyView, UiError> {
    check_len("name", &name, 64)?;
    check_len("number", &number, 24)?;
    if !consent {
        return Err(UiError::new(
            "consent",
            "核验前须取得本人授权并勾选“已取得本人授权”。",
            "Get the holder's consent and tick “The holder has consented” before checking.",
        ));
    }
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(UiError::new("no_name", "请填写姓名。", "Enter the name."));
    }
    let checked = idcheck::id::check(&number);
    if !checked.is_valid() {
        return Err(UiError::new(
            "invalid_number",
            "号码未通过本地校验，未发送给服务商，也未计费。请先改正号码。",
            "The number failed the local checks; it was not sent to the vendor nor billed. Correct it first.",
        ));
    }
    let s = state.settings();
    let demo = state.demo();
    let client = vendors::two_factor(&s.two_factor, &s, demo)?;
    let number = checked.number().to_string();
    let (n2, name2) = (number.clone(), name.clone());
    let result = state.run_job("verify", async move { Ok(client.verify(&name2, &n2).await) }).await?;
    // An answer reused from an identical check a moment ago was recorded then.
    if !result.as_ref().is_ok_and(|r| r.reused) {
        let provider = trail::provider_id(&s.two_factor, demo.is_some());
        let verdict = result.as_ref().map(|r| r.verdict).map_err(Clone::clone);
        let mut two = Record::two_factor(&provider, &name, &number, &verdict).consent(true);
        if let Ok(r) = &result {
            two = two.reply(r.vendor_code.as_deref(), r.request_id.as_deref());
        }
        trail::record_later(&state, vec![Record::local(&checked).consent(true), two]);
    }
    let r = result?;
    let verdict = serde_json::to_value(r.verdict).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    Ok(VerifyView {
        verdict,
        message: r.verdict.message(),
        provider_name: provider_name(r.provider),
        provider: r.provider.to_string(),
        time: crate::local::now_local_string(),
        request_id: r.request_id,
        reused: r.reused,
        demo: demo.is_some(),
        masked_number: idcheck::mask::number(&number),
        masked_name: idcheck::mask::name(&name),
        birthday: r.birthday,
        sex: r.sex,
        address_masked: r.address_masked,
    })
}

// ---------- explicit record ----------

/// 记入历史: records the local check of the number in the form when the clerk asks (typing
/// alone records nothing).
#[tauri::command]
pub async fn record_check(state: State<'_, AppState>, number: String) -> Result<(), UiError> {
    check_len("number", &number, 24)?;
    if number.trim().is_empty() {
        return Err(UiError::new("no_number", "请先输入身份证号码。", "Enter an ID number first."));
    }
    let checked = idcheck::id::check(&number);
    trail::record(&state, vec![Record::local(&checked)]).await
}
