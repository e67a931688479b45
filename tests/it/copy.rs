//! `idcheck copy` on the generated card photos: the PDF is A4 with both cards placed at
//! 85.6 × 54 mm, its statement is searchable (pdftotext) in an embedded font (pdffonts), an
//! existing file is not overwritten without --force, a photo without a card is refused with a
//! clear message, and the audit trail records the copy (purpose, sides, operator) without any
//! image.
//!
//! Needs poppler-utils (scripts/setup.sh) and a CJK font; the audit part needs a Secret Service
//! (as in trail_cli) and is skipped without one unless IDCHECK_REQUIRE_KEYCHAIN=1.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_idcheck");

fn card(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cards").join(name)
}

fn idcheck(cfg: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("IDCHECK_CONFIG_DIR", cfg).env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "en_US.UTF-8").output().unwrap()
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let o = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool}: {e} (install poppler-utils: scripts/setup.sh)"));
    assert!(o.status.success(), "{tool}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn keychain_reachable() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return true;
    }
    if std::env::var("IDCHECK_REQUIRE_KEYCHAIN").as_deref() == Ok("1") {
        panic!("IDCHECK_REQUIRE_KEYCHAIN=1 but no D-Bus session: run inside dbus-run-session with gnome-keyring");
    }
    eprintln!("audit part skipped: no D-Bus session (run inside dbus-run-session with gnome-keyring)");
    false
}

#[test]
fn copy_of_front_and_back_is_a4_at_card_size_searchable_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let out = dir.path().join("copy.pdf");
    let (front, back) = (card("desk-front.jpg"), card("upside-back.jpg"));
    // Given in the wrong order: the front still goes on top.
    let o = idcheck(
        &cfg,
        &["copy", back.to_str().unwrap(), front.to_str().unwrap(), "--purpose", "办理入职手续", "--operator", "王芳", "--out", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() < 1_000_000, "{} bytes", pdf.len());
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    let statement = format!("仅供办理入职手续使用 · {today} · 操作员 王芳 · 再复印无效");
    assert!(String::from_utf8_lossy(&o.stdout).contains("front+back"), "{}", String::from_utf8_lossy(&o.stdout));

    let info = poppler("pdfinfo", &[out.to_str().unwrap()]);
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    assert!(info.contains("Pages:           1"), "{info}");
    let text = poppler("pdftotext", &["-raw", out.to_str().unwrap(), "-"]);
    assert!(text.contains(&statement), "{text}");
    // The watermark rows are text too (turned, so extracted a character or a few at a time):
    // the statement's last character occurs once per repetition, many times over.
    assert!(text.matches('效').count() >= 10, "{text}");
    let fonts = poppler("pdffonts", &[out.to_str().unwrap()]);
    // name, type…, encoding, then emb sub uni: embedded as a subset, with a Unicode map.
    let row = fonts.lines().nth(2).unwrap_or_default();
    assert!(row.contains(" yes yes yes "), "{fonts}");
    // Two images, each 1011 × 638 pixels (300 dpi at 85.6 × 54 mm); the placed size is
    // checked exactly in the module's tests.
    let images = poppler("pdfimages", &["-list", out.to_str().unwrap()]);
    let rows: Vec<&str> = images.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{images}");
    for r in rows {
        let c: Vec<&str> = r.split_whitespace().collect();
        assert_eq!((c[3], c[4], c[8]), ("1011", "638", "jpeg"), "{images}");
        // x-ppi and y-ppi: 300 within rounding.
        let ppi: Vec<f64> = c[12..14].iter().map(|v| v.parse().unwrap()).collect();
        assert!(ppi.iter().all(|p| (p - 300.0).abs() <= 1.0), "{images}");
    }

    // Not overwritten without --force; replaced with it.
    let o = idcheck(&cfg, &["copy", front.to_str().unwrap(), "--purpose", "开户", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read(&out).unwrap(), pdf);

    if !keychain_reachable() {
        return;
    }
    let h = idcheck(&cfg, &["history", "--json", "--kind", "copy"]);
    assert_eq!(h.status.code(), Some(0), "{}", String::from_utf8_lossy(&h.stderr));
    let entries: Vec<Value> = String::from_utf8_lossy(&h.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(
        (e["kind"].as_str(), e["outcome"].as_str(), e["purpose"].as_str(), e["sides"].as_str()),
        (Some("copy"), Some("copied"), Some("办理入职手续"), Some("front+back"))
    );
    assert_eq!(e["operator"].as_str(), Some("王芳"));
    let text = idcheck(&cfg, &["history", "--lang", "zh"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("复印件"), "{}", String::from_utf8_lossy(&text.stdout));
    // No image in the trail: no JPEG or PDF signature anywhere in its files.
    for f in std::fs::read_dir(&cfg).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        assert!(!bytes.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]) && !bytes.windows(5).any(|w| w == b"%PDF-"));
    }
}

#[test]
fn copy_refuses_missing_purpose_and_a_photo_without_a_card() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let out = dir.path().join("copy.pdf");
    let front = card("desk-front.jpg");
    let o = idcheck(&cfg, &["copy", front.to_str().unwrap(), "--purpose", "  ", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("purpose"), "{}", String::from_utf8_lossy(&o.stderr));
    // A desk with no card on it.
    let empty = dir.path().join("desk.jpg");
    let desk = idcheck::synth::render(&idcheck::synth::Scene { card: None, ..idcheck::synth::Scene::centred(800, 600, 0.5, 0.0) });
    std::fs::write(&empty, idcheck::synth::jpeg(&desk, 90)).unwrap();
    let o = idcheck(&cfg, &["copy", empty.to_str().unwrap(), "--purpose", "开户", "--out", out.to_str().unwrap(), "--lang", "zh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("没有找到身份证"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists());
    let o = idcheck(&cfg, &["copy", dir.path().join("missing.jpg").to_str().unwrap(), "--purpose", "开户", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

/// The usual photo of an ID, both sides in one frame, is enough for a copy: front above back,
/// both straightened to the card's size; a photo of two people's cards is refused, no file made.
#[test]
fn copy_from_one_photo_holding_both_sides_and_not_from_two_peoples_cards() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let out = dir.path().join("copy.pdf");
    let both = card("both-sides.jpg");
    let o = idcheck(&cfg, &["copy", both.to_str().unwrap(), "--purpose", "开户", "--operator", "李雷", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("front+back"), "{}", String::from_utf8_lossy(&o.stdout));
    let info = poppler("pdfinfo", &[out.to_str().unwrap()]);
    assert!(info.contains("(A4)") && info.contains("Pages:           1"), "{info}");
    let images = poppler("pdfimages", &["-list", out.to_str().unwrap()]);
    let rows: Vec<&str> = images.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{images}");
    let text = poppler("pdftotext", &["-raw", out.to_str().unwrap(), "-"]);
    assert!(text.contains("仅供开户使用") && text.contains("操作员 李雷"), "{text}");

    let two = dir.path().join("two.pdf");
    let people = card("two-people.jpg");
    let o = idcheck(&cfg, &["copy", people.to_str().unwrap(), "--purpose", "开户", "--out", two.to_str().unwrap(), "--lang", "zh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("不止一个人"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!two.exists());
}
