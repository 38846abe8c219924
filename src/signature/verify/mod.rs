//! Verification of decoded signatures ([`super::decode()`]): the signer's check ([`signer`]) and
//! each timestamp's ([`timestamp`]). No trust anchors and no certification paths: `chain`, a
//! layer above, builds them from the certificates a verified [`Signature`] keeps.
//!
//! Imports the decoded types of [`crate::signature`], [`crate::x509`] and [`crate::digest`].

pub mod signer;
pub mod timestamp;

use super::decode::DecodedSignature;
use super::PageHashTable;
use crate::digest::DigestAlgorithm;
use crate::report::{ChainReport, Finding, Outcome};
use crate::x509::{Certificate, SignatureRequest, Verifier};
pub use timestamp::{Timestamp, TsaCertificates};

/// One verified signature, outer or nested: what the file layer needs to check its digest and
/// the chain layer to build its paths. The report is made from it with `From` (in
/// [`crate::reporting`]).
#[derive(Clone, Debug)]
pub struct Signature {
    /// Position in the file report's signatures.
    pub index: usize,
    /// 0 for an outer signature, 1 for one nested in it, ...
    pub depth: u32,
    /// Index of the signature this one is nested in.
    pub parent: Option<usize>,
    /// Where it came from, e.g. `WIN_CERTIFICATE #0 at 0x3a00` or `nested in signature 0`.
    pub source: String,
    /// File offset of the SignedData.
    pub offset: u64,
    /// From SpcIndirectDataContent.messageDigest.digestAlgorithm; `None` when unknown/unparsed.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// The digest algorithm's name, or its OID when unknown; empty without SpcIndirectDataContent.
    pub digest_algorithm_name: String,
    /// SpcIndirectDataContent.messageDigest.digest.
    pub signed_digest: Vec<u8>,
    pub page_hashes: Option<PageHashTable>,
    /// The SignedData's certificates, decoded.
    pub certificates: Vec<Certificate>,
    /// The signer certificate's index in `certificates`, when it was found.
    pub signer: Option<usize>,
    /// The signer's signature over the signed attributes (and the messageDigest attribute).
    pub signature_verdict: Outcome,
    /// The SignedData has no SignerInfo at all: nothing is signed.
    pub no_signer_info: bool,
    pub program_name: Option<String>,
    pub more_info_url: Option<String>,
    pub timestamps: Vec<Timestamp>,
    /// Decoding's and the signer check's findings, in report order.
    pub findings: Vec<Finding>,
    /// The signer's certification path (added by `chain`).
    pub chain: Option<ChainReport>,
}

/// Verify every decoded signature: each one's signer, then its timestamps. Same order, same
/// indices as `decoded`.
pub fn verify(decoded: &[DecodedSignature<'_>]) -> Vec<Signature> {
    verify_with(decoded, &Verifier::Core)
}

/// [`verify`], with the signers' signatures checked by `verifier` (the core, or partly the
/// caller ahead: [`Verifier::Known`]).
pub fn verify_with(decoded: &[DecodedSignature<'_>], verifier: &Verifier<'_>) -> Vec<Signature> {
    decoded.iter().map(|d| verify_one(d, verifier)).collect()
}

/// The signer signature checks a caller could make ahead for `decoded` ([`Verifier::Plan`]):
/// every signer's and every timestamp's that is eligible, in report order. Nothing is verified.
pub fn signature_requests(decoded: &[DecodedSignature<'_>]) -> Vec<SignatureRequest> {
    let requests = core::cell::RefCell::new(Vec::new());
    let verifier = Verifier::Plan(&requests);
    for d in decoded {
        let sd = &d.signed_data;
        if let Ok(si) = &d.signer_info {
            let content = sd.econtent.map(|t| t.value).unwrap_or_default();
            signer::check_signer(si, &sd.certificates, content, Some(sd.content_type), d.file_offset, "signature", &verifier);
        }
        let outer_signature = d.signer_info.as_ref().map(|si| si.signature.value).unwrap_or_default();
        for t in &d.timestamps {
            timestamp::verify_timestamp(t, &sd.certificates, outer_signature, &verifier);
        }
    }
    requests.into_inner()
}

fn verify_one(d: &DecodedSignature<'_>, verifier: &Verifier<'_>) -> Signature {
    let sd = &d.signed_data;
    let mut findings = d.findings.clone();
    let (signer, signature_verdict) = match &d.signer_info {
        Ok(si) => {
            let content = sd.econtent.map(|t| t.value).unwrap_or_default();
            let check = signer::check_signer(si, &sd.certificates, content, Some(sd.content_type), d.file_offset, "signature", verifier);
            findings.extend(check.findings);
            (check.signer_index.filter(|i| *i < sd.certificates.len()), check.verdict)
        }
        Err(f) => {
            findings.push(f.clone());
            (None, f.outcome)
        }
    };
    findings.extend(d.attribute_findings.iter().cloned());
    let outer_signature = d.signer_info.as_ref().map(|si| si.signature.value).unwrap_or_default();
    let timestamps = d.timestamps.iter().map(|t| timestamp::verify_timestamp(t, &sd.certificates, outer_signature, verifier)).collect();
    Signature {
        index: d.index,
        depth: d.depth,
        parent: d.parent,
        source: d.source.clone(),
        offset: d.offset,
        digest_algorithm: d.indirect_data.digest_algorithm,
        digest_algorithm_name: d.indirect_data.digest_algorithm_name.clone(),
        signed_digest: d.indirect_data.signed_digest.clone(),
        page_hashes: d.indirect_data.page_hashes.clone(),
        certificates: sd.certificates.clone(),
        signer,
        signature_verdict,
        no_signer_info: sd.signer_infos.is_empty(),
        program_name: d.program_name.clone(),
        more_info_url: d.more_info_url.clone(),
        timestamps,
        findings,
        chain: None,
    }
}
