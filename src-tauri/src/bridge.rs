//! Image preparation through the core: `idcheck::image_prep::prepare` (decode, orient,
//! downscale, re-encode as JPEG without metadata) and `idcheck::quality::assess` (blur, glare,
//! size warnings), mapped to the shell's error and message types.

use crate::views::UiError;
use idcheck::i18n::Msg;

pub fn prepare_image(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>, u32, u32, Vec<Msg>), UiError> {
    let p = idcheck::image_prep::prepare(bytes).map_err(|e| {
        let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        UiError { kind, message: e.message, provider: None, vendor_code: None, request_id: None }
    })?;
    let warnings = idcheck::quality::assess(&p).into_iter().map(|w| w.message).collect();
    let preview = idcheck::image_prep::preview_jpeg(&p.image, PREVIEW_EDGE).unwrap_or_else(|_| p.jpeg.clone());
    Ok((p.jpeg, preview, p.width, p.height, warnings))
}

/// Long edge of the picture the page shows: sharp in the 320-pixel-high drop zone even on a
/// HiDPI screen. The page holds the decoded bitmap, so the full 2000-pixel payload would cost
/// the web view 12 MB for as long as the photo is shown; this costs 3 MB.
const PREVIEW_EDGE: u32 = 1000;
