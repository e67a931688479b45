//! The slow path: why a number failed, every reason, with bilingual messages that say what to
//! check next. Runs only for numbers the fast path rejected.

use super::date::Date;
use super::fast::{check_char, check_date, FailBits};
use super::findings::{Reason, ReasonKind};
use super::place::RegionView;

/// How a character is shown in a message: itself, or `U+0009` when invisible.
fn shown(c: char) -> String {
    if c.is_control() || c.is_whitespace() || c == '\u{FFFD}' {
        format!("U+{:04X}", c as u32)
    } else {
        c.to_string()
    }
}

fn digits(cs: &[char]) -> Option<u32> {
    cs.iter().try_fold(0u32, |a, c| c.to_digit(10).map(|d| a * 10 + d))
}

/// Every reason `number` (already normalised) is invalid. `bits` is the fast path's answer.
pub fn reasons(number: &str, bits: FailBits, today: Date) -> Vec<Reason> {
    let cs: Vec<char> = number.chars().collect();
    let n = cs.len();
    let mut out = Vec::new();

    if n == 0 {
        out.push(Reason::new(ReasonKind::Length, "没有输入号码；请输入18位身份证号码", "No number was given; enter the 18-character ID number"));
        return out;
    }
    if n != 18 && n != 15 {
        out.push(Reason::new(
            ReasonKind::Length,
            format!("号码应为18位（旧号码为15位），这里有{n}位；请检查是否漏输或多输了字符"),
            format!("An ID number has 18 characters (15 for an old one), this has {n}; check for missing or extra characters"),
        ));
    }

    // Characters that do not belong: anything but a digit, or an X that is not last.
    let x_allowed_last = n != 15;
    let bad: Vec<(usize, char)> =
        cs.iter().enumerate().filter(|&(i, &c)| !(c.is_ascii_digit() || (c == 'X' && x_allowed_last && i == n - 1))).map(|(i, &c)| (i + 1, c)).collect();
    if !bad.is_empty() {
        const SHOWN: usize = 5;
        let list_zh: Vec<String> = bad.iter().take(SHOWN).map(|(p, c)| format!("第{p}位“{}”", shown(*c))).collect();
        let list_en: Vec<String> = bad.iter().take(SHOWN).map(|(p, c)| format!("'{}' at position {p}", shown(*c))).collect();
        let more = bad.len().saturating_sub(SHOWN);
        let (more_zh, more_en) = if more > 0 { (format!("等{}处", bad.len()), format!(" and {more} more")) } else { (String::new(), String::new()) };
        let x_zh = if n == 15 { "15位号码只能由数字组成" } else { "只有最后一位可以是 X" };
        let x_en = if n == 15 { "a 15-digit number has digits only" } else { "only the last character may be X" };
        out.push(Reason::new(
            ReasonKind::Format,
            format!("{}{more_zh}不是数字（{x_zh}）；请删除或改正这些字符", list_zh.join("、")),
            format!("{}{more_en}: not a digit ({x_en}); remove or correct these characters", list_en.join(", ")),
        ));
    }
    if n != 18 && n != 15 {
        return out;
    }

    // Region: the first six characters, when they are digits.
    if let Some(code) = digits(&cs[..6]) {
        if RegionView::lookup(code).is_none() {
            out.push(Reason::new(
                ReasonKind::Region,
                format!("地区代码{code:06}不存在（1980年以来的行政区划代码中都没有）；请核对前6位"),
                format!("Region code {code:06} never existed (it is in no list of codes since 1980); check the first 6 digits"),
            ));
        }
    }

    // Birth date.
    let (y, m, d, span) = if n == 18 {
        (digits(&cs[6..10]), digits(&cs[10..12]), digits(&cs[12..14]), "7–14")
    } else {
        (digits(&cs[6..8]).map(|y| 1900 + y), digits(&cs[8..10]), digits(&cs[10..12]), "7–12")
    };
    if let (Some(y), Some(m), Some(d)) = (y, m, d) {
        if let Err(e) = check_date(y, m, d, today) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            let (zh, en) = if e == FailBits::DATE_IMPOSSIBLE {
                (format!("出生日期{text}不存在"), format!("Birth date {text} does not exist"))
            } else if e == FailBits::DATE_FUTURE {
                (format!("出生日期{text}晚于今天（{today}）"), format!("Birth date {text} is after today ({today})"))
            } else {
                (format!("出生日期{text}早于1900-01-01"), format!("Birth date {text} is before 1900-01-01"))
            };
            out.push(Reason::new(ReasonKind::Date, format!("{zh}；请核对第{span}位"), format!("{en}; check characters {span}")));
        }
    }

    // Check character.
    if n == 18 && cs[..17].iter().all(char::is_ascii_digit) && (cs[17].is_ascii_digit() || cs[17] == 'X') {
        let mut first17 = [0u8; 17];
        for (b, c) in first17.iter_mut().zip(&cs[..17]) {
            *b = *c as u8;
        }
        let expected = check_char(&first17) as char;
        if expected != cs[17] {
            let mut r = Reason::new(
                ReasonKind::Checksum,
                format!("校验码应为“{expected}”，而不是“{}”；多半是某一位输错了，请逐位核对", cs[17]),
                format!("The check character should be '{expected}', not '{}'; a digit was most likely mistyped, check each one", cs[17]),
            );
            r.expected = Some(expected);
            out.push(r);
        }
    }

    debug_assert!(!out.is_empty() || bits.is_empty(), "fast path failed with {bits:?} but no reason found");
    out
}
