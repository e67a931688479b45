//! HMAC-SHA-256 of short values (ID numbers) on the CPU's SHA extensions, for recording a
//! stream of numbers at the speed the stream is checked.
//!
//! An HMAC of a value shorter than 56 bytes is two runs of SHA-256's block function from two
//! states fixed by the key (after its inner and outer pad blocks). Through the `hmac` and `sha2`
//! crates each hash also clones, buffers, pads and converts, which costs about as much as the
//! two blocks; here both blocks are built in registers and, when a desk is in a team, the
//! install and team hashes of a number run side by side (their rounds interleave, and the SHA
//! instructions' latency is hidden). The result is HMAC-SHA-256 exactly (tested against the
//! `hmac` crate); CPUs without the extensions never get here ([`Hmac16::new`] is `None`).
//!
//! The block function follows the `sha2` crate's x86 backend (MIT / Apache-2.0).

/// The longest value hashed here: its padding must fit the one block.
pub(crate) const MAX_LEN: usize = 55;

/// The two states of one key, on a CPU with the SHA extensions.
#[derive(Clone)]
pub(crate) struct Hmac16 {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Hmac16 {
    /// `None` unless this CPU has the SHA extensions (then the caller uses the `hmac` crate).
    pub(crate) fn new(key: &[u8]) -> Option<Hmac16> {
        #[cfg(target_arch = "x86_64")]
        {
            if ni::available() {
                return Some(ni::prepare(key));
            }
        }
        let _ = key;
        None
    }

    /// The first 16 bytes of HMAC-SHA-256 of `data` (at most [`MAX_LEN`] bytes).
    pub(crate) fn hash(&self, data: &[u8], out: &mut [u8; 16]) {
        assert!(data.len() <= MAX_LEN);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: an `Hmac16` exists only where `ni::available()` said the CPU has the
        // extensions `ni` is compiled for.
        unsafe {
            ni::hmac(self, data, out)
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!("no Hmac16 without the SHA extensions")
    }

    /// [`Hmac16::hash`] of one value under two keys (the install and the team key) at once:
    /// one pass over the value, the two chains of rounds interleaved.
    pub(crate) fn hash_pair(a: &Hmac16, b: &Hmac16, data: &[u8], out_a: &mut [u8; 16], out_b: &mut [u8; 16]) {
        assert!(data.len() <= MAX_LEN);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in `hash`.
        unsafe {
            ni::hmac_pair(a, b, data, out_a, out_b)
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!("no Hmac16 without the SHA extensions")
    }
}

#[cfg(target_arch = "x86_64")]
mod ni {
    use super::Hmac16;
    use core::arch::x86_64::*;

    const IV: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
        0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
        0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("sha") && is_x86_feature_detected!("sse2") && is_x86_feature_detected!("ssse3") && is_x86_feature_detected!("sse4.1")
    }

    /// The key's states after its inner and outer pad blocks.
    pub(super) fn prepare(key: &[u8]) -> Hmac16 {
        use sha2::Digest;
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&sha2::Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        // SAFETY: called only once `available()` is true.
        unsafe {
            let iv = State::load(&IV);
            let (inner, outer) = compress2(iv, words(&k.map(|b| b ^ 0x36)), iv, Some(words(&k.map(|b| b ^ 0x5c))));
            Hmac16 { inner: inner.store(), outer: outer.store() }
        }
    }

    /// A state in the form the SHA instructions take: (a, b, e, f) and (c, d, g, h).
    #[derive(Clone, Copy)]
    struct State {
        abef: __m128i,
        cdgh: __m128i,
    }

    impl State {
        #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
        unsafe fn load(s: &[u32; 8]) -> State {
            let dcba = _mm_loadu_si128(s.as_ptr() as *const __m128i);
            let efgh = _mm_loadu_si128(s.as_ptr().add(4) as *const __m128i);
            let cdab = _mm_shuffle_epi32(dcba, 0xB1);
            let efgh = _mm_shuffle_epi32(efgh, 0x1B);
            State { abef: _mm_alignr_epi8(cdab, efgh, 8), cdgh: _mm_blend_epi16(efgh, cdab, 0xF0) }
        }

        /// The state as words (a, b, c, d) and (e, f, g, h): the digest's words in order.
        #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
        unsafe fn words(self) -> (__m128i, __m128i) {
            let feba = _mm_shuffle_epi32(self.abef, 0x1B);
            let dchg = _mm_shuffle_epi32(self.cdgh, 0xB1);
            (_mm_blend_epi16(feba, dchg, 0xF0), _mm_alignr_epi8(dchg, feba, 8))
        }

        #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
        unsafe fn store(self) -> [u32; 8] {
            let (dcba, hgef) = self.words();
            let mut s = [0u32; 8];
            _mm_storeu_si128(s.as_mut_ptr() as *mut __m128i, dcba);
            _mm_storeu_si128(s.as_mut_ptr().add(4) as *mut __m128i, hgef);
            s
        }
    }

    /// Swaps the bytes of each 32-bit lane (big-endian bytes to words and back).
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn bswap(v: __m128i) -> __m128i {
        _mm_shuffle_epi8(v, _mm_set_epi64x(0x0C0D_0E0F_0809_0A0Bu64 as i64, 0x0405_0607_0001_0203u64 as i64))
    }

    /// The sixteen message words of a block, four to a register.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn words(block: &[u8; 64]) -> [__m128i; 4] {
        let p = block.as_ptr() as *const __m128i;
        [bswap(_mm_loadu_si128(p)), bswap(_mm_loadu_si128(p.add(1))), bswap(_mm_loadu_si128(p.add(2))), bswap(_mm_loadu_si128(p.add(3)))]
    }

    /// The inner block of `data` (at most 55 bytes) after a key block: the value, 0x80, zeros
    /// and the bit length of both blocks.
    fn inner_block(data: &[u8]) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[..data.len()].copy_from_slice(data);
        b[data.len()] = 0x80;
        b[56..].copy_from_slice(&((64 + data.len() as u64) * 8).to_be_bytes());
        b
    }

    /// The outer block's words: the inner digest's eight, 0x80, zeros and the bit length of
    /// both blocks (768).
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn outer_words(inner: State) -> [__m128i; 4] {
        let (abcd, efgh) = inner.words();
        [abcd, efgh, _mm_set_epi32(0, 0, 0, 0x8000_0000u32 as i32), _mm_set_epi32(768, 0, 0, 0)]
    }

    /// The next four message words from the previous sixteen.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn schedule(v0: __m128i, v1: __m128i, v2: __m128i, v3: __m128i) -> __m128i {
        _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(v0, v1), _mm_alignr_epi8(v3, v2, 4)), v3)
    }

    /// One block on `s`. Written out round by round, so that it compiles to straight-line
    /// code with everything in registers even in a lightly optimised build.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn compress(s: State, w: [__m128i; 4]) -> State {
        let [mut w0, mut w1, mut w2, mut w3] = w;
        let (mut abef, mut cdgh) = (s.abef, s.cdgh);
        macro_rules! rounds4 {
            ($w:expr, $i:expr) => {{
                let t = _mm_add_epi32($w, _mm_loadu_si128(K.as_ptr().add(4 * $i) as *const __m128i));
                cdgh = _mm_sha256rnds2_epu32(cdgh, abef, t);
                abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(t, 0x0E));
            }};
        }
        // The next four message words from the previous sixteen, then four rounds.
        macro_rules! schedule_rounds4 {
            ($w0:ident, $w1:ident, $w2:ident, $w3:ident, $i:expr) => {{
                $w0 = schedule($w0, $w1, $w2, $w3);
                rounds4!($w0, $i);
            }};
        }
        rounds4!(w0, 0);
        rounds4!(w1, 1);
        rounds4!(w2, 2);
        rounds4!(w3, 3);
        schedule_rounds4!(w0, w1, w2, w3, 4);
        schedule_rounds4!(w1, w2, w3, w0, 5);
        schedule_rounds4!(w2, w3, w0, w1, 6);
        schedule_rounds4!(w3, w0, w1, w2, 7);
        schedule_rounds4!(w0, w1, w2, w3, 8);
        schedule_rounds4!(w1, w2, w3, w0, 9);
        schedule_rounds4!(w2, w3, w0, w1, 10);
        schedule_rounds4!(w3, w0, w1, w2, 11);
        schedule_rounds4!(w0, w1, w2, w3, 12);
        schedule_rounds4!(w1, w2, w3, w0, 13);
        schedule_rounds4!(w2, w3, w0, w1, 14);
        schedule_rounds4!(w3, w0, w1, w2, 15);
        State { abef: _mm_add_epi32(abef, s.abef), cdgh: _mm_add_epi32(cdgh, s.cdgh) }
    }

    /// One block on each of two states, their rounds interleaved, as [`compress`]; with
    /// `shared`, both take `wa` (one value under two keys: its message schedule is worked out
    /// once).
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn compress2(a: State, wa: [__m128i; 4], b: State, wb: Option<[__m128i; 4]>) -> (State, State) {
        let [mut a0, mut a1, mut a2, mut a3] = wa;
        let shared = wb.is_none();
        let [mut b0, mut b1, mut b2, mut b3] = wb.unwrap_or(wa);
        let (mut a_abef, mut a_cdgh, mut b_abef, mut b_cdgh) = (a.abef, a.cdgh, b.abef, b.cdgh);
        macro_rules! rounds4 {
            ($x:expr, $y:expr, $i:expr) => {{
                let k = _mm_loadu_si128(K.as_ptr().add(4 * $i) as *const __m128i);
                let (ta, tb) = (_mm_add_epi32($x, k), _mm_add_epi32($y, k));
                a_cdgh = _mm_sha256rnds2_epu32(a_cdgh, a_abef, ta);
                b_cdgh = _mm_sha256rnds2_epu32(b_cdgh, b_abef, tb);
                a_abef = _mm_sha256rnds2_epu32(a_abef, a_cdgh, _mm_shuffle_epi32(ta, 0x0E));
                b_abef = _mm_sha256rnds2_epu32(b_abef, b_cdgh, _mm_shuffle_epi32(tb, 0x0E));
            }};
        }
        macro_rules! schedule_rounds4 {
            ($a0:ident, $a1:ident, $a2:ident, $a3:ident, $b0:ident, $b1:ident, $b2:ident, $b3:ident, $i:expr) => {{
                $a0 = schedule($a0, $a1, $a2, $a3);
                $b0 = if shared { $a0 } else { schedule($b0, $b1, $b2, $b3) };
                rounds4!($a0, $b0, $i);
            }};
        }
        rounds4!(a0, b0, 0);
        rounds4!(a1, b1, 1);
        rounds4!(a2, b2, 2);
        rounds4!(a3, b3, 3);
        schedule_rounds4!(a0, a1, a2, a3, b0, b1, b2, b3, 4);
        schedule_rounds4!(a1, a2, a3, a0, b1, b2, b3, b0, 5);
        schedule_rounds4!(a2, a3, a0, a1, b2, b3, b0, b1, 6);
        schedule_rounds4!(a3, a0, a1, a2, b3, b0, b1, b2, 7);
        schedule_rounds4!(a0, a1, a2, a3, b0, b1, b2, b3, 8);
        schedule_rounds4!(a1, a2, a3, a0, b1, b2, b3, b0, 9);
        schedule_rounds4!(a2, a3, a0, a1, b2, b3, b0, b1, 10);
        schedule_rounds4!(a3, a0, a1, a2, b3, b0, b1, b2, 11);
        schedule_rounds4!(a0, a1, a2, a3, b0, b1, b2, b3, 12);
        schedule_rounds4!(a1, a2, a3, a0, b1, b2, b3, b0, 13);
        schedule_rounds4!(a2, a3, a0, a1, b2, b3, b0, b1, 14);
        schedule_rounds4!(a3, a0, a1, a2, b3, b0, b1, b2, 15);
        (
            State { abef: _mm_add_epi32(a_abef, a.abef), cdgh: _mm_add_epi32(a_cdgh, a.cdgh) },
            State { abef: _mm_add_epi32(b_abef, b.abef), cdgh: _mm_add_epi32(b_cdgh, b.cdgh) },
        )
    }

    /// Writes the first 16 bytes of the digest in `s`.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn head(s: State, out: &mut [u8; 16]) {
        let (dcba, _) = s.words();
        _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, bswap(dcba));
    }

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn hmac(h: &Hmac16, data: &[u8], out: &mut [u8; 16]) {
        let inner = compress(State::load(&h.inner), words(&inner_block(data)));
        head(compress(State::load(&h.outer), outer_words(inner)), out);
    }

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn hmac_pair(a: &Hmac16, b: &Hmac16, data: &[u8], out_a: &mut [u8; 16], out_b: &mut [u8; 16]) {
        let (ia, ib) = compress2(State::load(&a.inner), words(&inner_block(data)), State::load(&b.inner), None);
        let (oa, ob) = compress2(State::load(&a.outer), outer_words(ia), State::load(&b.outer), Some(outer_words(ib)));
        head(oa, out_a);
        head(ob, out_b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::key::keyed_hash;
    use crate::secret::Sensitive;

    /// HMAC-SHA-256 exactly, single and paired, for every length of key and value it takes.
    #[test]
    fn equals_the_hmac_crate() {
        let keys: Vec<Vec<u8>> = [0usize, 16, 32, 63, 64, 65, 100].iter().map(|&n| (0..n).map(|i| (i * 7 + 3) as u8).collect()).collect();
        let Some(_) = Hmac16::new(&keys[0]) else {
            eprintln!("skipped: this CPU has no SHA extensions");
            return;
        };
        for key in &keys {
            let h = Hmac16::new(key).unwrap();
            let other = Hmac16::new(b"the team key").unwrap();
            for len in 0..=MAX_LEN {
                let data: Vec<u8> = (0..len).map(|i| b'0' + (i * 3 % 10) as u8).collect();
                let want = hex::decode(keyed_hash(&Sensitive::new(key.clone()), &data)).unwrap();
                let want_other = hex::decode(keyed_hash(&Sensitive::new(b"the team key".to_vec()), &data)).unwrap();
                let mut got = [0u8; 16];
                h.hash(&data, &mut got);
                assert_eq!(got[..], want[..16], "key {}, value {len}", key.len());
                let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
                Hmac16::hash_pair(&h, &other, &data, &mut a, &mut b);
                assert_eq!((a[..].to_vec(), b[..].to_vec()), (want[..16].to_vec(), want_other[..16].to_vec()), "pair, value {len}");
            }
        }
    }
}
