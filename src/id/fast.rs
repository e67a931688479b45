//! The zero-allocation fast path: parse + validate + region lookup over raw bytes.
//!
//! Bulk checks (millions of lines) spend their time here, so this path never allocates and
//! answers with bits. The rich [`crate::id::check`] runs it first and only explains failures
//! (with messages) on the slow path.

use super::date::Date;
use super::place::RegionView;
use super::{Generation, Sex};
use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// Why the fast path rejected a number, as bits. `FORMAT` and `LENGTH` mean the fields were
/// not examined (the slow path locates what it can).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct FailBits(u8);

impl FailBits {
    pub const LENGTH: FailBits = FailBits(1);
    pub const FORMAT: FailBits = FailBits(2);
    pub const REGION: FailBits = FailBits(4);
    /// A date that is not in the calendar (19900230, 20230229).
    pub const DATE_IMPOSSIBLE: FailBits = FailBits(8);
    pub const DATE_FUTURE: FailBits = FailBits(16);
    pub const DATE_BEFORE_1900: FailBits = FailBits(32);
    pub const CHECKSUM: FailBits = FailBits(64);
    /// Not a resident number: the shape of a 外国人永久居留身份证 number (18 characters
    /// beginning with 9, or 15 beginning with three letters; see [`super::foreign`]). The
    /// resident rules were not applied; [`crate::id::check`] applies that card's rules.
    pub const FOREIGN: FailBits = FailBits(128);
    pub const DATE: FailBits = FailBits(8 | 16 | 32);

    pub const fn empty() -> FailBits {
        FailBits(0)
    }
    pub const fn bits(self) -> u8 {
        self.0
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Whether any of the bits of `other` is set.
    pub const fn intersects(self, other: FailBits) -> bool {
        self.0 & other.0 != 0
    }
}

impl BitOr for FailBits {
    type Output = FailBits;
    fn bitor(self, o: FailBits) -> FailBits {
        FailBits(self.0 | o.0)
    }
}

impl BitOrAssign for FailBits {
    fn bitor_assign(&mut self, o: FailBits) {
        self.0 |= o.0;
    }
}

impl fmt::Debug for FailBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = ["LENGTH", "FORMAT", "REGION", "DATE_IMPOSSIBLE", "DATE_FUTURE", "DATE_BEFORE_1900", "CHECKSUM", "FOREIGN"];
        let set: Vec<&str> = names.iter().enumerate().filter(|(i, _)| self.0 & (1 << i) != 0).map(|(_, n)| *n).collect();
        write!(f, "FailBits({})", set.join(" | "))
    }
}

/// What the fast path learnt about a valid number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fast {
    pub generation: Generation,
    pub birth: Date,
    pub sex: Sex,
    pub region: RegionView,
}

/// ISO 7064 MOD 11-2 weights of the first 17 digits (2^(17-i) mod 11).
pub const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character of 17 ASCII digits (`0`–`9` or `X`). Non-digits give garbage, not a
/// panic.
#[inline]
pub fn check_char(first17: &[u8; 17]) -> u8 {
    let mut sum = 0u32;
    for i in 0..17 {
        sum += (first17[i].wrapping_sub(b'0') as u32) * WEIGHTS[i];
    }
    b"10X98765432"[(sum % 11) as usize]
}

#[inline(always)]
fn digits(b: &[u8]) -> u32 {
    b.iter().fold(0u32, |a, &c| a * 10 + c.wrapping_sub(b'0') as u32)
}

const Y1900: Date = match Date::new(1900, 1, 1) {
    Some(d) => d,
    None => panic!(),
};

/// Checks a birth date against the calendar, 1900-01-01 and `today`.
#[inline]
pub fn check_date(year: u32, month: u32, day: u32, today: Date) -> Result<Date, FailBits> {
    if year > 9999 || month > 12 || day > 31 {
        return Err(FailBits::DATE_IMPOSSIBLE);
    }
    match Date::new(year as u16, month as u8, day as u8) {
        None => Err(FailBits::DATE_IMPOSSIBLE),
        Some(d) if d < Y1900 => Err(FailBits::DATE_BEFORE_1900),
        Some(d) if d > today => Err(FailBits::DATE_FUTURE),
        Some(d) => Ok(d),
    }
}

/// Validates a number given exactly as 18 (`0`–`9`, final `X`) or 15 ASCII digits: the region
/// code (ever in the lists), the birth date, and for 18 digits the check character. Lower
/// case, spaces or full-width digits are `FORMAT` here; [`crate::id::check`] normalises them
/// first. A number shaped like a 外国人永久居留身份证 number is `FOREIGN` (only tested once the
/// region lookup or the format has failed, so resident numbers pay nothing). Never allocates.
#[inline]
pub fn validate_fast(b: &[u8], today: Date) -> Result<Fast, FailBits> {
    let (generation, date_at, sex_at) = match b.len() {
        18 => (Generation::Eighteen, 6, 16),
        15 => (Generation::Fifteen, 6, 14),
        _ => return Err(FailBits::LENGTH),
    };
    let body = &b[..if generation == Generation::Eighteen { 17 } else { 15 }];
    let mut all_digits = true;
    for &c in body {
        all_digits &= c.is_ascii_digit();
    }
    if !all_digits || (generation == Generation::Eighteen && !(b[17].is_ascii_digit() || b[17] == b'X')) {
        return Err(if super::foreign::looks_foreign(b).is_some() { FailBits::FOREIGN } else { FailBits::FORMAT });
    }

    let mut fail = FailBits::empty();
    let region = RegionView::lookup(digits(&b[..6]));
    if region.is_none() {
        // No region code begins with 9: an 18-digit number that does is a foreigner's.
        if b[0] == b'9' && generation == Generation::Eighteen {
            return Err(FailBits::FOREIGN);
        }
        fail |= FailBits::REGION;
    }
    let (year, rest) = match generation {
        Generation::Eighteen => (digits(&b[date_at..date_at + 4]), date_at + 4),
        Generation::Fifteen => (1900 + digits(&b[date_at..date_at + 2]), date_at + 2),
    };
    let birth = check_date(year, digits(&b[rest..rest + 2]), digits(&b[rest + 2..rest + 4]), today);
    if let Err(e) = birth {
        fail |= e;
    }
    if generation == Generation::Eighteen {
        let first17: &[u8; 17] = b[..17].try_into().expect("length checked");
        if check_char(first17) != b[17] {
            fail |= FailBits::CHECKSUM;
        }
    }
    match (region, birth) {
        (Some(region), Ok(birth)) if fail.is_empty() => {
            let sex = if (b[sex_at] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female };
            Ok(Fast { generation, birth, sex, region })
        }
        _ => Err(fail),
    }
}

/// The 18-digit form of 15 ASCII digits (birth year 19YY, check character computed), written
/// into `out`. `None` unless `n15` is 15 ASCII digits. Does not check date or region.
pub fn upgrade_into(n15: &[u8], out: &mut [u8; 18]) -> Option<()> {
    if n15.len() != 15 || !n15.iter().all(u8::is_ascii_digit) {
        return None;
    }
    out[..6].copy_from_slice(&n15[..6]);
    out[6] = b'1';
    out[7] = b'9';
    out[8..17].copy_from_slice(&n15[6..15]);
    let first17: &[u8; 17] = out[..17].try_into().expect("17 bytes");
    out[17] = check_char(first17);
    Some(())
}
