//! One file: [`inspect`] sniffs what the bytes are and runs the layers for that kind (PE layout
//! and signatures, catalog, INF, certificates), then the block lists and the policy. The top of
//! the per-file flow: it may import every layer; only `package` (many files) sits above it.

use crate::checks;
use sha2::{Digest, Sha256};

use crate::options::{KnownDigests, Options};
use crate::report::{self, CertificateSummary, FileKind, FileReport, Finding, Outcome};
use crate::{blocklist, catalog, chain, hex, inf, pe, policy, signature, sniff, x509};

/// Inspect one file given as bytes. Never fails as a whole and never panics: problems are findings.
/// The certificates of a certificate file, summarized as in signatures (subject, issuer,
/// validity, thumbprints, key, extensions, DER for download).
fn inspect_certificates(bytes: &[u8], report: &mut FileReport) {
    match signature::trust_file::parse_trust_file(bytes) {
        Ok(certs) => {
            for der in certs {
                match x509::Certificate::from_der(&der) {
                    Ok(cert) => report.certificates.push(CertificateSummary::from(&cert)),
                    Err(e) => report.findings.push(Finding::new(
                        checks::CERTIFICATE_DECODE.id,
                        Outcome::Fail,
                        format!("a certificate does not decode: {e}"),
                    )),
                }
            }
        }
        Err(e) => report.findings.push(Finding::new(checks::CERTIFICATE_DECODE.id, Outcome::Fail, e.to_string())),
    }
}

/// What a caller that hashes and verifies faster than the core (the page's workers, with
/// WebCrypto) can do ahead of [`inspect_with`] for one file ([`plan`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// A PE image's Authenticode hashing (`None` for anything else, or when its headers do not
    /// read): computed, they go in [`KnownDigests`].
    pub hash: Option<pe::HashPlan>,
    /// The signer signature checks it can make (a PE file's embedded signatures, a catalog's own):
    /// those it verified go in [`Options::known_signatures`].
    pub signatures: Vec<x509::SignatureRequest>,
}

/// The [`Plan`] of `bytes`: it decodes the signatures and verifies nothing.
pub fn plan(name: &str, bytes: &[u8], options: &Options) -> Plan {
    plan_decoded(&decode(name, bytes), bytes, options)
}

/// A file's signatures decoded (nothing verified): [`decode`], for a caller that plans
/// ([`plan_decoded`]) and then inspects ([`inspect_decoded`]) the same bytes, the hashing and
/// signer checks it does itself in between, with one decoding. Measured in the page's worker
/// over 1,000 small signed drivers, the second decoding was about a sixth of each file's time.
#[derive(Debug)]
pub struct Decoded<'a> {
    kind: FileKind,
    signatures: DecodedSignatures<'a>,
}

#[derive(Debug)]
enum DecodedSignatures<'a> {
    /// A PE file's embedded signatures (`None`: its headers do not read).
    Pe(Option<pe::DecodedPe<'a>>),
    /// A catalog's own signature (and those nested in it), or why it does not decode.
    Catalog(Result<Vec<signature::DecodedSignature<'a>>, Finding>),
    None,
}

/// The signatures of `bytes` (a file called `name`), decoded.
pub fn decode<'a>(name: &str, bytes: &'a [u8]) -> Decoded<'a> {
    let kind = sniff::sniff(name, bytes);
    let signatures = if kind.is_pe() {
        DecodedSignatures::Pe(pe::decode_pe(bytes))
    } else if kind == FileKind::Catalog {
        DecodedSignatures::Catalog(signature::decode(bytes, 0, "catalog", 0))
    } else {
        DecodedSignatures::None
    };
    Decoded { kind, signatures }
}

/// [`plan`] from the signatures `decoded` from the same bytes.
pub fn plan_decoded(decoded: &Decoded<'_>, bytes: &[u8], options: &Options) -> Plan {
    match &decoded.signatures {
        DecodedSignatures::Pe(Some(pe_decoded)) => match pe::plan_decoded(bytes, pe_decoded, options) {
            Some((hash, signatures)) => Plan { hash: Some(hash), signatures },
            None => Plan::default(),
        },
        DecodedSignatures::Catalog(Ok(d)) => Plan { hash: None, signatures: signature::signature_requests(d) },
        _ => Plan::default(),
    }
}

pub fn inspect(name: &str, bytes: &[u8], options: &Options) -> FileReport {
    inspect_with(name, bytes, options, &KnownDigests::default())
}

/// [`inspect`] with digests the caller already computed (see [`KnownDigests`]).
pub fn inspect_with(name: &str, bytes: &[u8], options: &Options, known: &KnownDigests) -> FileReport {
    inspect_file(name, bytes, options, known, None)
}

/// [`inspect_with`] with the signatures `decoded` from the same bytes ([`decode`]).
pub fn inspect_decoded(name: &str, bytes: &[u8], options: &Options, known: &KnownDigests, decoded: &Decoded<'_>) -> FileReport {
    inspect_file(name, bytes, options, known, Some(decoded))
}

fn inspect_file(name: &str, bytes: &[u8], options: &Options, known: &KnownDigests, decoded: Option<&Decoded<'_>>) -> FileReport {
    let kind = sniff::sniff(name, bytes);
    // Signatures decoded from a file the name or the bytes now say is something else are not used.
    let decoded = decoded.filter(|d| d.kind == kind).map(|d| &d.signatures);
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
        match decoded {
            Some(DecodedSignatures::Pe(Some(d))) => pe::inspect_pe_decoded(bytes, options, known, Some(d), &mut report),
            _ => pe::inspect_pe(bytes, options, known, &mut report),
        }
    }
    match kind {
        FileKind::Catalog => {
            catalog::inspect_catalog(bytes, options, &mut report);
            // The catalog's own signature goes through the same signer / timestamp code as PE
            // signatures (one code path); nested signatures come back too.
            let verified = match decoded {
                Some(DecodedSignatures::Catalog(d)) => {
                    d.as_ref().map(|d| signature::verify_with(d, &options.verifier())).map_err(Clone::clone)
                }
                _ => signature::read_signed_data_with(bytes, 0, "catalog", 0, &options.verifier()),
            };
            match verified {
                Ok(mut signatures) => {
                    chain::build_for(&mut signatures, options, "catalog");
                    report.signatures.extend(signatures.into_iter().map(report::SignatureReport::from));
                }
                Err(finding) => report.findings.push(finding),
            }
        }
        FileKind::Inf => inf::inspect_inf(bytes, &mut report),
        FileKind::Certificate => inspect_certificates(bytes, &mut report),
        _ => {}
    }
    // Known-vulnerable and malicious driver lists (PE files only), before the verdicts that use them.
    if let (true, Some(lists)) = (kind.is_pe() && report.pe.is_some(), &options.blocklists) {
        let facts = blocklist_facts(bytes, &report, lists, known);
        let (matches, note) = blocklist::match_file_noted(lists, &facts);
        let mut notes = facts.notes.clone();
        notes.extend(note);
        report.blocklist = Some(report::BlocklistReport { lists: lists.infos(), matches, notes });
    }
    // Who signed it and, for kernel drivers, would Windows load it (embedded signatures only).
    policy::apply(&mut report);
    report
}

/// The facts a PE file is matched on against the block lists ([`blocklist::FileFacts`]), with the
/// Authenticode and first-page digests computed by [`pe`] (only those not already known).
pub fn blocklist_facts<'r>(
    bytes: &[u8],
    report: &'r FileReport,
    lists: &blocklist::BlockLists,
    known: &KnownDigests,
) -> blocklist::FileFacts<'r> {
    let authenticode = |algs: &[crate::digest::DigestAlgorithm]| pe::authenticode_digests(bytes, algs).unwrap_or_default();
    let first_page = |alg| pe::first_page_hash(bytes, alg);
    blocklist::FileFacts::compute(bytes, report, lists, known, &authenticode, &first_page)
}
