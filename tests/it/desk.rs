//! The desk's promises, each proven against the vendor fakes over real HTTP on loopback, with
//! the audit trail in a real SQLite file keyed from the real keychain (scripts/test.sh runs
//! the tests inside a throw-away gnome-keyring).
//!
//! Every test has its own desk in a namespace of its own (config directory and keychain
//! service), its own fakes and trail: nothing here changes the process's environment.

use idcheck::audit::{Filter, Kind, Outcome};
use idcheck::desk::batch::BatchOptions;
use idcheck::desk::{Demo, Desk, DeskConfig, PageSettings};
use idcheck::providers::Verdict;
use idcheck::secret::Sensitive;
use idcheck_fake::{Endpoint, FakeConfig, FakeServices, Fault, Vendor};
use std::sync::Arc;
use std::time::Duration;

const NAME: &str = "李四";
const NUMBER: &str = "110101199003070038";

async fn fake() -> FakeServices {
    FakeServices::start(FakeConfig::default()).await.expect("fakes start")
}

/// A desk whose "real" apizero is `real` (a loopback address set in the settings file, as an
/// administrator would), with its trail in a directory of its own.
fn desk(real: &FakeServices, dir: &tempfile::TempDir) -> Arc<Desk> {
    let mut s = idcheck::settings::Settings::default();
    s.base_urls.insert("apizero".into(), real.base_url(Vendor::Apizero));
    s.two_factor_provider = Some("apizero".into());
    let config = DeskConfig::at(idcheck::paths::Namespace::at(dir.path()));
    let desk = Desk::with_settings(config, s);
    // The real service's key, in this desk's own keychain service.
    desk.save_key("apizero", vec![Sensitive::new(idcheck_fake::APIZERO_KEY.to_string())]).expect("a Secret Service is needed for the key");
    desk
}

fn demo_of(f: &FakeServices) -> Demo {
    Demo::new().service("apizero", &f.base_url(Vendor::Apizero)).key("apizero", "key", idcheck_fake::APIZERO_KEY)
}

fn trail(desk: &Desk) -> Vec<idcheck::audit::Entry> {
    desk.store().expect("the trail opens (a Secret Service is needed)").query(&Filter::default()).unwrap()
}

#[tokio::test]
async fn a_demo_answer_is_never_served_or_recorded_as_a_real_one() {
    let (real, fakes, dir) = (fake().await, fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    desk.set_demo(Some(demo_of(&fakes)));
    desk.give_consent(NAME, NUMBER, true);
    let v = desk.verify(NAME, NUMBER).await.unwrap();
    assert!(v.demo);
    assert_eq!(fakes.calls(Endpoint::Apizero2c), 1);

    // Back to the real service: the same holder is checked there, not answered from the demo.
    desk.set_demo(None);
    desk.give_consent(NAME, NUMBER, true);
    let v = desk.verify(NAME, NUMBER).await.unwrap();
    assert!(!v.demo && !v.result.reused, "a demo verdict was served as a real one");
    assert_eq!(real.calls(Endpoint::Apizero2c), 1);

    let providers: Vec<String> = trail(&desk).into_iter().filter(|e| e.kind == Kind::TwoFactor).map(|e| e.provider).collect();
    assert!(providers.contains(&"apizero-demo".to_string()) && providers.contains(&"apizero".to_string()), "{providers:?}");
}

#[tokio::test]
async fn an_identical_check_is_paid_once_until_the_settings_change() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    for _ in 0..2 {
        desk.give_consent(NAME, NUMBER, true);
        desk.verify(NAME, NUMBER).await.unwrap();
    }
    assert_eq!(real.calls(Endpoint::Apizero2c), 1, "the second identical check paid again");
    // Another endpoint may answer differently: a settings change forgets the answers.
    desk.change_settings(|s| s.operator = Some("王芳".into())).unwrap();
    desk.give_consent(NAME, NUMBER, true);
    assert!(!desk.verify(NAME, NUMBER).await.unwrap().result.reused);
    assert_eq!(real.calls(Endpoint::Apizero2c), 2);
}

#[tokio::test]
async fn consent_belongs_to_one_holder_and_one_check() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    let refused = |r: Result<idcheck::desk::Verified, idcheck::desk::DeskError>| r.expect_err("checked without consent").kind;

    assert_eq!(refused(desk.verify(NAME, NUMBER).await), "consent");
    // Consent for one holder does not cover another.
    desk.give_consent("张三", "11010519491231002X", true);
    assert_eq!(refused(desk.verify(NAME, NUMBER).await), "consent");
    // A new holder at the desk (a new photo, 清空) drops it.
    desk.give_consent(NAME, NUMBER, true);
    desk.forget_holder();
    assert_eq!(refused(desk.verify(NAME, NUMBER).await), "consent");
    // A withdrawn tick too.
    desk.give_consent(NAME, NUMBER, true);
    desk.give_consent(NAME, NUMBER, false);
    assert_eq!(refused(desk.verify(NAME, NUMBER).await), "consent");
    assert_eq!(real.calls(Endpoint::Apizero2c), 0, "a check without consent reached the vendor");

    // One check uses it up.
    desk.give_consent(NAME, NUMBER, true);
    assert_eq!(desk.verify(NAME, NUMBER).await.unwrap().result.verdict, Verdict::Match);
    assert_eq!(refused(desk.verify(NAME, NUMBER).await), "consent");
    assert_eq!(real.calls(Endpoint::Apizero2c), 1);
}

#[tokio::test]
async fn an_invalid_number_is_never_sent_and_a_15_digit_one_goes_as_18_digits() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    desk.give_consent("张三", "110105194912310021", true);
    assert_eq!(desk.verify("张三", "110105194912310021").await.unwrap_err().kind, "invalid_number");
    assert_eq!(real.total_calls(), 0);

    desk.give_consent("张三", "110105491231002", true);
    let v = desk.verify("张三", "110105491231002").await.unwrap();
    assert_eq!(v.number, "11010519491231002X");
    assert_eq!(v.result.verdict, Verdict::Match);
    let wire = real.requests().iter().map(|r| r.wire_text()).collect::<String>();
    assert!(wire.contains("11010519491231002X") && !wire.contains("110105491231002\""), "{wire}");
}

#[tokio::test]
async fn a_sent_check_is_finished_and_recorded_when_the_clerk_cancels() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    real.set_fault(Endpoint::Apizero2c, Fault::Delay(Duration::from_millis(600)));
    let desk = desk(&real, &dir);
    desk.give_consent(NAME, NUMBER, true);
    let d = desk.clone();
    let waiting = tokio::spawn(async move { d.verify(NAME, NUMBER).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(real.calls(Endpoint::Apizero2c), 1, "the call is on its way");
    waiting.abort(); // 取消 / Esc / 清空
    assert!(waiting.await.unwrap_err().is_cancelled());
    // The vendor answers (and bills); the answer is recorded all the same.
    let mut recorded = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        recorded = trail(&desk).into_iter().filter(|e| e.kind == Kind::TwoFactor).collect();
        if !recorded.is_empty() {
            break;
        }
    }
    assert_eq!(recorded.len(), 1, "the paid call that was sent is not in the trail");
    assert_eq!(recorded[0].outcome, Outcome::Match);
    assert!(recorded[0].consent);
}

#[tokio::test]
async fn the_photo_stays_here_by_default_and_saving_a_key_does_not_change_that() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    // desk() saved an apizero key: the OCR choice is still this machine.
    assert_eq!(desk.key_status().fields.iter().find(|f| f.provider == "apizero").map(|f| f.source), Some(idcheck::keys::Source::Keychain));
    assert_eq!(desk.ocr_provider(), "local", "saving a key switched the OCR to a vendor");
    let jpeg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cards/clean-front.jpg")).unwrap();
    let prepared = idcheck::desk::photo::prepare(&jpeg).unwrap();
    let read = desk.read_card(Arc::new(prepared.jpeg)).await.unwrap();
    assert_eq!(read.provider, "local");
    assert!(read.fields.number.is_some());
    assert_eq!(real.total_calls(), 0, "the photo left the machine");
}

#[tokio::test]
async fn the_page_may_point_a_key_only_at_its_vendors_documented_host() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    // The page sends back every address it shows; apizero's was put into the file by hand.
    let apizero = real.base_url(Vendor::Apizero);
    let page = |url: &str| PageSettings {
        ocr: "local".into(),
        two_factor: "apizero".into(),
        region: "embedded".into(),
        base_urls: [("muzhiyun".to_string(), url.to_string()), ("apizero".to_string(), apizero.clone())].into(),
        retention_days: 180,
        ..PageSettings::default()
    };
    for bad in ["https://collector.example.com", "http://127.0.0.1:9/", "https://sfz2.market.alicloudapi.com.evil.example"] {
        let e = desk.save_page_settings(page(bad)).expect_err(bad);
        assert_eq!(e.kind, "bad_url", "{bad}");
        assert!(e.message.en.contains("IDCHECK_MUZHIYUN_URL"), "{}", e.message.en);
    }
    assert!(desk.save_page_settings(page("https://sfz2.market.alicloudapi.com")).is_ok());
    assert!(desk.save_page_settings(page("")).is_ok());
    // What an administrator put into the file stays when the page saves it back unchanged, but
    // the page cannot put it back once removed.
    assert_eq!(desk.settings().base_urls.get("apizero"), Some(&apizero));
    let mut p = page("");
    p.base_urls.remove("apizero");
    desk.save_page_settings(p).unwrap();
    assert_eq!(desk.save_page_settings(page("")).unwrap_err().kind, "bad_url");
}

#[tokio::test]
async fn a_paid_region_lookup_runs_only_when_asked() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    desk.change_settings(|s| s.region_provider = Some("apizero".into())).unwrap();
    let r = desk.region(NUMBER, false).await.unwrap();
    assert!(r.online.is_none());
    assert_eq!(real.calls(Endpoint::ApizeroRegion), 0, "typing a number paid for a region lookup");
    let r = desk.region(NUMBER, true).await.unwrap();
    assert!(r.online.unwrap().result.is_ok());
    assert_eq!(real.calls(Endpoint::ApizeroRegion), 1);
}

#[tokio::test]
async fn a_batch_of_photos_sends_prepared_photos_and_keeps_the_mode_it_started_in() {
    let (real, fakes, dir) = (fake().await, fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    desk.change_settings(|s| s.ocr_provider = Some("apizero".into())).unwrap();
    let photos = tempfile::tempdir().unwrap();
    let original = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cards/exif-front.jpg")).unwrap();
    std::fs::write(photos.path().join("a.jpg"), &original).unwrap();

    desk.set_demo(Some(demo_of(&fakes)));
    let mut job = desk.batch_load(photos.path(), BatchOptions::default(), |_, _| {}).await.unwrap();
    assert!(job.demo);
    // The vendor got the prepared photo: re-encoded, no EXIF, never the original file.
    let sent = fakes.requests().into_iter().find(|r| r.endpoint == Some(Endpoint::ApizeroOcr)).expect("the photo was read");
    let body = String::from_utf8_lossy(&sent.body).to_string();
    use base64::Engine;
    let original_b64 = base64::engine::general_purpose::STANDARD.encode(&original);
    assert!(!body.contains(&original_b64[..200]), "the original file was sent");

    // Demo switched off after loading: the batch still runs on the fakes it was loaded for.
    desk.set_demo(None);
    let cancel = tokio_util::sync::CancellationToken::new();
    desk.batch_run(&mut job, true, false, &cancel, |_| {}).await.unwrap();
    assert_eq!(fakes.calls(Endpoint::Apizero2c), 1);
    assert_eq!(real.calls(Endpoint::Apizero2c), 0, "a demo batch paid the real vendor");
    let two: Vec<String> = trail(&desk).into_iter().filter(|e| e.kind == Kind::TwoFactor).map(|e| e.provider).collect();
    assert_eq!(two, vec!["apizero-demo".to_string()]);
}

#[tokio::test]
async fn the_same_holder_twice_in_one_table_is_paid_once() {
    let (real, dir) = (fake().await, tempfile::tempdir().unwrap());
    let desk = desk(&real, &dir);
    let table = dir.path().join("people.csv");
    std::fs::write(&table, format!("姓名,身份证号\n{NAME},{NUMBER}\n{NAME},{NUMBER}\n张三,11010519491231002X\n")).unwrap();
    let mut job = desk.batch_load(&table, BatchOptions::default(), |_, _| {}).await.unwrap();
    assert_eq!(job.plan.to_send(), 2, "the repeated row is not counted as a call");
    let cancel = tokio_util::sync::CancellationToken::new();
    let summary = desk.batch_run(&mut job, true, false, &cancel, |_| {}).await.unwrap();
    assert_eq!(summary.matched, 3);
    assert_eq!(real.calls(Endpoint::Apizero2c), 2, "the repeated row was paid again");
}
