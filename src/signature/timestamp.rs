//! Timestamps on a signer, decoded: RFC 3161 tokens (unsigned attribute 1.3.6.1.4.1.311.3.3.1)
//! and legacy PKCS#9 countersignatures (1.2.840.113549.1.9.6). Both vouch for the outer
//! SignerInfo's `signature` value: the token's messageImprint, or the countersigner's
//! messageDigest, is its hash; [`super::verify()`] checks that and the TSA's signature.
//!
//! Decoding only: imports the CMS reader ([`super::signer`]), [`crate::tlv`] and [`crate::time`].

use crate::checks;
use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString};
use der::{Any, Decode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;

use super::signer::{self, RawSignedData, RawSignerInfo};
use crate::digest::DigestAlgorithm;
use crate::report::{Finding, Outcome};
use crate::time::UnixTime;
use crate::tlv::{Reader, Tlv, TAG_GENERALIZED_TIME};

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

/// The two kinds of Authenticode timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampKind {
    /// An RFC 3161 TimeStampToken (1.3.6.1.4.1.311.3.3.1).
    Rfc3161,
    /// A legacy PKCS#9 countersignature (1.2.840.113549.1.9.6).
    Countersignature,
}

impl TimestampKind {
    /// The report's spelling: `rfc3161` or `pkcs9-countersignature`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimestampKind::Rfc3161 => "rfc3161",
            TimestampKind::Countersignature => "pkcs9-countersignature",
        }
    }
}

/// One timestamp, decoded: what it asserts and what its verification needs.
#[derive(Clone, Debug)]
pub struct DecodedTimestamp<'a> {
    pub kind: TimestampKind,
    /// File offset the walk's relative offsets start from.
    pub file_offset: u64,
    /// The asserted time: the token's genTime, or the countersigner's signingTime.
    pub time: Option<UnixTime>,
    /// The imprint's (RFC 3161) or the countersigner's digest algorithm: its name, or the OID
    /// when unknown; empty when the timestamp did not decode that far.
    pub digest_algorithm: String,
    /// What decoding found wrong, in report order (they come before the verification's findings).
    pub findings: Vec<Finding>,
    pub content: TimestampContent<'a>,
}

/// What a timestamp's verification works on.
#[derive(Clone, Debug)]
pub enum TimestampContent<'a> {
    /// The timestamp did not decode far enough to be verified (the findings say why).
    Undecoded,
    Rfc3161 {
        signed_data: Box<RawSignedData<'a>>,
        /// The DER TSTInfo (eContent's OCTET STRING value), which the TSA's messageDigest covers.
        tst_der: &'a [u8],
        /// Relative offset of eContent, where imprint findings point.
        econtent_offset: usize,
        /// The TSTInfo's messageImprint, `None` when the TSTInfo does not decode.
        imprint: Option<MessageImprint>,
        /// The TSA's SignerInfo, or the finding that says why it cannot be read.
        signer_info: Result<RawSignerInfo<'a>, Finding>,
    },
    Countersignature {
        signer_info: RawSignerInfo<'a>,
    },
}

/// Decode an RFC 3161 TimeStampToken (`token` is the attribute value: a ContentInfo). Offsets in
/// `token` are relative to the root of the walk.
pub fn decode_rfc3161<'a>(token: &Tlv<'a>, file_offset: u64) -> DecodedTimestamp<'a> {
    let at = |rel: usize| file_offset.saturating_add(rel as u64);
    let mut ts = undecoded(TimestampKind::Rfc3161, file_offset);
    let mut reader = Reader::with_base(token.raw, token.offset);
    let sd = match signer::read_signed_data_content_info(&mut reader) {
        Ok(sd) => sd,
        Err(e) => {
            ts.findings.push(
                Finding::new(checks::TIMESTAMP_DECODE.id, e.outcome(), format!("the RFC 3161 token does not decode: {e}"))
                    .at(at(e.offset())),
            );
            return ts;
        }
    };
    ts.findings.extend(signer::rebased(&sd.findings, at));
    if sd.content_type != ID_CT_TST_INFO {
        ts.findings.push(
            Finding::new(
                checks::TIMESTAMP_CONTENT_TYPE.id,
                Outcome::Fail,
                format!("the token's content type is {}, not id-ct-TSTInfo", sd.content_type),
            )
            .at(at(sd.tlv.offset)),
        );
        return ts;
    }
    // eContent is an OCTET STRING holding the DER TSTInfo; the signer's messageDigest covers it.
    let Some(econtent) = sd.econtent else {
        ts.findings.push(Finding::new(checks::TIMESTAMP_DECODE.id, Outcome::Fail, "the token has no TSTInfo").at(at(sd.tlv.offset)));
        return ts;
    };
    let imprint = match TstInfo::from_der(econtent.value) {
        Ok(tst) => {
            let gen = Tlv { tag: TAG_GENERALIZED_TIME, offset: 0, value_offset: 0, raw: &[], value: tst.gen_time.value() };
            ts.time = signer::parse_time(&gen);
            if ts.time.is_none() {
                ts.findings.push(
                    Finding::new(checks::TIMESTAMP_TIME.id, Outcome::Fail, "the TSTInfo genTime is not a valid GeneralizedTime")
                        .at(at(econtent.offset)),
                );
            }
            let oid = tst.message_imprint.hash_algorithm.oid;
            ts.digest_algorithm = DigestAlgorithm::from_oid(&oid).map_or_else(|| oid.to_string(), |a| a.name().to_string());
            Some(tst.message_imprint)
        }
        Err(e) => {
            ts.findings.push(
                Finding::new(checks::TIMESTAMP_DECODE.id, Outcome::Fail, format!("the TSTInfo does not decode: {e}"))
                    .at(at(econtent.offset)),
            );
            None
        }
    };
    let signer_info =
        match sd.signer_infos.first().map(|t| signer::read_signer_info(*t)) {
            Some(Ok(si)) => Ok(si),
            Some(Err(e)) => Err(Finding::new(checks::TIMESTAMP_DECODE.id, e.outcome(), format!("the TSA SignerInfo does not decode: {e}"))
                .at(at(e.offset()))),
            None => Err(Finding::new(checks::TIMESTAMP_SIGNER.id, Outcome::Fail, "the token has no SignerInfo").at(at(sd.tlv.offset))),
        };
    ts.content = TimestampContent::Rfc3161 {
        tst_der: econtent.value,
        econtent_offset: econtent.offset,
        imprint,
        signer_info,
        signed_data: Box::new(sd),
    };
    ts
}

/// Decode a legacy PKCS#9 countersignature (`value` is a SignerInfo).
pub fn decode_countersignature<'a>(value: &Tlv<'a>, file_offset: u64) -> DecodedTimestamp<'a> {
    let at = |rel: usize| file_offset.saturating_add(rel as u64);
    let mut ts = undecoded(TimestampKind::Countersignature, file_offset);
    match signer::read_signer_info(*value) {
        Ok(si) => {
            ts.digest_algorithm = DigestAlgorithm::from_oid(&si.digest_algorithm.oid)
                .map(|a| a.name().to_string())
                .unwrap_or_else(|| si.digest_algorithm.oid.to_string());
            ts.time = si.signing_time();
            if ts.time.is_none() {
                ts.findings.push(
                    Finding::new(checks::TIMESTAMP_TIME.id, Outcome::Warn, "the countersignature has no readable signingTime attribute")
                        .at(at(si.tlv.offset)),
                );
            }
            ts.content = TimestampContent::Countersignature { signer_info: si };
        }
        Err(e) => ts.findings.push(
            Finding::new(checks::TIMESTAMP_DECODE.id, e.outcome(), format!("the countersignature does not decode: {e}")).at(at(e.offset())),
        ),
    }
    ts
}

fn undecoded(kind: TimestampKind, file_offset: u64) -> DecodedTimestamp<'static> {
    DecodedTimestamp {
        kind,
        file_offset,
        time: None,
        digest_algorithm: String::new(),
        findings: Vec::new(),
        content: TimestampContent::Undecoded,
    }
}
