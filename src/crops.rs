//! Finds the cards in a photo and cuts them out, in memory.
//!
//! People photograph an ID card's front and back side by side, lay both on a scanner, or hold
//! two people's cards in one photo. Reading, the copy and the window all need the same answer
//! to "which cards are here, which way up, which side": this module is the one place that gives
//! it. Crops never leave memory here; only an explicit export (the copy PDF) writes them out.

use crate::card_locate::{self, Quad};
use image::{imageops, Rgb, RgbImage};

/// A card's width in pixels at 300 dpi (85.6 mm).
pub const WIDTH: u32 = 1011;
/// A card's height in pixels at 300 dpi (54 mm).
pub const HEIGHT: u32 = 638;

/// Which side of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// 人像面: name, number and portrait.
    Front,
    /// 国徽面: the emblem, the issuing office and the validity.
    Back,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
        }
    }
}

/// One card found in a photo: where it lies, the card straightened and cropped (upright,
/// [`WIDTH`] × [`HEIGHT`], 85.6 × 54 mm at 300 dpi) and its side when it can be told.
#[derive(Clone)]
pub struct Crop {
    /// The card's corners in the photo, card top-left first.
    pub quad: Quad,
    pub image: RgbImage,
    pub side: Option<Side>,
}

impl std::fmt::Debug for Crop {
    /// Never prints pixels: a card's image is personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crop")
            .field("quad", &self.quad)
            .field("width", &self.image.width())
            .field("height", &self.image.height())
            .field("side", &self.side)
            .finish()
    }
}

/// Every whole card in `img` (see [`card_locate::locate_all`]), fronts first (then cards whose
/// side is unclear, then backs), each group in reading order (rows top to bottom, a row left to
/// right). With one card in view this is the card [`card_locate::locate`] finds.
pub fn cards(img: &RgbImage) -> Vec<Crop> {
    cut(img, card_locate::locate_all(img))
}

/// The cards at `quads` in `img` (as [`card_locate::locate_all`] gives them), cut out and put in
/// [`cards`]' order.
pub fn cut(img: &RgbImage, quads: Vec<Quad>) -> Vec<Crop> {
    let mut crops: Vec<Crop> = quads
        .into_iter()
        .map(|quad| {
            let image = card_locate::rectify(img, &quad, WIDTH, HEIGHT);
            let side = side_of(&image);
            Crop { quad, image, side }
        })
        .collect();
    let order = reading_order(&crops.iter().map(|c| c.quad).collect::<Vec<_>>());
    let rank = |s: Option<Side>| match s {
        Some(Side::Front) => 0,
        None => 1,
        Some(Side::Back) => 2,
    };
    let mut keyed: Vec<(usize, usize, Crop)> = crops.drain(..).enumerate().map(|(i, c)| (rank(c.side), order[i], c)).collect();
    keyed.sort_by_key(|(r, o, _)| (*r, *o));
    keyed.into_iter().map(|(_, _, c)| c).collect()
}

/// Each quad's place in reading order: quads are put in rows (a quad whose centre lies within
/// half a card's height of the row's first centre joins it), rows top to bottom, left to right
/// in a row.
pub fn reading_order(quads: &[Quad]) -> Vec<usize> {
    let centre = |q: &Quad| {
        let c = q.corners;
        (c.iter().map(|p| p.x).sum::<f64>() / 4.0, c.iter().map(|p| p.y).sum::<f64>() / 4.0)
    };
    let mut by_y: Vec<usize> = (0..quads.len()).collect();
    by_y.sort_by(|&a, &b| centre(&quads[a]).1.total_cmp(&centre(&quads[b]).1));
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for i in by_y {
        let (_, y) = centre(&quads[i]);
        match rows.last_mut() {
            Some(row) if y - centre(&quads[row[0]]).1 < quads[row[0]].mean_height() / 2.0 => row.push(i),
            _ => rows.push(vec![i]),
        }
    }
    let mut order = vec![0; quads.len()];
    let mut n = 0;
    for mut row in rows {
        row.sort_by(|&a, &b| centre(&quads[a]).0.total_cmp(&centre(&quads[b]).0));
        for i in row {
            order[i] = n;
            n += 1;
        }
    }
    order
}

/// The portrait of an upright front ([`WIDTH`] × [`HEIGHT`] or any size of a card's aspect):
/// the photo's printed place on the card, about 55–80 mm from the left and 7–45 mm from the top
/// of 85.6 × 54 mm (GB/T 16088's layout), with a little margin. `None` for a back (or a card
/// whose side cannot be told).
pub fn portrait(front: &RgbImage) -> Option<RgbImage> {
    if side_of(front) != Some(Side::Front) {
        return None;
    }
    let (w, h) = front.dimensions();
    let mm_x = |mm: f64| ((mm / 85.6) * w as f64).round().clamp(0.0, w as f64) as u32;
    let mm_y = |mm: f64| ((mm / 54.0) * h as f64).round().clamp(0.0, h as f64) as u32;
    let (x0, x1, y0, y1) = (mm_x(PORTRAIT_MM.0), mm_x(PORTRAIT_MM.1), mm_y(PORTRAIT_MM.2), mm_y(PORTRAIT_MM.3));
    (x1 > x0 && y1 > y0).then(|| imageops::crop_imm(front, x0, y0, x1 - x0, y1 - y0).to_image())
}

/// The portrait's box on a front in millimetres: left, right, top, bottom.
pub const PORTRAIT_MM: (f64, f64, f64, f64) = (54.0, 81.5, 5.5, 46.0);

/// Tells the side of an upright card by its red emblem: the back's national emblem sits at the
/// top left and is solid red; the front has black text there. `None` when neither is clear.
pub fn side_of(card: &RgbImage) -> Option<Side> {
    let (w, h) = card.dimensions();
    let red = |p: &Rgb<u8>| p[0] as i32 - (p[1] as i32).max(p[2] as i32) > 50;
    let (x0, x1, y0, y1) = (w * 6 / 100, w * 31 / 100, h * 10 / 100, h * 45 / 100);
    let mut n = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            n += red(card.get_pixel(x, y)) as u32;
        }
    }
    let share = n as f64 / ((x1 - x0) * (y1 - y0)).max(1) as f64;
    if share > 0.08 {
        Some(Side::Back)
    } else if share < 0.01 {
        Some(Side::Front)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
