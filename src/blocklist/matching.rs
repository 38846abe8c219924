//! Matching one PE file against the lists: hash lookups (Authenticode, first page, whole file),
//! a name lookup (OriginalFilename, then the version range) and a TBS lookup per CA certificate of
//! every signature's chain (then publisher, OEM id and file attributes). No rule is scanned.

use super::{BlockLists, FileRule, HashTarget, List, LolHash, Rules, SignerRule, Tables};
use crate::digest::{DigestAlgorithm, KnownDigests};
use crate::hex;
use crate::report::{BlocklistMatch, CertificateSummary, FileReport, FourPartVersion, ListKind, MatchedBy, SignatureReport, VersionInfo};

/// Files up to this size also get a whole-file SHA-1 / MD5 when a list needs them (LOLDrivers
/// samples known only by those: 21 of 2,213 in the shipped snapshot, all small drivers). Above it
/// these two extra passes (about 150 ms natively and most of a second in the page for 64 MiB)
/// are skipped and the report says so: the Authenticode, first-page and whole-file SHA-256 lookups
/// still run.
pub const LEGACY_FILE_HASH_MAX: usize = 16 * 1024 * 1024;

/// What the lists are matched on, for one PE file.
#[derive(Clone, Debug, Default)]
pub struct FileFacts<'a> {
    /// Lowercase hex digests, each with what it is.
    pub hashes: Vec<(MatchedBy, String)>,
    pub version: Option<&'a VersionInfo>,
    pub signatures: &'a [SignatureReport],
    /// What was not computed, and why (goes to the report's block list notes).
    pub notes: Vec<String>,
}

impl<'a> FileFacts<'a> {
    /// The facts of a PE file whose report `inspect` has filled (signatures checked): Authenticode
    /// SHA-1 / SHA-256 (reusing the digests the signatures' checks computed), first-page SHA-1 /
    /// SHA-256, whole-file SHA-256 (the report's) and, only when a list needs them, SHA-1 / MD5.
    /// The PE hashes come from the caller (`pe` is a layer above, see `file::blocklist_facts`):
    /// `authenticode_digests` gives the image digests of the algorithms asked, in their order,
    /// `first_page_hash` the digest of the first page.
    pub fn compute(
        bytes: &[u8],
        report: &'a FileReport,
        lists: &BlockLists,
        known: &KnownDigests,
        authenticode_digests: &dyn Fn(&[DigestAlgorithm]) -> Vec<Vec<u8>>,
        first_page_hash: &dyn Fn(DigestAlgorithm) -> Option<Vec<u8>>,
    ) -> FileFacts<'a> {
        let mut hashes = Vec::new();
        let authenticode = [(DigestAlgorithm::Sha1, MatchedBy::AuthenticodeSha1), (DigestAlgorithm::Sha256, MatchedBy::AuthenticodeSha256)];
        let missing: Vec<DigestAlgorithm> = authenticode
            .iter()
            .filter(|(alg, _)| known_digest(report, *alg).is_none() && known.authenticode(*alg).is_none())
            .map(|(alg, _)| *alg)
            .collect();
        let computed = if missing.is_empty() { Vec::new() } else { authenticode_digests(&missing) };
        for (alg, by) in authenticode {
            let digest = known_digest(report, alg)
                .map(str::to_string)
                .or_else(|| known.authenticode(alg).map(hex::encode))
                .or_else(|| missing.iter().position(|a| *a == alg).and_then(|i| computed.get(i)).map(|d| hex::encode(d)));
            hashes.extend(digest.map(|d| (by, d)));
        }
        for (alg, by) in [(DigestAlgorithm::Sha1, MatchedBy::FirstPageSha1), (DigestAlgorithm::Sha256, MatchedBy::FirstPageSha256)] {
            hashes.extend(first_page_hash(alg).map(|d| (by, hex::encode(&d))));
        }
        hashes.push((MatchedBy::FileSha256, report.sha256.clone()));
        let mut notes = Vec::new();
        let legacy = lists.needs_file_sha1() || lists.needs_file_md5();
        if legacy && bytes.len() > LEGACY_FILE_HASH_MAX {
            notes.push(format!(
                "whole-file SHA-1 / MD5 not computed (the file is over {} MiB): list entries known only by those were not checked",
                LEGACY_FILE_HASH_MAX / (1024 * 1024)
            ));
        } else if lists.needs_file_sha1() {
            hashes.push((MatchedBy::FileSha1, hex::encode(&DigestAlgorithm::Sha1.digest(bytes))));
        }
        if lists.needs_file_md5() && bytes.len() <= LEGACY_FILE_HASH_MAX {
            hashes.push((MatchedBy::FileMd5, hex::encode(&DigestAlgorithm::Md5.digest(bytes))));
        }
        FileFacts { hashes, version: report.pe.as_ref().and_then(|p| p.version.as_ref()), signatures: &report.signatures, notes }
    }
}

/// The Authenticode digest with `alg` a signature's check already computed over this file.
fn known_digest(report: &FileReport, alg: DigestAlgorithm) -> Option<&str> {
    report
        .signatures
        .iter()
        .find(|s| s.digest_algorithm == alg.name() && s.computed_digest.len() == alg.output_len().saturating_mul(2))
        .map(|s| s.computed_digest.as_str())
}

/// Every rule of every list that matches, in list order. The built-in index's lists are parsed
/// here the first time a file may match them (see [`super::index::read`]).
pub fn match_file(lists: &BlockLists, facts: &FileFacts) -> Vec<BlocklistMatch> {
    match_file_noted(lists, facts).0
}

/// [`match_file`], and a note when the file may match the built-in index's lists but they could
/// not be parsed (it was then matched against the other lists only).
pub fn match_file_noted(lists: &BlockLists, facts: &FileFacts) -> (Vec<BlocklistMatch>, Option<String>) {
    let mut out = Vec::new();
    let mut note = None;
    if let Some(builtin) = &lists.builtin {
        let tbs = facts.signatures.iter().flat_map(ca_certificates).map(|c| c.tbs_hash.as_str());
        let digests = facts.hashes.iter().map(|(_, d)| d.as_str()).chain(tbs);
        if builtin.may_match(digests, original_filename(facts.version)) {
            match builtin.tables() {
                Ok(tables) => tables_match(tables, facts, &mut out),
                Err(e) => note = Some(format!("the built-in block lists could not be read ({e}): this file was not matched against them")),
            }
        }
    }
    tables_match(&lists.own, facts, &mut out);
    out.sort_by_key(|m| lists.info_refs().position(|l| l.name == m.list && l.version == m.list_version));
    (out, note)
}

fn original_filename(version: Option<&VersionInfo>) -> Option<&str> {
    version.and_then(|v| v.original_filename.as_deref())
}

/// The matches of one set of tables, added to `out` (a signer rule already there is not again).
fn tables_match(tables: &Tables, facts: &FileFacts, out: &mut Vec<BlocklistMatch>) {
    for (by, digest) in &facts.hashes {
        for target in tables.hashes.get(digest).into_iter().flatten() {
            out.extend(hash_match(tables, *target, *by, digest));
        }
    }
    out.extend(name_matches(tables, facts.version));
    signer_matches(tables, facts, out);
}

fn base(list: &List, rule_id: &str, rule_name: Option<&String>, by: MatchedBy, detail: String) -> BlocklistMatch {
    BlocklistMatch {
        list_kind: list.info.kind,
        list: list.info.name.clone(),
        list_version: list.info.version.clone(),
        rule_id: rule_id.to_string(),
        rule_name: rule_name.cloned(),
        matched_by: by,
        detail,
        category: None,
        loads_despite_hvci: None,
        resources: Vec::new(),
    }
}

fn describe(by: MatchedBy) -> &'static str {
    match by {
        MatchedBy::AuthenticodeSha1 => "Authenticode SHA-1",
        MatchedBy::AuthenticodeSha256 => "Authenticode SHA-256",
        MatchedBy::FirstPageSha1 => "first-page SHA-1",
        MatchedBy::FirstPageSha256 => "first-page SHA-256",
        MatchedBy::FileSha256 => "file SHA-256",
        MatchedBy::FileSha1 => "file SHA-1",
        MatchedBy::FileMd5 => "file MD5",
        MatchedBy::FileName => "file name and version",
        MatchedBy::Signer => "signer",
    }
}

fn hash_match(lists: &Tables, target: HashTarget, by: MatchedBy, digest: &str) -> Option<BlocklistMatch> {
    let detail = format!("the file's {} {digest}", describe(by));
    match target {
        HashTarget::Policy(l, r) => {
            // SiPolicy hash rules name image hashes (Authenticode or first page), never the file's.
            let image = matches!(
                by,
                MatchedBy::AuthenticodeSha1 | MatchedBy::AuthenticodeSha256 | MatchedBy::FirstPageSha1 | MatchedBy::FirstPageSha256
            );
            let list = lists.lists.get(l).filter(|_| image)?;
            let Rules::SiPolicy(p) = &list.rules else {
                return None;
            };
            let rule = p.hashes.get(r)?;
            Some(base(list, &rule.id, rule.name.as_ref(), by, detail))
        }
        HashTarget::Lol(l, r, s, kind) => {
            let wanted = match kind {
                LolHash::FileSha256 => MatchedBy::FileSha256,
                LolHash::FileSha1 => MatchedBy::FileSha1,
                LolHash::FileMd5 => MatchedBy::FileMd5,
                LolHash::AuthSha256 => MatchedBy::AuthenticodeSha256,
                LolHash::AuthSha1 => MatchedBy::AuthenticodeSha1,
            };
            let list = lists.lists.get(l).filter(|_| wanted == by)?;
            let Rules::Loldrivers(lol) = &list.rules else {
                return None;
            };
            let record = lol.records.get(r)?;
            let sample = record.samples.get(s)?;
            let mut m = base(list, &record.id, sample.file_name.as_ref(), by, detail);
            m.category = Some(record.category);
            m.loads_despite_hvci = sample.loads_despite_hvci;
            m.resources = record.resources.clone();
            Some(m)
        }
    }
}

/// Whether a `Deny` / `FileAttrib` rule matches the version resource: every attribute it names
/// (file name, product name: case-insensitive) and the version range (missing bound = open; a
/// file without a fixed version counts as 0.0.0.0).
pub fn file_rule_matches(rule: &FileRule, version: Option<&VersionInfo>) -> bool {
    let same = |want: &Option<String>, have: Option<&String>| match want {
        None => true,
        Some(w) => have.is_some_and(|h| h.to_lowercase() == w.to_lowercase()),
    };
    let original = version.and_then(|v| v.original_filename.as_ref());
    let product = version.and_then(|v| v.product_name.as_ref());
    if rule.file_name.is_none() && rule.product_name.is_none() {
        return false;
    }
    if !same(&rule.file_name, original) || !same(&rule.product_name, product) {
        return false;
    }
    let v = version.and_then(|v| v.file_version_fixed).unwrap_or_default();
    rule.min_version.is_none_or(|min| v >= min) && rule.max_version.is_none_or(|max| v <= max)
}

fn range(rule: &FileRule) -> String {
    let show = |v: Option<FourPartVersion>, open: &str| v.map(|v| v.to_string()).unwrap_or_else(|| open.to_string());
    format!("{}..{}", show(rule.min_version, "0.0.0.0"), show(rule.max_version, "any"))
}

fn name_matches(lists: &Tables, version: Option<&VersionInfo>) -> Vec<BlocklistMatch> {
    let Some(name) = version.and_then(|v| v.original_filename.as_ref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (l, r) in lists.names.get(&name.to_lowercase()).into_iter().flatten() {
        let Some(list) = lists.lists.get(*l) else {
            continue;
        };
        let Rules::SiPolicy(p) = &list.rules else {
            continue;
        };
        let Some(rule) = p.files.get(*r) else {
            continue;
        };
        if file_rule_matches(rule, version) {
            let fixed = version.and_then(|v| v.file_version_fixed).map(|v| v.to_string()).unwrap_or_else(|| "none".to_string());
            let detail = format!("OriginalFilename {name:?}, file version {fixed}, within {}", range(rule));
            out.push(base(list, &rule.id, rule.name.as_ref(), MatchedBy::FileName, detail));
        }
    }
    out
}

/// The CA certificates of a signature's chain (the built path when there is one, else the
/// certificates the signature carries), the leaf left out.
fn ca_certificates(sig: &SignatureReport) -> Vec<&CertificateSummary> {
    match &sig.chain {
        Some(chain) if chain.certificates.len() > 1 => chain.certificates.iter().skip(1).map(|c| &c.certificate).collect(),
        _ => {
            let leaf = sig.signer.as_ref().map(|s| s.sha256.as_str());
            sig.certificates.iter().filter(|c| Some(c.sha256.as_str()) != leaf).collect()
        }
    }
}

fn signer_matches(lists: &Tables, facts: &FileFacts, out: &mut Vec<BlocklistMatch>) {
    for sig in facts.signatures {
        for ca in ca_certificates(sig) {
            for (l, r) in lists.signers.get(&ca.tbs_hash).into_iter().flatten() {
                let Some(list) = lists.lists.get(*l) else {
                    continue;
                };
                let Rules::SiPolicy(p) = &list.rules else {
                    continue;
                };
                let Some(rule) = p.signers.get(*r) else {
                    continue;
                };
                let Some(detail) = signer_rule_matches(rule, sig, ca, facts.version) else {
                    continue;
                };
                let seen = |m: &BlocklistMatch| {
                    m.matched_by == MatchedBy::Signer
                        && m.rule_id == rule.id
                        && m.list == list.info.name
                        && m.list_version == list.info.version
                };
                if !out.iter().any(seen) {
                    out.push(base(list, &rule.id, rule.name.as_ref(), MatchedBy::Signer, detail));
                }
            }
        }
    }
}

/// Whether a denied signer matches a signature whose chain holds `ca` (TBS already equal): the
/// leaf's subject CN (`CertPublisher`, exact), the SpcSpOpusInfo program name (`CertOemID`,
/// exact) and one of the `FileAttribRef`s; the sentence saying what matched when it does.
fn signer_rule_matches(rule: &SignerRule, sig: &SignatureReport, ca: &CertificateSummary, version: Option<&VersionInfo>) -> Option<String> {
    let mut detail = format!("signature #{} chains to {:?} (TBS {})", sig.index, ca.subject_cn(), ca.tbs_hash);
    if let Some(publisher) = &rule.publisher {
        let leaf = sig.signer.as_ref().map(|s| s.subject_cn())?;
        if &leaf != publisher {
            return None;
        }
        detail.push_str(&format!(", signed by {leaf:?}"));
    }
    if let Some(oem) = &rule.oem_id {
        if sig.program_name.as_ref() != Some(oem) {
            return None;
        }
        detail.push_str(&format!(", OEM id {oem:?}"));
    }
    if !rule.file_attribs.is_empty() {
        let attrib = rule.file_attribs.iter().find(|a| file_rule_matches(a, version))?;
        detail.push_str(&format!(", file attributes {} ({})", attrib.id, range(attrib)));
    }
    Some(detail)
}

/// Whether the match comes from a Windows-format list (the ones Windows enforces).
pub fn is_microsoft(m: &BlocklistMatch) -> bool {
    m.list_kind != ListKind::Loldrivers
}
