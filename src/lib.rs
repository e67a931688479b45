//! IDCheck core: everything about a Chinese resident ID card that does not need a window.
//!
//! The desktop shell (`src-tauri`) and the `idcheck` command are thin faces over this library.
//! It never depends on Tauri or GTK, so it builds and tests headless.

pub mod audit;
pub mod batch;
pub mod card;
pub mod card_locate;
pub mod copy;
pub mod crops;
pub mod desk;
pub mod geom;
pub mod i18n;
pub mod id;
pub mod image_prep;
pub mod keys;
pub mod mask;
pub mod ocr;
pub mod paths;
pub mod providers;
pub mod quality;
pub mod region;
pub mod secret;
pub mod settings;
#[doc(hidden)]
pub mod synth;
pub mod team;
pub mod validity;
