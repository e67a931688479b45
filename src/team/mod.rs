//! The team trail: every desk's checks in one PostgreSQL database, for reviewers of an
//! organisation with many front desks.
//!
//! Each desk keeps writing its local trail first ([`crate::audit`]); a row recorded while the
//! desk belongs to a team is pending in that outbox until [`sync`] pushes it. A push is one
//! transaction per batch of rows, idempotent (every row carries the stable id the outbox gave
//! it; rows already in the database are skipped), so a push cut off by a network failure is
//! simply retried. The database holds what the local trail holds — masked numbers and names,
//! a keyed hash of the number — plus the desk, a per-desk sequence and a hash chain
//! ([`chain`]). The hash is keyed with the team key, the same on every desk (so a number is
//! searchable across desks) and kept in each desk's keychain, never in the database.
//!
//! Where the rules are enforced: PostgreSQL roles and row-level security ([`schema`]): a desk
//! inserts and reads only its own rows, reviewers read all, nobody updates or deletes.
//!
//! Configuration: `IDCHECK_TEAM_URL`, else `team_url` in the settings; a `postgres://` URL
//! whose password may instead be in the keychain (`idcheck key set team`). TLS (with the
//! server's certificate verified) is required unless every host is on loopback.

pub mod chain;
pub mod invite;
mod push;
mod query;
pub mod schema;
mod tls;
mod verify;

pub use push::{sync, SyncReport};
pub use query::{history, TeamEntry, TeamFilter};
pub use verify::{verify, DeskChain, Problem, VerifyReport};

use crate::i18n::Msg;
use crate::paths::Namespace;
use crate::secret::Sensitive;
use serde::Serialize;
use std::str::FromStr;
use tokio_postgres::config::{Host, SslMode};

/// Keychain account of the desk's database password (`idcheck key set team`).
pub const PASSWORD_ACCOUNT: &str = "team.password";
/// Keychain account of the team key (hex). Written only by `idcheck team init` / `join`.
pub const KEY_ACCOUNT: &str = "team-hash-key";
/// The environment variable that names the team database.
pub const URL_ENV: &str = "IDCHECK_TEAM_URL";
/// A PEM file of extra CA certificates to trust for the team database (an organisation's own).
pub const CA_ENV: &str = "IDCHECK_TEAM_CA";

/// What went wrong, for the faces to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamErrorKind {
    /// No team URL set.
    NotConfigured,
    /// The URL or a code is not usable as given.
    Config,
    /// The server did not answer (down, unreachable, TLS failed).
    Unreachable,
    /// The server refused the login or the operation (role, password, row-level security).
    Denied,
    /// No team key on this desk, or a wrong one.
    Key,
    /// Anything else the database said.
    Db,
}

/// A team trail error with a message in both languages that says what to do next.
#[derive(Debug, Clone, Serialize)]
pub struct TeamError {
    pub kind: TeamErrorKind,
    pub message: Msg,
}

impl std::fmt::Display for TeamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)
    }
}

impl std::error::Error for TeamError {}

impl TeamError {
    pub fn new(kind: TeamErrorKind, zh: impl Into<String>, en: impl Into<String>) -> TeamError {
        TeamError { kind, message: Msg::new(zh, en) }
    }

    pub(crate) fn not_configured() -> TeamError {
        TeamError::new(
            TeamErrorKind::NotConfigured,
            "尚未设置团队数据库。请在 设置 → 团队 中填写地址，或设置环境变量 IDCHECK_TEAM_URL（postgres://…）。",
            "No team database is set. Enter its address in Settings → Team, or set IDCHECK_TEAM_URL (postgres://...).",
        )
    }

    pub(crate) fn no_key() -> TeamError {
        TeamError::new(
            TeamErrorKind::Key,
            "本机还没有加入团队。请用管理员给的一次性加入码加入（设置 → 团队 → 加入团队，或 idcheck team join），或由管理员输入团队密钥（idcheck team join --key）。",
            "This desk has not joined the team. Join with the one-time code from your administrator (Settings → Team → Join, or idcheck team join), or have the administrator enter the team key (idcheck team join --key).",
        )
    }

    pub(crate) fn db(e: tokio_postgres::Error) -> TeamError {
        use tokio_postgres::error::SqlState;
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            let denied = [SqlState::INSUFFICIENT_PRIVILEGE, SqlState::INVALID_PASSWORD, SqlState::INVALID_AUTHORIZATION_SPECIFICATION];
            if denied.contains(code) {
                return TeamError::new(
                    TeamErrorKind::Denied,
                    format!("团队数据库拒绝了此操作：{}。请确认本机的账号和密码（idcheck key set team），或请管理员检查权限。", db.message()),
                    format!("The team database refused: {}. Check this desk's account and password (idcheck key set team), or ask the administrator about its rights.", db.message()),
                );
            }
            if code == &SqlState::UNDEFINED_TABLE || code == &SqlState::UNDEFINED_FUNCTION {
                return TeamError::new(
                    TeamErrorKind::Db,
                    format!("团队数据库尚未初始化（{}）。请管理员运行 idcheck team init。", db.message()),
                    format!("The team database is not set up ({}). Have the administrator run idcheck team init.", db.message()),
                );
            }
            return TeamError::new(TeamErrorKind::Db, format!("团队数据库出错：{}。", db.message()), format!("The team database failed: {}.", db.message()));
        }
        TeamError::new(
            TeamErrorKind::Unreachable,
            format!("无法连接团队数据库（{e}）。核验照常进行并记录在本机，连接恢复后会自动上传（也可稍后点“立即上传”或运行 idcheck team sync）。"),
            format!("Cannot reach the team database ({e}). Checks go on and are kept on this desk; they are pushed when it is back (or press Push now, or run idcheck team sync, later)."),
        )
    }
}

/// Where the team database is and how to reach it. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct TeamConfig {
    config: tokio_postgres::Config,
    tls: bool,
    shown: String,
}

impl std::fmt::Debug for TeamConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TeamConfig({})", self.shown)
    }
}

fn is_loopback(h: &Host) -> bool {
    match h {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
        }
    }
}

impl TeamConfig {
    /// Reads a `postgres://` URL. Off loopback, TLS is required: `sslmode=disable` or `prefer`
    /// there is refused rather than silently sent in clear.
    pub fn parse(url: &str) -> Result<TeamConfig, TeamError> {
        let url = url.trim();
        let bad = |why_zh: &str, why_en: &str| {
            TeamError::new(
                TeamErrorKind::Config,
                format!("团队数据库地址不可用：{why_zh}。格式如 postgres://desk01@db.example.cn:5432/idcheck"),
                format!("The team database address is not usable: {why_en}. Use postgres://desk01@db.example.cn:5432/idcheck"),
            )
        };
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(bad("须以 postgres:// 开头", "it must start with postgres://"));
        }
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| bad(&e.to_string(), &e.to_string()))?;
        if config.get_hosts().is_empty() {
            return Err(bad("缺少主机名", "it names no host"));
        }
        if config.get_user().is_none() {
            return Err(bad("缺少本机的数据库账号（postgres://账号@主机/库）", "it names no database account (postgres://account@host/db)"));
        }
        let loopback = config.get_hosts().iter().all(is_loopback);
        let explicit = url.contains("sslmode=");
        let tls = match (loopback, config.get_ssl_mode()) {
            (_, SslMode::Require) => true,
            (true, _) => false,
            (false, _) if explicit => {
                return Err(bad(
                    "不在本机的数据库必须使用 TLS（去掉 sslmode 或写 sslmode=require）",
                    "a database off this machine needs TLS (drop sslmode or use sslmode=require)",
                ))
            }
            (false, _) => true,
        };
        if tls {
            config.ssl_mode(SslMode::Require);
        }
        config.connect_timeout(std::time::Duration::from_secs(8));
        config.application_name("idcheck");
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(n) => n.clone(),
                Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let shown = format!("postgres://{}@{}:{port}/{}", config.get_user().unwrap_or(""), hosts.join(","), config.get_dbname().unwrap_or(""));
        Ok(TeamConfig { config, tls, shown })
    }

    /// The URL without its password, for messages and the settings page.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The database account (the desk's role).
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("")
    }

    /// Whether the URL itself carries a password.
    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// Uses `password` unless the URL carries one.
    pub fn with_password(mut self, password: &Sensitive<String>) -> TeamConfig {
        if self.config.get_password().is_none() {
            self.config.password(password.expose().as_bytes());
        }
        self
    }

    /// The configuration of namespace `ns`: `IDCHECK_TEAM_URL`, else the settings' `team_url`;
    /// the password from the keychain when the URL has none. `Ok(None)`: not in a team.
    pub fn resolve(ns: &Namespace, settings: &crate::settings::Settings) -> Result<Option<TeamConfig>, TeamError> {
        let url = std::env::var(URL_ENV).ok().filter(|s| !s.trim().is_empty()).or_else(|| settings.team_url.clone().filter(|s| !s.trim().is_empty()));
        let Some(url) = url else { return Ok(None) };
        let cfg = TeamConfig::parse(&url)?;
        if cfg.has_password() {
            return Ok(Some(cfg));
        }
        Ok(Some(match password(ns)? {
            Some(p) => cfg.with_password(&p),
            None => cfg,
        }))
    }
}

/// Opens a connection; the connection's driver runs on a tokio task of its own.
pub async fn connect(cfg: &TeamConfig) -> Result<tokio_postgres::Client, TeamError> {
    if cfg.tls {
        let ca = std::env::var_os(CA_ENV).map(std::path::PathBuf::from);
        let tls = tls::MakeRustls::new(ca.as_deref())
            .map_err(|e| TeamError::new(TeamErrorKind::Config, format!("无法读取 CA 证书：{e}"), format!("Cannot read the CA certificates: {e}")))?;
        let (client, conn) = cfg.config.connect(tls).await.map_err(TeamError::db)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    } else {
        let (client, conn) = cfg.config.connect(tokio_postgres::NoTls).await.map_err(TeamError::db)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }
}

fn keychain_error(e: keyring::Error) -> TeamError {
    TeamError::new(
        TeamErrorKind::Key,
        format!("无法使用系统钥匙串（{e}）。请启动并解锁钥匙串服务后重试。"),
        format!("The system keychain is not usable ({e}). Start and unlock a keychain service and retry."),
    )
}

fn entry(ns: &Namespace, account: &str) -> Result<keyring::Entry, TeamError> {
    keyring::Entry::new(&ns.keychain_service, account).map_err(keychain_error)
}

fn read_secret(ns: &Namespace, account: &str) -> Result<Option<Sensitive<String>>, TeamError> {
    match entry(ns, account)?.get_password() {
        Ok(v) => Ok(Some(Sensitive::new(v))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keychain_error(e)),
    }
}

/// The desk's database password from the keychain, if one was saved.
pub fn password(ns: &Namespace) -> Result<Option<Sensitive<String>>, TeamError> {
    read_secret(ns, PASSWORD_ACCOUNT)
}

/// Saves the desk's database password in the keychain (`idcheck key set team`).
pub fn set_password(ns: &Namespace, password: &Sensitive<String>) -> Result<(), TeamError> {
    if password.expose().trim().is_empty() {
        return Err(TeamError::new(TeamErrorKind::Config, "密码为空，未保存。", "The password is empty and was not saved."));
    }
    entry(ns, PASSWORD_ACCOUNT)?.set_password(password.expose().trim()).map_err(keychain_error)
}

/// Forgets the desk's database password.
pub fn delete_password(ns: &Namespace) -> Result<bool, TeamError> {
    match entry(ns, PASSWORD_ACCOUNT)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(keychain_error(e)),
    }
}

/// The team key from the keychain, if this desk has joined a team.
pub fn team_key(ns: &Namespace) -> Result<Option<Sensitive<Vec<u8>>>, TeamError> {
    let Some(hexed) = read_secret(ns, KEY_ACCOUNT)? else { return Ok(None) };
    match hex::decode(hexed.expose().trim()) {
        Ok(k) if k.len() >= 16 => Ok(Some(Sensitive::new(k))),
        _ => Err(TeamError::new(
            TeamErrorKind::Key,
            "钥匙串中的团队密钥已损坏。请重新加入团队（idcheck team join）。",
            "The team key in the keychain is damaged. Join the team again (idcheck team join).",
        )),
    }
}

/// The team key, or the error that tells the desk how to get one.
pub fn require_key(ns: &Namespace) -> Result<Sensitive<Vec<u8>>, TeamError> {
    team_key(ns)?.ok_or_else(TeamError::no_key)
}

/// Stores the team key in the keychain (hex).
pub fn set_team_key(ns: &Namespace, key: &Sensitive<Vec<u8>>) -> Result<(), TeamError> {
    if key.expose().len() < 16 {
        return Err(TeamError::new(
            TeamErrorKind::Key,
            "团队密钥太短（至少 16 字节，32 个十六进制字符）。",
            "The team key is too short (at least 16 bytes, 32 hex digits).",
        ));
    }
    let hexed = Sensitive::new(hex::encode(key.expose()));
    entry(ns, KEY_ACCOUNT)?.set_password(hexed.expose()).map_err(keychain_error)
}

/// Reads a team key typed by an administrator (hex).
pub fn parse_key(hexed: &str) -> Result<Sensitive<Vec<u8>>, TeamError> {
    let cleaned: String = hexed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    match hex::decode(&cleaned) {
        Ok(k) if k.len() >= 16 => Ok(Sensitive::new(k)),
        _ => Err(TeamError::new(TeamErrorKind::Key, "团队密钥应为至少 32 个十六进制字符（0-9、a-f）。", "A team key is at least 32 hex digits (0-9, a-f).")),
    }
}

/// `number_hash` of the team trail: the first 16 bytes of HMAC-SHA-256(team key, number), hex.
pub fn number_hash(key: &Sensitive<Vec<u8>>, number: &str) -> String {
    let full = crate::audit::key::keyed_hash(key, number.trim().to_ascii_uppercase().as_bytes());
    full[..32].to_string()
}

/// One row of the team trail as pushed and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub uid: Vec<u8>,
    pub desk: String,
    pub seq: i64,
    pub at_ms: i64,
    pub kind: String,
    pub provider: String,
    pub number_masked: Option<String>,
    pub number_hash: Option<String>,
    pub name_masked: Option<String>,
    pub outcome: String,
    pub error_kind: Option<String>,
    pub vendor_code: Option<String>,
    pub request_id: Option<String>,
    pub http_status: Option<i32>,
    pub message_zh: Option<String>,
    pub message_en: Option<String>,
    pub consent: bool,
    pub operator: Option<String>,
    pub batch_id: Option<String>,
}

/// The columns of [`Row`] in order, as selected and inserted.
pub(crate) const ROW_COLUMNS: &str = "uid, desk, seq, at_ms, kind, provider, number_masked, number_hash, name_masked, outcome, error_kind, \
     vendor_code, request_id, http_status, message_zh, message_en, consent, operator, batch_id";

impl Row {
    pub(crate) fn from_pg(r: &tokio_postgres::Row) -> Row {
        Row {
            uid: r.get(0),
            desk: r.get(1),
            seq: r.get(2),
            at_ms: r.get(3),
            kind: r.get(4),
            provider: r.get(5),
            number_masked: r.get(6),
            number_hash: r.get(7),
            name_masked: r.get(8),
            outcome: r.get(9),
            error_kind: r.get(10),
            vendor_code: r.get(11),
            request_id: r.get(12),
            http_status: r.get(13),
            message_zh: r.get(14),
            message_en: r.get(15),
            consent: r.get(16),
            operator: r.get(17),
            batch_id: r.get(18),
        }
    }
}

/// What `idcheck team init` did.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    /// Schema version found before (0: a new database).
    pub found: i32,
    pub version: i32,
    /// Whether a new team key was made and stored in this machine's keychain.
    pub new_key: bool,
}

/// Creates or migrates the schema, roles and rules (run with the database owner's URL), and
/// makes the team key on this machine if it has none.
pub async fn init(admin: &TeamConfig, ns: &Namespace) -> Result<InitReport, TeamError> {
    let mut client = connect(admin).await?;
    let found = schema::migrate(&mut client).await.map_err(|e| match e {
        schema::MigrateError::TooNew { found, known } => TeamError::new(
            TeamErrorKind::Db,
            format!("团队数据库由更新版本的程序创建（版本 {found}，本程序支持 {known}）。请升级程序。"),
            format!("The team database was set up by a newer version of the app (schema {found}, this one knows {known}). Upgrade the app."),
        ),
        schema::MigrateError::Db(e) => TeamError::db(e),
    })?;
    let new_key = if team_key(ns)?.is_none() {
        let key = crate::audit::key::random_key().map_err(|e| TeamError { kind: TeamErrorKind::Key, message: e.message().clone() })?;
        set_team_key(ns, &key)?;
        true
    } else {
        false
    };
    Ok(InitReport { found, version: schema::VERSION, new_key })
}

/// What kind of account a new desk gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records its own checks and reads them.
    Clerk,
    /// Reads every desk's checks (and records its own).
    Reviewer,
}

/// A new desk's account and its one-time join code.
pub struct Invite {
    /// The team URL the desk uses (no password).
    pub url: String,
    pub code: Sensitive<String>,
    pub expires_days: u32,
}

/// Makes a database account for desk `desk` and a one-time code that hands it the password
/// and the team key (run by the administrator, with the owner's URL, on a machine that holds
/// the team key).
pub async fn add_desk(admin: &TeamConfig, ns: &Namespace, desk: &str, role: Role, expires_days: u32) -> Result<Invite, TeamError> {
    let valid = !desk.is_empty()
        && desk.len() <= 48
        && desk.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && desk.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !valid || desk.starts_with("pg_") || desk.starts_with("idcheck_") || desk == "postgres" {
        return Err(TeamError::new(
            TeamErrorKind::Config,
            format!("柜台账号“{desk}”不可用：请用小写字母开头，只含小写字母、数字和下划线，最长 48 个字符（如 branch01_desk2）。"),
            format!("The desk account `{desk}` is not usable: start with a lower-case letter and use only a-z, 0-9 and _, at most 48 characters (e.g. branch01_desk2)."),
        ));
    }
    let key = require_key(ns)?;
    let code = invite::Code::random();
    let mut client = connect(admin).await?;
    let group = match role {
        Role::Clerk => "idcheck_clerk",
        Role::Reviewer => "idcheck_clerk, idcheck_reviewer",
    };
    let tx = client.transaction().await.map_err(TeamError::db)?;
    // The desk name is checked above and the password is hex: both are safe inside the SQL.
    let exists = tx.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&desk]).await.map_err(TeamError::db)?.is_some();
    let verb = if exists { "ALTER" } else { "CREATE" };
    tx.batch_execute(&format!("{verb} ROLE {desk} LOGIN PASSWORD '{}'", code.password.expose())).await.map_err(TeamError::db)?;
    tx.batch_execute(&format!("GRANT {group} TO {desk}")).await.map_err(TeamError::db)?;
    let interval = format!("{expires_days} days");
    tx.execute(
        "INSERT INTO idcheck_invites (token_hash, desk, wrapped_key, expires_at) VALUES ($1, $2, $3, now() + $4::text::interval)",
        &[&code.token_hash(), &desk, &code.wrap(&key), &interval],
    )
    .await
    .map_err(TeamError::db)?;
    tx.commit().await.map_err(TeamError::db)?;
    let hosts: Vec<String> = admin
        .config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(n) => n.clone(),
            Host::Unix(p) => p.display().to_string(),
        })
        .collect();
    let port = admin.config.get_ports().first().copied().unwrap_or(5432);
    let url = format!("postgres://{desk}@{}:{port}/{}", hosts.join(","), admin.config.get_dbname().unwrap_or(""));
    Ok(Invite { url, code: code.text(), expires_days })
}

/// Joins a team: logs in as the desk with the code's password, redeems the code for the team
/// key, and keeps both in the keychain. `cfg` is the desk's URL (without password).
pub async fn join(ns: &Namespace, cfg: &TeamConfig, code: &str) -> Result<(), TeamError> {
    let code = invite::Code::parse(code).ok_or_else(|| {
        TeamError::new(
            TeamErrorKind::Config,
            "加入码格式不对。请完整粘贴管理员给的加入码（以 IDC1- 开头）。",
            "That is not a join code. Paste the whole code from your administrator (it starts with IDC1-).",
        )
    })?;
    let cfg = cfg.clone().with_password(&code.password);
    let client = connect(&cfg).await?;
    let wrapped: Option<Vec<u8>> = client.query_one("SELECT idcheck_redeem($1)", &[&code.token_hash()]).await.map_err(TeamError::db)?.get(0);
    let wrapped = wrapped.ok_or_else(|| {
        TeamError::new(
            TeamErrorKind::Key,
            "加入码已用过、已过期，或不属于这个柜台账号。请向管理员重新申请（idcheck team add-desk）。",
            "The code was already used, has expired, or belongs to another desk account. Ask the administrator for a new one (idcheck team add-desk).",
        )
    })?;
    let key = code.unwrap(&wrapped).ok_or_else(|| {
        TeamError::new(
            TeamErrorKind::Key,
            "加入码与数据库中的记录不符。请向管理员重新申请。",
            "The code does not match the database's record. Ask the administrator for a new one.",
        )
    })?;
    set_password(ns, &code.password)?;
    set_team_key(ns, &key)?;
    Ok(())
}

/// How many checks wait in this desk's outbox, and since when.
pub fn status(store: &crate::audit::Store) -> Result<crate::audit::OutboxStatus, TeamError> {
    store.outbox_status().map_err(|e| TeamError { kind: TeamErrorKind::Db, message: e.message().clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_required_off_loopback() {
        let c = TeamConfig::parse("postgres://desk01:pw@127.0.0.1:5433/idcheck").unwrap();
        assert!(!c.tls);
        assert_eq!(c.shown(), "postgres://desk01@127.0.0.1:5433/idcheck");
        assert!(!format!("{c:?}").contains("pw"));
        assert!(!TeamConfig::parse("postgres://desk01@localhost/idcheck").unwrap().tls);
        assert!(!TeamConfig::parse("postgres://desk01@[::1]:5432/idcheck").unwrap().tls);
        assert!(TeamConfig::parse("postgres://desk01@127.0.0.1/idcheck?sslmode=require").unwrap().tls);
        assert!(TeamConfig::parse("postgres://desk01@db.example.cn/idcheck").unwrap().tls);
        assert!(TeamConfig::parse("postgresql://desk01@10.0.0.5/idcheck?sslmode=require").unwrap().tls);
        for refused in ["postgres://desk01@db.example.cn/idcheck?sslmode=disable", "postgres://desk01@10.0.0.5/idcheck?sslmode=prefer"] {
            let e = TeamConfig::parse(refused).unwrap_err();
            assert!(e.message.en.contains("needs TLS"), "{refused}");
        }
        assert_eq!(TeamConfig::parse("mysql://x@h/db").unwrap_err().kind, TeamErrorKind::Config);
        assert!(TeamConfig::parse("postgres://127.0.0.1/idcheck").unwrap_err().message.zh.contains("账号"));
    }

    #[test]
    fn keys_typed_by_an_administrator() {
        assert_eq!(parse_key("00112233-44556677 8899aabb ccddeeff").unwrap().expose().len(), 16);
        assert!(parse_key("0011").is_err());
        assert!(parse_key("zz112233445566778899aabbccddeeff").is_err());
        assert_eq!(number_hash(&Sensitive::new(vec![1; 32]), " 11010519491231002x").len(), 32);
        assert_eq!(number_hash(&Sensitive::new(vec![1; 32]), "11010519491231002X"), number_hash(&Sensitive::new(vec![1; 32]), " 11010519491231002x"));
    }
}
