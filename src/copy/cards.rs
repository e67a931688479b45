//! The cards of a copy: found in the photos, straightened and cropped at 300 dpi, and told
//! front from back so the front goes on top.

use super::CopyError;
use crate::card_locate;
use image::{Rgb, RgbImage};

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

/// One card, upright, [`WIDTH`] × [`HEIGHT`], and its side when it can be told.
pub struct Card {
    pub image: RgbImage,
    pub side: Option<Side>,
}

impl std::fmt::Debug for Card {
    /// Never prints pixels: a card's image is personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card").field("width", &self.image.width()).field("height", &self.image.height()).field("side", &self.side).finish()
    }
}

/// The card in `photo`, straightened and cropped.
pub fn crop(photo: &RgbImage) -> Result<Card, CopyError> {
    let d = card_locate::detect(photo);
    match d.quad {
        Some(_) if d.touches_border => Err(CopyError::new(
            "cut_off",
            "照片中的身份证有一部分在画面外。请把整张证件拍进画面后重试。",
            "Part of the ID card is outside the photo. Take a photo showing the whole card and try again.",
        )),
        Some(q) => {
            let image = card_locate::rectify(photo, &q, WIDTH, HEIGHT);
            let side = side_of(&image);
            Ok(Card { image, side })
        }
        None => Err(CopyError::new(
            "no_card",
            "照片中没有找到身份证。请把证件平放在深色桌面上、完整拍摄后重试。",
            "No ID card was found in the photo. Lay the card on a dark surface, photograph all of it and try again.",
        )),
    }
}

/// The cards of one or two photos, front first.
pub fn from_photos(photos: &[&RgbImage]) -> Result<Vec<Card>, CopyError> {
    if photos.is_empty() || photos.len() > 2 {
        return Err(CopyError::new("too_many", "复印件需要一张或两张照片（正面，及反面）。", "A copy takes one or two photos (the front, and the back)."));
    }
    let mut cards = photos.iter().map(|p| crop(p)).collect::<Result<Vec<_>, _>>()?;
    // The front goes on top: swap when the first is a back and the second is not.
    if cards.len() == 2 && cards[0].side == Some(Side::Back) && cards[1].side != Some(Side::Back) {
        cards.swap(0, 1);
    }
    Ok(cards)
}

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
