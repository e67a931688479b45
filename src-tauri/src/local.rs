//! The local checks of the form, live as the clerk types: the core's verdict on the number
//! with every reason, plus cross-checks between the number and the card (birth date, sex),
//! the validity period against the holder's age, and expiry. Warnings, never blocks.

use crate::views::{EmbeddedRegion, EraView, Finding, LocalView};
use idcheck::i18n::Msg;
use idcheck::id::{self, Date, Sex};
use idcheck::validity;

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The time of a verdict, for the page to show (UTC, ISO 8601; the page shows it locally).
pub fn now_local_string() -> String {
    let s = now_secs();
    let d = Date::from_days_since_epoch(s.div_euclid(86_400));
    let t = s.rem_euclid(86_400);
    format!("{d}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

fn warn(zh: impl Into<String>, en: impl Into<String>) -> Finding {
    Finding { message: Msg::new(zh, en), expected: None }
}

fn fnv(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:08x}", h as u32)
}

/// The card's sex as typed or read (男 / 女, or the English words).
fn card_sex(s: &str) -> Option<Sex> {
    match s.trim() {
        "男" | "M" | "m" | "male" | "Male" => Some(Sex::Male),
        "女" | "F" | "f" | "female" | "Female" => Some(Sex::Female),
        _ => None,
    }
}

/// The checks of what is in the form. Core: `id::check` (verdict, reasons with the expected
/// check digit, region and birth-year warnings) and `validity::assess_text` (term vs. age,
/// expiry); here only the comparison of the number with the card's printed fields.
pub fn view(number: &str, sex: &str, birth: &str, valid_from: &str, valid_until: &str) -> LocalView {
    let empty = [number, sex, birth, valid_from, valid_until].iter().all(|s| s.trim().is_empty());
    let mut v = LocalView { empty, number_present: !number.trim().is_empty(), ..LocalView::default() };
    if empty {
        return v;
    }
    let today = Date::today();
    let checked = id::check(number);
    v.valid = checked.is_valid();
    if v.number_present {
        v.reasons = checked.reasons.iter().map(|r| Finding { message: r.message.clone(), expected: r.expected }).collect();
        v.warnings.extend(checked.warnings.iter().map(|w| Finding { message: w.message.clone(), expected: None }));
        v.warnings.extend(checked.normalised.iter().map(|n| Finding { message: n.message.clone(), expected: None }));
        let n = checked.number();
        // A foreign permanent resident's number holds a province and a nationality, not a
        // six-digit region code: it is described by the core, not looked up as a region.
        if let Some(f) = &checked.foreign {
            let (doc, nat) = (f.edition.msg(), f.nationality.msg());
            v.facts.push(Msg::new(
                format!("{}，国籍 {}，受理地 {}", doc.zh, nat.zh, f.province),
                format!("{}, nationality {}, accepted in {}", doc.en, nat.en, f.province),
            ));
        } else if n.len() >= 6 && n.as_bytes()[..6].iter().all(u8::is_ascii_digit) {
            v.region_code = Some(n[..6].to_string());
            v.number_key = Some(fnv(n));
        }
    }
    if let Some(b) = checked.birth_date {
        let age = checked.age.unwrap_or_else(|| b.age_on(today));
        v.facts.push(Msg::new(format!("出生日期 {b}，{age} 岁"), format!("Born {b}, age {age}")));
    }
    if let Some(s) = checked.sex {
        let m = s.msg();
        v.facts.push(Msg::new(format!("性别 {}", m.zh), format!("Sex: {}", m.en)));
    }
    // The number against the card's printed fields.
    let card_birth = Date::parse(birth);
    if !birth.trim().is_empty() && card_birth.is_none() {
        v.warnings.push(warn("出生日期看不懂：请写成 1990-03-07。", "The date of birth is unreadable: write it as 1990-03-07."));
    }
    if let (Some(a), Some(b)) = (checked.birth_date, card_birth) {
        if a != b {
            v.number_birth = Some(a.to_string());
            v.warnings.push(warn(
                format!("号码中的出生日期 {a} 与证件上的 {b} 不同；请核对号码和出生日期。"),
                format!("The number's birth date {a} differs from the card's {b}; check both."),
            ));
        }
    }
    if let (Some(ns), Some(cs)) = (checked.sex, card_sex(sex)) {
        if ns != cs {
            let (n, c) = (ns.msg(), cs.msg());
            v.number_sex = Some(match ns {
                Sex::Male => Msg::new("男", "Male"),
                Sex::Female => Msg::new("女", "Female"),
            });
            v.warnings.push(warn(
                format!("号码表示性别为“{}”，证件上是“{}”；请核对。", n.zh, c.zh),
                format!("The number says the holder is {}, the card says {}; check both.", n.en, c.en),
            ));
        }
    }
    // The validity period against the holder's age, and expiry.
    if !valid_from.trim().is_empty() || !valid_until.trim().is_empty() {
        match checked.birth_date.or(card_birth) {
            Some(b) if !valid_from.trim().is_empty() && !valid_until.trim().is_empty() => match validity::assess_text(b, valid_from, valid_until, today) {
                Ok(val) => v.warnings.extend(val.findings.iter().map(|f| Finding { message: f.message.clone(), expected: None })),
                Err(m) => v.warnings.push(Finding { message: m, expected: None }),
            },
            _ => {
                // Without a birth date only expiry can be judged.
                if let Some(validity::End::Date(e)) = validity::End::parse(valid_until) {
                    if e < today {
                        v.warnings.push(warn(format!("证件已于{e}过期；请持证人换领新证"), format!("The card expired on {e}; the holder needs a new card")));
                    }
                }
            }
        }
    }
    v
}

fn era_view(e: &idcheck::region::Era) -> EraView {
    EraView { since: e.since, until: e.until, province: e.names.province.to_string(), city: e.names.city.to_string(), district: e.names.district.to_string() }
}

/// The embedded timeline's answer for a code, with what it meant in the holder's birth year.
pub fn embedded_region(code: u32, number: &str) -> Option<EmbeddedRegion> {
    let e = idcheck::region::lookup(code)?;
    let history: Vec<EraView> = e.history().iter().map(era_view).collect();
    let last = e.history().last().map(era_view)?;
    let birth_year = (number.len() == 18).then(|| number[6..10].parse::<u16>().ok()).flatten();
    let at_birth = birth_year.and_then(|y| e.at_year(y).map(|era| (y, era))).and_then(|(y, era)| {
        let now = e.current();
        (era.names != now).then(|| {
            let n = format!("{}{}{}", era.names.province, era.names.city, era.names.district);
            Msg::new(format!("{y} 年（出生年份）时为：{n}"), format!("In {y} (year of birth): {n}"))
        })
    });
    Some(EmbeddedRegion { current: last, abolished: e.abolished(), since: e.since(), until: e.until(), history, at_birth })
}

/// Whether two full region names differ, ignoring repeated levels (北京市北京市东城区).
pub fn names_differ(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        s.replace("北京市北京市", "北京市")
            .replace("上海市上海市", "上海市")
            .replace("天津市天津市", "天津市")
            .replace("重庆市重庆市", "重庆市")
            .replace(' ', "")
    }
    norm(a) != norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_checks_warn_about_sex_birth_and_expiry() {
        let v = view("110101199003070038", "女", "1990-03-08", "2015-03-07", "2025-03-07");
        let all: Vec<String> = v.warnings.iter().map(|w| w.message.en.clone()).collect();
        assert!(all.iter().any(|w| w.contains("birth date")), "{all:?}");
        assert!(all.iter().any(|w| w.contains("says the holder is male")), "{all:?}");
        assert!(all.iter().any(|w| w.contains("expired")), "{all:?}");
        let v = view("110101199003070038", "", "", "2015-03-07", "长期");
        assert!(v.warnings.iter().any(|w| w.message.en.contains("law")), "{:?}", v.warnings);
    }

    #[test]
    fn the_numbers_birth_and_sex_are_given_beside_printed_ones_that_differ() {
        let v = view("110101199003070038", "女", "1990-03-08", "", "");
        assert_eq!(v.number_birth.as_deref(), Some("1990-03-07"));
        assert_eq!(v.number_sex.as_ref().map(|m| m.zh.as_str()), Some("男"));
        // Agreeing, missing or unreadable printed values: nothing beside them.
        for (sex, birth) in [("男", "1990-03-07"), ("", ""), ("?", "1990-3-x")] {
            let v = view("110101199003070038", sex, birth, "", "");
            assert_eq!((v.number_birth, v.number_sex), (None, None), "{sex:?} {birth:?}");
        }
    }

    #[test]
    fn bad_check_digit_says_which_one() {
        let v = view("110101199003070037", "", "", "", "");
        assert!(!v.valid);
        assert!(v.reasons.iter().any(|r| r.expected == Some('8')));
    }

    #[test]
    fn a_foreign_permanent_residents_number_is_described_not_looked_up_as_a_region() {
        // 2023 edition: 9, province 32, nationality 392, born 1990-03-07, sequence 001.
        let v = view("932392199003070018", "", "", "", "");
        assert!(v.valid, "{:?}", v.reasons);
        assert_eq!(v.region_code, None);
        assert!(v.facts.iter().any(|f| f.zh.contains("外国人永久居留身份证") && f.zh.contains("江苏省")), "{:?}", v.facts);
    }

    #[test]
    fn nothing_typed_is_empty() {
        assert!(view(" ", "", "", "", "").empty);
    }
}
