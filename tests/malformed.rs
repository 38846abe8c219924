//! Malformed inputs, table-driven: generated corruptions of our signed fixtures (and of a corpus
//! catalog when the corpus is there). Every case must finish without a panic and leave a finding
//! with the expected check-name prefix and, where the corruption has a place, an offset near it.
//!
//! Corruptions: truncation at every structure boundary (DOS header, e_lfanew, COFF, optional
//! header, data directories, section table, sections, certificate table, every TLV of the PKCS#7),
//! DER truncation inside a consistent WIN_CERTIFICATE, length fields (dwLength, directory size, DER
//! lengths: 0, off by one, huge), wrong tags (SEQUENCE -> SET, OID -> INTEGER), zero-length tables,
//! a certificate table pointing into the headers or past the end, a section table past the end,
//! circular certificates (tests/fixtures/malformed/root-issued-by-ca.der: the test root's name and
//! key, issued by the code-signing CA, which the root issued) and the crash reproducers the fuzz
//! targets found (docs/fuzzing.md).
//!
//! `MALFORMED_VERBOSE=1 cargo test -p drvsig malformed -- --nocapture` prints every case.

use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use drvsig::{inspect, FileReport, Finding, Options, Outcome, UnixTime};

use crate::support::corpus;

/// 2025-01-01: the fixtures' signing certificates are valid then.
const TIME: UnixTime = UnixTime(1_735_689_600);

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("pe").join(name)).unwrap_or_else(|e| panic!("read fixture {name}: {e}"))
}

fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

/// The structure of a well-formed fixture (the test's own reader: fixtures are trusted).
#[derive(Clone, Debug)]
struct PeMap {
    lfanew: usize,
    coff: usize,
    opt: usize,
    /// NumberOfRvaAndSizes field and the first data directory.
    nrva_at: usize,
    dirs: usize,
    sections_at: usize,
    sections: Vec<(usize, usize)>,
    size_of_headers: usize,
    /// Security directory entry (offset field), certificate table offset and size.
    security_entry: usize,
    cert_off: usize,
    cert_size: usize,
    /// The first WIN_CERTIFICATE's payload (the PKCS#7 DER and its alignment padding).
    payload: Range<usize>,
    /// The PKCS#7 DER alone (the payload without padding).
    der: Range<usize>,
}

fn map_pe(b: &[u8]) -> PeMap {
    let lfanew = u32_at(b, 0x3c);
    let coff = lfanew + 4;
    let nsect = u16_at(b, coff + 2);
    let opt_size = u16_at(b, coff + 16);
    let opt = coff + 20;
    let plus = u16_at(b, opt) == 0x20b;
    let nrva_at = opt + if plus { 108 } else { 92 };
    let dirs = nrva_at + 4;
    let sections_at = opt + opt_size;
    let sections = (0..nsect).map(|i| (u32_at(b, sections_at + 40 * i + 20), u32_at(b, sections_at + 40 * i + 16))).collect();
    let security_entry = dirs + 4 * 8;
    let cert_off = u32_at(b, security_entry);
    let cert_size = u32_at(b, security_entry + 4);
    let len = u32_at(b, cert_off);
    PeMap {
        lfanew,
        coff,
        opt,
        nrva_at,
        dirs,
        sections_at,
        sections,
        size_of_headers: u32_at(b, opt + 60),
        security_entry,
        cert_off,
        cert_size,
        payload: cert_off + 8..cert_off + len,
        der: cert_off + 8..cert_off + 8 + der_total(&b[cert_off + 8..]),
    }
}

/// Header + content length of the DER TLV at the start of `der` (a well-formed fixture).
fn der_total(der: &[u8]) -> usize {
    let mut tlvs = Vec::new();
    walk_der(der, 0..der.len(), 0, &mut tlvs);
    tlvs[0].content.end
}

/// One DER TLV: offsets relative to the buffer that was walked.
#[derive(Clone, Debug)]
struct Tlv {
    at: usize,
    tag: u8,
    len_at: usize,
    content: Range<usize>,
    depth: u32,
}

/// Every TLV of `der` in document order, descending into constructed (definite-length) values.
fn walk_der(der: &[u8], range: Range<usize>, depth: u32, out: &mut Vec<Tlv>) {
    let mut pos = range.start;
    while pos + 2 <= range.end && depth < 40 {
        if depth == 0 && pos > 0 {
            return; // one outer TLV: what follows is padding
        }
        let tag = der[pos];
        if tag & 0x1f == 0x1f {
            return; // high tag numbers do not occur in our fixtures
        }
        let first = der[pos + 1];
        let (len, hlen) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || pos + 2 + n > range.end {
                return;
            }
            (der[pos + 2..pos + 2 + n].iter().fold(0usize, |a, &b| (a << 8) | usize::from(b)), 2 + n)
        };
        let content = pos + hlen..pos + hlen + len;
        if content.end > range.end {
            return;
        }
        out.push(Tlv { at: pos, tag, len_at: pos + 1, content: content.clone(), depth });
        if tag & 0x20 != 0 {
            walk_der(der, content.clone(), depth + 1, out);
        }
        pos = content.end;
    }
}

fn der_len(len: usize) -> Vec<u8> {
    match len {
        0..=0x7f => vec![len as u8],
        0x80..=0xff => vec![0x81, len as u8],
        0x100..=0xffff => vec![0x82, (len >> 8) as u8, len as u8],
        0x1_0000..=0xff_ffff => vec![0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8],
        _ => vec![0x84, (len >> 24) as u8, (len >> 16) as u8, (len >> 8) as u8, len as u8],
    }
}

/// `der` with the length field of `t` replaced by the encoding of `len` (the header may change size).
fn with_len(der: &[u8], t: &Tlv, len: usize) -> Vec<u8> {
    let mut out = der[..t.len_at].to_vec();
    out.extend(der_len(len));
    out.extend_from_slice(&der[t.content.start..]);
    out
}

/// `der` with `t`'s content replaced and every enclosing length fixed (a re-encoding that keeps
/// the rest byte for byte). `chain` is `t`'s ancestors, outermost first.
fn replace_content(der: &[u8], tlvs: &[Tlv], index: usize, content: &[u8]) -> Vec<u8> {
    let t = &tlvs[index];
    let mut inner = vec![t.tag];
    inner.extend(der_len(content.len()));
    inner.extend_from_slice(content);
    let mut span = t.at..t.content.end;
    // Walk the ancestors from the innermost out, re-encoding each header.
    let mut ancestors: Vec<&Tlv> =
        tlvs.iter().filter(|a| a.depth < t.depth && a.content.start <= t.at && t.content.end <= a.content.end).collect();
    ancestors.sort_by_key(|a| std::cmp::Reverse(a.depth));
    for a in ancestors {
        let mut c = der[a.content.start..span.start].to_vec();
        c.extend_from_slice(&inner);
        c.extend_from_slice(&der[span.end..a.content.end]);
        inner = vec![a.tag];
        inner.extend(der_len(c.len()));
        inner.extend(c);
        span = a.at..a.content.end;
    }
    let mut out = der[..span.start].to_vec();
    out.extend(inner);
    out.extend_from_slice(&der[span.end..]);
    out
}

/// `image` (a fixture) with its certificate table replaced by one WIN_CERTIFICATE holding `payload`,
/// padded to 8 bytes, with dwLength and the security directory size matching.
fn with_payload(image: &[u8], map: &PeMap, payload: &[u8]) -> Vec<u8> {
    let mut out = image[..map.cert_off].to_vec();
    let len = 8 + payload.len();
    out.extend((len as u32).to_le_bytes());
    out.extend(0x0200u16.to_le_bytes());
    out.extend(0x0002u16.to_le_bytes());
    out.extend_from_slice(payload);
    while out.len() % 8 != 0 {
        out.push(0);
    }
    let size = (out.len() - map.cert_off) as u32;
    put_u32(&mut out, map.security_entry + 4, size);
    out
}

/// What a case must produce.
#[derive(Clone, Debug)]
enum Expect {
    /// Only: no panic, the report is produced (e.g. the file no longer looks like a PE).
    Finishes,
    /// A non-passing finding whose check starts with one of the prefixes; with `Some((lo, hi))`,
    /// one such finding must have an offset within `lo..=hi` (see [`near`]).
    Finding(&'static [&'static str], Option<(u64, u64)>),
}

/// The offsets within `slack` bytes of `at`.
fn near(at: u64, slack: u64) -> Option<(u64, u64)> {
    Some((at.saturating_sub(slack), at + slack))
}

struct Case {
    name: String,
    file_name: &'static str,
    bytes: Vec<u8>,
    expect: Expect,
    time: UnixTime,
}

fn case(name: impl Into<String>, bytes: Vec<u8>, expect: Expect) -> Case {
    Case { name: name.into(), file_name: "case.sys", bytes, expect, time: TIME }
}

/// Every finding of a report: file-level, per signature, per timestamp and per chain.
fn all_findings(r: &FileReport) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = r.findings.iter().collect();
    for s in &r.signatures {
        out.extend(&s.findings);
        for t in &s.timestamps {
            out.extend(&t.findings);
            if let Some(c) = &t.chain {
                out.extend(&c.findings);
            }
        }
        if let Some(c) = &s.chain {
            out.extend(&c.findings);
        }
    }
    out
}

/// PE structure findings (layout, certificate table and entries).
const PE: &[&str] = &["pe."];
const CERT_TABLE: &[&str] = &["pe.certificate-table.", "pe.certificate-entry."];
/// Anything the signature layers (and the file digest check) can say about a broken PKCS#7.
const SIG: &[&str] = &["signature.", "timestamp.", "authenticode.", "pe.certificate-entry.", "chain.", "signer."];

/// Run one case; `Err` says why it failed.
fn run(c: &Case) -> Result<Duration, String> {
    let start = Instant::now();
    let report = std::panic::catch_unwind(|| inspect(c.file_name, &c.bytes, &Options::at(c.time))).map_err(|p| {
        let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
        format!("PANIC: {msg}")
    })?;
    let took = start.elapsed();
    // The report always serializes.
    serde_json::to_string(&report).map_err(|e| format!("report does not serialize: {e}"))?;
    let findings = all_findings(&report);
    if std::env::var_os("MALFORMED_VERBOSE").is_some() {
        let list: Vec<String> = findings.iter().map(|f| format!("{}@{:?}", f.check, f.offset.map(|o| format!("0x{o:x}")))).collect();
        eprintln!("{}: {:?} {}", c.name, report.kind, list.join(" "));
    }
    match &c.expect {
        Expect::Finishes => Ok(took),
        Expect::Finding(prefixes, place) => {
            let matching: Vec<&&Finding> =
                findings.iter().filter(|f| f.outcome != Outcome::Pass && prefixes.iter().any(|p| f.check.starts_with(p))).collect();
            if matching.is_empty() {
                let list: Vec<String> = findings.iter().map(|f| format!("{} ({:?})", f.check, f.outcome)).collect();
                return Err(format!("no non-passing finding starting with {prefixes:?}; findings: [{}]", list.join(", ")));
            }
            if let Some((lo, hi)) = place {
                if !matching.iter().any(|f| f.offset.is_some_and(|o| (*lo..=*hi).contains(&o))) {
                    let list: Vec<String> =
                        matching.iter().map(|f| format!("{}@{:?}", f.check, f.offset.map(|o| format!("0x{o:x}")))).collect();
                    return Err(format!("no matching finding at an offset in 0x{lo:x}..=0x{hi:x}: [{}]", list.join(", ")));
                }
            }
            Ok(took)
        }
    }
}

fn run_all(cases: &[Case]) {
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for c in cases {
        match run(c) {
            Ok(t) if t > slowest.0 => slowest = (t, c.name.clone()),
            Ok(_) => {}
            Err(e) => failures.push(format!("{}: {e}", c.name)),
        }
    }
    eprintln!("malformed: {} cases in {:?} (slowest {:?}: {})", cases.len(), start.elapsed(), slowest.0, slowest.1);
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Truncations of a PE at its structure boundaries.
fn pe_truncations(fixture: &str, b: &[u8], m: &PeMap, out: &mut Vec<Case>) {
    let mut cuts: Vec<(String, usize)> = vec![
        ("empty".into(), 0),
        ("MZ".into(), 2),
        ("in DOS header".into(), 0x3c),
        ("DOS header".into(), 0x40),
        ("e_lfanew".into(), m.lfanew),
        ("PE signature".into(), m.coff),
        ("COFF header".into(), m.opt),
        ("optional header magic".into(), m.opt + 2),
        ("NumberOfRvaAndSizes".into(), m.nrva_at),
        ("data directories".into(), m.dirs),
        ("security directory".into(), m.security_entry),
        ("security directory size".into(), m.security_entry + 4),
        ("optional header end".into(), m.sections_at),
        ("SizeOfHeaders".into(), m.size_of_headers),
    ];
    for i in 0..m.sections.len() {
        cuts.push((format!("section header #{i}"), m.sections_at + 40 * i));
        cuts.push((format!("in section header #{i}"), m.sections_at + 40 * i + 20));
    }
    for (i, &(ptr, size)) in m.sections.iter().enumerate() {
        cuts.push((format!("section #{i} data"), ptr));
        cuts.push((format!("in section #{i} data"), ptr + size / 2));
        cuts.push((format!("section #{i} end - 1"), ptr + size - 1));
    }
    cuts.push(("certificate table".into(), m.cert_off));
    cuts.push(("WIN_CERTIFICATE dwLength".into(), m.cert_off + 4));
    cuts.push(("WIN_CERTIFICATE header".into(), m.cert_off + 8));
    cuts.push(("last byte".into(), b.len() - 1));
    // Inside the PKCS#7, at the TLV boundaries of the first three levels.
    let der = &b[m.der.clone()];
    let mut tlvs = Vec::new();
    walk_der(der, 0..der.len(), 0, &mut tlvs);
    for t in tlvs.iter().filter(|t| t.depth <= 2) {
        cuts.push((format!("PKCS#7 TLV at +0x{:x}", t.at), m.payload.start + t.at));
        cuts.push((format!("PKCS#7 TLV content at +0x{:x}", t.content.start), m.payload.start + t.content.start));
    }
    for (what, cut) in cuts {
        let bytes = b[..cut].to_vec();
        let expect = if cut < m.opt + 2 {
            Expect::Finishes // no longer a PE: sniffed as "other"
        } else if cut < m.cert_off {
            // Headers or section data cut: the layout or section checks, and the table is outside the file.
            Expect::Finding(PE, None)
        } else {
            Expect::Finding(&["pe.certificate-table.outside-file"], near(m.cert_off as u64, 0))
        };
        out.push(case(format!("{fixture}: truncated at {what} (0x{cut:x})"), bytes, expect));
    }
}

/// Header fields: certificate table and section table placement, zero-length tables, dwLength.
fn pe_fields(fixture: &str, b: &[u8], m: &PeMap, out: &mut Vec<Case>) {
    let len = b.len();
    let entry = m.cert_off as u64;
    let dw = u32_at(b, m.cert_off) as u32;
    let mut patch = |what: &str, f: &dyn Fn(&mut Vec<u8>), expect: Expect| {
        let mut v = b.to_vec();
        f(&mut v);
        out.push(case(format!("{fixture}: {what}"), v, expect));
    };
    // WIN_CERTIFICATE dwLength.
    for (what, v) in [
        ("0", 0u32),
        ("7", 7),
        ("8 (empty entry)", 8),
        ("- 1", dw - 1),
        ("+ 1", dw + 1),
        ("+ 8", dw + 8),
        ("0x7fffffff", 0x7fff_ffff),
        ("0xffffffff", 0xffff_ffff),
    ] {
        let at = m.cert_off;
        let expect = if v == dw - 1 && m.der.end < m.payload.end {
            Expect::Finishes // only alignment padding is cut off
        } else if v == dw - 1 {
            Expect::Finding(&["pe.certificate-entry.der-truncated"], near(entry + 8, 0))
        } else {
            Expect::Finding(CERT_TABLE, near(entry, 8))
        };
        patch(&format!("dwLength {what}"), &|x| put_u32(x, at, v), expect);
    }
    let wcert_at = m.cert_off;
    patch(
        "wRevision 0x0100",
        &|x| put_u16(x, wcert_at + 4, 0x0100),
        Expect::Finding(&["pe.certificate-entry.old-revision"], near(entry + 4, 0)),
    );
    patch(
        "wRevision 0x1234",
        &|x| put_u16(x, wcert_at + 4, 0x1234),
        Expect::Finding(&["pe.certificate-entry.unknown-revision"], near(entry + 4, 0)),
    );
    patch(
        "wCertificateType X509",
        &|x| put_u16(x, wcert_at + 6, 1),
        Expect::Finding(&["pe.certificate-entry.unsupported-type"], near(entry + 6, 0)),
    );
    patch(
        "wCertificateType 0xffff",
        &|x| put_u16(x, wcert_at + 6, 0xffff),
        Expect::Finding(&["pe.certificate-entry.unsupported-type"], near(entry + 6, 0)),
    );
    // The security directory.
    let se = m.security_entry;
    let (off, size) = (m.cert_off as u32, m.cert_size as u32);
    let dir = se as u64;
    patch("security size 0", &|x| put_u32(x, se + 4, 0), Expect::Finding(&["pe.certificate-table.half-empty"], near(dir, 0)));
    patch("security offset 0", &|x| put_u32(x, se, 0), Expect::Finding(&["pe.certificate-table.half-empty"], near(dir, 0)));
    for (what, v) in [
        ("- 1", size - 1),
        ("- 8", size - 8),
        ("+ 1", size + 1),
        ("+ 8", size + 8),
        ("0x7fffffff", 0x7fff_ffff),
        ("0xffffffff", 0xffff_ffff),
        ("4", 4),
    ] {
        patch(&format!("security size {what}"), &|x| put_u32(x, se + 4, v), Expect::Finding(CERT_TABLE, None));
    }
    for (what, v) in [
        ("+ 1", off + 1),
        ("+ 8", off + 8),
        ("- 8", off - 8),
        ("= file length", len as u32),
        ("0x7ffffff8", 0x7fff_fff8),
        ("0xfffffff8", 0xffff_fff8),
    ] {
        patch(&format!("security offset {what}"), &|x| put_u32(x, se, v), Expect::Finding(CERT_TABLE, near(u64::from(v), 0)));
    }
    // A certificate table pointing into the headers.
    for (what, v) in [("0 (MZ)", 0u32), ("DOS header", 0x40), ("e_lfanew", m.lfanew as u32), ("section table", m.sections_at as u32)] {
        patch(
            &format!("security table in the headers at {what}"),
            &|x| put_u32(x, se, v),
            Expect::Finding(
                if v == 0 { &["pe.certificate-table.half-empty"] } else { &["pe.certificate-table.in-headers"] },
                near(if v == 0 { dir } else { u64::from(v) }, 0),
            ),
        );
    }
    // Zero-length tables.
    patch(
        "NumberOfRvaAndSizes 0",
        &|x| put_u32(x, m.nrva_at, 0),
        // No security directory any more: unsigned as far as the layout goes; just finish.
        Expect::Finishes,
    );
    patch("NumberOfRvaAndSizes 4 (no security entry)", &|x| put_u32(x, m.nrva_at, 4), Expect::Finishes);
    patch("NumberOfRvaAndSizes 0xffffffff", &|x| put_u32(x, m.nrva_at, 0xffff_ffff), Expect::Finishes);
    // Header fields are covered by the Authenticode hash: a changed one is a digest mismatch.
    const DIGEST: &[&str] = &["authenticode.digest"];
    patch("NumberOfSections 0", &|x| put_u16(x, m.coff + 2, 0), Expect::Finding(DIGEST, None));
    patch(
        "empty certificate table entry (dwLength 8, size 8)",
        &|x| {
            put_u32(x, m.cert_off, 8);
            put_u32(x, se + 4, 8);
        },
        Expect::Finding(CERT_TABLE, near(entry, 8)),
    );
    // The section table outside the file.
    // (The offset of these findings is where the section table would be, past the end of the file.)
    patch("SizeOfOptionalHeader 0xffff", &|x| put_u16(x, m.coff + 16, 0xffff), Expect::Finding(&["pe.headers"], None));
    patch("NumberOfSections 0xffff", &|x| put_u16(x, m.coff + 2, 0xffff), Expect::Finding(&["pe.headers"], None));
    patch("e_lfanew past the end", &|x| put_u32(x, 0x3c, len as u32), Expect::Finishes);
    patch("e_lfanew 0xffffffff", &|x| put_u32(x, 0x3c, 0xffff_ffff), Expect::Finishes);
    for i in 0..m.sections.len() {
        let s = m.sections_at + 40 * i;
        patch(
            &format!("section #{i} PointerToRawData past the end"),
            &|x| put_u32(x, s + 20, (len as u32) + 0x1000),
            Expect::Finding(&["pe.section.outside-file", "pe.headers", "pe.parse"], near(s as u64, 40)),
        );
        patch(
            &format!("section #{i} SizeOfRawData 0xffffffff"),
            &|x| put_u32(x, s + 16, 0xffff_ffff),
            Expect::Finding(&["pe.section.outside-file", "pe.headers", "pe.parse"], near(s as u64, 40)),
        );
        patch(&format!("section #{i} PointerToRawData 0"), &|x| put_u32(x, s + 20, 0), Expect::Finding(DIGEST, None));
    }
    patch(
        "SizeOfHeaders 0xffffffff",
        &|x| put_u32(x, m.opt + 60, 0xffff_ffff),
        Expect::Finding(&["pe.certificate-table.in-headers"], near(entry, 0)),
    );
    patch("SizeOfHeaders 0", &|x| put_u32(x, m.opt + 60, 0), Expect::Finding(DIGEST, None));
}

/// Corruptions inside the PKCS#7 of the first WIN_CERTIFICATE, each re-wrapped in a consistent
/// certificate table so that only the DER is wrong.
fn der_cases(fixture: &str, b: &[u8], m: &PeMap, stride: usize, out: &mut Vec<Case>) {
    let der = &b[m.der.clone()];
    let base = m.payload.start as u64;
    let mut tlvs = Vec::new();
    walk_der(der, 0..der.len(), 0, &mut tlvs);
    assert!(tlvs.len() > 50, "{fixture}: only {} TLVs found in the PKCS#7", tlvs.len());
    for (i, t) in tlvs.iter().enumerate() {
        let at = base + t.at as u64;
        // Where the damage is "near": from the start of the signature blob to the end of the
        // SignedData field that holds the damaged TLV (version, digestAlgorithms, encapContentInfo,
        // certificates, signerInfos: depth 3), or of the TLV itself at depth 0..=3. A reader notices
        // a bad inner length where the enclosing element ends, so that end (+16) is the limit.
        let near_sig = Some((base, base + field_end(&tlvs, t, der.len()) as u64 + 16));
        let clen = t.content.len();
        // DER truncated at the TLV and at its content, inside a consistent entry.
        if t.depth > 4 && i % stride != 0 {
            continue; // deep TLVs of big signatures are sampled (every `stride`-th) to keep the run short
        }
        for cut in [t.at, t.content.start] {
            if cut > 0 && cut < der.len() {
                out.push(case(
                    format!("{fixture}: PKCS#7 cut at +0x{cut:x} (TLV {i}, depth {})", t.depth),
                    with_payload(b, m, &der[..cut]),
                    Expect::Finding(&["pe.certificate-entry.der-truncated", "signature.decode"], near(base, 0)),
                ));
            }
        }
        // Length fields.
        let mut lens = vec![("+1", clen + 1), ("0x7fffffff", 0x7fff_ffff)];
        if clen > 0 {
            lens.push(("0", 0usize));
            lens.push(("-1", clen - 1));
        }
        for (what, l) in lens {
            out.push(case(
                format!("{fixture}: TLV {i} (tag 0x{:02x}, depth {}) at 0x{at:x}: length {what}", t.tag, t.depth),
                with_payload(b, m, &with_len(der, t, l)),
                Expect::Finding(SIG, near_sig),
            ));
        }
        // Wrong tags.
        let swapped = match t.tag {
            0x30 => Some(0x31),
            0x06 => Some(0x02),
            _ => None,
        };
        if let Some(tag) = swapped {
            let mut d = der.to_vec();
            d[t.at] = tag;
            out.push(case(
                format!("{fixture}: TLV {i} at 0x{at:x}: tag 0x{:02x} -> 0x{tag:02x}", t.tag),
                with_payload(b, m, &d),
                Expect::Finding(SIG, near_sig),
            ));
        }
    }
}

/// The end of the SignedData field (depth 3) holding `t`, or of `t` itself at depth 0..=3.
fn field_end(tlvs: &[Tlv], t: &Tlv, len: usize) -> usize {
    tlvs.iter()
        .filter(|a| a.depth == 3.min(t.depth) && a.at <= t.at && t.content.end <= a.content.end)
        .map(|a| a.content.end)
        .next()
        .unwrap_or(len)
}

fn fixture_cases(name: &str, stride: usize, out: &mut Vec<Case>) {
    let b = read_fixture(name);
    let m = map_pe(&b);
    pe_truncations(name, &b, &m, out);
    pe_fields(name, &b, &m, out);
    der_cases(name, &b, &m, stride, out);
}

#[test]
fn fixture_corruptions_driver_dual_ts() {
    let mut cases = Vec::new();
    fixture_cases("driver-dual-ts.sys", 6, &mut cases);
    run_all(&cases);
}

#[test]
fn fixture_corruptions_driver_sha256_ph() {
    let mut cases = Vec::new();
    fixture_cases("driver-sha256-ph.sys", 1, &mut cases);
    run_all(&cases);
}

#[test]
fn fixture_corruptions_app32_sha256() {
    let mut cases = Vec::new();
    fixture_cases("app32-sha256.exe", 1, &mut cases);
    run_all(&cases);
}

/// The helpers themselves: the walk finds the whole PKCS#7, and a content replacement with the
/// same bytes gives back the same DER.
#[test]
fn der_walk_round_trips() {
    let b = read_fixture("driver-sha256.sys");
    let m = map_pe(&b);
    let der = &b[m.der.clone()];
    let mut tlvs = Vec::new();
    walk_der(der, 0..der.len(), 0, &mut tlvs);
    assert_eq!(tlvs[0].at, 0);
    assert_eq!(tlvs[0].content.end, der.len());
    for i in [1, 5, tlvs.len() - 1] {
        let c = der[tlvs[i].content.clone()].to_vec();
        assert_eq!(replace_content(der, &tlvs, i, &c), der);
    }
    assert_eq!(with_payload(&b, &m, &b[m.payload.clone()]), b, "re-wrapping the same payload gives back the fixture");
}

/// A corpus catalog (arduino.cat, a real signed catalog): truncations at its TLV boundaries and the
/// same length and tag corruptions. Offsets are file offsets (the catalog is the whole file).
#[test]
fn catalog_corruptions() {
    let Some(dir) = corpus() else {
        eprintln!("notice: corpus not found (set DRVSIG_CORPUS); skipping the catalog corruptions");
        return;
    };
    let path = dir.join("drivers/arduino/arduino.cat");
    let Ok(cat) = std::fs::read(&path) else {
        eprintln!("notice: {} not found; skipping", path.display());
        return;
    };
    let mut tlvs = Vec::new();
    walk_der(&cat, 0..cat.len(), 0, &mut tlvs);
    assert!(tlvs.len() > 50, "only {} TLVs in {}", tlvs.len(), path.display());
    const CAT: &[&str] = &["catalog.", "signature.", "timestamp."];
    let mut cases = Vec::new();
    // The encapContentInfo (the CTL) is the third SignedData field. Damage inside it that still
    // leaves a well-formed TLV chain (a length set to 0 turns the old content into siblings) can be
    // read as a different but valid CTL: then only the signer's messageDigest check sees it, at the
    // signer's offset. The signature is what protects the content; no place is asserted there.
    let encap = tlvs.iter().filter(|a| a.depth == 3).nth(2).map(|a| a.at..a.content.end).expect("encapContentInfo");
    const CTL_CONTENT: &[&str] = &["catalog.", "signature.message-digest", "signature.decode"];
    let mut push = |name: String, bytes: Vec<u8>, place: Option<(u64, u64)>, at: usize| {
        // A corruption that makes the bytes stop looking like a catalog (outer tag, the first OIDs)
        // only has to finish: the file is then "other".
        let expect = if drvsig::sniff::sniff("case.cat", &bytes) != drvsig::FileKind::Catalog {
            Expect::Finishes
        } else if encap.contains(&at) && at > encap.start {
            Expect::Finding(CTL_CONTENT, None)
        } else {
            Expect::Finding(CAT, place)
        };
        cases.push(Case { name, file_name: "case.cat", bytes, expect, time: TIME });
    };
    for (i, t) in tlvs.iter().enumerate() {
        // As for PE signatures: from the start to the end of the SignedData field holding the damage.
        let whole = Some((0, field_end(&tlvs, t, cat.len()) as u64 + 16));
        if t.depth > 4 && i % 6 != 0 {
            continue;
        }
        if t.at > 0 {
            push(format!("arduino.cat: cut at TLV {i} (0x{:x}, depth {})", t.at, t.depth), cat[..t.at].to_vec(), whole, 0);
        }
        let clen = t.content.len();
        let mut lens = vec![("+1", clen + 1), ("0x7fffffff", 0x7fff_ffff)];
        if clen > 0 {
            lens.push(("0", 0));
            lens.push(("-1", clen - 1));
        }
        for (what, l) in lens {
            push(
                format!("arduino.cat: TLV {i} (tag 0x{:02x}, depth {}) at 0x{:x}: length {what}", t.tag, t.depth, t.at),
                with_len(&cat, t, l),
                whole,
                t.at,
            );
        }
        let swapped = match t.tag {
            0x30 => Some(0x31),
            0x06 => Some(0x02),
            _ => None,
        };
        if let Some(tag) = swapped {
            let mut d = cat.clone();
            d[t.at] = tag;
            push(format!("arduino.cat: TLV {i} at 0x{:x}: tag 0x{:02x} -> 0x{tag:02x}", t.at, t.tag), d, whole, t.at);
        }
    }
    run_all(&cases);
}

/// Two certificates that issue each other, with valid signatures both ways: the fixture's code-signing
/// CA (issued by the test root) and tests/fixtures/malformed/root-issued-by-ca.der (the test root's
/// name and key, issued and signed by the code-signing CA). Added to the certificates of a signed
/// fixture, a chain walk by issuer name and signature would go round forever: it must not.
#[test]
fn circular_certificates_finish() {
    let b = read_fixture("driver-sha256.sys");
    let m = map_pe(&b);
    let der = &b[m.der.clone()];
    let mut tlvs = Vec::new();
    walk_der(der, 0..der.len(), 0, &mut tlvs);
    // ContentInfo > [0] > SignedData > certificates [0] IMPLICIT.
    let certs = tlvs.iter().position(|t| t.tag == 0xa0 && t.depth == 3).expect("certificates [0] in the fixture");
    let fixtures = fixtures();
    let looped = std::fs::read(fixtures.join("malformed/root-issued-by-ca.der")).expect("root-issued-by-ca.der");
    let root = std::fs::read(fixtures.join("pki/root-ca.der")).expect("root-ca.der");
    let anchor = root.clone();
    let original = der[tlvs[certs].content.clone()].to_vec();
    // The loop certificate's notBefore is its creation day (2026-11-25): judge after it.
    let later = UnixTime::from_civil(2027, 6, 1, 0, 0, 0).expect("time");
    let mut cases = Vec::new();
    for (what, extra) in [
        ("loop", vec![looped.clone()]),
        ("loop + real root", vec![looped.clone(), root.clone()]),
        ("loop twice", vec![looped.clone(), looped]),
    ] {
        let mut content = original.clone();
        for c in &extra {
            content.extend_from_slice(c);
        }
        let bytes = with_payload(&b, &m, &replace_content(der, &tlvs, certs, &content));
        cases.push(Case {
            name: format!("driver-sha256.sys: circular certificates ({what})"),
            file_name: "case.sys",
            bytes,
            expect: Expect::Finishes,
            time: later,
        });
    }
    run_all(&cases);
    // The signature itself still verifies and every certificate is listed.
    let bytes = &cases[0].bytes;
    let report = inspect("case.sys", bytes, &Options::at(later));
    let sig = report.signatures.first().expect("one signature");
    assert_eq!(sig.signature_verdict, Outcome::Pass, "{:#?}", sig.findings);
    assert_eq!(sig.digest_verdict, Outcome::Pass);
    assert_eq!(sig.certificates.len(), 3, "publisher, CA and the looping root");
    // The chain builder walks the loop without spinning: bounded work, and no trust is invented.
    let chain = sig.chain.as_ref().expect("a chain for the signer");
    assert_ne!(chain.verdict, Outcome::Pass, "{chain:#?}");
    assert!(chain.paths_tried <= 100, "{} paths", chain.paths_tried);
    assert_ne!(chain.trust, drvsig::report::TrustKind::MicrosoftRoot);
    // Trusting the real test root, the builder still finds the real path through the loop.
    let mut trusting = Options::at(later);
    trusting.trust_anchors.push(anchor);
    let report = inspect("case.sys", &cases[1].bytes, &trusting);
    let chain = report.signatures.first().and_then(|s| s.chain.as_ref()).expect("a chain");
    assert_eq!(chain.trust, drvsig::report::TrustKind::UserRoot, "{chain:#?}");
    assert!(chain.paths_tried <= 100, "{} paths", chain.paths_tried);
}

/// What each fuzz target does with its input (fuzz/fuzz_targets/*.rs), natively, so that a
/// reproducer can be replayed by `cargo test` without the nightly toolchain.
fn replay(target: &str, data: &[u8]) {
    let options = Options::at(TIME);
    match target {
        "inspect" => {
            let Some((&first, bytes)) = data.split_first() else { return };
            let name = ["fuzz.sys", "fuzz.cat", "fuzz.inf", "fuzz.zip"][usize::from(first) % 4];
            serde_json::to_string(&inspect(name, bytes, &options)).expect("a report always serializes");
        }
        "pe" => {
            use drvsig::digest::DigestAlgorithm;
            let _ = drvsig::pe::authenticode_ranges(data);
            let _ = drvsig::pe::authenticode_digests(data, &[DigestAlgorithm::Sha1, DigestAlgorithm::Sha256]);
            let _ = drvsig::pe::pe_checksum(data);
            if let Ok(table) = drvsig::pe::page_hashes(data, DigestAlgorithm::Sha256) {
                let _ = drvsig::pe::verify_page_hashes(data, &table);
            }
            drvsig::pe::inspect_pe(data, &options, &drvsig::KnownDigests::default(), &mut FileReport::default());
        }
        "signature" => {
            if let Ok(mut sigs) = drvsig::signature::read_signed_data(data, 0x1000, "fuzz", 0) {
                drvsig::chain::build_for(&mut sigs, &options, "fuzz");
            }
        }
        "catalog" => {
            if let Ok(catalog) = drvsig::catalog::parse_catalog(data) {
                let _ = catalog.to_report();
            }
            drvsig::catalog::inspect_catalog(data, &options, &mut FileReport::default());
        }
        "inf" => {
            let _ = drvsig::inf::parse_inf(data).to_report();
            drvsig::inf::inspect_inf(data, &mut FileReport::default());
        }
        "zip" => {
            let mut bytes = b"PK\x03\x04".to_vec();
            bytes.extend_from_slice(data);
            let _ = inspect("package.zip", &bytes, &options);
        }
        other => panic!("unknown fuzz target {other}"),
    }
}

/// Every fuzz reproducer kept as a regression case (tests/fixtures/malformed/fuzz/<target>/*, minimised
/// with `cargo fuzz tmin`) and every committed seed (fuzz/seeds/<target>/*) goes through its target's
/// code: no panic. The seeds make sure the harnesses themselves keep working without nightly.
#[test]
fn fuzz_reproducers_and_seeds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in [root.join("tests/fixtures/malformed/fuzz"), root.join("fuzz/seeds")] {
        let Ok(targets) = std::fs::read_dir(&dir) else { continue };
        for target in targets.flatten() {
            let name = target.file_name().to_string_lossy().to_string();
            let Ok(files) = std::fs::read_dir(target.path()) else { continue };
            for file in files.flatten() {
                let data = std::fs::read(file.path()).expect("read reproducer");
                let result = std::panic::catch_unwind(|| replay(&name, &data));
                assert!(result.is_ok(), "{} panics in target {name}", file.path().display());
                count += 1;
            }
        }
    }
    assert!(count >= 30, "only {count} seeds / reproducers found");
}
