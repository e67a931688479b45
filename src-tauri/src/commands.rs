//! The commands the page may call. Every argument is untrusted input: lengths and choices
//! are checked here before anything reaches the core, a vendor or the keychain.

use crate::settings::{IDLE_KEY, KEYED_PROVIDERS};
use crate::state::{AppState, Photo};
use crate::views::*;
use crate::{keys, photo};
use idcheck::desk::PageSettings;
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

/// A photo is on its way (a drag entered, 打开… was pressed, a photo arrived): when the local
/// engine will read it, start loading the models now.
pub fn photo_coming(app: &tauri::AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if app.state::<AppState>().desk.ocr_provider() == "local" {
            crate::ocr_local::warm();
        }
    });
}

pub fn settings_view(state: &AppState) -> SettingsView {
    let s = state.settings();
    let demo = state.demo();
    let mut providers = BTreeMap::new();
    let status = state.desk.key_status();
    let statuses = keys::per_provider(&status);
    for p in KEYED_PROVIDERS {
        let source = if demo {
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
    let keychain = match status.keychain_error {
        None => KeychainStatus { available: true, message: None },
        Some(m) => KeychainStatus { available: false, message: Some(m) },
    };
    SettingsView {
        lang: s.lang,
        ocr: s.ocr.clone(),
        two_factor_ready: state.desk.configured(&s.two_factor),
        two_factor: s.two_factor.clone(),
        region: s.region.clone(),
        idle_clear_secs: s.idle_clear_secs,
        base_urls: s.base_urls.clone(),
        demo,
        demo_forced: state.demo_forced,
        providers,
        keychain,
        operator: s.operator.clone().unwrap_or_default(),
        retention_days: s.retention_days,
        audit_problem: state.desk.trail_problem(),
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
    AppInfo { version: env!("CARGO_PKG_VERSION"), lang: state.settings().lang, demo: state.demo() }
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
    state.desk.change_settings(|s| s.lang = Some(lang))?;
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

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, patch: SettingsPatch) -> Result<SettingsView, UiError> {
    if patch.idle_clear_secs > 24 * 3600 {
        return Err(UiError::bad_input("idle_clear_secs"));
    }
    let page = PageSettings {
        ocr: patch.ocr,
        two_factor: patch.two_factor,
        region: patch.region,
        base_urls: patch.base_urls,
        demo: patch.demo,
        operator: patch.operator,
        retention_days: patch.retention_days,
        other: [(IDLE_KEY.to_string(), serde_json::Value::from(patch.idle_clear_secs))].into(),
    };
    let desk = state.desk.clone();
    tokio::task::spawn_blocking(move || desk.save_page_settings(page)).await.map_err(|_| UiError::internal())??;
    state.set_demo(patch.demo || state.demo_forced)?;
    Ok(settings_view(&state))
}

#[tauri::command]
pub async fn save_key(state: State<'_, AppState>, provider: String, key: String, second: Option<String>) -> Result<SettingsView, UiError> {
    let values: Vec<Sensitive<String>> = [Some(key), second].into_iter().flatten().map(Sensitive::new).collect();
    state.desk.save_key(&provider, values)?;
    Ok(settings_view(&state))
}

#[tauri::command]
pub async fn delete_key(state: State<'_, AppState>, provider: String) -> Result<SettingsView, UiError> {
    state.desk.delete_key(&provider)?;
    Ok(settings_view(&state))
}

#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, provider: String) -> Result<TestView, UiError> {
    let started = std::time::Instant::now();
    let desk = state.desk.clone();
    let note = state.run_job("test", async move { desk.test_connection(&provider).await }).await?;
    Ok(TestView { millis: started.elapsed().as_millis() as u64, note })
}

// ---------- photo ----------

/// Keeps a new photo: a new holder is at the desk, so earlier consent no longer counts.
pub fn store_photo(state: &AppState, p: photo::Prepared) -> PhotoView {
    state.desk.forget_holder();
    *state.copy_back.lock().unwrap() = None;
    *state.photo.lock().unwrap() = Some(Arc::new(Photo { jpeg: Arc::new(p.jpeg), warnings: p.warnings }));
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
    // Reading and preparing a photo is blocking work, as for a drop.
    let loaded = tokio::task::spawn_blocking(move || load_path(&app.state::<AppState>(), &path, None)).await.map_err(|_| UiError::internal())?;
    Ok(Some(loaded))
}

/// The cards in the loaded photo, straightened, each front with its portrait: the page shows
/// them in place of the photo (and the photo again on request). Asked by the page beside the
/// read, so the form fills as soon as it would without them. In memory only; an empty list
/// when no card is found or there is no photo.
#[tauri::command]
pub async fn photo_crops(state: State<'_, AppState>) -> Result<Vec<CardCrop>, UiError> {
    let Some(photo) = state.photo.lock().unwrap().clone() else {
        return Ok(Vec::new());
    };
    tokio::task::spawn_blocking(move || photo::crops(&photo.jpeg)).await.map_err(|_| UiError::internal())?
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
    let desk = state.desk.clone();
    let jpeg = photo.jpeg.clone();
    let read = state.run_job("ocr", async move { desk.read_card(jpeg).await }).await?;
    let doubtful = idcheck::ocr::doubt::doubtful(&read.fields);
    let mut warnings = photo.warnings.clone();
    idcheck::quality::after_reading(&mut warnings, &read.fields);
    let warnings = PhotoWarning::list(&warnings);
    let cards = read.cards.into_iter().map(|fields| CardChoice { doubtful: idcheck::ocr::doubt::doubtful(&fields), sides: fields.sides(), fields }).collect();
    Ok(OcrView { provider_name: provider_name(&read.provider), provider: read.provider, fields: read.fields, doubtful, warnings, demo: read.demo, cards })
}

#[tauri::command]
pub fn cancel(state: State<'_, AppState>, job: String) -> bool {
    matches!(job.as_str(), "ocr" | "verify" | "region" | "test") && state.cancel(&job)
}

#[tauri::command]
pub fn clear(state: State<'_, AppState>) {
    state.desk.forget_holder();
    *state.photo.lock().unwrap() = None;
    *state.copy_back.lock().unwrap() = None;
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

/// The region panel: the embedded table at once; the online provider (maybe billed) only when
/// the page says the clerk asked for it (`online`).
#[tauri::command]
pub async fn region_lookup(state: State<'_, AppState>, number: String, online: Option<bool>) -> Result<RegionView, UiError> {
    check_len("number", &number, 24)?;
    let n = number.trim().to_ascii_uppercase();
    let desk = state.desk.clone();
    let online = online.unwrap_or(false);
    let answer = if online { state.run_job("region", async move { desk.region(&n, true).await }).await? } else { desk.region(&n, false).await? };
    let embedded = crate::local::embedded_region(answer.code.parse().unwrap_or(0), &number.trim().to_ascii_uppercase());
    let online = answer.online.map(|o| match o.result {
        Ok(r) => {
            let embedded_name = embedded.as_ref().map(|e| format!("{}{}{}", e.current.province, e.current.city, e.current.district));
            let differs = embedded_name.as_ref().is_some_and(|e| crate::local::names_differ(e, &r.full_name));
            OnlineRegion { provider_name: provider_name(&o.provider), provider: o.provider, full_name: r.full_name, differs, demo: o.demo, error: None }
        }
        Err(e) => OnlineRegion::failed(&o.provider, o.demo, e),
    });
    Ok(RegionView { code: answer.code, embedded, online })
}

// ---------- two-factor ----------

/// The consent tick: given (or withdrawn) for the holder with this name and number only.
#[tauri::command]
pub fn set_consent(state: State<'_, AppState>, name: String, number: String, given: bool) -> Result<(), UiError> {
    check_len("name", &name, 64)?;
    check_len("number", &number, 24)?;
    state.desk.give_consent(&name, &number, given);
    Ok(())
}

#[tauri::command]
pub async fn verify(state: State<'_, AppState>, name: String, number: String, consent: bool) -> Result<VerifyView, UiError> {
    check_len("name", &name, 64)?;
    check_len("number", &number, 24)?;
    if !consent {
        state.desk.forget_holder();
    }
    let desk = state.desk.clone();
    let v = state.run_job("verify", async move { desk.verify(&name, &number).await }).await?;
    let r = v.result;
    let verdict = serde_json::to_value(r.verdict).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    Ok(VerifyView {
        verdict,
        message: r.verdict.message(),
        provider_name: provider_name(r.provider),
        provider: r.provider.to_string(),
        time: crate::local::now_local_string(),
        request_id: r.request_id,
        reused: r.reused,
        demo: v.demo,
        masked_number: idcheck::mask::number(&v.number),
        masked_name: idcheck::mask::name(&v.name),
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
    state.desk.record_local(&number).await
}
