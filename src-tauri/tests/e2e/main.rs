//! The window end to end, one binary: the clerk's flows, the reviewers' views and the team
//! trail, each a module, sharing the harness that starts the app under tauri-driver against
//! the fakes.

mod cards;
mod clerk;
mod copy;
mod harness;
mod reviewers;
mod team;
