//! Image preparation through the core: `idcheck::image_prep::prepare` (decode, orient,
//! downscale, re-encode as JPEG without metadata) and `idcheck::quality::assess` (blur, glare,
//! size warnings), mapped to the shell's error and message types.

use crate::views::UiError;
use idcheck::quality::Warning;

/// A photo prepared for reading, with the smaller preview the page shows.
pub struct PreparedImage {
    pub jpeg: Vec<u8>,
    pub preview: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// What the photo's quality gives the clerk to think about, with each warning's kind, so
    /// that the read can settle some of them ([`idcheck::quality::after_reading`]).
    pub warnings: Vec<Warning>,
}

pub fn prepare_image(bytes: &[u8]) -> Result<PreparedImage, UiError> {
    let p = idcheck::desk::photo::prepare(bytes)?;
    let warnings = idcheck::quality::assess(&p);
    let preview = idcheck::image_prep::preview_jpeg(&p.image, PREVIEW_EDGE).unwrap_or_else(|_| p.jpeg.clone());
    Ok(PreparedImage { preview, width: p.width, height: p.height, warnings, jpeg: p.jpeg })
}

/// Long edge of the picture the page shows: sharp in the 320-pixel-high drop zone even on a
/// HiDPI screen. The page holds the decoded bitmap, so the full 2000-pixel payload would cost
/// the web view 12 MB for as long as the photo is shown; this costs 3 MB.
const PREVIEW_EDGE: u32 = 1000;
