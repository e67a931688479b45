//! The cards of a copy: found in the photos, straightened and cropped at 300 dpi, and told
//! front from back so the front goes on top.

use super::CopyError;
use crate::{card_locate, crops};
use image::RgbImage;

pub use crate::crops::{side_of, Side, HEIGHT, WIDTH};

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

/// The cards of one or two photos, front first. One photo may hold both sides of one card
/// (front and back side by side, or a photocopy page); two people's cards in one photo are
/// refused, since a copy is of one person's card.
pub fn from_photos(photos: &[&RgbImage]) -> Result<Vec<Card>, CopyError> {
    if photos.is_empty() || photos.len() > 2 {
        return Err(CopyError::new("too_many", "复印件需要一张或两张照片（正面，及反面）。", "A copy takes one or two photos (the front, and the back)."));
    }
    if let [photo] = photos {
        let found = crops::cards(photo);
        if found.len() > 1 {
            return both_sides(found);
        }
    }
    let mut cards = photos.iter().map(|p| crop(p)).collect::<Result<Vec<_>, _>>()?;
    // The front goes on top: swap when the first is a back and the second is not.
    if cards.len() == 2 && cards[0].side == Some(Side::Back) && cards[1].side != Some(Side::Back) {
        cards.swap(0, 1);
    }
    Ok(cards)
}

/// The front and back of one card from the cards found in one photo ([`crops::cards`] puts
/// fronts first).
fn both_sides(found: Vec<crops::Crop>) -> Result<Vec<Card>, CopyError> {
    let fronts = found.iter().filter(|c| c.side == Some(Side::Front)).count();
    let backs = found.iter().filter(|c| c.side == Some(Side::Back)).count();
    if found.len() == 2 && fronts <= 1 && backs <= 1 {
        return Ok(found.into_iter().map(|c| Card { image: c.image, side: c.side }).collect());
    }
    Err(CopyError::new(
        "several_cards",
        "照片中有不止一个人的身份证。复印件只能是一个人的证件：请只拍这个人的身份证（正反面可以拍在一张照片里）后重试。",
        "The photo holds more than one person's ID card. A copy is of one person's card: photograph only that card (both sides may be in one photo) and try again.",
    ))
}
