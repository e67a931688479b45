//! 身份证核验台 / IDCheck: the desktop shell over the `idcheck` core.
//!
//! Thin on purpose: commands validate what the web view sends, call the core, and hand back
//! plain data. Every network call, file read and keychain access happens here in Rust; the web
//! view only ever sees fields, verdicts and "configured / not configured".

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // A form needs no GPU compositing. Without it WebKitGTK paints on the CPU and its two
    // processes hold no GL context: about 90 MB less memory on a software-rendered display
    // (scripts/measure.sh), and no exposure to GPU driver quirks. A value already set in the
    // environment is left alone.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // The first thing the process does, before any other thread exists.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    // A form's few scripts need no JIT compiler: JavaScriptCore's interpreter runs them with
    // no visible difference, the page holds 8 MB less (scripts/measure.sh), and the untrusted
    // web view loses its largest attack surface, code generated at run time.
    #[cfg(target_os = "linux")]
    if std::env::var_os("JSC_useJIT").is_none() {
        std::env::set_var("JSC_useJIT", "0");
    }
    idcheck_app::run();
}
