//! The core's integration tests, one binary with a module per area (building and linking one
//! binary instead of a dozen is most of their build time). Tests that set process-wide
//! environment (the config directory, keys) live in binaries of their own beside this one:
//! `audit`, `desk`, `keychain`, `settings`, `trail_cli`.

mod common;

mod apizero;
mod batch;
mod batch_input;
mod cli;
mod cli_check;
mod embedded_region;
mod money;
mod muzhiyun;
mod nowapi;
mod ocr_local;
mod privacy;
mod qps;
