//! The `idcheck check` command as a user runs it: the built binary, its output and exit status.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_idcheck");
const TODAY: &str = "2026-06-01";

/// A full number from 17 digits (computes the check character independently of the crate).
fn with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A config directory of this test process, so the audit trail of these checks never lands
/// in the user's own.
fn config_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("idcheck-cli-check-{}", std::process::id()))
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("IDCHECK_CONFIG_DIR", config_dir()).env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "zh_CN.UTF-8");
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run idcheck");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn json_fields_of_a_valid_number() {
    let n = with_check("42060219900101123");
    let o = run(&["check", "--json", "--today", TODAY, &n], None);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = &json_lines(&o)[0];
    assert_eq!(v["input"], n.as_str());
    assert_eq!(v["number"], n.as_str());
    assert_eq!(v["upgraded"], Value::Null);
    assert_eq!(v["valid"], true);
    assert_eq!(v["normalised"], serde_json::json!([]));
    assert_eq!(v["reasons"], serde_json::json!([]));
    assert_eq!(v["birth_date"], "1990-01-01");
    assert_eq!(v["age"], 36);
    assert_eq!(v["sex"], "male");
    let r = &v["region"];
    assert_eq!(r["code"], "420602");
    assert_eq!((r["province"].as_str(), r["city"].as_str(), r["district"].as_str()), (Some("湖北省"), Some("襄阳市"), Some("襄城区")));
    assert_eq!(r["abolished"], false);
    assert_eq!(r["since"], 1984);
    assert_eq!(r["until"], Value::Null);
    assert_eq!(r["history"].as_array().unwrap().len(), 2);
    assert_eq!(r["history"][0]["city"], "襄樊市");
    assert_eq!(v["warnings"][0]["kind"], "region_at_birth");
    assert!(v["warnings"][0]["message_en"].as_str().unwrap().contains("1990"));
}

#[test]
fn json_reasons_and_exit_status_of_invalid_numbers() {
    let good = with_check("11010119900307123");
    let bad_check = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let o = run(&["check", "--json", "--today", TODAY, &good, &bad_check, "11010119900230123X", "12345"], None);
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!(v.len(), 4);
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[1]["reasons"][0]["kind"], "checksum");
    assert_eq!(v[1]["reasons"][0]["expected"], good[17..].to_string());
    assert!(v[1]["reasons"][0]["message_zh"].as_str().unwrap().contains("校验码"));
    assert!(v[1]["birth_date"].is_null() && v[1]["region"].is_null());
    let kinds: Vec<&str> = v[2]["reasons"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"date"), "{kinds:?}");
    assert_eq!(v[3]["reasons"][0]["kind"], "length");
}

#[test]
fn normalisation_is_reported() {
    let o = run(&["check", "--json", "--today", TODAY, "110105 19491231 002x"], None);
    assert_eq!(o.status.code(), Some(0));
    let v = &json_lines(&o)[0];
    assert_eq!(v["input"], "110105 19491231 002x");
    assert_eq!(v["number"], "11010519491231002X");
    let kinds: Vec<&str> = v["normalised"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["inner_space", "lowercase_x"]);
}

#[test]
fn fifteen_digit_numbers_are_upgraded() {
    let o = run(&["check", "--json", "--today", TODAY, "110101900307124"], None);
    let v = &json_lines(&o)[0];
    assert_eq!(v["valid"], true);
    assert_eq!(v["sex"], "female");
    assert_eq!(v["upgraded"], with_check("11010119900307124").as_str());
}

#[test]
fn stdin_is_streamed_line_by_line() {
    let mut input = String::new();
    for i in 0..2000 {
        input.push_str(&with_check(&format!("110105199001{:02}{:03}", i % 28 + 1, i % 1000)));
        input.push_str(if i % 2 == 0 { "\n" } else { "\r\n" });
        if i % 500 == 0 {
            input.push_str("   \n\n"); // blank lines are skipped
        }
    }
    input.push_str("110105199001011230"); // last line without a newline, bad check character
    let o = run(&["check", "--json", "--today", TODAY], Some(&input));
    let v = json_lines(&o);
    assert_eq!(v.len(), 2001);
    assert!(v[..2000].iter().all(|l| l["valid"] == true));
    assert_eq!(v[2000]["valid"], false);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn human_output_follows_the_language() {
    let n = with_check("11010119900307123");
    let zh = run(&["check", "--today", TODAY, &n, "1101"], None);
    let text = String::from_utf8(zh.stdout).unwrap();
    assert!(text.contains("有效") && text.contains("男") && text.contains("北京市") && text.contains("东城区"), "{text}");
    assert!(text.contains("无效") && text.contains("号码应为18位"));

    let en = run(&["check", "--lang", "en", "--today", TODAY, &n, "1101"], None);
    let text = String::from_utf8(en.stdout).unwrap();
    assert!(text.contains("valid  male  born 1990-03-07 (age 36)"), "{text}");
    assert!(text.contains("An ID number has 18 characters"));

    // From the environment when --lang is absent.
    let mut cmd = Command::new(BIN);
    let o = cmd
        .args(["check", "--today", TODAY, "1101"])
        .env("IDCHECK_CONFIG_DIR", config_dir())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8(o.stdout).unwrap().contains("invalid"));
}

#[test]
fn residence_permits_and_abolished_codes_in_text() {
    let hk = with_check("81000019900307123");
    let old = with_check("11010319900307123");
    let o = run(&["check", "--lang", "en", "--today", TODAY, &hk, &old], None);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("Hong Kong resident"), "{text}");
    assert!(text.contains("崇文区") && text.contains("(abolished)"), "{text}");
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(run(&["check", "--lang", "fr", "1"], None).status.code(), Some(2));
    assert_eq!(run(&["check", "--today", "2026-02-30", "1"], None).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], None).status.code(), Some(2));
    assert_eq!(run(&[], None).status.code(), Some(2));
}

#[test]
fn help_explains_the_command() {
    let o = run(&["check", "--help"], None);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    for word in ["--json", "--lang", "--today", "stdin", "checksum", "normalised"] {
        assert!(text.contains(word), "help lacks {word}");
    }
}

#[test]
fn today_decides_future_birth_dates() {
    let n = with_check("11010120260602123");
    assert_eq!(run(&["check", "--today", "2026-06-01", &n], None).status.code(), Some(1));
    assert_eq!(run(&["check", "--today", "2026-06-02", &n], None).status.code(), Some(0));
}

#[test]
fn foreign_permanent_resident_numbers_in_text_and_json() {
    // Built here: a 2023-edition number (9, 江苏 32, Japan 392, born 1985-01-01, sequence 001)
    // and a 2017-edition one (USA, office 3100, born 900307, last two digits 12).
    let new = with_check("93239219850101001");
    let old = "USA310090030712";
    let o = run(&["check", "--today", TODAY, &new, old], None);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("外国人永久居留身份证（2023年版）") && text.contains("国籍 日本 Japan [JPN 392]") && text.contains("受理地 江苏省"), "{text}");
    assert!(text.contains("外国人永久居留身份证（2017年版）") && text.contains("国籍 美国") && text.contains("受理地 上海市"), "{text}");
    assert!(text.contains("男  1985-01-01（41岁）"), "{text}");

    // --json carries them; a wrong check character is named, with the expected one.
    let wrong = format!("{}{}", &new[..17], if new.ends_with('0') { '1' } else { '0' });
    let o = run(&["check", "--json", "--today", TODAY, &new, old, &wrong], None);
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!((v[0]["valid"].as_bool(), v[0]["holder"].as_str(), v[0]["sex"].as_str()), (Some(true), Some("foreign_permanent"), Some("male")));
    assert_eq!(v[0]["foreign"]["edition"], 2023);
    assert_eq!(v[0]["foreign"]["document_zh"], "外国人永久居留身份证（2023年版）");
    assert_eq!(v[0]["foreign"]["nationality"]["alpha3"], "JPN");
    assert_eq!(v[0]["foreign"]["nationality"]["en"], "Japan");
    assert_eq!(v[0]["foreign"]["province"], "江苏省");
    assert_eq!(v[0]["region"], Value::Null);
    assert_eq!(v[1]["foreign"]["edition"], 2017);
    assert_eq!(v[1]["foreign"]["nationality"]["numeric"], "840");
    assert_eq!(v[1]["sex"], Value::Null);
    assert_eq!(v[2]["valid"], false);
    assert_eq!(v[2]["reasons"][0]["kind"], "checksum");
    assert_eq!(v[2]["reasons"][0]["expected"], new[17..].to_string());
}
