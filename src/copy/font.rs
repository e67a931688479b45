//! Finding a CJK font on this machine for the copy's text.
//!
//! No font ships with the app (a CJK font is 10–20 MB and has its own licence); every desktop
//! Linux, Windows and macOS has one. `IDCHECK_CJK_FONT` names a file to use instead.

use super::CopyError;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable naming a font file (TrueType, OpenType or a collection).
pub const ENV: &str = "IDCHECK_CJK_FONT";

/// Fonts tried in order: a path and the index of a Simplified Chinese face in a collection.
const CANDIDATES: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    // Noto Sans CJK collections hold JP, KR, SC, TC, HK: the third is Simplified Chinese.
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("C:\\Windows\\Fonts\\simhei.ttf", 0),
    ("C:\\Windows\\Fonts\\msyh.ttc", 0),
    ("C:\\Windows\\Fonts\\simsun.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
];

/// A font file read into memory, with the face to use in it.
#[derive(Clone)]
pub struct FontFile {
    pub path: PathBuf,
    pub index: u32,
    pub data: Arc<Vec<u8>>,
}

impl std::fmt::Debug for FontFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontFile").field("path", &self.path).field("index", &self.index).field("bytes", &self.data.len()).finish()
    }
}

impl FontFile {
    /// Reads `path` and checks it has a face `index` with Chinese characters.
    pub fn load(path: &Path, index: u32) -> Result<FontFile, CopyError> {
        let data = std::fs::read(path).map_err(|e| {
            CopyError::new("font", format!("无法读取字体文件 {}：{e}", path.display()), format!("Cannot read the font file {}: {e}", path.display()))
        })?;
        let f = FontFile { path: path.to_path_buf(), index, data: Arc::new(data) };
        if !f.covers("仅供使用复印无效操作员0123456789-·") {
            return Err(CopyError::new(
                "font",
                format!("字体 {} 不含中文字符，或不是可用的 TrueType / OpenType 字体。", path.display()),
                format!("The font {} has no Chinese characters, or is not a usable TrueType / OpenType font.", path.display()),
            ));
        }
        Ok(f)
    }

    /// Whether every character of `text` has a glyph in the face.
    pub fn covers(&self, text: &str) -> bool {
        use skrifa::MetadataProvider;
        let Ok(font) = skrifa::FontRef::from_index(&self.data, self.index) else { return false };
        let map = font.charmap();
        text.chars().filter(|c| !c.is_whitespace()).all(|c| map.map(c).is_some())
    }

    /// The width of `text` at `size` points (advance widths, no kerning: what a CJK line is).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        use skrifa::instance::{LocationRef, Size};
        use skrifa::MetadataProvider;
        let Ok(font) = skrifa::FontRef::from_index(&self.data, self.index) else { return 0.0 };
        let map = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars().map(|c| map.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(size * 0.5)).sum()
    }
}

/// The font to use: `IDCHECK_CJK_FONT` when set (its face 0), else the first system CJK font
/// found.
pub fn find() -> Result<FontFile, CopyError> {
    if let Some(p) = std::env::var_os(ENV).filter(|p| !p.is_empty()) {
        return FontFile::load(Path::new(&p), 0);
    }
    for (p, i) in CANDIDATES {
        let path = Path::new(p);
        if path.is_file() {
            if let Ok(f) = FontFile::load(path, *i) {
                return Ok(f);
            }
        }
    }
    Err(CopyError::new(
        "font",
        format!(
            "没有找到中文字体，无法生成复印件。请安装中文字体（Debian / Ubuntu：sudo apt-get install fonts-wqy-zenhei 或 fonts-noto-cjk），或用环境变量 {ENV} 指定字体文件。"
        ),
        format!(
            "No Chinese font was found, so no copy can be made. Install one (Debian / Ubuntu: sudo apt-get install fonts-wqy-zenhei or fonts-noto-cjk), or name a font file in {ENV}."
        ),
    ))
}
