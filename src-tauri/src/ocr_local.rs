//! 本机识别: the core's offline OCR engine (provider `local`); the photo stays on this machine.

use idcheck::card::CardFields;
use idcheck::providers::{Ocr, ProviderError};

pub async fn read(jpeg: &[u8]) -> Result<CardFields, ProviderError> {
    idcheck::providers::local::Local.read(jpeg).await
}

/// Loads the models in the background after start, so the first photo is not slow and start-up
/// is not delayed.
pub fn warm() {
    let _ = idcheck::ocr::warm();
}
