//! Digest algorithms of Authenticode and catalogs, and hashing byte ranges with them.
//! One place knows the OIDs and the hash crates; every layer above asks here.

use const_oid::ObjectIdentifier;
use digest::DynDigest;

/// A digest algorithm a signature or catalog can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

pub const ALL: [DigestAlgorithm; 5] =
    [DigestAlgorithm::Md5, DigestAlgorithm::Sha1, DigestAlgorithm::Sha256, DigestAlgorithm::Sha384, DigestAlgorithm::Sha512];

impl DigestAlgorithm {
    /// The algorithm an AlgorithmIdentifier OID names, `None` when we do not implement it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        use const_oid::db::rfc5912::{ID_MD_5, ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512};
        match *oid {
            o if o == ID_MD_5 => Some(DigestAlgorithm::Md5),
            o if o == ID_SHA_1 => Some(DigestAlgorithm::Sha1),
            o if o == ID_SHA_256 => Some(DigestAlgorithm::Sha256),
            o if o == ID_SHA_384 => Some(DigestAlgorithm::Sha384),
            o if o == ID_SHA_512 => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    pub fn oid(self) -> ObjectIdentifier {
        use const_oid::db::rfc5912::{ID_MD_5, ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512};
        match self {
            DigestAlgorithm::Md5 => ID_MD_5,
            DigestAlgorithm::Sha1 => ID_SHA_1,
            DigestAlgorithm::Sha256 => ID_SHA_256,
            DigestAlgorithm::Sha384 => ID_SHA_384,
            DigestAlgorithm::Sha512 => ID_SHA_512,
        }
    }

    /// The report's spelling: `md5`, `sha1`, `sha256`, `sha384`, `sha512`.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "md5",
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Md5 => 16,
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// MD5 and SHA-1 are broken for collision resistance; reported as weak.
    pub fn is_weak(self) -> bool {
        matches!(self, DigestAlgorithm::Md5 | DigestAlgorithm::Sha1)
    }

    /// A fresh streaming hasher.
    pub fn hasher(self) -> Box<dyn DynDigest> {
        match self {
            DigestAlgorithm::Md5 => Box::new(md5::Md5::default()),
            DigestAlgorithm::Sha1 => Box::new(sha1::Sha1::default()),
            DigestAlgorithm::Sha256 => Box::new(sha2::Sha256::default()),
            DigestAlgorithm::Sha384 => Box::new(sha2::Sha384::default()),
            DigestAlgorithm::Sha512 => Box::new(sha2::Sha512::default()),
        }
    }

    /// Hash one buffer.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize().into_vec()
    }
}

/// Digests of a file that the caller already computed over the same bytes, so the core does not
/// hash them again: the page computes SHA-256 with the browser's WebCrypto (three to four times
/// faster than SHA-256 in wasm), the CLI hashes a big file on two cores. The caller vouches for them:
/// they are used as they are, so they must be computed over exactly `bytes` (whole file) and over
/// `pe::authenticode_ranges` of `bytes` (Authenticode image hash). A digest whose length does not
/// match its algorithm is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownDigests {
    /// SHA-256 of the whole file (the report's `sha256`).
    pub file_sha256: Option<Vec<u8>>,
    /// Authenticode image hashes of a PE file, by algorithm.
    pub authenticode: Vec<(DigestAlgorithm, Vec<u8>)>,
    /// The word sum of the whole file (the PE CheckSum's pass over every byte), summed as the file
    /// was read; ignored unless it covers exactly as many bytes as the file has.
    pub word_sum: Option<WordSum>,
}

impl KnownDigests {
    /// The known Authenticode digest with `alg`, when its length is right.
    pub fn authenticode(&self, alg: DigestAlgorithm) -> Option<&[u8]> {
        self.authenticode.iter().find(|(a, d)| *a == alg && d.len() == alg.output_len()).map(|(_, d)| d.as_slice())
    }

    /// The known word sum of `bytes`, folded, when it covers exactly `bytes`' length.
    pub fn word_sum(&self, bytes: &[u8]) -> Option<u16> {
        self.word_sum.filter(|s| s.len() == bytes.len() as u64).map(|s| s.folded())
    }
}

/// The one's-complement sum of a file's little-endian 16-bit words (an odd last byte counting as a
/// word with a zero high byte), the heart of the PE CheckSum ([`crate::pe::hash::pe_checksum`]),
/// summed piece by piece as the file is read: pieces of any length, in order.
///
/// The words are summed 8 bytes at a time, four words per addition: 2^16, 2^32 and 2^48 are 1
/// modulo 0xffff, and 0xffff divides 2^64 - 1, so folding that sum gives the same 16 bits as
/// summing the 16-bit words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordSum {
    /// The sum so far, in 64 bits with end-around carry.
    sum: u64,
    /// The low byte of a word whose high byte is the next piece's first (after an odd length).
    pending: Option<u8>,
    /// Bytes summed.
    len: u64,
}

impl WordSum {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next `bytes` of the file.
    pub fn update(&mut self, mut bytes: &[u8]) {
        self.len = self.len.saturating_add(bytes.len() as u64);
        if let Some(low) = self.pending {
            let Some((&high, rest)) = bytes.split_first() else { return };
            self.sum = end_around_add(self.sum, u64::from(u16::from_le_bytes([low, high])));
            self.pending = None;
            bytes = rest;
        }
        let (words, odd) = bytes.split_at(bytes.len() & !1);
        self.sum = end_around_add(self.sum, ones_complement_sum(words, SUM_BLOCK));
        self.pending = odd.first().copied();
    }

    /// Bytes summed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The sum folded to 16 bits (a pending odd last byte counts as a word with a zero high byte).
    pub fn folded(&self) -> u16 {
        let sum = self.pending.map_or(self.sum, |low| end_around_add(self.sum, u64::from(low)));
        fold(sum)
    }
}

/// Bytes summed in plain 64-bit accumulators before they join the one's-complement sum: a multiple
/// of 8 below 2^35, so an accumulator takes fewer than 2^32 halves below 2^32 and cannot overflow.
const SUM_BLOCK: usize = 1 << 30;

fn end_around_add(sum: u64, word: u64) -> u64 {
    let (s, carry) = sum.overflowing_add(word);
    // With a carry, s <= 2^64 - 2: adding it back cannot overflow.
    s.wrapping_add(u64::from(carry))
}

/// The one's-complement sum in 64 bits (end-around carry) of `bytes` as little-endian words, an odd
/// last byte counting as a word with a zero high byte. Within each `block` (a multiple of 8 below
/// 2^35) the 32-bit halves of each 8-byte word go into two plain accumulators (no carry to handle
/// in the loop, and two independent chains: measured about twice as fast as an end-around carry on
/// every word, natively and in wasm); the accumulators then join the sum with an end-around carry.
fn ones_complement_sum(bytes: &[u8], block: usize) -> u64 {
    let mut sum: u64 = 0;
    // Only the last block can leave bytes after its 8-byte words (the others are multiples of 8).
    let mut tail: &[u8] = &[];
    for part in bytes.chunks(block.max(8)) {
        let (mut low, mut high) = (0u64, 0u64);
        let mut quads = part.chunks_exact(8);
        for q in &mut quads {
            if let Ok(q) = <[u8; 8]>::try_from(q) {
                let q = u64::from_le_bytes(q);
                // Fewer than 2^32 halves below 2^32 per block (see SUM_BLOCK): no overflow.
                low = low.wrapping_add(q & 0xffff_ffff);
                high = high.wrapping_add(q >> 32);
            }
        }
        sum = end_around_add(end_around_add(sum, low), high);
        tail = quads.remainder();
    }
    let mut words = tail.chunks_exact(2);
    for w in &mut words {
        if let Ok(pair) = <[u8; 2]>::try_from(w) {
            sum = end_around_add(sum, u64::from(u16::from_le_bytes(pair)));
        }
    }
    if let Some(&last) = words.remainder().first() {
        sum = end_around_add(sum, u64::from(last));
    }
    sum
}

fn fold(mut sum: u64) -> u16 {
    while sum > 0xffff {
        // Both halves are below 2^48: no overflow.
        sum = (sum & 0xffff).wrapping_add(sum >> 16);
    }
    sum as u16
}

/// The folded word sum of `bytes` with accumulators joining every `block` bytes (tests: small
/// blocks exercise the joins).
#[cfg(test)]
pub(crate) fn word_sum_in_blocks(bytes: &[u8], block: usize) -> u16 {
    fold(ones_complement_sum(bytes, block))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::encode;

    #[test]
    fn known_vectors() {
        assert_eq!(encode(&DigestAlgorithm::Md5.digest(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(encode(&DigestAlgorithm::Sha1.digest(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(encode(&DigestAlgorithm::Sha256.digest(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        for alg in ALL {
            assert_eq!(alg.digest(b"").len(), alg.output_len());
            assert_eq!(DigestAlgorithm::from_oid(&alg.oid()), Some(alg));
        }
    }
}
