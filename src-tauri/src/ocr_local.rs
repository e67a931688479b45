//! 本机识别: the core's offline OCR engine (provider `local`); the photo stays on this machine.
//!
//! The models take about 60 MB while loaded, so the window holds them only while the clerk is
//! working: they load when a photo is on its way (a drag enters the window, 打开… is pressed, a
//! photo is pasted or dropped) and are released a minute ([`KEEP_LOADED_MS`]) after their last
//! use. A load
//! takes a quarter of a second and mostly overlaps the drag or the dialog.

use idcheck::card::CardFields;
use idcheck::ocr::memory::release_scratch;
pub use idcheck::ocr::memory::tune_allocator;
use idcheck::providers::{Ocr, ProviderError};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the models stay loaded after their last use, in milliseconds.
pub static KEEP_LOADED_MS: AtomicU64 = AtomicU64::new(60_000);

/// Reads in flight; the models are not released under them.
static BUSY: AtomicUsize = AtomicUsize::new(0);
/// When the models were last used (loaded or read with).
static LAST_USE: Mutex<Option<Instant>> = Mutex::new(None);
/// Whether the thread that releases the models after [`KEEP_LOADED_MS`] is running.
static TIMER: AtomicBool = AtomicBool::new(false);
/// Whether a background load is under way.
static WARMING: AtomicBool = AtomicBool::new(false);

pub async fn read(jpeg: &[u8]) -> Result<CardFields, ProviderError> {
    BUSY.fetch_add(1, Ordering::SeqCst);
    let r = idcheck::providers::local::Local.read(jpeg).await;
    BUSY.fetch_sub(1, Ordering::SeqCst);
    release_scratch();
    used();
    r
}

/// Loads the models in the background so the photo on its way does not wait for them. Does
/// nothing when they are loaded or loading.
pub fn warm() {
    if idcheck::ocr::loaded() || WARMING.swap(true, Ordering::SeqCst) {
        return;
    }
    std::thread::spawn(|| {
        let _ = idcheck::ocr::warm().join();
        release_scratch();
        WARMING.store(false, Ordering::SeqCst);
        used();
    });
}

/// Notes a use of the models and makes sure they are released [`KEEP_LOADED_MS`] after the last.
fn used() {
    *LAST_USE.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    if TIMER.swap(true, Ordering::SeqCst) {
        return;
    }
    std::thread::spawn(|| loop {
        let last = LAST_USE.lock().unwrap_or_else(|p| p.into_inner()).unwrap_or_else(Instant::now);
        let (idle, keep) = (last.elapsed(), Duration::from_millis(KEEP_LOADED_MS.load(Ordering::SeqCst)));
        if idle < keep {
            std::thread::sleep(keep - idle);
            continue;
        }
        if BUSY.load(Ordering::SeqCst) > 0 || WARMING.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        idcheck::ocr::release();
        TIMER.store(false, Ordering::SeqCst);
        // A use that came in while the timer was stopping starts the next timer itself, unless
        // it saw this one still running: check once more.
        let recent = LAST_USE.lock().unwrap_or_else(|p| p.into_inner()).is_some_and(|t| t > last);
        if recent && !TIMER.swap(true, Ordering::SeqCst) {
            continue;
        }
        break;
    });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    fn wait_until(what: &str, cond: impl Fn() -> bool) {
        let t0 = Instant::now();
        while !cond() {
            assert!(t0.elapsed() < Duration::from_secs(30), "{what} did not happen in 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn the_models_load_for_a_photo_and_are_released_after_their_last_use() {
        super::KEEP_LOADED_MS.store(1500, Ordering::SeqCst);
        let jpeg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/card-front.jpg")).unwrap();
        assert!(!idcheck::ocr::loaded());

        // A photo on its way loads them; with no use after that, they go again.
        super::warm();
        wait_until("the load", idcheck::ocr::loaded);
        wait_until("the release after warming", || !idcheck::ocr::loaded());

        // A read loads them itself and keeps them until a quiet spell after it.
        let fields = tauri::async_runtime::block_on(super::read(&jpeg)).expect("the card reads");
        assert!(fields.number.is_some());
        assert!(idcheck::ocr::loaded());
        assert_eq!(super::BUSY.load(Ordering::SeqCst), 0);
        wait_until("the release after reading", || !idcheck::ocr::loaded());
        let again = tauri::async_runtime::block_on(super::read(&jpeg)).expect("the card reads again");
        assert_eq!(again.number, fields.number);
    }
}
