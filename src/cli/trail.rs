//! What the `batch` and `history` subcommands share: where the audit trail lives, opening it
//! with the install key from the keychain, and printing a failure.

use idcheck::audit::{self, Store};
use idcheck::i18n::{Lang, Msg};
use std::path::PathBuf;

/// The config directory: `IDCHECK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/idcheck`, else
/// `~/.config/idcheck`.
pub fn config_dir() -> PathBuf {
    idcheck::settings::config_dir()
}

/// Opens the audit trail (key from the OS keychain) and applies the retention period.
pub fn store() -> Result<Store, Msg> {
    audit::open_in(&config_dir(), audit::DEFAULT_RETENTION_DAYS).map_err(|e| e.message().clone())
}

/// Prints `m` on stderr in the user's language and returns exit status 2.
pub fn fail(m: &Msg, lang: Lang) -> i32 {
    eprintln!("idcheck: {}", m.get(lang));
    2
}
