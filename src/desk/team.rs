//! The desk's side of the team trail: which database, the sender that empties the outbox, and
//! the team actions both faces offer (status, sync, search, verify, join, set-up).
//!
//! Rows are marked pending by the trail itself while the desk holds a team key; this module
//! only moves them. The window runs [`Desk::run_team_sender`] for as long as it is open; the
//! command pushes on `idcheck team sync`.

use super::{Desk, DeskError};
use crate::audit::OutboxStatus;
use crate::secret::Sensitive;
use crate::team::{self, Role, SyncReport, TeamConfig, TeamEntry, TeamFilter, VerifyReport};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// How often the window's sender looks at the outbox when nothing wakes it.
pub const SEND_EVERY: Duration = Duration::from_secs(30);
/// The longest wait between tries while the server is away.
const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// Where this desk stands with its team.
#[derive(Debug, Clone, Serialize)]
pub struct TeamStatus {
    /// The team database (no password), if one is set.
    pub url: Option<String>,
    /// Whether this desk holds the team key (has joined).
    pub joined: bool,
    /// Whether a password for the database is in the keychain or the URL.
    pub password: bool,
    /// Checks waiting to be pushed, and the oldest one's time.
    pub outbox: Option<OutboxStatus>,
    /// Why the last push failed, if it did.
    pub last_error: Option<crate::i18n::Msg>,
    /// When the last push finished without error.
    pub last_sync: Option<chrono::DateTime<chrono::Utc>>,
}

/// The outcome of the sender's last try, kept for the status.
#[derive(Default)]
pub(super) struct SenderState {
    pub last_error: Option<crate::i18n::Msg>,
    pub last_sync: Option<chrono::DateTime<chrono::Utc>>,
}

impl Desk {
    /// The team database of this desk, if any (the environment overrides the settings).
    pub fn team_config(&self) -> Result<Option<TeamConfig>, DeskError> {
        Ok(TeamConfig::resolve(&self.ns, &self.settings())?)
    }

    fn require_team(&self) -> Result<TeamConfig, DeskError> {
        self.team_config()?.ok_or_else(|| team::TeamError::not_configured().into())
    }

    /// Pushes every pending check to the team database now.
    pub async fn team_sync(self: &Arc<Self>) -> Result<SyncReport, DeskError> {
        let cfg = self.require_team()?;
        let key = team::require_key(&self.ns)?;
        let desk = self.clone();
        let store = tokio::task::spawn_blocking(move || desk.store()).await.map_err(|_| DeskError::internal())??;
        let result = team::sync(store, &cfg, &key).await;
        let mut st = self.team_state.lock().unwrap();
        match &result {
            Ok(_) => {
                st.last_error = None;
                st.last_sync = Some(chrono::Utc::now());
            }
            Err(e) => st.last_error = Some(e.message.clone()),
        }
        Ok(result?)
    }

    /// The team settings and the outbox, without touching the network.
    pub fn team_status(&self) -> Result<TeamStatus, DeskError> {
        let cfg = self.team_config()?;
        let joined = team::team_key(&self.ns)?.is_some();
        let password = cfg.as_ref().is_some_and(|c| c.has_password()) || team::password(&self.ns)?.is_some();
        let outbox = if self.trail.enabled() { Some(team::status(&*self.store()?)?) } else { None };
        let st = self.team_state.lock().unwrap();
        Ok(TeamStatus { url: cfg.map(|c| c.shown().to_string()), joined, password, outbox, last_error: st.last_error.clone(), last_sync: st.last_sync })
    }

    /// Searches the team trail (what the connected role may read).
    pub async fn team_history(&self, filter: &TeamFilter) -> Result<Vec<TeamEntry>, DeskError> {
        let cfg = self.require_team()?;
        let key = team::team_key(&self.ns)?;
        Ok(team::history(&cfg, key.as_ref(), filter).await?)
    }

    /// Recomputes every chain the desk's role can read.
    pub async fn team_verify(&self) -> Result<VerifyReport, DeskError> {
        let cfg = self.require_team()?;
        let key = team::require_key(&self.ns)?;
        Ok(team::verify(&cfg, &key).await?)
    }

    /// Sets (or clears, with an empty text) the team database in the settings. A password in
    /// the URL goes to the keychain and the settings keep the URL without it.
    pub fn set_team_url(&self, url: &str) -> Result<Option<String>, DeskError> {
        let url = url.trim();
        if url.is_empty() {
            self.change_settings(|s| s.team_url = None)?;
            return Ok(None);
        }
        let cfg = TeamConfig::parse(url)?;
        if let Some(pw) = password_of(url) {
            team::set_password(&self.ns, &pw)?;
        }
        let shown = cfg.shown().to_string();
        self.change_settings(|s| s.team_url = Some(shown.clone()))?;
        Ok(Some(shown))
    }

    /// Saves the desk's database password in the keychain.
    pub fn set_team_password(&self, password: Sensitive<String>) -> Result<(), DeskError> {
        Ok(team::set_password(&self.ns, &password)?)
    }

    /// Joins the team at `url` (or the one already set) with a one-time code; from then on
    /// every check is also pushed to the team.
    pub async fn team_join(&self, url: Option<&str>, code: &str) -> Result<(), DeskError> {
        if let Some(u) = url {
            self.set_team_url(u)?;
        }
        let cfg = self.require_team()?;
        team::join(&self.ns, &cfg, code).await?;
        self.adopt_team_key()
    }

    /// Joins with a team key the administrator types in (hex).
    pub fn team_join_with_key(&self, url: Option<&str>, key_hex: &str) -> Result<(), DeskError> {
        if let Some(u) = url {
            self.set_team_url(u)?;
        }
        let key = team::parse_key(key_hex)?;
        team::set_team_key(&self.ns, &key)?;
        self.adopt_team_key()
    }

    /// Makes the open trail start marking rows for the team.
    fn adopt_team_key(&self) -> Result<(), DeskError> {
        if self.trail.enabled() {
            let key = team::team_key(&self.ns)?;
            self.store()?.set_team_key(key);
        }
        Ok(())
    }

    /// Creates or migrates the team database (owner's URL) and makes the team key here if
    /// this machine has none.
    pub async fn team_init(&self, admin_url: &str) -> Result<team::InitReport, DeskError> {
        let admin = TeamConfig::parse(admin_url)?;
        let report = team::init(&admin, &self.ns).await?;
        self.adopt_team_key()?;
        Ok(report)
    }

    /// A database account and one-time join code for a new desk (owner's URL).
    pub async fn team_add_desk(&self, admin_url: &str, desk: &str, role: Role, expires_days: u32) -> Result<team::Invite, DeskError> {
        let admin = TeamConfig::parse(admin_url)?;
        Ok(team::add_desk(&admin, &self.ns, desk, role, expires_days).await?)
    }

    /// Wakes the sender (a check was just recorded).
    pub fn nudge_team_sender(&self) {
        self.team_wake.notify_one();
    }

    /// The window's sender: pushes pending checks when nudged and every [`SEND_EVERY`], backing
    /// off while the server is away. Runs until the task is dropped. Does nothing while the
    /// desk has no team.
    pub async fn run_team_sender(self: Arc<Self>) {
        let mut wait = SEND_EVERY;
        loop {
            let _ = tokio::time::timeout(wait, self.team_wake.notified()).await;
            let in_team = matches!(self.team_config(), Ok(Some(_))) && matches!(team::team_key(&self.ns), Ok(Some(_)));
            if !in_team || !self.trail.enabled() {
                wait = SEND_EVERY;
                continue;
            }
            wait = match self.team_sync().await {
                Ok(_) => SEND_EVERY,
                Err(_) => (wait * 2).clamp(Duration::from_secs(5), BACKOFF_MAX),
            };
        }
    }
}

/// The password part of a `postgres://user:password@host` URL, if any.
fn password_of(url: &str) -> Option<Sensitive<String>> {
    let rest = url.split_once("://")?.1;
    let userinfo = rest.split_once('@')?.0;
    let pw = userinfo.split_once(':')?.1;
    let decoded = percent_decode(pw);
    (!decoded.is_empty()).then(|| Sensitive::new(decoded))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_taken_out_of_a_url() {
        assert_eq!(password_of("postgres://desk01:s%40cret@db/x").unwrap().expose(), "s@cret");
        assert!(password_of("postgres://desk01@db/x").is_none());
        assert!(password_of("postgres://desk01:@db/x").is_none());
    }
}
