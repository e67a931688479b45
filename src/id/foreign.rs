//! Numbers of the 外国人永久居留身份证 (Foreign Permanent Resident ID Card), checked and
//! described like resident numbers.
//!
//! Why this exists: holders of the card use it where a resident card is asked for (banks,
//! hotels, hospitals), so clerks type its number into the same field. Without these rules a
//! valid 2023 number fails as an unknown region code ("9…" is no region) and a 2017 number as
//! a format error, and the clerk cannot tell a foreigner's valid card from a typo.
//!
//! # The two editions
//!
//! **2023 edition** (issued from 2023-12-01), 18 characters:
//!
//! | position | field |
//! | --- | --- |
//! | 1 | `9`, the mark of a foreigner (resident numbers begin with 1–8, the province codes) |
//! | 2–3 | province code of the place where the application was accepted (GB/T 2260) |
//! | 4–6 | nationality, numeric code of ISO 3166-1 / GB/T 2659 |
//! | 7–14 | birth date YYYYMMDD |
//! | 15–17 | sequence; the 17th digit odd for a man, even for a woman |
//! | 18 | check character, ISO 7064 MOD 11-2 as in GB 11643-1999 (`0`–`9`, `X`) |
//!
//! Sources: 国家移民管理局《新版外国人永久居留身份证适配性改造要点》(2023), reproduced by card
//! reader vendors as 《新版外国人永久居留身份证机读信息规则（2023版）》 (for instance
//! <http://www.eastcoms.com/service/pro/840.html>): the number changes "由15位（3位拉丁字母+12位
//! 数字）调整为18位（17位数字+1位校验位）", the three-letter country code "转为数字代码", the first
//! digit is "9" "作为外国人的身份标识码", and the last digit is a check digit by "MOD11-2 算法 …
//! 与公民身份号码校验方式相同". The field order (9 + acceptance province + nationality + birth
//! date + sequence + check digit) is that of the same document's sample `932682198501010017`
//! (32 江苏省, 682 Saudi Arabia, born 1985-01-01, sequence 001; its check digit 7 is the MOD 11-2
//! one), as quoted in
//! <https://blog.csdn.net/weixin_47180815/article/details/134553563>, and of the open-source
//! validators howardli/CredentialKit (`ForeignerPermanentResidenceIdNumberProcessor`) and
//! idcard-tool (npm). The odd/even rule for sex is the GB 11643 rule the document says the new
//! number follows; the table of the document that would state it was not available, so it rests
//! on that statement and on both validators reading the 17th digit that way.
//!
//! **2017 edition** (issued 2017-06 to 2023-11; still valid), 15 characters:
//!
//! | position | field |
//! | --- | --- |
//! | 1–3 | nationality, ISO 3166-1 alpha-3 letters (the document: "3位拉丁字母") |
//! | 4–7 | code of the accepting office; its first two digits are a province code |
//! | 8–13 | birth date YYMMDD (no century) |
//! | 14–15 | not confirmed (see below) |
//!
//! Confirmed: 3 Latin letters + 12 digits (the document above), and the layout letters +
//! 4-digit place + YYMMDD from the document's sample `KAZ110090123105` (Kazakhstan, 1100 北京,
//! born 1990-12-31), the CSDN article's pattern `[A-Z]{3}[0-9]{4}YYMMDD[0-9]{2}` and
//! CredentialKit. **Not confirmed:** what the last two digits are. CredentialKit reads the 14th
//! as the sex digit and checks the 15th with the ICAO 9303 7-3-1 check digit over the first 14
//! characters (the sample satisfies it), but no official text found says so; these two digits
//! are therefore neither checked nor interpreted, the sex is not given, and a valid 2017 number
//! says so in its warning. Only the letters (from the table when known), the province of the
//! accepting office and the birth date are validated. The century of the birth year is not in
//! the number: the later of 19YY and 20YY that is not after today is shown, with a warning.
//!
//! Nationalities come from a table of common countries (ISO 3166-1; the Chinese short names of
//! GB/T 2659). A code missing from it does not make a number invalid: the table is not the
//! whole standard, so the warning names the code for the clerk to compare with the card.

use super::date::Date;
use super::fast::{check_char, check_date, FailBits};
use super::findings::{Reason, ReasonKind, Warning, WarningKind};
use super::place::Holder;
use super::{Checked, Sex};
use crate::i18n::Msg;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// The two editions of the card, told apart by the number's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edition {
    /// 15 characters: three letters, then 12 digits.
    E2017,
    /// 18 characters beginning with 9.
    E2023,
}

impl Edition {
    pub fn year(self) -> u16 {
        match self {
            Edition::E2017 => 2017,
            Edition::E2023 => 2023,
        }
    }
    /// The document's name with its edition.
    pub fn msg(self) -> Msg {
        Msg::new(format!("外国人永久居留身份证（{}年版）", self.year()), format!("Foreign Permanent Resident ID Card ({} edition)", self.year()))
    }
}

impl Serialize for Edition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.year())
    }
}

/// One country of the table.
#[derive(Debug, PartialEq, Eq)]
pub struct Country {
    pub alpha3: &'static str,
    pub numeric: u16,
    pub zh: &'static str,
    pub en: &'static str,
}

const fn c(alpha3: &'static str, numeric: u16, zh: &'static str, en: &'static str) -> Country {
    Country { alpha3, numeric, zh, en }
}

/// Common nationalities: ISO 3166-1 alpha-3 and numeric codes (GB/T 2659), Chinese short name,
/// English short name. Not the whole standard.
pub static COUNTRIES: &[Country] = &[
    c("AFG", 4, "阿富汗", "Afghanistan"),
    c("ARE", 784, "阿联酋", "United Arab Emirates"),
    c("ARG", 32, "阿根廷", "Argentina"),
    c("AUS", 36, "澳大利亚", "Australia"),
    c("AUT", 40, "奥地利", "Austria"),
    c("BEL", 56, "比利时", "Belgium"),
    c("BGD", 50, "孟加拉国", "Bangladesh"),
    c("BLR", 112, "白俄罗斯", "Belarus"),
    c("BRA", 76, "巴西", "Brazil"),
    c("CAN", 124, "加拿大", "Canada"),
    c("CHE", 756, "瑞士", "Switzerland"),
    c("CHL", 152, "智利", "Chile"),
    c("CMR", 120, "喀麦隆", "Cameroon"),
    c("COL", 170, "哥伦比亚", "Colombia"),
    c("CUB", 192, "古巴", "Cuba"),
    c("CZE", 203, "捷克", "Czechia"),
    c("DEU", 276, "德国", "Germany"),
    c("DNK", 208, "丹麦", "Denmark"),
    c("EGY", 818, "埃及", "Egypt"),
    c("ESP", 724, "西班牙", "Spain"),
    c("ETH", 231, "埃塞俄比亚", "Ethiopia"),
    c("FIN", 246, "芬兰", "Finland"),
    c("FRA", 250, "法国", "France"),
    c("GBR", 826, "英国", "United Kingdom"),
    c("GHA", 288, "加纳", "Ghana"),
    c("GRC", 300, "希腊", "Greece"),
    c("HUN", 348, "匈牙利", "Hungary"),
    c("IDN", 360, "印度尼西亚", "Indonesia"),
    c("IND", 356, "印度", "India"),
    c("IRL", 372, "爱尔兰", "Ireland"),
    c("IRN", 364, "伊朗", "Iran"),
    c("ISR", 376, "以色列", "Israel"),
    c("ITA", 380, "意大利", "Italy"),
    c("JPN", 392, "日本", "Japan"),
    c("KAZ", 398, "哈萨克斯坦", "Kazakhstan"),
    c("KEN", 404, "肯尼亚", "Kenya"),
    c("KGZ", 417, "吉尔吉斯斯坦", "Kyrgyzstan"),
    c("KHM", 116, "柬埔寨", "Cambodia"),
    c("KOR", 410, "韩国", "Republic of Korea"),
    c("LAO", 418, "老挝", "Lao People's Democratic Republic"),
    c("LKA", 144, "斯里兰卡", "Sri Lanka"),
    c("MEX", 484, "墨西哥", "Mexico"),
    c("MMR", 104, "缅甸", "Myanmar"),
    c("MNG", 496, "蒙古国", "Mongolia"),
    c("MYS", 458, "马来西亚", "Malaysia"),
    c("NGA", 566, "尼日利亚", "Nigeria"),
    c("NLD", 528, "荷兰", "Netherlands"),
    c("NOR", 578, "挪威", "Norway"),
    c("NPL", 524, "尼泊尔", "Nepal"),
    c("NZL", 554, "新西兰", "New Zealand"),
    c("PAK", 586, "巴基斯坦", "Pakistan"),
    c("PER", 604, "秘鲁", "Peru"),
    c("PHL", 608, "菲律宾", "Philippines"),
    c("POL", 616, "波兰", "Poland"),
    c("PRK", 408, "朝鲜", "Democratic People's Republic of Korea"),
    c("PRT", 620, "葡萄牙", "Portugal"),
    c("ROU", 642, "罗马尼亚", "Romania"),
    c("RUS", 643, "俄罗斯", "Russian Federation"),
    c("SAU", 682, "沙特阿拉伯", "Saudi Arabia"),
    c("SGP", 702, "新加坡", "Singapore"),
    c("SWE", 752, "瑞典", "Sweden"),
    c("THA", 764, "泰国", "Thailand"),
    c("TJK", 762, "塔吉克斯坦", "Tajikistan"),
    c("TUR", 792, "土耳其", "Türkiye"),
    c("UKR", 804, "乌克兰", "Ukraine"),
    c("USA", 840, "美国", "United States of America"),
    c("UZB", 860, "乌兹别克斯坦", "Uzbekistan"),
    c("VNM", 704, "越南", "Viet Nam"),
    c("ZAF", 710, "南非", "South Africa"),
];

pub fn country_by_alpha3(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.alpha3 == code)
}

pub fn country_by_numeric(code: u16) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.numeric == code)
}

/// The nationality of a number: its code as written (three letters or three digits) and the
/// country, when the table knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nationality {
    code: [u8; 3],
    pub country: Option<&'static Country>,
}

impl Nationality {
    /// The code as it stands in the number: `KAZ` or `398`.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("ASCII")
    }
    /// `哈萨克斯坦 Kazakhstan`, or the bare code when unknown.
    pub fn msg(&self) -> Msg {
        match self.country {
            Some(c) => Msg::new(c.zh, c.en),
            None => Msg::new(format!("代码{}", self.code()), format!("code {}", self.code())),
        }
    }
}

/// `{code, alpha3, numeric, zh, en}`; the last four are null for a code not in the table.
impl Serialize for Nationality {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Nationality", 5)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("alpha3", &self.country.map(|c| c.alpha3))?;
        st.serialize_field("numeric", &self.country.map(|c| format!("{:03}", c.numeric)))?;
        st.serialize_field("zh", &self.country.map(|c| c.zh))?;
        st.serialize_field("en", &self.country.map(|c| c.en))?;
        st.end()
    }
}

/// What a valid 外国人永久居留身份证 number says beyond birth date and sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Foreign {
    pub edition: Edition,
    pub nationality: Nationality,
    /// Two-digit province code of the place where the application was accepted.
    pub province_code: u8,
    /// Its name today, from the region table.
    pub province: &'static str,
}

/// `{edition, document_zh, document_en, nationality {…}, province_code, province}`.
impl Serialize for Foreign {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let doc = self.edition.msg();
        let mut st = s.serialize_struct("Foreign", 6)?;
        st.serialize_field("edition", &self.edition)?;
        st.serialize_field("document_zh", &doc.zh)?;
        st.serialize_field("document_en", &doc.en)?;
        st.serialize_field("nationality", &self.nationality)?;
        st.serialize_field("province_code", &format!("{:02}", self.province_code))?;
        st.serialize_field("province", self.province)?;
        st.end()
    }
}

/// Whether a normalised number has the shape of a 外国人永久居留身份证 number, whatever its
/// other characters: 18 characters beginning with `9` (no resident number does), or 15
/// beginning with three Latin letters. Such numbers are checked by these rules only.
#[inline]
pub fn looks_foreign(b: &[u8]) -> Option<Edition> {
    match b.len() {
        18 if b[0] == b'9' => Some(Edition::E2023),
        15 if b[..3].iter().all(u8::is_ascii_alphabetic) => Some(Edition::E2017),
        _ => None,
    }
}

/// A mainland province code (the accepting office is an exit-entry administration there).
fn province(code: u8) -> Option<&'static str> {
    if (11..=65).contains(&code) {
        crate::region::province_name(code)
    } else {
        None
    }
}

/// Checks a normalised number of the given edition and fills `c` (reasons, or the
/// description and warnings).
pub(super) fn check(c: &mut Checked, edition: Edition, today: Date) {
    let cs: Vec<char> = c.number.chars().collect();
    let len = match edition {
        Edition::E2023 => 18,
        Edition::E2017 => 15,
    };
    // A field of digits, `None` when one of them is not a digit (or the field is missing).
    let field = |a: usize, b: usize| -> Option<u32> { cs.get(a..b)?.iter().try_fold(0u32, |acc, ch| ch.to_digit(10).map(|d| acc * 10 + d)) };
    let doc = edition.msg();
    // Characters that do not belong.
    let bad: Vec<(usize, char)> = cs
        .iter()
        .enumerate()
        .filter(|&(i, &ch)| match edition {
            Edition::E2023 => !(ch.is_ascii_digit() || (ch == 'X' && i == 17)),
            Edition::E2017 if i < 3 => !ch.is_ascii_uppercase(),
            Edition::E2017 => !ch.is_ascii_digit(),
        })
        .map(|(i, &ch)| (i + 1, ch))
        .collect();
    if !bad.is_empty() || cs.len() != len {
        let list_zh: Vec<String> = bad.iter().take(5).map(|(p, ch)| format!("第{p}位“{}”", shown(*ch))).collect();
        let list_en: Vec<String> = bad.iter().take(5).map(|(p, ch)| format!("'{}' at position {p}", shown(*ch))).collect();
        let (rule_zh, rule_en) = match edition {
            Edition::E2023 => ("2023年版号码由17位数字和1位校验码（数字或 X）组成", "a 2023-edition number has 17 digits and a check character (digit or X)"),
            Edition::E2017 => {
                ("2017年版号码由3个大写拉丁字母（国籍）和12位数字组成", "a 2017-edition number has 3 capital Latin letters (the nationality) and 12 digits")
            }
        };
        c.reasons.push(Reason::new(
            ReasonKind::Format,
            format!("{}不符合{}的格式（{rule_zh}）；请改正这些字符", list_zh.join("、"), doc.zh),
            format!("{}: not allowed in a {} number ({rule_en}); correct these characters", list_en.join(", "), doc.en),
        ));
    }

    // The accepting province; fields with a bad character are left to the format reason.
    let prov_at = match edition {
        Edition::E2023 => 1,
        Edition::E2017 => 3,
    };
    let prov_code = field(prov_at, prov_at + 2).map(|p| p as u8);
    let prov = prov_code.and_then(province);
    if let (Some(p), None) = (prov_code, prov) {
        let pos = format!("{}–{}", prov_at + 1, prov_at + 2);
        let (also_zh, also_en) = match (edition, field(0, 6)) {
            (Edition::E2023, Some(first6)) => (
                format!("以9开头的18位号码只能是外国人永久居留身份证号码（地区代码没有以9开头的，前6位{first6:06}也不是）"),
                format!("an 18-digit number beginning with 9 can only be a Foreign Permanent Resident ID Card number (no region code begins with 9, so {first6:06} is none either)"),
            ),
            _ => (format!("这是{}的号码", doc.zh), format!("this is a {} number", doc.en)),
        };
        c.reasons.push(Reason::new(
            ReasonKind::Region,
            format!("受理地代码{p:02}（第{pos}位）不是内地的省级行政区代码；{also_zh}；请核对号码"),
            format!("Acceptance place code {p:02} (characters {pos}) is not a province of the mainland; {also_en}; check the number"),
        ));
    }

    // Birth date; the 2017 edition has no century: the later one not after today.
    let mut century_note = None;
    let (birth, span) = match edition {
        Edition::E2023 => {
            let date = (field(6, 10), field(10, 12), field(12, 14));
            let birth = match date {
                (Some(y), Some(m), Some(d)) => Some((check_date(y, m, d, today), format!("{y:04}-{m:02}-{d:02}"))),
                _ => None,
            };
            (birth, "7–14")
        }
        Edition::E2017 => {
            let birth = match (field(7, 9), field(9, 11), field(11, 13)) {
                (Some(yy), Some(m), Some(d)) => {
                    let (later, earlier) = (check_date(2000 + yy, m, d, today), check_date(1900 + yy, m, d, today));
                    if let (Ok(l), Ok(e)) = (later, earlier) {
                        century_note = Some((l, e));
                    }
                    Some((later.or(earlier), format!("(19|20){yy:02}-{m:02}-{d:02}")))
                }
                _ => None,
            };
            (birth, "8–13")
        }
    };
    if let Some((Err(e), text)) = &birth {
        let (zh, en) = if *e == FailBits::DATE_FUTURE {
            (format!("出生日期{text}晚于今天（{today}）"), format!("Birth date {text} is after today ({today})"))
        } else if *e == FailBits::DATE_BEFORE_1900 {
            (format!("出生日期{text}早于1900-01-01"), format!("Birth date {text} is before 1900-01-01"))
        } else {
            (format!("出生日期{text}不存在"), format!("Birth date {text} does not exist"))
        };
        c.reasons.push(Reason::new(ReasonKind::Date, format!("{zh}；请核对第{span}位"), format!("{en}; check characters {span}")));
    }

    // The check character of the 2023 edition.
    if edition == Edition::E2023 && cs.len() == 18 && cs[..17].iter().all(char::is_ascii_digit) && (cs[17].is_ascii_digit() || cs[17] == 'X') {
        let mut first17 = [0u8; 17];
        for (b, ch) in first17.iter_mut().zip(&cs[..17]) {
            *b = *ch as u8;
        }
        let expected = check_char(&first17) as char;
        if expected != cs[17] {
            let mut r = Reason::new(
                ReasonKind::Checksum,
                format!("校验码应为“{expected}”，而不是“{}”（与居民身份证相同的 MOD 11-2 算法）；多半是某一位输错了，请逐位核对", cs[17]),
                format!("The check character should be '{expected}', not '{}' (MOD 11-2, as for resident numbers); a digit was most likely mistyped, check each one", cs[17]),
            );
            r.expected = Some(expected);
            c.reasons.push(r);
        }
    }
    debug_assert!(!c.reasons.is_empty() || (prov.is_some() && matches!(birth, Some((Ok(_), _)))));

    let b = c.number.as_bytes();
    let nat = match edition {
        Edition::E2023 => b.get(3..6),
        Edition::E2017 => b.get(..3),
    };
    let (Some(province), Some(prov_code), Some((Ok(birth), _)), Some(nat), true) = (prov, prov_code, birth, nat, c.reasons.is_empty()) else { return };
    let nationality = match edition {
        Edition::E2023 => Nationality { code: [nat[0], nat[1], nat[2]], country: country_by_numeric(field(3, 6).unwrap_or(0) as u16) },
        Edition::E2017 => Nationality { code: [nat[0], nat[1], nat[2]], country: country_by_alpha3(std::str::from_utf8(nat).expect("ASCII")) },
    };
    let sex = (edition == Edition::E2023).then(|| if (b[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female });
    c.valid = true;
    c.birth_date = Some(birth);
    c.age = Some(birth.age_on(today));
    c.sex = sex;
    c.holder = Some(Holder::ForeignPermanent);
    c.foreign = Some(Foreign { edition, nationality, province_code: prov_code, province });

    let nat_msg = nationality.msg();
    let (tail_zh, tail_en) = match edition {
        Edition::E2023 => (String::new(), String::new()),
        Edition::E2017 => (
            "；此版号码最后两位的编码规则在公开资料中无法确认，未作校验，号码也不表示性别".to_string(),
            "; the rule of this edition's last two digits could not be confirmed from public sources, so they are not checked and the number does not tell the sex".to_string(),
        ),
    };
    c.warnings.push(Warning::new(
        WarningKind::ForeignPermanent,
        format!("这是{}的号码（国籍：{}，受理地：{province}），不是居民身份证号码；只核验居民身份证号码的服务不接受它{tail_zh}", doc.zh, nat_msg.zh),
        format!(
            "This is the number of a {} (nationality: {}, accepted in {province}), not of a resident identity card; services that check resident ID numbers only do not take it{tail_en}",
            doc.en, nat_msg.en
        ),
    ));
    if nationality.country.is_none() {
        let code = nationality.code();
        c.warnings.push(Warning::new(
            WarningKind::NationalityUnknown,
            format!("国籍代码“{code}”不在本程序的常见国家表中；号码格式正确，请对照证件上的国籍核对"),
            format!("Nationality code '{code}' is not in this program's table of common countries; the number is well-formed, compare with the nationality on the card"),
        ));
    }
    if let Some((later, earlier)) = century_note {
        c.warnings.push(Warning::new(
            WarningKind::BirthCentury,
            format!("2017年版号码只含出生年份的后两位：出生日期按{later}计算，也可能是{earlier}；请以证件上的出生日期为准"),
            format!("A 2017-edition number holds only the last two digits of the birth year: born {later} is assumed, {earlier} is also possible; the card's date of birth decides"),
        ));
    }
}

/// How a character is shown in a message: itself, or `U+0009` when invisible.
fn shown(c: char) -> String {
    if c.is_control() || c.is_whitespace() || c == '\u{FFFD}' {
        format!("U+{:04X}", c as u32)
    } else {
        c.to_string()
    }
}
