//! Photos of one card in two files, and rows that repeat one another.
//!
//! A folder from a front desk often holds each card twice: the front (姓名页) and the back
//! (国徽页), photographed one after the other. The back carries no name or number, so as a
//! row of its own it could only fail; paired with its front it adds the validity period, and
//! an expired card is flagged before anything is paid. Pairing uses what a reviewer would:
//! file names that differ only by a side word (`zhang_front.jpg` / `zhang_back.jpg`,
//! `001正面.jpg` / `001反面.jpg`), else the neighbouring photo in file order.
//!
//! Repeats are flagged for the reviewer, and the same check in one batch is paid once: a row
//! with the same name and number as an earlier row, or read from the same photo bytes, is not
//! sent but takes the earlier row's answer. One number under two names is flagged on both
//! rows (and both are checked: each name is its own question).

use super::input::Row;
use super::state::RowKeys;
use crate::card::{CardFields, Side};
use crate::i18n::Msg;

/// Side words stripped from a file stem before stems are compared (longest first, so 正面
/// goes before 正). Lower-case: stems are compared lower-cased.
const SIDE_WORDS: &[&str] =
    &["人像面", "国徽面", "姓名页", "国徽页", "正面", "反面", "背面", "front", "back", "reverse", "正", "反", "背", "face", "obverse", "rear"];

/// A file stem without its side word and the separators around it (what a front and a back of
/// one card share), or `None` when the name holds no side word.
pub(crate) fn card_stem(file_name: &str) -> Option<String> {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s).to_lowercase();
    let w = SIDE_WORDS.iter().find(|w| stem.contains(*w))?;
    let at = stem.rfind(w)?;
    let mut out = stem;
    out.replace_range(at..at + w.len(), "");
    let out = out.trim_matches(|c: char| matches!(c, '_' | '-' | ' ' | '.' | '(' | ')' | '（' | '）')).to_string();
    (!out.is_empty()).then_some(out)
}

/// What one photo of a folder was read as, for pairing.
pub(crate) struct Photo<'a> {
    pub file_name: String,
    pub fields: Option<&'a CardFields>,
}

impl Photo<'_> {
    fn side(&self) -> Option<Side> {
        let f = self.fields?;
        let has = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        match f.side {
            Some(s) => Some(s),
            None if has(&f.name) || has(&f.number) => Some(Side::Front),
            None if has(&f.valid_until) || has(&f.issued_by) => Some(Side::Back),
            None => None,
        }
    }
    /// A photo that holds both sides (read as one card with both halves) needs no partner.
    fn whole(&self) -> bool {
        self.fields.is_some_and(|f| {
            let has = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
            (has(&f.name) || has(&f.number)) && (has(&f.valid_until) || has(&f.issued_by))
        })
    }
}

/// For each photo, the front it is the back of (`Some(front index)`), in file order. A back
/// pairs with the front whose file stem it shares once the side words are removed; failing
/// that, with the front just before it, else just after it, when that front has no back yet
/// and no stem partner of its own elsewhere.
pub(crate) fn pair_backs(photos: &[Photo]) -> Vec<Option<usize>> {
    let n = photos.len();
    let mut back_of = vec![None; n];
    let mut taken = vec![false; n];
    let is_front = |i: usize| photos[i].side() == Some(Side::Front) && !photos[i].whole();
    let is_back = |i: usize| photos[i].side() == Some(Side::Back) && !photos[i].whole();
    let stems: Vec<Option<String>> = photos.iter().map(|p| card_stem(&p.file_name)).collect();
    let same_stem = |a: usize, b: usize| stems[a].is_some() && stems[a] == stems[b];
    // By name first: the strongest evidence.
    for b in (0..n).filter(|&b| is_back(b)) {
        if let Some(f) = (0..n).find(|&f| f != b && is_front(f) && !taken[f] && same_stem(f, b)) {
            back_of[b] = Some(f);
            taken[f] = true;
        }
    }
    // Then by file order, for backs without a named partner.
    let has_named_partner = |f: usize| (0..n).any(|b| b != f && is_back(b) && same_stem(f, b));
    for b in 0..n {
        if !is_back(b) || back_of[b].is_some() {
            continue;
        }
        let free = |f: usize| is_front(f) && !taken[f] && !has_named_partner(f);
        let pick = [b.checked_sub(1), Some(b + 1).filter(|&f| f < n)].into_iter().flatten().find(|&f| free(f));
        if let Some(f) = pick {
            back_of[b] = Some(f);
            taken[f] = true;
        }
    }
    back_of
}

/// Why a row is not sent: it repeats an earlier row of the same batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// The same name and number.
    SamePair,
    /// The same photo file bytes.
    SamePhoto,
}

/// The earlier row (by position) a row repeats, and why.
pub(crate) type RepeatOf = (usize, Repeat);

/// For each row, the earlier row it repeats (by position in `rows`), and the notes every row
/// gets: repeats, and one number under several names.
pub(crate) fn repeats(rows: &[Row], keys: &[Option<RowKeys>]) -> (Vec<Option<RepeatOf>>, Vec<Vec<Msg>>) {
    let n = rows.len();
    let mut same = vec![None; n];
    let mut notes = vec![Vec::new(); n];
    let row_no = |i: usize| rows[i].index + 1;
    for i in 0..n {
        let Some(k) = &keys[i] else { continue };
        let earlier = (0..i).find_map(|j| {
            let kj = keys[j].as_ref()?;
            if k.photo.is_some() && kj.photo == k.photo {
                Some((j, Repeat::SamePhoto))
            } else if kj.pair == k.pair {
                Some((j, Repeat::SamePair))
            } else {
                None
            }
        });
        if let Some((j, why)) = earlier {
            same[i] = Some((j, why));
            notes[i].push(match why {
                Repeat::SamePhoto => Msg::new(
                    format!("与第 {} 行是同一张照片：只核验一次，不重复付费。", row_no(j)),
                    format!("The same photo as row {}: checked once, not paid for again.", row_no(j)),
                ),
                Repeat::SamePair => Msg::new(
                    format!("与第 {} 行姓名和号码相同：只核验一次，不重复付费。", row_no(j)),
                    format!("The same name and number as row {}: checked once, not paid for again.", row_no(j)),
                ),
            });
        }
    }
    // One number under two names: each name is its own question, both are checked and flagged.
    let number = |r: &Row| {
        let c = crate::id::check(r.number.expose());
        (c.is_valid() && r.read_error.is_none()).then(|| crate::audit::normalise(c.number18()))
    };
    let numbers: Vec<Option<String>> = rows.iter().map(number).collect();
    for i in 0..n {
        let Some(ni) = &numbers[i] else { continue };
        let others: Vec<usize> =
            (0..n).filter(|&j| j != i && numbers[j].as_ref() == Some(ni) && rows[j].name.expose().trim() != rows[i].name.expose().trim()).map(row_no).collect();
        if !others.is_empty() {
            let list = others.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("、");
            let list_en = others.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
            notes[i].push(Msg::new(
                format!("同一号码在第 {list} 行对应另一个姓名：请核对哪一个正确。"),
                format!("The same number appears under another name on row {list_en}: check which is right."),
            ));
        }
    }
    (same, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_words_are_stripped_from_stems() {
        let stem = |s: &str| card_stem(s).unwrap_or_default();
        assert_eq!(stem("zhang_front.jpg"), "zhang");
        assert_eq!(stem("zhang-back.JPG"), "zhang");
        assert_eq!(stem("001正面.jpg"), "001");
        assert_eq!(stem("001反面.png"), "001");
        // 正面 is removed whole, not as 正 leaving 面.
        assert_eq!(stem("李四 正面.jpg"), "李四");
        assert_eq!(card_stem("IMG_0001.jpg"), None);
        assert_eq!(card_stem("front.jpg"), None);
    }

    fn fields(side: Side) -> CardFields {
        match side {
            Side::Front => CardFields { side: Some(side), name: Some("张三".into()), number: Some("1".into()), ..Default::default() },
            Side::Back => CardFields { side: Some(side), valid_until: Some("2030.01.01".into()), ..Default::default() },
        }
    }

    fn photo<'a>(name: &str, fl: &'a CardFields) -> Photo<'a> {
        Photo { file_name: name.into(), fields: Some(fl) }
    }

    #[test]
    fn backs_pair_by_name_then_by_order() {
        let (f, b) = (fields(Side::Front), fields(Side::Back));
        // Named pairs, listed out of step: a_back sorts before b_front.
        let photos = [photo("a_back.jpg", &b), photo("a_front.jpg", &f), photo("b_back.jpg", &b), photo("b_front.jpg", &f)];
        assert_eq!(pair_backs(&photos), [Some(1), None, Some(3), None]);
        // Unnamed: each back goes with the front before it.
        let photos = [photo("1.jpg", &f), photo("2.jpg", &b), photo("3.jpg", &f), photo("4.jpg", &b)];
        assert_eq!(pair_backs(&photos), [None, Some(0), None, Some(2)]);
        // A back with no front beside it stays unpaired; a front is never taken twice.
        let photos = [photo("1.jpg", &f), photo("2.jpg", &b), photo("3.jpg", &b)];
        assert_eq!(pair_backs(&photos), [None, Some(0), None]);
        // An unreadable photo between them breaks the order pairing.
        let none = Photo { file_name: "2.jpg".into(), fields: None };
        let photos = [photo("1.jpg", &f), none, photo("3.jpg", &b)];
        assert_eq!(pair_backs(&photos), [None, None, None]);
    }
}
