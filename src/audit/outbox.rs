//! The outbox: checks recorded while this desk is in a team, waiting to be pushed to the team
//! trail (`crate::team`), oldest first.
//!
//! While the store holds a team key ([`Store::set_team_key`]), every check it records gets the
//! number's team hash and `pushed = 0`; the sender reads them with [`Store::pending`], writes
//! them to the team database and marks them with [`Store::mark_pushed`]. Checks recorded outside
//! a team (`pushed` NULL) are never pushed. A chunk of numbers is pushed whole, one row per
//! number, each with a stable id: the chunk's 12 random bytes and the number's index in the
//! chunk (u32, big-endian), the same on every read, so a push retried after a lost answer
//! never adds a row twice.

use super::chunk;
use super::record::{ErrorInfo, Kind, Outcome};
use super::{AuditError, Store};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::params;
use serde::Serialize;

/// One check as the team trail receives it: masked values and the team hash only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutRow {
    /// The row's id in the team trail (a `checks` row's random uid, or a chunk's uid and the
    /// number's index).
    pub uid: [u8; 16],
    pub at_ms: i64,
    pub kind: Kind,
    pub provider: String,
    pub number_masked: Option<String>,
    /// HMAC-SHA-256(team key, normalised number), first 16 bytes, hex; `None` without a number.
    pub team_hash: Option<String>,
    pub name_masked: Option<String>,
    pub outcome: Outcome,
    pub error: Option<ErrorInfo>,
    /// The vendor's code (of the answer or of the error).
    pub vendor_code: Option<String>,
    /// The vendor's request id (of the answer or of the error).
    pub request_id: Option<String>,
    pub consent: bool,
    pub operator: Option<String>,
    pub batch_id: Option<String>,
}

/// What to mark pushed once an item's rows are in the team trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutKey {
    /// A `checks` row, by id.
    Check(i64),
    /// A chunk of numbers, by id: all of its rows at once.
    Chunk(i64),
}

/// One pending check, or one pending chunk with a row per number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutItem {
    pub key: OutKey,
    pub rows: Vec<OutRow>,
}

/// What waits in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutboxStatus {
    /// Rows waiting (each number of a chunk counted).
    pub pending: u64,
    /// When the oldest of them was recorded (a chunk's numbers are dated at its `last_ms`).
    pub oldest: Option<DateTime<Utc>>,
}

const CHECK_COLUMNS: &str = "id, uid, at_ms, kind, provider, number_masked, team_hash, name_masked, outcome, error_kind, vendor_code, \
                             request_id, http_status, message_zh, message_en, consent, operator, batch_id";

fn check_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, OutRow)> {
    let uid: Option<Vec<u8>> = r.get(1)?;
    let mut u = [0u8; 16];
    // Every row recorded in a team has a 16-byte uid; older rows are never pending.
    if let Some(b) = uid.as_deref().filter(|b| b.len() == 16) {
        u.copy_from_slice(b);
    }
    let kind: String = r.get(3)?;
    let outcome: String = r.get(8)?;
    let error_kind: Option<String> = r.get(9)?;
    let vendor_code: Option<String> = r.get(10)?;
    let request_id: Option<String> = r.get(11)?;
    let error = match error_kind {
        Some(kind) => Some(ErrorInfo {
            kind,
            vendor_code: vendor_code.clone(),
            request_id: request_id.clone(),
            http_status: r.get(12)?,
            message_zh: r.get::<_, Option<String>>(13)?.unwrap_or_default(),
            message_en: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok((
        r.get(0)?,
        OutRow {
            uid: u,
            at_ms: r.get(2)?,
            kind: Kind::parse(&kind).unwrap_or(Kind::Local),
            provider: r.get(4)?,
            number_masked: r.get(5)?,
            team_hash: r.get(6)?,
            name_masked: r.get(7)?,
            outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Error),
            error,
            vendor_code,
            request_id,
            consent: r.get(15)?,
            operator: r.get(16)?,
            batch_id: r.get(17)?,
        },
    ))
}

/// The rows of a chunk: one per number, in the order of its entries.
fn chunk_rows(uid: &[u8], last_ms: i64, operator: Option<&str>, entries: Option<chunk::Entries<'_>>) -> Vec<OutRow> {
    // A damaged row (its column not `count` entries) has nothing to push.
    let Some(entries) = entries else { return Vec::new() };
    let mut prefix = [0u8; 12];
    let n = uid.len().min(12);
    prefix[..n].copy_from_slice(&uid[..n]);
    (0..entries.count())
        .map(|i| {
            let e = entries.get(i);
            let mut u = [0u8; 16];
            u[..12].copy_from_slice(&prefix);
            u[12..].copy_from_slice(&(i as u32).to_be_bytes());
            OutRow {
                uid: u,
                at_ms: last_ms,
                kind: Kind::Local,
                provider: "local".into(),
                number_masked: Some(e.masked()),
                team_hash: e.team_hash(),
                name_masked: None,
                outcome: e.outcome(),
                error: None,
                vendor_code: None,
                request_id: None,
                consent: false,
                operator: operator.map(String::from),
                batch_id: None,
            }
        })
        .collect()
}

impl Store {
    /// Pending checks, oldest first, about `max_rows` rows: items are added while fewer rows
    /// than that are taken, and a chunk comes whole, so the last may pass it; when anything is
    /// pending at least one item is returned.
    pub fn pending(&self, max_rows: usize) -> Result<Vec<OutItem>, AuditError> {
        let max = max_rows.max(1);
        let conn = self.conn();
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let checks: Vec<(i64, OutRow)> = {
            let mut stmt = conn.prepare(&format!("SELECT {CHECK_COLUMNS} FROM checks WHERE pushed = 0 ORDER BY at_ms, id LIMIT ?1"))?;
            let rows = stmt.query_map([limit], check_row)?;
            rows.collect::<Result<_, _>>()?
        };
        let chunks: Vec<(i64, i64, u64)> = {
            let mut stmt = conn.prepare("SELECT id, last_ms, count FROM check_chunks WHERE pushed = 0 ORDER BY last_ms, id LIMIT ?1")?;
            let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)))?;
            rows.collect::<Result<_, _>>()?
        };
        // Oldest first across both; at the same millisecond checks first.
        let mut taken = 0usize;
        let mut out = Vec::new();
        let (mut ci, mut ki) = (0, 0);
        while taken < max {
            let take_check = match (checks.get(ci), chunks.get(ki)) {
                (Some((_, c)), Some((_, at, _))) => c.at_ms <= *at,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_check {
                let (id, row) = checks[ci].clone();
                ci += 1;
                taken += 1;
                out.push(OutItem { key: OutKey::Check(id), rows: vec![row] });
            } else {
                let (id, _, count) = chunks[ki];
                ki += 1;
                taken += count as usize;
                let rows = conn.query_row("SELECT uid, last_ms, operator, entries, entry_len, count FROM check_chunks WHERE id = ?1", [id], |r| {
                    let operator: Option<String> = r.get(2)?;
                    let entries = chunk::Entries::new(chunk::blob(r, 3)?, r.get(4)?, r.get(5)?);
                    Ok(chunk_rows(chunk::blob(r, 0)?, r.get(1)?, operator.as_deref(), entries))
                })?;
                out.push(OutItem { key: OutKey::Chunk(id), rows });
            }
        }
        Ok(out)
    }

    /// Marks items pushed: they are no longer pending. Keys already pushed or gone (purged)
    /// are ignored.
    pub fn mark_pushed(&self, keys: &[OutKey]) -> Result<(), AuditError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut check = tx.prepare("UPDATE checks SET pushed = 1 WHERE id = ?1 AND pushed = 0")?;
            let mut chunk = tx.prepare("UPDATE check_chunks SET pushed = 1 WHERE id = ?1 AND pushed = 0")?;
            for k in keys {
                match *k {
                    OutKey::Check(id) => check.execute(params![id])?,
                    OutKey::Chunk(id) => chunk.execute(params![id])?,
                };
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// How many rows wait to be pushed, and since when.
    pub fn outbox_status(&self) -> Result<OutboxStatus, AuditError> {
        let conn = self.conn();
        let (checks, oldest_check): (i64, Option<i64>) =
            conn.query_row("SELECT COUNT(*), MIN(at_ms) FROM checks WHERE pushed = 0", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (numbers, oldest_chunk): (i64, Option<i64>) =
            conn.query_row("SELECT COALESCE(SUM(count), 0), MIN(last_ms) FROM check_chunks WHERE pushed = 0", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let oldest = match (oldest_check, oldest_chunk) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(OutboxStatus { pending: (checks + numbers) as u64, oldest: oldest.and_then(|ms| Utc.timestamp_millis_opt(ms).single()) })
    }
}
