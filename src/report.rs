//! The report: plain data (strings, hex, offsets) built from parsed types, serializable with serde.
//! It is the API boundary between the core and every front end (page, CLI, JSON); its JSON form is
//! documented in `docs/report.md`. Nothing here refers to a parser type.

use serde::{Deserialize, Serialize};

pub use crate::target::{Arch, Target};
use crate::time::UnixTime;

/// Everything the core says about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// The name (or relative path) the caller gave the bytes.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// What the bytes are.
    pub kind: FileKind,
    /// The verification time the caller passed in (RFC 3339).
    pub verified_at: String,
    /// PE layout facts, for PE32 / PE32+ files.
    pub pe: Option<PeInfo>,
    /// Every signature found, nested ones included, in document order (outer before nested).
    pub signatures: Vec<SignatureReport>,
    /// File-level findings (layout anomalies, parse failures); signatures carry their own.
    pub findings: Vec<Finding>,
    /// The certificate trust list, for catalog files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogReport>,
    /// What the setup information says, for INF files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inf: Option<InfReport>,
    /// Would each Windows target load it (kernel drivers; policy layer). For a single PE file only
    /// its embedded signatures are considered; the package layer adds the catalogs.
    #[serde(default)]
    pub verdicts: Vec<TargetVerdict>,
    /// The certificates of a certificate file (`.cer` / `.crt` / `.pem` / `.p7b`, recognised by
    /// content), in file order; empty for every other kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateSummary>,
    /// Known-vulnerable and malicious driver lists this PE file was judged against, and what
    /// matched (`src/blocklist/`); absent when no list was given or the file is not a PE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocklist: Option<BlocklistReport>,
}

/// The block lists a file was judged against and the rules that matched it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocklistReport {
    /// Every list, with its version and provenance: an old report is never mistaken for today's.
    pub lists: Vec<ListInfo>,
    pub matches: Vec<BlocklistMatch>,
    /// What was not checked, and why (e.g. the whole-file SHA-1 / MD5 of a very big file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Where a list comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListKind {
    /// Microsoft's driver block policy shipped inside Windows (one per Windows build).
    #[default]
    MicrosoftInbox,
    /// Microsoft's recommended driver block rules (the documentation page's XML).
    MicrosoftRecommended,
    /// An SiPolicy XML the user gave (an organisation's deny policy, a newer list).
    UserSipolicy,
    /// LOLDrivers (community catalogue; Windows does not enforce it).
    Loldrivers,
}

impl ListKind {
    /// Windows-format lists (SiPolicy): enforced by Windows where the blocklist is on.
    pub fn is_microsoft_format(self) -> bool {
        !matches!(self, ListKind::Loldrivers)
    }
}

/// One list's identity and provenance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListInfo {
    pub kind: ListKind,
    /// PolicyInfo `Name` (SiPolicy), `LOLDrivers`, or the file name of a user list.
    pub name: String,
    /// PolicyInfo `Id` (SiPolicy; else VersionEx), or the upstream commit date (LOLDrivers).
    pub version: String,
    /// SiPolicy `VersionEx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_ex: Option<String>,
    /// Windows builds that ship this list in-box (e.g. `10.0.26100.1`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builds: Vec<String>,
    /// Upstream repository and path, or `user file`.
    pub source: String,
    /// Upstream commit and its date, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Licence of the data (`MIT`, `Apache-2.0`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    pub counts: ListCounts,
}

/// How many rules of each kind a list has (those in force for kernel drivers, for SiPolicy).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCounts {
    #[serde(default)]
    pub hash_rules: u32,
    #[serde(default)]
    pub file_name_rules: u32,
    #[serde(default)]
    pub signer_rules: u32,
    /// LOLDrivers records and samples.
    #[serde(default)]
    pub records: u32,
    #[serde(default)]
    pub samples: u32,
}

/// What a rule matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// Authenticode SHA-1 / SHA-256 of the image (SiPolicy `Hash`, LOLDrivers `Authentihash`).
    AuthenticodeSha1,
    AuthenticodeSha256,
    /// Hash of the image's first page (SiPolicy `Hash Page` rules).
    FirstPageSha1,
    FirstPageSha256,
    /// Whole-file hashes (LOLDrivers `SHA256` / `SHA1` / `MD5`).
    FileSha256,
    FileSha1,
    FileMd5,
    /// SiPolicy `FileName` + version range against the version resource.
    FileName,
    /// SiPolicy denied signer (CertRoot TBS, with CertPublisher / CertOemID / FileAttribRef).
    Signer,
}

/// LOLDrivers' category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LolCategory {
    VulnerableDriver,
    Malicious,
}

/// One rule of one list that matched the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocklistMatch {
    pub list_kind: ListKind,
    /// `ListInfo::name` and `ListInfo::version` of the list.
    pub list: String,
    pub list_version: String,
    /// SiPolicy rule or signer ID (`ID_DENY_...`, `ID_SIGNER_...`); LOLDrivers record id (UUID).
    pub rule_id: String,
    /// SiPolicy FriendlyName / signer Name; LOLDrivers sample file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_name: Option<String>,
    pub matched_by: MatchedBy,
    /// What matched, in one sentence (the hash, the name and version, the certificate).
    pub detail: String,
    /// LOLDrivers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<LolCategory>,
    /// LOLDrivers `LoadsDespiteHVCI` of the matching sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loads_despite_hvci: Option<bool>,
    /// LOLDrivers `Resources` (links as text, never fetched).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

/// What the bytes are, from their content (and the file name only where content cannot tell).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// PE with a PE32 optional header (magic 0x10b).
    Pe32,
    /// PE with a PE32+ optional header (magic 0x20b).
    #[serde(rename = "pe32+")]
    Pe32Plus,
    /// A security catalog: PKCS#7 SignedData whose content type is szOID_CTL.
    Catalog,
    /// A driver setup information file.
    Inf,
    /// A zip archive (a packed driver package).
    Zip,
    /// Certificates: DER or PEM X.509, or a PKCS#7 bundle of them (what `--trust` reads).
    Certificate,
    /// Anything else (including MZ executables without a PE header).
    #[default]
    Other,
}

impl FileKind {
    pub fn is_pe(self) -> bool {
        matches!(self, FileKind::Pe32 | FileKind::Pe32Plus)
    }

    /// The label people read: `PE32`, `PE32+`, `catalog`, `INF`, `zip`, `certificate`, `other`.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pe32 => "PE32",
            FileKind::Pe32Plus => "PE32+",
            FileKind::Catalog => "catalog",
            FileKind::Inf => "INF",
            FileKind::Zip => "zip",
            FileKind::Certificate => "certificate",
            FileKind::Other => "other",
        }
    }
}

/// The outcome of one check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Warn,
    Fail,
    /// The check could not be made (unknown algorithm, missing data the check needs).
    Unsupported,
    /// The check does not apply (e.g. no page hashes present).
    #[default]
    NotPresent,
}

/// One check's result, with a human reason and, where it concerns bytes, their file offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable machine name of the check, e.g. `pe.certificate-table.trailing-data`.
    pub check: String,
    pub outcome: Outcome,
    /// One sentence a support engineer can paste into a ticket.
    pub reason: String,
    /// Byte offset in the file the finding is about, when there is one (binary files).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub offset: Option<u64>,
    /// 1-based line number the finding is about, when there is one (text files: INFs).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

/// Where a [`Finding`] points: a byte offset, a line, or nowhere in particular.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    Offset(u64),
    Line(u32),
    None,
}

impl Finding {
    pub fn new(check: &str, outcome: Outcome, reason: impl Into<String>) -> Self {
        Finding { check: check.to_string(), outcome, reason: reason.into(), offset: None, line: None }
    }

    /// The finding about the byte at `offset` (replaces any line).
    pub fn at(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self.line = None;
        self
    }

    /// The finding about line `line` (1-based; replaces any offset).
    pub fn on_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self.offset = None;
        self
    }

    /// Where the finding points.
    pub fn location(&self) -> Location {
        match (self.offset, self.line) {
            (Some(offset), _) => Location::Offset(offset),
            (None, Some(line)) => Location::Line(line),
            (None, None) => Location::None,
        }
    }
}

/// PE layout facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeInfo {
    /// `PE32` or `PE32+`.
    pub format: String,
    /// COFF machine, e.g. `x64`, `x86`, `ARM64`, or `0x....` when unknown.
    pub machine: String,
    /// Optional-header subsystem, e.g. `native` (kernel drivers), `windows-gui`, `efi-application`.
    pub subsystem: String,
    /// The optional header's CheckSum field and the value recomputed over the file.
    pub checksum: Checksum,
    /// Data directory 4 (IMAGE_DIRECTORY_ENTRY_SECURITY); `None` when the directory is empty.
    pub certificate_table: Option<CertificateTable>,
    /// Optional-header SectionAlignment (memory integrity wants a multiple of 0x1000).
    #[serde(default)]
    pub section_alignment: u32,
    /// Optional-header DllCharacteristics.
    #[serde(default)]
    pub dll_characteristics: u16,
    /// IMAGE_DLLCHARACTERISTICS_NX_COMPAT (0x100) is set.
    #[serde(default)]
    pub nx_compat: bool,
    /// The section table: names and memory flags.
    #[serde(default)]
    pub sections: Vec<PeSection>,
    /// Data directory 12 (IMAGE_DIRECTORY_ENTRY_IAT): the import address table's RVA and size;
    /// `None` when the directory is empty or absent (memory integrity wants it outside executable
    /// sections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_address_table: Option<RvaRange>,
    /// The version resource (VS_VERSIONINFO), when the file has one that can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionInfo>,
}

/// The version resource of a PE file (RT_VERSION): the StringFileInfo strings as the file gives
/// them (up to 256 characters each; front ends show them inert) and the VS_FIXEDFILEINFO versions.
/// Every field is absent when the file does not say it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// `OriginalFilename`: the name block rules (`FileName`) compare, case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_filename: Option<String>,
    /// `FileVersion` string, e.g. `10.0.19041.1 (WinBuild.160101.0800)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_version: Option<String>,
    /// VS_FIXEDFILEINFO dwFileVersionMS/LS, `major.minor.build.revision`: the version block rules
    /// compare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_version_fixed: Option<FourPartVersion>,
    /// `ProductVersion` string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version: Option<String>,
    /// VS_FIXEDFILEINFO dwProductVersionMS/LS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version_fixed: Option<FourPartVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_name: Option<String>,
}

/// A four-part Windows version (four 16-bit parts), ordered part by part; JSON `"a.b.c.d"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct FourPartVersion(pub [u16; 4]);

impl FourPartVersion {
    /// From the two 32-bit halves of VS_FIXEDFILEINFO (`MS` = major.minor, `LS` = build.revision).
    pub fn from_ms_ls(ms: u32, ls: u32) -> Self {
        let hi = |v: u32| u16::try_from(v >> 16).unwrap_or(u16::MAX);
        let lo = |v: u32| u16::try_from(v & 0xffff).unwrap_or(u16::MAX);
        FourPartVersion([hi(ms), lo(ms), hi(ls), lo(ls)])
    }

    /// `a.b.c.d` with four decimal 16-bit parts; fewer parts are padded with zeros (`1.2` = `1.2.0.0`).
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = [0u16; 4];
        let mut n = 0usize;
        for piece in s.trim().split('.') {
            let slot = parts.get_mut(n)?;
            *slot = piece.trim().parse().ok()?;
            n = n.checked_add(1)?;
        }
        Some(FourPartVersion(parts))
    }
}

impl core::fmt::Display for FourPartVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

impl From<FourPartVersion> for String {
    fn from(v: FourPartVersion) -> String {
        v.to_string()
    }
}

impl TryFrom<String> for FourPartVersion {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        FourPartVersion::parse(&s).ok_or_else(|| format!("not a four-part version: {s}"))
    }
}

/// An RVA and a size (a data directory).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RvaRange {
    pub rva: u32,
    pub size: u32,
}

/// One section header's name and memory flags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeSection {
    pub name: String,
    /// IMAGE_SECTION_HEADER.Characteristics.
    pub characteristics: u32,
    /// IMAGE_SECTION_HEADER.VirtualAddress (RVA) and VirtualSize.
    #[serde(default)]
    pub virtual_address: u32,
    #[serde(default)]
    pub virtual_size: u32,
    /// IMAGE_SCN_MEM_WRITE (0x80000000).
    pub writable: bool,
    /// IMAGE_SCN_MEM_EXECUTE (0x20000000).
    pub executable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksum {
    pub stored: u32,
    pub computed: u32,
    /// Stored equals computed (a stored 0 means "not set", which Windows accepts for non-boot drivers).
    pub matches: bool,
}

/// The attribute certificate table as the security directory describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateTable {
    /// File offset (the directory's "RVA" is a file offset for this directory).
    pub offset: u64,
    /// Size in bytes, as the directory gives it.
    pub size: u64,
    /// Every WIN_CERTIFICATE entry read from it.
    pub entries: Vec<WinCertificate>,
}

/// One WIN_CERTIFICATE entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinCertificate {
    pub offset: u64,
    /// dwLength, including the 8-byte header.
    pub length: u32,
    /// wRevision (0x0200 expected).
    pub revision: u16,
    /// wCertificateType (0x0002 PKCS_SIGNED_DATA expected).
    pub certificate_type: u16,
}

/// One Authenticode signature (a PKCS#7 SignedData), outer or nested.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// Position in `FileReport::signatures`.
    pub index: usize,
    /// 0 for a signature in a WIN_CERTIFICATE entry, 1 for one nested in it (1.3.6.1.4.1.311.2.4.1), ...
    pub depth: u32,
    /// Index of the signature this one is nested in.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<usize>,
    /// Where it came from, e.g. `WIN_CERTIFICATE #0 at 0x3a00` or `nested in signature 0`.
    pub source: String,
    /// File offset of the DER SignedData, when it is known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub offset: Option<u64>,
    /// `sha1`, `sha256`, `sha384`, `sha512`, `md5`, or the OID when unknown.
    pub digest_algorithm: String,
    /// The digest the signature carries (SpcIndirectDataContent.messageDigest), lowercase hex.
    pub signed_digest: String,
    /// The digest recomputed over the file, lowercase hex (empty when it could not be computed).
    pub computed_digest: String,
    pub digest_verdict: Outcome,
    pub page_hashes: Option<PageHashes>,
    pub page_hash_verdict: Outcome,
    pub signer: Option<CertificateSummary>,
    /// The SignedData has no SignerInfo at all: nothing signs it (omitted when false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_signer_info: bool,
    /// The signer's signature over the signed attributes (and the messageDigest attribute).
    pub signature_verdict: Outcome,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub program_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub more_info_url: Option<String>,
    /// Every certificate the SignedData carries.
    pub certificates: Vec<CertificateSummary>,
    pub timestamps: Vec<TimestampReport>,
    pub findings: Vec<Finding>,
    /// The certification path built for the signer (issue 5: chain layer).
    #[serde(default)]
    pub chain: Option<ChainReport>,
    /// What kind of signature this is (WHQL, attestation, cross-signed SPC, ...; policy layer).
    #[serde(default)]
    pub classification: Option<Classification>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The page hash table of a signature (SpcSerializedObject 1.3.6.1.4.1.311.2.3.1 / .2.3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageHashes {
    pub algorithm: String,
    pub pages: u64,
    pub matching: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_mismatch_offset: Option<u64>,
}

/// The facts people need about one certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSummary {
    pub subject: String,
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Validity start and end (RFC 3339 in JSON).
    #[serde(with = "crate::time::rfc3339")]
    pub not_before: UnixTime,
    #[serde(with = "crate::time::rfc3339")]
    pub not_after: UnixTime,
    pub sha1: String,
    pub sha256: String,
    /// `rsa`, `ecdsa`, or the key algorithm OID.
    #[serde(default)]
    pub key_algorithm: String,
    /// RSA modulus size or EC curve size in bits (0 when unknown).
    #[serde(default)]
    pub key_bits: u32,
    /// Extended key usages as dotted OIDs; empty when the extension is absent (any purpose).
    #[serde(default)]
    pub ekus: Vec<String>,
    /// Names of the EKUs, in the same order (`code-signing`, `whql-crypto`, ... or the OID).
    #[serde(default)]
    pub eku_names: Vec<String>,
    /// basicConstraints cA.
    #[serde(default)]
    pub is_ca: bool,
    /// basicConstraints pathLenConstraint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_len: Option<u32>,
    /// keyUsage bits by name (`digitalSignature`, `keyCertSign`, ...); empty when the extension is absent.
    #[serde(default)]
    pub key_usage: Vec<String>,
    /// subjectKeyIdentifier, lowercase hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_key_id: Option<String>,
    /// authorityKeyIdentifier keyIdentifier, lowercase hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_key_id: Option<String>,
    /// Hash of the TBSCertificate (as encoded in the file) with the certificate's own signature
    /// hash (SHA-1 / SHA-256 / SHA-384), lowercase hex: what App Control `CertRoot Type="TBS"`
    /// rules name. Empty when the signature algorithm implies no known hash.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tbs_hash: String,
    /// The certificate's DER, base64 (standard alphabet, padded): lets front ends offer it as
    /// .cer / .pem without the original file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub der_base64: String,
}

/// A timestamp on a signature: RFC 3161 token or legacy PKCS#9 countersignature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampReport {
    pub kind: TimestampKind,
    /// The asserted time (RFC 3339), when it could be read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub time: Option<String>,
    pub digest_algorithm: String,
    pub signer: Option<CertificateSummary>,
    pub verdict: Outcome,
    pub findings: Vec<Finding>,
    /// The certification path built for the timestamp authority.
    #[serde(default)]
    pub chain: Option<ChainReport>,
}

/// The two kinds of Authenticode timestamps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimestampKind {
    /// An RFC 3161 token (unsigned attribute 1.3.6.1.4.1.311.3.3.1).
    #[default]
    Rfc3161,
    /// A legacy PKCS #9 countersignature (1.2.840.113549.1.9.6).
    Pkcs9Countersignature,
}

/// A security catalog's certificate trust list (the signer is in `FileReport::signatures`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogReport {
    /// CTLVersion (0 = v1, the default).
    pub version: u64,
    /// subjectUsage OIDs (1.3.6.1.4.1.311.12.1.1 for catalogs).
    pub subject_usage: Vec<String>,
    /// listIdentifier, lowercase hex.
    pub list_identifier: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sequence_number: Option<String>,
    /// ctlThisUpdate (RFC 3339).
    pub this_update: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_update: Option<String>,
    /// Member hash algorithm from subjectAlgorithm: `sha1` (12.1.2), `sha256` (12.1.3), or the OID.
    pub subject_algorithm: String,
    /// Catalog-level CAT_NAMEVALUE entries (ctlExtensions: OS, OSAttr, HWIDn, ...), in stored order.
    pub attributes: Vec<NameValueReport>,
    /// Windows releases named by the OSAttr values (catalog level and members), e.g. `Windows 7`.
    pub os_attr_windows: Vec<String>,
    /// The catalog's HWIDn values, ordered by n.
    pub hwids: Vec<String>,
    pub member_count: u64,
    pub members: Vec<CatalogMemberReport>,
    pub findings: Vec<Finding>,
}

/// One CAT_NAMEVALUE: `{name BMPString, flags INTEGER, value OCTET STRING (UTF-16LE)}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValueReport {
    pub name: String,
    pub value: String,
    pub flags: i64,
}

/// One catalog member (trusted subject).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogMemberReport {
    /// Uppercase hex for a hash tag, the decoded text for a name tag.
    pub tag: String,
    /// `hash` or `name`.
    pub tag_kind: String,
    /// subjectIdentifier bytes as stored, lowercase hex.
    pub identifier_hex: String,
    /// SPC_INDIRECT_DATA digest, lowercase hex (absent for members listed without one).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub digest_algorithm: Option<String>,
    /// `pe-image` (2.1.15: Authenticode PE hash), `flat-file` (2.1.25: plain file hash), or the OID.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub data_type: Option<String>,
    /// CAT_MEMBERINFO subject interface package GUID, e.g. `{C689AAB8-8E78-11D0-8C47-00C04FC295EE}`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sip_guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub member_info_version: Option<i64>,
    /// A CAT_MEMBERINFO2 attribute is present.
    pub member_info2: bool,
    /// CAT_NAMEVALUE attributes (File, OSAttr, Hint, ...), in stored order.
    pub attributes: Vec<NameValueReport>,
    /// OIDs of attributes not understood.
    pub other_attributes: Vec<String>,
    /// File offset of the member.
    pub offset: u64,
}

/// What a driver INF says that matters for signing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfReport {
    pub encoding: InfEncoding,
    /// `[Version]` fields (strings substituted).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub class_guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provider: Option<String>,
    /// DriverVer date as written (mm/dd/yyyy).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub driver_date: Option<String>,
    /// DriverVer version (w.x.y.z).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub driver_version: Option<String>,
    /// CatalogFile entries: decoration `""` for `CatalogFile`, `NTamd64` for `CatalogFile.NTamd64`, ...
    pub catalog_files: Vec<InfCatalogFile>,
    pub source_disks: Vec<InfSourceDisk>,
    pub source_files: Vec<InfSourceFile>,
    pub models: Vec<InfModel>,
    pub services: Vec<InfService>,
    /// `[SignatureAttributes]` and the sections it names, as key/value lines.
    pub signature_attributes: Vec<InfKeyValue>,
    pub findings: Vec<Finding>,
}

/// How an INF's bytes were decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InfEncoding {
    /// UTF-16 little-endian, with a BOM.
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian, with a BOM.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// UTF-8 with a BOM.
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// UTF-8 without a BOM.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// Anything else, read as Windows-1252 (ANSI).
    #[serde(rename = "windows-1252")]
    Windows1252,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfCatalogFile {
    pub decoration: String,
    pub file: String,
    pub line: u32,
}

/// One `[SourceDisksNames*]` entry: `diskid = description[,tagfile[,unused,path]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfSourceDisk {
    pub decoration: String,
    pub disk_id: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    pub line: u32,
}

/// One `[SourceDisksFiles*]` entry: `file = diskid[,subdir[,size]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfSourceFile {
    pub decoration: String,
    pub file: String,
    pub disk_id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subdir: Option<String>,
    pub line: u32,
}

/// One device line of a models section: `description = install-section, hwid[, compatible-id...]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfModel {
    pub manufacturer: String,
    /// The models section, e.g. `Arduino.NTamd64`.
    pub section: String,
    pub description: String,
    pub install_section: String,
    pub hardware_ids: Vec<String>,
    pub line: u32,
}

/// An `AddService = name, flags, service-install-section` and what that section says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfService {
    pub name: String,
    /// The install section holding the AddService line (e.g. `Foo.NT.Services`).
    pub install_section: String,
    pub service_section: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub service_type: Option<u32>,
    /// StartType: 0 boot, 1 system, 2 auto, 3 demand, 4 disabled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub start_type: Option<u32>,
    /// `boot`, `system`, `auto`, `demand`, `disabled` (empty when absent or unknown).
    pub start_type_name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_control: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub service_binary: Option<String>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfKeyValue {
    pub section: String,
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// A certification path built for a signer or a timestamp authority, leaf first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// The chosen path, leaf (the signer) first, up to the top certificate that was reached
    /// (a built-in or user trust anchor is included as the last element when the path reaches one).
    pub certificates: Vec<ChainCertificate>,
    /// Pass when every link verifies, every certificate is valid at `validity_time` with the right
    /// constraints and usages, and the top is a trust anchor.
    pub verdict: Outcome,
    pub trust: TrustKind,
    /// The trust anchor's name (e.g. `Microsoft Root Certificate Authority 2010`), when reached.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub anchor: Option<String>,
    /// The time validity was judged at (RFC 3339).
    pub validity_time: String,
    /// Why that time.
    pub validity_basis: ValidityBasis,
    /// How many candidate paths were tried (cross certificates give several).
    pub paths_tried: u32,
    /// The most useful reasons when the chain fails, and warnings.
    pub findings: Vec<Finding>,
}

/// Why a chain was judged at the time it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidityBasis {
    /// A verified timestamp's time.
    Timestamp,
    /// The verification time: no verified timestamp.
    #[default]
    VerificationTime,
    /// The verification time although a timestamp verified: the lifetime-signing EKU removes the
    /// timestamp's grace.
    LifetimeSigning,
}

/// How the top of a path is trusted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustKind {
    /// A built-in Microsoft root (Root Authority, Root Certificate Authority, 2010, 2011, time stamping roots).
    MicrosoftRoot,
    /// Microsoft Code Verification Root, through a kernel-mode cross certificate (legacy SPC signing).
    MicrosoftCodeVerificationRoot,
    /// A root the user added (`--trust`, or a certificate dropped in the page).
    UserRoot,
    /// A self-signed top certificate that is in no trust store.
    UntrustedRoot,
    /// The signer certificate is itself self-signed (and not trusted).
    SelfSigned,
    /// The path ends at a certificate whose issuer is not available.
    #[default]
    Incomplete,
}

/// One certificate of a path, with the verdict of its link to the next certificate up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCertificate {
    pub certificate: CertificateSummary,
    /// Where it came from: `signature`, `catalog`, `built-in`, `user`.
    pub source: String,
    /// This certificate's own checks and its link to its issuer (the next element, or itself for a root).
    pub link_verdict: Outcome,
    pub link_reason: String,
}

/// What kind of signature this is, with the evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub kind: SignerKind,
    /// One line per fact that decided it (EKU present, signer name, root reached, ...).
    pub evidence: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignerKind {
    /// Microsoft Windows Hardware Compatibility Publisher with the WHQL EKU 1.3.6.1.4.1.311.10.3.5.
    Whql,
    /// Hardware Compatibility Publisher with the attestation EKU 1.3.6.1.4.1.311.10.3.5.1.
    Attestation,
    /// Windows component EKU 1.3.6.1.4.1.311.10.3.6.
    WindowsComponent,
    /// Other Microsoft code signing (chains to a Microsoft kernel root).
    Microsoft,
    /// Early Launch Antimalware EKU 1.3.6.1.4.1.311.61.4.1, path to a Microsoft root.
    Elam,
    /// Windows Store EKU 1.3.6.1.4.1.311.76.3.1, path to a Microsoft root.
    Store,
    /// Chains to Microsoft Root Certificate Authority 2011, the user-mode code-signing root: not a
    /// kernel-mode signature.
    MicrosoftUserMode,
    /// Vendor SPC with a cross certificate to Microsoft Code Verification Root (legacy).
    CrossSignedSpc,
    /// A publicly trusted code-signing (or EV) certificate without a kernel-mode cross certificate.
    SpcWithoutCrossCertificate,
    /// Chains to a user-added root or a test root (`WDKTestCert ...`): loads only with TESTSIGNING.
    TestSigned,
    SelfSigned,
    #[default]
    Untrusted,
    Unsigned,
}

/// Would a given Windows load the driver?
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetVerdict {
    /// Stable id, e.g. `win7-sp1-x64-sha2`, `win11-24h2-enforced`, `server-2025`, `s-mode`.
    pub target: Target,
    /// The target's processor architecture (`x86`, `x64`, `arm64`).
    #[serde(default)]
    pub arch: Arch,
    /// Human name, e.g. `Windows 11 24H2+ (April 2026 policy enforced, memory integrity on)`.
    pub label: String,
    pub verdict: LoadVerdict,
    /// The rule that decided it, in one sentence.
    pub rule: String,
    /// Where the rule comes from (Microsoft page title).
    pub source: String,
    /// Which signature it rests on: `embedded signature #1 (sha256, nested)` or `catalog NAME.cat`.
    pub rests_on: String,
    /// The same signature as typed facts (kind and signer), for headlines; `None` when the verdict
    /// rests on no signature (unsigned, or a target that needs none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<RestsOn>,
    /// Conditions for `loads-with-conditions` (TESTSIGNING on, Secure Boot off, upgraded PC, ...).
    pub conditions: Vec<String>,
}

/// The signature a verdict rests on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestsOn {
    /// The catalog's file name when the signature is a catalog's; `None` for an embedded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// `SignatureReport::index` within the file (or the catalog).
    pub index: usize,
    /// A nested signature (`SignatureReport::depth` > 0).
    pub nested: bool,
    pub kind: SignerKind,
    /// The signer's common name (empty when the signature has no signer certificate).
    pub signer: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadVerdict {
    Loads,
    LoadsWithConditions,
    #[default]
    Blocked,
}

// ---------------------------------------------------------------------------------------------
// Driver packages (several files at once: INF + catalog + binaries, zips expanded)

/// The report on a drop of several files (a directory, a zip, files picked together): every
/// file's own report, then the driver packages they form. The CLI's `--json` prints this.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionReport {
    /// Which drvsig made this report, when, and with which report schema: set by the front ends
    /// (the CLI's `--json`, the page's export and share links) with [`InspectionReport::stamped`];
    /// absent in reports of earlier versions and in the core's own output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_by: Option<MadeBy>,
    /// One report per file, zip entries included (named `archive.zip/inner/path`), in input order.
    pub files: Vec<FileReport>,
    /// The packages the files form: one per INF, plus one `loose` package for files that no INF
    /// claims, matched against every catalog of the drop.
    pub packages: Vec<PackageReport>,
}

/// The schema of [`InspectionReport`] this drvsig writes and reads. Raise it when a field changes
/// meaning or type (adding optional fields keeps it); readers refuse a higher one.
pub const SCHEMA_VERSION: u32 = 1;

/// Who made a saved report, and when.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MadeBy {
    /// Always `drvsig`.
    pub tool: String,
    /// The drvsig version (`0.1.0`).
    pub version: String,
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// When the report was made (RFC 3339, UTC), from the front end's clock.
    pub made_at: String,
}

impl InspectionReport {
    /// The report marked as made by this drvsig at `made_at` (RFC 3339; the core has no clock).
    pub fn stamped(mut self, made_at: &str) -> Self {
        self.made_by = Some(MadeBy {
            tool: "drvsig".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            schema_version: SCHEMA_VERSION,
            made_at: made_at.to_string(),
        });
        self
    }
}

/// One driver package: an INF, the catalog(s) it names, and the files that belong to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageReport {
    /// `inf` (grouped by an INF) or `loose` (files without an INF, matched against any catalog).
    pub kind: PackageKind,
    /// Path of the INF (in the drop), for `inf` packages.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub inf: Option<String>,
    /// The catalogs the INF names (`CatalogFile`, every decoration), or every catalog of the drop
    /// for a loose package.
    pub catalogs: Vec<PackageCatalog>,
    /// One row per (file, catalog): is the file's digest a member of the catalog?
    pub coverage: Vec<CoverageRow>,
    /// Catalog members that no file of the package matches.
    pub missing_members: Vec<MissingMember>,
    /// Files the INF references (`[SourceDisksFiles*]`, `CatalogFile`) that are not in the drop.
    pub missing_files: Vec<MissingFile>,
    /// The catalog's HWIDn attributes against the hardware IDs of the INF's models.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hwids: Option<HwidComparison>,
    pub findings: Vec<Finding>,
    /// Fail when a row is a mismatch, a catalog does not verify, or a required file is missing;
    /// Warn for files outside the catalog, missing members and HWID differences; else Pass.
    pub verdict: Outcome,
}

/// How a package was formed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// Grouped by an INF.
    #[default]
    Inf,
    /// The files no INF claims, matched against every catalog of the drop.
    Loose,
}

/// A catalog of a package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageCatalog {
    /// The name the INF gives (`CatalogFile.NTamd64 = foo.cat` gives `foo.cat`), or the file name.
    pub name: String,
    /// INF decorations naming it: `""` for plain `CatalogFile`, `NTamd64`, ... (empty list for loose).
    pub decorations: Vec<String>,
    /// Where it was found in the drop; `None` when it is missing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    /// `sha1` (v1) or `sha256` (v2), from subjectAlgorithm.
    pub subject_algorithm: String,
    pub member_count: u64,
    /// The catalog's own signature (first signer): Pass when it verifies; Fail when it does not or
    /// the catalog is unsigned. The chain and classification are in the catalog's file report.
    pub signature: Outcome,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signer: Option<String>,
}

/// Whether a file's digest is in a catalog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageStatus {
    /// A member's digest equals the file's digest, its tag agrees, and the catalog's signature verifies.
    Covered,
    /// The digest is a member, but the catalog's own signature does not verify (or it is unsigned).
    CatalogUnverified,
    /// A member names this file (`File` attribute) but no member has its digest (tampered or another
    /// version), or the matching member's tag disagrees with its digest (the catalog was altered).
    Mismatch,
    /// Neither the digest nor the name is in the catalog.
    #[default]
    NotInCatalog,
}

/// One file against one catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    /// Path of the file in the drop.
    pub file: String,
    pub kind: FileKind,
    /// What the file is to the package.
    pub role: Role,
    /// Path (or, when missing, name) of the catalog this row is about; empty when the package has none.
    pub catalog: String,
    pub status: CoverageStatus,
    /// Pass covered; Fail mismatch, catalog-unverified, or an INF-referenced file not in the catalog;
    /// Warn an unreferenced file not in the catalog.
    pub outcome: Outcome,
    /// `authenticode` (PE image hash) or `flat` (whole-file hash): what the catalog hashes.
    pub hash_kind: HashKind,
    /// The file's digests with the algorithms the catalog uses (`sha1`, `sha256`), lowercase hex.
    pub digests: Vec<AlgorithmDigest>,
    /// The members that matched (by digest, or by tag when a member carries no digest); a catalog
    /// may list the same file with a SHA-1 and a SHA-256 member.
    pub members: Vec<MemberMatch>,
    /// For a mismatch: the members that name this file but hold another digest.
    pub named_members: Vec<MemberMatch>,
    pub reason: String,
    /// The file's embedded Authenticode signatures, in short.
    pub embedded: EmbeddedSummary,
    /// Which signature Windows uses for what (PnP installation, kernel load, boot-start on Vista/7 x64).
    pub windows_uses: Vec<String>,
    /// Per-Windows verdicts from the policy layer, when it has been run on this file with the
    /// catalogs covering it (filled by `policy`, empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<TargetVerdict>,
}

/// What a file is to its package.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The package's INF.
    Inf,
    /// An INF service binary (`ServiceBinary`).
    Driver,
    /// Named in `[SourceDisksFiles*]`.
    Referenced,
    /// Neither, but matched by a catalog of the package.
    #[default]
    Extra,
    /// A file of the loose package (no INF claims it).
    Loose,
}

impl Role {
    /// The INF references the file (the INF itself, a service binary, a source file): it must be in
    /// the catalog.
    pub fn is_referenced_by_inf(self) -> bool {
        matches!(self, Role::Inf | Role::Driver | Role::Referenced)
    }
}

/// How a catalog hashes a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashKind {
    /// Authenticode PE image hash (SPC_PE_IMAGE_DATA, 2.1.15).
    Authenticode,
    /// The whole file (SPC_CAB_DATA, 2.1.25, used for flat files).
    #[default]
    Flat,
}

impl HashKind {
    /// What a catalog hashes of this file: the PE image for PE files, else the whole file.
    pub fn of(kind: FileKind) -> Self {
        if kind.is_pe() {
            HashKind::Authenticode
        } else {
            HashKind::Flat
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgorithmDigest {
    pub algorithm: String,
    pub digest: String,
}

/// A catalog member as a coverage row shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberMatch {
    /// The member tag (uppercase hex for hash tags).
    pub tag: String,
    /// `sha1` / `sha256`: the member's digest algorithm (from its SPC_INDIRECT_DATA, else the tag length).
    pub algorithm: String,
    /// SPC_INDIRECT_DATA digest, lowercase hex; `None` for tag-only members.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub digest: Option<String>,
    /// `digest` (SPC_INDIRECT_DATA digest equal), `tag` (tag-only member, tag equal) or `name`
    /// (`File` attribute equal, digest different).
    pub matched_by: MemberMatchedBy,
    /// The member's `File` attribute.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    pub offset: u64,
}

/// How a catalog member was matched to a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemberMatchedBy {
    /// Its SPC_INDIRECT_DATA digest equals the file's.
    #[default]
    Digest,
    /// A member without a digest whose hash tag equals the file's digest.
    Tag,
    /// Its `File` attribute names the file, with another digest.
    Name,
}

/// The embedded signatures of a file, in short.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedSummary {
    /// Number of signatures (nested included).
    pub count: u32,
    /// Pass when every signature's digest and signer signature verify; Fail when one does not;
    /// NotPresent when the file has no embedded signature.
    pub verdict: Outcome,
    /// The signers' subjects, outer first.
    pub signers: Vec<String>,
}

/// A catalog member that no file of the package matches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingMember {
    /// The catalog's path (or name).
    pub catalog: String,
    pub tag: String,
    pub algorithm: String,
    /// The member's `File` attribute.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    /// `pe-image`, `flat-file`, or absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub data_type: Option<String>,
    /// E.g. that a file of that name is present and covered by another member (a variant for another
    /// architecture or hash algorithm).
    pub note: String,
}

/// A file the INF references that is not in the drop.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingFile {
    pub name: String,
    /// `catalog` (CatalogFile) or `source` (`[SourceDisksFiles*]`).
    pub referenced_as: ReferencedAs,
    /// The INF section, e.g. `SourceDisksFiles.amd64` or `Version`.
    pub section: String,
    pub line: u32,
}

/// How the INF references a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferencedAs {
    /// `CatalogFile`.
    Catalog,
    /// `[SourceDisksFiles*]`.
    #[default]
    Source,
}

/// Hardware IDs: the catalog's HWIDn attributes against the INF's models (compared case-insensitively).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HwidComparison {
    /// The catalog whose HWIDs are compared.
    pub catalog: String,
    pub in_both: Vec<String>,
    /// HWIDn values no model of the INF names.
    pub only_in_catalog: Vec<String>,
    /// Hardware IDs of the INF's models that the catalog does not list.
    pub only_in_inf: Vec<String>,
}

crate::names::named!(
    ListKind,
    MatchedBy,
    LolCategory,
    FileKind,
    Outcome,
    TrustKind,
    SignerKind,
    LoadVerdict,
    PackageKind,
    CoverageStatus,
    Role,
    HashKind,
    MemberMatchedBy,
    ReferencedAs,
    ValidityBasis,
    TimestampKind,
    InfEncoding,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant's `name()` is its JSON spelling, and that spelling reads back as the variant.
    macro_rules! round_trip {
        ($($v:expr),+ $(,)?) => {$(
            let json = serde_json::to_string(&$v).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", $v.name()), "{:?}", $v);
            assert_eq!(serde_json::from_str(&json).ok(), Some($v));
        )+};
    }

    #[test]
    fn names_are_the_json_spellings() {
        use ListKind as L;
        round_trip!(L::MicrosoftInbox, L::MicrosoftRecommended, L::UserSipolicy, L::Loldrivers);
        use MatchedBy as M;
        round_trip!(
            M::AuthenticodeSha1,
            M::AuthenticodeSha256,
            M::FirstPageSha1,
            M::FirstPageSha256,
            M::FileSha256,
            M::FileSha1,
            M::FileMd5,
            M::FileName,
            M::Signer
        );
        round_trip!(LolCategory::VulnerableDriver, LolCategory::Malicious);
        use FileKind as F;
        round_trip!(F::Pe32, F::Pe32Plus, F::Catalog, F::Inf, F::Zip, F::Certificate, F::Other);
        use Outcome as O;
        round_trip!(O::Pass, O::Warn, O::Fail, O::Unsupported, O::NotPresent);
        use TrustKind as T;
        round_trip!(T::MicrosoftRoot, T::MicrosoftCodeVerificationRoot, T::UserRoot, T::UntrustedRoot, T::SelfSigned, T::Incomplete);
        use SignerKind as S;
        round_trip!(
            S::Whql,
            S::Attestation,
            S::WindowsComponent,
            S::Microsoft,
            S::Elam,
            S::Store,
            S::MicrosoftUserMode,
            S::CrossSignedSpc,
            S::SpcWithoutCrossCertificate,
            S::TestSigned,
            S::SelfSigned,
            S::Untrusted,
            S::Unsigned
        );
        round_trip!(LoadVerdict::Loads, LoadVerdict::LoadsWithConditions, LoadVerdict::Blocked);
        round_trip!(PackageKind::Inf, PackageKind::Loose);
        use CoverageStatus as C;
        round_trip!(C::Covered, C::CatalogUnverified, C::Mismatch, C::NotInCatalog);
        round_trip!(Role::Inf, Role::Driver, Role::Referenced, Role::Extra, Role::Loose);
        round_trip!(HashKind::Authenticode, HashKind::Flat);
        round_trip!(MemberMatchedBy::Digest, MemberMatchedBy::Tag, MemberMatchedBy::Name);
        round_trip!(ReferencedAs::Catalog, ReferencedAs::Source);
        use ValidityBasis as V;
        round_trip!(V::Timestamp, V::VerificationTime, V::LifetimeSigning);
        round_trip!(TimestampKind::Rfc3161, TimestampKind::Pkcs9Countersignature);
        use InfEncoding as E;
        round_trip!(E::Utf16Le, E::Utf16Be, E::Utf8Bom, E::Utf8, E::Windows1252);
        assert_eq!(
            [O::NotPresent.name(), C::CatalogUnverified.name(), F::Pe32Plus.name(), E::Utf8Bom.name()],
            ["not-present", "catalog-unverified", "pe32+", "utf-8-bom"]
        );
        assert_eq!(V::LifetimeSigning.to_string(), "lifetime-signing");
    }
}
