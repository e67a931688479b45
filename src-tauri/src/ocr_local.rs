//! 本机识别: the core's offline OCR engine (provider `local`); the photo stays on this machine.

use idcheck::card::CardFields;
use idcheck::providers::{Ocr, ProviderError};

pub async fn read(jpeg: &[u8]) -> Result<CardFields, ProviderError> {
    let r = idcheck::providers::local::Local.read(jpeg).await;
    release_scratch();
    r
}

/// Loads the models in the background after start, so the first photo is not slow and start-up
/// is not delayed.
pub fn warm() {
    std::thread::spawn(|| {
        let _ = idcheck::ocr::warm().join();
        release_scratch();
    });
}

/// Called once at start, before any thread: a read allocates tens of megabytes of tensors, and
/// glibc's adaptive mmap threshold would soon serve such blocks from per-thread arenas that keep
/// the memory after it is freed (+55 MB held for good after the first photo, measured). A fixed
/// threshold keeps large blocks in their own mappings, returned to the system when freed.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it runs before any other thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// Returns what is left of a read's scratch memory (small freed blocks) to the system, so an
/// app idling at the front desk does not go on holding it.
fn release_scratch() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
