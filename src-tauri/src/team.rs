//! 团队: the team audit trail as the window sees it — Settings → 团队 (the database URL, a
//! write-only password, a one-time join code, where the outbox stands, 立即上传) and the 历史
//! view's 团队 switch (the team trail searched by number, dates and desk).
//!
//! Every body is one call into the desk (`src/desk/team.rs`). The page never receives a
//! password, a join code or the team key: the status says only whether a password is saved and
//! whether this desk has joined.

use crate::state::AppState;
use crate::views::UiError;
use idcheck::audit::{self, Kind};
use idcheck::desk::team::TeamStatus;
use idcheck::secret::Sensitive;
use idcheck::team::{SyncReport, TeamConfig, TeamEntry, TeamFilter};
use serde::{Deserialize, Serialize};
use tauri::State;

/// The most team entries the page is sent at once (newest first).
pub const PAGE: u32 = 500;

fn check_len(what: &str, s: &str, max: usize) -> Result<(), UiError> {
    if s.chars().count() > max {
        return Err(UiError::bad_input(what));
    }
    Ok(())
}

/// Where this desk stands with its team, for Settings → 团队.
#[derive(Serialize)]
pub struct TeamView {
    #[serde(flatten)]
    status: TeamStatus,
    /// The desk's database account (its name in the team trail), read from the URL.
    desk: Option<String>,
    /// The URL comes from `IDCHECK_TEAM_URL`, which overrides what the page saves.
    url_from_env: bool,
}

/// The status, asked off the async threads (the keychain over D-Bus, the trail on disk).
async fn view(state: &AppState) -> Result<TeamView, UiError> {
    let desk = state.desk.clone();
    let status = tokio::task::spawn_blocking(move || desk.team_status()).await.map_err(|_| UiError::internal())??;
    let desk = status.url.as_deref().and_then(|u| TeamConfig::parse(u).ok()).map(|c| c.user().to_string());
    let url_from_env = std::env::var(idcheck::team::URL_ENV).is_ok_and(|v| !v.trim().is_empty());
    Ok(TeamView { status, desk, url_from_env })
}

#[tauri::command]
pub async fn team_status(state: State<'_, AppState>) -> Result<TeamView, UiError> {
    view(&state).await
}

/// Sets the team database (an empty text leaves the team). A password inside the URL goes to
/// the keychain; the settings keep the URL without it.
#[tauri::command]
pub async fn team_set_url(state: State<'_, AppState>, url: String) -> Result<TeamView, UiError> {
    check_len("url", &url, 512)?;
    let desk = state.desk.clone();
    tokio::task::spawn_blocking(move || desk.set_team_url(&url)).await.map_err(|_| UiError::internal())??;
    view(&state).await
}

/// Saves the desk's database password in the keychain (write-only: it never comes back).
#[tauri::command]
pub async fn team_set_password(state: State<'_, AppState>, password: String) -> Result<TeamView, UiError> {
    check_len("password", &password, 256)?;
    let password = Sensitive::new(password);
    let desk = state.desk.clone();
    tokio::task::spawn_blocking(move || desk.set_team_password(password)).await.map_err(|_| UiError::internal())??;
    view(&state).await
}

/// 加入团队: the URL (or the one already set, when empty) and the administrator's one-time code.
#[tauri::command]
pub async fn team_join(state: State<'_, AppState>, url: String, code: String) -> Result<TeamView, UiError> {
    check_len("url", &url, 512)?;
    check_len("code", &code, 128)?;
    let code = Sensitive::new(code);
    let url = Some(url.trim().to_string()).filter(|u| !u.is_empty());
    // Not a cancellable job: a join stopped after the code was redeemed would lose the key.
    state.desk.team_join(url.as_deref(), code.expose()).await?;
    view(&state).await
}

/// What 立即上传 did, and where the desk stands afterwards.
#[derive(Serialize)]
pub struct SyncView {
    sync: SyncReport,
    status: TeamView,
}

/// 立即上传: pushes every pending check now.
#[tauri::command]
pub async fn team_sync(state: State<'_, AppState>) -> Result<SyncView, UiError> {
    let sync = state.desk.team_sync().await?;
    Ok(SyncView { sync, status: view(&state).await? })
}

/// The 历史 view's filter in 团队 mode, as the page sends it: empty strings mean "any".
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TeamHistoryFilter {
    /// YYYY-MM-DD, local time, inclusive.
    since: String,
    /// YYYY-MM-DD, local time, inclusive.
    until: String,
    kind: String,
    /// A desk's account name.
    desk: String,
    /// A full ID number, hashed with the team key here (never sent to the database).
    number: String,
    /// At most this many entries (at most [`PAGE`]).
    limit: Option<u32>,
}

impl TeamHistoryFilter {
    fn to_filter(&self) -> Result<TeamFilter, UiError> {
        for (what, v, max) in
            [("since", &self.since, 10), ("until", &self.until, 10), ("kind", &self.kind, 16), ("desk", &self.desk, 48), ("number", &self.number, 24)]
        {
            check_len(what, v, max)?;
        }
        let (since, until) = audit::day_range(&self.since, &self.until).map_err(|m| UiError::new("bad_date", m.zh, m.en))?;
        let choice = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let kind = choice(&self.kind).map(|k| Kind::parse(&k).map(|k| k.as_str().to_string()).ok_or_else(|| UiError::bad_input("kind"))).transpose()?;
        let desk = choice(&self.desk).map(|d| d.to_ascii_lowercase());
        let limit = self.limit.unwrap_or(PAGE).clamp(1, PAGE);
        // One more than shown, to tell the page whether there are more.
        Ok(TeamFilter { number: choice(&self.number).map(Sensitive::new), since, until, desk, kind, limit: Some(limit + 1) })
    }
}

#[derive(Serialize)]
pub struct TeamHistoryView {
    /// Newest first, masked values only.
    entries: Vec<TeamEntry>,
    /// More entries match than are shown.
    more: bool,
}

/// The team trail: what this desk's database account may read (its own desk's checks for a
/// clerk, every desk's for a reviewer).
#[tauri::command]
pub async fn team_history(state: State<'_, AppState>, filter: TeamHistoryFilter) -> Result<TeamHistoryView, UiError> {
    let f = filter.to_filter()?;
    let shown = f.limit.unwrap_or(PAGE + 1) as usize - 1;
    let mut entries = state.desk.team_history(&f).await?;
    let more = entries.len() > shown;
    entries.truncate(shown);
    Ok(TeamHistoryView { entries, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(v: serde_json::Value) -> Result<TeamFilter, UiError> {
        serde_json::from_value::<TeamHistoryFilter>(v).unwrap().to_filter()
    }

    #[test]
    fn the_team_filter_takes_the_pages_days_desk_kind_and_number() {
        let f = filter(
            serde_json::json!({"since": "2026-01-01", "until": "2026-01-31", "desk": " Front_1 ", "kind": "two_factor", "number": " 11010519491231002X"}),
        )
        .unwrap();
        assert!(f.since.unwrap() < f.until.unwrap());
        assert_eq!(f.desk.as_deref(), Some("front_1"));
        assert_eq!(f.kind.as_deref(), Some("two_factor"));
        assert_eq!(f.number.unwrap().expose(), "11010519491231002X");
        // One more than a page, to tell whether there are more; the page cannot ask for more.
        assert_eq!(f.limit, Some(PAGE + 1));
        assert_eq!(filter(serde_json::json!({"limit": 100_000})).unwrap().limit, Some(PAGE + 1));
        assert_eq!(filter(serde_json::json!({"limit": 10})).unwrap().limit, Some(11));
        let any = filter(serde_json::json!({})).unwrap();
        assert!(any.number.is_none() && any.desk.is_none() && any.kind.is_none() && any.since.is_none());
    }

    #[test]
    fn a_bad_team_filter_is_refused_in_both_languages() {
        let e = filter(serde_json::json!({"since": "2026-02-01", "until": "2026-01-01"})).err().unwrap();
        assert_eq!(e.kind, "bad_date");
        assert!(!e.message.zh.is_empty() && !e.message.en.is_empty());
        assert_eq!(filter(serde_json::json!({"kind": "payment"})).err().unwrap().kind, "bad_input");
        assert_eq!(filter(serde_json::json!({"number": "1".repeat(25)})).err().unwrap().kind, "bad_input");
        assert_eq!(filter(serde_json::json!({"desk": "d".repeat(49)})).err().unwrap().kind, "bad_input");
    }
}
