use super::*;
use crate::card::CardFields;
use crate::geom::Point;
use crate::synth::{self, Scene};

fn kinds(img: &RgbImage) -> (Vec<WarningKind>, Measures) {
    let m = measure(img);
    (warnings(&m).into_iter().map(|w| w.kind).collect(), m)
}

/// A good photo: 1600 × 1200, card 70 % of the width, slightly turned.
fn good(angle: f64, seed: u64) -> RgbImage {
    synth::render(&Scene { seed, ..Scene::centred(1600, 1200, 0.7, angle) })
}

#[test]
fn good_photos_raise_no_warning() {
    for (angle, seed) in [(0.0, 1), (-8.0, 2), (12.0, 3), (180.0, 4), (95.0, 5)] {
        let img = if angle == 95.0 { synth::render(&Scene { seed, ..Scene::centred(1200, 1600, 0.85, angle) }) } else { good(angle, seed) };
        let (k, m) = kinds(&img);
        assert!(k.is_empty(), "angle {angle}: {k:?} {m:?}");
    }
    // In perspective, through the real preparation (JPEG, downscale).
    let mut scene = Scene::centred(3000, 2250, 0.6, 5.0);
    let q = scene.card.as_mut().unwrap();
    q.corners[0].x += 90.0;
    q.corners[1].x -= 90.0;
    q.corners[0].y += 40.0;
    let p = crate::image_prep::prepare(&synth::jpeg(&synth::render(&scene), 90)).unwrap();
    let (k, m) = kinds(&p.image);
    assert!(k.is_empty(), "{k:?} {m:?}");
    assert!(assess(&p).is_empty());
}

#[test]
fn blurred_photo_warns_blur() {
    let img = synth::blur(&good(3.0, 7), 4);
    let (k, m) = kinds(&img);
    assert!(k.contains(&WarningKind::Blur), "{k:?} {m:?}");
    assert!(!k.contains(&WarningKind::NotIdCard), "{k:?}");
}

#[test]
fn glare_spot_warns_glare() {
    let mut img = good(-3.0, 8);
    synth::glare(&mut img, 700.0, 560.0, 90.0);
    let (k, m) = kinds(&img);
    assert_eq!(k, vec![WarningKind::Glare], "{m:?}");
}

#[test]
fn card_partly_outside_warns_cut_off() {
    // Shifted right so a quarter of the card leaves the frame.
    let mut scene = Scene::centred(1600, 1200, 0.7, 4.0);
    let q = scene.card.as_mut().unwrap();
    for c in q.corners.iter_mut() {
        c.x += 450.0;
    }
    let (k, m) = kinds(&synth::render(&scene));
    assert!(k.contains(&WarningKind::CutOff), "{k:?} {m:?}");
    assert!(!k.contains(&WarningKind::NotIdCard), "{k:?}");
    // Cut at the bottom.
    let mut scene = Scene::centred(1600, 1200, 0.75, -2.0);
    for c in scene.card.as_mut().unwrap().corners.iter_mut() {
        c.y += 330.0;
    }
    let (k, m) = kinds(&synth::render(&scene));
    assert!(k.contains(&WarningKind::CutOff), "{k:?} {m:?}");
}

#[test]
fn small_card_warns_too_small() {
    let img = synth::render(&Scene { noise: 3, ..Scene::centred(2000, 1500, 0.22, 6.0) });
    let (k, m) = kinds(&img);
    assert!(m.card.is_some(), "{m:?}");
    assert!(k.contains(&WarningKind::TooSmall), "{k:?} {m:?}");
    assert!(!k.contains(&WarningKind::NotIdCard));
}

#[test]
fn photocopy_warns_copy() {
    let img = synth::photocopy(&good(2.0, 9));
    let (k, m) = kinds(&img);
    assert!(k.contains(&WarningKind::Copy), "{k:?} {m:?}");
    // A grey copy lying on a coloured desk: still a copy (the card region is grey).
    let scene = Scene::centred(1600, 1200, 0.7, 2.0);
    let mut img = synth::render(&scene);
    let grey = synth::photocopy(&img);
    let q = scene.card.unwrap();
    for (x, y, p) in img.enumerate_pixels_mut() {
        if q.contains(Point::new(x as f64, y as f64)) {
            *p = *grey.get_pixel(x, y);
        }
    }
    let (k, m) = kinds(&img);
    assert!(k.contains(&WarningKind::Copy), "{k:?} {m:?}");
}

#[test]
fn no_card_warns_not_id_card() {
    let img = synth::render(&Scene { card: None, ..Scene::centred(1600, 1200, 0.7, 0.0) });
    let (k, m) = kinds(&img);
    assert!(k.contains(&WarningKind::NotIdCard), "{k:?} {m:?}");
    // A light square sheet of paper is not a card either.
    let mut scene = Scene::centred(1600, 1200, 0.5, 0.0);
    scene.card = Some(Quad::rect(500.0, 300.0, 600.0, 600.0));
    let (k, m) = kinds(&synth::render(&scene));
    assert!(k.contains(&WarningKind::NotIdCard), "{k:?} {m:?}");
}

#[test]
fn warnings_serialise_with_kind_and_both_languages() {
    let w = Warning::new(WarningKind::CutOff);
    let v = serde_json::to_value(&w).unwrap();
    assert_eq!(v["kind"], "cut_off");
    assert!(v["message_en"].as_str().unwrap().contains("all four corners"));
    assert!(v["message_zh"].as_str().unwrap().contains("四个角"));
    for k in [WarningKind::Blur, WarningKind::Glare, WarningKind::TooSmall, WarningKind::Copy, WarningKind::NotIdCard] {
        let w = Warning::new(k);
        assert!(!w.message.zh.is_empty() && !w.message.en.is_empty());
    }
    assert_eq!(serde_json::to_value(WarningKind::NotIdCard).unwrap(), "not_id_card");
}

/// The card alone, filling a `w`-pixel-wide frame (a scanner app's crop).
fn card_only(w: u32, seed: u64) -> RgbImage {
    let h = (w as f64 * synth::CARD_H / synth::CARD_W).round() as u32;
    synth::render(&Scene { card: Some(Quad::rect(0.0, 0.0, w as f64, h as f64)), seed, ..Scene::centred(w, h, 1.0, 0.0) })
}

#[test]
fn card_filling_the_frame_raises_no_warning() {
    for (w, seed) in [(1000, 1), (1600, 2)] {
        let (k, m) = kinds(&card_only(w, seed));
        assert!(k.is_empty(), "{w}: {k:?} {m:?}");
        assert_eq!(m.found, Some(Found::Frame), "{m:?}");
    }
    // A crop with a few pixels of desk at the edges.
    let mut scene = Scene::centred(1200, 770, 0.99, 0.0);
    scene.seed = 3;
    let (k, m) = kinds(&synth::render(&scene));
    assert!(k.is_empty(), "{k:?} {m:?}");
}

#[test]
fn flat_scan_on_white_paper_raises_no_warning() {
    let scene = Scene { noise: 2, ..Scene::centred(1400, 1000, 0.6, 0.0) };
    let q = scene.card.unwrap();
    let mut img = synth::render(&scene);
    for (x, y, p) in img.enumerate_pixels_mut() {
        if !q.contains(Point::new(x as f64 + 0.5, y as f64 + 0.5)) {
            *p = image::Rgb([252, 252, 252]);
        }
    }
    let (k, m) = kinds(&img);
    assert!(k.is_empty(), "{k:?} {m:?}");
    assert!(m.card.is_some(), "{m:?}");
}

#[test]
fn white_card_background_is_not_glare_but_a_blown_spot_is() {
    // The card's own background blown out to white (a bright scan): no glare.
    let mut img = card_only(1200, 4);
    for p in img.pixels_mut() {
        if p[0] > 200 && p[1] > 200 && p[2] > 200 {
            *p = image::Rgb([255, 255, 255]);
        }
    }
    let m = measure(&img);
    assert!(m.glare < GLARE_SHARE, "{m:?}");
    assert!(!warnings(&m).iter().any(|w| w.kind == WarningKind::Glare));
    // A highlight washing out the print: glare.
    let mut img = card_only(1200, 5);
    synth::glare(&mut img, 300.0, 250.0, 80.0);
    let (k, m) = kinds(&img);
    assert_eq!(k, vec![WarningKind::Glare], "{m:?}");
}

#[test]
fn card_cut_off_on_the_left_warns_cut_off() {
    for shift in [180.0, 300.0] {
        let mut scene = Scene::centred(1600, 1200, 0.6, 3.0);
        for c in scene.card.as_mut().unwrap().corners.iter_mut() {
            c.x -= 400.0 + shift;
        }
        let (k, m) = kinds(&synth::render(&scene));
        assert!(k.contains(&WarningKind::CutOff), "{shift}: {k:?} {m:?}");
        assert!(!k.contains(&WarningKind::NotIdCard), "{shift}: {k:?}");
    }
}

#[test]
fn coloured_card_and_printed_page_are_not_id_cards() {
    // A card-shaped, strongly coloured card (a bank card) on a desk.
    let scene = Scene::centred(1600, 1200, 0.6, 4.0);
    let q = scene.card.unwrap();
    let mut img = synth::render(&scene);
    for (x, y, p) in img.enumerate_pixels_mut() {
        if q.contains(Point::new(x as f64, y as f64)) {
            let v = p[1] as u32;
            *p = image::Rgb([(v / 6) as u8, (v / 3) as u8, (v * 3 / 5) as u8 + 60]);
        }
    }
    let (k, m) = kinds(&img);
    assert_eq!(k, vec![WarningKind::NotIdCard], "{m:?}");
    // A white page of even text lines, card-shaped, on the desk.
    let mut scene = Scene::centred(1600, 1200, 0.7, 0.0);
    scene.card = None;
    let mut img = synth::render(&scene);
    let (x0, y0, x1, y1) = (300u32, 250u32, 1300u32, 880u32);
    for y in y0..y1 {
        for x in x0..x1 {
            let (u, v) = (x - x0, y - y0);
            // Lines of words of uneven length, strokes scattered within them.
            let word = (u / 13).wrapping_mul(2654435761).wrapping_add((v / 24).wrapping_mul(40503)) % 5 != 4;
            let stroke = (u.wrapping_mul(31) ^ v.wrapping_mul(17) ^ (u * v)).wrapping_mul(2246822519) >> 7 & 7 < 3;
            let ink = u > 60 && u < 940 && v > 50 && v < 590 && v % 24 < 12 && word && stroke;
            img.put_pixel(x, y, if ink { image::Rgb([40, 40, 40]) } else { image::Rgb([240, 240, 236]) });
        }
    }
    let (k, m) = kinds(&img);
    assert_eq!(k, vec![WarningKind::NotIdCard], "{m:?}");
}

fn fields(number: Option<&str>, others: &[&str]) -> CardFields {
    let mut f = CardFields { number: number.map(String::from), ..CardFields::default() };
    let slots = [&mut f.name, &mut f.sex, &mut f.ethnicity, &mut f.birth];
    for (slot, v) in slots.into_iter().zip(others) {
        *slot = Some(v.to_string());
    }
    f
}

#[test]
fn a_reading_drops_not_id_card_only() {
    let all = || vec![Warning::new(WarningKind::NotIdCard), Warning::new(WarningKind::CutOff), Warning::new(WarningKind::Blur)];
    let left = |f: &CardFields| {
        let mut w = all();
        after_reading(&mut w, f);
        w.into_iter().map(|w| w.kind).collect::<Vec<_>>()
    };
    // A valid-looking number (even with a wrong check character) or three fields prove a card.
    for f in [fields(Some("11010519491231002X"), &[]), fields(Some("110105194912310021"), &[]), fields(None, &["张三", "男", "汉"])] {
        assert_eq!(left(&f), vec![WarningKind::CutOff, WarningKind::Blur], "{f:?}");
    }
    // Too little to prove anything: the warning stays.
    for f in [CardFields::default(), fields(Some("1101051949"), &["张三"]), fields(None, &["张三", "  "])] {
        assert_eq!(left(&f), vec![WarningKind::NotIdCard, WarningKind::CutOff, WarningKind::Blur], "{f:?}");
    }
}

fn back(valid_until: &str) -> CardFields {
    CardFields {
        issued_by: Some("北京市公安局朝阳分局".into()),
        valid_from: Some("2010-01-01".into()),
        valid_until: Some(valid_until.into()),
        ..CardFields::default()
    }
}

#[test]
fn an_expired_card_warns_expired_with_its_end_date() {
    let today = Date::parse("2026-06-01").unwrap();
    let mut w = vec![Warning::new(WarningKind::Blur)];
    after_reading_on(&mut w, &back("2020-01-01"), today);
    let kinds: Vec<WarningKind> = w.iter().map(|w| w.kind).collect();
    assert_eq!(kinds, vec![WarningKind::Blur, WarningKind::Expired]);
    assert!(w[1].message.zh.contains("至 2020.01.01"), "{}", w[1].message.zh);
    assert!(w[1].message.en.contains("expired on 2020.01.01"), "{}", w[1].message.en);
    assert_eq!(serde_json::to_value(&w[1]).unwrap()["kind"], "expired");
    // Settled twice (a second read of the same photo): one warning.
    after_reading_on(&mut w, &back("2020-01-01"), today);
    assert_eq!(w.len(), 2);
    // Still valid, valid to the day, without end, unreadable, or not read at all: no warning.
    for end in ["2030-01-01", "2026-06-01", "长期", "2026-13-40"] {
        let mut w = Vec::new();
        after_reading_on(&mut w, &back(end), today);
        assert!(w.is_empty(), "{end}: {w:?}");
    }
    let mut w = Vec::new();
    after_reading_on(&mut w, &fields(Some("11010519491231002X"), &["张三"]), today);
    assert!(w.is_empty());
    // The same card a day after its last day.
    let mut w = Vec::new();
    after_reading_on(&mut w, &back("2026-06-01"), today.add_days(1));
    assert_eq!(w.iter().map(|w| w.kind).collect::<Vec<_>>(), vec![WarningKind::Expired]);
}

#[test]
fn a_temporary_card_warns_temporary() {
    let today = Date::parse("2026-06-01").unwrap();
    let mut f = fields(Some("11010519491231002X"), &["张三", "男", "汉"]);
    f.valid_until = Some("2026-08-01".into());
    let mut w = vec![Warning::new(WarningKind::NotIdCard)];
    after_reading_on(&mut w, &f, today);
    assert!(w.is_empty(), "{w:?}");
    f.temporary = true;
    after_reading_on(&mut w, &f, today);
    assert_eq!(w.iter().map(|w| w.kind).collect::<Vec<_>>(), vec![WarningKind::Temporary]);
    assert!(w[0].message.zh.contains("临时居民身份证") && w[0].message.en.contains("temporary"));
    // Temporary and run out: both.
    f.valid_until = Some("2026-05-01".into());
    let mut w = Vec::new();
    after_reading_on(&mut w, &f, today);
    assert_eq!(w.iter().map(|w| w.kind).collect::<Vec<_>>(), vec![WarningKind::Expired, WarningKind::Temporary]);
    assert_eq!(serde_json::to_value(WarningKind::Temporary).unwrap(), "temporary");
}

/// `img` as shown on an LCD and photographed: each pixel's value through RGB subpixel stripes
/// `pitch` pixels apart with dark lines between pixel rows, the grid turned by `angle_deg`.
fn on_screen(img: &RgbImage, pitch: f64, angle_deg: f64) -> RgbImage {
    let (s, c) = angle_deg.to_radians().sin_cos();
    let mut out = img.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (u, v) = (x as f64 * c + y as f64 * s, -(x as f64) * s + y as f64 * c);
        let lit = ((u / pitch).rem_euclid(1.0) * 3.0) as usize;
        let row = if (v / pitch).rem_euclid(1.0) > 0.8 { 0.5 } else { 1.0 };
        for k in 0..3 {
            let f = if k == lit { 1.0 } else { 0.45 } * row;
            p[k] = (p[k] as f64 * f).round() as u8;
        }
    }
    out
}

#[test]
fn a_card_photographed_on_a_screen_warns_screen() {
    for (pitch, angle, seed) in [(3.3, 3.0, 11), (4.6, -2.0, 12)] {
        let img = on_screen(&good(2.0, seed), pitch, angle);
        let (k, m) = kinds(&img);
        assert!(k.contains(&WarningKind::Screen), "{pitch}: {k:?} {}", m.screen);
    }
    // The same cards straight, and recompressed twice: no periodic detail of that kind.
    for seed in [11, 12] {
        let once = image::load_from_memory(&synth::jpeg(&good(2.0, seed), 60)).unwrap().to_rgb8();
        let jpeg = synth::jpeg(&once, 70);
        let p = crate::image_prep::prepare(&jpeg).unwrap();
        let m = measure(&p.image);
        assert!(m.screen < SCREEN_PEAK, "{m:?}");
    }
}

/// A shaded capsule from `from` to `to`, `r` pixels in radius, of colour `col`.
fn capsule(img: &mut RgbImage, from: Point, to: Point, r: f64, col: [f64; 3]) {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let len = (dx * dx + dy * dy).sqrt();
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (px, py) = (x as f64 - from.x, y as f64 - from.y);
        let t = ((px * dx + py * dy) / len).clamp(0.0, len);
        let d = ((px - t * dx / len).powi(2) + (py - t * dy / len).powi(2)).sqrt();
        if d < r {
            let shade = 0.6 + 0.4 * (1.0 - (d / r).powi(2)).sqrt();
            *p = image::Rgb(col.map(|c| (c * shade).round() as u8));
        }
    }
}

#[test]
fn a_finger_or_pen_over_the_text_warns_occluded() {
    // The card spans x 240–1360, y about 247–953; its text is on the left. Each object reaches
    // the card's edge from inside (the outline stays whole for the locator).
    let finger = [228.0, 178.0, 146.0];
    let pen = [25.0, 30.0, 80.0];
    for (from, to, r, col) in [
        (Point::new(420.0, 863.0), Point::new(420.0, 640.0), 90.0, finger),
        (Point::new(320.0, 520.0), Point::new(620.0, 560.0), 80.0, finger),
        (Point::new(600.0, 931.0), Point::new(700.0, 700.0), 22.0, pen),
    ] {
        let mut img = good(0.0, 13);
        capsule(&mut img, from, to, r, col);
        let (k, m) = kinds(&img);
        assert!(m.occluded > OCCLUDED_SHARE, "{from:?}: {k:?} {m:?}");
        assert!(k.contains(&WarningKind::Occluded), "{from:?}: {k:?} {m:?}");
    }
    // A warm lamp over the whole card is no finger; a skin-toned spot in the middle of the card,
    // reaching no edge, is none either (it is not coming from outside).
    let mut img = good(0.0, 14);
    for p in img.pixels_mut() {
        *p = image::Rgb([p[0], (p[1] as f64 * 0.86) as u8, (p[2] as f64 * 0.66) as u8]);
    }
    let (k, m) = kinds(&img);
    assert!(!k.contains(&WarningKind::Occluded), "{k:?} {m:?}");
    let mut img = good(0.0, 15);
    capsule(&mut img, Point::new(700.0, 600.0), Point::new(760.0, 600.0), 40.0, finger);
    let (k, m) = kinds(&img);
    assert!(!k.contains(&WarningKind::Occluded), "{k:?} {m:?}");
}
