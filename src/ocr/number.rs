//! Turning the recognised 公民身份号码 line into an ID number, through the core's check.
//!
//! OCR confuses a few letters with digits (O/0, I/1, B/8, Z/2, S/5). Such a letter can only be
//! a digit in an ID number, so it is read as one; where the read number fails its check digit
//! and one character's runner-up class makes it hold, that correction is taken — and either
//! way the reading says so, so the clerk compares that position with the card.

use super::rec::Char;
use crate::i18n::Msg;

/// The number made of `chars` and any notes about corrections, plus its confidence: the least
/// probability of its characters, a corrected one counting with its runner-up's probability.
pub fn repair(chars: &[Char]) -> (String, Vec<Msg>, f32) {
    let mut notes = Vec::new();
    let mut digits: Vec<(char, &Char)> = Vec::new();
    let mut swapped: Vec<(usize, char, char)> = Vec::new();
    for c in chars {
        let Some(ch) = c.text.chars().next() else { continue };
        if let Some(d) = as_digit(ch) {
            if d != ch && !(d == 'X' && ch.eq_ignore_ascii_case(&'x')) {
                swapped.push((digits.len(), ch, d));
            }
            digits.push((d, c));
        }
    }
    // An X can only be the check character.
    let mut number: String = digits.iter().map(|(d, _)| *d).collect();
    let mut p = digits.iter().map(|(_, c)| c.p).reduce(f32::min).unwrap_or(0.0);
    let valid = |s: &str| crate::id::check(s).is_valid();
    if !valid(&number) && number.chars().count() == 18 {
        // Try the runner-up of each character, least sure first.
        let mut idx: Vec<usize> = (0..digits.len()).collect();
        idx.sort_by(|&a, &b| digits[a].1.p.total_cmp(&digits[b].1.p));
        let mut fixes = Vec::new();
        for i in idx {
            let Some((alt, _)) = &digits[i].1.alt else { continue };
            let Some(a) = alt.chars().next().and_then(as_digit) else { continue };
            let mut cand: Vec<char> = number.chars().collect();
            let was = cand[i];
            if a == was {
                continue;
            }
            cand[i] = a;
            let cand: String = cand.into_iter().collect();
            if valid(&cand) {
                fixes.push((i, was, a, cand, digits[i].1.alt.as_ref().map_or(0.0, |(_, q)| *q)));
            }
        }
        if let [(i, was, a, cand, q)] = fixes.as_slice() {
            p = p.min(*q);
            notes.push(Msg::new(
                format!("身份证号码第 {} 位识别为“{}”，按校验码更正为“{}”，请与证件核对。", i + 1, was, a),
                format!("Character {} of the ID number read as '{}' was corrected to '{}' to match the check digit; compare it with the card.", i + 1, was, a),
            ));
            number = cand.clone();
        }
    }
    for (i, from, to) in swapped {
        notes.push(Msg::new(
            format!("身份证号码第 {} 位识别为“{}”，已按数字“{}”读取，请与证件核对。", i + 1, from, to),
            format!("Character {} of the ID number read as '{}' was taken as the digit '{}'; compare it with the card.", i + 1, from, to),
        ));
    }
    if !valid(&number) {
        notes.push(Msg::new(
            "识别出的身份证号码未通过校验，请对照证件手工更正。",
            "The ID number as read fails its check digit; correct it by hand from the card.",
        ));
    }
    (number, notes, p)
}

/// The digit (or check character X) an OCR character stands for, if any.
fn as_digit(c: char) -> Option<char> {
    let c = match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32)?,
        'Ｘ' | 'ｘ' | '×' => 'X',
        c => c,
    };
    Some(match c {
        '0'..='9' => c,
        'X' | 'x' => 'X',
        'O' | 'o' | 'D' | 'Q' => '0',
        'I' | 'l' | '|' | 'i' => '1',
        'B' => '8',
        'Z' | 'z' => '2',
        'S' | 's' => '5',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<Char> {
        s.chars().map(|c| Char { text: c.to_string(), p: 0.99, alt: None }).collect()
    }

    #[test]
    fn valid_number_passes_unchanged() {
        let (n, notes, _) = repair(&chars("11010519491231002X"));
        assert_eq!(n, "11010519491231002X");
        assert!(notes.is_empty());
    }

    #[test]
    fn letter_confusions_become_digits_with_a_note() {
        let (n, notes, _) = repair(&chars("11O1O519491231002X"));
        assert_eq!(n, "11010519491231002X");
        assert_eq!(notes.len(), 2);
        assert!(notes[0].en.contains("Character 3"));
    }

    #[test]
    fn runner_up_that_makes_the_check_hold_is_taken() {
        let mut c = chars("11010519491231007X");
        c[16].p = 0.4;
        c[16].alt = Some(("2".into(), 0.35));
        let (n, notes, p) = repair(&c);
        assert_eq!(n, "11010519491231002X");
        assert!(notes[0].en.contains("Character 17"));
        // The corrected character counts with its runner-up's probability.
        assert_eq!(p, 0.35);
    }

    #[test]
    fn wrong_number_is_kept_and_flagged() {
        let (n, notes, _) = repair(&chars("110105194912310021"));
        assert_eq!(n, "110105194912310021");
        assert!(notes.last().unwrap().en.contains("fails its check digit"));
    }
}
