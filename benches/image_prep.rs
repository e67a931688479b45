//! Speed of image preparation on a realistic 12-megapixel phone photo (generated in code:
//! 4000 × 3000, card in perspective, sensor noise, JPEG quality 92, EXIF orientation 6).
//!
//! Also the quality checks and the card locator on the prepared photo.
//!
//! Run: `cargo bench --bench image_prep -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use idcheck::{image_prep, synth};

fn prepare(c: &mut Criterion) {
    let photo = synth::phone_photo_12mp();
    let naive = photo.len().div_ceil(3) * 4;
    let p = image_prep::prepare(&photo).expect("prepare");
    eprintln!(
        "12 MP photo: {} bytes (naive base64 {} bytes) -> {}x{} JPEG {} bytes, base64 {} bytes, ratio 1/{:.1}",
        photo.len(),
        naive,
        p.width,
        p.height,
        p.jpeg.len(),
        p.base64_len(),
        naive as f64 / p.base64_len() as f64
    );
    let mut g = c.benchmark_group("image_prep");
    g.sample_size(20);
    g.bench_function("prepare_12mp_jpeg", |b| b.iter(|| image_prep::prepare(&photo).unwrap()));
    g.bench_function("prepare_12mp_jpeg_base64", |b| b.iter(|| image_prep::prepare(&photo).unwrap().base64()));
    g.bench_function("decode_upright_12mp", |b| b.iter(|| image_prep::decode_upright(&photo).unwrap()));
    g.bench_function("encode_2000x1500", |b| b.iter(|| image_prep::encode_jpeg(&p.image, image_prep::QUALITY).unwrap()));
    // For comparison: the obvious way with the `image` crate alone.
    g.bench_function("naive_image_crate_12mp", |b| {
        b.iter(|| {
            let img = image::load_from_memory(&photo).unwrap();
            let small = img.resize(2000, 2000, image::imageops::FilterType::Triangle);
            let mut out = Vec::new();
            small.to_rgb8().write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)).unwrap();
            out
        })
    });
    g.finish();
}

/// Quality checks and the card locator on the prepared photo (1500 × 2000).
fn quality(c: &mut Criterion) {
    let p = image_prep::prepare(&synth::phone_photo_12mp()).expect("prepare");
    let m = idcheck::quality::measure(&p.image);
    eprintln!("measures on the prepared 12 MP photo: {m:?}; warnings: {:?}", idcheck::quality::warnings(&m));
    let quad = idcheck::card_locate::locate(&p.image).expect("card");
    let mut g = c.benchmark_group("quality");
    g.sample_size(20);
    g.bench_function("assess_1500x2000", |b| b.iter(|| idcheck::quality::assess(&p)));
    g.bench_function("locate_1500x2000", |b| b.iter(|| idcheck::card_locate::locate(&p.image)));
    g.bench_function("rectify_1000x631", |b| b.iter(|| idcheck::card_locate::rectify(&p.image, &quad, 1000, 631)));
    g.finish();
}

criterion_group!(benches, prepare, quality);
criterion_main!(benches);
