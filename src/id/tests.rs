//! Tests of parsing, every reason, the region policy, the JSON shape, and properties.

use super::*;
use proptest::prelude::*;

fn today() -> Date {
    Date::new(2026, 6, 1).unwrap()
}

/// A full 18-digit number: 17 digits plus the computed check character.
fn with_check(first17: &str) -> String {
    let b: &[u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", fast::check_char(b) as char)
}

fn kinds(c: &Checked) -> Vec<ReasonKind> {
    c.reasons.iter().map(|r| r.kind).collect()
}

fn warning_kinds(c: &Checked) -> Vec<WarningKind> {
    c.warnings.iter().map(|w| w.kind).collect()
}

#[test]
fn a_valid_number_is_described() {
    let n = with_check("11010119900307123");
    let c = check_at(&n, today());
    assert!(c.is_valid(), "{:?}", c.reasons);
    assert_eq!(c.number(), n);
    assert_eq!(c.birth_date, Date::new(1990, 3, 7));
    assert_eq!(c.age, Some(36));
    assert_eq!(c.sex, Some(Sex::Male)); // 17th digit 3
    assert_eq!(c.holder, Some(Holder::Resident));
    let r = c.region.unwrap();
    assert_eq!((r.code(), r.current().province, r.current().city, r.current().district), (110101, "北京市", "北京市", "东城区"));
    assert_eq!(r.province_code(), 110000);
    assert_eq!(r.city_code(), Some(110100));
    assert!(!r.abolished());
    assert!(c.warnings.is_empty());
    assert!(c.normalised.is_empty());
    assert!(c.upgraded.is_none());
}

#[test]
fn known_number_with_x() {
    let c = check_at("11010519491231002X", today());
    assert!(c.valid);
    assert_eq!(c.sex, Some(Sex::Female));
    assert_eq!(c.age, Some(76));
}

#[test]
fn impossible_birth_dates() {
    for body in ["11010119900230123", "11010120230229123", "11010119901301123", "11010119900400123"] {
        let c = check_at(&with_check(body), today());
        assert_eq!(kinds(&c), vec![ReasonKind::Date], "{body}");
        assert!(c.reasons[0].message.en.contains("does not exist"), "{}", c.reasons[0].message.en);
        assert!(c.reasons[0].message.zh.contains("不存在"));
    }
    // 2024 was a leap year.
    assert!(check_at(&with_check("11010120240229123"), today()).valid);
}

#[test]
fn future_and_pre_1900_birth_dates() {
    let c = check_at(&with_check("11010120260602123"), today());
    assert_eq!(kinds(&c), vec![ReasonKind::Date]);
    assert!(c.reasons[0].message.en.contains("after today (2026-06-01)"));
    assert!(check_at(&with_check("11010120260601123"), today()).valid, "born today is fine");

    let c = check_at(&with_check("11010118991231123"), today());
    assert_eq!(kinds(&c), vec![ReasonKind::Date]);
    assert!(c.reasons[0].message.zh.contains("早于1900-01-01"));
    assert!(check_at(&with_check("11010119000101123"), today()).valid);
}

#[test]
fn wrong_check_character_names_the_expected_one() {
    let good = with_check("11010519491231002"); // ...002X
    let bad = format!("{}5", &good[..17]);
    let c = check_at(&bad, today());
    assert_eq!(kinds(&c), vec![ReasonKind::Checksum]);
    assert_eq!(c.reasons[0].expected, Some('X'));
    assert!(c.reasons[0].message.zh.contains("“X”"));
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["reasons"][0]["expected"], "X");
    assert_eq!(json["reasons"][0]["kind"], "checksum");
}

#[test]
fn lower_case_x_is_normalised() {
    let c = check_at("11010519491231002x", today());
    assert!(c.valid);
    assert_eq!(c.number, "11010519491231002X");
    assert_eq!(c.normalised.iter().map(|n| n.kind).collect::<Vec<_>>(), vec![NoteKind::LowercaseX]);
}

#[test]
fn full_width_input_is_normalised() {
    let c = check_at("１１０１０５１９４９１２３１００２Ｘ", today());
    assert!(c.valid, "{:?}", c.reasons);
    assert_eq!(c.number, "11010519491231002X");
    assert_eq!(c.normalised[0].kind, NoteKind::FullWidth);
}

#[test]
fn spaced_input_is_normalised() {
    let n = with_check("11010119900307123");
    let spaced = format!("\u{3000} {} {} {}\u{a0}", &n[..6], &n[6..14], &n[14..]);
    let c = check_at(&spaced, today());
    assert!(c.valid);
    assert_eq!(c.number, n);
    let k: Vec<_> = c.normalised.iter().map(|n| n.kind).collect();
    assert_eq!(k, vec![NoteKind::Whitespace, NoteKind::InnerSpace]);
    let dashed = format!("{}-{}-{}\u{200b}", &n[..6], &n[6..14], &n[14..]);
    let c = check_at(&dashed, today());
    assert!(c.valid);
    assert_eq!(c.normalised.iter().map(|n| n.kind).collect::<Vec<_>>(), vec![NoteKind::Hyphen, NoteKind::ZeroWidth]);
}

#[test]
fn length_errors() {
    let c = check_at("1101011990030712", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Length]);
    assert!(c.reasons[0].message.en.contains("this has 16"));
    assert_eq!(kinds(&check_at("", today())), vec![ReasonKind::Length]);
    assert_eq!(kinds(&check_at("   ", today())), vec![ReasonKind::Length]);
    assert_eq!(kinds(&check_at("1101011990030712345", today())), vec![ReasonKind::Length]);
}

#[test]
fn format_errors_keep_the_characters_and_name_them() {
    let n = with_check("11010119900307123");
    let typo = format!("11O{}", &n[3..]); // letter O for zero
    let c = check_at(&typo, today());
    assert_eq!(kinds(&c), vec![ReasonKind::Format]);
    assert_eq!(c.number, typo, "nothing typed is lost");
    assert!(c.reasons[0].message.zh.contains("第3位“O”"), "{}", c.reasons[0].message.zh);
    assert!(c.reasons[0].message.en.contains("'O' at position 3"));
    // An X in the middle is a format error; the date and check character are still checked.
    let c = check_at("1101011990X307123X", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Format]);
    // A tab shows as its code point.
    let c = check_at("110101\t19900307123", today());
    assert!(c.reasons.iter().any(|r| r.message.en.contains("U+0009")));
    // X is no check character in a 15-digit number.
    let c = check_at("11010190030712X", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Format]);
}

#[test]
fn region_that_never_existed() {
    let c = check_at(&with_check("99010119900307123"), today());
    assert_eq!(kinds(&c), vec![ReasonKind::Region]);
    assert!(c.reasons[0].message.zh.contains("990101"));
}

#[test]
fn every_reason_is_reported() {
    // Unknown region, impossible date and a wrong check character at once.
    let good = with_check("99010119900230123");
    let last = if good.ends_with('0') { '1' } else { '0' };
    let bad = format!("{}{last}", &good[..17]);
    let c = check_at(&bad, today());
    assert_eq!(kinds(&c), vec![ReasonKind::Region, ReasonKind::Date, ReasonKind::Checksum]);
    // A bad character in the sequence still lets region and date be checked.
    let c = check_at("99010119900230A234", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Format, ReasonKind::Region, ReasonKind::Date]);
    for r in &c.reasons {
        assert!(!r.message.zh.is_empty() && !r.message.en.is_empty());
    }
}

#[test]
fn fifteen_digit_numbers() {
    let c = check_at("110101900307123", today());
    assert!(c.valid, "{:?}", c.reasons);
    assert_eq!(c.birth_date, Date::new(1990, 3, 7));
    assert_eq!(c.sex, Some(Sex::Male)); // 15th digit 3
    assert_eq!(check_at("110101900307124", today()).sex, Some(Sex::Female));
    let up = c.upgraded.clone().unwrap();
    assert_eq!(up, with_check("11010119900307123"));
    assert_eq!(c.number18(), up);
    assert!(check_at(&up, today()).valid);
    assert_eq!(warning_kinds(&c), vec![WarningKind::FirstGeneration]);
    assert_eq!(upgrade("110101900307123").as_deref(), Some(up.as_str()));
    // Dates are checked in 19YY.
    assert_eq!(kinds(&check_at("110101900230123", today())), vec![ReasonKind::Date]);
    assert!(check_at("110101900230123", today()).upgraded.is_none());
}

#[test]
fn residence_permits_of_hong_kong_macau_taiwan() {
    for (code, holder, name) in
        [("810000", Holder::HongKong, "香港特别行政区"), ("820000", Holder::Macau, "澳门特别行政区"), ("830000", Holder::Taiwan, "台湾省")]
    {
        let c = check_at(&with_check(&format!("{code}19900307123")), today());
        assert!(c.valid, "{:?}", c.reasons);
        assert_eq!(c.holder, Some(holder));
        assert_eq!(c.region.unwrap().current().province, name);
        assert_eq!(warning_kinds(&c), vec![WarningKind::ResidencePermit]);
        assert!(c.warnings[0].message.zh.contains("港澳台居民居住证"));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["region"]["city_code"], serde_json::Value::Null);
    }
}

#[test]
fn code_created_after_birth_is_a_warning_not_an_error() {
    let c = check_at(&with_check("50015419930101123"), today());
    assert!(c.valid);
    assert_eq!(warning_kinds(&c), vec![WarningKind::RegionNotYet]);
    assert!(c.warnings[0].message.zh.contains("2016"));
    assert!(c.warnings[0].message.en.contains("1993"));
    // Born after the code was created: nothing to say.
    assert!(check_at(&with_check("50015420170101123"), today()).warnings.is_empty());
}

#[test]
fn names_in_the_birth_year_when_they_differ() {
    let c = check_at(&with_check("42060219900101123"), today());
    assert!(c.valid);
    assert_eq!(c.region.unwrap().current().city, "襄阳市");
    assert_eq!(warning_kinds(&c), vec![WarningKind::RegionAtBirth]);
    assert!(c.warnings[0].message.zh.contains("襄樊市"));
    assert!(check_at(&with_check("42060220120101123"), today()).warnings.is_empty());

    // 362324 (铅山县 of 上饶地区) was abolished in 2000: its main answer is already the 1990
    // meaning, so the only note is that it is abolished.
    let c = check_at(&with_check("36232419900101123"), today());
    assert_eq!(warning_kinds(&c), vec![WarningKind::RegionAbolished]);
    assert_eq!(c.region.unwrap().current().city, "上饶地区");
}

#[test]
fn births_before_1984_do_not_guess_the_name() {
    let c = check_at(&with_check("36232419800101123"), today());
    assert!(c.valid);
    assert_eq!(warning_kinds(&c), vec![WarningKind::RegionBeforeCards, WarningKind::RegionAbolished]);
    assert!(!c.warnings[0].message.zh.contains("丰城县"), "no guess at the birth-year name");
    assert!(c.warnings[0].message.en.contains("1984"));
    // A code whose names never changed needs no note.
    assert!(check_at(&with_check("11010119700101123"), today()).warnings.is_empty());
}

#[test]
fn abolished_codes() {
    let c = check_at(&with_check("11010319900101123"), today());
    assert!(c.valid);
    let r = c.region.unwrap();
    assert!(r.abolished());
    assert_eq!((r.since(), r.until()), (1980, Some(2009)));
    assert_eq!(warning_kinds(&c), vec![WarningKind::RegionAbolished]);
    let c = check_at(&with_check("11010320150101123"), today());
    assert!(c.valid);
    assert_eq!(warning_kinds(&c), vec![WarningKind::RegionGoneAtBirth]);
}

#[test]
fn regions_without_a_level() {
    let r = check_at(&with_check("42900419900101123"), today()).region.unwrap();
    assert_eq!((r.current().city, r.current().district), ("", "仙桃市"));
    assert_eq!(r.city_code(), None);
    let r = check_at(&with_check("44190019900101123"), today()).region.unwrap();
    assert_eq!((r.current().city, r.current().district), ("东莞市", ""));
    assert_eq!(r.city_code(), Some(441900));
}

#[test]
fn json_shape() {
    let c = check_at(&with_check("42060219900101123"), today());
    let v = serde_json::to_value(&c).unwrap();
    for key in ["input", "number", "upgraded", "valid", "normalised", "reasons", "birth_date", "sex", "region", "warnings"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["birth_date"], "1990-01-01");
    assert_eq!(v["sex"], "male");
    assert_eq!(v["valid"], true);
    assert_eq!(v["upgraded"], serde_json::Value::Null);
    let r = &v["region"];
    assert_eq!(r["code"], "420602");
    assert_eq!(r["province"], "湖北省");
    assert_eq!(r["city"], "襄阳市");
    assert_eq!(r["district"], "襄城区");
    assert_eq!(r["abolished"], false);
    assert_eq!(r["since"], 1984);
    assert_eq!(r["until"], serde_json::Value::Null);
    assert_eq!(r["history"][0], serde_json::json!({"since": 1984, "until": 2009, "province": "湖北省", "city": "襄樊市", "district": "襄城区"}));
    assert_eq!(v["warnings"][0]["kind"], "region_at_birth");
    assert!(v["warnings"][0]["message_zh"].is_string() && v["warnings"][0]["message_en"].is_string());

    let c = check_at(" 11010519491231002x", today());
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["normalised"][0]["kind"], "whitespace");
    assert_eq!(v["normalised"][1]["kind"], "lowercase_x");
    assert_eq!(v["input"], " 11010519491231002x");
}

#[test]
fn fast_path_agrees() {
    let n = with_check("11010119900307123");
    let f = validate_fast(n.as_bytes(), today()).unwrap();
    assert_eq!(f.birth, Date::new(1990, 3, 7).unwrap());
    assert_eq!(f.generation, Generation::Eighteen);
    assert!(validate_fast(b"11010119900230123X", today()).unwrap_err().intersects(FailBits::DATE_IMPOSSIBLE));
    assert_eq!(validate_fast(b"11010519491231002x", today()).unwrap_err(), FailBits::FORMAT);
    assert_eq!(validate_fast(b"123", today()).unwrap_err(), FailBits::LENGTH);
}

#[test]
fn fuzz_body_on_edge_and_random_inputs() {
    let edges: &[&[u8]] = &[
        b"",
        b" ",
        b"X",
        b"xxxxxxxxxxxxxxxxxx",
        b"000000000000000000",
        b"999999999999999999",
        b"11010519491231002X",
        b"110105491231002",
        b"11010519491231002\xff",
        "１１０１０５１９４９１２３１００２ｘ".as_bytes(),
        "-\t110105194912310023".as_bytes(),
        "\u{200b}\u{3000}\u{a0}".as_bytes(),
        b"110101 19900307 1234",
        b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        "身份证号码：110105194912310023".as_bytes(),
    ];
    for e in edges {
        fuzzing::parse_one(e);
    }
    // A deterministic generator: mutations of valid numbers and random bytes.
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let base = with_check("11010519491231002").into_bytes();
    let alphabet: &[&str] = &["0", "1", "9", "X", "x", " ", "-", "\u{3000}", "\u{200b}", "５", "Ｘ", "A", "\t", "é"];
    for _ in 0..400 {
        let mut s: Vec<u8> = base.clone();
        for _ in 0..(next() % 4) {
            let at = (next() as usize) % (s.len() + 1);
            let piece = alphabet[(next() as usize) % alphabet.len()].as_bytes();
            match next() % 3 {
                0 if at < s.len() => {
                    s.remove(at);
                }
                _ => s.splice(at..at, piece.iter().copied()).for_each(drop),
            }
        }
        fuzzing::parse_one(&s);
        let len = (next() % 24) as usize;
        let random: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        fuzzing::parse_one(&random);
    }
}

const CODES: &[u32] = &[110101, 110103, 110105, 150105, 362324, 420602, 429004, 441900, 500154, 810000, 820000, 830000];

fn valid18() -> impl Strategy<Value = String> {
    let days = Date::new(1900, 1, 1).unwrap().days_since_epoch()..=today().days_since_epoch();
    (prop::sample::select(CODES), days, 0u32..1000).prop_map(|(code, day, seq)| {
        let d = Date::from_days_since_epoch(day);
        with_check(&format!("{code:06}{:04}{:02}{:02}{seq:03}", d.year(), d.month(), d.day()))
    })
}

fn valid15() -> impl Strategy<Value = String> {
    let days = Date::new(1900, 1, 1).unwrap().days_since_epoch()..=Date::new(1999, 12, 31).unwrap().days_since_epoch();
    (prop::sample::select(CODES), days, 0u32..1000).prop_map(|(code, day, seq)| {
        let d = Date::from_days_since_epoch(day);
        format!("{code:06}{:02}{:02}{:02}{seq:03}", d.year() % 100, d.month(), d.day())
    })
}

proptest! {
    #[test]
    fn every_generated_valid_number_passes(n in valid18()) {
        let c = check_at(&n, today());
        prop_assert!(c.valid, "{} {:?}", n, c.reasons);
        prop_assert!(validate_fast(n.as_bytes(), today()).is_ok());
    }

    #[test]
    fn every_single_digit_change_fails(n in valid18(), pos in 0usize..18, delta in 1usize..11) {
        const ALPHABET: &[u8] = b"0123456789X";
        let mut b = n.into_bytes();
        let old = ALPHABET.iter().position(|&c| c == b[pos]).unwrap();
        b[pos] = if pos == 17 {
            ALPHABET[(old + delta) % 11]
        } else {
            ALPHABET[(old + 1 + (delta - 1) % 9) % 10]
        };
        prop_assert_ne!(b[pos], ALPHABET[old]);
        let s = String::from_utf8(b).unwrap();
        let c = check_at(&s, today());
        prop_assert!(!c.valid, "{} passed", s);
        prop_assert!(!c.reasons.is_empty());
    }

    #[test]
    fn fifteen_to_eighteen_round_trips(n in valid15()) {
        let c = check_at(&n, today());
        prop_assert!(c.valid, "{} {:?}", n, c.reasons);
        let up = c.upgraded.clone().unwrap();
        let u = check_at(&up, today());
        prop_assert!(u.valid);
        prop_assert_eq!(u.birth_date, c.birth_date);
        prop_assert_eq!(u.sex, c.sex);
        prop_assert_eq!(u.region, c.region);
        // Dropping the century and the check character gives the 15 digits back.
        prop_assert_eq!(format!("{}{}", &up[..6], &up[8..17]), n);
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,24}") {
        fuzzing::parse_one(s.as_bytes());
    }
}

// 外国人永久居留身份证 numbers (see `foreign.rs`). Every number is built here: 2023 edition
// from 17 digits plus the computed check character, 2017 edition from its fields.

/// A 2023-edition number: 9, province, nationality, birth date, sequence, check character.
fn foreign23(province: &str, nationality: &str, birth: &str, seq: &str) -> String {
    with_check(&format!("9{province}{nationality}{birth}{seq}"))
}

#[test]
fn foreign_2023_number_is_described() {
    let n = foreign23("11", "840", "19900307", "123");
    let c = check_at(&n, today());
    assert!(c.valid, "{:?}", c.reasons);
    assert_eq!(c.holder, Some(Holder::ForeignPermanent));
    assert_eq!(c.birth_date, Date::new(1990, 3, 7));
    assert_eq!(c.age, Some(36));
    assert_eq!(c.sex, Some(Sex::Male));
    assert!(c.region.is_none() && c.upgraded.is_none());
    let f = c.foreign.unwrap();
    assert_eq!(f.edition, Edition::E2023);
    assert_eq!((f.province_code, f.province), (11, "北京市"));
    assert_eq!(f.nationality.code(), "840");
    let country = f.nationality.country.unwrap();
    assert_eq!((country.alpha3, country.zh, country.en), ("USA", "美国", "United States of America"));
    assert_eq!(warning_kinds(&c), vec![WarningKind::ForeignPermanent]);
    assert!(c.warnings[0].message.zh.contains("外国人永久居留身份证（2023年版）") && c.warnings[0].message.zh.contains("美国"));

    let c = check_at(&foreign23("32", "682", "19850101", "002"), today());
    assert_eq!(c.sex, Some(Sex::Female));
    assert_eq!(c.foreign.unwrap().nationality.country.unwrap().zh, "沙特阿拉伯");
    assert_eq!(c.foreign.unwrap().province, "江苏省");
}

#[test]
fn foreign_2023_json() {
    let c = check_at(&foreign23("44", "392", "20010515", "246"), today());
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["holder"], "foreign_permanent");
    assert_eq!(v["sex"], "female");
    assert_eq!(
        v["foreign"],
        serde_json::json!({
            "edition": 2023,
            "document_zh": "外国人永久居留身份证（2023年版）",
            "document_en": "Foreign Permanent Resident ID Card (2023 edition)",
            "nationality": {"code": "392", "alpha3": "JPN", "numeric": "392", "zh": "日本", "en": "Japan"},
            "province_code": "44",
            "province": "广东省",
        })
    );
    assert_eq!(v["region"], serde_json::Value::Null);
    // A resident number carries `foreign: null`.
    let v = serde_json::to_value(check_at(&with_check("42060219900101123"), today())).unwrap();
    assert_eq!(v["foreign"], serde_json::Value::Null);
}

#[test]
fn foreign_2023_wrong_check_character_names_the_expected_one() {
    let good = foreign23("31", "250", "19800101", "011");
    let wrong = if good.ends_with('1') { '2' } else { '1' };
    let bad = format!("{}{wrong}", &good[..17]);
    let c = check_at(&bad, today());
    assert_eq!(kinds(&c), vec![ReasonKind::Checksum]);
    assert_eq!(c.reasons[0].expected, good.chars().last());
    assert!(c.reasons[0].message.en.contains(&format!("should be '{}'", good.chars().last().unwrap())));
    assert!(c.reasons[0].message.zh.contains("校验码应为"));
}

#[test]
fn foreign_2023_invalid_fields() {
    // An impossible date, a future one, an unknown province: each says what is wrong.
    let c = check_at(&foreign23("11", "840", "19900230", "123"), today());
    assert_eq!(kinds(&c), vec![ReasonKind::Date]);
    assert!(c.reasons[0].message.en.contains("1990-02-30 does not exist") && c.reasons[0].message.en.contains("characters 7–14"));
    let c = check_at(&foreign23("11", "840", "20270101", "123"), today());
    assert_eq!(kinds(&c), vec![ReasonKind::Date]);
    assert!(c.reasons[0].message.zh.contains("晚于今天"));
    for p in ["99", "00", "81", "71"] {
        let c = check_at(&foreign23(p, "840", "19900307", "123"), today());
        assert_eq!(kinds(&c), vec![ReasonKind::Region], "{p}");
        assert!(c.reasons[0].message.zh.contains(&format!("受理地代码{p}")), "{}", c.reasons[0].message.zh);
        assert!(c.reasons[0].message.en.contains("not a province"));
    }
    // Every reason at once; a letter inside is a format error.
    let c = check_at(&format!("{}0", &foreign23("99", "840", "19900230", "123")[..17]), today());
    assert!(kinds(&c).contains(&ReasonKind::Region) && kinds(&c).contains(&ReasonKind::Date), "{:?}", kinds(&c));
    let c = check_at("9118401990X3071234", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Format]);
    assert!(c.reasons[0].message.zh.contains("第11位“X”"), "{}", c.reasons[0].message.zh);
}

#[test]
fn foreign_unknown_nationality_is_a_warning_naming_the_code() {
    let c = check_at(&foreign23("11", "999", "19900307", "123"), today());
    assert!(c.valid, "{:?}", c.reasons);
    assert_eq!(c.foreign.unwrap().nationality.country, None);
    assert_eq!(warning_kinds(&c), vec![WarningKind::ForeignPermanent, WarningKind::NationalityUnknown]);
    assert!(c.warnings[1].message.zh.contains("“999”") && c.warnings[1].message.en.contains("'999'"));
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["foreign"]["nationality"], serde_json::json!({"code": "999", "alpha3": null, "numeric": null, "zh": null, "en": null}));
}

#[test]
fn foreign_2017_number_is_described() {
    let c = check_at("USA310090030712", today());
    assert!(c.valid, "{:?}", c.reasons);
    assert_eq!(c.holder, Some(Holder::ForeignPermanent));
    assert_eq!(c.birth_date, Date::new(1990, 3, 7)); // 2090 is in the future
    assert_eq!(c.age, Some(36));
    assert_eq!(c.sex, None, "the 2017 number's sex digit is not confirmed");
    let f = c.foreign.unwrap();
    assert_eq!(f.edition, Edition::E2017);
    assert_eq!((f.province_code, f.province, f.nationality.code()), (31, "上海市", "USA"));
    assert_eq!(f.nationality.country.unwrap().numeric, 840);
    assert_eq!(warning_kinds(&c), vec![WarningKind::ForeignPermanent]);
    assert!(c.warnings[0].message.en.contains("not checked"));
    // The last two digits are not checked: any pair is accepted.
    assert!(check_at("USA310090030799", today()).valid);
}

#[test]
fn foreign_2017_century_and_case() {
    let c = check_at("KOR440010061501", today());
    assert!(c.valid, "{:?}", c.reasons);
    assert_eq!(c.birth_date, Date::new(2010, 6, 15));
    assert_eq!(warning_kinds(&c), vec![WarningKind::ForeignPermanent, WarningKind::BirthCentury]);
    assert!(c.warnings[1].message.en.contains("1910-06-15"));
    // 00-02-29 exists only in 2000.
    let c = check_at("DEU110000022901", today());
    assert_eq!(c.birth_date, Date::new(2000, 2, 29));
    // Lower case and spaces are normalised.
    let c = check_at("kor 4400 100615 01", today());
    assert!(c.valid);
    assert_eq!(c.number, "KOR440010061501");
    let notes: Vec<NoteKind> = c.normalised.iter().map(|n| n.kind).collect();
    assert_eq!(notes, vec![NoteKind::InnerSpace, NoteKind::LowercaseLetters]);
}

#[test]
fn foreign_2017_invalid_fields() {
    let c = check_at("USA990090030712", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Region]);
    assert!(c.reasons[0].message.en.contains("characters 4–5"));
    let c = check_at("USA310090023012", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Date]);
    assert!(c.reasons[0].message.en.contains("does not exist") && c.reasons[0].message.en.contains("characters 8–13"));
    let c = check_at("QQQ310090030712", today());
    assert!(c.valid);
    assert_eq!(warning_kinds(&c), vec![WarningKind::ForeignPermanent, WarningKind::NationalityUnknown]);
    let c = check_at("U5A3100900307A2", today());
    assert!(!c.valid && c.foreign.is_none(), "not the shape of either edition");
    let c = check_at("USA31009003071A", today());
    assert_eq!(kinds(&c), vec![ReasonKind::Format]);
    assert!(c.reasons[0].message.zh.contains("第15位“A”"), "{}", c.reasons[0].message.zh);
}

#[test]
fn fast_path_sends_foreign_numbers_to_their_rules() {
    assert_eq!(validate_fast(foreign23("11", "840", "19900307", "123").as_bytes(), today()).unwrap_err(), FailBits::FOREIGN);
    assert_eq!(validate_fast(b"USA310090030712", today()).unwrap_err(), FailBits::FOREIGN);
    assert_eq!(validate_fast(b"9118401990X3071234", today()).unwrap_err(), FailBits::FOREIGN);
    // Resident numbers are untouched: a 15-digit number beginning with 9 is still a region error.
    assert!(validate_fast(b"910101900307123", today()).unwrap_err().intersects(FailBits::REGION));
    assert!(validate_fast(with_check("11010119900307123").as_bytes(), today()).is_ok());
    for n in [foreign23("11", "840", "19900307", "123"), "USA310090030712".into(), "usa310090030712".into(), foreign23("99", "999", "19900230", "123")] {
        fuzzing::parse_one(n.as_bytes());
    }
}
