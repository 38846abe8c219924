//! PE layout: format, machine, subsystem, CheckSum, the attribute certificate table, the
//! Authenticode image hash and page hashes, and the check of every embedded signature's digest.
//!
//! Flow: read the [`layout`] (goblin, or our own bounds-checked reader when goblin refuses the
//! file) -> walk the certificate table ([`certs`]) -> decode each PKCS_SIGNED_DATA entry with
//! [`crate::signature::read_signed_data`] -> hash the image once for every digest algorithm the
//! signatures name ([`hash`]) -> fill each signature's computed digest, verdicts and page hashes.

pub mod certs;
pub mod hash;
pub mod layout;

use core::fmt;

use crate::digest::DigestAlgorithm;
use crate::report::{Checksum, FileReport, Finding, Outcome, PeInfo};
use crate::signature::Signature;
use crate::Options;

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

/// The optional-header CheckSum recomputed over `bytes`, or `None` when the headers cannot be read.
pub fn pe_checksum(bytes: &[u8]) -> Option<u32> {
    read_layout(bytes).0.ok().map(|l| hash::pe_checksum(bytes, l.checksum_offset))
}

/// Fill `report.pe`, the certificate-table findings and the embedded signatures of a PE file.
pub fn inspect_pe(bytes: &[u8], options: &Options, report: &mut FileReport) {
    let (layout, goblin_error) = read_layout(bytes);
    let layout = match (layout, goblin_error) {
        (Ok(l), None) => l,
        (Ok(l), Some(e)) => {
            report.findings.push(
                Finding::new("pe.parse", Outcome::Warn, format!("goblin refused the PE headers ({e}); they were read directly, bounds-checked."))
                    .at(l.pe_offset as u64),
            );
            l
        }
        (Err(e), g) => {
            let goblin = g.map(|g| format!(" (goblin: {g})")).unwrap_or_default();
            report.findings.push(Finding::new("pe.headers", Outcome::Fail, format!("The PE headers cannot be read: {e}{goblin}.")).at(e.offset()));
            return;
        }
    };

    let checksum = check_checksum(bytes, &layout, &mut report.findings);
    for s in &layout.sections {
        let end = u64::from(s.pointer_to_raw_data) + u64::from(s.size_of_raw_data);
        if s.size_of_raw_data != 0 && end > bytes.len() as u64 {
            report.findings.push(
                Finding::new(
                    "pe.section.outside-file",
                    Outcome::Warn,
                    format!("Section #{} ({}) has raw data 0x{:x}..0x{end:x}, past the end of the file at 0x{:x}.", s.index, s.name, s.pointer_to_raw_data, bytes.len()),
                )
                .at(layout.section_table_offset as u64 + 40 * s.index as u64),
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
    });

    // Decode every PKCS_SIGNED_DATA entry.
    let mut signatures: Vec<Signature> = Vec::new();
    if let Some(table) = &scan.table {
        for (i, (entry, payload)) in table.entries.iter().zip(scan.payloads.iter()).enumerate() {
            let Some(payload) = payload else { continue };
            if entry.certificate_type != certs::WIN_CERT_TYPE_PKCS_SIGNED_DATA {
                continue;
            }
            let Some(der) = bytes.get(payload.clone()) else { continue };
            let source = format!("WIN_CERTIFICATE #{i} at 0x{:x}", entry.offset);
            let first_index = report.signatures.len() + signatures.len();
            match crate::signature::read_signed_data(der, payload.start as u64, &source, first_index, options.time) {
                Ok(sigs) => signatures.extend(sigs),
                Err(f) => report.findings.push(f),
            }
        }
    }
    if signatures.is_empty() {
        return;
    }

    // One pass over the image for every algorithm the signatures need.
    let mut algs: Vec<DigestAlgorithm> = signatures.iter().filter_map(|s| s.digest_algorithm).collect();
    algs.sort();
    algs.dedup();
    let digests = hash::image_ranges(bytes.len(), &layout, scan.hash_exclusion.clone()).and_then(|r| hash::hash_ranges(bytes, &r, &algs));
    for mut sig in signatures {
        check_signature_digest(&mut sig, &algs, &digests);
        if let Some(table) = &sig.page_hashes {
            let (ph, verdict, findings) = hash::verify_page_hashes(bytes, &layout, table);
            sig.report.page_hashes = Some(ph);
            sig.report.page_hash_verdict = verdict;
            sig.report.findings.extend(findings);
        } else {
            sig.report.page_hash_verdict = Outcome::NotPresent;
        }
        report.signatures.push(sig.report);
    }
}

fn check_signature_digest(sig: &mut Signature, algs: &[DigestAlgorithm], digests: &Result<Vec<Vec<u8>>, PeError>) {
    let r = &mut sig.report;
    let Some(alg) = sig.digest_algorithm else {
        r.digest_verdict = Outcome::Unsupported;
        r.findings.push(Finding::new(
            "authenticode.digest",
            Outcome::Unsupported,
            format!("The signature's digest algorithm {} is not supported, so the file's digest cannot be checked.", r.digest_algorithm),
        ));
        return;
    };
    let computed = match digests {
        Ok(d) => algs.iter().position(|a| *a == alg).and_then(|i| d.get(i)),
        Err(e) => {
            r.digest_verdict = Outcome::Fail;
            r.findings.push(Finding::new("authenticode.digest", Outcome::Fail, format!("The Authenticode digest cannot be computed: {e}.")).at(e.offset()));
            return;
        }
    };
    let Some(computed) = computed else { return };
    r.computed_digest = crate::hex::encode(computed);
    if *computed == sig.signed_digest {
        r.digest_verdict = Outcome::Pass;
    } else {
        r.digest_verdict = Outcome::Fail;
        r.findings.push(Finding::new(
            "authenticode.digest",
            Outcome::Fail,
            format!(
                "The file's {} Authenticode digest is {}, but the signature was made over {}: the file was changed after signing.",
                alg.name(),
                r.computed_digest,
                crate::hex::encode(&sig.signed_digest)
            ),
        ));
    }
    if alg == DigestAlgorithm::Md5 {
        r.findings.push(Finding::new(
            "authenticode.digest.weak",
            Outcome::Warn,
            "The signature uses MD5 for the file digest; MD5 is broken for collisions and current Windows versions do not accept it.",
        ));
    }
}

fn check_checksum(bytes: &[u8], layout: &Layout, findings: &mut Vec<Finding>) -> Checksum {
    let computed = hash::pe_checksum(bytes, layout.checksum_offset);
    let stored = layout.checksum;
    let matches = stored == computed;
    let at = layout.checksum_offset as u64;
    if stored == 0 {
        findings.push(
            Finding::new(
                "pe.checksum",
                Outcome::Warn,
                format!("The optional-header CheckSum is not set (0; computed 0x{computed:08x}); Windows ignores it for user-mode files and most drivers, but requires it for boot-start drivers."),
            )
            .at(at),
        );
    } else if !matches {
        findings.push(
            Finding::new(
                "pe.checksum",
                Outcome::Warn,
                format!("The optional-header CheckSum is 0x{stored:08x} but the file sums to 0x{computed:08x}; Windows refuses to load a boot-start driver with a wrong CheckSum."),
            )
            .at(at),
        );
    }
    Checksum { stored, computed, matches }
}
