//! `idcheck history`: reads the audit trail, newest first, filtered by number, date, outcome
//! or provider; prints text or JSON lines, or exports CSV.

use chrono::{Local, NaiveDate};
use idcheck::audit::{self, Filter, Kind, Outcome, Store};
use idcheck::i18n::{Lang, Msg};
use idcheck::secret::Sensitive;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only checks of this full ID number (matched by its keyed hash; never stored).
    /// 只看这个身份证号的核验记录。
    #[arg(long, value_name = "NUMBER")]
    pub number: Option<String>,
    /// Only checks on or after this day (YYYY-MM-DD, local time). 起始日期。
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Only checks before the end of this day (YYYY-MM-DD, local time). 截止日期（含当天）。
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// Only this outcome: valid, invalid, read, found, not_found, match, mismatch, no_record, error, copied.
    #[arg(long, value_parser = parse_outcome)]
    pub outcome: Option<Outcome>,
    /// Only this kind: local, ocr, region, two_factor, copy.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// Only this provider (apizero, nowapi, muzhiyun, local, embedded).
    #[arg(long)]
    pub provider: Option<String>,
    /// At most this many entries. 最多显示条数。
    #[arg(long)]
    pub limit: Option<u32>,
    /// JSON lines instead of text. 输出 JSON 行。
    #[arg(long)]
    pub json: bool,
    /// Write the filtered history to this CSV file (UTF-8 with BOM, masked). 导出 CSV。
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Search the team trail on PostgreSQL instead of this desk's (see `idcheck team`); a
    /// clerk's account sees its own desk, a reviewer's every desk. 查看团队审计记录。
    #[arg(long, conflicts_with_all = ["csv", "outcome", "provider"])]
    pub team: bool,
    /// With --team: only this desk's checks. 只看此柜台。
    #[arg(long, requires = "team", value_name = "DESK")]
    pub desk: Option<String>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date: use YYYY-MM-DD, e.g. 2026-01-31 / 日期格式应为 YYYY-MM-DD"))
}

fn parse_outcome(s: &str) -> Result<Outcome, String> {
    Outcome::parse(s)
        .ok_or_else(|| format!("unknown outcome '{s}' / 未知结果: valid, invalid, read, found, not_found, match, mismatch, no_record, error, copied"))
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| format!("unknown kind '{s}' / 未知类型: local, ocr, region, two_factor, copy"))
}

pub fn run(args: Args, lang: Lang) -> i32 {
    if args.team {
        let q = super::team::HistoryQuery {
            number: args.number,
            since: args.since,
            until: args.until,
            desk: args.desk,
            kind: args.kind.map(|k| k.as_str().to_string()),
            limit: args.limit,
            json: args.json,
        };
        return super::team::history(q, lang);
    }
    let store = match super::trail::store() {
        Ok(s) => s,
        Err(m) => return super::trail::fail(&m, lang),
    };
    let filter = Filter {
        since: args.since.map(audit::local_day_start),
        until: args.until.and_then(|d| d.succ_opt()).map(audit::local_day_start),
        kind: args.kind,
        outcome: args.outcome,
        provider: args.provider,
        number: args.number.map(Sensitive::new),
        limit: args.limit,
        ..Default::default()
    };
    match list(&store, &filter, &args.json, args.csv.as_ref(), lang) {
        Ok(()) => 0,
        Err(m) => super::trail::fail(&m, lang),
    }
}

fn list(store: &Store, filter: &Filter, json: &bool, csv: Option<&PathBuf>, lang: Lang) -> Result<(), Msg> {
    let entries = store.query(filter).map_err(|e| e.message().clone())?;
    if let Some(path) = csv {
        let f =
            std::fs::File::create(path).map_err(|e| Msg::new(format!("无法创建 {}：{e}", path.display()), format!("Cannot create {}: {e}", path.display())))?;
        audit::write_csv(std::io::BufWriter::new(f), &entries).map_err(|e| e.message().clone())?;
        let m = Msg::new(format!("已导出 {} 条记录到 {}", entries.len(), path.display()), format!("Exported {} entries to {}", entries.len(), path.display()));
        eprintln!("{}", m.get(lang));
        return Ok(());
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| Msg::new(format!("写出失败：{e}"), format!("Writing failed: {e}"));
    for e in &entries {
        if *json {
            serde_json::to_writer(&mut out, e).map_err(|e| io(e.into()))?;
            writeln!(out).map_err(io)?;
        } else {
            let zh = lang == Lang::Zh;
            let (kz, ke) = e.kind.label();
            let (oz, oe) = e.outcome.label();
            // A chunk of numbers from a stream: how many, and how many passed.
            let (number, outcome) = match (e.numbers, e.numbers_valid) {
                (Some(n), Some(v)) => {
                    let (cz, ce) = audit::export::chunk_outcome(n, v);
                    (format!("× {}", audit::export::grouped(n)), if zh { cz } else { ce })
                }
                _ => (e.number_masked.clone().unwrap_or_else(|| "-".into()), if zh { oz } else { oe }.to_string()),
            };
            write!(
                out,
                "{}  {:<10} {:<9} {:<4} {:<18} {}",
                e.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S"),
                if zh { kz } else { ke },
                e.provider,
                e.name_masked.as_deref().unwrap_or("-"),
                number,
                outcome,
            )
            .map_err(io)?;
            if let Some(err) = &e.error {
                write!(out, "  [{}", err.kind).map_err(io)?;
                if let Some(c) = &err.vendor_code {
                    write!(out, " code {c}").map_err(io)?;
                }
                if let Some(r) = &err.request_id {
                    write!(out, " request {r}").map_err(io)?;
                }
                write!(out, "]").map_err(io)?;
            } else if let Some(r) = &e.request_id {
                write!(out, "  [request {r}]").map_err(io)?;
            }
            if e.consent {
                write!(out, "  {}", if zh { "已确认同意" } else { "consent" }).map_err(io)?;
            }
            if let Some(o) = &e.operator {
                write!(out, "  {o}").map_err(io)?;
            }
            if let Some(p) = &e.purpose {
                let sides = e.sides.as_deref().unwrap_or("-");
                write!(out, "  {} {p} ({sides})", if zh { "用途：" } else { "purpose:" }).map_err(io)?;
            }
            writeln!(out).map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    if entries.is_empty() && !*json {
        eprintln!("{}", Msg::new("没有符合条件的记录。", "No matching entries.").get(lang));
    }
    Ok(())
}
