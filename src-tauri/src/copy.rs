//! 生成复印件…: the watermarked copy of the card in the loaded photo (and, when the back is in
//! another photo, of that one too), made by the desk (`Desk::make_copy`) and saved where the
//! clerk chooses. The photos stay in this process's memory; the page sends only the purpose
//! and the operator, and gets back what was made (never the PDF or an image).

use crate::state::AppState;
use crate::views::UiError;
use idcheck::i18n::Msg;
use serde::Serialize;
use std::sync::Arc;
use tauri::State;

/// One card of a copy to print, straightened at 300 dpi: its side and a JPEG `data:` URL.
#[derive(Serialize)]
pub struct PrintCard {
    pub side: Option<idcheck::crops::Side>,
    pub image: String,
}

/// A copy made for printing: the cards (front first, as on the PDF), the statement printed
/// over and under them, the sides, and why it was not recorded if it was not.
#[derive(Serialize)]
pub struct CopyPrint {
    pub cards: Vec<PrintCard>,
    pub statement: String,
    pub sides: Msg,
    pub not_recorded: Option<Msg>,
}

/// The second photo (the back) the page offers to add.
#[derive(Serialize)]
pub struct BackView {
    pub width: u32,
    pub height: u32,
}

/// A copy saved: the file's name, the sides shown, the statement printed, its size, and why
/// it was not recorded if it was not.
#[derive(Serialize)]
pub struct CopySaved {
    pub file: String,
    pub sides: Msg,
    pub statement: String,
    pub kb: usize,
    pub not_recorded: Option<Msg>,
}

fn no_photo() -> UiError {
    UiError::new("no_photo", "还没有照片。请先拖入、打开或粘贴一张身份证照片。", "No photo yet. Drop, open or paste a photo of the ID card first.")
}

fn check_len(what: &str, s: &str, max: usize) -> Result<(), UiError> {
    // The desk says what is too long in words; this only stops absurd input at the door.
    if s.chars().count() > max {
        return Err(UiError::bad_input(&format!("{what} > {max}")));
    }
    Ok(())
}

/// The back in another photo, as raw bytes from the page's file input: prepared like any
/// photo and kept beside the loaded one until the next photo or 清空.
#[tauri::command]
pub async fn copy_back(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<BackView, UiError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::bad_input("photo bytes"));
    };
    if bytes.len() > crate::photo::MAX_BYTES {
        return Err(crate::photo::too_big(bytes.len()));
    }
    let bytes = bytes.clone();
    let p = tokio::task::spawn_blocking(move || idcheck::desk::photo::prepare(&bytes)).await.map_err(|_| UiError::internal())??;
    let view = BackView { width: p.width, height: p.height };
    *state.copy_back.lock().unwrap() = Some(Arc::new(p.jpeg));
    Ok(view)
}

/// Drops the second photo.
#[tauri::command]
pub fn copy_forget_back(state: State<'_, AppState>) {
    *state.copy_back.lock().unwrap() = None;
}

/// 保存 PDF…: the statement checked first (a missing purpose is said before any dialog), then
/// the save dialog, then the copy made, recorded and written where the clerk chose. `None`
/// when the clerk cancelled the dialog: nothing made, nothing recorded.
#[tauri::command]
pub async fn copy_save(window: tauri::WebviewWindow, state: State<'_, AppState>, purpose: String, operator: String) -> Result<Option<CopySaved>, UiError> {
    check_len("purpose", &purpose, 400)?;
    check_len("operator", &operator, 400)?;
    let photo = state.photo.lock().unwrap().clone().ok_or_else(no_photo)?;
    let back = state.copy_back.lock().unwrap().clone();
    let desk = state.desk.clone();
    let day = desk.copy_statement(&purpose, Some(&operator))?.date.format("%Y-%m-%d").to_string();
    let lang = state.settings().lang;
    let title = Msg::new("保存身份证复印件", "Save the copy of the ID card");
    let kind = Msg::new("PDF 文件", "PDF files");
    let Some(path) = crate::dialogs::save(&window, lang, title, format!("身份证复印件-{day}.pdf"), (kind, &["pdf"])).await? else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || {
        let photos = copy_photos(&photo.jpeg, back.as_deref().map(Vec::as_slice))?;
        let refs: Vec<&_> = photos.iter().collect();
        let made = desk.make_copy(&refs, &purpose, Some(&operator))?;
        // The dialog asked before replacing a file: write over it.
        std::fs::write(&path, &made.copy.pdf)
            .map_err(|e| UiError::new("io", format!("无法写入 {}：{e}", path.display()), format!("Cannot write {}: {e}", path.display())))?;
        Ok(Some(CopySaved {
            file: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            sides: made.copy.sides_msg(),
            statement: made.statement.text(),
            kb: made.copy.pdf.len().div_ceil(1024),
            not_recorded: made.not_recorded.map(|e| e.message),
        }))
    })
    .await
    .map_err(|_| UiError::internal())?
}

/// The photo on the page and the back added for the copy, if any, decoded upright.
fn copy_photos(photo: &[u8], back: Option<&[u8]>) -> Result<Vec<idcheck::image_prep::RgbImage>, UiError> {
    std::iter::once(photo).chain(back).map(|jpeg| Ok(idcheck::image_prep::decode_upright(jpeg)?.0)).collect()
}

/// JPEG quality of the cards sent to the printer, as the PDF's.
const PRINT_QUALITY: u8 = 90;

/// 打印…: the copy made and recorded as for 保存 PDF… (purpose, sides, operator), then its
/// cards handed to the page, which lays them out at true size with the statement and opens
/// the system's print dialog. Nothing is written to disk.
#[tauri::command]
pub async fn copy_print(state: State<'_, AppState>, purpose: String, operator: String) -> Result<CopyPrint, UiError> {
    check_len("purpose", &purpose, 400)?;
    check_len("operator", &operator, 400)?;
    let photo = state.photo.lock().unwrap().clone().ok_or_else(no_photo)?;
    let back = state.copy_back.lock().unwrap().clone();
    let desk = state.desk.clone();
    tokio::task::spawn_blocking(move || {
        let photos = copy_photos(&photo.jpeg, back.as_deref().map(Vec::as_slice))?;
        let refs: Vec<&_> = photos.iter().collect();
        let made = desk.make_copy(&refs, &purpose, Some(&operator))?;
        // The cards of the copy just made and recorded, as placed on its page.
        let cards = made
            .copy
            .cards
            .iter()
            .map(|c| Ok(PrintCard { side: c.side, image: crate::photo::jpeg_url(&idcheck::image_prep::encode_jpeg(&c.image, PRINT_QUALITY)?) }))
            .collect::<Result<Vec<_>, UiError>>()?;
        Ok(CopyPrint { cards, statement: made.statement.text(), sides: made.copy.sides_msg(), not_recorded: made.not_recorded.map(|e| e.message) })
    })
    .await
    .map_err(|_| UiError::internal())?
}
