//! Numbers of a stream recorded in chunks: the way `idcheck check` keeps a record of millions
//! of numbers at a small fraction of the cost of one `checks` row each.
//!
//! A chunk is one row of `check_chunks` holding up to [`CHUNK_MAX`] local validations by
//! provider `local`, all dated at the chunk's `last_ms` (when it was written: a stream writes
//! its chunk when it is full, once the input has been quiet for 200 ms, and at its end, so a
//! moment after its last number). Its `entries` are fixed-size records of `entry_len` bytes
//! (the column), sorted by their first 16 bytes, so a number is found by binary search:
//!
//! | bytes | what |
//! | --- | --- |
//! | 0..16 | HMAC-SHA-256(install key, number), first 16 bytes |
//! | 16..32 | HMAC-SHA-256(team key, number), first 16 bytes: only in a chunk recorded in a team (40-byte entries) |
//! | then 1 | outcome: bit 0 set = invalid, bit 1 set = a 15-character number |
//! | then 7 | the masked number's visible characters: its first 3 and last 4 |
//!
//! So an entry is [`ENTRY_LEN`] (24) bytes outside a team and [`TEAM_ENTRY_LEN`] (40) in one.
//! Only clean numbers go into a chunk: 15 ASCII digits, or 17 digits and a digit or `X` (the
//! normalised form). Anything else a stream holds (garbage, a pasted name) is recorded as an
//! ordinary `checks` row, masked as ever. The full number is hashed as it is pushed and never
//! kept: nothing in a chunk, in memory or on disk, holds more than the masked form.
//!
//! Listed without a number filter, a chunk is one [`Entry`] with [`Entry::numbers`] set, no
//! masked number and the outcome `valid` if every number in it is valid, else `invalid`;
//! searched by number, each copy of it is an entry of its own with the number's masked form
//! and outcome.

use super::key::KeyedHasher;
use super::record::{Entry, Kind, Outcome};
use super::{now_ms, AuditError, Store};
use chrono::{TimeZone, Utc};
use rusqlite::params;

/// The most numbers one chunk holds.
pub const CHUNK_MAX: usize = 65_536;
/// Bytes per number in the `entries` of a chunk recorded outside a team.
pub const ENTRY_LEN: usize = 24;
/// Bytes per number in the `entries` of a chunk recorded in a team (with the team hash).
pub const TEAM_ENTRY_LEN: usize = 40;

const HASH_LEN: usize = 16;
const FLAG_INVALID: u8 = 1;
const FLAG_FIFTEEN: u8 = 2;

/// One number as gathered: the install hash, the team hash (zeros outside a team), the outcome
/// byte and the visible characters; written as [`ENTRY_LEN`] or [`TEAM_ENTRY_LEN`] bytes.
type Gathered = [u8; TEAM_ENTRY_LEN];

/// Numbers being gathered into one chunk; built by [`Store::chunk`], written by
/// [`Store::write_chunk`]. Each number is hashed (with the install key, and the team key while
/// the desk is in a team) as it is pushed; only the hashes and the masked form are kept.
pub struct NumberChunk {
    install: KeyedHasher,
    team: Option<KeyedHasher>,
    entries: Vec<Gathered>,
    /// The `entries` column as written, and the sort's buffers, kept to be reused by the next
    /// chunk.
    blob: Vec<u8>,
    scratch: Vec<Gathered>,
    buckets: Vec<u32>,
    valid: u32,
    first_ms: i64,
    operator: Option<String>,
}

/// An entry of `number` with its outcome and visible characters, its hashes still zero.
fn unhashed(number: &[u8], valid: bool) -> Gathered {
    let mut e = [0u8; TEAM_ENTRY_LEN];
    let tail = &mut e[2 * HASH_LEN..];
    tail[0] = if valid { 0 } else { FLAG_INVALID } | if number.len() == 15 { FLAG_FIFTEEN } else { 0 };
    tail[1..4].copy_from_slice(&number[..3]);
    tail[4..].copy_from_slice(&number[number.len() - 4..]);
    e
}

/// The first 16 bytes of `b`.
fn first16(b: &mut [u8]) -> &mut [u8; 16] {
    (&mut b[..HASH_LEN]).try_into().expect("16 bytes")
}

impl NumberChunk {
    pub(super) fn new(install: KeyedHasher, team: Option<KeyedHasher>, operator: Option<&str>) -> NumberChunk {
        NumberChunk {
            install,
            team,
            entries: Vec::new(),
            blob: Vec::new(),
            scratch: Vec::new(),
            buckets: Vec::new(),
            valid: 0,
            first_ms: 0,
            operator: operator.map(str::trim).filter(|s| !s.is_empty()).map(String::from),
        }
    }

    /// Adds the local validation of `number` (normalised: trimmed, upper-case `X`). Returns
    /// false, keeping nothing, when it is not a clean 15- or 18-character number: record such a
    /// line as an ordinary [`super::Record`]. Write the chunk once [`NumberChunk::is_full`], and
    /// soon after its last number (it is dated when written).
    pub fn push(&mut self, number: &[u8], valid: bool) -> bool {
        if !is_clean(number) {
            return false;
        }
        if self.is_empty() {
            self.entries.reserve(CHUNK_MAX);
            self.first_ms = now_ms();
        }
        self.valid += u32::from(valid);
        let mut e = unhashed(number, valid);
        let (install, rest) = e.split_at_mut(HASH_LEN);
        match &self.team {
            Some(team) => super::key::hash16_pair(&self.install, team, number, first16(install), first16(rest)),
            None => self.install.hash16_into(number, first16(install)),
        }
        self.entries.push(e);
        true
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the chunk holds [`CHUNK_MAX`] numbers and must be written before the next push.
    pub fn is_full(&self) -> bool {
        self.len() >= CHUNK_MAX
    }
}

/// The sort key of an entry: its install hash.
fn hash_key(e: &Gathered) -> u128 {
    u128::from_be_bytes(e[..HASH_LEN].try_into().expect("16 bytes"))
}

/// Below this many entries a chunk is sorted by comparisons.
const COUNTING_FROM: usize = 4096;

/// Sorts entries by install hash (entries with equal hashes are copies of one number, so equal
/// whole). Keyed hashes are uniform, so a counting pass on their first two bytes leaves about
/// one entry per bucket, and an insertion pass puts the few neighbours out of order right: two
/// passes instead of a comparison sort's sixteen. Should the buckets be far fuller than chance
/// makes them, the comparison sort takes over.
fn sort_by_hash(entries: &mut Vec<Gathered>, scratch: &mut Vec<Gathered>, buckets: &mut Vec<u32>) {
    let n = entries.len();
    if n < COUNTING_FROM {
        entries.sort_unstable_by_key(hash_key);
        return;
    }
    let bucket = |e: &Gathered| usize::from(e[0]) << 8 | usize::from(e[1]);
    buckets.clear();
    buckets.resize(1 << 16, 0);
    for e in entries.iter() {
        buckets[bucket(e)] += 1;
    }
    let mut start = 0u32;
    for b in buckets.iter_mut() {
        let count = *b;
        *b = start;
        start += count;
    }
    scratch.clear();
    scratch.resize(n, [0; TEAM_ENTRY_LEN]);
    for e in entries.iter() {
        let b = &mut buckets[bucket(e)];
        scratch[*b as usize] = *e;
        *b += 1;
    }
    std::mem::swap(entries, scratch);
    let mut moves = 0usize;
    for i in 1..n {
        let k = hash_key(&entries[i]);
        if hash_key(&entries[i - 1]) <= k {
            continue;
        }
        let e = entries[i];
        let mut j = i;
        while j > 0 && hash_key(&entries[j - 1]) > k {
            entries[j] = entries[j - 1];
            j -= 1;
        }
        entries[j] = e;
        moves += i - j;
        if moves > 4 * n {
            entries.sort_unstable_by_key(hash_key);
            return;
        }
    }
}

/// 15 ASCII digits, or 17 digits and a digit or `X`.
pub(crate) fn is_clean(n: &[u8]) -> bool {
    match n.len() {
        15 => n.iter().all(u8::is_ascii_digit),
        18 => n[..17].iter().all(u8::is_ascii_digit) && (n[17].is_ascii_digit() || n[17] == b'X'),
        _ => false,
    }
}

impl Store {
    /// An empty chunk of numbers hashed with this trail's keys (the team key as it is now),
    /// recorded under `operator`.
    pub fn chunk(&self, operator: Option<&str>) -> NumberChunk {
        NumberChunk::new(self.hasher(), self.team_hasher(), operator)
    }

    /// Writes the numbers gathered in `chunk` as one row, dated now, and empties it (its keys
    /// and operator stay). Returns how many numbers were written; none for an empty chunk.
    pub fn write_chunk(&self, chunk: &mut NumberChunk) -> Result<usize, AuditError> {
        let n = chunk.entries.len();
        if n == 0 {
            return Ok(0);
        }
        sort_by_hash(&mut chunk.entries, &mut chunk.scratch, &mut chunk.buckets);
        let len = if chunk.team.is_some() { TEAM_ENTRY_LEN } else { ENTRY_LEN };
        chunk.blob.clear();
        chunk.blob.reserve(n * len);
        for e in &chunk.entries {
            if len == TEAM_ENTRY_LEN {
                chunk.blob.extend_from_slice(e);
            } else {
                chunk.blob.extend_from_slice(&e[..HASH_LEN]);
                chunk.blob.extend_from_slice(&e[2 * HASH_LEN..]);
            }
        }
        let mut uid = [0u8; 12];
        super::key::random_bytes(&mut uid)?;
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO check_chunks (uid, first_ms, last_ms, count, valid, operator, pushed, entry_len, entries)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            &uid[..],
            chunk.first_ms,
            now_ms().max(chunk.first_ms),
            n as i64,
            chunk.valid,
            chunk.operator,
            chunk.team.is_some().then_some(0i64),
            len as i64,
            &chunk.blob,
        ])?;
        chunk.entries.clear();
        chunk.valid = 0;
        Ok(n)
    }
}

/// Column `i` of `row` as bytes, borrowed (a chunk's `entries` or `uid`).
pub(super) fn blob<'a>(row: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'a [u8]> {
    row.get_ref(i)?.as_blob().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e)))
}

/// A chunk's `entries` as read back: `count` records of `entry_len` bytes.
#[derive(Clone, Copy)]
pub(super) struct Entries<'a> {
    bytes: &'a [u8],
    len: usize,
}

impl<'a> Entries<'a> {
    /// `None` when the column does not hold `count` entries of a known length (a damaged
    /// row: it is skipped rather than misread).
    pub(super) fn new(bytes: &'a [u8], entry_len: i64, count: i64) -> Option<Entries<'a>> {
        let len = usize::try_from(entry_len).ok().filter(|&l| l == ENTRY_LEN || l == TEAM_ENTRY_LEN)?;
        (usize::try_from(count).ok()? * len == bytes.len()).then_some(Entries { bytes, len })
    }

    pub(super) fn count(&self) -> usize {
        self.bytes.len() / self.len
    }

    /// Entry `i`.
    pub(super) fn get(&self, i: usize) -> EntryRef<'a> {
        EntryRef(&self.bytes[i * self.len..(i + 1) * self.len])
    }

    /// The indexes of the entries whose install hash is `hash`.
    pub(super) fn find(&self, hash: &[u8; 16]) -> std::ops::Range<usize> {
        let n = self.count();
        let at = |i: usize| &self.bytes[i * self.len..i * self.len + HASH_LEN];
        let start = partition(n, |i| at(i) < &hash[..]);
        let end = start + partition(n - start, |i| at(start + i) == &hash[..]);
        start..end
    }
}

/// The first index in `0..n` for which `before` is false (`before` true on a prefix).
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// One entry of a chunk.
#[derive(Clone, Copy)]
pub(super) struct EntryRef<'a>(&'a [u8]);

impl EntryRef<'_> {
    fn flags(&self) -> u8 {
        self.0[self.0.len() - 8]
    }

    pub(super) fn outcome(&self) -> Outcome {
        if self.flags() & FLAG_INVALID != 0 {
            Outcome::Invalid
        } else {
            Outcome::Valid
        }
    }

    /// The masked number, as `crate::mask::number` writes it.
    pub(super) fn masked(&self) -> String {
        let stars = if self.flags() & FLAG_FIFTEEN != 0 { 8 } else { 11 };
        let v = &self.0[self.0.len() - 7..];
        let mut s = String::with_capacity(18);
        s.extend(v[..3].iter().map(|&b| b as char));
        s.extend(std::iter::repeat_n('*', stars));
        s.extend(v[3..].iter().map(|&b| b as char));
        s
    }

    /// The team hash (hex), in a chunk recorded in a team.
    pub(super) fn team_hash(&self) -> Option<String> {
        (self.0.len() == TEAM_ENTRY_LEN).then(|| hex::encode(&self.0[HASH_LEN..2 * HASH_LEN]))
    }
}

/// The entry of a hit: one number found in chunk `id`.
pub(super) fn hit(id: i64, at_ms: i64, operator: Option<&str>, e: EntryRef<'_>) -> Entry {
    Entry {
        id,
        at: Utc.timestamp_millis_opt(at_ms).single().unwrap_or_default(),
        kind: Kind::Local,
        provider: "local".into(),
        number_masked: Some(e.masked()),
        name_masked: None,
        outcome: e.outcome(),
        error: None,
        consent: false,
        operator: operator.map(String::from),
        batch_id: None,
        vendor_code: None,
        request_id: None,
        numbers: None,
        numbers_valid: None,
        purpose: None,
        sides: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Sensitive;

    fn chunk(team: bool) -> NumberChunk {
        let key = |b| KeyedHasher::new(&Sensitive::new(vec![b; 32]));
        NumberChunk::new(key(1), team.then(|| key(2)), Some(" 王审核 "))
    }

    /// The `entries` column `write_chunk` would write, without a database.
    fn written(c: &mut NumberChunk) -> Vec<u8> {
        sort_by_hash(&mut c.entries, &mut c.scratch, &mut c.buckets);
        let len = if c.team.is_some() { TEAM_ENTRY_LEN } else { ENTRY_LEN };
        c.entries.iter().flat_map(|e| if len == TEAM_ENTRY_LEN { e.to_vec() } else { [&e[..16], &e[32..]].concat() }).collect()
    }

    #[test]
    fn only_clean_numbers_are_taken() {
        let mut c = chunk(false);
        for n in ["11010519491231002X", "110105491231002", "110105194912310021"] {
            assert!(c.push(n.as_bytes(), true), "{n}");
        }
        for n in ["11010519491231002x", "1101051949123100", "张三11010519491231002X", "1101051949123100XX", "11010549123100X", ""] {
            assert!(!c.push(n.as_bytes(), false), "{n}");
        }
        assert_eq!((c.len(), c.valid), (3, 3));
        assert_eq!(c.operator.as_deref(), Some("王审核"));
    }

    #[test]
    fn entries_keep_hashes_outcome_and_the_masked_form_only() {
        for team in [false, true] {
            let mut c = chunk(team);
            c.push(b"11010519491231002X", true);
            c.push(b"110105491231002", false);
            c.push(b"110105194912310021", false);
            assert_eq!(c.len(), 3);
            let bytes = written(&mut c);
            let len = if team { TEAM_ENTRY_LEN } else { ENTRY_LEN };
            assert_eq!(bytes.len(), 3 * len);
            let entries = Entries::new(&bytes, len as i64, 3).unwrap();
            assert!(Entries::new(&bytes, len as i64, 2).is_none() && Entries::new(&bytes, 7, 3).is_none());
            assert_eq!(entries.find(&c.install.hash16(b"110105194912310021")).len(), 1);
            let long = entries.find(&c.install.hash16(b"11010519491231002X"));
            assert_eq!(long.len(), 1);
            let e = entries.get(long.start);
            assert_eq!(e.masked(), crate::mask::number("11010519491231002X"));
            assert_eq!(e.outcome(), Outcome::Valid);
            assert_eq!(e.team_hash(), c.team.as_ref().map(|t| hex::encode(t.hash16(b"11010519491231002X"))));
            let e = entries.get(entries.find(&c.install.hash16(b"110105491231002")).start);
            assert_eq!(e.masked(), "110********1002");
            assert_eq!(e.outcome(), Outcome::Invalid);
            assert!(!bytes.windows(8).any(|w| w == b"05194912" || w == b"10549123"), "no more than the masked characters");
        }
    }

    /// Each number gets its own hashes, in or outside a team.
    #[test]
    fn every_number_gets_its_own_hashes() {
        for team in [false, true] {
            for n in 1..=9u64 {
                let mut c = chunk(team);
                let numbers: Vec<String> = (0..n).map(|i| format!("{:015}", 110_105_491_231_000 + i * 7)).collect();
                for (i, number) in numbers.iter().enumerate() {
                    assert!(c.push(number.as_bytes(), i % 2 == 0));
                }
                assert_eq!(c.len(), n as usize);
                let len = if team { TEAM_ENTRY_LEN } else { ENTRY_LEN };
                let bytes = written(&mut c);
                let entries = Entries::new(&bytes, len as i64, n as i64).unwrap();
                for (i, number) in numbers.iter().enumerate() {
                    let found = entries.find(&c.install.hash16(number.as_bytes()));
                    assert_eq!(found.len(), 1, "team {team}, {n} numbers, number {i}");
                    let e = entries.get(found.start);
                    assert_eq!(e.masked(), crate::mask::number(number));
                    assert_eq!(e.outcome(), if i % 2 == 0 { Outcome::Valid } else { Outcome::Invalid });
                    assert_eq!(e.team_hash(), c.team.as_ref().map(|t| hex::encode(t.hash16(number.as_bytes()))));
                }
            }
        }
    }

    /// The counting sort orders like a comparison sort: random hashes, a full chunk of one
    /// number, and hashes crowded into a few buckets (which a key-holder cannot be made to
    /// produce, but which must still come out sorted).
    #[test]
    fn the_counting_sort_sorts() {
        let mut seed = 0x9E3779B97F4A7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let random: Vec<Gathered> = (0..CHUNK_MAX)
            .map(|i| {
                let mut e = [0u8; TEAM_ENTRY_LEN];
                for b in e.iter_mut().take(16) {
                    *b = next() as u8;
                }
                e[39] = i as u8;
                e
            })
            .collect();
        let same = vec![[7u8; TEAM_ENTRY_LEN]; CHUNK_MAX];
        let crowded: Vec<Gathered> = random.iter().map(|e| [&[0u8, (e[1] & 3)][..], &e[2..]].concat().try_into().unwrap()).collect();
        for (name, input) in
            [("random", random), ("one number", same), ("crowded", crowded), ("small", (0..100u8).map(|i| [i.wrapping_mul(37); TEAM_ENTRY_LEN]).collect())]
        {
            let mut expected = input.clone();
            expected.sort_unstable_by_key(hash_key);
            let mut got = input;
            sort_by_hash(&mut got, &mut Vec::new(), &mut Vec::new());
            assert!(got.windows(2).all(|w| hash_key(&w[0]) <= hash_key(&w[1])), "{name}");
            let (mut a, mut b) = (got.clone(), expected.clone());
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{name}: the same entries");
        }
    }

    #[test]
    fn binary_search_finds_every_copy_of_a_hash() {
        let mut c = chunk(false);
        for i in 0..1000u32 {
            let n = format!("{:015}", 110_105_491_231_000u64 + u64::from(i % 300));
            c.push(n.as_bytes(), true);
        }
        let bytes = written(&mut c);
        let entries = Entries::new(&bytes, ENTRY_LEN as i64, 1000).unwrap();
        let h = c.install.hash16(b"110105491231007");
        let r = entries.find(&h);
        assert_eq!(r.len(), 4, "1000 numbers over 300: 7 appears at 7, 307, 607, 907");
        assert!(r.clone().all(|i| entries.get(i).0[..16] == h));
        assert!(entries.find(&[0; 16]).is_empty());
        assert!(entries.find(&[0xff; 16]).is_empty());
        assert!(Entries::new(&[], ENTRY_LEN as i64, 0).unwrap().find(&h).is_empty());
    }
}
