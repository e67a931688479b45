//! Accuracy of the local OCR engine on a generated set of fake cards (`scripts/gen_cards.py
//! DIR` or `scripts/gen_photos.py DIR`): per field and per photo condition, plus timings, and the
//! fields' confidence for right and wrong readings with what [`idcheck::ocr::doubt`] marks.
//!
//! `cargo run --release --example ocr_accuracy -- DIR [CONFIDENCE.tsv]`
//!
//! Photos labelled `"read": false` (not meant to be readable) or of side `none` (not a card) are
//! skipped. With a second argument, each field's confidence and whether it was right are
//! written there (field, confidence, 1 or 0), to choose thresholds over several sets.
//!
//! Mismatches are shown as the differing characters only (masked values), never whole names or
//! numbers.

use idcheck::card::CardFields;
use std::collections::BTreeMap;
use std::path::PathBuf;

const FRONT: [&str; 6] = ["name", "sex", "ethnicity", "birth", "address", "number"];
const BACK: [&str; 3] = ["issued_by", "valid_from", "valid_until"];

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
        _ => None,
    }
}

fn diff(a: &str, b: &str) -> String {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut out = Vec::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            out.push(format!("@{i}:{}→{}", x.map_or('∅', |c| *c), y.map_or('∅', |c| *c)));
        }
        if out.len() >= 3 {
            break;
        }
    }
    format!("len {}→{} {}", a.len(), b.len(), out.join(" "))
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: ocr_accuracy DIR"));
    // As the desktop app does, so that what the process holds afterwards is the app's figure.
    idcheck::ocr::memory::tune_allocator();
    let rss = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or_default().to_owned();
        line.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    };
    let t = std::time::Instant::now();
    idcheck::ocr::Engine::shared().expect("models load");
    println!("model load: {:.0} ms", t.elapsed().as_secs_f32() * 1000.0);
    println!("resident after load: {}", rss());
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("read dir").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    let mut per_field: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut per_cond: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut times = Vec::new();
    let mut steps: [Vec<f32>; 4] = Default::default();
    let (mut ok_all, mut total_all) = (0u32, 0u32);
    let (mut num_ok, mut num_total) = (0u32, 0u32);
    let mut skipped = 0u32;
    // Per field: (confidence, right) of every field read.
    let mut confs: BTreeMap<String, Vec<(f32, bool)>> = BTreeMap::new();
    // Per field: fields right and marked doubtful, wrong and marked, wrong and not marked.
    let mut marks: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    for jf in &files {
        let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(jf).unwrap()).unwrap();
        if truth["read"] == serde_json::Value::Bool(false) || truth["side"] == "none" {
            skipped += 1;
            continue;
        }
        let img = jf.with_extension("jpg");
        let bytes = std::fs::read(&img).unwrap();
        let cond = truth["condition"].as_str().unwrap_or("?").to_string();
        let side = truth["side"].as_str().unwrap_or("?");
        let keys: &[&str] = if side == "front" { &FRONT } else { &BACK };
        let t = std::time::Instant::now();
        let r = idcheck::ocr::read_file(&bytes);
        times.push(t.elapsed().as_secs_f32() * 1000.0);
        if let Ok(r) = &r {
            let t = &r.timings;
            for (v, x) in steps.iter_mut().zip([t.decode_ms, t.detect_ms, t.recognize_ms, t.lines as f32]) {
                v.push(x);
            }
        }
        let stem = img.file_stem().unwrap().to_string_lossy().to_string();
        let fields = match &r {
            Ok(r) => r.fields.clone(),
            Err(e) => {
                println!("{stem}: error: {e}");
                CardFields::default()
            }
        };
        let side_ok = fields.side.map(|s| format!("{s:?}").to_lowercase()) == Some(side.to_string());
        if !side_ok {
            println!("{stem}: side wrong ({:?})", fields.side);
        }
        let doubtful = idcheck::ocr::doubt::doubtful(&fields);
        for k in keys {
            let want = truth[*k].as_str().unwrap_or("").to_string();
            let got = get(&fields, k).unwrap_or_default();
            let ok = want == got;
            if let Some(c) = fields.confidence.get(*k) {
                confs.entry(k.to_string()).or_default().push((*c, ok));
            }
            let m = marks.entry(k.to_string()).or_default();
            match (ok, doubtful.contains(k)) {
                (true, true) => m.0 += 1,
                (false, true) => m.1 += 1,
                (false, false) => m.2 += 1,
                (true, false) => {}
            }
            let e = per_field.entry(k.to_string()).or_default();
            e.1 += 1;
            let c = per_cond.entry(cond.clone()).or_default();
            c.1 += 1;
            total_all += 1;
            if *k == "number" {
                num_total += 1;
                num_ok += u32::from(ok);
            }
            if ok {
                e.0 += 1;
                c.0 += 1;
                ok_all += 1;
            } else {
                println!("{stem}: {k} wrong: {}", diff(&want, &got));
            }
        }
    }
    println!("\nper field:");
    for (k, (ok, n)) in &per_field {
        println!("  {k:<12} {ok:>4}/{n:<4} {:6.2} %", 100.0 * *ok as f32 / *n as f32);
    }
    println!("confidence, right fields (min, 1 %, 5 %, 25 %, median) | wrong fields (as read, lowest first; 'none' unread):");
    let q = |v: &[f32], f: f32| v.get(((v.len() as f32 - 1.0) * f).round() as usize).copied().unwrap_or(f32::NAN);
    for (k, v) in &confs {
        let mut right: Vec<f32> = v.iter().filter(|x| x.1).map(|x| x.0).collect();
        let mut wrong: Vec<f32> = v.iter().filter(|x| !x.1).map(|x| x.0).collect();
        right.sort_by(f32::total_cmp);
        wrong.sort_by(f32::total_cmp);
        let shown: Vec<String> = wrong.iter().take(12).map(|c| format!("{c:.3}")).collect();
        let unread = per_field.get(k).map_or(0, |(ok, n)| n - ok) as usize - wrong.len();
        println!(
            "  {k:<12} {:.3} {:.3} {:.3} {:.3} {:.3} | {}{}",
            q(&right, 0.0),
            q(&right, 0.01),
            q(&right, 0.05),
            q(&right, 0.25),
            q(&right, 0.5),
            shown.join(" "),
            if unread > 0 { format!(" + {unread} none") } else { String::new() }
        );
    }
    println!("marked doubtful (idcheck::ocr::doubt): right and marked, wrong and marked, wrong and not marked:");
    for (k, (rm, wm, wn)) in &marks {
        println!("  {k:<12} {rm:>4} {wm:>4} {wn:>4}");
    }
    if let Some(out) = std::env::args().nth(2) {
        let rows: String = confs.iter().flat_map(|(k, v)| v.iter().map(move |(c, ok)| format!("{k}\t{c}\t{}\n", u8::from(*ok)))).collect();
        std::fs::write(&out, rows).expect("write the confidence table");
    }
    println!("per condition:");
    for (k, (ok, n)) in &per_cond {
        println!("  {k:<12} {ok:>4}/{n:<4} {:6.2} %", 100.0 * *ok as f32 / *n as f32);
    }
    let median = |v: &mut Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let [d, de, r, l] = &mut steps;
    println!("median per step: decode {:.0} ms, locate + detect {:.0} ms, recognise {:.0} ms ({:.0} lines)", median(d), median(de), median(r), median(l));
    times.sort_by(f32::total_cmp);
    let med = times.get(times.len() / 2).copied().unwrap_or(0.0);
    println!(
        "all fields: {ok_all}/{total_all} = {:.2} %; numbers {num_ok}/{num_total}; {} photos ({skipped} not meant to be read skipped), median {med:.0} ms, max {:.0} ms per photo",
        100.0 * ok_all as f32 / total_all.max(1) as f32,
        times.len(),
        times.last().copied().unwrap_or(0.0)
    );
    idcheck::ocr::memory::release_scratch();
    // What the process holds once reading is over (the window keeps the engine loaded).
    println!("resident after the last photo: {}", rss());
}
