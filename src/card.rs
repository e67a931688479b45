//! The fields read off a card, whoever read them (a vendor's OCR or the local engine).
//!
//! One normalised shape so the window, the command and the audit trail never care which
//! engine read the photo.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which side of the card a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// 姓名页: name, sex, ethnicity, birth, address, number.
    Front,
    /// 国徽页: issuing authority and validity period.
    Back,
}

/// Normalised card fields. Every field is optional: a photo of the back has no name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CardFields {
    pub side: Option<Side>,
    pub name: Option<String>,
    /// The ID number as read (not yet validated; run it through [`crate::id::check`]).
    pub number: Option<String>,
    /// 男 / 女 as printed.
    pub sex: Option<String>,
    /// 民族 without the 族 suffix, as printed: 汉, 回, 维吾尔.
    pub ethnicity: Option<String>,
    /// Birth date as YYYY-MM-DD.
    pub birth: Option<String>,
    pub address: Option<String>,
    pub issued_by: Option<String>,
    /// Validity start as YYYY-MM-DD.
    pub valid_from: Option<String>,
    /// Validity end as YYYY-MM-DD, or `长期` for a card without end.
    pub valid_until: Option<String>,
    /// Confidence in 0..=1 per field name (`name`, `number`, ...), where the engine gives one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub confidence: BTreeMap<String, f32>,
    /// The card is a 临时居民身份证 (temporary resident ID card, valid three months at most):
    /// its title was read. Vendors' readings leave it false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub temporary: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl CardFields {
    /// The sides whose fields this reading holds: a front read together with its back (one
    /// photo holding both, see [`holders`]) holds both.
    pub fn sides(&self) -> Vec<Side> {
        let back = [&self.issued_by, &self.valid_from, &self.valid_until].iter().any(|v| v.as_deref().is_some_and(|s| !s.is_empty()));
        match self.side {
            Some(Side::Front) if back => vec![Side::Front, Side::Back],
            Some(s) => vec![s],
            None => Vec::new(),
        }
    }

    /// Adds the back's fields (issuing authority, validity) to this front's, keeping any already
    /// read.
    pub fn add_back(&mut self, back: &CardFields) {
        for (mine, theirs) in [(&mut self.issued_by, &back.issued_by), (&mut self.valid_from, &back.valid_from), (&mut self.valid_until, &back.valid_until)] {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
        for (k, v) in &back.confidence {
            self.confidence.entry(k.clone()).or_insert(*v);
        }
        self.temporary |= back.temporary;
    }
}

/// The cards of the holders in one photo, from each card's reading and its centre in the photo.
///
/// A front and a back in one photo are one person's card (the usual photo of both sides): the
/// back's fields join the front's. With several fronts, each back goes with the nearest front:
/// all front–back pairs are taken by distance between centres, shortest first, each front and
/// back used once. A back left over (more backs than fronts) is a card of its own. Fronts keep
/// their order, then the backs left over in theirs.
pub fn holders(read: Vec<(CardFields, (f64, f64))>) -> Vec<CardFields> {
    let is = |f: &CardFields, s: Side| f.side == Some(s);
    let fronts: Vec<usize> = (0..read.len()).filter(|&i| !is(&read[i].0, Side::Back)).collect();
    let backs: Vec<usize> = (0..read.len()).filter(|&i| is(&read[i].0, Side::Back)).collect();
    let dist = |a: usize, b: usize| ((read[a].1 .0 - read[b].1 .0).powi(2) + (read[a].1 .1 - read[b].1 .1).powi(2)).sqrt();
    let mut pairs: Vec<(usize, usize)> = fronts.iter().filter(|&&f| is(&read[f].0, Side::Front)).flat_map(|&f| backs.iter().map(move |&b| (f, b))).collect();
    pairs.sort_by(|x, y| dist(x.0, x.1).total_cmp(&dist(y.0, y.1)));
    let mut back_of: Vec<Option<usize>> = vec![None; read.len()];
    let mut used = vec![false; read.len()];
    for (f, b) in pairs {
        if back_of[f].is_none() && !used[b] {
            back_of[f] = Some(b);
            used[b] = true;
        }
    }
    let mut out: Vec<CardFields> = fronts
        .iter()
        .map(|&f| {
            let mut card = read[f].0.clone();
            if let Some(b) = back_of[f] {
                card.add_back(&read[b].0);
            }
            card
        })
        .collect();
    out.extend(backs.iter().filter(|&&b| !used[b]).map(|&b| read[b].0.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(name: &str) -> CardFields {
        CardFields { side: Some(Side::Front), name: Some(name.into()), number: Some("11010519491231002X".into()), ..Default::default() }
    }

    fn back(until: &str) -> CardFields {
        CardFields { side: Some(Side::Back), issued_by: Some("北京市公安局".into()), valid_until: Some(until.into()), ..Default::default() }
    }

    #[test]
    fn a_front_and_a_back_are_one_card() {
        let cards = holders(vec![(back("2030-01-01"), (300.0, 100.0)), (front("王芳"), (300.0, 600.0))]);
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].name.as_deref(), Some("王芳"));
        assert_eq!(cards[0].valid_until.as_deref(), Some("2030-01-01"));
        assert_eq!(cards[0].sides(), vec![Side::Front, Side::Back]);
    }

    #[test]
    fn each_back_goes_with_the_nearest_front() {
        // Two people: fronts on the left, backs on the right, the lower back first in the list.
        let cards = holders(vec![
            (front("甲"), (100.0, 100.0)),
            (front("乙"), (100.0, 500.0)),
            (back("2031-01-01"), (500.0, 520.0)),
            (back("2030-01-01"), (500.0, 90.0)),
        ]);
        let got: Vec<_> = cards.iter().map(|c| (c.name.as_deref().unwrap(), c.valid_until.as_deref().unwrap())).collect();
        assert_eq!(got, vec![("甲", "2030-01-01"), ("乙", "2031-01-01")]);
        // Two fronts and no back: two cards, front only.
        let two = holders(vec![(front("甲"), (0.0, 0.0)), (front("乙"), (900.0, 0.0))]);
        assert_eq!(two.len(), 2);
        assert!(two.iter().all(|c| c.sides() == vec![Side::Front]));
        // A back left over is a card of its own, after the fronts.
        let left = holders(vec![(back("2030-01-01"), (0.0, 0.0)), (front("甲"), (10.0, 0.0)), (back("2031-01-01"), (900.0, 0.0))]);
        assert_eq!(left.len(), 2);
        assert_eq!(left[0].valid_until.as_deref(), Some("2030-01-01"));
        assert_eq!(left[1].sides(), vec![Side::Back]);
    }
}
