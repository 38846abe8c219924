//! Authenticode signatures: PKCS#7 SignedData (CMS) with SpcIndirectDataContent, the signer, its
//! timestamps and nested signatures. Catalogs (eContentType szOID_CTL) go through the same path:
//! their signer is checked the same way and the indirect-data fields stay empty.
//!
//! Two steps: [`decode()`] turns the bytes into typed values ([`DecodedSignature`]) and verifies
//! nothing (what `pe::hash_plan` needs); [`verify()`] checks each signer and timestamp over the
//! decoded values ([`Signature`]). Certification paths are a layer above (`chain::build_for`).
//!
//! Module map: [`signer`] decodes SignedData / SignerInfo; [`spc`] holds the Microsoft ASN.1
//! types; [`timestamp`] decodes RFC 3161 tokens and PKCS#9 countersignatures; [`decode`](mod@decode) walks a
//! SignedData and its nested signatures; [`verify`](mod@verify) checks them ([`verify::signer`],
//! [`verify::timestamp`]); [`trust_file`] reads a PKCS#7 certificate bundle. May import only
//! lower layers: [`crate::tlv`], [`crate::x509`], [`crate::digest`], [`crate::time`] and the
//! report's [`crate::report::Finding`] / [`crate::report::Outcome`].

pub mod decode;
pub mod signer;
pub mod spc;
pub mod timestamp;
pub mod trust_file;
pub mod verify;

use crate::digest::DigestAlgorithm;
use crate::report::Finding;
pub use decode::{decode, DecodedSignature};
pub use verify::{signature_requests, verify, verify_with, Signature, Timestamp};

/// Nested signatures deeper than this are not decoded (a finding says so).
pub const MAX_NESTING_DEPTH: u32 = 8;
/// At most this many signatures (outer and nested) are decoded from one SignedData.
pub const MAX_SIGNATURES: usize = 64;

/// The page hash table carried in SpcPeImageData (1.3.6.1.4.1.311.2.3.1 SHA-1 / .2.3.2 SHA-256).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageHashTable {
    pub algorithm: DigestAlgorithm,
    /// (file offset, hash of the page starting there); the last entry has the end offset and a zero hash.
    pub entries: Vec<(u32, Vec<u8>)>,
}

/// Decode and verify the DER SignedData found at `file_offset` and every signature nested in it
/// ([`decode()`] then [`verify()`]).
///
/// Errors only when not even the outer ContentInfo can be read; the finding carries the offset.
pub fn read_signed_data(der: &[u8], file_offset: u64, source: &str, first_index: usize) -> Result<Vec<Signature>, Finding> {
    read_signed_data_with(der, file_offset, source, first_index, &crate::x509::Verifier::Core)
}

/// [`read_signed_data`], with the signers' signatures checked by `verifier` ([`verify_with`]).
pub fn read_signed_data_with(
    der: &[u8],
    file_offset: u64,
    source: &str,
    first_index: usize,
    verifier: &crate::x509::Verifier<'_>,
) -> Result<Vec<Signature>, Finding> {
    decode(der, file_offset, source, first_index).map(|d| verify_with(&d, verifier))
}
