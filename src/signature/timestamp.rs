//! Timestamps on a signer: RFC 3161 tokens (unsigned attribute 1.3.6.1.4.1.311.3.3.1) and legacy
//! PKCS#9 countersignatures (1.2.840.113549.1.9.6). Both vouch for the outer SignerInfo's
//! `signature` value: the token's messageImprint, or the countersigner's messageDigest, is its hash.

use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString};
use der::{Any, Decode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;

use super::signer::{self, ParsedCert};
use super::tlv::{Reader, Tlv, TAG_GENERALIZED_TIME};
use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::report::{Finding, Outcome, TimestampReport};

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

/// The timestamp authority's path, judged at the timestamp's own time (the verification time
/// when the timestamp has none); `outer` are the enclosing SignedData's certificates, tried after
/// the token's own.
fn tsa_chain(
    leaf: &ParsedCert,
    own: &[ParsedCert],
    outer: &[ParsedCert],
    time: Option<&str>,
    chain: &crate::chain::Context,
) -> crate::report::ChainReport {
    use crate::chain::{Candidate, Purpose, Request};
    let (time, basis) = match time.and_then(|t| crate::UnixTime::parse_rfc3339(t).ok()) {
        Some(t) => (t, crate::report::ValidityBasis::Timestamp),
        None => (chain.time, crate::report::ValidityBasis::VerificationTime),
    };
    // A countersignature's certificates are the enclosing SignedData's; a token has its own.
    let own_source = if outer.is_empty() { chain.pool_source } else { "timestamp" };
    let pool: Vec<Candidate<'_>> = own
        .iter()
        .map(|c| Candidate { der: &c.der, cert: &c.cert, source: own_source })
        .chain(outer.iter().map(|c| Candidate { der: &c.der, cert: &c.cert, source: chain.pool_source }))
        .collect();
    let req = Request {
        leaf: Candidate { der: &leaf.der, cert: &leaf.cert, source: own_source },
        pool: &pool,
        purpose: Purpose::TimeStamping,
        time,
        basis,
    };
    crate::chain::build(chain, &req)
}

/// Check an RFC 3161 TimeStampToken (`token` is the attribute value: a ContentInfo) against the
/// outer signature value. Offsets in `token` are relative to the root of the walk.
pub fn rfc3161(
    token: &Tlv<'_>,
    outer_signature: &[u8],
    file_offset: u64,
    outer_certs: &[ParsedCert],
    chain: &crate::chain::Context,
) -> TimestampReport {
    let at = |rel: usize| file_offset.saturating_add(rel as u64);
    let mut report = unverified(crate::report::TimestampKind::Rfc3161);
    let mut reader = Reader::with_base(token.raw, token.offset);
    let sd = match signer::read_signed_data_content_info(&mut reader) {
        Ok(sd) => sd,
        Err(e) => {
            report.verdict = e.outcome();
            report
                .findings
                .push(Finding::new("timestamp.decode", e.outcome(), format!("the RFC 3161 token does not decode: {e}")).at(at(e.offset())));
            return report;
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
        return report;
    }
    // eContent is an OCTET STRING holding the DER TSTInfo; the signer's messageDigest covers it.
    let Some(econtent) = sd.econtent else {
        report.findings.push(Finding::new("timestamp.decode", Outcome::Fail, "the token has no TSTInfo").at(at(sd.tlv.offset)));
        return report;
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
    match sd.signer_infos.first().map(|t| signer::read_signer_info(*t)) {
        Some(Ok(si)) => {
            let c = signer::check_signer(&si, &sd.certificates, tst_der, Some(ID_CT_TST_INFO), file_offset, "timestamp");
            report.signer = c.signer;
            report.findings.extend(c.findings);
            if let Some(leaf) = c.signer_index.and_then(|i| sd.certificates.get(i)) {
                report.chain = Some(tsa_chain(leaf, &sd.certificates, outer_certs, report.time.as_deref(), chain));
            }
        }
        Some(Err(e)) => report
            .findings
            .push(Finding::new("timestamp.decode", e.outcome(), format!("the TSA SignerInfo does not decode: {e}")).at(at(e.offset()))),
        None => report.findings.push(Finding::new("timestamp.signer", Outcome::Fail, "the token has no SignerInfo").at(at(sd.tlv.offset))),
    }
    report.verdict = verdict_of(&report.findings);
    report
}

/// Check a legacy PKCS#9 countersignature (`value` is a SignerInfo) against the outer signature
/// value, with the certificates of the outer SignedData.
pub fn countersignature(
    value: &Tlv<'_>,
    certs: &[ParsedCert],
    outer_signature: &[u8],
    file_offset: u64,
    chain: &crate::chain::Context,
) -> TimestampReport {
    let at = |rel: usize| file_offset.saturating_add(rel as u64);
    let mut report = unverified(crate::report::TimestampKind::Pkcs9Countersignature);
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
            if let Some(leaf) = c.signer_index.and_then(|i| certs.get(i)) {
                report.chain = Some(tsa_chain(leaf, certs, &[], report.time.as_deref(), chain));
            }
        }
        Err(e) => report
            .findings
            .push(Finding::new("timestamp.decode", e.outcome(), format!("the countersignature does not decode: {e}")).at(at(e.offset()))),
    }
    report.verdict = verdict_of(&report.findings);
    report
}

/// A timestamp report before anything is known: failing until the checks pass.
fn unverified(kind: crate::report::TimestampKind) -> TimestampReport {
    TimestampReport {
        kind,
        time: None,
        digest_algorithm: String::new(),
        signer: None,
        verdict: Outcome::Fail,
        findings: Vec::new(),
        chain: None,
    }
}
