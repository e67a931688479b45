//! The `idcheck` command: a face for scripts and bulk work over the core library.

fn main() {
    eprintln!("idcheck: not yet");
    std::process::exit(2);
}
