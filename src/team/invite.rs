//! One-time join codes: how a new desk gets its database password and the team key without
//! either being written in the database or sent in clear.
//!
//! `idcheck team add-desk` makes a login role for the desk with a random password and a random
//! token, and stores in `idcheck_invites` only SHA-256(token) and the team key wrapped under
//! the token (an HMAC-SHA-256 keystream and a 128-bit tag). The code given to the desk is
//! `password || token` in base32. `idcheck team join CODE` logs in with the password, calls
//! `idcheck_redeem(SHA-256(token))` — which returns the wrapped key once, to that role only,
//! before the code expires, and then forgets it — and unwraps the key with the token.

use crate::secret::Sensitive;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Bytes of the desk's database password and of the token in a code.
pub const PART: usize = 16;

const PREFIX: &str = "IDC1";

/// A decoded join code.
pub struct Code {
    pub password: Sensitive<String>,
    pub token: Sensitive<Vec<u8>>,
}

impl Code {
    /// A fresh code: random password and token.
    pub fn random() -> Code {
        let mut bytes = [0u8; 2 * PART];
        getrandom::getrandom(&mut bytes).expect("the system's random generator");
        Code::from_bytes(&bytes)
    }

    fn from_bytes(bytes: &[u8; 2 * PART]) -> Code {
        Code { password: Sensitive::new(hex::encode(&bytes[..PART])), token: Sensitive::new(bytes[PART..].to_vec()) }
    }

    /// The code as the administrator hands it over: `IDC1-XXXX-XXXX-...`.
    pub fn text(&self) -> Sensitive<String> {
        let mut bytes = hex::decode(self.password.expose()).expect("hex password");
        bytes.extend_from_slice(self.token.expose());
        let b32 = base32(&bytes);
        let groups: Vec<&str> = b32.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).expect("ASCII")).collect();
        Sensitive::new(format!("{PREFIX}-{}", groups.join("-")))
    }

    /// Reads a code typed or pasted by the desk (case, spaces and dashes do not matter).
    pub fn parse(text: &str) -> Option<Code> {
        let cleaned: String = text.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
        let body = cleaned.strip_prefix(PREFIX)?;
        let bytes = unbase32(body)?;
        let bytes: [u8; 2 * PART] = bytes.try_into().ok()?;
        Some(Code::from_bytes(&bytes))
    }

    /// What the database keeps to recognise the code.
    pub fn token_hash(&self) -> Vec<u8> {
        Sha256::digest(self.token.expose()).to_vec()
    }

    fn mac(&self, label: &[u8]) -> Hmac<Sha256> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(self.token.expose()).expect("HMAC takes keys of any length");
        m.update(label);
        m
    }

    fn keystream(&self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 32);
        let mut i = 0u32;
        while out.len() < len {
            let mut m = self.mac(b"idcheck invite stream");
            m.update(&i.to_be_bytes());
            out.extend_from_slice(&m.finalize().into_bytes());
            i += 1;
        }
        out.truncate(len);
        out
    }

    /// The team key wrapped under this code's token.
    pub fn wrap(&self, key: &Sensitive<Vec<u8>>) -> Vec<u8> {
        let mut out: Vec<u8> = key.expose().iter().zip(self.keystream(key.expose().len())).map(|(a, b)| a ^ b).collect();
        let mut m = self.mac(b"idcheck invite tag");
        m.update(&out);
        out.extend_from_slice(&m.finalize().into_bytes()[..16]);
        out
    }

    /// The team key from `wrapped`, or `None` if it was not wrapped under this token.
    pub fn unwrap(&self, wrapped: &[u8]) -> Option<Sensitive<Vec<u8>>> {
        let (body, tag) = wrapped.split_at_checked(wrapped.len().checked_sub(16)?)?;
        let mut m = self.mac(b"idcheck invite tag");
        m.update(body);
        m.verify_truncated_left(tag).ok()?;
        Some(Sensitive::new(body.iter().zip(self.keystream(body.len())).map(|(a, b)| a ^ b).collect()))
    }
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let c = Code::random();
        let text = c.text();
        assert!(text.expose().starts_with("IDC1-"));
        let typed = text.expose().to_lowercase().replace('-', " ");
        let back = Code::parse(&typed).unwrap();
        assert_eq!(back.password.expose(), c.password.expose());
        assert_eq!(back.token.expose(), c.token.expose());
        assert!(Code::parse("IDC1-AAAA").is_none());
        assert!(Code::parse("not a code").is_none());
    }

    #[test]
    fn the_key_unwraps_only_under_its_own_token() {
        let c = Code::random();
        let key = Sensitive::new(vec![42u8; 32]);
        let wrapped = c.wrap(&key);
        assert_eq!(wrapped.len(), 48);
        assert!(!wrapped.windows(32).any(|w| w == key.expose().as_slice()));
        assert_eq!(c.unwrap(&wrapped).unwrap().expose(), key.expose());
        assert!(Code::random().unwrap(&wrapped).is_none());
        let mut bent = wrapped.clone();
        bent[3] ^= 1;
        assert!(c.unwrap(&bent).is_none());
    }
}
