//! 本机识别: the core's offline OCR engine, run off the async threads.
//!
//! ADAPTER until the core's `ocr` module is available to the shell.

use crate::views::UiError;
use idcheck::card::CardFields;

pub async fn read(_jpeg: &[u8]) -> Result<CardFields, UiError> {
    Err(UiError::new(
        "ocr_unavailable",
        "本机识别在此版本中不可用。请在“设置”中选择在线识别，或手动填写。",
        "Reading on this computer is not available in this build. Choose online reading in Settings, or type the fields.",
    ))
}
