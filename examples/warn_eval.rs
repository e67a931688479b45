//! Measures the photo-quality warnings on labelled photos.
//!
//! ```sh
//! cargo run --release --example warn_eval -- DIR [DIR...] [--per-photo] [--read]
//! ```
//!
//! Every `NAME.jpg` with a `NAME.json` beside it is prepared (`image_prep::prepare`) and checked
//! (`quality::measure` + `quality::warnings`, which is `quality::assess`). The JSON gives
//! `"expect"` (the warning kinds the photo should get), `"good"` and `"condition"`, as
//! `scripts/gen_photos.py` writes them. Photos of `scripts/gen_cards.py`, which has no
//! `"expect"`, get theirs from the condition: `blur` → blur, `small` → too_small, any other →
//! none.
//!
//! With `--read`, every photo is also read by the local OCR engine and its warnings settled
//! against the reading (`quality::after_reading_on`, on the label's `"today"`), as the window
//! and `idcheck ocr` show them: this is what measures `expired` and `temporary` (which come from
//! the reading), and `not_id_card` is then dropped wherever fields were read.
//!
//! Printed: per kind, the detection rate on photos expecting it and the false-alarm rate on
//! photos not expecting it; the share of good photos with any warning and of good photos called
//! `not_id_card`; the same per condition; and each kind's score (min / median / max) on photos
//! expecting it and on the others, to choose thresholds. `--per-photo` adds one line of scores
//! per photo (condition and index only). Nothing of a photo's content (names, numbers) is
//! printed.

use idcheck::id::Date;
use idcheck::quality::{self, Measures, WarningKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

const KINDS: [(&str, WarningKind); 10] = [
    ("blur", WarningKind::Blur),
    ("glare", WarningKind::Glare),
    ("cut_off", WarningKind::CutOff),
    ("too_small", WarningKind::TooSmall),
    ("copy", WarningKind::Copy),
    ("not_id_card", WarningKind::NotIdCard),
    ("screen", WarningKind::Screen),
    ("occluded", WarningKind::Occluded),
    ("expired", WarningKind::Expired),
    ("temporary", WarningKind::Temporary),
];

struct Row {
    condition: String,
    expect: Vec<&'static str>,
    good: bool,
    got: Vec<&'static str>,
    scores: [f64; 11],
}

/// The score each warning is decided on, in the order of [`KINDS`] (`expired` and `temporary`
/// come from the reading and have none: `NaN`), then the card's share of the photo's width
/// (`too_small`'s second score); `NaN` when there is none (no card).
fn scores(m: &Measures) -> [f64; 11] {
    [
        m.edge_width,
        m.glare,
        m.cut,
        m.card_width.unwrap_or(f64::NAN),
        m.colour,
        m.id_score,
        m.screen,
        m.occluded,
        f64::NAN,
        f64::NAN,
        m.card_share.unwrap_or(f64::NAN),
    ]
}

fn kind_name(k: WarningKind) -> &'static str {
    KINDS.iter().find(|(_, w)| *w == k).map(|(n, _)| *n).unwrap_or("?")
}

fn expect_from_condition(cond: &str) -> Vec<&'static str> {
    match cond {
        "blur" => vec!["blur"],
        "small" => vec!["too_small"],
        _ => vec![],
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let per_photo = args.iter().any(|a| a == "--per-photo");
    let read = args.iter().any(|a| a == "--read");
    let dump = std::env::var_os("WARN_EVAL_DUMP").map(PathBuf::from);
    let dirs: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if dirs.is_empty() {
        eprintln!("usage: warn_eval DIR [DIR...] [--per-photo] [--read]");
        std::process::exit(2);
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for d in &dirs {
        let Ok(rd) = std::fs::read_dir(d) else {
            eprintln!("cannot read a directory given");
            std::process::exit(2);
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "jpg") && p.with_extension("json").exists() {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut rows: Vec<Row> = Vec::new();
    let (mut derived, mut failed) = (0, 0);
    let mut times: Vec<f64> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let Some((condition, expect, good, was_derived)) = label(f) else {
            failed += 1;
            continue;
        };
        derived += was_derived as usize;
        let Ok(bytes) = std::fs::read(f) else {
            failed += 1;
            continue;
        };
        let Ok(p) = idcheck::image_prep::prepare(&bytes) else {
            failed += 1;
            continue;
        };
        let t = Instant::now();
        let m = quality::measure(&p.image);
        let mut ws = quality::warnings(&m);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if read {
            // As the window and `idcheck ocr` settle them: against the local engine's reading,
            // on the day the photo's label names.
            let fields = idcheck::ocr::read_file(&bytes).map(|r| r.fields).unwrap_or_default();
            quality::after_reading_on(&mut ws, &fields, today(f));
        }
        let got: Vec<&'static str> = ws.iter().map(|w| kind_name(w.kind)).collect();
        if let (Some(dir), Some(q)) = (&dump, m.card) {
            let card = idcheck::card_locate::rectify(&p.image, &q, 256, 162);
            let _ = card.save(dir.join(format!("{i:04}-{}.png", label(f).map(|l| l.0).unwrap_or_default())));
        }
        let row = Row { condition, expect, good, got, scores: scores(&m) };
        if per_photo {
            let s: Vec<String> = row.scores.iter().map(|v| format!("{v:.3}")).collect();
            println!(
                "#{i:04} {:<14} expect {:<22} got {:<30} scores {} found {:?} ev sat {:.2} col {:.3} lum {:.0} around {:.0} mass {:.2}",
                row.condition,
                row.expect.join(","),
                row.got.join(","),
                s.join(" "),
                m.found,
                m.evidence.bg_saturation,
                m.evidence.saturated,
                m.evidence.bg_luma,
                m.evidence.around,
                m.evidence.mass
            );
        }
        rows.push(row);
    }
    println!("{} photos ({} with expectations from their condition; {} unreadable or unlabelled)", rows.len(), derived, failed);
    if rows.is_empty() {
        return;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!("measure + warnings: median {:.1} ms, max {:.1} ms", times[times.len() / 2], times[times.len() - 1]);
    println!();
    println!("{:<12} {:>14} {:>18}", "kind", "detected", "false alarms");
    for (k, _) in KINDS {
        let exp: Vec<&Row> = rows.iter().filter(|r| r.expect.contains(&k)).collect();
        let not: Vec<&Row> = rows.iter().filter(|r| !r.expect.contains(&k)).collect();
        let hits = exp.iter().filter(|r| r.got.contains(&k)).count();
        let fa = not.iter().filter(|r| r.got.contains(&k)).count();
        println!("{:<12} {:>14} {:>18}", k, rate(hits, exp.len()), rate(fa, not.len()));
    }
    let good: Vec<&Row> = rows.iter().filter(|r| r.good).collect();
    let warned = good.iter().filter(|r| !r.got.is_empty()).count();
    let not_id = good.iter().filter(|r| r.got.contains(&"not_id_card")).count();
    println!();
    println!("good photos with any warning: {}", rate(warned, good.len()));
    println!("good photos called not_id_card: {}", rate(not_id, good.len()));
    let exact = rows.iter().filter(|r| r.expect.iter().all(|k| r.got.contains(k)) && r.got.iter().all(|k| r.expect.contains(k))).count();
    println!("photos with exactly the expected warnings: {}", rate(exact, rows.len()));

    println!();
    println!("per condition (expected kinds in brackets; each kind raised: photos)");
    let mut conds: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        conds.entry(r.condition.as_str()).or_default().push(r);
    }
    for (c, rs) in &conds {
        let expect = rs[0].expect.join(",");
        let ok = rs.iter().filter(|r| r.expect.iter().all(|k| r.got.contains(k)) && r.got.iter().all(|k| r.expect.contains(k))).count();
        let mut raised = Vec::new();
        for (k, _) in KINDS {
            let n = rs.iter().filter(|r| r.got.contains(&k)).count();
            if n > 0 {
                raised.push(format!("{k} {n}"));
            }
        }
        println!("{:<14} n {:>3}  [{}]  exactly right {}  raised: {}", c, rs.len(), expect, rate(ok, rs.len()), raised.join(", "));
    }

    println!();
    println!("scores: min / median / max on photos expecting the kind | on the others (good ones only in brackets)");
    let names = KINDS.iter().map(|(k, _)| (*k, *k)).chain([("too_small", "(share)")]);
    for (i, (k, name)) in names.enumerate() {
        let exp: Vec<f64> = rows.iter().filter(|r| r.expect.contains(&k)).map(|r| r.scores[i]).collect();
        let not: Vec<f64> = rows.iter().filter(|r| !r.expect.contains(&k)).map(|r| r.scores[i]).collect();
        let good: Vec<f64> = rows.iter().filter(|r| r.good).map(|r| r.scores[i]).collect();
        println!("{:<12} {} | {} ({})", name, spread(exp), spread(not), spread(good));
    }
}

/// The day the label's `"today"` names (the generator's fixed day), else today.
fn today(jpg: &Path) -> Date {
    let text = std::fs::read_to_string(jpg.with_extension("json")).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    v.get("today").and_then(|t| t.as_str()).and_then(Date::parse).unwrap_or_else(Date::today)
}

/// (condition, expected kinds, good, expectations derived from the condition)
fn label(jpg: &Path) -> Option<(String, Vec<&'static str>, bool, bool)> {
    let text = std::fs::read_to_string(jpg.with_extension("json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let condition = v.get("condition").and_then(|c| c.as_str()).unwrap_or("").to_string();
    match v.get("expect").and_then(|e| e.as_array()) {
        Some(list) => {
            let expect: Vec<&'static str> =
                list.iter().filter_map(|k| k.as_str()).filter_map(|k| KINDS.iter().find(|(n, _)| *n == k).map(|(n, _)| *n)).collect();
            let good = v.get("good").and_then(|g| g.as_bool()).unwrap_or(expect.is_empty());
            Some((condition, expect, good, false))
        }
        None => {
            let expect = expect_from_condition(&condition);
            let good = expect.is_empty();
            Some((condition, expect, good, true))
        }
    }
}

fn rate(n: usize, of: usize) -> String {
    if of == 0 {
        return "-".into();
    }
    format!("{n}/{of} ({:.0} %)", 100.0 * n as f64 / of as f64)
}

fn spread(mut v: Vec<f64>) -> String {
    let nan = v.iter().filter(|x| x.is_nan()).count();
    v.retain(|x| !x.is_nan());
    if v.is_empty() {
        return "-".into();
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let s = format!("{:.3} / {:.3} / {:.3}", v[0], v[v.len() / 2], v[v.len() - 1]);
    if nan > 0 {
        format!("{s} (+{nan} none)")
    } else {
        s
    }
}
