//! Bringing a photo in: from a dropped or chosen path (read here in Rust), or from bytes the
//! page sends (file input, paste). Size-limited; prepared in memory; never written to disk.

use crate::views::{CardCrop, PhotoView, PhotoWarning, UiError};
use base64::Engine;
use std::path::Path;

pub use idcheck::desk::photo::{too_big, MAX_BYTES};

/// Reads a dropped or chosen file, with the size limit checked before reading.
pub fn read_path(path: &Path) -> Result<Vec<u8>, UiError> {
    idcheck::desk::photo::read_path(path)
}

/// A prepared photo: the JPEG to send or read, its quality warnings, and what the page shows.
pub struct Prepared {
    pub jpeg: Vec<u8>,
    pub warnings: Vec<idcheck::quality::Warning>,
    pub view: PhotoView,
}

/// Prepares a photo through the core (decode, orient, downscale, re-encode as JPEG without
/// metadata) and builds its preview.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, UiError> {
    let p = crate::bridge::prepare_image(bytes)?;
    let preview = jpeg_url(&p.preview);
    let view = PhotoView { preview, width: p.width, height: p.height, warnings: PhotoWarning::list(&p.warnings) };
    Ok(Prepared { jpeg: p.jpeg, warnings: p.warnings, view })
}

/// JPEG quality of the crops the page shows: read by eye on screen, never printed from here.
const CROP_QUALITY: u8 = 85;

/// A `data:` URL of JPEG bytes made in memory.
pub fn jpeg_url(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg))
}

/// Every card in a prepared photo (`crops::cards`: fronts first, each in reading order),
/// straightened, with each front's portrait. Blocking (locating and rectifying): run it off the
/// async workers. Nothing is written to disk.
pub fn crops(jpeg: &[u8]) -> Result<Vec<CardCrop>, UiError> {
    use idcheck::image_prep::encode_jpeg;
    let (image, _) = idcheck::image_prep::decode_upright(jpeg)?;
    idcheck::crops::cards(&image)
        .into_iter()
        .map(|c| -> Result<CardCrop, UiError> {
            let portrait = match c.side {
                Some(idcheck::crops::Side::Front) => idcheck::crops::portrait(&c.image).map(|p| encode_jpeg(&p, CROP_QUALITY)).transpose()?,
                _ => None,
            };
            Ok(CardCrop { side: c.side, image: jpeg_url(&encode_jpeg(&c.image, CROP_QUALITY)?), portrait: portrait.as_deref().map(jpeg_url) })
        })
        .collect()
}
