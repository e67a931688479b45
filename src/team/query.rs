//! Searching the team trail: `idcheck history --team` and the 历史 view's 团队 switch.
//!
//! A number is found on every desk because every desk hashes it with the same team key; the
//! database only ever sees the hash. What a role may read is PostgreSQL's decision: a clerk's
//! search returns its own desk's rows, a reviewer's every desk's.

use super::{connect, number_hash, TeamConfig, TeamError};
use crate::secret::Sensitive;
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use tokio_postgres::types::ToSql;

/// What a reviewer asks the team trail for; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct TeamFilter {
    /// A full ID number, hashed with the team key on this machine.
    pub number: Option<Sensitive<String>>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub desk: Option<String>,
    pub kind: Option<String>,
    /// At most this many entries, newest first (default 200).
    pub limit: Option<u32>,
}

/// One check of the team trail. Holds masked values only.
#[derive(Debug, Clone, Serialize)]
pub struct TeamEntry {
    pub desk: String,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub provider: String,
    pub number_masked: Option<String>,
    pub name_masked: Option<String>,
    pub outcome: String,
    pub error_kind: Option<String>,
    pub vendor_code: Option<String>,
    pub request_id: Option<String>,
    pub consent: bool,
    pub operator: Option<String>,
    pub batch_id: Option<String>,
}

/// The team trail's checks matching `filter`, newest first. `key` (the team key) is needed
/// only to search by number.
pub async fn history(cfg: &TeamConfig, key: Option<&Sensitive<Vec<u8>>>, filter: &TeamFilter) -> Result<Vec<TeamEntry>, TeamError> {
    let client = connect(cfg).await?;
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
    let mut push = |cond: &str, v: Box<dyn ToSql + Sync + Send>| {
        args.push(v);
        conds.push(cond.replace('?', &format!("${}", args.len())));
    };
    if let Some(n) = &filter.number {
        let key = key.ok_or_else(super::TeamError::no_key)?;
        push("number_hash = ?", Box::new(number_hash(key, n.expose())));
    }
    if let Some(t) = filter.since {
        push("at_ms >= ?", Box::new(t.timestamp_millis()));
    }
    if let Some(t) = filter.until {
        push("at_ms < ?", Box::new(t.timestamp_millis()));
    }
    if let Some(d) = &filter.desk {
        push("desk = ?", Box::new(d.clone()));
    }
    if let Some(k) = &filter.kind {
        push("kind = ?", Box::new(k.clone()));
    }
    let w = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    let sql = format!(
        "SELECT desk, seq, at_ms, kind, provider, number_masked, name_masked, outcome, error_kind, vendor_code, request_id, consent, operator, batch_id \
         FROM idcheck_checks{w} ORDER BY at_ms DESC, desk, seq DESC LIMIT {}",
        filter.limit.unwrap_or(200)
    );
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a.as_ref() as &(dyn ToSql + Sync)).collect();
    let rows = client.query(&sql, &params).await.map_err(TeamError::db)?;
    Ok(rows
        .iter()
        .map(|r| TeamEntry {
            desk: r.get(0),
            seq: r.get(1),
            at: Utc.timestamp_millis_opt(r.get(2)).single().unwrap_or_default(),
            kind: r.get(3),
            provider: r.get(4),
            number_masked: r.get(5),
            name_masked: r.get(6),
            outcome: r.get(7),
            error_kind: r.get(8),
            vendor_code: r.get(9),
            request_id: r.get(10),
            consent: r.get(11),
            operator: r.get(12),
            batch_id: r.get(13),
        })
        .collect())
}
