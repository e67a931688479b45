//! Where the card is and which way up it lies.
//!
//! The card's printed lines are parallel, so the dominant direction of the detected boxes is the
//! card's reading direction up to a half turn; which half is decided by recognising the widest
//! lines both ways (see `Engine::read`). Boxes far off that direction (the 样本 stamp, desk
//! texture) are dropped before anything is recognised.
//!
//! [`region`] narrows detection to the card: the card locator ([`crate::card_locate`]) finds
//! its outline, and the detector then sees the card's bounding box (plus a margin) instead of the
//! whole desk, so fewer pixels give larger text. Detection runs on the whole frame when no card
//! is found.

use super::det::Detection;
use super::geom::{Pt, Quad};
use image::RgbImage;

/// Margin around the located card, as a share of its width: the locator may cut a corner.
const MARGIN: f32 = 0.04;

/// The part of the photo to detect text in (an axis-aligned box in image pixels), or `None`
/// for the whole image.
pub fn region(img: &RgbImage) -> Option<Quad> {
    region_of(img, &crate::card_locate::locate(img)?)
}

/// The part of the photo to detect text in for the card at `quad`.
pub fn region_of(img: &RgbImage, quad: &crate::card_locate::Quad) -> Option<Quad> {
    let c = quad.corners;
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in c {
        x0 = x0.min(p.x as f32);
        y0 = y0.min(p.y as f32);
        x1 = x1.max(p.x as f32);
        y1 = y1.max(p.y as f32);
    }
    let m = MARGIN * quad.mean_width() as f32;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (x0, y0, x1, y1) = ((x0 - m).max(0.0), (y0 - m).max(0.0), (x1 + m).min(w), (y1 + m).min(h));
    if x1 - x0 < 32.0 || y1 - y0 < 32.0 {
        return None;
    }
    Some(Quad([Pt::new(x0, y0), Pt::new(x1, y0), Pt::new(x1, y1), Pt::new(x0, y1)]))
}

/// Boxes oriented along the card's reading direction (up to a half turn), with that direction.
pub struct Oriented {
    /// Reading direction in radians (y down).
    pub angle: f32,
    pub quads: Vec<Quad>,
}

/// Greatest angle (degrees) between a line and the card's direction for the line to count.
const MAX_SKEW_DEG: f32 = 11.0;
/// Boxes thicker than this many median line heights are not lines of text.
const MAX_BLOB_HEIGHT: f32 = 2.5;
/// A box at most this many times longer than wide is nearly square: its own angle says nothing.
const MAX_SQUARE_ASPECT: f32 = 1.5;

/// The smallest rectangle with sides along `dir` (a unit vector) holding `q`.
fn along_line(q: &Quad, dir: Pt) -> Quad {
    let n = Pt::new(-dir.y, dir.x);
    let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for p in q.0 {
        let (u, v) = (p.x * dir.x + p.y * dir.y, p.x * n.x + p.y * n.y);
        (u0, u1, v0, v1) = (u0.min(u), u1.max(u), v0.min(v), v1.max(v));
    }
    let at = |u: f32, v: f32| dir.scale(u).add(n.scale(v));
    Quad([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)])
}

/// Finds the dominant text direction and returns the boxes that follow it, each turned to run
/// along it.
pub fn orient(dets: &[Detection]) -> Option<Oriented> {
    // Printed lines are about one height. A box several times taller is the portrait, the
    // emblem or the whole card read as one blob: its long side says nothing about the lines,
    // and its length would outweigh them all.
    let mut hs: Vec<f32> = dets.iter().map(|d| d.quad.width().min(d.quad.height())).collect();
    hs.sort_by(f32::total_cmp);
    let median = hs.get(hs.len() / 2).copied().unwrap_or(0.0);
    let dets: Vec<&Detection> = dets.iter().filter(|d| d.quad.width().min(d.quad.height()) <= MAX_BLOB_HEIGHT * median).collect();
    // Axial mean: double the angles so that a and a+180° agree, weighted by box length.
    let (mut sx, mut sy) = (0f32, 0f32);
    for d in &dets {
        let w = d.quad.width();
        let a = 2.0 * d.quad.angle();
        sx += w * w * a.cos();
        sy += w * w * a.sin();
    }
    if dets.is_empty() || (sx == 0.0 && sy == 0.0) {
        return None;
    }
    let angle = sy.atan2(sx) / 2.0;
    let dir = Pt::new(angle.cos(), angle.sin());
    let max_cos = MAX_SKEW_DEG.to_radians().cos();
    let quads = dets
        .iter()
        .filter_map(|d| {
            let mut q = d.quad;
            let along = |q: &Quad| {
                let b = q.0[1].sub(q.0[0]);
                (b.x * dir.x + b.y * dir.y) / b.len().max(1e-3)
            };
            let mut c = along(&q);
            // A box of a character or two (男, 汉) is nearly square, so its rectangle may lie
            // at any angle: take its bounding box along the line instead.
            let (w, h) = (q.width(), q.height());
            if c.abs() < max_cos && w.max(h) <= MAX_SQUARE_ASPECT * w.min(h) {
                q = along_line(&q, dir);
                c = along(&q);
            }
            if c.abs() < max_cos {
                return None;
            }
            Some(if c < 0.0 { q.flipped() } else { q })
        })
        .collect();
    Some(Oriented { angle, quads })
}

/// Axis-aligned box of a quad in the card's frame (rotated by `-angle`).
pub fn to_card_frame(q: &Quad, angle: f32) -> (f32, f32, f32, f32) {
    let ps = q.0.map(|p| p.rotate(-angle));
    let x0 = ps.iter().map(|p| p.x).fold(f32::MAX, f32::min);
    let x1 = ps.iter().map(|p| p.x).fold(f32::MIN, f32::max);
    let y0 = ps.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    let y1 = ps.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    (x0, y0, x1, y1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(q: [(f32, f32); 4]) -> Detection {
        Detection { quad: Quad(q.map(|(x, y)| Pt::new(x, y))), score: 0.9 }
    }

    #[test]
    fn a_square_box_at_another_angle_follows_the_line() {
        let (c, sn) = (0.38f32.cos(), 0.38f32.sin()); // lines at about 22°
        let line = |x: f32, y: f32, len: f32| {
            let p = |u: f32, v: f32| (x + u * c - v * sn, y + u * sn + v * c);
            det([p(0.0, 0.0), p(len, 0.0), p(len, 30.0), p(0.0, 30.0)])
        };
        let dets = [
            line(0.0, 0.0, 300.0),
            line(0.0, 60.0, 400.0),
            line(0.0, 120.0, 350.0),
            // 男: its rectangle came out axis-aligned, 22° off the line.
            det([(380.0, 243.0), (436.0, 243.0), (436.0, 293.0), (380.0, 293.0)]),
            // Its rectangle running down the line's normal.
            det([(130.0, 100.0), (130.0, 132.0), (100.0, 132.0), (100.0, 100.0)]),
            // A long streak across the lines (a desk edge) is not text and stays out.
            det([(500.0, 0.0), (500.0, 120.0), (490.0, 120.0), (490.0, 0.0)]),
            // The whole card read as one blob, longer than any line and at another angle.
            det([(0.0, 0.0), (900.0, -500.0), (1200.0, 50.0), (300.0, 550.0)]),
        ];
        let o = orient(&dets).unwrap();
        assert!((o.angle - 0.38).abs() < 0.05, "{}", o.angle);
        assert_eq!(o.quads.len(), 5);
        for q in &o.quads[3..] {
            assert!((q.angle() - o.angle).abs() < 1e-3, "{q:?}");
            assert!(q.width() > 30.0 && q.height() > 30.0, "{q:?}");
        }
    }
}
