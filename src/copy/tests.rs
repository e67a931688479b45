use super::*;
use crate::synth::{self, Scene};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
}

#[test]
fn statement_is_checked_and_worded() {
    let s = Statement::new("  办理入职手续 ", Some(" 王芳 "), day()).unwrap();
    assert_eq!(s.text(), "仅供办理入职手续使用 · 2026-12-04 · 操作员 王芳 · 再复印无效");
    // Typed in full, the purpose is not wrapped twice.
    assert_eq!(Statement::new("仅供办理入职手续使用", None, day()).unwrap().text(), "仅供办理入职手续使用 · 2026-12-04 · 再复印无效");
    for bad in ["", "   ", "仅供使用", &"长".repeat(PURPOSE_MAX + 1), "两行\n用途"] {
        let e = Statement::new(bad, None, day()).unwrap_err();
        assert_eq!(e.kind, "purpose", "{bad:?}");
        assert!(e.message.zh.contains("用途") && e.message.en.contains("purpose"));
    }
    assert_eq!(Statement::new("开户", Some(&"名".repeat(OPERATOR_MAX + 1)), day()).unwrap_err().kind, "operator");
}

/// Front and back of a generated card, photographed apart (tests/data/cards).
fn photos() -> (RgbImage, RgbImage) {
    let load = |name: &str| {
        let bytes = std::fs::read(format!("{}/tests/data/cards/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        crate::image_prep::decode_upright(&bytes).unwrap().0
    };
    (load("desk-front.jpg"), load("upside-back.jpg"))
}

#[test]
fn sides_are_told_apart_and_front_goes_first() {
    let (front, back) = photos();
    let f = cards::crop(&front).unwrap();
    let b = cards::crop(&back).unwrap();
    assert_eq!((f.image.width(), f.image.height()), (cards::WIDTH, cards::HEIGHT));
    assert_eq!(f.side, Some(Side::Front));
    assert_eq!(b.side, Some(Side::Back));
    let order = cards::from_photos(&[&back, &front]).unwrap();
    assert_eq!(order.iter().map(|c| c.side).collect::<Vec<_>>(), vec![Some(Side::Front), Some(Side::Back)]);
}

#[test]
fn one_photo_holding_both_sides_gives_front_then_back() {
    // The back at the top, the front below it, on one photo.
    let base = Scene::pair(1200, 1600, 0.7, true, 0.15, 0.0, synth::Face::Front);
    let (top, bottom) = (base.card.unwrap(), base.more[0].0);
    let both = synth::render(&Scene { card: None, more: vec![(top, synth::Face::Back), (bottom, synth::Face::Front)], ..base.clone() });
    let cards = cards::from_photos(&[&both]).unwrap();
    assert_eq!(cards.iter().map(|c| c.side).collect::<Vec<_>>(), vec![Some(Side::Front), Some(Side::Back)]);
    assert!(cards.iter().all(|c| (c.image.width(), c.image.height()) == (cards::WIDTH, cards::HEIGHT)));
    // Two fronts are two people's cards: no copy.
    let e = cards::from_photos(&[&synth::render(&base)]).unwrap_err();
    assert_eq!(e.kind, "several_cards");
    assert!(e.message.zh.contains("一个人") && e.message.en.contains("one person's card"), "{e:?}");
    // One card per photo is read as before.
    let one = cards::from_photos(&[&synth::render(&Scene::centred(1600, 1200, 0.6, 0.0))]).unwrap();
    assert_eq!(one.iter().map(|c| c.side).collect::<Vec<_>>(), vec![Some(Side::Front)]);
}

#[test]
fn a_photo_without_a_card_says_so() {
    let empty = synth::render(&Scene { card: None, ..Scene::centred(800, 600, 0.5, 0.0) });
    let e = cards::crop(&empty).unwrap_err();
    assert_eq!(e.kind, "no_card");
    assert!(e.message.zh.contains("没有找到身份证") && e.message.en.contains("No ID card"));
}

#[test]
fn missing_font_file_is_explained() {
    let e = FontFile::load(std::path::Path::new("/nonexistent/font.ttc"), 0).unwrap_err();
    assert_eq!(e.kind, "font");
}

/// The page is A4, each image is placed at 85.6 × 54 mm, the font is embedded, and the
/// statement is in the text.
#[test]
fn pdf_has_true_card_size_and_the_statement() {
    let Ok(font) = font::find() else {
        panic!("no CJK font: run scripts/setup.sh");
    };
    let (front, back) = photos();
    let st = Statement::new("办理入职手续", Some("王芳"), day()).unwrap();
    let copy = make(&[&front, &back], &st, &font).unwrap();
    assert_eq!(copy.sides_label(), "front+back");
    assert!(copy.pdf.len() < 1_000_000, "{} bytes", copy.pdf.len());
    let doc = lopdf::Document::load_mem(&copy.pdf).unwrap();
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1);
    let page_id = *pages.values().next().unwrap();
    let page = doc.get_dictionary(page_id).unwrap();
    let mb: Vec<f32> = page.get(b"MediaBox").unwrap().as_array().unwrap().iter().map(|o| o.as_float().unwrap()).collect();
    assert!((mb[2] - mb[0] - 595.28).abs() < 0.1 && (mb[3] - mb[1] - 841.89).abs() < 0.1, "{mb:?}");
    let placed = placed_images(&doc, page_id);
    assert_eq!(placed.len(), 2, "{placed:?}");
    for (w, h) in placed {
        assert!((w - 242.65).abs() < 1.0 && (h - 153.07).abs() < 1.0, "{w} × {h}");
    }
    let fonts = doc.objects.values().filter(|o| o.as_dict().map(|d| d.has(b"FontFile2") || d.has(b"FontFile3")).unwrap_or(false)).count();
    assert!(fonts >= 1, "font not embedded");
}

/// The size each image is drawn at: the scale of the transform in force at each `Do`.
fn placed_images(doc: &lopdf::Document, page: lopdf::ObjectId) -> Vec<(f32, f32)> {
    let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
    let mut stack = vec![[1.0f32, 0.0, 0.0, 1.0, 0.0, 0.0]];
    let mut out = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => stack.push(*stack.last().unwrap()),
            "Q" => {
                stack.pop();
            }
            "cm" => {
                let m: Vec<f32> = op.operands.iter().map(|o| o.as_float().unwrap()).collect();
                let c = *stack.last().unwrap();
                let n = [
                    m[0] * c[0] + m[1] * c[2],
                    m[0] * c[1] + m[1] * c[3],
                    m[2] * c[0] + m[3] * c[2],
                    m[2] * c[1] + m[3] * c[3],
                    m[4] * c[0] + m[5] * c[2] + c[4],
                    m[4] * c[1] + m[5] * c[3] + c[5],
                ];
                *stack.last_mut().unwrap() = n;
            }
            "Do" => {
                let c = stack.last().unwrap();
                out.push(((c[0] * c[0] + c[1] * c[1]).sqrt(), (c[2] * c[2] + c[3] * c[3]).sqrt()));
            }
            _ => {}
        }
    }
    out
}
