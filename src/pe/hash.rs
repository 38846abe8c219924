//! The Authenticode PE image hash, page hashes and the optional-header CheckSum.
//!
//! The hashed ranges do not depend on the hash algorithm: they are computed once ([`ImageRanges`])
//! and fed, chunk by chunk, to every hasher a file needs, so each byte is read from memory once.

use crate::checks;
use core::ops::Range;
use std::collections::HashMap;

use super::layout::Layout;
use super::PeError;
use crate::digest::{DigestAlgorithm, WordSum};
use crate::report::{Finding, Outcome, PageHashes};
use crate::signature::PageHashTable;

/// Bytes hashed per step and hasher; small enough to stay in the L2 cache across hashers.
const CHUNK: usize = 64 * 1024;
/// Page hashes cover 4 KiB pages (osslsigncode takes SectionAlignment, 0x1000 in practice).
pub const PAGE_SIZE: usize = 4096;
static ZEROS: [u8; PAGE_SIZE] = [0; PAGE_SIZE];

/// The byte ranges of the file that make up the Authenticode image hash, in hashing order, and the
/// number of zero bytes appended after them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRanges {
    pub ranges: Vec<Range<usize>>,
    pub zero_padding: usize,
}

/// The image hash ranges (Authenticode_PE.docx, "Calculating the PE Image Hash", numbered below).
///
/// `exclusion` is the certificate table when it is usable (inside the file, after the headers);
/// with `None` the file is hashed as unsigned.
///
/// Steps 3 to 7 (headers without the CheckSum and the security entry) are taken literally. Steps 8
/// to 14 (headers to SizeOfHeaders, then each section's raw data sorted by PointerToRawData, then
/// the bytes from SUM_OF_BYTES_HASHED to the certificate table) are, for the usual contiguous
/// layout, the same as hashing the file from the end of the security entry straight up to the
/// certificate table; that is what we do, like osslsigncode and signify. The literal steps go
/// wrong where sections overlap the headers or each other: on `spotify_sample.exe` (UPX,
/// SizeOfHeaders 0x1000, first section at 0x400) they hash 0x400..0x1000 twice and miss the last
/// bytes before the table, and the digest the signer computed (Windows' signtool) is the straight
/// one. Two further points, shared with signify: bytes after a certificate table that is not at the
/// end of the file are hashed too, and the zero padding to a multiple of 8 (step 14) applies only to
/// files hashed as unsigned (osslsigncode; goblin pads signed files as well).
pub fn image_ranges(len: usize, layout: &Layout, exclusion: Option<Range<usize>>) -> Result<ImageRanges, PeError> {
    let mut ranges = header_ranges(len, layout)?;
    // The last header range runs to SizeOfHeaders; extend it to the table (or the end of the file).
    let end = exclusion.as_ref().map_or(len, |t| t.start);
    if let Some(last) = ranges.last_mut() {
        last.end = last.end.max(end);
    }
    let zero_padding = match exclusion {
        Some(table) => {
            if table.end < len {
                ranges.push(table.end..len);
            }
            0
        }
        None => (8usize.wrapping_sub(len % 8)) % 8,
    };
    ranges.retain(|r| r.start < r.end);
    Ok(ImageRanges { ranges, zero_padding })
}

/// Steps 3 to 7: the headers up to SizeOfHeaders without the CheckSum and the security entry.
fn header_ranges(len: usize, layout: &Layout) -> Result<Vec<Range<usize>>, PeError> {
    let checksum = layout.checksum_offset;
    let checksum_end = checksum.checked_add(4).ok_or(PeError::Overflow { offset: checksum as u64 })?;
    let headers = layout.size_of_headers as usize;
    let bad_headers = || PeError::HeaderField {
        field: "SizeOfHeaders",
        offset: (layout.optional_header_offset as u64).saturating_add(60),
        value: u64::from(layout.size_of_headers),
    };
    if headers > len {
        return Err(bad_headers());
    }
    let mut ranges = Vec::with_capacity(layout.sections.len().saturating_add(5));
    // 3. Hash the image header from its base to immediately before the CheckSum.
    // 4. Skip the 4-byte CheckSum.
    ranges.push(0..checksum);
    match (layout.security_entry_offset, layout.security_entry_end()) {
        (Some(entry), Some(entry_end)) => {
            // 5. Hash from the end of the CheckSum to immediately before the Certificate Table entry.
            // 6.-7. Skip the 8-byte entry; hash from its end to the end of the headers (SizeOfHeaders).
            if entry < checksum_end || headers < entry_end {
                return Err(bad_headers());
            }
            ranges.push(checksum_end..entry);
            ranges.push(entry_end..headers);
        }
        _ => {
            // No security entry at all (NumberOfRvaAndSizes < 5): nothing else to skip.
            if headers < checksum_end {
                return Err(bad_headers());
            }
            ranges.push(checksum_end..headers);
        }
    }
    Ok(ranges)
}

/// Hash `ranges` of `bytes` with every algorithm in `algs` in one pass. Returns the digests in the
/// order of `algs`. The caller guarantees the ranges are inside `bytes` (as [`image_ranges`] does).
pub fn hash_ranges(bytes: &[u8], ranges: &ImageRanges, algs: &[DigestAlgorithm]) -> Result<Vec<Vec<u8>>, PeError> {
    let mut hashers: Vec<_> = algs.iter().map(|a| a.hasher()).collect();
    for r in &ranges.ranges {
        let data =
            bytes.get(r.clone()).ok_or(PeError::Truncated { what: "hashed range", offset: r.start as u64, len: bytes.len() as u64 })?;
        for chunk in data.chunks(CHUNK) {
            for h in hashers.iter_mut() {
                h.update(chunk);
            }
        }
    }
    let pad = ZEROS.get(..ranges.zero_padding).unwrap_or_default();
    Ok(hashers
        .into_iter()
        .map(|mut h| {
            h.update(pad);
            h.finalize().into_vec()
        })
        .collect())
}

/// The optional-header CheckSum as imagehlp's CheckSumMappedFile computes it: the one's-complement
/// sum of all little-endian 16-bit words (an odd last byte counts as a word with a zero high byte),
/// minus the two words of the CheckSum field, plus the file length. The words are summed by
/// [`WordSum`] (8 bytes at a time).
pub fn pe_checksum(bytes: &[u8], checksum_offset: usize) -> u32 {
    let mut sum = WordSum::new();
    sum.update(bytes);
    checksum_from_sum(bytes, checksum_offset, sum.folded())
}

/// The CheckSum from the folded word sum of the whole of `bytes` ([`WordSum::folded`], computed
/// here or by a caller as the file was read: [`crate::KnownDigests::word_sum`]).
pub fn checksum_from_sum(bytes: &[u8], checksum_offset: usize, folded: u16) -> u32 {
    let mut folded = u32::from(folded);
    // Subtract the stored CheckSum's two words with borrow (one's-complement subtraction).
    for at in [checksum_offset, checksum_offset.saturating_add(2)] {
        let word = bytes.get(at..at.saturating_add(2)).and_then(|w| <[u8; 2]>::try_from(w).ok()).map_or(0, u16::from_le_bytes);
        let word = u32::from(word);
        if folded < word {
            folded = folded.wrapping_sub(1);
        }
        folded = folded.wrapping_sub(word) & 0xffff;
    }
    folded.wrapping_add(bytes.len() as u32)
}

/// What one page hash covers: the header page (with CheckSum and the security entry left out) or
/// `len` bytes of section data at a file offset; both are zero padded to [`PAGE_SIZE`].
#[derive(Clone, Debug)]
enum Page {
    Header,
    Data { offset: usize, len: usize },
}

/// The pages a page hash table must list, in order (osslsigncode `pe_page_hash_calc`): offset 0 for
/// the headers, then every 4 KiB of each section with raw data in section-table order, then a last
/// entry with the end of the last section and a zero hash.
fn expected_pages(layout: &Layout, len: usize) -> (Vec<(u64, Page)>, u64) {
    let mut pages = vec![(0u64, Page::Header)];
    let mut last = 0u64;
    for s in layout.sections.iter().filter(|s| s.size_of_raw_data != 0) {
        let start = s.pointer_to_raw_data as usize;
        let size = s.size_of_raw_data as usize;
        let mut l = 0usize;
        while l < size && pages.len() <= (len / PAGE_SIZE).saturating_add(layout.sections.len()).saturating_add(2) {
            pages.push((
                (start as u64).saturating_add(l as u64),
                Page::Data { offset: start.saturating_add(l), len: size.saturating_sub(l).min(PAGE_SIZE) },
            ));
            match l.checked_add(PAGE_SIZE) {
                Some(next) => l = next,
                None => break,
            }
        }
        last = u64::from(s.pointer_to_raw_data).saturating_add(u64::from(s.size_of_raw_data));
    }
    (pages, last)
}

fn hash_page(bytes: &[u8], layout: &Layout, page: &Page, alg: DigestAlgorithm) -> Option<Vec<u8>> {
    let mut h = alg.hasher();
    match *page {
        Page::Header => {
            let headers = layout.size_of_headers as usize;
            for r in header_ranges(bytes.len(), layout).ok()? {
                h.update(bytes.get(r)?);
            }
            h.update(ZEROS.get(..PAGE_SIZE.saturating_sub(headers)).unwrap_or_default());
        }
        Page::Data { offset, len } => {
            h.update(bytes.get(offset..offset.checked_add(len)?)?);
            h.update(ZEROS.get(..PAGE_SIZE.saturating_sub(len)).unwrap_or_default());
        }
    }
    Some(h.finalize().into_vec())
}

/// The page hash table a signer would put in the file (same layout as [`verify_page_hashes`]
/// expects): one entry per page, then (end of the last section, zero hash).
pub fn compute_page_hashes(bytes: &[u8], layout: &Layout, alg: DigestAlgorithm) -> Result<PageHashTable, PeError> {
    let (pages, last) = expected_pages(layout, bytes.len());
    let mut entries = Vec::with_capacity(pages.len().saturating_add(1));
    for (offset, page) in &pages {
        let hash =
            hash_page(bytes, layout, page, alg).ok_or(PeError::Truncated { what: "page", offset: *offset, len: bytes.len() as u64 })?;
        let offset = u32::try_from(*offset).map_err(|_| PeError::Overflow { offset: *offset })?;
        entries.push((offset, hash));
    }
    let last = u32::try_from(last).map_err(|_| PeError::Overflow { offset: last })?;
    entries.push((last, vec![0; alg.output_len()]));
    Ok(PageHashTable { algorithm: alg, entries })
}

/// The hash of the image's first page (the headers page, offset 0 of a page hash table), what
/// App Control's `Hash Page` rules name (Wintrust `ComputeFirstPageHash`).
pub fn first_page_hash(bytes: &[u8], layout: &Layout, alg: DigestAlgorithm) -> Option<Vec<u8>> {
    hash_page(bytes, layout, &Page::Header, alg)
}

/// Check a signature's page hash table against the file.
pub fn verify_page_hashes(bytes: &[u8], layout: &Layout, table: &PageHashTable) -> (PageHashes, Outcome, Vec<Finding>) {
    let alg = table.algorithm;
    let (expected, last) = expected_pages(layout, bytes.len());
    let by_offset: HashMap<u64, &Page> = expected.iter().map(|(o, p)| (*o, p)).collect();
    let mut findings = Vec::new();
    let zero_hash = |h: &[u8]| h.iter().all(|&b| b == 0);
    // The table ends with (end offset, zero hash); every other entry is a page.
    let (pages_listed, terminal) = match table.entries.split_last() {
        Some((t, rest)) if zero_hash(&t.1) => (rest, Some(t)),
        _ => (table.entries.as_slice(), None),
    };
    let mut matching = 0u64;
    let mut first_mismatch: Option<u64> = None;
    for (offset, hash) in pages_listed {
        let offset = u64::from(*offset);
        let computed = by_offset.get(&offset).and_then(|p| hash_page(bytes, layout, p, alg));
        if computed.as_deref() == Some(hash.as_slice()) {
            matching = matching.saturating_add(1);
        } else if first_mismatch.is_none() {
            first_mismatch = Some(offset);
        }
    }
    let listed: Vec<u64> = pages_listed.iter().map(|(o, _)| u64::from(*o)).collect();
    let wanted: Vec<u64> = expected.iter().map(|(o, _)| *o).collect();
    let layout_ok = listed == wanted && terminal.map(|t| u64::from(t.0)) == Some(last);
    if !layout_ok {
        findings.push(Finding::new(
            checks::AUTHENTICODE_PAGE_HASHES_LAYOUT.id,
            Outcome::Fail,
            format!(
                "The {} page hash table lists {} pages ending at 0x{:x}; the file's sections make {} pages ending at 0x{last:x}.",
                alg.name(),
                listed.len(),
                terminal.map_or(0, |t| t.0),
                wanted.len()
            ),
        ));
    }
    let all_match = matching == listed.len() as u64;
    if !all_match {
        let mut f = Finding::new(
            checks::AUTHENTICODE_PAGE_HASHES.id,
            Outcome::Fail,
            format!(
                "{} of {} {} page hashes do not match the file; the first mismatch is the page at 0x{:x}.",
                (listed.len() as u64).saturating_sub(matching),
                listed.len(),
                alg.name(),
                first_mismatch.unwrap_or(0)
            ),
        );
        if let Some(o) = first_mismatch {
            f = f.at(o);
        }
        findings.push(f);
    }
    let verdict = if all_match && layout_ok { Outcome::Pass } else { Outcome::Fail };
    (
        PageHashes { algorithm: alg.name().to_string(), pages: listed.len() as u64, matching, first_mismatch_offset: first_mismatch },
        verdict,
        findings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CheckSum summed 16-bit word by 16-bit word (the implementation before the 8-byte sums).
    fn checksum_by_words(bytes: &[u8], checksum_offset: usize) -> u32 {
        let mut words = bytes.chunks_exact(2);
        let mut sum: u64 = 0;
        for w in &mut words {
            sum += u64::from(u16::from_le_bytes([w[0], w[1]]));
        }
        if let Some(&last) = words.remainder().first() {
            sum += u64::from(last);
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        let mut folded = sum as u32;
        for at in [checksum_offset, checksum_offset.saturating_add(2)] {
            let word = bytes.get(at..at.saturating_add(2)).map_or(0, |w| u16::from_le_bytes([w[0], w[1]]));
            let word = u32::from(word);
            if folded < word {
                folded = folded.wrapping_sub(1);
            }
            folded = folded.wrapping_sub(word) & 0xffff;
        }
        folded.wrapping_add(bytes.len() as u32)
    }

    #[test]
    fn checksum_in_quads_matches_words() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut random = vec![0u8; 4099];
        for b in &mut random {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *b = state as u8;
        }
        for len in [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 64, 200, 1000, 4096, 4097, 4098, 4099] {
            for fill in [None, Some(0x00u8), Some(0xff)] {
                let bytes: Vec<u8> = match fill {
                    Some(b) => vec![b; len],
                    None => random[..len].to_vec(),
                };
                for at in [0, 2, 0xd8, 100_000] {
                    assert_eq!(pe_checksum(&bytes, at), checksum_by_words(&bytes, at), "len {len} fill {fill:?} at {at}");
                }
                // Small blocks: the accumulators join the sum many times.
                let words = checksum_by_words(&bytes, 100_000).wrapping_sub(len as u32);
                for block in [8, 16, 64, 1024] {
                    assert_eq!(u32::from(crate::digest::word_sum_in_blocks(&bytes, block)), words, "len {len} fill {fill:?} block {block}");
                }
                // Read in pieces of any length (odd ones included), as the page reads a file.
                for piece in [1, 2, 3, 5, 8, 13, 4096] {
                    let mut sum = WordSum::new();
                    for part in bytes.chunks(piece) {
                        sum.update(part);
                    }
                    assert_eq!(sum.len(), len as u64);
                    assert_eq!(u32::from(sum.folded()), words, "len {len} fill {fill:?} piece {piece}");
                }
            }
        }
    }
}
