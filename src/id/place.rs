//! The region of a number: the timeline entry of its first six digits, plus the policy of what
//! to tell the user about it (names at birth, codes created or abolished later, the special
//! codes of 港澳台居民居住证).
//!
//! The timeline itself lives in [`crate::region`]; this module only reads it.

use super::date::Date;
use super::findings::{Warning, WarningKind};
use crate::i18n::Msg;
use crate::region::{Era, Names};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// The first cards (and with them the codes in numbers) were issued from 1984.
pub const FIRST_CARDS_YEAR: u16 = 1984;

/// Who holds a number, told by its region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    /// 居民身份证 of a resident of the mainland.
    Resident,
    /// 港澳台居民居住证, code 810000.
    HongKong,
    /// 港澳台居民居住证, code 820000.
    Macau,
    /// 港澳台居民居住证, code 830000.
    Taiwan,
    /// 外国人永久居留身份证 (either edition; told by the number's shape, not a region code).
    ForeignPermanent,
}

impl Holder {
    pub fn of_code(code: u32) -> Holder {
        match code {
            810000 => Holder::HongKong,
            820000 => Holder::Macau,
            830000 => Holder::Taiwan,
            _ => Holder::Resident,
        }
    }

    /// The serialised name: `resident`, `hong_kong`, `macau`, `taiwan`, `foreign_permanent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Holder::Resident => "resident",
            Holder::HongKong => "hong_kong",
            Holder::Macau => "macau",
            Holder::Taiwan => "taiwan",
            Holder::ForeignPermanent => "foreign_permanent",
        }
    }

    pub fn msg(self) -> Msg {
        let (zh, en) = match self {
            Holder::Resident => ("居民身份证", "resident identity card"),
            Holder::HongKong => ("港澳台居民居住证（香港居民）", "residence permit for Hong Kong, Macau and Taiwan residents (Hong Kong resident)"),
            Holder::Macau => ("港澳台居民居住证（澳门居民）", "residence permit for Hong Kong, Macau and Taiwan residents (Macau resident)"),
            Holder::Taiwan => ("港澳台居民居住证（台湾居民）", "residence permit for Hong Kong, Macau and Taiwan residents (Taiwan resident)"),
            Holder::ForeignPermanent => ("外国人永久居留身份证", "Foreign Permanent Resident ID Card"),
        };
        Msg::new(zh, en)
    }
}

/// Used when the timeline has no entry for the three 居住证 codes (they are not county codes).
static HONG_KONG: &[Era] = &[Era { since: 1997, until: None, names: Names { province: "香港特别行政区", city: "", district: "" } }];
static MACAU: &[Era] = &[Era { since: 1999, until: None, names: Names { province: "澳门特别行政区", city: "", district: "" } }];
static TAIWAN: &[Era] = &[Era { since: 1980, until: None, names: Names { province: "台湾省", city: "", district: "" } }];

/// A region code with its whole history. Copy, no allocation: the names are static.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionView {
    code: u32,
    history: &'static [Era],
}

impl RegionView {
    /// The code's entry in the timeline (or one of the 居住证 codes), `None` for a code that
    /// never existed.
    #[inline]
    pub fn lookup(code: u32) -> Option<RegionView> {
        if let Some(e) = crate::region::lookup(code) {
            if !e.history().is_empty() {
                return Some(RegionView { code, history: e.history() });
            }
        }
        let history = match code {
            810000 => HONG_KONG,
            820000 => MACAU,
            830000 => TAIWAN,
            _ => return None,
        };
        Some(RegionView { code, history })
    }

    pub fn code(&self) -> u32 {
        self.code
    }
    pub fn province_code(&self) -> u32 {
        self.code / 10000 * 10000
    }
    /// `None` where there is no prefecture level (a 省直辖县级 place, the 居住证 codes).
    pub fn city_code(&self) -> Option<u32> {
        (!self.current().city.is_empty()).then_some(self.code / 100 * 100)
    }
    pub fn history(&self) -> &'static [Era] {
        self.history
    }
    /// Today's names, or the last names of an abolished code.
    pub fn current(&self) -> Names {
        self.history.last().expect("non-empty history").names
    }
    pub fn abolished(&self) -> bool {
        self.until().is_some()
    }
    pub fn since(&self) -> u16 {
        self.history[0].since
    }
    pub fn until(&self) -> Option<u16> {
        self.history.last().and_then(|e| e.until)
    }
    pub fn at_year(&self, year: u16) -> Option<&'static Era> {
        self.history.iter().find(|e| e.since <= year && e.until.is_none_or(|u| year <= u))
    }
    pub fn holder(&self) -> Holder {
        Holder::of_code(self.code)
    }

    /// What to tell the user about this region for someone born on `birth`, appended to `out`.
    /// Nothing here makes a number invalid: late registrations and moves happen.
    pub fn warnings(&self, birth: Date, out: &mut Vec<Warning>) {
        let holder = self.holder();
        if holder != Holder::Resident {
            let h = holder.msg();
            out.push(Warning::new(
                WarningKind::ResidencePermit,
                format!("这是{}的号码，不是居民身份证号码", h.zh),
                format!("This is the number of a {}, not of a resident identity card", h.en),
            ));
            return;
        }
        let by = birth.year();
        let code = self.code;
        let now = self.current();
        if by < FIRST_CARDS_YEAR {
            if self.history.iter().any(|e| e.names != now) {
                out.push(Warning::new(
                    WarningKind::RegionBeforeCards,
                    format!(
                        "出生于{by}年，早于1984年首次颁发居民身份证；号码中的地区代码{code}是首次登记时所在地的代码，不能据出生年份推断当时的地名（该代码的历次名称见历史记录）"
                    ),
                    format!(
                        "Born in {by}, before the first identity cards were issued in 1984: region code {code} is that of the place of first registration, so the name in the birth year cannot be inferred (see the code's history for every name it has had)"
                    ),
                ));
            }
        } else if let Some(era) = self.at_year(by) {
            if era.names != now {
                let n = &era.names;
                out.push(Warning::new(
                    WarningKind::RegionAtBirth,
                    format!("出生时（{by}年）代码{code}为：{}", join_zh(n)),
                    format!("In the birth year ({by}) code {code} meant: {}", join_zh(n)),
                ));
            }
        }
        let effective = by.max(FIRST_CARDS_YEAR);
        if self.since() > effective {
            out.push(Warning::new(
                WarningKind::RegionNotYet,
                format!(
                    "地区代码{code}自{}年起才使用，而持证人出生于{by}年；号码可能是后来补登或迁移后登记的，请核对证件",
                    self.since()
                ),
                format!(
                    "Region code {code} has only been in use since {}, but the holder was born in {by}: the number may come from a late registration or a move; check the card",
                    self.since()
                ),
            ));
        }
        if let Some(until) = self.until() {
            if until < by {
                out.push(Warning::new(
                    WarningKind::RegionGoneAtBirth,
                    format!("地区代码{code}在{}年后已撤销，而持证人出生于{by}年，不应获得此代码；请核对证件", until),
                    format!(
                        "Region code {code} was abolished after {until}, yet the holder was born in {by} and should not have been given it; check the card"
                    ),
                ));
            } else {
                out.push(Warning::new(
                    WarningKind::RegionAbolished,
                    format!("地区代码{code}（{}）已撤销，{}–{until}年在用；身份证号码终身不变，号码仍然有效", join_zh(&now), self.since()),
                    format!(
                        "Region code {code} ({}) was abolished; it was in use {}–{until}. ID numbers never change, so the number stays valid",
                        join_zh(&now),
                        self.since()
                    ),
                ));
            }
        }
    }
}

/// `湖北省 襄樊市 襄城区`, skipping empty levels and a city repeating the province (北京市).
pub fn join_zh(n: &Names) -> String {
    let mut parts: Vec<&str> = vec![n.province];
    if !n.city.is_empty() && n.city != n.province {
        parts.push(n.city);
    }
    if !n.district.is_empty() {
        parts.push(n.district);
    }
    parts.join(" ")
}

/// The shape shared by the command's JSON and the desktop app:
/// `{code, province, city, district, province_code, city_code, abolished, since, until, history}`.
impl Serialize for RegionView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let now = self.current();
        let mut st = s.serialize_struct("Region", 10)?;
        st.serialize_field("code", &Code(self.code))?;
        st.serialize_field("province", now.province)?;
        st.serialize_field("city", now.city)?;
        st.serialize_field("district", now.district)?;
        st.serialize_field("province_code", &Code(self.province_code()))?;
        st.serialize_field("city_code", &self.city_code().map(Code))?;
        st.serialize_field("abolished", &self.abolished())?;
        st.serialize_field("since", &self.since())?;
        st.serialize_field("until", &self.until())?;
        st.serialize_field("history", &History(self.history))?;
        st.end()
    }
}

/// A six-digit code, serialised as a string ("110101").
struct Code(u32);

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 6];
        let mut c = self.0;
        for b in buf.iter_mut().rev() {
            *b = b'0' + (c % 10) as u8;
            c /= 10;
        }
        s.serialize_str(std::str::from_utf8(&buf).expect("ASCII"))
    }
}

/// `[{since, until, province, city, district}]`, without serde's `flatten` machinery.
struct History(&'static [Era]);

impl Serialize for History {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(EraView))
    }
}

struct EraView(&'static Era);

impl Serialize for EraView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut st = s.serialize_struct("Era", 5)?;
        st.serialize_field("since", &e.since)?;
        st.serialize_field("until", &e.until)?;
        st.serialize_field("province", e.names.province)?;
        st.serialize_field("city", e.names.city)?;
        st.serialize_field("district", e.names.district)?;
        st.end()
    }
}
