//! Reading the trail for reviewers: the checks and the chunks of numbers matching a
//! [`Filter`], newest first, as one list.
//!
//! Without a number, the two tables are listed together by SQL (`UNION ALL`, each arm in its
//! index's order); a chunk is one entry. With a number, `checks` is searched by its hash index
//! and every chunk in the time range by binary search on its sorted entries: each copy of the
//! number is an entry of its own, and the two lists are merged here.

use super::chunk;
use super::record::{entry_from_row, Entry, Filter, Kind, Outcome, COLUMNS};
use super::{normalise, AuditError, Store};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

/// The order of the listing: newest first; at the same millisecond chunks before checks, then
/// the higher id first.
const ORDER: &str = " ORDER BY at_ms DESC, src DESC, id DESC";

/// WHERE clauses over one list of numbered parameters.
#[derive(Default)]
struct Params {
    args: Vec<Value>,
}

impl Params {
    fn cond(&mut self, conds: &mut Vec<String>, cond: &str, v: Value) {
        self.args.push(v);
        conds.push(cond.replace('?', &format!("?{}", self.args.len())));
    }
}

fn clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// The conditions on `checks`; the number as its keyed hash when `by_number`.
fn checks_where(store: &Store, f: &Filter, p: &mut Params) -> String {
    let mut c = Vec::new();
    if let Some(t) = f.since {
        p.cond(&mut c, "at_ms >= ?", Value::Integer(t.timestamp_millis()));
    }
    if let Some(t) = f.until {
        p.cond(&mut c, "at_ms < ?", Value::Integer(t.timestamp_millis()));
    }
    if let Some(k) = f.kind {
        p.cond(&mut c, "kind = ?", Value::Text(k.as_str().into()));
    }
    if let Some(o) = f.outcome {
        p.cond(&mut c, "outcome = ?", Value::Text(o.as_str().into()));
    }
    if let Some(pr) = &f.provider {
        p.cond(&mut c, "provider = ?", Value::Text(pr.clone()));
    }
    if let Some(n) = &f.number {
        p.cond(&mut c, "number_hash = ?", Value::Text(store.hash_number(n.expose())));
    }
    if let Some(b) = &f.batch_id {
        p.cond(&mut c, "batch_id = ?", Value::Text(b.clone()));
    }
    if let Some(o) = &f.operator {
        p.cond(&mut c, "operator = ?", Value::Text(o.clone()));
    }
    clause(&c)
}

/// The conditions on `check_chunks`, or `None` when no chunk can match (another kind or
/// provider, a batch). The outcome is a chunk's when listing (a chunk matches `valid` if it
/// holds a valid number, `invalid` if it holds an invalid one) and left out when `per_entry`
/// (each number's own outcome is tested then).
fn chunks_where(f: &Filter, p: &mut Params, per_entry: bool) -> Option<String> {
    if f.kind.is_some_and(|k| k != Kind::Local) || f.provider.as_deref().is_some_and(|pr| pr != "local") || f.batch_id.is_some() {
        return None;
    }
    let mut c = Vec::new();
    match f.outcome {
        _ if per_entry => {}
        None => {}
        Some(Outcome::Valid) => c.push("valid > 0".to_string()),
        Some(Outcome::Invalid) => c.push("valid < count".to_string()),
        Some(_) => return None,
    }
    if let Some(t) = f.since {
        p.cond(&mut c, "last_ms >= ?", Value::Integer(t.timestamp_millis()));
    }
    if let Some(t) = f.until {
        p.cond(&mut c, "last_ms < ?", Value::Integer(t.timestamp_millis()));
    }
    if let Some(o) = &f.operator {
        p.cond(&mut c, "operator = ?", Value::Text(o.clone()));
    }
    Some(clause(&c))
}

/// A chunk as one entry: the columns of [`COLUMNS`] and the three more.
const CHUNK_COLUMNS: &str = "id, last_ms AS at_ms, 'local', 'local', NULL, NULL, CASE WHEN valid = count THEN 'valid' ELSE 'invalid' END, \
                             NULL, NULL, NULL, NULL, NULL, NULL, 0, operator, NULL, NULL, NULL, count, valid, 1 AS src";

fn page(f: &Filter) -> String {
    match f.limit {
        Some(l) => format!(" LIMIT {l} OFFSET {}", f.offset),
        None if f.offset > 0 => format!(" LIMIT -1 OFFSET {}", f.offset),
        None => String::new(),
    }
}

pub(super) fn query(store: &Store, f: &Filter) -> Result<Vec<Entry>, AuditError> {
    if f.number.is_some() {
        let (checks, hits) = by_number(store, f, true)?;
        let skip = f.offset as usize;
        let take = f.limit.map_or(usize::MAX, |l| l as usize);
        return Ok(merge(checks, hits.entries).skip(skip).take(take).collect());
    }
    let mut p = Params::default();
    let mut sql = format!("SELECT {COLUMNS}, NULL, NULL, 0 AS src FROM checks{}", checks_where(store, f, &mut p));
    if let Some(w) = chunks_where(f, &mut p, false) {
        sql.push_str(&format!(" UNION ALL SELECT {CHUNK_COLUMNS} FROM check_chunks{w}"));
    }
    sql.push_str(ORDER);
    sql.push_str(&page(f));
    let conn = store.conn();
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(p.args.iter()), entry_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Two lists in listing order (checks rows, numbers found in chunks) as one, in the order of
/// [`ORDER`]: at the same time, chunks first.
fn merge(checks: Vec<Entry>, hits: Vec<Entry>) -> impl Iterator<Item = Entry> {
    let mut checks = checks.into_iter().peekable();
    let mut hits = hits.into_iter().peekable();
    std::iter::from_fn(move || match (checks.peek(), hits.peek()) {
        (Some(c), Some(h)) if c.at > h.at => checks.next(),
        (_, Some(_)) => hits.next(),
        (Some(_), None) => checks.next(),
        (None, None) => None,
    })
}

pub(super) fn count(store: &Store, f: &Filter) -> Result<u64, AuditError> {
    if f.number.is_some() {
        let (checks, hits) = by_number(store, f, false)?;
        return Ok(checks.len() as u64 + hits.count);
    }
    let mut p = Params::default();
    let mut sql = format!("SELECT (SELECT COUNT(*) FROM checks{})", checks_where(store, f, &mut p));
    if let Some(w) = chunks_where(f, &mut p, false) {
        sql.push_str(&format!(" + (SELECT COUNT(*) FROM check_chunks{w})"));
    }
    let conn = store.conn();
    Ok(conn.query_row(&sql, params_from_iter(p.args.iter()), |r| r.get::<_, i64>(0))? as u64)
}

/// Copies of a number found in chunks: their entries (when asked for) and how many.
#[derive(Default)]
struct Hits {
    entries: Vec<Entry>,
    count: u64,
}

/// The checks of `f.number` (every matching row, newest first) and its copies in chunks.
fn by_number(store: &Store, f: &Filter, want_entries: bool) -> Result<(Vec<Entry>, Hits), AuditError> {
    let number = f.number.as_ref().expect("a number filter");
    let conn = store.conn();
    let mut p = Params::default();
    let sql = format!("SELECT {COLUMNS}, NULL, NULL, 0 AS src FROM checks{} ORDER BY at_ms DESC, id DESC", checks_where(store, f, &mut p));
    let checks = {
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(p.args.iter()), entry_from_row)?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    let normalised = normalise(number.expose());
    let mut hits = Hits::default();
    if chunk::is_clean(normalised.as_bytes()) {
        let hash = store.hasher().hash16(normalised.as_bytes());
        scan_chunks(&conn, f, &hash, want_entries, &mut hits)?;
    }
    Ok((checks, hits))
}

fn scan_chunks(conn: &Connection, f: &Filter, hash: &[u8; 16], want_entries: bool, hits: &mut Hits) -> Result<(), AuditError> {
    let mut p = Params::default();
    let Some(w) = chunks_where(f, &mut p, true) else { return Ok(()) };
    let sql = format!("SELECT id, last_ms, operator, entries, entry_len, count FROM check_chunks{w} ORDER BY last_ms DESC, id DESC");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(p.args.iter()))?;
    while let Some(row) = rows.next()? {
        let Some(entries) = chunk::Entries::new(chunk::blob(row, 3)?, row.get(4)?, row.get(5)?) else { continue };
        let found = entries.find(hash);
        if found.is_empty() {
            continue;
        }
        let (id, at_ms, operator): (i64, i64, Option<String>) = (row.get(0)?, row.get(1)?, row.get(2)?);
        for i in found {
            let e = entries.get(i);
            if f.outcome.is_some_and(|o| o != e.outcome()) {
                continue;
            }
            hits.count += 1;
            if want_entries {
                hits.entries.push(chunk::hit(id, at_ms, operator.as_deref(), e));
            }
        }
    }
    Ok(())
}
