//! A watermarked copy of an ID card (身份证复印件) as a one-page PDF.
//!
//! Desks that must keep a copy of a card (hotels, banks, employers) are expected to stamp it
//! with what it is for, so a copy cannot be reused for anything else. This module finds each
//! card in the photos (`crate::card_locate`), straightens and crops it at 300 dpi, and lays
//! the front above the back at true card size (85.6 × 54 mm) on an A4 page, with the purpose,
//! date and operator written diagonally across both images and once more under them.
//!
//! The PDF is written by `krilla`: it embeds a subset of a TrueType or CFF font (a CJK font
//! is 10–20 MB whole; the subset is a few kilobytes) with a ToUnicode map, so the statement
//! stays searchable and copyable; it takes JPEG data as is (no re-encoding) and has opacity
//! and transforms. `printpdf` at the versions available brings a far larger dependency tree
//! for the same features. The font is a system CJK font found at run time ([`font`]).
//!
//! Nothing is written to disk here: the caller gets the PDF's bytes and decides where they go.

pub mod cards;
pub mod font;
mod pdf;

pub use cards::{Card, Side};
pub use font::FontFile;

use crate::i18n::Msg;
use chrono::NaiveDate;
use image::RgbImage;

/// Longest purpose accepted, in characters: it has to fit on one watermark line.
pub const PURPOSE_MAX: usize = 40;
/// Longest operator name accepted, in characters (as the settings allow).
pub const OPERATOR_MAX: usize = 32;

/// Why no copy could be made. The message says what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CopyError {
    /// A stable word: `purpose`, `operator`, `no_card`, `cut_off`, `too_many`, `font`, `pdf`, `image`.
    pub kind: &'static str,
    pub message: Msg,
}

impl CopyError {
    pub fn new(kind: &'static str, zh: impl Into<String>, en: impl Into<String>) -> CopyError {
        CopyError { kind, message: Msg::new(zh, en) }
    }
}

/// What the watermark states: the purpose, the day and who made the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub purpose: String,
    pub date: NaiveDate,
    pub operator: Option<String>,
}

impl Statement {
    /// Checks the purpose (required, trimmed, at most [`PURPOSE_MAX`] characters, one line)
    /// and the operator (optional, at most [`OPERATOR_MAX`]).
    pub fn new(purpose: &str, operator: Option<&str>, date: NaiveDate) -> Result<Statement, CopyError> {
        let mut p = purpose.trim();
        // "仅供…使用" is added around the purpose; accept it typed in full as well.
        if let Some(rest) = p.strip_prefix("仅供") {
            p = rest.strip_suffix("使用").unwrap_or(rest).trim();
        }
        if p.is_empty() {
            return Err(CopyError::new(
                "purpose",
                "请填写复印件的用途，例如“办理入职手续”。用途会印在复印件上。",
                "Give the copy's purpose, for example “办理入职手续” (onboarding). It is printed on the copy.",
            ));
        }
        if p.chars().count() > PURPOSE_MAX || p.chars().any(char::is_control) {
            return Err(CopyError::new(
                "purpose",
                format!("用途最多 {PURPOSE_MAX} 个字，且不能换行。请写短一些。"),
                format!("The purpose may have at most {PURPOSE_MAX} characters and no line breaks. Shorten it."),
            ));
        }
        let operator = operator.map(str::trim).filter(|s| !s.is_empty());
        if let Some(o) = operator {
            if o.chars().count() > OPERATOR_MAX || o.chars().any(char::is_control) {
                return Err(CopyError::new(
                    "operator",
                    format!("操作员姓名最多 {OPERATOR_MAX} 个字，且不能换行。"),
                    format!("The operator's name may have at most {OPERATOR_MAX} characters and no line breaks."),
                ));
            }
        }
        Ok(Statement { purpose: p.to_string(), date, operator: operator.map(String::from) })
    }

    /// The line printed on the copy, e.g. "仅供办理入职手续使用 · 2026-12-04 · 操作员 王芳 · 再复印无效".
    pub fn text(&self) -> String {
        let mut s = format!("仅供{}使用 · {}", self.purpose, self.date.format("%Y-%m-%d"));
        if let Some(o) = &self.operator {
            s.push_str(&format!(" · 操作员 {o}"));
        }
        s.push_str(" · 再复印无效");
        s
    }
}

/// A copy made: the PDF and which sides it shows, front first.
pub struct CopyPdf {
    pub pdf: Vec<u8>,
    pub sides: Vec<Option<Side>>,
    /// The cards placed on the page, straightened, front first: what a face prints when the
    /// clerk prints instead of saving (in memory only).
    pub cards: Vec<cards::Card>,
}

impl std::fmt::Debug for CopyPdf {
    /// Never prints the bytes: the PDF holds the card's images.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyPdf").field("pdf_bytes", &self.pdf.len()).field("sides", &self.sides).finish()
    }
}

impl CopyPdf {
    /// The sides as recorded in the audit trail: `front+back`, `front`, `back`, `card+card`….
    pub fn sides_label(&self) -> String {
        self.sides.iter().map(|s| s.map(Side::as_str).unwrap_or("card")).collect::<Vec<_>>().join("+")
    }

    /// The sides as the person reads them: 正面+反面 / front+back.
    pub fn sides_msg(&self) -> Msg {
        let zh = self
            .sides
            .iter()
            .map(|s| match s {
                Some(Side::Front) => "正面",
                Some(Side::Back) => "反面",
                None => "证件",
            })
            .collect::<Vec<_>>()
            .join("+");
        Msg::new(zh, self.sides_label())
    }
}

/// Makes the copy from one or two photos: each card found in them (at most two in all), the
/// front placed above the back, with the statement over both. `font` is usually
/// [`font::find`]`()`.
pub fn make(photos: &[&RgbImage], statement: &Statement, font: &FontFile) -> Result<CopyPdf, CopyError> {
    let cards = cards::from_photos(photos)?;
    let sides = cards.iter().map(|c| c.side).collect();
    let images: Vec<&RgbImage> = cards.iter().map(|c| &c.image).collect();
    let pdf = pdf::render(&images, statement, font)?;
    Ok(CopyPdf { pdf, sides, cards })
}

#[cfg(test)]
mod tests;
