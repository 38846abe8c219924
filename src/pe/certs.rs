//! The attribute certificate table (PE format spec, "The Attribute Certificate Table (Image Only)"):
//! quadword-aligned `WIN_CERTIFICATE { dwLength, wRevision, wCertificateType, bCertificate[] }`
//! entries at the file offset data directory 4 gives.
//!
//! Walked here rather than with goblin's `certificates`, because goblin rejects the whole table on
//! an unknown revision or type and does not give entry offsets; every anomaly becomes a finding.

use crate::checks;
use core::ops::Range;

use super::layout::{u32_at, Layout};
use crate::report::{CertificateTable, Finding, Outcome, WinCertificate};

pub const WIN_CERT_REVISION_1_0: u16 = 0x0100;
pub const WIN_CERT_REVISION_2_0: u16 = 0x0200;
pub const WIN_CERT_TYPE_X509: u16 = 0x0001;
pub const WIN_CERT_TYPE_PKCS_SIGNED_DATA: u16 = 0x0002;
pub const WIN_CERT_TYPE_RESERVED_1: u16 = 0x0003;
pub const WIN_CERT_TYPE_TS_STACK_SIGNED: u16 = 0x0004;
/// sizeof(dwLength) + sizeof(wRevision) + sizeof(wCertificateType).
const HEADER: usize = 8;

/// The certificate table as read, with what the other steps need.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// `None` when the security directory is empty.
    pub table: Option<CertificateTable>,
    /// For each entry of `table.entries`: the bCertificate bytes' range, when they lie inside the file.
    pub payloads: Vec<Option<Range<usize>>>,
    /// The byte range the Authenticode hash leaves out: the table, when it lies after the headers and
    /// inside the file. `None` means the file is hashed as unsigned (to its end, padded to 8 bytes).
    pub hash_exclusion: Option<Range<usize>>,
    pub findings: Vec<Finding>,
}

fn align8(n: usize) -> Option<usize> {
    n.checked_add(7).map(|n| n & !7)
}

/// The range of the certificate table that is excluded from the image hash, if any.
pub fn hash_exclusion(len: usize, layout: &Layout) -> Option<Range<usize>> {
    let (offset, size) = layout.security_directory;
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(size).ok()?)?;
    let headers = usize::try_from(layout.size_of_headers).ok()?;
    (offset != 0 && size != 0 && end <= len && start >= headers).then_some(start..end)
}

/// Walk the table, reporting every entry and every anomaly.
pub fn scan(bytes: &[u8], layout: &Layout) -> Scan {
    let mut out = Scan { hash_exclusion: hash_exclusion(bytes.len(), layout), ..Scan::default() };
    let (offset, size) = layout.security_directory;
    if offset == 0 && size == 0 {
        return out;
    }
    if offset == 0 || size == 0 {
        let entry_at = layout.security_entry_offset.unwrap_or(0) as u64;
        out.findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_HALF_EMPTY.id,
                Outcome::Warn,
                format!("The security directory has offset 0x{offset:x} and size 0x{size:x}: one of them is zero, so the file has no usable certificate table."),
            )
            .at(entry_at),
        );
        out.table = Some(CertificateTable { offset: u64::from(offset), size: u64::from(size), entries: Vec::new() });
        return out;
    }
    let len = bytes.len();
    let declared_end = (offset as usize).saturating_add(size as usize);
    check_table_bounds(offset, declared_end, len, &mut out.findings);
    check_table_in_headers(offset, layout, &mut out.findings);
    check_table_overlaps_sections(offset, layout, &mut out.findings);
    check_table_alignment(offset, size, &mut out.findings);
    let (entries, pos) = walk_entries(bytes, offset as usize, declared_end, size, &mut out);
    check_entries_end(offset, pos, declared_end, len, &mut out.findings);
    check_multiple_entries(offset, entries.len(), &mut out.findings);
    out.table = Some(CertificateTable { offset: u64::from(offset), size: u64::from(size), entries });
    out
}

/// The table lies inside the file and is the last thing in it.
fn check_table_bounds(offset: u32, declared_end: usize, len: usize, findings: &mut Vec<Finding>) {
    if offset as usize >= len || declared_end > len {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_OUTSIDE_FILE.id,
                Outcome::Fail,
                format!(
                    "The security directory places the certificate table at 0x{offset:x}..0x{declared_end:x}, but the file ends at 0x{len:x}: the table is truncated or the directory is corrupt, so the file is hashed as unsigned (as osslsigncode and signify do)."
                ),
            )
            .at(u64::from(offset)),
        );
    } else if declared_end < len {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_NOT_AT_END.id,
                Outcome::Warn,
                format!(
                    "{} bytes follow the certificate table (0x{offset:x}..0x{declared_end:x}) up to the end of the file at 0x{len:x}; since MS12-024 the table must be the last thing in the file (osslsigncode ignores such a signature).",
                    len.saturating_sub(declared_end)
                ),
            )
            .at(declared_end as u64),
        );
    }
}

/// The table does not start inside the headers.
fn check_table_in_headers(offset: u32, layout: &Layout, findings: &mut Vec<Finding>) {
    if offset < layout.size_of_headers {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_IN_HEADERS.id,
                Outcome::Fail,
                format!("The certificate table starts at 0x{offset:x}, inside the headers (SizeOfHeaders 0x{:x}).", layout.size_of_headers),
            )
            .at(u64::from(offset)),
        );
    }
}

/// The table starts after the section data.
fn check_table_overlaps_sections(offset: u32, layout: &Layout, findings: &mut Vec<Finding>) {
    let sections_end = layout
        .sections
        .iter()
        .filter(|s| s.size_of_raw_data != 0)
        .filter_map(|s| s.pointer_to_raw_data.checked_add(s.size_of_raw_data))
        .max()
        .unwrap_or(0);
    if offset >= layout.size_of_headers && offset < sections_end {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_OVERLAPS_SECTIONS.id,
                Outcome::Warn,
                format!("The certificate table starts at 0x{offset:x}, before the end of the section data at 0x{sections_end:x}."),
            )
            .at(u64::from(offset)),
        );
    }
}

/// The table's offset and size are multiples of 8.
fn check_table_alignment(offset: u32, size: u32, findings: &mut Vec<Finding>) {
    if offset % 8 != 0 || size % 8 != 0 {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_MISALIGNED.id,
                Outcome::Warn,
                format!("The certificate table at 0x{offset:x} with size 0x{size:x} is not quadword aligned (offset and size must be multiples of 8)."),
            )
            .at(u64::from(offset)),
        );
    }
}

/// Walk the entries that are readable, even in a table that runs past the end of the file.
/// Returns the entries and the position the walk stopped at.
fn walk_entries(bytes: &[u8], start: usize, declared_end: usize, size: u32, out: &mut Scan) -> (Vec<WinCertificate>, usize) {
    let mut entries = Vec::new();
    let mut pos = start;
    while pos < declared_end {
        let index = entries.len();
        if declared_end.saturating_sub(pos) < HEADER {
            out.findings.push(
                Finding::new(
                    checks::PE_CERTIFICATE_TABLE_SIZE_MISMATCH.id,
                    Outcome::Warn,
                    format!("{} bytes are left at the end of the certificate table, too few for a WIN_CERTIFICATE header: the directory size 0x{size:x} does not match the entries.", declared_end.saturating_sub(pos)),
                )
                .at(pos as u64),
            );
            break;
        }
        let Some(entry) = read_entry_header(bytes, pos, index, &mut out.findings) else { break };
        let next = read_entry(bytes, &entry, pos, index, declared_end, out);
        entries.push(entry);
        match next {
            Some(next) => pos = next,
            None => break,
        }
    }
    (entries, pos)
}

/// The WIN_CERTIFICATE header at `pos`, or a finding when it lies past the end of the file.
fn read_entry_header(bytes: &[u8], pos: usize, index: usize, findings: &mut Vec<Finding>) -> Option<WinCertificate> {
    let (Ok(length), Ok(rev_type)) = (u32_at(bytes, pos, "dwLength"), u32_at(bytes, pos.saturating_add(4), "wRevision")) else {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_ENTRY_TRUNCATED.id,
                Outcome::Fail,
                format!("WIN_CERTIFICATE #{index} at 0x{pos:x}: its header lies past the end of the file (0x{:x}).", bytes.len()),
            )
            .at(pos as u64),
        );
        return None;
    };
    let revision = (rev_type & 0xffff) as u16;
    let certificate_type = (rev_type >> 16) as u16;
    Some(WinCertificate { offset: pos as u64, length, revision, certificate_type })
}

/// Check one entry and record its payload; returns where the next entry starts, `None` when
/// the rest of the table cannot be read.
fn read_entry(bytes: &[u8], entry: &WinCertificate, pos: usize, index: usize, declared_end: usize, out: &mut Scan) -> Option<usize> {
    let source = format!("WIN_CERTIFICATE #{index} at 0x{pos:x}");
    check_entry_revision(entry, &source, &mut out.findings);
    check_entry_type(entry, &source, &mut out.findings);
    let Some(payload) = entry_payload(bytes, entry, pos, &source, declared_end, &mut out.findings) else {
        out.payloads.push(None);
        return None;
    };
    let entry_end = payload.end;
    if entry.certificate_type == WIN_CERT_TYPE_PKCS_SIGNED_DATA {
        check_payload_padding(bytes, payload.clone(), &source, &mut out.findings);
    }
    out.payloads.push(Some(payload));
    // Entries are quadword aligned: the bytes up to the next multiple of 8 are padding.
    let next = align8(entry_end).unwrap_or(usize::MAX).min(declared_end);
    check_entry_alignment_padding(bytes, entry_end, next, &source, &mut out.findings);
    Some(next)
}

/// wRevision is WIN_CERT_REVISION_2_0.
fn check_entry_revision(entry: &WinCertificate, source: &str, findings: &mut Vec<Finding>) {
    let at = entry.offset.saturating_add(4);
    match entry.revision {
        WIN_CERT_REVISION_2_0 => {}
        WIN_CERT_REVISION_1_0 => findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_ENTRY_OLD_REVISION.id,
                Outcome::Warn,
                format!("{source} has wRevision 0x0100 (WIN_CERT_REVISION_1_0); Authenticode uses 0x0200."),
            )
            .at(at),
        ),
        other => findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_ENTRY_UNKNOWN_REVISION.id,
                Outcome::Warn,
                format!("{source} has the unknown wRevision 0x{other:04x} (expected 0x0200)."),
            )
            .at(at),
        ),
    }
}

/// wCertificateType is PKCS_SIGNED_DATA (the only type that carries an Authenticode signature).
fn check_entry_type(entry: &WinCertificate, source: &str, findings: &mut Vec<Finding>) {
    let certificate_type = entry.certificate_type;
    if certificate_type == WIN_CERT_TYPE_PKCS_SIGNED_DATA {
        return;
    }
    let what = match certificate_type {
        WIN_CERT_TYPE_X509 => "WIN_CERT_TYPE_X509 (a bare certificate, not a signature)",
        WIN_CERT_TYPE_RESERVED_1 => "WIN_CERT_TYPE_RESERVED_1",
        WIN_CERT_TYPE_TS_STACK_SIGNED => "WIN_CERT_TYPE_TS_STACK_SIGNED",
        _ => "an unknown type",
    };
    findings.push(
        Finding::new(
            checks::PE_CERTIFICATE_ENTRY_UNSUPPORTED_TYPE.id,
            Outcome::Unsupported,
            format!("{source} has wCertificateType 0x{certificate_type:04x}, {what}; only PKCS_SIGNED_DATA (0x0002) entries carry Authenticode signatures."),
        )
        .at(entry.offset.saturating_add(6)),
    );
}

/// The bCertificate bytes: dwLength covers at least the header and stays inside the table and
/// the file; `None` (with a finding) otherwise.
fn entry_payload(
    bytes: &[u8],
    entry: &WinCertificate,
    pos: usize,
    source: &str,
    declared_end: usize,
    findings: &mut Vec<Finding>,
) -> Option<Range<usize>> {
    let (length, len) = (entry.length, bytes.len());
    if length < HEADER as u32 {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_ENTRY_BAD_LENGTH.id,
                Outcome::Fail,
                format!("{source} has dwLength {length}, less than its own 8-byte header; the rest of the table cannot be read."),
            )
            .at(entry.offset),
        );
        return None;
    }
    match pos.checked_add(length as usize) {
        // `end >= pos + HEADER`: dwLength >= HEADER was checked above.
        Some(end) if end <= declared_end && end <= len => Some(pos.saturating_add(HEADER)..end),
        _ => {
            findings.push(
                Finding::new(
                    checks::PE_CERTIFICATE_ENTRY_TRUNCATED.id,
                    Outcome::Fail,
                    format!("{source} has dwLength 0x{length:x}, which runs past the end of the certificate table (0x{declared_end:x}) or of the file (0x{len:x})."),
                )
                .at(entry.offset),
            );
            None
        }
    }
}

/// The alignment padding after an entry (`entry_end..next`) is all zero.
fn check_entry_alignment_padding(bytes: &[u8], entry_end: usize, next: usize, source: &str, findings: &mut Vec<Finding>) {
    let Some(pad) = bytes.get(entry_end..next.min(bytes.len())) else { return };
    if pad.iter().any(|&b| b != 0) {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_NONZERO_PADDING.id,
                Outcome::Warn,
                format!("The alignment padding after {source} (0x{entry_end:x}..0x{next:x}) is not all zero."),
            )
            .at(entry_end as u64),
        );
    }
}

/// The entries end where the directory says the table ends.
fn check_entries_end(offset: u32, pos: usize, declared_end: usize, len: usize, findings: &mut Vec<Finding>) {
    if declared_end <= len && pos > declared_end {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_SIZE_MISMATCH.id,
                Outcome::Warn,
                format!("The certificate table entries end at 0x{pos:x}, past the directory's end 0x{declared_end:x}."),
            )
            .at(u64::from(offset)),
        );
    }
}

/// The table holds one entry (Windows verifies only the first).
fn check_multiple_entries(offset: u32, count: usize, findings: &mut Vec<Finding>) {
    if count > 1 {
        findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_TABLE_MULTIPLE_ENTRIES.id,
                Outcome::Warn,
                format!(
                    "The certificate table holds {count} WIN_CERTIFICATE entries; Windows verifies only the first (further signatures belong nested in it), UEFI firmware tries each, and osslsigncode rejects such a table."
                ),
            )
            .at(u64::from(offset)),
        );
    }
}

/// CVE-2013-3900: bytes after the PKCS#7 DER inside a WIN_CERTIFICATE entry are not covered by
/// anything. Zero padding up to the next multiple of 8 is normal; anything else is reported.
fn check_payload_padding(bytes: &[u8], payload: Range<usize>, source: &str, findings: &mut Vec<Finding>) {
    let start = payload.start;
    let Some(data) = bytes.get(payload) else { return };
    match der_total_len(data) {
        Ok(Some(der_len)) if der_len > data.len() => findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_ENTRY_DER_TRUNCATED.id,
                Outcome::Fail,
                format!("{source}: the PKCS#7 DER says it is {der_len} bytes long, but the entry holds only {} bytes.", data.len()),
            )
            .at(start as u64),
        ),
        Ok(Some(der_len)) => {
            let extra = data.get(der_len..).unwrap_or_default();
            let nonzero = extra.iter().any(|&b| b != 0);
            if nonzero || extra.len() >= 8 {
                let at = start.saturating_add(der_len) as u64;
                findings.push(
                    Finding::new(
                        checks::PE_CERTIFICATE_ENTRY_TRAILING_DATA.id,
                        Outcome::Warn,
                        format!(
                            "{source}: {} {} follow the {der_len}-byte PKCS#7 signature inside the entry; they are not covered by the signature (CVE-2013-3900: rejected only where EnableCertPaddingCheck is set).",
                            extra.len(),
                            if nonzero { "bytes, not all zero," } else { "zero bytes (more than alignment padding)" }
                        ),
                    )
                    .at(at),
                );
            }
        }
        Ok(None) => findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_ENTRY_INDEFINITE_LENGTH.id,
                Outcome::Warn,
                format!("{source}: the PKCS#7 uses a BER indefinite length, not DER; data after it inside the entry cannot be checked."),
            )
            .at(start as u64),
        ),
        Err(()) => findings.push(
            Finding::new(
                checks::PE_CERTIFICATE_ENTRY_NOT_DER.id,
                Outcome::Fail,
                format!("{source}: the entry does not start with a DER SEQUENCE header."),
            )
            .at(start as u64),
        ),
    }
}

/// Total length (header + content) of the DER TLV at the start of `data`; `Ok(None)` for a BER
/// indefinite length. Only a SEQUENCE (0x30) is accepted, as a ContentInfo must be.
pub(crate) fn der_total_len(data: &[u8]) -> Result<Option<usize>, ()> {
    if data.first() != Some(&0x30) {
        return Err(());
    }
    let first = *data.get(1).ok_or(())?;
    if first < 0x80 {
        return Ok(Some(2 + usize::from(first)));
    }
    if first == 0x80 {
        return Ok(None);
    }
    let n = usize::from(first & 0x7f);
    if n > 4 {
        return Err(());
    }
    let len_bytes = data.get(2..2 + n).ok_or(())?;
    let content = len_bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    content.checked_add(2 + n).map(Some).ok_or(())
}

#[cfg(test)]
mod tests {
    use super::der_total_len;

    #[test]
    fn der_lengths() {
        assert_eq!(der_total_len(&[0x30, 0x03, 1, 2, 3]), Ok(Some(5)));
        assert_eq!(der_total_len(&[0x30, 0x82, 0x01, 0x00]), Ok(Some(260)));
        assert_eq!(der_total_len(&[0x30, 0x80]), Ok(None));
        assert_eq!(der_total_len(&[0x31, 0x00]), Err(()));
        assert_eq!(der_total_len(&[0x30, 0x85, 1, 1, 1, 1, 1]), Err(()));
        assert_eq!(der_total_len(&[0x30, 0x82, 0x01]), Err(()));
        assert_eq!(der_total_len(&[]), Err(()));
    }
}
