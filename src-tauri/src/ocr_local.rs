//! 本机识别: the core's offline OCR engine (provider `local`); the photo stays on this machine.

use idcheck::card::CardFields;
use idcheck::ocr::memory::release_scratch;
pub use idcheck::ocr::memory::tune_allocator;
use idcheck::providers::{Ocr, ProviderError};

pub async fn read(jpeg: &[u8]) -> Result<CardFields, ProviderError> {
    let r = idcheck::providers::local::Local.read(jpeg).await;
    release_scratch();
    r
}

/// Loads the models in the background once the window has painted, so the first photo is not
/// slow and start-up is not delayed. Later calls (a reloaded page) do nothing.
pub fn warm() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| {
            let _ = idcheck::ocr::warm().join();
            release_scratch();
        });
    });
}
