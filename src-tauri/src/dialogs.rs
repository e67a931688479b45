//! Native file dialogs (rfd) for photos, exports and batch inputs, run on the main thread.
//!
//! End-to-end tests cannot drive a native dialog, so saving has a test-only way around it:
//! when `IDCHECK_TEST_SAVE_PATH` is set, no dialog opens and the export goes there (a
//! directory: the suggested file name inside it). Inputs need none: the batch view also takes
//! a typed path.

use crate::views::UiError;
use idcheck::i18n::{Lang, Msg};
use std::path::PathBuf;

/// Runs `f` on the main thread (GTK dialogs must) and waits for its answer.
async fn on_main<T: Send + 'static>(window: &tauri::WebviewWindow, f: impl FnOnce() -> T + Send + 'static) -> Result<T, UiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .run_on_main_thread(move || {
            let _ = tx.send(f());
        })
        .map_err(|_| UiError::internal())?;
    rx.await.map_err(|_| UiError::internal())
}

/// Asks where to save a file named `suggested` by default; `None` if the reviewer cancels.
pub async fn save(
    window: &tauri::WebviewWindow,
    lang: Lang,
    title: Msg,
    suggested: String,
    filter: (Msg, &'static [&'static str]),
) -> Result<Option<PathBuf>, UiError> {
    // Native save dialogs cannot be driven end to end: the tests name the file instead. Only
    // in debug builds (the ones the tests drive); a release build always asks the reviewer.
    #[cfg(debug_assertions)]
    if let Some(p) = std::env::var_os("IDCHECK_TEST_SAVE_PATH").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return Ok(Some(if p.is_dir() { p.join(suggested) } else { p }));
    }
    on_main(window, move || rfd::FileDialog::new().set_title(title.get(lang)).set_file_name(suggested).add_filter(filter.0.get(lang), filter.1).save_file())
        .await
}

/// Asks for a photo of a card (打开…).
pub async fn pick_photo(window: &tauri::WebviewWindow, lang: Lang) -> Result<Option<PathBuf>, UiError> {
    let title = Msg::new("打开身份证照片", "Open a photo of the ID card");
    let kind = Msg::new("图片", "Images");
    on_main(window, move || rfd::FileDialog::new().set_title(title.get(lang)).add_filter(kind.get(lang), &["jpg", "jpeg", "png", "webp", "bmp"]).pick_file())
        .await
}

/// Asks for a folder (of card photos).
pub async fn pick_folder(window: &tauri::WebviewWindow, lang: Lang) -> Result<Option<PathBuf>, UiError> {
    let title = Msg::new("选择身份证照片所在的文件夹", "Choose the folder of card photos");
    on_main(window, move || rfd::FileDialog::new().set_title(title.get(lang)).pick_folder()).await
}

/// Asks for a table (CSV or XLSX) of names and numbers.
pub async fn pick_table(window: &tauri::WebviewWindow, lang: Lang) -> Result<Option<PathBuf>, UiError> {
    let title = Msg::new("选择含姓名和身份证号的表格", "Choose a table of names and ID numbers");
    let kind = Msg::new("表格（CSV、Excel）", "Tables (CSV, Excel)");
    on_main(window, move || {
        rfd::FileDialog::new().set_title(title.get(lang)).add_filter(kind.get(lang), &["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods"]).pick_file()
    })
    .await
}

/// The date part of file names: `20260911`.
pub fn stamp() -> String {
    crate::local::now_local_string()[..10].replace('-', "")
}
