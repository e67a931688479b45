//! Plane geometry shared by the card locator, the rectifier and the synthetic test photos:
//! points, quadrilaterals and the projective map (homography) between two quadrilaterals.
//!
//! Kept apart so that the code drawing a card in perspective and the code undoing that
//! perspective are one and the same maths.

use serde::Serialize;

/// A point in pixel coordinates (x to the right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    pub fn dist(self, o: Point) -> f64 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }
}

/// A quadrilateral given by its corners in order: top-left, top-right, bottom-right,
/// bottom-left of the object it outlines (so "top-left" is the card's own top-left corner,
/// wherever it lies in the photo).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quad {
    pub corners: [Point; 4],
}

impl Quad {
    pub fn new(corners: [Point; 4]) -> Quad {
        Quad { corners }
    }

    /// The axis-aligned rectangle `(x, y, w, h)` as a quad.
    pub fn rect(x: f64, y: f64, w: f64, h: f64) -> Quad {
        Quad::new([Point::new(x, y), Point::new(x + w, y), Point::new(x + w, y + h), Point::new(x, y + h)])
    }

    /// Area by the shoelace formula (positive for any simple quadrilateral).
    pub fn area(&self) -> f64 {
        let c = &self.corners;
        let mut s = 0.0;
        for i in 0..4 {
            let (a, b) = (c[i], c[(i + 1) % 4]);
            s += a.x * b.y - b.x * a.y;
        }
        (s / 2.0).abs()
    }

    /// Mean length of the top and bottom edges.
    pub fn mean_width(&self) -> f64 {
        let c = &self.corners;
        (c[0].dist(c[1]) + c[3].dist(c[2])) / 2.0
    }

    /// Mean length of the left and right edges.
    pub fn mean_height(&self) -> f64 {
        let c = &self.corners;
        (c[0].dist(c[3]) + c[1].dist(c[2])) / 2.0
    }

    /// Every coordinate multiplied by `k` (to move between a downscaled copy and the original).
    pub fn scaled(&self, k: f64) -> Quad {
        Quad::new(self.corners.map(|p| Point::new(p.x * k, p.y * k)))
    }

    /// Whether every corner lies inside a `w × h` image, with `margin` pixels to spare.
    pub fn inside(&self, w: f64, h: f64, margin: f64) -> bool {
        self.corners.iter().all(|p| p.x >= margin && p.y >= margin && p.x <= w - margin && p.y <= h - margin)
    }

    /// Whether the quadrilateral is convex (all turns the same way).
    pub fn is_convex(&self) -> bool {
        let c = &self.corners;
        let mut sign = 0.0;
        for i in 0..4 {
            let (a, b, d) = (c[i], c[(i + 1) % 4], c[(i + 2) % 4]);
            let cross = (b.x - a.x) * (d.y - b.y) - (b.y - a.y) * (d.x - b.x);
            if cross.abs() < 1e-9 {
                return false;
            }
            if sign == 0.0 {
                sign = cross.signum();
            } else if cross.signum() != sign {
                return false;
            }
        }
        true
    }

    /// Whether `p` lies inside (convex quads only).
    pub fn contains(&self, p: Point) -> bool {
        let c = &self.corners;
        let mut sign = 0.0;
        for i in 0..4 {
            let (a, b) = (c[i], c[(i + 1) % 4]);
            let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
            if sign == 0.0 {
                sign = cross.signum();
            } else if cross.signum() != sign && cross != 0.0 {
                return false;
            }
        }
        true
    }
}

/// A projective map of the plane: `(x, y) ↦ ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography {
    pub m: [f64; 9],
}

impl Homography {
    /// The map taking each corner of `from` to the same corner of `to`; `None` when the
    /// corners are degenerate (three in a line).
    pub fn between(from: &Quad, to: &Quad) -> Option<Homography> {
        // Eight equations in the eight unknowns a..h.
        let (mut a, mut b) = ([[0.0f64; 8]; 8], [0.0f64; 8]);
        for i in 0..4 {
            let (p, q) = (from.corners[i], to.corners[i]);
            a[2 * i] = [p.x, p.y, 1.0, 0.0, 0.0, 0.0, -p.x * q.x, -p.y * q.x];
            a[2 * i + 1] = [0.0, 0.0, 0.0, p.x, p.y, 1.0, -p.x * q.y, -p.y * q.y];
            (b[2 * i], b[2 * i + 1]) = (q.x, q.y);
        }
        let x = solve(a, b)?;
        Some(Homography { m: [x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], 1.0] })
    }

    /// The map taking the rectangle `0..w × 0..h` onto `quad` (corner 0 at the origin).
    pub fn from_rect(w: f64, h: f64, quad: &Quad) -> Option<Homography> {
        Homography::between(&Quad::rect(0.0, 0.0, w, h), quad)
    }

    #[inline]
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.m;
        let w = m[6] * x + m[7] * y + m[8];
        ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)
    }

    /// The inverse map; `None` if singular.
    pub fn inverse(&self) -> Option<Homography> {
        let m = &self.m;
        let c00 = m[4] * m[8] - m[5] * m[7];
        let c01 = m[5] * m[6] - m[3] * m[8];
        let c02 = m[3] * m[7] - m[4] * m[6];
        let det = m[0] * c00 + m[1] * c01 + m[2] * c02;
        if det.abs() < 1e-12 {
            return None;
        }
        let inv = [
            c00,
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            c01,
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            c02,
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        let k = inv[8];
        if k.abs() < 1e-12 {
            return Some(Homography { m: inv.map(|v| v / det) });
        }
        Some(Homography { m: inv.map(|v| v / k) })
    }
}

/// The solution of `a · x = b` by Gaussian elimination with partial pivoting; `None` when `a`
/// is singular.
pub(crate) fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let piv = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-10 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for r in 0..N {
            if r != col {
                let f = a[r][col] / a[col][col];
                if f != 0.0 {
                    for c in col..N {
                        a[r][c] -= f * a[col][c];
                    }
                    b[r] -= f * b[col];
                }
            }
        }
    }
    let mut x = [0.0; N];
    for i in 0..N {
        x[i] = b[i] / a[i][i];
        if !x[i].is_finite() {
            return None;
        }
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_corners_and_inverts() {
        let to = Quad::new([Point::new(100.0, 50.0), Point::new(900.0, 120.0), Point::new(850.0, 600.0), Point::new(80.0, 500.0)]);
        let h = Homography::from_rect(856.0, 540.0, &to).unwrap();
        let from = Quad::rect(0.0, 0.0, 856.0, 540.0);
        for i in 0..4 {
            let (x, y) = h.apply(from.corners[i].x, from.corners[i].y);
            assert!((x - to.corners[i].x).abs() < 1e-6 && (y - to.corners[i].y).abs() < 1e-6);
        }
        let inv = h.inverse().unwrap();
        let (x, y) = h.apply(300.0, 200.0);
        let (u, v) = inv.apply(x, y);
        assert!((u - 300.0).abs() < 1e-6 && (v - 200.0).abs() < 1e-6, "{u} {v}");
    }

    #[test]
    fn degenerate_quad_has_no_homography() {
        let line = Quad::new([Point::new(0.0, 0.0), Point::new(1.0, 1.0), Point::new(2.0, 2.0), Point::new(3.0, 3.0)]);
        assert!(Homography::between(&Quad::rect(0.0, 0.0, 1.0, 1.0), &line).is_none());
    }

    #[test]
    fn quad_shape_helpers() {
        let q = Quad::rect(10.0, 20.0, 100.0, 50.0);
        assert_eq!(q.area(), 5000.0);
        assert!(q.is_convex());
        assert!(q.contains(Point::new(50.0, 40.0)));
        assert!(!q.contains(Point::new(5.0, 40.0)));
        assert!(q.inside(200.0, 100.0, 5.0));
        assert!(!q.inside(100.0, 100.0, 5.0));
    }
}
