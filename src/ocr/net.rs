//! Runs one ONNX model, on whichever of two runtimes this machine has.
//!
//! The same PP-OCR files run on ONNX Runtime or on `rten`, with the same results to about
//! 1e-5. ONNX Runtime is two to three times faster per call on two cores, which is what brings a
//! card under half a second; it is a C++ shared library, so the package ships it
//! (`libonnxruntime.so` from the pinned PyPI wheel, fetched by `scripts/fetch_onnxruntime.sh`)
//! and it is loaded at run time. `rten` is pure Rust and always compiled in: when the library is
//! absent or fails to load (a build from source without set-up, another OS), reading still works,
//! only slower. `IDCHECK_OCR_RUNTIME=rten` forces `rten`.

use super::OcrError;
use rten_tensor::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The ONNX Runtime library the package ships (its version matches the `ort` crate's API).
pub const ORT_LIBRARY: &str = "libonnxruntime.so.1.22.1";

/// Which runtime runs the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    #[serde(rename = "onnxruntime")]
    OnnxRuntime,
    Rten,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::OnnxRuntime => "onnxruntime",
            Runtime::Rten => "rten",
        }
    }
}

static EXTRA_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Tells the engine one more folder that may hold [`ORT_LIBRARY`] (the desktop app passes its
/// resource folder). Call before the engine loads.
pub fn add_library_dir(dir: &Path) {
    let _ = EXTRA_DIR.set(dir.to_path_buf());
}

/// Where [`ORT_LIBRARY`] is looked for, in order: `IDCHECK_ONNXRUNTIME` (a file), the folder given
/// to [`add_library_dir`], beside the executable and in `../lib/idcheck` from it (an installed
/// command), and `vendor/onnxruntime/` of the source tree this was built from.
pub fn library_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("IDCHECK_ONNXRUNTIME") {
        out.push(PathBuf::from(p));
    }
    if let Some(d) = EXTRA_DIR.get() {
        out.push(d.join(ORT_LIBRARY));
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        out.push(dir.join(ORT_LIBRARY));
        out.push(dir.join("../lib/idcheck").join(ORT_LIBRARY));
    }
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/onnxruntime").join(ORT_LIBRARY));
    out
}

/// The runtime to use unless told otherwise: ONNX Runtime, unless `IDCHECK_OCR_RUNTIME=rten`.
pub fn preferred() -> Runtime {
    if std::env::var("IDCHECK_OCR_RUNTIME").is_ok_and(|v| v == "rten") {
        Runtime::Rten
    } else {
        Runtime::OnnxRuntime
    }
}

/// The answer of [`onnxruntime`], once it has been asked.
static ORT_LOADED: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The ONNX Runtime library loaded into this process, if one was found and loads (tried once;
/// later calls return the first answer).
pub fn onnxruntime() -> Option<&'static Path> {
    ORT_LOADED
        .get_or_init(|| {
            if !cfg!(target_os = "linux") {
                return None;
            }
            let path = library_candidates().into_iter().find(|p| p.is_file())?;
            // `ort` panics when the library cannot be opened or is too old; keep that a fallback.
            let ok = std::panic::catch_unwind(|| ort::init_from(path.to_string_lossy()).with_name("idcheck").with_telemetry(false).commit().is_ok())
                .unwrap_or(false);
            ok.then_some(path)
        })
        .as_deref()
}

/// Lets the kernel drop the resident pages of ONNX Runtime's code (about 12 MB) once no model
/// runs on it. The library cannot be unloaded (the `ort` crate keeps it for the process), but
/// its code is a read-only mapping of the file that nothing writes: dropped pages are read back
/// from the file, or the page cache, when a model next runs. Data pages are left alone.
pub fn release_runtime_code() {
    #[cfg(target_os = "linux")]
    {
        let Some(Some(path)) = ORT_LOADED.get() else { return };
        let Ok(path) = std::fs::canonicalize(path) else { return };
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else { return };
        for (start, end) in code_ranges(&maps, &path) {
            // SAFETY: the range is a whole read-only, executable, private file mapping of the
            // library (from /proc/self/maps); MADV_DONTNEED on it changes no contents, only
            // what is resident, since such pages are never written.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
}

/// The `r-xp` mappings of `path` in a `/proc/<pid>/maps` listing, as address ranges.
fn code_ranges(maps: &str, path: &Path) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (range, perms) = (parts.next()?, parts.next()?);
            let file = parts.nth(3)?;
            if perms != "r-xp" || Path::new(file) != path {
                return None;
            }
            let (a, b) = range.split_once('-')?;
            Some((usize::from_str_radix(a, 16).ok()?, usize::from_str_radix(b, 16).ok()?))
        })
        .collect()
}

/// One loaded model.
pub struct Net {
    inner: Inner,
}

enum Inner {
    /// The session, and the options that shrink its arena after a call.
    Ort(Mutex<(ort::session::Session, ort::session::RunOptions)>),
    Rten(rten::Model),
}

impl Net {
    /// Loads an embedded ONNX file on `prefer` when it is available, else on `rten`.
    pub fn load(bytes: &'static [u8], what: &str, prefer: Runtime) -> Result<Net, OcrError> {
        if prefer == Runtime::OnnxRuntime && onnxruntime().is_some() {
            // A library that opens but cannot take the model leaves rten to do the work.
            if let Ok(session) = load_ort(bytes) {
                // A call's tensors (the recogniser's output alone is tens of megabytes for a
                // batch) go back to the system when it ends, so an idle app does not hold the
                // peak of its last photo: 32 MB less after reading, no slower (measured).
                let mut shrink = ort::session::RunOptions::new().map_err(|e| OcrError::Model(e.to_string()))?;
                shrink.add_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0").map_err(|e| OcrError::Model(e.to_string()))?;
                return Ok(Net { inner: Inner::Ort(Mutex::new((session, shrink))) });
            }
        }
        let m = rten::Model::load_static_slice(bytes).map_err(|e| OcrError::Model(format!("{what} model: {e}")))?;
        Ok(Net { inner: Inner::Rten(m) })
    }

    pub fn runtime(&self) -> Runtime {
        match self.inner {
            Inner::Ort(_) => Runtime::OnnxRuntime,
            Inner::Rten(_) => Runtime::Rten,
        }
    }

    /// Whether two calls at once finish sooner than one after the other. `rten` spreads one
    /// call over the cores poorly (small matrices); ONNX Runtime uses them all in one call.
    pub fn wants_parallel_calls(&self) -> bool {
        matches!(self.inner, Inner::Rten(_))
    }

    /// Runs the model on one `f32` input of `shape`; returns the first output's shape and data.
    pub fn run(&self, shape: [usize; 4], data: Vec<f32>) -> Result<(Vec<usize>, Vec<f32>), OcrError> {
        let err = |e: &dyn std::fmt::Display| OcrError::Run(e.to_string());
        match &self.inner {
            Inner::Rten(m) => {
                let x = rten_tensor::Tensor::<f32>::from_data(&shape, data);
                let y = m.run_one(x.view().into(), None).map_err(|e| err(&e))?;
                let y: rten_tensor::Tensor<f32> = y.try_into().map_err(|e: rten::TryFromValueError| err(&e))?;
                Ok((y.shape().to_vec(), y.to_vec()))
            }
            Inner::Ort(s) => {
                let x = ort::value::Tensor::from_array((shape, data)).map_err(|e| err(&e))?;
                let mut guard = s.lock().unwrap_or_else(|p| p.into_inner());
                let (s, shrink) = &mut *guard;
                let out = s.run_with_options(ort::inputs![x], shrink).map_err(|e| err(&e))?;
                let (dims, y) = out[0].try_extract_tensor::<f32>().map_err(|e| err(&e))?;
                let dims = dims.iter().map(|&d| usize::try_from(d).unwrap_or(0)).collect();
                Ok((dims, y.to_vec()))
            }
        }
    }
}

fn load_ort(bytes: &[u8]) -> ort::Result<ort::session::Session> {
    use ort::session::builder::GraphOptimizationLevel;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    ort::session::Session::builder()?
        .with_optimization_level(GraphOptimizationLevel::Level3)?
        .with_intra_threads(threads)?
        .with_inter_threads(1)?
        // Pool threads that spin between calls take the other core from whatever runs beside
        // them: the other model loading (load 290 → 160–210 ms), the window, the next step.
        .with_intra_op_spinning(false)?
        // The weights in allocations of their own, not in the arena that a call's tensors then
        // grow: 14 MB less held once the models are loaded (measured), no slower.
        .with_device_allocator_for_initializers()?
        .commit_from_memory(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_librarys_code_mappings_are_released() {
        let maps = "\
7f10a0000000-7f10a0200000 r--p 00000000 08:01 123 /opt/ort/libonnxruntime.so.1.22.1
7f10a0200000-7f10a1000000 r-xp 00200000 08:01 123 /opt/ort/libonnxruntime.so.1.22.1
7f10a1000000-7f10a1100000 r--p 01000000 08:01 123 /opt/ort/libonnxruntime.so.1.22.1
7f10a1100000-7f10a1110000 rw-p 01100000 08:01 123 /opt/ort/libonnxruntime.so.1.22.1
7f10b0000000-7f10b0100000 r-xp 00000000 08:01 456 /usr/lib/libc.so.6
7f10c0000000-7f10c0100000 rw-p 00000000 00:00 0 
";
        let ranges = super::code_ranges(maps, std::path::Path::new("/opt/ort/libonnxruntime.so.1.22.1"));
        assert_eq!(ranges, vec![(0x7f10a0200000, 0x7f10a1000000)]);
    }
}
