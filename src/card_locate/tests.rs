use super::*;
use crate::synth::{self, Scene};

/// Largest distance between found and true corners, as a share of the card's width.
fn corner_error(found: &Quad, truth: &Quad) -> f64 {
    let w = truth.mean_width();
    (0..4).map(|i| found.corners[i].dist(truth.corners[i])).fold(0.0, f64::max) / w
}

fn perspective(mut s: Scene, top_in: f64, drop: f64) -> Scene {
    let q = s.card.as_mut().unwrap();
    q.corners[0].x += top_in;
    q.corners[1].x -= top_in;
    q.corners[0].y += drop;
    s
}

#[test]
fn finds_cards_turned_tilted_and_upside_down() {
    let cases = [
        ("straight", Scene::centred(1600, 1200, 0.6, 0.0)),
        ("turned 15°", Scene::centred(1600, 1200, 0.55, 15.0)),
        ("turned -30°", Scene::centred(1600, 1200, 0.5, -30.0)),
        ("portrait photo, card on its side", Scene::centred(1200, 1600, 0.8, 90.0)),
        ("card on its other side", Scene::centred(1200, 1600, 0.8, -88.0)),
        ("upside down", Scene::centred(1600, 1200, 0.6, 180.0)),
        ("upside down, turned", Scene::centred(1600, 1200, 0.6, 170.0)),
        ("perspective", perspective(Scene::centred(1600, 1200, 0.65, 3.0), 80.0, 30.0)),
        ("strong perspective", perspective(Scene::centred(1600, 1200, 0.7, -5.0), 150.0, 0.0)),
        ("small", Scene::centred(2000, 1500, 0.25, 8.0)),
    ];
    for (name, scene) in cases {
        let img = synth::render(&scene);
        let truth = scene.card.unwrap();
        let found = locate(&img).unwrap_or_else(|| panic!("{name}: no card found"));
        let err = corner_error(&found, &truth);
        assert!(err < 0.02, "{name}: corner error {:.3} of the width; found {found:?}, truth {truth:?}", err);
    }
}

#[test]
fn rectify_gives_an_upright_card() {
    let scene = perspective(Scene::centred(1600, 1200, 0.6, 172.0), 60.0, 20.0);
    let img = synth::render(&scene);
    let q = locate(&img).expect("card");
    let card = rectify(&img, &q, 1000, 631);
    assert_eq!(card.dimensions(), (1000, 631));
    // The synthetic portrait (dark) sits at the right, around card units (680, 330) of 856 × 540.
    let mean = |x0: u32, y0: u32| {
        let mut s = 0u32;
        for y in y0..y0 + 20 {
            for x in x0..x0 + 20 {
                let p = card.get_pixel(x, y);
                s += (p[0] as u32 + p[1] as u32 + p[2] as u32) / 3;
            }
        }
        s / 400
    };
    assert!(mean(785, 380) < 110, "portrait should be dark: {}", mean(785, 380));
    assert!(mean(450, 30) > 190, "top middle is card background: {}", mean(450, 30));
    // Against the renderer's own card: pixel-level agreement away from edges.
    let direct = rectify(&img, &scene.card.unwrap(), 1000, 631);
    let mut diff = 0u64;
    for (a, b) in card.pixels().zip(direct.pixels()) {
        diff += (a[1] as i32 - b[1] as i32).unsigned_abs() as u64;
    }
    let mean_diff = diff as f64 / (1000.0 * 631.0);
    assert!(mean_diff < 12.0, "mean difference {mean_diff}");
}

#[test]
fn cut_off_and_empty_scenes_give_nothing() {
    let mut scene = Scene::centred(1600, 1200, 0.7, 0.0);
    for c in scene.card.as_mut().unwrap().corners.iter_mut() {
        c.x -= 500.0;
    }
    let img = synth::render(&scene);
    assert!(locate(&img).is_none());
    assert!(detect(&img).touches_border);
    let empty = synth::render(&Scene { card: None, ..Scene::centred(800, 600, 0.5, 0.0) });
    assert!(locate(&empty).is_none());
    assert!(locate(&RgbImage::new(10, 10)).is_none());
    assert!(locate(&RgbImage::from_pixel(300, 200, Rgb([250, 250, 250]))).is_none());
}

/// Matches every true card to a found one (corner error under 2 % of the width, same corner
/// order) and checks nothing else was found.
fn assert_finds(name: &str, found: &[Quad], truths: &[Quad]) {
    assert_eq!(found.len(), truths.len(), "{name}: found {found:?}");
    for t in truths {
        let err = found.iter().map(|f| corner_error(f, t)).fold(f64::MAX, f64::min);
        assert!(err < 0.02, "{name}: corner error {err:.3} of the width for {t:?}; found {found:?}");
    }
    for pair in found.windows(2) {
        assert!(pair[0].area() >= pair[1].area(), "{name}: largest first");
    }
}

fn truths(s: &Scene) -> Vec<Quad> {
    s.card.iter().copied().chain(s.more.iter().map(|(q, _)| *q)).collect()
}

#[test]
fn one_card_gives_what_locate_gives() {
    let mut cut = Scene::centred(1600, 1200, 0.7, 0.0);
    for c in cut.card.as_mut().unwrap().corners.iter_mut() {
        c.x -= 500.0;
    }
    let scenes = [
        Scene::centred(1600, 1200, 0.6, 0.0),
        Scene::centred(1600, 1200, 0.5, -30.0),
        Scene::centred(1200, 1600, 0.8, 90.0),
        Scene::centred(1600, 1200, 0.6, 170.0),
        perspective(Scene::centred(1600, 1200, 0.7, -5.0), 150.0, 0.0),
        Scene::centred(2000, 1500, 0.25, 8.0),
        Scene { card: Some(Quad::rect(0.0, 0.0, 1000.0, 631.0)), ..Scene::centred(1000, 631, 1.0, 0.0) },
        Scene { card: None, ..Scene::centred(800, 600, 0.5, 0.0) },
        cut,
    ];
    for (i, scene) in scenes.iter().enumerate() {
        let img = synth::render(scene);
        assert_eq!(locate_all(&img), locate(&img).into_iter().collect::<Vec<_>>(), "scene {i}");
    }
    assert!(locate_all(&RgbImage::new(10, 10)).is_empty());
    assert!(locate_all(&RgbImage::from_pixel(300, 200, Rgb([250, 250, 250]))).is_empty());
}

#[test]
fn finds_front_and_back_side_by_side_and_stacked() {
    let cases = [
        ("side by side", Scene::pair(2000, 1200, 0.4, false, 0.1, 0.0, synth::Face::Back)),
        ("side by side, close", Scene::pair(2000, 1000, 0.45, false, 0.03, 0.0, synth::Face::Back)),
        ("side by side, turned", Scene::pair(2000, 1400, 0.38, false, 0.15, 6.0, synth::Face::Back)),
        ("stacked", Scene::pair(1200, 1600, 0.7, true, 0.12, 0.0, synth::Face::Back)),
        ("stacked, turned", Scene::pair(1200, 1600, 0.65, true, 0.2, -5.0, synth::Face::Back)),
        ("two fronts", Scene::pair(2000, 1200, 0.4, false, 0.1, 2.0, synth::Face::Front)),
    ];
    for (name, scene) in cases {
        let img = synth::render(&scene);
        assert_finds(name, &locate_all(&img), &truths(&scene));
        // The single-card answer is one of them.
        let one = locate(&img).unwrap_or_else(|| panic!("{name}: locate found none"));
        assert!(truths(&scene).iter().any(|t| corner_error(&one, t) < 0.02), "{name}: locate gave {one:?}");
    }
}

#[test]
fn finds_both_sides_on_a_sheet_and_on_a_scan() {
    // A photocopy page (A4, the cards across 42 % of it) lying on the desk, both sides printed
    // on it; straight, turned, and a larger page running off the frame.
    let mut page = Scene::pair(1600, 2000, 0.25, true, 0.4, 0.0, synth::Face::Back);
    page.sheet = Some(Quad::rect(330.0, 330.0, 940.0, 1330.0));
    let img = synth::render(&page);
    assert_finds("sheet on a desk", &locate_all(&img), &truths(&page));
    let mut turned = Scene::pair(1600, 2000, 0.25, true, 0.4, 3.0, synth::Face::Back);
    turned.sheet = Some(synth::card_at(800.0, 1000.0, 1330.0, 93.0));
    let img = synth::render(&turned);
    assert_finds("sheet on a desk, turned", &locate_all(&img), &truths(&turned));
    let mut large = Scene::pair(1600, 2000, 0.4, true, 0.3, 0.0, synth::Face::Back);
    large.sheet = Some(Quad::rect(150.0, 200.0, 1300.0, 1900.0));
    let img = synth::render(&large);
    assert_finds("sheet off the frame", &locate_all(&img), &truths(&large));
    // A flat scan: the white page fills the frame.
    let mut scan = Scene::pair(1700, 2200, 0.45, true, 0.3, 0.0, synth::Face::Back);
    scan.sheet = Some(Quad::rect(-10.0, -10.0, 1720.0, 2220.0));
    let img = synth::render(&scan);
    assert_finds("scan", &locate_all(&img), &truths(&scan));
}

#[test]
fn a_card_cut_off_beside_a_whole_one_is_left_out() {
    let mut scene = Scene::pair(2000, 1200, 0.45, false, 0.1, 0.0, synth::Face::Back);
    for c in scene.more[0].0.corners.iter_mut() {
        c.x += 400.0;
    }
    let img = synth::render(&scene);
    assert_finds("cut off", &locate_all(&img), &[scene.card.unwrap()]);
    let mut four = Scene::pair(2400, 1800, 0.35, false, 0.1, 0.0, synth::Face::Back);
    four.card = Some(synth::card_at(700.0, 500.0, 840.0, 0.0));
    four.more = vec![
        (synth::card_at(1700.0, 500.0, 840.0, 0.0), synth::Face::Back),
        (synth::card_at(700.0, 1300.0, 840.0, 0.0), synth::Face::Front),
        (synth::card_at(1700.0, 1300.0, 840.0, 0.0), synth::Face::Back),
    ];
    let img = synth::render(&four);
    assert_finds("four", &locate_all(&img), &truths(&four));
}

#[test]
fn a_card_with_a_finger_across_its_edge_is_found_whole() {
    let scene = Scene::centred(1600, 1200, 0.6, 0.0);
    let truth = scene.card.unwrap();
    let mut img = synth::render(&scene);
    // A dark finger from beyond the card's bottom edge to 70 % of the way up, a quarter of the
    // card's width thick: the card's light region loses a bite from its outline.
    let (tl, bl) = (truth.corners[0], truth.corners[3]);
    let (w, h) = (truth.mean_width(), truth.mean_height());
    let x0 = tl.x + 0.3 * w;
    for y in (bl.y - 0.7 * h) as u32..(bl.y + 150.0) as u32 {
        for x in x0 as u32..(x0 + w / 4.0) as u32 {
            img.put_pixel(x, y, Rgb([70, 45, 35]));
        }
    }
    let found = locate(&img).expect("the card under the finger is found");
    assert!(corner_error(&found, &truth) < 0.03, "found {found:?}, truth {truth:?}");
    assert!(crate::quality::measure(&img).occluded > crate::quality::OCCLUDED_SHARE);

    // The same bite taken by the frame (the card running out of view) is not put back.
    let mut cut = synth::render(&Scene::centred(1600, 1200, 0.6, 0.0));
    for y in (bl.y - 0.2 * h) as u32..1200 {
        for x in 0..1600 {
            cut.put_pixel(x, y, Rgb([70, 45, 35]));
        }
    }
    assert_eq!(locate(&cut), None);
}

/// A pale card on a light desk of the same brightness, told apart by its colour only: no
/// threshold on luminance parts them, the plain desk's fit does. The desk's light falls off
/// towards the corners, as a lamp's does.
#[test]
fn a_card_on_a_plain_light_desk_of_its_own_brightness_is_found() {
    let scene = Scene::centred(1600, 1200, 0.5, 6.0);
    let truth = scene.card.unwrap();
    let mut img = synth::render(&scene);
    for (x, y, p) in img.enumerate_pixels_mut() {
        if !truth.contains(Point::new(x as f64 + 0.5, y as f64 + 0.5)) {
            let (u, v) = (x as f64 / 800.0 - 1.0, y as f64 / 800.0 - 0.75);
            let light = 1.0 - 0.08 * (u * u + v * v);
            *p = Rgb([(248.0 * light) as u8, (230.0 * light) as u8, (200.0 * light) as u8]);
        }
    }
    let d = detect(&img);
    assert_eq!(d.found, Some(Found::Plain), "{d:?}");
    let found = d.quad.expect("the card is found");
    assert!(corner_error(&found, &truth) < 0.03, "found {found:?}, truth {truth:?}");
    assert!(!d.touches_border && d.evidence.score >= 0.5, "{d:?}");
}

/// A dark card on a light desk (a membership card) is no ID card, however plain its print: an
/// ID card's tint is lighter than what it lies on, or a little darker than white paper.
#[test]
fn a_dark_card_on_a_light_desk_is_no_id_card() {
    let scene = Scene::centred(1600, 1200, 0.5, 0.0);
    let truth = scene.card.unwrap();
    let mut img = synth::render(&scene);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let inside = truth.contains(Point::new(x as f64 + 0.5, y as f64 + 0.5));
        *p = if inside { Rgb([p[0] / 4 + 10, p[1] / 4 + 10, p[2] / 4 + 20]) } else { Rgb([222, 220, 214]) };
    }
    let ev = evidence(&img, &truth);
    assert!(ev.bg_luma < 0.5 * ev.around && ev.score == 0.0, "{ev:?}");
    // Its tint, print and portrait alone would pass.
    assert_eq!(Evidence::score(ev.bg_saturation, ev.saturated, ev.mass, ev.bg_luma, 0.0), 1.0, "{ev:?}");
}

/// A card whose tint is the desk's own differs from it only along its rim, and the rim has gaps:
/// the region it makes does not close, yet it runs along the card's whole outline.
#[test]
fn a_card_of_the_desks_own_tint_is_found_by_its_outline() {
    let scene = Scene::centred(1600, 1200, 0.45, 4.0);
    let truth = scene.card.unwrap();
    let mut img = synth::render(&scene);
    let desk = Rgb([228, 228, 222]);
    let seg = |p: Point, a: Point, b: Point| {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        p.dist(Point::new(a.x + t * dx, a.y + t * dy))
    };
    let edge_dist = |p: Point| (0..4).map(|i| seg(p, truth.corners[i], truth.corners[(i + 1) % 4])).fold(f64::MAX, f64::min);
    let left_mid = Point::new((truth.corners[0].x + truth.corners[3].x) / 2.0, (truth.corners[0].y + truth.corners[3].y) / 2.0);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let at = Point::new(x as f64 + 0.5, y as f64 + 0.5);
        if !truth.contains(at) {
            *p = desk;
        } else if edge_dist(at) < 5.0 {
            // The rim, with a gap a tenth of the card's height on its left side.
            *p = if at.dist(left_mid) < 0.05 * truth.mean_height() { desk } else { Rgb([150, 150, 146]) };
        } else if luma_of(p) > 180 {
            *p = desk;
        }
    }
    let d = detect(&img);
    let found = d.quad.unwrap_or_else(|| panic!("the card is found: {d:?}"));
    // The desk is near white: the paper search's, which hands on its regions the same way.
    assert_eq!(d.found, Some(Found::Paper), "{d:?}");
    assert!(corner_error(&found, &truth) < 0.03, "found {found:?}, truth {truth:?}");
}
