//! apizero (极数本源) clients against the fake: every documented result and error code, both
//! ways of reporting an error (HTTP 200 + code, HTTP status + code), faults, auth.

use crate::common;

use idcheck::card::Side;
use idcheck::providers::{self, apizero::Apizero, ErrorKind, Ocr, Region, TwoFactor, Verdict};
use idcheck_fake::{Endpoint, Fault, IDENTITIES, NO_RECORD_NUMBER, UNKNOWN_REGION_NUMBER};
use std::time::Duration;

#[tokio::test]
async fn ocr_front_and_back_are_normalised() {
    let f = common::fake().await;
    let c = Apizero::new(common::apizero(&f)).unwrap();
    let front = c.read(&common::jpeg()).await.unwrap();
    assert_eq!(front.side, Some(Side::Front));
    assert_eq!(front.name.as_deref(), Some(IDENTITIES[1].name));
    assert_eq!(front.number.as_deref(), Some(IDENTITIES[1].number));
    assert_eq!(front.sex.as_deref(), Some("男"));
    assert_eq!(front.ethnicity.as_deref(), Some("汉"));
    // The fake prints 1990年3月7日; the app only sees YYYY-MM-DD.
    assert_eq!(front.birth.as_deref(), Some("1990-03-07"));
    assert!(front.address.as_deref().unwrap().contains("演示"));
    assert_eq!(front.issued_by, None);

    let back = c.read(&common::png()).await.unwrap();
    assert_eq!(back.side, Some(Side::Back));
    assert_eq!(back.name, None);
    assert_eq!(back.issued_by.as_deref(), Some("北京市公安局东城分局"));
    assert_eq!(back.valid_from.as_deref(), Some("2015-03-07"));
    assert_eq!(back.valid_until.as_deref(), Some("长期"));

    // The wire: POST, Bearer auth, JSON body with input_type base64.
    let reqs = f.requests();
    assert_eq!(reqs.len(), 2);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, "/api/ocr-idcard");
    assert_eq!(r.header("authorization"), Some(format!("Bearer {}", idcheck_fake::APIZERO_KEY).as_str()));
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["input_type"], "base64");
}

#[tokio::test]
async fn ocr_refuses_non_images_and_huge_images_before_sending() {
    let f = common::fake().await;
    let c = Apizero::new(common::apizero(&f)).unwrap();
    let e = c.read(b"GIF89a not a card").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let mut big = common::jpeg();
    big.resize(8 * 1024 * 1024, 0);
    let e = c.read(&big).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.en.contains("10 MB"));
    assert_eq!(f.total_calls(), 0, "nothing may reach the vendor");
}

#[tokio::test]
async fn ocr_error_codes_both_as_http_200_and_as_http_status() {
    let f = common::fake().await;
    let c = Apizero::new(common::apizero(&f)).unwrap();
    let cases = [
        (4000, 400, ErrorKind::InvalidInput),
        (5020, 502, ErrorKind::Upstream),
        (5021, 422, ErrorKind::Unrecognisable),
        (5030, 503, ErrorKind::NotEnabled),
        (4022, 402, ErrorKind::Quota),
    ];
    for (code, status, kind) in cases {
        for http in [200, status] {
            f.set_fault(Endpoint::ApizeroOcr, Fault::apizero(code, http));
            let e = c.read(&common::jpeg()).await.unwrap_err();
            assert_eq!(e.kind, kind, "code {code} over HTTP {http}");
            assert_eq!(e.vendor_code.as_deref(), Some(code.to_string().as_str()));
            assert_eq!(e.request_id.as_deref(), Some("fake-req-err"), "request id kept for support");
            assert!(!e.message.zh.is_empty() && !e.message.en.is_empty());
        }
    }
}

#[tokio::test]
async fn missing_or_wrong_key() {
    let f = common::fake().await;
    let no_key = Apizero::new(idcheck::providers::ClientConfig::new(f.apizero_url())).unwrap();
    let e = TwoFactor::verify(&no_key, IDENTITIES[0].name, IDENTITIES[0].number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.en.contains("idcheck key set apizero"));
    assert_eq!(f.total_calls(), 0, "no call without a key");

    let wrong = Apizero::new(idcheck::providers::ClientConfig::new(f.apizero_url()).key("key", "not-the-key")).unwrap();
    let e = wrong.region("110101").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.http_status, Some(401));
}

#[tokio::test]
async fn two_factor_verdicts() {
    let f = common::fake().await;
    let c = Apizero::new(common::apizero(&f)).unwrap();
    let i = IDENTITIES[0];
    let r = TwoFactor::verify(&c, i.name, i.number).await.unwrap();
    assert_eq!(r.verdict, Verdict::Match);
    assert_eq!(r.vendor_code.as_deref(), Some("100"));
    assert!(r.request_id.as_deref().unwrap().starts_with("fake-req-"));
    let r = TwoFactor::verify(&c, "冒名者", i.number).await.unwrap();
    assert_eq!(r.verdict, Verdict::Mismatch);
    assert_eq!(r.vendor_code.as_deref(), Some("101"));
    let r = TwoFactor::verify(&c, "某人", NO_RECORD_NUMBER).await.unwrap();
    assert_eq!(r.verdict, Verdict::NoRecord);
    assert_eq!(r.vendor_code.as_deref(), Some("102"));

    let req = &f.requests()[0];
    assert_eq!((req.method.as_str(), req.target.as_str()), ("POST", "/api/idcard-2c"));
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body, serde_json::json!({"name": i.name, "idcard": i.number}));
}

#[tokio::test]
async fn two_factor_error_codes() {
    let f = common::fake().await;
    let c = Apizero::new(common::apizero(&f)).unwrap();
    let i = IDENTITIES[1];
    for (code, http, kind) in [
        (4000, 400, ErrorKind::InvalidInput),
        (4022, 402, ErrorKind::Quota),
        (5020, 502, ErrorKind::Upstream),
        (5021, 502, ErrorKind::Upstream),
        (5030, 503, ErrorKind::NotEnabled),
    ] {
        for status in [200, http] {
            f.set_fault(Endpoint::Apizero2c, Fault::apizero(code, status));
            let e = TwoFactor::verify(&c, i.name, i.number).await.unwrap_err();
            assert_eq!(e.kind, kind, "{code}/{status}");
            assert_eq!(e.vendor_code.as_deref(), Some(code.to_string().as_str()));
        }
    }
}

#[tokio::test]
async fn region_found_not_found_and_upstream_down() {
    let f = common::fake().await;
    let c = Apizero::new(common::apizero(&f)).unwrap();
    let r = c.region("11010519491231002X").await.unwrap();
    assert_eq!(r.code, "110105");
    assert_eq!(r.province.as_ref().unwrap().name, "北京市");
    assert_eq!(r.district.as_ref().unwrap().code.as_deref(), Some("110105"));
    assert_eq!(r.full_name, "北京市 朝阳区");
    // Only the six digits went out, as a GET query, with Bearer auth.
    let req = &f.requests()[0];
    assert_eq!((req.method.as_str(), req.target.as_str()), ("GET", "/api/idcard-region?idcard=110105"));

    let e = c.region(UNKNOWN_REGION_NUMBER).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.vendor_code.as_deref(), Some("4000"));

    f.set_fault(Endpoint::ApizeroRegion, Fault::apizero(5020, 200));
    assert_eq!(c.region("110101").await.unwrap_err().kind, ErrorKind::Upstream);

    let e = c.region("11-01").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(f.calls(Endpoint::ApizeroRegion), 3);
}

#[tokio::test]
async fn over_qps_answer_is_rate_limited() {
    // A fake allowing 1/s while the client paces the documented 10/s.
    let f = common::fake_with_qps(Endpoint::ApizeroRegion, 1).await;
    let c = Apizero::new(common::apizero(&f)).unwrap();
    c.region("110101").await.unwrap();
    let e = c.region("110101").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.http_status, Some(429));
}

#[tokio::test]
async fn faults_timeout_5xx_malformed_oversized_dropped() {
    let f = common::fake().await;
    let c = Apizero::new(common::quick(common::apizero(&f))).unwrap();
    let i = IDENTITIES[2];

    f.set_fault(Endpoint::ApizeroRegion, Fault::Delay(Duration::from_secs(2)));
    assert_eq!(c.region("110101").await.unwrap_err().kind, ErrorKind::Timeout);

    f.set_fault(Endpoint::ApizeroRegion, Fault::status(502));
    let e = c.region("110101").await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::Upstream, Some(502)));

    f.set_fault(Endpoint::ApizeroRegion, Fault::Malformed);
    assert_eq!(c.region("110101").await.unwrap_err().kind, ErrorKind::Malformed);

    f.set_fault(Endpoint::ApizeroRegion, Fault::Oversized(2 * 1024 * 1024));
    let e = c.region("110101").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Malformed);
    assert!(e.message.en.contains("exceeded"));

    f.set_fault(Endpoint::ApizeroRegion, Fault::Drop);
    assert_eq!(c.region("110101").await.unwrap_err().kind, ErrorKind::Network);

    // Billed service: a timeout is not retried and is flagged as possibly billed.
    f.set_fault(Endpoint::Apizero2c, Fault::Delay(Duration::from_secs(2)));
    let guarded = providers::two_factor("apizero", common::quick(common::apizero(&f))).unwrap();
    let e = guarded.verify(i.name, i.number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.maybe_billed);
    f.set_fault(Endpoint::Apizero2c, Fault::Drop);
    let e = guarded.verify(i.name, i.number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(f.calls(Endpoint::Apizero2c), 2, "one call per attempt, never a retry of a billed call");
}

#[tokio::test]
async fn plain_http_only_on_loopback() {
    for ok in ["http://127.0.0.1:9", "http://127.8.0.1:9", "http://[::1]:9", "http://localhost:9", "https://v1.apizero.cn"] {
        assert!(Apizero::new(idcheck::providers::ClientConfig::new(ok)).is_ok(), "{ok}");
    }
    for bad in ["http://v1.apizero.cn", "http://192.168.1.10", "ftp://127.0.0.1", "not a url", "https://u:p@v1.apizero.cn"] {
        let e = Apizero::new(idcheck::providers::ClientConfig::new(bad)).err().expect(bad);
        assert_eq!(e.kind, ErrorKind::Config, "{bad}");
    }
}
