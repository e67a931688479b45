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

    /// Greedy CTC decoding of `cols` columns of `c` class scores, with characters the greedy path
    /// skipped put back where the columns show them ([`decode_columns`]).
    fn decode(&self, scores: &[f32], cols: usize, c: usize) -> Line {
        let columns: Vec<Column> = (0..cols)
            .map(|col| {
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
                Column { best, p: bp, second, second_p: sp }
            })
            .collect();
        decode_columns(&columns, &self.dict)
    }
}

/// One output column of the recogniser: its best class and the best other class (canonical, 0
/// for the blank), with their probabilities.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub best: usize,
    pub p: f32,
    pub second: usize,
    pub second_p: f32,
}

/// Least probability of a class the greedy path skipped for it to be put back in a gap
/// ([`decode_columns`]).
const SKIPPED_P: f32 = 0.05;
/// Least distance between two read characters, in the line's usual distance between
/// neighbouring Chinese characters, for a gap to hold a character the greedy path skipped.
const SKIPPED_GAP: f32 = 1.5;

/// Greedy CTC decoding: the best class of each column, repeats collapsed, blanks dropped.
///
/// The greedy path can skip a character the recogniser saw: on a poor photo a simple character
/// after a similar one (石 after 县, 木 after 鲁) may lose its columns to the blank, while still
/// being the best other class there (石 at 0.10 against the blank's 0.89). Two pieces of evidence
/// put it back: geometry, a gap between two read characters of at least [`SKIPPED_GAP`] of the
/// line's usual distance between Chinese characters, where a character is missing; and the
/// recogniser's own probability for that character in the gap, at least [`SKIPPED_P`]. The
/// character put back carries that low probability, so its field is marked doubtful.
pub fn decode_columns(columns: &[Column], dict: &Dict) -> Line {
    // Each read character with the first and last column it spans and its class.
    let mut read: Vec<(Char, usize, usize, usize)> = Vec::new();
    let mut prev = usize::MAX;
    for (col, c) in columns.iter().enumerate() {
        if c.best != 0 && c.best != prev {
            let alt = (c.second != 0).then(|| (dict.class(c.second).to_string(), c.second_p));
            read.push((Char { text: dict.class(c.best).to_string(), p: c.p, alt }, col, col, c.best));
        } else if c.best != 0 && c.best == prev {
            // Same character spread over several columns: keep its best probability.
            if let Some(last) = read.last_mut() {
                last.0.p = last.0.p.max(c.p);
                last.2 = col;
            }
        }
        prev = c.best;
    }
    let centre = |r: &(Char, usize, usize, usize)| (r.1 + r.2) as f32 / 2.0;
    let han = |t: &str| t.chars().next().is_some_and(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
    let mut pitches: Vec<f32> = read.windows(2).filter(|w| han(&w[0].0.text) && han(&w[1].0.text)).map(|w| centre(&w[1]) - centre(&w[0])).collect();
    pitches.sort_by(f32::total_cmp);
    let mut chars = Vec::with_capacity(read.len());
    for (i, r) in read.iter().enumerate() {
        chars.push(r.0.clone());
        let Some(next) = read.get(i + 1) else { break };
        // The lower of the two middle distances: the gaps themselves must not set the measure.
        let Some(&pitch) = pitches.get(pitches.len().saturating_sub(1) / 2).filter(|_| pitches.len() >= 2) else { continue };
        if centre(next) - centre(r) < SKIPPED_GAP * pitch {
            continue;
        }
        let skipped = columns[r.2 + 1..next.1]
            .iter()
            .filter(|c| c.best == 0 && c.second != 0 && !dict.class(c.second).trim().is_empty())
            .max_by(|a, b| a.second_p.total_cmp(&b.second_p));
        // Not a neighbour again: that is the neighbour's own trailing or leading column.
        if let Some(c) = skipped.filter(|c| c.second_p >= SKIPPED_P && c.second != r.3 && c.second != next.3) {
            chars.push(Char { text: dict.class(c.second).to_string(), p: c.second_p, alt: None });
        }
    }
    Line { chars }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(w: &[usize], bs: &[std::ops::Range<usize>]) -> usize {
        bs.iter().map(|r| r.len() * w[r.end - 1] + CALL_COST).sum()
    }

    /// Columns with the given best class at the given columns, blanks elsewhere; `skipped`: a
    /// blank column whose best other class is given.
    fn columns(n: usize, read: &[(usize, usize)], skipped: Option<(usize, usize, f32)>) -> Vec<Column> {
        let mut cols = vec![Column { best: 0, p: 0.99, second: 0, second_p: 0.0 }; n];
        for &(col, class) in read {
            cols[col] = Column { best: class, p: 0.98, second: 0, second_p: 0.0 };
        }
        if let Some((col, class, p)) = skipped {
            cols[col] = Column { best: 0, p: 1.0 - p, second: class, second_p: p };
        }
        cols
    }

    #[test]
    fn a_character_the_greedy_path_skipped_in_a_gap_is_put_back_doubted() {
        let dict = Dict::parse("街\n道\n县\n石\n桥\n");
        let text = |l: &Line| l.text();
        // 街 道 县 _ 桥: a character's width missing after 县, where 石 is the best other class.
        let read = [(0, 1), (5, 2), (10, 3), (20, 5)];
        let line = decode_columns(&columns(24, &read, Some((15, 4, 0.1))), &dict);
        assert_eq!(text(&line), "街道县石桥");
        assert_eq!(line.chars[3].p, 0.1);
        // Too unsure, or no gap: as the greedy path read it.
        assert_eq!(text(&decode_columns(&columns(24, &read, Some((15, 4, 0.03))), &dict)), "街道县桥");
        let close = [(0, 1), (5, 2), (10, 3), (15, 5)];
        assert_eq!(text(&decode_columns(&columns(24, &close, Some((13, 4, 0.3))), &dict)), "街道县桥");
        // Repeats collapse; a blank between two alike keeps both.
        let twice = [(0, 1), (1, 1), (5, 1)];
        assert_eq!(text(&decode_columns(&columns(8, &twice, None), &dict)), "街街");
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
