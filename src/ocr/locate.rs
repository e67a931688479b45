//! Where the card is and which way up it lies.
//!
//! The card's printed lines are parallel, so the dominant direction of the detected boxes is the
//! card's reading direction up to a half turn; which half is decided by recognising the widest
//! lines both ways (see `Engine::read`). Boxes far off that direction (the 样本 stamp, desk
//! texture) are dropped before anything is recognised.
//!
//! `region` is the single place where a card locator (corner finding + perspective rectify)
//! plugs in; until then detection runs on the whole frame.

use super::det::Detection;
use super::geom::{Pt, Quad};
use image::RgbImage;

/// The part of the photo to detect text in: `None` means the whole image.
pub fn region(_img: &RgbImage) -> Option<Quad> {
    None
}

/// Boxes oriented along the card's reading direction (up to a half turn), with that direction.
pub struct Oriented {
    /// Reading direction in radians (y down).
    pub angle: f32,
    pub quads: Vec<Quad>,
}

/// Greatest angle (degrees) between a line and the card's direction for the line to count.
const MAX_SKEW_DEG: f32 = 11.0;

/// Finds the dominant text direction and returns the boxes that follow it, each turned to run
/// along it.
pub fn orient(dets: &[Detection]) -> Option<Oriented> {
    // Axial mean: double the angles so that a and a+180° agree, weighted by box length.
    let (mut sx, mut sy) = (0f32, 0f32);
    for d in dets {
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
            let q = d.quad;
            let b = q.0[1].sub(q.0[0]);
            let l = b.len().max(1e-3);
            let c = (b.x * dir.x + b.y * dir.y) / l;
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
