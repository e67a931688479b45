//! The documented QPS hold under a burst: counted at the fake (arrival times, over-QPS
//! answers), with tolerance, never by timing the client.

use crate::common;

use idcheck::providers::{self, Region};
use idcheck_fake::{Endpoint, FakeServices, IDENTITIES};
use std::sync::Arc;
use std::time::Duration;

/// Fakes that count QPS over 950 ms instead of 1 s: the same tolerance as `assert_paced`.
async fn fake() -> FakeServices {
    let cfg = idcheck_fake::FakeConfig { qps_window: Duration::from_millis(950), ..Default::default() };
    FakeServices::start(cfg).await.unwrap()
}

/// Asserts no one-second window at the fake held more than `qps` arrivals (5 % tolerance on
/// the window for scheduling jitter; the client spaces requests 5 % wider than 1/QPS).
fn assert_paced(f: &FakeServices, e: Endpoint, qps: usize, expected: usize) {
    let ts = f.timestamps(e);
    assert_eq!(ts.len(), expected, "every request arrived once");
    for w in ts.windows(qps + 1) {
        let span = w[qps].duration_since(w[0]);
        assert!(span >= Duration::from_millis(950), "{} requests within {span:?} at {e:?}", qps + 1);
    }
    assert_eq!(f.rejected_over_qps(e), 0, "the fake never had to refuse");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_burst_stays_under_10_per_second() {
    let f = fake().await;
    let c: Arc<dyn Region> = providers::region("apizero", common::apizero(&f)).unwrap();
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.region("110101").await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_paced(&f, Endpoint::ApizeroRegion, 10, 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_burst_stays_under_5_per_second_across_clients() {
    let f = fake().await;
    // Two separately built clients share the process-wide limiter.
    let a = providers::two_factor("apizero", common::apizero(&f)).unwrap();
    let b = providers::two_factor("apizero", common::apizero(&f)).unwrap();
    let mut tasks = Vec::new();
    for n in 0..12 {
        let c = if n % 2 == 0 { a.clone() } else { b.clone() };
        // Distinct names: each is a separate paid check.
        let name = format!("测试{}", ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸', '子', '丑'][n]);
        tasks.push(tokio::spawn(async move { c.verify(&name, IDENTITIES[0].number).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_paced(&f, Endpoint::Apizero2c, 5, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ocr_burst_stays_under_2_per_second() {
    let f = fake().await;
    let c = providers::ocr("apizero", common::apizero(&f)).unwrap();
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.read(&common::jpeg()).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_paced(&f, Endpoint::ApizeroOcr, 2, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nowapi_and_muzhiyun_bursts() {
    let f = fake().await;
    let n = providers::region("nowapi", common::nowapi(&f)).unwrap();
    let m = providers::two_factor("muzhiyun", common::muzhiyun(&f)).unwrap();
    let mut tasks = Vec::new();
    for k in 0..15 {
        let n = n.clone();
        tasks.push(tokio::spawn(async move { n.region(IDENTITIES[k % 4].number).await.map(|_| ()) }));
    }
    for k in 0..8 {
        let m = m.clone();
        let name = format!("名{}", char::from_u32(0x4E00 + k as u32).unwrap());
        tasks.push(tokio::spawn(async move { m.verify(&name, IDENTITIES[1].number).await.map(|_| ()) }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_paced(&f, Endpoint::NowapiIdcard, 10, 15);
    assert_paced(&f, Endpoint::Muzhiyun2c, 5, 8);
}
