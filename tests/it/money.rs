//! The two-factor money guard: local validation inside the two-factor path, reuse of
//! earlier verdicts, single-flight, no retry of a billed call, retry when nothing left.

use crate::common;

use idcheck::providers::guard::{Guarded, VerdictCache};
use idcheck::providers::{self, apizero::Apizero, muzhiyun::Muzhiyun, ClientConfig, ErrorKind, TwoFactor, Verdict};
use idcheck_fake::{Endpoint, Fault, IDENTITIES};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn invalid_numbers_and_names_never_reach_a_paid_service() {
    let f = common::fake().await;
    let raw_a = Apizero::new(common::apizero(&f)).unwrap();
    let raw_m = Muzhiyun::new(common::muzhiyun(&f)).unwrap();
    let guarded = providers::two_factor("muzhiyun", common::muzhiyun(&f)).unwrap();
    for bad in ["110101199001011112", "11010119900101111", "", "abcdefghijklmnopqr", "11010519491231002Y"] {
        // Even the vendor clients called directly refuse.
        assert_eq!(TwoFactor::verify(&raw_a, "张三", bad).await.unwrap_err().kind, ErrorKind::InvalidInput, "{bad}");
        assert_eq!(raw_m.verify("张三", bad).await.unwrap_err().kind, ErrorKind::InvalidInput, "{bad}");
        assert_eq!(guarded.verify("张三", bad).await.unwrap_err().kind, ErrorKind::InvalidInput, "{bad}");
    }
    for bad_name in ["", "   ", "张3", "a\u{7}b"] {
        assert_eq!(guarded.verify(bad_name, IDENTITIES[0].number).await.unwrap_err().kind, ErrorKind::InvalidInput);
    }
    assert_eq!(f.total_calls(), 0, "no call reached the fake");
}

#[tokio::test]
async fn identical_check_is_paid_once() {
    let f = common::fake().await;
    let cache = Arc::new(VerdictCache::new());
    let inner = Arc::new(Apizero::new(common::apizero(&f)).unwrap());
    let g = Guarded::new(inner, cache.clone(), "test");
    let i = IDENTITIES[1];
    let first = g.verify(i.name, i.number).await.unwrap();
    assert!(!first.reused);
    // Same name and number, lower-case x / spaces normalised the same way.
    let again = g.verify(&format!(" {} ", i.name), i.number).await.unwrap();
    assert!(again.reused);
    assert_eq!(again.verdict, Verdict::Match);
    assert_eq!(f.calls(Endpoint::Apizero2c), 1);
    // A mismatch is billed too, so it is kept as well.
    g.verify("冒名者", i.number).await.unwrap();
    g.verify("冒名者", i.number).await.unwrap();
    assert_eq!(f.calls(Endpoint::Apizero2c), 2);
    assert_eq!(cache.len(), 2);
    cache.clear();
    g.verify(i.name, i.number).await.unwrap();
    assert_eq!(f.calls(Endpoint::Apizero2c), 3, "after clearing, a fresh paid check");
}

#[tokio::test]
async fn concurrent_identical_checks_share_one_call() {
    let f = common::fake().await;
    f.set_fault(Endpoint::Muzhiyun2c, Fault::Delay(Duration::from_millis(300)));
    let g = Arc::new(Guarded::new(Arc::new(Muzhiyun::new(common::muzhiyun(&f)).unwrap()), Arc::new(VerdictCache::new()), "test"));
    let i = IDENTITIES[2];
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let g = g.clone();
            tokio::spawn(async move { g.verify(i.name, i.number).await })
        })
        .collect();
    let mut reused = 0;
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        assert_eq!(r.verdict, Verdict::Match);
        reused += r.reused as usize;
    }
    assert_eq!(f.calls(Endpoint::Muzhiyun2c), 1, "single-flight");
    assert_eq!(reused, 7);
}

#[tokio::test]
async fn errors_are_shared_not_cached_and_billed_calls_not_retried() {
    let f = common::fake().await;
    let g = Guarded::new(Arc::new(Apizero::new(common::quick(common::apizero(&f))).unwrap()), Arc::new(VerdictCache::new()), "test");
    let i = IDENTITIES[3];
    f.set_fault(Endpoint::Apizero2c, Fault::status(502));
    assert_eq!(g.verify(i.name, i.number).await.unwrap_err().kind, ErrorKind::Upstream);
    assert_eq!(f.calls(Endpoint::Apizero2c), 1, "a call that reached the vendor is never retried");
    f.clear_fault(Endpoint::Apizero2c);
    assert_eq!(g.verify(i.name, i.number).await.unwrap().verdict, Verdict::Match);
    assert_eq!(f.calls(Endpoint::Apizero2c), 2, "an error is not kept as a verdict");
}

#[tokio::test]
async fn connection_refused_is_retried_once_and_reaches_nothing() {
    // A port that was just free: the connect fails, so the request provably never left.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = ClientConfig::new(format!("http://127.0.0.1:{port}")).key("key", "k");
    let g = providers::two_factor("apizero", cfg).unwrap();
    let e = g.verify(IDENTITIES[0].name, IDENTITIES[0].number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(!e.maybe_billed);
    assert!(e.message.en.contains("Could not reach"));
}
