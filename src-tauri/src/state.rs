//! The shell's state: settings, the photo in memory, running jobs, demo fakes.
//!
//! The photo lives only here, in memory; 清空 and the idle clear drop it. Nothing is written
//! to disk.

pub use crate::demo::Demo;
use crate::settings::Settings;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::task::AbortHandle;

/// A prepared photo, in memory only.
pub struct Photo {
    pub jpeg: Vec<u8>,
}

pub struct AppState {
    pub settings: Mutex<Settings>,
    pub photo: Mutex<Option<Arc<Photo>>>,
    pub jobs: Mutex<HashMap<&'static str, AbortHandle>>,
    /// The fakes while demo mode is on. Once started they live as long as the app (a
    /// runtime of their own cannot be dropped from async code).
    pub demo: Mutex<Option<&'static Demo>>,
    /// Demo forced by `--demo` / `IDCHECK_DEMO` (not saved to the settings file).
    pub demo_forced: bool,
    /// The audit trail (opened on first use).
    pub trail: Arc<crate::trail::Trail>,
    /// The loaded batch (locked while it runs).
    pub batch: tokio::sync::Mutex<Option<crate::batch::Session>>,
    /// Cancels the running batch.
    pub batch_cancel: Mutex<Option<tokio_util::sync::CancellationToken>>,
}

impl AppState {
    pub fn settings(&self) -> Settings {
        self.settings.lock().unwrap().clone()
    }

    pub fn demo(&self) -> Option<&'static Demo> {
        *self.demo.lock().unwrap()
    }

    /// Starts or stops the fakes to match the wanted demo state.
    pub fn set_demo(&self, on: bool) -> Result<(), crate::views::UiError> {
        static STARTED: std::sync::OnceLock<&'static Demo> = std::sync::OnceLock::new();
        let mut d = self.demo.lock().unwrap();
        if on && d.is_none() {
            if let Some(started) = STARTED.get() {
                *d = Some(*started);
                return Ok(());
            }
            let demo: &'static Demo = Box::leak(Box::new(Demo::start().map_err(|e| {
                crate::views::UiError::new(
                    "demo",
                    format!("演示服务无法启动：{e}。请检查本机回环网络（127.0.0.1）。"),
                    format!("The demo services could not start: {e}. Check the loopback network (127.0.0.1)."),
                )
            })?));
            let _ = STARTED.set(demo);
            *d = Some(demo);
        } else if !on {
            *d = None;
        }
        Ok(())
    }

    /// Runs `fut` as the job `name` so that [`AppState::cancel`] can abort it; a new job of
    /// the same name replaces (aborts) the old one.
    pub async fn run_job<T, F>(&self, name: &'static str, fut: F) -> Result<T, crate::views::UiError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, crate::views::UiError>> + Send + 'static,
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
            Err(e) if e.is_cancelled() => Err(crate::views::UiError::cancelled()),
            Err(_) => Err(crate::views::UiError::internal()),
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
