use super::*;
use crate::synth::{self, Face, Scene};

fn mean_luma(img: &RgbImage) -> f64 {
    img.pixels().map(|p| (p[0] as f64 * 77.0 + p[1] as f64 * 150.0 + p[2] as f64 * 29.0) / 256.0).sum::<f64>() / (img.width() * img.height()) as f64
}

fn load(name: &str) -> RgbImage {
    let bytes = std::fs::read(format!("{}/tests/data/cards/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    crate::image_prep::decode_upright(&bytes).unwrap().0
}

#[test]
fn front_and_back_in_one_photo_give_front_then_back() {
    // The back lies at the left: the front still comes first.
    let base = Scene::pair(2000, 1200, 0.4, false, 0.1, 0.0, Face::Back);
    let (left, right) = (base.card.unwrap(), base.more[0].0);
    let scene = Scene { card: None, more: vec![(left, Face::Back), (right, Face::Front)], ..base };
    let img = synth::render(&scene);
    let cards = cards(&img);
    assert_eq!(cards.iter().map(|c| c.side).collect::<Vec<_>>(), vec![Some(Side::Front), Some(Side::Back)]);
    assert!(cards[0].quad.corners[0].x > 1000.0, "the front is the right-hand card: {:?}", cards[0]);
    for c in &cards {
        assert_eq!(c.image.dimensions(), (WIDTH, HEIGHT));
    }
    // Debug never prints pixels.
    let text = format!("{:?}", cards[0]);
    assert!(text.contains("width: 1011") && !text.contains("data") && text.len() < 400, "{text}");
}

#[test]
fn two_fronts_come_in_reading_order() {
    let scene = Scene::pair(1200, 1600, 0.7, true, 0.15, 0.0, Face::Front);
    let img = synth::render(&scene);
    let found = cards(&img);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|c| c.side == Some(Side::Front)));
    assert!(found[0].quad.corners[0].y < found[1].quad.corners[0].y, "top card first");
    // One card: exactly locate's card.
    let one = synth::render(&Scene::centred(1600, 1200, 0.6, 12.0));
    let c = cards(&one);
    assert_eq!(c.len(), 1);
    assert_eq!(Some(c[0].quad), card_locate::locate(&one));
    assert!(cards(&synth::render(&Scene { card: None, ..Scene::centred(800, 600, 0.5, 0.0) })).is_empty());
}

#[test]
fn reading_order_is_rows_then_left_to_right() {
    let q = |cx: f64, cy: f64| synth::card_at(cx, cy, 400.0, 0.0);
    // Two rows, the right-hand card of the first row a little higher than the left one.
    let quads = [q(700.0, 600.0), q(200.0, 620.0), q(650.0, 200.0), q(200.0, 230.0)];
    assert_eq!(reading_order(&quads), vec![3, 2, 1, 0]);
}

#[test]
fn portrait_is_the_photo_area_of_a_front() {
    let img = synth::render(&Scene::centred(1600, 1200, 0.6, -7.0));
    let front = &cards(&img)[0];
    let p = portrait(&front.image).expect("a front has a portrait");
    let (w, h) = p.dimensions();
    assert!((310..340).contains(&w) && (460..490).contains(&h), "{w}x{h}");
    // The synthetic head and shoulders make the portrait much darker than the card's left half.
    let left = imageops::crop_imm(&front.image, 40, 100, 300, 400).to_image();
    assert!(mean_luma(&p) + 20.0 < mean_luma(&left), "portrait {} vs text side {}", mean_luma(&p), mean_luma(&left));
    // The generated card's silhouette fills the middle of the portrait.
    let real = cards(&load("desk-front.jpg"));
    assert_eq!(real.len(), 1);
    let p = portrait(&real[0].image).unwrap();
    let mid = imageops::crop_imm(&p, p.width() * 2 / 5, p.height() * 2 / 5, p.width() / 5, p.height() / 5).to_image();
    assert!(mean_luma(&mid) < 175.0, "silhouette at the portrait's middle: {}", mean_luma(&mid));
    // A back has none.
    let back = cards(&load("upside-back.jpg"));
    assert_eq!(back[0].side, Some(Side::Back));
    assert!(portrait(&back[0].image).is_none());
}
