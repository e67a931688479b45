//! Bringing a photo in: from a dropped or chosen path (read here in Rust), or from bytes the
//! page sends (file input, paste). Size-limited; prepared in memory; never written to disk.

use crate::views::{PhotoView, UiError};
use base64::Engine;
use std::path::Path;

/// The largest file accepted (a phone photo is 2–8 MB).
pub const MAX_BYTES: usize = 30 * 1024 * 1024;

pub fn too_big(len: usize) -> UiError {
    UiError::new(
        "too_big",
        format!("文件太大（{} MB，上限 {} MB）。请换一张照片，或先缩小后再试。", len / (1024 * 1024), MAX_BYTES / (1024 * 1024)),
        format!("The file is too large ({} MB; the limit is {} MB). Use another photo or shrink it first.", len / (1024 * 1024), MAX_BYTES / (1024 * 1024)),
    )
}

/// Reads a dropped or chosen file, with the size limit checked before reading.
pub fn read_path(path: &Path) -> Result<Vec<u8>, UiError> {
    let meta = std::fs::metadata(path).map_err(|e| read_error(path, &e))?;
    if !meta.is_file() {
        return Err(UiError::new(
            "not_a_file",
            "拖入的是文件夹或特殊文件，不是图片。请拖入一张身份证照片（JPG / PNG）。",
            "That is a folder or a special file, not an image. Drop a photo of the ID card (JPG / PNG).",
        ));
    }
    if meta.len() as usize > MAX_BYTES {
        return Err(too_big(meta.len() as usize));
    }
    std::fs::read(path).map_err(|e| read_error(path, &e))
}

fn read_error(path: &Path, e: &std::io::Error) -> UiError {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    UiError::new(
        "io",
        format!("无法读取文件“{name}”：{e}。请确认文件存在且有读取权限。"),
        format!("Could not read the file “{name}”: {e}. Check that it exists and is readable."),
    )
}

/// A prepared photo: the JPEG to send or read, and what the page shows.
pub struct Prepared {
    pub jpeg: Vec<u8>,
    pub view: PhotoView,
}

/// Prepares a photo through the core (decode, orient, downscale, re-encode as JPEG without
/// metadata) and builds its preview.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, UiError> {
    let (jpeg, small, width, height, warnings) = crate::bridge::prepare_image(bytes)?;
    let preview = format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(&small));
    Ok(Prepared { jpeg, view: PhotoView { preview, width, height, warnings } })
}
