//! `idcheck team`: the team trail on PostgreSQL from a shell — set it up, add desks, join,
//! push the outbox, see what waits, search and verify.
//!
//! Secrets never go on the command line (where shell history and `ps` would keep them): a
//! join code, a team key or a password is read from standard input.
//!
//! Exit status: 0 done (for `sync`: nothing left; for `verify`: every chain intact), 1 `sync`
//! left rows pending or `verify` found a problem, 2 refusals and errors.

use chrono::{Local, NaiveDate};
use clap::{Args, Subcommand};
use idcheck::desk::{Desk, DeskConfig, DeskError};
use idcheck::i18n::{Lang, Msg};
use idcheck::secret::Sensitive;
use idcheck::team::{Problem, Role, TeamFilter};
use serde_json::json;
use std::io::BufRead;
use std::sync::Arc;

#[derive(Subcommand, Debug)]
#[command(after_help = "Set-up, once, by the administrator (owner of the database):\n  \
idcheck team init --admin-url postgres://owner@db.example.cn/idcheck < owner-password\n  \
idcheck team add-desk branch01_desk1 --admin-url postgres://owner@db.example.cn/idcheck\n\
Then at each desk:\n  \
echo IDC1-... | idcheck team join --url postgres://branch01_desk1@db.example.cn/idcheck\n\
管理员初始化数据库并为每个柜台生成一次性加入码；柜台用加入码加入团队。")]
pub enum TeamCommand {
    /// Create or upgrade the team database's tables, roles and rules; make the team key here
    /// if this machine has none / 初始化团队数据库
    Init(AdminArgs),
    /// Make a database account for a desk and print its one-time join code / 添加柜台
    AddDesk(AddDeskArgs),
    /// Join the team with a one-time code (read from stdin) / 用一次性加入码加入团队
    Join(JoinArgs),
    /// Push the checks waiting in this desk's outbox now / 立即上传待上传的记录
    Sync(JsonArg),
    /// How many checks wait to be pushed, and since when / 待上传记录数
    Status(JsonArg),
    /// Recompute every desk's hash chain and report edited or deleted rows / 校验团队记录链
    Verify(JsonArg),
    /// Save this desk's database password in the keychain (read from stdin) / 保存数据库密码
    Password,
}

#[derive(Args, Debug)]
pub struct JsonArg {
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct AdminArgs {
    /// The database owner's URL (its password from stdin if the URL has none). 数据库所有者地址。
    #[arg(long, env = "IDCHECK_TEAM_ADMIN_URL", value_name = "URL")]
    admin_url: String,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct AddDeskArgs {
    /// The desk's account name: a-z, 0-9 and _, starting with a letter. 柜台账号。
    desk: String,
    /// Reviewers read every desk's checks (clerks only their own). 审核员可查看所有柜台。
    #[arg(long)]
    reviewer: bool,
    /// Days the join code stays valid. 加入码有效天数。
    #[arg(long, default_value_t = 7)]
    days: u32,
    #[command(flatten)]
    admin: AdminArgs,
}

#[derive(Args, Debug)]
pub struct JoinArgs {
    /// The team database for this desk, postgres://desk@host/db (default: the one already set).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Read the team key (hex, given by the administrator) instead of a join code.
    /// 由管理员输入团队密钥（十六进制）而非加入码。
    #[arg(long)]
    key: bool,
    #[arg(long)]
    json: bool,
}

/// `history --team`: what to search for.
pub struct HistoryQuery {
    pub number: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub desk: Option<String>,
    pub kind: Option<String>,
    pub limit: Option<u32>,
    pub json: bool,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime")
}

fn desk() -> Result<Arc<Desk>, DeskError> {
    Desk::open(DeskConfig::from_env())
}

struct Out {
    lang: Lang,
    json: bool,
}

impl Out {
    fn error(&self, e: &DeskError) -> i32 {
        if self.json {
            println!("{}", json!({"ok": false, "error": e}));
        } else {
            eprintln!("idcheck: {}", e.message.get(self.lang));
        }
        2
    }
    fn say(&self, m: Msg) {
        println!("{}", m.get(self.lang));
    }
}

/// One line from standard input (a secret), trimmed; prompts on a terminal.
fn read_secret(prompt: &Msg, lang: Lang) -> Result<Sensitive<String>, DeskError> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprint!("{}: ", prompt.get(lang));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| DeskError::bad_input(&e.to_string()))?;
    let line = Sensitive::new(line.trim().to_string());
    if line.expose().is_empty() {
        return Err(DeskError::new("empty", format!("没有从标准输入读到{}。", prompt.zh), format!("No {} on standard input.", prompt.en.to_lowercase())));
    }
    Ok(line)
}

/// The owner's URL with its password from stdin when it has none.
fn admin_url(a: &AdminArgs, lang: Lang) -> Result<String, DeskError> {
    let cfg = idcheck::team::TeamConfig::parse(&a.admin_url)?;
    if cfg.has_password() {
        return Ok(a.admin_url.clone());
    }
    let pw = read_secret(&Msg::new("数据库所有者的密码", "The database owner's password"), lang)?;
    let (scheme, rest) = a.admin_url.split_once("://").expect("parsed above");
    let (user, host) = rest.split_once('@').expect("a user is required");
    let enc: String = pw.expose().bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    Ok(format!("{scheme}://{user}:{enc}@{host}"))
}

pub fn run(cmd: TeamCommand, lang: Lang) -> i32 {
    let json = match &cmd {
        TeamCommand::Init(a) => a.json,
        TeamCommand::AddDesk(a) => a.admin.json,
        TeamCommand::Join(a) => a.json,
        TeamCommand::Sync(a) | TeamCommand::Status(a) | TeamCommand::Verify(a) => a.json,
        TeamCommand::Password => false,
    };
    let out = Out { lang, json };
    let desk = match desk() {
        Ok(d) => d,
        Err(e) => return out.error(&e),
    };
    match go(cmd, &desk, &out) {
        Ok(code) => code,
        Err(e) => out.error(&e),
    }
}

fn go(cmd: TeamCommand, desk: &Arc<Desk>, out: &Out) -> Result<i32, DeskError> {
    let lang = out.lang;
    match cmd {
        TeamCommand::Init(a) => {
            let url = admin_url(&a, lang)?;
            let r = runtime().block_on(desk.team_init(&url))?;
            if out.json {
                println!("{}", json!({"ok": true, "init": r}));
            } else {
                out.say(Msg::new(
                    format!("团队数据库已就绪（架构版本 {}，原为 {}）。", r.version, r.found),
                    format!("The team database is ready (schema {}, was {}).", r.version, r.found),
                ));
                if r.new_key {
                    out.say(Msg::new(
                        "已生成团队密钥并保存在本机钥匙串中；用 idcheck team add-desk 为各柜台生成加入码。",
                        "A team key was made and kept in this machine's keychain; give desks join codes with idcheck team add-desk.",
                    ));
                }
            }
            Ok(0)
        }
        TeamCommand::AddDesk(a) => {
            let url = admin_url(&a.admin, lang)?;
            let role = if a.reviewer { Role::Reviewer } else { Role::Clerk };
            let inv = runtime().block_on(desk.team_add_desk(&url, &a.desk, role, a.days))?;
            if out.json {
                println!("{}", json!({"ok": true, "desk": a.desk, "role": role, "url": inv.url, "code": inv.code.expose(), "expires_days": inv.expires_days}));
            } else {
                out.say(Msg::new(format!("柜台地址：{}", inv.url), format!("Desk URL: {}", inv.url)));
                out.say(Msg::new(
                    format!("一次性加入码（{} 天内有效，只能用一次，请当面或经安全渠道交给柜台）：", inv.expires_days),
                    format!("One-time join code (valid {} days, once; hand it over in person or by a safe channel):", inv.expires_days),
                ));
                println!("{}", inv.code.expose());
            }
            Ok(0)
        }
        TeamCommand::Join(a) => {
            if a.key {
                let key = read_secret(&Msg::new("团队密钥", "The team key"), lang)?;
                desk.team_join_with_key(a.url.as_deref(), key.expose())?;
            } else {
                let code = read_secret(&Msg::new("一次性加入码", "The one-time join code"), lang)?;
                runtime().block_on(desk.team_join(a.url.as_deref(), code.expose()))?;
            }
            if out.json {
                println!("{}", json!({"ok": true}));
            } else {
                out.say(Msg::new(
                    "已加入团队：此后的核验记录也会上传到团队数据库。",
                    "Joined the team: checks from now on are also pushed to the team database.",
                ));
            }
            Ok(0)
        }
        TeamCommand::Sync(_) => {
            let r = runtime().block_on(desk.team_sync())?;
            if out.json {
                println!("{}", json!({"ok": true, "sync": r}));
            } else {
                out.say(Msg::new(
                    format!("已上传 {} 条（{} 条此前已在库中），待上传 {} 条。", r.pushed, r.already, r.left),
                    format!("Pushed {} ({} were already there); {} left.", r.pushed, r.already, r.left),
                ));
            }
            Ok(i32::from(r.left > 0))
        }
        TeamCommand::Status(_) => {
            let s = desk.team_status()?;
            if out.json {
                println!("{}", json!({"ok": true, "status": s}));
            } else {
                match &s.url {
                    Some(u) => out.say(Msg::new(format!("团队数据库：{u}"), format!("Team database: {u}"))),
                    None => out.say(Msg::new("尚未设置团队数据库。", "No team database is set.")),
                }
                if !s.joined {
                    out.say(Msg::new("本机尚未加入团队（没有团队密钥）。", "This desk has not joined a team (no team key)."));
                }
                if let Some(o) = &s.outbox {
                    match o.oldest {
                        Some(t) => {
                            let t = t.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S");
                            out.say(Msg::new(
                                format!("待上传 {} 条，最早一条在 {t}。", o.pending),
                                format!("{} checks wait to be pushed, the oldest from {t}.", o.pending),
                            ))
                        }
                        None => out.say(Msg::new("没有待上传的记录。", "Nothing waits to be pushed.")),
                    }
                }
            }
            Ok(0)
        }
        TeamCommand::Verify(_) => {
            let r = runtime().block_on(desk.team_verify())?;
            if out.json {
                println!("{}", json!({"ok": r.ok(), "verify": r}));
            } else {
                for d in &r.desks {
                    if d.problems.is_empty() {
                        out.say(Msg::new(format!("{}：{} 条，链完整。", d.desk, d.rows), format!("{}: {} rows, chain intact.", d.desk, d.rows)));
                    }
                    for p in &d.problems {
                        let m = match p {
                            Problem::Missing { from, to } => Msg::new(
                                format!("{}：第 {from}–{to} 条缺失（被删除）。", d.desk),
                                format!("{}: rows {from}-{to} are missing (deleted).", d.desk),
                            ),
                            Problem::Unlinked { seq } => Msg::new(
                                format!("{}：第 {seq} 条与前一条接不上（之前的记录被删除或替换）。", d.desk),
                                format!("{}: row {seq} does not follow the row before it (rows removed or replaced).", d.desk),
                            ),
                            Problem::Altered { seq } => {
                                Msg::new(format!("{}：第 {seq} 条写入后被改动。", d.desk), format!("{}: row {seq} was changed after it was written.", d.desk))
                            }
                        };
                        out.say(m);
                    }
                }
                if r.desks.is_empty() {
                    out.say(Msg::new("团队数据库中还没有记录。", "The team database has no rows yet."));
                }
            }
            Ok(i32::from(!r.ok()))
        }
        TeamCommand::Password => {
            let pw = read_secret(&Msg::new("本柜台的数据库密码", "This desk's database password"), lang)?;
            desk.set_team_password(pw)?;
            out.say(Msg::new("已保存到系统钥匙串。", "Stored in the system keychain."));
            Ok(0)
        }
    }
}

/// `idcheck history --team`: the team trail's checks, newest first.
pub fn history(q: HistoryQuery, lang: Lang) -> i32 {
    let out = Out { lang, json: q.json };
    let desk = match desk() {
        Ok(d) => d,
        Err(e) => return out.error(&e),
    };
    let filter = TeamFilter {
        number: q.number.map(Sensitive::new),
        since: q.since.map(idcheck::audit::local_day_start),
        until: q.until.and_then(|d| d.succ_opt()).map(idcheck::audit::local_day_start),
        desk: q.desk,
        kind: q.kind,
        limit: q.limit,
    };
    let entries = match runtime().block_on(desk.team_history(&filter)) {
        Ok(e) => e,
        Err(e) => return out.error(&e),
    };
    for e in &entries {
        if q.json {
            println!("{}", serde_json::to_string(e).expect("entries serialise"));
        } else {
            println!(
                "{}  {:<14} {:<10} {:<9} {:<4} {:<18} {}  {}",
                e.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S"),
                e.desk,
                e.kind,
                e.provider,
                e.name_masked.as_deref().unwrap_or("-"),
                e.number_masked.as_deref().unwrap_or("-"),
                e.outcome,
                e.operator.as_deref().unwrap_or("")
            );
        }
    }
    if entries.is_empty() && !q.json {
        eprintln!("{}", Msg::new("团队记录中没有符合条件的记录。", "No matching entries in the team trail.").get(lang));
    }
    0
}
