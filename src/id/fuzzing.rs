//! The body of the parser's fuzz target (`fuzz/fuzz_targets/parse.rs`), here so that ordinary
//! tests can run it over a few hundred inputs without a nightly toolchain.
//!
//! It asserts the invariants of [`super::check`]: no panic on any input, the fast and slow
//! paths agree, a valid number has no reasons and an invalid one has at least one, output
//! serialises, and checking the normalised number again gives the same verdict.

use super::{check_at, validate_fast, Date, FailBits, Generation, ReasonKind};

/// Checks one arbitrary input; panics when an invariant breaks.
pub fn parse_one(data: &[u8]) {
    let today = Date::new(2026, 6, 1).expect("a date");
    let input = String::from_utf8_lossy(data);
    let c = check_at(&input, today);

    assert_eq!(c.valid, c.reasons.is_empty(), "valid iff no reasons: {:?}", c.reasons);
    assert_eq!(c.valid, c.birth_date.is_some());
    let json = serde_json::to_string(&c).expect("serialises");
    assert!(json.starts_with('{'));

    let fast = validate_fast(c.number.as_bytes(), today);
    let foreign = super::foreign::looks_foreign(c.number.as_bytes()).is_some();
    assert_eq!(fast.is_err_and(|b| b.intersects(FailBits::FOREIGN)), foreign, "the fast path tells foreign numbers apart");
    assert_eq!(c.foreign.is_some(), foreign && c.valid);
    assert_eq!(fast.is_ok(), c.valid && !foreign);
    if foreign {
        for r in &c.reasons {
            assert!(!r.message.zh.is_empty() && !r.message.en.is_empty());
            assert_eq!(r.expected.is_some(), r.kind == ReasonKind::Checksum);
        }
    } else if let Err(bits) = fast {
        let has = |k: ReasonKind| c.reasons.iter().any(|r| r.kind == k);
        if !bits.intersects(FailBits::FORMAT | FailBits::LENGTH) {
            assert_eq!(bits.intersects(FailBits::REGION), has(ReasonKind::Region));
            assert_eq!(bits.intersects(FailBits::DATE), has(ReasonKind::Date));
            assert_eq!(bits.intersects(FailBits::CHECKSUM), has(ReasonKind::Checksum));
        }
        for r in &c.reasons {
            assert!(!r.message.zh.is_empty() && !r.message.en.is_empty());
            assert_eq!(r.expected.is_some(), r.kind == ReasonKind::Checksum);
        }
    }
    if let Ok(f) = fast {
        assert_eq!(f.generation == Generation::Fifteen, c.upgraded.is_some());
        if let Some(up) = &c.upgraded {
            let again = check_at(up, today);
            assert!(again.valid, "upgraded form of a valid number is valid");
            assert_eq!(again.birth_date, c.birth_date);
            assert_eq!(again.sex, c.sex);
        }
    }

    // Normalising is idempotent: the normalised number needs no further change.
    let again = check_at(&c.number, today);
    assert!(again.normalised.is_empty(), "{:?}", again.normalised);
    assert_eq!(again.number, c.number);
    assert_eq!(again.valid, c.valid);

    let _ = crate::mask::number(&c.number);
}
