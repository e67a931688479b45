//! The audit trail: a local record of every check, for compliance reviewers.
//!
//! Every check made from the window or the command (local validation, OCR, region lookup,
//! two-factor) is written to a SQLite database in the config directory: when, which provider,
//! the verdict or the error with the vendor's code and request id, whether the holder's consent
//! was confirmed, and the operator. The database never holds a full ID number, a full name or
//! an image: numbers are stored masked (`crate::mask::number`) plus a keyed hash (see [`key`])
//! so a reviewer can still find every check of one number; names are stored masked.
//!
//! A stream of numbers (`idcheck check` on stdin) is recorded in [`chunk`]s of up to 65,536 numbers
//! a row. While the desk is in a team ([`Store::set_team_key`], set by [`open_ns`] from the
//! keychain), every check also carries the number's team hash and waits in the [`outbox`] until
//! the team sender has pushed it; everything local stays keyed with the install key.
//!
//! ```no_run
//! use idcheck::audit::{Store, Record, Filter, KeychainKey};
//! let store = Store::open(std::path::Path::new("/home/me/.config/idcheck"), &KeychainKey::default())?;
//! store.record(&Record::local(&idcheck::id::check("11010519491231002X")))?;
//! let newest = store.query(&Filter::default())?;
//! # Ok::<(), idcheck::audit::AuditError>(())
//! ```

pub mod chunk;
pub mod export;
mod hmac16;
pub mod key;
pub mod outbox;
mod query;
pub(crate) mod record;
mod schema;

pub use chunk::{NumberChunk, CHUNK_MAX, ENTRY_LEN, TEAM_ENTRY_LEN};
pub use export::write_csv;
pub use key::{KeySource, KeychainKey, StaticKey, TEAM_KEYCHAIN_ACCOUNT};
pub use outbox::{OutItem, OutKey, OutRow, OutboxStatus};
pub use record::{Entry, ErrorInfo, Filter, Kind, Outcome, Record};

use crate::i18n::Msg;
use crate::secret::Sensitive;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};

/// File name of the database inside the config directory.
pub const DB_FILE: &str = "audit.sqlite3";

/// From this many records, [`Store::record_many`] inserts in hash order.
pub const BULK: usize = 1024;

/// Page cache of a connection, in KiB (SQLite allocates it only as it is used): room for a
/// chunk of numbers (2.6 MB at most) and the hot part of the indexes. A stream's numbers are
/// no longer rows of their own (see [`chunk`]), so no large index has to stay in memory.
const CACHE_KIB: i64 = 8_192;

pub use crate::settings::DEFAULT_RETENTION_DAYS;

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
    /// HMAC state with the install key already absorbed; cloned per hash. Everything local
    /// (number hashes, the batch ledger, fingerprints) is keyed with it, in a team or not.
    hasher: key::KeyedHasher,
    /// The team key's HMAC state while this desk is in a team: records then also get the
    /// number's team hash and wait in the outbox.
    team: RwLock<Option<key::KeyedHasher>>,
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
            AuditError::Open(Msg::new(format!("无法打开审计数据库 {}：{e}", path.display()), format!("Cannot open the audit database {}: {e}", path.display())))
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
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::MigrateError::TooNew { found, known } => AuditError::Open(Msg::new(
                format!("审计数据库 {} 由更新版本的程序创建（版本 {found}，本程序支持 {known}）。请升级程序。", path.display()),
                format!(
                    "The audit database {} was written by a newer version of the app (schema {found}, this one knows {known}). Upgrade the app.",
                    path.display()
                ),
            )),
            schema::MigrateError::Sql(e) => e.into(),
        })?;
        Ok(Store { conn: Mutex::new(conn), hasher: key::KeyedHasher::new(&key), team: RwLock::new(None), path })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keyed hash of a (normalised) ID number, as stored in `number_hash`.
    pub fn hash_number(&self, number: &str) -> String {
        self.hash_normalised(normalise(number).as_bytes())
    }

    /// [`Store::hash_number`] of a number already normalised.
    pub(crate) fn hash_normalised(&self, number: &[u8]) -> String {
        let mut h = self.hasher();
        h.update(number);
        h.finish()
    }

    /// Sets or clears the team key (see [`outbox`]): from now on every check recorded gets
    /// its number's team hash and waits to be pushed (`Some`), or is kept locally only (`None`).
    /// Checks recorded before keep their state. [`open_ns`] sets it from the keychain.
    pub fn set_team_key(&self, key: Option<Sensitive<Vec<u8>>>) {
        let hasher = key.as_ref().map(key::KeyedHasher::new);
        *self.team.write().unwrap_or_else(|p| p.into_inner()) = hasher;
    }

    /// The team hash of a number with the current team key: the first 16 bytes of
    /// HMAC-SHA-256(team key, normalised number), hex. `None` outside a team.
    pub fn team_hash(&self, number: &str) -> Option<String> {
        self.team_hasher().map(|t| hex::encode(t.hash16(normalise(number).as_bytes())))
    }

    /// The team key's hasher, if the desk is in a team.
    pub(crate) fn team_hasher(&self) -> Option<key::KeyedHasher> {
        self.team.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A keyed hasher for fingerprints of batch inputs.
    pub(crate) fn hasher(&self) -> key::KeyedHasher {
        self.hasher.clone()
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

    /// Writes many checks in one transaction with one prepared statement: the way to record
    /// thousands of checks (a stream of numbers) without one disk sync per row. All or none
    /// are written. Returns how many.
    ///
    /// Large sets (from [`BULK`] records) are inserted in the order of their keyed hashes:
    /// the hashes are random, and inserting them sorted keeps the index's pages in cache
    /// instead of touching a random page per row. Their row ids then follow that order, so
    /// among checks of the same millisecond the listing order is arbitrary.
    pub fn record_many(&self, records: &[Record]) -> Result<usize, AuditError> {
        if records.is_empty() {
            return Ok(0);
        }
        let mut uids = vec![0u8; 16 * records.len()];
        key::random_bytes(&mut uids)?;
        let team = self.team_hasher();
        let mut stamped: Vec<(record::Stamp, &Record)> = records
            .iter()
            .zip(uids.chunks_exact(16))
            .map(|(r, uid)| (record::Stamp::of(self, team.as_ref(), r, uid.try_into().expect("16 bytes")), r))
            .collect();
        if records.len() >= BULK {
            stamped.sort_unstable_by(|a, b| a.0.hash.cmp(&b.0.hash));
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (stamp, r) in stamped {
            record::insert_stamped(&tx, r, stamp)?;
        }
        tx.commit()?;
        Ok(records.len())
    }

    /// The checks matching `filter`, newest first. A chunk of numbers (see [`chunk`]) is one
    /// entry with [`Entry::numbers`] set; with a number in the filter, each copy of it in a
    /// chunk is an entry of its own.
    pub fn query(&self, filter: &Filter) -> Result<Vec<Entry>, AuditError> {
        query::query(self, filter)
    }

    /// Every provider that appears in the trail, sorted (for a reviewer's filter choices).
    pub fn providers(&self) -> Result<Vec<String>, AuditError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT provider FROM checks UNION SELECT 'local' WHERE EXISTS (SELECT 1 FROM check_chunks) ORDER BY 1")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many entries [`Store::query`] gives for `filter` (ignoring its limit and offset).
    pub fn count(&self, filter: &Filter) -> Result<u64, AuditError> {
        query::count(self, filter)
    }

    /// Deletes checks, chunks of numbers and batches older than `days` days. Returns the
    /// number of checks deleted (each number of a chunk counted). `days == 0` keeps everything.
    pub fn purge_older_than(&self, days: u32) -> Result<usize, AuditError> {
        if days == 0 {
            return Ok(0);
        }
        let cutoff = now_ms() - days as i64 * 86_400_000;
        self.purge_before_ms(cutoff)
    }

    /// Deletes checks, chunks (by their time, `last_ms`) and batches recorded before
    /// `cutoff_ms` (UTC milliseconds). Returns the number of checks deleted.
    pub fn purge_before_ms(&self, cutoff_ms: i64) -> Result<usize, AuditError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut n = tx.execute("DELETE FROM checks WHERE at_ms < ?1", [cutoff_ms])?;
        let numbers: i64 = tx.query_row("SELECT COALESCE(SUM(count), 0) FROM check_chunks WHERE last_ms < ?1", [cutoff_ms], |r| r.get(0))?;
        tx.execute("DELETE FROM check_chunks WHERE last_ms < ?1", [cutoff_ms])?;
        n += numbers as usize;
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
    open_ns(&crate::paths::Namespace { dir: dir.to_path_buf(), keychain_service: crate::paths::keychain_service() }, retention_days)
}

/// [`open_in`] for a namespace: the trail in its directory, keyed from its keychain service;
/// with the team key of the namespace when the desk has joined a team.
pub fn open_ns(ns: &crate::paths::Namespace, retention_days: u32) -> Result<Store, AuditError> {
    let store = Store::open(&ns.dir, &KeychainKey::of(ns))?;
    store.set_team_key(KeychainKey::team(ns)?);
    store.purge_older_than(retention_days)?;
    Ok(store)
}

/// Midnight at the start of day `d` in local time, as a UTC instant (what "since 2026-01-31"
/// means to a reviewer).
pub fn local_day_start(d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let naive = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    chrono::Local.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_else(|| chrono::Utc.from_utc_datetime(&naive))
}

/// A reviewer's day range as [`Filter::since`] / [`Filter::until`]: `since` and `until` are
/// `YYYY-MM-DD` in local time, both days included; empty means open-ended.
#[allow(clippy::type_complexity)]
pub fn day_range(since: &str, until: &str) -> Result<(Option<chrono::DateTime<chrono::Utc>>, Option<chrono::DateTime<chrono::Utc>>), Msg> {
    let day = |s: &str| -> Result<Option<chrono::NaiveDate>, Msg> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
            Msg::new(format!("“{s}”不是日期。请按 YYYY-MM-DD 填写，例如 2026-01-31。"), format!("“{s}” is not a date. Use YYYY-MM-DD, for example 2026-01-31."))
        })
    };
    let (a, b) = (day(since)?, day(until)?);
    if let (Some(a), Some(b)) = (a, b) {
        if a > b {
            return Err(Msg::new("起始日期晚于截止日期。请调换两个日期。", "The start date is after the end date. Swap the two dates."));
        }
    }
    Ok((a.map(local_day_start), b.and_then(|d| d.succ_opt()).map(local_day_start)))
}

/// The form of a number that is hashed: trimmed, upper-case `X`.
pub(crate) fn normalise(number: &str) -> String {
    number.trim().to_ascii_uppercase()
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_range_includes_both_days_and_explains_bad_input() {
        let (a, b) = day_range("2026-01-30", " 2026-01-31 ").unwrap();
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(b - a, chrono::Duration::days(2));
        assert_eq!(day_range("", "").unwrap(), (None, None));
        let e = day_range("2026-02-01", "2026-01-01").unwrap_err();
        assert!(e.zh.contains("调换") && e.en.contains("Swap"));
        let e = day_range("31/01/2026", "").unwrap_err();
        assert!(e.zh.contains("YYYY-MM-DD") && e.en.contains("YYYY-MM-DD"));
    }
}
