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
    /// was found.
    pub quad: Option<Quad>,
    /// The largest bright region runs into the edge of the frame.
    pub touches_border: bool,
    /// A card-sized bright region was found but its outline is not a plausible card.
    pub region_found: bool,
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

/// Like [`locate`], with what the quality checks need to know about a failure.
pub fn detect(img: &RgbImage) -> Detection {
    let none = Detection { quad: None, touches_border: false, region_found: false };
    let (w, h) = img.dimensions();
    if w < 16 || h < 16 {
        return none;
    }
    let k = (w.max(h) as f64 / WORK_EDGE as f64).max(1.0);
    let (sw, sh) = (((w as f64 / k).round() as u32).max(1), ((h as f64 / k).round() as u32).max(1));
    let small = area_downscale(img, sw, sh);
    let luma = to_luma(&small);
    let t = otsu(&luma);
    let mut mask: Vec<bool> = luma.as_raw().iter().map(|&l| l > t).collect();
    close(&mut mask, sw as usize, sh as usize, 2);
    let Some(comp) = largest_component(&mask, sw as usize, sh as usize) else { return none };
    let total = (sw * sh) as usize;
    if comp.pixels.len() < total / 50 || comp.pixels.len() > total * 97 / 100 {
        return none;
    }
    // A region hugging three or more sides is the background, not a card.
    let sides = comp.border_sides.iter().filter(|&&b| b).count();
    let border_len = comp.border_pixels as f64;
    let touches_border = border_len > 0.04 * (comp.pixels.len() as f64).sqrt() * 4.0 || sides >= 2;
    if sides >= 3 {
        return none;
    }
    let hull = convex_hull(&comp.boundary);
    if hull.len() < 4 {
        return none;
    }
    // A card is a solid, light region: wavy bands of a bright desk are neither.
    let solidity = comp.pixels.len() as f64 / polygon_area(&hull).max(1.0);
    let mean_luma = comp.pixels.iter().map(|&(x, y)| luma.get_pixel(x, y)[0] as f64).sum::<f64>() / comp.pixels.len() as f64;
    if solidity < 0.85 || mean_luma < 140.0 {
        return none;
    }
    let Some(quad) = max_quad(&hull) else { return none };
    let quad = refine(&quad, &comp.boundary).unwrap_or(quad);
    let region = Detection { quad: None, touches_border, region_found: true };
    if !quad.is_convex() {
        return region;
    }
    // Plausibility: the hull is quadrilateral, the region fills it, the aspect is a card's.
    let hull_area = polygon_area(&hull);
    let fill = comp.pixels.len() as f64 / quad.area();
    if quad.area() < 0.85 * hull_area || !(0.8..1.2).contains(&fill) {
        return region;
    }
    let quad = orient_long_side(quad);
    let aspect = quad.mean_width() / quad.mean_height();
    if !(1.2..2.1).contains(&aspect) {
        return region;
    }
    let quad = quad.scaled(k);
    let quad = upright(img, quad);
    Detection { quad: Some(quad), touches_border, region_found: true }
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

fn otsu(g: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for &v in g.as_raw() {
        hist[v as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut wb, mut sb, mut best, mut best_t) = (0u64, 0f64, -1f64, 128u8);
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

fn largest_component(mask: &[bool], w: usize, h: usize) -> Option<Component> {
    let mut label = vec![0u32; mask.len()];
    let (mut best, mut best_len, mut next) = (0u32, 0usize, 1u32);
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
            let (x, y) = (i % w, i / w);
            let mut push = |j: usize| {
                if mask[j] && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < w {
                push(i + 1);
            }
            if y > 0 {
                push(i - w);
            }
            if y + 1 < h {
                push(i + w);
            }
        }
        if len > best_len {
            best_len = len;
            best = next;
        }
        next += 1;
    }
    if best == 0 {
        return None;
    }
    let mut c = Component { pixels: Vec::with_capacity(best_len), boundary: Vec::new(), border_pixels: 0, border_sides: [false; 4] };
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if label[i] != best {
                continue;
            }
            c.pixels.push((x as u32, y as u32));
            let edge = [x == 0, y == 0, x + 1 == w, y + 1 == h];
            if edge.iter().any(|&e| e) {
                c.border_pixels += 1;
                for s in 0..4 {
                    c.border_sides[s] |= edge[s];
                }
            }
            let outside = |j: usize| label[j] != best;
            if edge.iter().any(|&e| e) || outside(i - 1) || outside(i + 1) || outside(i - w) || outside(i + w) {
                c.boundary.push(Point::new(x as f64 + 0.5, y as f64 + 0.5));
            }
        }
    }
    Some(c)
}

/// Andrew's monotone chain; counter-clockwise in image coordinates' mirror, no repeated point.
fn convex_hull(pts: &[Point]) -> Vec<Point> {
    let mut p: Vec<Point> = pts.to_vec();
    p.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: Point, a: Point, b: Point| (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
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
