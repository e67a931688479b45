//! Bringing a photo in: read from a path with its size checked before reading, then prepared
//! on this machine (decoded by its bytes, turned upright, downscaled, re-encoded as a JPEG
//! without metadata — EXIF and GPS gone) before anything may read or send it.

use super::DeskError;
use std::path::Path;

/// The largest file accepted (a phone photo is 2–8 MB).
pub const MAX_BYTES: usize = 30 * 1024 * 1024;

pub fn too_big(len: usize) -> DeskError {
    DeskError::new(
        "too_big",
        format!("文件太大（{} MB，上限 {} MB）。请换一张照片，或先缩小后再试。", len / (1024 * 1024), MAX_BYTES / (1024 * 1024)),
        format!("The file is too large ({} MB; the limit is {} MB). Use another photo or shrink it first.", len / (1024 * 1024), MAX_BYTES / (1024 * 1024)),
    )
}

/// Reads a dropped, chosen or listed file, with the size limit checked before reading.
pub fn read_path(path: &Path) -> Result<Vec<u8>, DeskError> {
    let meta = std::fs::metadata(path).map_err(|e| read_error(path, &e))?;
    if !meta.is_file() {
        return Err(DeskError::new(
            "not_a_file",
            "这是文件夹或特殊文件，不是图片。请选一张身份证照片（JPG / PNG）。",
            "That is a folder or a special file, not an image. Choose a photo of the ID card (JPG / PNG).",
        ));
    }
    if meta.len() as usize > MAX_BYTES {
        return Err(too_big(meta.len() as usize));
    }
    std::fs::read(path).map_err(|e| read_error(path, &e))
}

fn read_error(path: &Path, e: &std::io::Error) -> DeskError {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    DeskError::new(
        "io",
        format!("无法读取文件“{name}”：{e}。请确认文件存在且有读取权限。"),
        format!("Could not read the file “{name}”: {e}. Check that it exists and is readable."),
    )
}

/// Prepares photo bytes; the result is what any OCR provider gets.
pub fn prepare(bytes: &[u8]) -> Result<crate::image_prep::Prepared, DeskError> {
    if bytes.len() > MAX_BYTES {
        return Err(too_big(bytes.len()));
    }
    Ok(crate::image_prep::prepare(bytes)?)
}

/// Reads and prepares a photo file.
pub fn prepare_file(path: &Path) -> Result<crate::image_prep::Prepared, DeskError> {
    prepare(&read_path(path)?)
}
