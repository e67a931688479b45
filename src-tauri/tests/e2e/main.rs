//! The window end to end, one binary: the clerk's flows and the reviewers' views, each a
//! module, sharing the harness that starts the app under tauri-driver against the fakes.

mod clerk;
mod harness;
mod reviewers;
