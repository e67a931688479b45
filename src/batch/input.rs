//! Reading a batch's input: a CSV or XLSX table of names and numbers, or a folder of photos.
//!
//! Tables come from many hands, so the reader is forgiving: a UTF-8 byte-order mark, GBK
//! files saved by Excel, header names in Chinese or English (姓名/name, 身份证号/number/idcard),
//! extra columns, blank lines, and numbers Excel stored as numbers. What it cannot read is
//! reported with the line and what to do, never silently dropped.

use crate::i18n::Msg;
use crate::secret::Sensitive;
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// Image extensions accepted in a folder input.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "bmp"];

// Limits: a batch input may come from anywhere, so what it can make this process hold is
// bounded (well under 300 MB, see tests/batch_input.rs) and each limit is told with what to do.

/// At most this many data rows in a table, and photos in a folder: a larger batch is split.
pub const MAX_ROWS: usize = 100_000;
/// At most this many columns in a table; a cell with content beyond them is refused.
pub const MAX_COLUMNS: usize = 200;
/// At most this many characters in a cell, as in Excel.
pub const MAX_CELL_CHARS: usize = 32_767;
/// A table file (CSV or spreadsheet) larger than this is refused before it is read.
pub const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;
/// A spreadsheet is a zip of XML parts: each part, decompressed, at most this large...
const MAX_SHEET_PART_BYTES: u64 = 64 * 1024 * 1024;
/// ...the shared strings (read into memory whole) at most this large...
const MAX_SHARED_STRINGS_BYTES: u64 = 32 * 1024 * 1024;
/// ...all parts together at most this large...
const MAX_SHEET_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
/// ...and at most this many parts.
const MAX_SHEET_PARTS: usize = 10_000;

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
    /// SHA-256 of the photo file's bytes, for rows read from photos: the same photo is never
    /// paid for twice, even when it reads differently the second time. Never stored as is
    /// (the database holds a keyed hash of it).
    pub photo_digest: Option<[u8; 32]>,
    /// What the reviewer should know about the row beyond its check: the back photo paired
    /// with it, a card that has expired, a duplicate of another row. Rows are named by their
    /// 1-based position, never by a file name (which may hold another holder's name).
    pub notes: Vec<Msg>,
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
            let bytes = read_table_file(path)?;
            let rows = parse_csv(&bytes)?;
            Ok(Input { rows, images: Vec::new(), fingerprint_parts: vec![bytes] })
        }
        InputKind::Xlsx => {
            let bytes = read_table_file(path)?;
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

/// A table file's bytes (kept for the fingerprint), refused above [`MAX_TABLE_BYTES`].
fn read_table_file(path: &Path) -> Result<Vec<u8>, InputError> {
    let len = std::fs::metadata(path).map_err(|e| read_error(path, e))?.len();
    if len > MAX_TABLE_BYTES {
        return Err(InputError(Msg::new(
            format!(
                "表格文件 {} 有 {} MB，超过 {} MB 的上限。请删去不需要的列，或把表格拆成几批（每批最多 {MAX_ROWS} 行）后重试。",
                path.display(),
                len.div_ceil(1024 * 1024),
                MAX_TABLE_BYTES / 1024 / 1024
            ),
            format!(
                "The table {} is {} MB, over the {} MB limit. Delete the columns you do not need, or split it into batches of at most {MAX_ROWS} rows, and retry.",
                path.display(),
                len.div_ceil(1024 * 1024),
                MAX_TABLE_BYTES / 1024 / 1024
            ),
        )));
    }
    std::fs::read(path).map_err(|e| read_error(path, e))
}

fn too_many_rows() -> InputError {
    InputError(Msg::new(
        format!("表格的数据超过 {MAX_ROWS} 行，一批最多 {MAX_ROWS} 行。请把表格拆成几批分别核验。"),
        format!("The table has more than {MAX_ROWS} data rows; a batch takes at most {MAX_ROWS}. Split it into several batches."),
    ))
}

/// Refuses a cell longer than Excel allows (a table cannot hold one), so that what is kept of
/// a line stays small whatever the file.
fn check_cell(line: usize, cell: &str) -> Result<(), InputError> {
    if cell.len() > MAX_CELL_CHARS && cell.chars().count() > MAX_CELL_CHARS {
        return Err(InputError(Msg::new(
            format!("表格第 {line} 行有一个单元格超过 {MAX_CELL_CHARS} 个字符（Excel 的上限），不像姓名或身份证号。请检查这一行（例如是否缺了引号或换行）后重试。"),
            format!("Line {line} of the table has a cell of more than {MAX_CELL_CHARS} characters (Excel's limit), which no name or number is. Check that line (a missing quote or line break, say) and retry."),
        )));
    }
    Ok(())
}

fn too_many_columns(line: usize) -> InputError {
    InputError(Msg::new(
        format!("表格第 {line} 行超过 {MAX_COLUMNS} 列，最多读取 {MAX_COLUMNS} 列。请只保留姓名、身份证号等需要的列（删去其余的列）后重试。"),
        format!("Line {line} of the table goes beyond {MAX_COLUMNS} columns, the most that is read. Keep the name and number columns, delete the others, and retry."),
    ))
}

/// Lists the photos of a folder (not recursive), sorted by file name. Their rows are filled
/// in by reading each photo (see [`crate::batch::read_images`]); only their paths and digests
/// are held here.
pub fn load_folder(dir: &Path) -> Result<Input, InputError> {
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let Ok(entry) = entry else { continue };
        let p = entry.path();
        if !IMAGE_EXTENSIONS.contains(&ext(&p).as_str()) || !p.is_file() {
            continue;
        }
        if files.len() == MAX_ROWS {
            return Err(InputError(Msg::new(
                format!("文件夹 {} 中的照片超过 {MAX_ROWS} 张，一批最多 {MAX_ROWS} 张。请把照片分到几个文件夹中分批核验。", dir.display()),
                format!(
                    "The folder {} holds more than {MAX_ROWS} photos; a batch takes at most {MAX_ROWS}. Spread them over several folders and check them batch by batch.",
                    dir.display()
                ),
            )));
        }
        files.push(p);
    }
    files.sort();
    if files.is_empty() {
        return Err(InputError(Msg::new(
            format!("文件夹 {} 中没有照片（支持 jpg、png、webp、bmp）。", dir.display()),
            format!("The folder {} holds no photos (jpg, png, webp, bmp are read).", dir.display()),
        )));
    }
    // Each photo by name and content; the content by its SHA-256, read a buffer at a time, so
    // a folder of thousands of photos is never held in memory.
    let mut parts = Vec::with_capacity(files.len() * 2);
    for f in &files {
        use sha2::Digest;
        parts.push(f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().into_bytes());
        let mut file = std::fs::File::open(f).map_err(|e| read_error(f, e))?;
        let mut digest = sha2::Sha256::new();
        std::io::copy(&mut file, &mut digest).map_err(|e| read_error(f, e))?;
        parts.push(digest.finalize().to_vec());
    }
    Ok(Input { rows: Vec::new(), images: files, fingerprint_parts: parts })
}

/// Decodes table text: strips a UTF-8 BOM; falls back to GBK (what Excel writes on Chinese
/// Windows) when the bytes are not UTF-8. UTF-8 text is borrowed, not copied.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::GBK.decode(bytes).0,
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

/// Turns a table's lines, fed in order as they are read, into rows: the first line with
/// content names the columns; of each later line only the name and the number are kept.
#[derive(Default)]
struct TableBuilder {
    /// (name column, number column), once the first line with content was seen.
    columns: Option<(usize, usize)>,
    rows: Vec<Row>,
}

impl TableBuilder {
    /// Takes the line `line` (as the user sees it) and its cells.
    fn push<S: AsRef<str>>(&mut self, line: usize, cells: &[S]) -> Result<(), InputError> {
        if cells.iter().all(|c| c.as_ref().trim().is_empty()) {
            return Ok(());
        }
        for c in cells {
            check_cell(line, c.as_ref())?;
        }
        let (name_col, num_col) = match self.columns {
            Some(c) => c,
            None => {
                let cells: Vec<String> = cells.iter().map(|c| c.as_ref().to_string()).collect();
                let (name_col, num_col, header) = columns(&cells)?;
                self.columns = Some((name_col, num_col));
                if header {
                    return Ok(());
                }
                (name_col, num_col)
            }
        };
        if self.rows.len() == MAX_ROWS {
            return Err(too_many_rows());
        }
        let get = |c: usize| cells.get(c).map(|s| s.as_ref().trim().to_string()).unwrap_or_default();
        let (name, number) = (get(name_col), get(num_col));
        let read_error = match (name.is_empty(), number.is_empty()) {
            (true, true) | (false, true) => Some(Msg::new(format!("第 {line} 行没有身份证号。"), format!("Line {line} has no ID number."))),
            (true, false) => Some(Msg::new(format!("第 {line} 行没有姓名。"), format!("Line {line} has no name."))),
            _ => None,
        };
        self.rows.push(Row {
            index: self.rows.len(),
            source: Source::Line(line),
            name: Sensitive::new(name),
            number: Sensitive::new(number),
            read_error,
            photo_digest: None,
            notes: Vec::new(),
        });
        Ok(())
    }

    fn finish(self) -> Result<Vec<Row>, InputError> {
        if self.columns.is_none() {
            return Err(InputError(Msg::new("表格是空的。请提供含姓名和身份证号的表格。", "The table is empty. Give a table of names and numbers.")));
        }
        Ok(self.rows)
    }
}

/// Parses CSV (or tab-separated) bytes into rows.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<Row>, InputError> {
    let text = decode(bytes);
    let first_line = text.lines().next().unwrap_or("");
    if first_line.contains('，') && !first_line.contains(',') && !first_line.contains('\t') {
        // A full-width comma in a hand-made file: treat it as the separator.
        let text = text.replace('，', ",");
        return parse_text(&text, b',');
    }
    let delim = if first_line.contains('\t') && !first_line.contains(',') { b'\t' } else { b',' };
    parse_text(&text, delim)
}

fn malformed_csv(e: impl fmt::Display) -> InputError {
    InputError(Msg::new(
        format!("CSV 格式错误：{e}。请用 Excel 另存为 CSV 后重试。"),
        format!("Malformed CSV: {e}. Save it again as CSV from a spreadsheet and retry."),
    ))
}

fn parse_text(text: &str, delim: u8) -> Result<Vec<Row>, InputError> {
    // The reader below holds a whole line's fields at once: count them first, so a line of a
    // million commas is refused rather than read.
    check_columns(text.as_bytes(), delim)?;
    let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut table = TableBuilder::default();
    // Newlines counted so far, up to byte `counted`: records come in order, so the line
    // numbers cost one pass over the text in all.
    let (mut counted, mut newlines) = (0usize, 0usize);
    let mut record = csv::StringRecord::new();
    let mut records = 0usize;
    while rd.read_record(&mut record).map_err(malformed_csv)? {
        records += 1;
        // The line as an editor shows it, counting blank lines (the reader skips them).
        let line = match record.position() {
            Some(p) => {
                let mut at = (p.byte() as usize).clamp(counted, bytes.len());
                // A record after blank lines is positioned at the first blank line.
                while at < bytes.len() && (bytes[at] == b'\n' || bytes[at] == b'\r') {
                    at += 1;
                }
                newlines += bytes[counted..at].iter().filter(|&&b| b == b'\n').count();
                counted = at;
                newlines + 1
            }
            None => records,
        };
        let cells: Vec<&str> = record.iter().collect();
        table.push(line, &cells)?;
    }
    table.finish()
}

/// Refuses a CSV with a line of more than [`MAX_COLUMNS`] fields, without holding any line.
fn check_columns(text: &[u8], delim: u8) -> Result<(), InputError> {
    use csv_core::ReadFieldResult;
    let mut rd = csv_core::ReaderBuilder::new().delimiter(delim).build();
    let mut out = [0u8; 4096];
    let (mut input, mut fields) = (text, 0usize);
    loop {
        let (res, nin, _) = rd.read_field(input, &mut out);
        input = &input[nin..];
        match res {
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
            ReadFieldResult::Field { record_end } => {
                fields += 1;
                if fields > MAX_COLUMNS {
                    return Err(too_many_columns(rd.line() as usize));
                }
                if record_end {
                    fields = 0;
                }
            }
            ReadFieldResult::End => return Ok(()),
        }
    }
}

/// Parses the first sheet of a spreadsheet (XLSX, XLSM, XLSB) into rows.
///
/// The sheet is read cell by cell, never as a whole range: calamine's ranges are dense, so a
/// sheet with one cell in A1 and one in XFD1048576 would take gigabytes. The zip's parts are
/// measured (decompressed) before calamine opens it, as it reads the shared strings whole.
/// Old binary `.xls` and `.ods` files are refused: calamine reads those into dense ranges as it
/// opens them, with no way to bound it.
pub fn parse_xlsx(path: &Path) -> Result<Vec<Row>, InputError> {
    let bad = |e: String| {
        InputError(Msg::new(
            format!("无法读取表格 {}：{e}。请确认它是有效的 Excel 文件。", path.display()),
            format!("Cannot read the spreadsheet {}: {e}. Make sure it is a valid Excel file.", path.display()),
        ))
    };
    let kind = ext(path);
    if kind == "xls" || kind == "ods" {
        return Err(InputError(Msg::new(
            format!("不读取旧版 .{kind} 表格（{}）。请在 Excel、WPS 或 LibreOffice 中把它另存为 .xlsx 或 CSV 后重试。", path.display()),
            format!("Old .{kind} spreadsheets are not read ({}). Save it as .xlsx or CSV in Excel, WPS or LibreOffice and retry.", path.display()),
        )));
    }
    check_zip(path)?;
    let file = std::io::BufReader::new(std::fs::File::open(path).map_err(|e| read_error(path, e))?);
    let mut sheet = SheetRows::new(path);
    if kind == "xlsb" {
        use calamine::Reader;
        let mut wb = calamine::Xlsb::new(file).map_err(|e| bad(e.to_string()))?;
        let name = wb.sheet_names().into_iter().next().ok_or_else(|| bad("no sheet".into()))?;
        let mut cells = wb.worksheet_cells_reader(&name).map_err(|e| bad(e.to_string()))?;
        while let Some(cell) = cells.next_cell().map_err(|e| bad(e.to_string()))? {
            sheet.cell(cell.get_position(), cell.get_value())?;
        }
    } else {
        use calamine::Reader;
        let mut wb = calamine::Xlsx::new(file).map_err(|e| bad(e.to_string()))?;
        let name = wb.sheet_names().into_iter().next().ok_or_else(|| bad("no sheet".into()))?;
        let mut cells = match wb.worksheet_cells_reader(&name) {
            Ok(cells) => cells,
            // A chart sheet first: nothing to read.
            Err(calamine::XlsxError::NotAWorksheet(_)) => return SheetRows::new(path).finish(),
            Err(e) => return Err(bad(e.to_string())),
        };
        while let Some(cell) = cells.next_cell().map_err(|e| bad(e.to_string()))? {
            sheet.cell(cell.get_position(), cell.get_value())?;
        }
    }
    sheet.finish()
}

/// Measures the parts of a spreadsheet's zip by decompressing them (their declared sizes may
/// lie) before calamine opens it. A file that is no zip is left to calamine to name (a
/// password-protected workbook, say).
fn check_zip(path: &Path) -> Result<(), InputError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else { return Ok(()) };
    let too_big = || {
        InputError(Msg::new(
            format!("表格 {} 解压后过大，不像一份名单。请在 Excel 或 WPS 中只保留名单（姓名、身份证号两列），另存为新的 .xlsx 或 CSV 后重试。", path.display()),
            format!(
                "The spreadsheet {} is far too large once decompressed for a list of names. Keep just the list (name and number columns) in Excel or WPS, save it as a new .xlsx or CSV, and retry.",
                path.display()
            ),
        ))
    };
    if zip.len() > MAX_SHEET_PARTS {
        return Err(too_big());
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        // A part that cannot be opened here is left to calamine, which reads what it needs.
        let Ok(part) = zip.by_index(i) else { continue };
        let limit = if part.name().to_ascii_lowercase().contains("sharedstrings") { MAX_SHARED_STRINGS_BYTES } else { MAX_SHEET_PART_BYTES };
        let size = std::io::copy(&mut part.take(limit + 1), &mut std::io::sink()).unwrap_or(0);
        total += size;
        if size > limit || total > MAX_SHEET_TOTAL_BYTES {
            return Err(too_big());
        }
    }
    Ok(())
}

/// A sheet's cells, as the cell reader gives them (row by row, as the format requires),
/// gathered into lines for a [`TableBuilder`].
struct SheetRows<'p> {
    path: &'p Path,
    table: TableBuilder,
    /// The row being gathered (0-based) and its cells so far.
    row: Option<u32>,
    cells: Vec<String>,
}

impl<'p> SheetRows<'p> {
    fn new(path: &'p Path) -> Self {
        SheetRows { path, table: TableBuilder::default(), row: None, cells: Vec::new() }
    }

    fn cell(&mut self, (row, col): (u32, u32), value: &calamine::DataRef<'_>) -> Result<(), InputError> {
        let text = cell_text(value);
        if text.trim().is_empty() {
            // Empty and formatted-only cells, anywhere, are no content.
            return Ok(());
        }
        if self.row != Some(row) {
            if self.row.is_some_and(|r| row < r) {
                return Err(InputError(Msg::new(
                    format!("表格 {} 的行顺序异常，无法逐行读取。请在 Excel 或 WPS 中打开它，另存为新的 .xlsx 后重试。", self.path.display()),
                    format!(
                        "The rows of {} are out of order and cannot be read line by line. Open it in Excel or WPS, save it as a new .xlsx, and retry.",
                        self.path.display()
                    ),
                )));
            }
            self.flush()?;
            self.row = Some(row);
        }
        let col = col as usize;
        if col >= MAX_COLUMNS {
            return Err(too_many_columns(row as usize + 1));
        }
        check_cell(row as usize + 1, &text)?;
        if self.cells.len() <= col {
            self.cells.resize(col + 1, String::new());
        }
        self.cells[col] = text;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), InputError> {
        if let Some(row) = self.row.take() {
            self.table.push(row as usize + 1, &self.cells)?;
            self.cells.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Row>, InputError> {
        self.flush()?;
        self.table.finish()
    }
}

fn cell_text(value: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match value {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        // A number typed into a numeric cell: Excel keeps 15 significant digits, so an 18-digit
        // number arrives damaged and fails validation visibly.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e19 => format!("{}", *f as i128),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::Empty => String::new(),
        other => calamine::Data::from(other.clone()).to_string(),
    }
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
