//! 本机识别: the core's offline OCR engine (provider `local`); the photo stays on this machine.

use crate::views::UiError;
use idcheck::card::CardFields;
use idcheck::providers::Ocr;

pub async fn read(jpeg: &[u8]) -> Result<CardFields, UiError> {
    idcheck::providers::local::Local.read(jpeg).await.map_err(UiError::from)
}

/// Loads the models in the background after start, so the first photo is not slow and start-up
/// is not delayed.
pub fn warm() {
    let _ = idcheck::ocr::warm();
}
