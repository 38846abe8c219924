//! PE layout: format, machine, subsystem, CheckSum, the attribute certificate table, the
//! Authenticode image hash and page hashes, and the check of every embedded signature's digest.
//!
//! Flow: read the [`layout`] (goblin, or our own bounds-checked reader when goblin refuses the
//! file) -> walk the certificate table ([`certs`]) -> decode each PKCS_SIGNED_DATA entry with
//! [`crate::signature::decode()`], verify it ([`crate::signature::verify()`]) and build its paths
//! (`chain::build_for`) -> hash the image once for every digest algorithm the signatures name
//! ([`hash`]) -> fill each signature's computed digest, verdicts and page hashes.

pub mod certs;
pub mod hash;
pub mod layout;
pub mod version;

use crate::checks;
use core::fmt;

use crate::digest::DigestAlgorithm;
use crate::report::{Checksum, FileReport, Finding, Outcome, PeInfo, PeSection, RvaRange, SignatureReport};

/// DllCharacteristics: the image is compatible with data execution prevention.
pub const IMAGE_DLLCHARACTERISTICS_NX_COMPAT: u16 = 0x0100;
/// Section characteristics: executable / writable memory.
pub const IMAGE_SCN_MEM_EXECUTE: u32 = 0x2000_0000;
pub const IMAGE_SCN_MEM_WRITE: u32 = 0x8000_0000;
use crate::options::Options;
use crate::signature::{DecodedSignature, Signature};

pub use hash::{ImageRanges, PAGE_SIZE};
pub use layout::Layout;

/// Why the PE layer could not read a file's layout or hash it. Offsets are file offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeError {
    /// No "MZ" at 0, or no "PE\0\0" at e_lfanew.
    NotPe { offset: u64 },
    /// A field or table lies (partly) past the end of the file.
    Truncated { what: &'static str, offset: u64, len: u64 },
    /// The optional header magic is neither 0x10b nor 0x20b.
    BadMagic { offset: u64, magic: u16 },
    /// A header field has a value the layout cannot have.
    HeaderField { field: &'static str, offset: u64, value: u64 },
    /// An offset computation overflowed.
    Overflow { offset: u64 },
}

impl PeError {
    /// The file offset the error is about.
    pub fn offset(&self) -> u64 {
        match *self {
            PeError::NotPe { offset }
            | PeError::Truncated { offset, .. }
            | PeError::BadMagic { offset, .. }
            | PeError::HeaderField { offset, .. }
            | PeError::Overflow { offset } => offset,
        }
    }
}

impl fmt::Display for PeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeError::NotPe { offset } => write!(f, "not a PE file: no MZ/PE signature at 0x{offset:x}"),
            PeError::Truncated { what, offset, len } => write!(f, "{what} at 0x{offset:x} lies past the end of the file (0x{len:x} bytes)"),
            PeError::BadMagic { offset, magic } => write!(f, "unknown optional header magic 0x{magic:04x} at 0x{offset:x}"),
            PeError::HeaderField { field, offset, value } => write!(f, "{field} at 0x{offset:x} has the impossible value 0x{value:x}"),
            PeError::Overflow { offset } => write!(f, "offset arithmetic overflows near 0x{offset:x}"),
        }
    }
}

impl std::error::Error for PeError {}

/// The layout, from goblin when it accepts the file, else from our own reader; the second value is
/// goblin's complaint when it refused.
fn read_layout(bytes: &[u8]) -> (Result<Layout, PeError>, Option<goblin::error::Error>) {
    match layout::read_with_goblin(bytes) {
        Ok(l) => (Ok(l), None),
        Err(e) => (layout::read(bytes), Some(e)),
    }
}

/// The byte ranges of the Authenticode image hash of `bytes` (a PE32 or PE32+ file).
pub fn authenticode_ranges(bytes: &[u8]) -> Result<ImageRanges, PeError> {
    let layout = read_layout(bytes).0?;
    hash::image_ranges(bytes.len(), &layout, certs::hash_exclusion(bytes.len(), &layout))
}

/// The Authenticode image hash of a PE file with one algorithm.
pub fn authenticode_digest(bytes: &[u8], alg: DigestAlgorithm) -> Result<Vec<u8>, PeError> {
    let mut v = authenticode_digests(bytes, &[alg])?;
    Ok(v.pop().unwrap_or_default())
}

/// The Authenticode image hash with several algorithms in one pass over the file (each range is
/// read once and fed to every hasher). Digests come back in the order of `algs`.
pub fn authenticode_digests(bytes: &[u8], algs: &[DigestAlgorithm]) -> Result<Vec<Vec<u8>>, PeError> {
    let ranges = authenticode_ranges(bytes)?;
    hash::hash_ranges(bytes, &ranges, algs)
}

/// The page hash table of a PE file with `alg` (SHA-1 or SHA-256 in practice): 4 KiB pages of the
/// headers and of each section's raw data, ending with (end of the last section, zero hash).
pub fn page_hashes(bytes: &[u8], alg: DigestAlgorithm) -> Result<crate::signature::PageHashTable, PeError> {
    let layout = read_layout(bytes).0?;
    hash::compute_page_hashes(bytes, &layout, alg)
}

/// The first-page hash with `alg` (the offset-0 entry of the page hash table), `None` when the
/// headers cannot be read.
pub fn first_page_hash(bytes: &[u8], alg: DigestAlgorithm) -> Option<Vec<u8>> {
    let layout = read_layout(bytes).0.ok()?;
    hash::first_page_hash(bytes, &layout, alg)
}

/// Check a page hash table (as a signature carries it) against the file.
pub fn verify_page_hashes(
    bytes: &[u8],
    table: &crate::signature::PageHashTable,
) -> Result<(crate::report::PageHashes, Outcome, Vec<Finding>), PeError> {
    let layout = read_layout(bytes).0?;
    Ok(hash::verify_page_hashes(bytes, &layout, table))
}

/// The optional-header CheckSum recomputed over `bytes`, or `None` when the headers cannot be read.
pub fn pe_checksum(bytes: &[u8]) -> Option<u32> {
    read_layout(bytes).0.ok().map(|l| hash::pe_checksum(bytes, l.checksum_offset))
}

/// Fill `report.pe`, the certificate-table findings and the embedded signatures of a PE file.
pub fn inspect_pe(bytes: &[u8], options: &Options, known: &crate::options::KnownDigests, report: &mut FileReport) {
    inspect_pe_decoded(bytes, options, known, None, report);
}

/// A PE file's embedded signatures decoded (nothing verified), and what decoding them found:
/// [`decode_pe`], for a caller that plans ([`plan_decoded`]) and then inspects
/// ([`inspect_pe_decoded`]) the same bytes with one decoding.
#[derive(Debug)]
pub struct DecodedPe<'a> {
    signatures: Vec<DecodedSignature<'a>>,
    findings: Vec<Finding>,
}

/// The embedded signatures of `bytes`, decoded; `None` when its headers cannot be read.
pub fn decode_pe(bytes: &[u8]) -> Option<DecodedPe<'_>> {
    let layout = read_layout(bytes).0.ok()?;
    let scan = certs::scan(bytes, &layout);
    let mut findings = Vec::new();
    let signatures = decode_signatures(bytes, &scan, 0, &mut findings);
    Some(DecodedPe { signatures, findings })
}

/// [`inspect_pe`] with the signatures `decoded` from the same bytes ([`decode_pe`]; decoded here
/// when `None`).
pub fn inspect_pe_decoded(
    bytes: &[u8],
    options: &Options,
    known: &crate::options::KnownDigests,
    decoded: Option<&DecodedPe<'_>>,
    report: &mut FileReport,
) {
    let (layout, goblin_error) = read_layout(bytes);
    let layout = match (layout, goblin_error) {
        (Ok(l), None) => l,
        (Ok(l), Some(e)) => {
            report.findings.push(
                Finding::new(
                    checks::PE_PARSE.id,
                    Outcome::Warn,
                    format!("goblin refused the PE headers ({e}); they were read directly, bounds-checked."),
                )
                .at(l.pe_offset as u64),
            );
            l
        }
        (Err(e), g) => {
            let goblin = g.map(|g| format!(" (goblin: {g})")).unwrap_or_default();
            report.findings.push(
                Finding::new(checks::PE_HEADERS.id, Outcome::Fail, format!("The PE headers cannot be read: {e}{goblin}.")).at(e.offset()),
            );
            return;
        }
    };

    let checksum = check_checksum(bytes, &layout, known.word_sum(bytes), &mut report.findings);
    for s in &layout.sections {
        let end = u64::from(s.pointer_to_raw_data).saturating_add(u64::from(s.size_of_raw_data));
        if s.size_of_raw_data != 0 && end > bytes.len() as u64 {
            report.findings.push(
                Finding::new(
                    checks::PE_SECTION_OUTSIDE_FILE.id,
                    Outcome::Warn,
                    format!(
                        "Section #{} ({}) has raw data 0x{:x}..0x{end:x}, past the end of the file at 0x{:x}.",
                        s.index,
                        s.name,
                        s.pointer_to_raw_data,
                        bytes.len()
                    ),
                )
                .at((layout.section_table_offset as u64).saturating_add((s.index as u64).saturating_mul(40))),
            );
        }
    }
    let scan = certs::scan(bytes, &layout);
    report.findings.extend(scan.findings.iter().cloned());
    let format = if layout.is_pe32_plus() { "PE32+" } else { "PE32" };
    report.pe = Some(PeInfo {
        format: format.to_string(),
        machine: layout::machine_name(layout.machine),
        subsystem: layout::subsystem_name(layout.subsystem),
        checksum,
        certificate_table: scan.table.clone(),
        section_alignment: layout.section_alignment,
        dll_characteristics: layout.dll_characteristics,
        nx_compat: layout.dll_characteristics & IMAGE_DLLCHARACTERISTICS_NX_COMPAT != 0,
        sections: layout
            .sections
            .iter()
            .map(|s| PeSection {
                name: s.name.clone(),
                characteristics: s.characteristics,
                virtual_address: s.virtual_address,
                virtual_size: s.virtual_size,
                writable: s.characteristics & IMAGE_SCN_MEM_WRITE != 0,
                executable: s.characteristics & IMAGE_SCN_MEM_EXECUTE != 0,
            })
            .collect(),
        import_address_table: match layout.iat_directory {
            (0, _) | (_, 0) => None,
            (rva, size) => Some(RvaRange { rva, size }),
        },
        version: version::read(bytes),
    });

    // A PE file's report has no signature before its embedded ones: they are numbered from 0, as
    // decode_pe numbers them.
    let own;
    let decoded = match decoded {
        Some(d) if report.signatures.is_empty() => {
            report.findings.extend(d.findings.iter().cloned());
            &d.signatures
        }
        _ => {
            own = decode_signatures(bytes, &scan, report.signatures.len(), &mut report.findings);
            &own
        }
    };
    let mut signatures = crate::signature::verify_with(decoded, &options.verifier());
    crate::chain::build_for(&mut signatures, options, "signature");
    let reports = check_signatures(bytes, &layout, scan.hash_exclusion.clone(), signatures, known);
    report.signatures.extend(reports);
}

/// Decode every PKCS_SIGNED_DATA entry of the certificate table (nested signatures included);
/// entries that cannot be read become findings. Nothing is verified here.
fn decode_signatures<'a>(
    bytes: &'a [u8],
    scan: &certs::Scan,
    first_index: usize,
    findings: &mut Vec<Finding>,
) -> Vec<DecodedSignature<'a>> {
    let mut signatures: Vec<DecodedSignature<'a>> = Vec::new();
    let Some(table) = &scan.table else { return signatures };
    for (i, (entry, payload)) in table.entries.iter().zip(scan.payloads.iter()).enumerate() {
        let Some(payload) = payload else { continue };
        if entry.certificate_type != certs::WIN_CERT_TYPE_PKCS_SIGNED_DATA {
            continue;
        }
        let Some(der) = bytes.get(payload.clone()) else { continue };
        let source = format!("WIN_CERTIFICATE #{i} at 0x{:x}", entry.offset);
        let first_index = first_index.saturating_add(signatures.len());
        match crate::signature::decode(der, payload.start as u64, &source, first_index) {
            Ok(sigs) => signatures.extend(sigs),
            Err(f) => findings.push(f),
        }
    }
    signatures
}

/// What hashing a PE file's inspection needs: the Authenticode ranges and the digest algorithms
/// its embedded signatures name (sorted, without repeats). A caller with a faster or parallel
/// hasher (the page's WebCrypto, the CLI's spare cores) computes these and passes them to
/// [`crate::inspect_with`] as [`crate::options::KnownDigests`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashPlan {
    pub ranges: ImageRanges,
    pub algorithms: Vec<DigestAlgorithm>,
}

/// The [`HashPlan`] of `bytes`, `None` when it is not a PE file whose image hash can be computed.
/// It decodes the signatures and verifies nothing (a few milliseconds), so it pays off on big files only.
pub fn hash_plan(bytes: &[u8], options: &Options) -> Option<HashPlan> {
    plan_with(bytes, options, false, None).map(|(plan, _)| plan)
}

/// [`hash_plan`] and the signer signature checks a caller could make ahead
/// ([`crate::signature::signature_requests`]), from one decoding of the signatures.
pub fn hash_plan_and_requests(bytes: &[u8], options: &Options) -> Option<(HashPlan, Vec<crate::x509::SignatureRequest>)> {
    plan_with(bytes, options, true, None)
}

/// [`hash_plan_and_requests`] from the signatures `decoded` from the same bytes ([`decode_pe`]).
pub fn plan_decoded(bytes: &[u8], decoded: &DecodedPe<'_>, options: &Options) -> Option<(HashPlan, Vec<crate::x509::SignatureRequest>)> {
    plan_with(bytes, options, true, Some(&decoded.signatures))
}

fn plan_with(
    bytes: &[u8],
    options: &Options,
    requests: bool,
    decoded: Option<&[DecodedSignature<'_>]>,
) -> Option<(HashPlan, Vec<crate::x509::SignatureRequest>)> {
    let layout = read_layout(bytes).0.ok()?;
    let scan = certs::scan(bytes, &layout);
    let ranges = hash::image_ranges(bytes.len(), &layout, scan.hash_exclusion.clone()).ok()?;
    let own;
    let decoded = match decoded {
        Some(d) => d,
        None => {
            own = decode_signatures(bytes, &scan, 0, &mut Vec::new());
            &own[..]
        }
    };
    let mut algorithms: Vec<DigestAlgorithm> = decoded.iter().filter_map(|s| s.indirect_data.digest_algorithm).collect();
    if options.blocklists.is_some() {
        // Block list hash rules name the Authenticode SHA-1 and SHA-256 of every PE file.
        algorithms.extend([DigestAlgorithm::Sha1, DigestAlgorithm::Sha256]);
    }
    algorithms.sort();
    algorithms.dedup();
    let requests = if requests { crate::signature::signature_requests(decoded) } else { Vec::new() };
    Some((HashPlan { ranges, algorithms }, requests))
}

/// Fill each decoded signature's computed digest, digest verdict and page hashes. The image is
/// hashed once, with every algorithm the signatures name (but those in `known`), whatever their number.
fn check_signatures(
    bytes: &[u8],
    layout: &Layout,
    exclusion: Option<core::ops::Range<usize>>,
    signatures: Vec<Signature>,
    known: &crate::options::KnownDigests,
) -> Vec<SignatureReport> {
    if signatures.is_empty() {
        return Vec::new();
    }
    let mut algs: Vec<DigestAlgorithm> = signatures.iter().filter_map(|s| s.digest_algorithm).collect();
    algs.sort();
    algs.dedup();
    let todo: Vec<DigestAlgorithm> = algs.iter().copied().filter(|a| known.authenticode(*a).is_none()).collect();
    let digests = if todo.is_empty() {
        Ok(Vec::new())
    } else {
        hash::image_ranges(bytes.len(), layout, exclusion).and_then(|r| hash::hash_ranges(bytes, &r, &todo))
    };
    // Every algorithm's digest, in the order of `algs`: the known ones as given, the rest computed.
    let digests = digests.map(|computed| {
        let mut computed = computed.into_iter();
        algs.iter()
            .map(|a| match known.authenticode(*a) {
                Some(d) => d.to_vec(),
                None => computed.next().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
    });
    let mut out = Vec::with_capacity(signatures.len());
    for sig in signatures {
        let page_hashes = sig.page_hashes.clone();
        let (alg, signed_digest) = (sig.digest_algorithm, sig.signed_digest.clone());
        let mut report = SignatureReport::from(sig);
        check_signature_digest(&mut report, alg, &signed_digest, &algs, &digests);
        if let Some(table) = &page_hashes {
            let (ph, verdict, findings) = hash::verify_page_hashes(bytes, layout, table);
            report.page_hashes = Some(ph);
            report.page_hash_verdict = verdict;
            report.findings.extend(findings);
        } else {
            report.page_hash_verdict = Outcome::NotPresent;
        }
        out.push(report);
    }
    out
}

/// The file's Authenticode digest (`digests`, one per algorithm of `algs`) is the signed one.
fn check_signature_digest(
    r: &mut SignatureReport,
    alg: Option<DigestAlgorithm>,
    signed_digest: &[u8],
    algs: &[DigestAlgorithm],
    digests: &Result<Vec<Vec<u8>>, PeError>,
) {
    let Some(alg) = alg else {
        r.digest_verdict = Outcome::Unsupported;
        r.findings.push(Finding::new(
            checks::AUTHENTICODE_DIGEST.id,
            Outcome::Unsupported,
            format!("The signature's digest algorithm {} is not supported, so the file's digest cannot be checked.", r.digest_algorithm),
        ));
        return;
    };
    let computed = match digests {
        Ok(d) => algs.iter().position(|a| *a == alg).and_then(|i| d.get(i)),
        Err(e) => {
            r.digest_verdict = Outcome::Fail;
            r.findings.push(
                Finding::new(checks::AUTHENTICODE_DIGEST.id, Outcome::Fail, format!("The Authenticode digest cannot be computed: {e}."))
                    .at(e.offset()),
            );
            return;
        }
    };
    let Some(computed) = computed else { return };
    r.computed_digest = crate::hex::encode(computed);
    if computed.as_slice() == signed_digest {
        r.digest_verdict = Outcome::Pass;
    } else {
        r.digest_verdict = Outcome::Fail;
        r.findings.push(Finding::new(
            checks::AUTHENTICODE_DIGEST.id,
            Outcome::Fail,
            format!(
                "The file's {} Authenticode digest is {}, but the signature was made over {}: the file was changed after signing.",
                alg.name(),
                r.computed_digest,
                crate::hex::encode(signed_digest)
            ),
        ));
    }
    if alg == DigestAlgorithm::Md5 {
        r.findings.push(Finding::new(
            checks::AUTHENTICODE_DIGEST_WEAK.id,
            Outcome::Warn,
            "The signature uses MD5 for the file digest; MD5 is broken for collisions and current Windows versions do not accept it.",
        ));
    }
}

/// `word_sum`: the file's word sum when the caller summed it as the file was read.
fn check_checksum(bytes: &[u8], layout: &Layout, word_sum: Option<u16>, findings: &mut Vec<Finding>) -> Checksum {
    let computed = match word_sum {
        Some(sum) => hash::checksum_from_sum(bytes, layout.checksum_offset, sum),
        None => hash::pe_checksum(bytes, layout.checksum_offset),
    };
    let stored = layout.checksum;
    let matches = stored == computed;
    let at = layout.checksum_offset as u64;
    // PE format spec, CheckSum: "checked for validation at load time: all drivers, any DLL loaded at
    // boot time, and any DLL that is loaded into a critical Windows process".
    let driver = layout.subsystem == 1;
    let why = "Windows checks it when loading drivers, boot-time DLLs and DLLs of critical processes";
    if stored == 0 {
        let outcome = if driver { Outcome::Warn } else { Outcome::Pass };
        findings.push(
            Finding::new(
                checks::PE_CHECKSUM.id,
                outcome,
                format!("The optional-header CheckSum is not set (0; the file sums to 0x{computed:08x}); {why}."),
            )
            .at(at),
        );
    } else if !matches {
        findings.push(
            Finding::new(
                checks::PE_CHECKSUM.id,
                Outcome::Warn,
                format!("The optional-header CheckSum is 0x{stored:08x} but the file sums to 0x{computed:08x}: the file was changed after linking; {why}."),
            )
            .at(at),
        );
    }
    Checksum { stored, computed, matches }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::FileKind;
    use crate::time::UnixTime;

    const SECURITY_ENTRY: usize = 0x58 + 144;
    const TABLE: usize = 0x400;

    /// A minimal PE32+ (one .text section at 0x200..0x400) with `table` appended at 0x400 and the
    /// security directory set to (0x400, table.len()) unless `dir` overrides it.
    fn tiny_pe(table: &[u8], dir: Option<(u32, u32)>) -> Vec<u8> {
        let mut b = vec![0u8; TABLE];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
        b[0x40..0x44].copy_from_slice(b"PE\0\0");
        b[0x44..0x46].copy_from_slice(&0x8664u16.to_le_bytes()); // Machine
        b[0x46..0x48].copy_from_slice(&1u16.to_le_bytes()); // NumberOfSections
        b[0x54..0x56].copy_from_slice(&240u16.to_le_bytes()); // SizeOfOptionalHeader
        b[0x56..0x58].copy_from_slice(&0x22u16.to_le_bytes()); // Characteristics
        let opt = 0x58;
        b[opt..opt + 2].copy_from_slice(&0x20bu16.to_le_bytes());
        b[opt + 32..opt + 36].copy_from_slice(&0x1000u32.to_le_bytes()); // SectionAlignment
        b[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes()); // FileAlignment
        b[opt + 56..opt + 60].copy_from_slice(&0x2000u32.to_le_bytes()); // SizeOfImage
        b[opt + 60..opt + 64].copy_from_slice(&0x200u32.to_le_bytes()); // SizeOfHeaders
        b[opt + 68..opt + 70].copy_from_slice(&1u16.to_le_bytes()); // Subsystem: native
        b[opt + 108..opt + 112].copy_from_slice(&16u32.to_le_bytes()); // NumberOfRvaAndSizes
        let (off, size) = dir.unwrap_or((TABLE as u32, table.len() as u32));
        if !table.is_empty() || dir.is_some() {
            b[SECURITY_ENTRY..SECURITY_ENTRY + 4].copy_from_slice(&off.to_le_bytes());
            b[SECURITY_ENTRY + 4..SECURITY_ENTRY + 8].copy_from_slice(&size.to_le_bytes());
        }
        let sec = opt + 240;
        b[sec..sec + 5].copy_from_slice(b".text");
        b[sec + 8..sec + 12].copy_from_slice(&0x200u32.to_le_bytes()); // VirtualSize
        b[sec + 12..sec + 16].copy_from_slice(&0x1000u32.to_le_bytes()); // VirtualAddress
        b[sec + 16..sec + 20].copy_from_slice(&0x200u32.to_le_bytes()); // SizeOfRawData
        b[sec + 20..sec + 24].copy_from_slice(&0x200u32.to_le_bytes()); // PointerToRawData
        for (i, x) in b[0x200..0x400].iter_mut().enumerate() {
            *x = (i % 251) as u8;
        }
        b.extend_from_slice(table);
        b
    }

    /// WIN_CERTIFICATE with a 5-byte DER SEQUENCE payload plus `extra`, padded to 8.
    fn entry(revision: u16, kind: u16, extra: &[u8]) -> Vec<u8> {
        let mut payload = vec![0x30, 0x03, 0x02, 0x01, 0x00];
        payload.extend_from_slice(extra);
        let mut e = Vec::new();
        e.extend_from_slice(&(8 + payload.len() as u32).to_le_bytes());
        e.extend_from_slice(&revision.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&payload);
        while e.len() % 8 != 0 {
            e.push(0);
        }
        e
    }

    fn run(bytes: &[u8]) -> FileReport {
        let mut report = FileReport {
            name: "tiny.sys".into(),
            size: bytes.len() as u64,
            sha256: String::new(),
            kind: FileKind::Pe32Plus,
            ..FileReport::default()
        };
        inspect_pe(bytes, &Options::at(UnixTime(0)), &crate::options::KnownDigests::default(), &mut report);
        report
    }

    fn finding<'a>(r: &'a FileReport, check: &str) -> Option<&'a Finding> {
        r.findings.iter().find(|f| f.check == check)
    }

    #[test]
    fn checksum_algorithm() {
        // Words 1, 2, 3 (odd last byte) + length 5.
        assert_eq!(hash::pe_checksum(&[1, 0, 2, 0, 3], 100), 11);
        // Carries fold back in: 0xffff + 0x0002 = 0x1_0001 -> 0x0002, + length 4.
        assert_eq!(hash::pe_checksum(&[0xff, 0xff, 2, 0], 100), 2 + 4);
        // The stored field does not take part.
        let mut a = tiny_pe(&entry(0x200, 2, &[]), None);
        let before = hash::pe_checksum(&a, 0x58 + 64);
        a[0x58 + 64..0x58 + 68].copy_from_slice(&0xdead_beefu32.to_le_bytes());
        assert_eq!(hash::pe_checksum(&a, 0x58 + 64), before);
        // A stored value equal to the computed one matches; 0 gives a "not set" warning.
        let r = run(&a);
        assert!(!r.pe.as_ref().unwrap().checksum.matches);
        a[0x58 + 64..0x58 + 68].copy_from_slice(&before.to_le_bytes());
        let r = run(&a);
        let info = r.pe.unwrap();
        assert_eq!((info.checksum.stored, info.checksum.computed, info.checksum.matches), (before, before, true));
        let r = run(&tiny_pe(&[], None));
        let f = finding(&r, "pe.checksum").unwrap();
        assert!(f.reason.contains("not set") && f.offset == Some(0x98) && f.outcome == Outcome::Warn, "{f:?}");
    }

    #[test]
    fn well_formed_table() {
        let bytes = tiny_pe(&entry(0x200, 2, &[]), None);
        let r = run(&bytes);
        let info = r.pe.as_ref().unwrap();
        assert_eq!((info.format.as_str(), info.machine.as_str(), info.subsystem.as_str()), ("PE32+", "x64", "native"));
        let t = info.certificate_table.as_ref().unwrap();
        assert_eq!((t.offset, t.size, t.entries.len()), (0x400, 16, 1));
        assert_eq!((t.entries[0].length, t.entries[0].revision, t.entries[0].certificate_type), (13, 0x200, 2));
        // Only the signature-layer stub complains; nothing about the layout.
        assert!(r.findings.iter().all(|f| !f.check.starts_with("pe.certificate") && f.check != "pe.parse"), "{:#?}", r.findings);
        assert_eq!(layout::read_with_goblin(&bytes).unwrap(), layout::read(&bytes).unwrap());
        // The table is not hashed; section bytes, headers other than CheckSum/entry are.
        let d = authenticode_digest(&bytes, DigestAlgorithm::Sha256).unwrap();
        let mut other = bytes.clone();
        other[TABLE + 12] ^= 0xff;
        other[0x58 + 64] ^= 0xff;
        assert_eq!(authenticode_digest(&other, DigestAlgorithm::Sha256).unwrap(), d);
        other[0x300] ^= 0xff;
        assert_ne!(authenticode_digest(&other, DigestAlgorithm::Sha256).unwrap(), d);
        let ranges = authenticode_ranges(&bytes).unwrap();
        assert_eq!(ranges.ranges, vec![0..0x98, 0x9c..SECURITY_ENTRY, SECURITY_ENTRY + 8..TABLE]);
        assert_eq!(ranges.zero_padding, 0);
        // One pass, several algorithms: the same as one at a time.
        let all = authenticode_digests(&bytes, &crate::digest::ALL).unwrap();
        for (alg, d) in crate::digest::ALL.iter().zip(&all) {
            assert_eq!(&authenticode_digest(&bytes, *alg).unwrap(), d);
        }
    }

    #[test]
    fn directory_outside_the_file() {
        let bytes = tiny_pe(&entry(0x200, 2, &[]), Some((TABLE as u32, 0x1000)));
        let r = run(&bytes);
        let f = finding(&r, "pe.certificate-table.outside-file").unwrap();
        assert_eq!((f.outcome, f.offset), (Outcome::Fail, Some(0x400)));
        // The entry header is still reported; the file is hashed as unsigned, to its end.
        assert_eq!(r.pe.unwrap().certificate_table.unwrap().entries.len(), 1);
        assert_eq!(authenticode_ranges(&bytes).unwrap().ranges.last().unwrap().end, bytes.len());
        let r = run(&tiny_pe(&[], Some((0x10_0000, 8))));
        assert_eq!(finding(&r, "pe.certificate-table.outside-file").unwrap().offset, Some(0x10_0000));
        let r = run(&tiny_pe(&[], Some((u32::MAX, u32::MAX))));
        assert!(finding(&r, "pe.certificate-table.outside-file").is_some());
        let r = run(&tiny_pe(&[], Some((0x100, 8))));
        assert_eq!(finding(&r, "pe.certificate-table.in-headers").unwrap().offset, Some(0x100));
    }

    #[test]
    fn table_anomalies() {
        // Data after the table (MS12-024).
        let mut bytes = tiny_pe(&entry(0x200, 2, &[]), None);
        bytes.extend_from_slice(&[0xaa; 8]);
        let f = finding(&run(&bytes), "pe.certificate-table.not-at-end").cloned().unwrap();
        assert_eq!((f.outcome, f.offset), (Outcome::Warn, Some(0x410)));
        // Non-zero bytes after the DER inside the entry (CVE-2013-3900).
        let r = run(&tiny_pe(&entry(0x200, 2, &[0, 1, 2]), None));
        assert_eq!(finding(&r, "pe.certificate-entry.trailing-data").unwrap().offset, Some(0x408 + 5));
        // Zero padding up to 8 bytes inside the entry is fine; 8 or more is not.
        assert!(finding(&run(&tiny_pe(&entry(0x200, 2, &[0, 0, 0]), None)), "pe.certificate-entry.trailing-data").is_none());
        assert!(finding(&run(&tiny_pe(&entry(0x200, 2, &[0; 8]), None)), "pe.certificate-entry.trailing-data").is_some());
        // Unknown revision and type.
        let r = run(&tiny_pe(&entry(0x300, 1, &[]), None));
        assert_eq!(finding(&r, "pe.certificate-entry.unknown-revision").unwrap().offset, Some(0x404));
        let f = finding(&r, "pe.certificate-entry.unsupported-type").unwrap();
        assert_eq!((f.outcome, f.offset), (Outcome::Unsupported, Some(0x406)));
        // Two entries.
        let mut two = entry(0x200, 2, &[]);
        two.extend(entry(0x200, 2, &[]));
        let r = run(&tiny_pe(&two, None));
        assert_eq!(r.pe.as_ref().unwrap().certificate_table.as_ref().unwrap().entries[1].offset, 0x410);
        assert!(finding(&r, "pe.certificate-table.multiple-entries").is_some());
        // dwLength below the header size stops the walk.
        let mut bad = entry(0x200, 2, &[]);
        bad[..4].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(finding(&run(&tiny_pe(&bad, None)), "pe.certificate-entry.bad-length").unwrap().offset, Some(0x400));
        // dwLength past the table.
        let mut long = entry(0x200, 2, &[]);
        long[..4].copy_from_slice(&0x100u32.to_le_bytes());
        assert_eq!(finding(&run(&tiny_pe(&long, None)), "pe.certificate-entry.truncated").unwrap().offset, Some(0x400));
        // Misaligned table.
        let r = run(&tiny_pe(&[0; 20], Some((0x404, 16))));
        assert_eq!(finding(&r, "pe.certificate-table.misaligned").unwrap().offset, Some(0x404));
        // Non-zero alignment padding between entries.
        let mut padded = entry(0x200, 2, &[]);
        padded[15] = 7;
        assert_eq!(finding(&run(&tiny_pe(&padded, None)), "pe.certificate-table.nonzero-padding").unwrap().offset, Some(0x40d));
    }

    #[test]
    fn truncations_never_panic_and_say_where() {
        let bytes = tiny_pe(&entry(0x200, 2, &[0; 3]), None);
        for cut in 0..=bytes.len() {
            let r = run(&bytes[..cut]);
            if r.pe.is_none() {
                assert!(finding(&r, "pe.headers").is_some_and(|f| f.outcome == Outcome::Fail && f.offset.is_some()), "cut {cut}");
            }
            let _ = authenticode_digests(&bytes[..cut], &[DigestAlgorithm::Sha1]);
            let _ = page_hashes(&bytes[..cut], DigestAlgorithm::Sha256);
        }
        // Cut inside the optional header: the error names the field and its offset.
        let r = run(&bytes[..0x90]);
        let f = finding(&r, "pe.headers").unwrap();
        assert_eq!(f.offset, Some(0x58 + 60));
        assert_eq!(
            authenticode_digest(&bytes[..0x90], DigestAlgorithm::Sha1),
            Err(PeError::Truncated { what: "SizeOfHeaders", offset: 0x94, len: 0x90 })
        );
        // Cut inside the section data: SizeOfHeaders is fine, the section runs past the end.
        let r = run(&bytes[..0x300]);
        assert_eq!(finding(&r, "pe.section.outside-file").unwrap().offset, Some(0x148));
        // Not a PE at all.
        assert_eq!(authenticode_digest(b"MZ", DigestAlgorithm::Sha1), Err(PeError::Truncated { what: "e_lfanew", offset: 0x3c, len: 2 }));
        assert_eq!(authenticode_digest(b"ZM", DigestAlgorithm::Sha1), Err(PeError::NotPe { offset: 0 }));
    }

    #[test]
    fn page_hash_round_trip() {
        let bytes = tiny_pe(&entry(0x200, 2, &[]), None);
        let table = page_hashes(&bytes, DigestAlgorithm::Sha256).unwrap();
        let offsets: Vec<u32> = table.entries.iter().map(|e| e.0).collect();
        assert_eq!(offsets, [0, 0x200, 0x400]);
        let (ph, verdict, findings) = verify_page_hashes(&bytes, &table).unwrap();
        assert_eq!((ph.pages, ph.matching, verdict), (2, 2, Outcome::Pass), "{findings:?}");
        let mut changed = bytes.clone();
        changed[0x210] ^= 1;
        let (ph, verdict, _) = verify_page_hashes(&changed, &table).unwrap();
        assert_eq!((ph.matching, ph.first_mismatch_offset, verdict), (1, Some(0x200), Outcome::Fail));
        // A table that leaves a page out fails on its layout even though the listed pages match.
        let mut short = table.clone();
        short.entries.remove(1);
        let (_, verdict, findings) = verify_page_hashes(&bytes, &short).unwrap();
        assert_eq!(verdict, Outcome::Fail);
        assert!(findings.iter().any(|f| f.check == "authenticode.page-hashes.layout"));
    }

    fn fake(alg: Option<DigestAlgorithm>, signed_digest: Vec<u8>, page_hashes: Option<crate::signature::PageHashTable>) -> Signature {
        Signature {
            index: 0,
            depth: 0,
            parent: None,
            source: String::new(),
            offset: 0,
            digest_algorithm: alg,
            digest_algorithm_name: alg.map_or("1.2.3.4".into(), |a| a.name().into()),
            signed_digest,
            page_hashes,
            certificates: Vec::new(),
            signer: None,
            signature_verdict: Outcome::Pass,
            no_signer_info: false,
            program_name: None,
            more_info_url: None,
            timestamps: Vec::new(),
            findings: Vec::new(),
            chain: None,
        }
    }

    #[test]
    fn signature_digest_verdicts() {
        let bytes = tiny_pe(&entry(0x200, 2, &[]), None);
        let layout = layout::read(&bytes).unwrap();
        let exclusion = certs::hash_exclusion(bytes.len(), &layout);
        let sha256 = authenticode_digest(&bytes, DigestAlgorithm::Sha256).unwrap();
        let md5 = authenticode_digest(&bytes, DigestAlgorithm::Md5).unwrap();
        let table = page_hashes(&bytes, DigestAlgorithm::Sha256).unwrap();
        let sigs = vec![
            fake(Some(DigestAlgorithm::Sha256), sha256.clone(), Some(table)),
            fake(Some(DigestAlgorithm::Sha256), vec![0; 32], None),
            fake(Some(DigestAlgorithm::Md5), md5.clone(), None),
            fake(None, vec![1, 2, 3], None),
        ];
        let r = check_signatures(&bytes, &layout, exclusion.clone(), sigs, &crate::options::KnownDigests::default());
        assert_eq!(r[0].digest_verdict, Outcome::Pass);
        assert_eq!(r[0].computed_digest, crate::hex::encode(&sha256));
        assert_eq!(r[0].page_hash_verdict, Outcome::Pass);
        assert_eq!(r[0].page_hashes.as_ref().map(|p| (p.pages, p.matching)), Some((2, 2)));
        assert!(r[0].findings.is_empty(), "{:?}", r[0].findings);

        assert_eq!(r[1].digest_verdict, Outcome::Fail);
        assert_eq!(r[1].page_hash_verdict, Outcome::NotPresent);
        let f = r[1].findings.iter().find(|f| f.check == "authenticode.digest").unwrap();
        assert!(f.reason.contains(&r[1].computed_digest) && f.reason.contains(&"00".repeat(32)), "{}", f.reason);

        assert_eq!(r[2].digest_verdict, Outcome::Pass);
        assert!(r[2].findings.iter().any(|f| f.check == "authenticode.digest.weak" && f.outcome == Outcome::Warn));

        assert_eq!(r[3].digest_verdict, Outcome::Unsupported);
        assert_eq!(r[3].computed_digest, "");

        // When the image cannot be hashed, every signature fails on its digest with the reason.
        let mut broken = layout.clone();
        broken.size_of_headers = u32::MAX;
        let r = check_signatures(
            &bytes,
            &broken,
            exclusion,
            vec![fake(Some(DigestAlgorithm::Sha1), vec![0; 20], None)],
            &crate::options::KnownDigests::default(),
        );
        assert_eq!(r[0].digest_verdict, Outcome::Fail);
        assert!(r[0].findings[0].offset.is_some());
    }
}
