//! The team database's schema, its migrations and its access rules, applied by
//! `idcheck team init` with the database owner's URL.
//!
//! The rules are PostgreSQL's own, so they hold for any client, not just this app:
//! - every desk logs in as its own role, a member of `idcheck_clerk`; row-level security lets
//!   it insert rows only under its own name (`desk = current_user`) and read only those;
//! - `idcheck_reviewer` members read every desk's rows;
//! - nobody is granted UPDATE or DELETE, and a trigger refuses both (and TRUNCATE) even to the
//!   owner; what a superuser does anyway shows up in `idcheck team verify` (see [`super::chain`]);
//! - one-time join codes live in `invites`, readable by nobody but the owner; a desk redeems
//!   one through `idcheck_redeem`, which hands out the wrapped team key once and forgets it.

use tokio_postgres::Client;

/// The migrations, oldest first. Index `i` brings the database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r#"
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'idcheck_clerk') THEN CREATE ROLE idcheck_clerk NOLOGIN; END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'idcheck_reviewer') THEN CREATE ROLE idcheck_reviewer NOLOGIN; END IF;
    END $$;

    CREATE TABLE idcheck_checks (
        uid           bytea   PRIMARY KEY,               -- stable id from the desk's outbox: a retried push never duplicates
        desk          text    NOT NULL DEFAULT current_user,
        seq           bigint  NOT NULL,                  -- 1, 2, 3 ... per desk
        at_ms         bigint  NOT NULL,                  -- when the check was made, UTC ms
        kind          text    NOT NULL,
        provider      text    NOT NULL,
        number_masked text,
        number_hash   text,                              -- HMAC-SHA-256(team key, number), first 16 bytes, hex
        name_masked   text,
        outcome       text    NOT NULL,
        error_kind    text,
        vendor_code   text,
        request_id    text,
        http_status   integer,
        message_zh    text,
        message_en    text,
        consent       boolean NOT NULL,
        operator      text,
        batch_id      text,
        prev_hash     bytea   NOT NULL,                  -- row_hash of the desk's row seq - 1 (zeros for the first)
        row_hash      bytea   NOT NULL,                  -- HMAC(chain key, prev_hash || this row), see chain.rs
        received_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (desk, seq)
    );
    CREATE INDEX idcheck_checks_number ON idcheck_checks (number_hash);
    CREATE INDEX idcheck_checks_at ON idcheck_checks (at_ms);

    ALTER TABLE idcheck_checks ENABLE ROW LEVEL SECURITY;
    CREATE POLICY clerk_insert ON idcheck_checks FOR INSERT TO idcheck_clerk WITH CHECK (desk = current_user);
    CREATE POLICY clerk_read ON idcheck_checks FOR SELECT TO idcheck_clerk USING (desk = current_user);
    CREATE POLICY reviewer_read ON idcheck_checks FOR SELECT TO idcheck_reviewer USING (true);
    REVOKE ALL ON idcheck_checks FROM PUBLIC;
    GRANT SELECT, INSERT ON idcheck_checks TO idcheck_clerk;
    GRANT SELECT ON idcheck_checks TO idcheck_reviewer;

    CREATE FUNCTION idcheck_append_only() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
        RAISE EXCEPTION 'the IDCheck team trail is append-only: % is refused', TG_OP;
    END $f$;
    CREATE TRIGGER idcheck_checks_append_only BEFORE UPDATE OR DELETE ON idcheck_checks
        FOR EACH ROW EXECUTE FUNCTION idcheck_append_only();
    CREATE TRIGGER idcheck_checks_no_truncate BEFORE TRUNCATE ON idcheck_checks
        FOR EACH STATEMENT EXECUTE FUNCTION idcheck_append_only();

    CREATE TABLE idcheck_invites (
        token_hash  bytea PRIMARY KEY,                   -- SHA-256 of the code's token; the token itself is never stored
        desk        text  NOT NULL,
        wrapped_key bytea,                               -- the team key under the token (see invite.rs); NULL once redeemed
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        redeemed_at timestamptz
    );
    ALTER TABLE idcheck_invites ENABLE ROW LEVEL SECURITY;
    REVOKE ALL ON idcheck_invites FROM PUBLIC;

    CREATE FUNCTION idcheck_redeem(token_hash bytea) RETURNS bytea
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $f$
    DECLARE k bytea;
    BEGIN
        SELECT i.wrapped_key INTO k FROM idcheck_invites i
         WHERE i.token_hash = idcheck_redeem.token_hash AND i.desk = session_user
           AND i.redeemed_at IS NULL AND i.expires_at > now()
         FOR UPDATE;
        IF k IS NULL THEN
            RETURN NULL;
        END IF;
        UPDATE idcheck_invites i SET wrapped_key = NULL, redeemed_at = now() WHERE i.token_hash = idcheck_redeem.token_hash;
        RETURN k;
    END $f$;
    REVOKE ALL ON FUNCTION idcheck_redeem(bytea) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION idcheck_redeem(bytea) TO idcheck_clerk, idcheck_reviewer;
"#];

/// The schema version this build writes.
pub const VERSION: i32 = MIGRATIONS.len() as i32;

/// Brings the database to [`VERSION`] (each step once, in a transaction). Returns the version
/// found. A database written by a newer version is left alone.
pub async fn migrate(client: &mut Client) -> Result<i32, MigrateError> {
    client.batch_execute("CREATE TABLE IF NOT EXISTS idcheck_schema (version integer NOT NULL); REVOKE ALL ON idcheck_schema FROM PUBLIC;").await?;
    let tx = client.transaction().await?;
    tx.batch_execute("LOCK TABLE idcheck_schema IN EXCLUSIVE MODE").await?;
    let found: i32 = tx.query_opt("SELECT version FROM idcheck_schema", &[]).await?.map(|r| r.get(0)).unwrap_or(0);
    if found > VERSION {
        return Err(MigrateError::TooNew { found, known: VERSION });
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.batch_execute(sql).await?;
    }
    tx.execute("DELETE FROM idcheck_schema", &[]).await?;
    tx.execute("INSERT INTO idcheck_schema (version) VALUES ($1)", &[&VERSION]).await?;
    tx.commit().await?;
    Ok(found)
}

#[derive(Debug)]
pub enum MigrateError {
    TooNew { found: i32, known: i32 },
    Db(tokio_postgres::Error),
}

impl From<tokio_postgres::Error> for MigrateError {
    fn from(e: tokio_postgres::Error) -> Self {
        MigrateError::Db(e)
    }
}
