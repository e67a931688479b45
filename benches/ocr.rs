//! Local OCR speed and memory: model load, and photo file to fields for a 12-megapixel phone
//! frame (JPEG decode included), for a card-sized scan, and for a photo holding a card's front
//! and back (every card read, tests/data/cards/both-sides.jpg).
//!
//! `CARGO_TARGET_DIR=... cargo bench --bench ocr -- --sample-size 10`
//!
//! Targets: ≤ 0.5 s per card on 2 cores, ≤ 0.8 s for a photo of both sides, model load ≤ 0.3 s, peak memory (VmHWM) while reading
//! ≤ 300 MB above idle. Load time and memory are printed before the criterion runs.

use criterion::Criterion;
use image::{imageops, Rgb, RgbImage};
use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), quality);
    img.write_with_encoder(enc).unwrap();
    out
}

/// A 4000×3000 phone frame: the clean test card enlarged onto a grainy desk.
fn phone_frame(card: &RgbImage) -> RgbImage {
    let mut frame = RgbImage::from_fn(4000, 3000, |x, y| {
        let g = ((x * 7 + y * 13) % 23) as u8;
        Rgb([110 + g, 80 + g / 2, 55 + g / 3])
    });
    let w = 2600;
    let h = card.height() * w / card.width();
    let big = imageops::resize(card, w, h, imageops::FilterType::Triangle);
    imageops::overlay(&mut frame, &big, ((4000 - w) / 2) as i64, ((3000 - h) / 2) as i64);
    frame
}

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cards");
    let scan = std::fs::read(data.join("clean-front.jpg")).expect("tests/data/cards/clean-front.jpg");
    let card = image::load_from_memory(&scan).unwrap().into_rgb8();
    let phone = jpeg(&phone_frame(&card), 90);
    let both = std::fs::read(data.join("both-sides.jpg")).expect("tests/data/cards/both-sides.jpg");

    let idle = vm_hwm_kb();
    let t = Instant::now();
    let engine = idcheck::ocr::Engine::load().expect("models load");
    let load_ms = t.elapsed().as_secs_f32() * 1000.0;
    drop(engine);
    let t = Instant::now();
    idcheck::ocr::Engine::shared().expect("models load");
    let global_ms = t.elapsed().as_secs_f32() * 1000.0;
    let r = idcheck::ocr::read_file(&phone).expect("phone frame reads");
    let after = vm_hwm_kb();
    assert!(r.fields.number.is_some(), "the phone frame must read");
    println!("model load: {load_ms:.0} ms (global first call {global_ms:.0} ms); 12 MP frame ({} KB JPEG): {:?}", phone.len() / 1024, r.timings);
    println!("VmHWM idle {} MB, after reading a 12 MP frame {} MB, growth {} MB", idle / 1024, after / 1024, (after - idle) / 1024);

    let all = idcheck::ocr::read_file_all(&both).expect("both sides read");
    assert_eq!(all.len(), 2, "a front and a back");

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("ocr/phone_12mp_file_to_fields", |b| b.iter(|| idcheck::ocr::read_file(&phone).unwrap()));
    c.bench_function("ocr/scan_file_to_fields", |b| b.iter(|| idcheck::ocr::read_file(&scan).unwrap()));
    c.bench_function("ocr/both_sides_file_to_fields", |b| b.iter(|| idcheck::ocr::read_file_all(&both).unwrap()));
    c.final_summary();
}
