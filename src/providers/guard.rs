//! The money guard around every two-factor provider.
//!
//! Two-factor checks are billed per call, even on a mismatch. The guard makes sure that:
//! a number failing local validation is never sent; an identical name + number check repeated
//! in this process reuses the earlier verdict instead of paying again; concurrent identical
//! checks share one call (single-flight); and a call is retried only when the request provably
//! never left the machine (a connect error). Verdicts are kept in memory only, keyed by a
//! salted SHA-256 of provider, name and number, so the plain number is not kept.

use super::{http, require_valid_number, ErrorKind, ProviderError, TwoFactor, TwoFactorResult};
use crate::i18n::Msg;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::watch;

type Outcome = Option<Result<TwoFactorResult, ProviderError>>;

enum Slot {
    Done(TwoFactorResult),
    InFlight(watch::Receiver<Outcome>),
}

/// Verdicts of this process, by salted hash.
pub struct VerdictCache {
    salt: [u8; 16],
    slots: Mutex<HashMap<[u8; 32], Slot>>,
}

impl Default for VerdictCache {
    fn default() -> Self {
        Self::new()
    }
}

impl VerdictCache {
    pub fn new() -> VerdictCache {
        let mut salt = [0u8; 16];
        for chunk in salt.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
        VerdictCache { salt, slots: Mutex::new(HashMap::new()) }
    }

    /// The one cache of the process.
    pub fn global() -> Arc<VerdictCache> {
        static G: OnceLock<Arc<VerdictCache>> = OnceLock::new();
        G.get_or_init(|| Arc::new(VerdictCache::new())).clone()
    }

    fn key(&self, scope: &str, provider: &str, name: &str, number: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.salt);
        for part in [scope, provider, name, number] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    /// How many verdicts are kept.
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap().values().filter(|s| matches!(s, Slot::Done(_))).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every verdict (the user asked for a fresh, paid check).
    pub fn clear(&self) {
        self.slots.lock().unwrap().retain(|_, s| matches!(s, Slot::InFlight(_)));
    }
}

/// A two-factor provider wrapped in the guard.
pub struct Guarded {
    inner: Arc<dyn TwoFactor>,
    cache: Arc<VerdictCache>,
    /// Where the answers come from (the endpoint, and whether it is the demo fakes): a verdict
    /// is reused only for the same provider at the same endpoint in the same mode, so a demo
    /// answer can never stand in for a real one.
    scope: String,
}

impl Guarded {
    pub fn new(inner: Arc<dyn TwoFactor>, cache: Arc<VerdictCache>, scope: impl Into<String>) -> Guarded {
        Guarded { inner, cache, scope: scope.into() }
    }
}

/// Removes an in-flight slot if the leading call is dropped before it finishes.
struct LeaderGuard<'a> {
    cache: &'a VerdictCache,
    key: [u8; 32],
    done: bool,
}

impl Drop for LeaderGuard<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.cache.slots.lock().unwrap().remove(&self.key);
        }
    }
}

#[async_trait::async_trait]
impl TwoFactor for Guarded {
    fn id(&self) -> &'static str {
        self.inner.id()
    }

    async fn verify(&self, name: &str, number: &str) -> Result<TwoFactorResult, ProviderError> {
        let provider = self.inner.id();
        let number = require_valid_number(provider, number)?;
        let name = name.trim();
        check_name(provider, name)?;
        let key = self.cache.key(&self.scope, provider, name, &number);

        let tx = {
            let mut slots = self.cache.slots.lock().unwrap();
            match slots.get(&key) {
                Some(Slot::Done(r)) => {
                    let mut r = r.clone();
                    r.reused = true;
                    return Ok(r);
                }
                Some(Slot::InFlight(rx)) => Err(rx.clone()),
                None => {
                    let (tx, rx) = watch::channel(None);
                    slots.insert(key, Slot::InFlight(rx));
                    Ok(tx)
                }
            }
        };
        let tx = match tx {
            Ok(tx) => tx,
            Err(mut rx) => {
                // Someone is already paying for this exact check: share their answer.
                let shared = rx.wait_for(|o| o.is_some()).await.ok().and_then(|o| o.clone());
                return match shared {
                    Some(Ok(mut r)) => {
                        r.reused = true;
                        Ok(r)
                    }
                    Some(Err(e)) => Err(e),
                    None => Err(ProviderError::new(provider, ErrorKind::Other)
                        .with_message(Msg::new("同一核验已被取消。请重新核验", "The identical check in progress was cancelled. Run the check again"))),
                };
            }
        };

        let mut leader = LeaderGuard { cache: &self.cache, key, done: false };
        let mut result = self.inner.verify(name, &number).await;
        if let Err(e) = &result {
            if http::never_sent(e) {
                // The request never left the machine: nothing was billed, one retry is safe.
                result = self.inner.verify(name, &number).await;
            }
        }
        {
            let mut slots = self.cache.slots.lock().unwrap();
            match &result {
                Ok(r) => {
                    slots.insert(key, Slot::Done(r.clone()));
                }
                Err(_) => {
                    slots.remove(&key);
                }
            }
        }
        leader.done = true;
        let _ = tx.send(Some(result.clone()));
        result
    }
}

/// A name must be there and plausible before a billed call.
pub fn check_name(provider: &'static str, name: &str) -> Result<(), ProviderError> {
    let n = name.chars().count();
    if n == 0 || n > 50 || name.chars().any(|c| c.is_control() || c.is_ascii_digit()) {
        return Err(ProviderError::new(provider, ErrorKind::InvalidInput).with_message(Msg::new(
            "姓名为空或格式不对（不能含数字或控制字符，最长 50 字），未发送给服务商。请按证件填写姓名",
            "The name is empty or malformed (no digits or control characters, at most 50 characters) and was not sent. Enter the name as printed on the card",
        )));
    }
    Ok(())
}
