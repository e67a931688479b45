//! Masking of personal data for display, logs, storage and exports.
//!
//! One function per kind of value, called by everything else, so there is exactly one rule.

/// Masks an ID number as its first 3 and last 4 characters: `110***********002X`.
/// Shorter inputs (7 characters or fewer) are masked whole.
pub fn number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..3]);
    out.extend(std::iter::repeat_n('*', chars.len() - 7));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// Masks a name as its first character followed by `*`: `张*`, `欧*`.
pub fn name(n: &str) -> String {
    let n = n.trim();
    match n.chars().next() {
        Some(c) => format!("{c}*"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn number_keeps_three_and_four() {
        assert_eq!(super::number("11010519491231002X"), "110***********002X");
        assert_eq!(super::number("110105491231002"), "110********1002");
        assert_eq!(super::number("1234567"), "*******");
    }

    #[test]
    fn name_keeps_first_character() {
        assert_eq!(super::name("张三"), "张*");
        assert_eq!(super::name("欧阳娜娜"), "欧*");
        assert_eq!(super::name(""), "");
    }
}
