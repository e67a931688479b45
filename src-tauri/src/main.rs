//! 身份证核验台 / IDCheck: the desktop shell over the `idcheck` core.
//!
//! Thin on purpose: commands validate what the web view sends, call the core, and hand back
//! plain data. Every network call, file read and keychain access happens here in Rust; the web
//! view only ever sees fields, verdicts and "configured / not configured".

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    idcheck_app::run();
}
