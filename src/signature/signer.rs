//! CMS SignedData and SignerInfo, decoded over their original bytes (no verification here: the
//! signer is checked by [`super::verify()`]), and the lookup of the signer certificate.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY DEFINED BY contentType }
//! SignedData ::= SEQUENCE {
//!     version CMSVersion,
//!     digestAlgorithms DigestAlgorithmIdentifiers,
//!     encapContentInfo EncapsulatedContentInfo,
//!     certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!     signerInfos SignerInfos }
//! EncapsulatedContentInfo ::= SEQUENCE { eContentType ContentType, eContent [0] EXPLICIT ANY OPTIONAL }
//! SignerInfo ::= SEQUENCE {
//!     version CMSVersion,
//!     sid SignerIdentifier,            -- issuerAndSerialNumber | [0] IMPLICIT SubjectKeyIdentifier
//!     digestAlgorithm DigestAlgorithmIdentifier,
//!     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!     signatureAlgorithm SignatureAlgorithmIdentifier,
//!     signature SignatureValue,
//!     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! ```
//! (RFC 5652 sections 3, 5.1, 5.2, 5.3; Authenticode puts SpcIndirectDataContent directly in
//! eContent, PKCS#7 v1.5 style, where CMS would wrap it in an OCTET STRING.)

use crate::checks;
use crate::report::{Finding, Outcome};
use crate::time::UnixTime;
use crate::tlv::{Reader, Tlv, TlvError, TAG_CTX0, TAG_CTX1, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, TAG_SET};
use crate::x509::oid::ID_SUBJECT_KEY_ID;
use crate::x509::Certificate;
use cms::cert::IssuerAndSerialNumber;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::Decode;
use spki::AlgorithmIdentifierOwned;

/// id-signedData.
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-data.
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// PKCS#9 contentType attribute.
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// PKCS#9 messageDigest attribute.
pub const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// PKCS#9 signingTime attribute.
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// PKCS#9 countersignature attribute (legacy Authenticode timestamp).
pub const ID_COUNTERSIGNATURE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.6");

/// A structural failure inside the CMS skeleton.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CmsError {
    Tlv(TlvError),
    /// An OID, algorithm identifier or name did not decode (relative offset).
    Field {
        offset: usize,
        what: &'static str,
    },
    /// ContentInfo.contentType is not id-signedData.
    NotSignedData {
        offset: usize,
        content_type: ObjectIdentifier,
    },
}

impl CmsError {
    pub fn offset(&self) -> usize {
        match self {
            CmsError::Tlv(e) => e.offset(),
            CmsError::Field { offset, .. } | CmsError::NotSignedData { offset, .. } => *offset,
        }
    }

    /// The finding outcome: BER we cannot read is Unsupported, the rest is Fail.
    pub fn outcome(&self) -> Outcome {
        match self {
            CmsError::Tlv(TlvError::IndefiniteLength { .. } | TlvError::Unsupported { .. }) => Outcome::Unsupported,
            CmsError::NotSignedData { .. } => Outcome::Unsupported,
            _ => Outcome::Fail,
        }
    }
}

impl core::fmt::Display for CmsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CmsError::Tlv(e) => write!(f, "{e}"),
            CmsError::Field { what, .. } => write!(f, "{what} does not decode"),
            CmsError::NotSignedData { content_type, .. } => {
                write!(f, "ContentInfo type is {content_type}, not signedData (1.2.840.113549.1.7.2)")
            }
        }
    }
}

impl std::error::Error for CmsError {}

impl From<TlvError> for CmsError {
    fn from(e: TlvError) -> Self {
        CmsError::Tlv(e)
    }
}

/// One attribute: its type and each value's TLV.
#[derive(Clone, Debug)]
pub struct RawAttribute<'a> {
    pub oid: ObjectIdentifier,
    pub offset: usize,
    pub values: Vec<Tlv<'a>>,
}

/// A SignedData read over its original bytes.
#[derive(Clone, Debug)]
pub struct RawSignedData<'a> {
    /// The SignedData SEQUENCE.
    pub tlv: Tlv<'a>,
    pub version: Option<u8>,
    pub content_type: ObjectIdentifier,
    /// The element inside eContent's `[0]`: SpcIndirectDataContent / CTL (SEQUENCE) or an OCTET STRING.
    pub econtent: Option<Tlv<'a>>,
    pub certificates: Vec<Certificate>,
    pub signer_infos: Vec<Tlv<'a>>,
    /// Non-fatal problems met while reading (certificate decode failures, duplicates); their
    /// offsets are relative to the DER read, made file offsets by the caller ([`rebased`]).
    pub findings: Vec<Finding>,
}

/// A SignerInfo read over its original bytes.
#[derive(Clone, Debug)]
pub struct RawSignerInfo<'a> {
    pub tlv: Tlv<'a>,
    pub sid: SignerId,
    pub digest_algorithm: AlgorithmIdentifierOwned,
    /// The `[0] IMPLICIT` signedAttrs element, original bytes.
    pub signed_attrs: Option<Tlv<'a>>,
    pub signed: Vec<RawAttribute<'a>>,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature OCTET STRING.
    pub signature: Tlv<'a>,
    pub unsigned: Vec<RawAttribute<'a>>,
}

impl RawSignerInfo<'_> {
    pub fn signed_attr(&self, oid: &ObjectIdentifier) -> Option<&RawAttribute<'_>> {
        self.signed.iter().find(|a| a.oid == *oid)
    }

    /// The signingTime signed attribute (its first value), when it is present and readable.
    pub fn signing_time(&self) -> Option<UnixTime> {
        self.signed_attr(&ID_SIGNING_TIME)?.values.first().and_then(parse_time)
    }
}

/// SignerIdentifier.
#[derive(Clone, Debug)]
pub enum SignerId {
    IssuerSerial(IssuerAndSerialNumber),
    SubjectKeyId(Vec<u8>),
}

pub(crate) fn oid_of(t: &Tlv<'_>) -> Result<ObjectIdentifier, CmsError> {
    let t = t.expect(TAG_OID)?;
    ObjectIdentifier::from_bytes(t.value).map_err(|_| CmsError::Field { offset: t.offset, what: "object identifier" })
}

fn alg_of(t: &Tlv<'_>) -> Result<AlgorithmIdentifierOwned, CmsError> {
    AlgorithmIdentifierOwned::from_der(t.raw).map_err(|_| CmsError::Field { offset: t.offset, what: "algorithm identifier" })
}

/// Read `ContentInfo` and return the content type and the element inside `[0]`.
pub fn read_content_info<'a>(reader: &mut Reader<'a>) -> Result<(ObjectIdentifier, Tlv<'a>, Tlv<'a>), CmsError> {
    let ci = reader.read_tag(TAG_SEQUENCE)?;
    let mut r = ci.children();
    let ct = oid_of(&r.read()?)?;
    let wrapper = r.read_tag(TAG_CTX0)?;
    let inner = wrapper.children().read()?;
    Ok((ct, ci, inner))
}

/// Read a ContentInfo that must hold SignedData.
pub fn read_signed_data_content_info<'a>(reader: &mut Reader<'a>) -> Result<RawSignedData<'a>, CmsError> {
    let (ct, ci, inner) = read_content_info(reader)?;
    if ct != ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData { offset: ci.offset, content_type: ct });
    }
    read_signed_data(inner)
}

/// Read the SignedData SEQUENCE.
pub fn read_signed_data(sd: Tlv<'_>) -> Result<RawSignedData<'_>, CmsError> {
    let sd = sd.expect(TAG_SEQUENCE)?;
    let mut r = sd.children();
    let version = r.read_tag(TAG_INTEGER)?.value.first().copied();
    let _digest_algorithms = r.read_tag(TAG_SET)?;
    let eci = r.read_tag(TAG_SEQUENCE)?;
    let mut er = eci.children();
    let content_type = oid_of(&er.read()?)?;
    let econtent = match er.read_optional(TAG_CTX0)? {
        Some(w) => Some(w.children().read()?),
        None => None,
    };
    let mut findings = Vec::new();
    let mut certificates: Vec<Certificate> = Vec::new();
    if let Some(set) = r.read_optional(TAG_CTX0)? {
        let mut cr = set.children();
        while !cr.is_empty() {
            let c = cr.read()?;
            // [1] / [2]: v1 / v2 attribute certificates (Microsoft TSAs include them); not X.509.
            if c.tag == 0xa1 || c.tag == 0xa2 {
                continue;
            }
            if c.tag != TAG_SEQUENCE {
                findings.push(
                    Finding::new(
                        checks::SIGNATURE_CERTIFICATES.id,
                        Outcome::Warn,
                        format!("certificate choice with tag 0x{:02x} (not an X.509 certificate) skipped", c.tag),
                    )
                    .at(c.offset as u64),
                );
                continue;
            }
            if certificates.iter().any(|p| p.der == c.raw) {
                findings.push(Finding::new(checks::SIGNATURE_CERTIFICATES_DUPLICATE.id, Outcome::Warn, "the certificate SET holds the same certificate twice (not valid DER; strict DER decoders reject it); the copy is ignored".to_string()).at(c.offset as u64));
                continue;
            }
            match Certificate::from_der(c.raw) {
                Ok(cert) => certificates.push(cert),
                Err(e) => findings.push(
                    Finding::new(
                        checks::SIGNATURE_CERTIFICATES.id,
                        Outcome::Warn,
                        format!("a certificate does not decode ({e}) and is ignored"),
                    )
                    .at(c.offset as u64),
                ),
            }
        }
    }
    let _crls = r.read_optional(TAG_CTX1)?;
    let signer_set = r.read_tag(TAG_SET)?;
    let signer_infos = signer_set.children().read_all()?;
    Ok(RawSignedData { tlv: sd, version, content_type, econtent, certificates, signer_infos, findings })
}

fn read_attributes<'a>(set: &Tlv<'a>) -> Result<Vec<RawAttribute<'a>>, CmsError> {
    let mut out = Vec::new();
    let mut r = set.children();
    while !r.is_empty() {
        let attr = r.read_tag(TAG_SEQUENCE)?;
        let mut ar = attr.children();
        let oid = oid_of(&ar.read()?)?;
        let values = ar.read_tag(TAG_SET)?.children().read_all()?;
        out.push(RawAttribute { oid, offset: attr.offset, values });
    }
    Ok(out)
}

/// Read one SignerInfo SEQUENCE.
pub fn read_signer_info(si: Tlv<'_>) -> Result<RawSignerInfo<'_>, CmsError> {
    let si = si.expect(TAG_SEQUENCE)?;
    let mut r = si.children();
    let _version = r.read_tag(TAG_INTEGER)?;
    let sid_tlv = r.read()?;
    let sid = match sid_tlv.tag {
        TAG_SEQUENCE => SignerId::IssuerSerial(
            IssuerAndSerialNumber::from_der(sid_tlv.raw)
                .map_err(|_| CmsError::Field { offset: sid_tlv.offset, what: "issuerAndSerialNumber" })?,
        ),
        0x80 => SignerId::SubjectKeyId(sid_tlv.value.to_vec()),
        _ => return Err(CmsError::Field { offset: sid_tlv.offset, what: "signer identifier" }),
    };
    let digest_algorithm = alg_of(&r.read()?)?;
    let signed_attrs = r.read_optional(TAG_CTX0)?;
    let signed = match &signed_attrs {
        Some(s) => read_attributes(s)?,
        None => Vec::new(),
    };
    let signature_algorithm = alg_of(&r.read()?)?;
    let signature = r.read_tag(TAG_OCTET_STRING)?;
    let unsigned = match r.read_optional(TAG_CTX1)? {
        Some(u) => read_attributes(&u)?,
        None => Vec::new(),
    };
    Ok(RawSignerInfo { tlv: si, sid, digest_algorithm, signed_attrs, signed, signature_algorithm, signature, unsigned })
}

/// The subjectKeyIdentifier extension value of a certificate.
pub fn subject_key_id(cert: &x509_cert::Certificate) -> Option<Vec<u8>> {
    let exts = cert.tbs_certificate.extensions.as_ref()?;
    let ext = exts.iter().find(|e| e.extn_id == ID_SUBJECT_KEY_ID)?;
    OctetString::from_der(ext.extn_value.as_bytes()).ok().map(|o| o.as_bytes().to_vec())
}

/// Index of the signer certificate among `certs`.
pub fn find_signer(sid: &SignerId, certs: &[Certificate]) -> Option<usize> {
    certs.iter().position(|p| match sid {
        SignerId::IssuerSerial(ias) => {
            p.decoded.tbs_certificate.issuer == ias.issuer && p.decoded.tbs_certificate.serial_number == ias.serial_number
        }
        SignerId::SubjectKeyId(ski) => subject_key_id(&p.decoded).as_deref() == Some(ski.as_slice()),
    })
}

/// Parse an X.509 / CMS time element (UTCTime or GeneralizedTime, fractional seconds allowed).
pub fn parse_time(t: &Tlv<'_>) -> Option<UnixTime> {
    let s = core::str::from_utf8(t.value).ok()?;
    let s = s.strip_suffix('Z')?;
    let (year, rest) = match t.tag {
        crate::tlv::TAG_UTC_TIME => {
            let yy: i64 = s.get(0..2)?.parse().ok()?;
            // RFC 5280 4.1.2.5.1: YY < 50 means 20YY, else 19YY (yy is two digits: no overflow).
            (yy.checked_add(if yy < 50 { 2000 } else { 1900 })?, s.get(2..)?)
        }
        crate::tlv::TAG_GENERALIZED_TIME => (s.get(0..4)?.parse().ok()?, s.get(4..)?),
        _ => return None,
    };
    let rest = rest.split('.').next()?;
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |i: usize| -> Option<u32> { rest.get(i..i.checked_add(2)?)?.parse().ok() };
    let second = if rest.len() >= 10 { field(8)? } else { 0 };
    UnixTime::from_civil(year, field(0)?, field(2)?, field(4)?, field(6)?, second)
}

/// `findings` (offsets relative to a DER read) with their offsets made file offsets by `at`.
pub fn rebased<'f>(findings: &'f [Finding], at: impl Fn(usize) -> u64 + 'f) -> impl Iterator<Item = Finding> + 'f {
    findings.iter().map(move |f| {
        let mut f = f.clone();
        f.offset = f.offset.map(|o| at(usize::try_from(o).unwrap_or(usize::MAX)));
        f
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cms_times() {
        let t = Tlv { tag: 0x17, offset: 0, value_offset: 2, raw: b"", value: b"090714014555Z" };
        assert_eq!(parse_time(&t).unwrap().to_rfc3339(), "2009-07-14T01:45:55Z");
        let t = Tlv { tag: 0x18, offset: 0, value_offset: 2, raw: b"", value: b"20171116220544.331Z" };
        assert_eq!(parse_time(&t).unwrap().to_rfc3339(), "2017-11-16T22:05:44Z");
        let t = Tlv { tag: 0x18, offset: 0, value_offset: 2, raw: b"", value: b"2017111622x544Z" };
        assert!(parse_time(&t).is_none());
    }
}
