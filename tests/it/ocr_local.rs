//! End to end through the real local OCR engine and its real embedded models: every photo in
//! tests/data/cards (fake cards made by scripts/gen_cards.py under several photo conditions)
//! must read back exactly its ground truth, field by field; photos holding several cards
//! (one card's two sides, two people's cards) through `idcheck ocr --json`, card by card.

use idcheck::card::{CardFields, Side};
use idcheck::ocr::net::Runtime;
use idcheck::ocr::Engine;
use std::path::{Path, PathBuf};

fn get(f: &CardFields, k: &str) -> Option<String> {
    match k {
        "name" => f.name.clone(),
        "sex" => f.sex.clone(),
        "ethnicity" => f.ethnicity.clone(),
        "birth" => f.birth.clone(),
        "address" => f.address.clone(),
        "number" => f.number.clone(),
        "issued_by" => f.issued_by.clone(),
        "valid_from" => f.valid_from.clone(),
        "valid_until" => f.valid_until.clone(),
        _ => panic!("unknown field {k}"),
    }
}

fn truth(img: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(img.with_extension("json")).unwrap()).unwrap()
}

/// The fixed photos of one card each (their truth names a side).
fn cards() -> Vec<PathBuf> {
    let v: Vec<PathBuf> = photos().into_iter().filter(|p| truth(p).get("side").is_some()).collect();
    assert!(v.len() >= 6, "expected the fixed card set");
    v
}

/// Every fixed photo, those holding several cards (their truth lists `cards`) included.
fn photos() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cards");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "jpg")).collect();
    v.sort();
    v
}

const FRONT: [&str; 6] = ["name", "sex", "ethnicity", "birth", "address", "number"];
const BACK: [&str; 3] = ["issued_by", "valid_from", "valid_until"];

/// A photo holding several cards, read by the command on this machine: one entry in `cards` per
/// person (a front and the back beside it are one), each field exactly the truth, in reading
/// order; `fields` is the first.
#[test]
fn every_card_of_a_photo_holding_several_reads_exactly() {
    let multi: Vec<PathBuf> = photos().into_iter().filter(|p| truth(p).get("cards").is_some()).collect();
    assert!(multi.len() >= 2, "expected both-sides.jpg and two-people.jpg");
    let cfg = tempfile::tempdir().unwrap();
    for img in multi {
        let stem = img.file_stem().unwrap().to_string_lossy().to_string();
        // The expected people: a front starts one, a back belongs to the front before it.
        let mut people: Vec<serde_json::Map<String, serde_json::Value>> = Vec::new();
        for c in truth(&img)["cards"].as_array().unwrap() {
            let c = c.as_object().unwrap().clone();
            match (c["side"].as_str(), people.last_mut()) {
                (Some("back"), Some(p)) => p.extend(c.into_iter().filter(|(k, _)| BACK.contains(&k.as_str()))),
                _ => people.push(c),
            }
        }
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_idcheck"))
            .args(["ocr", "--json", "--no-record", img.to_str().unwrap()])
            .env("IDCHECK_CONFIG_DIR", cfg.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{stem}: {}", String::from_utf8_lossy(&o.stderr));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["provider"], "local");
        let read = j["cards"].as_array().unwrap();
        assert_eq!(read.len(), people.len(), "{stem}: cards found");
        assert_eq!(j["fields"], read[0]["fields"], "{stem}: fields is the first card");
        for (i, (got, want)) in read.iter().zip(&people).enumerate() {
            for k in FRONT.iter().chain(&BACK).filter(|k| want.contains_key(**k)) {
                // Fake data, but still only the field and the card in the message.
                assert_eq!(got["fields"][*k], want[*k], "{stem}: card {i}: {k} differs");
            }
            let sides = if want.contains_key("issued_by") { "front and back" } else { "front" };
            assert_eq!(got["fields"]["side"], "front", "{stem}: card {i} ({sides})");
        }
        assert!(!j["warnings"].as_array().unwrap().iter().any(|w| w["kind"] == "not_id_card"), "{stem}: {}", j["warnings"]);
    }
}

/// Reads every card of the fixed set with `engine`; the misreadings, without the values.
fn misreadings(engine: &Engine) -> Vec<String> {
    let mut failures = Vec::new();
    for img in cards() {
        let truth = truth(&img);
        let stem = img.file_stem().unwrap().to_string_lossy().to_string();
        let reading = match engine.read_file(&std::fs::read(&img).unwrap()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{stem}: {e}"));
                continue;
            }
        };
        let f = &reading.fields;
        let side = if truth["side"] == "front" { Side::Front } else { Side::Back };
        if f.side != Some(side) {
            failures.push(format!("{stem}: side {:?}", f.side));
        }
        let keys: &[&str] = match side {
            Side::Front => &FRONT,
            Side::Back => &BACK,
        };
        for k in keys {
            let want = truth[*k].as_str().unwrap();
            let got = get(f, k);
            if got.as_deref() != Some(want) {
                // Fake data, but still only lengths and the field name in the message.
                failures.push(format!("{stem}: {k} differs (want {} chars, got {:?} chars)", want.chars().count(), got.map(|g| g.chars().count())));
            }
            let c = f.confidence.get(*k).copied().unwrap_or(0.0);
            assert!((0.0..=1.0).contains(&c), "{stem}: {k} confidence {c}");
        }
        if side == Side::Front {
            assert!(idcheck::id::check(f.number.as_deref().unwrap_or("")).is_valid(), "{stem}: number fails its check");
        }
    }
    failures
}

#[test]
fn every_field_of_every_card_reads_exactly() {
    let engine = Engine::shared().expect("models load");
    // The set-up fetches ONNX Runtime; where it promised to (CI), the engine must be running on it.
    if std::env::var("IDCHECK_REQUIRE_ONNXRUNTIME").is_ok_and(|v| v == "1") {
        assert_eq!(engine.runtime(), Runtime::OnnxRuntime, "libonnxruntime not found in {:?}", idcheck::ocr::net::library_candidates());
    }
    let failures = misreadings(&engine);
    assert!(failures.is_empty(), "{} misread on {:?}:\n{}", failures.len(), engine.runtime(), failures.join("\n"));
}

/// rten is what reads when the ONNX Runtime library is missing: it must read just as well.
#[test]
fn every_field_of_every_card_reads_exactly_on_rten() {
    let engine = Engine::load_on(Runtime::Rten).expect("models load");
    assert_eq!(engine.runtime(), Runtime::Rten);
    let failures = misreadings(&engine);
    assert!(failures.is_empty(), "{} misread on rten:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_reading_says_what_ran_the_models() {
    let engine = Engine::shared().expect("models load");
    let img = cards().into_iter().next().unwrap();
    let r = engine.read_file(&std::fs::read(img).unwrap()).unwrap();
    assert_eq!(r.timings.runtime, engine.runtime().name());
}

/// An idle window releases the engine; the next photo loads it again and reads the same.
#[test]
fn a_released_engine_loads_again_and_reads_the_same() {
    let bytes = std::fs::read(cards().into_iter().next().unwrap()).unwrap();
    let before = idcheck::ocr::read_file(&bytes).unwrap().fields;
    assert!(idcheck::ocr::release(), "an engine was loaded");
    // ONNX Runtime's code pages were dropped: running it again reads them back from the file.
    let after = idcheck::ocr::read_file(&bytes).unwrap().fields;
    assert_eq!(serde_json::to_value(&after).unwrap(), serde_json::to_value(&before).unwrap());
    assert!(idcheck::ocr::loaded());
}

#[test]
fn a_photo_without_a_card_is_no_text() {
    let img = image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    let err = idcheck::ocr::read_file(&bytes).unwrap_err();
    assert!(matches!(err, idcheck::ocr::OcrError::NoText), "{err:?}");
    assert!(err.msg().zh.contains("未找到文字"));
}

#[test]
fn bytes_that_are_not_an_image_say_so() {
    let err = idcheck::ocr::read_file(b"not an image at all").unwrap_err();
    let idcheck::ocr::OcrError::Image(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.kind, idcheck::image_prep::ImageErrorKind::NotAnImage);
    assert!(!err.msg().zh.is_empty() && !err.msg().en.is_empty());
}

#[test]
fn a_heic_photo_is_named_as_such() {
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    let err = idcheck::ocr::read_file(&heic).unwrap_err();
    let idcheck::ocr::OcrError::Image(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.kind, idcheck::image_prep::ImageErrorKind::Heic);
}
