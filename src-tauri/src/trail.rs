//! The audit trail as the reviewers' views read it: the desk's open trail, used off the async
//! threads.

use crate::views::UiError;
use idcheck::audit::Store;

/// Runs `f` with the open trail off the async threads (queries, exports, purges).
pub async fn with_store<T: Send + 'static>(
    state: &crate::state::AppState,
    f: impl FnOnce(&Store) -> Result<T, UiError> + Send + 'static,
) -> Result<T, UiError> {
    let desk = state.desk.clone();
    tokio::task::spawn_blocking(move || f(&*desk.store()?)).await.map_err(|_| UiError::internal())?
}

/// The open trail, opened off the async threads if needed.
pub async fn open(state: &crate::state::AppState) -> Result<std::sync::Arc<Store>, UiError> {
    let desk = state.desk.clone();
    tokio::task::spawn_blocking(move || desk.store()).await.map_err(|_| UiError::internal())?
}

/// Where an export went, for the page.
#[derive(serde::Serialize)]
pub struct Exported {
    pub path: String,
    pub rows: usize,
}
