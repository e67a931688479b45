//! A batch's state in the audit database, so a crash, a quit or a lost network resumes where
//! it stopped and never pays twice for a row.
//!
//! A row is marked `sending` (durably) before its paid call and `done`/`failed` after, in the
//! same transaction as the audit record. A row found `sending` on resume may have been billed,
//! so it becomes `unknown` and is never re-sent automatically.

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
}

impl RowResult {
    pub fn pending() -> RowResult {
        RowResult { status: Status::Pending, verdict: None, error: None, message: None }
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

/// Creates a batch with its rows; `results[i]` is row `i`'s initial state. Local validations
/// are recorded in the audit trail in the same transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn create(
    store: &Store,
    id: &str,
    provider: &str,
    fingerprint: &str,
    operator: Option<&str>,
    rows: &[Row],
    results: &[RowResult],
    locals: &[Record],
) -> Result<(), AuditError> {
    let now = now_ms();
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO batches (id, created_ms, updated_ms, provider, fingerprint, total, operator) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6)",
        params![id, now, provider, fingerprint, rows.len() as i64, operator],
    )?;
    {
        let mut st = tx.prepare(
            "INSERT INTO batch_rows (batch_id, row_no, number_masked, number_hash, name_masked, status, message_zh, message_en, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (row, res) in rows.iter().zip(results) {
            let number = row.number.expose();
            st.execute(params![
                id,
                row.index as i64,
                mask::number(number),
                store.hash_number(number),
                mask::name(row.name.expose()),
                res.status.as_str(),
                res.message.as_ref().map(|m| scrub(&m.zh, Some(number), Some(row.name.expose()))),
                res.message.as_ref().map(|m| scrub(&m.en, Some(number), Some(row.name.expose()))),
                now,
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
/// failures back into `pending`. Returns `(row_no, number_hash, result)`.
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
            "SELECT row_no, number_hash, status, verdict, error_kind, vendor_code, request_id, message_zh, message_en
             FROM batch_rows WHERE batch_id = ?1 ORDER BY row_no",
        )?;
        let rows = st.query_map([id], |r| {
            let status = Status::parse(&r.get::<_, String>(2)?);
            let verdict: Option<String> = r.get(3)?;
            let error_kind: Option<String> = r.get(4)?;
            let zh: Option<String> = r.get(7)?;
            let en: Option<String> = r.get(8)?;
            let message = zh.clone().map(|zh| Msg::new(zh, en.clone().unwrap_or_default()));
            let error = match error_kind {
                Some(kind) => Some(ErrorInfo {
                    kind,
                    vendor_code: r.get(5)?,
                    request_id: r.get(6)?,
                    http_status: None,
                    message_zh: zh.unwrap_or_default(),
                    message_en: en.unwrap_or_default(),
                }),
                None => None,
            };
            Ok((
                r.get::<_, i64>(0)? as usize,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                RowResult { status, verdict: verdict.as_deref().and_then(verdict_parse), error, message },
            ))
        })?;
        for r in rows {
            out.push(r?);
        }
    }
    tx.commit()?;
    Ok(out)
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
        "SELECT row_no, number_masked, name_masked, status, verdict, error_kind, vendor_code, request_id, message_zh, message_en
         FROM batch_rows WHERE batch_id = ?1 ORDER BY row_no",
    )?;
    let rows = st.query_map([id], |r| {
        let zh: Option<String> = r.get(8)?;
        let en: Option<String> = r.get(9)?;
        let error_kind: Option<String> = r.get(5)?;
        let error = match error_kind {
            Some(kind) => Some(ErrorInfo {
                kind,
                vendor_code: r.get(6)?,
                request_id: r.get(7)?,
                http_status: None,
                message_zh: zh.clone().unwrap_or_default(),
                message_en: en.clone().unwrap_or_default(),
            }),
            None => None,
        };
        Ok(StoredRow {
            row: r.get::<_, i64>(0)? as usize,
            number_masked: r.get(1)?,
            name_masked: r.get(2)?,
            result: RowResult {
                status: Status::parse(&r.get::<_, String>(3)?),
                verdict: r.get::<_, Option<String>>(4)?.as_deref().and_then(verdict_parse),
                error,
                message: zh.map(|zh| Msg::new(zh, en.unwrap_or_default())),
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
