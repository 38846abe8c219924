//! Certificate link signatures already checked, kept by the caller across inspections
//! ([`LinkCache`]). In `x509` (beside the check it caches), so that `Options` can name it without
//! looking up at `chain`, which uses it.
//!
//! A batch of drivers signed by one publisher carries the same intermediate certificates in every
//! signature: without a cache each file verifies the same links again (in the browser's wasm, two
//! thirds of the RSA work of a small signed driver, and half its inspection time). The cache is an
//! input like the time and the trust anchors: the caller decides whether there is one and how long
//! it lives ([`crate::Options::link_cache`]); the results are the same with or without it.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::crypto::VerifyError;
use super::Certificate;

/// At most this many links are remembered; past it the cache starts again empty (a batch's
/// publishers have a handful of links, so this bounds memory at ~1 MiB and is never reached).
pub const LINK_CACHE_ENTRIES: usize = 16_384;

/// Outcomes of [`Certificate::verify_issued_by`], keyed by the SHA-256 of the child's and the
/// issuer's DER (the child's holds its signature and signed bytes, the issuer's its key). Shared
/// between threads (the CLI inspects files on every core).
#[derive(Debug, Default)]
pub struct LinkCache {
    links: Mutex<HashMap<[u8; 32], Result<(), VerifyError>>>,
}

impl LinkCache {
    pub fn new() -> LinkCache {
        LinkCache::default()
    }

    /// `child.verify_issued_by(issuer)`, checked once per pair of certificates.
    pub fn verify_issued_by(&self, child: &Certificate, issuer: &Certificate) -> Result<(), VerifyError> {
        let key = link_key(child, issuer);
        if let Some(known) = self.links.lock().ok().and_then(|links| links.get(&key).cloned()) {
            return known;
        }
        let result = child.verify_issued_by(issuer);
        if let Ok(mut links) = self.links.lock() {
            if links.len() >= LINK_CACHE_ENTRIES {
                links.clear();
            }
            links.insert(key, result.clone());
        }
        result
    }

    /// How many links are remembered.
    pub fn len(&self) -> usize {
        self.links.lock().map(|l| l.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn link_key(child: &Certificate, issuer: &Certificate) -> [u8; 32] {
    let mut h = Sha256::new();
    // Length-prefixed: no two pairs hash the same bytes.
    h.update((child.der.len() as u64).to_le_bytes());
    h.update(&child.der);
    h.update(&issuer.der);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pki(name: &str) -> Certificate {
        let path = format!("{}/tests/fixtures/pki/{name}.der", env!("CARGO_MANIFEST_DIR"));
        Certificate::from_der(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn remembers_each_link_and_gives_what_the_check_gives() {
        let (leaf, ca, root) = (pki("publisher"), pki("code-signing-ca"), pki("root-ca"));
        let cache = LinkCache::new();
        for _ in 0..2 {
            assert_eq!(cache.verify_issued_by(&leaf, &ca), leaf.verify_issued_by(&ca));
            assert!(cache.verify_issued_by(&leaf, &ca).is_ok());
            assert_eq!(cache.verify_issued_by(&leaf, &root), leaf.verify_issued_by(&root));
            assert!(cache.verify_issued_by(&leaf, &root).is_err(), "the root did not sign the publisher");
        }
        assert_eq!(cache.len(), 2);
    }
}
