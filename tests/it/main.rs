//! The core's integration tests, one binary with a module per area (building and linking one
//! binary instead of a dozen is most of their build time). Each test works in a namespace of
//! its own (`idcheck::paths::Namespace`) or passes its own environment to the commands it
//! runs; the two tests of how the process environment is read (`keychain`: keys from
//! `IDCHECK_*` variables; `settings`: `IDCHECK_CONFIG_DIR`) change it, so they are binaries of
//! their own beside this one.

mod common;

mod apizero;
mod audit;
mod batch;
mod batch_input;
mod cli;
mod cli_check;
mod copy;
mod desk;
mod embedded_region;
mod money;
mod muzhiyun;
mod nowapi;
mod ocr_local;
mod privacy;
mod qps;
mod team;
mod trail_cli;
