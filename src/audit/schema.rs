//! The audit database's schema and its migrations, versioned by `PRAGMA user_version`.
//!
//! Each migration is applied once, in order, inside a transaction; a database written by a
//! newer version of the app is refused rather than damaged.

use rusqlite::Connection;

/// The migrations, oldest first. Index `i` brings the database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: checks, batches and their rows.
    r#"
    CREATE TABLE checks (
        id            INTEGER PRIMARY KEY,
        at_ms         INTEGER NOT NULL,           -- UTC, milliseconds since 1970
        kind          TEXT    NOT NULL,           -- local | ocr | region | two_factor
        provider      TEXT    NOT NULL,
        number_masked TEXT,                       -- crate::mask::number
        number_hash   TEXT,                       -- HMAC-SHA-256(install key, number), hex
        name_masked   TEXT,                       -- crate::mask::name
        outcome       TEXT    NOT NULL,
        error_kind    TEXT,
        vendor_code   TEXT,
        request_id    TEXT,
        http_status   INTEGER,
        message_zh    TEXT,
        message_en    TEXT,
        consent       INTEGER NOT NULL DEFAULT 0,
        operator      TEXT,
        batch_id      TEXT
    );
    CREATE INDEX checks_at ON checks (at_ms);
    CREATE INDEX checks_hash ON checks (number_hash);
    CREATE INDEX checks_batch ON checks (batch_id);

    CREATE TABLE batches (
        id           TEXT    PRIMARY KEY,
        created_ms   INTEGER NOT NULL,
        updated_ms   INTEGER NOT NULL,
        provider     TEXT    NOT NULL,
        fingerprint  TEXT    NOT NULL,            -- keyed hash of the input's bytes
        total        INTEGER NOT NULL,
        consent      INTEGER NOT NULL DEFAULT 0,
        operator     TEXT,
        finished     INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX batches_fp ON batches (fingerprint, provider);

    CREATE TABLE batch_rows (
        batch_id      TEXT    NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
        row_no        INTEGER NOT NULL,
        number_masked TEXT,
        number_hash   TEXT,
        name_masked   TEXT,
        status        TEXT    NOT NULL,           -- pending | invalid | sending | done | failed | unknown
        verdict       TEXT,
        error_kind    TEXT,
        vendor_code   TEXT,
        request_id    TEXT,
        message_zh    TEXT,
        message_en    TEXT,
        retry         INTEGER NOT NULL DEFAULT 0, -- failed without being billed: resend on resume
        updated_ms    INTEGER NOT NULL,
        PRIMARY KEY (batch_id, row_no)
    );
    "#,
    // 2: the ledger of what was paid for, so no batch pays twice for a row answered (or maybe
    // billed) in any earlier batch, whatever the input's bytes. Rows written before this
    // migration have no keys; a later run of the same input fills them in (same bytes, same
    // rows: matched by position and number hash).
    r#"
    ALTER TABLE batch_rows ADD COLUMN pair_hash   TEXT; -- keyed hash of (provider, 18-digit number, name)
    ALTER TABLE batch_rows ADD COLUMN photo_hash  TEXT; -- keyed hash of (provider, SHA-256 of the photo file)
    ALTER TABLE batch_rows ADD COLUMN reused_from TEXT; -- the batch whose answer this row carries over (not sent)
    CREATE INDEX batch_rows_pair ON batch_rows (pair_hash);
    CREATE INDEX batch_rows_photo ON batch_rows (photo_hash);
    "#,
    // 3: the outbox of a desk in a team, and numbers of a stream recorded in chunks. Rows
    // written before this migration have no uid and `pushed` NULL: they are never pushed.
    r#"
    ALTER TABLE checks ADD COLUMN uid       BLOB;    -- 16 random bytes: the row's id in the team trail
    ALTER TABLE checks ADD COLUMN team_hash TEXT;    -- HMAC-SHA-256(team key, number), first 16 bytes, hex
    ALTER TABLE checks ADD COLUMN pushed    INTEGER; -- NULL: recorded outside a team; 0: pending; 1: pushed
    CREATE INDEX checks_pending ON checks (at_ms) WHERE pushed = 0;

    -- Numbers of a stream (`idcheck check` on stdin), up to 65,536 a row. `entries` holds
    -- `count` records of `entry_len` bytes sorted by their first 16 bytes (see
    -- src/audit/chunk.rs): the install hash, the team hash (in a team only), an outcome byte
    -- and the masked number's visible characters. Every number is a local validation by
    -- provider `local`, dated at `last_ms`.
    CREATE TABLE check_chunks (
        id        INTEGER PRIMARY KEY,
        uid       BLOB    NOT NULL,                -- 12 random bytes; entry i is pushed as uid || i (u32, big-endian)
        first_ms  INTEGER NOT NULL,                -- UTC milliseconds of the first number
        last_ms   INTEGER NOT NULL,                -- when the chunk was written: its time
        count     INTEGER NOT NULL,
        valid     INTEGER NOT NULL,                -- how many of them are valid
        operator  TEXT,
        pushed    INTEGER,                         -- as in checks
        entry_len INTEGER NOT NULL,                -- 24, or 40 with the team hash
        entries   BLOB    NOT NULL
    );
    CREATE INDEX check_chunks_last ON check_chunks (last_ms);
    CREATE INDEX check_chunks_pending ON check_chunks (last_ms) WHERE pushed = 0;
    "#,
    // 4: watermarked copies (kind `copy`): what the copy was for and which sides it shows.
    // Older rows have both NULL.
    r#"
    ALTER TABLE checks ADD COLUMN purpose TEXT; -- the purpose printed on the copy
    ALTER TABLE checks ADD COLUMN sides   TEXT; -- front+back, front, back
    "#,
];

/// The schema version this build writes.
pub const VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings `conn` up to [`VERSION`]. Returns the version found before migrating.
pub fn migrate(conn: &mut Connection) -> Result<u32, MigrateError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Err(MigrateError::TooNew { found, known: VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(found)
}

#[derive(Debug)]
pub enum MigrateError {
    TooNew { found: u32, known: u32 },
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer() {
        let mut c = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut c).unwrap(), 0);
        assert_eq!(migrate(&mut c).unwrap(), VERSION);
        c.pragma_update(None, "user_version", VERSION + 1).unwrap();
        assert!(matches!(migrate(&mut c), Err(MigrateError::TooNew { .. })));
    }

    /// A database written before the ledger (version 1) keeps its rows and gains the columns.
    #[test]
    fn version_1_gains_the_ledger_and_keeps_its_rows() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(MIGRATIONS[0]).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute_batch(
            "INSERT INTO batches (id, created_ms, updated_ms, provider, fingerprint, total, finished) VALUES ('b1', 1, 1, 'apizero', 'fp', 1, 1);
             INSERT INTO batch_rows (batch_id, row_no, number_hash, status, verdict, updated_ms) VALUES ('b1', 0, 'h', 'done', 'match', 1);",
        )
        .unwrap();
        assert_eq!(migrate(&mut c).unwrap(), 1);
        let (status, pair, photo, reused): (String, Option<String>, Option<String>, Option<String>) =
            c.query_row("SELECT status, pair_hash, photo_hash, reused_from FROM batch_rows", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
        assert_eq!((status.as_str(), pair, photo, reused), ("done", None, None, None));
        let indexes: i64 = c
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('batch_rows_pair', 'batch_rows_photo')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(indexes, 2);
    }

    /// A database of version 2 keeps its checks (never to be pushed: no uid, `pushed` NULL)
    /// and gains the outbox columns and the chunks.
    #[test]
    fn version_2_gains_the_outbox_and_chunks_and_keeps_its_rows() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(MIGRATIONS[0]).unwrap();
        c.execute_batch(MIGRATIONS[1]).unwrap();
        c.pragma_update(None, "user_version", 2).unwrap();
        c.execute_batch(
            "INSERT INTO checks (at_ms, kind, provider, number_masked, number_hash, outcome) VALUES (1, 'local', 'local', '110***********002X', 'h', 'valid');",
        )
        .unwrap();
        assert_eq!(migrate(&mut c).unwrap(), 2);
        let (masked, uid, team, pushed): (String, Option<Vec<u8>>, Option<String>, Option<i64>) =
            c.query_row("SELECT number_masked, uid, team_hash, pushed FROM checks", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
        assert_eq!((masked.as_str(), uid, team, pushed), ("110***********002X", None, None, None));
        let chunks: i64 = c.query_row("SELECT COUNT(*) FROM check_chunks", [], |r| r.get(0)).unwrap();
        assert_eq!(chunks, 0);
        let indexes: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('checks_pending', 'check_chunks_last', 'check_chunks_pending')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 3);
    }

    /// A database of version 3 keeps its checks and gains the copy columns, NULL on old rows.
    #[test]
    fn version_3_gains_the_copy_columns() {
        let mut c = Connection::open_in_memory().unwrap();
        for m in &MIGRATIONS[..3] {
            c.execute_batch(m).unwrap();
        }
        c.pragma_update(None, "user_version", 3).unwrap();
        c.execute_batch("INSERT INTO checks (at_ms, kind, provider, outcome) VALUES (1, 'ocr', 'embedded', 'read');").unwrap();
        assert_eq!(migrate(&mut c).unwrap(), 3);
        let (kind, purpose, sides): (String, Option<String>, Option<String>) =
            c.query_row("SELECT kind, purpose, sides FROM checks", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        assert_eq!((kind.as_str(), purpose, sides), ("ocr", None, None));
    }
}
