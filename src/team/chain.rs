//! The hash chain that makes an edited or deleted row of the team trail show.
//!
//! Each desk's rows form a chain: row `seq` carries `prev_hash`, the `row_hash` of row
//! `seq - 1` (32 zero bytes for the first), and its own `row_hash = HMAC-SHA-256(chain key,
//! prev_hash || encoding of the row)`. The chain key is derived from the team key, which lives
//! in the desks' keychains and never in the database: someone who can write to the database
//! but does not hold the key cannot forge a row that verifies, nor re-chain the rows after one
//! they changed or removed. `idcheck team verify` recomputes every chain.
//!
//! The encoding is fixed and unambiguous: every field in a fixed order, a text as its length
//! (u32, big-endian; `u32::MAX` for NULL) then its UTF-8 bytes, an integer as 8 bytes
//! big-endian. Changing it means a new chain key label.

use super::Row;
use crate::secret::Sensitive;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The label the chain key is derived under.
const LABEL: &[u8] = b"idcheck team chain v1";

/// `prev_hash` of a desk's first row.
pub const GENESIS: [u8; 32] = [0; 32];

/// HMAC state keyed with the chain key; cloned per row.
#[derive(Clone)]
pub struct ChainKey(Hmac<Sha256>);

impl ChainKey {
    /// The chain key of a team key.
    pub fn of(team_key: &Sensitive<Vec<u8>>) -> ChainKey {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(team_key.expose()).expect("HMAC takes keys of any length");
        mac.update(LABEL);
        let derived = mac.finalize().into_bytes();
        ChainKey(<Hmac<Sha256> as Mac>::new_from_slice(&derived).expect("HMAC takes keys of any length"))
    }

    /// `row_hash` of `row` following `prev`.
    pub fn link(&self, prev: &[u8], row: &Row) -> [u8; 32] {
        let mut mac = self.0.clone();
        mac.update(prev);
        let mut buf = Vec::with_capacity(256);
        encode(row, &mut buf);
        mac.update(&buf);
        mac.finalize().into_bytes().into()
    }
}

fn text(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            buf.extend_from_slice(&(s.len() as u32).to_be_bytes());
            buf.extend_from_slice(s.as_bytes());
        }
        None => buf.extend_from_slice(&u32::MAX.to_be_bytes()),
    }
}

fn int(buf: &mut Vec<u8>, n: Option<i64>) {
    match n {
        Some(n) => {
            buf.push(1);
            buf.extend_from_slice(&n.to_be_bytes());
        }
        None => buf.push(0),
    }
}

fn encode(r: &Row, buf: &mut Vec<u8>) {
    buf.extend_from_slice(&(r.uid.len() as u32).to_be_bytes());
    buf.extend_from_slice(&r.uid);
    text(buf, Some(&r.desk));
    int(buf, Some(r.seq));
    int(buf, Some(r.at_ms));
    text(buf, Some(&r.kind));
    text(buf, Some(&r.provider));
    text(buf, r.number_masked.as_deref());
    text(buf, r.number_hash.as_deref());
    text(buf, r.name_masked.as_deref());
    text(buf, Some(&r.outcome));
    text(buf, r.error_kind.as_deref());
    text(buf, r.vendor_code.as_deref());
    text(buf, r.request_id.as_deref());
    int(buf, r.http_status.map(i64::from));
    text(buf, r.message_zh.as_deref());
    text(buf, r.message_en.as_deref());
    int(buf, Some(i64::from(r.consent)));
    text(buf, r.operator.as_deref());
    text(buf, r.batch_id.as_deref());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row {
        Row {
            uid: vec![7; 16],
            desk: "desk_a".into(),
            seq: 1,
            at_ms: 1_780_000_000_000,
            kind: "two_factor".into(),
            provider: "apizero".into(),
            number_masked: Some("110***********002X".into()),
            number_hash: Some("00ff".into()),
            name_masked: Some("张*".into()),
            outcome: "match".into(),
            error_kind: None,
            vendor_code: None,
            request_id: Some("r-1".into()),
            http_status: None,
            message_zh: None,
            message_en: None,
            consent: true,
            operator: Some("王芳".into()),
            batch_id: None,
        }
    }

    /// Every field is covered: changing any one changes the hash; so do the key and the link.
    #[test]
    fn every_field_the_key_and_the_previous_link_count() {
        let key = ChainKey::of(&Sensitive::new(vec![1; 32]));
        let base = key.link(&GENESIS, &row());
        assert_eq!(base, key.link(&GENESIS, &row()));
        assert_ne!(base, ChainKey::of(&Sensitive::new(vec![2; 32])).link(&GENESIS, &row()));
        assert_ne!(base, key.link(&[1; 32], &row()));
        let edits: [fn(&mut Row); 19] = [
            |r| r.uid[0] = 8,
            |r| r.desk.push('x'),
            |r| r.seq = 2,
            |r| r.at_ms += 1,
            |r| r.kind = "ocr".into(),
            |r| r.provider = "muzhiyun".into(),
            |r| r.number_masked = None,
            |r| r.number_hash = Some("00fe".into()),
            |r| r.name_masked = Some("李*".into()),
            |r| r.outcome = "mismatch".into(),
            |r| r.error_kind = Some("quota".into()),
            |r| r.vendor_code = Some("0".into()),
            |r| r.request_id = None,
            |r| r.http_status = Some(200),
            |r| r.message_zh = Some("".into()),
            |r| r.message_en = Some("x".into()),
            |r| r.consent = false,
            |r| r.operator = None,
            |r| r.batch_id = Some("b".into()),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut r = row();
            edit(&mut r);
            assert_ne!(key.link(&GENESIS, &r), base, "field {i} is not covered");
        }
        // NULL and the empty text differ; moving bytes between neighbouring fields changes it.
        let mut a = row();
        a.operator = Some("王".into());
        a.batch_id = Some("芳".into());
        let mut b = row();
        b.operator = Some("王芳".into());
        b.batch_id = Some("".into());
        assert_ne!(key.link(&GENESIS, &a), key.link(&GENESIS, &b));
    }
}
