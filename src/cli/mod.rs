//! Subcommands of the `idcheck` command, one module per group.

pub mod providers;
