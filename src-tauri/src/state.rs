//! The shell's state: the core's desk (settings, keys, the trail, the promises), the photo in
//! memory, running jobs, the demo fakes.
//!
//! The photo lives only here, in memory; 清空 and the idle clear drop it. Nothing is written
//! to disk.

pub use crate::demo::Demo;
use crate::settings::Settings;
use crate::views::UiError;
use idcheck::desk::Desk;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::task::AbortHandle;

/// A prepared photo, in memory only, with its quality warnings.
pub struct Photo {
    pub jpeg: Arc<Vec<u8>>,
    pub warnings: Vec<idcheck::quality::Warning>,
}

pub struct AppState {
    /// Every paid, private or recorded action goes through the desk.
    pub desk: Arc<Desk>,
    pub photo: Mutex<Option<Arc<Photo>>>,
    /// The back in a second photo, for the copy (生成复印件…); dropped with the photo.
    pub copy_back: Mutex<Option<Arc<Vec<u8>>>>,
    pub jobs: Mutex<HashMap<&'static str, AbortHandle>>,
    /// Demo forced by `--demo` / `IDCHECK_DEMO` (not saved to the settings file).
    pub demo_forced: bool,
    /// The loaded batch (locked while it runs).
    pub batch: tokio::sync::Mutex<Option<idcheck::desk::batch::BatchJob>>,
    /// Cancels the running batch.
    pub batch_cancel: Mutex<Option<tokio_util::sync::CancellationToken>>,
}

impl AppState {
    /// The window's view of the desk's settings.
    pub fn settings(&self) -> Settings {
        Settings::from_core(&self.desk.settings())
    }

    pub fn demo(&self) -> bool {
        self.desk.is_demo()
    }

    /// Starts the fakes (once; they live as long as the app) and points the desk at them, or
    /// back at the real services.
    pub fn set_demo(&self, on: bool) -> Result<(), UiError> {
        if on == self.desk.is_demo() {
            return Ok(());
        }
        if !on {
            self.desk.set_demo(None);
            return Ok(());
        }
        static STARTED: std::sync::OnceLock<Demo> = std::sync::OnceLock::new();
        let demo = match STARTED.get() {
            Some(d) => d,
            None => {
                let d = Demo::start().map_err(|e| {
                    UiError::new(
                        "demo",
                        format!("演示服务无法启动：{e}。请检查本机回环网络（127.0.0.1）。"),
                        format!("The demo services could not start: {e}. Check the loopback network (127.0.0.1)."),
                    )
                })?;
                STARTED.get_or_init(|| d)
            }
        };
        self.desk.set_demo(Some(demo.endpoints()));
        Ok(())
    }

    /// Runs `fut` as the job `name` so that [`AppState::cancel`] can stop waiting for it; a
    /// new job of the same name replaces the old one. (A paid call the desk has sent runs to
    /// its end on its own task and is recorded either way.)
    pub async fn run_job<T, F>(&self, name: &'static str, fut: F) -> Result<T, UiError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, UiError>> + Send + 'static,
    {
        let handle = tokio::spawn(fut);
        if let Some(old) = self.jobs.lock().unwrap().insert(name, handle.abort_handle()) {
            old.abort();
        }
        let id = handle.id();
        let r = handle.await;
        let mut jobs = self.jobs.lock().unwrap();
        if jobs.get(name).is_some_and(|h| h.id() == id) {
            jobs.remove(name);
        }
        match r {
            Ok(v) => v,
            Err(e) if e.is_cancelled() => Err(UiError::cancelled()),
            Err(_) => Err(UiError::internal()),
        }
    }

    pub fn cancel(&self, name: &str) -> bool {
        match self.jobs.lock().unwrap().remove(name) {
            Some(h) => {
                h.abort();
                true
            }
            None => false,
        }
    }
}
