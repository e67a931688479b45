//! The local checks of the form, live as the clerk types: the core's verdict on the number
//! with every reason, plus cross-checks between the number and the card (birth date, sex),
//! the validity period against the holder's age, and expiry. Warnings, never blocks.

use crate::views::{EmbeddedRegion, EraView, Finding, LocalView};
use idcheck::i18n::Msg;

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as i32;
    (y, m, d)
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub fn today() -> (i32, u32, u32) {
    civil(now_secs().div_euclid(86_400))
}

/// The time of a verdict, for the page to show (UTC, ISO 8601; the page shows it locally).
pub fn now_local_string() -> String {
    let s = now_secs();
    let (y, m, d) = civil(s.div_euclid(86_400));
    let t = s.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

/// Reads a date as printed or typed: `1990-03-07`, `1990.03.07`, `19900307`, `1990年3月7日`.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let s = s.trim();
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let parts: Vec<&str> = s.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).collect();
    let (y, m, d) = if parts.len() == 3 {
        (parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?)
    } else if digits.len() == 8 && parts.len() == 1 {
        (digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?)
    } else {
        return None;
    };
    ((1900..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

fn fmt_date((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn age_at(birth: (i32, u32, u32), at: (i32, u32, u32)) -> i32 {
    let mut a = at.0 - birth.0;
    if (at.1, at.2) < (birth.1, birth.2) {
        a -= 1;
    }
    a
}

fn fnv(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:08x}", h as u32)
}

fn warn(zh: impl Into<String>, en: impl Into<String>) -> Finding {
    Finding { message: Msg::new(zh, en), expected: None }
}

/// The validity term the law gives for an age at issue (居民身份证法 第五条).
fn term_for_age(age: i32) -> Option<i32> {
    match age {
        a if a < 16 => Some(5),
        16..=25 => Some(10),
        26..=45 => Some(20),
        _ => None, // 长期
    }
}

pub fn view(number: &str, sex: &str, birth: &str, valid_from: &str, valid_until: &str) -> LocalView {
    let n = number.trim().to_ascii_uppercase();
    let empty = [number, sex, birth, valid_from, valid_until].iter().all(|s| s.trim().is_empty());
    let mut v = LocalView { empty, number_present: !n.is_empty(), ..LocalView::default() };
    if empty {
        return v;
    }
    let checked = idcheck::id::check(&n);
    v.valid = checked.is_valid();
    if v.number_present && !v.valid {
        v.reasons = crate::bridge::reasons(&n);
        if v.reasons.is_empty() {
            v.reasons.push(warn("号码未通过校验。", "The number did not pass the checks."));
        }
    }
    if n.len() >= 6 && n.as_bytes()[..6].iter().all(u8::is_ascii_digit) {
        v.region_code = Some(n[..6].to_string());
        v.number_key = Some(fnv(&n));
    }
    let today = today();
    // What the number says.
    let mut num_birth = None;
    let mut num_sex = None;
    if v.valid && n.len() == 18 {
        num_birth = parse_date(&n[6..14]);
        num_sex = n.as_bytes()[16].checked_sub(b'0').map(|d| if d % 2 == 1 { "男" } else { "女" });
        if let Some(b) = num_birth {
            let age = age_at(b, today);
            v.facts.push(Msg::new(format!("出生日期 {}，{age} 岁", fmt_date(b)), format!("Born {}, age {age}", fmt_date(b))));
        }
        if let Some(s) = num_sex {
            let en = if s == "男" { "male" } else { "female" };
            v.facts.push(Msg::new(format!("性别 {s}"), format!("Sex: {en}")));
        }
    }
    // Cross-checks with the card.
    let card_birth = parse_date(birth);
    if !birth.trim().is_empty() && card_birth.is_none() {
        v.warnings.push(warn("出生日期看不懂：请写成 1990-03-07。", "The date of birth is unreadable: write it as 1990-03-07."));
    }
    if let (Some(a), Some(b)) = (num_birth, card_birth) {
        if a != b {
            v.warnings.push(warn(
                format!("号码中的出生日期 {} 与证件上的 {} 不同。", fmt_date(a), fmt_date(b)),
                format!("The number's birth date {} differs from the card's {}.", fmt_date(a), fmt_date(b)),
            ));
        }
    }
    if let Some(ns) = num_sex {
        let cs = sex.trim();
        if !cs.is_empty() && cs != ns {
            v.warnings.push(warn(
                format!("号码表示性别为“{ns}”，证件上是“{cs}”。"),
                format!("The number says the holder is {}, the card says {}.", if ns == "男" { "male" } else { "female" }, if cs == "男" { "male" } else { "female" }),
            ));
        }
    }
    // Validity period.
    let from = parse_date(valid_from);
    let long_term = valid_until.trim() == "长期" || valid_until.trim().eq_ignore_ascii_case("long-term");
    let until = if long_term { None } else { parse_date(valid_until) };
    if !valid_from.trim().is_empty() && from.is_none() {
        v.warnings.push(warn("有效期起始日期看不懂：请写成 2015-03-07。", "The validity start is unreadable: write it as 2015-03-07."));
    }
    if !valid_until.trim().is_empty() && !long_term && until.is_none() {
        v.warnings.push(warn("有效期截止日期看不懂：请写成 2035-03-07 或“长期”。", "The validity end is unreadable: write it as 2035-03-07 or 长期."));
    }
    if let Some(u) = until {
        if u < today {
            v.warnings.push(warn(
                format!("证件已过期（有效期至 {}）。请持证人换领新证。", fmt_date(u)),
                format!("The card expired on {}. The holder needs a new card.", fmt_date(u)),
            ));
        }
    }
    if let Some(f) = from {
        let actual = if long_term { None } else { until.map(|u| u.0 - f.0) };
        let birth_for_age = num_birth.or(card_birth);
        if let Some(b) = birth_for_age {
            let age = age_at(b, f);
            let expected = term_for_age(age);
            if (long_term || until.is_some()) && expected != actual {
                let show = |t: Option<i32>| t.map_or(("长期".to_string(), "long-term".to_string()), |y| (format!("{y} 年"), format!("{y} years")));
                let (ez, ee) = show(expected);
                let (az, ae) = show(actual);
                v.warnings.push(warn(
                    format!("有效期长度 {az} 与签发时年龄 {age} 岁不符（应为 {ez}）。"),
                    format!("A validity of {ae} does not fit the holder's age at issue, {age} (expected {ee})."),
                ));
            }
        }
        if f > today {
            v.warnings.push(warn("签发日期在今天之后。请核对有效期。", "The issue date is in the future. Check the validity period."));
        }
    }
    v
}

fn era_view(e: &idcheck::region::Era) -> EraView {
    EraView {
        since: e.since,
        until: e.until,
        province: e.names.province.to_string(),
        city: e.names.city.to_string(),
        district: e.names.district.to_string(),
    }
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
        s.replace("北京市北京市", "北京市").replace("上海市上海市", "上海市").replace("天津市天津市", "天津市").replace("重庆市重庆市", "重庆市").replace(' ', "")
    }
    norm(a) != norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_printed_form() {
        assert_eq!(parse_date("1990年3月7日"), Some((1990, 3, 7)));
        assert_eq!(parse_date("1990.03.07"), Some((1990, 3, 7)));
        assert_eq!(parse_date("19900307"), Some((1990, 3, 7)));
        assert_eq!(parse_date("1990-13-07"), None);
    }

    #[test]
    fn cross_checks_warn_about_sex_birth_and_term() {
        let v = view("110101199003070038", "女", "1990-03-08", "2015-03-07", "2025-03-07");
        let all: Vec<String> = v.warnings.iter().map(|w| w.message.en.clone()).collect();
        assert!(all.iter().any(|w| w.contains("birth date")), "{all:?}");
        assert!(all.iter().any(|w| w.contains("says the holder is male")), "{all:?}");
        assert!(all.iter().any(|w| w.contains("expired")), "{all:?}");
        // Age 24 at issue gives 10 years: no term warning.
        assert!(!all.iter().any(|w| w.contains("does not fit")), "{all:?}");
        let v = view("110101199003070038", "", "", "2015-03-07", "长期");
        assert!(v.warnings.iter().any(|w| w.message.en.contains("does not fit")));
    }

    #[test]
    fn bad_check_digit_says_which_one() {
        let v = view("110101199003070037", "", "", "", "");
        assert!(!v.valid);
        assert_eq!(v.reasons[0].expected, Some('8'));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_723), (2024, 1, 1));
    }
}
