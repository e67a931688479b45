//! `idcheck batch`: checks a table of names and numbers (CSV, XLSX) or a folder of card photos
//! against a two-factor provider, resumably, and writes the result table.
//!
//! Exit status: 0 every row answered, 1 some row invalid, failed, unknown or not sent,
//! 2 usage or I/O error.

use idcheck::batch::{self, export, Event, Runner, Status};
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
    /// Check again an input already checked in a finished batch (pays again). 重新核验已完成的批次（会再次计费）。
    #[arg(long)]
    pub again: bool,
}

pub fn run(args: Args, lang: Lang) -> i32 {
    let store = match super::trail::store() {
        Ok(s) => Arc::new(s),
        Err(m) => return super::trail::fail(&m, lang),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return super::trail::fail(&Msg::new(format!("无法启动运行时：{e}"), format!("Cannot start the runtime: {e}")), lang),
    };
    match rt.block_on(go(args, store, lang)) {
        Ok(code) => code,
        Err(m) => super::trail::fail(&m, lang),
    }
}

fn say(lang: Lang, zh: String, en: String) {
    eprintln!("{}", Msg::new(zh, en).get(lang));
}

async fn go(args: Args, store: Arc<idcheck::audit::Store>, lang: Lang) -> Result<i32, Msg> {
    let format = if args.json {
        export::Format::JsonLines
    } else if args.xlsx {
        export::Format::Xlsx
    } else {
        export::Format::from_path(&args.out)
    };
    let client = client::two_factor(&args.provider)?;
    let mut input = batch::load(&args.input).map_err(|e| e.0)?;
    if !input.images.is_empty() {
        say(lang, format!("正在识别 {} 张照片……", input.images.len()), format!("Reading {} photos…", input.images.len()));
        input = client::read_images(&store, args.operator.as_deref(), input).await?;
    }
    let qps = args.qps.filter(|q| *q > 0.0).unwrap_or(client.qps);
    let runner = Runner::new(store.clone(), &args.provider, qps).operator(args.operator.as_deref());
    let mut plan = runner.prepare(input).map_err(|e| e.message().clone())?;

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
    } else if let Some(prev) = &plan.previous {
        if !args.again {
            return Err(Msg::new(
                format!("这份输入已在批次 {prev} 中用 {} 核验过。再次核验会重新计费；确需如此请加 --again。", args.provider),
                format!(
                    "This input was already checked with {} in batch {prev}. Checking again pays again; pass --again if that is what you want.",
                    args.provider
                ),
            ));
        }
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
    let call = client.call.clone();
    let summary = runner.run(&mut plan, args.consent, &cancel, |ev| progress(ev, lang), move |c| call(c)).await.map_err(|e| e.message().clone())?;
    if to_send > 0 {
        eprintln!();
    }

    let lines = export::lines(&plan, args.reveal);
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

/// The vendor side of the command: the two-factor client and the photo reader for
/// `provider`, built from the settings and the keys in the keychain.
mod client {
    use idcheck::audit::Store;
    use idcheck::batch::{Call, Input};
    use idcheck::i18n::Msg;
    use idcheck::providers::{self, ProviderError, TwoFactor, Verdict};
    use idcheck::settings;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    pub type Answer = Pin<Box<dyn Future<Output = Result<Verdict, ProviderError>> + Send>>;

    pub struct Client {
        pub qps: f64,
        pub call: Arc<dyn Fn(Call) -> Answer + Send + Sync>,
    }

    /// The two-factor client for `provider` (money guard included).
    pub fn two_factor(provider: &str) -> Result<Client, Msg> {
        let settings = settings::load().map_err(|e| e.message)?;
        let cfg = idcheck::keys::client_config(provider, &settings).map_err(|e| e.message)?;
        let client: Arc<dyn TwoFactor> = providers::two_factor(provider, cfg).map_err(|e| e.message)?;
        let call = Arc::new(move |c: Call| -> Answer {
            let client = client.clone();
            Box::pin(async move { client.verify(c.name.expose(), c.number.expose()).await.map(|r| r.verdict) })
        });
        // The client's own limiter paces at the vendor's QPS (with a 2 % margin); the runner
        // paces just under it so rows are marked "sending" only shortly before their turn.
        Ok(Client { qps: providers::two_factor_qps(provider) as f64 / 1.03, call })
    }

    /// Reads the photos of a folder input with the OCR provider from the settings.
    pub async fn read_images(store: &Store, operator: Option<&str>, input: Input) -> Result<Input, Msg> {
        let settings = settings::load().map_err(|e| e.message)?;
        let id = settings.ocr().to_string();
        let cfg = idcheck::keys::client_config(&id, &settings).map_err(|e| e.message)?;
        let ocr = providers::ocr(&id, cfg).map_err(|e| e.message)?;
        let provider: &'static str = ocr.id();
        Ok(idcheck::batch::read_images(store, provider, operator, input, |path| {
            let ocr = ocr.clone();
            async move {
                let bytes = std::fs::read(&path).map_err(|e| {
                    ProviderError::new(provider, providers::ErrorKind::InvalidInput)
                        .with_message(Msg::new(format!("无法读取照片：{e}"), format!("Cannot read the photo: {e}")))
                })?;
                ocr.read(&bytes).await
            }
        })
        .await)
    }
}
