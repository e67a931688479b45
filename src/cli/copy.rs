//! `idcheck copy`: a watermarked copy (身份证复印件) of a card as a one-page A4 PDF, from a
//! photo of the front and one of the back (see `idcheck::copy`), recorded in the audit trail
//! (purpose, operator, sides; never an image) by the desk (`Desk::make_copy`).

use idcheck::desk::{Desk, DeskConfig};
use idcheck::i18n::{Lang, Msg};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Photo of the front (人像面). 正面照片。
    #[arg(value_name = "FRONT_PHOTO")]
    pub front: PathBuf,
    /// Photo of the back (国徽面), if the front photo does not hold it. 反面照片。
    #[arg(value_name = "BACK_PHOTO")]
    pub back: Option<PathBuf>,
    /// What the copy is for, printed on it (e.g. 办理入职手续). 复印件用途（必填）。
    #[arg(long, value_name = "TEXT")]
    pub purpose: String,
    /// Who makes the copy (default: the operator in the settings). 操作员。
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// The PDF to write. 输出的 PDF 文件。
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Replace the output file if it exists. 覆盖已有文件。
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, lang: Lang) -> i32 {
    match make(&args, lang) {
        Ok(()) => 0,
        Err(m) => super::trail::fail(&m, lang),
    }
}

fn load(path: &Path) -> Result<image::RgbImage, Msg> {
    let bytes = idcheck::desk::photo::read_path(path).map_err(|e| e.message)?;
    let name = path.display();
    idcheck::image_prep::decode_upright(&bytes).map(|(img, _)| img).map_err(|e| {
        let m = idcheck::desk::DeskError::from(e).message;
        Msg::new(format!("{name}：{}", m.zh), format!("{name}: {}", m.en))
    })
}

fn make(args: &Args, lang: Lang) -> Result<(), Msg> {
    if args.out.exists() && !args.force {
        return Err(Msg::new(
            format!("{} 已存在。请换一个文件名，或加 --force 覆盖。", args.out.display()),
            format!("{} already exists. Choose another name, or pass --force to replace it.", args.out.display()),
        ));
    }
    let mut photos = vec![load(&args.front)?];
    if let Some(b) = &args.back {
        photos.push(load(b)?);
    }
    let settings = idcheck::settings::load().unwrap_or_default();
    let desk = Desk::with_settings(DeskConfig::from_env(), settings);
    let refs: Vec<&image::RgbImage> = photos.iter().collect();
    let made = desk.make_copy(&refs, &args.purpose, args.operator.as_deref()).map_err(|e| {
        // Say which photo had no card when there are two.
        match (e.kind.as_str(), &args.back) {
            ("no_card" | "cut_off", Some(_)) => Msg::new(format!("{} {}", e.message.zh, "（请检查两张照片）"), format!("{} (check both photos)", e.message.en)),
            _ => e.message,
        }
    })?;
    write(&args.out, &made.copy.pdf, args.force)?;
    if let Some(e) = &made.not_recorded {
        super::trail::warn(&e.message, lang);
    }
    let (sides, text) = (made.copy.sides_msg(), made.statement.text());
    let kb = made.copy.pdf.len().div_ceil(1024);
    let m = Msg::new(
        format!("已生成复印件 {}（{}，{kb} KB）：{text}", args.out.display(), sides.zh),
        format!("Copy written to {} ({}, {kb} KB): {text}", args.out.display(), sides.en),
    );
    println!("{}", m.get(lang));
    Ok(())
}

/// Writes the PDF; without `force`, never over a file that appeared meanwhile.
fn write(path: &Path, pdf: &[u8], force: bool) -> Result<(), Msg> {
    let err = |e: std::io::Error| Msg::new(format!("无法写入 {}：{e}", path.display()), format!("Cannot write {}: {e}", path.display()));
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if force {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    let mut f = o.open(path).map_err(err)?;
    f.write_all(pdf).map_err(err)?;
    f.sync_all().map_err(err)
}
