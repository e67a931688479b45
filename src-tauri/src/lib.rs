//! 身份证核验台 / IDCheck desktop shell: commands, state and the window.
//!
//! Thin over the `idcheck` core. Every network call, file read and keychain access is made
//! here in Rust; the page gets fields, findings and verdicts, never a key.

mod batch;
pub mod bridge;
mod commands;
mod copy;
pub mod demo;
mod dialogs;
mod history;
pub mod keys;
pub mod local;
mod ocr_local;
pub mod photo;
pub mod settings;
pub mod state;
mod team;
pub mod trail;
pub mod views;

use idcheck::desk::{Desk, DeskConfig};
use idcheck::i18n::Msg;
use state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tauri::{DragDropEvent, Emitter, Manager, WindowEvent};

/// The core's local OCR engine behind the window's keeper, which loads the models when a photo
/// is on its way and releases them when the desk is quiet.
struct KeptLocal;

#[async_trait::async_trait]
impl idcheck::providers::Ocr for KeptLocal {
    fn id(&self) -> &'static str {
        "local"
    }
    async fn read(&self, jpeg: &[u8]) -> Result<idcheck::card::CardFields, idcheck::providers::ProviderError> {
        ocr_local::read(jpeg).await
    }
    async fn read_all(&self, jpeg: &[u8]) -> Result<Vec<idcheck::card::CardFields>, idcheck::providers::ProviderError> {
        ocr_local::read_all(jpeg).await
    }
}

/// A drop on the window: the first file is read and prepared here; the page hears the result.
fn on_drop(window: &tauri::Window, paths: &[std::path::PathBuf]) {
    let Some(first) = paths.first().cloned() else { return };
    commands::photo_coming(window.app_handle());
    let note = (paths.len() > 1).then(|| {
        let name = first.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Msg::new(format!("拖入了 {} 个文件，只使用第一个：{name}", paths.len()), format!("{} files dropped; using the first one: {name}", paths.len()))
    });
    let window = window.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = window.state::<AppState>();
        let loaded = commands::load_path(&state, &first, note);
        let _ = window.emit("photo-loaded", loaded);
    });
}

pub fn run() {
    ocr_local::tune_allocator();
    let core = idcheck::settings::load().unwrap_or_else(|e| {
        // An unreadable settings file: the defaults, and the clerk can still work by hand.
        eprintln!("idcheck-app: {}", e.message);
        Default::default()
    });
    let demo_forced = demo::requested();
    let demo = demo_forced || core.demo_mode;
    let config = DeskConfig { local_ocr: Arc::new(KeptLocal), ..DeskConfig::from_env() };
    let state = AppState {
        desk: Desk::with_settings(config, core),
        demo_forced,
        jobs: Mutex::new(HashMap::new()),
        photo: Mutex::new(None),
        copy_back: Mutex::new(None),
        batch: Default::default(),
        batch_cancel: Default::default(),
    };
    if demo {
        if let Err(e) = state.set_demo(true) {
            eprintln!("idcheck-app: {}", e.message);
        }
    }
    let desk = state.desk.clone();
    tauri::Builder::default()
        .manage(state)
        .setup(move |app| {
            // The package ships ONNX Runtime among its resources (tauri.bundle.json).
            if let Ok(dir) = app.path().resource_dir() {
                idcheck::ocr::net::add_library_dir(&dir.join("onnxruntime"));
            }
            // The team sender: pushes this desk's checks to the team database for as long as
            // the window is open (recording a check wakes it); idle while the desk is in no team.
            // Woken once at the start, so checks left waiting by the last session go out now.
            desk.nudge_team_sender();
            tauri::async_runtime::spawn(desk.run_team_sender());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::DragDrop(ev) = event {
                match ev {
                    DragDropEvent::Enter { .. } => {
                        commands::photo_coming(window.app_handle());
                        let _ = window.emit("drag-state", true);
                    }
                    DragDropEvent::Over { .. } => {
                        let _ = window.emit("drag-state", true);
                    }
                    DragDropEvent::Leave => {
                        let _ = window.emit("drag-state", false);
                    }
                    DragDropEvent::Drop { paths, .. } => {
                        let _ = window.emit("drag-state", false);
                        on_drop(window, paths);
                    }
                    _ => {}
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::settings,
            commands::set_lang,
            commands::save_settings,
            commands::save_key,
            commands::delete_key,
            commands::test_connection,
            commands::load_photo,
            commands::open_dialog,
            commands::read_card,
            commands::photo_crops,
            copy::copy_back,
            copy::copy_forget_back,
            copy::copy_save,
            copy::copy_print,
            commands::cancel,
            commands::clear,
            commands::check_local,
            commands::region_lookup,
            commands::verify,
            commands::set_consent,
            commands::record_check,
            history::history,
            history::history_export,
            batch::batch_browse,
            batch::batch_load,
            batch::batch_run,
            batch::batch_cancel,
            batch::batch_export,
            team::team_status,
            team::team_set_url,
            team::team_set_password,
            team::team_join,
            team::team_sync,
            team::team_history,
            perf::perf_mark,
            perf::page_ready,
        ])
        .run(tauri::generate_context!())
        .expect("the window could not be started");
}

/// The page's first paint, and timing marks for `scripts/measure.sh`, printed only when
/// `IDCHECK_PERF` is set: the wall clock (ms since the epoch) of the first paint, and the time
/// from a drop to a filled form.
mod perf {
    use std::sync::Mutex;
    use std::time::Instant;

    pub static DROP_AT: Mutex<Option<Instant>> = Mutex::new(None);

    pub fn enabled() -> bool {
        std::env::var_os("IDCHECK_PERF").is_some()
    }

    fn epoch_ms() -> u128 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
    }

    /// The page has painted for the first time (at `painted_at`, ms since the epoch by the
    /// page's clock, which is this machine's).
    #[tauri::command]
    pub fn page_ready(window: tauri::Window, painted_at: f64) {
        if !enabled() {
            return;
        }
        // The page's own stamp: the report's IPC round trip is not part of the start.
        let stamp = if painted_at.is_finite() && painted_at > 0.0 { painted_at as u128 } else { epoch_ms() };
        eprintln!("perf first-paint {stamp}");
        // Simulates a drop of IDCHECK_PERF_OPEN once the page is up.
        if let Some(p) = std::env::var_os("IDCHECK_PERF_OPEN") {
            *DROP_AT.lock().unwrap() = Some(Instant::now());
            super::on_drop(&window, &[std::path::PathBuf::from(p)]);
        }
    }

    #[tauri::command]
    pub fn perf_mark(name: String) {
        if !enabled() {
            return;
        }
        if name == "form-filled" {
            if let Some(t) = DROP_AT.lock().unwrap().take() {
                eprintln!("perf form-filled ms {}", t.elapsed().as_millis());
            }
        }
    }
}
