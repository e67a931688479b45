//! `idcheck team verify`: recomputes every desk's hash chain from the rows in the database.
//!
//! An edited row no longer matches its `row_hash`; a deleted row leaves a gap in the desk's
//! sequence and a `prev_hash` that points at nothing; a row re-hashed by someone without the
//! team key fails the keyed hash. Rows are streamed, so a trail of millions is checked in
//! constant memory. Run it as a reviewer (a clerk sees only its own desk).

use super::chain::{ChainKey, GENESIS};
use super::{connect, Row, TeamConfig, TeamError, ROW_COLUMNS};
use crate::secret::Sensitive;
use futures_util::{pin_mut, TryStreamExt};
use serde::Serialize;

/// Something wrong in a desk's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// Rows `from..=to` are missing (deleted).
    Missing { from: i64, to: i64 },
    /// Row `seq` does not follow the row before it (`prev_hash` differs): rows were removed or
    /// replaced before it.
    Unlinked { seq: i64 },
    /// Row `seq` was changed after it was written (its content no longer matches its hash).
    Altered { seq: i64 },
}

/// One desk's chain.
#[derive(Debug, Clone, Serialize)]
pub struct DeskChain {
    pub desk: String,
    pub rows: u64,
    pub last_seq: i64,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub desks: Vec<DeskChain>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.desks.iter().all(|d| d.problems.is_empty())
    }
    pub fn rows(&self) -> u64 {
        self.desks.iter().map(|d| d.rows).sum()
    }
}

/// Checks every chain the connected role can read.
pub async fn verify(cfg: &TeamConfig, key: &Sensitive<Vec<u8>>) -> Result<VerifyReport, TeamError> {
    let client = connect(cfg).await?;
    let chain = ChainKey::of(key);
    let sql = format!("SELECT {ROW_COLUMNS}, prev_hash, row_hash FROM idcheck_checks ORDER BY desk, seq");
    let stream = client.query_raw(&sql, std::iter::empty::<i32>()).await.map_err(TeamError::db)?;
    pin_mut!(stream);
    let mut report = VerifyReport::default();
    let mut prev_hash: Vec<u8> = GENESIS.to_vec();
    while let Some(r) = stream.try_next().await.map_err(TeamError::db)? {
        let row = Row::from_pg(&r);
        let stored_prev: Vec<u8> = r.get(19);
        let stored_hash: Vec<u8> = r.get(20);
        if report.desks.last().is_none_or(|d| d.desk != row.desk) {
            report.desks.push(DeskChain { desk: row.desk.clone(), rows: 0, last_seq: 0, problems: Vec::new() });
            prev_hash = GENESIS.to_vec();
        }
        let d = report.desks.last_mut().expect("pushed above");
        if row.seq != d.last_seq + 1 {
            d.problems.push(Problem::Missing { from: d.last_seq + 1, to: row.seq - 1 });
        }
        if stored_prev != prev_hash {
            d.problems.push(Problem::Unlinked { seq: row.seq });
        }
        if chain.link(&stored_prev, &row)[..] != stored_hash[..] {
            d.problems.push(Problem::Altered { seq: row.seq });
        }
        d.rows += 1;
        d.last_seq = row.seq;
        prev_hash = stored_hash;
    }
    Ok(report)
}
