//! 历史: the audit trail for reviewers — newest first, filtered by date range, kind, outcome
//! and provider, searched by a full number (hashed here with the install key; the trail holds
//! no number to send back), and exported as CSV (UTF-8 with BOM, masked).

use crate::state::AppState;
use crate::views::UiError;
use crate::{dialogs, trail};
use idcheck::audit::{self, Entry, Filter, Kind, Outcome};
use idcheck::i18n::Msg;
use idcheck::secret::Sensitive;
use serde::{Deserialize, Serialize};
use tauri::State;

/// The most entries the page is sent at once; the count says how many match.
pub const PAGE: u32 = 500;

/// The filter as the page sends it: empty strings mean "any".
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HistoryFilter {
    /// YYYY-MM-DD, local time, inclusive.
    since: String,
    /// YYYY-MM-DD, local time, inclusive.
    until: String,
    kind: String,
    outcome: String,
    provider: String,
    /// A full ID number, hashed with the install key (never stored, never sent back).
    number: String,
}

impl HistoryFilter {
    fn to_filter(&self) -> Result<Filter, UiError> {
        for (what, v, max) in
            [("since", &self.since, 10), ("until", &self.until, 10), ("kind", &self.kind, 16), ("outcome", &self.outcome, 16), ("provider", &self.provider, 32)]
        {
            if v.chars().count() > max {
                return Err(UiError::bad_input(what));
            }
        }
        if self.number.chars().count() > 24 {
            return Err(UiError::bad_input("number"));
        }
        let (since, until) = audit::day_range(&self.since, &self.until).map_err(|m| UiError::new("bad_date", m.zh, m.en))?;
        let choice = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let kind = choice(&self.kind).map(|k| Kind::parse(&k).ok_or_else(|| UiError::bad_input("kind"))).transpose()?;
        let outcome = choice(&self.outcome).map(|o| Outcome::parse(&o).ok_or_else(|| UiError::bad_input("outcome"))).transpose()?;
        let number = choice(&self.number).map(Sensitive::new);
        Ok(Filter { since, until, kind, outcome, provider: choice(&self.provider), number, ..Default::default() })
    }
}

#[derive(Serialize)]
pub struct HistoryView {
    /// Newest first, at most [`PAGE`]; masked values only.
    entries: Vec<Entry>,
    /// How many entries match the filter.
    total: u64,
    /// Every provider in the trail, for the filter's choices.
    providers: Vec<String>,
}

#[tauri::command]
pub async fn history(state: State<'_, AppState>, filter: HistoryFilter) -> Result<HistoryView, UiError> {
    let mut f = filter.to_filter()?;
    trail::with_store(&state, move |store| {
        let total = store.count(&f)?;
        f.limit = Some(PAGE);
        Ok(HistoryView { entries: store.query(&f)?, total, providers: store.providers()? })
    })
    .await
}

/// Exports every entry matching the filter (not only the page shown) as CSV.
#[tauri::command]
pub async fn history_export(window: tauri::WebviewWindow, state: State<'_, AppState>, filter: HistoryFilter) -> Result<Option<trail::Exported>, UiError> {
    let f = filter.to_filter()?;
    let lang = state.settings().lang;
    let title = Msg::new("导出历史记录（CSV）", "Export the history (CSV)");
    let kind = Msg::new("CSV 表格", "CSV table");
    let Some(path) = dialogs::save(&window, lang, title, format!("idcheck-history-{}.csv", dialogs::stamp()), (kind, &["csv"])).await? else {
        return Ok(None);
    };
    trail::with_store(&state, move |store| {
        let entries = store.query(&f)?;
        let file = std::fs::File::create(&path).map_err(|e| {
            UiError::new(
                "export",
                format!("无法创建 {}：{e}。请换一个位置保存。", path.display()),
                format!("Cannot create {}: {e}. Save it somewhere else.", path.display()),
            )
        })?;
        audit::write_csv(std::io::BufWriter::new(file), &entries)?;
        Ok(Some(trail::Exported { path: path.display().to_string(), rows: entries.len() }))
    })
    .await
}
