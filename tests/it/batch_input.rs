//! Hostile inputs are refused, or read, within bounded memory: batch tables and folders
//! (src/batch/input.rs) and photos at the pixel limit (src/image_prep).
//!
//! Each case runs in a child process, this test binary run again with `IDCHECK_HOSTILE_CASE`
//! naming the case, so that the peak resident memory it reports (VmHWM, from
//! /proc/self/status) is the case's own. The hostile files are generated here, in the parent.

use rust_xlsxwriter::Workbook;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

/// The most memory any case may take, all of the process included.
const LIMIT_MB: u64 = 300;
const CASE: &str = "IDCHECK_HOSTILE_CASE";
const FILE: &str = "IDCHECK_HOSTILE_FILE";

const HEADER: [&str; 2] = ["姓名", "身份证号"];
const NUMBER: &str = "11010519491231002X";

/// The child's side: does what `IDCHECK_HOSTILE_CASE` says to `IDCHECK_HOSTILE_FILE`, then
/// prints the outcome and its peak memory. Without the variables (a plain `cargo test`), nothing.
#[test]
fn hostile_case_child() {
    let (Ok(case), Ok(file)) = (std::env::var(CASE), std::env::var(FILE)) else { return };
    let path = Path::new(&file);
    let outcome = match case.as_str() {
        "load" => match idcheck::batch::load(path) {
            Ok(input) => {
                let last = input.rows.last().map(|r| format!("{:?}", r.source)).unwrap_or_default();
                format!("ok rows={} images={} last={last}", input.rows.len(), input.images.len())
            }
            Err(e) => format!("err {}", e.0.en),
        },
        "prepare" => {
            let bytes = std::fs::read(path).unwrap();
            match idcheck::image_prep::prepare(&bytes) {
                Ok(p) => format!("ok {}x{}", p.width, p.height),
                Err(e) => format!("err {:?} {}", e.kind, e.message.en),
            }
        }
        other => panic!("unknown case {other}"),
    };
    println!("OUTCOME {outcome}");
    println!("VMHWM_KB {}", vmhwm_kb());
}

fn vmhwm_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/self/status");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Runs `case` on `file` in a child process; returns its outcome line and its peak memory in MB,
/// after checking the peak against [`LIMIT_MB`].
fn run(what: &str, case: &str, file: &Path) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "batch_input::hostile_case_child", "--nocapture", "--test-threads=1"])
        .env(CASE, case)
        .env(FILE, file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{what}: the child failed\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let field = |key: &str| {
        stdout.lines().find_map(|l| l.split_once(key).map(|(_, v)| v)).unwrap_or_else(|| panic!("{what}: no {key} in\n{stdout}")).trim().to_string()
    };
    let outcome = field("OUTCOME ");
    let peak_mb = field("VMHWM_KB ").parse::<u64>().unwrap() / 1024;
    eprintln!("{what}: peak {peak_mb} MB: {outcome}");
    assert!(peak_mb < LIMIT_MB, "{what}: peak {peak_mb} MB, over {LIMIT_MB} MB ({outcome})");
    outcome
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// An XLSX with the header in row 1 and `cells` ((row, column, text), 0-based) elsewhere.
fn xlsx(path: &Path, cells: &[(u32, u16, &str)]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for &(r, c, text) in cells {
        ws.write_string(r, c, text).unwrap();
    }
    wb.save(path).unwrap();
}

/// Copies the zip at `from` to `to`, with the parts `replace` names given new contents.
fn patch_zip(from: &Path, to: &Path, replace: &dyn Fn(&str, Vec<u8>) -> Vec<u8>) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        dst.start_file(name.as_str(), opts).unwrap();
        dst.write_all(&replace(&name, data)).unwrap();
    }
    dst.finish().unwrap();
}

#[test]
fn a_sparse_xlsx_is_read_cell_by_cell() {
    let d = dir();
    // One cell at the far corner: calamine's dense range would be 2^34 cells (half a terabyte).
    let corner = d.path().join("corner.xlsx");
    xlsx(&corner, &[(1, 0, "张三"), (1, 1, NUMBER), (1_048_575, 16_383, "x")]);
    let out = run("xlsx, a cell at XFD1048576", "load", &corner);
    assert!(out.starts_with("err ") && out.contains("beyond 200 columns"), "{out}");
    assert!(out.contains("Line 1048576"), "{out}");

    // A data row at row 1,000,000, and a cell in the 200th column: read, as one row.
    let far = d.path().join("far.xlsx");
    xlsx(&far, &[(999_999, 0, "张三"), (999_999, 1, NUMBER), (999_999, 199, "note")]);
    let out = run("xlsx, a row at 1,000,000", "load", &far);
    assert_eq!(out, "ok rows=1 images=0 last=Line(1000000)");

    // A sheet whose <dimension> claims the whole grid over three cells.
    let small = d.path().join("small.xlsx");
    xlsx(&small, &[(1, 0, "张三"), (1, 1, NUMBER)]);
    let lying = d.path().join("lying.xlsx");
    patch_zip(&small, &lying, &|name, data| {
        if name != "xl/worksheets/sheet1.xml" {
            return data;
        }
        let xml = String::from_utf8(data).unwrap();
        let at = xml.find("<dimension ref=\"").expect("a dimension element");
        let end = at + xml[at..].find("/>").unwrap();
        let patched = format!("{}<dimension ref=\"A1:XFD1048576\"{}", &xml[..at], &xml[end..]);
        patched.into_bytes()
    });
    let out = run("xlsx, <dimension ref=\"A1:XFD1048576\">", "load", &lying);
    assert_eq!(out, "ok rows=1 images=0 last=Line(2)");
}

#[test]
fn an_xlsx_takes_at_most_100000_rows() {
    let d = dir();
    let write = |path: &Path, rows: u32| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["序号", "姓名", "部门", "身份证号", "备注"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for r in 1..=rows {
            ws.write_number(r, 0, r as f64).unwrap();
            ws.write_string(r, 1, format!("客户{r}")).unwrap();
            ws.write_string(r, 2, "前台").unwrap();
            ws.write_string(r, 3, NUMBER).unwrap();
            ws.write_string(r, 4, format!("第 {r} 位客户的备注")).unwrap();
        }
        wb.save(path).unwrap();
    };
    let full = d.path().join("full.xlsx");
    write(&full, 100_000);
    assert_eq!(run("xlsx, 100,000 rows of 5 columns", "load", &full), "ok rows=100000 images=0 last=Line(100001)");
    let over = d.path().join("over.xlsx");
    write(&over, 100_001);
    let out = run("xlsx, 100,001 rows", "load", &over);
    assert!(out.starts_with("err ") && out.contains("more than 100000 data rows") && out.contains("Split"), "{out}");
}

#[test]
fn an_xlsx_bomb_is_refused_before_it_is_opened() {
    let d = dir();
    let small = d.path().join("small.xlsx");
    xlsx(&small, &[(1, 0, "张三"), (1, 1, NUMBER)]);
    // Shared strings of 256 MB decompressed, a fraction of a megabyte compressed: calamine would
    // read them whole.
    let bomb = d.path().join("bomb.xlsx");
    patch_zip(&small, &bomb, &|name, data| {
        if name != "xl/sharedStrings.xml" {
            return data;
        }
        let mut xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>姓名</t></si><si><t>身份证号</t></si><si><t>张三"#.as_bytes().to_vec();
        xml.resize(xml.len() + (256 << 20), b'A');
        xml.extend_from_slice(b"</t></si></sst>");
        xml
    });
    assert!(std::fs::metadata(&bomb).unwrap().len() < 8 << 20);
    let out = run("xlsx, 256 MB of shared strings", "load", &bomb);
    assert!(out.starts_with("err ") && out.contains("too large once decompressed"), "{out}");

    // A cell of 60 MB written inline in the sheet (no shared strings), within the part limit:
    // streamed, then refused, as no cell of Excel's is that long.
    let giant = d.path().join("giant.xlsx");
    patch_zip(&small, &giant, &|name, data| {
        if name != "xl/worksheets/sheet1.xml" {
            return data;
        }
        let xml = String::from_utf8(data).unwrap();
        let at = xml.find("</sheetData>").expect("sheet data");
        let mut out = xml.as_bytes()[..at].to_vec();
        out.extend_from_slice(br#"<row r="3"><c r="A3" t="inlineStr"><is><t>"#);
        out.resize(out.len() + (60 << 20), b'1');
        out.extend_from_slice(b"</t></is></c></row>");
        out.extend_from_slice(&xml.as_bytes()[at..]);
        out
    });
    let out = run("xlsx, an inline cell of 60 MB", "load", &giant);
    assert!(out.starts_with("err ") && out.contains("Line 3") && out.contains("more than 32767 characters"), "{out}");
}

#[test]
fn old_xls_and_ods_are_refused_with_what_to_do() {
    let d = dir();
    for name in ["old.xls", "old.ods"] {
        let path = d.path().join(name);
        std::fs::write(&path, b"not read").unwrap();
        let e = idcheck::batch::load(&path).unwrap_err();
        assert!(e.0.en.contains("Save it as .xlsx or CSV"), "{}", e.0.en);
        assert!(e.0.zh.contains("另存为 .xlsx 或 CSV"), "{}", e.0.zh);
    }
}

#[test]
fn csv_size_lines_and_columns_are_bounded() {
    let d = dir();
    // A 3 GB file (sparse: it takes no disk) is refused before it is read.
    let huge = d.path().join("huge.csv");
    std::fs::File::create(&huge).unwrap().set_len(3 << 30).unwrap();
    let out = run("csv, 3 GB", "load", &huge);
    assert!(out.starts_with("err ") && out.contains("over the 64 MB limit"), "{out}");

    // One line of 60 MB, a single giant cell: refused, never copied.
    let giant = d.path().join("giant.csv");
    let mut text = format!("{},{}\n张三,", HEADER[0], HEADER[1]).into_bytes();
    text.resize(text.len() + (60 << 20), b'1');
    text.push(b'\n');
    std::fs::write(&giant, &text).unwrap();
    let out = run("csv, a 60 MB cell", "load", &giant);
    assert!(out.starts_with("err ") && out.contains("Line 2") && out.contains("more than 32767 characters"), "{out}");
    // A cell of Excel's 32,767 characters is read (and fails validation later).
    let long = d.path().join("long.csv");
    std::fs::write(&long, format!("{},{}\n张三,{}\n", HEADER[0], HEADER[1], "1".repeat(32_767))).unwrap();
    assert_eq!(run("csv, a cell of 32,767 characters", "load", &long), "ok rows=1 images=0 last=Line(2)");

    // 30 million fields on one line are refused before any is held.
    let wide = d.path().join("wide.csv");
    let mut text = format!("{},{}\n张三,{NUMBER}", HEADER[0], HEADER[1]).into_bytes();
    text.resize(text.len() + (30 << 20), b',');
    text.push(b'\n');
    std::fs::write(&wide, &text).unwrap();
    let out = run("csv, 30 million commas on a line", "load", &wide);
    assert!(out.starts_with("err ") && out.contains("Line 2") && out.contains("beyond 200 columns"), "{out}");

    // 100,000 rows are read; one more is refused.
    let rows = |n: usize| {
        let mut t = String::from("序号,姓名,部门,身份证号,备注\n");
        for r in 1..=n {
            t.push_str(&format!("{r},客户{r},前台,{NUMBER},第 {r} 位客户的备注\n"));
        }
        t
    };
    let full = d.path().join("full.csv");
    std::fs::write(&full, rows(100_000)).unwrap();
    assert_eq!(run("csv, 100,000 rows", "load", &full), "ok rows=100000 images=0 last=Line(100001)");
    let over = d.path().join("over.csv");
    std::fs::write(&over, rows(100_001)).unwrap();
    let out = run("csv, 100,001 rows", "load", &over);
    assert!(out.starts_with("err ") && out.contains("more than 100000 data rows"), "{out}");
}

#[test]
fn a_folder_holds_paths_not_photos() {
    let d = dir();
    // 2,000 photos of 256 KB (half a gigabyte): listed and fingerprinted a buffer at a time.
    let photos = d.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    let content = vec![0x5Au8; 256 << 10];
    for i in 0..2000 {
        std::fs::write(photos.join(format!("{i:05}.jpg")), &content).unwrap();
    }
    std::fs::write(photos.join("notes.txt"), b"not a photo").unwrap();
    assert_eq!(run("folder, 2,000 photos of 256 KB", "load", &photos), "ok rows=0 images=2000 last=");

    // More photos than a batch takes: refused while listing.
    let many = d.path().join("many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..=idcheck::batch::input::MAX_ROWS {
        std::fs::File::create(many.join(format!("{i:06}.png"))).unwrap();
    }
    let out = run("folder, 100,001 photos", "load", &many);
    assert!(out.starts_with("err ") && out.contains("more than 100000 photos") && out.contains("several folders"), "{out}");
}

/// Pixels for the image cases: smooth gradients, so the files stay small (the memory a decode
/// takes does not depend on the content).
fn pixel(x: u32, y: u32) -> [u8; 3] {
    [(x / 40 % 256) as u8, (y / 40 % 256) as u8, ((x + y) / 80 % 256) as u8]
}

/// A progressive JPEG with every component at full resolution (4:4:4), `w` × `h`.
fn progressive_jpeg(path: &Path, w: u16, h: u16) {
    struct Gen(u16, u16);
    impl jpeg_encoder::ImageBuffer for Gen {
        fn get_jpeg_color_type(&self) -> jpeg_encoder::JpegColorType {
            jpeg_encoder::JpegColorType::Ycbcr
        }
        fn width(&self) -> u16 {
            self.0
        }
        fn height(&self) -> u16 {
            self.1
        }
        fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
            for x in 0..self.0 {
                let [r, g, b] = pixel(x as u32, y as u32).map(|c| c as f32);
                buffers[0].push((0.299 * r + 0.587 * g + 0.114 * b) as u8);
                buffers[1].push((128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b) as u8);
                buffers[2].push((128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b) as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 80);
    enc.set_progressive(true);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
    enc.encode_image(Gen(w, h)).unwrap();
    std::fs::write(path, out).unwrap();
}

/// An RGBA PNG, `w` × `h`, its left half transparent.
fn rgba_png(path: &Path, w: u32, h: u32) {
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        let [r, g, b] = pixel(x, y);
        image::Rgba([r, g, b, if x < w / 2 { 0 } else { 255 }])
    });
    let f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    image::ImageEncoder::write_image(image::codecs::png::PngEncoder::new(f), img.as_raw(), w, h, image::ExtendedColorType::Rgba8).unwrap();
}

#[test]
fn photos_at_the_pixel_limit_are_refused_from_the_header_or_decoded_within_bounds() {
    let d = dir();
    let side = 10_000; // 100 megapixels: idcheck::image_prep::MAX_PIXELS.
    assert_eq!(side as u64 * side as u64, idcheck::image_prep::MAX_PIXELS);

    let jpg = d.path().join("progressive.jpg");
    progressive_jpeg(&jpg, side as u16, side as u16);
    let out = run("progressive 4:4:4 JPEG, 100 MP", "prepare", &jpg);
    assert!(out.starts_with("err TooLarge") && out.contains("10000×10000") && out.contains("plain JPEG"), "{out}");
    // Within the budget (200 MB of coefficients: 34 MP at 4:4:4), a progressive file is read.
    let ok = d.path().join("progressive-ok.jpg");
    progressive_jpeg(&ok, 6000, 5000);
    assert_eq!(run("progressive 4:4:4 JPEG, 30 MP", "prepare", &ok), "ok 2000x1667");

    let png = d.path().join("rgba.png");
    rgba_png(&png, side, side);
    let out = run("RGBA PNG, 100 MP", "prepare", &png);
    assert!(out.starts_with("err TooLarge") && out.contains("10000×10000"), "{out}");
    // Within the budget (200 MB decoded: 52 MP of RGBA), it is decoded and flattened in place.
    let ok = d.path().join("rgba-ok.png");
    rgba_png(&ok, 8000, 6000);
    assert_eq!(run("RGBA PNG, 48 MP", "prepare", &ok), "ok 2000x1500");
}
