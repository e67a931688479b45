use super::*;
use crate::synth::{self, Scene};
use image::{ImageEncoder, Rgb};

/// A small photo-like image whose top-left quarter is red and the rest blue-ish, so that
/// orientation can be checked from the pixels.
fn marked(w: u32, h: u32) -> RgbImage {
    let mut img = synth::render(&Scene { noise: 2, ..Scene::centred(w, h, 0.6, 0.0) });
    for y in 0..h / 4 {
        for x in 0..w / 4 {
            img.put_pixel(x, y, Rgb([220, 20, 20]));
        }
    }
    img
}

fn png_bytes(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8).unwrap();
    out
}

fn encode_with(img: &RgbImage, fmt: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, fmt).unwrap();
    out.into_inner()
}

fn is_red(p: &Rgb<u8>) -> bool {
    p[0] > 150 && p[1] < 90 && p[2] < 90
}

fn no_metadata(jpeg: &[u8]) {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]));
    for needle in [&b"Exif"[..], b"GPS", b"SynthCam", b"http://ns.adobe.com", b"ICC_PROFILE"] {
        assert!(!jpeg.windows(needle.len()).any(|w| w == needle), "payload holds {:?}", String::from_utf8_lossy(needle));
    }
}

#[test]
fn accepts_jpeg_png_webp_bmp() {
    let img = marked(640, 400);
    for (fmt, bytes) in [
        (SourceFormat::Jpeg, synth::jpeg(&img, 90)),
        (SourceFormat::Png, png_bytes(&img)),
        (SourceFormat::Webp, encode_with(&img, ImageFormat::WebP)),
        (SourceFormat::Bmp, encode_with(&img, ImageFormat::Bmp)),
    ] {
        let p = prepare(&bytes).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
        assert_eq!(p.source.format, fmt);
        assert_eq!((p.width, p.height), (640, 400), "{fmt:?}");
        assert_eq!(p.image.dimensions(), (640, 400));
        assert_eq!((p.source.width, p.source.height), (640, 400));
        assert!(is_red(p.image.get_pixel(20, 20)), "{fmt:?}");
        assert!(!is_red(p.image.get_pixel(620, 380)), "{fmt:?}");
        no_metadata(&p.jpeg);
        // The payload decodes to the same picture.
        let back = image::load_from_memory(&p.jpeg).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (640, 400));
        assert!(is_red(back.get_pixel(20, 20)));
    }
}

#[test]
fn grey_jpeg_and_transparent_png_become_rgb() {
    let grey = image::GrayImage::from_fn(300, 200, |x, _| image::Luma([(x % 256) as u8]));
    let mut jpg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 90).write_image(grey.as_raw(), 300, 200, image::ExtendedColorType::L8).unwrap();
    let p = prepare(&jpg).unwrap();
    assert_eq!((p.width, p.height), (300, 200));
    let px = p.image.get_pixel(150, 100);
    assert!((px[0] as i32 - px[2] as i32).abs() < 3);

    let rgba = image::RgbaImage::from_pixel(50, 40, image::Rgba([0, 0, 0, 0]));
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png).write_image(rgba.as_raw(), 50, 40, image::ExtendedColorType::Rgba8).unwrap();
    let p = prepare(&png).unwrap();
    assert_eq!(*p.image.get_pixel(10, 10), Rgb([255, 255, 255]), "transparent becomes white");
}

#[test]
fn refuses_other_formats_with_what_to_do() {
    let cases: [(&[u8], ImageErrorKind, &str); 8] = [
        (b"", ImageErrorKind::Empty, "empty"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0", ImageErrorKind::Heic, "Most Compatible"),
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf\0\0\0\0", ImageErrorKind::Avif, "JPEG"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", ImageErrorKind::Pdf, "Export the page"),
        (b"GIF89a\x01\0\x01\0\x80\0\0\xff\xff\xff\0\0\0!", ImageErrorKind::Gif, "JPEG"),
        (b"II*\0\x08\0\0\0\0\0", ImageErrorKind::Tiff, "scan"),
        (b"name,number\nZhang,110105\n", ImageErrorKind::NotAnImage, "not a recognised image"),
        (b"PK\x03\x04\x14\0\0\0\x08\0", ImageErrorKind::NotAnImage, "Choose a photo"),
    ];
    for (bytes, kind, hint) in cases {
        let e = prepare(bytes).unwrap_err();
        assert_eq!(e.kind, kind);
        assert!(e.message.en.contains(hint), "{kind:?}: {}", e.message.en);
        assert!(!e.message.zh.is_empty() && e.message.zh.chars().any(|c| c as u32 > 0x4E00));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], serde_json::to_value(kind).unwrap());
        assert_eq!(json["message_en"], e.message.en.as_str());
        assert_eq!(json["message_zh"], e.message.zh.as_str());
    }
    assert_eq!(serde_json::to_value(ImageErrorKind::NotAnImage).unwrap(), "not_an_image");
}

#[test]
fn exif_orientation_is_applied_and_stripped() {
    // Stored landscape 800×600, red block at the stored top-left.
    let img = marked(800, 600);
    let base = synth::jpeg(&img, 90);
    let expect = |o: u16, dims: (u32, u32), red_at: (u32, u32)| {
        let bytes = synth::with_exif_orientation(&base, o);
        assert!(bytes.windows(4).any(|w| w == b"Exif"));
        let p = prepare(&bytes).unwrap();
        assert_eq!(p.source.exif_orientation, o as u8);
        assert_eq!((p.width, p.height), dims, "orientation {o}");
        assert!(is_red(p.image.get_pixel(red_at.0, red_at.1)), "orientation {o}: red expected at {red_at:?}");
        no_metadata(&p.jpeg);
    };
    expect(1, (800, 600), (20, 20));
    // 6: the stored top-left ends at the top-right after a 90° clockwise turn.
    expect(6, (600, 800), (580, 20));
    expect(3, (800, 600), (780, 580));
    // 8: the stored top-left ends at the bottom-left.
    expect(8, (600, 800), (20, 780));
    expect(2, (800, 600), (780, 20));
}

#[test]
fn downscales_to_the_long_edge() {
    // 4100 wide: the DCT stage gives 1/2 = 2050, the resizer brings it to 2000.
    let img = synth::render(&Scene { noise: 0, ..Scene::centred(4100, 1000, 0.2, 0.0) });
    let p = prepare(&synth::jpeg(&img, 80)).unwrap();
    assert_eq!((p.width, p.height), (2000, 488));
    let p = prepare(&png_bytes(&img)).unwrap();
    assert_eq!((p.width, p.height), (2000, 488));
    assert_eq!((p.source.width, p.source.height), (4100, 1000));
    assert_eq!(fit_dims(1000, 800, 2000), (1000, 800));
    assert_eq!(fit_dims(3000, 4000, 2000), (1500, 2000));
}

#[test]
fn twelve_megapixel_photo_fits_well_under_the_limit() {
    let photo = synth::phone_photo_12mp();
    assert!(photo.len() > 2_500_000, "fixture should be a realistic 3–5 MB photo, is {}", photo.len());
    let p = prepare(&photo).unwrap();
    // Orientation 6 turns 4000×3000 into portrait.
    assert_eq!((p.width, p.height), (1500, 2000));
    let b64 = p.base64();
    assert_eq!(b64.len(), p.base64_len());
    assert!(b64.len() < MAX_BASE64);
    let naive = photo.len().div_ceil(3) * 4;
    assert!(b64.len() * 10 <= naive, "payload {} vs naive {}", b64.len(), naive);
    no_metadata(&p.jpeg);
}

#[test]
fn quality_loop_keeps_base64_under_a_limit() {
    let img = synth::render(&Scene { noise: 40, ..Scene::centred(1200, 900, 0.6, 0.0) });
    let full = encode_jpeg(&img, QUALITY).unwrap();
    let limit = full.len() / 2;
    let j = encode_within(&img, limit).unwrap();
    assert!(j.len().div_ceil(3) * 4 <= limit);
    assert!(image::load_from_memory(&j).is_ok());
    assert_eq!(encode_within(&img, 100).unwrap_err().kind, ImageErrorKind::PayloadTooBig);
}

#[test]
fn truncated_files_are_corrupt() {
    let img = marked(640, 480);
    let jpg = synth::jpeg(&img, 90);
    for cut in [jpg.len() / 2, jpg.len() - 200, 300, 20] {
        let e = prepare(&jpg[..cut]).unwrap_err();
        assert_eq!(e.kind, ImageErrorKind::Corrupt, "JPEG cut at {cut}");
        assert!(e.message.en.contains("incomplete"));
    }
    let png = png_bytes(&img);
    for cut in [png.len() / 2, png.len() - 20, 40] {
        assert_eq!(prepare(&png[..cut]).unwrap_err().kind, ImageErrorKind::Corrupt, "PNG cut at {cut}");
    }
    let webp = encode_with(&img, ImageFormat::WebP);
    assert_eq!(prepare(&webp[..webp.len() / 2]).unwrap_err().kind, ImageErrorKind::Corrupt);
    let bmp = encode_with(&img, ImageFormat::Bmp);
    assert_eq!(prepare(&bmp[..bmp.len() / 2]).unwrap_err().kind, ImageErrorKind::Corrupt);
}

#[test]
fn garbage_after_a_valid_header_never_panics() {
    let jpg = synth::jpeg(&marked(200, 150), 90);
    let mut rng = synth::Rng::new(99);
    for i in 0..200 {
        let mut b = jpg.clone();
        for _ in 0..1 + i % 8 {
            let at = 2 + rng.below(b.len() as u64 - 2) as usize;
            b[at] = rng.next_u64() as u8;
        }
        let _ = prepare(&b);
    }
    let png = png_bytes(&marked(200, 150));
    for _ in 0..100 {
        let mut b = png.clone();
        let at = 8 + rng.below(b.len() as u64 - 8) as usize;
        b[at] ^= 0x5A;
        let _ = prepare(&b);
    }
}

/// A PNG of just a signature and an IHDR (with a valid CRC) declaring `w × h`.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&w.to_be_bytes());
    chunk.extend_from_slice(&h.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    out
}

#[test]
fn decompression_bombs_are_refused_from_the_header() {
    let bomb = png_header(60000, 60000);
    assert!(bomb.len() < 64);
    let e = prepare(&bomb).unwrap_err();
    assert_eq!(e.kind, ImageErrorKind::TooLarge);
    assert!(e.message.en.contains("60000×60000"), "{}", e.message.en);
    // Within each side but over the pixel budget.
    assert_eq!(prepare(&png_header(15000, 15000)).unwrap_err().kind, ImageErrorKind::TooLarge);
    // A header that is fine followed by nothing is merely incomplete.
    assert_eq!(prepare(&png_header(100, 100)).unwrap_err().kind, ImageErrorKind::Corrupt);
    // A JPEG whose frame header declares 65000×65000.
    let mut jpg = synth::jpeg(&marked(64, 48), 90);
    let sof = jpg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpg[sof + 5..sof + 7].copy_from_slice(&65000u16.to_be_bytes());
    jpg[sof + 7..sof + 9].copy_from_slice(&65000u16.to_be_bytes());
    assert_eq!(prepare(&jpg).unwrap_err().kind, ImageErrorKind::TooLarge);
    // A BMP header declaring 30000×30000.
    let mut bmp = encode_with(&marked(64, 48), ImageFormat::Bmp);
    bmp[18..22].copy_from_slice(&30000i32.to_le_bytes());
    bmp[22..26].copy_from_slice(&30000i32.to_le_bytes());
    assert_eq!(prepare(&bmp).unwrap_err().kind, ImageErrorKind::TooLarge);
}

#[test]
fn debug_never_prints_pixels() {
    let p = prepare(&synth::jpeg(&marked(64, 48), 90)).unwrap();
    let s = format!("{p:?}");
    assert!(s.contains("jpeg_bytes") && s.len() < 300, "{s}");
}

#[test]
fn jpeg_scale_is_the_smallest_eighth_covering_the_target() {
    use super::turbo::scale;
    assert_eq!(scale(4000, 3000, 2000, 1500), (4, 2000, 1500));
    // An iPhone's 4032 × 3024: 1/2 gives 2016 × 1512, the resizer does the rest.
    assert_eq!(scale(4032, 3024, 2000, 1500), (4, 2016, 1512));
    // 24 MP: 3/8 already covers 2000 × 1333.
    assert_eq!(scale(6000, 4000, 2000, 1333), (3, 2250, 1500));
    assert_eq!(scale(800, 600, 800, 600), (8, 800, 600));
    assert_eq!(scale(1, 1, 1, 1), (1, 1, 1));
}

#[test]
fn every_exif_orientation_matches_the_reference_transform() {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    // Odd sizes and more than one tile, every pixel distinct enough to catch an off-by-one.
    let img = RgbImage::from_fn(67, 41, |x, y| Rgb([x as u8, y as u8, (x * 7 + y * 13) as u8]));
    let cases: [(Orientation, RgbImage); 8] = [
        (Orientation::NoTransforms, img.clone()),
        (Orientation::FlipHorizontal, flip_horizontal(&img)),
        (Orientation::FlipVertical, flip_vertical(&img)),
        (Orientation::Rotate180, rotate180(&img)),
        (Orientation::Rotate90, rotate90(&img)),
        (Orientation::Rotate270, rotate270(&img)),
        (Orientation::Rotate90FlipH, flip_horizontal(&rotate90(&img))),
        (Orientation::Rotate270FlipH, flip_horizontal(&rotate270(&img))),
    ];
    for (o, want) in cases {
        assert!(super::orient(img.clone(), o) == want, "{o:?}");
    }
}

#[test]
fn preview_is_small_upright_and_clean() {
    let img = synth::jpeg(&marked(800, 600), 90);
    let p = prepare(&synth::with_exif_orientation(&img, 6)).unwrap();
    let small = preview_jpeg(&p.image, 400).unwrap();
    no_metadata(&small);
    let back = image::load_from_memory(&small).unwrap().to_rgb8();
    assert_eq!(back.dimensions(), (300, 400));
    // The red corner turned with the photo: top-right after orientation 6.
    assert!(is_red(back.get_pixel(290, 10)));
}

#[test]
fn two_threads_decode_exactly_what_one_does() {
    // Large enough to be split, with an odd number of rows.
    let photo = synth::phone_photo_12mp();
    let head = super::turbo::header(&photo).unwrap();
    let split = super::turbo::decode_scaled(&photo, head, 2000, 1500).unwrap();
    let one = super::turbo::decode_scaled(&photo, super::turbo::Header { progressive: true, ..head }, 2000, 1500).unwrap();
    assert_eq!(split.dimensions(), one.dimensions());
    assert!(split == one, "the halves differ from the single-threaded decoding");
    // A cut in the bottom half, where only the second thread reads, is still refused.
    assert!(super::turbo::decode_scaled(&photo[..photo.len() * 9 / 10], head, 2000, 1500).is_none());
}
