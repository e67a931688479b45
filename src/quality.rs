//! Local photo-quality warnings, before any paid OCR call and for either OCR engine.
//!
//! A blurred, glared, cut-off, tiny or photocopied card costs a vendor call and gives a wrong or
//! empty reading. These checks run on the prepared pixels in a few tens of milliseconds and
//! return warnings (never blocks) that say what to do: retake, move the lamp, step closer.
//!
//! How each is measured:
//! - `not_id_card` / `cut_off` / `too_small`: from [`card_locate::detect`].
//! - `blur`: on the card (or the whole photo), edge width at the strongest edges, estimated as
//!   the local contrast divided by the peak gradient; a sharp photo has edges one or two pixels
//!   wide whatever its content or noise.
//! - `glare`: share of the card's pixels clipped to white on all three channels.
//! - `copy`: colour variation around the card's median tint after averaging 4 × 4 blocks (which
//!   removes sensor noise); a grey photocopy has none, whatever the light's colour cast.

use crate::card_locate::{self, area_downscale, Detection, Quad};
use crate::i18n::Msg;
use crate::image_prep::Prepared;
use image::{GrayImage, RgbImage};
use serde::ser::SerializeStruct;
use serde::Serialize;

/// The card is too small below this width in pixels (in the prepared image).
pub const MIN_CARD_WIDTH: f64 = 600.0;

/// What is wrong with the photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    Blur,
    Glare,
    CutOff,
    TooSmall,
    Copy,
    NotIdCard,
}

/// One warning with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: Msg,
}

/// Serialised as `{kind, message_zh, message_en}`.
impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Warning", 3)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("message_zh", &self.message.zh)?;
        st.serialize_field("message_en", &self.message.en)?;
        st.end()
    }
}

impl Warning {
    pub fn new(kind: WarningKind) -> Warning {
        let message = match kind {
            WarningKind::Blur => Msg::new(
                "照片模糊，文字可能无法识别。请对焦后重拍：手机离证件 20–30 厘米，点一下屏幕上的证件对焦，拍摄时保持不动。",
                "The photo is blurred; the text may not be readable. Retake it in focus: hold the phone 20–30 cm from the card, tap the card on the screen to focus, and keep still.",
            ),
            WarningKind::Glare => Msg::new(
                "证件上有反光，部分文字可能被遮住。请避开灯光直射，稍微倾斜证件或换个角度重拍。",
                "There is glare on the card that may hide some text. Move away from direct light, or tilt the card slightly, and retake the photo.",
            ),
            WarningKind::CutOff => Msg::new(
                "证件有一部分在照片之外。请把整张证件（四个角）都拍进画面后重拍。",
                "Part of the card is outside the photo. Retake it with the whole card, all four corners, inside the frame.",
            ),
            WarningKind::TooSmall => Msg::new(
                "证件在照片中太小，文字可能无法识别。请靠近一些，让证件占满大部分画面后重拍。",
                "The card is too small in the photo; the text may not be readable. Move closer so the card fills most of the frame, and retake it.",
            ),
            WarningKind::Copy => Msg::new(
                "这看起来是黑白复印件，而不是身份证原件。请拍摄证件原件。",
                "This looks like a black-and-white photocopy rather than the card itself. Photograph the original card.",
            ),
            WarningKind::NotIdCard => Msg::new(
                "照片中没有找到身份证。请把证件平放在深色桌面上，正对证件拍摄。",
                "No ID card was found in the photo. Lay the card flat on a darker surface and photograph it from straight above.",
            ),
        };
        Warning { kind, message }
    }
}

/// The measurements behind the warnings (for tuning and for the notes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    pub card: Option<Quad>,
    pub touches_border: bool,
    pub card_width: Option<f64>,
    /// Estimated blur: edge spread in pixels, measured on the card at its own resolution (at most
    /// 1000 px wide), or on the whole photo when no card was found.
    pub edge_width: f64,
    /// Share of card pixels clipped to white.
    pub clipped: f64,
    /// 90th percentile of colour deviation from the median tint.
    pub colour: f64,
}

/// Checks a prepared photo.
pub fn assess(p: &Prepared) -> Vec<Warning> {
    assess_image(&p.image)
}

/// Checks pixels (any size; best ≤ 2000 px, as prepared).
pub fn assess_image(img: &RgbImage) -> Vec<Warning> {
    warnings(&measure(img))
}

/// Turns measurements into warnings.
pub fn warnings(m: &Measures) -> Vec<Warning> {
    let mut out = Vec::new();
    match (m.card, m.touches_border) {
        (None, true) => out.push(Warning::new(WarningKind::CutOff)),
        (None, false) => out.push(Warning::new(WarningKind::NotIdCard)),
        (Some(_), true) => out.push(Warning::new(WarningKind::CutOff)),
        (Some(_), false) => {}
    }
    if m.card_width.is_some_and(|w| w < MIN_CARD_WIDTH) {
        out.push(Warning::new(WarningKind::TooSmall));
    }
    if m.edge_width > 2.6 {
        out.push(Warning::new(WarningKind::Blur));
    }
    if m.clipped > 0.015 {
        out.push(Warning::new(WarningKind::Glare));
    }
    if m.colour < 2.5 {
        out.push(Warning::new(WarningKind::Copy));
    }
    out
}

/// Measures everything the warnings need.
pub fn measure(img: &RgbImage) -> Measures {
    let Detection { quad, touches_border, region_found } = card_locate::detect(img);
    let touches_border = touches_border && (quad.is_some() || region_found);
    let card_width = quad.map(|q| q.mean_width());
    // The card upright at a fixed scale (at most its own resolution), or the whole photo.
    let region = match quad {
        Some(q) => {
            let w = q.mean_width().clamp(64.0, 1000.0).round() as u32;
            let h = ((w as f64) / card_locate::CARD_ASPECT).round() as u32;
            // Leave out the laminate edge and the desk behind it.
            let card = card_locate::rectify(img, &q, w, h);
            let (mx, my) = (w / 25, h / 25);
            image::imageops::crop_imm(&card, mx, my, w - 2 * mx, h - 2 * my).to_image()
        }
        None => img.clone(),
    };
    let edge_width = edge_spread(&card_locate::to_luma(&region));
    Measures { card: quad, touches_border, card_width, edge_width, clipped: clipped_share(&region), colour: colour_variation(&region) }
}

/// Typical edge spread in pixels: at the strongest gradient maxima, local contrast (7 × 7 range)
/// over the peak gradient. A step edge blurred by a Gaussian of σ gives about 2.5 σ.
fn edge_spread(g: &GrayImage) -> f64 {
    let (w, h) = (g.width() as usize, g.height() as usize);
    if w < 16 || h < 16 {
        return 0.0;
    }
    let px = g.as_raw();
    let at = |x: usize, y: usize| px[y * w + x] as i32;
    let mut grads: Vec<(u32, u32, u32)> = Vec::new();
    for y in (3..h - 3).step_by(1) {
        for x in 3..w - 3 {
            let gx = (at(x + 1, y) - at(x - 1, y)).abs();
            let gy = (at(x, y + 1) - at(x, y - 1)).abs();
            let m = gx.max(gy) as u32;
            if m >= 24 {
                grads.push((m, x as u32, y as u32));
            }
        }
    }
    if grads.len() < 50 {
        // Almost no edges at all: either a blank image or very blurred.
        return if grads.is_empty() { 10.0 } else { 5.0 };
    }
    // The strongest 2 % (at most 4000) edge pixels.
    let keep = (grads.len() / 50).clamp(50, 4000).min(grads.len());
    grads.select_nth_unstable_by(keep - 1, |a, b| b.0.cmp(&a.0));
    let mut spreads: Vec<f64> = grads[..keep]
        .iter()
        .map(|&(m, x, y)| {
            let (x, y) = (x as usize, y as usize);
            let (mut lo, mut hi) = (255, 0);
            for yy in y - 3..=y + 3 {
                for xx in x - 3..=x + 3 {
                    let v = at(xx, yy);
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            // Central difference spans two pixels.
            2.0 * (hi - lo) as f64 / m as f64
        })
        .collect();
    spreads.sort_by(|a, b| a.total_cmp(b));
    spreads[spreads.len() / 2]
}

fn clipped_share(img: &RgbImage) -> f64 {
    let n = img.pixels().filter(|p| p[0] >= 250 && p[1] >= 250 && p[2] >= 250).count();
    n as f64 / (img.width() as f64 * img.height() as f64).max(1.0)
}

fn colour_variation(img: &RgbImage) -> f64 {
    let (w, h) = img.dimensions();
    let small = area_downscale(img, (w / 4).max(1), (h / 4).max(1));
    let mut rg: Vec<i32> = Vec::with_capacity(small.len() / 3);
    let mut bg: Vec<i32> = Vec::with_capacity(small.len() / 3);
    for p in small.pixels() {
        rg.push(p[0] as i32 - p[1] as i32);
        bg.push(p[2] as i32 - p[1] as i32);
    }
    let median = |v: &mut Vec<i32>| {
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1
    };
    let (mrg, mbg) = (median(&mut rg.clone()), median(&mut bg.clone()));
    let mut dev: Vec<f64> = rg.iter().zip(&bg).map(|(&a, &b)| (((a - mrg).pow(2) + (b - mbg).pow(2)) as f64).sqrt()).collect();
    if dev.is_empty() {
        return 0.0;
    }
    let k = (dev.len() * 9 / 10).min(dev.len() - 1);
    *dev.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
}

#[cfg(test)]
mod tests;
