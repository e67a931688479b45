//! 批量: batch checks in the window, over the core's batch runner.
//!
//! The reviewer picks a folder of card photos or a CSV / XLSX of names and numbers; photos are
//! read here (OCR), every row is validated locally and the invalid ones are shown before any
//! paid call; one consent confirmation covers the batch; the paid two-factor calls run paced
//! at the vendor's QPS with progress sent to the page as events (`batch-reading`,
//! `batch-row`, `batch-progress`), and can be cancelled. The page only ever sees masked rows;
//! an export holds full values only when the reviewer asks for them.

use crate::state::AppState;
use crate::views::{provider_name, UiError};
use crate::{dialogs, trail};
use idcheck::batch::{self, export, Event, Row, Status, Summary};
use idcheck::desk::batch::{BatchJob, BatchOptions};
use idcheck::i18n::Msg;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{Emitter, State};
use tokio_util::sync::CancellationToken;

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
    /// A finished earlier batch of the same input.
    previous: Option<String>,
    /// Rows answered (or maybe billed) in earlier batches: carried over, not sent, unless the
    /// reviewer ticks 再次核验.
    reused: usize,
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

fn plan_view(job: &BatchJob) -> PlanView {
    let plan = &job.plan;
    let input_kind = match job.kind {
        batch::InputKind::Folder => "folder",
        batch::InputKind::Csv => "csv",
        batch::InputKind::Xlsx => "xlsx",
    };
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
        reused: plan.reused(),
        provider_name: provider_name(&job.provider),
        provider: job.provider.clone(),
        qps: job.qps,
        estimate_secs: (to_send as f64 / job.qps).ceil() as u64,
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

/// Loads a folder of photos or a table through the desk: photos prepared and read, every row
/// validated locally, rows answered in earlier batches carried over. No paid call.
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
    let win = window.clone();
    let on_read = move |done: usize, total: usize| {
        let _ = win.emit("batch-reading", Reading { done, total });
    };
    let job = state.desk.batch_load(&path, BatchOptions::default(), on_read).await?;
    let view = plan_view(&job);
    *session = Some(job);
    Ok(view)
}

/// Runs the paid phase of the loaded batch: consent for the whole batch is required; rows
/// answered in earlier batches are carried over, not paid again, unless `again` (it pays
/// again). Progress and rows arrive as events; the answer is the final table.
#[tauri::command]
pub async fn batch_run(window: tauri::WebviewWindow, state: State<'_, AppState>, consent: bool, again: bool) -> Result<RunView, UiError> {
    let Ok(mut guard) = state.batch.try_lock() else { return Err(busy()) };
    let job = guard.as_mut().ok_or_else(no_batch)?;
    let cancel = CancellationToken::new();
    *state.batch_cancel.lock().unwrap() = Some(cancel.clone());
    let rows: Arc<Vec<Row>> = Arc::new(job.plan.rows.clone());
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
    let result = state.desk.batch_run(job, consent, again, &cancel, on_event).await;
    *state.batch_cancel.lock().unwrap() = None;
    let summary = result?;
    Ok(RunView { summary, cancelled: cancel.is_cancelled(), rows: export::lines(&job.plan, false) })
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
        let job = guard.as_ref().ok_or_else(no_batch)?;
        (export::lines(&job.plan, reveal), job.plan.batch_id.clone())
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
