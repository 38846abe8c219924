//! The verification of a decoded timestamp: the token's messageImprint (or the countersigner's
//! messageDigest) is the hash of the outer signature value, and the TSA's SignerInfo verifies.
//!
//! Imports the decoded timestamp ([`crate::signature::timestamp`]) and the signer check
//! ([`super::signer`]); the TSA's certification path is built above, by `chain`.

use super::signer::check_signer;
use crate::checks;
use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::report::{ChainReport, Finding, Outcome};
use crate::signature::timestamp::{DecodedTimestamp, MessageImprint, TimestampContent, TimestampKind, ID_CT_TST_INFO};
use crate::time::UnixTime;
use crate::x509::{Certificate, Verifier};

/// The certificates a timestamp authority's path is built from (by `chain`, a layer above).
#[derive(Clone, Debug, Default)]
pub struct TsaCertificates {
    /// An RFC 3161 token's own certificates (the enclosing SignedData's are tried after them);
    /// `None` for a countersignature, whose certificates are the enclosing SignedData's.
    pub own: Option<Vec<Certificate>>,
    /// The TSA signer certificate's index among them, when it was found.
    pub signer: Option<usize>,
}

/// A verified timestamp.
#[derive(Clone, Debug)]
pub struct Timestamp {
    pub kind: TimestampKind,
    /// The asserted time, when it could be read (the signer's path is judged at it).
    pub time: Option<UnixTime>,
    /// The imprint's or the countersigner's digest algorithm (name, or OID when unknown).
    pub digest_algorithm: String,
    /// The TSA's signer certificate, when it was found.
    pub signer: Option<Certificate>,
    /// Fail when any finding fails, else Unsupported when one could not be checked, else Pass.
    pub verdict: Outcome,
    pub findings: Vec<Finding>,
    pub certificates: TsaCertificates,
    /// The timestamp authority's certification path (added by `chain`).
    pub chain: Option<ChainReport>,
}

fn verdict_of(findings: &[Finding]) -> Outcome {
    if findings.iter().any(|f| f.outcome == Outcome::Fail) {
        Outcome::Fail
    } else if findings.iter().any(|f| f.outcome == Outcome::Unsupported) {
        Outcome::Unsupported
    } else {
        Outcome::Pass
    }
}

/// Verify a decoded timestamp against the outer signature value. `outer_certs` are the
/// enclosing SignedData's certificates (a countersignature's signer is among them).
pub fn verify_timestamp(
    ts: &DecodedTimestamp<'_>,
    outer_certs: &[Certificate],
    outer_signature: &[u8],
    verifier: &Verifier<'_>,
) -> Timestamp {
    let mut findings = ts.findings.clone();
    let mut certificates = TsaCertificates::default();
    let mut signer = None;
    match &ts.content {
        TimestampContent::Undecoded => {}
        TimestampContent::Rfc3161 { signed_data, tst_der, econtent_offset, imprint, signer_info } => {
            if let Some(imprint) = imprint {
                let at = ts.file_offset.saturating_add(*econtent_offset as u64);
                findings.push(check_message_imprint(imprint, outer_signature, at));
            }
            let certs = &signed_data.certificates;
            match signer_info {
                Ok(si) => {
                    let c = check_signer(si, certs, tst_der, Some(ID_CT_TST_INFO), ts.file_offset, "timestamp", verifier);
                    findings.extend(c.findings);
                    certificates.signer = c.signer_index.filter(|i| *i < certs.len());
                }
                Err(f) => findings.push(f.clone()),
            }
            signer = certificates.signer.and_then(|i| certs.get(i)).cloned();
            certificates.own = Some(certs.clone());
        }
        TimestampContent::Countersignature { signer_info } => {
            let c = check_signer(signer_info, outer_certs, outer_signature, None, ts.file_offset, "timestamp", verifier);
            findings.extend(c.findings);
            certificates.signer = c.signer_index.filter(|i| *i < outer_certs.len());
            signer = certificates.signer.and_then(|i| outer_certs.get(i)).cloned();
        }
    }
    Timestamp {
        kind: ts.kind,
        time: ts.time,
        digest_algorithm: ts.digest_algorithm.clone(),
        signer,
        verdict: verdict_of(&findings),
        findings,
        certificates,
        chain: None,
    }
}

/// The token's messageImprint is the hash of the signer's signature value (`at` is the file
/// offset of the TSTInfo, where a failure points).
fn check_message_imprint(imprint: &MessageImprint, outer_signature: &[u8], at: u64) -> Finding {
    let oid = imprint.hash_algorithm.oid;
    let Some(alg) = DigestAlgorithm::from_oid(&oid) else {
        return Finding::new(checks::TIMESTAMP_MESSAGE_IMPRINT.id, Outcome::Unsupported, format!("unknown imprint hash algorithm {oid}"))
            .at(at);
    };
    let expected = alg.digest(outer_signature);
    if imprint.hashed_message.as_bytes() == expected.as_slice() {
        Finding::new(
            checks::TIMESTAMP_MESSAGE_IMPRINT.id,
            Outcome::Pass,
            format!("the token's messageImprint is the {} of the signer's signature value", alg.name()),
        )
    } else {
        Finding::new(
            checks::TIMESTAMP_MESSAGE_IMPRINT.id,
            Outcome::Fail,
            format!(
                "the token's messageImprint ({}) is not the {} of the signer's signature value ({})",
                hex::encode(imprint.hashed_message.as_bytes()),
                alg.name(),
                hex::encode(&expected)
            ),
        )
        .at(at)
    }
}
