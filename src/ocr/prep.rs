//! Decoding a photo into upright pixels.
//!
//! Phones store the sensor's pixels and an EXIF orientation tag saying how to turn them; a card
//! photographed in portrait arrives sideways unless the tag is applied. This is the one place
//! the OCR engine decodes bytes (the app's image preparation hands over oriented pixels).

use super::OcrError;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};
use std::io::Cursor;

/// Decodes JPEG, PNG, WebP or BMP bytes and applies the EXIF orientation.
pub fn decode(bytes: &[u8]) -> Result<RgbImage, OcrError> {
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| OcrError::Decode(e.to_string()))?;
    let mut decoder = reader.into_decoder().map_err(|e| OcrError::Decode(e.to_string()))?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| OcrError::Decode(e.to_string()))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img.into_rgb8())
}
