//! Bringing a photo in: from a dropped or chosen path (read here in Rust), or from bytes the
//! page sends (file input, paste). Size-limited; prepared in memory; never written to disk.

use crate::views::{PhotoView, PhotoWarning, UiError};
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
    let preview = format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(&p.preview));
    let view = PhotoView { preview, width: p.width, height: p.height, warnings: PhotoWarning::list(&p.warnings) };
    Ok(Prepared { jpeg: p.jpeg, warnings: p.warnings, view })
}
