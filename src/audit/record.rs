//! One check as written to and read from the audit trail, and the filter reviewers query by.
//!
//! A [`Record`] carries the full number and name only in memory (inside `Sensitive`); they
//! are masked and hashed on the way into the database, and an [`Entry`] read back holds only
//! the masked forms.

use super::key::KeyedHasher;
use super::{normalise, now_ms, AuditError, Store};
use crate::card::CardFields;
use crate::id::Checked;
use crate::mask;
use crate::providers::{ProviderError, Verdict};
use crate::secret::Sensitive;
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, Row};
use serde::Serialize;

/// What kind of check a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Local validation of a number (check digit, birth date, region code).
    Local,
    /// Reading a card photo (local engine or vendor).
    Ocr,
    /// Looking up the region of a number.
    Region,
    /// Name + number against a two-factor (二要素) service.
    TwoFactor,
    /// A watermarked copy of a card made (身份证复印件): its purpose and sides, never an image.
    Copy,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Local => "local",
            Kind::Ocr => "ocr",
            Kind::Region => "region",
            Kind::TwoFactor => "two_factor",
            Kind::Copy => "copy",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Local, Kind::Ocr, Kind::Region, Kind::TwoFactor, Kind::Copy].into_iter().find(|k| k.as_str() == s)
    }
    /// Label for tables: Chinese / English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Kind::Local => ("本地校验", "local validation"),
            Kind::Ocr => ("证件识别", "OCR"),
            Kind::Region => ("地区查询", "region"),
            Kind::TwoFactor => ("二要素核验", "two-factor"),
            Kind::Copy => ("复印件", "copy"),
        }
    }
}

/// The result of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Local validation passed.
    Valid,
    /// Local validation failed.
    Invalid,
    /// OCR read the card.
    Read,
    /// Region lookup found the code.
    Found,
    /// Region lookup did not find the code.
    NotFound,
    /// Two-factor: 一致.
    Match,
    /// Two-factor: 不一致.
    Mismatch,
    /// Two-factor: 库中无此号.
    NoRecord,
    /// The check failed; see the error fields.
    Error,
    /// A copy of the card was made.
    Copied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::Invalid => "invalid",
            Outcome::Read => "read",
            Outcome::Found => "found",
            Outcome::NotFound => "not_found",
            Outcome::Match => "match",
            Outcome::Mismatch => "mismatch",
            Outcome::NoRecord => "no_record",
            Outcome::Error => "error",
            Outcome::Copied => "copied",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        use Outcome::*;
        [Valid, Invalid, Read, Found, NotFound, Match, Mismatch, NoRecord, Error, Copied].into_iter().find(|o| o.as_str() == s)
    }
    pub fn from_verdict(v: Verdict) -> Outcome {
        match v {
            Verdict::Match => Outcome::Match,
            Verdict::Mismatch => Outcome::Mismatch,
            Verdict::NoRecord => Outcome::NoRecord,
        }
    }
    /// Label for tables: Chinese / English.
    pub fn label(self) -> (&'static str, &'static str) {
        use Outcome::*;
        match self {
            Valid => ("校验通过", "valid"),
            Invalid => ("校验不通过", "invalid"),
            Read => ("已识别", "read"),
            Found => ("已找到", "found"),
            NotFound => ("未找到", "not found"),
            Match => ("一致", "match"),
            Mismatch => ("不一致", "mismatch"),
            NoRecord => ("库中无此号", "no record"),
            Error => ("出错", "error"),
            Copied => ("已生成", "made"),
        }
    }
}

/// A vendor error as kept in the trail: what a support desk needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// `ErrorKind` in snake_case (`quota`, `timeout`, ...).
    pub kind: String,
    pub vendor_code: Option<String>,
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
    pub message_zh: String,
    pub message_en: String,
}

impl From<&ProviderError> for ErrorInfo {
    fn from(e: &ProviderError) -> Self {
        ErrorInfo {
            kind: serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            vendor_code: e.vendor_code.clone(),
            request_id: e.request_id.clone(),
            http_status: e.http_status,
            message_zh: e.message.zh.clone(),
            message_en: e.message.en.clone(),
        }
    }
}

/// One check to be written. Build it with a constructor per kind, then add the consent,
/// operator and batch with the builder methods.
#[derive(Debug, Clone)]
pub struct Record {
    pub kind: Kind,
    pub provider: String,
    /// The full number; masked and hashed when written.
    pub number: Option<Sensitive<String>>,
    /// The full name; masked when written.
    pub name: Option<Sensitive<String>>,
    pub outcome: Outcome,
    pub error: Option<ErrorInfo>,
    /// Whether the clerk confirmed the holder's consent before the check.
    pub consent: bool,
    pub operator: Option<String>,
    pub batch_id: Option<String>,
    /// When the check was made; `None` means now.
    pub at: Option<DateTime<Utc>>,
    /// The vendor's result code of a successful answer (an error carries its own).
    pub vendor_code: Option<String>,
    /// The vendor's request id of a successful answer (an error carries its own).
    pub request_id: Option<String>,
    /// A copy's stated purpose ([`Kind::Copy`] only).
    pub purpose: Option<String>,
    /// A copy's sides, e.g. `front+back` ([`Kind::Copy`] only).
    pub sides: Option<String>,
}

impl Record {
    fn new(kind: Kind, provider: &str, outcome: Outcome) -> Record {
        Record {
            kind,
            provider: provider.to_string(),
            number: None,
            name: None,
            outcome,
            error: None,
            consent: false,
            operator: None,
            batch_id: None,
            at: None,
            vendor_code: None,
            request_id: None,
            purpose: None,
            sides: None,
        }
    }

    /// A watermarked copy made (`crate::copy`): its purpose and sides (`front+back`…). The
    /// number, if one was read, may be added with [`Record::number`] (stored masked).
    pub fn copy(purpose: &str, sides: &str) -> Record {
        let mut r = Record::new(Kind::Copy, "local", Outcome::Copied);
        r.purpose = Some(purpose.trim().to_string());
        r.sides = Some(sides.to_string());
        r
    }

    /// A local validation of `number` whose verdict is already known (the fast path of a
    /// stream of numbers, which never builds a [`Checked`]).
    pub fn local_number(number: &str, valid: bool) -> Record {
        Record::new(Kind::Local, "local", if valid { Outcome::Valid } else { Outcome::Invalid }).number(number)
    }

    /// A local validation of a number.
    pub fn local(checked: &Checked) -> Record {
        let outcome = if checked.is_valid() { Outcome::Valid } else { Outcome::Invalid };
        let number = if checked.number().is_empty() { checked.input.trim() } else { checked.number() };
        Record::new(Kind::Local, "local", outcome).number(number)
    }

    /// A card read by `provider` (`embedded` for the local engine).
    pub fn ocr(provider: &str, result: &Result<CardFields, ProviderError>) -> Record {
        match result {
            Ok(fields) => {
                let mut r = Record::new(Kind::Ocr, provider, Outcome::Read);
                if let Some(n) = fields.number.as_deref().filter(|n| !n.trim().is_empty()) {
                    r = r.number(n);
                }
                if let Some(n) = fields.name.as_deref().filter(|n| !n.trim().is_empty()) {
                    r = r.name(n);
                }
                r
            }
            Err(e) => Record::new(Kind::Ocr, provider, Outcome::Error).error(e),
        }
    }

    /// A region lookup of `number` by `provider` (`local` for the built-in table).
    pub fn region(provider: &str, number: &str, result: &Result<bool, ProviderError>) -> Record {
        let r = match result {
            Ok(true) => Record::new(Kind::Region, provider, Outcome::Found),
            Ok(false) => Record::new(Kind::Region, provider, Outcome::NotFound),
            Err(e) => Record::new(Kind::Region, provider, Outcome::Error).error(e),
        };
        r.number(number)
    }

    /// A two-factor check of `name` + `number` by `provider`.
    pub fn two_factor(provider: &str, name: &str, number: &str, result: &Result<Verdict, ProviderError>) -> Record {
        let r = match result {
            Ok(v) => Record::new(Kind::TwoFactor, provider, Outcome::from_verdict(*v)),
            Err(e) => Record::new(Kind::TwoFactor, provider, Outcome::Error).error(e),
        };
        r.number(number).name(name)
    }

    pub fn number(mut self, number: &str) -> Record {
        self.number = Some(Sensitive::new(normalise(number)));
        self
    }
    pub fn name(mut self, name: &str) -> Record {
        self.name = Some(Sensitive::new(name.trim().to_string()));
        self
    }
    /// What the vendor said along with a successful answer: its result code and request id.
    pub fn reply(mut self, vendor_code: Option<&str>, request_id: Option<&str>) -> Record {
        self.vendor_code = vendor_code.map(String::from);
        self.request_id = request_id.map(String::from);
        self
    }
    pub fn error(mut self, e: &ProviderError) -> Record {
        self.error = Some(ErrorInfo::from(e));
        self
    }
    pub fn consent(mut self, confirmed: bool) -> Record {
        self.consent = confirmed;
        self
    }
    pub fn operator(mut self, operator: Option<&str>) -> Record {
        self.operator = operator.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        self
    }
    pub fn batch(mut self, batch_id: &str) -> Record {
        self.batch_id = Some(batch_id.to_string());
        self
    }
    pub fn at(mut self, at: DateTime<Utc>) -> Record {
        self.at = Some(at);
        self
    }
    /// Fixes the time of the check to now, for a record written a moment later.
    pub fn stamped(self) -> Record {
        self.at(Utc::now())
    }
}

/// Replaces every occurrence of the full number and name in a vendor message by their masks,
/// in case a vendor echoes the input back; any other ID-number-like run of digits (15 or 18
/// characters) is masked too.
pub(crate) fn scrub(text: &str, number: Option<&str>, name: Option<&str>) -> String {
    let mut out = text.to_string();
    if let Some(n) = number.filter(|n| n.len() >= 6) {
        out = out.replace(n, &mask::number(n));
        out = out.replace(&n.to_ascii_lowercase(), &mask::number(n));
    }
    if let Some(n) = name.filter(|n| n.chars().count() >= 2) {
        out = out.replace(n, &mask::name(n));
    }
    mask_number_like(&out)
}

/// Masks runs of 15 to 18 digits (the last may be `X`) that look like ID numbers.
fn mask_number_like(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j < chars.len() && matches!(chars[j], 'X' | 'x') && j - i == 17 {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            if (15..=18).contains(&(j - i)) {
                out.push_str(&mask::number(&run));
            } else {
                out.push_str(&run);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The masked form of a number as stored. Anything that is not part of an ID number (a name
/// pasted into the same line, punctuation) is starred before masking, so a mis-typed line
/// cannot leak other personal data through the first three characters; very long input is
/// shortened.
pub(crate) fn stored_mask(number: &str) -> String {
    let cleaned: String = number.chars().map(|c| if c.is_ascii_digit() || c == 'X' { c } else { '*' }).collect();
    let masked = mask::number(&cleaned);
    if masked.len() <= 24 {
        return masked;
    }
    format!("{}…{}", &masked[..3], &masked[masked.len() - 4..])
}

const INSERT: &str = "INSERT INTO checks (at_ms, kind, provider, number_masked, number_hash, name_masked, outcome,
        error_kind, vendor_code, request_id, http_status, message_zh, message_en, consent, operator, batch_id, uid, team_hash, pushed, purpose, sides)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

/// What is computed for a record before it is written: its keyed hashes and its outbox state.
pub(crate) struct Stamp {
    /// HMAC-SHA-256(install key, number), hex; `None` without a number.
    pub hash: Option<String>,
    /// The team hash (see [`Store::team_hash`]); `None` outside a team or without a number.
    pub team_hash: Option<String>,
    pub uid: [u8; 16],
    /// `Some(0)` (pending) while the desk is in a team, else `None`.
    pub pushed: Option<i64>,
}

impl Stamp {
    /// The stamp of `r` with the install key of `store` and the team key `team` (a snapshot of
    /// the store's).
    pub(crate) fn of(store: &Store, team: Option<&KeyedHasher>, r: &Record, uid: [u8; 16]) -> Stamp {
        let number = r.number.as_ref().map(|n| n.expose().as_bytes());
        Stamp {
            hash: number.map(|n| store.hash_normalised(n)),
            team_hash: team.and_then(|t| number.map(|n| hex::encode(t.hash16(n)))),
            uid,
            pushed: team.map(|_| 0),
        }
    }
}

pub(crate) fn insert(conn: &Connection, store: &Store, r: &Record) -> Result<i64, AuditError> {
    let mut uid = [0u8; 16];
    super::key::random_bytes(&mut uid)?;
    let team = store.team_hasher();
    insert_stamped(conn, r, Stamp::of(store, team.as_ref(), r, uid))
}

/// [`insert`] with the record's hashes and outbox state already computed.
pub(crate) fn insert_stamped(conn: &Connection, r: &Record, stamp: Stamp) -> Result<i64, AuditError> {
    let number = r.number.as_ref().map(|n| n.expose().as_str());
    let name = r.name.as_ref().map(|n| n.expose().as_str());
    let e = r.error.as_ref();
    let vendor_code = e.and_then(|e| e.vendor_code.as_deref()).or(r.vendor_code.as_deref());
    let request_id = e.and_then(|e| e.request_id.as_deref()).or(r.request_id.as_deref());
    let mut stmt = conn.prepare_cached(INSERT)?;
    stmt.execute(params![
        r.at.map(|t| t.timestamp_millis()).unwrap_or_else(now_ms),
        r.kind.as_str(),
        r.provider,
        number.map(stored_mask),
        stamp.hash,
        name.map(mask::name),
        r.outcome.as_str(),
        e.map(|e| e.kind.as_str()),
        vendor_code.map(|s| scrub(s, number, name)),
        request_id.map(|s| scrub(s, number, name)),
        e.and_then(|e| e.http_status),
        e.map(|e| scrub(&e.message_zh, number, name)),
        e.map(|e| scrub(&e.message_en, number, name)),
        r.consent,
        r.operator,
        r.batch_id,
        &stamp.uid[..],
        stamp.team_hash,
        stamp.pushed,
        r.purpose.as_deref().map(|s| scrub(s, number, name)),
        r.sides,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A check read back from the trail. Holds masked values only.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: Kind,
    pub provider: String,
    pub number_masked: Option<String>,
    pub name_masked: Option<String>,
    pub outcome: Outcome,
    pub error: Option<ErrorInfo>,
    pub consent: bool,
    pub operator: Option<String>,
    pub batch_id: Option<String>,
    /// The vendor's code (of the answer or of the error).
    pub vendor_code: Option<String>,
    /// The vendor's request id (of the answer or of the error).
    pub request_id: Option<String>,
    /// Set on the entry of a chunk of numbers (a stream of local validations listed as one
    /// entry, see [`super::chunk`]): how many numbers it holds. Its `id` is then the chunk's,
    /// `number_masked` is `None` and `outcome` is `valid` when every number is valid, else
    /// `invalid`. `None` on every other entry, including a number found inside a chunk.
    pub numbers: Option<u32>,
    /// With [`Entry::numbers`]: how many of them are valid.
    pub numbers_valid: Option<u32>,
    /// A copy's stated purpose ([`Kind::Copy`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// A copy's sides, e.g. `front+back` ([`Kind::Copy`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sides: Option<String>,
}

/// The columns of a `checks` row as [`entry_from_row`] reads them (with three more: the chunk
/// count, its valid count and the source, 0 for `checks`, 1 for `check_chunks`).
pub(super) const COLUMNS: &str = "id, at_ms, kind, provider, number_masked, name_masked, outcome, error_kind, vendor_code, \
                       request_id, http_status, message_zh, message_en, consent, operator, batch_id, purpose, sides";

pub(super) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let at_ms: i64 = row.get(1)?;
    let kind: String = row.get(2)?;
    let outcome: String = row.get(6)?;
    let error_kind: Option<String> = row.get(7)?;
    let error = error_kind.map(|kind| -> rusqlite::Result<ErrorInfo> {
        Ok(ErrorInfo {
            kind,
            vendor_code: row.get(8)?,
            request_id: row.get(9)?,
            http_status: row.get(10)?,
            message_zh: row.get::<_, Option<String>>(11)?.unwrap_or_default(),
            message_en: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
        })
    });
    Ok(Entry {
        id: row.get(0)?,
        at: Utc.timestamp_millis_opt(at_ms).single().unwrap_or_default(),
        kind: Kind::parse(&kind).unwrap_or(Kind::Local),
        provider: row.get(3)?,
        number_masked: row.get(4)?,
        name_masked: row.get(5)?,
        outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Error),
        error: error.transpose()?,
        consent: row.get(13)?,
        operator: row.get(14)?,
        batch_id: row.get(15)?,
        vendor_code: row.get(8)?,
        request_id: row.get(9)?,
        purpose: row.get(16)?,
        sides: row.get(17)?,
        numbers: row.get(18)?,
        numbers_valid: row.get(19)?,
    })
}

/// What a reviewer asks the trail for. Every field narrows the result; the default is
/// "everything, newest first".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Checks at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Checks strictly before this instant.
    pub until: Option<DateTime<Utc>>,
    pub kind: Option<Kind>,
    pub outcome: Option<Outcome>,
    pub provider: Option<String>,
    /// A full ID number: hashed with the install key on the fly and matched on the hash.
    pub number: Option<Sensitive<String>>,
    pub batch_id: Option<String>,
    pub operator: Option<String>,
    /// At most this many entries (`None`: all).
    pub limit: Option<u32>,
    pub offset: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_masks_echoed_input() {
        let s = scrub("号码 11010519491231002X 与姓名 张三 不一致", Some("11010519491231002X"), Some("张三"));
        assert_eq!(s, "号码 110***********002X 与姓名 张* 不一致");
        assert_eq!(scrub("id 110105194912310028, code 4022", None, None), "id 110***********0028, code 4022");
        assert_eq!(scrub("t=1700000000000", None, None), "t=1700000000000");
    }

    #[test]
    fn stored_mask_hides_whatever_is_not_a_number() {
        assert_eq!(stored_mask("11010519491231002X"), "110***********002X");
        assert_eq!(stored_mask("张三11010519491231002X"), "**1*************002X");
        assert_eq!(stored_mask("1101"), "****");
        let long = "1".repeat(200);
        assert_eq!(stored_mask(&long), "111…1111");
    }

    #[test]
    fn kinds_and_outcomes_round_trip() {
        for k in [Kind::Local, Kind::Ocr, Kind::Region, Kind::TwoFactor, Kind::Copy] {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        for o in [Outcome::Valid, Outcome::NoRecord, Outcome::NotFound, Outcome::Error, Outcome::Copied] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }
}
