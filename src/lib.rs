//! IDCheck core: everything about a Chinese resident ID card that does not need a window.
//!
//! The desktop shell (`src-tauri`) and the `idcheck` command are thin faces over this library.
//! It never depends on Tauri or GTK, so it builds and tests headless.

pub mod card;
pub mod i18n;
pub mod keys;
pub mod id;
pub mod mask;
pub mod providers;
pub mod region;
pub mod secret;
pub mod settings;
pub mod validity;
