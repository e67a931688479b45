//! Which read fields the clerk should check against the card: those whose confidence (the
//! recogniser's least character probability over what was kept for the field, see
//! [`crate::ocr::layout`]) falls below the field's threshold.
//!
//! The thresholds were chosen with `examples/ocr_accuracy.rs`, which prints the confidence of
//! right and wrong fields per field: each is set where the wrong readings fall below it while
//! few right ones do, or, for a field read wrong too rarely to tell, just under nearly all right
//! ones.

use crate::card::CardFields;

/// Name: a rare character misread as a common look-alike (璃 for 瑀) is often read without
/// full certainty, so the name's threshold stands higher than most. Chosen on the independent
/// generator's tuning sets (`scripts/gen_photos.py`, seeds 1 to 3) and on
/// `scripts/gen_cards.py`'s (seeds 1 and 2, and addresses the recogniser tends to skip a
/// character of).
pub const NAME: f32 = 0.75;
/// Sex: one character of two; right readings are nearly always sure. Chosen on the same sets as
/// [`NAME`].
pub const SEX: f32 = 0.5;
/// Ethnicity, mapped onto the closed set of 56. Chosen on the same sets as [`NAME`].
pub const ETHNICITY: f32 = 0.7;
/// Birth date, with its printed 年 月 日. Chosen on the same sets as [`NAME`].
pub const BIRTH: f32 = 0.6;
/// Address: the longest field, where a stray mark by the label or a character the greedy decoder
/// skipped (put back with its low probability) shows. Chosen on the same sets as [`NAME`].
pub const ADDRESS: f32 = 0.6;
/// ID number: a corrected character counts with its runner-up's probability. Set high: a wrong
/// digit costs most, and wrong numbers read below it on those sets. Chosen on the same sets as
/// [`NAME`].
pub const NUMBER: f32 = 0.8;
/// Issuing authority. Chosen on the same sets as [`NAME`].
pub const ISSUED_BY: f32 = 0.7;
/// Start of validity. Chosen on the same sets as [`NAME`].
pub const VALID_FROM: f32 = 0.7;
/// End of validity (or 长期). Chosen on the same sets as [`NAME`].
pub const VALID_UNTIL: f32 = 0.7;

/// Each field with its threshold.
pub const THRESHOLDS: [(&str, f32); 9] = [
    ("name", NAME),
    ("sex", SEX),
    ("ethnicity", ETHNICITY),
    ("birth", BIRTH),
    ("address", ADDRESS),
    ("number", NUMBER),
    ("issued_by", ISSUED_BY),
    ("valid_from", VALID_FROM),
    ("valid_until", VALID_UNTIL),
];

/// The names of the fields read with a confidence below their threshold, in the card's order.
/// A field that was not read, or read without a confidence, is not listed: an empty field shows
/// itself.
pub fn doubtful(fields: &CardFields) -> Vec<&'static str> {
    THRESHOLDS.iter().filter(|(k, t)| fields.confidence.get(*k).is_some_and(|c| c < t)).map(|(k, _)| *k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_below_their_threshold_are_doubtful() {
        let mut f = CardFields { name: Some("甲".into()), address: Some("乙".into()), number: Some("1".into()), ..Default::default() };
        f.confidence.insert("name".into(), NAME - 0.01);
        f.confidence.insert("address".into(), 0.999);
        f.confidence.insert("number".into(), 0.05);
        assert_eq!(doubtful(&f), vec!["name", "number"]);
        f.confidence.insert("name".into(), NAME);
        assert_eq!(doubtful(&f), vec!["number"]);
    }

    #[test]
    fn nothing_read_is_nothing_doubtful() {
        assert!(doubtful(&CardFields::default()).is_empty());
        for (k, t) in THRESHOLDS {
            assert!((0.0..1.0).contains(&t), "{k}");
        }
    }
}
