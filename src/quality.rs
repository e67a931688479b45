//! Local photo-quality warnings, before any paid OCR call and for either OCR engine.
//!
//! A blurred, glared, cut-off, tiny or photocopied card costs a vendor call and gives a wrong or
//! empty reading. These checks run on the prepared pixels in a few tens of milliseconds and
//! return warnings (never blocks) that say what to do: retake, move the lamp, step closer.
//!
//! How each is measured (each has a score in [`Measures`] and a threshold constant below):
//! - `not_id_card` / `cut_off` / `too_small`: from [`card_locate::detect`], which finds the card
//!   on a desk, on white scanner paper, on a plain light desk or filling the frame, and measures cheap evidence that
//!   the region is an ID card ([`card_locate::Evidence`]).
//! - `blur`: on the card (or the whole photo), edge width at the strongest edges, estimated as
//!   the local contrast divided by the peak gradient; a sharp photo has edges one or two pixels
//!   wide whatever its content or noise.
//! - `glare`: blown-out highlights over the card: solid blobs of pixels clipped to white on all
//!   three channels. A white card background or paper is not glare: it is one large region
//!   full of holes (the print), so blobs with many holes or covering most of the card do not
//!   count.
//! - `copy`: colour variation around the card's median tint after averaging 4 × 4 blocks (which
//!   removes sensor noise); a grey photocopy has none, whatever the light's colour cast.
//! - `screen`: a card photographed off a screen carries the screen's pixel grid (RGB stripes,
//!   dark lines between pixels) and the moiré it makes with the camera's grid: a sharp peak in
//!   the spectrum of the card's fine detail, which print, paper and noise do not make.
//! - `occluded`: a finger or a pen over the card is a solid blob of skin colour (against the
//!   card's own tint) or of dark ink, reaching the card's edge since it comes from outside.
//! - `expired` and `temporary` come from the reading, not the pixels ([`after_reading_on`]):
//!   the validity's end before today, and the title of a 临时居民身份证.

use crate::card::CardFields;
use crate::card_locate::{self, area_downscale, Detection, Evidence, Found, Quad};
use crate::i18n::Msg;
use crate::id::Date;
use crate::image_prep::Prepared;
use crate::validity;
use image::{GrayImage, RgbImage};
use serde::ser::SerializeStruct;
use serde::Serialize;

/// `too_small` below this card width in pixels of the prepared image ([`Measures::card_width`]):
/// too few pixels for the text. Chosen on the labelled synthetic photos of
/// `scripts/gen_photos.py` (seeds 1–99; condition `small` against the good conditions) and
/// `scripts/gen_cards.py` (condition `small` against the others), between the widest card
/// labelled too small and the narrowest labelled good.
pub const MIN_CARD_WIDTH: f64 = 432.0;
/// `too_small` also below this card width as a share of the photo's width
/// ([`Measures::card_share`]): a card far away in a large photo. Chosen on the
/// `scripts/gen_photos.py` photos (seeds 1–99; `small` against `desk_far` and the other good
/// conditions), between the two.
pub const MIN_CARD_SHARE: f64 = 0.28;
/// `blur` above this edge spread in pixels ([`Measures::edge_width`]). Chosen on the same
/// labelled sets (conditions `blur` and `motion` against the good ones, `dim` included),
/// between the sharpest blurred photo and the least sharp good one.
pub const BLUR_EDGE_WIDTH: f64 = 2.9;
/// `glare` above this share of the card under solid blown-out blobs ([`Measures::glare`]).
/// Chosen on the same labelled sets (condition `glare` against the good ones, flat scans on
/// white paper included).
pub const GLARE_SHARE: f64 = 0.015;
/// `cut_off` above this share of the card region's outline on the frame's edge
/// ([`Measures::cut`]). Chosen on the same labelled sets (conditions `cut_left`, `cut_corner`,
/// `cut_edge` against the good ones, cards filling the frame included).
pub const CUT_OFF_SHARE: f64 = 0.02;
/// `copy` below this colour variation ([`Measures::colour`]). Chosen on the same labelled sets
/// (condition `copy` against the good ones, dim and colour-cast photos included).
pub const COPY_COLOUR: f64 = 3.0;
/// `not_id_card` below this evidence score ([`Measures::id_score`]). Chosen on the same labelled
/// sets (conditions `landscape`, `document`, `bank_card`, `business_card`, `other_card`
/// against the photos of ID cards).
pub const ID_SCORE: f64 = 0.5;
/// `screen` above this peak ratio ([`Measures::screen`]): the strongest fine periodic component
/// of the card's luminance over the median of its frequency ring. Chosen on the labelled
/// `scripts/gen_photos.py` photos (seeds 1–3; condition `screen` against all others, JPEG chains
/// and scans included).
pub const SCREEN_PEAK: f64 = 750.0;
/// `occluded` above this share of the card under one skin-toned or dark solid blob reaching
/// the card's edge ([`Measures::occluded`]). Chosen on the labelled `scripts/gen_photos.py`
/// photos (seeds 1–3; condition `occluded` against all others).
pub const OCCLUDED_SHARE: f64 = 0.015;
/// A clipped blob covering more than this share of the card is the card's own white
/// background (a scan, a photocopy), not glare.
const GLARE_MAX_BLOB: f64 = 0.4;
/// A clipped blob whose holes (print showing through) exceed this share of its outline's area is
/// a white background around the print, not glare: glare washes the print out.
const GLARE_MAX_HOLES: f64 = 0.08;

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
    /// The card's validity ended before today (from the reading, not the pixels).
    Expired,
    /// A 临时居民身份证 (temporary resident ID card), from its title in the reading.
    Temporary,
    /// A photo of a screen showing the card (pixel grid, moiré), not of the card.
    Screen,
    /// A finger or an object over the card's text.
    Occluded,
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
            WarningKind::Expired => Msg::new(
                "证件已过有效期，不能作为有效身份证件使用。请持证人出示有效证件，或换领新证后再办理。",
                "The card has expired and is no longer a valid ID. Ask the holder for a valid card, or to renew it, before going on.",
            ),
            WarningKind::Temporary => Msg::new(
                "这是临时居民身份证（有效期最长三个月）。请核对有效期限，并按本单位规定确认是否接受临时证件。",
                "This is a temporary resident ID card (valid for three months at most). Check its validity period, and whether your rules accept a temporary card.",
            ),
            WarningKind::Screen => Msg::new(
                "照片像是翻拍屏幕上的证件（有像素网格或摩尔纹），而不是实体证件。请直接拍摄持证人的实体证件。",
                "The photo looks like a picture of a screen showing the card (a pixel grid or moiré), not of the card itself. Photograph the holder's physical card.",
            ),
            WarningKind::Occluded => Msg::new(
                "证件上的文字被手指或物品挡住了一部分。请移开遮挡物，只捏住证件边缘后重拍。",
                "A finger or an object covers part of the card's text. Move it away, hold the card by its edges only, and retake the photo.",
            ),
        };
        Warning { kind, message }
    }

    /// `expired`, with the end date printed on the card.
    pub fn expired(end: Date) -> Warning {
        let dotted = format!("{:04}.{:02}.{:02}", end.year(), end.month(), end.day());
        let message = Msg::new(
            format!("证件已过有效期（至 {dotted}），不能作为有效身份证件使用。请持证人出示有效证件，或换领新证后再办理。"),
            format!("The card expired on {dotted} and is no longer a valid ID. Ask the holder for a valid card, or to renew it, before going on."),
        );
        Warning { kind: WarningKind::Expired, message }
    }
}

/// The measurements behind the warnings (for tuning and for the notes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    pub card: Option<Quad>,
    /// How the card was found (desk, paper, the frame itself).
    pub found: Option<Found>,
    /// The card (or, with none found, a large light region) runs off the frame.
    pub touches_border: bool,
    /// `cut_off` score: share of the card region's outline on the frame's edge.
    pub cut: f64,
    /// `too_small` score: the card's width in pixels.
    pub card_width: Option<f64>,
    /// `too_small` score: the card's width over the photo's width.
    pub card_share: Option<f64>,
    /// `not_id_card` score: evidence that the region is an ID card, 0–1 (0 with no card found).
    pub id_score: f64,
    pub evidence: Evidence,
    /// `blur` score: edge spread in pixels, measured on the card at its own resolution (at most
    /// 1000 px wide), or on the whole photo when no card was found.
    pub edge_width: f64,
    /// `glare` score: share of the card under solid blobs clipped to white.
    pub glare: f64,
    /// `copy` score: 90th percentile of colour deviation from the median tint.
    pub colour: f64,
    /// `screen` score: the strongest fine periodic component of the luminance over the card
    /// (or the photo), against the median power at its frequency ([`screen_peak`]).
    pub screen: f64,
    /// `occluded` score: share of the card under the largest skin-toned or dark solid blob that
    /// reaches the card's edge ([`occluder_share`]); 0 with no card found.
    pub occluded: f64,
}

/// Checks a prepared photo.
pub fn assess(p: &Prepared) -> Vec<Warning> {
    assess_image(&p.image)
}

/// Checks pixels (any size; best ≤ 2000 px, as prepared).
pub fn assess_image(img: &RgbImage) -> Vec<Warning> {
    warnings(&measure(img))
}

/// Turns measurements into warnings. A region that is not an ID card gets `not_id_card`
/// without size, blur, glare or copy (they do not matter), but with `screen` and `occluded`.
pub fn warnings(m: &Measures) -> Vec<Warning> {
    let mut out = Vec::new();
    // A screen's grid and a hand over the card hide what makes a card look like one: these two
    // are said whatever else is.
    let mut over = Vec::new();
    if m.screen > SCREEN_PEAK {
        over.push(Warning::new(WarningKind::Screen));
    }
    if m.occluded > OCCLUDED_SHARE {
        over.push(Warning::new(WarningKind::Occluded));
    }
    match m.card {
        None if m.touches_border => out.push(Warning::new(WarningKind::CutOff)),
        None => out.push(Warning::new(WarningKind::NotIdCard)),
        // Part of a pale card out of view says cut off, whatever of its layout is missing.
        Some(_) if m.cut > CUT_OFF_SHARE && m.evidence.bg_saturation < 0.35 => out.push(Warning::new(WarningKind::CutOff)),
        Some(_) if m.id_score < ID_SCORE => {
            out.push(Warning::new(WarningKind::NotIdCard));
            out.extend(over);
            return out;
        }
        Some(_) if m.cut > CUT_OFF_SHARE => out.push(Warning::new(WarningKind::CutOff)),
        Some(_) => {}
    }
    if m.card_width.is_some_and(|w| w < MIN_CARD_WIDTH) || m.card_share.is_some_and(|s| s < MIN_CARD_SHARE) {
        out.push(Warning::new(WarningKind::TooSmall));
    }
    if m.edge_width > BLUR_EDGE_WIDTH {
        out.push(Warning::new(WarningKind::Blur));
    }
    if m.glare > GLARE_SHARE {
        out.push(Warning::new(WarningKind::Glare));
    }
    if m.colour < COPY_COLOUR {
        out.push(Warning::new(WarningKind::Copy));
    }
    out.extend(over);
    out
}

/// After the card's fields were read, as of today in China: see [`after_reading_on`].
pub fn after_reading(warnings: &mut Vec<Warning>, fields: &CardFields) {
    after_reading_on(warnings, fields, Date::today())
}

/// After the card's fields were read, as of `today`: drops `not_id_card`, since a reading of a
/// valid-looking number (17 digits and a digit or X) or of at least three fields proves a card
/// is there; adds `expired` when the validity read ended before `today`
/// ([`validity::expired_on`]), so the clerk sees it before any paid check; adds `temporary`
/// when the reading found a 临时居民身份证's title. Every other warning stays.
pub fn after_reading_on(warnings: &mut Vec<Warning>, fields: &CardFields, today: Date) {
    let number_looks_valid = fields.number.as_deref().is_some_and(|n| {
        let n = crate::id::check(n).number;
        let b = n.as_bytes();
        b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X')
    });
    let read = [
        &fields.name,
        &fields.number,
        &fields.sex,
        &fields.ethnicity,
        &fields.birth,
        &fields.address,
        &fields.issued_by,
        &fields.valid_from,
        &fields.valid_until,
    ]
    .iter()
    .filter(|f| f.as_deref().is_some_and(|s| !s.trim().is_empty()))
    .count();
    if number_looks_valid || read >= 3 {
        warnings.retain(|w| w.kind != WarningKind::NotIdCard);
    }
    let mut add = |w: Warning| {
        if !warnings.iter().any(|x| x.kind == w.kind) {
            warnings.push(w);
        }
    };
    if let Some(end) = fields.valid_until.as_deref().and_then(|v| validity::expired_on(v, today)) {
        add(Warning::expired(end));
    }
    if fields.temporary {
        add(Warning::new(WarningKind::Temporary));
    }
}

/// Measures everything the warnings need.
pub fn measure(img: &RgbImage) -> Measures {
    let Detection { quad, touches_border, found, cut, evidence, .. } = card_locate::detect(img);
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
    let glare = if quad.is_some() { glare_share(&region) } else { 0.0 };
    Measures {
        card: quad,
        found,
        touches_border,
        cut,
        card_width,
        card_share: card_width.map(|w| w / img.width().max(1) as f64),
        id_score: if quad.is_some() { evidence.score } else { 0.0 },
        evidence,
        edge_width,
        glare,
        colour: colour_variation(&region),
        screen: screen_peak(img, quad.as_ref()),
        occluded: if quad.is_some() { occluder_share(&region) } else { 0.0 },
    }
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

/// Share of the card under solid blown-out blobs: 4-connected regions of pixels at 250 or more
/// on all three channels, each at least 0.1 % of the card, at most [`GLARE_MAX_BLOB`] of it,
/// with holes (unclipped pixels it encloses) at most [`GLARE_MAX_HOLES`] of its area.
fn glare_share(img: &RgbImage) -> f64 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let total = (w * h) as f64;
    if w < 4 || h < 4 {
        return 0.0;
    }
    let clipped: Vec<bool> = img.pixels().map(|p| p[0] >= 250 && p[1] >= 250 && p[2] >= 250).collect();
    // Label clipped regions and unclipped ones alike; an unclipped region off the edge is a
    // hole of the clipped region above its first pixel.
    let mut label = vec![u32::MAX; w * h];
    let mut sizes: Vec<usize> = Vec::new();
    let mut holes: Vec<usize> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if label[start] != u32::MAX {
            continue;
        }
        let id = sizes.len() as u32;
        let kind = clipped[start];
        let (mut len, mut edge) = (0usize, false);
        label[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            len += 1;
            let (x, y) = (i % w, i / w);
            edge |= x == 0 || y == 0 || x + 1 == w || y + 1 == h;
            for (ok, j) in [(x > 0, i.wrapping_sub(1)), (x + 1 < w, i + 1), (y > 0, i.wrapping_sub(w)), (y + 1 < h, i + w)] {
                if ok && label[j] == u32::MAX && clipped[j] == kind {
                    label[j] = id;
                    stack.push(j);
                }
            }
        }
        sizes.push(if kind { len } else { 0 });
        holes.push(0);
        if !kind && !edge {
            // The pixel above the region's first pixel is clipped and encloses it.
            let owner = label[start - w] as usize;
            holes[owner] += len;
        }
    }
    let min_blob = (total * 0.001).max(4.0);
    let blown: usize = sizes
        .iter()
        .zip(&holes)
        .filter(|&(&n, &hole)| n as f64 >= min_blob && (n as f64) <= GLARE_MAX_BLOB * total && (hole as f64) <= GLARE_MAX_HOLES * (n + hole) as f64)
        .map(|(&n, _)| n)
        .sum();
    blown as f64 / total
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

/// Share of the card (upright, its edge trimmed) under the largest solid blob of a finger's or
/// an object's colour that reaches the card's edge: fingers and pens come from outside the card.
///
/// Measured on 8 × 8 blocks (averaging away print strokes, which are thinner: only a solid
/// object keeps its colour in a block). A block is skin-toned when, against the card's median
/// tint (so a lamp's warm cast does not count), it is redder (R − G up by 12 to 100) and
/// yellower (G − B up by 4 to 70), neither blown out nor black; it is dark solid when its
/// luminance is under 40 % of the card's median. The portrait's grey, the emblem's red and gold
/// and the stamp's thin red fall outside both.
fn occluder_share(region: &RgbImage) -> f64 {
    let (w, h) = region.dimensions();
    let (bw, bh) = ((w / 8).max(1) as usize, (h / 8).max(1) as usize);
    if bw < 8 || bh < 8 {
        return 0.0;
    }
    let small = area_downscale(region, bw as u32, bh as u32);
    let px: Vec<[i32; 3]> = small.pixels().map(|p| [p[0] as i32, p[1] as i32, p[2] as i32]).collect();
    let lum = |p: &[i32; 3]| (299 * p[0] + 587 * p[1] + 114 * p[2]) / 1000;
    let median = |mut v: Vec<i32>| {
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1
    };
    let mrg = median(px.iter().map(|p| p[0] - p[1]).collect());
    let mgb = median(px.iter().map(|p| p[1] - p[2]).collect());
    let ml = median(px.iter().map(lum).collect()).max(1);
    let hit: Vec<bool> = px
        .iter()
        .map(|p| {
            let (drg, dgb, l) = (p[0] - p[1] - mrg, p[1] - p[2] - mgb, lum(p));
            let skin = (12..=100).contains(&drg) && (4..=70).contains(&dgb) && l > ml / 4 && p[0] < 250;
            let dark = l * 10 < ml * 4;
            skin || dark
        })
        .collect();
    let mut seen = vec![false; bw * bh];
    let mut best = 0usize;
    let mut stack = Vec::new();
    for start in 0..bw * bh {
        if !hit[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut n, mut edge) = (0usize, false);
        while let Some(i) = stack.pop() {
            n += 1;
            let (x, y) = (i % bw, i / bw);
            edge |= x == 0 || y == 0 || x + 1 == bw || y + 1 == bh;
            for (ok, j) in [(x > 0, i.wrapping_sub(1)), (x + 1 < bw, i + 1), (y > 0, i.wrapping_sub(bw)), (y + 1 < bh, i + bw)] {
                if ok && hit[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        if edge {
            best = best.max(n);
        }
    }
    best as f64 / (bw * bh) as f64
}

/// Side of the square tiles whose spectra [`screen_peak`] averages (a power of two).
const TILE: usize = 64;

/// How periodic the fine detail of the card is: a screen's pixel grid (its RGB stripes and the
/// dark lines between its pixels, a few photo pixels apart) and the moiré it makes with the
/// camera's own grid are periodic; print, paper and noise are not.
///
/// Over up to 6 × 6 tiles of [`TILE`] pixels inside the card's bounding box (the whole photo
/// without a card), at the photo's own pixels (no resampling, which would blur the grid), the
/// windowed luminance's power spectra are summed. Every frequency with a period of 2–10 pixels
/// is compared with the median power of its ring (same distance from the origin); the score is
/// the largest ratio. JPEG's 8-pixel blocks put peaks at multiples of an eighth of the
/// sampling rate on both axes: those frequencies are left out.
fn screen_peak(img: &RgbImage, quad: Option<&Quad>) -> f64 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (mut x0, mut y0, mut x1, mut y1) = (0usize, 0usize, w, h);
    if let Some(q) = quad {
        let xs = q.corners.iter().map(|c| c.x);
        let ys = q.corners.iter().map(|c| c.y);
        let (qx0, qx1) = (xs.clone().fold(f64::MAX, f64::min), xs.fold(f64::MIN, f64::max));
        let (qy0, qy1) = (ys.clone().fold(f64::MAX, f64::min), ys.fold(f64::MIN, f64::max));
        // The inner part of the box: away from the card's edge and the desk beyond it.
        let (mx, my) = ((qx1 - qx0) * 0.12, (qy1 - qy0) * 0.12);
        x0 = (qx0 + mx).max(0.0) as usize;
        y0 = (qy0 + my).max(0.0) as usize;
        x1 = ((qx1 - mx).max(0.0) as usize).min(w);
        y1 = ((qy1 - my).max(0.0) as usize).min(h);
    }
    if x1 < x0 + TILE || y1 < y0 + TILE {
        return 0.0;
    }
    let n = TILE;
    let window: Vec<f32> = (0..n).map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / n as f32).cos()).collect();
    let mut power = vec![0f32; n * n];
    let (nx, ny) = (((x1 - x0) / n).min(6), ((y1 - y0) / n).min(6));
    let px = img.as_raw();
    let mut re = vec![0f32; n * n];
    let mut im = vec![0f32; n * n];
    for ty in 0..ny {
        for tx in 0..nx {
            // Tiles spread evenly over the box.
            let ox = x0 + if nx > 1 { tx * (x1 - x0 - n) / (nx - 1) } else { 0 };
            let oy = y0 + if ny > 1 { ty * (y1 - y0 - n) / (ny - 1) } else { 0 };
            let mut mean = 0f32;
            for y in 0..n {
                for x in 0..n {
                    let i = ((oy + y) * w + ox + x) * 3;
                    let l = 0.299 * px[i] as f32 + 0.587 * px[i + 1] as f32 + 0.114 * px[i + 2] as f32;
                    re[y * n + x] = l;
                    mean += l;
                }
            }
            mean /= (n * n) as f32;
            for y in 0..n {
                for x in 0..n {
                    re[y * n + x] = (re[y * n + x] - mean) * window[x] * window[y];
                    im[y * n + x] = 0.0;
                }
            }
            fft2(&mut re, &mut im, n);
            for (p, (a, b)) in power.iter_mut().zip(re.iter().zip(&im)) {
                *p += a * a + b * b;
            }
        }
    }
    // Rings by rounded radius, over the half plane (the spectrum of a real image is symmetric).
    let freq = |k: usize| if k <= n / 2 { k as i32 } else { k as i32 - n as i32 };
    let (r_lo, r_hi) = (n / 10, n / 2);
    let mut rings: Vec<Vec<f32>> = vec![Vec::new(); r_hi + 1];
    let mut bins: Vec<(usize, f32)> = Vec::new();
    for ky in 0..n {
        for kx in 0..=n / 2 {
            let (fx, fy) = (freq(kx), freq(ky));
            let r = ((fx * fx + fy * fy) as f32).sqrt().round() as usize;
            if r < r_lo || r > r_hi || (fx % 8 == 0 && fy % 8 == 0) {
                continue;
            }
            let p = power[ky * n + kx];
            rings[r].push(p);
            bins.push((r, p));
        }
    }
    let medians: Vec<f32> = rings
        .iter_mut()
        .map(|v| {
            if v.is_empty() {
                return f32::MAX;
            }
            let mid = v.len() / 2;
            *v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1
        })
        .collect();
    bins.iter().map(|&(r, p)| (p / medians[r].max(1e-3)) as f64).fold(0.0, f64::max)
}

/// In-place 2-D FFT of an `n` × `n` complex array (`n` a power of two), rows then columns.
fn fft2(re: &mut [f32], im: &mut [f32], n: usize) {
    let (mut r, mut i) = (vec![0f32; n], vec![0f32; n]);
    for y in 0..n {
        fft(&mut re[y * n..(y + 1) * n], &mut im[y * n..(y + 1) * n]);
    }
    for x in 0..n {
        for y in 0..n {
            r[y] = re[y * n + x];
            i[y] = im[y * n + x];
        }
        fft(&mut r, &mut i);
        for y in 0..n {
            re[y * n + x] = r[y];
            im[y * n + x] = i[y];
        }
    }
}

/// In-place iterative radix-2 FFT.
fn fft(re: &mut [f32], im: &mut [f32]) {
    let n = re.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let ang = -2.0 * std::f32::consts::PI / len as f32;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (wr, wi) = ((ang * k as f32).cos(), (ang * k as f32).sin());
                let (a, b) = (start + k, start + k + len / 2);
                let (xr, xi) = (re[b] * wr - im[b] * wi, re[b] * wi + im[b] * wr);
                re[b] = re[a] - xr;
                im[b] = im[a] - xi;
                re[a] += xr;
                im[a] += xi;
            }
        }
        len <<= 1;
    }
}

#[cfg(test)]
mod tests;
