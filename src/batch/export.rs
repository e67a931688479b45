//! Export of a batch's result table as CSV, XLSX or JSON lines.
//!
//! Masked by default (`110***********002X`, `张*`); full values only when the caller asks
//! with `reveal`, for a reviewer who must hand results back to the requester.

use super::input::{Row, Source};
use super::runner::Plan;
use super::state::{RowResult, Status};
use crate::audit::record::{scrub, Outcome};
use crate::i18n::Msg;
use crate::mask;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Output format of a result table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    JsonLines,
}

impl Format {
    /// The format implied by a file name: `.xlsx` → XLSX, `.jsonl`/`.json` → JSON lines,
    /// anything else CSV.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
            Some("xlsx") => Format::Xlsx,
            Some("jsonl") | Some("json") | Some("ndjson") => Format::JsonLines,
            _ => Format::Csv,
        }
    }
}

/// One line of the result table, ready to write.
#[derive(Debug, Clone, Serialize)]
pub struct ResultLine {
    /// 1-based position in the input.
    pub row: usize,
    /// Table line number or photo file name.
    pub source: String,
    pub name: String,
    pub number: String,
    pub status: Status,
    /// `match` / `mismatch` / `no_record`, when answered.
    pub verdict: Option<String>,
    pub error_kind: Option<String>,
    pub vendor_code: Option<String>,
    pub request_id: Option<String>,
    pub message_zh: Option<String>,
    pub message_en: Option<String>,
    /// The earlier batch whose answer this row carries over (not paid again); the message
    /// says so in words.
    pub reused_from: Option<String>,
}

/// Header row, Chinese and English in one cell.
pub const HEADER: [&str; 10] = [
    "序号 row",
    "来源 source",
    "姓名 name",
    "身份证号 number",
    "状态 status",
    "结果 verdict",
    "错误 error",
    "厂商代码 vendor code",
    "请求号 request id",
    "说明 message",
];

/// The plan's rows as result lines, masked unless `reveal`.
pub fn lines(plan: &Plan, reveal: bool) -> Vec<ResultLine> {
    plan.rows.iter().zip(&plan.results).map(|(row, res)| line(row, res, reveal)).collect()
}

/// One row and its result as a result line, masked unless `reveal` (also what a window shows
/// while a batch runs).
pub fn line(row: &Row, res: &RowResult, reveal: bool) -> ResultLine {
    let (name, number) = (row.name.expose(), row.number.expose());
    let source = match &row.source {
        Source::Line(n) => format!("{n}"),
        Source::Image(p) => {
            let f = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            // A photo may be named after its holder.
            if reveal {
                f
            } else {
                scrub(&f, Some(number), Some(name))
            }
        }
    };
    // The row's own notes (pairing, expiry, repeats) before what its check said.
    let joined = (!row.notes.is_empty()).then(|| {
        let all: Vec<&Msg> = row.notes.iter().chain(res.message.as_ref()).collect();
        Msg::new(all.iter().map(|m| m.zh.as_str()).collect::<Vec<_>>().join(" "), all.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join(" "))
    });
    let msg: Option<&Msg> = joined.as_ref().or(res.message.as_ref());
    let e = res.error.as_ref();
    ResultLine {
        row: row.index + 1,
        source,
        name: if reveal { name.clone() } else { mask::name(name) },
        number: if reveal { number.clone() } else { mask::number(number) },
        status: res.status,
        verdict: res.verdict.map(|v| Outcome::from_verdict(v).as_str().to_string()),
        error_kind: e.map(|e| e.kind.clone()),
        vendor_code: e.and_then(|e| e.vendor_code.clone()),
        request_id: e.and_then(|e| e.request_id.clone()),
        message_zh: msg.map(|m| scrub(&m.zh, Some(number), Some(name))),
        message_en: msg.map(|m| scrub(&m.en, Some(number), Some(name))),
        reused_from: res.reused_from.clone(),
    }
}

fn cells(l: &ResultLine) -> [String; 10] {
    let (st_zh, st_en) = l.status.label();
    let verdict = l
        .verdict
        .as_deref()
        .and_then(Outcome::parse)
        .map(|o| {
            let (zh, en) = o.label();
            format!("{zh} {en}")
        })
        .unwrap_or_default();
    [
        l.row.to_string(),
        l.source.clone(),
        l.name.clone(),
        l.number.clone(),
        format!("{st_zh} {st_en}"),
        verdict,
        l.error_kind.clone().unwrap_or_default(),
        l.vendor_code.clone().unwrap_or_default(),
        l.request_id.clone().unwrap_or_default(),
        match (&l.message_zh, &l.message_en) {
            (Some(zh), Some(en)) => format!("{zh} / {en}"),
            (Some(zh), None) => zh.clone(),
            _ => String::new(),
        },
    ]
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ExportError(pub Msg);

fn export_error(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError(Msg::new(
        format!("无法写入结果文件 {}：{e}。请检查目录是否存在、文件是否被 Excel 打开。", path.display()),
        format!("Cannot write the result file {}: {e}. Check that the folder exists and the file is not open in Excel.", path.display()),
    ))
}

/// Writes the result table as CSV with a UTF-8 BOM (so Excel reads Chinese correctly).
pub fn write_csv<W: Write>(mut out: W, lines: &[ResultLine]) -> std::io::Result<()> {
    out.write_all(crate::audit::export::BOM)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for l in lines {
        w.write_record(cells(l))?;
    }
    w.flush()
}

/// Writes the result table as JSON, one object per line.
pub fn write_json_lines<W: Write>(mut out: W, lines: &[ResultLine]) -> std::io::Result<()> {
    for l in lines {
        serde_json::to_writer(&mut out, l)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Writes the result table as an XLSX workbook with one sheet.
pub fn write_xlsx(path: &Path, lines: &[ResultLine]) -> Result<(), ExportError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("核验结果").map_err(|e| export_error(path, e))?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(|e| export_error(path, e))?;
    }
    for (r, l) in lines.iter().enumerate() {
        for (c, v) in cells(l).iter().enumerate() {
            // Always text: an ID number as a number would lose its last digits in Excel.
            ws.write_string((r + 1) as u32, c as u16, v).map_err(|e| export_error(path, e))?;
        }
    }
    ws.set_column_width(3, 22).map_err(|e| export_error(path, e))?;
    wb.save(path).map_err(|e| export_error(path, e))
}

/// Writes the table to `path` in `format`.
pub fn write(path: &Path, format: Format, lines: &[ResultLine]) -> Result<(), ExportError> {
    match format {
        Format::Xlsx => write_xlsx(path, lines),
        Format::Csv | Format::JsonLines => {
            let f = std::fs::File::create(path).map_err(|e| export_error(path, e))?;
            let w = std::io::BufWriter::new(f);
            if format == Format::Csv { write_csv(w, lines) } else { write_json_lines(w, lines) }.map_err(|e| export_error(path, e))
        }
    }
}
