//! ADAPTERS for core functions the shell needs before the core offers them. Each function
//! names the core function that replaces it.

use crate::views::UiError;
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
