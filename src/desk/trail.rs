//! The audit trail as the desk writes it: opened on first use (the install key comes from the
//! keychain), shared by every action, and best effort — a trail that cannot be opened or
//! written never stops a check. Its trouble is kept for the faces to show.

use super::DeskError;
use crate::audit::{self, Record, Store};
use crate::i18n::Msg;
use crate::paths::Namespace;
use std::sync::{Arc, Mutex};

pub struct Trail {
    ns: Namespace,
    enabled: bool,
    store: Mutex<Option<Arc<Store>>>,
    /// Why the trail could not be used the last time it was tried.
    error: Mutex<Option<Msg>>,
}

impl Trail {
    /// The trail of `ns`; `enabled = false` (`--no-record`) records nothing and never opens it.
    pub fn new(ns: Namespace, enabled: bool) -> Trail {
        Trail { ns, enabled, store: Mutex::new(None), error: Mutex::new(None) }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The open trail, opening it (and purging rows older than `retention_days`) if needed.
    /// Blocking: keychain and disk.
    pub fn store(&self, retention_days: u32) -> Result<Arc<Store>, DeskError> {
        let mut slot = self.store.lock().unwrap();
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        match audit::open_ns(&self.ns, retention_days) {
            Ok(s) => {
                let s = Arc::new(s);
                *slot = Some(s.clone());
                *self.error.lock().unwrap() = None;
                Ok(s)
            }
            Err(e) => {
                *self.error.lock().unwrap() = Some(e.message().clone());
                Err(e.into())
            }
        }
    }

    /// Writes `records` with the operator added. Blocking. A failure is kept for the faces.
    pub fn record(&self, records: Vec<Record>, operator: Option<&str>, retention_days: u32) -> Result<(), DeskError> {
        if records.is_empty() || !self.enabled {
            return Ok(());
        }
        let store = self.store(retention_days)?;
        let records: Vec<Record> = records.into_iter().map(|r| r.operator(operator)).collect();
        store.record_many(&records).map(|_| ()).map_err(|e| {
            *self.error.lock().unwrap() = Some(e.message().clone());
            e.into()
        })
    }

    /// What went wrong the last time, if the trail is not usable.
    pub fn problem(&self) -> Option<Msg> {
        self.error.lock().unwrap().clone()
    }
}
