//! No key or full number in URLs, in Debug output or in errors; no logging in the clients.

use crate::common;

use idcheck::providers::{self, ClientConfig, ErrorKind};
use idcheck_fake::{Endpoint, Fault, Vendor, IDENTITIES};

#[tokio::test]
async fn keys_and_numbers_stay_off_urls_and_debug_output() {
    let f = common::fake().await;
    let i = IDENTITIES[1];
    let ocr = providers::ocr("apizero", common::apizero(&f)).unwrap();
    let tf = providers::two_factor("apizero", common::apizero(&f)).unwrap();
    let mz = providers::two_factor("muzhiyun", common::muzhiyun(&f)).unwrap();
    let rg = providers::region("apizero", common::apizero(&f)).unwrap();
    let nw = providers::region("nowapi", common::nowapi(&f)).unwrap();
    ocr.read(&common::jpeg()).await.unwrap();
    tf.verify(i.name, i.number).await.unwrap();
    mz.verify(i.name, i.number).await.unwrap();
    rg.region(i.number).await.unwrap();
    nw.region(i.number).await.unwrap();
    let secrets = [idcheck_fake::APIZERO_KEY, idcheck_fake::NOWAPI_SIGN, idcheck_fake::MUZHIYUN_APPCODE];
    for r in f.requests() {
        for s in secrets {
            assert!(!r.target.contains(s), "a key in the URL: {}", r.target);
        }
        if r.vendor != Vendor::Muzhiyun {
            // 拇指云's document puts the number in its query; nobody else needs it there.
            assert!(!r.target.contains(i.number), "the number in the URL: {}", r.target);
        }
        assert!(!r.target.contains("appkey"));
    }
    // The keys travel only in the documented header or form field.
    let az = f.requests().into_iter().find(|r| r.endpoint == Some(Endpoint::ApizeroOcr)).unwrap();
    assert!(!String::from_utf8_lossy(&az.body).contains(idcheck_fake::APIZERO_KEY));

    let cfg = common::apizero(&f);
    for dbg in [format!("{cfg:?}"), format!("{:?}", common::nowapi(&f)), format!("{:?}", common::muzhiyun(&f))] {
        for s in secrets {
            assert!(!dbg.contains(s), "a key in Debug output: {dbg}");
        }
    }

    // Results carry masked data only.
    let r = mz.verify("冒名者", i.number).await.unwrap();
    let shown = format!("{r:?} {}", serde_json::to_string(&r).unwrap());
    assert!(!shown.contains(i.number) && !shown.contains("冒名者"), "{shown}");
}

#[tokio::test]
async fn errors_carry_no_url_number_or_key() {
    let f = common::fake().await;
    let i = IDENTITIES[0];
    for fault in [Fault::Drop, Fault::Malformed, Fault::status(502), Fault::muzhiyun_failed("身份证号码有误")] {
        f.set_fault(Endpoint::Muzhiyun2c, fault);
        let c = providers::two_factor("muzhiyun", common::muzhiyun(&f)).unwrap();
        let e = c.verify(i.name, i.number).await.unwrap_err();
        let text = format!("{e} {e:?} {}", serde_json::to_string(&e).unwrap());
        for s in [i.number, idcheck_fake::MUZHIYUN_APPCODE, "127.0.0.1", "xm="] {
            assert!(!text.contains(s), "{s} in {text}");
        }
    }
    let e = providers::two_factor("apizero", ClientConfig::new("http://example.com").key("key", "sk-secret")).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Config);
    assert!(!format!("{e:?}").contains("sk-secret"));
}

#[test]
fn provider_code_never_logs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = vec![];
    for sub in ["providers", ""] {
        for e in std::fs::read_dir(format!("{dir}/{sub}")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    for p in files.iter().filter(|p| {
        let n = p.file_name().unwrap().to_string_lossy();
        p.to_string_lossy().contains("providers") || n == "keys.rs" || n == "settings.rs"
    }) {
        let src = std::fs::read_to_string(p).unwrap();
        for m in ["println!", "eprintln!", "print!", "eprint!", "log::", "tracing::", "dbg!"] {
            assert!(!src.contains(m), "{} uses {m}", p.display());
        }
    }
}
