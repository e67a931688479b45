//! The validity period printed on the back of a card (有效期限), checked against the law.
//!
//! 《居民身份证法》第五条: under 16 a card is valid 5 years, 16–25 ten years, 26–45 twenty
//! years, 46 and over without end (长期). The age counts on the issue date. A clerk needs to
//! know whether the period fits the holder's age and whether the card has expired.

use crate::i18n::Msg;
use crate::id::Date;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// The end of a validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Date(Date),
    /// 长期: no end.
    LongTerm,
}

impl End {
    /// `长期` (also `长久`, `long-term`) or a date (`2030.05.12`, `2030-05-12`, `20300512`).
    pub fn parse(s: &str) -> Option<End> {
        let t = s.trim();
        if matches!(t, "长期" | "長期" | "长久") || t.eq_ignore_ascii_case("long-term") || t.eq_ignore_ascii_case("long term") {
            return Some(End::LongTerm);
        }
        Date::parse(t).map(End::Date)
    }
}

impl Serialize for End {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            End::Date(d) => d.serialize(s),
            End::LongTerm => s.serialize_str("长期"),
        }
    }
}

/// The length of a validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    Years5,
    Years10,
    Years20,
    LongTerm,
    /// Any other length (a misread or a forged card).
    Other,
}

impl Term {
    /// What the law gives someone of `age` on the issue date.
    pub fn for_age(age: u16) -> Term {
        match age {
            0..=15 => Term::Years5,
            16..=25 => Term::Years10,
            26..=45 => Term::Years20,
            _ => Term::LongTerm,
        }
    }

    fn years(self) -> Option<u16> {
        match self {
            Term::Years5 => Some(5),
            Term::Years10 => Some(10),
            Term::Years20 => Some(20),
            _ => None,
        }
    }

    /// The term a card from `issued` to `end` has. 29 February issues end on 28 February or
    /// 1 March.
    pub fn of(issued: Date, end: End) -> Term {
        let End::Date(end) = end else { return Term::LongTerm };
        for t in [Term::Years5, Term::Years10, Term::Years20] {
            let exact = issued.add_years(t.years().expect("fixed"));
            let leap_shift = issued.month() == 2 && issued.day() == 29 && end == exact.add_days(1);
            if end == exact || leap_shift {
                return t;
            }
        }
        Term::Other
    }

    pub fn msg(self) -> Msg {
        match self {
            Term::Years5 => Msg::new("5年", "5 years"),
            Term::Years10 => Msg::new("10年", "10 years"),
            Term::Years20 => Msg::new("20年", "20 years"),
            Term::LongTerm => Msg::new("长期", "long-term"),
            Term::Other => Msg::new("不合规定的期限", "a length the law does not know"),
        }
    }
}

/// What was found about a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The end is not before the issue date.
    EndBeforeIssue,
    /// Issued before the holder was born.
    IssuedBeforeBirth,
    /// Issued after the day of the check.
    IssuedInFuture,
    /// The length is none of 5, 10, 20 years or 长期.
    UnknownLength,
    /// The length does not fit the age on the issue date.
    LengthMismatch,
    /// The card has expired on the day of the check.
    Expired,
    /// Expires within 90 days.
    ExpiresSoon,
}

impl FindingKind {
    /// Whether this makes the period wrong (rather than only worth a look).
    pub fn is_error(self) -> bool {
        !matches!(self, FindingKind::ExpiresSoon)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub message: Msg,
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("message_zh", &self.message.zh)?;
        m.serialize_entry("message_en", &self.message.en)?;
        m.end()
    }
}

/// The assessment of one card's period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validity {
    pub issued: Date,
    pub end: End,
    pub age_at_issue: u16,
    /// The term the law gives for that age.
    pub expected: Term,
    /// The term the card shows.
    pub actual: Term,
    /// Whether the length fits the law.
    pub length_ok: bool,
    /// Whether the card has expired on the day of the check.
    pub expired: bool,
    pub findings: Vec<Finding>,
}

impl Validity {
    /// No finding that makes the period wrong: right length, not expired, dates in order.
    pub fn ok(&self) -> bool {
        !self.findings.iter().any(|f| f.kind.is_error())
    }
}

/// Assesses a card issued on `issued` and valid until `end`, held by someone born on `birth`,
/// as of `on`.
pub fn assess(birth: Date, issued: Date, end: End, on: Date) -> Validity {
    let mut findings = Vec::new();
    let mut push = |kind, zh: String, en: String| findings.push(Finding { kind, message: Msg::new(zh, en) });

    let age = birth.age_on(issued);
    let expected = Term::for_age(age);
    let actual = Term::of(issued, end);

    if issued < birth {
        push(
            FindingKind::IssuedBeforeBirth,
            format!("签发日期{issued}早于出生日期{birth}；请核对证件背面的有效期限和号码"),
            format!("Issued on {issued}, before the birth date {birth}; check the period on the back and the number"),
        );
    }
    if issued > on {
        push(
            FindingKind::IssuedInFuture,
            format!("签发日期{issued}晚于今天（{on}）；请核对有效期限的起始日期"),
            format!("Issued on {issued}, after today ({on}); check the start of the period"),
        );
    }
    let end_date = match end {
        End::Date(d) => Some(d),
        End::LongTerm => None,
    };
    if let Some(e) = end_date {
        if e <= issued {
            push(
                FindingKind::EndBeforeIssue,
                format!("有效期截止日{e}不晚于签发日期{issued}；请核对有效期限"),
                format!("The period ends on {e}, not after its start {issued}; check the period"),
            );
        }
    }
    let length_ok = actual == expected;
    if actual == Term::Other && end_date.is_some_and(|e| e > issued) {
        push(
            FindingKind::UnknownLength,
            format!("有效期从{issued}到{}，不是法定的5年、10年、20年或长期；请核对日期是否读错", end_date.expect("dated")),
            format!(
                "The period {issued} to {} is none of the lengths the law knows (5, 10, 20 years or long-term); check the dates were read right",
                end_date.expect("dated")
            ),
        );
    } else if !length_ok && issued >= birth {
        let (e, a) = (expected.msg(), actual.msg());
        push(
            FindingKind::LengthMismatch,
            format!("签发时持证人{age}岁，依《居民身份证法》第五条有效期应为{}，证件上为{}；请核对证件", e.zh, a.zh),
            format!(
                "The holder was {age} when the card was issued, so the law (Resident Identity Card Law, art. 5) gives {}; the card shows {}. Check the card",
                e.en, a.en
            ),
        );
    }
    let expired = end_date.is_some_and(|e| e < on);
    if let Some(e) = end_date {
        if expired {
            push(FindingKind::Expired, format!("证件已于{e}过期；请持证人换领新证"), format!("The card expired on {e}; the holder needs a new card"));
        } else if e >= on && (e.days_since_epoch() - on.days_since_epoch()) <= 90 {
            push(FindingKind::ExpiresSoon, format!("证件将于{e}到期；请提醒持证人及时换领"), format!("The card expires on {e}; remind the holder to renew it"));
        }
    }
    Validity { issued, end, age_at_issue: age, expected, actual, length_ok, expired, findings }
}

/// The end date of a card that has expired on `on`, from the printed end (`2020.01.01`,
/// `长期`): `None` for a card still valid, without end, or whose end cannot be read. The last
/// day printed still counts, as in [`assess`].
pub fn expired_on(valid_until: &str, on: Date) -> Option<Date> {
    match End::parse(valid_until)? {
        End::Date(e) if e < on => Some(e),
        _ => None,
    }
}

/// [`assess`] from the texts on a card (`2010.05.12`, `长期`), with a message saying which
/// field could not be read.
pub fn assess_text(birth: Date, issued: &str, end: &str, on: Date) -> Result<Validity, Msg> {
    let i = Date::parse(issued).ok_or_else(|| {
        Msg::new(
            format!("无法识别签发日期“{}”；请按 2010.05.12 的格式输入", issued.trim()),
            format!("Cannot read the issue date '{}'; enter it as 2010.05.12", issued.trim()),
        )
    })?;
    let e = End::parse(end).ok_or_else(|| {
        Msg::new(
            format!("无法识别截止日期“{}”；请按 2030.05.12 的格式输入，或输入“长期”", end.trim()),
            format!("Cannot read the end date '{}'; enter it as 2030.05.12 or 长期 (long-term)", end.trim()),
        )
    })?;
    Ok(assess(birth, i, e, on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn kinds(v: &Validity) -> Vec<FindingKind> {
        v.findings.iter().map(|f| f.kind).collect()
    }

    const ON: &str = "2026-06-01";

    #[test]
    fn each_age_band_gets_its_length() {
        let birth = d("1990-03-07");
        // 14 at issue: 5 years.
        let v = assess(birth, d("2004-05-01"), End::Date(d("2009-05-01")), d("2006-01-01"));
        assert_eq!((v.age_at_issue, v.expected, v.actual), (14, Term::Years5, Term::Years5));
        assert!(v.ok(), "{:?}", v.findings);
        // 20 at issue: 10 years.
        let v = assess(birth, d("2010-05-12"), End::Date(d("2020-05-12")), d("2015-01-01"));
        assert_eq!((v.expected, v.length_ok), (Term::Years10, true));
        // 25 on the issue date is still 10 years; 26 is 20.
        let v = assess(birth, d("2015-03-06"), End::Date(d("2025-03-06")), d("2016-01-01"));
        assert_eq!(v.age_at_issue, 24);
        let v = assess(birth, d("2016-03-07"), End::Date(d("2036-03-07")), d(ON));
        assert_eq!((v.age_at_issue, v.expected), (26, Term::Years20));
        assert!(v.ok());
        // 46 and over: 长期.
        let v = assess(d("1970-01-01"), d("2016-01-01"), End::LongTerm, d(ON));
        assert_eq!((v.expected, v.actual), (Term::LongTerm, Term::LongTerm));
        assert!(v.ok());
        assert!(!v.expired);
    }

    #[test]
    fn wrong_length_for_age() {
        let v = assess(d("1990-03-07"), d("2020-01-01"), End::Date(d("2030-01-01")), d(ON));
        assert_eq!(v.age_at_issue, 29);
        assert_eq!((v.expected, v.actual), (Term::Years20, Term::Years10));
        assert_eq!(kinds(&v), vec![FindingKind::LengthMismatch]);
        assert!(v.findings[0].message.zh.contains("20年"));
        assert!(v.findings[0].message.en.contains("art. 5"));
        assert!(!v.ok());
        // 长期 for a 30-year-old.
        let v = assess(d("1990-03-07"), d("2020-06-01"), End::LongTerm, d(ON));
        assert_eq!(kinds(&v), vec![FindingKind::LengthMismatch]);
        // An odd length.
        let v = assess(d("1990-03-07"), d("2020-06-01"), End::Date(d("2027-06-01")), d(ON));
        assert_eq!(kinds(&v), vec![FindingKind::UnknownLength]);
    }

    #[test]
    fn expiry() {
        let v = assess(d("1990-03-07"), d("2010-05-12"), End::Date(d("2020-05-12")), d(ON));
        assert!(v.expired);
        assert_eq!(kinds(&v), vec![FindingKind::Expired]);
        assert!(v.findings[0].message.zh.contains("2020-05-12"));
        // The last day still counts.
        let v = assess(d("1990-03-07"), d("2016-06-01"), End::Date(d("2026-06-01")), d(ON));
        assert!(!v.expired);
        assert_eq!(kinds(&v), vec![FindingKind::LengthMismatch, FindingKind::ExpiresSoon]);
        assert!(!v.ok());
        let v = assess(d("2000-01-01"), d("2016-06-15"), End::Date(d("2026-06-15")), d(ON));
        assert_eq!(kinds(&v), vec![FindingKind::ExpiresSoon]);
        assert!(v.ok(), "expiring soon is no error");
    }

    #[test]
    fn expired_from_the_printed_end() {
        assert_eq!(expired_on("2020.01.01", d(ON)), Some(d("2020-01-01")));
        assert_eq!(expired_on("2026-05-31", d(ON)), Some(d("2026-05-31")));
        assert_eq!(expired_on("2026.06.01", d(ON)), None, "the last day still counts");
        assert_eq!(expired_on("长期", d(ON)), None);
        assert_eq!(expired_on("2030.13.01", d(ON)), None);
        assert_eq!(expired_on("", d(ON)), None);
    }

    #[test]
    fn dates_out_of_order() {
        let v = assess(d("1990-03-07"), d("1989-01-01"), End::Date(d("1999-01-01")), d(ON));
        assert!(kinds(&v).contains(&FindingKind::IssuedBeforeBirth));
        let v = assess(d("1990-03-07"), d("2030-01-01"), End::Date(d("2020-01-01")), d(ON));
        assert!(kinds(&v).contains(&FindingKind::IssuedInFuture));
        assert!(kinds(&v).contains(&FindingKind::EndBeforeIssue));
    }

    #[test]
    fn leap_day_issue() {
        let v = assess(d("1990-03-07"), d("2012-02-29"), End::Date(d("2022-02-28")), d("2013-01-01"));
        assert_eq!(v.actual, Term::Years10);
        let v = assess(d("1990-03-07"), d("2012-02-29"), End::Date(d("2022-03-01")), d("2013-01-01"));
        assert_eq!(v.actual, Term::Years10);
    }

    #[test]
    fn from_card_text() {
        let v = assess_text(d("1990-03-07"), "2010.05.12", "2020.05.12", d("2015-01-01")).unwrap();
        assert!(v.ok());
        let v = assess_text(d("1960-03-07"), "2010.05.12", " 长期 ", d(ON)).unwrap();
        assert_eq!(v.actual, Term::LongTerm);
        let e = assess_text(d("1990-03-07"), "2010.13.12", "长期", d(ON)).unwrap_err();
        assert!(e.zh.contains("签发日期") && e.en.contains("issue date"));
        let e = assess_text(d("1990-03-07"), "2010.05.12", "forever", d(ON)).unwrap_err();
        assert!(e.en.contains("end date"));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["end"], "长期");
        assert_eq!(json["actual"], "long_term");
    }
}
