//! Turns what a clerk typed or an OCR returned into the canonical ASCII form of a number, and
//! says what it changed.
//!
//! Only harmless differences are normalised (whitespace, separators, full width, a lower-case
//! `x`); any other character is kept so that validation can point at it as a format error and
//! nothing the user typed is lost.

use super::findings::{Note, NoteKind};

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}')
}

/// Whether `s` is already canonical (ASCII digits and `X` only, or a 2017-edition
/// 外国人永久居留身份证 number: three capitals and 12 digits): no work to do.
pub fn is_canonical(s: &[u8]) -> bool {
    s.iter().all(|&b| b.is_ascii_digit() || b == b'X') || (s.len() == 15 && s[..3].iter().all(u8::is_ascii_uppercase) && s[3..].iter().all(u8::is_ascii_digit))
}

/// The normalised number and one note per kind of change, in a fixed order.
pub fn normalise(input: &str) -> (String, Vec<Note>) {
    if is_canonical(input.as_bytes()) {
        return (input.to_string(), Vec::new());
    }
    let mut seen = [false; 7];
    let mut mark = |k: NoteKind| seen[k as usize] = true;

    let trimmed = input.trim_matches(|c: char| c.is_whitespace() || is_zero_width(c));
    if trimmed.len() != input.len() {
        let start = input.len() - input.trim_start_matches(|c: char| c.is_whitespace() || is_zero_width(c)).len();
        let edges = input[..start].chars().chain(input[start + trimmed.len()..].chars());
        for c in edges {
            mark(if is_zero_width(c) { NoteKind::ZeroWidth } else { NoteKind::Whitespace });
        }
    }

    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            '0'..='9' | 'X' => out.push(c),
            ' ' | '\u{3000}' | '\u{00A0}' => mark(NoteKind::InnerSpace),
            c if is_hyphen(c) => mark(NoteKind::Hyphen),
            c if is_zero_width(c) => mark(NoteKind::ZeroWidth),
            '０'..='９' => {
                mark(NoteKind::FullWidth);
                out.push((b'0' + (c as u32 - '０' as u32) as u8) as char);
            }
            'Ｘ' => {
                mark(NoteKind::FullWidth);
                out.push('X');
            }
            'ｘ' => {
                mark(NoteKind::FullWidth);
                mark(NoteKind::LowercaseX);
                out.push('X');
            }
            'x' => {
                mark(NoteKind::LowercaseX);
                out.push('X');
            }
            other => out.push(other),
        }
    }
    // A character kept for the error message may now stand at an edge ("-\t1…"): trim again
    // so that normalising is idempotent.
    let end_trimmed = out.trim_matches(char::is_whitespace);
    if end_trimmed.len() != out.len() {
        mark(NoteKind::Whitespace);
        out = end_trimmed.to_string();
    }
    // A 2017-edition 外国人永久居留身份证 number typed in lower case (`kaz…`, or `meX…` after
    // the `x` above): its letters are capitals.
    let b = out.as_bytes();
    if b.len() == 15 && b[..3].iter().all(u8::is_ascii_alphabetic) && b[3..].iter().all(u8::is_ascii_digit) && b[..3].iter().any(u8::is_ascii_lowercase) {
        mark(NoteKind::LowercaseLetters);
        out.make_ascii_uppercase();
    }
    const ORDER: [NoteKind; 7] = [
        NoteKind::Whitespace,
        NoteKind::InnerSpace,
        NoteKind::Hyphen,
        NoteKind::ZeroWidth,
        NoteKind::FullWidth,
        NoteKind::LowercaseX,
        NoteKind::LowercaseLetters,
    ];
    let notes = ORDER.iter().filter(|k| seen[**k as usize]).map(|k| k.note()).collect();
    (out, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> (String, Vec<NoteKind>) {
        let (n, notes) = normalise(s);
        (n, notes.into_iter().map(|n| n.kind).collect())
    }

    #[test]
    fn canonical_input_is_untouched() {
        assert_eq!(kinds("11010519491231002X"), ("11010519491231002X".into(), vec![]));
    }

    #[test]
    fn whitespace_at_the_edges() {
        assert_eq!(kinds("\u{3000} 110105\u{a0}\t\n").1, vec![NoteKind::Whitespace]);
        assert_eq!(kinds("\u{200b}110105").1, vec![NoteKind::ZeroWidth]);
    }

    #[test]
    fn separators_inside() {
        assert_eq!(kinds("110101 19900307 1234"), ("110101199003071234".into(), vec![NoteKind::InnerSpace]));
        assert_eq!(kinds("110101\u{3000}19900307-123\u{200b}4").1, vec![NoteKind::InnerSpace, NoteKind::Hyphen, NoteKind::ZeroWidth]);
        assert_eq!(kinds("110101–1990").0, "1101011990");
    }

    #[test]
    fn full_width_and_lower_case() {
        assert_eq!(kinds("１１０１０５ｘ"), ("110105X".into(), vec![NoteKind::FullWidth, NoteKind::LowercaseX]));
        assert_eq!(kinds("１１Ｘ"), ("11X".into(), vec![NoteKind::FullWidth]));
        assert_eq!(kinds("11x"), ("11X".into(), vec![NoteKind::LowercaseX]));
    }

    #[test]
    fn other_characters_are_kept() {
        assert_eq!(kinds("11O1\t05A").0, "11O1\t05A");
        assert_eq!(kinds("身份证110").0, "身份证110");
    }
}
