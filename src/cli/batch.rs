//! `idcheck batch`: checks a table of names and numbers (CSV, XLSX) or a folder of card photos
//! against a two-factor provider, resumably, and writes the result table.
//!
//! Exit status: 0 every row answered, 1 some row invalid, failed, unknown or not sent,
//! 2 usage or I/O error.

use idcheck::batch::{self, export, Event, Status};
use idcheck::desk::batch::BatchOptions;
use idcheck::desk::{Desk, DeskConfig};
use idcheck::i18n::{Lang, Msg};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A folder of card photos, or a CSV / XLSX file with name and number columns.
    /// 照片文件夹，或含姓名、身份证号两列的 CSV / XLSX 文件。
    pub input: PathBuf,
    /// The two-factor provider (apizero, nowapi, muzhiyun). 二要素服务商。
    #[arg(long, short)]
    pub provider: String,
    /// Confirms that every holder in the input consented to the check. 确认已取得全部持证人同意。
    #[arg(long)]
    pub consent: bool,
    /// Where to write the result table (.csv, .xlsx or .jsonl). 结果文件。
    #[arg(long, short, value_name = "RESULT")]
    pub out: PathBuf,
    /// Write JSON lines whatever the extension. 输出 JSON 行。
    #[arg(long, conflicts_with = "xlsx")]
    pub json: bool,
    /// Write XLSX whatever the extension. 输出 XLSX。
    #[arg(long)]
    pub xlsx: bool,
    /// Write full names and numbers instead of masked ones. 导出完整姓名和号码（默认打码）。
    #[arg(long)]
    pub reveal: bool,
    /// Operator name for the audit trail. 操作员姓名（写入审计记录）。
    #[arg(long, env = "IDCHECK_OPERATOR")]
    pub operator: Option<String>,
    /// Requests per second (default: the provider's limit). 每秒请求数。
    #[arg(long)]
    pub qps: Option<f64>,
    /// Check and pay again for rows already checked in earlier batches. 重新核验之前批次已核验的行（会再次计费）。
    #[arg(long)]
    pub again: bool,
}

pub fn run(args: Args, lang: Lang) -> i32 {
    let mut settings = match idcheck::settings::load() {
        Ok(s) => s,
        Err(e) => return super::trail::fail(&e.message, lang),
    };
    if let Some(op) = &args.operator {
        settings.operator = Some(op.clone());
    }
    let desk = Desk::with_settings(DeskConfig::from_env(), settings);
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return super::trail::fail(&Msg::new(format!("无法启动运行时：{e}"), format!("Cannot start the runtime: {e}")), lang),
    };
    match rt.block_on(go(args, desk, lang)) {
        Ok(code) => code,
        Err(m) => super::trail::fail(&m, lang),
    }
}

fn say(lang: Lang, zh: String, en: String) {
    eprintln!("{}", Msg::new(zh, en).get(lang));
}

async fn go(args: Args, desk: Arc<Desk>, lang: Lang) -> Result<i32, Msg> {
    let format = if args.json {
        export::Format::JsonLines
    } else if args.xlsx {
        export::Format::Xlsx
    } else {
        export::Format::from_path(&args.out)
    };
    let options = BatchOptions { provider: Some(args.provider.clone()), qps: args.qps, again: args.again };
    let on_read = |done: usize, total: usize| {
        if done == 0 {
            say(lang, format!("正在识别 {total} 张照片……"), format!("Reading {total} photos…"));
        }
    };
    let mut job = desk.batch_load(&args.input, options, on_read).await.map_err(|e| e.message)?;
    let plan = &job.plan;

    let invalid = plan.count(Status::Invalid);
    if plan.resumed {
        say(
            lang,
            format!("继续上次中断的批次 {}：已完成 {} 行，剩余 {} 行。", plan.batch_id, plan.count(Status::Done) + plan.count(Status::Failed), plan.to_send()),
            format!(
                "Resuming interrupted batch {}: {} rows answered, {} to go.",
                plan.batch_id,
                plan.count(Status::Done) + plan.count(Status::Failed),
                plan.to_send()
            ),
        );
        let unknown = plan.count(Status::Unknown);
        if unknown > 0 {
            say(
                lang,
                format!("有 {unknown} 行在上次中断时正在发送，可能已计费，不会自动重发，请人工核对（见结果文件）。"),
                format!("{unknown} rows were being sent when the last run stopped; they may have been billed and are not re-sent: check them manually (see the result file)."),
            );
        }
    }
    let reused = plan.reused();
    if reused > 0 {
        say(
            lang,
            format!("有 {reused} 行已在之前的批次中核验过（或可能已计费），沿用当时的结果，不再发送（见结果文件）；确需重新核验并再次计费请加 --again。"),
            format!("{reused} rows were checked (or may have been billed) in earlier batches: their results are reused and they are not sent (see the result file). Pass --again to check and pay for them again."),
        );
    }
    if invalid > 0 {
        say(
            lang,
            format!("{invalid} 行未通过本地校验，不会发送（原因见结果文件）："),
            format!("{invalid} rows failed local validation and will not be sent (reasons in the result file):"),
        );
        for (row, res) in plan.rows.iter().zip(&plan.results).filter(|(_, r)| r.status == Status::Invalid) {
            let at = match &row.source {
                batch::Source::Line(n) => Msg::new(format!("第 {n} 行"), format!("line {n}")),
                batch::Source::Image(_) => Msg::new(format!("第 {} 张照片", row.index + 1), format!("photo {}", row.index + 1)),
            };
            let why = res.message.as_ref().map(|m| m.get(lang).to_string()).unwrap_or_default();
            eprintln!("  {}  {}  {}", at.get(lang), idcheck::mask::number(row.number.expose()), why);
        }
    }

    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            c.cancel();
        }
    });
    let to_send = plan.to_send();
    let summary = desk.batch_run(&mut job, args.consent, false, &cancel, |ev| progress(ev, lang)).await.map_err(|e| e.message)?;
    let plan = &job.plan;
    if to_send > 0 {
        eprintln!();
    }

    let lines = export::lines(plan, args.reveal);
    export::write(&args.out, format, &lines).map_err(|e| e.0)?;
    say(
        lang,
        format!(
            "共 {} 行：一致 {}，不一致 {}，查无记录 {}，本地校验不通过 {}，出错 {}，结果未知 {}，未发送 {}。结果已写入 {}",
            summary.total,
            summary.matched,
            summary.mismatched,
            summary.no_record,
            summary.invalid,
            summary.failed,
            summary.unknown,
            summary.pending,
            args.out.display()
        ),
        format!(
            "{} rows: {} match, {} mismatch, {} no record, {} invalid, {} failed, {} unknown, {} not sent. Results in {}",
            summary.total,
            summary.matched,
            summary.mismatched,
            summary.no_record,
            summary.invalid,
            summary.failed,
            summary.unknown,
            summary.pending,
            args.out.display()
        ),
    );
    if summary.pending > 0 {
        say(lang, "再次运行同一命令即可从中断处继续。".into(), "Run the same command again to continue where it stopped.".into());
    }
    Ok(if summary.any_failed() { 1 } else { 0 })
}

fn progress(ev: &Event, lang: Lang) {
    let mut err = std::io::stderr().lock();
    match ev {
        Event::Progress(p) => {
            let eta = p.eta.map(|d| d.as_secs()).unwrap_or(0);
            let m = Msg::new(
                format!("\r已完成 {}/{}  {:.1} 次/秒  剩余约 {} 秒   ", p.done, p.total, p.rate, eta),
                format!("\r{}/{} done  {:.1}/s  about {} s left   ", p.done, p.total, p.rate, eta),
            );
            let _ = write!(err, "{}", m.get(lang));
        }
        Event::Cancelling => {
            let m = Msg::new("\n正在停止：等待已发出的请求返回……", "\nStopping: waiting for requests already sent…");
            let _ = writeln!(err, "{}", m.get(lang));
        }
        _ => {}
    }
    let _ = err.flush();
}
