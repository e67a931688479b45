use super::*;
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
