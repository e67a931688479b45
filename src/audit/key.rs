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

use super::hmac16::{self, Hmac16};
use super::AuditError;

/// Length of a generated key, in bytes.
pub const KEY_LEN: usize = 32;

/// The keychain account under which the audit key is kept; the service is the one vendor keys
/// use ([`crate::paths::keychain_service`]), so a relocated config directory has its own key.
pub const KEYCHAIN_ACCOUNT: &str = "audit-hash-key";

/// The keychain account of the team's hashing key (hex), under the same service as the install
/// key. Never created here: only joining a team (`idcheck team join`) writes it. While a desk
/// holds it, every check it records also carries the number's team hash and waits in the
/// outbox for the team trail (see [`super::outbox`]).
pub const TEAM_KEYCHAIN_ACCOUNT: &str = "team-hash-key";

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

    /// The team key of the namespace `ns` ([`TEAM_KEYCHAIN_ACCOUNT`]), if this desk has joined
    /// a team; `None` when the keychain has none (it is never created here).
    pub fn team(ns: &crate::paths::Namespace) -> Result<Option<Sensitive<Vec<u8>>>, AuditError> {
        let entry = keyring::Entry::new(&ns.keychain_service, TEAM_KEYCHAIN_ACCOUNT).map_err(keychain_error)?;
        match entry.get_password() {
            Ok(hexed) => {
                let hexed = Sensitive::new(hexed);
                match hex::decode(hexed.expose().trim()) {
                    Ok(bytes) if bytes.len() >= 16 => Ok(Some(Sensitive::new(bytes))),
                    _ => Err(AuditError::Key(Msg::new(
                        "钥匙串中的团队密钥已损坏。请重新加入团队（idcheck team join）后重试。",
                        "The team key in the keychain is damaged. Join the team again (idcheck team join) and retry.",
                    ))),
                }
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
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

/// Fills `buf` from the operating system's generator (ids of rows and chunks).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), AuditError> {
    getrandom::getrandom(buf).map_err(|e| AuditError::Key(Msg::new(format!("无法生成随机数：{e}"), format!("Cannot generate random bytes: {e}"))))
}

/// HMAC-SHA-256 of `data` under `key`, as lowercase hex.
pub fn keyed_hash(key: &Sensitive<Vec<u8>>, data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose()).expect("HMAC takes keys of any length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// A running keyed hash, for fingerprints of large inputs. Cloning a fresh one is the cheap
/// way to hash many short values under one key (the key schedule is done once);
/// [`KeyedHasher::hash16`] is cheaper still for values shorter than a block (ID numbers).
#[derive(Clone)]
pub struct KeyedHasher {
    mac: Hmac<Sha256>,
    short: ShortHmac,
    /// The same on the CPU's SHA extensions, where it has them.
    ni: Option<Hmac16>,
}

impl KeyedHasher {
    pub fn new(key: &Sensitive<Vec<u8>>) -> KeyedHasher {
        KeyedHasher {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(key.expose()).expect("HMAC takes keys of any length"),
            short: ShortHmac::new(key.expose()),
            ni: Hmac16::new(key.expose()),
        }
    }
    pub fn update(&mut self, data: &[u8]) {
        self.mac.update(data);
    }
    pub fn finish(self) -> String {
        hex::encode(self.finish_bytes())
    }
    /// The 32 bytes of the hash.
    pub fn finish_bytes(self) -> [u8; 32] {
        self.mac.finalize().into_bytes().into()
    }
    /// The keyed hash of one value on its own: the first 16 bytes (what chunks of numbers and
    /// the team trail keep). Values shorter than a SHA-256 block (an ID number) take two runs
    /// of the block function and no more.
    pub fn hash16(&self, data: &[u8]) -> [u8; 16] {
        let mut out = [0u8; 16];
        self.hash16_into(data, &mut out);
        out
    }

    /// [`KeyedHasher::hash16`] written into `out`.
    #[inline]
    pub fn hash16_into(&self, data: &[u8], out: &mut [u8; 16]) {
        if data.len() <= hmac16::MAX_LEN {
            if let Some(ni) = &self.ni {
                return ni.hash(data, out);
            }
        }
        if data.len() < BLOCK {
            self.short.hash16_into(data, out);
        } else {
            let mut h = self.clone();
            h.update(data);
            out.copy_from_slice(&h.finish_bytes()[..16]);
        }
    }
}

/// [`KeyedHasher::hash16_into`] of one value under two keys (the install and the team key):
/// side by side where the CPU has the SHA extensions.
pub fn hash16_pair(a: &KeyedHasher, b: &KeyedHasher, data: &[u8], out_a: &mut [u8; 16], out_b: &mut [u8; 16]) {
    match (&a.ni, &b.ni) {
        (Some(x), Some(y)) if data.len() <= hmac16::MAX_LEN => Hmac16::hash_pair(x, y, data, out_a, out_b),
        _ => {
            a.hash16_into(data, out_a);
            b.hash16_into(data, out_b);
        }
    }
}

/// SHA-256's block size.
const BLOCK: usize = 64;

/// HMAC-SHA-256 of values shorter than a block, on SHA-256's block-level core: the inner and
/// outer key blocks are absorbed once, and a hash copies two 40-byte states and pads two
/// blocks (the generic `Hmac` clones and buffers more, which costs as much as the hashing).
#[derive(Clone)]
struct ShortHmac {
    inner: sha2::Sha256VarCore,
    outer: sha2::Sha256VarCore,
}

impl ShortHmac {
    fn new(key: &[u8]) -> ShortHmac {
        use sha2::digest::core_api::{Block, UpdateCore, VariableOutputCore};
        use sha2::Digest;
        let mut k = [0u8; BLOCK];
        if key.len() > BLOCK {
            k[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let core = |pad: u8| {
            let mut block = Block::<sha2::Sha256VarCore>::default();
            for (b, k) in block.iter_mut().zip(k) {
                *b = k ^ pad;
            }
            let mut c = sha2::Sha256VarCore::new(32).expect("SHA-256 gives 32 bytes");
            c.update_blocks(std::slice::from_ref(&block));
            c
        };
        ShortHmac { inner: core(0x36), outer: core(0x5c) }
    }

    /// The first 16 bytes of HMAC-SHA-256 of `data`, shorter than a block.
    #[inline]
    fn hash16_into(&self, data: &[u8], out: &mut [u8; 16]) {
        use sha2::digest::core_api::{Buffer, VariableOutputCore};
        let mut mid = sha2::digest::Output::<sha2::Sha256VarCore>::default();
        self.inner.clone().finalize_variable_core(&mut Buffer::<sha2::Sha256VarCore>::new(data), &mut mid);
        let mut full = sha2::digest::Output::<sha2::Sha256VarCore>::default();
        self.outer.clone().finalize_variable_core(&mut Buffer::<sha2::Sha256VarCore>::new(&mid), &mut full);
        out.copy_from_slice(&full[..16]);
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

    /// The short path is HMAC-SHA-256 exactly, for every length of key and value.
    #[test]
    fn hash16_is_the_first_half_of_the_hmac() {
        for key_len in [0usize, 16, 32, 64, 65, 100] {
            let key = Sensitive::new((0..key_len).map(|i| i as u8 ^ 0xa5).collect::<Vec<u8>>());
            let h = KeyedHasher::new(&key);
            for len in [0usize, 1, 15, 18, 55, 56, 63, 64, 65, 200] {
                let data: Vec<u8> = (0..len).map(|i| b'0' + (i % 10) as u8).collect();
                let full = hex::decode(keyed_hash(&key, &data)).unwrap();
                assert_eq!(h.hash16(&data)[..], full[..16], "key {key_len}, value {len}");
            }
        }
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(random_key().unwrap().expose(), random_key().unwrap().expose());
    }
}
