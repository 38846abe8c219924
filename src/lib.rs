//! drvsig core: is this Windows driver signed properly, by whom, and would Windows load it?
//!
//! Data flows one way: bytes -> [`sniff`] -> [`pe`] (and later catalog / inf) -> signature
//! verification -> [`report`]. The core takes bytes and an explicit time and returns a plain,
//! serializable report. It has no browser crate, no clock, no I/O and no `unsafe`, and it never
//! panics on input: whatever fails to parse becomes a [`report::Finding`] with its byte offset.
#![forbid(unsafe_code)]
// Hostile input must never panic the core: no unwrap/expect/panic, no indexing, no unchecked
// arithmetic outside tests (`cargo clippy` enforces it; see ARCHITECTURE.md "Invariants").
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

pub mod asn1;
pub mod blocklist;
pub mod catalog;
pub mod chain;
pub mod checks;
pub mod diff;
pub mod digest;
pub mod hex;
pub mod inf;
pub mod markdown;
pub mod names;
pub mod oid_names;
pub mod package;
pub mod pe;
pub mod policy;
pub mod report;
pub mod signature;
pub mod sniff;
pub mod summary;
pub mod target;
pub mod time;
pub mod triage;

pub use package::inspect_package;
pub use report::{FileKind, FileReport, Finding, InspectionReport, Outcome};
pub use time::UnixTime;

use sha2::{Digest, Sha256};

/// What the caller decides for a run: the core never reads a clock.
#[derive(Clone, Debug)]
pub struct Options {
    /// The time at which certificates are judged (unless a verified timestamp says otherwise).
    pub time: UnixTime,
    /// DER certificates the user trusts as roots (in addition to the built-in Microsoft roots);
    /// [`chain::parse_trust_file`] reads them from .cer / .pem / .p7b files.
    pub trust_anchors: Vec<Vec<u8>>,
    /// The known-vulnerable / malicious driver lists to judge PE files against (the built-in
    /// index and the user's lists, [`blocklist`]); `None`: no list, no `blocklist` in the report.
    pub blocklists: Option<std::sync::Arc<blocklist::BlockLists>>,
}

impl Options {
    pub fn at(time: UnixTime) -> Self {
        Options { time, trust_anchors: Vec::new(), blocklists: None }
    }
}

/// Digests of a file that the caller already computed over the same bytes, so the core does not
/// hash them again: the page computes SHA-256 with the browser's WebCrypto (three to four times
/// faster than SHA-256 in wasm), the CLI hashes a big file on two cores. The caller vouches for them:
/// they are used as they are, so they must be computed over exactly `bytes` (whole file) and over
/// [`pe::authenticode_ranges`] of `bytes` (Authenticode image hash). A digest whose length does not
/// match its algorithm is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownDigests {
    /// SHA-256 of the whole file (the report's `sha256`).
    pub file_sha256: Option<Vec<u8>>,
    /// Authenticode image hashes of a PE file, by algorithm.
    pub authenticode: Vec<(digest::DigestAlgorithm, Vec<u8>)>,
}

impl KnownDigests {
    /// The known Authenticode digest with `alg`, when its length is right.
    pub fn authenticode(&self, alg: digest::DigestAlgorithm) -> Option<&[u8]> {
        self.authenticode.iter().find(|(a, d)| *a == alg && d.len() == alg.output_len()).map(|(_, d)| d.as_slice())
    }
}

/// Inspect one file given as bytes. Never fails as a whole and never panics: problems are findings.
/// The certificates of a certificate file, summarized as in signatures (subject, issuer,
/// validity, thumbprints, key, extensions, DER for download).
fn inspect_certificates(bytes: &[u8], report: &mut FileReport) {
    use der::Decode;
    match chain::parse_trust_file(bytes) {
        Ok(certs) => {
            for der in certs {
                match x509_cert::Certificate::from_der(&der) {
                    Ok(cert) => report.certificates.push(signature::certificate::summarize(&cert, &der)),
                    Err(e) => report.findings.push(Finding::new(
                        "certificate.decode",
                        Outcome::Fail,
                        format!("a certificate does not decode: {e}"),
                    )),
                }
            }
        }
        Err(e) => report.findings.push(Finding::new("certificate.decode", Outcome::Fail, e.to_string())),
    }
}

pub fn inspect(name: &str, bytes: &[u8], options: &Options) -> FileReport {
    inspect_with(name, bytes, options, &KnownDigests::default())
}

/// [`inspect`] with digests the caller already computed (see [`KnownDigests`]).
pub fn inspect_with(name: &str, bytes: &[u8], options: &Options, known: &KnownDigests) -> FileReport {
    let kind = sniff::sniff(name, bytes);
    let sha256 = match &known.file_sha256 {
        Some(d) if d.len() == 32 => hex::encode(d),
        _ => hex::encode(&Sha256::digest(bytes)),
    };
    let mut report = FileReport {
        name: name.to_string(),
        size: bytes.len() as u64,
        sha256,
        kind,
        verified_at: options.time.to_rfc3339(),
        pe: None,
        signatures: Vec::new(),
        findings: Vec::new(),
        catalog: None,
        inf: None,
        verdicts: Vec::new(),
        certificates: Vec::new(),
        blocklist: None,
    };
    if kind.is_pe() {
        pe::inspect_pe(bytes, options, known, &mut report);
    }
    match kind {
        FileKind::Catalog => {
            catalog::inspect_catalog(bytes, options, &mut report);
            // The catalog's own signature goes through the same signer / timestamp code as PE
            // signatures (one code path); nested signatures come back too.
            match signature::read_signed_data(bytes, 0, "catalog", 0, options) {
                Ok(signatures) => report.signatures.extend(signatures.into_iter().map(|s| s.report)),
                Err(finding) => report.findings.push(finding),
            }
        }
        FileKind::Inf => inf::inspect_inf(bytes, &mut report),
        FileKind::Certificate => inspect_certificates(bytes, &mut report),
        _ => {}
    }
    // Known-vulnerable and malicious driver lists (PE files only), before the verdicts that use them.
    if let (true, Some(lists)) = (kind.is_pe() && report.pe.is_some(), &options.blocklists) {
        let facts = blocklist::FileFacts::compute(bytes, &report, lists, known);
        let matches = blocklist::match_file(lists, &facts);
        report.blocklist = Some(report::BlocklistReport { lists: lists.infos(), matches, notes: facts.notes.clone() });
    }
    // Who signed it and, for kernel drivers, would Windows load it (embedded signatures only).
    policy::apply(&mut report);
    report
}
