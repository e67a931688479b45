//! The per-install key behind the keyed hashes of ID numbers in the audit trail.
//!
//! The database stores numbers masked, plus HMAC-SHA-256(key, number) so a reviewer can find
//! every check of one number. Without the key a hash cannot be tested against guessed numbers
//! (the space of valid numbers is small enough to enumerate), so the key lives in the OS
//! keychain, never next to the database. [`KeySource`] abstracts where it comes from so tests
//! and the desktop shell can supply their own.

use crate::i18n::Msg;
use crate::secret::Sensitive;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AuditError;

/// Length of a generated key, in bytes.
pub const KEY_LEN: usize = 32;

/// The keychain account under which the audit key is kept; the service is the one vendor keys
/// use ([`crate::paths::keychain_service`]), so a relocated config directory has its own key.
pub const KEYCHAIN_ACCOUNT: &str = "audit-hash-key";

/// Where the per-install hashing key comes from.
pub trait KeySource: Send + Sync {
    /// Returns the key, creating and storing one on first use.
    fn key(&self) -> Result<Sensitive<Vec<u8>>, AuditError>;
}

/// A fixed key: for tests and for callers that already hold the key.
pub struct StaticKey(pub Sensitive<Vec<u8>>);

impl StaticKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> StaticKey {
        StaticKey(Sensitive::new(bytes.into()))
    }
}

impl KeySource for StaticKey {
    fn key(&self) -> Result<Sensitive<Vec<u8>>, AuditError> {
        Ok(self.0.clone())
    }
}

/// The key kept in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows) as hex under [`crate::paths::keychain_service`] / [`KEYCHAIN_ACCOUNT`]; a random one
/// is generated and stored on first use.
pub struct KeychainKey {
    pub service: String,
    pub account: String,
}

impl Default for KeychainKey {
    fn default() -> Self {
        KeychainKey::of(&crate::paths::Namespace::from_env())
    }
}

impl KeychainKey {
    /// The install key of the namespace `ns`.
    pub fn of(ns: &crate::paths::Namespace) -> KeychainKey {
        KeychainKey { service: ns.keychain_service.clone(), account: KEYCHAIN_ACCOUNT.into() }
    }
}

impl KeySource for KeychainKey {
    fn key(&self) -> Result<Sensitive<Vec<u8>>, AuditError> {
        let entry = keyring::Entry::new(&self.service, &self.account).map_err(keychain_error)?;
        match entry.get_password() {
            Ok(hexed) => {
                let hexed = Sensitive::new(hexed);
                match hex::decode(hexed.expose().trim()) {
                    Ok(bytes) if bytes.len() >= 16 => Ok(Sensitive::new(bytes)),
                    _ => Err(AuditError::Key(Msg::new(
                        "钥匙串中的审计密钥已损坏。请在钥匙串中删除 idcheck / audit-hash-key 后重试（旧记录将无法按号码检索）。",
                        "The audit key in the keychain is damaged. Delete idcheck / audit-hash-key from the keychain and retry (older records can no longer be searched by number).",
                    ))),
                }
            }
            Err(keyring::Error::NoEntry) => {
                let key = random_key()?;
                let hexed = Sensitive::new(hex::encode(key.expose()));
                entry.set_password(hexed.expose()).map_err(keychain_error)?;
                Ok(key)
            }
            Err(e) => Err(keychain_error(e)),
        }
    }
}

fn keychain_error(e: keyring::Error) -> AuditError {
    AuditError::Key(Msg::new(
        format!("无法读取系统钥匙串中的审计密钥：{e}。请确认钥匙串服务已运行并已解锁。"),
        format!("Cannot read the audit key from the system keychain: {e}. Make sure the keychain service is running and unlocked."),
    ))
}

/// A fresh random key from the operating system's generator.
pub fn random_key() -> Result<Sensitive<Vec<u8>>, AuditError> {
    let mut buf = vec![0u8; KEY_LEN];
    getrandom::getrandom(&mut buf).map_err(|e| AuditError::Key(Msg::new(format!("无法生成随机密钥：{e}"), format!("Cannot generate a random key: {e}"))))?;
    Ok(Sensitive::new(buf))
}

/// HMAC-SHA-256 of `data` under `key`, as lowercase hex.
pub fn keyed_hash(key: &Sensitive<Vec<u8>>, data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose()).expect("HMAC takes keys of any length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// A running keyed hash, for fingerprints of large inputs. Cloning a fresh one is the cheap
/// way to hash many short values under one key (the key schedule is done once).
#[derive(Clone)]
pub struct KeyedHasher(Hmac<Sha256>);

impl KeyedHasher {
    pub fn new(key: &Sensitive<Vec<u8>>) -> KeyedHasher {
        KeyedHasher(<Hmac<Sha256> as Mac>::new_from_slice(key.expose()).expect("HMAC takes keys of any length"))
    }
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub fn finish(self) -> String {
        hex::encode(self.0.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_key_and_number() {
        let a = Sensitive::new(vec![1u8; 32]);
        let b = Sensitive::new(vec![2u8; 32]);
        let h = keyed_hash(&a, b"11010519491231002X");
        assert_eq!(h.len(), 64);
        assert_eq!(h, keyed_hash(&a, b"11010519491231002X"));
        assert_ne!(h, keyed_hash(&b, b"11010519491231002X"));
        assert_ne!(h, keyed_hash(&a, b"110105194912310028"));
        let mut k = KeyedHasher::new(&a);
        k.update(b"11010519491231");
        k.update(b"002X");
        assert_eq!(k.finish(), h);
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(random_key().unwrap().expose(), random_key().unwrap().expose());
    }
}
