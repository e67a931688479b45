//! A small proleptic-Gregorian civil date: enough for birth dates, ages and card validity.
//!
//! ID numbers only need year/month/day arithmetic, so a few dozen lines replace a date crate.
//! "Today" is the date in China (UTC+8) from the system clock; every function that needs it
//! takes it as an argument so tests can inject any day.

use serde::{Serialize, Serializer};
use std::fmt;

/// A calendar date. Field order makes the derived ordering chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Whether `year` has a 29 February.
pub const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1–12) of `year`; 0 for a month that does not exist.
pub const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date that exists in the calendar, else `None` (19900230, 20230229, month 13).
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || day == 0 || day > days_in_month(year, month) {
            None
        } else {
            Some(Date { year, month, day })
        }
    }

    pub const fn year(self) -> u16 {
        self.year
    }
    pub const fn month(self) -> u8 {
        self.month
    }
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = self.year as i64 - (self.month <= 2) as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` days after 1970-01-01. Hinnant's `civil_from_days`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + (month <= 2) as i64) as u16;
        Date { year, month, day }
    }

    /// The date `n` days later (or earlier for negative `n`).
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// The same day `n` years later. 29 February becomes 28 February in a common year.
    pub fn add_years(self, n: u16) -> Date {
        let year = self.year + n;
        let day = self.day.min(days_in_month(year, self.month));
        Date { year, month: self.month, day }
    }

    /// Completed years of someone born on `self`, on `on` (0 before the first birthday and
    /// for dates before birth). Someone born on 29 February turns a year older on 1 March in
    /// a common year.
    pub fn age_on(self, on: Date) -> u16 {
        if on <= self {
            return 0;
        }
        let had_birthday = (on.month, on.day) >= (self.month, self.day);
        on.year - self.year - (!had_birthday) as u16
    }

    /// Today in China (UTC+8) from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        Date::from_days_since_epoch((secs + 8 * 3600).div_euclid(86400))
    }

    /// Parses `YYYY-MM-DD`, `YYYY.MM.DD`, `YYYY/MM/DD` or `YYYYMMDD` (the forms printed on
    /// cards and typed by people), with optional surrounding whitespace.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let b = s.as_bytes();
        let num = |r: &[u8]| -> Option<u32> {
            if r.is_empty() || !r.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(r.iter().fold(0u32, |a, &c| a * 10 + (c - b'0') as u32))
        };
        let (y, m, d) = if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
            (num(&b[..4])?, num(&b[4..6])?, num(&b[6..])?)
        } else {
            let sep = *b.get(4)?;
            if !matches!(sep, b'-' | b'.' | b'/') {
                return None;
            }
            let mut parts = s.split(sep as char);
            let y = num(parts.next()?.as_bytes())?;
            let m = parts.next()?;
            let d = parts.next()?;
            if parts.next().is_some() || m.len() > 2 || d.len() > 2 {
                return None;
            }
            (y, num(m.as_bytes())?, num(d.as_bytes())?)
        };
        if y > 9999 {
            return None;
        }
        Date::new(y as u16, m as u8, d as u8)
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 10];
        s.serialize_str(self.write_iso(&mut buf))
    }
}

impl Date {
    /// Writes `YYYY-MM-DD` into `buf` without allocating.
    pub fn write_iso<'a>(&self, buf: &'a mut [u8; 10]) -> &'a str {
        let y = self.year;
        *buf = [
            b'0' + (y / 1000 % 10) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + self.month / 10,
            b'0' + self.month % 10,
            b'-',
            b'0' + self.day / 10,
            b'0' + self.day % 10,
        ];
        std::str::from_utf8(buf).expect("ASCII digits")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert!(Date::new(1990, 2, 30).is_none());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(1990, 13, 1).is_none());
        assert!(Date::new(1990, 4, 31).is_none());
        assert!(Date::new(1990, 0, 1).is_none());
    }

    #[test]
    fn epoch_days_round_trip() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11017);
        assert_eq!(d(1900, 1, 1).days_since_epoch(), -25567);
        for n in (-30000..30000).step_by(7) {
            assert_eq!(Date::from_days_since_epoch(n).days_since_epoch(), n);
        }
        assert_eq!(d(2024, 2, 28).add_days(1), d(2024, 2, 29));
        assert_eq!(d(2023, 12, 31).add_days(1), d(2024, 1, 1));
    }

    #[test]
    fn ages() {
        let b = d(1990, 3, 7);
        assert_eq!(b.age_on(d(2026, 3, 6)), 35);
        assert_eq!(b.age_on(d(2026, 3, 7)), 36);
        assert_eq!(b.age_on(d(1980, 1, 1)), 0);
        let leap = d(2004, 2, 29);
        assert_eq!(leap.age_on(d(2022, 2, 28)), 17);
        assert_eq!(leap.age_on(d(2022, 3, 1)), 18);
        assert_eq!(leap.age_on(d(2024, 2, 29)), 20);
        assert_eq!(leap.add_years(1), d(2005, 2, 28));
    }

    #[test]
    fn parsing_and_display() {
        assert_eq!(Date::parse("2010.05.12"), Some(d(2010, 5, 12)));
        assert_eq!(Date::parse("2010-5-2"), Some(d(2010, 5, 2)));
        assert_eq!(Date::parse(" 20100512 "), Some(d(2010, 5, 12)));
        assert_eq!(Date::parse("2010/02/30"), None);
        assert_eq!(Date::parse("长期"), None);
        assert_eq!(Date::parse("2010.05.12.1"), None);
        assert_eq!(d(1990, 3, 7).to_string(), "1990-03-07");
        assert_eq!(serde_json::to_string(&d(1990, 3, 7)).unwrap(), "\"1990-03-07\"");
    }

    #[test]
    fn today_is_plausible() {
        let t = Date::today();
        assert!(t.year() >= 2024 && t.year() < 2200);
    }
}
