//! Image preparation before OCR: from whatever file the user dropped to a small, upright,
//! metadata-free JPEG.
//!
//! Phone photos are 3–5 MB, often stored sideways with an EXIF orientation tag, and carry the
//! camera model and GPS position. Vendors take at most 10 MB of base64, and OCR needs nothing
//! like 12 megapixels. So every photo goes through [`prepare`]: the format is told from the magic
//! bytes (HEIC, PDF, GIF, TIFF and non-images are refused with what to do instead), the header's
//! dimensions are checked before any pixel is decoded (no decompression bombs), the orientation
//! is applied, the long edge is brought down to [`MAX_EDGE`] pixels and the pixels are
//! re-encoded as a fresh JPEG that holds no metadata at all.
//!
//! JPEG, the common case, is decoded at 1/2, 1/4 or 1/8 scale directly in the DCT domain, which
//! is what makes a 12-megapixel photo cheap.

mod error;
mod sniff;

pub use error::{ImageError, ImageErrorKind};
pub use sniff::{sniff, Sniffed};

use base64::Engine as _;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, RgbImage};
use serde::Serialize;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The long edge of a prepared image, at most.
pub const MAX_EDGE: u32 = 2000;
/// The largest base64 payload the vendors accept (10 MB).
pub const MAX_BASE64: usize = 10 * 1024 * 1024;
/// Refused above this many pixels.
pub const MAX_PIXELS: u64 = 100_000_000;
/// Refused above this many pixels on either side.
pub const MAX_SIDE: u32 = 20_000;
/// Peak memory a decoder may claim.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// JPEG quality of the payload: plenty for OCR, small on the wire.
pub const QUALITY: u8 = 85;

/// The formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Jpeg,
    Png,
    Webp,
    Bmp,
}

/// What the original file was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    pub format: SourceFormat,
    /// Size of the file in bytes.
    pub bytes: usize,
    /// Stored pixel dimensions (before orientation).
    pub width: u32,
    pub height: u32,
    /// The EXIF orientation that was applied (1 = none; 6 = rotated 90° clockwise; 1–8).
    pub exif_orientation: u8,
}

/// A photo ready for OCR.
#[derive(Clone)]
pub struct Prepared {
    /// The payload: baseline JPEG, no metadata.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The oriented, downscaled pixels (the same as `jpeg` before compression), for local OCR
    /// and quality checks.
    pub image: RgbImage,
    pub source: SourceInfo,
}

impl std::fmt::Debug for Prepared {
    /// Never prints pixels or bytes: a photo of an ID card is personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("jpeg_bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("source", &self.source)
            .finish()
    }
}

impl Prepared {
    /// The payload as standard base64 (no line breaks, no `data:` prefix).
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.jpeg)
    }

    /// Length of [`Prepared::base64`] without building it.
    pub fn base64_len(&self) -> usize {
        self.jpeg.len().div_ceil(3) * 4
    }
}

/// Prepares a photo for OCR. See the module documentation.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, ImageError> {
    let (image, source) = decode_upright(bytes)?;
    let jpeg = encode_within(&image, MAX_BASE64)?;
    Ok(Prepared { jpeg, width: image.width(), height: image.height(), image, source })
}

/// The first half of [`prepare`]: the photo's pixels, upright (EXIF applied), the long edge at
/// most [`MAX_EDGE`], with what the file was. The local OCR engine reads these directly.
pub fn decode_upright(bytes: &[u8]) -> Result<(RgbImage, SourceInfo), ImageError> {
    let format = match sniff(bytes) {
        Sniffed::Jpeg => SourceFormat::Jpeg,
        Sniffed::Png => SourceFormat::Png,
        Sniffed::Webp => SourceFormat::Webp,
        Sniffed::Bmp => SourceFormat::Bmp,
        Sniffed::Empty => return Err(ImageError::new(ImageErrorKind::Empty)),
        Sniffed::Heic => return Err(ImageError::new(ImageErrorKind::Heic)),
        Sniffed::Avif => return Err(ImageError::new(ImageErrorKind::Avif)),
        Sniffed::Pdf => return Err(ImageError::new(ImageErrorKind::Pdf)),
        Sniffed::Gif => return Err(ImageError::new(ImageErrorKind::Gif)),
        Sniffed::Tiff => return Err(ImageError::new(ImageErrorKind::Tiff)),
        Sniffed::Unknown => return Err(ImageError::new(ImageErrorKind::NotAnImage)),
    };
    // Decoders are third-party code fed hostile bytes: a panic inside one is a corrupt file.
    let decoded = catch_unwind(AssertUnwindSafe(|| decode(bytes, format)))
        .unwrap_or_else(|_| Err(ImageError::new(ImageErrorKind::Corrupt)))?;
    let Decoded { image, width, height, orientation } = decoded;
    let image = fit(image, MAX_EDGE);
    let image = orient(image, orientation);
    Ok((image, SourceInfo { format, bytes: bytes.len(), width, height, exif_orientation: exif_value(orientation) }))
}

struct Decoded {
    /// Pixels as stored, possibly already reduced.
    image: RgbImage,
    /// Stored dimensions of the original.
    width: u32,
    height: u32,
    orientation: Orientation,
}

fn check_dimensions(w: u64, h: u64) -> Result<(), ImageError> {
    if w == 0 || h == 0 {
        return Err(ImageError::new(ImageErrorKind::Corrupt));
    }
    if w > MAX_SIDE as u64 || h > MAX_SIDE as u64 || w * h > MAX_PIXELS {
        return Err(ImageError::too_large(w, h));
    }
    Ok(())
}

fn decode(bytes: &[u8], format: SourceFormat) -> Result<Decoded, ImageError> {
    if format == SourceFormat::Jpeg {
        if let Some(d) = decode_jpeg_scaled(bytes)? {
            return Ok(d);
        }
    }
    decode_generic(bytes, format)
}

/// The JPEG fast path: DCT-domain downscaling to the smallest of 1, 1/2, 1/4, 1/8 that still
/// covers [`MAX_EDGE`]. `Ok(None)` for JPEG flavours it does not handle (CMYK, 12-bit), which
/// go the generic way.
fn decode_jpeg_scaled(bytes: &[u8]) -> Result<Option<Decoded>, ImageError> {
    use jpeg_decoder::{Decoder, Error, PixelFormat};
    // Our own look at the frame header first, so a bomb is named before any decoder runs.
    if let Some((w, h)) = jpeg_frame_size(bytes) {
        check_dimensions(w as u64, h as u64)?;
    }
    let mut dec = Decoder::new(bytes);
    let corrupt = |e: Error| match e {
        Error::Unsupported(_) => None,
        _ => Some(ImageError::new(ImageErrorKind::Corrupt)),
    };
    if let Err(e) = dec.read_info() {
        return corrupt(e).map_or(Ok(None), Err);
    }
    let Some(info) = dec.info() else { return Ok(None) };
    let (w, h) = (info.width as u32, info.height as u32);
    check_dimensions(w as u64, h as u64)?;
    if !matches!(info.pixel_format, PixelFormat::RGB24 | PixelFormat::L8) {
        return Ok(None);
    }
    let (tw, th) = fit_dims(w, h, MAX_EDGE);
    let (sw, sh) = match dec.scale(tw.max(1) as u16, th.max(1) as u16) {
        Ok(s) => s,
        Err(e) => return corrupt(e).map_or(Ok(None), Err),
    };
    dec.set_max_decoding_buffer_size((sw as usize) * (sh as usize) * 3 + 1024);
    let pixels = match dec.decode() {
        Ok(p) => p,
        Err(e) => return corrupt(e).map_or(Ok(None), Err),
    };
    let orientation = dec.exif_data().and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    let (sw, sh) = (sw as u32, sh as u32);
    let image = match info.pixel_format {
        PixelFormat::L8 => {
            let mut rgb = Vec::with_capacity(pixels.len() * 3);
            for &l in &pixels {
                rgb.extend_from_slice(&[l, l, l]);
            }
            RgbImage::from_raw(sw, sh, rgb)
        }
        _ => RgbImage::from_raw(sw, sh, pixels),
    };
    let image = image.ok_or_else(|| ImageError::new(ImageErrorKind::Corrupt))?;
    Ok(Some(Decoded { image, width: w, height: h, orientation }))
}

/// Width and height from the first SOFn segment, walking the marker segments.
fn jpeg_frame_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let m = b[i + 1];
        if m == 0xFF {
            i += 1;
            continue;
        }
        if m == 0xD8 || (0xD0..=0xD7).contains(&m) || m == 0x01 {
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let is_sof = matches!(m, 0xC0..=0xCF) && !matches!(m, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let s = b.get(i + 4..i + 9)?;
            return Some((u16::from_be_bytes([s[3], s[4]]) as u32, u16::from_be_bytes([s[1], s[2]]) as u32));
        }
        if m == 0xDA || len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// PNG, WebP, BMP and unusual JPEGs through the `image` crate, with limits.
fn decode_generic(bytes: &[u8], format: SourceFormat) -> Result<Decoded, ImageError> {
    let fmt = match format {
        SourceFormat::Jpeg => ImageFormat::Jpeg,
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::Webp => ImageFormat::WebP,
        SourceFormat::Bmp => ImageFormat::Bmp,
    };
    // PNG decoders read on to the first data chunk before telling the size: look at IHDR first.
    if format == SourceFormat::Png && bytes.len() >= 24 && &bytes[12..16] == b"IHDR" {
        let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        check_dimensions(w as u64, h as u64)?;
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), fmt);
    // Only the header is read here; our own check names the dimensions, then the limits bound
    // the decoding proper.
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(map_image_error)?;
    let (w, h) = decoder.dimensions();
    check_dimensions(w as u64, h as u64)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    decoder.set_limits(limits).map_err(map_image_error)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    let image = if img.color().has_alpha() { flatten_on_white(&img) } else { img.into_rgb8() };
    Ok(Decoded { image, width: w, height: h, orientation })
}

fn map_image_error(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::new(ImageErrorKind::TooLarge),
        image::ImageError::Unsupported(_) => ImageError::new(ImageErrorKind::NotAnImage),
        _ => ImageError::new(ImageErrorKind::Corrupt),
    }
}

/// Transparent pixels (screenshots, scans with a cut-out) become white, not black.
fn flatten_on_white(img: &DynamicImage) -> RgbImage {
    let rgba = img.to_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = p[3] as u32;
        for c in 0..3 {
            o[c] = ((p[c] as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

/// Dimensions scaled so the long edge is at most `max` (never enlarged).
pub fn fit_dims(w: u32, h: u32, max: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max {
        return (w, h);
    }
    let k = max as f64 / long as f64;
    (((w as f64 * k).round() as u32).clamp(1, max), ((h as f64 * k).round() as u32).clamp(1, max))
}

/// Downscales so the long edge is at most `max`.
pub fn fit(img: RgbImage, max: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (tw, th) = fit_dims(w, h, max);
    if (tw, th) == (w, h) {
        return img;
    }
    resize(&img, tw, th)
}

/// A SIMD convolution resize (bilinear support grows with the reduction, so it area-averages).
pub fn resize(img: &RgbImage, tw: u32, th: u32) -> RgbImage {
    use fast_image_resize::{images::Image, images::ImageRef, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
    let (w, h) = img.dimensions();
    let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    let mut dst = Image::new(tw, th, PixelType::U8x3);
    let done = ImageRef::new(w, h, img.as_raw(), PixelType::U8x3)
        .ok()
        .and_then(|src| Resizer::new().resize(&src, &mut dst, &opts).ok());
    done.and_then(|()| RgbImage::from_raw(tw, th, dst.into_vec()))
        .unwrap_or_else(|| image::imageops::thumbnail(img, tw, th))
}

fn orient(img: RgbImage, o: Orientation) -> RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    match o {
        Orientation::NoTransforms => img,
        Orientation::Rotate90 => rotate90(&img),
        Orientation::Rotate180 => rotate180(&img),
        Orientation::Rotate270 => rotate270(&img),
        Orientation::FlipHorizontal => flip_horizontal(&img),
        Orientation::FlipVertical => flip_vertical(&img),
        Orientation::Rotate90FlipH => flip_horizontal(&rotate90(&img)),
        Orientation::Rotate270FlipH => flip_horizontal(&rotate270(&img)),
    }
}

fn exif_value(o: Orientation) -> u8 {
    match o {
        Orientation::NoTransforms => 1,
        Orientation::FlipHorizontal => 2,
        Orientation::Rotate180 => 3,
        Orientation::FlipVertical => 4,
        Orientation::Rotate90FlipH => 5,
        Orientation::Rotate90 => 6,
        Orientation::Rotate270FlipH => 7,
        Orientation::Rotate270 => 8,
    }
}

/// Encodes a baseline JPEG with no metadata segment at all.
pub fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    enc.encode(img.as_raw(), img.width() as u16, img.height() as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(|_| ImageError::new(ImageErrorKind::Corrupt))?;
    Ok(out)
}

/// Encodes at [`QUALITY`], lowering the quality (then the size) until the base64 fits `limit`.
fn encode_within(img: &RgbImage, limit: usize) -> Result<Vec<u8>, ImageError> {
    let fits = |j: &Vec<u8>| j.len().div_ceil(3) * 4 <= limit;
    for q in [QUALITY, 75, 60, 45] {
        let j = encode_jpeg(img, q)?;
        if fits(&j) {
            return Ok(j);
        }
    }
    let (w, h) = img.dimensions();
    let mut edge = w.max(h);
    while edge > 400 {
        edge = edge * 3 / 4;
        let (tw, th) = fit_dims(w, h, edge);
        let j = encode_jpeg(&resize(img, tw, th), 45)?;
        if fits(&j) {
            return Ok(j);
        }
    }
    Err(ImageError::new(ImageErrorKind::PayloadTooBig))
}

#[cfg(test)]
mod tests;
