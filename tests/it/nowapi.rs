//! NowAPI `idcard.get` against the fake: the form POST, every documented status, system
//! errors, auth, rate limit, faults.

use crate::common;

use idcheck::providers::{nowapi::Nowapi, ClientConfig, ErrorKind, Region};
use idcheck_fake::{Endpoint, Fault, IDENTITIES, UNKNOWN_REGION_NUMBER};
use std::time::Duration;

#[tokio::test]
async fn already_att_is_mapped_and_sent_as_a_form_post() {
    let f = common::fake().await;
    let c = Nowapi::new(common::nowapi(&f)).unwrap();
    let r = c.region(IDENTITIES[2].number).await.unwrap();
    assert_eq!(r.code, "310115");
    assert_eq!(r.full_name, "上海市 浦东新区");
    assert_eq!(r.province.as_ref().unwrap().name, "上海市");
    assert_eq!(r.district.as_ref().unwrap().name, "浦东新区");
    assert_eq!(r.district.as_ref().unwrap().code.as_deref(), Some("310115"));
    assert_eq!(r.postal_code.as_deref(), Some("200120"));
    assert_eq!(r.area_code.as_deref(), Some("021"));
    assert_eq!(r.birth.as_deref(), Some("1985-11-20"));
    assert_eq!(r.sex.as_deref(), Some("女"));

    let req = &f.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.target, "/", "nothing in the URL");
    assert!(req.header("content-type").unwrap().starts_with("application/x-www-form-urlencoded"));
    let form: std::collections::HashMap<String, String> = form_pairs(&req.body).into_iter().collect();
    assert_eq!(form["app"], "idcard.get");
    assert_eq!(form["format"], "json");
    assert_eq!(form["idcard"], IDENTITIES[2].number);
    assert_eq!(form["appkey"], idcheck_fake::NOWAPI_APPKEY);
    assert_eq!(form["sign"], idcheck_fake::NOWAPI_SIGN);
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body).split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn documented_statuses() {
    let f = common::fake().await;
    let c = Nowapi::new(common::nowapi(&f)).unwrap();
    // NOT_ATT from the fake's own data.
    let e = c.region(UNKNOWN_REGION_NUMBER).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.vendor_code.as_deref(), Some("NOT_ATT"));
    assert!(e.message.zh.contains("暂无归属地信息"), "vendor's words kept: {}", e.message.zh);

    for (status, kind) in [("WAIT_PROCESS", ErrorKind::Pending), ("NOT_ATT", ErrorKind::NotFound), ("WRONG_IDCARD", ErrorKind::InvalidInput)] {
        f.set_fault(Endpoint::NowapiIdcard, Fault::nowapi_status(status));
        let e = c.region(IDENTITIES[0].number).await.unwrap_err();
        assert_eq!((e.kind, e.vendor_code.as_deref()), (kind, Some(status)));
    }
    f.set_fault(Endpoint::NowapiIdcard, Fault::nowapi_system("1000555", "系统维护中"));
    let e = c.region(IDENTITIES[0].number).await.unwrap_err();
    assert_eq!((e.kind, e.vendor_code.as_deref()), (ErrorKind::Upstream, Some("1000555")));
    f.set_fault(Endpoint::NowapiIdcard, Fault::nowapi_system("1000900", "调用次数已用完"));
    assert_eq!(c.region(IDENTITIES[0].number).await.unwrap_err().kind, ErrorKind::Quota);
    f.set_fault(Endpoint::NowapiIdcard, Fault::nowapi_system("1000999", "未知错误"));
    assert_eq!(c.region(IDENTITIES[0].number).await.unwrap_err().kind, ErrorKind::Other);
}

#[tokio::test]
async fn wrong_sign_missing_keys_and_invalid_numbers() {
    let f = common::fake().await;
    let wrong =
        Nowapi::new(ClientConfig::new(f.nowapi_url()).key("appkey", idcheck_fake::NOWAPI_APPKEY).key("sign", "ffffffffffffffffffffffffffffffff")).unwrap();
    let e = wrong.region(IDENTITIES[0].number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth, "success 0 with an appkey/sign message");
    assert_eq!(e.vendor_code.as_deref(), Some("1000103"));
    assert_eq!(f.total_calls(), 1);

    let no_sign = Nowapi::new(ClientConfig::new(f.nowapi_url()).key("appkey", "10003")).unwrap();
    let e = no_sign.region(IDENTITIES[0].number).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.en.contains("sign"));

    let c = Nowapi::new(common::nowapi(&f)).unwrap();
    let e = c.region("110101199001011112").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(f.total_calls(), 1, "neither a keyless nor an invalid request reaches the vendor");
}

#[tokio::test]
async fn rate_limit_and_faults() {
    let f = common::fake_with_qps(Endpoint::NowapiIdcard, 1).await;
    let c = Nowapi::new(common::quick(common::nowapi(&f))).unwrap();
    c.region(IDENTITIES[0].number).await.unwrap();
    let e = c.region(IDENTITIES[0].number).await.unwrap_err();
    assert_eq!((e.kind, e.http_status), (ErrorKind::RateLimited, Some(429)));
    tokio::time::sleep(Duration::from_millis(1100)).await;

    f.set_fault(Endpoint::NowapiIdcard, Fault::Delay(Duration::from_secs(2)));
    assert_eq!(c.region(IDENTITIES[0].number).await.unwrap_err().kind, ErrorKind::Timeout);
    f.set_fault(Endpoint::NowapiIdcard, Fault::status(503));
    assert_eq!(c.region(IDENTITIES[0].number).await.unwrap_err().kind, ErrorKind::Upstream);
    f.set_fault(Endpoint::NowapiIdcard, Fault::Malformed);
    assert_eq!(c.region(IDENTITIES[0].number).await.unwrap_err().kind, ErrorKind::Malformed);
    f.set_fault(Endpoint::NowapiIdcard, Fault::Oversized(1 << 20));
    assert_eq!(c.region(IDENTITIES[0].number).await.unwrap_err().kind, ErrorKind::Malformed);
}
