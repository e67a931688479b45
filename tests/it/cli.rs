//! The `idcheck ocr | verify | region | key` subcommands against the fakes, as a script
//! would run them.

use idcheck_fake::{Endpoint, FakeConfig, FakeServices, IDENTITIES};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "idcheck-cli-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn idcheck(fake: &FakeServices, args: &[&str]) -> (i32, Value, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_idcheck"));
    c.args(args).env("IDCHECK_CONFIG_DIR", temp_dir("cfg")).env("LANG", "en_US.UTF-8");
    for (k, v) in fake.env_exports() {
        c.env(k, v);
    }
    let Output { status, stdout, stderr } = c.output().unwrap();
    let out = String::from_utf8_lossy(&stdout).into_owned();
    let json = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
    (status.code().unwrap(), json, String::from_utf8_lossy(&stderr).into_owned())
}

#[test]
fn verify_refuses_without_consent_or_validity_before_any_call() {
    let f = FakeServices::start_background(FakeConfig::default()).unwrap();
    let i = IDENTITIES[0];
    let (code, j, _) = idcheck(&f, &["verify", "--provider", "apizero", "--name", i.name, "--json", i.number]);
    assert_eq!(code, 2);
    assert_eq!(j["error"]["detail"]["kind"], "consent_required");
    let (code, j, _) = idcheck(&f, &["verify", "--provider", "muzhiyun", "--name", i.name, "--consent", "--json", "110101199001011112"]);
    assert_eq!(code, 2);
    assert_eq!(j["error"]["kind"], "invalid_number");
    let (code, _, err) = idcheck(&f, &["verify", "--provider", "apizero", "--name", i.name, i.number]);
    assert_eq!(code, 2);
    assert!(err.contains("--consent"), "{err}");
    assert_eq!(f.total_calls(), 0);
}

#[test]
fn verify_verdicts_and_exit_status() {
    let f = FakeServices::start_background(FakeConfig::default()).unwrap();
    let i = IDENTITIES[1];
    for p in ["apizero", "muzhiyun"] {
        let (code, j, _) = idcheck(&f, &["verify", "--provider", p, "--name", i.name, "--consent", "--json", i.number]);
        assert_eq!((code, j["result"]["verdict"].as_str()), (0, Some("match")), "{p}");
        let (code, j, _) = idcheck(&f, &["verify", "--provider", p, "--name", "冒名者", "--consent", "--json", i.number]);
        assert_eq!((code, j["result"]["verdict"].as_str()), (1, Some("mismatch")), "{p}");
        let (code, j, _) = idcheck(&f, &["verify", "--provider", p, "--name", "某人", "--consent", "--json", idcheck_fake::NO_RECORD_NUMBER]);
        assert_eq!((code, j["result"]["verdict"].as_str()), (1, Some("no_record")), "{p}");
    }
    // Human output masks name and number.
    let mut c = Command::new(env!("CARGO_BIN_EXE_idcheck"));
    c.args(["verify", "--provider", "apizero", "--name", i.name, "--consent", i.number]).env("IDCHECK_CONFIG_DIR", temp_dir("cfg"));
    for (k, v) in f.env_exports() {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("110***********0038") && all.contains("李*"), "{all}");
    assert!(!all.contains(i.number) && !all.contains(i.name) && !all.contains(idcheck_fake::APIZERO_KEY), "{all}");
    let (code, j, _) = idcheck(&f, &["region", "--provider", "nope", "--json", "110101"]);
    assert_eq!(code, 2);
    assert!(j["error"]["message"]["en"].as_str().unwrap().contains("no provider `nope`"), "{j}");
    f.set_fault(Endpoint::Apizero2c, idcheck_fake::Fault::apizero(4022, 200));
    let (code, j, _) = idcheck(&f, &["verify", "--provider", "apizero", "--name", "王五", "--consent", "--json", i.number]);
    assert_eq!(code, 2);
    assert_eq!(j["error"]["kind"], "quota");
    assert_eq!(j["error"]["vendor_code"], "4022");
}

#[test]
fn region_and_ocr() {
    let f = FakeServices::start_background(FakeConfig::default()).unwrap();
    let (code, j, _) = idcheck(&f, &["region", "--provider", "embedded", "--json", "110101"]);
    assert_eq!(code, 0);
    assert_eq!(j["result"]["full_name"], "北京市 东城区");
    let (code, j, _) = idcheck(&f, &["region", "--provider", "nowapi", "--json", IDENTITIES[3].number]);
    assert_eq!(code, 0);
    assert_eq!(j["result"]["area_code"], "0755");
    let (code, j, _) = idcheck(&f, &["region", "--provider", "apizero", "--json", "990101"]);
    assert_eq!(code, 2);
    assert_eq!(j["error"]["kind"], "not_found");

    let dir = temp_dir("img");
    let img = dir.join("front.jpg");
    let scene = idcheck::synth::Scene::centred(1600, 1200, 0.8, 3.0);
    std::fs::write(&img, idcheck::synth::jpeg(&idcheck::synth::render(&scene), 90)).unwrap();
    let (code, j, _) = idcheck(&f, &["ocr", "--provider", "apizero", "--json", img.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(j["fields"]["number"], IDENTITIES[1].number);
    assert_eq!(j["fields"]["side"], "front");
    let txt = dir.join("note.txt");
    std::fs::write(&txt, "not an image").unwrap();
    let (code, _, err) = idcheck(&f, &["ocr", txt.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a recognised image"), "{err}");
    assert_eq!(f.calls(Endpoint::ApizeroOcr), 1);
}

#[test]
fn without_a_keychain_nothing_is_stored_and_the_user_is_told() {
    let dir = temp_dir("nokeychain");
    let mut child = Command::new(env!("CARGO_BIN_EXE_idcheck"))
        .args(["key", "set", "apizero", "--json"])
        .env("IDCHECK_CONFIG_DIR", &dir)
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-such-bus", dir.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"sk-should-go-nowhere\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["error"]["detail"]["kind"], "no_keychain");
    assert!(j["error"]["message"]["zh"].as_str().unwrap().contains("钥匙串"));
    assert!(j["error"]["message"]["en"].as_str().unwrap().contains("stored nowhere"));
    // Nothing written next to the settings either.
    let leaked = std::fs::read_dir(&dir)
        .unwrap()
        .any(|e| std::fs::read(e.unwrap().path()).map(|b| String::from_utf8_lossy(&b).contains("sk-should-go-nowhere")).unwrap_or(false));
    assert!(!leaked);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("sk-should-go-nowhere"));
}
