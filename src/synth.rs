//! Synthetic photos of an ID-card-like object, made in code for tests and benchmarks.
//!
//! No real card (and so no personal data) is ever needed to test the image pipeline, and no big
//! fixture file lives in the repository: a scene is a desk-like textured background, optionally a
//! light 85.6 × 54 mm card with pale guilloche, a portrait box and rows of glyph-like marks drawn
//! through a perspective map, and sensor-like noise. Helpers then make the photo worse on
//! purpose (blur, glare, photocopy) or wrap it in a file format (JPEG with an EXIF orientation,
//! PNG).

use crate::geom::{Homography, Point, Quad};
use image::{Rgb, RgbImage};

/// The card's own coordinate frame: 856 × 540 units (tenths of a millimetre).
pub const CARD_W: f64 = 856.0;
pub const CARD_H: f64 = 540.0;

/// What to draw.
#[derive(Debug, Clone)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    /// Where the card's corners (its own top-left, top-right, bottom-right, bottom-left) fall in
    /// the photo; corners may lie outside the frame (a cut-off card).
    pub card: Option<Quad>,
    /// Amplitude of per-pixel sensor noise (0 = none).
    pub noise: u8,
    pub seed: u64,
    /// Further cards in the same photo (the back beside the front, another person's card),
    /// drawn after `card`; they should not overlap.
    pub more: Vec<(Quad, Face)>,
    /// A white sheet under the cards (a photocopy page lying on the desk), corners clockwise.
    pub sheet: Option<Quad>,
}

/// Which side of a card to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Text on the left, a portrait on the right.
    Front,
    /// A red emblem at the top left, the title beside it, two lines of text at the bottom.
    Back,
}

/// The corners (top-left, top-right, bottom-right, bottom-left) of a card `cw` wide centred at
/// `(cx, cy)`, turned by `angle_deg`.
pub fn card_at(cx: f64, cy: f64, cw: f64, angle_deg: f64) -> Quad {
    let ch = cw * CARD_H / CARD_W;
    let (s, c) = angle_deg.to_radians().sin_cos();
    Quad::new(
        [(-cw / 2.0, -ch / 2.0), (cw / 2.0, -ch / 2.0), (cw / 2.0, ch / 2.0), (-cw / 2.0, ch / 2.0)]
            .map(|(x, y)| Point::new(cx + x * c - y * s, cy + x * s + y * c)),
    )
}

impl Scene {
    /// A `width × height` photo with the card centred, covering `fill` of the width, turned by
    /// `angle_deg`.
    pub fn centred(width: u32, height: u32, fill: f64, angle_deg: f64) -> Scene {
        let card = card_at(width as f64 / 2.0, height as f64 / 2.0, width as f64 * fill, angle_deg);
        Scene { width, height, card: Some(card), noise: 6, seed: 7, more: Vec::new(), sheet: None }
    }

    /// A `width × height` photo with two cards (`first` at the left or top, then `second`) each
    /// `fill` of the width (side by side) or of the height's card width (stacked), a gap of
    /// `gap` of a card's width between them, both turned by `angle_deg` about their own centres.
    pub fn pair(width: u32, height: u32, fill: f64, stacked: bool, gap: f64, angle_deg: f64, second: Face) -> Scene {
        let (w, h) = (width as f64, height as f64);
        let cw = w * fill;
        let ch = cw * CARD_H / CARD_W;
        let (a, b) = if stacked {
            let d = (ch * (1.0 + gap)) / 2.0;
            ((w / 2.0, h / 2.0 - d), (w / 2.0, h / 2.0 + d))
        } else {
            let d = (cw * (1.0 + gap)) / 2.0;
            ((w / 2.0 - d, h / 2.0), (w / 2.0 + d, h / 2.0))
        };
        Scene {
            card: Some(card_at(a.0, a.1, cw, angle_deg)),
            more: vec![(card_at(b.0, b.1, cw, angle_deg), second)],
            ..Scene::centred(width, height, fill, 0.0)
        }
    }
}

/// A small, fast, deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

#[inline]
fn hash2(a: i64, b: i64, seed: u64) -> u64 {
    let mut x = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ seed;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    x
}

/// Renders the scene.
pub fn render(scene: &Scene) -> RgbImage {
    let (w, h) = (scene.width, scene.height);
    let to_card = scene.card.and_then(|q| Homography::from_rect(CARD_W, CARD_H, &q)).and_then(|h| h.inverse());
    let to_more: Vec<(Homography, Face)> =
        scene.more.iter().filter_map(|(q, f)| Homography::from_rect(CARD_W, CARD_H, q).and_then(|h| h.inverse()).map(|h| (h, *f))).collect();
    // Desk texture: wood-like bands whose phase wanders with a few low-frequency terms.
    let col_phase: Vec<f32> = (0..w).map(|x| (x as f32 * 0.0021).sin() * 9.0 + (x as f32 * 0.013).sin() * 1.5).collect();
    let mut img = RgbImage::new(w, h);
    let mut rng = Rng::new(scene.seed);
    let amp = scene.noise as i32;
    let (fw, fh) = (w as f32, h as f32);
    for (y, row) in img.rows_mut().enumerate() {
        let yf = y as f32;
        let light_y = 1.0 - 0.25 * ((yf / fh) - 0.4).powi(2);
        for (x, px) in row.enumerate() {
            let xf = x as f32;
            let mut rgb = None;
            if let Some(inv) = &to_card {
                let (u, v) = inv.apply(x as f64 + 0.5, y as f64 + 0.5);
                if (0.0..CARD_W).contains(&u) && (0.0..CARD_H).contains(&v) {
                    rgb = Some(card_texel(u, v, scene.seed));
                }
            }
            for (i, (inv, face)) in to_more.iter().enumerate() {
                if rgb.is_some() {
                    break;
                }
                let (u, v) = inv.apply(x as f64 + 0.5, y as f64 + 0.5);
                if (0.0..CARD_W).contains(&u) && (0.0..CARD_H).contains(&v) {
                    let seed = scene.seed.wrapping_add(i as u64 + 1);
                    rgb = Some(if *face == Face::Back { back_texel(u, v, seed) } else { card_texel(u, v, seed) });
                }
            }
            if rgb.is_none() && scene.sheet.is_some_and(|q| q.contains(Point::new(x as f64 + 0.5, y as f64 + 0.5))) {
                let l = (246.0 * light_y) as u8;
                rgb = Some([l, l, l.saturating_sub(2)]);
            }
            let [r, g, b] = rgb.unwrap_or_else(|| {
                let band = ((yf * 0.045 + col_phase[x]).sin() * 0.5 + 0.5) * 26.0;
                let light = light_y * (1.0 - 0.2 * ((xf / fw) - 0.55).powi(2));
                [((96.0 + band) * light) as u8, ((72.0 + band * 0.8) * light) as u8, ((52.0 + band * 0.5) * light) as u8]
            });
            if amp > 0 {
                let n = rng.next_u64();
                let d = |k: u32| (((n >> k) & 0xFF) as i32 + ((n >> (k + 8)) & 0xFF) as i32 - 255) * amp / 128;
                let common = d(48);
                *px = Rgb([
                    (r as i32 + d(0) / 2 + common).clamp(0, 255) as u8,
                    (g as i32 + d(16) / 2 + common).clamp(0, 255) as u8,
                    (b as i32 + d(32) / 2 + common).clamp(0, 255) as u8,
                ]);
            } else {
                *px = Rgb([r, g, b]);
            }
        }
    }
    img
}

/// The colour of the card at `(u, v)` in card units: pale background with guilloche, a portrait
/// box on the right and rows of dark glyph-like marks on the left.
fn card_texel(u: f64, v: f64, seed: u64) -> [u8; 3] {
    // Portrait area.
    if (560.0..800.0).contains(&u) && (90.0..400.0).contains(&v) {
        let d = ((u - 680.0).powi(2) / 3600.0 + (v - 210.0).powi(2) / 4900.0).sqrt();
        return if d < 1.0 || ((v > 300.0) && (u - 680.0).abs() < 100.0) { [70, 62, 60] } else { [214, 222, 226] };
    }
    // Text rows: (top, height, first column, last column, glyph width).
    const ROWS: [(f64, f64, f64, f64, f64); 7] = [
        (60.0, 40.0, 60.0, 330.0, 40.0),
        (130.0, 32.0, 60.0, 300.0, 32.0),
        (190.0, 32.0, 60.0, 360.0, 32.0),
        (260.0, 32.0, 60.0, 520.0, 32.0),
        (305.0, 32.0, 60.0, 480.0, 32.0),
        (350.0, 32.0, 60.0, 300.0, 32.0),
        (450.0, 38.0, 230.0, 780.0, 28.0),
    ];
    for (i, &(top, hgt, x0, x1, gw)) in ROWS.iter().enumerate() {
        if v >= top && v < top + hgt && u >= x0 && u < x1 {
            let cell = ((u - x0) / gw) as i64;
            let (cu, cv) = (((u - x0) / gw).fract(), (v - top) / hgt);
            let bits = hash2(cell, i as i64, seed);
            if glyph_stroke(cu, cv, bits, true) {
                return [28, 30, 36];
            }
        }
    }
    let g = ((u * 0.21 + (v * 0.05).sin() * 3.0).sin() * (v * 0.17 + (u * 0.04).sin() * 2.0).sin()) as f32;
    let fade = 1.0 - (((u - 428.0) / 500.0).powi(2) + ((v - 270.0) / 400.0).powi(2)) as f32 * 0.4;
    let k = (g * 0.5 + 0.5) * 22.0 * fade;
    [(236.0 - k * 0.9) as u8, (240.0 - k * 0.3) as u8, (236.0 - k * 0.1) as u8]
}

/// Whether `(cu, cv)`, a point of one glyph cell (0..1 each way), falls on one of the strokes
/// `bits` turn on: three bars across, three down and, with `diagonal`, one slanting stroke.
/// Cards' marks are made of these so that text-like strokes, not blocks, fill their rows.
fn glyph_stroke(cu: f64, cv: f64, bits: u64, diagonal: bool) -> bool {
    let t = 0.13;
    let on = (bits & 1 != 0 && (cv - 0.15).abs() < t / 2.0)
        || (bits & 2 != 0 && (cv - 0.5).abs() < t / 2.0)
        || (bits & 4 != 0 && (cv - 0.85).abs() < t / 2.0)
        || (bits & 8 != 0 && (cu - 0.2).abs() < t / 2.0)
        || (bits & 16 != 0 && (cu - 0.5).abs() < t / 2.0)
        || (bits & 32 != 0 && (cu - 0.75).abs() < t / 2.0)
        || (diagonal && bits & 64 != 0 && (cu - cv).abs() < t / 1.5);
    on && cu > 0.08 && cu < 0.92
}

/// The back of the card at `(u, v)`: a red emblem at the top left, two title rows beside it and
/// two rows of marks (issuing authority, validity) at the bottom, on the front's background.
fn back_texel(u: f64, v: f64, seed: u64) -> [u8; 3] {
    let d = ((u - 130.0).powi(2) + (v - 125.0).powi(2)).sqrt();
    if d < 80.0 {
        return if d > 62.0 || ((u - 130.0).abs() < 30.0 && (v - 125.0).abs() < 30.0) { [200, 30, 34] } else { [226, 190, 60] };
    }
    const ROWS: [(f64, f64, f64, f64, f64); 4] =
        [(60.0, 56.0, 270.0, 790.0, 56.0), (160.0, 70.0, 270.0, 790.0, 70.0), (380.0, 30.0, 320.0, 640.0, 30.0), (440.0, 30.0, 320.0, 700.0, 26.0)];
    for (i, &(top, hgt, x0, x1, gw)) in ROWS.iter().enumerate() {
        if v >= top && v < top + hgt && u >= x0 && u < x1 {
            let (cu, cv) = (((u - x0) / gw).fract(), (v - top) / hgt);
            let bits = hash2(((u - x0) / gw) as i64, i as i64 + 16, seed);
            if glyph_stroke(cu, cv, bits, false) {
                return [28, 30, 36];
            }
        }
    }
    let g = ((u * 0.19 + (v * 0.06).sin() * 3.0).sin() * (v * 0.15 + (u * 0.05).sin() * 2.0).sin()) as f32;
    let k = (g * 0.5 + 0.5) * 20.0;
    [(236.0 - k * 0.9) as u8, (240.0 - k * 0.3) as u8, (236.0 - k * 0.1) as u8]
}

/// Box blur of radius `r` (three passes approximate a Gaussian): an out-of-focus photo.
pub fn blur(img: &RgbImage, r: u32) -> RgbImage {
    let mut out = img.clone();
    for _ in 0..3 {
        out = box_pass(&out, r, true);
        out = box_pass(&out, r, false);
    }
    out
}

fn box_pass(img: &RgbImage, r: u32, horizontal: bool) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut out = RgbImage::new(w, h);
    let (outer, inner) = if horizontal { (h, w) } else { (w, h) };
    let r = r as i64;
    let n = (2 * r + 1) as u32;
    for o in 0..outer {
        let at = |i: i64| {
            let i = i.clamp(0, inner as i64 - 1) as u32;
            if horizontal {
                img.get_pixel(i, o)
            } else {
                img.get_pixel(o, i)
            }
        };
        let mut sum = [0u32; 3];
        for i in -r..=r {
            let p = at(i);
            for c in 0..3 {
                sum[c] += p[c] as u32;
            }
        }
        for i in 0..inner as i64 {
            let px = Rgb([(sum[0] / n) as u8, (sum[1] / n) as u8, (sum[2] / n) as u8]);
            if horizontal {
                out.put_pixel(i as u32, o, px)
            } else {
                out.put_pixel(o, i as u32, px)
            }
            let (add, sub) = (at(i + r + 1), at(i - r));
            for c in 0..3 {
                sum[c] = sum[c] + add[c] as u32 - sub[c] as u32;
            }
        }
    }
    out
}

/// A blown-out white spot of radius `r` at `(cx, cy)` (a lamp reflected by the laminate).
pub fn glare(img: &mut RgbImage, cx: f64, cy: f64, r: f64) {
    let (w, h) = img.dimensions();
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt() / r;
            if d < 1.3 {
                let k = if d < 1.0 { 1.0 } else { (1.3 - d) / 0.3 };
                let p = img.get_pixel_mut(x, y);
                for c in 0..3 {
                    p[c] = (p[c] as f64 * (1.0 - k) + 255.0 * k) as u8;
                }
            }
        }
    }
}

/// A grey photocopy: luminance only, with more contrast.
pub fn photocopy(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        let l = (0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64 - 128.0) * 1.2 + 140.0;
        let l = l.clamp(0.0, 255.0) as u8;
        *p = Rgb([l, l, l]);
    }
    out
}

/// Encodes as baseline JPEG at `quality` (with 4:2:0 chroma below 90, 4:4:4 above).
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.encode(img.as_raw(), img.width() as u16, img.height() as u16, jpeg_encoder::ColorType::Rgb).expect("encode synthetic JPEG");
    out
}

/// Inserts an APP1 `Exif` segment right after SOI holding a little-endian TIFF header with
/// a single IFD0 entry: Orientation (tag 0x0112) = `orientation`, plus a GPS-like make string so
/// tests can check that no metadata survives.
pub fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]));
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes()); // IFD0 offset
    let make = b"SynthCam GPS 31.2304N 121.4737E\0";
    tiff.extend_from_slice(&2u16.to_le_bytes()); // two entries
                                                 // Make (0x010F), ASCII, count, offset to the string after the IFD.
    let str_off = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&(make.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&(str_off as u32).to_le_bytes());
    // Orientation (0x0112), SHORT, count 1, value in the first two bytes.
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    tiff.extend_from_slice(make);
    let mut seg = Vec::new();
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    let mut out = Vec::with_capacity(jpeg.len() + seg.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The realistic 12-megapixel phone photo of the benchmarks: 4000 × 3000, a card in slight
/// perspective, sensor noise, JPEG quality 92, EXIF orientation 6 (rotate 90° clockwise).
pub fn phone_photo_12mp() -> Vec<u8> {
    let mut scene = Scene::centred(4000, 3000, 0.62, -4.0);
    if let Some(q) = scene.card.as_mut() {
        // A little perspective: the far edge slightly shorter.
        q.corners[0].x += 60.0;
        q.corners[1].x -= 60.0;
    }
    scene.noise = 10;
    scene.seed = 12;
    with_exif_orientation(&jpeg(&render(&scene), 92), 6)
}
