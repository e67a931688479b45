//! What the page may know of the keys: per provider, configured or not and from where. Keys
//! never leave Rust; setting and deleting them goes through the desk.

use idcheck::keys as core_keys;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Env,
    Keychain,
    None,
}

/// Whether every key field of every provider is present, and where from.
pub fn per_provider(status: &core_keys::Status) -> BTreeMap<&'static str, Source> {
    let mut out = BTreeMap::new();
    for f in &status.fields {
        let s = match f.source {
            core_keys::Source::Environment => Source::Env,
            core_keys::Source::Keychain => Source::Keychain,
            core_keys::Source::Missing => Source::None,
        };
        let e = out.entry(f.provider).or_insert(s);
        *e = match (*e, s) {
            (Source::None, _) | (_, Source::None) => Source::None,
            (Source::Env, _) | (_, Source::Env) => Source::Env,
            _ => Source::Keychain,
        };
    }
    out
}
