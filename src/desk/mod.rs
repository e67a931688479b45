//! The desk: every action that costs money, sends data out of the machine or writes the audit
//! trail, with the app's promises kept in this one place.
//!
//! The window (`src-tauri`) and the `idcheck` command only parse, call a method here and
//! present the answer. The rules the desk keeps:
//!
//! - **Never pay twice.** A two-factor answer is reused for the same provider, endpoint, mode,
//!   name and number (single flight in this process); batches keep a ledger of answered pairs
//!   across runs (see [`crate::batch`]).
//! - **Consent belongs to one holder and one check.** [`Desk::give_consent`] binds it to a
//!   name and number; a new photo, [`Desk::forget_holder`] or a check with other values drops
//!   it, and a check that was sent uses it up.
//! - **The photo stays on this machine unless the clerk chose a service.** OCR is `local`
//!   unless the settings name a vendor; saving a key never changes that.
//! - **A key goes only to its vendor.** Base URLs from the page must be a vendor's documented
//!   host; any other comes from the environment, the command line or an edited settings file,
//!   and plain HTTP only to loopback (the transport's rule).
//! - **Nothing unmasked is stored**: the trail holds masked values and keyed hashes.
//! - **A demo answer is never shown or recorded as a real one.** Answers from the built-in
//!   fakes are recorded under `<provider>-demo`, cached apart from real ones, and the cache is
//!   emptied whenever the settings or the mode change.
//! - **A number that fails local validation is never sent**, and a sent paid call is always
//!   finished and recorded, even when the clerk cancels while it runs.

pub mod batch;
mod copy;
mod error;
pub mod photo;
pub mod team;
mod trail;

pub use copy::CopyMade;
pub use error::DeskError;
pub use trail::Trail;

use crate::audit::Record;
use crate::card::CardFields;
use crate::i18n::Msg;
use crate::paths::Namespace;
use crate::providers::{self, guard::VerdictCache, ClientConfig, ErrorKind, Ocr, RegionResult, TwoFactorResult};
use crate::secret::Sensitive;
use crate::settings::{self, Settings};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The providers each job may be set to.
pub const OCR_PROVIDERS: &[&str] = &["local", "apizero"];
pub const TWO_FACTOR_PROVIDERS: &[&str] = &["apizero", "muzhiyun"];
pub const REGION_PROVIDERS: &[&str] = &["embedded", "apizero", "nowapi"];
/// The providers that take keys.
pub const KEYED_PROVIDERS: &[&str] = &["apizero", "muzhiyun", "nowapi"];

/// The longest retention offered: ten years.
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// The built-in fakes' addresses and keys (演示模式). The shell starts the fakes and hands them
/// over; no real key is read or sent while they are in use.
#[derive(Debug, Clone, Default)]
pub struct Demo {
    urls: BTreeMap<String, String>,
    keys: BTreeMap<(String, String), Sensitive<String>>,
}

impl Demo {
    pub fn new() -> Demo {
        Demo::default()
    }

    pub fn service(mut self, provider: &str, base_url: &str) -> Demo {
        self.urls.insert(provider.into(), base_url.into());
        self
    }

    pub fn key(mut self, provider: &str, field: &str, value: &str) -> Demo {
        self.keys.insert((provider.into(), field.into()), Sensitive::new(value.into()));
        self
    }
}

/// What the desk was opened with: where its settings, keys and trail live, and its engines.
pub struct DeskConfig {
    /// The settings file's and audit trail's directory and the keychain service of the keys
    /// and of the trail's install key.
    pub ns: Namespace,
    /// Whether checks are written to the audit trail (`--no-record` turns it off).
    pub record: bool,
    /// The engine that reads photos on this machine (the window wraps the core's engine in its
    /// own load-and-release keeper).
    pub local_ocr: Arc<dyn Ocr>,
}

impl DeskConfig {
    /// This process's namespace (`IDCHECK_CONFIG_DIR` relocates it), recording on, the core's
    /// own local engine.
    pub fn from_env() -> DeskConfig {
        DeskConfig::at(Namespace::from_env())
    }

    /// A desk's configuration in the namespace `ns`.
    pub fn at(ns: Namespace) -> DeskConfig {
        DeskConfig { ns, record: true, local_ocr: Arc::new(providers::local::Local) }
    }
}

/// The desk. Shared (`Arc<Desk>`) by every action of a face.
pub struct Desk {
    ns: Namespace,
    settings: Mutex<Settings>,
    demo: Mutex<Option<Arc<Demo>>>,
    /// Two-factor answers of this desk; emptied when the settings or the mode change.
    verdicts: Arc<VerdictCache>,
    trail: Arc<Trail>,
    /// The holder the clerk confirmed consent for (a keyed hash of name and number).
    consent: Mutex<Option<[u8; 32]>>,
    consent_salt: [u8; 16],
    local_ocr: Arc<dyn Ocr>,
    /// The team sender's last outcome, and its wake-up call.
    team_state: Mutex<team::SenderState>,
    team_wake: tokio::sync::Notify,
}

/// A photo read: which provider read it, whether it was the demo fake, the fields of each card.
#[derive(Debug, Clone)]
pub struct CardRead {
    pub provider: String,
    pub demo: bool,
    /// The first card read: a photo holding one card's front and back gives both halves here.
    pub fields: CardFields,
    /// Every card read, in order (the first is `fields`); vendors' services read one.
    pub cards: Vec<CardFields>,
}

/// A region looked up: the embedded table always, the online provider when asked.
#[derive(Debug, Clone)]
pub struct RegionAnswer {
    /// The six-digit code asked about.
    pub code: String,
    /// The online answer: `None` when not asked, not configured or the number is invalid.
    pub online: Option<OnlineAnswer>,
}

#[derive(Debug, Clone)]
pub struct OnlineAnswer {
    pub provider: String,
    pub demo: bool,
    pub result: Result<RegionResult, DeskError>,
}

/// A two-factor answer, and whether it came from the demo fakes.
#[derive(Debug, Clone)]
pub struct Verified {
    pub result: TwoFactorResult,
    pub demo: bool,
    /// The number checked (a 15-digit number is checked as its 18-digit form).
    pub number: String,
    pub name: String,
}

impl Desk {
    /// A desk over the settings file of its namespace.
    pub fn open(config: DeskConfig) -> Result<Arc<Desk>, DeskError> {
        let s = settings::load_in(&config.ns.dir)?;
        Ok(Desk::with_settings(config, s))
    }

    /// A desk over `settings` as given (an unreadable settings file still lets the clerk work).
    pub fn with_settings(config: DeskConfig, settings: Settings) -> Arc<Desk> {
        let mut salt = [0u8; 16];
        let _ = getrandom::getrandom(&mut salt);
        Arc::new(Desk {
            trail: Arc::new(Trail::new(config.ns.clone(), config.record)),
            ns: config.ns,
            settings: Mutex::new(settings),
            demo: Mutex::new(None),
            verdicts: Arc::new(VerdictCache::new()),
            consent: Mutex::new(None),
            consent_salt: salt,
            local_ocr: config.local_ocr,
            team_state: Mutex::new(team::SenderState::default()),
            team_wake: tokio::sync::Notify::new(),
        })
    }

    // ---------- settings and mode ----------

    pub fn settings(&self) -> Settings {
        self.settings.lock().unwrap().clone()
    }

    /// Changes the settings, saves them, and forgets every cached answer (they may come from
    /// another provider or endpoint now).
    pub fn change_settings(&self, f: impl FnOnce(&mut Settings)) -> Result<Settings, DeskError> {
        let mut s = self.settings();
        f(&mut s);
        settings::save_in(&self.ns.dir, &s)?;
        *self.settings.lock().unwrap() = s.clone();
        self.verdicts.clear();
        Ok(s)
    }

    /// Settings as the window's Settings page sends them, checked: providers among each job's
    /// choices, base URLs only the vendors' documented hosts, operator and retention in range.
    /// A shorter retention purges the trail at once.
    pub fn save_page_settings(&self, patch: PageSettings) -> Result<Settings, DeskError> {
        one_of("ocr", &patch.ocr, OCR_PROVIDERS)?;
        one_of("two_factor", &patch.two_factor, TWO_FACTOR_PROVIDERS)?;
        one_of("region", &patch.region, REGION_PROVIDERS)?;
        let operator = patch.operator.trim().to_string();
        if operator.chars().count() > 32 || operator.chars().any(char::is_control) {
            return Err(DeskError::new(
                "bad_operator",
                "操作员姓名最长 32 个字符，不能含换行等控制字符。",
                "The operator's name may have at most 32 characters and no line breaks or other control characters.",
            ));
        }
        if patch.retention_days > MAX_RETENTION_DAYS {
            return Err(DeskError::new(
                "bad_retention",
                format!("保留天数应在 0 到 {MAX_RETENTION_DAYS} 之间（0 表示一直保留）。"),
                format!("Keep records for 0 to {MAX_RETENTION_DAYS} days (0 keeps them for ever)."),
            ));
        }
        let current = self.settings();
        let mut base_urls = BTreeMap::new();
        for (p, u) in &patch.base_urls {
            one_of("base_urls", p, KEYED_PROVIDERS)?;
            let u = u.trim();
            if u.is_empty() {
                continue;
            }
            // An address already in the settings file (put there by hand) may stay; the page
            // may add only a documented host.
            if current.base_urls.get(p).is_some_and(|old| old.trim() == u) {
                base_urls.insert(p.clone(), u.to_string());
                continue;
            }
            page_may_use(p, u)?;
            base_urls.insert(p.clone(), u.to_string());
        }
        let retention_changed = current.retention_days() != patch.retention_days;
        let s = self.change_settings(|s| {
            s.ocr_provider = Some(patch.ocr);
            s.two_factor_provider = Some(patch.two_factor);
            s.region_provider = Some(patch.region);
            s.base_urls = base_urls;
            s.demo_mode = patch.demo;
            s.operator = (!operator.is_empty()).then_some(operator);
            s.retention_days = Some(patch.retention_days);
            for (k, v) in patch.other {
                s.other.insert(k, v);
            }
        })?;
        if retention_changed && self.trail.enabled() {
            let store = self.trail.store(s.retention_days())?;
            store.purge_older_than(s.retention_days())?;
        }
        Ok(s)
    }

    /// Uses the built-in fakes (`Some`) or the real services (`None`). Forgets cached answers.
    pub fn set_demo(&self, demo: Option<Demo>) {
        *self.demo.lock().unwrap() = demo.map(Arc::new);
        self.verdicts.clear();
    }

    pub fn is_demo(&self) -> bool {
        self.demo.lock().unwrap().is_some()
    }

    fn demo(&self) -> Option<Arc<Demo>> {
        self.demo.lock().unwrap().clone()
    }

    /// The OCR provider: the one chosen in the settings, else `local`. Keys never change it.
    pub fn ocr_provider(&self) -> String {
        self.settings().ocr().to_string()
    }

    /// Everything a client of `provider` needs, and whether it is the demo fake's.
    fn client_config(&self, provider: &str) -> Result<(ClientConfig, bool), DeskError> {
        if let Some(d) = self.demo() {
            if let Some(url) = d.urls.get(provider) {
                let mut cfg = ClientConfig::new(url.clone());
                if let Some(v) = providers::vendor(provider) {
                    for kf in v.key_fields {
                        if let Some(k) = d.keys.get(&(provider.to_string(), kf.field.to_string())) {
                            cfg.keys.insert(kf.field, k.clone());
                        }
                    }
                }
                return Ok((cfg, true));
            }
        }
        let cfg = client_config(&self.ns, provider, &self.settings()).map_err(|e| DeskError::from(e).with_provider(provider))?;
        Ok((cfg, false))
    }

    /// The OCR provider of the settings, its reader (the local engine, or the vendor's client
    /// with its keys) and whether that is the demo fake.
    fn ocr_reader(&self) -> Result<(String, Arc<dyn Ocr>, bool), DeskError> {
        let provider = self.ocr_provider();
        if provider == "local" {
            return Ok((provider, self.local_ocr.clone(), false));
        }
        let (cfg, demo) = self.client_config(&provider)?;
        let client = providers::ocr(&provider, cfg)?;
        Ok((provider, client, demo))
    }

    /// The two-factor client of `provider` with this desk's verdicts, scoped to its endpoint
    /// and mode, and whether it is the demo fake.
    fn two_factor_client(&self, provider: &str) -> Result<(Arc<dyn providers::TwoFactor>, bool), DeskError> {
        let (cfg, demo) = self.client_config(provider)?;
        let scope = format!("{}|{}", if demo { "demo" } else { "real" }, cfg.base_url);
        Ok((providers::two_factor_in(provider, cfg, self.verdicts.clone(), &scope)?, demo))
    }

    /// Whether `provider` can be used now: no key needed, its keys present, or demo.
    pub fn configured(&self, provider: &str) -> bool {
        if matches!(provider, "local" | "embedded") || self.demo().is_some_and(|d| d.urls.contains_key(provider)) {
            return true;
        }
        let Some(v) = providers::vendor(provider) else { return false };
        let status = crate::keys::status_in(&self.ns);
        v.key_fields.iter().all(|f| status.fields.iter().any(|s| s.provider == v.id && s.field == f.field && s.source != crate::keys::Source::Missing))
    }

    /// The provider id as the trail records it: an answer of the built-in fakes is kept apart.
    pub fn recorded_id(provider: &str, demo: bool) -> String {
        if demo && !matches!(provider, "local" | "embedded") {
            format!("{provider}-demo")
        } else {
            provider.to_string()
        }
    }

    // ---------- the trail ----------

    /// Writes `records` (blocking: keychain and disk), with the operator and retention.
    pub fn record_now(&self, records: Vec<Record>) -> Result<(), DeskError> {
        let s = self.settings();
        self.trail.record(records, s.operator(), s.retention_days())
    }

    /// Writes `records` off the async threads, stamped now; waits until they are written.
    async fn record(self: &Arc<Self>, records: Vec<Record>) {
        let desk = self.clone();
        let records: Vec<Record> = records.into_iter().map(Record::stamped).collect();
        let _ = tokio::task::spawn_blocking(move || desk.record_now(records)).await;
        self.nudge_team_sender();
    }

    /// The open trail (for history and batches), opened if needed. Blocking.
    pub fn store(&self) -> Result<Arc<crate::audit::Store>, DeskError> {
        self.trail.store(self.settings().retention_days())
    }

    /// Where this desk keeps its settings, keys and trail.
    pub fn namespace(&self) -> &Namespace {
        &self.ns
    }

    /// Which keys are configured, and from where (never the keys).
    pub fn key_status(&self) -> crate::keys::Status {
        crate::keys::status_in(&self.ns)
    }

    /// Why the trail cannot be written, if it cannot.
    pub fn trail_problem(&self) -> Option<Msg> {
        self.trail.problem()
    }

    /// 记入历史: records the local check of a typed number when the clerk asks.
    pub async fn record_local(self: &Arc<Self>, number: &str) -> Result<(), DeskError> {
        if number.trim().is_empty() {
            return Err(DeskError::new("no_number", "请先输入身份证号码。", "Enter an ID number first."));
        }
        let record = Record::local(&crate::id::check(number)).stamped();
        let desk = self.clone();
        tokio::task::spawn_blocking(move || desk.record_now(vec![record])).await.map_err(|_| DeskError::internal())?
    }

    // ---------- consent ----------

    fn holder(&self, name: &str, number: &str) -> [u8; 32] {
        let number = crate::id::check(number);
        let mut h = Sha256::new();
        h.update(self.consent_salt);
        for part in [name.trim(), number.number18()] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    /// The clerk confirmed (or withdrew) the consent of the holder with this name and number.
    pub fn give_consent(&self, name: &str, number: &str, given: bool) {
        *self.consent.lock().unwrap() = given.then(|| self.holder(name, number));
    }

    /// A new holder is at the desk (a new photo, 清空): earlier consent no longer counts.
    pub fn forget_holder(&self) {
        *self.consent.lock().unwrap() = None;
    }

    fn consent_for(&self, name: &str, number: &str) -> Result<(), DeskError> {
        if *self.consent.lock().unwrap() == Some(self.holder(name, number)) {
            Ok(())
        } else {
            Err(DeskError::new(
                "consent",
                "核验前须取得本人授权并勾选“已取得本人授权”（授权只对当前持证人的这一次核验有效）。",
                "Get the holder's consent and tick “The holder has consented” before checking (consent covers this holder's one check).",
            ))
        }
    }

    // ---------- reading a card ----------

    /// Reads a prepared photo (see [`photo`]) with the chosen OCR provider and records the read
    /// and the local check of the number it found. A new photo is a new holder.
    pub async fn read_card(self: &Arc<Self>, jpeg: Arc<Vec<u8>>) -> Result<CardRead, DeskError> {
        self.forget_holder();
        let (provider, client, demo) = self.ocr_reader()?;
        let all = client.read_all(&jpeg).await.and_then(|cards| match cards.first() {
            Some(_) => Ok(cards),
            None => Err(providers::ProviderError::new(client.id(), ErrorKind::Unrecognisable)),
        });
        // One read, one record (of the first card); a local check for every number found.
        let result = all.as_ref().map(|cards| cards[0].clone()).map_err(Clone::clone);
        let mut records = vec![Record::ocr(&Desk::recorded_id(&provider, demo), &result)];
        for n in all.iter().flatten().filter_map(|f| f.number.as_deref()).filter(|n| !n.trim().is_empty()) {
            records.push(Record::local(&crate::id::check(n)));
        }
        self.record(records).await;
        let cards = all?;
        Ok(CardRead { provider, demo, fields: cards[0].clone(), cards })
    }

    // ---------- region ----------

    /// The region of a number as the window asks for it. The embedded table answers at once
    /// (the window looks it up itself, with its eras); the online provider, which may be
    /// billed, runs only when `online` (the clerk asked, or confirmed consent) and only for a
    /// valid number. A valid number's lookup is recorded; prefixes looked up while typing are
    /// not.
    pub async fn region(self: &Arc<Self>, number: &str, online: bool) -> Result<RegionAnswer, DeskError> {
        let n = number.trim().to_ascii_uppercase();
        let code: String = n.chars().take(6).collect();
        if code.chars().count() < 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DeskError::bad_input("region code"));
        }
        let checked = crate::id::check(&n);
        if !checked.is_valid() {
            return Ok(RegionAnswer { code, online: None });
        }
        let provider = self.settings().region().to_string();
        if !online || provider == "embedded" || !self.configured(&provider) {
            let found = crate::region::lookup(code.parse().unwrap_or(0)).is_some();
            self.record(vec![Record::region("embedded", checked.number18(), &Ok(found))]).await;
            return Ok(RegionAnswer { code, online: None });
        }
        let demo = self.demo().is_some_and(|d| d.urls.contains_key(&provider));
        let result = self.region_of(&provider, checked.number18()).await;
        Ok(RegionAnswer { code, online: Some(OnlineAnswer { provider, demo, result }) })
    }

    /// The region of a number (or, where the provider takes one, a six-digit code) from the
    /// provider named: asked for explicitly, so it runs; recorded.
    pub async fn region_of(self: &Arc<Self>, provider: &str, number: &str) -> Result<RegionResult, DeskError> {
        let (cfg, demo) = if matches!(provider, "embedded" | "local") { (ClientConfig::new(""), false) } else { self.client_config(provider)? };
        let client = providers::region(provider, cfg)?;
        let r = client.region(number.trim()).await;
        let found = match &r {
            Ok(_) => Ok(true),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.clone()),
        };
        let request_id = r.as_ref().ok().and_then(|r| r.request_id.clone());
        self.record(vec![Record::region(&Desk::recorded_id(provider, demo), number.trim(), &found).reply(None, request_id.as_deref())]).await;
        Ok(r?)
    }

    // ---------- two-factor ----------

    /// The two-factor check (billed). Refused before anything is sent when consent was not
    /// confirmed for exactly this holder, the name is missing or the number fails local
    /// validation. A 15-digit number is checked as its 18-digit form. Once sent, the call runs
    /// to its end and is recorded even if the caller stops waiting (取消, Esc, 清空).
    pub async fn verify(self: &Arc<Self>, name: &str, number: &str) -> Result<Verified, DeskError> {
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(DeskError::new("no_name", "请填写姓名。", "Enter the name."));
        }
        let checked = crate::id::check(number);
        if !checked.is_valid() {
            self.record(vec![Record::local(&checked).consent(true)]).await;
            return Err(DeskError::new(
                "invalid_number",
                "号码未通过本地校验，未发送给服务商，也未计费。请先改正号码。",
                "The number failed the local checks; it was not sent to the vendor nor billed. Correct it first.",
            ));
        }
        providers::guard::check_name("local", &name)?;
        self.consent_for(&name, number)?;
        let provider = self.settings().two_factor().to_string();
        if !self.configured(&provider) {
            return Err(DeskError::new(
                "not_configured",
                "未配置核验服务：请在“设置”里填写密钥（命令行：idcheck key set），或打开演示模式。",
                "No checking service configured: add a key in Settings (command line: idcheck key set), or turn on demo mode.",
            )
            .with_provider(&provider));
        }
        let (client, demo) = self.two_factor_client(&provider)?;
        let number18 = checked.number18().to_string();
        // Consent covers this one check.
        self.forget_holder();

        let desk = self.clone();
        let (n, who) = (number18.clone(), name.clone());
        let recorded = Desk::recorded_id(&provider, demo);
        let local = Record::local(&checked).consent(true).stamped();
        // The paid call and its record run on their own task: dropping this future (the
        // clerk cancelled) does not stop a call already sent, nor its record.
        let task = tokio::spawn(async move {
            let result = client.verify(&who, &n).await;
            // An answer reused from an identical check a moment ago was recorded then.
            if !result.as_ref().is_ok_and(|r| r.reused) {
                let verdict = result.as_ref().map(|r| r.verdict).map_err(Clone::clone);
                let mut two = Record::two_factor(&recorded, &who, &n, &verdict).consent(true);
                if let Ok(r) = &result {
                    two = two.reply(r.vendor_code.as_deref(), r.request_id.as_deref());
                }
                desk.record(vec![local, two]).await;
            }
            result
        });
        let result = task.await.map_err(|_| DeskError::internal())?;
        Ok(Verified { result: result?, demo, number: number18, name })
    }

    /// Forgets every cached two-factor answer (the next identical check pays again).
    pub fn forget_answers(&self) {
        self.verdicts.clear();
    }

    // ---------- keys ----------

    /// Stores a provider's secrets in the keychain, in the order of its key fields. Nothing
    /// else changes: in particular the OCR choice stays what it was.
    pub fn save_key(&self, provider: &str, values: Vec<Sensitive<String>>) -> Result<(), DeskError> {
        one_of("provider", provider, KEYED_PROVIDERS)?;
        let fields: Vec<&str> = providers::vendor(provider).map(|v| v.key_fields.iter().map(|f| f.field).collect()).unwrap_or_default();
        let values: Vec<Sensitive<String>> = values.into_iter().map(|v| Sensitive::new(v.expose().trim().to_string())).collect();
        if values.len() < fields.len() || values.iter().take(fields.len()).any(|v| v.expose().is_empty()) {
            return Err(DeskError::new("empty_key", "请先输入密钥。", "Enter a key first."));
        }
        for v in &values {
            if v.expose().len() > 256 || v.expose().chars().any(|c| c.is_control() || c.is_whitespace()) {
                return Err(DeskError::new(
                    "bad_key",
                    "密钥格式不对：不能有空格或换行，最长 256 个字符。请从服务商控制台重新复制。",
                    "The key does not look right: no spaces or line breaks, at most 256 characters. Copy it again from the vendor's console.",
                ));
            }
        }
        for (field, v) in fields.iter().zip(values) {
            crate::keys::set_in(&self.ns, provider, field, v)?;
        }
        // A new key may answer differently from the old one.
        self.verdicts.clear();
        Ok(())
    }

    pub fn delete_key(&self, provider: &str) -> Result<usize, DeskError> {
        one_of("provider", provider, KEYED_PROVIDERS)?;
        self.verdicts.clear();
        Ok(crate::keys::delete_in(&self.ns, provider)?)
    }

    /// Proves a provider's address (and key, where a free call exists) with the cheapest call
    /// it offers: a region lookup of a fixed code at apizero (free) and NowAPI; 拇指云 has only
    /// the billed check, so only its address is tried, without following redirects.
    pub async fn test_connection(&self, provider: &str) -> Result<Option<Msg>, DeskError> {
        one_of("provider", provider, KEYED_PROVIDERS)?;
        let (cfg, _) = self.client_config(provider)?;
        match provider {
            "apizero" | "nowapi" => {
                let client = providers::region(provider, cfg)?;
                let probe = if provider == "apizero" { "110101" } else { "110101199003070038" };
                client.region(probe).await?;
                Ok(None)
            }
            _ => {
                cfg.require("muzhiyun", "appcode")?;
                // The transport's own client: no redirects, verified TLS, HTTPS or loopback only.
                let base = providers::http::BaseUrl::parse("muzhiyun", &cfg.base_url)?;
                let client = providers::http::client("muzhiyun", cfg.timeouts)?;
                client.get(base.as_str()).send().await.map_err(|_| {
                    DeskError::new(
                        "network",
                        "无法连接该服务地址。请检查网络和服务地址。",
                        "Could not reach the service address. Check the network and the address.",
                    )
                })?;
                Ok(Some(Msg::new(
                    "拇指云只有计费接口：已确认地址可达，密钥将在第一次核验时验证。",
                    "Muzhiyun has only the billed call: the address answers; the key is proven by the first check.",
                )))
            }
        }
    }
}

/// The Settings page's values.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PageSettings {
    pub ocr: String,
    pub two_factor: String,
    pub region: String,
    pub base_urls: BTreeMap<String, String>,
    pub demo: bool,
    pub operator: String,
    pub retention_days: u32,
    /// The window's own settings (kept in the file's extra fields).
    #[serde(default)]
    pub other: BTreeMap<String, serde_json::Value>,
}

fn one_of(what: &str, s: &str, allowed: &[&str]) -> Result<(), DeskError> {
    if allowed.contains(&s) {
        Ok(())
    } else {
        Err(DeskError::bad_input(what))
    }
}

/// Whether the page may point `provider` at `url`: only its documented host. Any other
/// address comes from the environment (`IDCHECK_<VENDOR>_URL`), the command line or an
/// edited settings file, so a page cannot send a key elsewhere.
pub fn page_may_use(provider: &str, url: &str) -> Result<(), DeskError> {
    let documented = providers::vendor(provider).and_then(|v| v.default_base_url).unwrap_or_default();
    if url.trim().trim_end_matches('/') == documented {
        return Ok(());
    }
    let env = providers::vendor(provider).and_then(|v| v.url_env).unwrap_or("IDCHECK_<PROVIDER>_URL");
    Err(DeskError::new(
        "bad_url",
        format!(
            "{provider} 的服务地址只能是服务商文档中的地址（{documented}）。其他地址（如本单位的网关）请由管理员通过环境变量 {env} 或设置文件 settings.json 配置。"
        ),
        format!(
            "The service address of {provider} can only be the vendor's documented one ({documented}). Another address (an in-house gateway, say) is set by an administrator through the environment variable {env} or the settings file settings.json."
        ),
    )
    .with_provider(provider))
}

/// Everything a client of `provider` needs: its base URL (environment, settings, documented
/// host) and its secrets (environment, keychain). A missing secret is left out; the client
/// then answers with an `Auth` error before sending anything. A keychain failure is returned
/// only when no secret could be found at all.
pub fn client_config(ns: &Namespace, provider: &str, settings: &Settings) -> Result<ClientConfig, crate::keys::KeyError> {
    let v = providers::vendor(provider).ok_or_else(|| {
        let all: Vec<&str> = providers::VENDORS.iter().map(|v| v.id).collect();
        crate::keys::KeyError {
            kind: crate::keys::KeyErrorKind::UnknownProvider,
            message: Msg::new(
                format!("没有服务商“{provider}”。可选：{}", all.join(", ")),
                format!("There is no provider `{provider}`. Choose one of: {}", all.join(", ")),
            ),
        }
    })?;
    let mut cfg = ClientConfig::new(settings.base_url(provider).unwrap_or_default());
    let mut failure = None;
    for f in v.key_fields {
        match crate::keys::get(ns, v.id, f.field) {
            Ok(Some(s)) => {
                cfg.keys.insert(f.field, s);
            }
            Ok(None) => {}
            Err(e) => failure = Some(e),
        }
    }
    match failure {
        Some(e) if cfg.keys.is_empty() => Err(e),
        _ => Ok(cfg),
    }
}
