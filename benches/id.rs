//! Throughput of parse + validate + region lookup: the fast path bulk checks run on, and the
//! rich `check` for comparison. Target: at least 20 million numbers a second on one thread.
//!
//! And what recording a stream's numbers in the audit trail adds (group `record`): validating
//! 65,536 distinct numbers, then the same with each pushed into a chunk (one keyed hash, two
//! with a team key) and the chunk written to a trail on a temporary disk (sort, one row, WAL,
//! `synchronous=FULL`; wall time, so the fsyncs count). The target lives in `idcheck check`:
//! recorded, it costs at most twice the CPU of `--no-record`, about 0.33 µs a number in the test
//! build, so pushing and writing must stay within that per number (README, "For reviewers").
//! Here, bench profile: push 80 ns a number (150 ns with a team key), write 15.6 ms a chunk
//! (26 ms with 40-byte entries).
//!
//! Run: `cargo bench --bench id -- --warm-up-time 1 --measurement-time 3`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use idcheck::audit::{StaticKey, Store, CHUNK_MAX};
use idcheck::id::{self, Date};
use idcheck::secret::Sensitive;

/// A batch of numbers like a real file: valid 18-digit numbers over several regions, some
/// 15-digit ones and about one in ten invalid.
fn batch() -> Vec<Vec<u8>> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CODES: [u32; 8] = [110101, 110105, 150105, 362324, 420602, 429004, 441900, 500154];
    let mut seed = 0x9E3779B97F4A7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..4096)
        .map(|i| {
            let code = CODES[(next() % 8) as usize];
            let (y, m, d, seq) = (1950 + next() % 60, 1 + next() % 12, 1 + next() % 28, next() % 1000);
            if i % 16 == 0 {
                return format!("{code}{:02}{m:02}{d:02}{seq:03}", y % 100).into_bytes();
            }
            let body = format!("{code}{y}{m:02}{d:02}{seq:03}");
            let sum: u32 = body.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
            let mut check = b"10X98765432"[(sum % 11) as usize];
            if i % 10 == 3 {
                check = if check == b'0' { b'1' } else { b'0' };
            }
            let mut n = body.into_bytes();
            n.push(check);
            n
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let numbers = batch();
    let today = Date::new(2026, 6, 1).unwrap();
    let mut g = c.benchmark_group("id");
    g.throughput(Throughput::Elements(numbers.len() as u64));
    g.bench_function("validate_fast", |b| {
        b.iter(|| {
            let mut valid = 0u32;
            for n in &numbers {
                valid += id::validate_fast(black_box(n), today).is_ok() as u32;
            }
            valid
        })
    });
    let strings: Vec<String> = numbers.iter().map(|n| String::from_utf8(n.clone()).unwrap()).collect();
    g.bench_function("check", |b| b.iter(|| strings.iter().filter(|n| id::check_at(black_box(n), today).valid).count()));
    g.finish();
}

/// `n` distinct valid 18-digit numbers over eight regions and 60 years of birth dates.
fn distinct(n: usize) -> Vec<Vec<u8>> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CODES: [u32; 8] = [110101, 110105, 150105, 362324, 420602, 429004, 441900, 500154];
    (0..n)
        .map(|i| {
            let j = i / 8;
            let (y, m, d, seq) = (1950 + j % 60, 1 + (j / 60) % 12, 1 + (j / 720) % 28, (j / 20160) % 1000);
            let body = format!("{}{y}{m:02}{d:02}{seq:03}", CODES[i % 8]);
            let sum: u32 = body.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
            let mut n = body.into_bytes();
            n.push(b"10X98765432"[(sum % 11) as usize]);
            n
        })
        .collect()
}

fn record(c: &mut Criterion) {
    let numbers = distinct(CHUNK_MAX);
    let today = Date::new(2026, 6, 1).unwrap();
    assert!(numbers.iter().all(|n| id::validate_fast(n, today).is_ok()));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StaticKey::new(vec![7u8; 32])).unwrap();
    let mut g = c.benchmark_group("record");
    g.throughput(Throughput::Elements(numbers.len() as u64));
    g.sample_size(20);
    g.bench_function("validate only", |b| b.iter(|| numbers.iter().filter(|n| id::validate_fast(black_box(n), today).is_ok()).count()));
    for team in [false, true] {
        store.set_team_key(team.then(|| Sensitive::new(vec![9u8; 32])));
        let mut chunk = store.chunk(None);
        let label = if team { ", team key" } else { "" };
        g.bench_function(format!("validate + push into a chunk{label}"), |b| {
            b.iter(|| {
                for n in &numbers {
                    let valid = id::validate_fast(black_box(n), today).is_ok();
                    chunk.push(n, valid);
                }
                let pushed = chunk.len();
                // Emptied without writing: what pushing alone costs.
                let mut spare = store.chunk(None);
                std::mem::swap(&mut chunk, &mut spare);
                pushed
            })
        });
        g.bench_function(format!("validate + push + write the chunk{label}"), |b| {
            b.iter(|| {
                for n in &numbers {
                    let valid = id::validate_fast(black_box(n), today).is_ok();
                    chunk.push(n, valid);
                }
                store.write_chunk(&mut chunk).unwrap()
            })
        });
        // The trail grows by a chunk per iteration; start each variant from an empty one.
        store.purge_before_ms(i64::MAX).unwrap();
    }
    g.finish();
}

criterion_group!(benches, bench, record);
criterion_main!(benches);
