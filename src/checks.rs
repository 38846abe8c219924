//! Every check id, in one place: the stable machine name of a [`Finding`](crate::report::Finding),
//! the outcome it usually has (a check may end otherwise: a signer check passes or fails) and one
//! line saying what it is about. docs/report.md's list of checks is this table
//! ([`markdown_table`]); a test keeps the two equal and checks that every id a report carries is
//! registered here.

use crate::report::Outcome;

/// One check: its id (the JSON `check`), usual outcome and what it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// The stable machine name, e.g. `pe.certificate-table.trailing-data`.
    pub id: &'static str,
    /// The outcome the check usually ends in when it reports something.
    pub outcome: Outcome,
    /// One line: what the check is about.
    pub about: &'static str,
}

macro_rules! checks {
    ($($name:ident = $id:literal, $outcome:ident, $about:literal;)+) => {
        $(
            #[doc = $about]
            pub const $name: Check = Check { id: $id, outcome: Outcome::$outcome, about: $about };
        )+
        /// Every check, in the order docs/report.md lists them.
        pub const ALL: &[Check] = &[$($name),+];
    };
}

checks! {
    PE_HEADERS = "pe.headers", Fail, "The PE headers cannot be read.";
    PE_PARSE = "pe.parse", Warn, "goblin refused the PE headers; they were read directly, bounds-checked.";
    PE_CHECKSUM = "pe.checksum", Warn, "The optional-header CheckSum is not set or does not match the file.";
    PE_SECTION_OUTSIDE_FILE = "pe.section.outside-file", Warn, "A section's raw data lies past the end of the file.";
    PE_CERTIFICATE_TABLE_HALF_EMPTY = "pe.certificate-table.half-empty", Warn, "The security directory has a zero offset or a zero size: no usable certificate table.";
    PE_CERTIFICATE_TABLE_IN_HEADERS = "pe.certificate-table.in-headers", Fail, "The certificate table starts inside the headers.";
    PE_CERTIFICATE_TABLE_MISALIGNED = "pe.certificate-table.misaligned", Warn, "The certificate table's offset or size is not a multiple of 8.";
    PE_CERTIFICATE_TABLE_MULTIPLE_ENTRIES = "pe.certificate-table.multiple-entries", Warn, "More than one WIN_CERTIFICATE entry: Windows verifies only the first.";
    PE_CERTIFICATE_TABLE_NONZERO_PADDING = "pe.certificate-table.nonzero-padding", Warn, "The alignment padding after an entry is not all zero.";
    PE_CERTIFICATE_TABLE_NOT_AT_END = "pe.certificate-table.not-at-end", Warn, "Bytes follow the certificate table (MS12-024: the table must end the file).";
    PE_CERTIFICATE_TABLE_OUTSIDE_FILE = "pe.certificate-table.outside-file", Fail, "The certificate table reaches past the end of the file: the file is hashed as unsigned.";
    PE_CERTIFICATE_TABLE_OVERLAPS_SECTIONS = "pe.certificate-table.overlaps-sections", Warn, "The certificate table starts before the end of the section data.";
    PE_CERTIFICATE_TABLE_SIZE_MISMATCH = "pe.certificate-table.size-mismatch", Warn, "The directory size does not match the entries (bytes left, too few for a header).";
    PE_CERTIFICATE_ENTRY_BAD_LENGTH = "pe.certificate-entry.bad-length", Fail, "An entry's dwLength is less than its 8-byte header.";
    PE_CERTIFICATE_ENTRY_DER_TRUNCATED = "pe.certificate-entry.der-truncated", Fail, "The PKCS#7 DER is longer than the entry holding it.";
    PE_CERTIFICATE_ENTRY_INDEFINITE_LENGTH = "pe.certificate-entry.indefinite-length", Warn, "The PKCS#7 uses a BER indefinite length, not DER.";
    PE_CERTIFICATE_ENTRY_NOT_DER = "pe.certificate-entry.not-der", Fail, "The entry does not start with a DER SEQUENCE header.";
    PE_CERTIFICATE_ENTRY_OLD_REVISION = "pe.certificate-entry.old-revision", Warn, "wRevision 0x0100 (WIN_CERT_REVISION_1_0) instead of 0x0200.";
    PE_CERTIFICATE_ENTRY_TRAILING_DATA = "pe.certificate-entry.trailing-data", Warn, "Bytes follow the PKCS#7 inside the entry, outside the signature (CVE-2013-3900).";
    PE_CERTIFICATE_ENTRY_TRUNCATED = "pe.certificate-entry.truncated", Fail, "An entry's header lies past the end of the file.";
    PE_CERTIFICATE_ENTRY_UNKNOWN_REVISION = "pe.certificate-entry.unknown-revision", Warn, "An unknown wRevision.";
    PE_CERTIFICATE_ENTRY_UNSUPPORTED_TYPE = "pe.certificate-entry.unsupported-type", Unsupported, "A wCertificateType other than PKCS_SIGNED_DATA.";
    AUTHENTICODE_DIGEST = "authenticode.digest", Fail, "The Authenticode digest recomputed over the file against the signed one.";
    AUTHENTICODE_DIGEST_WEAK = "authenticode.digest.weak", Warn, "The file digest uses MD5.";
    AUTHENTICODE_PAGE_HASHES = "authenticode.page-hashes", Fail, "The page hashes recomputed over the file against the signed table.";
    AUTHENTICODE_PAGE_HASHES_LAYOUT = "authenticode.page-hashes.layout", Fail, "The page hash table does not fit the file's sections.";
    SIGNATURE_DECODE = "signature.decode", Fail, "The signature's ContentInfo / SignedData cannot be read.";
    SIGNATURE_STRICT_DER = "signature.strict-der", Warn, "A strict DER decoder refuses the SignedData; it was read from its original bytes.";
    SIGNATURE_TRAILING_DATA = "signature.trailing-data", Warn, "Bytes follow the SignedData.";
    SIGNATURE_CONTENT_TYPE = "signature.content-type", Warn, "The signed content is neither SpcIndirectDataContent nor a catalog (also the signer's contentType attribute).";
    SIGNATURE_DIGEST_ALGORITHM = "signature.digest-algorithm", Unsupported, "The Authenticode digest algorithm is unknown.";
    SIGNATURE_INDIRECT_DATA = "signature.indirect-data", Fail, "SpcIndirectDataContent is missing or unreadable.";
    SIGNATURE_INDIRECT_DATA_TYPE = "signature.indirect-data.type", Warn, "The indirect data type is not SpcPeImageData.";
    SIGNATURE_OPUS_INFO = "signature.opus-info", Warn, "SpcSpOpusInfo does not decode.";
    SIGNATURE_PAGE_HASHES = "signature.page-hashes", Fail, "The page hash table cannot be read.";
    SIGNATURE_CERTIFICATES = "signature.certificates", Warn, "A certificate choice that is not an X.509 certificate was skipped.";
    SIGNATURE_CERTIFICATES_DUPLICATE = "signature.certificates.duplicate", Warn, "The certificate SET holds the same certificate twice.";
    SIGNATURE_SIGNER_INFO = "signature.signer-info", Fail, "No SignerInfo, several, or one that cannot be read.";
    SIGNATURE_SIGNER_CERTIFICATE = "signature.signer-certificate", Fail, "The signer's certificate is not among the certificates.";
    SIGNATURE_SIGNER_DIGEST_ALGORITHM = "signature.signer-digest-algorithm", Unsupported, "The signer's digest algorithm.";
    SIGNATURE_MESSAGE_DIGEST = "signature.message-digest", Fail, "The messageDigest attribute against the signed content.";
    SIGNATURE_SIGNATURE = "signature.signature", Fail, "The signer's signature over the signed attributes.";
    SIGNATURE_LEGACY_PADDING = "signature.legacy-padding", Warn, "The RSA signature holds the bare digest without a DigestInfo.";
    SIGNATURE_SIGNATURE_LEGACY_PADDING = "signature.signature.legacy-padding", Warn, "The same, reported by the signer check.";
    SIGNATURE_NESTED = "signature.nested", Fail, "A nested signature cannot be read.";
    SIGNATURE_NESTED_COUNT = "signature.nested.count", Warn, "More signatures than the cap: the rest are not decoded.";
    SIGNATURE_NESTED_DEPTH = "signature.nested.depth", Warn, "Nested signatures deeper than the cap are not decoded.";
    TIMESTAMP_DECODE = "timestamp.decode", Fail, "The RFC 3161 token does not decode.";
    TIMESTAMP_CONTENT_TYPE = "timestamp.content-type", Fail, "The token's content type is not id-ct-TSTInfo (also the signer's contentType attribute).";
    TIMESTAMP_MESSAGE_IMPRINT = "timestamp.message-imprint", Fail, "The token's messageImprint against the signer's signature value.";
    TIMESTAMP_SIGNER = "timestamp.signer", Fail, "The token has no SignerInfo.";
    TIMESTAMP_TIME = "timestamp.time", Fail, "The genTime / signingTime cannot be read.";
    TIMESTAMP_SIGNER_CERTIFICATE = "timestamp.signer-certificate", Fail, "The timestamp signer's certificate is not among the certificates.";
    TIMESTAMP_SIGNER_DIGEST_ALGORITHM = "timestamp.signer-digest-algorithm", Unsupported, "The timestamp signer's digest algorithm.";
    TIMESTAMP_MESSAGE_DIGEST = "timestamp.message-digest", Fail, "The timestamp's messageDigest attribute against its content.";
    TIMESTAMP_SIGNATURE = "timestamp.signature", Fail, "The timestamp signer's signature.";
    TIMESTAMP_SIGNATURE_LEGACY_PADDING = "timestamp.signature.legacy-padding", Warn, "The timestamp's RSA signature holds the bare digest without a DigestInfo.";
    CHAIN_TRUSTED = "chain.trusted", Pass, "The path reaches a trust anchor, valid at the time used.";
    CHAIN_BUDGET = "chain.budget", Warn, "Path building stopped at the work budget.";
    CHAIN_PATHS = "chain.paths", Warn, "Several candidate paths were tried; none is valid.";
    CHAIN_VALIDITY = "chain.validity", Fail, "A certificate is not valid at the time used.";
    CHAIN_EXTENSIONS = "chain.extensions", Warn, "Extensions that do not decode were ignored.";
    CHAIN_KEY_USAGE = "chain.key-usage", Fail, "keyUsage does not allow the use (digitalSignature, keyCertSign).";
    CHAIN_EKU = "chain.eku", Fail, "The extended key usages do not allow the purpose.";
    CHAIN_BASIC_CONSTRAINTS = "chain.basic-constraints", Fail, "An issuer is not a CA.";
    CHAIN_PATH_LENGTH = "chain.path-length", Warn, "pathLenConstraint is exceeded.";
    CHAIN_CODE_VERIFICATION_ROOT_EXPIRED = "chain.code-verification-root.expired", Warn, "The cross certificate or Code Verification Root expired before the time used.";
    CHAIN_UNTRUSTED_ROOT = "chain.untrusted-root", Fail, "The path ends at a self-signed root in no trust store.";
    CHAIN_INCOMPLETE = "chain.incomplete", Fail, "The issuer of the top certificate is not available.";
    CHAIN_ISSUER_SIGNATURE = "chain.issuer-signature", Fail, "Certificates with the issuer's name were found, none verifies the signature.";
    CHAIN_DEPTH = "chain.depth", Fail, "No trust anchor within the depth cap.";
    CHAIN_SELF_SIGNED = "chain.self-signed", Fail, "The signer certificate is itself self-signed.";
    CHAIN_LIFETIME_SIGNING = "chain.lifetime-signing", Warn, "The lifetime-signing EKU: the timestamp does not extend validity.";
    CHAIN_TIMESTAMP_UNTRUSTED = "chain.timestamp-untrusted", Warn, "Validity judged at a timestamp whose authority is not trusted here.";
    CATALOG_DECODE = "catalog.decode", Fail, "The certificate trust list cannot be read.";
    CATALOG_EXTENSION = "catalog.extension", Warn, "A catalog extension that is not a CAT_NAMEVALUE was ignored.";
    CATALOG_MEMBER = "catalog.member", Fail, "A catalog member does not decode.";
    CATALOG_MEMBER_DIGEST_LENGTH = "catalog.member-digest-length", Fail, "A member digest's length does not fit its algorithm.";
    CATALOG_MEMBER_DUPLICATE_DIGEST = "catalog.member-duplicate-digest", Warn, "A member carries more than one SPC_INDIRECT_DATA.";
    CATALOG_SUBJECT_ALGORITHM = "catalog.subject-algorithm", Unsupported, "Unknown subjectAlgorithm.";
    CATALOG_SUBJECT_USAGE = "catalog.subject-usage", Warn, "subjectUsage does not name szOID_CATALOG_LIST.";
    CATALOG_TOO_MANY_MEMBERS = "catalog.too-many-members", Warn, "More members than the cap: the rest are not read.";
    CATALOG_VALUE_TOO_LONG = "catalog.value-too-long", Warn, "An attribute value longer than the cap is cut.";
    CERTIFICATE_DECODE = "certificate.decode", Fail, "A certificate of a certificate file does not decode.";
    INF_TOO_LARGE = "inf.too-large", Warn, "Only the first characters of a very large INF are read.";
    INF_ENCODING_UTF8_WITHOUT_BOM = "inf.encoding.utf8-without-bom", Warn, "UTF-8 without a byte order mark: Windows reads it in the ANSI code page.";
    INF_SYNTAX_OUTSIDE_SECTION = "inf.syntax.outside-section", Warn, "Text before the first section header is ignored.";
    INF_SYNTAX_SECTION_HEADER = "inf.syntax.section-header", Warn, "A section header without a closing `]`.";
    INF_SYNTAX_UNTERMINATED_QUOTE = "inf.syntax.unterminated-quote", Warn, "A quoted string is not closed on its line.";
    INF_STRING_UNDEFINED = "inf.string.undefined", Warn, "A `%strkey%` is not defined in `[Strings]`.";
    INF_VERSION_MISSING = "inf.version.missing", Fail, "No `[Version]` section.";
    INF_VERSION_SIGNATURE_MISSING = "inf.version.signature-missing", Fail, "`[Version]` has no Signature.";
    INF_VERSION_SIGNATURE_UNKNOWN = "inf.version.signature-unknown", Warn, "Signature is not `$Windows NT$` or `$Chicago$`.";
    INF_VERSION_PROVIDER_MISSING = "inf.version.provider-missing", Warn, "`[Version]` has no Provider.";
    INF_VERSION_DRIVER_VER_MISSING = "inf.version.driver-ver-missing", Warn, "`[Version]` has no DriverVer.";
    INF_VERSION_DRIVER_VER = "inf.version.driver-ver", Warn, "The DriverVer date is not mm/dd/yyyy.";
    INF_VERSION_DUPLICATE_KEY = "inf.version.duplicate-key", Warn, "A key appears more than once in `[Version]`.";
    INF_CATALOG_FILE_MISSING = "inf.catalog-file.missing", Warn, "`[Version]` names no CatalogFile.";
    INF_CATALOG_FILE_NAME = "inf.catalog-file.name", Warn, "A CatalogFile value does not name a .cat file.";
    INF_MODELS_MISSING = "inf.models.missing", Warn, "A models section named in `[Manufacturer]` does not exist.";
    INF_SERVICE_SECTION_MISSING = "inf.service.section-missing", Warn, "A service-install section does not exist.";
    INF_SERVICE_BINARY_MISSING = "inf.service.binary-missing", Warn, "A service-install section has no ServiceBinary.";
    INF_SERVICE_START_TYPE = "inf.service.start-type", Warn, "StartType is not a number.";
    INF_SOURCE_DISKS_FILES_DUPLICATE = "inf.source-disks-files.duplicate", Warn, "A file is listed twice in `[SourceDisksFiles*]`.";
    INF_SOURCE_DISKS_FILES_NO_DISK = "inf.source-disks-files.no-disk", Warn, "A `[SourceDisksFiles*]` entry names no disk.";
    INF_SOURCE_DISKS_FILES_UNKNOWN_DISK = "inf.source-disks-files.unknown-disk", Warn, "A file is on a disk no `[SourceDisksNames*]` defines.";
    ZIP_OPEN = "zip.open", Fail, "The archive cannot be read.";
    ZIP_ENTRIES = "zip.entries", Fail, "More entries than the cap: the rest are not inspected.";
    ZIP_RATIO = "zip.ratio", Fail, "An entry expands beyond the ratio cap (zip bomb): skipped.";
    ZIP_TOTAL_SIZE = "zip.total-size", Fail, "The archive expands beyond the size cap: later entries are not inspected.";
    ZIP_ENTRY = "zip.entry", Fail, "An entry cannot be read or decompressed: skipped.";
    ZIP_NESTED = "zip.nested", Warn, "A zip inside a zip is not expanded.";
    PACKAGE_CATALOG_NONE = "package.catalog.none", Fail, "The INF names no catalog.";
    PACKAGE_CATALOG_UNREADABLE = "package.catalog.unreadable", Fail, "A catalog of the package is not a readable catalog.";
    PACKAGE_CATALOG_SIGNATURE = "package.catalog.signature", Fail, "A catalog's signature does not verify (or it is unsigned).";
    PACKAGE_HWID_NOT_IN_CATALOG = "package.hwid.not-in-catalog", Warn, "Hardware IDs of the INF's models are not in the catalog's HWID attributes.";
    PACKAGE_BOOT_START_EMBEDDED = "package.boot-start.embedded", Warn, "A boot-start driver without an embedded signature (Vista / 7 x64 need one).";
    HVCI_NX_COMPAT = "hvci.nx-compat", Pass, "IMAGE_DLLCHARACTERISTICS_NX_COMPAT is not set (informational).";
    HVCI_SECTION_ALIGNMENT = "hvci.section-alignment", Warn, "SectionAlignment is not a multiple of 0x1000.";
    HVCI_WRITABLE_EXECUTABLE_SECTION = "hvci.writable-executable-section", Warn, "A section is both writable and executable.";
    HVCI_WRITABLE_EXECUTABLE_INIT = "hvci.writable-executable-init", Pass, "A writable and executable INIT section (discarded after initialisation).";
    HVCI_IAT_EXECUTABLE_SECTION = "hvci.iat-executable-section", Warn, "The import address table lies in an executable section.";
    BLOCKLIST_MICROSOFT = "blocklist.microsoft", Fail, "Microsoft's driver block rules deny the file.";
    BLOCKLIST_LOLDRIVERS = "blocklist.loldrivers", Fail, "LOLDrivers lists the file (Windows does not enforce it).";
}

/// The registered check with this id.
pub fn find(id: &str) -> Option<&'static Check> {
    ALL.iter().find(|c| c.id == id)
}

/// A chain finding that only says the path does not reach a trust anchor (an untrusted or self-signed
/// top, or a missing issuer): what test mode accepts.
pub fn is_trust_only(id: &str) -> bool {
    [CHAIN_UNTRUSTED_ROOT.id, CHAIN_INCOMPLETE.id, CHAIN_SELF_SIGNED.id].contains(&id)
}

/// A block list match ([`BLOCKLIST_MICROSOFT`], [`BLOCKLIST_LOLDRIVERS`]).
pub fn is_blocklist(id: &str) -> bool {
    [BLOCKLIST_MICROSOFT.id, BLOCKLIST_LOLDRIVERS.id].contains(&id)
}

/// A memory integrity (HVCI) static check.
pub fn is_hvci(id: &str) -> bool {
    [HVCI_NX_COMPAT, HVCI_SECTION_ALIGNMENT, HVCI_WRITABLE_EXECUTABLE_SECTION, HVCI_WRITABLE_EXECUTABLE_INIT, HVCI_IAT_EXECUTABLE_SECTION]
        .iter()
        .any(|c| c.id == id)
}

/// The registry as the Markdown table docs/report.md shows (between its `checks` markers).
pub fn markdown_table() -> String {
    let mut out = String::from("| check | usual outcome | about |\n|---|---|---|\n");
    for c in ALL {
        out.push_str(&format!("| `{}` | {} | {} |\n", c.id, c.outcome.name(), c.about));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        for (i, c) in ALL.iter().enumerate() {
            assert!(ALL.iter().skip(i + 1).all(|d| d.id != c.id), "{} twice", c.id);
            assert!(
                c.id.contains('.') && c.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'),
                "{}",
                c.id
            );
            assert!(!c.about.is_empty() && !c.about.contains('|'), "{}", c.id);
        }
        assert_eq!(find("chain.incomplete"), Some(&CHAIN_INCOMPLETE));
        assert!(is_trust_only("chain.untrusted-root") && !is_trust_only("chain.validity"));
    }
}
