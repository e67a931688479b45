//! The region timeline: every county-level code of the 民政部 lists since 1980.
//!
//! CONTRACT STUB: the signatures below are the API the rest of the crate uses; the generated
//! table replaces the tiny sample behind them.

use serde::Serialize;

/// Names of a code at one time. Empty strings where a level does not exist (a 省直辖县级 place
/// has no city; a prefecture city without districts has no district).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Names {
    pub province: &'static str,
    pub city: &'static str,
    pub district: &'static str,
}

/// A span of years (inclusive) in which a code stood in the lists with the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Era {
    pub since: u16,
    /// `None`: still in force.
    pub until: Option<u16>,
    #[serde(flatten)]
    pub names: Names,
}

/// One code and its whole history. Cheap to copy; all data is static.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    code: u32,
    eras: &'static [Era],
}

impl Entry {
    pub fn code(&self) -> u32 {
        self.code
    }
    /// Every span of names, oldest first.
    pub fn history(&self) -> &'static [Era] {
        self.eras
    }
    /// The main answer: today's names for a code in force, else its last names.
    pub fn current(&self) -> Names {
        self.eras.last().expect("an entry has at least one era").names
    }
    pub fn abolished(&self) -> bool {
        self.eras.last().is_some_and(|e| e.until.is_some())
    }
    pub fn since(&self) -> u16 {
        self.eras[0].since
    }
    pub fn until(&self) -> Option<u16> {
        self.eras.last().and_then(|e| e.until)
    }
    /// What the code meant in `year`, if it was in the lists then.
    pub fn at_year(&self, year: u16) -> Option<&'static Era> {
        self.eras.iter().find(|e| e.since <= year && e.until.map_or(true, |u| year <= u))
    }
}

static SAMPLE: &[(u32, &[Era])] = &[(
    110101,
    &[Era { since: 1980, until: None, names: Names { province: "北京市", city: "北京市", district: "东城区" } }],
)];

/// Looks a six-digit code up. Does not allocate.
pub fn lookup(code: u32) -> Option<Entry> {
    SAMPLE
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| Entry { code, eras: SAMPLE[i].1 })
}
