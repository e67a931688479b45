//! The `idcheck` command: a face for scripts and bulk work over the core library.

mod cli;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = cli::providers::dispatch(&args) {
        std::process::exit(code);
    }
    eprintln!("idcheck: not yet");
    std::process::exit(2);
}
