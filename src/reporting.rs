//! The report built from the lower layers' typed results: `From` impls from their types to the
//! report's plain data ([`crate::report`]), and the questions the report's data answers the same
//! way everywhere ([`CertificateSummary::subject_cn`]).
//!
//! May import [`crate::report`] and the layers whose results it turns into report data
//! ([`crate::x509`], [`crate::signature`]); nothing below imports it (`chain` still builds its
//! report data itself, with the certificate summary from here).

use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::report::{CertificateSummary, SignatureReport, TimestampReport};
use crate::signature::{Signature, Timestamp};
use crate::x509::certificate::{key_description, key_usage_names, serial_hex, time_to_unix};
use crate::x509::{name, oid, Certificate};

impl From<&Certificate> for CertificateSummary {
    /// Subject, issuer, serial, validity, thumbprints (over the original DER), key, extensions,
    /// TBS hash and the DER for download.
    fn from(cert: &Certificate) -> CertificateSummary {
        let tbs = &cert.decoded.tbs_certificate;
        let facts = cert.facts();
        let (key_algorithm, key_bits) = key_description(&cert.decoded);
        let (is_ca, path_len) = facts.basic_constraints.unwrap_or((false, None));
        CertificateSummary {
            subject: cert.subject(),
            issuer: cert.issuer(),
            serial: serial_hex(tbs.serial_number.as_bytes()),
            not_before: time_to_unix(&tbs.validity.not_before).unwrap_or_default(),
            not_after: time_to_unix(&tbs.validity.not_after).unwrap_or_default(),
            sha1: hex::encode(&cert.thumbprint(DigestAlgorithm::Sha1)),
            sha256: hex::encode(&cert.thumbprint(DigestAlgorithm::Sha256)),
            key_algorithm,
            key_bits,
            ekus: facts.ekus.iter().flatten().map(|o| o.to_string()).collect(),
            eku_names: facts.ekus.iter().flatten().map(oid::eku_short_name).collect(),
            is_ca,
            path_len,
            key_usage: facts.key_usage.as_ref().map(key_usage_names).unwrap_or_default(),
            subject_key_id: facts.subject_key_id.as_deref().map(hex::encode),
            authority_key_id: facts.authority_key_id.as_deref().map(hex::encode),
            tbs_hash: cert.tbs_hash().map(|h| hex::encode(&h)).unwrap_or_default(),
            der_base64: cert.der_base64(),
        }
    }
}

impl CertificateSummary {
    /// The subject's common name (escapes resolved), or the whole subject when it has no CN.
    pub fn subject_cn(&self) -> String {
        name::cn_or_name(&self.subject)
    }

    /// The issuer's common name (escapes resolved), or the whole issuer when it has no CN.
    pub fn issuer_cn(&self) -> String {
        name::cn_or_name(&self.issuer)
    }
}

impl From<Signature> for SignatureReport {
    /// Everything the signature layers say; the file layer fills the computed digest, its
    /// verdict and the page hashes, the policy layer the classification.
    fn from(sig: Signature) -> SignatureReport {
        SignatureReport {
            index: sig.index,
            depth: sig.depth,
            parent: sig.parent,
            source: sig.source,
            offset: Some(sig.offset),
            digest_algorithm: sig.digest_algorithm_name,
            signed_digest: hex::encode(&sig.signed_digest),
            signer: sig.signer.and_then(|i| sig.certificates.get(i)).map(CertificateSummary::from),
            signature_verdict: sig.signature_verdict,
            no_signer_info: sig.no_signer_info,
            program_name: sig.program_name,
            more_info_url: sig.more_info_url,
            certificates: sig.certificates.iter().map(CertificateSummary::from).collect(),
            timestamps: sig.timestamps.into_iter().map(TimestampReport::from).collect(),
            findings: sig.findings,
            chain: sig.chain,
            ..Default::default()
        }
    }
}

impl From<Timestamp> for TimestampReport {
    fn from(ts: Timestamp) -> TimestampReport {
        TimestampReport {
            kind: match ts.kind {
                crate::signature::timestamp::TimestampKind::Rfc3161 => crate::report::TimestampKind::Rfc3161,
                crate::signature::timestamp::TimestampKind::Countersignature => crate::report::TimestampKind::Pkcs9Countersignature,
            },
            time: ts.time.map(|t| t.to_rfc3339()),
            digest_algorithm: ts.digest_algorithm,
            signer: ts.signer.as_ref().map(CertificateSummary::from),
            verdict: ts.verdict,
            findings: ts.findings,
            chain: ts.chain,
        }
    }
}
