//! Who checks a signer's signature: the core ([`crypto::verify`]), or, for the RSA PKCS#1 v1.5
//! signatures a caller can check faster itself (the page's workers, with WebCrypto), the caller
//! ahead of the inspection. A CMS signer check goes through a [`Verifier`]:
//!
//! - [`Verifier::Core`]: every signature is verified here (the CLI, tests);
//! - [`Verifier::Plan`]: nothing is verified; the checks a caller could make are recorded as
//!   [`SignatureRequest`]s (the signed bytes, the signature, the key and the hash), in the order of
//!   the report's signers;
//! - [`Verifier::Known`]: a signature whose request is in the caller's [`KnownSignatures`] (the
//!   requests its own verifier accepted) is taken as verified; anything else (not asked, refused,
//!   not eligible) is verified here as with `Core`, so a caller's refusal or error never turns into
//!   a result of its own: the core says why.
//!
//! Only what the caller's verifier decides exactly as the core does is asked for: RSA PKCS#1 v1.5
//! with SHA-1/256/384/512, an `rsaEncryption` key the `rsa` crate accepts (up to 4096 bits), and a
//! signature as long as the modulus. The legacy bare-digest form, PSS and ECDSA stay with the core.
//! A request's [`SignatureRequest::key`] binds all four inputs: an answer for one signature says
//! nothing about another.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use der::Encode;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::crypto::{self, VerifyError};
use crate::digest::DigestAlgorithm;

/// One RSA PKCS#1 v1.5 signature check a caller can make: `signature` over `message` with the key
/// in `spki` (its SubjectPublicKeyInfo DER) and `hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRequest {
    pub spki: Vec<u8>,
    pub hash: DigestAlgorithm,
    pub message: Vec<u8>,
    pub signature: Vec<u8>,
}

impl SignatureRequest {
    /// The request for this check, when a caller can make it exactly as the core does; `None`
    /// otherwise (the core checks it).
    pub fn new(
        spki: &SubjectPublicKeyInfoOwned,
        signature_alg: &AlgorithmIdentifierOwned,
        digest_alg: Option<DigestAlgorithm>,
        message: &[u8],
        signature: &[u8],
    ) -> Option<SignatureRequest> {
        let hash = crypto::pkcs1_digest(&signature_alg.oid, digest_alg)?;
        if hash == DigestAlgorithm::Md5 || spki.algorithm.oid != crypto::RSA_ENCRYPTION {
            return None;
        }
        let modulus_bytes = crypto::rsa_modulus_bytes(spki)?;
        if signature.len() != modulus_bytes {
            return None;
        }
        Some(SignatureRequest { spki: spki.to_der().ok()?, hash, message: message.to_vec(), signature: signature.to_vec() })
    }

    /// Names the key and the hash (the SHA-256 of both, in hex): a caller that imports keys
    /// (WebCrypto) imports each once.
    pub fn key_id(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.hash.name().as_bytes());
        h.update([0]);
        h.update(&self.spki);
        crate::hex::encode(&h.finalize())
    }

    /// The SHA-256 of the four inputs, length-prefixed (no two requests hash the same bytes).
    pub fn key(&self) -> [u8; 32] {
        request_key(&self.spki, self.hash, &self.message, &self.signature)
    }
}

/// [`SignatureRequest::key`] of borrowed inputs (an inspection looks its checks up without
/// copying them into a request).
fn request_key(spki: &[u8], hash: DigestAlgorithm, message: &[u8], signature: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [spki, hash.name().as_bytes(), message] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(signature);
    h.finalize().into()
}

/// The signature checks a caller made and accepted (the [`SignatureRequest::key`]s of those its
/// verifier said verify), for one inspection ([`crate::Options::known_signatures`]).
#[derive(Debug, Default)]
pub struct KnownSignatures {
    keys: HashSet<[u8; 32]>,
    /// How many checks were answered from `keys` (what [`KnownSignatures::used`] says).
    used: AtomicUsize,
}

impl Clone for KnownSignatures {
    fn clone(&self) -> Self {
        KnownSignatures { keys: self.keys.clone(), used: AtomicUsize::new(self.used()) }
    }
}

impl KnownSignatures {
    pub fn new() -> KnownSignatures {
        KnownSignatures::default()
    }

    /// The caller verified `request` and it holds.
    pub fn insert(&mut self, request: &SignatureRequest) {
        self.keys.insert(request.key());
    }

    pub fn contains(&self, request: &SignatureRequest) -> bool {
        self.keys.contains(&request.key())
    }

    /// Whether the caller verified this check: the key of its inputs is among the answers. No
    /// eligibility test here: an answer exists only for a request a plan made, and the key binds
    /// every input, so the same inputs were eligible then.
    fn answers(&self, spki: &SubjectPublicKeyInfoOwned, hash: Option<DigestAlgorithm>, message: &[u8], signature: &[u8]) -> bool {
        let Some(hash) = hash else { return false };
        let Ok(spki) = spki.to_der() else { return false };
        self.keys.contains(&request_key(&spki, hash, message, signature))
    }

    /// How many signature checks the core took from these answers so far (a caller can tell that
    /// its work was used).
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Who checks a signer's signature (see the module's documentation).
#[derive(Clone, Copy, Debug, Default)]
pub enum Verifier<'a> {
    #[default]
    Core,
    Known(&'a KnownSignatures),
    Plan(&'a RefCell<Vec<SignatureRequest>>),
}

impl Verifier<'_> {
    /// [`crypto::verify`], or the caller's answer for it. In `Plan`, nothing is verified: the
    /// check is recorded (when a caller can make it) and taken as holding.
    pub fn verify(
        &self,
        spki: &SubjectPublicKeyInfoOwned,
        signature_alg: &AlgorithmIdentifierOwned,
        digest_alg: Option<DigestAlgorithm>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        match self {
            Verifier::Core => crypto::verify(spki, signature_alg, digest_alg, message, signature),
            Verifier::Known(known) if known.answers(spki, crypto::pkcs1_digest(&signature_alg.oid, digest_alg), message, signature) => {
                known.used.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Verifier::Known(_) => crypto::verify(spki, signature_alg, digest_alg, message, signature),
            Verifier::Plan(requests) => {
                if let Some(request) = SignatureRequest::new(spki, signature_alg, digest_alg, message, signature) {
                    requests.borrow_mut().push(request);
                }
                Ok(())
            }
        }
    }

    /// True in `Plan`: nothing is verified (the legacy bare-digest retry is not tried either, nor
    /// the signer's other checks that hash: `check_signer` skips the message digest).
    pub fn is_plan(&self) -> bool {
        matches!(self, Verifier::Plan(_))
    }
}
