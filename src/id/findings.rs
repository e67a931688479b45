//! What a check found, each with a machine-readable kind and a message in both languages:
//! reasons a number is invalid, what normalisation changed, and warnings about a valid number.
//!
//! All three serialise to `{kind, message_zh, message_en}` (plus `expected` for a checksum
//! reason), the shape the command's JSON and the desktop app share.

use crate::i18n::{Lang, Msg};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// Why a number is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Not 18 (or 15) characters.
    Length,
    /// A character that does not belong in a number.
    Format,
    /// A region code that never existed.
    Region,
    /// A birth date that is impossible, in the future or before 1900.
    Date,
    /// The check character does not match (`expected` holds the right one).
    Checksum,
}

/// What normalisation changed in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Leading or trailing whitespace (any Unicode whitespace, incl. U+3000 and U+00A0).
    Whitespace,
    /// Spaces inside the number (ASCII, U+3000, U+00A0).
    InnerSpace,
    /// Hyphens and dashes inside the number.
    Hyphen,
    /// Zero-width spaces and joiners, byte-order marks.
    ZeroWidth,
    /// Full-width digits or `Ｘ`.
    FullWidth,
    /// A lower-case `x`.
    LowercaseX,
    /// Lower-case nationality letters of a 2017-edition 外国人永久居留身份证 number (`kaz…`).
    LowercaseLetters,
}

/// Something worth knowing about a valid number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A 15-digit number of a first-generation card; its 18-digit form is in `upgraded`.
    FirstGeneration,
    /// A 港澳台居民居住证 number (810000, 820000, 830000).
    ResidencePermit,
    /// The code had other names in the birth year.
    RegionAtBirth,
    /// Born before 1984 and the code's names changed: the birth-year name is not inferred.
    RegionBeforeCards,
    /// The code did not exist yet when the holder was born (late registration, move).
    RegionNotYet,
    /// The code was abolished before the holder was born.
    RegionGoneAtBirth,
    /// The code has been abolished since (the number stays valid).
    RegionAbolished,
    /// A 外国人永久居留身份证 number (see [`crate::id::foreign`]), not a resident number.
    ForeignPermanent,
    /// A nationality code of such a number that is not in the table of common countries.
    NationalityUnknown,
    /// A 2017-edition number: the birth year's century is not in the number.
    BirthCentury,
}

impl ReasonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::Length => "length",
            ReasonKind::Format => "format",
            ReasonKind::Region => "region",
            ReasonKind::Date => "date",
            ReasonKind::Checksum => "checksum",
        }
    }
}

/// A kind plus its bilingual message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<K> {
    pub kind: K,
    pub message: Msg,
    /// For a checksum reason: the check character the first 17 digits call for.
    pub expected: Option<char>,
}

pub type Reason = Finding<ReasonKind>;
pub type Note = Finding<NoteKind>;
pub type Warning = Finding<WarningKind>;

impl<K> Finding<K> {
    pub fn new(kind: K, zh: impl Into<String>, en: impl Into<String>) -> Finding<K> {
        Finding { kind, message: Msg::new(zh, en), expected: None }
    }
    pub fn text(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }
}

impl<K: Serialize> Serialize for Finding<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3 + self.expected.is_some() as usize))?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("message_zh", &self.message.zh)?;
        m.serialize_entry("message_en", &self.message.en)?;
        if let Some(e) = self.expected {
            m.serialize_entry("expected", &e)?;
        }
        m.end()
    }
}

impl NoteKind {
    pub fn note(self) -> Note {
        let (zh, en) = match self {
            NoteKind::Whitespace => ("已去除首尾的空白", "Removed leading and trailing whitespace"),
            NoteKind::InnerSpace => ("已去除号码中间的空格", "Removed spaces inside the number"),
            NoteKind::Hyphen => ("已去除号码中的连字符", "Removed hyphens inside the number"),
            NoteKind::ZeroWidth => ("已去除看不见的字符（零宽空格等）", "Removed invisible characters (zero-width spaces and the like)"),
            NoteKind::FullWidth => ("已把全角数字或“Ｘ”转为半角", "Converted full-width digits or 'Ｘ' to ASCII"),
            NoteKind::LowercaseX => ("已把小写“x”改为大写“X”", "Changed lower-case 'x' to upper-case 'X'"),
            NoteKind::LowercaseLetters => ("已把国籍代码的小写字母改为大写", "Changed the nationality code's lower-case letters to capitals"),
        };
        Note::new(self, zh, en)
    }
}
