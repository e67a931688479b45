//! The copy's page: A4, each card at true size (85.6 × 54 mm) centred, front above back, a
//! thin outline around each, the statement repeated diagonally over both and once under them.

use super::font::FontFile;
use super::{CopyError, Statement};
use image::RgbImage;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
/// A4 in points.
pub const PAGE_W: f32 = 210.0 * MM;
pub const PAGE_H: f32 = 297.0 * MM;
/// A card in points.
pub const CARD_W: f32 = 85.6 * MM;
pub const CARD_H: f32 = 54.0 * MM;
/// Between the two cards.
const GAP: f32 = 16.0 * MM;
/// From the last card to the caption's baseline.
const CAPTION_BELOW: f32 = 8.0 * MM;
/// JPEG quality of the card images: a copy is read by people, often printed.
const JPEG_QUALITY: u8 = 90;
/// The watermark's size, angle (degrees, rising to the right), row spacing and opacity.
const MARK_SIZE: f32 = 9.0;
const MARK_ANGLE: f32 = -30.0;
const MARK_ROW: f32 = 30.0;
const MARK_OPACITY: f32 = 0.38;

/// Where each card goes on the page (top-left corners, y down), for `n` cards.
pub fn card_origins(n: usize) -> Vec<(f32, f32)> {
    let block = n as f32 * CARD_H + (n.saturating_sub(1)) as f32 * GAP + CAPTION_BELOW;
    let top = (PAGE_H - block) / 2.0;
    let left = (PAGE_W - CARD_W) / 2.0;
    (0..n).map(|i| (left, top + i as f32 * (CARD_H + GAP))).collect()
}

fn fail(what: &str) -> CopyError {
    CopyError::new("pdf", format!("生成 PDF 失败：{what}"), format!("Writing the PDF failed: {what}"))
}

fn rect_path(r: Rect) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(r);
    pb.finish()
}

/// The PDF of `cards` (upright, card-shaped images) with `statement`.
pub fn render(cards: &[&RgbImage], statement: &Statement, font: &FontFile) -> Result<Vec<u8>, CopyError> {
    let text = statement.text();
    if !font.covers(&text) {
        return Err(CopyError::new(
            "font",
            format!("字体 {} 缺少用途或操作员中的某些字。请换用其他中文字体（环境变量 {}）。", font.path.display(), super::font::ENV),
            format!("The font {} lacks some characters of the purpose or operator. Use another Chinese font ({}).", font.path.display(), super::font::ENV),
        ));
    }
    let kfont = Font::new(font.data.clone().into(), font.index).ok_or_else(|| fail("font"))?;
    let mut images = Vec::with_capacity(cards.len());
    for c in cards {
        let jpeg = crate::image_prep::encode_jpeg(c, JPEG_QUALITY).map_err(|_| fail("jpeg"))?;
        images.push(krilla::image::Image::from_jpeg(std::sync::Arc::new(jpeg).into(), true).map_err(|e| fail(&e))?);
    }
    let origins = card_origins(cards.len());
    let mut doc = Document::new_with(SerializeSettings::default());
    let mut page = doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| fail("page"))?);
    let mut s = page.surface();
    let card_rect = |(x, y): (f32, f32)| Rect::from_xywh(x, y, CARD_W, CARD_H);

    for (img, &(x, y)) in images.into_iter().zip(&origins) {
        s.push_transform(&Transform::from_translate(x, y));
        s.draw_image(img, Size::from_wh(CARD_W, CARD_H).ok_or_else(|| fail("size"))?);
        s.pop();
    }
    // A thin outline, as a photocopier leaves the card's edge.
    s.set_fill(None);
    s.set_stroke(Some(Stroke { paint: rgb::Color::new(90, 90, 90).into(), width: 0.5, ..Default::default() }));
    for &o in &origins {
        if let Some(p) = card_rect(o).and_then(rect_path) {
            s.draw_path(&p);
        }
    }
    s.set_stroke(None);

    // The watermark: rows of the statement turned about the middle of the cards, clipped to them.
    let mark =
        Fill { paint: rgb::Color::new(170, 20, 20).into(), opacity: NormalizedF32::new(MARK_OPACITY).unwrap_or(NormalizedF32::ONE), rule: FillRule::NonZero };
    let (first, last) = (origins[0], origins[origins.len() - 1]);
    let mut pb = PathBuilder::new();
    for &o in &origins {
        if let Some(r) = card_rect(o) {
            pb.push_rect(r);
        }
    }
    let clip = pb.finish().ok_or_else(|| fail("clip"))?;
    s.push_clip_path(&clip, &FillRule::NonZero);
    let (cx, cy) = (first.0 + CARD_W / 2.0, (first.1 + last.1 + CARD_H) / 2.0);
    let reach = ((CARD_W).powi(2) + (last.1 + CARD_H - first.1).powi(2)).sqrt() / 2.0 + MARK_ROW;
    let step = font.width(&text, MARK_SIZE) + 4.0 * MARK_SIZE;
    s.push_transform(&Transform::from_translate(cx, cy));
    s.push_transform(&Transform::from_rotate(MARK_ANGLE));
    s.set_fill(Some(mark));
    let rows = (reach / MARK_ROW).ceil() as i32;
    for row in -rows..=rows {
        let y = row as f32 * MARK_ROW;
        // Brickwork: every other row shifted by half a line.
        let mut x = -reach - step + if row % 2 == 0 { 0.0 } else { step / 2.0 };
        while x < reach {
            s.draw_text(Point::from_xy(x, y), kfont.clone(), MARK_SIZE, &text, false, TextDirection::Auto);
            x += step;
        }
    }
    s.pop();
    s.pop();
    s.pop();

    // The caption under the cards, in black.
    let size = 10.0;
    let w = font.width(&text, size);
    s.set_fill(Some(Fill { paint: rgb::Color::new(0, 0, 0).into(), ..Default::default() }));
    s.draw_text(Point::from_xy((PAGE_W - w) / 2.0, last.1 + CARD_H + CAPTION_BELOW), kfont, size, &text, false, TextDirection::Auto);
    s.finish();
    page.finish();
    doc.finish().map_err(|e| fail(&format!("{e:?}")))
}
