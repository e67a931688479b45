//! Small normalisations of what vendors return: dates, sexes, ethnicities.
//!
//! Vendors print dates as `1990-01-01`, `19900101`, `1990.01.01`, `1990/1/1` or
//! `1990年01月01日`; the rest of the app only ever sees YYYY-MM-DD (or `长期`).

/// Normalises a date to YYYY-MM-DD. `长期` (and its variants) stays `长期`. Returns `None`
/// for text that is not a date.
pub fn date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.contains("长期") || s.eq_ignore_ascii_case("long-term") || s.eq_ignore_ascii_case("longterm") {
        return Some("长期".to_string());
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let (y, m, d) = if digits.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        (digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..8].parse().ok()?)
    } else {
        let parts: Vec<&str> = s.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).collect();
        if parts.len() != 3 || parts[0].len() != 4 {
            return None;
        }
        (parts[0].parse::<u32>().ok()?, parts[1].parse::<u32>().ok()?, parts[2].parse::<u32>().ok()?)
    };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || !(1850..=2200).contains(&y) {
        return None;
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `男`/`女`, also from `M`/`F`/`male`/`female`.
pub fn sex(s: &str) -> Option<String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "男" | "m" | "male" => Some("男".into()),
        "女" | "f" | "female" => Some("女".into()),
        "" => None,
        other => Some(other.to_string()),
    }
}

/// 民族 without the 族 suffix (`汉族` → `汉`).
pub fn ethnicity(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_suffix('族').unwrap_or(s);
    (!s.is_empty()).then(|| s.to_string())
}

/// A non-empty trimmed string, or `None`.
pub fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::date;

    #[test]
    fn dates_in_every_vendor_format() {
        for s in ["1990-01-01", "19900101", "1990.01.01", "1990/1/1", "1990年01月01日", "1990年1月1日", " 1990-1-1 "] {
            assert_eq!(date(s).as_deref(), Some("1990-01-01"), "{s}");
        }
        assert_eq!(date("长期").as_deref(), Some("长期"));
        assert_eq!(date("2035.03.07").as_deref(), Some("2035-03-07"));
        assert_eq!(date("1990-02-30"), None);
        assert_eq!(date("19****16"), None);
        assert_eq!(date(""), None);
        assert_eq!(date("2000-02-29").as_deref(), Some("2000-02-29"));
        assert_eq!(date("1900-02-29"), None);
    }
}
