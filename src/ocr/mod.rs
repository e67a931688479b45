//! Reading a card on this machine (provider `local`, 本机识别): PaddleOCR PP-OCRv5 mobile models
//! embedded in the binary, never downloaded, run by ONNX Runtime or by `rten` ([`net`]).
//!
//! Pipeline, one module per step: [`prep`] decodes and applies EXIF orientation; [`locate`]
//! picks the region and the card's reading direction; [`det`] finds text lines; [`rec`] reads
//! them; [`layout`] turns lines into [`CardFields`], with the number repaired and checked by
//! [`number`] through [`crate::id::check`].
//!
//! ```no_run
//! let bytes = std::fs::read("card.jpg").unwrap();
//! let reading = idcheck::ocr::read_file(&bytes).unwrap();
//! println!("{:?}", reading.fields.side);
//! ```
//!
//! The models load on first use or through [`warm`], on ONNX Runtime when the shipped library is
//! found and on `rten` otherwise ([`net`]), and stay loaded until [`release`]: a window that sits
//! idle hands their memory back and loads them again (a quarter of a second) for the next photo.

pub mod det;
pub mod dict;
pub mod doubt;
pub mod geom;
pub mod layout;
pub mod locate;
pub mod memory;
pub mod net;
pub mod number;
pub mod prep;
pub mod rec;

use crate::card::CardFields;
use crate::i18n::Msg;
use image::RgbImage;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Instant;

static DET_MODEL: &[u8] = include_bytes!("../../models/ppocrv5_det.onnx");
static REC_MODEL: &[u8] = include_bytes!("../../models/ppocrv5_rec.onnx");
static REC_DICT: &str = include_str!("../../models/ppocrv5_dict.txt");
static REC_T2S: &str = include_str!("../../models/ppocrv5_t2s.txt");

/// Length of the stretch of a line read both ways to tell which way up the card lies, in line
/// heights.
const PROBE_HEIGHTS: f32 = 3.0;

/// Longer side of the image the detector sees when no card was located (the whole frame).
const DET_LIMIT: u32 = 960;
/// Longer side of the detector's image when it sees only the located card: the card's text is
/// then still 25–40 pixels high, plenty for the detector, at half the cost of [`DET_LIMIT`].
/// (512 was tried: it loses single-character boxes such as 男.)
const CARD_DET_LIMIT: u32 = 640;

/// Why a photo could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OcrError {
    #[error("the built-in OCR models failed to load ({0}); reinstall the application")]
    Model(String),
    #[error("{0}")]
    Image(crate::image_prep::ImageError),
    #[error("no text was found in the photo; photograph the whole card, flat and in focus, and try again")]
    NoText,
    #[error("the OCR engine failed ({0}); try again, or enter the fields by hand")]
    Run(String),
}

impl OcrError {
    /// The error for the user, in both languages.
    pub fn msg(&self) -> Msg {
        match self {
            OcrError::Model(_) => Msg::new("本机识别模型加载失败，请重新安装本程序。", self.to_string()),
            OcrError::Image(e) => e.message.clone(),
            OcrError::NoText => Msg::new("照片中未找到文字，请拍摄完整、平整、清晰的证件后重试。", self.to_string()),
            OcrError::Run(_) => Msg::new("本机识别出错，请重试或手工填写。", self.to_string()),
        }
    }
}

/// How long each step took, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub decode_ms: f32,
    pub detect_ms: f32,
    pub recognize_ms: f32,
    pub total_ms: f32,
    /// Lines recognised.
    pub lines: usize,
    /// What ran the models: `onnxruntime` or `rten`.
    pub runtime: &'static str,
}

/// What the engine read off one photo.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    pub fields: CardFields,
    /// Things the clerk should check (a corrected digit, a number failing its check).
    pub notes: Vec<Msg>,
    pub timings: Timings,
    /// The text's own frame in this pass: a rectangle along the reading direction around every
    /// line found, with room for lines that were missed (see [`text_frame`]).
    #[serde(skip)]
    frame: Option<geom::Quad>,
    /// The card's outline in the photo when the locator found it ([`Engine::read_all`]).
    #[serde(skip)]
    pub place: Option<crate::card_locate::Quad>,
}

/// The embedded ONNX files are parsed into tensors of their own at load, after which their
/// ~21 MB of pages in the binary are never read again. Let the kernel drop them from this
/// process: the mapping is read-only and file-backed, so a later touch would only read them
/// back from the file.
fn release_model_files() {
    #[cfg(target_os = "linux")]
    for data in [DET_MODEL, REC_MODEL] {
        // SAFETY: sysconf has no preconditions; madvise(MADV_DONTNEED) on whole pages inside a
        // read-only file-backed mapping changes no contents, only what is resident.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE).max(4096) as usize;
            let start = (data.as_ptr() as usize).next_multiple_of(page);
            let end = (data.as_ptr() as usize + data.len()) / page * page;
            if end > start {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
}

/// The loaded models.
pub struct Engine {
    det: det::Detector,
    rec: rec::Recognizer,
}

/// The process-wide engine while it is loaded ([`Engine::shared`], [`release`]).
static ENGINE: Mutex<Option<Arc<Engine>>> = Mutex::new(None);

impl Engine {
    /// The process-wide engine, loading the embedded models when none is loaded. Callers at the
    /// same moment wait for one load.
    pub fn shared() -> Result<Arc<Engine>, OcrError> {
        let mut slot = ENGINE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(engine) = slot.as_ref() {
            return Ok(Arc::clone(engine));
        }
        let engine = Arc::new(Engine::load()?);
        *slot = Some(Arc::clone(&engine));
        Ok(engine)
    }

    /// Loads the embedded models (a quarter of a second); prefer [`Engine::shared`].
    pub fn load() -> Result<Engine, OcrError> {
        Engine::load_on(net::preferred())
    }

    /// Loads the embedded models on `runtime` when it is available, else on `rten`.
    pub fn load_on(runtime: net::Runtime) -> Result<Engine, OcrError> {
        // Parsing and optimising a model is one thread's work: the two models load side by side.
        let (det, rec, dict) = std::thread::scope(|s| {
            let det = s.spawn(|| net::Net::load(DET_MODEL, "detection", runtime));
            let dict = s.spawn(|| dict::Dict::parse(REC_DICT).with_simplified(REC_T2S).with_japanese_forms());
            let rec = net::Net::load(REC_MODEL, "recognition", runtime);
            let panicked = || OcrError::Model("model loader panicked".into());
            (det.join().map_err(|_| panicked()), rec, dict.join().map_err(|_| panicked()))
        });
        let (det, rec, dict) = (det??, rec?, dict?);
        release_model_files();
        Ok(Engine { det: det::Detector::new(det), rec: rec::Recognizer::new(rec, dict) })
    }

    /// Decodes a photo (JPEG, PNG, WebP, BMP; EXIF orientation applied) and reads it.
    pub fn read_file(&self, bytes: &[u8]) -> Result<Reading, OcrError> {
        let t0 = Instant::now();
        let img = prep::decode(bytes)?;
        let decode_ms = t0.elapsed().as_secs_f32() * 1000.0;
        let mut r = self.read(&img)?;
        r.timings.decode_ms = decode_ms;
        r.timings.total_ms += decode_ms;
        Ok(r)
    }

    /// What runs the models.
    pub fn runtime(&self) -> net::Runtime {
        self.det.runtime()
    }

    /// Reads the card in an upright (EXIF-applied) photo.
    ///
    /// Detection first looks at the located card only (or the whole frame at the card's size
    /// when the frame has the card's shape). The locator can take a patterned desk
    /// for the card's edge and return most of the frame, and the card's text is then too small
    /// at [`CARD_DET_LIMIT`]: when that reading misses a field, the whole frame is read again at
    /// [`DET_LIMIT`] and the fuller reading kept. Good photos pay for one pass only.
    pub fn read(&self, img: &RgbImage) -> Result<Reading, OcrError> {
        let t0 = Instant::now();
        self.read_located(img, locate::region(img), t0)
    }

    /// Decodes a photo (as [`Engine::read_file`]) and reads every card in it
    /// ([`Engine::read_all`]); the decoding time is counted in the first reading's.
    pub fn read_file_all(&self, bytes: &[u8]) -> Result<Vec<Reading>, OcrError> {
        let t0 = Instant::now();
        let img = prep::decode(bytes)?;
        let decode_ms = t0.elapsed().as_secs_f32() * 1000.0;
        let mut all = self.read_all(&img)?;
        if let Some(r) = all.first_mut() {
            r.timings.decode_ms = decode_ms;
            r.timings.total_ms += decode_ms;
        }
        Ok(all)
    }

    /// Reads every card in an upright photo: the front and the back side by side, or several
    /// people's cards ([`crate::crops::cards`]' order: fronts first, then in reading order).
    /// A photo with one card (or none found) is read exactly as [`Engine::read`] reads it, at
    /// the same cost: the locator runs once. With several, each card is cut out upright and read
    /// as a card filling its frame, one [`Engine::read`] pass per card, the cards side by side on
    /// threads; a card that gives no text
    /// is left out, and when none does the first error is returned. Each reading's
    /// [`Reading::place`] is the card's outline in the photo (see [`crate::card::holders`] to
    /// put a back with its front).
    pub fn read_all(&self, img: &RgbImage) -> Result<Vec<Reading>, OcrError> {
        let t0 = Instant::now();
        let quads = crate::card_locate::locate_all(img);
        if quads.len() <= 1 {
            let region = quads.first().and_then(|q| locate::region_of(img, q));
            let mut r = self.read_located(img, region, t0)?;
            r.place = quads.first().copied();
            return Ok(vec![r]);
        }
        let mut read = Vec::new();
        let mut first_err = None;
        let crops = crate::crops::cut(img, quads);
        // Each card on its own thread: the models run one call at a time each, but while one
        // card is in the detector the other's recogniser and layout work can run.
        let results: Vec<Result<Reading, OcrError>> = std::thread::scope(|s| {
            let handles: Vec<_> = crops.iter().map(|crop| s.spawn(move || self.read_located(&crop.image, None, Instant::now()))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        for (crop, result) in crops.iter().zip(results) {
            match result {
                Ok(mut r) => {
                    r.place = Some(crop.quad);
                    read.push(r);
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match (read.is_empty(), first_err) {
            (true, Some(e)) => Err(e),
            (true, None) => Err(OcrError::NoText),
            _ => Ok(read),
        }
    }

    /// [`Engine::read`] with the card's region already found (`None`: none was).
    fn read_located(&self, img: &RgbImage, region: Option<geom::Quad>, t0: Instant) -> Result<Reading, OcrError> {
        // A scan or a close-up where the card fills the frame has no edge to find, and is read
        // as the card it is.
        let card_sized = region.is_some() || card_shaped(img.width(), img.height());
        let first = self.read_in(img, region.as_ref(), if card_sized { CARD_DET_LIMIT } else { DET_LIMIT });
        let mut best = first;
        if card_sized && best.as_ref().map_or(true, |r| missing(&r.fields) > 0) {
            best = fuller(best, self.read_in(img, None, DET_LIMIT));
        }
        // The text runs at a slant (a card turned on the desk the locator did not find): the
        // detector finds level lines best, so read once more inside the text's own frame, turned
        // level and at the card's size.
        let frame = best.as_ref().ok().filter(|r| missing(&r.fields) > 0).and_then(|r| r.frame);
        if let Some(frame) = frame.filter(|f| slant(f.angle()) > MIN_SLANT) {
            best = fuller(best, self.read_in(img, Some(&frame), DET_LIMIT));
        }
        let mut reading = best?;
        reading.timings.total_ms = t0.elapsed().as_secs_f32() * 1000.0;
        reading.timings.runtime = self.runtime().name();
        Ok(reading)
    }

    /// One pass: detect text in `region` (or the whole frame) scaled to `limit`, orient,
    /// recognise, read the layout.
    fn read_in(&self, img: &RgbImage, region: Option<&geom::Quad>, limit: u32) -> Result<Reading, OcrError> {
        let t0 = Instant::now();
        let dets = self.det.detect(img, region, limit)?;
        let t_det = t0.elapsed();
        let oriented = locate::orient(&dets).ok_or(OcrError::NoText)?;
        let mut quads = oriented.quads;
        let mut angle = oriented.angle;
        if quads.is_empty() {
            return Err(OcrError::NoText);
        }
        // Which way up: read a stretch (about three characters) from the middle of the two widest
        // lines both ways and keep the surer reading. The whole lines are read once, below.
        let mut by_width: Vec<usize> = (0..quads.len()).collect();
        by_width.sort_by(|&a, &b| quads[b].width().total_cmp(&quads[a].width()));
        let probe_quads: Vec<geom::Quad> = by_width
            .iter()
            .take(2)
            .map(|&i| {
                let q = &quads[i];
                let half = (PROBE_HEIGHTS / 2.0 * q.height() / q.width().max(1.0)).min(0.5);
                q.segment(0.5 - half, 0.5 + half)
            })
            .collect();
        let k = probe_quads.len();
        let mut both = probe_quads.clone();
        both.extend(probe_quads.iter().map(|q| q.flipped()));
        let probed = self.rec.recognize(img, &both)?;
        let score = |ls: &[rec::Line]| ls.iter().map(|l| l.confidence() * l.chars.len() as f32).sum::<f32>();
        if score(&probed[k..]) > score(&probed[..k]) {
            quads = quads.iter().map(|q| q.flipped()).collect();
            angle += std::f32::consts::PI;
        }
        let known = self.rec.recognize(img, &quads)?;
        let mut kept = Vec::new();
        let placed: Vec<layout::Placed> = quads
            .iter()
            .zip(known)
            .filter_map(|(q, line)| {
                let line = without_stamp(line)?;
                kept.push(*q);
                Some(place(q, angle, line))
            })
            .collect();
        let frame = text_frame(&kept, angle);
        let (mut fields, notes) = layout::read_fields(&placed);
        if fields.side.is_none() {
            return Err(OcrError::NoText);
        }
        let mut notes = notes;
        if fields.side == Some(crate::card::Side::Front) && fields.sex.is_none() {
            self.read_sex_between_labels(img, &placed, &kept, &mut fields)?;
        }
        if fields.side == Some(crate::card::Side::Front) && fields.number.is_none() {
            self.read_number_after_label(img, &placed, &kept, &mut fields, &mut notes)?;
        }
        let t_rec = t0.elapsed() - t_det;
        let ms = |d: std::time::Duration| d.as_secs_f32() * 1000.0;
        Ok(Reading {
            fields,
            notes,
            timings: Timings { decode_ms: 0.0, detect_ms: ms(t_det), recognize_ms: ms(t_rec), total_ms: ms(t0.elapsed()), lines: quads.len(), runtime: "" },
            frame,
            place: None,
        })
    }

    /// 性别's value is a single character, the box the detector most often misses. When the
    /// label was read but no value, recognise the stretch between 性别 and 民族 (or two label
    /// heights after 性别) directly.
    fn read_sex_between_labels(&self, img: &RgbImage, placed: &[layout::Placed], quads: &[geom::Quad], fields: &mut CardFields) -> Result<(), OcrError> {
        let Some(i) = placed.iter().position(|p| p.line.text().ends_with("性别")) else { return Ok(()) };
        let label = &quads[i];
        let beyond = |q: &geom::Quad| q.0[1].add(q.0[1].sub(q.0[0]).scale(2.0 * q.height() / q.width().max(1.0)));
        let ethnic = placed
            .iter()
            .enumerate()
            .filter(|(j, p)| *j != i && p.line.text().starts_with("民族") && p.x0 > placed[i].x0 && (p.cy - placed[i].cy).abs() < placed[i].h)
            .min_by(|a, b| a.1.x0.total_cmp(&b.1.x0))
            .map(|(j, _)| quads[j]);
        let (tr, br) = match ethnic {
            Some(e) => (e.0[0], e.0[3]),
            None => {
                let d = beyond(label).sub(label.0[1]);
                (label.0[1].add(d), label.0[2].add(d))
            }
        };
        let gap = geom::Quad([label.0[1], tr, br, label.0[2]]);
        if gap.width() < 0.5 * label.height() {
            return Ok(());
        }
        let line = self.rec.recognize(img, &[gap])?.pop().unwrap_or_default();
        if let Some(sex) = dict::sex(&line.text()) {
            let p = line.chars.iter().find(|c| dict::sex(&c.text).is_some()).map_or(0.0, |c| c.p);
            fields.sex = Some(sex);
            fields.confidence.insert("sex".into(), (p * 1000.0).round() / 1000.0);
        }
        Ok(())
    }

    /// The number is printed large beside 公民身份号码, and where it crosses the portrait's
    /// grey the detector can fold it into the portrait's box. When the label was read but no
    /// number, recognise the stretch after the label, where the layout puts the number.
    fn read_number_after_label(
        &self,
        img: &RgbImage,
        placed: &[layout::Placed],
        quads: &[geom::Quad],
        fields: &mut CardFields,
        notes: &mut Vec<Msg>,
    ) -> Result<(), OcrError> {
        let Some(i) = placed.iter().position(|p| p.line.text().ends_with("号码")) else { return Ok(()) };
        let q = quads[i];
        let along = q.0[1].sub(q.0[0]).scale(1.0 / q.width().max(1.0));
        let down = q.0[3].sub(q.0[0]).scale(1.0 / q.height().max(1.0));
        let h = q.height();
        // The number starts about a label height after the label, runs about 3.3 label widths
        // and stands up to half again as tall, a little lower.
        let start = q.0[1].add(along.scale(0.3 * h)).add(down.scale(-0.35 * h));
        let end = start.add(along.scale(3.4 * q.width()));
        let below = down.scale(1.9 * h);
        let stretch = geom::Quad([start, end, end.add(below), start.add(below)]);
        let line = self.rec.recognize(img, &[stretch])?.pop().unwrap_or_default();
        if let Some((n, mut ns, p)) = layout::number_from(&line.chars) {
            fields.number = Some(n);
            fields.confidence.insert("number".into(), (p * 1000.0).round() / 1000.0);
            notes.append(&mut ns);
        }
        Ok(())
    }
}

/// A line without the 样本 / SPECIMEN stamp a sample card carries: the stamp's words are
/// dropped (a card prints neither in a field), and the line with them when little else is left
/// (two characters or fewer: the stamp's own box). Evidence: the stamp's words read in order.
fn without_stamp(mut line: rec::Line) -> Option<rec::Line> {
    let words: [&[&str]; 2] = [&["样", "本"], &["S", "P", "E", "C", "I", "M", "E", "N"]];
    let mut found = false;
    for w in words {
        let mut i = 0;
        while i + w.len() <= line.chars.len() {
            if line.chars[i..i + w.len()].iter().zip(w).all(|(c, x)| c.text.eq_ignore_ascii_case(x)) {
                line.chars.drain(i..i + w.len());
                found = true;
            } else {
                i += 1;
            }
        }
    }
    (!found || line.chars.iter().filter(|c| !c.text.trim().is_empty()).count() > 2).then_some(line)
}

/// A recognised line in the card's frame.
fn place(q: &geom::Quad, angle: f32, line: rec::Line) -> layout::Placed {
    let (x0, y0, x1, y1) = locate::to_card_frame(q, angle);
    let tilt = q.angle() - angle;
    let tilt = (tilt + std::f32::consts::PI).rem_euclid(2.0 * std::f32::consts::PI) - std::f32::consts::PI;
    layout::Placed { x0, cx: (x0 + x1) / 2.0, cy: (y0 + y1) / 2.0, h: q.height(), tilt, line }
}

/// Of two passes over one photo, the reading that misses fewer fields, completed field by field
/// from the other; the time and lines of both.
fn fuller(a: Result<Reading, OcrError>, b: Result<Reading, OcrError>) -> Result<Reading, OcrError> {
    let spent = |r: &Result<Reading, OcrError>| r.as_ref().map_or((0.0, 0.0, 0), |r| (r.timings.detect_ms, r.timings.recognize_ms, r.timings.lines));
    let ((d1, r1, l1), (d2, r2, l2)) = (spent(&a), spent(&b));
    let mut out = match (a, b) {
        (Ok(a), Ok(b)) => {
            let (mut keep, other) = if missing(&b.fields) < missing(&a.fields) { (b, a) } else { (a, b) };
            layout::fill_from(&mut keep.fields, &other.fields);
            Ok(keep)
        }
        (Err(_), b @ Ok(_)) => b,
        (a, _) => a,
    };
    if let Ok(r) = out.as_mut() {
        (r.timings.detect_ms, r.timings.recognize_ms, r.timings.lines) = (d1 + d2, r1 + r2, l1 + l2);
    }
    out
}

/// Least slant, in radians from level either way, of text worth reading again level (5°).
const MIN_SLANT: f32 = 5.0 * std::f32::consts::PI / 180.0;

/// How far an angle is from level, either way up, in radians.
fn slant(angle: f32) -> f32 {
    let a = angle.rem_euclid(std::f32::consts::PI);
    a.min(std::f32::consts::PI - a)
}

/// The rectangle along `angle` around `quads`, widened by a third of its length at each end and
/// half its height above and below: a card's labels stand left of its values, and a missed row
/// may lie beyond the rows found.
fn text_frame(quads: &[geom::Quad], angle: f32) -> Option<geom::Quad> {
    let (u, v) = (geom::Pt::new(angle.cos(), angle.sin()), geom::Pt::new(-angle.sin(), angle.cos()));
    let dot = |p: geom::Pt, d: geom::Pt| p.x * d.x + p.y * d.y;
    let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for p in quads.iter().flat_map(|q| q.0) {
        (u0, u1) = (u0.min(dot(p, u)), u1.max(dot(p, u)));
        (v0, v1) = (v0.min(dot(p, v)), v1.max(dot(p, v)));
    }
    if u1 <= u0 || v1 <= v0 {
        return None;
    }
    let (du, dv) = ((u1 - u0) / 3.0, (v1 - v0) / 2.0);
    let (u0, u1, v0, v1) = (u0 - du, u1 + du, v0 - dv, v1 + dv);
    let at = |a: f32, b: f32| u.scale(a).add(v.scale(b));
    Some(geom::Quad([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)]))
}

/// Whether a frame has a card's proportions (85.6 × 54 mm, either way round), within 12 %.
fn card_shaped(w: u32, h: u32) -> bool {
    let r = w.max(h) as f32 / w.min(h).max(1) as f32;
    (r / (85.6 / 54.0) - 1.0).abs() <= 0.12
}

/// Fields a side should have and a reading lacks; a number failing its check counts too.
fn missing(f: &CardFields) -> usize {
    use crate::card::Side;
    let none = |v: &Option<String>| usize::from(v.as_deref().is_none_or(str::is_empty));
    match f.side {
        Some(Side::Front) => {
            let bad_number = f.number.as_deref().is_some_and(|n| !crate::id::check(n).valid);
            none(&f.name) + none(&f.sex) + none(&f.ethnicity) + none(&f.birth) + none(&f.address) + none(&f.number) + usize::from(bad_number)
        }
        Some(Side::Back) => none(&f.issued_by) + none(&f.valid_from) + none(&f.valid_until),
        None => 9,
    }
}

/// Loads the models in a background thread so the first card reads without the wait.
pub fn warm() -> std::thread::JoinHandle<()> {
    std::thread::spawn(|| {
        let _ = Engine::shared();
    })
}

/// Whether the process-wide engine is loaded.
pub fn loaded() -> bool {
    ENGINE.lock().unwrap_or_else(|p| p.into_inner()).is_some()
}

/// Drops the process-wide engine and hands its memory back to the system: the models' tensors
/// and ONNX Runtime's resident code (about 60 MB in the desktop app, measured). A read under way
/// finishes on the engine it started with; the next read loads the models again. Returns
/// whether an engine was loaded.
pub fn release() -> bool {
    if ENGINE.lock().unwrap_or_else(|p| p.into_inner()).take().is_none() {
        return false;
    }
    net::release_runtime_code();
    memory::release_scratch();
    true
}

/// Decodes a photo (JPEG, PNG, WebP, BMP; EXIF orientation applied) and reads it.
pub fn read_file(bytes: &[u8]) -> Result<Reading, OcrError> {
    Engine::shared()?.read_file(bytes)
}

/// Decodes a photo and reads every card in it (see [`Engine::read_all`]).
pub fn read_file_all(bytes: &[u8]) -> Result<Vec<Reading>, OcrError> {
    Engine::shared()?.read_file_all(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_stamp_goes_and_the_text_beside_it_stays() {
        use super::rec::{Char, Line};
        let line = |s: &str| Line { chars: s.chars().map(|c| Char { text: c.to_string(), p: 0.9, alt: None }).collect() };
        assert!(super::without_stamp(line("样本")).is_none());
        assert!(super::without_stamp(line("SPECIMEN")).is_none());
        assert!(super::without_stamp(line("样本4")).is_none());
        assert_eq!(super::without_stamp(line("样本辽宁省本溪市")).unwrap().text(), "辽宁省本溪市");
        assert_eq!(super::without_stamp(line("本溪市平山区")).unwrap().text(), "本溪市平山区");
    }

    #[test]
    fn a_frame_of_a_cards_shape_is_read_as_the_card() {
        assert!(super::card_shaped(896, 580));
        assert!(super::card_shaped(580, 896));
        assert!(!super::card_shaped(1200, 900));
        assert!(!super::card_shaped(640, 480));
        assert!(!super::card_shaped(4000, 3000));
    }

    #[test]
    fn the_text_frame_runs_along_the_lines_with_room_around_them() {
        use super::geom::{Pt, Quad};
        let a = 30f32.to_radians();
        let (u, v) = (Pt::new(a.cos(), a.sin()), Pt::new(-a.sin(), a.cos()));
        let at = |x: f32, y: f32| u.scale(x).add(v.scale(y));
        // Two lines, 300 long and 20 high, 40 apart, in a frame turned by 30°.
        let line = |y: f32| Quad([at(100.0, y), at(400.0, y), at(400.0, y + 20.0), at(100.0, y + 20.0)]);
        let f = super::text_frame(&[line(0.0), line(40.0)], a).unwrap();
        assert!((f.angle() - a).abs() < 1e-4);
        // 300 long plus a third at each end; 60 high plus half above and below.
        assert!((f.width() - 500.0).abs() < 0.1, "{}", f.width());
        assert!((f.height() - 120.0).abs() < 0.1, "{}", f.height());
        let start = f.0[0];
        let want = at(0.0, -30.0);
        assert!((start.x - want.x).abs() < 0.1 && (start.y - want.y).abs() < 0.1);
        assert!(super::text_frame(&[], a).is_none());
        assert!(super::slant(a) > super::MIN_SLANT);
        assert!(super::slant(std::f32::consts::PI + 0.01) < super::MIN_SLANT);
        assert!(super::slant(-0.02) < super::MIN_SLANT);
    }
}
