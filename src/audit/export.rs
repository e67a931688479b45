//! Export of the audit trail as CSV for reviewers.
//!
//! UTF-8 with a byte-order mark so Excel on Windows opens Chinese text correctly; values are
//! the masked ones the database holds, so an export can be mailed without exposing numbers.

use super::{AuditError, Entry};
use crate::i18n::Msg;
use std::io::Write;

/// The UTF-8 byte-order mark Excel needs to recognise a CSV file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Header row, Chinese / English in one cell so one file serves both. The last two columns are
/// filled on the row of a chunk of numbers only (a stream of local validations as one row, see
/// [`super::chunk`]): how many numbers it holds and how many of them are valid.
pub const HEADER: [&str; 16] = [
    "时间 time (UTC)",
    "类型 kind",
    "服务商 provider",
    "姓名 name",
    "号码 number",
    "结果 outcome",
    "错误 error",
    "厂商代码 vendor code",
    "请求号 request id",
    "HTTP",
    "说明 message",
    "已确认同意 consent",
    "操作员 operator",
    "批次 batch",
    "号码数 numbers",
    "通过数 valid",
];

/// Writes `entries` as CSV (with BOM and header) to `out`.
pub fn write_csv<W: Write>(out: W, entries: &[Entry]) -> Result<(), AuditError> {
    let mut out = out;
    out.write_all(BOM).map_err(io_error)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(csv_error)?;
    for e in entries {
        let (kind_zh, _) = e.kind.label();
        let (out_zh, out_en) = e.outcome.label();
        let outcome = match (e.numbers, e.numbers_valid) {
            (Some(n), Some(v)) => {
                let (zh, en) = chunk_outcome(n, v);
                format!("{zh} {en}")
            }
            _ => format!("{out_zh} {out_en}"),
        };
        let err = e.error.as_ref();
        w.write_record([
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            format!("{kind_zh} {}", e.kind.as_str()),
            e.provider.clone(),
            e.name_masked.clone().unwrap_or_default(),
            e.number_masked.clone().unwrap_or_default(),
            outcome,
            err.map(|x| x.kind.clone()).unwrap_or_default(),
            e.vendor_code.clone().unwrap_or_default(),
            e.request_id.clone().unwrap_or_default(),
            err.and_then(|x| x.http_status).map(|s| s.to_string()).unwrap_or_default(),
            match (err, &e.purpose) {
                (Some(x), _) => x.message_zh.clone(),
                // A copy: what it was for and which sides it shows.
                (None, Some(p)) => format!("用途 purpose: {p} ({})", e.sides.as_deref().unwrap_or("-")),
                (None, None) => String::new(),
            },
            if e.consent { "是 yes" } else { "否 no" }.to_string(),
            e.operator.clone().unwrap_or_default(),
            e.batch_id.clone().unwrap_or_default(),
            e.numbers.map(|n| n.to_string()).unwrap_or_default(),
            e.numbers_valid.map(|n| n.to_string()).unwrap_or_default(),
        ])
        .map_err(csv_error)?;
    }
    w.flush().map_err(io_error)?;
    Ok(())
}

/// The outcome of a chunk of `n` numbers of which `valid` are valid, Chinese / English:
/// `通过 65,000 / 不通过 536`, `65,000 valid / 536 invalid`.
pub fn chunk_outcome(n: u32, valid: u32) -> (String, String) {
    let invalid = n.saturating_sub(valid);
    (format!("通过 {} / 不通过 {}", grouped(valid), grouped(invalid)), format!("{} valid / {} invalid", grouped(valid), grouped(invalid)))
}

/// `65536` as `65,536`.
pub fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn io_error(e: std::io::Error) -> AuditError {
    AuditError::Io(Msg::new(
        format!("写入导出文件失败：{e}。请检查目标位置是否可写、磁盘是否已满。"),
        format!("Writing the export failed: {e}. Check that the destination is writable and the disk is not full."),
    ))
}

fn csv_error(e: csv::Error) -> AuditError {
    AuditError::Io(Msg::new(format!("写入 CSV 失败：{e}"), format!("Writing CSV failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_outcomes_group_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(65_536), "65,536");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(chunk_outcome(65_536, 65_000), ("通过 65,000 / 不通过 536".to_string(), "65,000 valid / 536 invalid".to_string()));
    }
}
