//! The audit trail as the window uses it: opened on first use (the install key comes from the
//! keychain), shared by the commands, and best effort — a trail that cannot be opened or
//! written never stops a check. Its trouble is kept for the page (Settings and 历史 show it)
//! and printed once on stderr, without any personal data.

use crate::views::UiError;
use idcheck::audit::{self, Record, Store};
use idcheck::i18n::Msg;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Trail {
    store: Mutex<Option<Arc<Store>>>,
    /// Why the trail could not be used the last time it was tried.
    error: Mutex<Option<Msg>>,
    warned: AtomicBool,
}

impl Trail {
    /// The open trail, opening it (and purging rows older than `retention_days`) if needed.
    /// Blocking: keychain and disk.
    pub fn store(&self, retention_days: u32) -> Result<Arc<Store>, UiError> {
        let mut slot = self.store.lock().unwrap();
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        match audit::open_in(&idcheck::settings::config_dir(), retention_days) {
            Ok(s) => {
                let s = Arc::new(s);
                *slot = Some(s.clone());
                *self.error.lock().unwrap() = None;
                Ok(s)
            }
            Err(e) => {
                self.failed(e.message());
                Err(UiError { kind: "audit".into(), message: e.message().clone(), provider: None, vendor_code: None, request_id: None })
            }
        }
    }

    fn failed(&self, m: &Msg) {
        *self.error.lock().unwrap() = Some(m.clone());
        if !self.warned.swap(true, Ordering::SeqCst) {
            eprintln!("idcheck-app: the audit trail cannot be written: {}", m.en);
        }
    }

    /// Writes `records` with the operator added. A failure is also kept for the page.
    /// Blocking.
    pub fn record(&self, records: Vec<Record>, operator: Option<&str>, retention_days: u32) -> Result<(), UiError> {
        if records.is_empty() {
            return Ok(());
        }
        let store = self.store(retention_days)?;
        let records: Vec<Record> = records.into_iter().map(|r| r.operator(operator)).collect();
        store.record_many(&records).map(|_| ()).map_err(|e| {
            self.failed(e.message());
            UiError { kind: "audit".into(), message: e.message().clone(), provider: None, vendor_code: None, request_id: None }
        })
    }

    /// What went wrong the last time, if the trail is not usable.
    pub fn problem(&self) -> Option<Msg> {
        self.error.lock().unwrap().clone()
    }
}

/// Records `records` off the async threads; returns once they are written (or failed).
pub async fn record(state: &crate::state::AppState, records: Vec<Record>) -> Result<(), UiError> {
    let s = state.settings();
    let trail = state.trail.clone();
    tokio::task::spawn_blocking(move || trail.record(records, s.operator.as_deref(), s.retention_days)).await.map_err(|_| UiError::internal())?
}

/// Records `records` in the background, stamped with the time of the check: a check's answer
/// is never held up by the disk (or by a keychain that is slow to open the trail).
pub fn record_later(state: &crate::state::AppState, records: Vec<Record>) {
    let s = state.settings();
    let trail = state.trail.clone();
    let records: Vec<Record> = records.into_iter().map(Record::stamped).collect();
    tokio::task::spawn_blocking(move || trail.record(records, s.operator.as_deref(), s.retention_days));
}

/// The open trail, opened off the async threads if needed.
pub async fn open(state: &crate::state::AppState) -> Result<Arc<Store>, UiError> {
    let retention = state.settings().retention_days;
    let trail = state.trail.clone();
    tokio::task::spawn_blocking(move || trail.store(retention)).await.map_err(|_| UiError::internal())?
}

/// Runs `f` with the open trail off the async threads (queries, exports, purges).
pub async fn with_store<T: Send + 'static>(
    state: &crate::state::AppState,
    f: impl FnOnce(&Store) -> Result<T, UiError> + Send + 'static,
) -> Result<T, UiError> {
    let store = open(state).await?;
    tokio::task::spawn_blocking(move || f(&store)).await.map_err(|_| UiError::internal())?
}

/// Where an export went, for the page.
#[derive(serde::Serialize)]
pub struct Exported {
    pub path: String,
    pub rows: usize,
}

/// The provider id as recorded: a vendor answered by the built-in fakes (演示模式) is kept
/// apart from the real one.
pub fn provider_id(provider: &str, demo: bool) -> String {
    if demo && !matches!(provider, "local" | "embedded") {
        format!("{provider}-demo")
    } else {
        provider.to_string()
    }
}

impl From<audit::AuditError> for UiError {
    fn from(e: audit::AuditError) -> UiError {
        UiError { kind: "audit".into(), message: e.message().clone(), provider: None, vendor_code: None, request_id: None }
    }
}
