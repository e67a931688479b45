//! Small plane geometry for text boxes: points, oriented quads, convex hulls, minimum-area
//! rectangles, and sampling a quad of an image into a normalised tensor plane.
//!
//! Detection yields blobs of pixels; recognition wants each line as an upright strip of fixed
//! height. Everything between the two lives here so `det` and `rec` stay about the models.

use image::RgbImage;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Pt {
    pub x: f32,
    pub y: f32,
}

impl Pt {
    pub fn new(x: f32, y: f32) -> Pt {
        Pt { x, y }
    }
    #[allow(clippy::should_implement_trait)]
    pub fn sub(self, o: Pt) -> Pt {
        Pt::new(self.x - o.x, self.y - o.y)
    }
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, o: Pt) -> Pt {
        Pt::new(self.x + o.x, self.y + o.y)
    }
    pub fn scale(self, s: f32) -> Pt {
        Pt::new(self.x * s, self.y * s)
    }
    pub fn len(self) -> f32 {
        (self.x * self.x + self.y * self.y).sqrt()
    }
    /// Rotates around the origin by `a` radians.
    pub fn rotate(self, a: f32) -> Pt {
        let (s, c) = a.sin_cos();
        Pt::new(self.x * c - self.y * s, self.x * s + self.y * c)
    }
}

/// A text box: corners in reading order (top-left, top-right, bottom-right, bottom-left).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad(pub [Pt; 4]);

impl Quad {
    pub fn width(&self) -> f32 {
        (self.0[1].sub(self.0[0]).len() + self.0[2].sub(self.0[3]).len()) / 2.0
    }
    pub fn height(&self) -> f32 {
        (self.0[3].sub(self.0[0]).len() + self.0[2].sub(self.0[1]).len()) / 2.0
    }
    pub fn center(&self) -> Pt {
        let s = self.0.iter().fold(Pt::default(), |a, &p| a.add(p));
        s.scale(0.25)
    }
    /// Direction of the baseline in radians (0 = left to right, y down).
    pub fn angle(&self) -> f32 {
        let d = self.0[1].sub(self.0[0]);
        d.y.atan2(d.x)
    }
    /// The same box read from the other end (turned by 180°).
    pub fn flipped(&self) -> Quad {
        let [a, b, c, d] = self.0;
        Quad([c, d, a, b])
    }
    /// The part of the line between fractions `t0` and `t1` of its length (0 = start).
    pub fn segment(&self, t0: f32, t1: f32) -> Quad {
        let [a, b, c, d] = self.0;
        let along = |p: Pt, q: Pt, t: f32| p.add(q.sub(p).scale(t));
        Quad([along(a, b, t0), along(a, b, t1), along(d, c, t1), along(d, c, t0)])
    }

    pub fn map(&self, f: impl Fn(Pt) -> Pt) -> Quad {
        Quad(self.0.map(f))
    }
}

/// Convex hull (Andrew's monotone chain), counter-clockwise in a y-down frame irrelevant here.
pub fn convex_hull(mut pts: Vec<Pt>) -> Vec<Pt> {
    pts.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: Pt, a: Pt, b: Pt| (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
    let mut lower: Vec<Pt> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<Pt> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// Minimum-area enclosing rectangle of a convex hull (rotating calipers over hull edges).
/// Returns the rectangle with its long side as the baseline, pointing rightwards
/// (angle in (-90°, 90°]).
pub fn min_area_rect(hull: &[Pt]) -> Option<Quad> {
    if hull.len() < 3 {
        return None;
    }
    let mut best: Option<(f32, Quad)> = None;
    for i in 0..hull.len() {
        let a = hull[i];
        let b = hull[(i + 1) % hull.len()];
        let e = b.sub(a);
        let l = e.len();
        if l < 1e-6 {
            continue;
        }
        let u = e.scale(1.0 / l);
        let v = Pt::new(-u.y, u.x);
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in hull {
            let d = p.sub(a);
            let pu = d.x * u.x + d.y * u.y;
            let pv = d.x * v.x + d.y * v.y;
            u0 = u0.min(pu);
            u1 = u1.max(pu);
            v0 = v0.min(pv);
            v1 = v1.max(pv);
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.as_ref().is_none_or(|(b, _)| area < *b) {
            let at = |pu: f32, pv: f32| a.add(u.scale(pu)).add(v.scale(pv));
            let q = Quad([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)]);
            best = Some((area, q));
        }
    }
    best.map(|(_, q)| upright(q))
}

/// Reorders a rectangle's corners so the long side is the baseline and it runs rightwards
/// with the box's top above its bottom.
pub fn upright(q: Quad) -> Quad {
    let [a, b, c, d] = q.0;
    // Make a->b the long side.
    let q = if b.sub(a).len() >= d.sub(a).len() { Quad([a, b, c, d]) } else { Quad([d, a, b, c]) };
    // Point it rightwards.
    let q = if q.0[1].x - q.0[0].x < 0.0 || (q.0[1].x == q.0[0].x && q.0[1].y < q.0[0].y) { q.flipped() } else { q };
    // The bottom edge is a->d turned clockwise; in a y-down frame "down" is +90°.
    let base = q.0[1].sub(q.0[0]);
    let side = q.0[3].sub(q.0[0]);
    if base.x * side.y - base.y * side.x < 0.0 {
        let [a, b, c, d] = q.0;
        Quad([d, c, b, a])
    } else {
        q
    }
}

/// Expands a rectangle by `d` on every side.
pub fn expand(q: &Quad, dx: f32, dy: f32) -> Quad {
    let w = q.width().max(1e-3);
    let h = q.height().max(1e-3);
    let u = q.0[1].sub(q.0[0]).scale(1.0 / w);
    let v = q.0[3].sub(q.0[0]).scale(1.0 / h);
    let o = q.0[0].sub(u.scale(dx)).sub(v.scale(dy));
    let w2 = w + 2.0 * dx;
    let h2 = h + 2.0 * dy;
    Quad([o, o.add(u.scale(w2)), o.add(u.scale(w2)).add(v.scale(h2)), o.add(v.scale(h2))])
}

/// Channel normalisation applied while sampling: `(v / 255 - mean) / std`, in BGR order.
#[derive(Debug, Clone, Copy)]
pub struct Norm {
    pub mean: [f32; 3],
    pub std: [f32; 3],
}

/// Samples the parallelogram spanned by quad corners 0, 1 and 3 into `out` (three planes of
/// `stride` columns and `out_h` rows, BGR), writing `out_w` columns. Each output pixel averages
/// `ss`×`ss` bilinear samples so that strong downscaling does not alias.
#[allow(clippy::too_many_arguments)]
pub fn sample_quad(img: &RgbImage, q: &Quad, out_w: usize, out_h: usize, stride: usize, ss: usize, norm: Norm, out: &mut [f32]) {
    let (iw, ih) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let o = q.0[0];
    let ux = q.0[1].sub(q.0[0]).scale(1.0 / out_w as f32);
    let uy = q.0[3].sub(q.0[0]).scale(1.0 / out_h as f32);
    let ss = ss.max(1);
    let inv = 1.0 / (ss * ss) as f32;
    let plane = stride * out_h;
    let scale: [f32; 3] = [1.0 / (255.0 * norm.std[0]), 1.0 / (255.0 * norm.std[1]), 1.0 / (255.0 * norm.std[2])];
    let off: [f32; 3] = [norm.mean[0] / norm.std[0], norm.mean[1] / norm.std[1], norm.mean[2] / norm.std[2]];
    for j in 0..out_h {
        for i in 0..out_w {
            let mut acc = [0f32; 3];
            for sj in 0..ss {
                let fy = j as f32 + (sj as f32 + 0.5) / ss as f32;
                for si in 0..ss {
                    let fx = i as f32 + (si as f32 + 0.5) / ss as f32;
                    let x = o.x + ux.x * fx + uy.x * fy - 0.5;
                    let y = o.y + ux.y * fx + uy.y * fy - 0.5;
                    let x = x.clamp(0.0, (iw - 1) as f32);
                    let y = y.clamp(0.0, (ih - 1) as f32);
                    let x0 = x as usize;
                    let y0 = y as usize;
                    let x1 = (x0 + 1).min(iw - 1);
                    let y1 = (y0 + 1).min(ih - 1);
                    let ax = x - x0 as f32;
                    let ay = y - y0 as f32;
                    let p00 = (y0 * iw + x0) * 3;
                    let p01 = (y0 * iw + x1) * 3;
                    let p10 = (y1 * iw + x0) * 3;
                    let p11 = (y1 * iw + x1) * 3;
                    for c in 0..3 {
                        let top = raw[p00 + c] as f32 * (1.0 - ax) + raw[p01 + c] as f32 * ax;
                        let bot = raw[p10 + c] as f32 * (1.0 - ax) + raw[p11 + c] as f32 * ax;
                        acc[c] += top * (1.0 - ay) + bot * ay;
                    }
                }
            }
            // BGR planes: plane 0 is blue.
            for c in 0..3 {
                let v = acc[2 - c] * inv;
                out[c * plane + j * stride + i] = v * scale[c] - off[c];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_area_rect_of_tilted_box_is_upright_and_long_side_first() {
        // A 100×20 box turned by 10°.
        let a = 10f32.to_radians();
        let pts: Vec<Pt> =
            [(0.0, 0.0), (100.0, 0.0), (100.0, 20.0), (0.0, 20.0)].iter().map(|&(x, y)| Pt::new(x, y).rotate(a).add(Pt::new(50.0, 50.0))).collect();
        let q = min_area_rect(&convex_hull(pts)).unwrap();
        assert!((q.width() - 100.0).abs() < 0.5, "{q:?}");
        assert!((q.height() - 20.0).abs() < 0.5);
        assert!((q.angle() - a).abs() < 1e-3);
        assert!((q.0[0].x - 50.0).abs() < 0.5 && (q.0[0].y - 50.0).abs() < 0.5);
    }

    #[test]
    fn expand_grows_each_side() {
        let q = Quad([Pt::new(0.0, 0.0), Pt::new(10.0, 0.0), Pt::new(10.0, 4.0), Pt::new(0.0, 4.0)]);
        let e = expand(&q, 2.0, 1.0);
        assert_eq!(e.0[0], Pt::new(-2.0, -1.0));
        assert_eq!(e.0[2], Pt::new(12.0, 5.0));
    }
}
