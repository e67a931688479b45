//! Fields from recognised lines, by the card's printed layout.
//!
//! Lines arrive in the card's own frame (text horizontal, reading order left to right, top to
//! bottom). They are grouped into rows; a row is identified by its printed label (姓名, 性别 /
//! 民族, 出生, 住址, 公民身份号码 on the front; 签发机关, 有效期限 on the back), which the
//! recogniser reads as well as the values, and the value is what follows the label. The address
//! continues on the unlabelled rows below 住址 until the number row.

use super::dict;
use super::number;
use super::rec::{Char, Line};
use crate::card::{CardFields, Side};
use crate::i18n::Msg;

/// A recognised line placed in the card's frame (text horizontal, y down).
#[derive(Debug, Clone)]
pub struct Placed {
    /// Left end and centre of the box in the card frame.
    pub x0: f32,
    pub cx: f32,
    pub cy: f32,
    /// Height of the box (across the text).
    pub h: f32,
    /// The box's own slant against the card's direction, in radians (perspective makes lines
    /// on one side of the card slant differently from the other).
    pub tilt: f32,
    pub line: Line,
}

/// A row of the card: characters of its lines left to right, whitespace dropped.
#[derive(Debug, Clone)]
struct Row {
    chars: Vec<Char>,
    /// How many of `chars` each line gave, left to right.
    line_lens: Vec<usize>,
}

impl Row {
    fn text(&self) -> String {
        self.chars.iter().map(|c| c.text.as_str()).collect()
    }

    /// The row's text with a space where one detected box ends and the next begins: digits in
    /// separate boxes (a date whose 月 and 日 went unread) are separate numbers.
    fn spaced_text(&self) -> String {
        let mut out = String::new();
        let mut at = 0;
        for &n in &self.line_lens {
            out.push_str(&text(&self.chars[at..at + n]));
            out.push(' ');
            at += n;
        }
        out
    }
}

/// Whether two lines sit on one printed row: the shorter one's centre lies near the longer
/// one's (slanted) centre line (a line of one or two characters says little of its own slant),
/// and they lie side by side: lines one above the other overlap along the row, lines of one row
/// do not (a lone 室 ending an address is not on the row above it).
fn same_row(a: &Placed, b: &Placed) -> bool {
    let off = |p: &Placed, q: &Placed| ((q.cy - p.cy) - p.tilt.tan() * (q.cx - p.cx)).abs();
    let (long, short) = if a.line.chars.len() >= b.line.chars.len() { (a, b) } else { (b, a) };
    let right = |p: &Placed| p.x0 + 2.0 * (p.cx - p.x0);
    let overlap = right(a).min(right(b)) - a.x0.max(b.x0);
    let narrower = (right(a) - a.x0).min(right(b) - b.x0);
    off(long, short) < 0.5 * a.h.min(b.h) && overlap < 0.5 * narrower
}

fn rows(lines: &[Placed]) -> Vec<Row> {
    let ls: Vec<&Placed> = lines.iter().filter(|l| !l.line.chars.is_empty()).collect();
    // Union-find over pairs on one row.
    let mut parent: Vec<usize> = (0..ls.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..ls.len() {
        for j in i + 1..ls.len() {
            if same_row(ls[i], ls[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<&Placed>> = Default::default();
    for i in 0..ls.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(ls[i]);
    }
    let mut groups: Vec<Vec<&Placed>> = groups.into_values().collect();
    let mean_y = |g: &Vec<&Placed>| g.iter().map(|p| p.cy).sum::<f32>() / g.len() as f32;
    groups.sort_by(|a, b| mean_y(a).total_cmp(&mean_y(b)));
    groups
        .into_iter()
        .map(|mut g| {
            g.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut row = Row { chars: Vec::new(), line_lens: Vec::new() };
            for p in g {
                let before = row.chars.len();
                row.chars.extend(p.line.chars.iter().filter(|c| !c.text.trim().is_empty() && c.text != "\u{3000}").cloned());
                row.line_lens.push(row.chars.len() - before);
            }
            row
        })
        .collect()
}

/// If the row starts with `label` (allowing one misread or missing label character), the
/// characters after it.
///
/// Evidence: the label's own characters, found in their printed order among the row's first
/// characters; what follows the last of them is the value, so a value that begins with a label
/// character (关岭县 after 签发机关) keeps it. When only the first character of a two-character
/// label was found, the character after it is taken for the misread second one only when the
/// recogniser doubted it (below [`DOUBT_P`]); a sure character there is the value's.
fn after_label(chars: &[Char], label: &str) -> Option<Vec<Char>> {
    let l: Vec<char> = label.chars().collect();
    let window = (l.len() + 1).min(chars.len());
    let mut last = None;
    let mut hits = 0;
    // Label characters matched in order: each hit must be a label character after the last one
    // matched, and the label's last character ends it.
    let mut next = 0;
    for (i, c) in chars[..window].iter().enumerate() {
        let Some(ch) = c.text.chars().next() else { continue };
        if let Some(k) = l[next..].iter().position(|&x| x == ch) {
            hits += 1;
            last = Some(i);
            next += k + 1;
            if next == l.len() {
                break;
            }
        }
    }
    let need = if l.len() <= 2 { l.len() } else { l.len() - 1 };
    let last = last?;
    if hits >= need {
        Some(chars[last + 1..].to_vec())
    } else if l.len() == 2 && hits == 1 && last < 2 && window > 1 {
        // One label character found: when it is the first, the second was misread; skip it too
        // when the recogniser doubted it.
        let first = chars[0].text.starts_with(l[0]);
        let skip = if first && last == 0 && chars.len() >= 4 && chars[1].p < DOUBT_P { 2 } else { last + 1 };
        Some(chars[skip..].to_vec())
    } else {
        None
    }
}

/// A name as printed: minority names join their parts with a middle dot (U+00B7), which the
/// recogniser may return as one of its look-alikes. Evidence: the mark read is a dot; nothing is
/// dropped.
fn name_text(chars: &[Char]) -> String {
    text(chars).chars().map(|c| if matches!(c, '・' | '•' | '･' | '‧' | '∙' | '⋅' | '.') { '·' } else { c }).collect()
}

/// An issuing authority is Chinese throughout: a stray mark read at either end (a letter, a
/// dot) is dropped when the recogniser doubted it (below [`DOUBT_P`]); a sure one stays.
fn chinese_only(chars: &[Char]) -> &[Char] {
    let keep = |c: &Char| c.p >= DOUBT_P || c.text.chars().next().is_some_and(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
    let start = chars.iter().position(keep).unwrap_or(chars.len());
    let end = chars.iter().rposition(keep).map_or(start, |e| e + 1);
    &chars[start..end.max(start)]
}

fn text(chars: &[Char]) -> String {
    chars.iter().map(|c| c.text.as_str()).collect()
}

/// A field's confidence: the recogniser's least probability over the characters kept for it, so
/// one doubtful character (a misread, or one put back by the decoder) makes the field doubtful.
fn conf(chars: &[Char]) -> f32 {
    chars.iter().map(|c| c.p).reduce(f32::min).unwrap_or(0.0)
}

/// Digit groups of a date-like string: `1990年5月12日` → [1990, 5, 12].
fn numbers(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        let c = match c {
            'O' | 'o' => '0',
            'I' | 'l' => '1',
            c => halfwidth(c),
        };
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(cur.parse().unwrap_or(0));
            cur.clear();
        }
    }
    out
}

/// A full-width digit (４) as the digit it is: the recogniser cannot tell the widths apart
/// reliably, and a card prints ordinary digits.
/// A character's first letter, a full-width digit as its ASCII form (the recogniser returns ９
/// for 9 at times; it is the same digit).
fn lead(c: &Char) -> Option<char> {
    c.text.chars().next().map(halfwidth)
}

fn halfwidth(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        c => c,
    }
}

fn ymd(y: u32, m: u32, d: u32) -> Option<String> {
    ((1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Splits a run of digits like `20150312` or groups like [2015, 3, 12] into dates.
fn dates(s: &str) -> Vec<String> {
    let groups = numbers(s);
    let mut out = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let g = groups[i];
        if g >= 19_000_000 {
            if let Some(d) = ymd(g / 10_000, g / 100 % 100, g % 100) {
                out.push(d);
            }
            i += 1;
        } else if i + 2 < groups.len() && g >= 1900 {
            // A stray mark before the year reads as an extra leading digit: 11954 → 1954.
            let y = if (10_000..10_000_000).contains(&g) { g % 10_000 } else { g };
            if let Some(d) = ymd(y, groups[i + 1], groups[i + 2]) {
                out.push(d);
                i += 3;
                continue;
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Tallest box kept, in median line heights.
const MAX_LINE_HEIGHT: f32 = 2.5;
/// A character read this unsurely right after a label is a speck between label and value.
const SPECK_P: f32 = 0.3;
/// A character the recogniser read below this probability is one it doubted: the only kind a
/// rule reading the text around it (a place name, a label, the Chinese of an authority) may
/// drop or replace.
const DOUBT_P: f32 = 0.5;

/// The provinces, autonomous regions and municipalities an address begins with.
const PROVINCES: [&str; 34] = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "台湾",
    "香港",
    "澳门",
];

/// Whether `t` starts with the name of a place: a province (short or full) or any city or
/// county of the region table, past or present. Addresses and issuing authorities do.
fn starts_with_place(t: &str) -> bool {
    static NAMES: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut set: std::collections::HashSet<&'static str> = PROVINCES.into_iter().collect();
        for e in crate::region::entries() {
            for era in e.history() {
                let n = &era.names;
                set.extend([n.province, n.city, n.district].into_iter().filter(|s| s.chars().count() >= 2));
            }
        }
        set
    });
    let ends: Vec<usize> = t.char_indices().map(|(i, c)| i + c.len_utf8()).take(12).collect();
    ends.iter().skip(1).any(|&e| names.contains(&t[..e]))
}

/// A value that starts with a place (address, issuing authority) without one stray character
/// in front: a speck between the label and the value read as a character shows as a value that
/// starts with a place only once its first character is gone. Evidence: that, and the
/// recogniser's doubt about the first character (below [`DOUBT_P`]); a sure one stays.
fn without_stray_before_place(mut v: Vec<Char>) -> Vec<Char> {
    if v.len() > 4 && v[0].p < DOUBT_P && !starts_with_place(&text(&v)) && starts_with_place(&text(&v[1..])) {
        v.remove(0);
    }
    v
}

/// An address begins with its province's full name, one of a closed set. On a poor photo a
/// character of a long one (新疆维吾尔自治区) can be dropped, doubled or misread; one such slip
/// is put right. Evidence: the closed set, and for a doubled or misread character the
/// recogniser's doubt about the character removed or replaced (below [`DOUBT_P`]); a dropped one
/// is only added. Names under five characters are left alone: one slip there is too likely to be
/// another place. The characters written carry the least probability of those they replace.
fn with_province_spelled_right(v: Vec<Char>) -> Vec<Char> {
    let names: Vec<Vec<char>> =
        (11..=91u8).filter_map(crate::region::province_name).map(|n| n.chars().collect::<Vec<char>>()).filter(|n| n.len() >= 5).collect();
    let t = text(&v);
    if names.iter().any(|n| t.starts_with(&n.iter().collect::<String>())) {
        return v;
    }
    let doubted = |c: &Char| c.p < DOUBT_P;
    for n in &names {
        for k in [n.len(), n.len() - 1, n.len() + 1] {
            if k > v.len() {
                continue;
            }
            let head: Vec<char> = text(&v[..k]).chars().collect();
            if head.len() != k || edit_distance(&head, n) != 1 {
                continue;
            }
            // The character the repair removes or replaces must be one the recogniser doubted.
            let removed_doubted = match k.cmp(&n.len()) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Equal => (0..k).filter(|&i| head[i] != n[i]).all(|i| doubted(&v[i])),
                std::cmp::Ordering::Greater => (0..k).any(|i| {
                    let mut h = head.clone();
                    h.remove(i);
                    h == *n && doubted(&v[i])
                }),
            };
            if !removed_doubted {
                continue;
            }
            let p = v[..k].iter().map(|c| c.p).fold(1.0, f32::min);
            let mut out: Vec<Char> = n.iter().map(|ch| Char { text: ch.to_string(), p, alt: None }).collect();
            out.extend_from_slice(&v[k..]);
            return out;
        }
    }
    v
}

/// Levenshtein distance between two character sequences.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A value without the specks read at its start: characters right after the label that the
/// recogniser read below [`SPECK_P`].
fn without_specks(mut v: Vec<Char>) -> Vec<Char> {
    let n = v.iter().take_while(|c| c.p < SPECK_P).count();
    v.drain(..n);
    v
}

const FRONT_LABELS: [&str; 6] = ["姓名", "性别", "民族", "出生", "住址", "公民身份号码"];
const BACK_LABELS: [&str; 4] = ["签发机关", "有效期限", "居民身份证", "中华人民共和国"];

/// Reads the fields of one side from placed lines.
pub fn read_fields(lines: &[Placed]) -> (CardFields, Vec<Msg>) {
    // Printed lines are all about one height; a box several times taller is the portrait or a
    // pattern read as a stray character, and would join unrelated rows together.
    let mut hs: Vec<f32> = lines.iter().map(|l| l.h).collect();
    hs.sort_by(f32::total_cmp);
    let median = hs.get(hs.len() / 2).copied().unwrap_or(0.0);
    let lines: Vec<Placed> = lines.iter().filter(|l| l.h <= MAX_LINE_HEIGHT * median).cloned().collect();
    let rows = rows(&lines);
    let mut f = CardFields::default();
    let mut notes = Vec::new();
    let all: String = rows.iter().map(|r| r.text()).collect();
    let score = |labels: &[&str]| labels.iter().filter(|l| all.contains(*l)).count();
    // The number is a run of 15 or more digits; the back's validity has as many digits, but
    // in runs of four at most.
    let digits_run = rows.iter().any(|r| longest_digit_run(&r.chars) >= 15);
    let date_range = rows.iter().any(|r| validity_like(&r.text()));
    let front = score(&FRONT_LABELS) + usize::from(digits_run) * 2;
    let back = score(&BACK_LABELS) + usize::from(date_range);
    if front == 0 && back == 0 {
        return (f, notes);
    }
    if rows.iter().any(|r| temporary_title(&r.text())) {
        // 临时居民身份证: one side holds the holder's fields and the issuing authority and
        // validity alike.
        f.side = Some(Side::Front);
        f.temporary = true;
        read_front(&rows, &mut f, &mut notes);
        read_back(&rows, &mut f);
        return (f, notes);
    }
    if front >= back {
        f.side = Some(Side::Front);
        read_front(&rows, &mut f, &mut notes);
    } else {
        f.side = Some(Side::Back);
        read_back(&rows, &mut f);
    }
    (f, notes)
}

/// Whether a row is the title of a 临时居民身份证 (temporary resident ID card). Evidence: the
/// words 临时 and, after them, 身份证 or 居民身 (one title character may be misread), as the
/// card's title prints them; a regular card's title says 居民身份证 without 临时.
fn temporary_title(t: &str) -> bool {
    t.find("临时").is_some_and(|i| {
        let rest = &t[i + "临时".len()..];
        rest.contains("身份证") || rest.contains("居民身")
    })
}

fn longest_digit_run(chars: &[Char]) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in chars {
        if lead(c).is_some_and(|ch| ch.is_ascii_digit() || matches!(ch, 'X' | 'x' | 'Ｘ' | 'ｘ')) {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// The number read from a line of its own (see `Engine::read`): its digits, notes, confidence.
pub fn number_from(chars: &[Char]) -> Option<(String, Vec<Msg>, f32)> {
    (longest_digit_run(chars) >= 15).then(|| number::repair(chars))
}

fn set(f: &mut CardFields, key: &str, value: Option<String>, c: f32) {
    let Some(v) = value.filter(|v| !v.is_empty()) else { return };
    let v: String = v.chars().map(halfwidth).collect();
    match key {
        "name" => f.name = Some(v),
        "sex" => f.sex = Some(v),
        "ethnicity" => f.ethnicity = Some(v),
        "birth" => f.birth = Some(v),
        "address" => f.address = Some(v),
        "number" => f.number = Some(v),
        "issued_by" => f.issued_by = Some(v),
        "valid_from" => f.valid_from = Some(v),
        "valid_until" => f.valid_until = Some(v),
        _ => return,
    }
    f.confidence.insert(key.to_string(), (c * 1000.0).round() / 1000.0);
}

/// The ethnicity after its label 民族 (or, without it, the text itself), with its confidence.
/// 民族 with its 族 misread (民雄苗): the label is two characters after 民, so the value is what
/// follows them, when only that names one of the 56 groups.
fn ethnicity_after(rest: &[Char]) -> (Option<String>, f32) {
    let eth: Vec<Char> = after_label(rest, "民族").unwrap_or_else(|| rest.to_vec());
    match dict::ethnicity(&text(&eth)) {
        None if rest.len() >= 3 && rest[0].text == "民" => (dict::ethnicity(&text(&rest[2..])), conf(&rest[2..])),
        value => (value, conf(&eth)),
    }
}

fn read_front(rows: &[Row], f: &mut CardFields, notes: &mut Vec<Msg>) {
    // The number row: the row with the longest run of digit-like characters, at the bottom.
    let num_row = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.chars.iter().filter(|c| lead(c).is_some_and(|ch| ch.is_ascii_alphanumeric())).count() >= 15)
        // A validity period (two dates in short digit runs, printed below the number on a
        // temporary card) is not the number.
        .filter(|(_, r)| longest_digit_run(&r.chars) >= 15 || dates(&r.text()).len() < 2)
        .max_by_key(|(i, _)| *i)
        .map(|(i, _)| i);
    let mut addr_row = None;
    for (i, r) in rows.iter().enumerate() {
        if Some(i) == num_row {
            continue;
        }
        if f.name.is_none() {
            if let Some(v) = after_label(&r.chars, "姓名") {
                let v = without_specks(v);
                set(f, "name", Some(name_text(&v)), conf(&v));
                continue;
            }
        }
        if f.sex.is_none() {
            if let Some(v) = after_label(&r.chars, "性别") {
                // 男 民族 汉: the ethnicity follows its own label.
                let split = v.iter().position(|c| c.text == "民" || c.text == "族");
                let (sx, rest) = match split {
                    Some(k) => (&v[..k], &v[k..]),
                    None => (&v[..v.len().min(1)], &v[v.len().min(1)..]),
                };
                set(f, "sex", dict::sex(&text(sx)).or_else(|| dict::sex(&text(&v))), conf(sx));
                let (value, c) = ethnicity_after(rest);
                set(f, "ethnicity", value, c);
                continue;
            }
        }
        // 民族 on a row of its own (性别 and its value were not found): above the address only,
        // where no address line starting with 民 can be.
        if f.ethnicity.is_none() && addr_row.is_none() && r.chars.first().is_some_and(|c| c.text == "民") {
            if let (Some(v), c) = ethnicity_after(&r.chars) {
                set(f, "ethnicity", Some(v), c);
                continue;
            }
        }
        if f.birth.is_none() {
            if let Some(v) = after_label(&r.chars, "出生") {
                set(f, "birth", dates(&r.spaced_text()).into_iter().next(), conf(&v));
                continue;
            }
        }
        if addr_row.is_none() {
            if let Some(v) = after_label(&r.chars, "住址") {
                addr_row = Some((i, without_specks(v)));
                continue;
            }
        }
    }
    if f.name.is_none() && f.sex.is_none() && f.birth.is_none() && addr_row.is_none() {
        addr_row = unlabelled_front(rows, num_row, f);
    }
    if let Some((i, first)) = addr_row {
        let end = num_row.unwrap_or(rows.len());
        let mut chars = first;
        let mut ended = false;
        for r in rows.iter().take(end).skip(i + 1) {
            let t = r.text();
            if ["姓名", "性别", "出生", "住址", "公民", "签发机关", "有效期限"].iter().any(|l| t.starts_with(l)) {
                ended = true;
                break;
            }
            chars.extend(r.chars.iter().cloned());
        }
        if !ended {
            if let Some(k) = num_row {
                chars.extend(address_tail_beside_number(&rows[k]));
            }
        }
        let chars = with_province_spelled_right(without_stray_before_place(chars));
        set(f, "address", Some(text(&chars)), conf(&chars));
    }
    if let Some(k) = num_row {
        let r = &rows[k];
        // Skip the label: the number is the trailing run of digit-like characters.
        let start = r.chars.iter().rposition(|c| !lead(c).is_some_and(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '×' | 'Ｘ' | 'ｘ'))).map_or(0, |p| p + 1);
        let (n, mut ns, p) = number::repair(&r.chars[start..]);
        set(f, "number", Some(n), p);
        notes.append(&mut ns);
    }
}

/// The front's fields when none of its labels was read (a card cut off at its left edge, the
/// labels out of the photo): by the card's fixed order of rows, anchored on the sex row, the one
/// row recognisable by its own content (男 or 女, then the 民族 label). The row above it is the
/// name when it is two to six Chinese characters; the first row below it holding a date with 年
/// is the birth date; the rows after that, down to the number, are the address (returned, as
/// [`read_front`] takes it on). Nothing when there is no number row or no sex row.
fn unlabelled_front(rows: &[Row], num_row: Option<usize>, f: &mut CardFields) -> Option<(usize, Vec<Char>)> {
    let end = num_row?;
    let sex_row = (0..end).find(|&i| {
        let c = &rows[i].chars;
        c.len() >= 3 && dict::sex(&c[0].text).is_some() && c[1..3].iter().any(|c| c.text == "民" || c.text == "族")
    })?;
    let chars = &rows[sex_row].chars;
    set(f, "sex", dict::sex(&chars[0].text), chars[0].p);
    let (value, c) = ethnicity_after(&chars[1..]);
    set(f, "ethnicity", value, c);
    if let Some(above) = sex_row.checked_sub(1).map(|i| &rows[i]) {
        let han = above.chars.iter().all(|c| c.text.chars().all(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch) || ch == '·'));
        if han && (2..=6).contains(&above.chars.len()) {
            set(f, "name", Some(name_text(&above.chars)), conf(&above.chars));
        }
    }
    let birth = (sex_row + 1..end).find(|&i| rows[i].text().contains('年') && !dates(&rows[i].spaced_text()).is_empty())?;
    set(f, "birth", dates(&rows[birth].spaced_text()).into_iter().next(), conf(&rows[birth].chars));
    (birth + 1 < end).then(|| (birth + 1, without_specks(rows[birth + 1].chars.clone())))
}

/// An address's last line can be short ("号") and sit so near the number's height, the number
/// being printed larger and lower, that both land on one row. The lines of the number's row left
/// of the number that are not its label (公民身份号码, whole or in part) are the address's end.
fn address_tail_beside_number(row: &Row) -> Vec<Char> {
    let mut lines = Vec::new();
    let mut at = 0;
    for &n in &row.line_lens {
        lines.push(&row.chars[at..at + n]);
        at += n;
    }
    let digits = |l: &[Char]| l.iter().filter(|c| lead(c).is_some_and(|ch| ch.is_ascii_digit())).count();
    let Some(number_line) = (0..lines.len()).max_by_key(|&i| digits(lines[i])) else { return Vec::new() };
    let label_like = |l: &[Char]| {
        let t = text(l);
        t.starts_with('公') || t.starts_with('民') || l.iter().filter(|c| "公民身份号码".contains(c.text.as_str())).count() >= 2
    };
    lines[..number_line].iter().filter(|l| !l.is_empty() && !label_like(l)).flat_map(|l| l.iter().cloned()).collect()
}

fn read_back(rows: &[Row], f: &mut CardFields) {
    for r in rows {
        if f.issued_by.is_none() {
            if let Some(v) = after_label(&r.chars, "签发机关") {
                let v = without_stray_before_place(chinese_only(&v).to_vec());
                set(f, "issued_by", Some(text(&v)), conf(&v));
                continue;
            }
        }
        if f.valid_from.is_none() {
            if let Some(v) = after_label(&r.chars, "有效期限") {
                set_validity(f, &v);
            }
        }
    }
    // The labels are small and pale, and on a poor photo the detector may miss them. The
    // layout still tells the rows apart: the validity is the row holding a date range, and the
    // issuing authority the row of Chinese just above it.
    if f.valid_from.is_none() {
        if let Some(k) = rows.iter().rposition(|r| validity_like(&r.text())) {
            let v = after_label(&rows[k].chars, "有效期限").unwrap_or_else(|| rows[k].chars.clone());
            set_validity(f, &v);
            if f.issued_by.is_none() && k > 0 {
                let above = &rows[k - 1];
                let t = above.text();
                if !BACK_LABELS[2..].iter().any(|l| t.contains(l)) {
                    let v = after_label(&above.chars, "签发机关").unwrap_or_else(|| above.chars.clone());
                    let v = without_stray_before_place(chinese_only(&v).to_vec());
                    set(f, "issued_by", Some(text(&v)), conf(&v));
                }
            }
        }
    }
}

/// Whether a row reads as the back's validity: two dates, or one and 长(期) for a card valid
/// without end. No row of the front holds either (its one date, the birth, has no 长 beside it).
fn validity_like(t: &str) -> bool {
    let n = dates(t).len();
    n >= 2 || (n == 1 && t.contains('长'))
}

fn set_validity(f: &mut CardFields, v: &[Char]) {
    let t = text(v);
    let ds = dates(&t);
    let c = conf(v);
    set(f, "valid_from", ds.first().cloned(), c);
    if t.contains("长期") || (t.contains('长') && ds.len() == 1) {
        set(f, "valid_until", Some("长期".into()), c);
    } else {
        set(f, "valid_until", ds.get(1).cloned(), c);
    }
}

/// Fills what `f` lacks from `other`, a second reading of the same side.
pub fn fill_from(f: &mut CardFields, other: &CardFields) {
    if f.side != other.side {
        return;
    }
    // A number failing its check is as good as none when the other reading has a valid one.
    let valid = |n: &Option<String>| n.as_deref().is_some_and(|n| crate::id::check(n).valid);
    if !valid(&f.number) && valid(&other.number) {
        f.number = None;
    }
    let pairs: [(&str, &mut Option<String>, &Option<String>); 9] = [
        ("name", &mut f.name, &other.name),
        ("sex", &mut f.sex, &other.sex),
        ("ethnicity", &mut f.ethnicity, &other.ethnicity),
        ("birth", &mut f.birth, &other.birth),
        ("address", &mut f.address, &other.address),
        ("number", &mut f.number, &other.number),
        ("issued_by", &mut f.issued_by, &other.issued_by),
        ("valid_from", &mut f.valid_from, &other.valid_from),
        ("valid_until", &mut f.valid_until, &other.valid_until),
    ];
    f.temporary |= other.temporary;
    let mut filled = Vec::new();
    for (key, mine, theirs) in pairs {
        if mine.is_none() && theirs.is_some() {
            *mine = theirs.clone();
            filled.push(key);
        }
    }
    for key in filled {
        if let Some(c) = other.confidence.get(key) {
            f.confidence.insert(key.to_string(), *c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(x0: f32, y0: f32, s: &str) -> Placed {
        let chars = s.chars().map(|c| Char { text: c.to_string(), p: 0.98, alt: None }).collect();
        let w = 20.0 * s.chars().count() as f32;
        Placed { x0, cx: x0 + w / 2.0, cy: y0 + 10.0, h: 20.0, tilt: 0.0, line: Line { chars } }
    }

    #[test]
    fn front_fields_by_label() {
        let lines = vec![
            placed(10.0, 10.0, "姓名"),
            placed(60.0, 8.0, "欧阳旻"),
            placed(10.0, 50.0, "性别男"),
            placed(100.0, 51.0, "民族漢"),
            placed(10.0, 90.0, "出生1990年5月12日"),
            placed(10.0, 130.0, "住址北京市朝阳区建国路"),
            placed(60.0, 160.0, "88号院3栋"),
            placed(10.0, 220.0, "公民身份号码"),
            placed(200.0, 218.0, "11010519491231002X"),
        ];
        let (f, notes) = read_fields(&lines);
        assert_eq!(f.side, Some(Side::Front));
        assert_eq!(f.name.as_deref(), Some("欧阳旻"));
        assert_eq!(f.sex.as_deref(), Some("男"));
        assert_eq!(f.ethnicity.as_deref(), Some("汉"));
        assert_eq!(f.birth.as_deref(), Some("1990-05-12"));
        assert_eq!(f.address.as_deref(), Some("北京市朝阳区建国路88号院3栋"));
        assert_eq!(f.number.as_deref(), Some("11010519491231002X"));
        assert!(notes.is_empty());
    }

    #[test]
    fn a_misread_ethnicity_label_before_a_one_character_ethnicity() {
        // 民族 read as 民雄: the value is what follows the label's two characters.
        let eth = |row: &str| read_fields(&[placed(10.0, 10.0, "姓名钱浩"), placed(10.0, 50.0, row)]).0.ethnicity;
        assert_eq!(eth("性别男民雄苗").as_deref(), Some("苗"));
        assert_eq!(eth("性别女民雄哈尼").as_deref(), Some("哈尼"));
        // 族 missed altogether, or the label read right: unchanged.
        assert_eq!(eth("性别男民苗").as_deref(), Some("苗"));
        assert_eq!(eth("性别男民族回").as_deref(), Some("回"));
        // Nothing after the label names a group: no ethnicity rather than a guess.
        assert_eq!(eth("性别男民雄"), None);
        assert_eq!(eth("性别男民雄雄"), None);
        // 性别 and its value missed: the ethnicity's own row still gives it.
        assert_eq!(eth("民娃苗").as_deref(), Some("苗"));
        // An address line starting with 民 is not an ethnicity.
        let f = read_fields(&[placed(10.0, 10.0, "姓名钱浩"), placed(10.0, 130.0, "住址北京市东城区"), placed(60.0, 160.0, "民族路8号")]).0;
        assert_eq!((f.ethnicity, f.address.as_deref()), (None, Some("北京市东城区民族路8号")));
    }

    #[test]
    fn full_width_digits_in_the_number_are_its_digits() {
        // The recogniser returns ３ and ９ as full-width forms at times: the same digits.
        let row = "３２０５０５１９９５０１０６５２１１";
        assert_eq!(longest_digit_run(&placed(0.0, 0.0, row).line.chars), 18);
        let lines = vec![placed(10.0, 10.0, "姓名彭凯睿"), placed(10.0, 220.0, &format!("公民身份号码{row}"))];
        assert_eq!(read_fields(&lines).0.number.as_deref(), Some("320505199501065211"));
        assert_eq!(number_from(&placed(0.0, 0.0, "32050519９5０1065211").line.chars).map(|n| n.0).as_deref(), Some("320505199501065211"));
    }

    #[test]
    fn a_lone_character_ending_the_address_stays_on_its_own_row() {
        // 室 alone under the address's first line, its own slant misjudged so that the line
        // through it passes through the row above: it is below that row, not on it.
        let first = placed(60.0, 130.0, "安徽省合肥市瑶海区");
        let mut last = placed(58.0, 158.0, "室");
        last.tilt = ((first.cy - last.cy) / (first.cx - last.cx)).atan();
        let label = placed(10.0, 130.0, "住址");
        let lines = vec![placed(10.0, 10.0, "姓名上官杰"), label, first, last, placed(10.0, 220.0, "公民身份号码340102199309073732")];
        assert_eq!(read_fields(&lines).0.address.as_deref(), Some("安徽省合肥市瑶海区室"));
    }

    #[test]
    fn a_front_whose_labels_are_out_of_the_photo_is_read_by_its_rows() {
        let lines = vec![
            placed(60.0, 10.0, "丁萍"),
            placed(60.0, 50.0, "女民族汉"),
            placed(60.0, 90.0, "1985年1月10日"),
            placed(60.0, 130.0, "江苏省苏州市姑苏区延安路1"),
            placed(60.0, 160.0, "号锦绣家园12栋"),
            placed(10.0, 220.0, "身份号码320508198501107623"),
        ];
        let f = read_fields(&lines).0;
        assert_eq!(f.name.as_deref(), Some("丁萍"));
        assert_eq!((f.sex.as_deref(), f.ethnicity.as_deref()), (Some("女"), Some("汉")));
        assert_eq!(f.birth.as_deref(), Some("1985-01-10"));
        assert_eq!(f.address.as_deref(), Some("江苏省苏州市姑苏区延安路1号锦绣家园12栋"));
        // Without the sex row to anchor them, rows are not guessed at.
        let f = read_fields(&[lines[0].clone(), lines[2].clone(), lines[3].clone(), lines[5].clone()]).0;
        assert_eq!((f.name, f.birth, f.address), (None, None, None));
    }

    #[test]
    fn an_address_ending_beside_the_number_keeps_its_end() {
        let lines = vec![
            placed(10.0, 10.0, "姓名"),
            placed(60.0, 8.0, "蔡萍煜"),
            placed(10.0, 50.0, "性别女"),
            placed(100.0, 51.0, "民族侗"),
            placed(10.0, 90.0, "出生1985年8月10日"),
            placed(10.0, 130.0, "住址新疆维吾尔自治区乌鲁木"),
            placed(60.0, 160.0, "齐市天山区文化路628"),
            // "号" alone on the address's third line, level with the number printed larger.
            placed(60.0, 190.0, "号"),
            Placed { h: 30.0, ..placed(200.0, 186.0, "650102198508101327") },
            placed(10.0, 220.0, "公民身份号码"),
        ];
        let (f, _) = read_fields(&lines);
        assert_eq!(f.address.as_deref(), Some("新疆维吾尔自治区乌鲁木齐市天山区文化路628号"));
        assert_eq!(f.number.as_deref(), Some("650102198508101327"));
        // The label on the number's row is not the address's.
        let lines = vec![
            placed(10.0, 130.0, "住址北京市朝阳区建国路"),
            placed(60.0, 160.0, "88号院3栋"),
            placed(10.0, 220.0, "身份号码"),
            placed(200.0, 218.0, "11010519491231002X"),
        ];
        assert_eq!(read_fields(&lines).0.address.as_deref(), Some("北京市朝阳区建国路88号院3栋"));
    }

    #[test]
    fn a_temporary_card_is_marked_and_read_whole_from_one_side() {
        let lines = vec![
            placed(120.0, 10.0, "中华人民共和国临时居民身份证"),
            placed(10.0, 60.0, "姓名"),
            placed(60.0, 58.0, "李娜"),
            placed(10.0, 100.0, "性别女"),
            placed(100.0, 101.0, "民族汉"),
            placed(10.0, 140.0, "出生1990年5月12日"),
            placed(10.0, 180.0, "住址北京市朝阳区建国路"),
            placed(60.0, 210.0, "88号院3栋"),
            placed(10.0, 260.0, "公民身份号码"),
            placed(200.0, 258.0, "11010519491231002X"),
            placed(10.0, 300.0, "签发机关北京市公安局朝阳分局"),
            placed(10.0, 340.0, "有效期限2026.03.01-2026.06.01"),
        ];
        let (f, _) = read_fields(&lines);
        assert!(f.temporary);
        assert_eq!(f.side, Some(Side::Front));
        assert_eq!(f.name.as_deref(), Some("李娜"));
        assert_eq!(f.address.as_deref(), Some("北京市朝阳区建国路88号院3栋"));
        assert_eq!(f.number.as_deref(), Some("11010519491231002X"));
        assert_eq!(f.issued_by.as_deref(), Some("北京市公安局朝阳分局"));
        assert_eq!((f.valid_from.as_deref(), f.valid_until.as_deref()), (Some("2026-03-01"), Some("2026-06-01")));
        // The title with a character misread, and without its labels' help.
        let mut lines = lines;
        lines[0] = placed(120.0, 10.0, "中华人民共和国临时居民身份正");
        assert!(read_fields(&lines).0.temporary);
        // A regular card's title says no 临时; an address with 临时 in it is no title either.
        let regular = vec![placed(100.0, 10.0, "中华人民共和国"), placed(90.0, 50.0, "居民身份证"), placed(10.0, 150.0, "签发机关北京市公安局")];
        assert!(!read_fields(&regular).0.temporary);
        let front = vec![placed(10.0, 130.0, "住址临时安置小区3栋"), placed(10.0, 220.0, "公民身份号码"), placed(200.0, 218.0, "11010519491231002X")];
        assert!(!read_fields(&front).0.temporary);
        // Serialised only when set.
        let json = serde_json::to_value(read_fields(&regular).0).unwrap();
        assert!(json.get("temporary").is_none(), "{json}");
    }

    #[test]
    fn back_fields_with_open_end() {
        let lines = vec![
            placed(100.0, 10.0, "中华人民共和国"),
            placed(90.0, 50.0, "居民身份证"),
            placed(50.0, 150.0, "签发机关北京市公安局朝阳分局"),
            placed(50.0, 190.0, "有效期限2015.03.12-长期"),
        ];
        let (f, _) = read_fields(&lines);
        assert_eq!(f.side, Some(Side::Back));
        assert_eq!(f.issued_by.as_deref(), Some("北京市公安局朝阳分局"));
        assert_eq!(f.valid_from.as_deref(), Some("2015-03-12"));
        assert_eq!(f.valid_until.as_deref(), Some("长期"));
    }

    /// Sets the probability of characters `at` of line `line` (counted in characters).
    fn doubt(lines: &mut [Placed], line: usize, at: &[usize], p: f32) {
        for &i in at {
            lines[line].line.chars[i].p = p;
        }
    }

    #[test]
    fn stray_marks_and_look_alike_dots_are_cleaned() {
        let mut lines = vec![
            placed(100.0, 10.0, "中华人民共和国"),
            placed(90.0, 50.0, "居民身份证"),
            placed(50.0, 150.0, "签发机关呼和浩特市公安局S."),
            placed(50.0, 190.0, "有效期限2015.03.12-2035.03.12"),
        ];
        // Sure marks stay: only the recogniser's doubt lets a rule drop a character.
        assert_eq!(read_fields(&lines).0.issued_by.as_deref(), Some("呼和浩特市公安局S."));
        doubt(&mut lines, 2, &[12, 13], 0.2);
        let (f, _) = read_fields(&lines);
        assert_eq!(f.issued_by.as_deref(), Some("呼和浩特市公安局"));
        assert_eq!(f.confidence.get("issued_by"), Some(&0.98));
        let lines = vec![placed(10.0, 10.0, "姓名阿依古丽・买买提"), placed(10.0, 220.0, "公民身份号码11010519491231002X")];
        assert_eq!(read_fields(&lines).0.name.as_deref(), Some("阿依古丽·买买提"));
    }

    #[test]
    fn a_value_beginning_with_a_label_character_keeps_it() {
        let lines = vec![
            placed(100.0, 10.0, "中华人民共和国"),
            placed(90.0, 50.0, "居民身份证"),
            placed(50.0, 150.0, "签发机关关岭县公安局"),
            placed(50.0, 190.0, "有效期限2015.03.12-长期"),
        ];
        assert_eq!(read_fields(&lines).0.issued_by.as_deref(), Some("关岭县公安局"));
        // A misread second label character is skipped only when the recogniser doubted it.
        let mut lines = vec![placed(10.0, 10.0, "姓各王小明"), placed(10.0, 220.0, "公民身份号码11010519491231002X")];
        assert_eq!(read_fields(&lines).0.name.as_deref(), Some("各王小明"));
        doubt(&mut lines, 0, &[1], 0.3);
        assert_eq!(read_fields(&lines).0.name.as_deref(), Some("王小明"));
    }

    #[test]
    fn a_tall_box_does_not_join_rows_and_specks_after_a_label_are_dropped() {
        let mut lines = vec![
            placed(10.0, 10.0, "姓名"),
            placed(60.0, 8.0, "戴馨伟"),
            placed(10.0, 50.0, "性别女"),
            placed(100.0, 51.0, "民族汉"),
            placed(10.0, 90.0, "出生1973年8月3日"),
            placed(10.0, 130.0, "住址吉林省延吉市幸福里70"),
            placed(60.0, 160.0, "7号"),
            placed(10.0, 220.0, "公民身份号码222401197308031026"),
        ];
        // The portrait read as "8": a box as tall as three rows, centred on the 住址 row.
        let mut tall = placed(400.0, 130.0, "8");
        tall.h = 120.0;
        lines.push(tall);
        // A speck read between the label and the name, and one in the label's own box.
        lines[1].line.chars.insert(0, Char { text: "暱".into(), p: 0.05, alt: None });
        lines[5].line.chars.insert(2, Char { text: "司".into(), p: 0.45, alt: None });
        let (f, _) = read_fields(&lines);
        assert_eq!(f.name.as_deref(), Some("戴馨伟"));
        assert_eq!(f.birth.as_deref(), Some("1973-08-03"));
        assert_eq!(f.address.as_deref(), Some("吉林省延吉市幸福里707号"));
    }

    #[test]
    fn a_doubted_stray_character_before_a_place_is_dropped() {
        let ch = |t: &str, p: f32| Char { text: t.into(), p, alt: None };
        let mut lines = vec![
            placed(10.0, 10.0, "姓名戴馨伟"),
            placed(10.0, 130.0, "住址新疆维吾尔自治区乌鲁木齐市天山区"),
            placed(10.0, 220.0, "公民身份号码650102197308031024"),
        ];
        lines[1].line.chars.insert(2, ch("亲", 0.4));
        assert_eq!(read_fields(&lines).0.address.as_deref(), Some("新疆维吾尔自治区乌鲁木齐市天山区"));
        // A sure one is the recogniser's reading, and stays.
        lines[1].line.chars[2].p = 0.97;
        assert_eq!(read_fields(&lines).0.address.as_deref(), Some("亲新疆维吾尔自治区乌鲁木齐市天山区"));
        let mut lines = vec![
            placed(100.0, 10.0, "中华人民共和国"),
            placed(90.0, 50.0, "居民身份证"),
            placed(50.0, 150.0, "签发机关乌鲁木齐市公安局天山区分局"),
            placed(50.0, 190.0, "有效期限2015.03.12-长期"),
        ];
        lines[2].line.chars.insert(4, ch("车", 0.3));
        assert_eq!(read_fields(&lines).0.issued_by.as_deref(), Some("乌鲁木齐市公安局天山区分局"));
        // Without its label too, and a city or county name is a place as well as a province.
        let mut lines = vec![placed(100.0, 10.0, "居民身份证"), placed(120.0, 150.0, "林杭州市公安局"), placed(120.0, 190.0, "2021.12.27-2041.12.27")];
        doubt(&mut lines, 1, &[0], 0.45);
        assert_eq!(read_fields(&lines).0.issued_by.as_deref(), Some("杭州市公安局"));
    }

    #[test]
    fn a_long_province_name_with_one_slip_is_spelled_right() {
        // The address with the characters at `doubted` read at 0.3.
        let addr = |a: &str, doubted: &[usize]| {
            let mut lines =
                vec![placed(10.0, 10.0, "姓名戴馨伟"), placed(10.0, 130.0, &format!("住址{a}")), placed(10.0, 220.0, "公民身份号码650102197308031024")];
            doubt(&mut lines, 1, &doubted.iter().map(|i| i + 2).collect::<Vec<_>>(), 0.3);
            let f = read_fields(&lines).0;
            (f.address.unwrap_or_default(), f.confidence.get("address").copied().unwrap_or_default())
        };
        // A dropped character is added; a misread or doubled one replaced or removed when doubted.
        assert_eq!(addr("新疆维吾尔治区乌鲁木齐市天山区", &[]).0, "新疆维吾尔自治区乌鲁木齐市天山区");
        assert_eq!(addr("广西壮族白治区南宁市青秀区", &[4]), ("广西壮族自治区南宁市青秀区".to_string(), 0.3));
        assert_eq!(addr("内蒙古自自治区呼和浩特市", &[4]).0, "内蒙古自治区呼和浩特市");
        // Read surely, a misread or doubled character stays as read.
        assert_eq!(addr("广西壮族白治区南宁市青秀区", &[]).0, "广西壮族白治区南宁市青秀区");
        assert_eq!(addr("内蒙古自自治区呼和浩特市", &[]).0, "内蒙古自自治区呼和浩特市");
        // Right already, a short name, or two slips: as read.
        assert_eq!(addr("宁夏回族自治区银川市", &[]).0, "宁夏回族自治区银川市");
        assert_eq!(addr("吉林省延吉市幸福里", &[]).0, "吉林省延吉市幸福里");
        assert_eq!(addr("新疆维吾治区乌鲁木齐市", &[3, 4]).0, "新疆维吾治区乌鲁木齐市");
        assert_eq!(edit_distance(&['a', 'b'], &['a', 'c', 'b']), 1);
    }

    #[test]
    fn a_value_that_starts_with_a_place_keeps_its_first_character() {
        assert!(starts_with_place("延吉市公安局"));
        assert!(starts_with_place("内蒙古自治区呼和浩特市"));
        assert!(!starts_with_place("亲新疆"));
        let lines = vec![placed(100.0, 10.0, "居民身份证"), placed(120.0, 150.0, "延吉市公安局"), placed(120.0, 190.0, "2021.12.27-2041.12.27")];
        assert_eq!(read_fields(&lines).0.issued_by.as_deref(), Some("延吉市公安局"));
        // Nothing to gain by dropping: a value that is no place either way stays as read.
        let lines = vec![placed(10.0, 10.0, "姓名戴馨伟"), placed(10.0, 130.0, "住址某某路7号院3栋"), placed(10.0, 220.0, "公民身份号码650102197308031024")];
        assert_eq!(read_fields(&lines).0.address.as_deref(), Some("某某路7号院3栋"));
    }

    #[test]
    fn back_rows_without_their_labels() {
        let lines = vec![
            placed(100.0, 10.0, "中华人民共和国"),
            placed(90.0, 50.0, "居民身份证"),
            placed(120.0, 150.0, "北京市公安局朝阳分局"),
            placed(120.0, 190.0, "2021.12.27-2041.12.27"),
        ];
        let (f, _) = read_fields(&lines);
        assert_eq!(f.side, Some(Side::Back));
        assert_eq!(f.issued_by.as_deref(), Some("北京市公安局朝阳分局"));
        assert_eq!(f.valid_from.as_deref(), Some("2021-12-27"));
        assert_eq!(f.valid_until.as_deref(), Some("2041-12-27"));
    }

    #[test]
    fn a_back_cut_off_with_its_labels_and_an_open_end() {
        // The title and labels out of the photo; the validity one date and 长期: still a back.
        let lines = vec![placed(60.0, 10.0, "样本"), placed(120.0, 150.0, "北京市公安局东城分局"), placed(120.0, 190.0, "2010.10.26-长期")];
        let (f, _) = read_fields(&lines);
        assert_eq!(f.side, Some(Side::Back));
        assert_eq!(f.issued_by.as_deref(), Some("北京市公安局东城分局"));
        assert_eq!(f.valid_from.as_deref(), Some("2010-10-26"));
        assert_eq!(f.valid_until.as_deref(), Some("长期"));
        // A lone date without 长 is no validity (a birth date alone says nothing of the side).
        assert_eq!(read_fields(&[placed(120.0, 150.0, "北京市公安局东城分局"), placed(120.0, 190.0, "2010.10.26")]).0.side, None);
    }

    #[test]
    fn a_date_range_is_not_a_number() {
        let lines = vec![placed(100.0, 10.0, "居民身份证"), placed(120.0, 150.0, "北京市公安局朝阳分局"), placed(120.0, 190.0, "2021.12.27-2041.12.27")];
        assert_eq!(read_fields(&lines).0.side, Some(Side::Back));
    }

    #[test]
    fn a_birth_date_in_separate_boxes_or_full_width_digits_is_read() {
        // 月 and 日 unread: the month and the day are boxes of their own.
        let lines = vec![
            placed(10.0, 10.0, "姓名戴馨伟"),
            placed(10.0, 90.0, "出生"),
            placed(60.0, 90.0, "1965年"),
            placed(200.0, 90.0, "3"),
            placed(260.0, 90.0, "3"),
            placed(10.0, 130.0, "住址吉林省延吉市幸福里８号"),
            placed(10.0, 220.0, "公民身份号码222401196503031026"),
        ];
        let f = read_fields(&lines).0;
        assert_eq!(f.birth.as_deref(), Some("1965-03-03"));
        assert_eq!(f.address.as_deref(), Some("吉林省延吉市幸福里8号"));
        let lines = vec![placed(10.0, 10.0, "姓名戴馨伟"), placed(10.0, 90.0, "出生1996年４月6日"), placed(10.0, 220.0, "公民身份号码222401199604061026")];
        assert_eq!(read_fields(&lines).0.birth.as_deref(), Some("1996-04-06"));
    }

    #[test]
    fn validity_with_end_date() {
        assert_eq!(dates("2010.09.13-2030.09.13"), vec!["2010-09-13", "2030-09-13"]);
        assert_eq!(dates("20100913-20300913"), vec!["2010-09-13", "2030-09-13"]);
        assert_eq!(dates("11954年4月20日"), vec!["1954-04-20"]);
    }
}
