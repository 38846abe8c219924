//! Security catalogs (`.cat`): a PKCS#7 SignedData whose encapsulated content (eContentType
//! szOID_CTL 1.3.6.1.4.1.311.10.1) is a Microsoft CertificateTrustList listing member files by hash.
//!
//! The ASN.1 comes from MS-CAESO and signify's `asn1/ctl.py`; see DOMAIN.md "Catalogs". The outer
//! ContentInfo and SignedData are walked with borrowed readers (not decoded into owned `cms` types)
//! so every member keeps its byte offset in the file; the signer is the signature layer's business.
//! Attribute sets (ASN.1 `SET OF`) are iterated element by element in their encoded order instead of
//! being decoded as `SetOf`: der 0.7 would reorder them and reject duplicates, and people compare the
//! listing with other tools that show the stored order.

use crate::checks;
use core::fmt;

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, IntRef, OctetStringRef};
use der::{Decode, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, SliceReader, Tag, Writer};
use spki::AlgorithmIdentifierRef;
use x509_cert::time::Time;

use crate::digest::DigestAlgorithm;
use crate::report::{CatalogMemberReport, CatalogReport, FileReport, Finding, NameValueReport, Outcome};
use crate::time::UnixTime;

/// pkcs7-signedData 1.2.840.113549.1.7.2.
pub const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// szOID_CTL: the eContentType of a catalog.
pub const OID_CTL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.1");
/// szOID_CATALOG_LIST: the subjectUsage of a catalog.
pub const OID_CATALOG_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.12.1.1");
/// szOID_CATALOG_LIST_MEMBER: subjectAlgorithm of v1 catalogs (SHA-1 member hashes).
pub const OID_CATALOG_LIST_MEMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.12.1.2");
/// szOID_CATALOG_LIST_MEMBER2: subjectAlgorithm of v2 catalogs (SHA-256 member hashes).
pub const OID_CATALOG_LIST_MEMBER2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.12.1.3");
/// CAT_NAMEVALUE_OBJID: a `{name, flags, value}` attribute (member attribute or ctlExtension).
pub const OID_CAT_NAMEVALUE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.12.2.1");
/// CAT_MEMBERINFO_OBJID: `{subguid, certversion}`, the SIP that hashed the member.
pub const OID_CAT_MEMBERINFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.12.2.2");
/// CAT_MEMBERINFO2_OBJID (newer catalogs; in practice an empty `[2]`).
pub const OID_CAT_MEMBERINFO2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.12.2.3");
/// SPC_INDIRECT_DATA_OBJID: SpcIndirectDataContent carrying the member digest.
pub const OID_SPC_INDIRECT_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.4");
/// SPC_PE_IMAGE_DATA_OBJID: the digest is an Authenticode PE image hash.
pub const OID_SPC_PE_IMAGE_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.15");
/// SPC_CAB_DATA_OBJID: used by catalogs for flat files (the digest is the plain file hash).
pub const OID_SPC_CAB_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.25");

/// At most this many members are read; the rest are reported by one finding.
pub const MAX_MEMBERS: usize = 1_000_000;
/// Longest CAT_NAMEVALUE value kept (bytes of UTF-16LE); longer ones are cut with a finding.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// The undecoded contents of a constructed value with a fixed tag (used for SEQUENCE and SET
/// bodies that are iterated by hand, and for BMPString bytes).
macro_rules! raw_value {
    ($(#[$doc:meta])* $name:ident, $tag:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<'a>(pub &'a [u8]);

        impl<'a> DecodeValue<'a> for $name<'a> {
            fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
                Ok($name(reader.read_slice(header.length)?))
            }
        }

        impl EncodeValue for $name<'_> {
            fn value_len(&self) -> der::Result<Length> {
                Length::try_from(self.0.len())
            }
            fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
                writer.write(self.0)
            }
        }

        impl FixedTag for $name<'_> {
            const TAG: Tag = $tag;
        }
    };
}

raw_value!(
    /// The contents of a `SEQUENCE` / `SEQUENCE OF`, iterated by hand.
    RawSequence,
    Tag::Sequence
);
raw_value!(
    /// The contents of a `SET OF`, iterated by hand in encoded order (duplicates allowed).
    RawSet,
    Tag::Set
);
raw_value!(
    /// The bytes of a `BMPString` (UTF-16BE), decoded leniently.
    RawBmpString,
    Tag::BmpString
);

/// The Microsoft certificate trust list (MS-CAESO; signify `asn1/ctl.py`):
///
/// ```text
/// CertificateTrustList ::= SEQUENCE {
///     version              CTLVersion DEFAULT v1,          -- INTEGER { v1(0) }
///     subjectUsage         SubjectUsage,                   -- SEQUENCE OF OBJECT IDENTIFIER
///     listIdentifier       ListIdentifier OPTIONAL,        -- OCTET STRING
///     sequenceNumber       HUGEINTEGER OPTIONAL,           -- INTEGER
///     ctlThisUpdate        ChoiceOfTime,                   -- UTCTime | GeneralizedTime
///     ctlNextUpdate        ChoiceOfTime OPTIONAL,
///     subjectAlgorithm     AlgorithmIdentifier,
///     trustedSubjects      TrustedSubjects OPTIONAL,       -- SEQUENCE OF TrustedSubject
///     ctlExtensions        [0] EXPLICIT Extensions OPTIONAL
/// }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct CertificateTrustList<'a> {
    #[asn1(optional = "true")]
    pub version: Option<IntRef<'a>>,
    pub subject_usage: Vec<ObjectIdentifier>,
    #[asn1(optional = "true")]
    pub list_identifier: Option<OctetStringRef<'a>>,
    #[asn1(optional = "true")]
    pub sequence_number: Option<IntRef<'a>>,
    pub this_update: Time,
    #[asn1(optional = "true")]
    pub next_update: Option<Time>,
    pub subject_algorithm: AlgorithmIdentifierRef<'a>,
    #[asn1(optional = "true")]
    pub trusted_subjects: Option<RawSequence<'a>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub ctl_extensions: Option<RawSequence<'a>>,
}

/// ```text
/// TrustedSubject ::= SEQUENCE {
///     subjectIdentifier    SubjectIdentifier,     -- OCTET STRING: the member tag
///     subjectAttributes    Attributes OPTIONAL    -- SET OF Attribute
/// }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct TrustedSubject<'a> {
    pub subject_identifier: OctetStringRef<'a>,
    #[asn1(optional = "true")]
    pub subject_attributes: Option<RawSet<'a>>,
}

/// ```text
/// Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct RawAttribute<'a> {
    pub attr_type: ObjectIdentifier,
    pub values: RawSet<'a>,
}

/// An X.509 extension, borrowed (ctlExtensions holds CAT_NAMEVALUE entries this way):
///
/// ```text
/// Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
///                          extnValue OCTET STRING }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct CtlExtension<'a> {
    pub extn_id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    pub critical: bool,
    pub extn_value: OctetStringRef<'a>,
}

/// ```text
/// CatNameValue ::= SEQUENCE { tag BMPString, flags INTEGER, value OCTET STRING }  -- value UTF-16LE
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct CatNameValue<'a> {
    pub tag: RawBmpString<'a>,
    pub flags: IntRef<'a>,
    pub value: OctetStringRef<'a>,
}

/// ```text
/// CatMemberInfo ::= SEQUENCE { subguid BMPString, certversion INTEGER }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct CatMemberInfo<'a> {
    pub subguid: RawBmpString<'a>,
    pub cert_version: IntRef<'a>,
}

/// Why a catalog could not be read at all (member-level problems are findings instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogError {
    /// The outer structure is not DER `ContentInfo { signedData, [0] SignedData }`.
    NotSignedData { offset: u64, source: der::Error },
    /// ContentInfo's contentType is not pkcs7-signedData.
    ContentType { offset: u64, oid: ObjectIdentifier },
    /// SignedData has no encapsulated content (detached).
    NoContent { offset: u64 },
    /// eContentType is not szOID_CTL.
    NotCtl { offset: u64, oid: ObjectIdentifier },
    /// The CertificateTrustList itself does not decode.
    Ctl { offset: u64, source: der::Error },
}

impl CatalogError {
    pub fn offset(&self) -> u64 {
        match self {
            CatalogError::NotSignedData { offset, .. }
            | CatalogError::ContentType { offset, .. }
            | CatalogError::NoContent { offset }
            | CatalogError::NotCtl { offset, .. }
            | CatalogError::Ctl { offset, .. } => *offset,
        }
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::NotSignedData { offset, source } => {
                write!(f, "not a DER PKCS#7 SignedData (at 0x{offset:x}): {source}")
            }
            CatalogError::ContentType { offset, oid } => {
                write!(f, "ContentInfo at 0x{offset:x} holds {oid}, not pkcs7-signedData")
            }
            CatalogError::NoContent { offset } => write!(f, "SignedData at 0x{offset:x} has no encapsulated content"),
            CatalogError::NotCtl { offset, oid } => {
                write!(f, "encapsulated content at 0x{offset:x} is {oid}, not a certificate trust list (1.3.6.1.4.1.311.10.1)")
            }
            CatalogError::Ctl { offset, source } => write!(f, "certificate trust list at 0x{offset:x} does not decode: {source}"),
        }
    }
}

impl std::error::Error for CatalogError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CatalogError::NotSignedData { source, .. } | CatalogError::Ctl { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A decoded catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    /// File offset of the SignedData SEQUENCE (what the signature layer decodes).
    pub signed_data_offset: u64,
    /// File offset of the CertificateTrustList SEQUENCE.
    pub ctl_offset: u64,
    /// CTLVersion (0 = v1, the default).
    pub version: u64,
    pub subject_usage: Vec<ObjectIdentifier>,
    pub list_identifier: Vec<u8>,
    /// sequenceNumber, big-endian bytes.
    pub sequence_number: Option<Vec<u8>>,
    pub this_update: UnixTime,
    pub next_update: Option<UnixTime>,
    pub subject_algorithm: ObjectIdentifier,
    /// Catalog-level CAT_NAMEVALUE entries (ctlExtensions), in stored order.
    pub attributes: Vec<NameValue>,
    pub members: Vec<Member>,
    /// Problems that did not stop the parse.
    pub findings: Vec<Finding>,
}

/// One CAT_NAMEVALUE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameValue {
    pub name: String,
    pub flags: i64,
    /// UTF-16LE text, trailing NULs trimmed.
    pub value: String,
    pub offset: u64,
}

/// How a member is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberTag {
    /// Raw hash bytes.
    Hash(Vec<u8>),
    /// UTF-16LE text (NUL-terminated in the file): often the uppercase hex of the hash, or a file name.
    Name(String),
}

/// The member digest from SPC_INDIRECT_DATA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDigest {
    /// SpcAttributeTypeAndOptionalValue.type: 2.1.15 PE image, 2.1.25 flat file.
    pub data_type: ObjectIdentifier,
    pub algorithm_oid: ObjectIdentifier,
    pub algorithm: Option<DigestAlgorithm>,
    pub digest: Vec<u8>,
}

/// One trusted subject (catalog member).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub offset: u64,
    /// subjectIdentifier bytes as stored.
    pub identifier: Vec<u8>,
    pub tag: MemberTag,
    pub digest: Option<MemberDigest>,
    /// CAT_MEMBERINFO subguid, e.g. `{C689AAB8-8E78-11D0-8C47-00C04FC295EE}`.
    pub sip_guid: Option<String>,
    pub member_info_version: Option<i64>,
    /// A CAT_MEMBERINFO2 attribute is present.
    pub member_info2: bool,
    /// CAT_NAMEVALUE attributes, in stored order.
    pub attributes: Vec<NameValue>,
    /// Attribute types not understood here.
    pub other_attributes: Vec<ObjectIdentifier>,
}

impl Catalog {
    /// The member-hash algorithm the subjectAlgorithm names (SHA-1 for 12.1.2, SHA-256 for 12.1.3).
    pub fn digest_algorithm(&self) -> Option<DigestAlgorithm> {
        match self.subject_algorithm {
            o if o == OID_CATALOG_LIST_MEMBER => Some(DigestAlgorithm::Sha1),
            o if o == OID_CATALOG_LIST_MEMBER2 => Some(DigestAlgorithm::Sha256),
            _ => None,
        }
    }
}

/// Offset of `part` within `base` (both borrowed from the same buffer); 0 when it is not inside.
fn offset_in(base: &[u8], part: &[u8]) -> u64 {
    let b = base.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    match p.checked_sub(b) {
        Some(d) if d <= base.len() => d as u64,
        _ => 0,
    }
}

/// Decode a catalog file.
pub fn parse_catalog(bytes: &[u8]) -> Result<Catalog, CatalogError> {
    let not_signed = |offset: u64| move |source: der::Error| CatalogError::NotSignedData { offset, source };
    // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
    let outer = RawSequence::from_der(bytes).map_err(not_signed(0))?;
    let ci_off = offset_in(bytes, outer.0);
    let mut ci = SliceReader::new(outer.0).map_err(not_signed(ci_off))?;
    let content_type = ci.decode::<ObjectIdentifier>().map_err(not_signed(ci_off))?;
    if content_type != OID_SIGNED_DATA {
        return Err(CatalogError::ContentType { offset: ci_off, oid: content_type });
    }
    let signed_data = explicit_0(&mut ci).map_err(not_signed(ci_off))?.ok_or(CatalogError::NoContent { offset: ci_off })?;
    let signed_data_offset = offset_in(bytes, signed_data);

    // SignedData ::= SEQUENCE { version CMSVersion, digestAlgorithms SET OF, encapContentInfo, ... }
    let sd = RawSequence::from_der(signed_data).map_err(not_signed(signed_data_offset))?;
    let mut sd = SliceReader::new(sd.0).map_err(not_signed(signed_data_offset))?;
    sd.decode::<IntRef<'_>>().map_err(not_signed(signed_data_offset))?;
    sd.decode::<RawSet<'_>>().map_err(not_signed(signed_data_offset))?;
    // EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT ANY OPTIONAL }
    let encap = sd.decode::<RawSequence<'_>>().map_err(not_signed(signed_data_offset))?;
    let encap_off = offset_in(bytes, encap.0);
    let mut ec = SliceReader::new(encap.0).map_err(not_signed(encap_off))?;
    let e_content_type = ec.decode::<ObjectIdentifier>().map_err(not_signed(encap_off))?;
    if e_content_type != OID_CTL {
        return Err(CatalogError::NotCtl { offset: encap_off, oid: e_content_type });
    }
    let e_content = explicit_0(&mut ec).map_err(not_signed(encap_off))?.ok_or(CatalogError::NoContent { offset: encap_off })?;
    // PKCS#7 (Authenticode) puts the CTL SEQUENCE directly under [0]; CMS wraps it in an OCTET
    // STRING. Accept both.
    let ctl_der = match OctetStringRef::from_der(e_content) {
        Ok(os) => os.as_bytes(),
        Err(_) => e_content,
    };
    let ctl_offset = offset_in(bytes, ctl_der);
    let ctl = CertificateTrustList::from_der(ctl_der).map_err(|source| CatalogError::Ctl { offset: ctl_offset, source })?;
    Ok(decode_ctl(bytes, signed_data_offset, ctl_offset, &ctl))
}

/// Read an optional `[0] EXPLICIT` wrapper and return the TLV bytes inside it.
fn explicit_0<'a>(reader: &mut SliceReader<'a>) -> der::Result<Option<&'a [u8]>> {
    if reader.is_finished() || reader.peek_tag()? != (Tag::ContextSpecific { constructed: true, number: der::TagNumber::N0 }) {
        return Ok(None);
    }
    Ok(Some(reader.decode::<AnyRef<'a>>()?.value()))
}

fn int_to_i64(int: &IntRef<'_>) -> Option<i64> {
    let bytes = int.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut v: i64 = if negative { -1 } else { 0 };
    for b in bytes {
        v = (v << 8) | i64::from(*b);
    }
    Some(v)
}

fn time_to_unix(t: &Time) -> UnixTime {
    let secs = t.to_unix_duration().as_secs();
    UnixTime(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// UTF-16 text from code units, lossy, with trailing NULs trimmed.
fn utf16_text(units: impl Iterator<Item = u16>) -> String {
    let s: String = char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    s.trim_end_matches('\0').to_string()
}

pub(crate) fn utf16le(bytes: &[u8]) -> String {
    utf16_text(bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)])))
}

fn utf16be(bytes: &[u8]) -> String {
    utf16_text(bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)])))
}

/// A subjectIdentifier is a name tag when it is NUL-terminated printable UTF-16LE text.
fn member_tag(identifier: &[u8]) -> MemberTag {
    let is_text = identifier.len() >= 4 && identifier.len() % 2 == 0 && identifier.ends_with(&[0, 0]) && {
        let units: Vec<u16> = identifier
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)]))
            .collect();
        let body = units.split_last().map(|(_, rest)| rest).unwrap_or_default();
        !body.is_empty() && char::decode_utf16(body.iter().copied()).all(|c| c.is_ok_and(|c| !c.is_control()))
    };
    if is_text {
        MemberTag::Name(utf16le(identifier))
    } else {
        MemberTag::Hash(identifier.to_vec())
    }
}

/// The elements of a SET/SEQUENCE body as TLV byte slices, in encoded order; a broken element
/// ends the walk with a finding.
fn elements<'a>(body: &'a [u8], base: &[u8], what: &str, findings: &mut Vec<Finding>) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let Ok(mut reader) = SliceReader::new(body) else {
        findings
            .push(Finding::new(checks::CATALOG_DECODE.id, Outcome::Fail, format!("{what} is too long to read")).at(offset_in(base, body)));
        return out;
    };
    while !reader.is_finished() {
        let at = offset_in(base, body).saturating_add(u64::from(u32::from(reader.position())));
        match reader.tlv_bytes() {
            Ok(tlv) => out.push(tlv),
            Err(e) => {
                findings
                    .push(Finding::new(checks::CATALOG_DECODE.id, Outcome::Fail, format!("{what}: element does not decode: {e}")).at(at));
                break;
            }
        }
    }
    out
}

fn decode_name_value(base: &[u8], der_bytes: &[u8], what: &str, findings: &mut Vec<Finding>) -> Option<NameValue> {
    let at = offset_in(base, der_bytes);
    match CatNameValue::from_der(der_bytes) {
        Ok(nv) => {
            let raw = nv.value.as_bytes();
            let name = utf16be(nv.tag.0);
            let value_bytes = if raw.len() > MAX_VALUE_BYTES {
                findings.push(
                    Finding::new(
                        checks::CATALOG_VALUE_TOO_LONG.id,
                        Outcome::Warn,
                        format!("{what} {name:?} has a {} byte value; only the first {MAX_VALUE_BYTES} bytes are shown", raw.len()),
                    )
                    .at(at),
                );
                raw.get(..MAX_VALUE_BYTES).unwrap_or(raw)
            } else {
                raw
            };
            let flags = int_to_i64(&nv.flags).unwrap_or_else(|| {
                findings.push(
                    Finding::new(checks::CATALOG_DECODE.id, Outcome::Warn, format!("{what} {name:?} has flags wider than 64 bits")).at(at),
                );
                0
            });
            Some(NameValue { name, flags, value: utf16le(value_bytes), offset: at })
        }
        Err(e) => {
            findings.push(Finding::new(checks::CATALOG_DECODE.id, Outcome::Fail, format!("{what} is not a CAT_NAMEVALUE: {e}")).at(at));
            None
        }
    }
}

fn decode_ctl(bytes: &[u8], signed_data_offset: u64, ctl_offset: u64, ctl: &CertificateTrustList<'_>) -> Catalog {
    let mut findings = Vec::new();
    let version = ctl.version.as_ref().and_then(int_to_i64).and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
    if !ctl.subject_usage.contains(&OID_CATALOG_LIST) {
        findings.push(
            Finding::new(
                checks::CATALOG_SUBJECT_USAGE.id,
                Outcome::Warn,
                "subjectUsage does not name szOID_CATALOG_LIST (1.3.6.1.4.1.311.12.1.1)",
            )
            .at(ctl_offset),
        );
    }
    let subject_algorithm = ctl.subject_algorithm.oid;
    if subject_algorithm != OID_CATALOG_LIST_MEMBER && subject_algorithm != OID_CATALOG_LIST_MEMBER2 {
        findings.push(
            Finding::new(
                checks::CATALOG_SUBJECT_ALGORITHM.id,
                Outcome::Unsupported,
                format!("unknown subjectAlgorithm {subject_algorithm}"),
            )
            .at(ctl_offset),
        );
    }

    let mut attributes = Vec::new();
    if let Some(ext) = ctl.ctl_extensions {
        for der_bytes in elements(ext.0, bytes, "ctlExtensions", &mut findings) {
            let at = offset_in(bytes, der_bytes);
            match CtlExtension::from_der(der_bytes) {
                Ok(e) if e.extn_id == OID_CAT_NAMEVALUE => {
                    if let Some(nv) = decode_name_value(bytes, e.extn_value.as_bytes(), "catalog attribute", &mut findings) {
                        attributes.push(nv);
                    }
                }
                Ok(e) => findings.push(
                    Finding::new(
                        checks::CATALOG_EXTENSION.id,
                        Outcome::Warn,
                        format!("catalog extension {} is not a CAT_NAMEVALUE; ignored", e.extn_id),
                    )
                    .at(at),
                ),
                Err(e) => findings
                    .push(Finding::new(checks::CATALOG_DECODE.id, Outcome::Fail, format!("catalog extension does not decode: {e}")).at(at)),
            }
        }
    }

    let mut members = Vec::new();
    if let Some(subjects) = ctl.trusted_subjects {
        let all = elements(subjects.0, bytes, "trustedSubjects", &mut findings);
        if all.len() > MAX_MEMBERS {
            findings.push(
                Finding::new(
                    checks::CATALOG_TOO_MANY_MEMBERS.id,
                    Outcome::Warn,
                    format!("the catalog lists {} members; only the first {MAX_MEMBERS} are read", all.len()),
                )
                .at(offset_in(bytes, subjects.0)),
            );
        }
        for tlv in all.iter().take(MAX_MEMBERS) {
            if let Some(m) = decode_member(bytes, tlv, &mut findings) {
                members.push(m);
            }
        }
    }

    Catalog {
        signed_data_offset,
        ctl_offset,
        version,
        subject_usage: ctl.subject_usage.clone(),
        list_identifier: ctl.list_identifier.map(|l| l.as_bytes().to_vec()).unwrap_or_default(),
        sequence_number: ctl.sequence_number.map(|s| s.as_bytes().to_vec()),
        this_update: time_to_unix(&ctl.this_update),
        next_update: ctl.next_update.as_ref().map(time_to_unix),
        subject_algorithm,
        attributes,
        members,
        findings,
    }
}

fn decode_member(bytes: &[u8], tlv: &[u8], findings: &mut Vec<Finding>) -> Option<Member> {
    let offset = offset_in(bytes, tlv);
    let subject = match TrustedSubject::from_der(tlv) {
        Ok(s) => s,
        Err(e) => {
            findings
                .push(Finding::new(checks::CATALOG_MEMBER.id, Outcome::Fail, format!("catalog member does not decode: {e}")).at(offset));
            return None;
        }
    };
    let identifier = subject.subject_identifier.as_bytes().to_vec();
    let mut member = Member {
        offset,
        tag: member_tag(&identifier),
        identifier,
        digest: None,
        sip_guid: None,
        member_info_version: None,
        member_info2: false,
        attributes: Vec::new(),
        other_attributes: Vec::new(),
    };
    let Some(set) = subject.subject_attributes else {
        return Some(member);
    };
    for attr_tlv in elements(set.0, bytes, "member attributes", findings) {
        let at = offset_in(bytes, attr_tlv);
        let attr = match RawAttribute::from_der(attr_tlv) {
            Ok(a) => a,
            Err(e) => {
                findings
                    .push(Finding::new(checks::CATALOG_MEMBER.id, Outcome::Fail, format!("member attribute does not decode: {e}")).at(at));
                continue;
            }
        };
        let values = elements(attr.values.0, bytes, "member attribute values", findings);
        match attr.attr_type {
            t if t == OID_CAT_NAMEVALUE => {
                for v in &values {
                    if let Some(nv) = decode_name_value(bytes, v, "member attribute", findings) {
                        member.attributes.push(nv);
                    }
                }
            }
            t if t == OID_SPC_INDIRECT_DATA => {
                for v in &values {
                    // The same Microsoft type as in PE signatures (one definition, in signature::spc).
                    match crate::signature::spc::SpcIndirectDataContent::from_der(v) {
                        Ok(spc) => {
                            let algorithm_oid = spc.message_digest.digest_algorithm.oid;
                            let algorithm = DigestAlgorithm::from_oid(&algorithm_oid);
                            let digest = spc.message_digest.digest.as_bytes().to_vec();
                            if algorithm.is_some_and(|a| a.output_len() != digest.len()) {
                                findings.push(
                                    Finding::new(
                                        checks::CATALOG_MEMBER_DIGEST_LENGTH.id,
                                        Outcome::Fail,
                                        format!("member digest is {} bytes, not what {algorithm_oid} produces", digest.len()),
                                    )
                                    .at(offset_in(bytes, v)),
                                );
                            }
                            if member.digest.is_some() {
                                findings.push(
                                    Finding::new(
                                        checks::CATALOG_MEMBER_DUPLICATE_DIGEST.id,
                                        Outcome::Warn,
                                        "member carries more than one SPC_INDIRECT_DATA; the first is used",
                                    )
                                    .at(offset_in(bytes, v)),
                                );
                            } else {
                                member.digest = Some(MemberDigest { data_type: spc.data.r#type, algorithm_oid, algorithm, digest });
                            }
                        }
                        Err(e) => findings.push(
                            Finding::new(
                                checks::CATALOG_MEMBER.id,
                                Outcome::Fail,
                                format!("member SPC_INDIRECT_DATA does not decode: {e}"),
                            )
                            .at(offset_in(bytes, v)),
                        ),
                    }
                }
            }
            t if t == OID_CAT_MEMBERINFO => {
                for v in &values {
                    match CatMemberInfo::from_der(v) {
                        Ok(mi) => {
                            member.sip_guid = Some(utf16be(mi.subguid.0));
                            member.member_info_version = int_to_i64(&mi.cert_version);
                        }
                        Err(e) => findings.push(
                            Finding::new(checks::CATALOG_MEMBER.id, Outcome::Warn, format!("member CAT_MEMBERINFO does not decode: {e}"))
                                .at(offset_in(bytes, v)),
                        ),
                    }
                }
            }
            t if t == OID_CAT_MEMBERINFO2 => member.member_info2 = true,
            other => member.other_attributes.push(other),
        }
    }
    Some(member)
}

/// Windows names for an `OSAttr` value such as `2:6.1,2:10.0`, in order, without repeats.
pub fn os_attr_windows(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in value.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let version = part.split_once(':').map_or(part, |(_, v)| v);
        let name = match version {
            "5.0" | "5.00" => "Windows 2000".to_string(),
            "5.1" => "Windows XP".to_string(),
            "5.2" => "Windows Server 2003 / XP x64".to_string(),
            "6.0" => "Windows Vista".to_string(),
            "6.1" => "Windows 7".to_string(),
            "6.2" => "Windows 8".to_string(),
            "6.3" => "Windows 8.1".to_string(),
            "6.4" | "10.0" => "Windows 10/11".to_string(),
            _ => format!("unknown ({part})"),
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// `HWIDn` values of the catalog attributes, ordered by n.
fn hwids(attributes: &[NameValue]) -> Vec<String> {
    let mut numbered: Vec<(u64, &str)> = attributes
        .iter()
        .filter_map(|a| {
            let n = a.name.get(..4).filter(|p| p.eq_ignore_ascii_case("HWID")).and(a.name.get(4..))?;
            Some((n.parse::<u64>().ok()?, a.value.as_str()))
        })
        .collect();
    numbered.sort_by_key(|(n, _)| *n);
    numbered.into_iter().map(|(_, v)| v.to_string()).collect()
}

fn name_value_report(nv: &NameValue) -> NameValueReport {
    NameValueReport { name: nv.name.clone(), value: nv.value.clone(), flags: nv.flags }
}

fn data_type_name(oid: &ObjectIdentifier) -> String {
    match *oid {
        o if o == OID_SPC_PE_IMAGE_DATA => "pe-image".to_string(),
        o if o == OID_SPC_CAB_DATA => "flat-file".to_string(),
        o => o.to_string(),
    }
}

impl Catalog {
    /// The serde report form.
    pub fn to_report(&self) -> CatalogReport {
        let subject_algorithm = self.digest_algorithm().map_or_else(|| self.subject_algorithm.to_string(), |a| a.name().to_string());
        let mut os_attr = Vec::new();
        let os_values = self
            .attributes
            .iter()
            .chain(self.members.iter().flat_map(|m| m.attributes.iter()))
            .filter(|a| a.name.eq_ignore_ascii_case("OSAttr"));
        for a in os_values {
            for name in os_attr_windows(&a.value) {
                if !os_attr.contains(&name) {
                    os_attr.push(name);
                }
            }
        }
        let members = self
            .members
            .iter()
            .map(|m| CatalogMemberReport {
                tag: match &m.tag {
                    MemberTag::Hash(h) => crate::hex::encode(h).to_ascii_uppercase(),
                    MemberTag::Name(n) => n.clone(),
                },
                tag_kind: match m.tag {
                    MemberTag::Hash(_) => "hash".to_string(),
                    MemberTag::Name(_) => "name".to_string(),
                },
                identifier_hex: crate::hex::encode(&m.identifier),
                digest: m.digest.as_ref().map(|d| crate::hex::encode(&d.digest)),
                digest_algorithm: m
                    .digest
                    .as_ref()
                    .map(|d| d.algorithm.map_or_else(|| d.algorithm_oid.to_string(), |a| a.name().to_string())),
                data_type: m.digest.as_ref().map(|d| data_type_name(&d.data_type)),
                sip_guid: m.sip_guid.clone(),
                member_info_version: m.member_info_version,
                member_info2: m.member_info2,
                attributes: m.attributes.iter().map(name_value_report).collect(),
                other_attributes: m.other_attributes.iter().map(|o| o.to_string()).collect(),
                offset: m.offset,
            })
            .collect();
        CatalogReport {
            version: self.version,
            subject_usage: self.subject_usage.iter().map(|o| o.to_string()).collect(),
            list_identifier: crate::hex::encode(&self.list_identifier),
            sequence_number: self.sequence_number.as_ref().map(|s| crate::hex::encode(s)),
            this_update: self.this_update.to_rfc3339(),
            next_update: self.next_update.map(|t| t.to_rfc3339()),
            subject_algorithm,
            attributes: self.attributes.iter().map(name_value_report).collect(),
            os_attr_windows: os_attr,
            hwids: hwids(&self.attributes),
            member_count: self.members.len() as u64,
            members,
            findings: self.findings.clone(),
        }
    }
}

/// Fill `report.catalog` for a catalog file; a catalog that does not decode becomes a finding.
pub fn inspect_catalog(bytes: &[u8], options: &crate::options::Options, report: &mut FileReport) {
    let _ = options;
    match parse_catalog(bytes) {
        Ok(catalog) => report.catalog = Some(catalog.to_report()),
        Err(e) => report.findings.push(Finding::new(checks::CATALOG_DECODE.id, Outcome::Fail, e.to_string()).at(e.offset())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    fn bmp(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
    }
    fn utf16z(s: &str) -> Vec<u8> {
        s.encode_utf16().chain([0]).flat_map(|u| u.to_le_bytes()).collect()
    }

    /// One TLV with a short-form or long-form length.
    fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = value.len();
        if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend([0x81, len as u8]);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(value);
        out
    }
    fn oid(o: &ObjectIdentifier) -> Vec<u8> {
        o.to_der().unwrap()
    }
    fn name_value(name: &str, value: &str) -> Vec<u8> {
        tlv(0x30, &[tlv(0x1e, &bmp(name)), vec![0x02, 0x04, 0x10, 0x01, 0x00, 0x01], tlv(0x04, &utf16z(value))].concat())
    }
    fn attribute(t: &ObjectIdentifier, value: &[u8]) -> Vec<u8> {
        tlv(0x30, &[oid(t), tlv(0x31, value)].concat())
    }

    /// A minimal unsigned catalog: one hash-tagged member with a digest and two name/values, and a
    /// second member whose attribute SET holds the same attribute twice (rejected by der's SetOf).
    fn sample(dup: bool) -> Vec<u8> {
        let digest = [0xabu8; 32];
        let sha256 = tlv(0x30, &[oid(&const_oid::db::rfc5912::ID_SHA_256), vec![0x05, 0x00]].concat());
        let spc = tlv(
            0x30,
            &[
                tlv(0x30, &[oid(&OID_SPC_PE_IMAGE_DATA), vec![0xa2, 0x02, 0x80, 0x00]].concat()),
                tlv(0x30, &[sha256, tlv(0x04, &digest)].concat()),
            ]
            .concat(),
        );
        let memberinfo = tlv(0x30, &[tlv(0x1e, &bmp("{C689AAB8-8E78-11D0-8C47-00C04FC295EE}")), vec![0x02, 0x02, 0x02, 0x00]].concat());
        let nv_file = attribute(&OID_CAT_NAMEVALUE, &name_value("File", "a.sys"));
        let attrs = [
            nv_file.clone(),
            attribute(&OID_SPC_INDIRECT_DATA, &spc),
            attribute(&OID_CAT_MEMBERINFO, &memberinfo),
            attribute(&OID_CAT_NAMEVALUE, &name_value("OSAttr", "2:6.1,2:10.0")),
        ]
        .concat();
        let m1 = tlv(0x30, &[tlv(0x04, &digest), tlv(0x31, &attrs)].concat());
        let m2_attrs = if dup { [nv_file.clone(), nv_file].concat() } else { nv_file };
        let m2 = tlv(0x30, &[tlv(0x04, &utf16z("ABCD")), tlv(0x31, &m2_attrs)].concat());
        let ext = tlv(0x30, &[oid(&OID_CAT_NAMEVALUE), tlv(0x04, &name_value("HWID1", "usb\\vid_1&pid_2"))].concat());
        let ctl = tlv(
            0x30,
            &[
                tlv(0x30, &oid(&OID_CATALOG_LIST)),
                tlv(0x04, &[1, 2, 3, 4]),
                tlv(0x17, b"200101000000Z"),
                tlv(0x30, &[oid(&OID_CATALOG_LIST_MEMBER2), vec![0x05, 0x00]].concat()),
                tlv(0x30, &[m1, m2].concat()),
                tlv(0xa0, &tlv(0x30, &ext)),
            ]
            .concat(),
        );
        let encap = tlv(0x30, &[oid(&OID_CTL), tlv(0xa0, &ctl)].concat());
        let sd = tlv(0x30, &[vec![0x02, 0x01, 0x01], vec![0x31, 0x00], encap, vec![0x31, 0x00]].concat());
        tlv(0x30, &[oid(&OID_SIGNED_DATA), tlv(0xa0, &sd)].concat())
    }

    #[test]
    fn decodes_a_hand_made_catalog() {
        let bytes = sample(false);
        let cat = parse_catalog(&bytes).unwrap();
        assert_eq!(cat.digest_algorithm(), Some(DigestAlgorithm::Sha256));
        assert_eq!(cat.this_update.to_rfc3339(), "2020-01-01T00:00:00Z");
        assert_eq!(cat.members.len(), 2);
        let m = &cat.members[0];
        assert_eq!(m.tag, MemberTag::Hash(vec![0xab; 32]));
        let d = m.digest.as_ref().unwrap();
        assert_eq!((d.algorithm, d.digest.clone(), d.data_type), (Some(DigestAlgorithm::Sha256), vec![0xab; 32], OID_SPC_PE_IMAGE_DATA));
        assert_eq!(m.sip_guid.as_deref(), Some("{C689AAB8-8E78-11D0-8C47-00C04FC295EE}"));
        assert_eq!(m.member_info_version, Some(512));
        let names: Vec<_> = m.attributes.iter().map(|a| (a.name.as_str(), a.value.as_str(), a.flags)).collect();
        assert_eq!(names, [("File", "a.sys", 0x1001_0001), ("OSAttr", "2:6.1,2:10.0", 0x1001_0001)]);
        assert_eq!(cat.members[1].tag, MemberTag::Name("ABCD".into()));
        let r = cat.to_report();
        assert_eq!(r.hwids, ["usb\\vid_1&pid_2"]);
        assert_eq!(r.os_attr_windows, ["Windows 7", "Windows 10/11"]);
        assert_eq!(r.members[0].tag, "AB".repeat(32));
        assert_eq!(r.members[0].data_type.as_deref(), Some("pe-image"));
        assert!(cat.findings.is_empty(), "{:?}", cat.findings);
        // Offsets point into the file.
        assert!(usize::try_from(m.offset).unwrap() < bytes.len());
    }

    #[test]
    fn duplicate_attributes_are_kept_not_fatal() {
        let cat = parse_catalog(&sample(true)).unwrap();
        assert_eq!(cat.members[1].attributes.len(), 2);
    }

    #[test]
    fn broken_input_is_an_error_with_offset_never_a_panic() {
        let bytes = sample(false);
        assert!(matches!(parse_catalog(b""), Err(CatalogError::NotSignedData { .. })));
        for cut in 0..bytes.len() {
            let _ = parse_catalog(&bytes[..cut]);
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = parse_catalog(&b).map(|c| c.to_report());
        }
        let mut wrong = bytes.clone();
        // Flip the last byte of the szOID_CTL OID: not a catalog.
        let pos = bytes.windows(9).position(|w| w == [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0a, 0x01]).unwrap();
        wrong[pos + 8] = 0x02;
        assert!(matches!(parse_catalog(&wrong), Err(CatalogError::NotCtl { .. })));
    }

    #[test]
    fn os_attr_names() {
        assert_eq!(
            os_attr_windows("2:5.1,2:6.0,2:6.2,2:6.3,2:10.0"),
            ["Windows XP", "Windows Vista", "Windows 8", "Windows 8.1", "Windows 10/11"]
        );
        assert_eq!(os_attr_windows("2:7.7"), ["unknown (2:7.7)"]);
    }
}
