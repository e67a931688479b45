//! 本机识别: the core's offline OCR engine (provider `local`); the photo stays on this machine.
//!
//! The models take about 60 MB while loaded, so the window holds them only while the clerk is
//! working: they load when a photo is on its way (a drag enters the window, 打开… is pressed, a
//! photo is pasted or dropped) and are released a minute ([`KEEP_LOADED_MS`]) after their last
//! use. A load takes a quarter of a second and mostly overlaps the drag or the dialog.

use idcheck::card::CardFields;
use idcheck::ocr::memory::release_scratch;
pub use idcheck::ocr::memory::tune_allocator;
use idcheck::providers::{Ocr, ProviderError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the models stay loaded after their last use, in milliseconds.
pub static KEEP_LOADED_MS: AtomicU64 = AtomicU64::new(60_000);

/// What decides when the models go: one lock, so a use cannot slip between the timer's last
/// look and the release.
struct Keeper {
    /// Reads and loads under way; the models are not released under them.
    busy: usize,
    /// When the last of them ended.
    last_use: Option<Instant>,
    /// Whether a background load is under way.
    warming: bool,
    /// Whether the thread that releases the models is running.
    timer: bool,
}

static KEEPER: Mutex<Keeper> = Mutex::new(Keeper { busy: 0, last_use: None, warming: false, timer: false });

fn keeper() -> std::sync::MutexGuard<'static, Keeper> {
    KEEPER.lock().unwrap_or_else(|p| p.into_inner())
}

pub async fn read(jpeg: &[u8]) -> Result<CardFields, ProviderError> {
    keeper().busy += 1;
    let r = idcheck::providers::local::Local.read(jpeg).await;
    release_scratch();
    done();
    r
}

/// Loads the models in the background so the photo on its way does not wait for them. Does
/// nothing when they are loaded or loading.
pub fn warm() {
    if idcheck::ocr::loaded() {
        return;
    }
    {
        let mut k = keeper();
        if k.warming {
            return;
        }
        k.warming = true;
        k.busy += 1;
    }
    std::thread::spawn(|| {
        let _ = idcheck::ocr::warm().join();
        release_scratch();
        keeper().warming = false;
        done();
    });
}

/// A use of the models ended: they are released [`KEEP_LOADED_MS`] after the last one.
fn done() {
    let mut k = keeper();
    k.busy -= 1;
    k.last_use = Some(Instant::now());
    if k.timer {
        return;
    }
    k.timer = true;
    std::thread::spawn(|| loop {
        let wait = {
            let mut k = keeper();
            let keep = Duration::from_millis(KEEP_LOADED_MS.load(Ordering::SeqCst));
            let idle = k.last_use.map_or(keep, |t| t.elapsed());
            if k.busy == 0 && idle >= keep {
                idcheck::ocr::release();
                k.timer = false;
                return;
            }
            // A use under way stamps its end; look again a keep-time from now at the latest.
            if k.busy > 0 {
                keep
            } else {
                keep - idle
            }
        };
        std::thread::sleep(wait);
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
        assert_eq!(super::keeper().busy, 0);
        wait_until("the release after reading", || !idcheck::ocr::loaded());
        let again = tauri::async_runtime::block_on(super::read(&jpeg)).expect("the card reads again");
        assert_eq!(again.number, fields.number);
    }
}
