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

// Sample entries (sorted by code) until the generated table replaces them.
static SAMPLE: &[(u32, &[Era])] = &[
    (
        110101,
        &[
            Era { since: 1980, until: None, names: Names { province: "北京市", city: "北京市", district: "东城区" } },
        ],
    ),
    (
        110103,
        &[
            Era { since: 1980, until: Some(2009), names: Names { province: "北京市", city: "北京市", district: "崇文区" } },
        ],
    ),
    (
        110105,
        &[
            Era { since: 1980, until: None, names: Names { province: "北京市", city: "北京市", district: "朝阳区" } },
        ],
    ),
    (
        150105,
        &[
            Era { since: 2000, until: None, names: Names { province: "内蒙古自治区", city: "呼和浩特市", district: "赛罕区" } },
        ],
    ),
    (
        362324,
        &[
            Era { since: 1980, until: Some(1981), names: Names { province: "江西省", city: "宜春地区", district: "丰城县" } },
            Era { since: 1982, until: Some(2000), names: Names { province: "江西省", city: "上饶地区", district: "铅山县" } },
            Era { since: 2001, until: None, names: Names { province: "江西省", city: "上饶市", district: "铅山县" } },
        ],
    ),
    (
        420602,
        &[
            Era { since: 1984, until: Some(2010), names: Names { province: "湖北省", city: "襄樊市", district: "襄城区" } },
            Era { since: 2011, until: None, names: Names { province: "湖北省", city: "襄阳市", district: "襄城区" } },
        ],
    ),
    (
        429004,
        &[
            Era { since: 1987, until: None, names: Names { province: "湖北省", city: "", district: "仙桃市" } },
        ],
    ),
    (
        441900,
        &[
            Era { since: 1988, until: None, names: Names { province: "广东省", city: "东莞市", district: "" } },
        ],
    ),
    (
        500154,
        &[
            Era { since: 2016, until: None, names: Names { province: "重庆市", city: "重庆市", district: "开州区" } },
        ],
    ),
    (
        810000,
        &[
            Era { since: 1997, until: None, names: Names { province: "香港特别行政区", city: "", district: "" } },
        ],
    ),
    (
        820000,
        &[
            Era { since: 1999, until: None, names: Names { province: "澳门特别行政区", city: "", district: "" } },
        ],
    ),
    (
        830000,
        &[
            Era { since: 1980, until: None, names: Names { province: "台湾省", city: "", district: "" } },
        ],
    ),
];

/// Looks a six-digit code up. Does not allocate.
pub fn lookup(code: u32) -> Option<Entry> {
    SAMPLE
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| Entry { code, eras: SAMPLE[i].1 })
}
