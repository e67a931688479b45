//! Text-line recognition with the PP-OCR CTC model.
//!
//! Each line box is sampled into an upright strip 48 pixels high, strips of similar width are
//! batched (padding costs as much as text), and the per-column class probabilities are decoded
//! greedily (CTC: collapse repeats, drop blanks). Every kept character carries its probability
//! and the runner-up, so the layout can judge fields and the number can be repaired.

use super::dict::Dict;
use super::geom::{sample_quad, Norm, Quad};
use super::OcrError;
use image::RgbImage;
use rten::Model;
use rten_tensor::prelude::*;
use rten_tensor::Tensor;

pub const REC_H: usize = 48;
/// Most lines in one model call; wider batches mean more padding for little gain on 2 cores.
const BATCH: usize = 6;
const REC_NORM: Norm = Norm { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

pub struct Recognizer {
    model: Model,
    dict: Dict,
}

/// One recognised character.
#[derive(Debug, Clone, PartialEq)]
pub struct Char {
    pub text: String,
    pub p: f32,
    /// The best other class at the same column and its probability.
    pub alt: Option<(String, f32)>,
}

/// One recognised line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    pub chars: Vec<Char>,
}

impl Line {
    pub fn text(&self) -> String {
        self.chars.iter().map(|c| c.text.as_str()).collect()
    }
    /// Mean character probability (0 for an empty line).
    pub fn confidence(&self) -> f32 {
        if self.chars.is_empty() {
            0.0
        } else {
            self.chars.iter().map(|c| c.p).sum::<f32>() / self.chars.len() as f32
        }
    }
}

impl Recognizer {
    pub fn new(model: Model, dict: Dict) -> Recognizer {
        Recognizer { model, dict }
    }

    /// Recognises each quad of `img` (corners in reading order). Output order matches input.
    pub fn recognize(&self, img: &RgbImage, quads: &[Quad]) -> Result<Vec<Line>, OcrError> {
        // Target width per line from its aspect ratio.
        let widths: Vec<usize> = quads
            .iter()
            .map(|q| {
                let r = q.width() / q.height().max(1.0);
                ((REC_H as f32 * r).ceil() as usize).clamp(16, 2400)
            })
            .collect();
        let mut order: Vec<usize> = (0..quads.len()).collect();
        order.sort_by_key(|&i| widths[i]);
        let mut out = vec![Line::default(); quads.len()];
        for chunk in order.chunks(BATCH) {
            let bw = chunk.iter().map(|&i| widths[i]).max().unwrap_or(16).div_ceil(8) * 8;
            let n = chunk.len();
            let per = 3 * REC_H * bw;
            let mut data = vec![0f32; n * per];
            for (k, &i) in chunk.iter().enumerate() {
                let q = &quads[i];
                let ss = ((q.height() / REC_H as f32).ceil() as usize).clamp(1, 4);
                sample_quad(img, q, widths[i], REC_H, bw, ss, REC_NORM, &mut data[k * per..(k + 1) * per]);
            }
            let x = Tensor::<f32>::from_data(&[n, 3, REC_H, bw], data);
            let y = self.model.run_one(x.view().into(), None).map_err(|e| OcrError::Run(e.to_string()))?;
            let y: Tensor<f32> = y.try_into().map_err(|e: rten::TryFromValueError| OcrError::Run(e.to_string()))?;
            let shape = y.shape().to_vec();
            if shape.len() != 3 || shape[0] != n || shape[2] != self.dict.len() + 2 {
                return Err(OcrError::Run(format!(
                    "recognition output {shape:?} does not fit the dictionary of {} entries",
                    self.dict.len()
                )));
            }
            let (t, c) = (shape[1], shape[2]);
            let y = y.to_vec();
            for (k, &i) in chunk.iter().enumerate() {
                // Only the columns that cover this line's own pixels (not the padding).
                let cols = (t * widths[i]).div_ceil(bw).min(t);
                out[i] = self.decode(&y[k * t * c..(k + 1) * t * c], cols, c);
            }
        }
        Ok(out)
    }

    /// Greedy CTC decoding of `cols` columns of `c` class scores.
    fn decode(&self, scores: &[f32], cols: usize, c: usize) -> Line {
        let mut chars = Vec::new();
        let mut prev = usize::MAX;
        for col in 0..cols {
            let row = &scores[col * c..(col + 1) * c];
            let (mut best, mut bp, mut second, mut sp) = (0usize, f32::MIN, 0usize, f32::MIN);
            for (k, &p) in row.iter().enumerate() {
                if p > bp {
                    second = best;
                    sp = bp;
                    best = k;
                    bp = p;
                } else if p > sp {
                    second = k;
                    sp = p;
                }
            }
            if best != 0 && best != prev {
                let alt = (second != 0).then(|| (self.dict.class(second).to_string(), sp));
                chars.push(Char { text: self.dict.class(best).to_string(), p: bp, alt });
            } else if best != 0 && best == prev {
                // Same character spread over several columns: keep its best probability.
                if let Some(last) = chars.last_mut() {
                    last.p = last.p.max(bp);
                }
            }
            prev = best;
        }
        Line { chars }
    }
}
