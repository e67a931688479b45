//! ADAPTERS for core functions the shell needs before the core offers them: image
//! preparation and the local checks' reasons and cross-checks. Each function names the core
//! function that replaces it.

use crate::views::{Finding, UiError};
use idcheck::i18n::Msg;

fn not_an_image() -> UiError {
    UiError::new(
        "not_an_image",
        "这不是可识别的图片文件。请使用身份证的照片或扫描件（JPG、PNG、WebP 或 BMP）。",
        "This is not an image file we can read. Use a photo or scan of the ID card (JPG, PNG, WebP or BMP).",
    )
}

/// Replaced by `idcheck::image_prep::prepare`.
pub fn prepare_image(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32, Vec<Msg>), UiError> {
    if bytes.is_empty() {
        return Err(UiError::new("empty", "文件是空的（0 字节）。请换一张照片。", "The file is empty (0 bytes). Use another photo."));
    }
    let format = image::guess_format(bytes).map_err(|_| not_an_image())?;
    let img = image::load_from_memory_with_format(bytes, format).map_err(|_| not_an_image())?;
    let img = if img.width().max(img.height()) > 2000 { img.resize(2000, 2000, image::imageops::FilterType::Triangle) } else { img };
    let rgb = img.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&rgb)
        .map_err(|_| not_an_image())?;
    let mut warnings = Vec::new();
    if rgb.width().min(rgb.height()) < 300 {
        warnings.push(Msg::new(
            "照片分辨率很低，文字可能读不准。请靠近证件重新拍摄。",
            "The photo's resolution is low; the text may be misread. Take it again closer to the card.",
        ));
    }
    Ok((jpeg, rgb.width(), rgb.height(), warnings))
}

/// GB 11643 check digit of the first 17 digits. Replaced by the reasons of `idcheck::id::check`.
pub fn expected_check_digit(number: &str) -> Option<char> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = number.as_bytes();
    if b.len() < 17 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| (d - b'0') as u32 * w).sum();
    Some(b"10X98765432"[(sum % 11) as usize] as char)
}

/// Why a number is not valid. Replaced by `Checked::reasons`.
pub fn reasons(number: &str) -> Vec<Finding> {
    let n = number.trim().to_ascii_uppercase();
    let mut out = Vec::new();
    if n.len() != 18 {
        out.push(Finding {
            message: Msg::new(format!("号码应为 18 位，现在是 {} 位。", n.chars().count()), format!("A number has 18 characters; this one has {}.", n.chars().count())),
            expected: None,
        });
        return out;
    }
    if !n.as_bytes()[..17].iter().all(u8::is_ascii_digit) {
        out.push(Finding { message: Msg::new("前 17 位只能是数字。", "The first 17 characters must be digits."), expected: None });
        return out;
    }
    let want = expected_check_digit(&n);
    if want != n.chars().nth(17) {
        out.push(Finding { message: Msg::new("校验码不对：可能有一位录入或识别错误。", "The check digit is wrong: one character was probably mistyped or misread."), expected: want });
    }
    out
}
