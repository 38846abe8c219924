//! The check of one decoded SignerInfo, one function per rule: its digest algorithm, the signer
//! certificate among those carried, the contentType and messageDigest signed attributes, and the
//! signature over the original signedAttrs (tag byte replaced by SET) or over the content.
//!
//! Imports the decoded CMS types ([`crate::signature::signer`]) and [`crate::x509`] (keys and
//! signature verification); builds no certification path.

use crate::checks;
use const_oid::ObjectIdentifier;

use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::report::{Finding, Outcome};
use crate::signature::signer::{find_signer, oid_of, RawSignerInfo, SignerId, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST};
use crate::tlv::{TAG_OCTET_STRING, TAG_SET};
use crate::x509::certificate::serial_hex;
use crate::x509::{crypto, name, Certificate, Verifier};

/// The outcome of checking one SignerInfo.
#[derive(Clone, Debug, Default)]
pub struct SignerCheck {
    /// The signer certificate's index among the certificates carried, when it was found.
    pub signer_index: Option<usize>,
    /// Fail when any check failed, else Unsupported when one could not be made, else Pass.
    pub verdict: Outcome,
    pub findings: Vec<Finding>,
}

/// The findings of one SignerInfo's checks so far, named `{prefix}.{rule}`.
struct Checks<'p> {
    prefix: &'p str,
    file_offset: u64,
    findings: Vec<Finding>,
}

impl Checks<'_> {
    fn id(&self, rule: &str) -> String {
        format!("{}.{rule}", self.prefix)
    }

    fn at(&self, rel: usize) -> u64 {
        self.file_offset.saturating_add(rel as u64)
    }

    fn verdict(&self) -> Outcome {
        if self.findings.iter().any(|f| f.outcome == Outcome::Fail) {
            Outcome::Fail
        } else if self.findings.iter().any(|f| f.outcome == Outcome::Unsupported) {
            Outcome::Unsupported
        } else {
            Outcome::Pass
        }
    }
}

/// Check one SignerInfo over `content` (the eContent value octets, or for a countersignature the
/// outer signature value). `prefix` names the checks (`signature` or `timestamp`).
/// `expected_content_type` is compared with the contentType signed attribute when both exist.
/// `verifier` checks the signature itself (the core, or the caller ahead: [`Verifier`]).
pub fn check_signer(
    si: &RawSignerInfo<'_>,
    certs: &[Certificate],
    content: &[u8],
    expected_content_type: Option<ObjectIdentifier>,
    file_offset: u64,
    prefix: &str,
    verifier: &Verifier<'_>,
) -> SignerCheck {
    let mut c = Checks { prefix, file_offset, findings: Vec::new() };
    let digest_algorithm = DigestAlgorithm::from_oid(&si.digest_algorithm.oid);
    check_signer_digest_algorithm(&mut c, si, digest_algorithm);
    let signer_index = find_signer(&si.sid, certs);
    let signer = signer_index.and_then(|i| certs.get(i));
    check_signer_certificate(&mut c, si, signer, certs.len());
    // A plan verifies nothing: the message digest (a catalog's whole content) is for the inspection.
    if let (Some(attrs), false) = (&si.signed_attrs, verifier.is_plan()) {
        check_content_type(&mut c, si, expected_content_type);
        match (si.signed_attr(&ID_MESSAGE_DIGEST), digest_algorithm) {
            (Some(_), Some(alg)) => check_message_digest(&mut c, si, alg, content),
            (None, _) => c.findings.push(
                Finding::new(&c.id("message-digest"), Outcome::Fail, "signed attributes without a messageDigest attribute")
                    .at(c.at(attrs.offset)),
            ),
            (Some(_), None) => {}
        }
    }
    if let Some(cert) = signer {
        check_signature(&mut c, si, cert, digest_algorithm, &signed_bytes(si, content), verifier);
    }
    SignerCheck { signer_index, verdict: c.verdict(), findings: c.findings }
}

/// The signer's digest algorithm is known, and not MD5.
fn check_signer_digest_algorithm(c: &mut Checks<'_>, si: &RawSignerInfo<'_>, digest_algorithm: Option<DigestAlgorithm>) {
    let at = c.at(si.tlv.offset);
    match digest_algorithm {
        Some(DigestAlgorithm::Md5) => c
            .findings
            .push(Finding::new(&c.id("signer-digest-algorithm"), Outcome::Warn, "the signer hashes with MD5, which is broken").at(at)),
        Some(_) => {}
        None => c.findings.push(
            Finding::new(
                &c.id("signer-digest-algorithm"),
                Outcome::Unsupported,
                format!("unknown signer digest algorithm {}", si.digest_algorithm.oid),
            )
            .at(at),
        ),
    }
}

/// The certificate the SignerInfo names is among the `carried` certificates.
fn check_signer_certificate(c: &mut Checks<'_>, si: &RawSignerInfo<'_>, signer: Option<&Certificate>, carried: usize) {
    let finding = match signer {
        Some(p) => Finding::new(&c.id("signer-certificate"), Outcome::Pass, format!("the signer certificate is present ({})", p.subject())),
        None => {
            let who = match &si.sid {
                SignerId::IssuerSerial(ias) => {
                    format!("issuer {} serial {}", name::to_string(&ias.issuer), serial_hex(ias.serial_number.as_bytes()))
                }
                SignerId::SubjectKeyId(k) => format!("subject key identifier {}", hex::encode(k)),
            };
            Finding::new(
                &c.id("signer-certificate"),
                Outcome::Fail,
                format!("the signer certificate ({who}) is not among the {carried} certificates carried"),
            )
            .at(c.at(si.tlv.offset))
        }
    };
    c.findings.push(finding);
}

/// The contentType signed attribute, when present, names the content type signed.
fn check_content_type(c: &mut Checks<'_>, si: &RawSignerInfo<'_>, expected: Option<ObjectIdentifier>) {
    let (Some(ct), Some(a)) = (expected, si.signed_attr(&ID_CONTENT_TYPE)) else { return };
    let got = a.values.first().and_then(|v| oid_of(v).ok());
    if got != Some(ct) {
        c.findings.push(
            Finding::new(&c.id("content-type"), Outcome::Fail, format!("the contentType attribute does not name the content type {ct}"))
                .at(c.at(a.offset)),
        );
    }
}

/// The messageDigest signed attribute has one value, the `alg` digest of `content`.
fn check_message_digest(c: &mut Checks<'_>, si: &RawSignerInfo<'_>, alg: DigestAlgorithm, content: &[u8]) {
    let Some(a) = si.signed_attr(&ID_MESSAGE_DIGEST) else { return };
    let stored = a.values.first().filter(|v| v.tag == TAG_OCTET_STRING).map(|v| v.value);
    let computed = alg.digest(content);
    let finding = if a.values.len() != 1 {
        Finding::new(&c.id("message-digest"), Outcome::Fail, "the messageDigest attribute must have exactly one value").at(c.at(a.offset))
    } else if stored == Some(computed.as_slice()) {
        Finding::new(
            &c.id("message-digest"),
            Outcome::Pass,
            format!("the messageDigest attribute equals the {} of the signed content", alg.name()),
        )
    } else {
        Finding::new(
            &c.id("message-digest"),
            Outcome::Fail,
            format!(
                "the messageDigest attribute ({}) differs from the {} of the signed content ({})",
                hex::encode(stored.unwrap_or_default()),
                alg.name(),
                hex::encode(&computed)
            ),
        )
        .at(c.at(a.offset))
    };
    c.findings.push(finding);
}

/// The bytes the signature covers: the DER of the signedAttrs SET (the original bytes with
/// `[0] IMPLICIT` replaced by SET), or the content itself when there are no signed attributes.
fn signed_bytes(si: &RawSignerInfo<'_>, content: &[u8]) -> Vec<u8> {
    match &si.signed_attrs {
        Some(attrs) => {
            let mut b = attrs.raw.to_vec();
            if let Some(first) = b.first_mut() {
                *first = TAG_SET;
            }
            b
        }
        None => content.to_vec(),
    }
}

/// The signature verifies with the signer certificate's key (a bare RSA digest without a
/// DigestInfo is accepted with a warning, as CryptoAPI accepts it).
fn check_signature(
    c: &mut Checks<'_>,
    si: &RawSignerInfo<'_>,
    signer: &Certificate,
    digest_algorithm: Option<DigestAlgorithm>,
    signed_bytes: &[u8],
    verifier: &Verifier<'_>,
) {
    let spki = &signer.decoded.tbs_certificate.subject_public_key_info;
    let mut result = verifier.verify(spki, &si.signature_algorithm, digest_algorithm, signed_bytes, si.signature.value);
    if result == Err(crypto::VerifyError::BadSignature) && crypto::is_rsa_pkcs1(&si.signature_algorithm.oid) {
        let digest = crypto::implied_digest(&si.signature_algorithm.oid).or(digest_algorithm);
        if let Some(d) = digest {
            if crypto::verify_rsa_bare_digest(spki, d, signed_bytes, si.signature.value).is_ok() {
                result = Ok(());
                c.findings.push(
                    Finding::new(
                        &c.id(checks::SIGNATURE_LEGACY_PADDING.id),
                        Outcome::Warn,
                        "the RSA signature holds the bare digest without a DigestInfo (a legacy form CryptoAPI accepts and OpenSSL rejects)",
                    )
                    .at(c.at(si.signature.offset)),
                );
            }
        }
    }
    let finding = match result {
        Ok(()) => Finding::new(
            &c.id("signature"),
            Outcome::Pass,
            format!("the signer's {} signature verifies with the signer certificate's key", si.signature_algorithm.oid),
        ),
        Err(e) => {
            let outcome = if e.is_unsupported() { Outcome::Unsupported } else { Outcome::Fail };
            Finding::new(&c.id("signature"), outcome, e.to_string()).at(c.at(si.signature.offset))
        }
    };
    c.findings.push(finding);
}
