//! Why a photo could not be prepared, and what the user should do about it.

use crate::i18n::Msg;
use serde::ser::SerializeStruct;
use serde::Serialize;

/// What kind of problem the file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageErrorKind {
    /// Zero bytes.
    Empty,
    /// An iPhone-style HEIC/HEIF photo.
    Heic,
    /// An AVIF image.
    Avif,
    /// A PDF document.
    Pdf,
    /// A GIF image.
    Gif,
    /// A TIFF image (scanners).
    Tiff,
    /// Not an image at all, or one we do not know.
    NotAnImage,
    /// Dimensions beyond the limits (a decompression bomb or a damaged header).
    TooLarge,
    /// Truncated or damaged data.
    Corrupt,
    /// Even the smallest re-encoding exceeds the upload limit.
    PayloadTooBig,
}

/// A photo that cannot be prepared, with a message saying what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageError {
    pub kind: ImageErrorKind,
    pub message: Msg,
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)
    }
}

impl std::error::Error for ImageError {}

/// Serialised as `{kind, message_zh, message_en}`, like every other user-facing problem.
impl Serialize for ImageError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ImageError", 3)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("message_zh", &self.message.zh)?;
        st.serialize_field("message_en", &self.message.en)?;
        st.end()
    }
}

impl ImageError {
    pub(crate) fn new(kind: ImageErrorKind) -> ImageError {
        let message = match kind {
            ImageErrorKind::Empty => Msg::new(
                "文件是空的（0 字节）。请重新拍照，或选择另一个文件。",
                "The file is empty (0 bytes). Take the photo again or choose another file.",
            ),
            ImageErrorKind::Heic => Msg::new(
                "这是 HEIC/HEIF 格式的照片，暂不支持。请导出为 JPEG 后再试：在 iPhone 上可把“设置 > 相机 > 格式”改为“兼容性最佳”后重拍，或在“照片”中用“存储到文件/共享”导出为 JPEG。",
                "This is a HEIC/HEIF photo, which is not supported. Export it as JPEG and try again: on an iPhone set Settings > Camera > Formats to \"Most Compatible\" and retake it, or share/export the photo as JPEG.",
            ),
            ImageErrorKind::Avif => Msg::new(
                "这是 AVIF 格式的图片，暂不支持。请另存为 JPEG 或 PNG 后再试。",
                "This is an AVIF image, which is not supported. Save it as JPEG or PNG and try again.",
            ),
            ImageErrorKind::Pdf => Msg::new(
                "这是 PDF 文件，不是图片。请把身份证所在的页面导出（或截图）为 JPEG 或 PNG 图片后再试。",
                "This is a PDF document, not an image. Export the page with the ID card (or take a screenshot of it) as a JPEG or PNG image and try again.",
            ),
            ImageErrorKind::Gif => Msg::new(
                "不支持 GIF 图片。请使用相机拍摄的 JPEG 原图，或另存为 JPEG/PNG 后再试。",
                "GIF images are not supported. Use the camera's original JPEG photo, or save the image as JPEG or PNG and try again.",
            ),
            ImageErrorKind::Tiff => Msg::new(
                "不支持 TIFF 图片（扫描仪常用此格式）。请在扫描软件中另存为 JPEG 或 PNG 后再试。",
                "TIFF images (common from scanners) are not supported. Save the scan as JPEG or PNG in the scanning software and try again.",
            ),
            ImageErrorKind::NotAnImage => Msg::new(
                "无法识别此文件：它不是 JPEG、PNG、WebP 或 BMP 图片。请选择身份证的照片文件。",
                "This file is not a recognised image (JPEG, PNG, WebP or BMP). Choose a photo of the ID card.",
            ),
            ImageErrorKind::TooLarge => Msg::new(
                "图片尺寸过大（上限为 1 亿像素、单边 20000 像素），或文件头已损坏。请使用相机原图，或缩小后再试。",
                "The image is too large (the limit is 100 megapixels and 20,000 pixels a side), or its header is damaged. Use the camera's original photo or a smaller copy.",
            ),
            ImageErrorKind::Corrupt => Msg::new(
                "图片文件已损坏或不完整（可能没有完整下载或复制）。请重新拷贝原图，或重新拍照。",
                "The image file is damaged or incomplete (perhaps not fully downloaded or copied). Copy the original again or take a new photo.",
            ),
            ImageErrorKind::PayloadTooBig => Msg::new(
                "压缩后的图片仍超过 10 MB 的上传上限。请裁剪图片，只保留身份证部分后再试。",
                "Even compressed, the image exceeds the 10 MB upload limit. Crop the image to the ID card and try again.",
            ),
        };
        ImageError { kind, message }
    }

    /// Too large, naming the dimensions found.
    pub(crate) fn too_large(w: u64, h: u64) -> ImageError {
        let mut e = ImageError::new(ImageErrorKind::TooLarge);
        e.message = Msg::new(
            format!("图片尺寸过大（{w}×{h} 像素；上限为 1 亿像素、单边 20000 像素），或文件头已损坏。请使用相机原图，或缩小后再试。"),
            format!("The image is too large ({w}×{h} pixels; the limit is 100 megapixels and 20,000 pixels a side), or its header is damaged. Use the camera's original photo or a smaller copy."),
        );
        e
    }

    /// Too large to decode in memory in its format (a transparent PNG, a progressive JPEG), though
    /// within the pixel limits.
    pub(crate) fn too_large_to_decode(w: u64, h: u64, budget: u64) -> ImageError {
        let mut e = ImageError::new(ImageErrorKind::TooLarge);
        let mb = budget / (1024 * 1024);
        e.message = Msg::new(
            format!("图片 {w}×{h} 像素，按它的格式解码需要超过 {mb} MB 内存。请使用相机原图（普通 JPEG），或把图片缩小（例如另存为较小的 JPEG）后再试。"),
            format!("The image ({w}×{h} pixels) would need over {mb} MB of memory to decode in its format. Use the camera's original photo (a plain JPEG), or a smaller copy (saved as JPEG, say)."),
        );
        e
    }
}
