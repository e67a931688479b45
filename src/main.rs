//! The `idcheck` command: a face for scripts and bulk work over the core library.
//!
//! Each subcommand lives in its own module under `src/cli/`.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
