//! Throughput of parse + validate + region lookup: the fast path bulk checks run on, and the
//! rich `check` for comparison. Target: at least 20 million numbers a second on one thread.
//!
//! Run: `cargo bench --bench id -- --warm-up-time 1 --measurement-time 3`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use idcheck::id::{self, Date};

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

criterion_group!(benches, bench);
criterion_main!(benches);
