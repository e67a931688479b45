//! Text-line recognition with the PP-OCR CTC model.
//!
//! Each line box is sampled into an upright strip 48 pixels high, strips of similar width are
//! batched (padding costs as much as text), and the per-column class probabilities are decoded
//! greedily (CTC: collapse repeats, drop blanks). Every kept character carries its probability
//! and the runner-up, so the layout can judge fields and the number can be repaired.

use super::dict::Dict;
use super::geom::{sample_quad, Norm, Quad};
use super::net::Net;
use super::OcrError;
use image::RgbImage;

pub const REC_H: usize = 48;
/// Most lines in one model call; wider batches mean more padding for little gain on 2 cores.
const BATCH: usize = 6;
/// What one more model call costs, in columns of line width (a call has a fixed cost, roughly
/// that of a 64-pixel-wide line).
const CALL_COST: usize = 64;

/// Splits lines sorted by width into consecutive batches so that the padded work (each batch
/// costs its line count times its widest line, plus [`CALL_COST`]) is least.
pub fn batches(sorted_widths: &[usize]) -> Vec<std::ops::Range<usize>> {
    let n = sorted_widths.len();
    // best[j]: least cost of the first j lines; from[j]: where the last batch starts.
    let mut best = vec![usize::MAX; n + 1];
    let mut from = vec![0; n + 1];
    best[0] = 0;
    for j in 1..=n {
        for i in j.saturating_sub(BATCH)..j {
            let c = best[i] + (j - i) * sorted_widths[j - 1] + CALL_COST;
            if c < best[j] {
                best[j] = c;
                from[j] = i;
            }
        }
    }
    let mut out = Vec::new();
    let mut j = n;
    while j > 0 {
        out.push(from[j]..j);
        j = from[j];
    }
    out.reverse();
    out
}
const REC_NORM: Norm = Norm { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

pub struct Recognizer {
    model: Net,
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
    pub fn new(model: Net, dict: Dict) -> Recognizer {
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
        let sorted: Vec<usize> = order.iter().map(|&i| widths[i]).collect();
        let batches: Vec<&[usize]> = batches(&sorted).into_iter().map(|r| &order[r]).collect();
        // On rten two calls at once keep both cores busy (it spreads one call over them poorly):
        // each batch, costliest first, goes to the less loaded of two workers. ONNX Runtime
        // uses every core in one call, so there all batches go to one worker.
        let cost = |b: &[usize]| b.len() * b.iter().map(|&i| widths[i]).max().unwrap_or(0) + CALL_COST;
        let mut by_cost = batches.clone();
        by_cost.sort_by_key(|b| std::cmp::Reverse(cost(b)));
        let mut lanes: [Vec<&[usize]>; 2] = Default::default();
        let mut load = [0usize; 2];
        let two = self.model.wants_parallel_calls();
        for b in by_cost {
            let k = usize::from(two && load[1] < load[0]);
            load[k] += cost(b);
            lanes[k].push(b);
        }
        let results: Vec<Result<Vec<(usize, Line)>, OcrError>> = std::thread::scope(|s| {
            let handles: Vec<_> = lanes.iter().filter(|l| !l.is_empty()).map(|lane| s.spawn(|| self.run_lane(img, quads, &widths, lane))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(OcrError::Run("recognition worker panicked".into())))).collect()
        });
        let mut out = vec![Line::default(); quads.len()];
        for r in results {
            for (i, line) in r? {
                out[i] = line;
            }
        }
        Ok(out)
    }

    fn run_lane(&self, img: &RgbImage, quads: &[Quad], widths: &[usize], lane: &[&[usize]]) -> Result<Vec<(usize, Line)>, OcrError> {
        let mut out = Vec::new();
        for chunk in lane {
            let bw = chunk.iter().map(|&i| widths[i]).max().unwrap_or(16).div_ceil(8) * 8;
            let n = chunk.len();
            let per = 3 * REC_H * bw;
            let mut data = vec![0f32; n * per];
            for (k, &i) in chunk.iter().enumerate() {
                let q = &quads[i];
                let ss = ((q.height() / REC_H as f32).ceil() as usize).clamp(1, 4);
                sample_quad(img, q, widths[i], REC_H, bw, ss, REC_NORM, &mut data[k * per..(k + 1) * per]);
            }
            let (shape, y) = self.model.run([n, 3, REC_H, bw], data)?;
            if shape.len() != 3 || shape[0] != n || shape[2] != self.dict.len() + 2 {
                return Err(OcrError::Run(format!("recognition output {shape:?} does not fit the dictionary of {} entries", self.dict.len())));
            }
            let (t, c) = (shape[1], shape[2]);
            for (k, &i) in chunk.iter().enumerate() {
                // Only the columns that cover this line's own pixels (not the padding).
                let cols = (t * widths[i]).div_ceil(bw).min(t);
                out.push((i, self.decode(&y[k * t * c..(k + 1) * t * c], cols, c)));
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
            let (best, second) = (self.dict.canonical(best), self.dict.canonical(second));
            let second = if second == best { 0 } else { second };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(w: &[usize], bs: &[std::ops::Range<usize>]) -> usize {
        bs.iter().map(|r| r.len() * w[r.end - 1] + CALL_COST).sum()
    }

    #[test]
    fn batches_cover_every_line_once_and_pad_little() {
        // Widths of one card front: labels, short values, address and number lines.
        let w = [56, 87, 92, 95, 95, 100, 104, 145, 193, 208, 270, 374, 378, 493];
        let bs = batches(&w);
        let covered: Vec<usize> = bs.iter().flat_map(|r| r.clone()).collect();
        assert_eq!(covered, (0..w.len()).collect::<Vec<_>>());
        assert!(bs.iter().all(|r| !r.is_empty() && r.len() <= BATCH));
        let fixed: Vec<std::ops::Range<usize>> = (0..w.len()).step_by(BATCH).map(|s| s..(s + BATCH).min(w.len())).collect();
        assert!(cost(&w, &bs) < cost(&w, &fixed), "{bs:?}");
        assert!(batches(&[]).is_empty());
        assert_eq!(batches(&[300]), vec![0..1]);
    }
}
