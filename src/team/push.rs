//! The sender: pushes a desk's pending checks from its local outbox to the team database.
//!
//! One transaction per batch: take the desk's advisory lock (a window and `idcheck team sync`
//! on the same desk never interleave their chains), read the desk's last row, skip the rows
//! already there (a push whose commit landed but whose answer was lost), chain the rest after
//! the last row and insert them; only after the commit are they marked pushed locally. A push
//! cut off anywhere is retried whole, and nothing is ever in the database twice.

use super::chain::{ChainKey, GENESIS};
use super::{connect, Row, TeamConfig, TeamError, TeamErrorKind, ROW_COLUMNS};
use crate::audit::{OutItem, OutKey, OutRow, Store};
use crate::secret::Sensitive;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Arc;

/// Rows read from the outbox per transaction (a chunk of a stream of numbers may add more).
pub const BATCH: usize = 20_000;
/// Rows per INSERT statement.
const INSERT_ROWS: usize = 5_000;

/// What a push did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Rows inserted into the team database.
    pub pushed: u64,
    /// Rows that were already there (an earlier push's commit whose answer was lost).
    pub already: u64,
    /// Rows still pending afterwards (recorded while the push ran).
    pub left: u64,
}

fn audit_err(e: crate::audit::AuditError) -> TeamError {
    TeamError { kind: TeamErrorKind::Db, message: e.message().clone() }
}

/// Pushes everything pending in `store` to the team database of `cfg`, whose chain is keyed
/// with the team key `key`.
pub async fn sync(store: Arc<Store>, cfg: &TeamConfig, key: &Sensitive<Vec<u8>>) -> Result<SyncReport, TeamError> {
    let mut client = connect(cfg).await?;
    let desk: String = client.query_one("SELECT current_user::text", &[]).await.map_err(TeamError::db)?.get(0);
    let chain = ChainKey::of(key);
    let mut report = SyncReport::default();
    loop {
        let s = store.clone();
        let items: Vec<OutItem> = tokio::task::spawn_blocking(move || s.pending(BATCH)).await.expect("outbox read").map_err(audit_err)?;
        if items.is_empty() {
            break;
        }
        let keys: Vec<OutKey> = items.iter().map(|i| i.key).collect();
        let rows: Vec<OutRow> = items.into_iter().flat_map(|i| i.rows).collect();
        let (pushed, already) = push_batch(&mut client, &desk, &chain, &rows).await?;
        report.pushed += pushed;
        report.already += already;
        let s = store.clone();
        tokio::task::spawn_blocking(move || s.mark_pushed(&keys)).await.expect("outbox write").map_err(audit_err)?;
    }
    let s = store.clone();
    report.left = tokio::task::spawn_blocking(move || s.outbox_status()).await.expect("outbox read").map_err(audit_err)?.pending;
    Ok(report)
}

async fn push_batch(client: &mut tokio_postgres::Client, desk: &str, chain: &ChainKey, rows: &[OutRow]) -> Result<(u64, u64), TeamError> {
    let tx = client.transaction().await.map_err(TeamError::db)?;
    tx.execute("SELECT pg_advisory_xact_lock(hashtext('idcheck:' || current_user))", &[]).await.map_err(TeamError::db)?;
    let head =
        tx.query_opt("SELECT seq, row_hash FROM idcheck_checks WHERE desk = current_user ORDER BY seq DESC LIMIT 1", &[]).await.map_err(TeamError::db)?;
    let (mut seq, mut prev): (i64, Vec<u8>) = head.map(|r| (r.get(0), r.get(1))).unwrap_or((0, GENESIS.to_vec()));
    let uids: Vec<Vec<u8>> = rows.iter().map(|r| r.uid.to_vec()).collect();
    let mut present: HashSet<Vec<u8>> = HashSet::new();
    for part in uids.chunks(INSERT_ROWS) {
        let found = tx.query("SELECT uid FROM idcheck_checks WHERE uid = ANY($1)", &[&part]).await.map_err(TeamError::db)?;
        present.extend(found.into_iter().map(|r| r.get::<_, Vec<u8>>(0)));
    }
    let mut new_rows: Vec<(Row, [u8; 32], Vec<u8>)> = Vec::with_capacity(rows.len());
    for r in rows.iter().filter(|r| !present.contains(r.uid.as_slice())) {
        seq += 1;
        let row = to_row(r, desk, seq);
        let hash = chain.link(&prev, &row);
        new_rows.push((row, hash, std::mem::replace(&mut prev, hash.to_vec())));
    }
    for part in new_rows.chunks(INSERT_ROWS) {
        insert(&tx, part).await?;
    }
    tx.commit().await.map_err(TeamError::db)?;
    Ok((new_rows.len() as u64, present.len() as u64))
}

fn to_row(r: &OutRow, desk: &str, seq: i64) -> Row {
    let e = r.error.as_ref();
    Row {
        uid: r.uid.to_vec(),
        desk: desk.to_string(),
        seq,
        at_ms: r.at_ms,
        kind: r.kind.as_str().to_string(),
        provider: r.provider.clone(),
        number_masked: r.number_masked.clone(),
        number_hash: r.team_hash.clone(),
        name_masked: r.name_masked.clone(),
        outcome: r.outcome.as_str().to_string(),
        error_kind: e.map(|e| e.kind.clone()),
        vendor_code: r.vendor_code.clone(),
        request_id: r.request_id.clone(),
        http_status: e.and_then(|e| e.http_status).map(i32::from),
        message_zh: e.map(|e| e.message_zh.clone()),
        message_en: e.map(|e| e.message_en.clone()),
        consent: r.consent,
        operator: r.operator.clone(),
        batch_id: r.batch_id.clone(),
    }
}

/// One INSERT of many rows: one array per column, unnested by the server (COPY is not allowed
/// on a table with row-level security).
async fn insert(tx: &tokio_postgres::Transaction<'_>, rows: &[(Row, [u8; 32], Vec<u8>)]) -> Result<(), TeamError> {
    macro_rules! col {
        ($f:expr) => {
            rows.iter().map($f).collect::<Vec<_>>()
        };
    }
    let uid = col!(|(r, _, _)| r.uid.clone());
    let desk = col!(|(r, _, _)| r.desk.as_str());
    let seq = col!(|(r, _, _)| r.seq);
    let at = col!(|(r, _, _)| r.at_ms);
    let kind = col!(|(r, _, _)| r.kind.as_str());
    let provider = col!(|(r, _, _)| r.provider.as_str());
    let number_masked = col!(|(r, _, _)| r.number_masked.as_deref());
    let number_hash = col!(|(r, _, _)| r.number_hash.as_deref());
    let name_masked = col!(|(r, _, _)| r.name_masked.as_deref());
    let outcome = col!(|(r, _, _)| r.outcome.as_str());
    let error_kind = col!(|(r, _, _)| r.error_kind.as_deref());
    let vendor_code = col!(|(r, _, _)| r.vendor_code.as_deref());
    let request_id = col!(|(r, _, _)| r.request_id.as_deref());
    let http_status = col!(|(r, _, _)| r.http_status);
    let message_zh = col!(|(r, _, _)| r.message_zh.as_deref());
    let message_en = col!(|(r, _, _)| r.message_en.as_deref());
    let consent = col!(|(r, _, _)| r.consent);
    let operator = col!(|(r, _, _)| r.operator.as_deref());
    let batch_id = col!(|(r, _, _)| r.batch_id.as_deref());
    let prev = col!(|(_, _, p)| p.clone());
    let hash = col!(|(_, h, _)| h.to_vec());
    let sql = format!(
        "INSERT INTO idcheck_checks ({ROW_COLUMNS}, prev_hash, row_hash) SELECT * FROM unnest($1::bytea[], $2::text[], $3::int8[], $4::int8[], \
         $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int4[], \
         $15::text[], $16::text[], $17::bool[], $18::text[], $19::text[], $20::bytea[], $21::bytea[])"
    );
    tx.execute(
        &sql,
        &[
            &uid,
            &desk,
            &seq,
            &at,
            &kind,
            &provider,
            &number_masked,
            &number_hash,
            &name_masked,
            &outcome,
            &error_kind,
            &vendor_code,
            &request_id,
            &http_status,
            &message_zh,
            &message_en,
            &consent,
            &operator,
            &batch_id,
            &prev,
            &hash,
        ],
    )
    .await
    .map_err(TeamError::db)?;
    Ok(())
}
