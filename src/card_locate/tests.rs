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
