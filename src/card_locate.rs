//! Finds an ID card (an 85.6 × 54 mm light rectangle) in a photo and straightens it.
//!
//! OCR works far better, and far faster, on an upright card-sized image than on a whole photo
//! of a desk; the quality checks need to know where the card is to say "cut off" or "too small".
//! Classic computer vision suffices for a light card on a darker background: work on a copy
//! about [`WORK_EDGE`] pixels across, threshold the luminance (Otsu), close small gaps (text,
//! guilloche), keep the largest bright region, take its convex hull, pick the largest
//! quadrilateral inside the hull, then refine each side by a line fit through the hull points
//! near it (which also restores the rounded corners). The long sides become top and bottom; a
//! content heuristic (the front's portrait sits on the right, the back's emblem top-left) decides
//! which way is up.

use crate::geom::Homography;
pub use crate::geom::{Point, Quad};
use image::{GrayImage, Rgb, RgbImage};

/// The long edge of the working copy.
pub const WORK_EDGE: u32 = 480;
/// Width / height of an ID card (85.6 / 54 mm).
pub const CARD_ASPECT: f64 = 85.6 / 54.0;

/// What the locator saw, for the quality checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The card's corners in the input image, card top-left first; `None` when no plausible card
    /// outline was found.
    pub quad: Option<Quad>,
    /// The card runs off the frame: its outline meets the frame's edge (see [`Detection::cut`]).
    pub touches_border: bool,
    /// A card-sized region was found, whether or not its outline is a plausible card.
    pub region_found: bool,
    /// How the card was told apart from its surroundings.
    pub found: Option<Found>,
    /// Share of the card outline that lies on the frame's edge: 0 for a card wholly in view, about
    /// 0.1–0.3 for a card running off one edge. A card filling the frame is taken as whole (0).
    pub cut: f64,
    /// What the card region looks like (zeros when none was found).
    pub evidence: Evidence,
}

/// How the card was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// A light region on a darker desk.
    Desk,
    /// A region that differs from white scanner paper (or a white sheet) around it.
    Paper,
    /// A region that differs from a plain desk of any colour around it (a card on a light desk,
    /// which joins the card at every threshold of [`Found::Desk`]).
    Plain,
    /// The photo is the card: a card-shaped frame whose light region reaches all four edges (a
    /// flat scan cropped to the card, a phone photo or a scanner app's crop).
    Frame,
}

/// Cheap evidence that a card-shaped region is a resident ID card, measured on the region turned
/// upright at 256 × 162 pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Evidence {
    /// Saturation of the background (the brighter half of the pixels): its colour's spread
    /// (max − min channel) over its luminance. An ID card is printed on a pale, nearly neutral
    /// tint (under a warm lamp still below about 0.45); bank and membership cards are coloured.
    pub bg_saturation: f64,
    /// Luminance of the background (as for `bg_saturation`), 0–255.
    pub bg_luma: f64,
    /// Median luminance of a band around the card, outside it (what it lies on), 0–255; 0 when
    /// the card fills the photo. An ID card's pale tint is lighter than the desk, or a little
    /// darker than white paper, in any light; a dark membership card is much darker than both.
    pub around: f64,
    /// Share of strongly coloured pixels (channel spread ≥ 70 and ≥ 0.45 of the luminance). An ID
    /// card has only its red emblem (back) and stamps; cards with a coloured band, logo or
    /// background have more.
    pub saturated: f64,
    /// Share of the portrait box (front: the right third) or the emblem box (back: top left),
    /// whichever is larger, either way up, covered by a solid mass (16 × 10 blocks clearly
    /// darker or more coloured than the background, or blown out by glare). Business cards,
    /// documents and landscapes rarely have one there.
    pub mass: f64,
    /// The score the warnings use, 0–1: the weakest of the tests above, each mapped to 0–1 (see
    /// [`Evidence::score`]).
    pub score: f64,
}

impl Evidence {
    /// Each test as a ramp from 0 (clearly not an ID card) to 1 (clearly like one); the score is
    /// the weakest.
    pub fn score(bg_saturation: f64, saturated: f64, mass: f64, bg_luma: f64, around: f64) -> f64 {
        let ramp = |v: f64, bad: f64, good: f64| ((v - bad) / (good - bad)).clamp(0.0, 1.0);
        let lighter = if around > 0.0 { ramp(bg_luma / around, 0.5, 0.75) } else { 1.0 };
        ramp(bg_saturation, 0.75, 0.35).min(ramp(saturated, 0.1, 0.06)).min(ramp(mass, 0.05, 0.2)).min(lighter)
    }
}

/// The card's corners (its top-left, top-right, bottom-right, bottom-left) in `img`, or `None`
/// when no whole card is visible.
pub fn locate(img: &RgbImage) -> Option<Quad> {
    let d = detect(img);
    if d.touches_border {
        return None;
    }
    d.quad
}

/// A card outline found in the working copy.
struct Candidate {
    quad: Quad,
    found: Found,
    cut: f64,
    area: f64,
    /// Found only by the searches [`locate_all`] widens (a further region, or a small part of a
    /// light region); [`detect`] passes over it, so that one card is found as before.
    minor: bool,
    /// Its region is bitten (see [`BITE_SHARE`]): a card only when it looks like one.
    bitten: bool,
}

/// A candidate in the input image's pixels, turned upright, with its evidence.
struct Scored {
    quad: Quad,
    found: Found,
    cut: f64,
    area: f64,
    minor: bool,
    bitten: bool,
    evidence: Evidence,
}

/// Everything the searches found in one photo.
struct Survey {
    scored: Vec<Scored>,
    region_found: bool,
    cut_region: bool,
}

/// Like [`locate`], with what the quality checks need to know.
///
/// Three searches on a copy about [`WORK_EDGE`] pixels across, each giving card-shaped
/// candidates (a solid region whose outline is a convex quadrilateral of a card's aspect):
/// light regions on a darker desk (Otsu threshold); when the frame's edge is white paper,
/// regions that differ from that paper (a flat scan); when it is a plain desk of another
/// colour, regions that differ from the desk's smooth fit (a card on a light desk); and the
/// frame itself when the photo is card-shaped and its light region reaches all four edges (a
/// card filling the frame). Each candidate's [`Evidence`] is measured; the best-scoring wins, a
/// region found on the desk or paper before the plain desk's, and those before the frame.
pub fn detect(img: &RgbImage) -> Detection {
    let none = Detection { quad: None, touches_border: false, region_found: false, found: None, cut: 0.0, evidence: Evidence::default() };
    let Some(survey) = survey(img) else { return none };
    match best(&survey.scored) {
        Some(c) => Detection { quad: Some(c.quad), touches_border: c.cut > 0.0, region_found: true, found: Some(c.found), cut: c.cut, evidence: c.evidence },
        None => Detection { region_found: survey.region_found, touches_border: survey.cut_region, ..none },
    }
}

/// Every card wholly in view (at most [`MAX_CARDS`]), largest first, each with its corners in
/// [`locate`]'s order (card top-left first, upright).
///
/// Clerks photograph the front and the back of a card side by side, or lay both on a scanner;
/// a photocopy page holds both sides. The same searches as [`detect`] run, a little wider (more
/// regions per search, small parts of a light region: a card on a sheet among others). Every
/// whole candidate that looks like an ID card counts; a candidate holding two others (the
/// sheet under them, the whole frame) is left out, overlapping ones give the card [`locate`]
/// gives (or the larger), and all cards are of about one size, as they are in one photo. With
/// one card in view this is exactly [`locate`]'s answer.
pub fn locate_all(img: &RgbImage) -> Vec<Quad> {
    let Some(survey) = survey(img) else { return Vec::new() };
    let first = best(&survey.scored).filter(|c| c.cut == 0.0);
    let good: Vec<&Scored> = survey.scored.iter().filter(|c| c.cut == 0.0 && c.evidence.score >= FRAME_MIN_SCORE).collect();
    // A candidate holding two separate others is what they lie on.
    let holds_two = |c: &Scored| {
        let inner: Vec<&&Scored> = good.iter().filter(|o| o.area < 0.7 * c.area && c.quad.contains(centre(&o.quad))).collect();
        inner.iter().enumerate().any(|(i, a)| inner[i + 1..].iter().any(|b| !overlap(&a.quad, &b.quad)))
    };
    let mut chosen: Vec<&Scored> = Vec::new();
    if let Some(f) = first {
        if !holds_two(f) {
            chosen.push(f);
        }
    }
    let mut rest: Vec<&Scored> = good.iter().copied().filter(|c| !holds_two(c)).collect();
    rest.sort_by(|a, b| b.area.total_cmp(&a.area));
    for c in rest {
        if chosen.len() >= MAX_CARDS || chosen.iter().any(|o| overlap(&o.quad, &c.quad)) {
            continue;
        }
        chosen.push(c);
    }
    // One photo, one card size: a much smaller "card" is something else (print on a sheet).
    let largest = chosen.iter().map(|c| c.area).fold(0.0, f64::max);
    chosen.retain(|c| c.area >= SAME_SIZE * largest);
    let mut quads: Vec<Quad> = chosen.into_iter().map(|c| c.quad).collect();
    quads.sort_by(|a, b| b.area().total_cmp(&a.area()));
    quads
}

/// The most cards [`locate_all`] reports.
pub const MAX_CARDS: usize = 4;

/// The smallest area, as a share of the largest card's, of another card in the same photo
/// (perspective makes a far card look smaller, not this much).
const SAME_SIZE: f64 = 0.4;

fn centre(q: &Quad) -> Point {
    let c = q.corners;
    Point::new(c.iter().map(|p| p.x).sum::<f64>() / 4.0, c.iter().map(|p| p.y).sum::<f64>() / 4.0)
}

/// Two outlines overlap when either holds the other's centre or a point a third of the way from
/// a corner to that centre (cards may touch; they do not lie on each other).
fn overlap(a: &Quad, b: &Quad) -> bool {
    let probes = |q: &Quad| {
        let c = centre(q);
        let mut v = vec![c];
        v.extend(q.corners.iter().map(|p| Point::new(p.x + (c.x - p.x) / 3.0, p.y + (c.y - p.y) / 3.0)));
        v
    };
    probes(b).into_iter().any(|p| a.contains(p)) || probes(a).into_iter().any(|p| b.contains(p))
}

/// The candidate [`detect`] reports: the best evidence wins; a whole outline before the frame, a
/// larger region on a tie. Candidates only [`locate_all`] looks for are passed over.
fn best(scored: &[Scored]) -> Option<&Scored> {
    let mut best: Option<&Scored> = None;
    for c in scored.iter().filter(|c| !c.minor) {
        let ev = &c.evidence;
        if (c.found == Found::Frame || c.bitten) && ev.score < FRAME_MIN_SCORE {
            // The frame, or a region with a bite out of it, is a card only when it looks like one.
            continue;
        }
        let better = match best {
            None => true,
            Some(b) => {
                let bev = &b.evidence;
                let (pass, bpass) = (ev.score >= FRAME_MIN_SCORE, bev.score >= FRAME_MIN_SCORE);
                if pass != bpass {
                    pass
                } else if !pass {
                    ev.score > bev.score
                } else if (c.cut > 0.0) != (b.cut > 0.0) {
                    // A card wholly in view, parted from a sheet that runs out of it, before the
                    // two together.
                    b.cut > 0.0
                } else if (c.found == Found::Frame) != (b.found == Found::Frame) {
                    b.found == Found::Frame
                } else if (c.found == Found::Plain) != (b.found == Found::Plain) {
                    // A region told apart by a threshold or a paper's colour holds the card
                    // alone; the plain desk's fit may take in the card's shadow.
                    b.found == Found::Plain
                } else {
                    c.area > b.area
                }
            }
        };
        if better {
            best = Some(c);
        }
    }
    best
}

/// Runs the searches (see [`detect`]) and scores every candidate; `None` for a tiny image.
fn survey(img: &RgbImage) -> Option<Survey> {
    let (w, h) = img.dimensions();
    if w < 16 || h < 16 {
        return None;
    }
    let k = (w.max(h) as f64 / WORK_EDGE as f64).max(1.0);
    let (sw, sh) = (((w as f64 / k).round() as u32).max(1), ((h as f64 / k).round() as u32).max(1));
    let small = area_downscale(img, sw, sh);
    let luma = to_luma(&small);
    let (uw, uh) = (sw as usize, sh as usize);
    let mut cands: Vec<Candidate> = Vec::new();
    let mut region_found = false;
    let mut frame_filled = false;
    let mut cut_region = false;

    // Light regions on a darker desk, at two thresholds: Otsu's, and Otsu's among the pixels above
    // it (a card on a desk lit unevenly joins the desk's light side at the first).
    let t1 = otsu(&luma, 0);
    let t2 = otsu(&luma, t1.saturating_add(1));
    let mut light = Vec::new();
    for t in [t1, t2] {
        let mut mask: Vec<bool> = luma.as_raw().iter().map(|&l| l > t).collect();
        close(&mut mask, uw, uh, 2);
        if t == t1 {
            light = mask.clone();
        }
        for (idx, comp) in components(&mask, uw, uh, 3 + MAX_CARDS).into_iter().enumerate() {
            let minor = idx >= 3;
            let sides = comp.border_sides.iter().filter(|&&b| b).count();
            let ring = 2 * (uw + uh) - 4;
            if !minor && t == t1 && sides == 4 && comp.pixels.len() * 100 > uw * uh * 55 && comp.border_pixels * 100 >= ring * 80 {
                frame_filled = true;
            }
            if let Some(c) = candidate(&comp, uw, uh, Found::Desk, minor) {
                region_found |= !minor;
                cands.push(c);
            } else if !minor && t == t1 && comp.pixels.len() * 50 > uw * uh && sides < 3 {
                // A solid light region that is no card outline: a card cut off by the frame when
                // it runs into the edge.
                let solid = comp.pixels.len() as f64 >= 0.85 * polygon_area(&convex_hull(&comp.boundary));
                region_found |= solid;
                cut_region |= solid && sides > 0;
            }
        }
        if t2 <= t1 {
            break;
        }
    }
    // Light regions cut apart where the light changes sharply: a card lying on (or touching) a
    // white sheet is parted from it by its own edge.
    let grad = gradient(&luma);
    let mut mask: Vec<bool> = luma.as_raw().iter().zip(&grad).map(|(&l, &g)| l > t1 && g < EDGE_GRADIENT).collect();
    let eroded = morph(&mask, uw, uh, 1, false);
    mask.copy_from_slice(&eroded);
    fill_holes(&mut mask, uw, uh);
    for (idx, comp) in components(&mask, uw, uh, 3 + MAX_CARDS).into_iter().enumerate() {
        // A part of a light region (a patch of a sheet between its print) is no card: the card
        // is most of what it was parted from. Several cards on one sheet are each a smaller part.
        let (x, y) = comp.pixels[0];
        let whole = region_size(&light, uw, uh, y as usize * uw + x as usize);
        let minor = idx >= 3 || comp.pixels.len() * 5 < whole;
        if comp.pixels.len() * 5 * MAX_CARDS < whole {
            continue;
        }
        if let Some(c) = candidate(&comp, uw, uh, Found::Desk, minor) {
            region_found |= !minor;
            cands.push(c);
        }
    }
    // Regions that differ from what lies around them: white paper at the frame's edge, or else a
    // plain desk of any colour, its light falling off smoothly (a card on a light desk joins it
    // at every threshold).
    let paper = paper_colour(&small);
    let apart: Option<(Vec<bool>, Found)> = match paper {
        Some(paper) => Some((small.pixels().map(|p| colour_dist(p, &paper) > PAPER_DIFF).collect(), Found::Paper)),
        None => Plain::fit(&small).map(|desk| (small.enumerate_pixels().map(|(x, y, p)| colour_dist(p, &desk.at(x, y)) > PAPER_DIFF).collect(), Found::Plain)),
    };
    if let Some((mut mask, found)) = apart {
        close(&mut mask, uw, uh, 3);
        fill_holes(&mut mask, uw, uh);
        for (idx, comp) in components(&mask, uw, uh, 2 + MAX_CARDS).into_iter().enumerate() {
            let minor = idx >= 2;
            if let Some(c) = candidate(&comp, uw, uh, found, minor).or_else(|| outlined(&comp, uw, uh, found)) {
                region_found |= !minor;
                cands.push(c);
            }
        }
    }
    // Regions that differ from a white sheet lying on the desk (a photocopy page holding both
    // sides): the sheet's colour is that of the light region's brighter class (above `t2`), as
    // the frame's edge gives it for a scan. Only [`locate_all`] looks at these.
    if t2 > t1 && paper.is_none() {
        if let Some(sheet) = components(&light, uw, uh, 1).into_iter().next().filter(|c| c.pixels.len() * 12 > uw * uh) {
            let bright: Vec<Rgb<u8>> = sheet.pixels.iter().map(|&(x, y)| *small.get_pixel(x, y)).filter(|p| luma_of(p) > t2).collect();
            if let Some(colour) = paper_like(&bright) {
                let mut inside = vec![false; uw * uh];
                for &(x, y) in &sheet.pixels {
                    inside[y as usize * uw + x as usize] = true;
                }
                let inside = morph(&inside, uw, uh, 2, false);
                let mut mask: Vec<bool> = small.pixels().zip(&inside).map(|(p, &i)| i && colour_dist(p, &colour) > PAPER_DIFF).collect();
                close(&mut mask, uw, uh, 3);
                fill_holes(&mut mask, uw, uh);
                for comp in components(&mask, uw, uh, 2 + MAX_CARDS) {
                    if let Some(c) = candidate(&comp, uw, uh, Found::Paper, true) {
                        cands.push(c);
                    }
                }
            }
        }
    }
    // The frame itself.
    let frame_aspect = sw.max(sh) as f64 / sw.min(sh) as f64;
    if frame_filled && (FRAME_ASPECT.0..FRAME_ASPECT.1).contains(&frame_aspect) {
        let q = Quad::rect(0.0, 0.0, sw as f64, sh as f64);
        cands.push(Candidate { quad: orient_long_side(q), found: Found::Frame, cut: 0.0, area: (sw * sh) as f64, minor: false, bitten: false });
        region_found = true;
    }
    let scored = cands
        .into_iter()
        .map(|c| {
            let quad = upright(img, c.quad.scaled(k));
            let evidence = evidence(img, &quad);
            Scored { quad, found: c.found, cut: c.cut, area: c.area, minor: c.minor, bitten: c.bitten, evidence }
        })
        .collect();
    Some(Survey { scored, region_found, cut_region })
}

/// The evidence score (see [`Evidence::score`]) the whole frame needs to be taken for a card.
const FRAME_MIN_SCORE: f64 = 0.5;

/// Long / short side of a photo that may be a card filling the frame (a card is 1.59; a crop
/// with a few pixels of margin, or a little of the card cut, stays inside).
const FRAME_ASPECT: (f64, f64) = (1.4, 1.8);

/// Luminance step (central difference, in the working copy) that parts two light regions.
const EDGE_GRADIENT: u8 = 8;

/// The larger of the horizontal and vertical central differences at each pixel (0 at the edge).
fn gradient(g: &GrayImage) -> Vec<u8> {
    let (w, h) = (g.width() as usize, g.height() as usize);
    let px = g.as_raw();
    let mut out = vec![0u8; w * h];
    for y in 1..h.saturating_sub(1) {
        for x in 1..w - 1 {
            let i = y * w + x;
            let gx = (px[i + 1] as i32 - px[i - 1] as i32).unsigned_abs();
            let gy = (px[i + w] as i32 - px[i - w] as i32).unsigned_abs();
            out[i] = gx.max(gy).min(255) as u8;
        }
    }
    out
}

/// Colour distance from the paper above which a pixel belongs to something on it (the card's
/// tint differs from white paper by about 10–25).
const PAPER_DIFF: f64 = 9.0;

/// The frame's edge colour when it is white paper: at least 85 % of the outermost pixels close
/// to their median, which is light (luma ≥ 200) and nearly neutral.
fn paper_colour(img: &RgbImage) -> Option<Rgb<u8>> {
    let ring: Vec<Rgb<u8>> = edge_ring(img.width(), img.height()).into_iter().map(|(x, y)| *img.get_pixel(x, y)).collect();
    let med = |c: usize| {
        let mut v: Vec<u8> = ring.iter().map(|p| p[c]).collect();
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1
    };
    let paper = Rgb([med(0), med(1), med(2)]);
    let l = (paper[0] as u32 * 77 + paper[1] as u32 * 150 + paper[2] as u32 * 29) >> 8;
    let spread = paper.0.iter().max().unwrap_or(&0) - paper.0.iter().min().unwrap_or(&0);
    let close = ring.iter().filter(|p| colour_dist(p, &paper) <= PAPER_DIFF).count();
    (l >= 200 && spread <= 20 && close * 100 >= ring.len() * 85).then_some(paper)
}

/// The pixels one in from the frame's edge, all round (a pixel of the edge itself may be a
/// scanner's or a crop's border line).
fn edge_ring(w: u32, h: u32) -> Vec<(u32, u32)> {
    let (x1, y1) = (1.min(w - 1), 1.min(h - 1));
    let (x2, y2) = (w.saturating_sub(2), h.saturating_sub(2));
    let mut ring: Vec<(u32, u32)> = Vec::new();
    for x in 0..w {
        ring.push((x, y1));
        ring.push((x, y2));
    }
    for y in 0..h {
        ring.push((x1, y));
        ring.push((x2, y));
    }
    ring
}

/// A plain surface's colour over the frame: per channel `a + b·x + c·y + d·r²` (x, y from the
/// centre, over the frame's half-width; r² = x² + y²), fitted to the frame's edge. A light that
/// falls off towards the corners or one side is smooth; a card or a sheet on the desk is not.
struct Plain {
    coef: [[f64; 4]; 3],
    w: f64,
    h: f64,
}

impl Plain {
    /// The desk around the frame's edge, when it is plain: after the fit (with the fifth of the
    /// edge fitted worst left out, a card running out of view or a shadow), at least 85 % of
    /// the edge within [`PAPER_DIFF`] of it.
    fn fit(img: &RgbImage) -> Option<Plain> {
        let (w, h) = img.dimensions();
        if w < 16 || h < 16 {
            return None;
        }
        let ring = edge_ring(w, h);
        let mut plain = Plain { coef: [[0.0; 4]; 3], w: w as f64, h: h as f64 };
        let mut keep: Vec<(u32, u32)> = ring.clone();
        for _ in 0..2 {
            for c in 0..3 {
                let samples: Vec<([f64; 4], f64)> = keep.iter().map(|&(x, y)| (plain.terms(x, y), img.get_pixel(x, y)[c] as f64)).collect();
                plain.coef[c] = least_squares(&samples)?;
            }
            let mut by_fit: Vec<(f64, (u32, u32))> = ring.iter().map(|&(x, y)| (colour_dist(img.get_pixel(x, y), &plain.at(x, y)), (x, y))).collect();
            by_fit.sort_by(|a, b| a.0.total_cmp(&b.0));
            keep = by_fit[..by_fit.len() * 4 / 5].iter().map(|&(_, p)| p).collect();
        }
        let close = ring.iter().filter(|&&(x, y)| colour_dist(img.get_pixel(x, y), &plain.at(x, y)) <= PAPER_DIFF).count();
        (close * 100 >= ring.len() * 85).then_some(plain)
    }

    fn terms(&self, x: u32, y: u32) -> [f64; 4] {
        let s = self.w / 2.0;
        let (u, v) = ((x as f64 - self.w / 2.0) / s, (y as f64 - self.h / 2.0) / s);
        [1.0, u, v, u * u + v * v]
    }

    fn at(&self, x: u32, y: u32) -> Rgb<u8> {
        let t = self.terms(x, y);
        let ch = |c: usize| (0..4).map(|i| self.coef[c][i] * t[i]).sum::<f64>().round().clamp(0.0, 255.0) as u8;
        Rgb([ch(0), ch(1), ch(2)])
    }
}

/// The least-squares coefficients of `value ≈ terms · coef` (the normal equations); `None`
/// when they are not determined.
fn least_squares(samples: &[([f64; 4], f64)]) -> Option<[f64; 4]> {
    let (mut a, mut b) = ([[0.0f64; 4]; 4], [0.0f64; 4]);
    for (t, v) in samples {
        for i in 0..4 {
            for j in 0..4 {
                a[i][j] += t[i] * t[j];
            }
            b[i] += t[i] * v;
        }
    }
    crate::geom::solve(a, b)
}

/// The median colour of `pixels` when it is paper: light (luma ≥ 200) and nearly neutral, and
/// there are enough of them to tell.
fn paper_like(pixels: &[Rgb<u8>]) -> Option<Rgb<u8>> {
    if pixels.len() < 64 {
        return None;
    }
    let med = |c: usize| {
        let mut v: Vec<u8> = pixels.iter().map(|p| p[c]).collect();
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1
    };
    let paper = Rgb([med(0), med(1), med(2)]);
    let spread = paper.0.iter().max().unwrap_or(&0) - paper.0.iter().min().unwrap_or(&0);
    (luma_of(&paper) >= 200 && spread <= 20).then_some(paper)
}

fn luma_of(p: &Rgb<u8>) -> u8 {
    ((p[0] as u32 * 77 + p[1] as u32 * 150 + p[2] as u32 * 29) >> 8) as u8
}

fn colour_dist(a: &Rgb<u8>, b: &Rgb<u8>) -> f64 {
    let d = |c: usize| (a[c] as f64 - b[c] as f64).abs();
    d(0).max(d(1)).max(d(2))
}

/// The number of set pixels 4-connected to `start` in `mask` (0 when `start` is unset).
fn region_size(mask: &[bool], w: usize, h: usize, start: usize) -> usize {
    if !mask.get(start).copied().unwrap_or(false) {
        return 0;
    }
    let mut seen = vec![false; mask.len()];
    let mut stack = vec![start];
    seen[start] = true;
    let mut n = 0;
    while let Some(i) = stack.pop() {
        n += 1;
        let (x, y) = (i % w, i / w);
        for (ok, j) in [(x > 0, i.wrapping_sub(1)), (x + 1 < w, i + 1), (y > 0, i.wrapping_sub(w)), (y + 1 < h, i + w)] {
            if ok && mask[j] && !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    n
}

/// The indices of pixel `i`'s left, right, upper and lower neighbours inside a `w` × `h` image
/// (the flood fills' one notion of connectivity).
fn neighbours4(i: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % w, i / w);
    [(x > 0).then(|| i - 1), (x + 1 < w).then(|| i + 1), (y > 0).then(|| i - w), (y + 1 < h).then(|| i + w)].into_iter().flatten()
}

/// Clears nothing, sets every unset pixel not connected to the frame's edge.
fn fill_holes(mask: &mut [bool], w: usize, h: usize) {
    let mut outside = vec![false; mask.len()];
    let mut stack: Vec<usize> = Vec::new();
    for i in 0..mask.len() {
        let (x, y) = (i % w, i / w);
        if (x == 0 || y == 0 || x + 1 == w || y + 1 == h) && !mask[i] {
            outside[i] = true;
            stack.push(i);
        }
    }
    while let Some(i) = stack.pop() {
        for j in neighbours4(i, w, h) {
            if !mask[j] && !outside[j] {
                outside[j] = true;
                stack.push(j);
            }
        }
    }
    for (m, o) in mask.iter_mut().zip(&outside) {
        *m = !*o;
    }
}

/// A card outline from one region, or `None` when the region is not card-shaped: too small
/// (under 0.25 % of the frame) or nearly the whole frame, hugging three or more sides, not
/// solid, not a convex quadrilateral filling its hull, or not of a card's aspect.
fn candidate(comp: &Component, w: usize, h: usize, found: Found, minor: bool) -> Option<Candidate> {
    let total = w * h;
    let n = comp.pixels.len();
    if n * 400 < total || n * 100 > total * 97 {
        return None;
    }
    if comp.border_sides.iter().filter(|&&b| b).count() >= 3 {
        return None;
    }
    let hull = convex_hull(&comp.boundary);
    if hull.len() < 4 {
        return None;
    }
    let hull_area = polygon_area(&hull);
    // The region's pixels, with what something lying over the card took from it put back.
    let mut n = n;
    let bitten = (n as f64) < 0.85 * hull_area;
    if bitten {
        // A card running out of view is not bitten: what the frame cuts off is no object over it.
        if comp.border_sides.iter().any(|&b| b) {
            return None;
        }
        let d = deficit(comp, &hull);
        let missing = hull_area - (n + d.holes) as f64;
        let one_bite = d.bite as f64 >= BITE_SHARE * missing && d.bite as f64 >= BITE_MIN * hull_area;
        if !one_bite || ((n + d.holes) as f64) < BITE_MIN_FILL * hull_area {
            return None;
        }
        n += d.holes + d.bites;
    }
    let quad = max_quad(&hull)?;
    let quad = refine(&quad, &comp.boundary).unwrap_or(quad);
    if !quad.is_convex() {
        return None;
    }
    let fill = n as f64 / quad.area();
    if quad.area() < 0.85 * hull_area || !(0.8..1.2).contains(&fill) {
        return None;
    }
    let quad = orient_long_side(quad);
    let aspect = quad.mean_width() / quad.mean_height();
    if !(1.3..1.95).contains(&aspect) {
        return None;
    }
    // A card region covering most of the frame is a card filling it (a crop to the card with a
    // pixel or two of it lost), not a card running out of view.
    let cut = if quad.area() > 0.8 * total as f64 { 0.0 } else { outline_on_edge(&quad, w as f64, h as f64) };
    Some(Candidate { area: quad.area(), quad, found, cut, minor, bitten })
}

/// A card whose tint is within a few levels of the surface it lies on differs from it only along
/// its edge (the laminate's rim, its shadow), and that outline, with gaps, does not close into a
/// region. A region that runs along at least [`OUTLINE_COVER`] of a card-shaped quadrilateral
/// around it is that card; like a bitten region, it counts only when it looks like an ID card.
/// A thin outline has fewer pixels than the print inside it, so its rank among the regions
/// says nothing: it is never a minor candidate.
fn outlined(comp: &Component, w: usize, h: usize, found: Found) -> Option<Candidate> {
    if comp.border_sides.iter().any(|&b| b) || comp.pixels.len() * 400 < w * h {
        return None;
    }
    let hull = convex_hull(&comp.boundary);
    let quad = max_quad(&hull)?;
    if !quad.is_convex() || quad.area() < 0.85 * polygon_area(&hull) || quad.area() * 100.0 < (w * h) as f64 {
        return None;
    }
    let quad = orient_long_side(quad);
    let aspect = quad.mean_width() / quad.mean_height();
    if !(1.3..1.95).contains(&aspect) {
        return None;
    }
    let mut on = vec![false; w * h];
    for &(x, y) in &comp.pixels {
        on[y as usize * w + x as usize] = true;
    }
    let near = |p: Point| {
        let (cx, cy) = (p.x.round() as i64, p.y.round() as i64);
        (-2..=2).any(|dy| {
            (-2..=2).any(|dx| {
                let (x, y) = (cx + dx, cy + dy);
                x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h && on[y as usize * w + x as usize]
            })
        })
    };
    let (mut hit, mut all) = (0usize, 0usize);
    for i in 0..4 {
        let (a, b) = (quad.corners[i], quad.corners[(i + 1) % 4]);
        let steps = a.dist(b).ceil().max(1.0) as usize;
        for k in 0..steps {
            let t = k as f64 / steps as f64;
            all += 1;
            hit += near(Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)) as usize;
        }
    }
    if (hit as f64) < OUTLINE_COVER * all as f64 {
        return None;
    }
    Some(Candidate { area: quad.area(), quad, found, cut: 0.0, minor: false, bitten: true })
}

/// Share of a card's outline a region must run along to be taken for it (see [`outlined`]).
const OUTLINE_COVER: f64 = 0.85;

/// A region whose convex hull it fills less than 85 % of is still a card when what is missing
/// is mostly one bite from its outline (a finger or a pen across the card's edge, darker or
/// lighter than the card, takes it out of the card's region): the largest bite is at least this
/// share of what is missing (holes inside, the portrait's, not counted as missing) ...
const BITE_SHARE: f64 = 0.7;
/// ... at least this share of the hull (a ragged outline is no bite) ...
const BITE_MIN: f64 = 0.04;
/// ... and the region with its holes still fills this share of the hull.
const BITE_MIN_FILL: f64 = 0.6;

/// What a region lacks of its convex hull, in pixels: holes inside it, and bites (missing
/// parts open to the hull's outline): their total and the largest.
struct Deficit {
    holes: usize,
    bites: usize,
    bite: usize,
}

fn deficit(comp: &Component, hull: &[Point]) -> Deficit {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for &(x, y) in &comp.pixels {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let (bw, bh) = ((x1 - x0 + 1) as usize, (y1 - y0 + 1) as usize);
    let mut region = vec![false; bw * bh];
    for &(x, y) in &comp.pixels {
        region[(y - y0) as usize * bw + (x - x0) as usize] = true;
    }
    // Inside the hull: on the inner side of every edge (the hull's turn is consistent).
    let n = hull.len();
    let turn = (0..n).map(|i| cross(hull[i], hull[(i + 1) % n], hull[(i + 2) % n])).sum::<f64>().signum();
    let inside = |px: f64, py: f64| (0..n).all(|i| cross(hull[i], hull[(i + 1) % n], Point::new(px, py)) * turn >= -0.5);
    let in_hull: Vec<bool> = (0..bw * bh).map(|i| inside((i % bw) as f64 + x0 as f64 + 0.5, (i / bw) as f64 + y0 as f64 + 0.5)).collect();
    let missing: Vec<bool> = in_hull.iter().zip(&region).map(|(&h, &r)| h && !r).collect();
    let mut seen = vec![false; bw * bh];
    let mut d = Deficit { holes: 0, bites: 0, bite: 0 };
    let mut stack = Vec::new();
    for start in 0..bw * bh {
        if !missing[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut size, mut open) = (0usize, false);
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % bw, i / bw);
            open |= x == 0 || y == 0 || x + 1 == bw || y + 1 == bh;
            for j in neighbours4(i, bw, bh) {
                open |= !in_hull[j];
                if missing[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        if open {
            d.bites += size;
            d.bite = d.bite.max(size);
        } else {
            d.holes += size;
        }
    }
    d
}

/// The z component of (a − o) × (b − o): positive when o → a → b turns one way, negative the other.
fn cross(o: Point, a: Point, b: Point) -> f64 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

/// Share of the quadrilateral's outline within 1.5 pixels of the frame's edge (or beyond it):
/// the outline of a card cut off by the frame runs along the edge, that of a card touching
/// something light which runs out of view does not.
fn outline_on_edge(q: &Quad, w: f64, h: f64) -> f64 {
    const STEPS: usize = 50;
    let mut on = 0;
    for i in 0..4 {
        let (a, b) = (q.corners[i], q.corners[(i + 1) % 4]);
        for s in 0..STEPS {
            let t = (s as f64 + 0.5) / STEPS as f64;
            let (x, y) = (a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
            if x < 1.5 || y < 1.5 || x > w - 1.5 || y > h - 1.5 {
                on += 1;
            }
        }
    }
    on as f64 / (4 * STEPS) as f64
}

/// Measures [`Evidence`] on the card inside `quad` (already upright).
pub fn evidence(img: &RgbImage, quad: &Quad) -> Evidence {
    const W: u32 = 256;
    const H: u32 = 162;
    let card = rectify(img, quad, W, H);
    let luma_of = |p: &Rgb<u8>| p[0] as f64 * 0.299 + p[1] as f64 * 0.587 + p[2] as f64 * 0.114;
    let spread_of = |p: &Rgb<u8>| *p.0.iter().max().unwrap_or(&0) as f64 - *p.0.iter().min().unwrap_or(&0) as f64;
    // Leave out the edge (laminate, desk at the rounded corners).
    let (mx, my) = (W / 25, H / 25);
    let inner: Vec<Rgb<u8>> = (my..H - my).flat_map(|y| (mx..W - mx).map(move |x| (x, y))).map(|(x, y)| *card.get_pixel(x, y)).collect();
    let mut lumas: Vec<f64> = inner.iter().map(luma_of).collect();
    let mid = lumas.len() / 2;
    let median_luma = *lumas.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1;
    let bright: Vec<&Rgb<u8>> = inner.iter().filter(|p| luma_of(p) >= median_luma).collect();
    let med = |c: usize| {
        let mut v: Vec<u8> = bright.iter().map(|p| p[c]).collect();
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1 as f64
    };
    let bg = [med(0), med(1), med(2)];
    let bg_luma = bg[0] * 0.299 + bg[1] * 0.587 + bg[2] * 0.114;
    let bg_spread = bg.iter().cloned().fold(0.0, f64::max) - bg.iter().cloned().fold(255.0, f64::min);
    let bg_saturation = bg_spread / bg_luma.max(1.0);
    let saturated = inner
        .iter()
        .filter(|p| {
            let s = spread_of(p);
            s >= 70.0 && s >= 0.45 * luma_of(p)
        })
        .count() as f64
        / inner.len().max(1) as f64;
    // Solid masses: 16 × 10 blocks of 16 × 16 pixels.
    let blocks = area_downscale(&card, 16, 10);
    let solid = |bx: u32, by: u32| {
        let p = blocks.get_pixel(bx, by);
        let d = bg_luma - luma_of(p);
        let colour = (0..3).map(|c| (p[c] as f64 - bg[c]).abs()).fold(0.0, f64::max);
        // A blown-out spot hiding the portrait or emblem counts as well.
        let blown = luma_of(p) > 240.0 && luma_of(p) > bg_luma + 0.5 * (255.0 - bg_luma);
        d > 0.22 * bg_luma || colour > 60.0 || blown
    };
    let share = |x0: u32, x1: u32, y0: u32, y1: u32| {
        let mut n = 0;
        for by in y0..y1 {
            for bx in x0..x1 {
                n += solid(bx, by) as u32;
            }
        }
        n as f64 / ((x1 - x0) * (y1 - y0)) as f64
    };
    // Portrait: card x 0.64–0.94, y 0.1–0.8; emblem: x 0.06–0.31, y 0.1–0.4; either way up.
    let mass = share(10, 15, 1, 8).max(share(1, 5, 1, 4)).max(share(1, 6, 2, 9)).max(share(11, 15, 6, 9));
    let around = surround_luma(img, quad).unwrap_or(0.0);
    Evidence { bg_saturation, bg_luma, around, saturated, mass, score: Evidence::score(bg_saturation, saturated, mass, bg_luma, around) }
}

/// Median luminance of the band around `quad` out to about a tenth of its size beyond each
/// side, where it falls in the photo; `None` when none of it does.
fn surround_luma(img: &RgbImage, quad: &Quad) -> Option<f64> {
    let map = Homography::from_rect(1.0, 1.0, quad)?;
    let (w, h) = (img.width() as f64, img.height() as f64);
    let mut v: Vec<u8> = Vec::new();
    for j in 0..=40 {
        for i in 0..=60 {
            let (u, t) = (-0.1 + 1.2 * i as f64 / 60.0, -0.15 + 1.3 * j as f64 / 40.0);
            if (-0.03..=1.03).contains(&u) && (-0.05..=1.05).contains(&t) {
                continue;
            }
            let (x, y) = map.apply(u, t);
            if x >= 0.0 && y >= 0.0 && x < w && y < h {
                v.push(luma_of(img.get_pixel(x as u32, y as u32)));
            }
        }
    }
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    Some(*v.select_nth_unstable(mid).1 as f64)
}

/// An upright `w × h` image of the card inside `quad` (bilinear perspective warp).
pub fn rectify(img: &RgbImage, quad: &Quad, w: u32, h: u32) -> RgbImage {
    let mut out = RgbImage::new(w, h);
    let Some(map) = Homography::from_rect(w as f64, h as f64, quad) else { return out };
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let at = |x: i64, y: i64, c: usize| -> f64 {
        let (x, y) = (x.clamp(0, iw - 1), y.clamp(0, ih - 1));
        raw[((y * iw + x) * 3) as usize + c] as f64
    };
    for (y, row) in out.rows_mut().enumerate() {
        for (x, px) in row.enumerate() {
            let (sx, sy) = map.apply(x as f64 + 0.5, y as f64 + 0.5);
            let (fx, fy) = (sx - 0.5, sy - 0.5);
            let (x0, y0) = (fx.floor() as i64, fy.floor() as i64);
            let (ax, ay) = (fx - x0 as f64, fy - y0 as f64);
            let mut v = [0u8; 3];
            for (c, out) in v.iter_mut().enumerate() {
                let top = at(x0, y0, c) * (1.0 - ax) + at(x0 + 1, y0, c) * ax;
                let bot = at(x0, y0 + 1, c) * (1.0 - ax) + at(x0 + 1, y0 + 1, c) * ax;
                *out = (top * (1.0 - ay) + bot * ay).round().clamp(0.0, 255.0) as u8;
            }
            *px = Rgb(v);
        }
    }
    out
}

/// Block-average downscale (every source pixel counts once).
pub(crate) fn area_downscale(img: &RgbImage, tw: u32, th: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    if (tw, th) == (w, h) {
        return img.clone();
    }
    let mut sums = vec![[0u32; 4]; (tw * th) as usize];
    let xmap: Vec<usize> = (0..w).map(|x| ((x as u64 * tw as u64 / w as u64) as usize).min(tw as usize - 1)).collect();
    for (y, row) in img.rows().enumerate() {
        let ty = ((y as u64 * th as u64 / h as u64) as usize).min(th as usize - 1);
        let base = ty * tw as usize;
        for (x, p) in row.enumerate() {
            let s = &mut sums[base + xmap[x]];
            s[0] += p[0] as u32;
            s[1] += p[1] as u32;
            s[2] += p[2] as u32;
            s[3] += 1;
        }
    }
    let mut out = RgbImage::new(tw, th);
    for (p, s) in out.pixels_mut().zip(&sums) {
        let n = s[3].max(1);
        *p = Rgb([(s[0] / n) as u8, (s[1] / n) as u8, (s[2] / n) as u8]);
    }
    out
}

pub(crate) fn to_luma(img: &RgbImage) -> GrayImage {
    let mut g = GrayImage::new(img.width(), img.height());
    for (o, p) in g.pixels_mut().zip(img.pixels()) {
        o[0] = ((p[0] as u32 * 77 + p[1] as u32 * 150 + p[2] as u32 * 29) >> 8) as u8;
    }
    g
}

/// Otsu's threshold among the pixels at `from` or above.
fn otsu(g: &GrayImage, from: u8) -> u8 {
    let mut hist = [0u64; 256];
    for &v in g.as_raw() {
        if v >= from {
            hist[v as usize] += 1;
        }
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut wb, mut sb, mut best, mut best_t) = (0u64, 0f64, -1f64, from.max(128));
    for t in 0..256 {
        wb += hist[t];
        if wb == 0 || wb == total {
            continue;
        }
        sb += t as f64 * hist[t] as f64;
        let wf = total - wb;
        let (mb, mf) = (sb / wb as f64, (sum_all - sb) / wf as f64);
        let between = wb as f64 * wf as f64 * (mb - mf).powi(2);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Morphological closing (dilate then erode) with a square of radius `r`.
fn close(mask: &mut [bool], w: usize, h: usize, r: usize) {
    let dil = morph(mask, w, h, r, true);
    let ero = morph(&dil, w, h, r, false);
    mask.copy_from_slice(&ero);
}

fn morph(mask: &[bool], w: usize, h: usize, r: usize, dilate: bool) -> Vec<bool> {
    // Separable: rows then columns. Outside the frame counts as "set" when eroding, so a card
    // cut by the frame keeps its edge.
    let pass = |src: &[bool], horizontal: bool| -> Vec<bool> {
        let mut out = vec![false; src.len()];
        for y in 0..h {
            for x in 0..w {
                let mut any = !dilate;
                for d in 0..=2 * r {
                    let (xx, yy) =
                        if horizontal { (x as isize + d as isize - r as isize, y as isize) } else { (x as isize, y as isize + d as isize - r as isize) };
                    let v = if xx < 0 || yy < 0 || xx >= w as isize || yy >= h as isize { !dilate } else { src[yy as usize * w + xx as usize] };
                    if dilate && v {
                        any = true;
                        break;
                    }
                    if !dilate && !v {
                        any = false;
                        break;
                    }
                }
                out[y * w + x] = any;
            }
        }
        out
    };
    let a = pass(mask, true);
    pass(&a, false)
}

struct Component {
    pixels: Vec<(u32, u32)>,
    /// Pixels with a neighbour outside the region (as points at pixel centres).
    boundary: Vec<Point>,
    border_pixels: usize,
    /// Touches left, top, right, bottom.
    border_sides: [bool; 4],
}

/// The `keep` largest 4-connected regions of `mask`, largest first.
fn components(mask: &[bool], w: usize, h: usize, keep: usize) -> Vec<Component> {
    let mut label = vec![0u32; mask.len()];
    let mut sizes: Vec<(usize, u32)> = Vec::new();
    let mut next = 1u32;
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || label[start] != 0 {
            continue;
        }
        let mut len = 0;
        label[start] = next;
        stack.push(start);
        while let Some(i) = stack.pop() {
            len += 1;
            for j in neighbours4(i, w, h) {
                if mask[j] && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            }
        }
        sizes.push((len, next));
        next += 1;
    }
    sizes.sort_by_key(|&(len, _)| std::cmp::Reverse(len));
    sizes.truncate(keep);
    let mut out: Vec<Component> =
        sizes.iter().map(|&(len, _)| Component { pixels: Vec::with_capacity(len), boundary: Vec::new(), border_pixels: 0, border_sides: [false; 4] }).collect();
    let slot = |l: u32| sizes.iter().position(|&(_, id)| id == l);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let l = label[i];
            if l == 0 {
                continue;
            }
            let Some(s) = slot(l) else { continue };
            let c = &mut out[s];
            c.pixels.push((x as u32, y as u32));
            let edge = [x == 0, y == 0, x + 1 == w, y + 1 == h];
            if edge.iter().any(|&e| e) {
                c.border_pixels += 1;
                for k in 0..4 {
                    c.border_sides[k] |= edge[k];
                }
            }
            let outside = |j: usize| label[j] != l;
            if edge.iter().any(|&e| e) || outside(i - 1) || outside(i + 1) || outside(i - w) || outside(i + w) {
                c.boundary.push(Point::new(x as f64 + 0.5, y as f64 + 0.5));
            }
        }
    }
    out
}

/// Andrew's monotone chain; counter-clockwise in image coordinates' mirror, no repeated point.
fn convex_hull(pts: &[Point]) -> Vec<Point> {
    let mut p: Vec<Point> = pts.to_vec();
    p.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let mut lower: Vec<Point> = Vec::new();
    for &q in &p {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], q) <= 0.0 {
            lower.pop();
        }
        lower.push(q);
    }
    let mut upper: Vec<Point> = Vec::new();
    for &q in p.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], q) <= 0.0 {
            upper.pop();
        }
        upper.push(q);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

fn polygon_area(p: &[Point]) -> f64 {
    let n = p.len();
    (0..n).map(|i| p[i].x * p[(i + 1) % n].y - p[(i + 1) % n].x * p[i].y).sum::<f64>().abs() / 2.0
}

/// The largest-area quadrilateral with corners on the hull: for every diagonal (i, j), the
/// farthest hull point on each side.
fn max_quad(hull: &[Point]) -> Option<Quad> {
    // Thin the hull so the search stays small.
    let step = hull.len().div_ceil(90).max(1);
    let h: Vec<Point> = hull.iter().step_by(step).copied().collect();
    let n = h.len();
    if n < 4 {
        return None;
    }
    let tri = |a: Point, b: Point, c: Point| ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)).abs() / 2.0;
    let mut best = (0.0, [0usize; 4]);
    for i in 0..n {
        for j in i + 2..n {
            let (mut a1, mut k1) = (0.0, i);
            for k in i + 1..j {
                let t = tri(h[i], h[j], h[k]);
                if t > a1 {
                    a1 = t;
                    k1 = k;
                }
            }
            let (mut a2, mut k2) = (0.0, j);
            for k in (j + 1..n).chain(0..i) {
                let t = tri(h[i], h[j], h[k]);
                if t > a2 {
                    a2 = t;
                    k2 = k;
                }
            }
            if a1 + a2 > best.0 && k1 != i && k2 != j {
                best = (a1 + a2, [i, k1, j, k2]);
            }
        }
    }
    if best.0 <= 0.0 {
        return None;
    }
    Some(Quad::new(best.1.map(|i| h[i])))
}

/// Refines each side by a total-least-squares line through the boundary points near its middle
/// part, then intersects neighbouring lines.
fn refine(q: &Quad, boundary: &[Point]) -> Option<Quad> {
    let c = q.corners;
    let mut lines = Vec::with_capacity(4);
    for i in 0..4 {
        let (a, b) = (c[i], c[(i + 1) % 4]);
        let len = a.dist(b);
        if len < 4.0 {
            return None;
        }
        let (dx, dy) = ((b.x - a.x) / len, (b.y - a.y) / len);
        let tol = (len * 0.03).max(1.5);
        let pts: Vec<Point> = boundary
            .iter()
            .copied()
            .filter(|p| {
                let t = (p.x - a.x) * dx + (p.y - a.y) * dy;
                let d = ((p.x - a.x) * -dy + (p.y - a.y) * dx).abs();
                t > 0.12 * len && t < 0.88 * len && d < tol
            })
            .collect();
        if pts.len() < 5 {
            return None;
        }
        lines.push(fit_line(&pts)?);
    }
    let mut out = [Point::new(0.0, 0.0); 4];
    for i in 0..4 {
        // Corner i joins side i-1 and side i.
        out[i] = intersect(lines[(i + 3) % 4], lines[i])?;
        if out[i].dist(c[i]) > 0.15 * q.mean_width().max(q.mean_height()) {
            return None;
        }
    }
    Some(Quad::new(out))
}

/// A line as (point, unit direction).
type Line = (Point, (f64, f64));

fn fit_line(pts: &[Point]) -> Option<Line> {
    let n = pts.len() as f64;
    let (mx, my) = (pts.iter().map(|p| p.x).sum::<f64>() / n, pts.iter().map(|p| p.y).sum::<f64>() / n);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (x, y) = (p.x - mx, p.y - my);
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let d = (theta.cos(), theta.sin());
    d.0.is_finite().then_some((Point::new(mx, my), d))
}

fn intersect(l1: Line, l2: Line) -> Option<Point> {
    let ((p, d), (q, e)) = (l1, l2);
    let den = d.0 * e.1 - d.1 * e.0;
    if den.abs() < 1e-6 {
        return None;
    }
    let t = ((q.x - p.x) * e.1 - (q.y - p.y) * e.0) / den;
    Some(Point::new(p.x + t * d.0, p.y + t * d.1))
}

/// Orders corners clockwise on screen (y down) starting at the top-left-most corner, then
/// rotates so the first side (corner 0 → 1) is a long side.
fn orient_long_side(q: Quad) -> Quad {
    let c = q.corners;
    let (cx, cy) = (c.iter().map(|p| p.x).sum::<f64>() / 4.0, c.iter().map(|p| p.y).sum::<f64>() / 4.0);
    let mut v = c.to_vec();
    v.sort_by(|a, b| (a.y - cy).atan2(a.x - cx).total_cmp(&(b.y - cy).atan2(b.x - cx)));
    // atan2 with y down sorts clockwise on screen; start at the corner nearest the top-left.
    let start = (0..4).min_by(|&i, &j| (v[i].x + v[i].y).total_cmp(&(v[j].x + v[j].y))).unwrap_or(0);
    let mut o: [Point; 4] = std::array::from_fn(|i| v[(start + i) % 4]);
    let q = Quad::new(o);
    if q.mean_height() > q.mean_width() {
        // Portrait on screen: the card's top side is the left or right side of the photo.
        o = [o[3], o[0], o[1], o[2]];
    }
    Quad::new(o)
}

/// Chooses between the quad and its 180° turn from the content: the front's portrait is a dark
/// mass on the right, the back's red emblem is at the top left.
fn upright(img: &RgbImage, q: Quad) -> Quad {
    let card = rectify(img, &q, 160, 101);
    let (mut dark, mut red) = (0.0f64, 0.0f64);
    for (x, y, p) in card.enumerate_pixels() {
        let (u, v) = (x as f64 / 160.0, y as f64 / 101.0);
        let l = (p[0] as f64 * 0.3 + p[1] as f64 * 0.59 + p[2] as f64 * 0.11) / 255.0;
        let darkness = (1.0 - l).max(0.0);
        let redness = ((p[0] as f64 - (p[1] as f64).max(p[2] as f64)) / 255.0).max(0.0);
        // Portrait box (right) against its mirror (left), top-left corner against bottom-right.
        if (0.63..0.95).contains(&u) && (0.15..0.75).contains(&v) {
            dark += darkness;
        }
        if (0.05..0.37).contains(&u) && (0.25..0.85).contains(&v) {
            dark -= darkness;
        }
        if u < 0.3 && v < 0.45 {
            red += redness;
        }
        if u > 0.7 && v > 0.55 {
            red -= redness;
        }
    }
    if dark + 3.0 * red < 0.0 {
        let c = q.corners;
        Quad::new([c[2], c[3], c[0], c[1]])
    } else {
        q
    }
}

#[cfg(test)]
mod tests;
