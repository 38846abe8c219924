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
}

impl KnownDigests {
    /// The known Authenticode digest with `alg`, when its length is right.
    pub fn authenticode(&self, alg: DigestAlgorithm) -> Option<&[u8]> {
        self.authenticode.iter().find(|(a, d)| *a == alg && d.len() == alg.output_len()).map(|(_, d)| d.as_slice())
    }
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
