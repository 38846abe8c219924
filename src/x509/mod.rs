//! X.509, the bottom layer of signature checking: certificates ([`Certificate`], decoded with
//! their original DER), names as text ([`name`]), public keys and signature verification
//! ([`crypto`]: RSA PKCS#1 v1.5 / PSS, ECDSA P-256 / P-384), and one constant per OID the core
//! decides on ([`oid`]); [`LinkCache`], the link checks a caller keeps across inspections;
//! [`Verifier`], who checks a signer's signature (the core, or a caller ahead: [`verifier`]).
//!
//! A leaf: it imports only the crate's utilities (`digest`, `hex`, `time`, `tlv`, `oid_names`),
//! never a layer above (no CMS, no chain, no report). What the report shows of a certificate is
//! built from it by the report-building code (`From<&Certificate> for CertificateSummary`).

pub mod certificate;
pub mod crypto;
pub mod link_cache;
pub mod name;
pub mod oid;
pub mod verifier;

pub use certificate::{Certificate, Facts};
pub use crypto::VerifyError;
pub use link_cache::LinkCache;
pub use verifier::{KnownSignatures, SignatureRequest, Verifier};
