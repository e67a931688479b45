//! Resident ID numbers (GB 11643-1999): parsing, validation and description; numbers of the
//! 外国人永久居留身份证 (both editions) are recognised by their shape and checked by the rules
//! of [`foreign`].
//!
//! [`check`] takes whatever a clerk typed or an OCR returned, normalises it (saying what it
//! changed), validates it (reporting *every* reason it fails) and describes a valid number
//! (birth date, age, sex, region with its history, warnings). Bulk work uses the
//! zero-allocation [`validate_fast`] directly. [`Checked`] serialises to the JSON shape the
//! command and the desktop app share.

pub mod date;
mod explain;
pub mod fast;
pub mod findings;
pub mod foreign;
#[doc(hidden)]
pub mod fuzzing;
pub mod normalise;
pub mod place;

pub use date::Date;
pub use fast::{validate_fast, FailBits, Fast};
pub use findings::{Note, NoteKind, Reason, ReasonKind, Warning, WarningKind};
pub use foreign::{Edition, Foreign, Nationality};
pub use place::{Holder, RegionView};

use serde::{Serialize, Serializer};

/// 18 digits (since 1999) or 15 digits (first-generation cards, birth year 19YY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Generation {
    #[serde(rename = "18")]
    Eighteen,
    #[serde(rename = "15")]
    Fifteen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The serialised name: `male`, `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    pub fn msg(self) -> crate::i18n::Msg {
        match self {
            Sex::Male => crate::i18n::Msg::new("男", "male"),
            Sex::Female => crate::i18n::Msg::new("女", "female"),
        }
    }
}

/// The result of parsing and validating what a user typed or an OCR returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Exactly what was given.
    pub input: String,
    /// The normalised number (what would be sent to a service). Characters that do not belong
    /// are kept, so nothing typed is lost.
    pub number: String,
    /// The 18-digit form of a valid 15-digit number.
    pub upgraded: Option<String>,
    pub valid: bool,
    /// What normalisation changed.
    pub normalised: Vec<Note>,
    /// Every reason the number is invalid; empty for a valid number.
    pub reasons: Vec<Reason>,
    /// The rest describes a valid number and is `None` / empty otherwise.
    pub birth_date: Option<Date>,
    /// Completed years on the day of the check.
    pub age: Option<u16>,
    pub sex: Option<Sex>,
    pub holder: Option<Holder>,
    pub region: Option<RegionView>,
    /// Document, nationality and accepting province of a 外国人永久居留身份证 number.
    pub foreign: Option<Foreign>,
    pub warnings: Vec<Warning>,
}

impl Checked {
    pub fn is_valid(&self) -> bool {
        self.valid
    }
    pub fn number(&self) -> &str {
        &self.number
    }
    /// The 18-digit number to use: the upgraded form of a 15-digit one, else the number.
    pub fn number18(&self) -> &str {
        self.upgraded.as_deref().unwrap_or(&self.number)
    }
    /// A borrowed view: the serialised shape.
    pub fn report(&self) -> Report<'_> {
        Report {
            input: &self.input,
            number: &self.number,
            upgraded: self.upgraded.as_deref(),
            valid: self.valid,
            normalised: &self.normalised,
            reasons: &self.reasons,
            birth_date: self.birth_date,
            age: self.age,
            sex: self.sex,
            holder: self.holder,
            region: self.region,
            foreign: self.foreign,
            warnings: &self.warnings,
        }
    }
}

impl Serialize for Checked {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.report().serialize(s)
    }
}

/// The JSON shape of a check, borrowed, so bulk output can build it without allocating:
/// `input, number, upgraded, valid, normalised, reasons, birth_date, age, sex, holder, region,
/// foreign, warnings`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Report<'a> {
    pub input: &'a str,
    pub number: &'a str,
    pub upgraded: Option<&'a str>,
    pub valid: bool,
    pub normalised: &'a [Note],
    pub reasons: &'a [Reason],
    pub birth_date: Option<Date>,
    pub age: Option<u16>,
    pub sex: Option<Sex>,
    pub holder: Option<Holder>,
    pub region: Option<RegionView>,
    /// `{edition, document_zh, document_en, nationality, province_code, province}` for a
    /// 外国人永久居留身份证 number, else null.
    pub foreign: Option<Foreign>,
    pub warnings: &'a [Warning],
}

/// Parses, validates and describes one number as of today in China.
pub fn check(input: &str) -> Checked {
    check_at(input, Date::today())
}

/// [`check`] as of `today` (birth dates after it are errors; ages are counted to it).
pub fn check_at(input: &str, today: Date) -> Checked {
    let (number, normalised) = normalise::normalise(input);
    let mut c = Checked {
        input: input.to_string(),
        number,
        upgraded: None,
        valid: false,
        normalised,
        reasons: Vec::new(),
        birth_date: None,
        age: None,
        sex: None,
        holder: None,
        region: None,
        foreign: None,
        warnings: Vec::new(),
    };
    if let Some(edition) = foreign::looks_foreign(c.number.as_bytes()) {
        foreign::check(&mut c, edition, today);
        return c;
    }
    match validate_fast(c.number.as_bytes(), today) {
        Ok(f) => {
            let mut up = [0u8; 18];
            let upgraded =
                (f.generation == Generation::Fifteen).then(|| fast::upgrade_into(c.number.as_bytes(), &mut up).map(|()| ascii(&up).to_string())).flatten();
            describe(&f, &mut c.warnings);
            c.valid = true;
            c.upgraded = upgraded;
            c.birth_date = Some(f.birth);
            c.age = Some(f.birth.age_on(today));
            c.sex = Some(f.sex);
            c.holder = Some(f.region.holder());
            c.region = Some(f.region);
        }
        Err(bits) => c.reasons = explain::reasons(&c.number, bits, today),
    }
    c
}

/// The warnings about a number the fast path accepted, appended to `out` (which the caller
/// may reuse between numbers).
pub fn describe(f: &Fast, out: &mut Vec<Warning>) {
    if f.generation == Generation::Fifteen {
        out.push(Warning::new(
            WarningKind::FirstGeneration,
            "这是第一代身份证的15位号码（出生年份为19××年，没有校验码）；请使用升级后的18位号码",
            "This is a 15-digit number of a first-generation card (birth year 19xx, no check character); use its 18-digit form",
        ));
    }
    f.region.warnings(f.birth, out);
}

/// The 18-digit form of a 15-digit number (digits only; date and region are not checked).
pub fn upgrade(n15: &str) -> Option<String> {
    let mut out = [0u8; 18];
    fast::upgrade_into(n15.as_bytes(), &mut out)?;
    Some(ascii(&out).to_string())
}

fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).expect("ASCII")
}

#[cfg(test)]
mod tests;
