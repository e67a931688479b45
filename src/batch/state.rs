//! A batch's state in the audit database, so a crash, a quit or a lost network resumes where
//! it stopped and never pays twice for a row.
//!
//! A row is marked `sending` (durably) before its paid call and `done`/`failed` after, in the
//! same transaction as the audit record. A row found `sending` on resume may have been billed,
//! so it becomes `unknown` and is never re-sent automatically.
//!
//! The rows of every batch also form a ledger of what was paid for: each locally valid row is
//! stored with a keyed hash of (provider, 18-digit number, name) and, when read from a photo,
//! of (provider, the photo's bytes). A later batch with the same pair or the same photo
//! carries the earlier answer over instead of sending it again (see [`earlier`]), whatever
//! the input file's bytes: a re-saved table, a photo read differently, a run refused or
//! killed in between.

use crate::audit::{now_ms, record::scrub, AuditError, ErrorInfo, Outcome, Record, Store};
use crate::i18n::Msg;
use crate::mask;
use crate::providers::{ErrorKind, ProviderError, Verdict};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::input::Row;

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not sent yet.
    Pending,
    /// Failed local validation (or could not be read); never sent.
    Invalid,
    /// The paid call is (or was, before a crash) in flight.
    Sending,
    /// The vendor answered with a verdict.
    Done,
    /// The vendor answered with an error.
    Failed,
    /// Left `sending` by an interrupted run: may have been billed; check it manually.
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Invalid => "invalid",
            Status::Sending => "sending",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Status {
        match s {
            "invalid" => Status::Invalid,
            "sending" => Status::Sending,
            "done" => Status::Done,
            "failed" => Status::Failed,
            "unknown" => Status::Unknown,
            _ => Status::Pending,
        }
    }
    /// Label for result tables: Chinese / English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Status::Pending => ("未发送", "not sent"),
            Status::Invalid => ("本地校验不通过", "invalid"),
            Status::Sending => ("发送中", "sending"),
            Status::Done => ("已核验", "checked"),
            Status::Failed => ("核验出错", "failed"),
            Status::Unknown => ("结果未知，请人工核对", "unknown, check manually"),
        }
    }
}

/// A row's result as the database holds it.
#[derive(Debug, Clone, Serialize)]
pub struct RowResult {
    pub status: Status,
    pub verdict: Option<Verdict>,
    pub error: Option<ErrorInfo>,
    /// Why the row is invalid or unknown, in both languages.
    pub message: Option<Msg>,
    /// The earlier batch this row's state was carried over from: the same provider, number
    /// and name (or the same photo) was answered there, or may have been billed there, so it
    /// was not sent (and not paid) in this batch. `message` says so.
    pub reused_from: Option<String>,
}

impl RowResult {
    pub fn pending() -> RowResult {
        RowResult { status: Status::Pending, verdict: None, error: None, message: None, reused_from: None }
    }
}

/// Whether the vendor has certainly not billed a call that failed with `e`: such failed rows
/// are sent again when an interrupted batch resumes. The one place that decides.
pub fn not_billed(e: &ProviderError) -> bool {
    !e.maybe_billed && matches!(e.kind, ErrorKind::Network | ErrorKind::RateLimited | ErrorKind::Auth | ErrorKind::Quota | ErrorKind::NotEnabled)
}

pub(crate) fn unknown_message() -> Msg {
    Msg::new(
        "上次运行在发送这一行时中断，服务商可能已经计费。为避免重复扣费不再自动重发，请人工核对。",
        "The last run stopped while this row was being sent; the vendor may have billed it. It is not re-sent automatically to avoid paying twice: check it manually.",
    )
}

fn reused_message(batch: &str) -> Msg {
    Msg::new(
        format!("同一服务商、姓名和号码（或同一张照片）已在批次 {batch} 中核验过：沿用当时的结果，未再次计费。"),
        format!("The same provider, name and number (or the same photo) was checked in batch {batch}: that answer is reused, not paid again."),
    )
}

fn unknown_from_message(batch: &str) -> Msg {
    Msg::new(
        format!("批次 {batch} 在发送这一行（同一姓名和号码，或同一张照片）时中断，服务商可能已经计费。为避免重复扣费不再自动重发，请人工核对。"),
        format!(
            "Batch {batch} stopped while this row (the same name and number, or the same photo) was being sent; the vendor may have billed it. It is not re-sent automatically to avoid paying twice: check it manually."
        ),
    )
}

fn failed_from_message(batch: &str, earlier: Option<&Msg>) -> Msg {
    let (zh, en) = earlier.map_or((String::new(), String::new()), |m| (format!("：{}", m.zh), format!(": {}", m.en)));
    Msg::new(
        format!("这一行（同一姓名和号码，或同一张照片）在批次 {batch} 中出错，可能已经计费，不自动重发{zh}"),
        format!("This row (the same name and number, or the same photo) failed in batch {batch} and may have been billed; it is not re-sent automatically{en}"),
    )
}

/// A row's keys in the ledger: keyed hashes, never the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowKeys {
    /// Keyed hash of (provider, 18-digit number, trimmed name).
    pub pair: String,
    /// Keyed hash of (provider, SHA-256 of the photo file), for rows read from photos.
    pub photo: Option<String>,
}

fn keyed(store: &Store, parts: &[&[u8]]) -> String {
    let mut h = store.hasher();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finish()
}

/// The ledger keys of `row` for `provider`, if it is locally valid (only such rows are sent).
pub(crate) fn keys(store: &Store, provider: &str, row: &Row) -> Option<RowKeys> {
    if row.read_error.is_some() {
        return None;
    }
    let checked = crate::id::check(row.number.expose());
    // A 外国人永久居留身份证 number is valid but never sent (resident numbers only).
    if !checked.is_valid() || checked.foreign.is_some() {
        return None;
    }
    let number = crate::audit::normalise(checked.number18());
    let pair = keyed(store, &[b"batch-pair", provider.as_bytes(), number.as_bytes(), row.name.expose().trim().as_bytes()]);
    let photo = row.photo_digest.map(|d| keyed(store, &[b"batch-photo", provider.as_bytes(), &d]));
    Some(RowKeys { pair, photo })
}

/// What an earlier batch's row means for a new row with the same keys: the state to carry
/// over, or `None` when the row may be sent (never sent, invalid, pending, or failed
/// certainly unbilled).
///
/// Carried over: `done` (the verdict, "reused, not paid again"), `unknown` and `sending`
/// (maybe billed: stays unknown), `failed` without the retry mark (the vendor answered with
/// an error and may have billed it, as on resume). Among several, a verdict wins over an
/// unknown over a failure, the newest first. `own` is the batch being prepared, left out.
pub(crate) fn earlier(store: &Store, own: Option<&str>, wanted: &[(usize, &RowKeys)]) -> Result<Vec<(usize, RowResult)>, AuditError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let conn = store.conn();
    let mut st = conn.prepare_cached(
        "SELECT COALESCE(reused_from, batch_id), status, verdict, error_kind, vendor_code, request_id, message_zh, message_en, reused_from
         FROM batch_rows
         WHERE (pair_hash = ?1 OR photo_hash = ?2) AND batch_id <> ?3
           AND (status IN ('done', 'unknown', 'sending') OR (status = 'failed' AND retry = 0))
         ORDER BY CASE status WHEN 'done' THEN 0 WHEN 'failed' THEN 2 ELSE 1 END, updated_ms DESC
         LIMIT 1",
    )?;
    let mut out = Vec::new();
    for (i, k) in wanted {
        let found = st
            .query_row(params![k.pair, k.photo, own.unwrap_or("")], |r| {
                let origin: String = r.get(0)?;
                let mut res = result_from(r, 1)?;
                Ok((origin, std::mem::take(&mut res.reused_from).is_some(), res))
            })
            .optional()?;
        let Some((origin, carried, earlier)) = found else { continue };
        let result = match earlier.status {
            Status::Done => {
                RowResult { status: Status::Done, verdict: earlier.verdict, error: None, message: Some(reused_message(&origin)), reused_from: None }
            }
            Status::Failed => {
                // A row carried over before already says where it failed.
                let message = if carried { earlier.message.clone() } else { Some(failed_from_message(&origin, earlier.message.as_ref())) };
                let error = earlier.error.map(|mut e| {
                    if let Some(m) = &message {
                        (e.message_zh, e.message_en) = (m.zh.clone(), m.en.clone());
                    }
                    e
                });
                RowResult { status: Status::Failed, verdict: None, error, message, reused_from: None }
            }
            _ => RowResult { status: Status::Unknown, verdict: None, error: None, message: Some(unknown_from_message(&origin)), reused_from: None },
        };
        out.push((*i, RowResult { reused_from: Some(origin), ..result }));
    }
    Ok(out)
}

/// Reads a row's result from the columns `status, verdict, error_kind, vendor_code,
/// request_id, message_zh, message_en, reused_from`, starting at column `at`.
fn result_from(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<RowResult> {
    let status = Status::parse(&r.get::<_, String>(at)?);
    let verdict: Option<String> = r.get(at + 1)?;
    let error_kind: Option<String> = r.get(at + 2)?;
    let zh: Option<String> = r.get(at + 5)?;
    let en: Option<String> = r.get(at + 6)?;
    let error = match error_kind {
        Some(kind) => Some(ErrorInfo {
            kind,
            vendor_code: r.get(at + 3)?,
            request_id: r.get(at + 4)?,
            http_status: None,
            message_zh: zh.clone().unwrap_or_default(),
            message_en: en.clone().unwrap_or_default(),
        }),
        None => None,
    };
    Ok(RowResult {
        status,
        verdict: verdict.as_deref().and_then(verdict_parse),
        error,
        message: zh.map(|zh| Msg::new(zh, en.unwrap_or_default())),
        reused_from: r.get(at + 7)?,
    })
}

fn verdict_str(v: Verdict) -> &'static str {
    Outcome::from_verdict(v).as_str()
}

fn verdict_parse(s: &str) -> Option<Verdict> {
    match s {
        "match" => Some(Verdict::Match),
        "mismatch" => Some(Verdict::Mismatch),
        "no_record" => Some(Verdict::NoRecord),
        _ => None,
    }
}

/// The unfinished batch for this input and provider, if any.
pub(crate) fn find_open(store: &Store, fingerprint: &str, provider: &str) -> Result<Option<String>, AuditError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id FROM batches WHERE fingerprint = ?1 AND provider = ?2 AND finished = 0 ORDER BY created_ms DESC LIMIT 1",
            params![fingerprint, provider],
            |r| r.get(0),
        )
        .optional()?)
}

/// The newest finished batch for this input and provider, if any.
pub(crate) fn find_finished(store: &Store, fingerprint: &str, provider: &str) -> Result<Option<String>, AuditError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id FROM batches WHERE fingerprint = ?1 AND provider = ?2 AND finished = 1 ORDER BY created_ms DESC LIMIT 1",
            params![fingerprint, provider],
            |r| r.get(0),
        )
        .optional()?)
}

/// Creates a batch with its rows; `results[i]` is row `i`'s initial state (pending, invalid,
/// or carried over from an earlier batch) and `keys[i]` its ledger keys. A batch with nothing
/// left to send is stored finished, so no later run takes it for an interrupted one. Local
/// validations are recorded in the audit trail in the same transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn create(
    store: &Store,
    id: &str,
    provider: &str,
    fingerprint: &str,
    operator: Option<&str>,
    rows: &[Row],
    results: &[RowResult],
    keys: &[Option<RowKeys>],
    locals: &[Record],
) -> Result<(), AuditError> {
    let now = now_ms();
    let finished = !results.iter().any(|r| r.status == Status::Pending);
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO batches (id, created_ms, updated_ms, provider, fingerprint, total, operator, finished) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, now, provider, fingerprint, rows.len() as i64, operator, finished],
    )?;
    {
        let mut st = tx.prepare(
            "INSERT INTO batch_rows (batch_id, row_no, number_masked, number_hash, name_masked, status, verdict, error_kind, vendor_code, request_id,
                                     message_zh, message_en, updated_ms, pair_hash, photo_hash, reused_from)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for ((row, res), k) in rows.iter().zip(results).zip(keys) {
            let (number, name) = (row.number.expose(), row.name.expose());
            let clean = |s: &str| scrub(s, Some(number), Some(name));
            let e = res.error.as_ref();
            st.execute(params![
                id,
                row.index as i64,
                mask::number(number),
                store.hash_number(number),
                mask::name(name),
                res.status.as_str(),
                res.verdict.map(verdict_str),
                e.map(|e| e.kind.as_str()),
                e.and_then(|e| e.vendor_code.as_deref()).map(clean),
                e.and_then(|e| e.request_id.as_deref()),
                res.message.as_ref().map(|m| clean(&m.zh)),
                res.message.as_ref().map(|m| clean(&m.en)),
                now,
                k.as_ref().map(|k| k.pair.as_str()),
                k.as_ref().and_then(|k| k.photo.as_deref()),
                res.reused_from.as_deref(),
            ])?;
        }
    }
    for r in locals {
        crate::audit::record::insert(&tx, store, r)?;
    }
    tx.commit()?;
    Ok(())
}

/// Loads a batch's rows, turning rows left `sending` into `unknown` and certainly-unbilled
/// failures back into `pending`. Returns `(row_no, number_hash, result)`. Rows a run of this
/// batch is sending right now (another process) are `sending` and become `unknown` here too:
/// never sent twice.
pub(crate) fn resume(store: &Store, id: &str) -> Result<Vec<(usize, String, RowResult)>, AuditError> {
    let now = now_ms();
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    let unknown = unknown_message();
    tx.execute(
        "UPDATE batch_rows SET status = 'unknown', message_zh = ?2, message_en = ?3, updated_ms = ?4 WHERE batch_id = ?1 AND status = 'sending'",
        params![id, unknown.zh, unknown.en, now],
    )?;
    tx.execute(
        "UPDATE batch_rows SET status = 'pending', error_kind = NULL, vendor_code = NULL, request_id = NULL,
         message_zh = NULL, message_en = NULL, retry = 0, updated_ms = ?2
         WHERE batch_id = ?1 AND status = 'failed' AND retry = 1",
        params![id, now],
    )?;
    let mut out = Vec::new();
    {
        let mut st = tx.prepare(
            "SELECT row_no, number_hash, status, verdict, error_kind, vendor_code, request_id, message_zh, message_en, reused_from
             FROM batch_rows WHERE batch_id = ?1 ORDER BY row_no",
        )?;
        let rows = st.query_map([id], |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, Option<String>>(1)?.unwrap_or_default(), result_from(r, 2)?)))?;
        for r in rows {
            out.push(r?);
        }
    }
    tx.commit()?;
    Ok(out)
}

/// Stores the ledger keys of a resumed batch's rows where they are missing (rows written
/// before the ledger existed), and the state of rows carried over from earlier batches.
/// `carried` rows must still be `pending`.
pub(crate) fn update_rows(store: &Store, id: &str, keys: &[(usize, &RowKeys)], carried: &[(usize, RowResult)]) -> Result<(), AuditError> {
    let now = now_ms();
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    {
        let mut st = tx
            .prepare("UPDATE batch_rows SET pair_hash = ?3, photo_hash = COALESCE(photo_hash, ?4) WHERE batch_id = ?1 AND row_no = ?2 AND pair_hash IS NULL")?;
        for (row, k) in keys {
            st.execute(params![id, *row as i64, k.pair, k.photo])?;
        }
        // Messages of carried rows name only a batch (no personal data).
        let mut st = tx.prepare(
            "UPDATE batch_rows SET status = ?3, verdict = ?4, error_kind = ?5, vendor_code = ?6, request_id = ?7,
             message_zh = ?8, message_en = ?9, reused_from = ?10, retry = 0, updated_ms = ?11
             WHERE batch_id = ?1 AND row_no = ?2 AND status = 'pending'",
        )?;
        for (row, r) in carried {
            let e = r.error.as_ref();
            st.execute(params![
                id,
                *row as i64,
                r.status.as_str(),
                r.verdict.map(verdict_str),
                e.map(|e| e.kind.as_str()),
                e.and_then(|e| e.vendor_code.as_deref()),
                e.and_then(|e| e.request_id.as_deref()),
                r.message.as_ref().map(|m| m.zh.as_str()),
                r.message.as_ref().map(|m| m.en.as_str()),
                r.reused_from.as_deref(),
                now,
            ])?;
        }
    }
    tx.execute("UPDATE batches SET updated_ms = ?2 WHERE id = ?1", params![id, now])?;
    tx.commit()?;
    Ok(())
}

/// Fills in the ledger keys of earlier batches of the same input (same bytes, so the same
/// rows at the same positions: matched by position and number hash) written before the ledger
/// existed, so their answers are carried over like any other. `rows` are `(row_no,
/// number_hash, keys)`. Cheap when there is nothing to fill in.
pub(crate) fn backfill(store: &Store, fingerprint: &str, provider: &str, rows: &[(usize, String, &RowKeys)]) -> Result<(), AuditError> {
    let mut conn = store.conn();
    let legacy: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM batch_rows r JOIN batches b ON b.id = r.batch_id
                        WHERE b.fingerprint = ?1 AND b.provider = ?2 AND r.pair_hash IS NULL AND r.status <> 'invalid')",
        params![fingerprint, provider],
        |r| r.get(0),
    )?;
    if !legacy {
        return Ok(());
    }
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "UPDATE batch_rows SET pair_hash = ?5, photo_hash = COALESCE(photo_hash, ?6)
             WHERE pair_hash IS NULL AND row_no = ?3 AND number_hash = ?4
               AND batch_id IN (SELECT id FROM batches WHERE fingerprint = ?1 AND provider = ?2)",
        )?;
        for (row, number_hash, k) in rows {
            st.execute(params![fingerprint, provider, *row as i64, number_hash, k.pair, k.photo])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Turns the rows of batch `id` carried over from earlier batches back into `pending` (the
/// clerk asked to check them again, and to pay again), and reopens the batch. Returns their
/// row numbers.
pub(crate) fn uncarry(store: &Store, id: &str) -> Result<Vec<usize>, AuditError> {
    let now = now_ms();
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    let rows: Vec<usize> = {
        let mut st = tx.prepare("SELECT row_no FROM batch_rows WHERE batch_id = ?1 AND reused_from IS NOT NULL ORDER BY row_no")?;
        let rows = st.query_map([id], |r| Ok(r.get::<_, i64>(0)? as usize))?;
        rows.collect::<Result<_, _>>()?
    };
    if !rows.is_empty() {
        tx.execute(
            "UPDATE batch_rows SET status = 'pending', verdict = NULL, error_kind = NULL, vendor_code = NULL, request_id = NULL,
             message_zh = NULL, message_en = NULL, reused_from = NULL, retry = 0, updated_ms = ?2
             WHERE batch_id = ?1 AND reused_from IS NOT NULL",
            params![id, now],
        )?;
        tx.execute("UPDATE batches SET finished = 0, updated_ms = ?2 WHERE id = ?1", params![id, now])?;
    }
    tx.commit()?;
    Ok(rows)
}

/// Records the batch's consent confirmation (and operator).
pub(crate) fn confirm_consent(store: &Store, id: &str, operator: Option<&str>) -> Result<(), AuditError> {
    store
        .conn()
        .execute("UPDATE batches SET consent = 1, operator = COALESCE(?2, operator), updated_ms = ?3 WHERE id = ?1", params![id, operator, now_ms()])?;
    Ok(())
}

/// Durably marks a row as being sent. Must return before the paid call starts.
pub(crate) fn mark_sending(store: &Store, id: &str, row: usize) -> Result<(), AuditError> {
    let n = store.conn().execute(
        "UPDATE batch_rows SET status = 'sending', updated_ms = ?3 WHERE batch_id = ?1 AND row_no = ?2 AND status = 'pending'",
        params![id, row as i64, now_ms()],
    )?;
    if n != 1 {
        // Another run of the same batch took the row: do not send it twice.
        return Err(AuditError::Db(Msg::new(
            "这一行已被另一个运行中的批量任务处理。请勿同时运行同一批次。",
            "This row was taken by another run of the same batch. Do not run one batch twice at once.",
        )));
    }
    Ok(())
}

/// Stores a row's answer and its audit record in one transaction.
/// `retry`: the call failed without being billed (see [`not_billed`]).
pub(crate) fn finish_row(store: &Store, id: &str, row: usize, result: &RowResult, retry: bool, record: &Record) -> Result<(), AuditError> {
    let now = now_ms();
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    let e = result.error.as_ref();
    let number = record.number.as_ref().map(|n| n.expose().as_str());
    let name = record.name.as_ref().map(|n| n.expose().as_str());
    tx.execute(
        "UPDATE batch_rows SET status = ?3, verdict = ?4, error_kind = ?5, vendor_code = ?6, request_id = ?7,
         message_zh = ?8, message_en = ?9, updated_ms = ?10, retry = ?11 WHERE batch_id = ?1 AND row_no = ?2",
        params![
            id,
            row as i64,
            result.status.as_str(),
            result.verdict.map(verdict_str),
            e.map(|e| e.kind.as_str()),
            e.and_then(|e| e.vendor_code.as_deref()).map(|s| scrub(s, number, name)),
            e.and_then(|e| e.request_id.as_deref()),
            e.map(|e| scrub(&e.message_zh, number, name)),
            e.map(|e| scrub(&e.message_en, number, name)),
            now,
            retry,
        ],
    )?;
    crate::audit::record::insert(&tx, store, record)?;
    tx.execute("UPDATE batches SET updated_ms = ?2 WHERE id = ?1", params![id, now])?;
    tx.commit()?;
    Ok(())
}

/// Marks a batch finished once no row is left to send, so the same input starts afresh.
pub(crate) fn mark_finished(store: &Store, id: &str) -> Result<(), AuditError> {
    store.conn().execute("UPDATE batches SET finished = 1, updated_ms = ?2 WHERE id = ?1", params![id, now_ms()])?;
    Ok(())
}

/// A batch as listed for reviewers (no personal data).
#[derive(Debug, Clone, Serialize)]
pub struct BatchInfo {
    pub id: String,
    pub created: chrono::DateTime<chrono::Utc>,
    pub updated: chrono::DateTime<chrono::Utc>,
    pub provider: String,
    pub total: usize,
    pub consent: bool,
    pub operator: Option<String>,
    pub finished: bool,
    /// Rows per status (`pending`, `invalid`, `done`, ...).
    pub counts: std::collections::BTreeMap<String, usize>,
}

/// A stored row of a batch: masked values and its result.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRow {
    /// 0-based position in the input.
    pub row: usize,
    pub number_masked: Option<String>,
    pub name_masked: Option<String>,
    pub result: RowResult,
}

fn millis(ms: i64) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// The batches in the database, newest first.
pub fn list(store: &Store, limit: u32) -> Result<Vec<BatchInfo>, AuditError> {
    let conn = store.conn();
    let mut st =
        conn.prepare("SELECT id, created_ms, updated_ms, provider, total, consent, operator, finished FROM batches ORDER BY created_ms DESC LIMIT ?1")?;
    let mut out: Vec<BatchInfo> = st
        .query_map([limit as i64], |r| {
            Ok(BatchInfo {
                id: r.get(0)?,
                created: millis(r.get(1)?),
                updated: millis(r.get(2)?),
                provider: r.get(3)?,
                total: r.get::<_, i64>(4)? as usize,
                consent: r.get(5)?,
                operator: r.get(6)?,
                finished: r.get(7)?,
                counts: Default::default(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut counts = conn.prepare("SELECT status, COUNT(*) FROM batch_rows WHERE batch_id = ?1 GROUP BY status")?;
    for b in &mut out {
        for c in counts.query_map([&b.id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize)))? {
            let (k, v) = c?;
            b.counts.insert(k, v);
        }
    }
    Ok(out)
}

/// The stored rows of batch `id` (masked), in input order.
pub fn rows(store: &Store, id: &str) -> Result<Vec<StoredRow>, AuditError> {
    let conn = store.conn();
    let mut st = conn.prepare(
        "SELECT row_no, number_masked, name_masked, status, verdict, error_kind, vendor_code, request_id, message_zh, message_en, reused_from
         FROM batch_rows WHERE batch_id = ?1 ORDER BY row_no",
    )?;
    let rows = st.query_map([id], |r| {
        Ok(StoredRow { row: r.get::<_, i64>(0)? as usize, number_masked: r.get(1)?, name_masked: r.get(2)?, result: result_from(r, 3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
