//! 本机识别: the core's offline OCR engine (provider `local`); the photo stays on this machine.
//!
//! The models take about 60 MB while loaded, so the window holds them only while the clerk is
//! working: they load when a photo is on its way (a drag enters the window, 打开… is pressed, a
//! photo is pasted or dropped) and are released a minute ([`KEEP_LOADED_MS`]) after their last
//! use. A load takes a quarter of a second and mostly overlaps the drag or the dialog.

use idcheck::card::CardFields;
use idcheck::i18n::Msg;
use idcheck::ocr::memory::release_scratch;
pub use idcheck::ocr::memory::tune_allocator;
use idcheck::providers::{ErrorKind, Ocr, ProviderError};
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

/// Reads a card photo with the local engine. The read runs as its own task holding a [`Use`]:
/// when the caller drops this future (the window aborts the job), the read under way still
/// finishes on its blocking thread, and the models count as in use until it has.
pub async fn read(jpeg: &[u8]) -> Result<CardFields, ProviderError> {
    kept(jpeg, |jpeg| async move { idcheck::providers::local::Local.read(&jpeg).await }).await
}

/// Every card of a photo (one per holder, a front and its back as one), read as [`read`] reads.
pub async fn read_all(jpeg: &[u8]) -> Result<Vec<CardFields>, ProviderError> {
    kept(jpeg, |jpeg| async move { idcheck::providers::local::Local.read_all(&jpeg).await }).await
}

/// Runs a read of `jpeg` as its own task, counted as a use of the models (see [`read`]).
async fn kept<T, F, Fut>(jpeg: &[u8], reading: F) -> Result<T, ProviderError>
where
    T: Send + 'static,
    F: FnOnce(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<T, ProviderError>> + Send + 'static,
{
    let using = Use::begin();
    let task = reading(jpeg.to_vec());
    let reading = tauri::async_runtime::spawn(async move {
        let r = task.await;
        release_scratch();
        drop(using);
        r
    });
    reading.await.unwrap_or_else(|e| {
        Err(ProviderError::new(idcheck::providers::local::ID, ErrorKind::Other)
            .with_message(Msg::new("本机识别意外中止，请重试。", format!("The local OCR stopped unexpectedly ({e}); try again."))))
    })
}

/// Loads the models in the background so the photo on its way does not wait for them. Does
/// nothing when they are loaded or loading.
pub fn warm() {
    if idcheck::ocr::loaded() {
        return;
    }
    let using = {
        let mut k = keeper();
        if k.warming {
            return;
        }
        k.warming = true;
        Use::begin_in(&mut k)
    };
    std::thread::spawn(move || {
        let _ = idcheck::ocr::warm().join();
        release_scratch();
        keeper().warming = false;
        drop(using);
    });
}

/// A use of the models under way (a read or a load), counted in [`Keeper::busy`] while it
/// lives. However it ends (done, failed, panicked or dropped unfinished), its drop stamps the
/// last use and starts the timer that releases the models [`KEEP_LOADED_MS`] later.
struct Use(());

impl Use {
    fn begin() -> Use {
        Use::begin_in(&mut keeper())
    }

    /// Counts a use under a lock the caller already holds.
    fn begin_in(k: &mut Keeper) -> Use {
        k.busy += 1;
        Use(())
    }
}

impl Drop for Use {
    fn drop(&mut self) {
        done();
    }
}

/// A use of the models ended (see [`Use`]): they are released [`KEEP_LOADED_MS`] after the
/// last one.
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
    use std::future::Future;
    use std::sync::atomic::Ordering;
    use std::task::Poll;
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
        wait_until("the release after reading again", || !idcheck::ocr::loaded());

        // A read whose future is dropped half-way (the window aborts the job) still ends its
        // use: it finishes on its own, and the models go a quiet spell after it.
        tauri::async_runtime::block_on(async {
            let mut reading = std::pin::pin!(super::read(&jpeg));
            let first = std::future::poll_fn(|cx| Poll::Ready(reading.as_mut().poll(cx))).await;
            assert!(first.is_pending(), "a read with the models to load cannot be done at once");
            assert_eq!(super::keeper().busy, 1);
        });
        // The models load and read for a quarter of a second at least: the use is still on.
        assert_eq!(super::keeper().busy, 1, "the dropped read is still under way");
        wait_until("the dropped read to end", || super::keeper().busy == 0);
        wait_until("the release after the dropped read", || !idcheck::ocr::loaded());
        assert_eq!(super::keeper().busy, 0);
        assert!(!super::keeper().timer, "the timer ends with the release");
    }
}
