//! Reading a batch's input: a CSV or XLSX table of names and numbers, or a folder of photos.
//!
//! Tables come from many hands, so the reader is forgiving: a UTF-8 byte-order mark, GBK
//! files saved by Excel, header names in Chinese or English (姓名/name, 身份证号/number/idcard),
//! extra columns, blank lines, and numbers Excel stored as numbers. What it cannot read is
//! reported with the line and what to do, never silently dropped.

use crate::i18n::Msg;
use crate::secret::Sensitive;
use std::fmt;
use std::path::{Path, PathBuf};

/// Image extensions accepted in a folder input.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "bmp"];

/// Header names recognised for the name column (compared case- and space-insensitively).
const NAME_HEADERS: &[&str] = &["姓名", "名字", "客户姓名", "持证人", "name", "fullname", "full_name", "full name", "xm"];
/// Header names recognised for the number column.
const NUMBER_HEADERS: &[&str] = &[
    "身份证号",
    "身份证号码",
    "身份证",
    "证件号",
    "证件号码",
    "公民身份号码",
    "number",
    "idcard",
    "id_card",
    "id card",
    "idnumber",
    "id_number",
    "id number",
    "id",
    "id_no",
    "idno",
    "sfzh",
];

/// Where a row came from, for messages and exports.
#[derive(Clone, PartialEq, Eq)]
pub enum Source {
    /// A data line of a table, 1-based as a spreadsheet shows it (the header is line 1).
    Line(usize),
    /// A photo in a folder, by file name.
    Image(PathBuf),
}

impl fmt::Debug for Source {
    /// File names may contain a holder's name, so Debug shows only the kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Line(n) => write!(f, "Line({n})"),
            Source::Image(_) => f.write_str("Image(<file>)"),
        }
    }
}

/// One row of a batch: what will be checked. Name and number stay wrapped so a stray
/// `{:?}` cannot log them.
#[derive(Debug, Clone)]
pub struct Row {
    /// 0-based position in the input; stable across runs of the same input.
    pub index: usize,
    pub source: Source,
    pub name: Sensitive<String>,
    pub number: Sensitive<String>,
    /// Why the row could not be read (empty cell, unreadable photo), if so.
    pub read_error: Option<Msg>,
}

/// A loaded input: its rows and the bytes it was read from (for the fingerprint).
#[derive(Debug)]
pub struct Input {
    pub rows: Vec<Row>,
    /// Images still to be read (folder input); empty for tables.
    pub images: Vec<PathBuf>,
    pub(crate) fingerprint_parts: Vec<Vec<u8>>,
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub Msg);

/// Which kind of input a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Folder,
    Csv,
    Xlsx,
}

impl InputKind {
    pub fn of(path: &Path) -> Result<InputKind, InputError> {
        if path.is_dir() {
            return Ok(InputKind::Folder);
        }
        if !path.exists() {
            return Err(InputError(Msg::new(
                format!("找不到输入文件或文件夹：{}。请检查路径。", path.display()),
                format!("No such input file or folder: {}. Check the path.", path.display()),
            )));
        }
        match ext(path).as_str() {
            "csv" | "txt" | "tsv" => Ok(InputKind::Csv),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Ok(InputKind::Xlsx),
            _ => Err(InputError(Msg::new(
                format!("无法识别输入 {} 的格式。请提供照片文件夹、CSV 或 XLSX 文件。", path.display()),
                format!("Unknown input format for {}. Give a folder of photos, a CSV or an XLSX file.", path.display()),
            ))),
        }
    }
}

fn ext(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// Loads a folder, CSV or XLSX input.
pub fn load(path: &Path) -> Result<Input, InputError> {
    match InputKind::of(path)? {
        InputKind::Folder => load_folder(path),
        InputKind::Csv => {
            let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
            let rows = parse_csv(&bytes)?;
            Ok(Input { rows, images: Vec::new(), fingerprint_parts: vec![bytes] })
        }
        InputKind::Xlsx => {
            let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
            let rows = parse_xlsx(path)?;
            Ok(Input { rows, images: Vec::new(), fingerprint_parts: vec![bytes] })
        }
    }
}

fn read_error(path: &Path, e: std::io::Error) -> InputError {
    InputError(Msg::new(
        format!("无法读取 {}：{e}。请检查文件是否存在且可读。", path.display()),
        format!("Cannot read {}: {e}. Check that the file exists and is readable.", path.display()),
    ))
}

/// Lists the photos of a folder (not recursive), sorted by file name. Their rows are filled
/// in by reading each photo (see [`crate::batch::read_images`]).
pub fn load_folder(dir: &Path) -> Result<Input, InputError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| read_error(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && IMAGE_EXTENSIONS.contains(&ext(p).as_str()))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(InputError(Msg::new(
            format!("文件夹 {} 中没有照片（支持 jpg、png、webp、bmp）。", dir.display()),
            format!("The folder {} holds no photos (jpg, png, webp, bmp are read).", dir.display()),
        )));
    }
    let mut parts = Vec::with_capacity(files.len() * 2);
    for f in &files {
        parts.push(f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().into_bytes());
        parts.push(std::fs::read(f).map_err(|e| read_error(f, e))?);
    }
    Ok(Input { rows: Vec::new(), images: files, fingerprint_parts: parts })
}

/// Decodes table text: strips a UTF-8 BOM; falls back to GBK (what Excel writes on Chinese
/// Windows) when the bytes are not UTF-8.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

fn norm_header(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '\u{3000}'], "")
}

fn is_number_like(s: &str) -> bool {
    let s = s.trim();
    (s.len() == 18 || s.len() == 15) && s.chars().all(|c| c.is_ascii_digit() || c == 'X' || c == 'x')
}

/// Finds the name and number columns: by header, else by content of the first row.
/// Returns (name column, number column, whether the first row is a header).
fn columns(first: &[String]) -> Result<(usize, usize, bool), InputError> {
    let find = |names: &[&str]| {
        let wanted: Vec<String> = names.iter().map(|n| norm_header(n)).collect();
        first.iter().position(|h| wanted.contains(&norm_header(h)))
    };
    // A header whose text merely contains a known word (身份证号码（必填）) also counts.
    let find_loose = |names: &[&str]| {
        first.iter().position(|h| {
            let h = norm_header(h);
            names.iter().any(|n| n.chars().count() >= 2 && h.contains(&norm_header(n)))
        })
    };
    let name = find(NAME_HEADERS).or_else(|| find_loose(&NAME_HEADERS[..4]));
    let number = find(NUMBER_HEADERS).or_else(|| find_loose(&NUMBER_HEADERS[..6]));
    match (name, number) {
        (Some(a), Some(b)) if a != b => Ok((a, b, true)),
        _ => {
            // No header: a first row holding a number-like cell is data.
            if let Some(num) = first.iter().position(|c| is_number_like(c)) {
                let name = first.iter().enumerate().position(|(i, c)| i != num && !c.trim().is_empty() && !c.trim().chars().any(|ch| ch.is_ascii_digit()));
                if let Some(name) = name {
                    return Ok((name, num, false));
                }
            }
            Err(InputError(Msg::new(
                format!(
                    "表格中找不到姓名列和身份证号列（首行是：{}）。请把表头写成“姓名”和“身份证号”（或 name 和 number）。",
                    first.iter().map(|c| c.trim()).collect::<Vec<_>>().join(", ")
                ),
                "Cannot find the name and number columns. Put \"姓名\" and \"身份证号\" (or name and number) in the first row.".to_string(),
            )))
        }
    }
}

/// `table` holds (line number as the user sees it, cells).
fn rows_from_table(table: Vec<(usize, Vec<String>)>) -> Result<Vec<Row>, InputError> {
    let Some(first_idx) = table.iter().position(|(_, r)| r.iter().any(|c| !c.trim().is_empty())) else {
        return Err(InputError(Msg::new("表格是空的。请提供含姓名和身份证号的表格。", "The table is empty. Give a table of names and numbers.")));
    };
    let (name_col, num_col, header) = columns(&table[first_idx].1)?;
    let start = if header { first_idx + 1 } else { first_idx };
    let mut rows = Vec::new();
    for (line, r) in table.iter().skip(start) {
        let line = *line;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |c: usize| r.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        let (name, number) = (get(name_col), get(num_col));
        let read_error = match (name.is_empty(), number.is_empty()) {
            (true, true) | (false, true) => Some(Msg::new(format!("第 {line} 行没有身份证号。"), format!("Line {line} has no ID number."))),
            (true, false) => Some(Msg::new(format!("第 {line} 行没有姓名。"), format!("Line {line} has no name."))),
            _ => None,
        };
        rows.push(Row { index: rows.len(), source: Source::Line(line), name: Sensitive::new(name), number: Sensitive::new(number), read_error });
    }
    Ok(rows)
}

/// Parses CSV (or tab-separated) bytes into rows.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<Row>, InputError> {
    let text = decode(bytes);
    let first_line = text.lines().next().unwrap_or("");
    let delim = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else if first_line.contains('，') && !first_line.contains(',') {
        // A full-width comma in a hand-made file: treat it as the separator.
        return parse_csv(text.replace('，', ",").as_bytes());
    } else {
        b','
    };
    let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
    let mut table = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| {
            InputError(Msg::new(
                format!("CSV 格式错误：{e}。请用 Excel 另存为 CSV 后重试。"),
                format!("Malformed CSV: {e}. Save it again as CSV from a spreadsheet and retry."),
            ))
        })?;
        // The line as an editor shows it, counting blank lines (the reader skips them).
        let line = rec
            .position()
            .map(|p| {
                let bytes = text.as_bytes();
                let mut at = (p.byte() as usize).min(bytes.len());
                // A record after blank lines is positioned at the first blank line.
                while at < bytes.len() && (bytes[at] == b'\n' || bytes[at] == b'\r') {
                    at += 1;
                }
                bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
            })
            .unwrap_or(table.len() + 1);
        table.push((line, rec.iter().map(String::from).collect()));
    }
    rows_from_table(table)
}

/// Parses the first sheet of a spreadsheet (XLSX, XLS, ODS) into rows.
pub fn parse_xlsx(path: &Path) -> Result<Vec<Row>, InputError> {
    use calamine::{Data, Reader};
    let bad = |e: String| {
        InputError(Msg::new(
            format!("无法读取表格 {}：{e}。请确认它是有效的 Excel 文件。", path.display()),
            format!("Cannot read the spreadsheet {}: {e}. Make sure it is a valid Excel file.", path.display()),
        ))
    };
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| bad(e.to_string()))?;
    let range = wb.worksheet_range_at(0).ok_or_else(|| bad("no sheet".into()))?.map_err(|e| bad(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let table = range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let cells = r
                .iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Int(i) => i.to_string(),
                    // A number typed into a numeric cell: Excel keeps 15 significant digits,
                    // so an 18-digit number arrives damaged and fails validation visibly.
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e19 => format!("{}", *f as i128),
                    Data::Float(f) => f.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect();
            (first_row + i + 1, cells)
        })
        .collect();
    rows_from_table(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_header_and_extra_columns() {
        let rows = parse_csv("\u{feff}序号,姓名,部门,身份证号\n1,张三,前台,11010519491231002X\n\n2,李四,后台,110105194912310028\n".as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name.expose(), "张三");
        assert_eq!(rows[1].number.expose(), "110105194912310028");
        assert_eq!(rows[1].source, Source::Line(4));
        assert!(rows.iter().all(|r| r.read_error.is_none()));
    }

    #[test]
    fn csv_in_english_gbk_and_headerless() {
        let rows = parse_csv(b"Name,IDCard\nZhang San,11010519491231002x\n").unwrap();
        assert_eq!(rows[0].name.expose(), "Zhang San");
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,身份证号码\n王五,11010519491231002X\n");
        let rows = parse_csv(&gbk).unwrap();
        assert_eq!(rows[0].name.expose(), "王五");
        let rows = parse_csv("赵六,11010519491231002X\n钱七,110105194912310028\n".as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].name.expose(), "钱七");
    }

    #[test]
    fn missing_cells_are_reported_not_dropped() {
        let rows = parse_csv("name,number\n张三,\n,11010519491231002X\n".as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].read_error.as_ref().unwrap().en.contains("no ID number"));
        assert!(rows[1].read_error.as_ref().unwrap().en.contains("no name"));
    }

    #[test]
    fn unknown_columns_say_what_to_do() {
        let e = parse_csv("a,b\nx,y\n".as_bytes()).unwrap_err();
        assert!(e.0.zh.contains("姓名"));
    }
}
