//! JPEG decoding and encoding through libjpeg-turbo's TurboJPEG API (linked statically, see
//! `build.rs`).
//!
//! Why not a Rust decoder: a 12-megapixel phone photo holds 4–6 MB of Huffman-coded data, and
//! libjpeg-turbo reads it and scales it down by 1/2 in the DCT domain in well under half the
//! time of the pure-Rust decoders we measured (see the `image_prep` benchmark); its encoder is
//! three times faster than the Rust one too. Everything unsafe lives in this file: handles are
//! created and destroyed per call, every buffer is sized by us before the library writes to it,
//! and every return code is checked.

use image::RgbImage;
use std::os::raw::{c_int, c_uchar, c_uint, c_ulong, c_void};

type Handle = *mut c_void;

unsafe extern "C" {
    fn tjInitDecompress() -> Handle;
    fn tjInitCompress() -> Handle;
    fn tjDestroy(handle: Handle) -> c_int;
    fn tjDecompressHeader3(
        handle: Handle,
        jpeg: *const c_uchar,
        size: c_ulong,
        width: *mut c_int,
        height: *mut c_int,
        subsamp: *mut c_int,
        colorspace: *mut c_int,
    ) -> c_int;
    fn tjDecompress2(
        handle: Handle,
        jpeg: *const c_uchar,
        size: c_ulong,
        dst: *mut c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjBufSize(width: c_int, height: c_int, subsamp: c_int) -> c_ulong;
    fn tjCompress2(
        handle: Handle,
        src: *const c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        jpeg: *mut *mut c_uchar,
        size: *mut c_ulong,
        subsamp: c_int,
        quality: c_int,
        flags: c_int,
    ) -> c_int;
}

unsafe extern "C" {
    /// `rows.c`: output rows [y0, y1) at scale num/8 into `out`; 0 on success.
    fn idc_decode_rows(data: *const c_uchar, len: c_ulong, num: c_int, y0: c_uint, y1: c_uint, out: *mut c_uchar, out_w: c_uint) -> c_int;
}

const TJPF_RGB: c_int = 0;
const TJSAMP_420: c_int = 2;
const TJCS_CMYK: c_int = 3;
const TJCS_YCCK: c_int = 4;
/// Fail on a warning such as "premature end of data" instead of painting the rest grey.
const TJFLAG_STOPONWARNING: c_int = 8192;
/// Refuse progressive files with more than 500 scans (a known denial-of-service shape).
const TJFLAG_LIMITSCANS: c_int = 32768;
/// Write into the buffer we sized; never let the library reallocate it.
const TJFLAG_NOREALLOC: c_int = 1024;

/// Owns a TurboJPEG handle for one call.
struct Tj(Handle);

impl Tj {
    fn decompressor() -> Option<Tj> {
        // SAFETY: no arguments; a null return is checked.
        let h = unsafe { tjInitDecompress() };
        (!h.is_null()).then_some(Tj(h))
    }

    fn compressor() -> Option<Tj> {
        // SAFETY: as above.
        let h = unsafe { tjInitCompress() };
        (!h.is_null()).then_some(Tj(h))
    }
}

impl Drop for Tj {
    fn drop(&mut self) {
        // SAFETY: the handle came from tjInit* and is destroyed once.
        unsafe { tjDestroy(self.0) };
    }
}

/// What the frame header says.
#[derive(Debug, Clone, Copy)]
pub(super) struct Header {
    pub width: u32,
    pub height: u32,
    /// CMYK and YCCK files cannot be turned into RGB by TurboJPEG; they go the generic way.
    pub convertible: bool,
    /// Progressive files hold no row until every scan is read: no gain in splitting them.
    pub progressive: bool,
}

/// The frame header, or `None` when TurboJPEG cannot parse it (12-bit files, damaged headers):
/// the caller then lets the generic decoder judge the file.
pub(super) fn header(jpeg: &[u8]) -> Option<Header> {
    let tj = Tj::decompressor()?;
    let (mut w, mut h, mut ss, mut cs) = (0, 0, 0, 0);
    // SAFETY: the pointer and length describe `jpeg`; the out-pointers are live locals.
    let rc = unsafe { tjDecompressHeader3(tj.0, jpeg.as_ptr(), jpeg.len() as c_ulong, &mut w, &mut h, &mut ss, &mut cs) };
    let progressive = super::jpeg_segments(jpeg).any(|(m, _)| matches!(m, 0xC2 | 0xC6 | 0xCA | 0xCE));
    (rc == 0 && w > 0 && h > 0).then_some(Header { width: w as u32, height: h as u32, convertible: cs != TJCS_CMYK && cs != TJCS_YCCK, progressive })
}

/// The scale n/8 (libjpeg-turbo scales by eighths in the DCT domain) that gives the smallest
/// image still covering `min_w` × `min_h`, with the dimensions it gives: (n, width, height).
pub(super) fn scale(w: u32, h: u32, min_w: u32, min_h: u32) -> (u32, u32, u32) {
    let at = |n: u32| (n, (w as u64 * n as u64).div_ceil(8) as u32, (h as u64 * n as u64).div_ceil(8) as u32);
    (1..=8).map(at).find(|&(_, sw, sh)| sw >= min_w && sh >= min_h).unwrap_or((8, w, h))
}

/// From this many output pixels on, two threads share the decoding (see [`decode_split`]).
const SPLIT_MIN_PIXELS: u64 = 1_500_000;

/// Decodes to RGB at the smallest eighth-scale covering `min_w` × `min_h`. `None` when the
/// data is damaged or truncated.
pub(super) fn decode_scaled(jpeg: &[u8], head: Header, min_w: u32, min_h: u32) -> Option<RgbImage> {
    let (n, sw, sh) = scale(head.width, head.height, min_w, min_h);
    let two_cores = std::thread::available_parallelism().is_ok_and(|p| p.get() >= 2);
    if two_cores && !head.progressive && sw as u64 * sh as u64 >= SPLIT_MIN_PIXELS {
        return decode_split(jpeg, n, sw, sh);
    }
    let tj = Tj::decompressor()?;
    let mut pixels = vec![0u8; sw as usize * sh as usize * 3];
    // SAFETY: `pixels` holds exactly sw × sh RGB pixels with pitch sw × 3 (pitch 0 means
    // that); TurboJPEG picks the scale whose output fits sw × sh, which is this very size.
    let rc = unsafe {
        tjDecompress2(
            tj.0,
            jpeg.as_ptr(),
            jpeg.len() as c_ulong,
            pixels.as_mut_ptr(),
            sw as c_int,
            0,
            sh as c_int,
            TJPF_RGB,
            TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS,
        )
    };
    if rc != 0 {
        return None;
    }
    RgbImage::from_raw(sw, sh, pixels)
}

/// A large baseline photo decoded by two threads: one decodes the top half; the other reads
/// past it (entropy decoding only, the cheaper part) and decodes the bottom half. The
/// Huffman-coded data cannot be entered in the middle, so this saves the inverse DCT, upsampling
/// and colour conversion of half the picture: about a fifth of the time on a 12 MP photo.
fn decode_split(jpeg: &[u8], n: u32, sw: u32, sh: u32) -> Option<RgbImage> {
    let row = sw as usize * 3;
    let half = (sh / 2) & !15;
    let mut pixels = vec![0u8; row * sh as usize];
    let (top, bottom) = pixels.split_at_mut(row * half as usize);
    let band = |y0: u32, y1: u32, out: &mut [u8]| {
        debug_assert_eq!(out.len(), row * (y1 - y0) as usize);
        // SAFETY: `out` holds exactly the rows y0..y1 of width sw; the C side checks that the
        // decoder's output width is sw and that y1 is within its height before writing.
        unsafe { idc_decode_rows(jpeg.as_ptr(), jpeg.len() as c_ulong, n as c_int, y0, y1, out.as_mut_ptr(), sw) == 0 }
    };
    let ok = std::thread::scope(|s| {
        let lower = s.spawn(|| band(half, sh, bottom));
        let upper = band(0, half, top);
        upper & lower.join().unwrap_or(false)
    });
    if !ok {
        return None;
    }
    RgbImage::from_raw(sw, sh, pixels)
}

/// A baseline JPEG, 4:2:0, with a JFIF header and no other metadata.
pub(super) fn encode(img: &RgbImage, quality: u8) -> Option<Vec<u8>> {
    let tj = Tj::compressor()?;
    let (w, h) = (img.width() as c_int, img.height() as c_int);
    // SAFETY: plain arithmetic on the dimensions.
    let cap = unsafe { tjBufSize(w, h, TJSAMP_420) } as usize;
    if cap == 0 || cap == u32::MAX as usize {
        return None;
    }
    let mut out = vec![0u8; cap];
    let mut ptr = out.as_mut_ptr();
    let mut len: c_ulong = cap as c_ulong;
    // SAFETY: the source is w × h RGB pixels; the destination is our buffer of `cap` bytes,
    // tjBufSize's worst case, and NOREALLOC forbids the library to replace it.
    let rc = unsafe {
        tjCompress2(tj.0, img.as_raw().as_ptr(), w, 0, h, TJPF_RGB, &mut ptr, &mut len, TJSAMP_420, quality.clamp(1, 100) as c_int, TJFLAG_NOREALLOC)
    };
    if rc != 0 || ptr != out.as_mut_ptr() || len as usize > cap {
        return None;
    }
    out.truncate(len as usize);
    Some(out)
}
