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
//! JPEG, the common case, is decoded by libjpeg-turbo at the smallest eighth-scale that still
//! covers [`MAX_EDGE`], directly in the DCT domain, which is what makes a 12-megapixel photo
//! cheap; the payload is encoded by libjpeg-turbo too.

mod error;
mod sniff;
mod turbo;

pub use error::{ImageError, ImageErrorKind};
/// The decoded pixels this module hands out, named for callers without the `image` crate.
pub use image::RgbImage;
pub use sniff::{sniff, Sniffed};

use base64::Engine as _;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat};
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
/// The most memory one decode may need for the picture itself: the decoded pixels (and their
/// conversion to RGB) for PNG, WebP and BMP, the whole-image DCT coefficients for a progressive
/// or multi-scan JPEG. Checked from the header, before any pixel is decoded, so that a file at
/// the pixel limit (a transparent PNG takes 4 bytes a pixel, a progressive 4:4:4 JPEG 6) is
/// refused rather than decoded into gigabytes. Baseline JPEGs, the usual photos, are decoded
/// scaled down and need nothing like it.
pub const MAX_DECODE_BYTES: u64 = 200 * 1024 * 1024;
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
    let decoded = catch_unwind(AssertUnwindSafe(|| decode(bytes, format))).unwrap_or_else(|_| Err(ImageError::new(ImageErrorKind::Corrupt)))?;
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

/// The JPEG fast path: libjpeg-turbo decoding at the smallest eighth-scale (DCT-domain
/// downscaling) that still covers [`MAX_EDGE`]. `Ok(None)` for JPEG flavours it does not handle
/// (CMYK, 12-bit), which go the generic way.
fn decode_jpeg_scaled(bytes: &[u8]) -> Result<Option<Decoded>, ImageError> {
    // Our own look at the frame header first, so a bomb is named before any decoder runs.
    if let Some((w, h)) = jpeg_frame_size(bytes) {
        check_dimensions(w as u64, h as u64)?;
        // A progressive (or multi-scan) file holds no row until its last scan: any decoder
        // keeps every DCT coefficient of the image meanwhile, whatever the output scale.
        if jpeg_coefficient_bytes(bytes).is_some_and(|c| c > MAX_DECODE_BYTES) {
            return Err(ImageError::too_large_to_decode(w as u64, h as u64, MAX_DECODE_BYTES));
        }
    }
    let Some(head) = turbo::header(bytes) else { return Ok(None) };
    let (w, h) = (head.width, head.height);
    check_dimensions(w as u64, h as u64)?;
    if !head.convertible {
        return Ok(None);
    }
    let (tw, th) = fit_dims(w, h, MAX_EDGE);
    let image = turbo::decode_scaled(bytes, head, tw, th).ok_or_else(|| ImageError::new(ImageErrorKind::Corrupt))?;
    let orientation = jpeg_exif(bytes).and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    Ok(Some(Decoded { image, width: w, height: h, orientation }))
}

/// The marker segments up to and including the first scan header (SOS): (marker, payload).
fn jpeg_segments(b: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut i = 2;
    let mut scan_seen = false;
    std::iter::from_fn(move || loop {
        if scan_seen || i + 4 > b.len() || b[i] != 0xFF {
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
        if len < 2 {
            return None;
        }
        let seg = b.get(i + 4..i + 2 + len)?;
        i += 2 + len;
        scan_seen = m == 0xDA;
        return Some((m, seg));
    })
}

/// Whether `m` is a start-of-frame marker (SOF0–SOF15 but DHT, JPG and DAC).
fn is_sof(m: u8) -> bool {
    matches!(m, 0xC0..=0xCF) && !matches!(m, 0xC4 | 0xC8 | 0xCC)
}

/// The TIFF structure inside the first APP1 `Exif` segment, where the orientation lives.
fn jpeg_exif(b: &[u8]) -> Option<&[u8]> {
    jpeg_segments(b).find_map(|(m, seg)| (m == 0xE1).then(|| seg.strip_prefix(b"Exif\0\0")).flatten())
}

/// Width and height from the first SOFn segment.
fn jpeg_frame_size(b: &[u8]) -> Option<(u32, u32)> {
    let (_, s) = jpeg_segments(b).find(|&(m, _)| is_sof(m))?;
    let s = s.get(..5)?;
    Some((u16::from_be_bytes([s[3], s[4]]) as u32, u16::from_be_bytes([s[1], s[2]]) as u32))
}

/// The memory, in bytes, a decoder needs for the whole-image DCT coefficients of a progressive
/// or multi-scan JPEG (2 bytes for each of the 64 coefficients of each 8×8 block of each
/// component, the blocks padded to whole MCUs); `None` for a single-scan baseline file, which
/// is decoded row by row, or when the headers cannot be parsed (the decoder then judges).
fn jpeg_coefficient_bytes(b: &[u8]) -> Option<u64> {
    let mut frame: Option<(u8, &[u8])> = None;
    let mut scan_components = None;
    for (m, seg) in jpeg_segments(b) {
        if is_sof(m) && frame.is_none() {
            frame = Some((m, seg));
        }
        if m == 0xDA {
            scan_components = Some(*seg.first()?);
        }
    }
    let scan_components = scan_components?;
    let (marker, sof) = frame?;
    let progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
    let (h, w, n) = (u16::from_be_bytes([*sof.get(1)?, *sof.get(2)?]) as u64, u16::from_be_bytes([*sof.get(3)?, *sof.get(4)?]) as u64, *sof.get(5)?);
    if !progressive && scan_components >= n {
        return None;
    }
    let comps: Vec<(u64, u64)> =
        (0..n as usize).map(|c| sof.get(6 + c * 3 + 1).map(|&hv| (((hv >> 4) as u64).max(1), ((hv & 15) as u64).max(1)))).collect::<Option<_>>()?;
    let hmax = comps.iter().map(|c| c.0).max()?;
    let vmax = comps.iter().map(|c| c.1).max()?;
    let (mcus_x, mcus_y) = (w.div_ceil(8 * hmax), h.div_ceil(8 * vmax));
    Some(comps.iter().map(|&(hs, vs)| mcus_x * hs * mcus_y * vs * 128).sum())
}

/// The most memory decoding `pixels` pixels of `color` into RGB takes: the decoded buffer and
/// its conversions (none for RGB; RGBA is flattened in place; other formats with alpha go
/// through RGBA, then RGB; the rest straight to RGB).
fn decode_bytes(color: image::ColorType, pixels: u64) -> u64 {
    let conversions = match color {
        image::ColorType::Rgb8 | image::ColorType::Rgba8 => 0,
        c if c.has_alpha() => 4 + 3,
        _ => 3,
    };
    pixels * (color.bytes_per_pixel() as u64 + conversions)
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
    if decode_bytes(decoder.color_type(), w as u64 * h as u64) > MAX_DECODE_BYTES {
        return Err(ImageError::too_large_to_decode(w as u64, h as u64, MAX_DECODE_BYTES));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    decoder.set_limits(limits).map_err(map_image_error)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    let image = match img {
        DynamicImage::ImageRgba8(rgba) => flatten_rgba_on_white(rgba),
        img if img.color().has_alpha() => flatten_on_white(&img),
        img => img.into_rgb8(),
    };
    Ok(Decoded { image, width: w, height: h, orientation })
}

fn map_image_error(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::new(ImageErrorKind::TooLarge),
        image::ImageError::Unsupported(_) => ImageError::new(ImageErrorKind::NotAnImage),
        _ => ImageError::new(ImageErrorKind::Corrupt),
    }
}

/// Transparent pixels (screenshots, scans with a cut-out) become white, not black. In place:
/// each RGBA pixel becomes an RGB one within the same buffer, so a large PNG is not held twice.
fn flatten_rgba_on_white(rgba: image::RgbaImage) -> RgbImage {
    let (w, h) = rgba.dimensions();
    let mut px = rgba.into_raw();
    let n = px.len() / 4;
    for i in 0..n {
        // Pixel i is written at 3i, at or before where it was read (4i): nothing unread is lost.
        let a = px[i * 4 + 3] as u32;
        for c in 0..3 {
            px[i * 3 + c] = ((px[i * 4 + c] as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    px.truncate(n * 3);
    px.shrink_to_fit();
    RgbImage::from_raw(w, h, px).expect("three bytes a pixel")
}

/// [`flatten_rgba_on_white`] for the other formats with alpha (grey with alpha, 16-bit).
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
    let done = ImageRef::new(w, h, img.as_raw(), PixelType::U8x3).ok().and_then(|src| Resizer::new().resize(&src, &mut dst, &opts).ok());
    done.and_then(|()| RgbImage::from_raw(tw, th, dst.into_vec())).unwrap_or_else(|| image::imageops::thumbnail(img, tw, th))
}

/// Applies an EXIF orientation. Phones store most portrait shots sideways (6 or 8), so the
/// quarter turns are done in cache-sized tiles: pixel by pixel they cost more than encoding.
fn orient(img: RgbImage, o: Orientation) -> RgbImage {
    let (w, h) = img.dimensions();
    let (w_, h_) = (w as usize, h as usize);
    match o {
        Orientation::NoTransforms => img,
        Orientation::FlipHorizontal => {
            let mut img = img;
            for row in img.chunks_exact_mut(w_ * 3) {
                reverse_pixels(row);
            }
            img
        }
        Orientation::FlipVertical => {
            let mut out = Vec::with_capacity(w_ * h_ * 3);
            for row in img.as_raw().chunks_exact(w_ * 3).rev() {
                out.extend_from_slice(row);
            }
            RgbImage::from_raw(w, h, out).expect("same size")
        }
        Orientation::Rotate180 => {
            let mut img = img;
            reverse_pixels(&mut img);
            img
        }
        // Output pixel (x, y) comes from stored column `y` (or its mirror) and stored row `x`
        // (or its mirror).
        Orientation::Rotate90 => quarter_turn(&img, false, true),
        Orientation::Rotate270 => quarter_turn(&img, true, false),
        Orientation::Rotate90FlipH => quarter_turn(&img, false, false),
        Orientation::Rotate270FlipH => quarter_turn(&img, true, true),
    }
}

/// Reverses the order of the RGB pixels in `px`.
fn reverse_pixels(px: &mut [u8]) {
    let n = px.len() / 3;
    for i in 0..n / 2 {
        let (a, b) = (i * 3, (n - 1 - i) * 3);
        for c in 0..3 {
            px.swap(a + c, b + c);
        }
    }
}

/// An h × w image whose pixel (x, y) is the stored pixel at column `y` (mirrored when
/// `mirror_col`) and row `x` (mirrored when `mirror_row`), copied tile by tile.
fn quarter_turn(img: &RgbImage, mirror_col: bool, mirror_row: bool) -> RgbImage {
    const TILE: usize = 32;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = img.as_raw();
    let mut out = vec![0u8; w * h * 3];
    // The output is h wide and w tall.
    for ty in (0..w).step_by(TILE) {
        for tx in (0..h).step_by(TILE) {
            for y in ty..(ty + TILE).min(w) {
                let col = if mirror_col { w - 1 - y } else { y };
                let row_out = &mut out[y * h * 3..(y + 1) * h * 3];
                for x in tx..(tx + TILE).min(h) {
                    let row = if mirror_row { h - 1 - x } else { x };
                    let s = (row * w + col) * 3;
                    row_out[x * 3..x * 3 + 3].copy_from_slice(&src[s..s + 3]);
                }
            }
        }
    }
    RgbImage::from_raw(h as u32, w as u32, out).expect("same pixel count")
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
    turbo::encode(img, quality).ok_or_else(|| ImageError::new(ImageErrorKind::Corrupt))
}

/// A smaller JPEG of `img` for display (long edge at most `edge`), with no metadata.
pub fn preview_jpeg(img: &RgbImage, edge: u32) -> Result<Vec<u8>, ImageError> {
    let (w, h) = fit_dims(img.width(), img.height(), edge);
    if (w, h) == img.dimensions() {
        return encode_jpeg(img, 80);
    }
    encode_jpeg(&resize(img, w, h), 80)
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
