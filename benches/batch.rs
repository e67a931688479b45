//! How long a batch of N paid checks takes at a given QPS: the target is about N / QPS (the
//! runner keeps up to QPS requests in flight, so the vendor's latency hides behind pacing).
//!
//! Run: `cargo bench --bench batch -- [N] [QPS] [LATENCY_MS]` (defaults 60, 20, 150).
//! The callee answers after LATENCY_MS and records arrival times, so the rate is measured at
//! the callee side; the audit database (WAL, synchronous=FULL) is on a temporary disk.

use idcheck::audit::{StaticKey, Store};
use idcheck::batch::{self, Runner};
use idcheck::providers::Verdict;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn number(seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first = format!("11010519491231{:03}", seq % 1000);
    let sum: u32 = first.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: u32 = args.first().and_then(|s| s.parse().ok()).unwrap_or(60);
    let qps: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20.0);
    let latency = Duration::from_millis(args.get(2).and_then(|s| s.parse().ok()).unwrap_or(150));

    let dir = std::env::temp_dir().join(format!("idcheck-bench-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut csv = String::from("姓名,身份证号\n");
    for i in 0..n {
        csv.push_str(&format!("张{i},{}\n", number(i)));
    }
    let input = dir.join("in.csv");
    std::fs::write(&input, csv).unwrap();
    let store = Arc::new(Store::open(&dir.join("config"), &StaticKey::new(vec![1u8; 32])).unwrap());

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let a = arrivals.clone();
    let (elapsed, summary) = rt.block_on(async move {
        let runner = Runner::new(store, "bench", qps);
        let t = Instant::now();
        let mut plan = runner.prepare(batch::load(&input).unwrap()).unwrap();
        let summary = runner
            .run(
                &mut plan,
                true,
                &CancellationToken::new(),
                |_| {},
                move |_call| {
                    let a = a.clone();
                    async move {
                        a.lock().unwrap().push(Instant::now());
                        tokio::time::sleep(latency).await;
                        Ok(Verdict::Match)
                    }
                },
            )
            .await
            .unwrap();
        (t.elapsed(), summary)
    });
    let arrivals = arrivals.lock().unwrap();
    let span = arrivals.last().unwrap().duration_since(arrivals[0]).as_secs_f64();
    let max_in_1s = (0..arrivals.len()).map(|i| arrivals[i..].iter().filter(|t| t.duration_since(arrivals[i]) < Duration::from_secs(1)).count()).max().unwrap();
    let ideal = n as f64 / qps;
    println!(
        "batch N={n} QPS={qps} latency={}ms: total {:.2} s (N/QPS = {ideal:.2} s, ratio {:.3}); callee rate {:.2}/s over {:.2} s, max {max_in_1s} in any 1 s; answered {}",
        latency.as_millis(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / ideal,
        (arrivals.len() - 1) as f64 / span,
        span,
        summary.matched,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
