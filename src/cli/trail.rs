//! The audit trail as the subcommands use it: where it lives, opening it with the install key
//! from the keychain and the retention from the settings, and [`Trail`], the recorder every
//! check goes through.
//!
//! A trail that cannot be opened or written never stops a check: the user is warned once on
//! stderr, in their language, and the command goes on without recording.

use idcheck::audit::{self, NumberChunk, Record, Store};
use idcheck::i18n::{Lang, Msg};
use idcheck::settings::Settings;
use std::path::PathBuf;

/// The config directory: `IDCHECK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/idcheck`, else
/// `~/.config/idcheck`.
pub fn config_dir() -> PathBuf {
    idcheck::settings::config_dir()
}

/// Opens the audit trail (key from the OS keychain) and applies the retention period of the
/// settings (default 180 days).
pub fn store() -> Result<Store, Msg> {
    let retention = idcheck::settings::load().map(|s| s.retention_days()).unwrap_or(audit::DEFAULT_RETENTION_DAYS);
    audit::open_in(&config_dir(), retention).map_err(|e| e.message().clone())
}

/// Prints `m` on stderr in the user's language and returns exit status 2.
pub fn fail(m: &Msg, lang: Lang) -> i32 {
    eprintln!("idcheck: {}", m.get(lang));
    2
}

/// The one warning a command prints when the trail cannot be written.
pub fn warn(m: &Msg, lang: Lang) {
    let w = Msg::new(
        format!("警告：审计记录无法写入（{}）；核验照常进行，但本次不记录。不需要记录时可加 --no-record。", m.zh),
        format!("warning: the audit trail cannot be written ({}); checking goes on without recording. Pass --no-record where no record is wanted.", m.en),
    );
    eprintln!("idcheck: {}", w.get(lang));
}

/// Records checks in the audit trail, with the operator from the settings. Opened lazily by
/// the first record, so a command that checks nothing never touches the keychain.
pub struct Trail {
    state: State,
    operator: Option<String>,
    lang: Lang,
}

enum State {
    Closed,
    Open(Box<Store>),
    /// Turned off (`--no-record`) or failed once (already warned).
    Off,
}

impl Trail {
    /// A recorder; `enabled = false` (`--no-record`) records nothing and never opens the trail.
    pub fn new(enabled: bool, settings: Option<&Settings>, lang: Lang) -> Trail {
        let operator = match settings {
            Some(s) => s.operator().map(String::from),
            None => idcheck::settings::load().ok().and_then(|s| s.operator().map(String::from)),
        };
        Trail { state: if enabled { State::Closed } else { State::Off }, operator, lang }
    }

    fn store(&mut self) -> Option<&Store> {
        if let State::Closed = self.state {
            self.state = match store() {
                Ok(s) => State::Open(Box::new(s)),
                Err(m) => {
                    self.warn(&m);
                    State::Off
                }
            };
        }
        match &self.state {
            State::Open(s) => Some(s),
            _ => None,
        }
    }

    fn warn(&self, m: &Msg) {
        warn(m, self.lang);
    }

    fn failed(&mut self, e: &audit::AuditError) {
        self.warn(e.message());
        self.state = State::Off;
    }

    /// Records many checks in one transaction; `records` is drained. The operator is added
    /// here.
    pub fn record_many(&mut self, records: &mut Vec<Record>) {
        if records.is_empty() {
            return;
        }
        if let Some(op) = self.operator.clone() {
            for r in records.iter_mut() {
                r.operator = Some(op.clone());
            }
        }
        let result = match self.store() {
            Some(store) => store.record_many(records),
            None => Ok(0),
        };
        records.clear();
        if let Err(e) = result {
            self.failed(&e);
        }
    }

    /// An empty chunk for a stream's numbers, hashed with the trail's keys and recorded under
    /// the operator; opens the trail. `None` when it is off or cannot be opened (warned once).
    pub fn chunk(&mut self) -> Option<NumberChunk> {
        let operator = self.operator.clone();
        self.store().map(|s| s.chunk(operator.as_deref()))
    }

    /// Writes the numbers gathered in `chunk` and empties it.
    pub fn write_chunk(&mut self, chunk: &mut NumberChunk) {
        if chunk.is_empty() {
            return;
        }
        let result = match self.store() {
            Some(store) => store.write_chunk(chunk),
            None => Ok(0),
        };
        if let Err(e) = result {
            self.failed(&e);
        }
    }

    /// Whether checks are still being recorded.
    pub fn is_on(&self) -> bool {
        !matches!(self.state, State::Off)
    }
}
