//! Timestamps on a signer: RFC 3161 tokens (unsigned attribute 1.3.6.1.4.1.311.3.3.1) and legacy
//! PKCS#9 countersignatures (1.2.840.113549.1.9.6). Both vouch for the outer SignerInfo's
//! `signature` value: the token's messageImprint, or the countersigner's messageDigest, is its hash.

use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString};
use der::{Any, Decode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;

use super::signer;
use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::report::{Finding, Outcome, TimestampReport};
use crate::tlv::{Reader, Tlv, TAG_GENERALIZED_TIME};
use crate::x509::Certificate;

/// id-ct-TSTInfo: eContentType of a TimeStampToken.
pub const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// ```text
/// TSTInfo ::= SEQUENCE {
///     version                      INTEGER  { v1(1) },
///     policy                       TSAPolicyId,
///     messageImprint               MessageImprint,
///     serialNumber                 INTEGER,
///     genTime                      GeneralizedTime,
///     accuracy                     Accuracy                 OPTIONAL,
///     ordering                     BOOLEAN             DEFAULT FALSE,
///     nonce                        INTEGER                  OPTIONAL,
///     tsa                          [0] GeneralName          OPTIONAL,
///     extensions                   [1] IMPLICIT Extensions  OPTIONAL }
/// ```
/// (RFC 3161 section 2.4.2.) `genTime` is kept as `Any`: TSAs write fractional seconds
/// (`20171116220544.331Z`), which der 0.7's GeneralizedTime refuses.
#[derive(Clone, Debug, Sequence)]
pub struct TstInfo {
    pub version: u8,
    pub policy: ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    pub gen_time: Any,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(optional = "true")]
    pub ordering: Option<bool>,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// ```text
/// MessageImprint ::= SEQUENCE {
///     hashAlgorithm                AlgorithmIdentifier,
///     hashedMessage                OCTET STRING  }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct MessageImprint {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}

/// ```text
/// Accuracy ::= SEQUENCE {
///     seconds        INTEGER              OPTIONAL,
///     millis     [0] INTEGER  (1..999)    OPTIONAL,
///     micros     [1] INTEGER  (1..999)    OPTIONAL  }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct Accuracy {
    #[asn1(optional = "true")]
    pub seconds: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<Int>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<Int>,
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

/// The certificates a timestamp authority's path is built from (by `chain`, a layer above).
#[derive(Clone, Debug, Default)]
pub struct TsaCertificates {
    /// An RFC 3161 token's own certificates (the enclosing SignedData's are tried after them);
    /// `None` for a countersignature, whose certificates are the enclosing SignedData's.
    pub own: Option<Vec<Certificate>>,
    /// The TSA signer certificate's index among them, when it was found.
    pub signer: Option<usize>,
}

/// Check an RFC 3161 TimeStampToken (`token` is the attribute value: a ContentInfo) against the
/// outer signature value. Offsets in `token` are relative to the root of the walk.
pub fn rfc3161(token: &Tlv<'_>, outer_signature: &[u8], file_offset: u64) -> (TimestampReport, TsaCertificates) {
    let at = |rel: usize| file_offset.saturating_add(rel as u64);
    let mut report = unverified("rfc3161");
    let mut reader = Reader::with_base(token.raw, token.offset);
    let sd = match signer::read_signed_data_content_info(&mut reader) {
        Ok(sd) => sd,
        Err(e) => {
            report.verdict = e.outcome();
            report
                .findings
                .push(Finding::new("timestamp.decode", e.outcome(), format!("the RFC 3161 token does not decode: {e}")).at(at(e.offset())));
            return (report, TsaCertificates::default());
        }
    };
    for (outcome, check, reason, off) in &sd.findings {
        report.findings.push(Finding::new(check, *outcome, reason.clone()).at(at(*off)));
    }
    if sd.content_type != ID_CT_TST_INFO {
        report.findings.push(
            Finding::new(
                "timestamp.content-type",
                Outcome::Fail,
                format!("the token's content type is {}, not id-ct-TSTInfo", sd.content_type),
            )
            .at(at(sd.tlv.offset)),
        );
        report.verdict = Outcome::Fail;
        return (report, TsaCertificates::default());
    }
    // eContent is an OCTET STRING holding the DER TSTInfo; the signer's messageDigest covers it.
    let Some(econtent) = sd.econtent else {
        report.findings.push(Finding::new("timestamp.decode", Outcome::Fail, "the token has no TSTInfo").at(at(sd.tlv.offset)));
        return (report, TsaCertificates::default());
    };
    let tst_der = econtent.value;
    match TstInfo::from_der(tst_der) {
        Ok(tst) => {
            let gen = Tlv { tag: TAG_GENERALIZED_TIME, offset: 0, value_offset: 0, raw: &[], value: tst.gen_time.value() };
            report.time = signer::parse_time(&gen).map(|t| t.to_rfc3339());
            if report.time.is_none() {
                report.findings.push(
                    Finding::new("timestamp.time", Outcome::Fail, "the TSTInfo genTime is not a valid GeneralizedTime")
                        .at(at(econtent.offset)),
                );
            }
            let oid = tst.message_imprint.hash_algorithm.oid;
            match DigestAlgorithm::from_oid(&oid) {
                Some(alg) => {
                    report.digest_algorithm = alg.name().to_string();
                    let expected = alg.digest(outer_signature);
                    if tst.message_imprint.hashed_message.as_bytes() == expected.as_slice() {
                        report.findings.push(Finding::new(
                            "timestamp.message-imprint",
                            Outcome::Pass,
                            format!("the token's messageImprint is the {} of the signer's signature value", alg.name()),
                        ));
                    } else {
                        report.findings.push(
                            Finding::new(
                                "timestamp.message-imprint",
                                Outcome::Fail,
                                format!(
                                    "the token's messageImprint ({}) is not the {} of the signer's signature value ({})",
                                    hex::encode(tst.message_imprint.hashed_message.as_bytes()),
                                    alg.name(),
                                    hex::encode(&expected)
                                ),
                            )
                            .at(at(econtent.offset)),
                        );
                    }
                }
                None => {
                    report.digest_algorithm = oid.to_string();
                    report.findings.push(
                        Finding::new("timestamp.message-imprint", Outcome::Unsupported, format!("unknown imprint hash algorithm {oid}"))
                            .at(at(econtent.offset)),
                    );
                }
            }
        }
        Err(e) => {
            report
                .findings
                .push(Finding::new("timestamp.decode", Outcome::Fail, format!("the TSTInfo does not decode: {e}")).at(at(econtent.offset)));
        }
    }
    // The TSA's SignerInfo.
    let mut tsa_signer = None;
    match sd.signer_infos.first().map(|t| signer::read_signer_info(*t)) {
        Some(Ok(si)) => {
            let c = signer::check_signer(&si, &sd.certificates, tst_der, Some(ID_CT_TST_INFO), file_offset, "timestamp");
            report.signer = c.signer;
            report.findings.extend(c.findings);
            tsa_signer = c.signer_index.filter(|i| *i < sd.certificates.len());
        }
        Some(Err(e)) => report
            .findings
            .push(Finding::new("timestamp.decode", e.outcome(), format!("the TSA SignerInfo does not decode: {e}")).at(at(e.offset()))),
        None => report.findings.push(Finding::new("timestamp.signer", Outcome::Fail, "the token has no SignerInfo").at(at(sd.tlv.offset))),
    }
    report.verdict = verdict_of(&report.findings);
    (report, TsaCertificates { own: Some(sd.certificates), signer: tsa_signer })
}

/// Check a legacy PKCS#9 countersignature (`value` is a SignerInfo) against the outer signature
/// value, with the certificates of the outer SignedData.
pub fn countersignature(
    value: &Tlv<'_>,
    certs: &[Certificate],
    outer_signature: &[u8],
    file_offset: u64,
) -> (TimestampReport, TsaCertificates) {
    let at = |rel: usize| file_offset.saturating_add(rel as u64);
    let mut report = unverified("pkcs9-countersignature");
    let mut tsa = TsaCertificates::default();
    match signer::read_signer_info(*value) {
        Ok(si) => {
            report.digest_algorithm = DigestAlgorithm::from_oid(&si.digest_algorithm.oid)
                .map(|a| a.name().to_string())
                .unwrap_or_else(|| si.digest_algorithm.oid.to_string());
            let c = signer::check_signer(&si, certs, outer_signature, None, file_offset, "timestamp");
            report.time = c.signing_time.map(|t| t.to_rfc3339());
            if report.time.is_none() {
                report.findings.push(
                    Finding::new("timestamp.time", Outcome::Warn, "the countersignature has no readable signingTime attribute")
                        .at(at(si.tlv.offset)),
                );
            }
            report.signer = c.signer;
            report.findings.extend(c.findings);
            tsa.signer = c.signer_index.filter(|i| *i < certs.len());
        }
        Err(e) => report
            .findings
            .push(Finding::new("timestamp.decode", e.outcome(), format!("the countersignature does not decode: {e}")).at(at(e.offset()))),
    }
    report.verdict = verdict_of(&report.findings);
    (report, tsa)
}

/// A timestamp report before anything is known: failing until the checks pass.
fn unverified(kind: &str) -> TimestampReport {
    TimestampReport {
        kind: kind.to_string(),
        time: None,
        digest_algorithm: String::new(),
        signer: None,
        verdict: Outcome::Fail,
        findings: Vec::new(),
        chain: None,
    }
}
