//! Benchmark of the region timeline: a lookup of a code in force, of an abolished code, of an
//! unknown code, and a lookup followed by `at_year` (what ID validation does per number).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use idcheck::region;

fn bench(c: &mut Criterion) {
    c.bench_function("region::lookup in force (420602)", |b| b.iter(|| region::lookup(black_box(420602)).map(|e| e.current())));
    c.bench_function("region::lookup abolished (362324)", |b| b.iter(|| region::lookup(black_box(362324)).map(|e| e.abolished())));
    c.bench_function("region::lookup unknown (999999)", |b| b.iter(|| region::lookup(black_box(999999)).is_some()));
    c.bench_function("region::lookup + at_year (362324, 1981)", |b| b.iter(|| region::lookup(black_box(362324)).and_then(|e| e.at_year(black_box(1981)))));
    let codes: Vec<u32> = region::entries().map(|e| e.code()).collect();
    c.bench_function("region::lookup every code", |b| b.iter(|| codes.iter().filter(|&&c| region::lookup(black_box(c)).is_some()).count()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
