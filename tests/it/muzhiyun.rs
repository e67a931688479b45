//! 拇指云 sfz2 against the fake: GET with xm & sfz, APPCODE auth, verdicts, 666 failures,
//! 403 quota, gateway answers, faults.

use crate::common;

use idcheck::providers::{muzhiyun::Muzhiyun, ClientConfig, ErrorKind, TwoFactor, Verdict};
use idcheck_fake::{Endpoint, Fault, IDENTITIES, NO_RECORD_NUMBER};
use std::time::Duration;

#[tokio::test]
async fn verdicts_and_extras() {
    let f = common::fake().await;
    let c = Muzhiyun::new(common::muzhiyun(&f)).unwrap();
    let i = IDENTITIES[3];
    let r = c.verify(i.name, i.number).await.unwrap();
    assert_eq!(r.verdict, Verdict::Match);
    assert_eq!(r.sex.as_deref(), Some("男"));
    assert_eq!(r.birthday.as_deref(), Some("19****15"));
    assert_eq!(r.address_masked.as_deref(), Some("广东省**区"));
    assert!(r.request_id.as_deref().unwrap().starts_with("FAKE-CA-"));

    let r = c.verify("冒名者", i.number).await.unwrap();
    assert_eq!(r.verdict, Verdict::Mismatch);
    assert!(r.vendor_message.unwrap().contains("不匹配"));
    let r = c.verify("某人", NO_RECORD_NUMBER).await.unwrap();
    assert_eq!(r.verdict, Verdict::NoRecord);

    let req = &f.requests()[0];
    assert_eq!(req.method, "GET");
    assert!(req.target.starts_with("/idcard?xm="));
    assert!(req.target.contains(&format!("sfz={}", i.number)));
    assert_eq!(req.header("authorization"), Some(format!("APPCODE {}", idcheck_fake::MUZHIYUN_APPCODE).as_str()));
    assert!(!req.target.contains(idcheck_fake::MUZHIYUN_APPCODE));
}

#[tokio::test]
async fn failures_quota_auth_throttling() {
    let f = common::fake().await;
    let c = Muzhiyun::new(common::muzhiyun(&f)).unwrap();
    let i = IDENTITIES[0];

    f.set_fault(Endpoint::Muzhiyun2c, Fault::muzhiyun_failed("姓名有误key"));
    let e = c.verify(i.name, i.number).await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::InvalidInput, Some(666)));
    assert!(e.message.zh.contains("姓名有误") && e.message.zh.contains("未计费"));
    assert!(!e.maybe_billed);

    f.set_fault(Endpoint::Muzhiyun2c, Fault::Reply { status: 200, headers: vec![], body: r#"{"ok":0,"msg":"身份证号码有误"}"#.into() });
    assert_eq!(c.verify(i.name, i.number).await.unwrap_err().kind, ErrorKind::InvalidInput);

    f.set_fault(Endpoint::Muzhiyun2c, Fault::muzhiyun_failed("appid:XXXXXXX接口已停用"));
    assert_eq!(c.verify(i.name, i.number).await.unwrap_err().kind, ErrorKind::NotEnabled);

    f.set_fault(Endpoint::Muzhiyun2c, Fault::muzhiyun_quota());
    let e = c.verify(i.name, i.number).await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::Quota, Some(403)));
    assert_eq!(e.request_id.as_deref(), Some("FAKE-CA-REQ-QUOTA"));
    f.set_fault(Endpoint::Muzhiyun2c, Fault::Reply { status: 403, headers: vec![], body: "Quota Exhausted".into() });
    assert_eq!(c.verify(i.name, i.number).await.unwrap_err().kind, ErrorKind::Quota);
    f.clear_fault(Endpoint::Muzhiyun2c);

    let wrong = Muzhiyun::new(ClientConfig::new(f.muzhiyun_url()).key("appcode", "wrong")).unwrap();
    let e = wrong.verify(i.name, i.number).await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::Auth, Some(401)));

    let slow = common::fake_with_qps(Endpoint::Muzhiyun2c, 1).await;
    let c2 = Muzhiyun::new(common::muzhiyun(&slow)).unwrap();
    c2.verify(i.name, i.number).await.unwrap();
    let e = c2.verify(i.name, i.number).await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::RateLimited, Some(403)));
    assert_eq!(slow.rejected_over_qps(Endpoint::Muzhiyun2c), 1);
}

#[tokio::test]
async fn faults() {
    let f = common::fake().await;
    let c = Muzhiyun::new(common::quick(common::muzhiyun(&f))).unwrap();
    let i = IDENTITIES[0];
    f.set_fault(Endpoint::Muzhiyun2c, Fault::Delay(Duration::from_secs(2)));
    let e = c.verify(i.name, i.number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.maybe_billed);
    assert!(!format!("{e} {e:?}").contains(i.number), "no URL (with the number) in errors");
    f.set_fault(Endpoint::Muzhiyun2c, Fault::status(500));
    assert_eq!(c.verify(i.name, i.number).await.unwrap_err().kind, ErrorKind::Upstream);
    f.set_fault(Endpoint::Muzhiyun2c, Fault::Malformed);
    assert_eq!(c.verify(i.name, i.number).await.unwrap_err().kind, ErrorKind::Malformed);
    f.set_fault(Endpoint::Muzhiyun2c, Fault::Oversized(1 << 20));
    assert_eq!(c.verify(i.name, i.number).await.unwrap_err().kind, ErrorKind::Malformed);
    f.set_fault(Endpoint::Muzhiyun2c, Fault::Drop);
    let e = c.verify(i.name, i.number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(!format!("{e} {e:?}").contains(i.number));
}
