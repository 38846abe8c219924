//! Driver packages: several files inspected together (a directory, a zip, files picked at once),
//! grouped by INF -> `CatalogFile`, and each file's digest looked up in the catalog(s).
//!
//! Flow: every file goes through [`crate::file::inspect`] once (zips are expanded in memory first, one
//! level deep, within the caps below) -> each INF claims its catalogs (matched by name, same
//! directory first, then anywhere in the drop) and the files it references or its catalogs list ->
//! the digests the catalogs use are computed once per file and algorithm (reusing what `inspect`
//! already hashed; the rest in one pass with [`crate::pe::authenticode_digests`]) -> each file is
//! matched with the catalog members by digest (SPC_INDIRECT_DATA digest, or the tag for members
//! without one) and by `File` name -> rows, missing members, missing INF files, HWID comparison.
//!
//! Which signature Windows uses (DOMAIN.md): PnP installation checks the catalog; the kernel accepts
//! a catalog signature (once the catalog is installed) or the embedded one at load; boot-start
//! drivers need the embedded signature on Windows Vista / 7 x64.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use crate::checks;
use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::options::Options;
use crate::report::{
    AlgorithmDigest, CatalogMemberReport, CoverageRow, CoverageStatus, EmbeddedSummary, FileKind, FileReport, Finding, HashKind,
    HwidComparison, InfReport, InspectionReport, MemberMatch, MemberMatchedBy, MissingFile, MissingMember, Outcome, PackageCatalog,
    PackageKind, PackageReport, ReferencedAs, Role, TargetVerdict,
};

/// At most this many zip entries are read; the rest are reported by one finding.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// At most this many bytes are decompressed from one drop's zips in all.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
/// An entry that decompresses to more than this many times its compressed size is refused (zip bomb)...
pub const MAX_ZIP_RATIO: u64 = 100;
/// ...unless it stays below this size (small files of zeros compress well and harm nobody).
pub const ZIP_RATIO_FLOOR_BYTES: u64 = 1024 * 1024;

/// Inspect several files as one drop: every file's report, then the packages they form.
///
/// `files` are (relative path, bytes); paths use `/` (a `\` is read as `/`). Zip archives are
/// expanded in memory: their entries become files named `archive.zip/inner/path`.
pub fn inspect_package(files: &[(String, &[u8])], options: &Options) -> InspectionReport {
    inspect_package_with_reports(files, Vec::new(), options)
}

/// [`inspect_package`] with reports the caller already made (the CLI makes them on several
/// threads; the page's workers made one per file): each is `crate::file::inspect` of a file (named with
/// `/`) or of a zip member (named `archive.zip/inner/path`), with the same options, and is matched
/// to its file by name. Files and members without a report are inspected here.
pub fn inspect_package_with_reports(files: &[(String, &[u8])], reports: Vec<FileReport>, options: &Options) -> InspectionReport {
    let mut items: Vec<Item<'_>> = Vec::new();
    let mut reports: Vec<Option<FileReport>> = reports.into_iter().map(Some).collect();
    // The first unused report with this name (names repeat only in odd drops).
    let mut take = |name: &str| reports.iter_mut().find(|r| r.as_ref().is_some_and(|r| r.name == name)).and_then(Option::take);
    for (name, bytes) in files {
        let name = name.replace('\\', "/");
        let mut report = match take(&name) {
            Some(r) => r,
            None => crate::file::inspect(&name, bytes, options),
        };
        let mut inner = Vec::new();
        if report.kind == FileKind::Zip {
            let mut findings = Vec::new();
            inner = expand_zip(&name, bytes, &mut findings);
            // A report made by an earlier package pass already holds these findings.
            add_new(&mut report.findings, findings);
        }
        items.push(Item::new(name, Cow::Borrowed(*bytes), report));
        for (inner_name, inner_bytes) in inner {
            let mut r = match take(&inner_name) {
                Some(r) => r,
                None => crate::file::inspect(&inner_name, &inner_bytes, options),
            };
            if r.kind == FileKind::Zip {
                let nested = Finding::new(
                    checks::ZIP_NESTED.id,
                    Outcome::Warn,
                    "a zip inside a zip is not expanded (nesting depth 1): unpack it and inspect its files.",
                );
                add_new(&mut r.findings, vec![nested]);
            }
            items.push(Item::new(inner_name, Cow::Owned(inner_bytes), r));
        }
    }
    let packages = build_packages(&items);
    InspectionReport { made_by: None, files: items.into_iter().map(|i| i.report).collect(), packages }
}

/// Appends the findings `findings` does not hold yet.
fn add_new(findings: &mut Vec<Finding>, new: Vec<Finding>) {
    for f in new {
        if !findings.contains(&f) {
            findings.push(f);
        }
    }
}

/// One file of the drop with its report.
struct Item<'a> {
    name: String,
    bytes: Cow<'a, [u8]>,
    report: FileReport,
    /// Lowercase base name (after the last `/`).
    base: String,
    /// Directory part (before the last `/`), `""` at the top.
    dir: String,
}

impl<'a> Item<'a> {
    fn new(name: String, bytes: Cow<'a, [u8]>, report: FileReport) -> Self {
        let (dir, base) = match name.rsplit_once('/') {
            Some((d, b)) => (d.to_string(), b.to_ascii_lowercase()),
            None => (String::new(), name.to_ascii_lowercase()),
        };
        Item { name, bytes, report, base, dir }
    }

    fn is_inf(&self) -> bool {
        self.report.inf.is_some()
    }

    fn is_catalog(&self) -> bool {
        self.report.catalog.is_some()
    }

    /// A file that can be a package member (not an INF, catalog or zip container).
    fn is_payload(&self) -> bool {
        !self.is_inf() && !self.is_catalog() && self.report.kind != FileKind::Zip
    }

    /// Under `dir` (any depth), or `dir` itself.
    fn is_under(&self, dir: &str) -> bool {
        dir.is_empty() || self.dir == dir || self.dir.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
    }
}

// ---------------------------------------------------------------------------------------------
// Zip

/// The files of a zip archive, within the caps; every refusal is a finding on the zip's report.
fn expand_zip(name: &str, bytes: &[u8], findings: &mut Vec<Finding>) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => {
            findings.push(Finding::new(
                checks::ZIP_OPEN.id,
                Outcome::Fail,
                format!("the zip archive could not be read ({e}); its entries were not inspected."),
            ));
            return out;
        }
    };
    let count = archive.len();
    if count > MAX_ZIP_ENTRIES {
        findings.push(Finding::new(
            checks::ZIP_ENTRIES.id,
            Outcome::Fail,
            format!("the archive holds {count} entries; only the first {MAX_ZIP_ENTRIES} were inspected (cap on the entry count)."),
        ));
    }
    let mut total: u64 = 0;
    for index in 0..count.min(MAX_ZIP_ENTRIES) {
        let mut entry = match archive.by_index(index) {
            Ok(e) => e,
            Err(e) => {
                findings.push(Finding::new(
                    checks::ZIP_ENTRY.id,
                    Outcome::Fail,
                    format!("entry #{index} could not be read ({e}); it was skipped."),
                ));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let inner = entry.name().replace('\\', "/");
        let inner = inner.trim_start_matches('/');
        let at = entry.header_start();
        let compressed = entry.compressed_size();
        let declared = entry.size();
        let ratio_limit = compressed.saturating_mul(MAX_ZIP_RATIO).max(ZIP_RATIO_FLOOR_BYTES);
        if declared > ratio_limit {
            findings.push(bomb(inner, declared, compressed).at(at));
            continue;
        }
        let remaining = MAX_ZIP_TOTAL_BYTES.saturating_sub(total);
        if declared > remaining {
            findings.push(too_big(inner).at(at));
            break;
        }
        // The declared size can lie: read at most one byte past the limit to see whether it does.
        let limit = ratio_limit.min(remaining);
        let mut data = Vec::new();
        if let Err(e) = (&mut entry).take(limit.saturating_add(1)).read_to_end(&mut data) {
            findings.push(
                Finding::new(checks::ZIP_ENTRY.id, Outcome::Fail, format!("{inner}: could not be decompressed ({e}); it was skipped."))
                    .at(at),
            );
            continue;
        }
        let size = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if size > limit {
            if limit == remaining {
                findings.push(too_big(inner).at(at));
                break;
            }
            findings.push(bomb(inner, size, compressed).at(at));
            continue;
        }
        total = total.saturating_add(size);
        out.push((format!("{name}/{inner}"), data));
    }
    out
}

/// The bytes of one zip entry, `inner` named as [`inspect_package`] names it after
/// `archive.zip/` (`/`-separated, no leading `/`), read within the same caps (entry count,
/// expansion ratio, total size); `None` when it is absent or refused. For front ends that show one
/// member again (the page's ASN.1 view, its package pass) without expanding the whole archive.
pub fn zip_member(bytes: &[u8], inner: &str) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    for index in 0..archive.len().min(MAX_ZIP_ENTRIES) {
        let Ok(mut entry) = archive.by_index(index) else { continue };
        if entry.is_dir() || entry.name().replace('\\', "/").trim_start_matches('/') != inner {
            continue;
        }
        let limit = entry.compressed_size().saturating_mul(MAX_ZIP_RATIO).clamp(ZIP_RATIO_FLOOR_BYTES, MAX_ZIP_TOTAL_BYTES);
        let mut data = Vec::new();
        (&mut entry).take(limit.saturating_add(1)).read_to_end(&mut data).ok()?;
        return (u64::try_from(data.len()).unwrap_or(u64::MAX) <= limit).then_some(data);
    }
    None
}

fn bomb(inner: &str, size: u64, compressed: u64) -> Finding {
    Finding::new(
        checks::ZIP_RATIO.id,
        Outcome::Fail,
        format!(
            "{inner}: expands to {size}+ bytes from {compressed} compressed bytes, more than {MAX_ZIP_RATIO} times (zip bomb cap); it was not inspected."
        ),
    )
}

fn too_big(inner: &str) -> Finding {
    Finding::new(
        checks::ZIP_TOTAL_SIZE.id,
        Outcome::Fail,
        format!("{inner}: the archive expands to more than {MAX_ZIP_TOTAL_BYTES} bytes in all (size cap); this and later entries were not inspected."),
    )
}

// ---------------------------------------------------------------------------------------------
// Catalog members as the matcher sees them

struct Member<'r> {
    report: &'r CatalogMemberReport,
    alg: Option<DigestAlgorithm>,
    /// SPC_INDIRECT_DATA digest, lowercase.
    digest: Option<String>,
    /// The tag when it is the uppercase hex of a digest (hash tag, or text tag of hex digits).
    tag_hex: Option<String>,
    /// `File` attribute, lowercase.
    file: Option<String>,
}

fn algorithm_named(name: &str) -> Option<DigestAlgorithm> {
    crate::digest::ALL.into_iter().find(|a| a.name() == name)
}

fn members<'r>(catalog: &'r crate::report::CatalogReport) -> Vec<Member<'r>> {
    let default = algorithm_named(&catalog.subject_algorithm);
    catalog
        .members
        .iter()
        .map(|m| {
            let tag_hex = (m.tag.len() % 2 == 0 && !m.tag.is_empty() && m.tag.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| m.tag.to_ascii_uppercase());
            let by_len = tag_hex.as_ref().and_then(|t| match t.len() {
                40 => Some(DigestAlgorithm::Sha1),
                64 => Some(DigestAlgorithm::Sha256),
                _ => None,
            });
            let alg = m.digest_algorithm.as_deref().and_then(algorithm_named).or(by_len).or(default);
            let file = m.attributes.iter().find(|a| a.name.eq_ignore_ascii_case("File")).map(|a| a.value.trim().to_ascii_lowercase());
            Member { report: m, alg, digest: m.digest.as_ref().map(|d| d.to_ascii_lowercase()), tag_hex, file }
        })
        .collect()
}

fn member_match(m: &Member<'_>, matched_by: MemberMatchedBy) -> MemberMatch {
    MemberMatch {
        tag: m.report.tag.clone(),
        algorithm: m.alg.map(|a| a.name().to_string()).unwrap_or_default(),
        digest: m.digest.clone(),
        matched_by,
        file: m.report.attributes.iter().find(|a| a.name.eq_ignore_ascii_case("File")).map(|a| a.value.clone()),
        offset: m.report.offset,
    }
}

// ---------------------------------------------------------------------------------------------
// Digests, computed once per file and algorithm

/// (item index, algorithm) -> lowercase hex digest, or the reason it could not be computed.
type Digests = BTreeMap<(usize, DigestAlgorithm), Result<String, String>>;

fn compute_digests(items: &[Item<'_>], needed: &BTreeMap<usize, BTreeSet<DigestAlgorithm>>) -> Digests {
    let mut out = Digests::new();
    for (&index, algs) in needed {
        let Some(item) = items.get(index) else { continue };
        let mut todo: Vec<DigestAlgorithm> = Vec::new();
        for &alg in algs {
            // Reuse what `inspect` already hashed: the whole-file SHA-256, and the Authenticode
            // digest of every embedded signature's algorithm.
            let known = match HashKind::of(item.report.kind) {
                HashKind::Flat => (alg == DigestAlgorithm::Sha256).then(|| item.report.sha256.clone()),
                HashKind::Authenticode => item
                    .report
                    .signatures
                    .iter()
                    .find(|s| s.digest_algorithm == alg.name() && !s.computed_digest.is_empty())
                    .map(|s| s.computed_digest.to_ascii_lowercase()),
            };
            match known {
                Some(d) => {
                    out.insert((index, alg), Ok(d));
                }
                None => todo.push(alg),
            }
        }
        if todo.is_empty() {
            continue;
        }
        match HashKind::of(item.report.kind) {
            HashKind::Authenticode => match crate::pe::authenticode_digests(&item.bytes, &todo) {
                Ok(digests) => {
                    for (alg, d) in todo.iter().zip(digests) {
                        out.insert((index, *alg), Ok(hex::encode(&d)));
                    }
                }
                Err(e) => {
                    for alg in &todo {
                        out.insert((index, *alg), Err(format!("the Authenticode hash could not be computed ({e})")));
                    }
                }
            },
            HashKind::Flat => {
                // One pass over the bytes for every algorithm still needed.
                let mut hashers: Vec<_> = todo.iter().map(|a| a.hasher()).collect();
                for chunk in item.bytes.chunks(64 * 1024) {
                    for h in &mut hashers {
                        h.update(chunk);
                    }
                }
                for (alg, h) in todo.iter().zip(hashers) {
                    out.insert((index, *alg), Ok(hex::encode(&h.finalize())));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Grouping

/// A package before it is matched: its INF (if any), catalog slots and files.
struct Draft {
    inf: Option<usize>,
    /// (name as the INF gives it, decorations, item index when found)
    catalogs: Vec<(String, Vec<String>, Option<usize>)>,
    files: BTreeSet<usize>,
    missing_files: Vec<MissingFile>,
    /// Catalogs whose unmatched members are listed (loose packages skip catalogs an INF claimed).
    list_missing_members: BTreeSet<usize>,
}

fn base_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// The item named `name` (case-insensitive base name): in `dir` first, then anywhere.
fn find_by_name(items: &[Item<'_>], name: &str, dir: &str, want: impl Fn(&Item<'_>) -> bool) -> Option<usize> {
    let lower = base_name(name).to_ascii_lowercase();
    let candidates = || items.iter().enumerate().filter(|(_, i)| i.base == lower && want(i));
    candidates().find(|(_, i)| i.dir == dir).or_else(|| candidates().next()).map(|(n, _)| n)
}

fn build_packages(items: &[Item<'_>]) -> Vec<PackageReport> {
    let mut drafts: Vec<Draft> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| item.report.inf.as_ref().map(|inf| inf_draft(items, index, item, inf)))
        .collect();
    let catalog_items: Vec<usize> = items.iter().enumerate().filter(|(_, i)| i.is_catalog()).map(|(n, _)| n).collect();
    let digests = compute_digests(items, &needed_digests(items, &catalog_items));
    for draft in &mut drafts {
        claim_listed_files(items, draft, &digests);
    }
    if let Some(loose) = loose_draft(items, &drafts, &catalog_items) {
        drafts.push(loose);
    }
    drafts.iter().map(|d| package_report(items, d, &digests)).collect()
}

/// An INF's package before matching: its catalogs (CatalogFile, every decoration; one slot per
/// distinct file name) and the files its [SourceDisksFiles*] name (under the INF's directory,
/// else anywhere), with what it names and the drop lacks.
fn inf_draft(items: &[Item<'_>], index: usize, item: &Item<'_>, inf: &crate::report::InfReport) -> Draft {
    let mut draft = Draft {
        inf: Some(index),
        catalogs: Vec::new(),
        files: BTreeSet::from([index]),
        missing_files: Vec::new(),
        list_missing_members: BTreeSet::new(),
    };
    // CatalogFile, every decoration; one slot per distinct file name.
    for cf in &inf.catalog_files {
        let file = cf.file.trim();
        if file.is_empty() {
            continue;
        }
        if let Some(slot) = draft.catalogs.iter_mut().find(|c| c.0.eq_ignore_ascii_case(file)) {
            slot.1.push(cf.decoration.clone());
            continue;
        }
        let found = find_by_name(items, file, &item.dir, |_| true);
        if found.is_none() {
            draft.missing_files.push(MissingFile {
                name: file.to_string(),
                referenced_as: ReferencedAs::Catalog,
                section: "Version".into(),
                line: cf.line,
            });
        }
        if let Some(f) = found {
            draft.list_missing_members.insert(f);
        }
        draft.catalogs.push((file.to_string(), vec![cf.decoration.clone()], found));
    }
    // [SourceDisksFiles*]: every file of that name under the INF's directory, else anywhere.
    let mut seen = BTreeSet::new();
    for sf in &inf.source_files {
        let lower = base_name(&sf.file).to_ascii_lowercase();
        if lower.is_empty() || !seen.insert(lower.clone()) {
            continue;
        }
        let named: Vec<usize> = items.iter().enumerate().filter(|(_, i)| i.base == lower && i.is_payload()).map(|(n, _)| n).collect();
        let near: Vec<usize> = named.iter().copied().filter(|&n| items.get(n).is_some_and(|i| i.is_under(&item.dir))).collect();
        let chosen = if near.is_empty() { named } else { near };
        if chosen.is_empty() {
            let section =
                if sf.decoration.is_empty() { "SourceDisksFiles".to_string() } else { format!("SourceDisksFiles.{}", sf.decoration) };
            draft.missing_files.push(MissingFile { name: sf.file.clone(), referenced_as: ReferencedAs::Source, section, line: sf.line });
        }
        draft.files.extend(chosen);
    }
    draft
}

/// Which digests each file needs: every algorithm any catalog of the drop uses, for every payload
/// and INF (a catalog may list any of them).
fn needed_digests(items: &[Item<'_>], catalog_items: &[usize]) -> BTreeMap<usize, BTreeSet<DigestAlgorithm>> {
    let algs_of = |cat: usize| -> BTreeSet<DigestAlgorithm> {
        items
            .get(cat)
            .and_then(|i| i.report.catalog.as_ref())
            .map(|c| members(c).iter().filter_map(|m| m.alg).collect())
            .unwrap_or_default()
    };
    let mut needed: BTreeMap<usize, BTreeSet<DigestAlgorithm>> = BTreeMap::new();
    let all_algs: BTreeSet<DigestAlgorithm> = catalog_items.iter().flat_map(|&c| algs_of(c)).collect();
    for (index, item) in items.iter().enumerate() {
        if item.is_payload() || item.is_inf() {
            needed.entry(index).or_default().extend(all_algs.iter().copied());
        }
    }
    needed
}

/// Adds to a package the files its catalogs list (by digest anywhere, by name under the INF's
/// directory); each catalog's members are read once per package, not once per file.
fn claim_listed_files(items: &[Item<'_>], draft: &mut Draft, digests: &Digests) {
    let inf_dir = draft.inf.and_then(|i| items.get(i)).map(|i| i.dir.clone()).unwrap_or_default();
    let lists: Vec<Vec<Member<'_>>> = draft
        .catalogs
        .iter()
        .filter_map(|c| c.2)
        .filter_map(|c| items.get(c).and_then(|ci| ci.report.catalog.as_ref()))
        .map(members)
        .collect();
    for (index, item) in items.iter().enumerate() {
        if !item.is_payload() || draft.files.contains(&index) {
            continue;
        }
        let near = item.is_under(&inf_dir);
        let listed =
            lists.iter().flatten().any(|m| digest_matches(m, index, digests) || (near && m.file.as_deref() == Some(item.base.as_str())));
        if listed {
            draft.files.insert(index);
        }
    }
}

/// The loose package: files no INF claims, against every catalog of the drop (none when the drop
/// has no catalog, or nothing is left over).
fn loose_draft(items: &[Item<'_>], drafts: &[Draft], catalog_items: &[usize]) -> Option<Draft> {
    let claimed: BTreeSet<usize> =
        drafts.iter().flat_map(|d| d.files.iter().copied().chain(d.catalogs.iter().filter_map(|c| c.2))).collect();
    let loose: BTreeSet<usize> = items.iter().enumerate().filter(|(n, i)| i.is_payload() && !claimed.contains(n)).map(|(n, _)| n).collect();
    let unclaimed_catalogs: BTreeSet<usize> = catalog_items.iter().copied().filter(|c| !claimed.contains(c)).collect();
    if catalog_items.is_empty() || (loose.is_empty() && unclaimed_catalogs.is_empty()) {
        return None;
    }
    Some(Draft {
        inf: None,
        catalogs: catalog_items
            .iter()
            .map(|&c| (items.get(c).map(|i| base_name(&i.name).to_string()).unwrap_or_default(), Vec::new(), Some(c)))
            .collect(),
        files: loose,
        missing_files: Vec::new(),
        list_missing_members: unclaimed_catalogs,
    })
}

fn digest_matches(m: &Member<'_>, index: usize, digests: &Digests) -> bool {
    let Some(alg) = m.alg else { return false };
    let Some(Ok(d)) = digests.get(&(index, alg)) else { return false };
    match (&m.digest, &m.tag_hex) {
        (Some(md), _) => md == d,
        (None, Some(tag)) => tag.eq_ignore_ascii_case(d),
        (None, None) => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Matching

fn catalog_signature(report: &FileReport) -> (Outcome, Option<String>) {
    let Some(sig) = report.signatures.iter().find(|s| s.depth == 0) else {
        return (Outcome::Fail, None);
    };
    let signer = sig.signer.as_ref().map(|c| c.subject.clone());
    let failed = sig.signature_verdict == Outcome::Fail || sig.findings.iter().any(|f| f.outcome == Outcome::Fail);
    let outcome = if failed {
        Outcome::Fail
    } else if sig.signature_verdict == Outcome::Pass {
        Outcome::Pass
    } else {
        Outcome::Warn
    };
    (outcome, signer)
}

fn embedded_summary(report: &FileReport) -> EmbeddedSummary {
    let sigs = &report.signatures;
    if !report.kind.is_pe() || sigs.is_empty() {
        return EmbeddedSummary { count: 0, verdict: Outcome::NotPresent, signers: Vec::new() };
    }
    let failed = sigs.iter().any(|s| s.digest_verdict == Outcome::Fail || s.signature_verdict == Outcome::Fail);
    let passed = sigs.iter().all(|s| s.digest_verdict == Outcome::Pass && s.signature_verdict == Outcome::Pass);
    EmbeddedSummary {
        count: u32::try_from(sigs.len()).unwrap_or(u32::MAX),
        verdict: if failed {
            Outcome::Fail
        } else if passed {
            Outcome::Pass
        } else {
            Outcome::Warn
        },
        signers: sigs.iter().filter_map(|s| s.signer.as_ref().map(|c| c.subject.clone())).collect(),
    }
}

/// One file against one catalog.
struct CatalogMatch {
    status: CoverageStatus,
    members: Vec<MemberMatch>,
    named: Vec<MemberMatch>,
    reason: String,
    /// Tags of members matched by digest (so they are not "missing").
    matched_offsets: Vec<u64>,
}

fn match_file(item_index: usize, item: &Item<'_>, catalog_name: &str, cat: &FileReport, digests: &Digests) -> CatalogMatch {
    let Some(catalog) = &cat.catalog else {
        return CatalogMatch {
            status: CoverageStatus::NotInCatalog,
            members: Vec::new(),
            named: Vec::new(),
            reason: format!("{catalog_name} could not be read as a catalog."),
            matched_offsets: Vec::new(),
        };
    };
    let ms = members(catalog);
    let hits: Vec<&Member<'_>> = ms.iter().filter(|m| digest_matches(m, item_index, digests)).collect();
    let named: Vec<&Member<'_>> = ms.iter().filter(|m| m.file.as_deref() == Some(item.base.as_str())).collect();
    let matched_offsets = hits.iter().map(|m| m.report.offset).collect();
    if !hits.is_empty() {
        // A member found by its SPC digest whose hex tag names another digest: the catalog was altered
        // (Windows looks members up by tag).
        let bad_tag: Vec<&&Member<'_>> = hits
            .iter()
            .filter(|m| {
                m.digest.is_some() && m.tag_hex.as_ref().is_some_and(|t| !t.eq_ignore_ascii_case(m.digest.as_deref().unwrap_or("")))
            })
            .collect();
        let members: Vec<MemberMatch> =
            hits.iter().map(|m| member_match(m, if m.digest.is_some() { MemberMatchedBy::Digest } else { MemberMatchedBy::Tag })).collect();
        if bad_tag.len() == hits.len() {
            let first = bad_tag.first().map(|m| (m.report.tag.clone(), m.digest.clone().unwrap_or_default())).unwrap_or_default();
            return CatalogMatch {
                status: CoverageStatus::Mismatch,
                members,
                named: Vec::new(),
                reason: format!(
                    "{catalog_name} holds this file's digest {} but under the tag {}, which is not that digest: the member was altered, and Windows (which looks members up by tag) will not find it.",
                    first.1, first.0
                ),
                matched_offsets,
            };
        }
        let (sig, _) = catalog_signature(cat);
        if sig == Outcome::Fail {
            return CatalogMatch {
                status: CoverageStatus::CatalogUnverified,
                members,
                named: Vec::new(),
                reason: format!(
                    "the digest is a member of {catalog_name}, but the catalog's own signature does not verify (or it is unsigned)."
                ),
                matched_offsets,
            };
        }
        let algs: Vec<String> =
            hits.iter().filter_map(|m| m.alg.map(|a| a.name().to_string())).collect::<BTreeSet<_>>().into_iter().collect();
        return CatalogMatch {
            status: CoverageStatus::Covered,
            members,
            named: Vec::new(),
            reason: format!("the {} {} hash is a member of {catalog_name}.", algs.join(" and "), HashKind::of(item.report.kind).name()),
            matched_offsets,
        };
    }
    if !named.is_empty() {
        let failed: Vec<String> = named
            .iter()
            .filter_map(|m| m.alg)
            .filter_map(|a| match digests.get(&(item_index, a)) {
                Some(Err(e)) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let reason = match failed.first() {
            Some(e) => format!("{catalog_name} lists a file of this name, and {e}."),
            None => format!(
                "{catalog_name} lists a file of this name with another digest: the file was modified after the catalog was made, or it is another version."
            ),
        };
        return CatalogMatch {
            status: CoverageStatus::Mismatch,
            members: Vec::new(),
            named: named.iter().map(|m| member_match(m, MemberMatchedBy::Name)).collect(),
            reason,
            matched_offsets,
        };
    }
    CatalogMatch {
        status: CoverageStatus::NotInCatalog,
        members: Vec::new(),
        named: Vec::new(),
        reason: format!("neither the digest nor the name of this file is in {catalog_name}."),
        matched_offsets,
    }
}

fn rank(s: CoverageStatus) -> u8 {
    match s {
        CoverageStatus::Covered => 0,
        CoverageStatus::CatalogUnverified => 1,
        CoverageStatus::Mismatch => 2,
        CoverageStatus::NotInCatalog => 3,
    }
}

fn package_report(items: &[Item<'_>], draft: &Draft, digests: &Digests) -> PackageReport {
    let inf_item = draft.inf.and_then(|i| items.get(i));
    let inf = inf_item.and_then(|i| i.report.inf.as_ref());
    let mut findings = Vec::new();
    let catalogs = package_catalogs(items, draft, &mut findings);
    let facts = InfFacts::of(inf);
    let mut matches = Matches::default();
    let mut coverage = Vec::new();
    for &index in &draft.files {
        let Some(item) = items.get(index) else { continue };
        coverage.push(coverage_row(items, draft, digests, &facts, index, item, &mut matches, &mut findings));
    }
    let missing_members = missing_members(items, draft, &matches);
    let hwids = inf.and_then(|inf| hwid_comparison(items, draft, inf, &mut findings));
    if draft.inf.is_some() && draft.catalogs.is_empty() {
        findings.push(Finding::new(
            checks::PACKAGE_CATALOG_NONE.id,
            Outcome::Fail,
            "the INF names no catalog (CatalogFile=): a PnP package without a catalog is unsigned.",
        ));
    }
    let verdict = package_verdict(&coverage, &findings, draft, &missing_members);
    PackageReport {
        kind: if draft.inf.is_some() { PackageKind::Inf } else { PackageKind::Loose },
        inf: inf_item.map(|i| i.name.clone()),
        catalogs,
        coverage,
        missing_members,
        missing_files: draft.missing_files.clone(),
        hwids,
        findings,
        verdict,
    }
}

/// The package's catalogs (found or missing), with a finding for each that does not verify or is
/// not a readable catalog.
fn package_catalogs(items: &[Item<'_>], draft: &Draft, findings: &mut Vec<Finding>) -> Vec<PackageCatalog> {
    let catalogs: Vec<PackageCatalog> = draft
        .catalogs
        .iter()
        .map(|(name, decorations, found)| {
            let item = found.and_then(|f| items.get(f));
            let cat = item.and_then(|i| i.report.catalog.as_ref());
            let (signature, signer) = item.map(|i| catalog_signature(&i.report)).unwrap_or((Outcome::NotPresent, None));
            PackageCatalog {
                name: name.clone(),
                decorations: decorations.clone(),
                path: item.map(|i| i.name.clone()),
                subject_algorithm: cat.map(|c| c.subject_algorithm.clone()).unwrap_or_default(),
                member_count: cat.map(|c| c.member_count).unwrap_or(0),
                signature,
                signer,
            }
        })
        .collect();
    for c in &catalogs {
        if let Some(path) = &c.path {
            if c.signature == Outcome::Fail {
                findings.push(Finding::new(
                    checks::PACKAGE_CATALOG_SIGNATURE.id,
                    Outcome::Fail,
                    format!("the signature of {path} does not verify (or it is unsigned): no file is trusted through it."),
                ));
            }
            if items.iter().any(|i| i.name == *path && !i.is_catalog()) {
                findings.push(Finding::new(
                    checks::PACKAGE_CATALOG_UNREADABLE.id,
                    Outcome::Fail,
                    format!("{path} is not a readable catalog."),
                ));
            }
        }
    }
    catalogs
}

/// What the INF says about the package's files: the names it references and its service binaries
/// with their StartType (lowercase base names).
#[derive(Default)]
struct InfFacts {
    referenced: BTreeSet<String>,
    services: Vec<(String, Option<u32>)>,
}

impl InfFacts {
    fn of(inf: Option<&InfReport>) -> Self {
        let Some(inf) = inf else { return InfFacts::default() };
        InfFacts {
            referenced: inf.source_files.iter().map(|s| base_name(&s.file).to_ascii_lowercase()).collect(),
            services: inf
                .services
                .iter()
                .filter_map(|s| s.service_binary.as_deref().map(|b| (base_name(b).to_ascii_lowercase(), s.start_type)))
                .collect(),
        }
    }

    fn is_service(&self, base: &str) -> bool {
        self.services.iter().any(|(b, _)| b == base)
    }

    fn is_boot_start(&self, base: &str) -> bool {
        self.services.iter().any(|(b, t)| b == base && *t == Some(0))
    }

    /// What the file is to an INF package (`has_inf`), or `Loose` without one.
    fn role(&self, has_inf: bool, item: &Item<'_>) -> Role {
        if !has_inf {
            Role::Loose
        } else if item.is_inf() {
            Role::Inf
        } else if self.is_service(&item.base) {
            Role::Driver
        } else if self.referenced.contains(&item.base) {
            Role::Referenced
        } else {
            Role::Extra
        }
    }
}

/// What the coverage rows matched so far: (catalog item, member offset) pairs, and the best status
/// per file base name (for the notes of missing members).
#[derive(Default)]
struct Matches {
    members: BTreeSet<(usize, u64)>,
    names: BTreeMap<String, CoverageStatus>,
}

/// One file's coverage row: the best match over the package's catalogs, its outcome, what Windows
/// uses, and (for kernel drivers) the policy's verdicts with the covering catalogs.
#[allow(clippy::too_many_arguments)]
fn coverage_row(
    items: &[Item<'_>],
    draft: &Draft,
    digests: &Digests,
    facts: &InfFacts,
    index: usize,
    item: &Item<'_>,
    matches: &mut Matches,
    findings: &mut Vec<Finding>,
) -> CoverageRow {
    let role = facts.role(draft.inf.is_some(), item);
    let boot_start = facts.is_boot_start(&item.base);
    let (catalog, m, covering) = best_match(items, draft, digests, index, item, &mut matches.members);
    let embedded = embedded_summary(&item.report);
    let outcome = match m.status {
        CoverageStatus::Covered => Outcome::Pass,
        CoverageStatus::CatalogUnverified | CoverageStatus::Mismatch => Outcome::Fail,
        CoverageStatus::NotInCatalog => match role {
            _ if role.is_referenced_by_inf() => Outcome::Fail,
            _ if embedded.verdict == Outcome::Pass => Outcome::NotPresent,
            _ => Outcome::Warn,
        },
    };
    let windows_uses = windows_uses(role, &catalog, m.status, &embedded, boot_start);
    if boot_start && embedded.count == 0 {
        findings.push(Finding::new(
            checks::PACKAGE_BOOT_START_EMBEDDED.id,
            Outcome::Warn,
            format!(
                "{} is a boot-start driver (StartType 0) without an embedded signature: Windows Vista and 7 x64 require one at boot; newer Windows accept the catalog.",
                item.name
            ),
        ));
    }
    matches
        .names
        .entry(item.base.clone())
        .and_modify(|s| {
            if rank(m.status) < rank(*s) {
                *s = m.status;
            }
        })
        .or_insert(m.status);
    let started_by_inf = facts.is_service(&item.base).then_some(boot_start);
    let verdicts = file_verdicts(items, item, &covering, started_by_inf);
    CoverageRow {
        file: item.name.clone(),
        kind: item.report.kind,
        role,
        catalog,
        status: m.status,
        outcome,
        hash_kind: HashKind::of(item.report.kind),
        digests: file_digests(index, digests),
        members: m.members,
        named_members: m.named,
        reason: m.reason,
        embedded,
        windows_uses,
        verdicts,
    }
}

/// The best match of one file over the package's catalogs (its catalog's path, empty without one),
/// and the catalogs that cover it; records the members it matched.
fn best_match(
    items: &[Item<'_>],
    draft: &Draft,
    digests: &Digests,
    index: usize,
    item: &Item<'_>,
    matched: &mut BTreeSet<(usize, u64)>,
) -> (String, CatalogMatch, Vec<usize>) {
    let mut best: Option<(String, CatalogMatch)> = None;
    let mut covering: Vec<usize> = Vec::new();
    for (_, _, found) in &draft.catalogs {
        let Some(cat_index) = *found else { continue };
        let Some(cat_item) = items.get(cat_index) else { continue };
        let m = match_file(index, item, &cat_item.name, &cat_item.report, digests);
        if m.status == CoverageStatus::Covered {
            covering.push(cat_index);
        }
        for off in &m.matched_offsets {
            matched.insert((cat_index, *off));
        }
        if best.as_ref().is_none_or(|(_, b)| rank(m.status) < rank(b.status)) {
            best = Some((cat_item.name.clone(), m));
        }
    }
    let (catalog, m) = best.unwrap_or_else(|| {
        (
            String::new(),
            CatalogMatch {
                status: CoverageStatus::NotInCatalog,
                members: Vec::new(),
                named: Vec::new(),
                reason: "the package has no catalog in the drop.".to_string(),
                matched_offsets: Vec::new(),
            },
        )
    });
    (catalog, m, covering)
}

/// The file's digests with every algorithm computed for it.
fn file_digests(index: usize, digests: &Digests) -> Vec<AlgorithmDigest> {
    let algs: BTreeSet<DigestAlgorithm> = digests.keys().filter(|(i, _)| *i == index).map(|(_, a)| *a).collect();
    algs.iter()
        .filter_map(|a| match digests.get(&(index, *a)) {
            Some(Ok(d)) => Some(AlgorithmDigest { algorithm: a.name().to_string(), digest: d.clone() }),
            _ => None,
        })
        .collect()
}

/// Would Windows load it? For kernel drivers, the policy weighs the embedded signatures and every
/// catalog of the package that covers the file, with the INF's StartType (`started_by_inf`: whether
/// it is boot-start, when an INF service starts it). Empty for other files.
fn file_verdicts(items: &[Item<'_>], item: &Item<'_>, covering: &[usize], started_by_inf: Option<bool>) -> Vec<TargetVerdict> {
    let Some(pe) = item.report.pe.as_ref().filter(|pe| crate::policy::is_kernel_driver(&item.name, pe)) else {
        return Vec::new();
    };
    let catalogs = covering
        .iter()
        .filter_map(|&i| items.get(i))
        .map(|c| crate::policy::CatalogCover {
            name: base_name(&c.name).to_string(),
            signatures: &c.report.signatures,
            os_attr_windows: c.report.catalog.as_ref().map(|r| r.os_attr_windows.clone()).unwrap_or_default(),
            member_algorithm: c.report.catalog.as_ref().map(|r| r.subject_algorithm.clone()),
        })
        .collect();
    crate::policy::evaluate(&crate::policy::PolicyInput {
        embedded: &item.report.signatures,
        catalogs,
        catalogs_considered: true,
        boot_start: started_by_inf,
        kernel_driver: true,
        pe: Some(pe),
        blocklist: item.report.blocklist.as_ref(),
    })
}

/// The members of the listed catalogs that no file matched, each with a note on why.
fn missing_members(items: &[Item<'_>], draft: &Draft, matches: &Matches) -> Vec<MissingMember> {
    let mut missing = Vec::new();
    for &cat_index in &draft.list_missing_members {
        let Some(cat_item) = items.get(cat_index) else { continue };
        let Some(catalog) = &cat_item.report.catalog else { continue };
        for m in members(catalog) {
            if matches.members.contains(&(cat_index, m.report.offset)) {
                continue;
            }
            let note = match m.file.as_deref().and_then(|f| matches.names.get(f)) {
                Some(CoverageStatus::Covered) | Some(CoverageStatus::CatalogUnverified) => {
                    "a file of this name is present and matches another member: this one is a variant (another architecture or hash algorithm) that is not in the drop.".to_string()
                }
                Some(_) => "a file of this name is present but its digest differs (see its coverage row).".to_string(),
                None => "no file of the drop has this digest or name.".to_string(),
            };
            missing.push(MissingMember {
                catalog: cat_item.name.clone(),
                tag: m.report.tag.clone(),
                algorithm: m.alg.map(|a| a.name().to_string()).unwrap_or_default(),
                file: m.report.attributes.iter().find(|a| a.name.eq_ignore_ascii_case("File")).map(|a| a.value.clone()),
                data_type: m.report.data_type.clone(),
                note,
            });
        }
    }
    missing
}

/// The first present catalog that lists HWIDs, against the INF's models (a finding when the INF
/// has IDs the catalog lacks); `None` when no catalog lists any.
fn hwid_comparison(items: &[Item<'_>], draft: &Draft, inf: &InfReport, findings: &mut Vec<Finding>) -> Option<HwidComparison> {
    let cat_item = draft
        .catalogs
        .iter()
        .filter_map(|c| c.2)
        .filter_map(|c| items.get(c))
        .find(|i| i.report.catalog.as_ref().is_some_and(|c| !c.hwids.is_empty()))?;
    let cat_ids: Vec<String> = cat_item.report.catalog.as_ref().map(|c| c.hwids.clone()).unwrap_or_default();
    let mut inf_ids: Vec<String> = Vec::new();
    for model in &inf.models {
        for id in &model.hardware_ids {
            if !inf_ids.iter().any(|x| x.eq_ignore_ascii_case(id)) {
                inf_ids.push(id.clone());
            }
        }
    }
    let contains = |list: &[String], id: &str| list.iter().any(|x| x.eq_ignore_ascii_case(id));
    let comparison = HwidComparison {
        catalog: cat_item.name.clone(),
        in_both: cat_ids.iter().filter(|id| contains(&inf_ids, id)).cloned().collect(),
        only_in_catalog: cat_ids.iter().filter(|id| !contains(&inf_ids, id)).cloned().collect(),
        only_in_inf: inf_ids.iter().filter(|id| !contains(&cat_ids, id)).cloned().collect(),
    };
    if !comparison.only_in_inf.is_empty() {
        findings.push(Finding::new(
            checks::PACKAGE_HWID_NOT_IN_CATALOG.id,
            Outcome::Warn,
            format!(
                "{} hardware ID(s) of the INF's models are not among the catalog's HWID attributes (e.g. {}): the INF may have been edited after the catalog was made.",
                comparison.only_in_inf.len(),
                comparison.only_in_inf.first().map(String::as_str).unwrap_or("")
            ),
        ));
    }
    Some(comparison)
}

/// Fail when a row or a finding fails or a referenced file is missing; Warn for a warning row or
/// finding and for missing members; else Pass.
fn package_verdict(coverage: &[CoverageRow], findings: &[Finding], draft: &Draft, missing_members: &[MissingMember]) -> Outcome {
    let worst = |a: Outcome, b: Outcome| -> Outcome {
        let score = |o: Outcome| match o {
            Outcome::Fail => 2,
            Outcome::Warn => 1,
            _ => 0,
        };
        if score(b) > score(a) {
            b
        } else {
            a
        }
    };
    let mut verdict = Outcome::Pass;
    for row in coverage {
        verdict = worst(verdict, row.outcome);
    }
    for f in findings {
        verdict = worst(verdict, f.outcome);
    }
    if !draft.missing_files.is_empty() {
        verdict = Outcome::Fail;
    }
    if !missing_members.is_empty() {
        verdict = worst(verdict, Outcome::Warn);
    }
    verdict
}

/// Which signature Windows uses for what (DOMAIN.md "Would Windows load it?").
fn windows_uses(role: Role, catalog: &str, status: CoverageStatus, embedded: &EmbeddedSummary, boot_start: bool) -> Vec<String> {
    let mut out = Vec::new();
    let catalog = base_name(catalog);
    let covered = status == CoverageStatus::Covered;
    let has_embedded = embedded.count > 0;
    if role == Role::Inf {
        out.push(if covered {
            format!("PnP installation checks this INF's hash against {catalog} and the catalog's signature.")
        } else {
            "PnP installation checks this INF's hash against the package's catalog: it is not covered, so the package installs as unsigned or tampered.".to_string()
        });
        return out;
    }
    if covered {
        out.push(format!("PnP installation checks the catalog signature ({catalog}): this file's hash is a member."));
        if has_embedded {
            out.push(format!(
                "At load the kernel accepts the catalog signature once {catalog} is installed, or the embedded signature ({}); the embedded one is what counts when the catalog is not installed.",
                embedded.signers.first().map(String::as_str).unwrap_or("signer unknown")
            ));
        } else {
            out.push(format!(
                "No embedded signature: the kernel accepts this file only through {catalog}, so it must be installed with its package (copied alone it is unsigned)."
            ));
        }
    } else {
        if role != Role::Loose && !catalog.is_empty() {
            out.push(format!("PnP installation rejects this file: it is not validly covered by {catalog}."));
        }
        out.push(if has_embedded && embedded.verdict == Outcome::Fail {
            "Its embedded signature does not verify either: no usable signature.".to_string()
        } else if has_embedded {
            "Only the embedded signature can be used at load.".to_string()
        } else {
            "No usable signature: not covered by a catalog and no embedded signature.".to_string()
        });
    }
    if boot_start {
        out.push(if has_embedded {
            "Boot-start driver: Windows Vista / 7 x64 check its embedded signature at boot.".to_string()
        } else {
            "Boot-start driver without an embedded signature: Windows Vista / 7 x64 require one at boot (newer Windows accept the catalog)."
                .to_string()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_dir_and_base() {
        let item = Item::new("a.zip/x64/Foo.SYS".into(), Cow::Borrowed(&[][..]), FileReport::default());
        assert_eq!(item.dir, "a.zip/x64");
        assert_eq!(item.base, "foo.sys");
        assert!(item.is_under("a.zip"));
        assert!(item.is_under(""));
        assert!(!item.is_under("a.zi"));
        assert_eq!(base_name("%12%\\ViGEmBus.sys"), "ViGEmBus.sys");
    }

    #[test]
    fn garbage_zip_is_a_finding() {
        let mut findings = Vec::new();
        let out = expand_zip("x.zip", b"PK\x03\x04garbage", &mut findings);
        assert!(out.is_empty());
        assert_eq!(findings.first().map(|f| f.check.as_str()), Some("zip.open"));
    }
}
