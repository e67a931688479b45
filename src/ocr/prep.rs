//! Decoding a photo into upright pixels.
//!
//! Phones store the sensor's pixels and an EXIF orientation tag saying how to turn them; a card
//! photographed in portrait arrives sideways unless the tag is applied. Decoding is the image
//! preparation's own ([`crate::image_prep::decode_upright`]): the same format checks, the same
//! refusal of decompression bombs, and a 12-megapixel JPEG decoded at reduced scale in the DCT
//! domain, since the recogniser needs nothing like that many pixels.

use super::OcrError;
use image::RgbImage;

/// Decodes JPEG, PNG, WebP or BMP bytes, applies the EXIF orientation and brings the long edge
/// down to [`crate::image_prep::MAX_EDGE`].
pub fn decode(bytes: &[u8]) -> Result<RgbImage, OcrError> {
    crate::image_prep::decode_upright(bytes).map(|(img, _)| img).map_err(OcrError::Image)
}
