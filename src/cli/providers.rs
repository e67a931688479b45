//! `idcheck ocr | verify | region | key`: the vendor services and their keys from a shell.
//!
//! Each subcommand prints a readable answer in the user's language, or one JSON object with
//! `--json`. Exit status: 0 on success (for `verify`, a `match`), 1 for a completed `verify`
//! whose verdict is `mismatch` or `no_record`, 2 for refusals and errors.
//!
//! `ocr`, `verify` and `region` record what they checked in the audit trail (provider, verdict
//! or error with the vendor's code and request id, consent, operator); `--no-record` skips it.

use clap::{Args, Subcommand};
use idcheck::desk::{self, Desk, DeskConfig, DeskError};
use idcheck::i18n::{Lang, Msg};
use idcheck::providers;
use idcheck::secret::Sensitive;
use idcheck::settings::{self, Settings};
use idcheck::{keys, mask};
use serde_json::json;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

/// The vendor-service subcommands, flattened into the main command.
#[derive(Subcommand, Debug)]
pub enum ProviderCommand {
    /// Read a card photo through an OCR provider / 识别身份证照片
    Ocr(OcrArgs),
    /// Two-factor check of name + number (billed) / 二要素核验（计费）
    Verify(VerifyArgs),
    /// Region of a number or six-digit code / 查询号码归属地
    Region(RegionArgs),
    /// Manage vendor keys in the system keychain / 管理服务商密钥
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Args, Debug)]
pub struct OcrArgs {
    /// OCR provider: local (on this machine) or apizero (default: the settings' choice, else local)
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    json: bool,
    /// Do not record this check in the audit trail / 不写入审计记录
    #[arg(long)]
    no_record: bool,
    /// Photo of the card: its front, its back, both sides, or several people's cards (each is
    /// reported; --json lists them in `cards`)
    image: PathBuf,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Two-factor provider: apizero or muzhiyun
    #[arg(long)]
    provider: Option<String>,
    /// The holder's name as printed on the card
    #[arg(long)]
    name: String,
    /// Confirms the holder consented to this check (PIPL art. 29); required
    #[arg(long)]
    consent: bool,
    #[arg(long)]
    json: bool,
    /// Do not record this check in the audit trail / 不写入审计记录
    #[arg(long)]
    no_record: bool,
    /// The 18-digit ID number
    number: String,
}

#[derive(Args, Debug)]
pub struct RegionArgs {
    /// Region provider: embedded, apizero or nowapi
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    json: bool,
    /// Do not record this check in the audit trail / 不写入审计记录
    #[arg(long)]
    no_record: bool,
    /// An ID number, or a six-digit region code (embedded, apizero)
    number: String,
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Store a provider's secret(s), read from standard input, one per line
    Set {
        provider: String,
        #[arg(long)]
        json: bool,
    },
    /// Show which provider secrets are configured (never the secrets)
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Delete a provider's secrets from the keychain
    Delete {
        provider: String,
        #[arg(long)]
        json: bool,
    },
}

/// Runs one subcommand; returns the exit status. `lang` is `--lang`, if given.
pub fn run(cmd: ProviderCommand, lang: Option<Lang>) -> i32 {
    let settings = match settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("idcheck: {}", e.message.get(lang.unwrap_or_else(Lang::from_env)));
            return 2;
        }
    };
    let out = Out { lang: lang.or(settings.lang).unwrap_or_else(Lang::from_env), json: false };
    match cmd {
        ProviderCommand::Ocr(a) => ocr(Out { json: a.json, ..out }, settings, a),
        ProviderCommand::Verify(a) => verify(Out { json: a.json, ..out }, settings, a),
        ProviderCommand::Region(a) => region(Out { json: a.json, ..out }, settings, a),
        ProviderCommand::Key(KeyCommand::Set { provider, json }) => key_set(Out { json, ..out }, settings, &provider),
        ProviderCommand::Key(KeyCommand::Status { json }) => key_status(Out { json, ..out }),
        ProviderCommand::Key(KeyCommand::Delete { provider, json }) => key_delete(Out { json, ..out }, settings, &provider),
    }
}

#[derive(Clone, Copy)]
struct Out {
    lang: Lang,
    json: bool,
}

impl Out {
    /// Reports a refusal or failure; returns exit status 2.
    fn fail(&self, msg: &Msg, extra: serde_json::Value) -> i32 {
        if self.json {
            println!("{}", json!({"ok": false, "error": {"message": msg, "detail": extra}}));
        } else {
            eprintln!("idcheck: {}", msg.get(self.lang));
        }
        2
    }

    /// Reports what the desk refused or a vendor answered with; returns exit status 2.
    fn error(&self, e: &DeskError) -> i32 {
        if self.json {
            println!("{}", json!({"ok": false, "error": e}));
        } else {
            let mut line = String::from("idcheck: ");
            if let Some(p) = &e.provider {
                line.push_str(&format!("{p}: "));
            }
            line.push_str(e.message.get(self.lang));
            if let Some(c) = &e.vendor_code {
                line.push_str(&format!(" [{c}]"));
            }
            if let Some(r) = &e.request_id {
                line.push_str(&format!(" [request id {r}]"));
            }
            eprintln!("{line}");
        }
        2
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime")
}

/// The desk for one subcommand: the settings with the command line's choice of provider
/// applied (not saved), recording unless `--no-record`.
fn desk(settings: Settings, no_record: bool) -> Arc<Desk> {
    let config = DeskConfig { record: !no_record, ..DeskConfig::from_env() };
    Desk::with_settings(config, settings)
}

/// Warns once, in the user's language, when the trail could not be written.
fn warn_trail(out: Out, desk: &Desk) {
    if let Some(m) = desk.trail_problem() {
        super::trail::warn(&m, out.lang);
    }
}

fn ocr(out: Out, mut settings: Settings, a: OcrArgs) -> i32 {
    if let Some(p) = &a.provider {
        settings.ocr_provider = Some(p.clone());
    }
    // Prepared here first (format, EXIF turn, downscale, metadata-free JPEG), so a vendor never
    // gets the original file.
    let prepared = match desk::photo::prepare_file(&a.image) {
        Ok(p) => p,
        Err(e) => return out.error(&e),
    };
    let mut warnings = idcheck::quality::assess(&prepared);
    let desk = desk(settings, a.no_record);
    let started = std::time::Instant::now();
    let result = runtime().block_on(desk.read_card(Arc::new(prepared.jpeg)));
    warn_trail(out, &desk);
    match result {
        Ok(read) => {
            let f = read.fields;
            // A card whose fields were read is a card, whatever the photo looked like.
            idcheck::quality::after_reading(&mut warnings, &f);
            let elapsed_ms = started.elapsed().as_millis() as u64;
            // The fields to check against the card: read with too little confidence.
            let doubtful = idcheck::ocr::doubt::doubtful(&f);
            if out.json {
                // Every card found, one entry per person (a front and its back together);
                // `fields` stays the first for scripts written before photos held several.
                let cards: Vec<_> = read.cards.iter().map(|c| json!({"fields": c, "doubtful": idcheck::ocr::doubt::doubtful(c)})).collect();
                println!(
                    "{}",
                    json!({"ok": true, "provider": read.provider, "fields": f, "doubtful": doubtful, "cards": cards, "warnings": warnings, "elapsed_ms": elapsed_ms})
                );
            } else {
                let zh = out.lang == Lang::Zh;
                let many = read.cards.len() > 1;
                for (i, c) in read.cards.iter().enumerate() {
                    if many {
                        let n = read.cards.len();
                        println!("{}", if zh { format!("== 证件 {}/{n}", i + 1) } else { format!("== Card {}/{n}", i + 1) });
                    }
                    print_card(zh, c, &idcheck::ocr::doubt::doubtful(c));
                }
                if read.cards.is_empty() {
                    print_card(zh, &f, &doubtful);
                }
                if many {
                    println!(
                        "{}",
                        if zh {
                            "⚠ 照片中有多位持证人的身份证：核验时请只用其中一张"
                        } else {
                            "⚠ The photo holds more than one person's ID card: check one of them at a time"
                        }
                    );
                }
                for w in &warnings {
                    println!("⚠ {}", w.message.get(out.lang));
                }
            }
            0
        }
        Err(e) => out.error(&e),
    }
}

/// One card's fields as `idcheck ocr` prints them, the doubtful ones marked.
fn print_card(zh: bool, f: &idcheck::card::CardFields, doubtful: &[&str]) {
    let rows: [(&str, &str, &str, &Option<String>); 9] = [
        ("name", "姓名", "Name", &f.name),
        ("number", "公民身份号码", "Number", &f.number),
        ("sex", "性别", "Sex", &f.sex),
        ("ethnicity", "民族", "Ethnicity", &f.ethnicity),
        ("birth", "出生", "Birth", &f.birth),
        ("address", "住址", "Address", &f.address),
        ("issued_by", "签发机关", "Issued by", &f.issued_by),
        ("valid_from", "有效期起", "Valid from", &f.valid_from),
        ("valid_until", "有效期止", "Valid until", &f.valid_until),
    ];
    use idcheck::card::Side;
    let side = match (f.sides().as_slice(), zh) {
        ([Side::Front, Side::Back], true) => "正面和反面",
        ([Side::Front, Side::Back], false) => "front and back",
        ([Side::Front], true) => "正面（姓名页）",
        ([Side::Front], false) => "front",
        ([Side::Back], true) => "反面（国徽页）",
        ([Side::Back], false) => "back",
        _ => "?",
    };
    println!("{}: {side}", if zh { "面" } else { "Side" });
    for (k, z, e, v) in rows.iter().filter(|r| r.3.is_some()) {
        let doubt = if !doubtful.contains(k) {
            ""
        } else if zh {
            "  ⚠ 请对照证件核对"
        } else {
            "  ⚠ check this against the card"
        };
        println!("{}: {}{doubt}", if zh { z } else { e }, v.as_deref().unwrap_or(""));
    }
}

fn verify(out: Out, mut settings: Settings, a: VerifyArgs) -> i32 {
    if !a.consent {
        return out.fail(
            &Msg::new(
                "未确认持证人同意，未核验。取得持证人同意后（《个人信息保护法》第二十九条），加上 --consent 再运行",
                "Not checked: the holder's consent was not confirmed. Once the holder consents (PIPL art. 29), run again with --consent",
            ),
            json!({"kind": "consent_required"}),
        );
    }
    if let Some(p) = &a.provider {
        settings.two_factor_provider = Some(p.clone());
    }
    let desk = desk(settings, a.no_record);
    // --consent covers this holder and this one check.
    desk.give_consent(&a.name, &a.number, true);
    let result = runtime().block_on(desk.verify(&a.name, &a.number));
    warn_trail(out, &desk);
    match result {
        Ok(v) => {
            let r = v.result;
            if out.json {
                println!("{}", json!({"ok": true, "result": r}));
            } else {
                println!("{} {}: {}", mask::name(&v.name), mask::number(&v.number), r.verdict.message().get(out.lang));
                for (label, v) in [("birthday", &r.birthday), ("sex", &r.sex), ("address", &r.address_masked), ("request id", &r.request_id)] {
                    if let Some(v) = v {
                        println!("  {label}: {v}");
                    }
                }
            }
            if r.verdict == providers::Verdict::Match {
                0
            } else {
                1
            }
        }
        Err(e) => out.error(&e),
    }
}

fn region(out: Out, settings: Settings, a: RegionArgs) -> i32 {
    let provider = a.provider.clone().unwrap_or_else(|| settings.region().to_string());
    let desk = desk(settings, a.no_record);
    // Asked for by name on the command line: the online provider runs.
    let result = runtime().block_on(desk.region_of(&provider, &a.number));
    warn_trail(out, &desk);
    match result {
        Ok(r) => {
            if out.json {
                println!("{}", json!({"ok": true, "result": r}));
            } else {
                println!("{} {}", r.code, r.full_name);
                for (label, v) in
                    [("postal code / 邮编", &r.postal_code), ("area code / 区号", &r.area_code), ("birth / 出生", &r.birth), ("sex / 性别", &r.sex)]
                {
                    if let Some(v) = v {
                        println!("  {label}: {v}");
                    }
                }
                if r.abolished == Some(true) {
                    println!("  {}", Msg::new("该代码已撤销", "this code has been abolished").get(out.lang));
                }
            }
            0
        }
        Err(e) => out.error(&e),
    }
}

fn key_set(out: Out, settings: Settings, provider: &str) -> i32 {
    if provider == "team" {
        // The team database's password: not a vendor, same keychain.
        let mut line = String::new();
        eprint!("{}: ", Msg::new("团队数据库密码", "Team database password").get(out.lang));
        let _ = std::io::stdin().lock().read_line(&mut line);
        let pw = Sensitive::new(line.trim().to_string());
        return match desk(settings, true).set_team_password(pw) {
            Ok(()) => {
                eprintln!();
                if out.json {
                    println!("{}", json!({"ok": true, "provider": "team", "stored": ["password"]}));
                } else {
                    println!("{}", Msg::new("已保存到系统钥匙串：team", "Stored in the system keychain: team").get(out.lang));
                }
                0
            }
            Err(e) => out.error(&e),
        };
    }
    let Some(v) = providers::vendor(provider) else {
        return match keys::set(provider, "", Sensitive::new(String::new())) {
            Err(e) => out.fail(&e.message, json!({"kind": e.kind})),
            Ok(()) => 2,
        };
    };
    if v.key_fields.is_empty() {
        return out.fail(&Msg::new(format!("{provider} 不需要密钥"), format!("{provider} needs no key")), json!({"kind": "no_key_needed"}));
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut values = Vec::new();
    for f in v.key_fields {
        eprint!("{}: ", if out.lang == Lang::Zh { f.label.0 } else { f.label.1 });
        match lines.next() {
            Some(Ok(l)) => values.push(Sensitive::new(l.trim().to_string())),
            _ => {
                return out.fail(
                    &Msg::new(format!("没有从标准输入读到 {}。请每行输入一项", f.field), format!("No {} on standard input. Give one per line", f.field)),
                    json!({"kind": "empty"}),
                )
            }
        }
    }
    eprintln!();
    if let Err(e) = desk(settings, true).save_key(provider, values) {
        return out.fail(&e.message, json!({"kind": e.kind}));
    }
    let stored: Vec<&str> = v.key_fields.iter().map(|f| f.field).collect();
    if out.json {
        println!("{}", json!({"ok": true, "provider": provider, "stored": stored, "service": keys::service_name()}));
    } else {
        println!("{}", Msg::new(format!("已保存到系统钥匙串：{provider}"), format!("Stored in the system keychain: {provider}")).get(out.lang));
    }
    0
}

fn key_status(out: Out) -> i32 {
    let s = keys::status();
    if out.json {
        println!("{}", json!({"ok": s.keychain_error.is_none(), "status": s}));
    } else {
        if let Some(e) = &s.keychain_error {
            eprintln!("idcheck: {}", e.get(out.lang));
        }
        for f in &s.fields {
            let src = match f.source {
                keys::Source::Keychain => Msg::new("已配置（钥匙串）", "configured (keychain)"),
                keys::Source::Environment => Msg::new(format!("已配置（环境变量 {}）", f.env), format!("configured (environment {})", f.env)),
                keys::Source::Missing => Msg::new("未配置", "missing"),
            };
            println!("{}.{}: {}", f.provider, f.field, src.get(out.lang));
        }
    }
    if s.keychain_error.is_none() {
        0
    } else {
        2
    }
}

fn key_delete(out: Out, settings: Settings, provider: &str) -> i32 {
    match desk(settings, true).delete_key(provider) {
        Ok(n) => {
            if out.json {
                println!("{}", json!({"ok": true, "provider": provider, "deleted": n}));
            } else {
                println!("{}", Msg::new(format!("已删除 {provider} 的 {n} 项密钥"), format!("Deleted {n} secret(s) of {provider}")).get(out.lang));
            }
            0
        }
        Err(e) => out.fail(&e.message, json!({"kind": e.kind})),
    }
}
