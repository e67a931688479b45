//! The E2E harness: starts the fakes, a config directory, `tauri-driver` and a WebDriver
//! session on the built app, and offers small, waiting helpers over the page.

#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use idcheck_fake::{FakeConfig, FakeServices};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// One window at a time.
static SESSION_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static SEQ: AtomicU32 = AtomicU32::new(0);

const WAIT: Duration = Duration::from_secs(20);

#[derive(Default)]
pub struct Opts {
    /// Reuse a config directory (to test what persists); a fresh one otherwise.
    pub config_dir: Option<PathBuf>,
    /// Put the fakes' keys into the environment the app sees (`IDCHECK_APIZERO_KEY`, ...),
    /// so the providers count as configured without touching the keychain.
    pub env_keys: bool,
    /// Extra environment for the app.
    pub env: Vec<(String, String)>,
    /// The OCR provider chosen in the settings file before the app starts (`ocr_provider`:
    /// `"apizero"` sends photos to the apizero fake, whose fixed read is 李四); `None` leaves the
    /// choice alone (a fresh directory: the default, `local`).
    pub ocr: Option<&'static str>,
    /// More of the settings file written before the app starts (`src/settings.rs`: e.g.
    /// `{"region_provider": "nowapi"}`), merged into what the directory already holds.
    pub settings: Option<Value>,
}

impl Opts {
    pub fn with_keys() -> Opts {
        Opts { env_keys: true, ..Opts::default() }
    }

    /// The fakes' keys and OCR by apizero: photos are read by the apizero fake (李四).
    pub fn with_keys_apizero_ocr() -> Opts {
        Opts { ocr: Some("apizero"), ..Opts::with_keys() }
    }
}

/// Writes the chosen settings into `settings.json` of `config_dir`, over what it holds.
fn pre_write_settings(config_dir: &Path, opts: &Opts) {
    if opts.ocr.is_none() && opts.settings.is_none() {
        return;
    }
    let path = config_dir.join("settings.json");
    let mut file: serde_json::Map<String, Value> = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{} is not a settings file: {e}", path.display())),
        Err(_) => serde_json::Map::new(),
    };
    if let Some(Value::Object(more)) = &opts.settings {
        file.extend(more.clone());
    } else if let Some(other) = &opts.settings {
        panic!("Opts::settings must be a JSON object, not {other}");
    }
    if let Some(ocr) = opts.ocr {
        file.insert("ocr_provider".into(), json!(ocr));
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&Value::Object(file)).unwrap()).unwrap();
}

pub struct App {
    pub client: Client,
    pub fakes: FakeServices,
    driver: Child,
    config_dir: PathBuf,
    scratch: PathBuf,
    name: String,
    _lock: tokio::sync::MutexGuard<'static, ()>,
}

/// The repository root (`src-tauri/..`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn front_photo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/card-front.jpg")
}

/// The app binary next to this test binary (`target/debug/deps/e2e-*` → `target/debug/`).
fn app_binary() -> PathBuf {
    if let Ok(p) = std::env::var("IDCHECK_APP_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("idcheck-app");
    assert!(bin.exists(), "the app binary {} does not exist: build it first (`cargo build -p idcheck-app`), or run scripts/test.sh", bin.display());
    bin
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}

fn wait_port(port: u16, deadline: Instant) {
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}: tauri-driver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn scratch_dir(tag: &str) -> PathBuf {
    let dir = repo_root().join("test-output/e2e").join(format!("{tag}-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl App {
    pub async fn start(opts: Opts) -> App {
        let lock = SESSION_LOCK.lock().await;
        assert!(std::env::var_os("DISPLAY").is_some(), "no DISPLAY: the E2E tests need a display; run them through scripts/test.sh (xvfb-run)");
        let name = std::thread::current().name().unwrap_or("e2e").rsplit("::").next().unwrap().to_string();
        let fakes = FakeServices::start(FakeConfig::default()).await.expect("fakes start");
        let scratch = scratch_dir(&name);
        let config_dir = opts.config_dir.clone().unwrap_or_else(|| scratch.join("config"));
        std::fs::create_dir_all(&config_dir).unwrap();
        pre_write_settings(&config_dir, &opts);

        let port = free_port();
        let native_port = free_port();
        let mut cmd = Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()));
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("IDCHECK_CONFIG_DIR", &config_dir)
            .env_remove("IDCHECK_DEMO")
            // A neutral locale: the app starts in Chinese unless the settings say otherwise.
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(scratch.join("driver.log")).unwrap());
        // URLs always point at this test's fakes; keys only when asked.
        for (k, v) in fakes.env_exports() {
            if k.ends_with("_URL") || opts.env_keys {
                cmd.env(k, v);
            } else {
                cmd.env_remove(k);
            }
        }
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        let driver =
            cmd.spawn().expect("tauri-driver not found: install it with `cargo install tauri-driver --version 2.1.0 --locked` (scripts/setup.sh does)");
        let deadline = Instant::now() + WAIT;
        wait_port(port, deadline);
        wait_port(native_port, deadline);

        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({"application": app_binary(), "args": []}));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await.expect("WebDriver session on the app");
        let app = App { client, fakes, driver, config_dir, scratch, name, _lock: lock };
        // The page is up once the app module has run.
        app.wait_js("return document.body && document.body.dataset.ready === '1'").await;
        app
    }

    pub fn config_dir_path(&self) -> PathBuf {
        self.config_dir.clone()
    }

    /// Every file under the config directory, concatenated: what a key must never be in.
    pub fn settings_file_text(&self) -> String {
        fn walk(dir: &Path, out: &mut String) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if let Ok(t) = std::fs::read(&p) {
                    out.push_str(&String::from_utf8_lossy(&t));
                    out.push('\n');
                }
            }
        }
        let mut s = String::new();
        walk(&self.config_dir, &mut s);
        s
    }

    /// This test's scratch directory (under `test-output/e2e/`).
    pub fn scratch_path(&self) -> PathBuf {
        self.scratch.clone()
    }

    pub fn temp_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.scratch.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Stops the session and the driver (SIGTERM, then waits: SIGKILL would orphan
    /// WebKitWebDriver and hang the run).
    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = Command::new("kill").arg("-TERM").arg(self.driver.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    // ---- page helpers ----

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    pub async fn wait_js(&self, script: &str) {
        self.wait_js_for(script, WAIT).await;
    }

    /// [`App::wait_js`] with a longer patience (photos read, a batch paced at the vendor's QPS).
    pub async fn wait_js_for(&self, script: &str, patience: Duration) {
        let deadline = Instant::now() + patience;
        loop {
            if let Ok(Value::Bool(true)) = self.client.execute(script, vec![]).await {
                return;
            }
            if Instant::now() > deadline {
                self.shot(&format!("{}-timeout", self.name)).await;
                panic!("timed out waiting for: {script}");
            }
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
    }

    pub async fn click(&self, sel: &str) {
        self.wait_visible(sel).await;
        self.client.find(Locator::Css(sel)).await.unwrap().click().await.unwrap_or_else(|e| panic!("click {sel}: {e}"));
    }

    pub async fn type_into(&self, sel: &str, text: &str) {
        self.wait_visible(sel).await;
        let el = self.client.find(Locator::Css(sel)).await.unwrap();
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap_or_else(|e| panic!("type into {sel}: {e}"));
    }

    /// Brings a photo in through the file input (the testable twin of drop and 打开…).
    pub async fn open_photo(&self, path: &Path) {
        let el = self.client.find(Locator::Css("#file-input")).await.unwrap();
        el.send_keys(path.to_str().unwrap()).await.unwrap();
    }

    /// Chooses `value` in a `<select>` as a user would, firing its `change` event.
    pub async fn select(&self, sel: &str, value: &str) {
        self.wait_visible(sel).await;
        self.js(
            "const e=document.querySelector(arguments[0]); e.value=arguments[1]; e.dispatchEvent(new Event('change', {bubbles: true})); return e.value",
            vec![json!(sel), json!(value)],
        )
        .await;
    }

    /// A screenshot taken once the page has painted what the last step changed (two animation
    /// frames and a short pause), so it shows the state just reached.
    pub async fn settled_shot(&self, name: &str) {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let _ = self.client.execute_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));", vec![]).await;
        self.shot(name).await;
    }

    pub async fn value(&self, sel: &str) -> String {
        self.js("const e=document.querySelector(arguments[0]); return e ? e.value : null", vec![json!(sel)]).await.as_str().unwrap_or_default().to_string()
    }

    pub async fn text(&self, sel: &str) -> String {
        self.js("const e=document.querySelector(arguments[0]); return e ? e.textContent : null", vec![json!(sel)])
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn attr(&self, sel: &str, name: &str) -> Option<String> {
        self.js("const e=document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null", vec![json!(sel), json!(name)])
            .await
            .as_str()
            .map(str::to_string)
    }

    pub async fn visible(&self, sel: &str) -> bool {
        self.js(VISIBLE_JS, vec![json!(sel)]).await == Value::Bool(true)
    }

    /// Whether a checkbox is ticked.
    pub async fn checked(&self, sel: &str) -> bool {
        self.js("const e=document.querySelector(arguments[0]); return !!e && e.checked", vec![json!(sel)]).await == Value::Bool(true)
    }

    /// The settings file of this config directory, parsed (`null` if there is none yet).
    pub fn settings_json(&self) -> Value {
        match std::fs::read(self.config_dir.join("settings.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).expect("settings.json is JSON"),
            Err(_) => Value::Null,
        }
    }

    pub async fn enabled(&self, sel: &str) -> bool {
        self.js("const e=document.querySelector(arguments[0]); return !!e && !e.disabled", vec![json!(sel)]).await == Value::Bool(true)
    }

    /// Waits until the element exists and is not disabled (settings load asynchronously).
    pub async fn wait_enabled(&self, sel: &str) {
        self.wait_js(&format!("const e=document.querySelector({}); return !!e && !e.disabled;", json!(sel))).await;
    }

    pub async fn wait_visible(&self, sel: &str) {
        self.wait_js(&format!("{VISIBLE_FN} return visible({});", json!(sel))).await;
    }

    /// Waits until the element's text contains `needle` (an empty needle: the element exists
    /// and has some text).
    pub async fn wait_text(&self, sel: &str, needle: &str) {
        self.wait_js(&format!(
            "const e=document.querySelector({}); const n={}; return !!e && (n === '' ? e.textContent.trim() !== '' : e.textContent.includes(n));",
            json!(sel),
            json!(needle)
        ))
        .await;
    }

    pub async fn wait_value(&self, sel: &str, value: &str) {
        self.wait_js(&format!("const e=document.querySelector({}); return !!e && e.value === {};", json!(sel), json!(value))).await;
    }

    pub async fn page_source(&self) -> String {
        self.js("return document.documentElement.outerHTML + JSON.stringify([...document.querySelectorAll('input')].map(i => i.value))", vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Saves a screenshot of the window under `test-output/screenshots/`.
    pub async fn shot(&self, name: &str) {
        let dir = repo_root().join("test-output/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        // Let two frames pass after the DOM change, then a moment for the paint to reach the
        // display, so the picture shows the state just reached.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0]; let sent = false; const once = () => { if (!sent) { sent = true; done(); } }; \
                 requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(once, 250))); setTimeout(once, 1500);",
                vec![],
            )
            .await;
        // The picture is taken from the X display, as the clerk would see the window: the app
        // paints without GPU compositing, and WebKitWebDriver's own screenshot waits forever
        // for a composited frame there.
        let path = dir.join(format!("{name}.png"));
        let _ = std::process::Command::new("import").args(["-window", "root", "-trim", "+repage"]).arg(&path).status();
    }

    /// Whether the Secret Service holds `key` for any IDCheck entry, read through the core's
    /// keys module (the same code as `idcheck key`).
    pub fn keychain_has(&self, provider: &str, field: &str, key: &str) -> bool {
        // The core names the keychain service after the relocated config directory; this
        // test process runs alone (a lock), so pointing it at the app's directory is safe.
        std::env::set_var("IDCHECK_CONFIG_DIR", &self.config_dir);
        let service = idcheck::keys::service_name();
        std::env::remove_var("IDCHECK_CONFIG_DIR");
        keyring::Entry::new(&service, &format!("{provider}.{field}")).and_then(|e| e.get_password()).is_ok_and(|k| k == key)
    }
}

const VISIBLE_FN: &str = "function visible(sel){const e=document.querySelector(sel); if(!e) return false; if(e.closest('[hidden]')) return false; const s=getComputedStyle(e); if(s.display==='none'||s.visibility==='hidden') return false; const r=e.getBoundingClientRect(); return r.width>0 && r.height>0;}";
const VISIBLE_JS: &str = "function visible(sel){const e=document.querySelector(sel); if(!e) return false; if(e.closest('[hidden]')) return false; const s=getComputedStyle(e); if(s.display==='none'||s.visibility==='hidden') return false; const r=e.getBoundingClientRect(); return r.width>0 && r.height>0;} return visible(arguments[0]);";
