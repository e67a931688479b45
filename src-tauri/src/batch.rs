//! 批量: batch checks in the window, over the core's batch runner.
//!
//! The reviewer picks a folder of card photos or a CSV / XLSX of names and numbers; photos are
//! read here (OCR), every row is validated locally and the invalid ones are shown before any
//! paid call; one consent confirmation covers the batch; the paid two-factor calls run paced
//! at the vendor's QPS with progress sent to the page as events (`batch-reading`,
//! `batch-row`, `batch-progress`), and can be cancelled. The page only ever sees masked rows;
//! an export holds full values only when the reviewer asks for them.

use crate::commands::effective_ocr;
use crate::state::AppState;
use crate::views::{provider_name, UiError};
use crate::{dialogs, trail, vendors};
use idcheck::audit::Store;
use idcheck::batch::{self, export, Event, Plan, Row, Runner, Status, Summary};
use idcheck::i18n::Msg;
use idcheck::providers::{self, ErrorKind, ProviderError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tauri::{Emitter, State};
use tokio_util::sync::CancellationToken;

/// A loaded batch, ready to run (or run).
pub struct Session {
    runner: Runner,
    plan: Plan,
    /// The two-factor provider as configured (the runner's id may carry `-demo`).
    provider: String,
    qps: f64,
}

/// What the page shows of a loaded batch.
#[derive(Serialize)]
pub struct PlanView {
    batch_id: String,
    /// `folder`, `csv` or `xlsx`.
    input_kind: &'static str,
    total: usize,
    to_send: usize,
    invalid: usize,
    /// Rows an interrupted run left in flight: maybe billed, never re-sent.
    unknown: usize,
    resumed: bool,
    /// A finished earlier batch of the same input: running again pays again.
    previous: Option<String>,
    provider: String,
    provider_name: Msg,
    qps: f64,
    /// About how long the paid phase takes.
    estimate_secs: u64,
    /// Masked.
    rows: Vec<export::ResultLine>,
}

#[derive(Serialize, Clone)]
struct Reading {
    done: usize,
    total: usize,
}

#[derive(Serialize, Clone)]
struct ProgressView {
    done: usize,
    total: usize,
    rate: f64,
    eta_secs: Option<u64>,
    cancelling: bool,
}

#[derive(Serialize, Clone)]
struct RowEvent {
    index: usize,
    line: export::ResultLine,
}

/// What a finished (or cancelled) run leaves.
#[derive(Serialize)]
pub struct RunView {
    summary: Summary,
    cancelled: bool,
    rows: Vec<export::ResultLine>,
}

fn busy() -> UiError {
    UiError::new("batch_busy", "批量核验正在进行。请等它结束，或先按“取消”。", "A batch is running. Wait for it to finish, or press Cancel first.")
}

fn no_batch() -> UiError {
    UiError::new(
        "no_batch",
        "还没有载入批量输入。请先选择照片文件夹或表格并载入。",
        "No batch loaded yet. Choose a folder of photos or a table and load it first.",
    )
}

fn plan_view(s: &Session, input_kind: &'static str) -> PlanView {
    let plan = &s.plan;
    let to_send = plan.to_send();
    PlanView {
        batch_id: plan.batch_id.clone(),
        input_kind,
        total: plan.rows.len(),
        to_send,
        invalid: plan.count(Status::Invalid),
        unknown: plan.count(Status::Unknown),
        resumed: plan.resumed,
        previous: plan.previous.clone(),
        provider_name: provider_name(&s.provider),
        provider: s.provider.clone(),
        qps: s.qps,
        estimate_secs: (to_send as f64 / s.qps).ceil() as u64,
        rows: export::lines(plan, false),
    }
}

/// 选择文件夹… / 选择表格…: the native dialog; the page puts the answer in the path field.
#[tauri::command]
pub async fn batch_browse(window: tauri::WebviewWindow, state: State<'_, AppState>, folder: bool) -> Result<Option<String>, UiError> {
    let lang = state.settings().lang;
    let p = if folder { dialogs::pick_folder(&window, lang).await? } else { dialogs::pick_table(&window, lang).await? };
    Ok(p.map(|p| p.display().to_string()))
}

/// Loads a folder of photos or a table, reads the photos, validates every row locally and
/// stores the batch (or finds the interrupted one of the same input). No paid call.
#[tauri::command]
pub async fn batch_load(window: tauri::WebviewWindow, state: State<'_, AppState>, path: String) -> Result<PlanView, UiError> {
    if path.trim().is_empty() || path.chars().count() > 4096 {
        return Err(UiError::new(
            "no_path",
            "请先选择或填写照片文件夹或表格（CSV、XLSX）的路径。",
            "Choose or type the path of a folder of photos or of a table (CSV, XLSX) first.",
        ));
    }
    let path = PathBuf::from(path.trim());
    let Ok(mut session) = state.batch.try_lock() else { return Err(busy()) };
    *session = None;
    let input_kind = match batch::InputKind::of(&path).map_err(|e| UiError::new("batch_input", e.0.zh, e.0.en))? {
        batch::InputKind::Folder => "folder",
        batch::InputKind::Csv => "csv",
        batch::InputKind::Xlsx => "xlsx",
    };
    let s = state.settings();
    let demo = state.demo();
    let p = path.clone();
    let mut input = tokio::task::spawn_blocking(move || batch::load(&p))
        .await
        .map_err(|_| UiError::internal())?
        .map_err(|e| UiError::new("batch_input", e.0.zh, e.0.en))?;
    // The batch's state lives in the audit database: without it, no batch.
    let store: Arc<Store> = trail::open(&state).await?;

    if !input.images.is_empty() {
        let ocr_id = effective_ocr(&s, demo.is_some());
        let recorded = trail::provider_id(&ocr_id, demo.is_some() && ocr_id != "local");
        let client = if ocr_id == "local" { None } else { Some(vendors::ocr(&ocr_id, &s, demo)?) };
        let total = input.images.len();
        let done = AtomicUsize::new(0);
        let _ = window.emit("batch-reading", Reading { done: 0, total });
        let (window, done) = (&window, &done);
        input = batch::read_images(&store, &recorded, s.operator.as_deref(), input, |path| {
            let client = client.clone();
            async move {
                let result = read_photo(&path, client).await;
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                let _ = window.emit("batch-reading", Reading { done: n, total });
                result
            }
        })
        .await;
    }

    let provider = s.two_factor.clone();
    let qps = providers::two_factor_qps(&provider) as f64 / 1.03;
    let runner_id = trail::provider_id(&provider, demo.is_some());
    let operator = s.operator.clone();
    let (runner, plan) = tokio::task::spawn_blocking(move || {
        let runner = Runner::new(store, &runner_id, qps).operator(operator.as_deref());
        let plan = runner.prepare(input)?;
        Ok::<_, batch::BatchError>((runner, plan))
    })
    .await
    .map_err(|_| UiError::internal())?
    .map_err(|e| UiError::new("batch", e.message().zh.clone(), e.message().en.clone()))?;
    let new = Session { runner, plan, provider, qps };
    let view = plan_view(&new, input_kind);
    *session = Some(new);
    Ok(view)
}

/// Reads one photo of a folder: size-checked, prepared like a dropped photo, then read by the
/// OCR provider (`None`: the local engine).
async fn read_photo(path: &Path, client: Option<Arc<dyn providers::Ocr>>) -> Result<idcheck::card::CardFields, ProviderError> {
    let provider = client.as_ref().map_or("local", |c| c.id());
    let refused = |m: Msg| ProviderError::new(provider, ErrorKind::InvalidInput).with_message(m);
    let p = path.to_path_buf();
    let jpeg = tokio::task::spawn_blocking(move || {
        let bytes = crate::photo::read_path(&p).map_err(|e| e.message)?;
        idcheck::image_prep::prepare(&bytes).map(|prep| prep.jpeg).map_err(|e| e.message)
    })
    .await
    .map_err(|_| refused(Msg::new("读取照片时内部出错。", "An internal error while reading the photo.")))?
    .map_err(refused)?;
    match client {
        Some(c) => c.read(&jpeg).await,
        None => crate::ocr_local::read(&jpeg).await,
    }
}

/// Runs the paid phase of the loaded batch: consent for the whole batch is required; a batch
/// already finished once runs again only with `again` (it pays again). Progress and rows
/// arrive as events; the answer is the final table.
#[tauri::command]
pub async fn batch_run(window: tauri::WebviewWindow, state: State<'_, AppState>, consent: bool, again: bool) -> Result<RunView, UiError> {
    let Ok(mut guard) = state.batch.try_lock() else { return Err(busy()) };
    let session = guard.as_mut().ok_or_else(no_batch)?;
    if !consent {
        return Err(UiError::new(
            "consent",
            "批量核验前须取得全部持证人的授权，并勾选“已取得全部持证人授权”。",
            "Get every holder's consent and tick “Every holder has consented” before the batch.",
        ));
    }
    if let (Some(prev), false) = (&session.plan.previous, again) {
        return Err(UiError::new(
            "batch_again",
            format!("这份输入已在批次 {prev} 中核验过。再次核验会重新计费；确需如此请勾选“再次核验”。"),
            format!("This input was already checked in batch {prev}. Checking again pays again; tick “Check again” if that is what you want."),
        ));
    }
    // The provider the batch was loaded (and is recorded) for, even if Settings changed since.
    let client = vendors::two_factor(&session.provider, &state.settings(), state.demo())?;
    let cancel = CancellationToken::new();
    *state.batch_cancel.lock().unwrap() = Some(cancel.clone());
    let rows: Arc<Vec<Row>> = Arc::new(session.plan.rows.clone());
    let win = window.clone();
    let on_event = move |ev: &Event| match ev {
        Event::Row { index, result } => {
            let _ = win.emit("batch-row", RowEvent { index: *index, line: export::line(&rows[*index], result, false) });
        }
        Event::Progress(p) => {
            let _ = win
                .emit("batch-progress", ProgressView { done: p.done, total: p.total, rate: p.rate, eta_secs: p.eta.map(|d| d.as_secs()), cancelling: false });
        }
        Event::Started { to_send } => {
            let _ = win.emit("batch-progress", ProgressView { done: 0, total: *to_send, rate: 0.0, eta_secs: None, cancelling: false });
        }
        Event::Cancelling => {
            let _ = win.emit("batch-progress", ProgressView { done: 0, total: 0, rate: 0.0, eta_secs: None, cancelling: true });
        }
    };
    let call = move |c: batch::Call| {
        let client = client.clone();
        async move { client.verify(c.name.expose(), c.number.expose()).await.map(|r| r.verdict) }
    };
    let result = session.runner.run(&mut session.plan, true, &cancel, on_event, call).await;
    *state.batch_cancel.lock().unwrap() = None;
    let summary = result.map_err(|e| UiError::new("batch", e.message().zh.clone(), e.message().en.clone()))?;
    Ok(RunView { summary, cancelled: cancel.is_cancelled(), rows: export::lines(&session.plan, false) })
}

/// 取消: no new row is sent; rows in flight finish and keep their answer.
#[tauri::command]
pub fn batch_cancel(state: State<'_, AppState>) -> bool {
    match state.batch_cancel.lock().unwrap().as_ref() {
        Some(c) => {
            c.cancel();
            true
        }
        None => false,
    }
}

/// Exports the result table as CSV or XLSX; masked unless `reveal` (the reviewer's explicit
/// choice).
#[tauri::command]
pub async fn batch_export(window: tauri::WebviewWindow, state: State<'_, AppState>, format: String, reveal: bool) -> Result<Option<trail::Exported>, UiError> {
    let fmt = match format.as_str() {
        "csv" => export::Format::Csv,
        "xlsx" => export::Format::Xlsx,
        _ => return Err(UiError::bad_input("format")),
    };
    let (lines, batch_id) = {
        let Ok(guard) = state.batch.try_lock() else { return Err(busy()) };
        let session = guard.as_ref().ok_or_else(no_batch)?;
        (export::lines(&session.plan, reveal), session.plan.batch_id.clone())
    };
    let lang = state.settings().lang;
    let (title, kind) = match fmt {
        export::Format::Xlsx => (Msg::new("导出核验结果（Excel）", "Export the results (Excel)"), Msg::new("Excel 工作簿", "Excel workbook")),
        _ => (Msg::new("导出核验结果（CSV）", "Export the results (CSV)"), Msg::new("CSV 表格", "CSV table")),
    };
    let suggested = format!("idcheck-batch-{batch_id}{}.{format}", if reveal { "-full" } else { "" });
    let Some(path) = dialogs::save(&window, lang, title, suggested, (kind, if fmt == export::Format::Xlsx { &["xlsx"] } else { &["csv"] })).await? else {
        return Ok(None);
    };
    let rows = lines.len();
    let p = path.clone();
    tokio::task::spawn_blocking(move || export::write(&p, fmt, &lines))
        .await
        .map_err(|_| UiError::internal())?
        .map_err(|e| UiError::new("export", e.0.zh, e.0.en))?;
    Ok(Some(trail::Exported { path: path.display().to_string(), rows }))
}
