//! The audit trail: a local record of every check, for compliance reviewers.
//!
//! Every check made from the window or the command (local validation, OCR, region lookup,
//! two-factor) is written to a SQLite database in the config directory: when, which provider,
//! the verdict or the error with the vendor's code and request id, whether the holder's consent
//! was confirmed, and the operator. The database never holds a full ID number, a full name or
//! an image: numbers are stored masked (`crate::mask::number`) plus a keyed hash (see [`key`])
//! so a reviewer can still find every check of one number; names are stored masked.
//!
//! ```no_run
//! use idcheck::audit::{Store, Record, Filter, KeychainKey};
//! let store = Store::open(std::path::Path::new("/home/me/.config/idcheck"), &KeychainKey::default())?;
//! store.record(&Record::local(&idcheck::id::check("11010519491231002X")))?;
//! let newest = store.query(&Filter::default())?;
//! # Ok::<(), idcheck::audit::AuditError>(())
//! ```

pub mod export;
pub mod key;
pub(crate) mod record;
mod schema;

pub use export::write_csv;
pub use key::{KeySource, KeychainKey, StaticKey};
pub use record::{Entry, ErrorInfo, Filter, Kind, Outcome, Record};

use crate::i18n::Msg;
use crate::secret::Sensitive;
use rusqlite::{params_from_iter, Connection};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// File name of the database inside the config directory.
pub const DB_FILE: &str = "audit.sqlite3";

/// How long records are kept unless the settings say otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

/// Something went wrong with the audit trail. Every variant carries a message in both
/// languages that says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{0}")]
    Key(Msg),
    #[error("{0}")]
    Open(Msg),
    #[error("{0}")]
    Db(Msg),
    #[error("{0}")]
    Io(Msg),
}

impl AuditError {
    pub fn message(&self) -> &Msg {
        match self {
            AuditError::Key(m) | AuditError::Open(m) | AuditError::Db(m) | AuditError::Io(m) => m,
        }
    }
}

impl From<rusqlite::Error> for AuditError {
    fn from(e: rusqlite::Error) -> Self {
        AuditError::Db(Msg::new(
            format!("审计数据库出错：{e}。请确认磁盘未满、文件未被其他程序锁定后重试。"),
            format!("The audit database failed: {e}. Check that the disk is not full and no other program locks the file, then retry."),
        ))
    }
}

/// The audit database. Cheap to share behind an `Arc`: every method takes `&self` and the
/// connection is guarded by a mutex, so batch tasks can record concurrently.
pub struct Store {
    conn: Mutex<Connection>,
    key: Sensitive<Vec<u8>>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the audit database in `dir` (the config directory), migrates
    /// it to the current schema and fetches the hashing key from `keys`.
    pub fn open(dir: &Path, keys: &dyn KeySource) -> Result<Store, AuditError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            AuditError::Open(Msg::new(
                format!("无法创建配置目录 {}：{e}。请检查权限或设置 IDCHECK_CONFIG_DIR。", dir.display()),
                format!("Cannot create the config directory {}: {e}. Check its permissions or set IDCHECK_CONFIG_DIR.", dir.display()),
            ))
        })?;
        let path = dir.join(DB_FILE);
        let key = keys.key()?;
        let mut conn = Connection::open(&path).map_err(|e| {
            AuditError::Open(Msg::new(
                format!("无法打开审计数据库 {}：{e}", path.display()),
                format!("Cannot open the audit database {}: {e}", path.display()),
            ))
        })?;
        // Owner-only: SQLite gives the -wal and -shm files the database file's permissions.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL: readers (the window's history view) never block the batch writer.
        // synchronous=FULL: a row marked "sending" survives a power cut, so it is never re-sent.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted rows are overwritten, so purged records do not linger in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::MigrateError::TooNew { found, known } => AuditError::Open(Msg::new(
                format!("审计数据库 {} 由更新版本的程序创建（版本 {found}，本程序支持 {known}）。请升级程序。", path.display()),
                format!("The audit database {} was written by a newer version of the app (schema {found}, this one knows {known}). Upgrade the app.", path.display()),
            )),
            schema::MigrateError::Sql(e) => e.into(),
        })?;
        Ok(Store { conn: Mutex::new(conn), key, path })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keyed hash of a (normalised) ID number, as stored in `number_hash`.
    pub fn hash_number(&self, number: &str) -> String {
        key::keyed_hash(&self.key, normalise(number).as_bytes())
    }

    /// A keyed hasher for fingerprints of batch inputs.
    pub(crate) fn hasher(&self) -> key::KeyedHasher {
        key::KeyedHasher::new(&self.key)
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes one check. Returns the new row's id.
    pub fn record(&self, r: &Record) -> Result<i64, AuditError> {
        let conn = self.conn();
        record::insert(&conn, self, r)
    }

    /// The checks matching `filter`, newest first.
    pub fn query(&self, filter: &Filter) -> Result<Vec<Entry>, AuditError> {
        let (sql, args) = record::select_sql(self, filter);
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), record::entry_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many checks match `filter` (ignoring its limit and offset).
    pub fn count(&self, filter: &Filter) -> Result<u64, AuditError> {
        let (sql, args) = record::count_sql(self, filter);
        let conn = self.conn();
        Ok(conn.query_row(&sql, params_from_iter(args.iter()), |r| r.get::<_, i64>(0))? as u64)
    }

    /// Deletes checks and batches older than `days` days. Returns the number of checks
    /// deleted. `days == 0` keeps everything.
    pub fn purge_older_than(&self, days: u32) -> Result<usize, AuditError> {
        if days == 0 {
            return Ok(0);
        }
        let cutoff = now_ms() - days as i64 * 86_400_000;
        self.purge_before_ms(cutoff)
    }

    /// Deletes checks and batches recorded before `cutoff_ms` (UTC milliseconds).
    pub fn purge_before_ms(&self, cutoff_ms: i64) -> Result<usize, AuditError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute("DELETE FROM checks WHERE at_ms < ?1", [cutoff_ms])?;
        tx.execute("DELETE FROM batch_rows WHERE batch_id IN (SELECT id FROM batches WHERE updated_ms < ?1)", [cutoff_ms])?;
        tx.execute("DELETE FROM batches WHERE updated_ms < ?1", [cutoff_ms])?;
        tx.commit()?;
        Ok(n)
    }

    /// Copies the WAL into the main file and truncates it (used before backups and in tests).
    pub fn checkpoint(&self) -> Result<(), AuditError> {
        self.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Opens the trail in the config directory `dir` with the install key from the OS keychain and
/// drops records older than `retention_days` (use [`DEFAULT_RETENTION_DAYS`] unless the
/// settings say otherwise; 0 keeps everything). What the window and the command call.
pub fn open_in(dir: &Path, retention_days: u32) -> Result<Store, AuditError> {
    let store = Store::open(dir, &KeychainKey::default())?;
    store.purge_older_than(retention_days)?;
    Ok(store)
}

/// The form of a number that is hashed: trimmed, upper-case `X`.
pub(crate) fn normalise(number: &str) -> String {
    number.trim().to_ascii_uppercase()
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
