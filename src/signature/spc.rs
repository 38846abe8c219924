//! Microsoft Authenticode ASN.1 types (Authenticode_PE.docx, "Authenticode-Specific Structures"),
//! modelled with `der` derives, and the OIDs that name them.

use const_oid::ObjectIdentifier;
use der::asn1::{BitString, BmpString, Ia5String, OctetString};
use der::{Any, Choice, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::digest::DigestAlgorithm;
use crate::tlv::{Reader, TlvError, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, TAG_SET};

/// SPC_INDIRECT_DATA_OBJID: eContentType of an Authenticode SignedData.
pub const SPC_INDIRECT_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.4");
/// SPC_STATEMENT_TYPE_OBJID (signed attribute).
pub const SPC_STATEMENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.11");
/// SPC_SP_OPUS_INFO_OBJID (signed attribute: program name, more-info link).
pub const SPC_SP_OPUS_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.12");
/// SPC_PE_IMAGE_DATAOBJ: SpcAttributeTypeAndOptionalValue.type for PE images.
pub const SPC_PE_IMAGE_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.15");
/// SPC_INDIVIDUAL_SP_KEY_PURPOSE_OBJID, seen as the data type of some UEFI signers' indirect data.
pub const SPC_INDIVIDUAL_SP_KEY_PURPOSE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.21");
/// SPC_CAB_DATA_OBJID: flat-file (non-PE) indirect data, used by catalog members.
pub const SPC_CAB_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.25");
/// SPC_PE_IMAGE_PAGE_HASHES_V1: SHA-1 page hashes.
pub const SPC_PE_IMAGE_PAGE_HASHES_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.3.1");
/// SPC_PE_IMAGE_PAGE_HASHES_V2: SHA-256 page hashes.
pub const SPC_PE_IMAGE_PAGE_HASHES_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.3.2");
/// SPC_NESTED_SIGNATURE_OBJID (unsigned attribute: a whole ContentInfo per value).
pub const SPC_NESTED_SIGNATURE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.4.1");
/// SPC_RFC3161_OBJID (unsigned attribute: an RFC 3161 TimeStampToken).
pub const SPC_RFC3161_TIMESTAMP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.3.3.1");
/// szOID_CTL: eContentType of a security catalog.
pub const SZ_OID_CTL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.1");

/// The SpcSerializedObject class id that marks a page hash table:
/// a6b586d5-b4a1-2466-ae05-a217da8e60d6 (as stored, byte for byte).
pub const PAGE_HASH_CLASS_ID: [u8; 16] = [0xa6, 0xb5, 0x86, 0xd5, 0xb4, 0xa1, 0x24, 0x66, 0xae, 0x05, 0xa2, 0x17, 0xda, 0x8e, 0x60, 0xd6];

/// ```text
/// SpcIndirectDataContent ::= SEQUENCE {
///     data                    SpcAttributeTypeAndOptionalValue,
///     messageDigest           DigestInfo
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SpcIndirectDataContent {
    pub data: SpcAttributeTypeAndOptionalValue,
    pub message_digest: DigestInfo,
}

/// ```text
/// SpcAttributeTypeAndOptionalValue ::= SEQUENCE {
///     type                    ObjectID,
///     value                   ANY DEFINED BY type OPTIONAL
/// }
/// ```
/// (Authenticode_PE.docx writes `value [0] EXPLICIT ANY OPTIONAL`; every signer in the wild,
/// and signify / osslsigncode, encode the value untagged.)
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SpcAttributeTypeAndOptionalValue {
    pub r#type: ObjectIdentifier,
    #[asn1(optional = "true")]
    pub value: Option<Any>,
}

/// ```text
/// DigestInfo ::= SEQUENCE {
///     digestAlgorithm         AlgorithmIdentifier,
///     digest                  OCTET STRING
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct DigestInfo {
    pub digest_algorithm: AlgorithmIdentifierOwned,
    pub digest: OctetString,
}

/// ```text
/// SpcPeImageData ::= SEQUENCE {
///     flags                   SpcPeImageFlags DEFAULT { includeResources },
///     file                    [0] EXPLICIT SpcLink OPTIONAL
/// }
/// SpcPeImageFlags ::= BIT STRING { includeResources(0), includeDebugInfo(1), includeImportAddressTable(2) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SpcPeImageData {
    #[asn1(optional = "true")]
    pub flags: Option<BitString>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub file: Option<SpcLink>,
}

/// ```text
/// SpcLink ::= CHOICE {
///     url                     [0] IMPLICIT IA5STRING,
///     moniker                 [1] IMPLICIT SpcSerializedObject,
///     file                    [2] EXPLICIT SpcString
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum SpcLink {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Url(Ia5String),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Moniker(SpcSerializedObject),
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    File(SpcString),
}

/// ```text
/// SpcString ::= CHOICE {
///     unicode                 [0] IMPLICIT BMPSTRING,
///     ascii                   [1] IMPLICIT IA5STRING
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum SpcString {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Unicode(BmpString),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT")]
    Ascii(Ia5String),
}

impl SpcString {
    /// The text, whichever form it was stored in.
    pub fn text(&self) -> String {
        match self {
            SpcString::Unicode(s) => s.chars().collect(),
            SpcString::Ascii(s) => s.to_string(),
        }
    }
}

impl SpcLink {
    /// A human form: the URL, the file name, or `moniker` for a serialized object.
    pub fn text(&self) -> String {
        match self {
            SpcLink::Url(s) => s.to_string(),
            SpcLink::File(s) => s.text(),
            SpcLink::Moniker(_) => "moniker".to_string(),
        }
    }
}

/// ```text
/// SpcSerializedObject ::= SEQUENCE {
///     classId                 SpcUuid,          -- SpcUuid ::= OCTET STRING
///     serializedData          OCTET STRING
/// }
/// ```
/// With class id [`PAGE_HASH_CLASS_ID`], serializedData holds
/// `SET OF SpcAttributeTypeAndOptionalValue` whose type is [`SPC_PE_IMAGE_PAGE_HASHES_V1`] or
/// [`SPC_PE_IMAGE_PAGE_HASHES_V2`] and whose value is `SET OF OCTET STRING`: a table of
/// (4-byte little-endian file offset, page hash) records.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SpcSerializedObject {
    pub class_id: OctetString,
    pub serialized_data: OctetString,
}

/// ```text
/// SpcSpOpusInfo ::= SEQUENCE {
///     programName             [0] EXPLICIT SpcString OPTIONAL,
///     moreInfo                [1] EXPLICIT SpcLink OPTIONAL
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SpcSpOpusInfo {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub program_name: Option<SpcString>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub more_info: Option<SpcLink>,
}

/// Why a page hash table could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageHashError {
    Structure(TlvError),
    /// An attribute type other than the two page hash OIDs.
    UnknownType(ObjectIdentifier),
    /// The table is not a whole number of (offset, hash) records.
    RaggedTable {
        len: usize,
        record: usize,
    },
    /// No page hash attribute in the serialized data.
    Missing,
}

impl core::fmt::Display for PageHashError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PageHashError::Structure(e) => write!(f, "page hash structure: {e}"),
            PageHashError::UnknownType(oid) => write!(f, "unknown page hash type {oid}"),
            PageHashError::RaggedTable { len, record } => {
                write!(f, "page hash table of {len} bytes is not a multiple of the {record}-byte record")
            }
            PageHashError::Missing => write!(f, "no page hash attribute in the serialized object"),
        }
    }
}

impl From<TlvError> for PageHashError {
    fn from(e: TlvError) -> Self {
        PageHashError::Structure(e)
    }
}

/// Read the page hash table from SpcSerializedObject.serializedData.
pub fn parse_page_hashes(serialized: &[u8]) -> Result<super::PageHashTable, PageHashError> {
    let mut outer = Reader::new(serialized);
    let set = outer.read_tag(TAG_SET)?;
    let mut items = set.children();
    // The first attribute is the table (signtool writes exactly one).
    if !items.is_empty() {
        let item = items.read_tag(TAG_SEQUENCE)?;
        let mut fields = item.children();
        let oid_tlv = fields.read_tag(TAG_OID)?;
        let oid = ObjectIdentifier::from_bytes(oid_tlv.value)
            .map_err(|_| PageHashError::Structure(TlvError::Unsupported { offset: oid_tlv.offset }))?;
        let algorithm = if oid == SPC_PE_IMAGE_PAGE_HASHES_V1 {
            DigestAlgorithm::Sha1
        } else if oid == SPC_PE_IMAGE_PAGE_HASHES_V2 {
            DigestAlgorithm::Sha256
        } else {
            return Err(PageHashError::UnknownType(oid));
        };
        let values = fields.read_tag(TAG_SET)?;
        let mut table = Vec::new();
        let mut vr = values.children();
        while !vr.is_empty() {
            table.extend_from_slice(vr.read_tag(TAG_OCTET_STRING)?.value);
        }
        let record = algorithm.output_len().saturating_add(4);
        if table.len().checked_rem(record) != Some(0) {
            return Err(PageHashError::RaggedTable { len: table.len(), record });
        }
        let entries = table
            .chunks_exact(record)
            .map(|r| {
                let (off, hash) = r.split_at(4);
                let mut b = [0u8; 4];
                b.copy_from_slice(off);
                (u32::from_le_bytes(b), hash.to_vec())
            })
            .collect();
        return Ok(super::PageHashTable { algorithm, entries });
    }
    Err(PageHashError::Missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn pe_image_data_with_obsolete_file_link() {
        // SpcPeImageData { flags '' , file [0] { file [2] { unicode [0] "<<<Obsolete>>>" } } }
        // as signtool writes it.
        let der = unhex("3025 0301 00 a020 a21e 801c 003c003c003c004f00620073006f006c006500740065003e003e003e");
        let v = SpcPeImageData::from_der(&der).unwrap();
        match &v.file {
            Some(SpcLink::File(s)) => assert_eq!(s.text(), "<<<Obsolete>>>"),
            other => panic!("{other:?}"),
        }
        assert_eq!(v.to_der().unwrap(), der);
    }

    #[test]
    fn opus_info_program_name_and_url() {
        // SpcSpOpusInfo { programName [0] { unicode "ab" }, moreInfo [1] { url [0] "http://x" } }
        let der = unhex("3016 a006 8004 00610062 a10c 800a 687474703a2f2f782f2f");
        let v = SpcSpOpusInfo::from_der(&der).unwrap();
        assert_eq!(v.program_name.unwrap().text(), "ab");
        assert_eq!(v.more_info.unwrap().text(), "http://x//");
        // An empty SpcSpOpusInfo is legal.
        let empty = SpcSpOpusInfo::from_der(&[0x30, 0x00]).unwrap();
        assert!(empty.program_name.is_none() && empty.more_info.is_none());
    }

    #[test]
    fn ascii_spc_string() {
        let v = SpcString::from_der(&unhex("8103 616263")).unwrap();
        assert_eq!(v.text(), "abc");
    }

    #[test]
    fn indirect_data_content_sha256() {
        // { data { 2.1.15, SpcPeImageData { flags '' } }, DigestInfo { sha256, 32 x 0x11 } }
        let digest = "11".repeat(32);
        let der = unhex(&format!("3046 3011 060a 2b0601040182370201 0f 3003 030100 3031 300d 0609 608648016503040201 0500 0420 {digest}"));
        let v = SpcIndirectDataContent::from_der(&der).unwrap();
        assert_eq!(v.data.r#type, SPC_PE_IMAGE_DATA);
        assert_eq!(v.message_digest.digest.as_bytes(), &[0x11; 32]);
        assert_eq!(DigestAlgorithm::from_oid(&v.message_digest.digest_algorithm.oid), Some(DigestAlgorithm::Sha256));
        let pe: SpcPeImageData = v.data.value.unwrap().decode_as().unwrap();
        assert!(pe.file.is_none());
    }

    #[test]
    fn moniker_with_page_hashes() {
        // SET { SEQ { 1.3.6.1.4.1.311.2.3.1, SET { OCTET STRING (2 records of 4 + 20 bytes) } } }
        let rec1 = format!("00000000{}", "aa".repeat(20));
        let rec2 = format!("00100000{}", "00".repeat(20));
        let serialized = unhex(&format!("3142 3040 060a 2b06010401823702 0301 3132 0430 {rec1}{rec2}"));
        let t = parse_page_hashes(&serialized).unwrap();
        assert_eq!(t.algorithm, DigestAlgorithm::Sha1);
        assert_eq!(t.entries.len(), 2);
        assert_eq!(t.entries[0], (0, vec![0xaa; 20]));
        assert_eq!(t.entries[1].0, 0x1000);

        let obj = SpcSerializedObject {
            class_id: OctetString::new(PAGE_HASH_CLASS_ID.to_vec()).unwrap(),
            serialized_data: OctetString::new(serialized).unwrap(),
        };
        let link = SpcLink::Moniker(obj.clone());
        let der = link.to_der().unwrap();
        assert_eq!(der[0], 0xa1);
        assert_eq!(SpcLink::from_der(&der).unwrap(), link);

        // A ragged table is an error, not a panic.
        let bad = unhex("3113 3011 060a 2b06010401823702 0301 3103 0401ff");
        assert!(parse_page_hashes(&bad).is_err());
    }
}
