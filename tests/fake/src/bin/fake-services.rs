//! Runs the vendor fakes standalone on loopback and prints where they listen.
//!
//! `cargo run -p idcheck-fake --bin fake-services` then paste the printed `export` lines into
//! the shell that runs `idcheck` or the app.

use idcheck_fake::{FakeConfig, FakeServices, IDENTITIES, NO_RECORD_NUMBER};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::io::Result<()> {
    let fake = FakeServices::start(FakeConfig::default()).await?;
    println!("# IDCheck vendor fakes (fake data, nothing is billed)");
    println!("#   apizero   {}", fake.apizero_url());
    println!("#   NowAPI    {}", fake.nowapi_url());
    println!("#   拇指云    {}", fake.muzhiyun_url());
    println!("# Export these, then run idcheck in the same shell:");
    for (k, v) in fake.env_exports() {
        println!("export {k}={v}");
    }
    println!("# Identities on record (name + number => match; other name => mismatch):");
    for i in IDENTITIES {
        println!("#   {} {}", i.name, i.number);
    }
    println!("#   valid but on no record: {NO_RECORD_NUMBER}");
    println!("# Ctrl-C stops.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
