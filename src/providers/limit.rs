//! Process-wide request pacing, one limiter per vendor service.
//!
//! Vendors count QPS per account, so every client in the process (window, bulk review, the
//! command) must share one limiter per service. Requests are spaced evenly (1/QPS apart plus a
//! 5 % margin), never bursted, so any one-second window at the vendor holds at most QPS
//! requests even with some network jitter.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

/// A pacing limiter: hands out send slots at most `qps` per second.
#[derive(Debug)]
pub struct Limiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Limiter {
    pub fn new(qps: u32) -> Limiter {
        let qps = qps.max(1);
        // 5 % margin against scheduling and network jitter.
        let interval = Duration::from_micros(1_000_000 * 105 / 100 / qps as u64);
        Limiter { interval, next: Mutex::new(None) }
    }

    /// Waits for this caller's slot.
    pub async fn acquire(&self) {
        let wait_until = {
            let mut next = self.next.lock().unwrap();
            let now = Instant::now();
            let slot = match *next {
                Some(t) if t > now => t,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(wait_until).await;
    }
}

/// The shared limiter of one service (`apizero/idcard-2c`) at one base URL.
pub fn shared(service: &str, base_url: &str, qps: u32) -> Arc<Limiter> {
    static ALL: OnceLock<Mutex<HashMap<String, Arc<Limiter>>>> = OnceLock::new();
    let key = format!("{service} {base_url}");
    ALL.get_or_init(Default::default).lock().unwrap().entry(key).or_insert_with(|| Arc::new(Limiter::new(qps))).clone()
}
