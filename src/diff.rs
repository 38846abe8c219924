//! Compare two inspections (two versions of a driver package): what changed in the files, their
//! signatures, catalogs, INFs, per-Windows verdicts and the packages' catalog coverage.
//!
//! A pure function over two [`InspectionReport`]s (each made by [`crate::inspect_package`] with the
//! same options): no bytes are read again. Files are matched by their path relative to each side's
//! root (the directories every file of that side shares), then by file name, then by SHA-256
//! (a file moved or renamed with the same content). The result is plain serde data, documented in
//! `docs/report.md` ("Diff"); [`markdown`] renders it for tickets.

pub mod markdown;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks;
use crate::report::{
    CatalogMemberReport, CatalogReport, CoverageRow, CoverageStatus, FileKind, FileReport, Finding, HashKind, InfReport, InfService,
    InspectionReport, LoadVerdict, NameValueReport, Outcome, PackageKind, PackageReport, SignatureReport, SignerKind, TargetVerdict,
    TrustKind,
};

/// Everything that differs between an old and a new inspection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffReport {
    /// Something differs (a file added, removed, renamed or changed, or a package changed).
    pub differs: bool,
    /// The directory prefix removed from the old side's names (`""` when none).
    pub old_root: String,
    /// The directory prefix removed from the new side's names.
    pub new_root: String,
    /// What a person must know, most important first (verdicts, signers, coverage, files).
    pub highlights: Vec<Highlight>,
    pub counts: Counts,
    /// One entry per file of either side (zip containers excluded: their entries are compared).
    pub files: Vec<FileDiff>,
    /// One entry per package of either side.
    pub packages: Vec<PackageDiff>,
}

/// How many files are in each state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Files (changed or not) whose relative path differs.
    pub renamed: usize,
}

/// One line of the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    pub kind: HighlightKind,
    /// Whether this is good or bad news for loading the driver.
    pub direction: Direction,
    /// The file or package it is about (new path, or old path when removed).
    pub subject: String,
    /// One sentence.
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HighlightKind {
    /// A block list match (Microsoft's driver block rules, LOLDrivers) appeared or disappeared.
    KnownBadChanged,
    /// A per-Windows load verdict changed.
    VerdictChanged,
    /// An embedded or catalog signature now verifies or no longer does.
    SignatureVerdictChanged,
    /// A signer appeared or disappeared.
    SignerChanged,
    /// A package's coverage of a file changed (covered -> mismatch, ...).
    CoverageChanged,
    /// A package's overall verdict changed.
    PackageVerdictChanged,
    /// A package appeared or disappeared.
    PackageChanged,
    FileAdded,
    FileRemoved,
    FileRenamed,
    /// Catalog members added or removed.
    CatalogMembersChanged,
    /// Hardware IDs added or removed (INF models or catalog HWIDn).
    HardwareIdsChanged,
    /// DriverVer changed.
    DriverVersionChanged,
    /// Memory integrity (HVCI) findings appeared or disappeared.
    MemoryIntegrityChanged,
}

/// Better or worse for the driver's chances to load (and be trusted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Better,
    Worse,
    #[default]
    Neutral,
}

/// The state of a file (or package) from old to new.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Added,
    Removed,
    Changed,
    #[default]
    Unchanged,
}

impl FileStatus {
    /// The word people read (the JSON's spelling): `added`, `removed`, `changed`, `unchanged`.
    pub fn word(self) -> &'static str {
        match self {
            FileStatus::Added => "added",
            FileStatus::Removed => "removed",
            FileStatus::Changed => "changed",
            FileStatus::Unchanged => "unchanged",
        }
    }
}

/// How an old file was paired with a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// Same path relative to the side's root (compared case-insensitively, as Windows does).
    Path,
    /// Same file name in another directory.
    Name,
    /// Same SHA-256 under another name (a rename).
    Digest,
}

/// What differs for one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    pub status: FileStatus,
    /// Path relative to the old side's root; absent for an added file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    /// Path relative to the new side's root; absent for a removed file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_path: Option<String>,
    /// Absent for added and removed files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    /// The paths differ.
    pub renamed: bool,
    /// The new file's kind (the old one's when removed).
    pub kind: FileKind,
    /// Facts that differ: size, SHA-256, Authenticode digest, PE facts, ...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ValueChange>,
    #[serde(default, skip_serializing_if = "SignatureDiff::is_empty")]
    pub signatures: SignatureDiff,
    /// File-level findings (layout, memory integrity `hvci.*`, ...) that appeared or disappeared.
    #[serde(default, skip_serializing_if = "FindingDiff::is_empty")]
    pub findings: FindingDiff,
    /// Per-Windows verdicts that differ (for an added or removed driver: all of them, one side absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<VerdictChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogDiff>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inf: Option<InfDiff>,
}

impl FileDiff {
    /// The path people know the file by: the new one, or the old one when removed.
    pub fn path(&self) -> &str {
        self.new_path.as_deref().or(self.old_path.as_deref()).unwrap_or("")
    }
}

/// One fact old -> new (absent on a side where it does not exist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange {
    pub field: Field,
    /// Which one, when the field repeats: the digest algorithm, the service name, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// The facts a diff compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Size,
    Sha256,
    Kind,
    /// The Authenticode image hash with the algorithm in `of` (compared where both sides have it).
    AuthenticodeDigest,
    /// PE32 / PE32+.
    Format,
    Machine,
    Subsystem,
    /// Optional-header CheckSum: stored value and whether it matches.
    Checksum,
    /// Number of WIN_CERTIFICATE entries.
    CertificateEntries,
    SectionAlignment,
    NxCompat,
    /// Some signature carries page hashes (`present` / `absent`).
    PageHashes,
    // The version resource (absent on a side that has none).
    OriginalFilename,
    FileVersion,
    /// VS_FIXEDFILEINFO's four-part file version (what block rules compare).
    FileVersionFixed,
    ProductVersion,
    ProductName,
    CompanyName,
    // Signatures (`SignatureChange::changes`).
    SignerKind,
    DigestVerdict,
    SignatureVerdict,
    PageHashVerdict,
    Timestamps,
    ChainVerdict,
    ChainTrust,
    // Catalogs.
    CatalogVersion,
    SubjectAlgorithm,
    ThisUpdate,
    MemberCount,
    // INFs.
    DriverDate,
    DriverVersion,
    Provider,
    Class,
    ClassGuid,
    // INF services (the service name in `of`).
    ServiceType,
    StartType,
    ErrorControl,
    ServiceBinary,
    DisplayName,
}

/// Strings added and removed (a set compared case-insensitively where the data is, e.g. HWIDs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl SetDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    /// Added and removed, comparing with `key` (first spelling kept), in each side's order.
    fn of(old: &[String], new: &[String], key: impl Fn(&str) -> String) -> SetDiff {
        let old_keys: Vec<String> = old.iter().map(|s| key(s)).collect();
        let new_keys: Vec<String> = new.iter().map(|s| key(s)).collect();
        let mut added: Vec<String> = Vec::new();
        for (s, k) in new.iter().zip(&new_keys) {
            if !old_keys.contains(k) && !added.iter().any(|a| key(a) == *k) {
                added.push(s.clone());
            }
        }
        let mut removed: Vec<String> = Vec::new();
        for (s, k) in old.iter().zip(&old_keys) {
            if !new_keys.contains(k) && !removed.iter().any(|a| key(a) == *k) {
                removed.push(s.clone());
            }
        }
        SetDiff { added, removed }
    }

    fn exact(old: &[String], new: &[String]) -> SetDiff {
        SetDiff::of(old, new, str::to_string)
    }

    fn ignoring_case(old: &[String], new: &[String]) -> SetDiff {
        SetDiff::of(old, new, str::to_ascii_lowercase)
    }
}

/// Findings that appeared or disappeared (compared by check and outcome).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDiff {
    pub added: Vec<Finding>,
    pub removed: Vec<Finding>,
}

impl FindingDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    fn of(old: &[Finding], new: &[Finding]) -> FindingDiff {
        let same = |a: &Finding, b: &Finding| a.check == b.check && a.outcome == b.outcome;
        FindingDiff {
            added: new.iter().filter(|n| !old.iter().any(|o| same(o, n))).cloned().collect(),
            removed: old.iter().filter(|o| !new.iter().any(|n| same(o, n))).cloned().collect(),
        }
    }
}

/// One signature in short, as a diff shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureBrief {
    /// Position in the file's `signatures`.
    pub index: usize,
    pub depth: u32,
    /// Signer subject (absent when the signer certificate is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// SHA-256 thumbprint of the signer certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_sha256: Option<String>,
    pub digest_algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SignerKind>,
    pub digest_verdict: Outcome,
    pub signature_verdict: Outcome,
    pub page_hashes: bool,
    pub page_hash_verdict: Outcome,
    /// `rfc3161 2025-01-15T12:00:30Z`, ... (kind, time, verdict).
    pub timestamps: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_verdict: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_trust: Option<TrustKind>,
}

impl SignatureBrief {
    fn of(s: &SignatureReport) -> SignatureBrief {
        SignatureBrief {
            index: s.index,
            depth: s.depth,
            signer: s.signer.as_ref().map(|c| c.subject.clone()),
            signer_sha256: s.signer.as_ref().map(|c| c.sha256.clone()),
            digest_algorithm: s.digest_algorithm.clone(),
            kind: s.classification.as_ref().map(|c| c.kind),
            digest_verdict: s.digest_verdict,
            signature_verdict: s.signature_verdict,
            page_hashes: s.page_hashes.is_some(),
            page_hash_verdict: s.page_hash_verdict,
            timestamps: s
                .timestamps
                .iter()
                .map(|t| format!("{} {} ({})", t.kind.name(), t.time.as_deref().unwrap_or("no time"), t.verdict.name()))
                .collect(),
            chain_verdict: s.chain.as_ref().map(|c| c.verdict),
            chain_trust: s.chain.as_ref().map(|c| c.trust),
        }
    }

    /// Signatures pair up by signer certificate and digest algorithm.
    fn same_signature(&self, other: &SignatureBrief) -> bool {
        self.signer_sha256 == other.signer_sha256 && self.signer == other.signer && self.digest_algorithm == other.digest_algorithm
    }

    /// The digest, signer signature, page hash and chain outcomes (the chain's when built).
    fn checks(&self) -> [Option<Outcome>; 4] {
        [Some(self.digest_verdict), Some(self.signature_verdict), Some(self.page_hash_verdict), self.chain_verdict]
    }

    /// The verdicts all pass (digest, signer signature, chain when built).
    pub fn verifies(&self) -> bool {
        self.digest_verdict != Outcome::Fail
            && self.signature_verdict == Outcome::Pass
            && self.page_hash_verdict != Outcome::Fail
            && self.chain_verdict.is_none_or(|c| c != Outcome::Fail)
    }
}

/// Signatures added, removed, and changed (same signer and digest algorithm, other facts differ).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureDiff {
    pub added: Vec<SignatureBrief>,
    pub removed: Vec<SignatureBrief>,
    pub changed: Vec<SignatureChange>,
}

impl SignatureDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureChange {
    pub old: SignatureBrief,
    pub new: SignatureBrief,
    pub changes: Vec<ValueChange>,
    /// Worse when it verified and no longer does (or a check outcome fell), better the other way.
    pub direction: Direction,
}

/// One Windows target's verdict old -> new. The whole verdicts are kept (absent on a side that has
/// none), so the target id keeps whatever form the policy layer gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictChange {
    /// The target's human name (the new side's, else the old side's).
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<TargetVerdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<TargetVerdict>,
    /// The load verdict itself differs (not only its rule, conditions or the signature it rests on).
    pub verdict_changed: bool,
    pub direction: Direction,
}

/// What differs between two versions of a catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDiff {
    pub members_added: Vec<MemberBrief>,
    pub members_removed: Vec<MemberBrief>,
    /// Members paired by `File` attribute whose digest or attributes differ.
    pub members_changed: Vec<MemberChange>,
    /// Catalog-level CAT_NAMEVALUE attributes (`name=value`) added and removed.
    pub attributes: SetDiff,
    /// The Windows releases OSAttr names.
    pub os_attr_windows: SetDiff,
    /// HWIDn values (case-insensitive).
    pub hwids: SetDiff,
    /// Version, subject algorithm, this update, member count.
    pub changes: Vec<ValueChange>,
}

impl CatalogDiff {
    pub fn is_empty(&self) -> bool {
        self.members_added.is_empty()
            && self.members_removed.is_empty()
            && self.members_changed.is_empty()
            && self.attributes.is_empty()
            && self.os_attr_windows.is_empty()
            && self.hwids.is_empty()
            && self.changes.is_empty()
    }
}

/// A catalog member in short.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberBrief {
    pub tag: String,
    /// Its `File` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl MemberBrief {
    fn of(m: &CatalogMemberReport) -> MemberBrief {
        MemberBrief {
            tag: m.tag.clone(),
            file: member_file(m).map(str::to_string),
            digest_algorithm: m.digest_algorithm.clone(),
            digest: m.digest.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    pub old: MemberBrief,
    pub new: MemberBrief,
    /// Member attributes (`name=value`) added and removed.
    pub attributes: SetDiff,
}

/// What differs between two versions of an INF.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfDiff {
    /// DriverVer date and version, provider, class, class GUID; service facts (service in `of`).
    pub changes: Vec<ValueChange>,
    /// `CatalogFile[.decoration] = name` entries.
    pub catalog_files: SetDiff,
    /// Hardware and compatible IDs of the models (case-insensitive).
    pub hardware_ids: SetDiff,
    /// Service names (AddService).
    pub services: SetDiff,
    /// Files of `[SourceDisksFiles*]` (case-insensitive).
    pub source_files: SetDiff,
}

impl InfDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.catalog_files.is_empty()
            && self.hardware_ids.is_empty()
            && self.services.is_empty()
            && self.source_files.is_empty()
    }
}

/// What differs for one package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageDiff {
    pub status: FileStatus,
    /// `inf` or `loose`.
    pub kind: PackageKind,
    /// The INF's relative path on the old side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_inf: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_inf: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_verdict: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_verdict: Option<Outcome>,
    /// Catalog names (with their signature outcome) added and removed.
    pub catalogs: SetDiff,
    /// Coverage rows whose status differs, or that exist on one side only.
    pub coverage: Vec<CoverageChange>,
    /// Files the INF references that are missing from the drop.
    pub missing_files: SetDiff,
    /// Catalog members no file matches (`File` attribute, else tag).
    pub missing_members: SetDiff,
    /// HWID differences between catalog and INF (`only in INF: X`, `only in catalog: Y`).
    pub hwid_mismatches: SetDiff,
    pub findings: FindingDiff,
}

impl PackageDiff {
    /// The INF people know the package by (new, else old); `loose` for a loose package.
    pub fn name(&self) -> &str {
        self.new_inf.as_deref().or(self.old_inf.as_deref()).unwrap_or("loose files")
    }

    fn is_empty(&self) -> bool {
        self.old_verdict == self.new_verdict
            && self.catalogs.is_empty()
            && self.coverage.is_empty()
            && self.missing_files.is_empty()
            && self.missing_members.is_empty()
            && self.hwid_mismatches.is_empty()
            && self.findings.is_empty()
    }
}

/// One file's coverage in a package old -> new (absent on the side where the file is not in it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageChange {
    /// The file's path (new, else old).
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<CoverageStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<CoverageStatus>,
    /// The catalog the row is about, on each side.
    pub old_catalog: String,
    pub new_catalog: String,
    pub direction: Direction,
}

// ---------------------------------------------------------------------------------------------
// The comparison

/// Compare an old and a new inspection.
pub fn diff(old: &InspectionReport, new: &InspectionReport) -> DiffReport {
    let old_side = Side::new(old);
    let new_side = Side::new(new);
    let pairs = pair_files(&old_side, &new_side);
    let files: Vec<FileDiff> = pairs.iter().map(|p| file_diff(p, &old_side, &new_side)).collect();
    let packages = package_diffs(&old_side, &new_side, &pairs);
    let counts = Counts {
        added: files.iter().filter(|f| f.status == FileStatus::Added).count(),
        removed: files.iter().filter(|f| f.status == FileStatus::Removed).count(),
        changed: files.iter().filter(|f| f.status == FileStatus::Changed).count(),
        unchanged: files.iter().filter(|f| f.status == FileStatus::Unchanged).count(),
        renamed: files.iter().filter(|f| f.renamed).count(),
    };
    let differs =
        files.iter().any(|f| f.status != FileStatus::Unchanged || f.renamed) || packages.iter().any(|p| p.status != FileStatus::Unchanged);
    let highlights = highlights(&files, &packages);
    DiffReport { differs, old_root: old_side.root, new_root: new_side.root, highlights, counts, files, packages }
}

/// One side: its report, the directory prefix its names share, and its files by relative path.
struct Side<'r> {
    report: &'r InspectionReport,
    root: String,
    /// (relative path, report), zip containers left out.
    files: Vec<(String, &'r FileReport)>,
    /// Every package's coverage rows, by file name (as the report names it).
    rows: BTreeMap<&'r str, Vec<&'r CoverageRow>>,
}

impl<'r> Side<'r> {
    fn new(report: &'r InspectionReport) -> Self {
        let members: Vec<&FileReport> = report.files.iter().filter(|f| f.kind != FileKind::Zip).collect();
        let root = common_root(members.iter().map(|f| f.name.as_str()));
        let files = members.into_iter().map(|f| (strip_root(&root, &f.name), f)).collect();
        let mut rows: BTreeMap<&str, Vec<&CoverageRow>> = BTreeMap::new();
        for row in report.packages.iter().flat_map(|p| &p.coverage) {
            rows.entry(row.file.as_str()).or_default().push(row);
        }
        Side { report, root, files, rows }
    }

    /// The coverage rows of a file (every package's).
    fn rows_of(&self, name: &str) -> impl Iterator<Item = &'r CoverageRow> + '_ {
        self.rows.get(name).into_iter().flatten().copied()
    }

    fn rel(&self, name: &str) -> String {
        strip_root(&self.root, name)
    }

    fn file(&self, index: Option<usize>) -> Option<&(String, &'r FileReport)> {
        index.and_then(|i| self.files.get(i))
    }
}

/// The directories (`a/b/`) every name starts with; `""` when they share none.
fn common_root<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut common: Option<Vec<&str>> = None;
    for name in names {
        let mut dirs: Vec<&str> = name.split('/').collect();
        dirs.pop();
        common = Some(match common {
            None => dirs,
            Some(c) => c.into_iter().zip(dirs).take_while(|(a, b)| a == b).map(|(a, _)| a).collect(),
        });
    }
    let dirs = common.unwrap_or_default();
    if dirs.is_empty() {
        String::new()
    } else {
        format!("{}/", dirs.join("/"))
    }
}

fn strip_root(root: &str, name: &str) -> String {
    name.strip_prefix(root).unwrap_or(name).to_string()
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// An old file, a new file, or both, and how they were paired.
struct Pair {
    old: Option<usize>,
    new: Option<usize>,
    by: Option<MatchedBy>,
}

/// A file's key for one pairing rule.
type FileKey = fn(&(String, &FileReport)) -> String;

/// Pair files by relative path, then by a file name unique on both sides, then by SHA-256; the rest
/// are added or removed. New files come in their order, removed files after them.
fn pair_files(old: &Side<'_>, new: &Side<'_>) -> Vec<Pair> {
    let mut old_of_new: Vec<Option<(usize, MatchedBy)>> = vec![None; new.files.len()];
    let mut taken = vec![false; old.files.len()];
    let rules: [(MatchedBy, FileKey, bool); 3] = [
        (MatchedBy::Path, |(p, _)| p.to_ascii_lowercase(), false),
        (MatchedBy::Name, |(p, _)| base_name(p).to_ascii_lowercase(), true),
        (MatchedBy::Digest, |(_, f)| f.sha256.clone(), false),
    ];
    for (by, key, unique) in rules {
        // The files still unpaired on each side, by key (in order).
        let mut free_old: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (o, file) in old.files.iter().enumerate() {
            if !taken.get(o).copied().unwrap_or(true) {
                free_old.entry(key(file)).or_default().push(o);
            }
        }
        let new_keys: Vec<Option<String>> =
            new.files.iter().zip(&old_of_new).map(|(file, paired)| paired.is_none().then(|| key(file))).collect();
        let mut free_new: BTreeMap<&str, usize> = BTreeMap::new();
        for k in new_keys.iter().flatten() {
            let count = free_new.entry(k.as_str()).or_default();
            *count = count.saturating_add(1);
        }
        for (slot, k) in old_of_new.iter_mut().zip(&new_keys) {
            let Some(k) = k else { continue };
            let Some(candidates) = free_old.get_mut(k) else {
                continue;
            };
            if unique && (candidates.len() != 1 || free_new.get(k.as_str()) != Some(&1)) {
                continue;
            }
            if candidates.is_empty() {
                continue;
            }
            let o = candidates.remove(0);
            if let Some(t) = taken.get_mut(o) {
                *t = true;
                *slot = Some((o, by));
            }
        }
    }
    let mut pairs: Vec<Pair> =
        old_of_new.iter().enumerate().map(|(n, m)| Pair { old: m.map(|(o, _)| o), new: Some(n), by: m.map(|(_, by)| by) }).collect();
    pairs.extend(taken.iter().enumerate().filter(|(_, t)| !**t).map(|(o, _)| Pair { old: Some(o), new: None, by: None }));
    pairs
}

fn file_diff(pair: &Pair, old: &Side<'_>, new: &Side<'_>) -> FileDiff {
    let o = old.file(pair.old);
    let n = new.file(pair.new);
    let old_path = o.map(|(p, _)| p.clone());
    let new_path = n.map(|(p, _)| p.clone());
    let renamed = matches!((&old_path, &new_path), (Some(a), Some(b)) if a != b);
    let kind = n.or(o).map(|(_, f)| f.kind).unwrap_or_default();
    let old_verdicts = o.map(|(_, f)| verdicts_of(old, f)).unwrap_or_default();
    let new_verdicts = n.map(|(_, f)| verdicts_of(new, f)).unwrap_or_default();
    let mut diff = FileDiff {
        old_path,
        new_path,
        matched_by: pair.by,
        renamed,
        kind,
        verdicts: verdict_changes(old_verdicts, new_verdicts),
        ..FileDiff::default()
    };
    match (o, n) {
        (Some((_, a)), Some((_, b))) => {
            diff.changes = file_changes(old, a, new, b);
            diff.signatures = signature_diff(&a.signatures, &b.signatures);
            diff.findings = FindingDiff::of(&a.findings, &b.findings);
            diff.catalog = catalog_pair(a.catalog.as_ref(), b.catalog.as_ref());
            diff.inf = inf_pair(a.inf.as_ref(), b.inf.as_ref());
            diff.status = if a.sha256 == b.sha256 && diff.verdicts.is_empty() && diff.signatures.is_empty() {
                FileStatus::Unchanged
            } else {
                FileStatus::Changed
            };
        }
        (None, Some((_, b))) => {
            diff.status = FileStatus::Added;
            diff.signatures.added = b.signatures.iter().map(SignatureBrief::of).collect();
        }
        (Some((_, a)), None) => {
            diff.status = FileStatus::Removed;
            diff.signatures.removed = a.signatures.iter().map(SignatureBrief::of).collect();
        }
        (None, None) => {}
    }
    diff
}

/// The verdicts that count for a file: those of a package's coverage row (which weigh its
/// catalogs) when it has some, else the file's own (embedded signatures only).
fn verdicts_of<'r>(side: &Side<'r>, file: &'r FileReport) -> &'r [TargetVerdict] {
    side.rows_of(&file.name).find(|r| !r.verdicts.is_empty()).map_or(file.verdicts.as_slice(), |r| r.verdicts.as_slice())
}

/// The verdicts that differ, per target (matched by target id, in the old order, new targets after).
fn verdict_changes(old: &[TargetVerdict], new: &[TargetVerdict]) -> Vec<VerdictChange> {
    let mut out = Vec::new();
    for o in old {
        let n = new.iter().find(|n| n.target == o.target);
        if n != Some(o) {
            out.push(verdict_change(Some(o), n));
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.target == n.target)) {
        out.push(verdict_change(None, Some(n)));
    }
    out
}

fn verdict_change(old: Option<&TargetVerdict>, new: Option<&TargetVerdict>) -> VerdictChange {
    let (a, b) = (old.map(|v| v.verdict), new.map(|v| v.verdict));
    VerdictChange {
        label: new.or(old).map(|v| v.label.clone()).unwrap_or_default(),
        old: old.cloned(),
        new: new.cloned(),
        verdict_changed: a != b,
        direction: compare_rank(a.map(load_rank), b.map(load_rank)),
    }
}

fn load_rank(v: LoadVerdict) -> u8 {
    match v {
        LoadVerdict::Blocked => 0,
        LoadVerdict::LoadsWithConditions => 1,
        LoadVerdict::Loads => 2,
    }
}

/// Better when the rank rises, worse when it falls (a side without a value ranks lowest).
fn compare_rank(old: Option<u8>, new: Option<u8>) -> Direction {
    match old.cmp(&new) {
        std::cmp::Ordering::Less => Direction::Better,
        std::cmp::Ordering::Greater => Direction::Worse,
        std::cmp::Ordering::Equal => Direction::Neutral,
    }
}

/// One field of the version resource, as a string.
type VersionField = fn(&crate::report::VersionInfo) -> Option<String>;

/// `Some(change)` when the values differ.
fn change(field: Field, of: Option<&str>, old: Option<String>, new: Option<String>) -> Option<ValueChange> {
    (old != new).then(|| ValueChange { field, of: of.map(str::to_string), old, new })
}

fn file_changes(old_side: &Side<'_>, a: &FileReport, new_side: &Side<'_>, b: &FileReport) -> Vec<ValueChange> {
    let mut out: Vec<Option<ValueChange>> = vec![
        change(Field::Size, None, Some(a.size.to_string()), Some(b.size.to_string())),
        change(Field::Sha256, None, Some(a.sha256.clone()), Some(b.sha256.clone())),
        change(Field::Kind, None, Some(a.kind.label().to_string()), Some(b.kind.label().to_string())),
    ];
    let (da, db) = (authenticode_digests(old_side, a), authenticode_digests(new_side, b));
    for (alg, digest) in &da {
        if let Some(other) = db.get(alg) {
            out.push(change(Field::AuthenticodeDigest, Some(alg), Some(digest.clone()), Some(other.clone())));
        }
    }
    out.push(change(Field::PageHashes, None, Some(page_hashes_word(a).into()), Some(page_hashes_word(b).into())));
    if let (Some(pa), Some(pb)) = (&a.pe, &b.pe) {
        let checksum = |c: &crate::report::Checksum| format!("{:#x} ({})", c.stored, if c.matches { "matches" } else { "does not match" });
        let entries = |p: &crate::report::PeInfo| p.certificate_table.as_ref().map_or(0, |t| t.entries.len()).to_string();
        out.extend([
            change(Field::Format, None, Some(pa.format.clone()), Some(pb.format.clone())),
            change(Field::Machine, None, Some(pa.machine.clone()), Some(pb.machine.clone())),
            change(Field::Subsystem, None, Some(pa.subsystem.clone()), Some(pb.subsystem.clone())),
            change(Field::Checksum, None, Some(checksum(&pa.checksum)), Some(checksum(&pb.checksum))),
            change(Field::CertificateEntries, None, Some(entries(pa)), Some(entries(pb))),
            change(
                Field::SectionAlignment,
                None,
                Some(format!("{:#x}", pa.section_alignment)),
                Some(format!("{:#x}", pb.section_alignment)),
            ),
            change(Field::NxCompat, None, Some(pa.nx_compat.to_string()), Some(pb.nx_compat.to_string())),
        ]);
        let (va, vb) = (pa.version.as_ref(), pb.version.as_ref());
        let get = |v: Option<&crate::report::VersionInfo>, f: VersionField| v.and_then(f);
        let fields: [(Field, VersionField); 6] = [
            (Field::OriginalFilename, |v| v.original_filename.clone()),
            (Field::FileVersion, |v| v.file_version.clone()),
            (Field::FileVersionFixed, |v| v.file_version_fixed.map(|x| x.to_string())),
            (Field::ProductVersion, |v| v.product_version.clone()),
            (Field::ProductName, |v| v.product_name.clone()),
            (Field::CompanyName, |v| v.company_name.clone()),
        ];
        for (field, f) in fields {
            out.push(change(field, None, get(va, f), get(vb, f)));
        }
    }
    out.into_iter().flatten().collect()
}

/// A file's Authenticode digests by algorithm: those its signatures recomputed, and those its
/// package coverage rows computed for the catalogs.
fn authenticode_digests(side: &Side<'_>, file: &FileReport) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !file.kind.is_pe() {
        return out;
    }
    for s in file.signatures.iter().filter(|s| !s.computed_digest.is_empty()) {
        out.insert(s.digest_algorithm.clone(), s.computed_digest.clone());
    }
    let rows = side.rows_of(&file.name).filter(|r| r.hash_kind == HashKind::Authenticode);
    for d in rows.flat_map(|r| &r.digests) {
        out.insert(d.algorithm.clone(), d.digest.clone());
    }
    out
}

fn page_hashes_word(file: &FileReport) -> &'static str {
    if file.signatures.iter().any(|s| s.page_hashes.is_some()) {
        "present"
    } else {
        "absent"
    }
}

/// Signatures paired by signer certificate and digest algorithm (in order, each used once).
fn signature_diff(old: &[SignatureReport], new: &[SignatureReport]) -> SignatureDiff {
    let old: Vec<SignatureBrief> = old.iter().map(SignatureBrief::of).collect();
    let new: Vec<SignatureBrief> = new.iter().map(SignatureBrief::of).collect();
    let mut used = vec![false; old.len()];
    let mut diff = SignatureDiff::default();
    for n in new {
        let found = old.iter().enumerate().find(|(i, o)| !used.get(*i).copied().unwrap_or(true) && o.same_signature(&n));
        match found {
            Some((i, o)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                let changes = signature_changes(o, &n);
                if !changes.is_empty() {
                    diff.changed.push(SignatureChange { direction: signature_direction(o, &n), old: o.clone(), new: n, changes });
                }
            }
            None => diff.added.push(n),
        }
    }
    diff.removed = old.into_iter().zip(used).filter(|(_, u)| !u).map(|(o, _)| o).collect();
    diff
}

/// Better or worse for a signature paired old -> new: whether it verifies, else its check outcomes.
fn signature_direction(old: &SignatureBrief, new: &SignatureBrief) -> Direction {
    match (old.verifies(), new.verifies()) {
        (false, true) => Direction::Better,
        (true, false) => Direction::Worse,
        _ => worst_of(old.checks().into_iter().zip(new.checks()).map(|(o, n)| compare_rank(o.map(check_rank), n.map(check_rank)))),
    }
}

fn signature_changes(a: &SignatureBrief, b: &SignatureBrief) -> Vec<ValueChange> {
    let kind = |s: &SignatureBrief| s.kind.map(SignerKind::name).map(str::to_string);
    let chain = |s: &SignatureBrief| s.chain_verdict.map(Outcome::name).map(str::to_string);
    let trust = |s: &SignatureBrief| s.chain_trust.map(TrustKind::name).map(str::to_string);
    let outcome = |o: Outcome| Some(o.name().to_string());
    let present = |p: bool| Some(if p { "present" } else { "absent" }.to_string());
    [
        change(Field::SignerKind, None, kind(a), kind(b)),
        change(Field::DigestVerdict, None, outcome(a.digest_verdict), outcome(b.digest_verdict)),
        change(Field::SignatureVerdict, None, outcome(a.signature_verdict), outcome(b.signature_verdict)),
        change(Field::PageHashes, None, present(a.page_hashes), present(b.page_hashes)),
        change(Field::PageHashVerdict, None, outcome(a.page_hash_verdict), outcome(b.page_hash_verdict)),
        change(Field::Timestamps, None, Some(a.timestamps.join(", ")), Some(b.timestamps.join(", "))),
        change(Field::ChainVerdict, None, chain(a), chain(b)),
        change(Field::ChainTrust, None, trust(a), trust(b)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn catalog_pair(old: Option<&CatalogReport>, new: Option<&CatalogReport>) -> Option<CatalogDiff> {
    let (a, b) = (old?, new?);
    let d = catalog_diff(a, b);
    (!d.is_empty()).then_some(d)
}

fn member_file(m: &CatalogMemberReport) -> Option<&str> {
    m.attributes.iter().find(|a| a.name.eq_ignore_ascii_case("File")).map(|a| a.value.as_str())
}

fn name_values(values: &[NameValueReport]) -> Vec<String> {
    values.iter().map(|v| format!("{}={}", v.name, v.value)).collect()
}

/// Members paired by tag (same digest), then by `File` attribute and algorithm (digest changed).
fn catalog_diff(a: &CatalogReport, b: &CatalogReport) -> CatalogDiff {
    let mut used = vec![false; a.members.len()];
    let mut diff = CatalogDiff::default();
    let mut unpaired = Vec::new();
    for m in &b.members {
        match a.members.iter().enumerate().find(|(i, o)| !used.get(*i).copied().unwrap_or(true) && o.tag == m.tag) {
            Some((i, o)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                let attributes = SetDiff::exact(&name_values(&o.attributes), &name_values(&m.attributes));
                if !attributes.is_empty() {
                    diff.members_changed.push(MemberChange { old: MemberBrief::of(o), new: MemberBrief::of(m), attributes });
                }
            }
            None => unpaired.push(m),
        }
    }
    for m in unpaired {
        let same_file = |o: &CatalogMemberReport| {
            member_file(o).zip(member_file(m)).is_some_and(|(x, y)| x.eq_ignore_ascii_case(y)) && o.digest_algorithm == m.digest_algorithm
        };
        match a.members.iter().enumerate().find(|(i, o)| !used.get(*i).copied().unwrap_or(true) && same_file(o)) {
            Some((i, o)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                let attributes = SetDiff::exact(&name_values(&o.attributes), &name_values(&m.attributes));
                diff.members_changed.push(MemberChange { old: MemberBrief::of(o), new: MemberBrief::of(m), attributes });
            }
            None => diff.members_added.push(MemberBrief::of(m)),
        }
    }
    diff.members_removed = a.members.iter().zip(used).filter(|(_, u)| !u).map(|(o, _)| MemberBrief::of(o)).collect();
    diff.attributes = SetDiff::exact(&name_values(&a.attributes), &name_values(&b.attributes));
    diff.os_attr_windows = SetDiff::exact(&a.os_attr_windows, &b.os_attr_windows);
    diff.hwids = SetDiff::ignoring_case(&a.hwids, &b.hwids);
    diff.changes = [
        change(Field::CatalogVersion, None, Some(a.version.to_string()), Some(b.version.to_string())),
        change(Field::SubjectAlgorithm, None, Some(a.subject_algorithm.clone()), Some(b.subject_algorithm.clone())),
        change(Field::ThisUpdate, None, Some(a.this_update.clone()), Some(b.this_update.clone())),
        change(Field::MemberCount, None, Some(a.member_count.to_string()), Some(b.member_count.to_string())),
    ]
    .into_iter()
    .flatten()
    .collect();
    diff
}

fn inf_pair(old: Option<&InfReport>, new: Option<&InfReport>) -> Option<InfDiff> {
    let (a, b) = (old?, new?);
    let d = inf_diff(a, b);
    (!d.is_empty()).then_some(d)
}

fn inf_diff(a: &InfReport, b: &InfReport) -> InfDiff {
    let catalogs = |r: &InfReport| -> Vec<String> {
        r.catalog_files
            .iter()
            .map(|c| {
                if c.decoration.is_empty() {
                    format!("CatalogFile = {}", c.file)
                } else {
                    format!("CatalogFile.{} = {}", c.decoration, c.file)
                }
            })
            .collect()
    };
    let hwids = |r: &InfReport| -> Vec<String> { r.models.iter().flat_map(|m| m.hardware_ids.iter().cloned()).collect() };
    let services = |r: &InfReport| -> Vec<String> { r.services.iter().map(|s| s.name.clone()).collect() };
    let sources = |r: &InfReport| -> Vec<String> { r.source_files.iter().map(|s| s.file.clone()).collect() };
    let mut changes: Vec<ValueChange> = [
        change(Field::DriverDate, None, a.driver_date.clone(), b.driver_date.clone()),
        change(Field::DriverVersion, None, a.driver_version.clone(), b.driver_version.clone()),
        change(Field::Provider, None, a.provider.clone(), b.provider.clone()),
        change(Field::Class, None, a.class.clone(), b.class.clone()),
        change(Field::ClassGuid, None, a.class_guid.clone(), b.class_guid.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    for s in &b.services {
        if let Some(o) = a.services.iter().find(|o| o.name.eq_ignore_ascii_case(&s.name)) {
            changes.extend(service_changes(o, s));
        }
    }
    InfDiff {
        changes,
        catalog_files: SetDiff::ignoring_case(&catalogs(a), &catalogs(b)),
        hardware_ids: SetDiff::ignoring_case(&hwids(a), &hwids(b)),
        services: SetDiff::ignoring_case(&services(a), &services(b)),
        source_files: SetDiff::ignoring_case(&sources(a), &sources(b)),
    }
}

fn service_changes(a: &InfService, b: &InfService) -> Vec<ValueChange> {
    let num = |v: Option<u32>| v.map(|n| n.to_string());
    let start = |s: &InfService| match (s.start_type, s.start_type_name.as_str()) {
        (Some(n), "") => Some(n.to_string()),
        (Some(n), name) => Some(format!("{n} ({name})")),
        (None, _) => None,
    };
    let of = Some(b.name.as_str());
    [
        change(Field::ServiceType, of, num(a.service_type), num(b.service_type)),
        change(Field::StartType, of, start(a), start(b)),
        change(Field::ErrorControl, of, num(a.error_control), num(b.error_control)),
        change(Field::ServiceBinary, of, a.service_binary.clone(), b.service_binary.clone()),
        change(Field::DisplayName, of, a.display_name.clone(), b.display_name.clone()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---------------------------------------------------------------------------------------------
// Packages

/// Whether an old and a new package are the same package (one pairing rule).
type PackageRule<'a> = dyn Fn(&PackageReport, &PackageReport) -> bool + 'a;

/// Packages paired by INF path, then INF file name, then (one left on each side) by kind; loose
/// with loose.
fn package_diffs(old: &Side<'_>, new: &Side<'_>, pairs: &[Pair]) -> Vec<PackageDiff> {
    let partners: BTreeMap<&str, &str> =
        pairs.iter().filter_map(|p| Some((new.file(p.new)?.1.name.as_str(), old.file(p.old)?.1.name.as_str()))).collect();
    let partners = &partners;
    let old_packages = &old.report.packages;
    let new_packages = &new.report.packages;
    let inf_rel = |side: &Side<'_>, p: &PackageReport| p.inf.as_deref().map(|i| side.rel(i).to_ascii_lowercase());
    let mut used = vec![false; old_packages.len()];
    let mut matched: Vec<Option<usize>> = vec![None; new_packages.len()];
    let rules: [&PackageRule<'_>; 3] = [
        &|o, n| o.kind == n.kind && inf_rel(old, o) == inf_rel(new, n),
        &|o, n| {
            o.kind == n.kind
                && o.inf.as_deref().map(base_name).map(str::to_ascii_lowercase)
                    == n.inf.as_deref().map(base_name).map(str::to_ascii_lowercase)
        },
        &|o, n| o.kind == n.kind,
    ];
    for (r, rule) in rules.iter().enumerate() {
        for (ni, n) in new_packages.iter().enumerate() {
            if matched.get(ni).is_some_and(Option::is_some) {
                continue;
            }
            let free: Vec<usize> = (0..old_packages.len()).filter(|i| !used.get(*i).copied().unwrap_or(true)).collect();
            // The last rule pairs only the one package left on each side.
            let unpaired_new = matched.iter().filter(|m| m.is_none()).count();
            if r == 2 && (free.len() != 1 || unpaired_new != 1) {
                continue;
            }
            if let Some(&oi) = free.iter().find(|i| old_packages.get(**i).is_some_and(|o| rule(o, n))) {
                if let (Some(m), Some(u)) = (matched.get_mut(ni), used.get_mut(oi)) {
                    *m = Some(oi);
                    *u = true;
                }
            }
        }
    }
    let mut out: Vec<PackageDiff> = new_packages
        .iter()
        .zip(&matched)
        .map(|(n, m)| package_diff(m.and_then(|i| old_packages.get(i)), Some(n), old, new, partners))
        .collect();
    out.extend(old_packages.iter().zip(used).filter(|(_, u)| !u).map(|(o, _)| package_diff(Some(o), None, old, new, partners)));
    out
}

fn package_diff(
    o: Option<&PackageReport>,
    n: Option<&PackageReport>,
    old: &Side<'_>,
    new: &Side<'_>,
    partners: &BTreeMap<&str, &str>,
) -> PackageDiff {
    let empty = PackageReport::default();
    let (a, b) = (o.unwrap_or(&empty), n.unwrap_or(&empty));
    let catalogs = |p: &PackageReport| -> Vec<String> {
        p.catalogs.iter().map(|c| format!("{} ({})", c.name, if c.path.is_some() { c.signature.name() } else { "missing" })).collect()
    };
    let missing_files = |p: &PackageReport| -> Vec<String> { p.missing_files.iter().map(|m| m.name.clone()).collect() };
    let missing_members =
        |p: &PackageReport| -> Vec<String> { p.missing_members.iter().map(|m| m.file.clone().unwrap_or_else(|| m.tag.clone())).collect() };
    let hwids = |p: &PackageReport| -> Vec<String> {
        p.hwids
            .iter()
            .flat_map(|h| {
                let inf = h.only_in_inf.iter().map(|x| format!("only in INF: {x}"));
                inf.chain(h.only_in_catalog.iter().map(|x| format!("only in catalog: {x}")))
            })
            .collect()
    };
    let mut diff = PackageDiff {
        kind: n.or(o).map(|p| p.kind).unwrap_or_default(),
        old_inf: o.and_then(|p| p.inf.as_deref()).map(|i| old.rel(i)),
        new_inf: n.and_then(|p| p.inf.as_deref()).map(|i| new.rel(i)),
        old_verdict: o.map(|p| p.verdict),
        new_verdict: n.map(|p| p.verdict),
        catalogs: SetDiff::exact(&catalogs(a), &catalogs(b)),
        coverage: coverage_changes(a, b, old, new, partners),
        missing_files: SetDiff::ignoring_case(&missing_files(a), &missing_files(b)),
        missing_members: SetDiff::ignoring_case(&missing_members(a), &missing_members(b)),
        hwid_mismatches: SetDiff::ignoring_case(&hwids(a), &hwids(b)),
        findings: FindingDiff::of(&a.findings, &b.findings),
        ..PackageDiff::default()
    };
    diff.status = match (o, n) {
        (None, _) => FileStatus::Added,
        (_, None) => FileStatus::Removed,
        _ if diff.is_empty() && diff.old_inf == diff.new_inf => FileStatus::Unchanged,
        _ => FileStatus::Changed,
    };
    diff
}

/// Coverage rows that differ: a new row against the old row of the file paired with it
/// (`partners`: new file name -> old file name).
fn coverage_changes(
    a: &PackageReport,
    b: &PackageReport,
    old: &Side<'_>,
    new: &Side<'_>,
    partners: &BTreeMap<&str, &str>,
) -> Vec<CoverageChange> {
    let mut old_rows: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, r) in a.coverage.iter().enumerate().rev() {
        old_rows.insert(r.file.as_str(), i);
    }
    let mut out = Vec::new();
    let mut old_seen = vec![false; a.coverage.len()];
    for row in &b.coverage {
        let index = partners.get(row.file.as_str()).and_then(|old_name| old_rows.get(old_name)).copied();
        let old_row = index.and_then(|i| a.coverage.get(i));
        if let Some(seen) = index.and_then(|i| old_seen.get_mut(i)) {
            *seen = true;
        }
        if old_row.map(|r| r.status) != Some(row.status) {
            out.push(coverage_change(old_row, Some(row), old, new));
        }
    }
    for (row, _) in a.coverage.iter().zip(old_seen).filter(|(_, s)| !s) {
        out.push(coverage_change(Some(row), None, old, new));
    }
    out
}

fn coverage_change(o: Option<&CoverageRow>, n: Option<&CoverageRow>, old: &Side<'_>, new: &Side<'_>) -> CoverageChange {
    let rank = |s: CoverageStatus| match s {
        CoverageStatus::Covered => 3,
        CoverageStatus::NotInCatalog => 1,
        CoverageStatus::CatalogUnverified | CoverageStatus::Mismatch => 0,
    };
    CoverageChange {
        file: n.map(|r| new.rel(&r.file)).or_else(|| o.map(|r| old.rel(&r.file))).unwrap_or_default(),
        old: o.map(|r| r.status),
        new: n.map(|r| r.status),
        old_catalog: o.map(|r| old.rel(&r.catalog)).unwrap_or_default(),
        new_catalog: n.map(|r| new.rel(&r.catalog)).unwrap_or_default(),
        direction: compare_rank(o.map(|r| rank(r.status)), n.map(|r| rank(r.status))),
    }
}

// ---------------------------------------------------------------------------------------------
// The summary

fn highlights(files: &[FileDiff], packages: &[PackageDiff]) -> Vec<Highlight> {
    let mut out = Vec::new();
    for f in files {
        file_highlights(f, &mut out);
    }
    for p in packages {
        package_highlights(p, &mut out);
    }
    // Most important first; within a kind, in file order.
    out.sort_by_key(|h| h.kind);
    out
}

fn push(out: &mut Vec<Highlight>, kind: HighlightKind, direction: Direction, subject: &str, text: String) {
    out.push(Highlight { kind, direction, subject: subject.to_string(), text });
}

fn file_highlights(f: &FileDiff, out: &mut Vec<Highlight>) {
    let path = f.path();
    match f.status {
        FileStatus::Added => push(out, HighlightKind::FileAdded, Direction::Neutral, path, format!("{path} added ({})", f.kind.label())),
        FileStatus::Removed => {
            push(out, HighlightKind::FileRemoved, Direction::Neutral, path, format!("{path} removed ({})", f.kind.label()))
        }
        _ => {}
    }
    if f.renamed {
        let old = f.old_path.as_deref().unwrap_or("");
        let how = if f.status == FileStatus::Unchanged { "same content" } else { "content changed" };
        push(out, HighlightKind::FileRenamed, Direction::Neutral, path, format!("{old} renamed to {path} ({how})"));
    }
    for v in f.verdicts.iter().filter(|v| v.verdict_changed && v.old.is_some() && v.new.is_some()) {
        let word = |x: &Option<TargetVerdict>| x.as_ref().map_or("no verdict", |t| t.verdict.name());
        push(out, HighlightKind::VerdictChanged, v.direction, path, format!("{path}: {}: {} -> {}", v.label, word(&v.old), word(&v.new)));
    }
    signature_highlights(f, path, out);
    if let Some(c) = &f.catalog {
        if !c.members_added.is_empty() || !c.members_removed.is_empty() || !c.members_changed.is_empty() {
            let text = format!(
                "{path}: catalog members {} added, {} removed, {} changed",
                c.members_added.len(),
                c.members_removed.len(),
                c.members_changed.len()
            );
            push(out, HighlightKind::CatalogMembersChanged, Direction::Neutral, path, text);
        }
        set_highlight(out, HighlightKind::HardwareIdsChanged, path, "catalog hardware IDs", &c.hwids);
    }
    if let Some(i) = &f.inf {
        set_highlight(out, HighlightKind::HardwareIdsChanged, path, "INF hardware IDs", &i.hardware_ids);
        for c in i.changes.iter().filter(|c| c.field == Field::DriverVersion || c.field == Field::DriverDate) {
            let text = format!(
                "{path}: DriverVer {} {} -> {}",
                field_name(c.field),
                c.old.as_deref().unwrap_or("none"),
                c.new.as_deref().unwrap_or("none")
            );
            push(out, HighlightKind::DriverVersionChanged, Direction::Neutral, path, text);
        }
    }
    let known_bad = |list: &[Finding]| list.iter().filter(|x| checks::is_blocklist(&x.check)).map(|x| x.reason.clone()).collect::<Vec<_>>();
    let (added, removed) = (known_bad(&f.findings.added), known_bad(&f.findings.removed));
    if !added.is_empty() {
        push(out, HighlightKind::KnownBadChanged, Direction::Worse, path, format!("{path}: now on a block list: {}", added.join("; ")));
    }
    if !removed.is_empty() {
        push(
            out,
            HighlightKind::KnownBadChanged,
            Direction::Better,
            path,
            format!("{path}: no longer on a block list: {}", removed.join("; ")),
        );
    }
    let hvci = |list: &[Finding]| list.iter().filter(|x| checks::is_hvci(&x.check)).map(|x| x.check.clone()).collect::<Vec<_>>();
    let (added, removed) = (hvci(&f.findings.added), hvci(&f.findings.removed));
    if !added.is_empty() {
        push(
            out,
            HighlightKind::MemoryIntegrityChanged,
            Direction::Worse,
            path,
            format!("{path}: new memory integrity findings: {}", added.join(", ")),
        );
    }
    if !removed.is_empty() {
        push(
            out,
            HighlightKind::MemoryIntegrityChanged,
            Direction::Better,
            path,
            format!("{path}: memory integrity findings gone: {}", removed.join(", ")),
        );
    }
}

fn set_highlight(out: &mut Vec<Highlight>, kind: HighlightKind, path: &str, what: &str, set: &SetDiff) {
    if !set.added.is_empty() {
        push(out, kind, Direction::Neutral, path, format!("{path}: {what} added: {}", set.added.join(", ")));
    }
    if !set.removed.is_empty() {
        push(out, kind, Direction::Neutral, path, format!("{path}: {what} removed: {}", set.removed.join(", ")));
    }
}

fn describe_signer(s: &SignatureBrief) -> String {
    let who = s.signer.as_deref().map_or_else(|| "unknown signer".to_string(), crate::x509::name::cn_or_name);
    let kind = s.kind.map_or(String::new(), |k| format!(", {}", k.name()));
    format!("{who} ({}{kind})", s.digest_algorithm)
}

fn signature_highlights(f: &FileDiff, path: &str, out: &mut Vec<Highlight>) {
    if f.status == FileStatus::Added || f.status == FileStatus::Removed {
        return;
    }
    let s = &f.signatures;
    for a in &s.added {
        push(out, HighlightKind::SignerChanged, Direction::Neutral, path, format!("{path}: signature added: {}", describe_signer(a)));
    }
    for r in &s.removed {
        push(out, HighlightKind::SignerChanged, Direction::Neutral, path, format!("{path}: signature removed: {}", describe_signer(r)));
    }
    for c in &s.changed {
        let checks: Vec<&ValueChange> = c
            .changes
            .iter()
            .filter(|v| matches!(v.field, Field::DigestVerdict | Field::SignatureVerdict | Field::PageHashVerdict | Field::ChainVerdict))
            .collect();
        if checks.is_empty() {
            continue;
        }
        let direction = c.direction;
        let what: Vec<String> = checks
            .iter()
            .map(|v| format!("{} {} -> {}", field_name(v.field), v.old.as_deref().unwrap_or("none"), v.new.as_deref().unwrap_or("none")))
            .collect();
        let text = format!("{path}: signature by {}: {}", describe_signer(&c.new), what.join(", "));
        push(out, HighlightKind::SignatureVerdictChanged, direction, path, text);
    }
}

/// A check outcome's rank (fail lowest).
fn check_rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Fail => 0,
        Outcome::Warn | Outcome::Unsupported => 1,
        Outcome::Pass | Outcome::NotPresent => 2,
    }
}

/// Worse when any is worse, else better when any is better.
fn worst_of(directions: impl Iterator<Item = Direction>) -> Direction {
    directions.fold(Direction::Neutral, |acc, d| match (acc, d) {
        (Direction::Worse, _) | (_, Direction::Worse) => Direction::Worse,
        (Direction::Better, _) | (_, Direction::Better) => Direction::Better,
        _ => Direction::Neutral,
    })
}

fn package_highlights(p: &PackageDiff, out: &mut Vec<Highlight>) {
    let name = p.name();
    match p.status {
        FileStatus::Added => push(out, HighlightKind::PackageChanged, Direction::Neutral, name, format!("package {name} added")),
        FileStatus::Removed => push(out, HighlightKind::PackageChanged, Direction::Neutral, name, format!("package {name} removed")),
        _ => {}
    }
    if let (Some(a), Some(b)) = (p.old_verdict, p.new_verdict) {
        if a != b {
            let rank = |o: Outcome| match o {
                Outcome::Pass | Outcome::NotPresent => 2,
                Outcome::Warn | Outcome::Unsupported => 1,
                Outcome::Fail => 0,
            };
            let text = format!("package {name}: verdict {} -> {}", a.name(), b.name());
            push(out, HighlightKind::PackageVerdictChanged, compare_rank(Some(rank(a)), Some(rank(b))), name, text);
        }
    }
    for c in &p.coverage {
        let word = |s: Option<CoverageStatus>| s.map_or("not in the package", CoverageStatus::name);
        let text = format!("package {name}: {}: {} -> {}", c.file, word(c.old), word(c.new));
        push(out, HighlightKind::CoverageChanged, c.direction, name, text);
    }
    for m in &p.missing_files.added {
        push(out, HighlightKind::CoverageChanged, Direction::Worse, name, format!("package {name}: {m} is now missing"));
    }
    for m in &p.missing_files.removed {
        push(out, HighlightKind::CoverageChanged, Direction::Better, name, format!("package {name}: {m} is no longer missing"));
    }
}

/// What people call a field.
pub fn field_name(f: Field) -> &'static str {
    match f {
        Field::Size => "size",
        Field::Sha256 => "SHA-256",
        Field::Kind => "kind",
        Field::AuthenticodeDigest => "Authenticode digest",
        Field::Format => "format",
        Field::Machine => "machine",
        Field::Subsystem => "subsystem",
        Field::Checksum => "CheckSum",
        Field::CertificateEntries => "certificate table entries",
        Field::SectionAlignment => "section alignment",
        Field::NxCompat => "NX compatible",
        Field::PageHashes => "page hashes",
        Field::OriginalFilename => "OriginalFilename",
        Field::FileVersion => "FileVersion",
        Field::FileVersionFixed => "file version (fixed)",
        Field::ProductVersion => "ProductVersion",
        Field::ProductName => "ProductName",
        Field::CompanyName => "CompanyName",
        Field::SignerKind => "signer kind",
        Field::DigestVerdict => "digest",
        Field::SignatureVerdict => "signer signature",
        Field::PageHashVerdict => "page hash check",
        Field::Timestamps => "timestamps",
        Field::ChainVerdict => "chain",
        Field::ChainTrust => "chain trust",
        Field::CatalogVersion => "catalog version",
        Field::SubjectAlgorithm => "member algorithm",
        Field::ThisUpdate => "this update",
        Field::MemberCount => "member count",
        Field::DriverDate => "date",
        Field::DriverVersion => "version",
        Field::Provider => "Provider",
        Field::Class => "Class",
        Field::ClassGuid => "ClassGuid",
        Field::ServiceType => "ServiceType",
        Field::StartType => "StartType",
        Field::ErrorControl => "ErrorControl",
        Field::ServiceBinary => "ServiceBinary",
        Field::DisplayName => "DisplayName",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, sha256: &str) -> FileReport {
        FileReport { name: name.into(), sha256: sha256.into(), ..FileReport::default() }
    }

    fn drop(files: Vec<FileReport>) -> InspectionReport {
        InspectionReport { made_by: None, files, packages: Vec::new() }
    }

    #[test]
    fn a_new_block_list_match_is_the_first_highlight() {
        let old = drop(vec![file("x.sys", "aa")]);
        let mut denied = file("x.sys", "bb");
        denied.findings.push(Finding::new(
            "blocklist.microsoft",
            crate::report::Outcome::Fail,
            "Denied by Microsoft's driver block rules (ID_DENY_X)",
        ));
        let d = diff(&old, &drop(vec![denied]));
        let first = d.highlights.first().expect("highlights");
        assert_eq!((first.kind, first.direction), (HighlightKind::KnownBadChanged, Direction::Worse));
        assert!(first.text.contains("now on a block list") && first.text.contains("ID_DENY_X"), "{}", first.text);
        let back = diff(&drop(vec![d_new_file()]), &old);
        assert!(back.highlights.iter().any(|h| h.kind == HighlightKind::KnownBadChanged && h.direction == Direction::Better));
    }

    fn d_new_file() -> FileReport {
        let mut f = file("x.sys", "bb");
        f.findings.push(Finding::new("blocklist.loldrivers", crate::report::Outcome::Warn, "Known vulnerable driver"));
        f
    }

    /// Built through serde so the test does not depend on the Rust type of `target` (a string
    /// today, an enum once the policy layer makes it one): only on its JSON ids.
    fn verdict(target: &str, v: LoadVerdict) -> TargetVerdict {
        let json = serde_json::json!({
            "target": target, "label": target.to_uppercase(), "verdict": v, "rule": "", "source": "", "rests_on": "", "conditions": []
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn common_root_is_the_shared_directories() {
        assert_eq!(common_root(["a/b/x", "a/b/c/y"].into_iter()), "a/b/");
        assert_eq!(common_root(["a/x", "b/y"].into_iter()), "");
        assert_eq!(common_root(["x"].into_iter()), "");
        assert_eq!(common_root(["p/x"].into_iter()), "p/");
        assert_eq!(common_root(std::iter::empty()), "");
    }

    #[test]
    fn a_name_pairs_only_when_unique_on_both_sides() {
        let old = drop(vec![file("x86/a.sys", "1"), file("x64/a.sys", "2"), file("old/b.sys", "3")]);
        let new = drop(vec![file("arm/a.sys", "4"), file("y/a.sys", "5"), file("new/b.sys", "6")]);
        let d = diff(&old, &new);
        let by: Vec<(Option<&str>, Option<&str>, Option<MatchedBy>)> =
            d.files.iter().map(|f| (f.old_path.as_deref(), f.new_path.as_deref(), f.matched_by)).collect();
        assert!(by.contains(&(Some("old/b.sys"), Some("new/b.sys"), Some(MatchedBy::Name))), "{by:?}");
        assert_eq!(d.counts.added, 2);
        assert_eq!(d.counts.removed, 2);
    }

    #[test]
    fn paths_pair_ignoring_case_then_digests_pair_renames() {
        let old = drop(vec![file("d/Foo.SYS", "1"), file("d/old.cat", "2")]);
        let new = drop(vec![file("e/foo.sys", "1"), file("e/new.cat", "2")]);
        let d = diff(&old, &new);
        assert_eq!(d.files[0].matched_by, Some(MatchedBy::Path));
        assert!(d.files[0].renamed, "the spelling differs");
        assert_eq!(d.files[1].matched_by, Some(MatchedBy::Digest));
        assert_eq!(d.files[1].status, FileStatus::Unchanged);
        assert!(d.differs);
    }

    #[test]
    fn verdicts_are_keyed_by_target_whatever_the_order() {
        let old = [
            verdict("win8.1-x64", LoadVerdict::Loads),
            verdict("s-mode", LoadVerdict::Blocked),
            verdict("server-2016", LoadVerdict::Loads),
        ];
        let new = [
            verdict("s-mode", LoadVerdict::LoadsWithConditions),
            verdict("win8.1-x64", LoadVerdict::Loads),
            verdict("testsigning", LoadVerdict::Blocked),
        ];
        let changes = verdict_changes(&old, &new);
        let summary: Vec<(&str, bool, Direction)> = changes.iter().map(|c| (c.label.as_str(), c.verdict_changed, c.direction)).collect();
        assert_eq!(
            summary,
            vec![("S-MODE", true, Direction::Better), ("SERVER-2016", true, Direction::Worse), ("TESTSIGNING", true, Direction::Better)]
        );
    }

    /// A drop at the zip cap (10,000 entries): pairing uses maps, not a scan per file.
    #[test]
    fn ten_thousand_files_pair() {
        let names: Vec<String> = (0..10_000).map(|i| format!("d{}/f{i}.sys", i % 7)).collect();
        let old = drop(names.iter().map(|n| file(n, n)).collect());
        let mut files: Vec<FileReport> = names.iter().map(|n| file(n, n)).collect();
        files.reverse();
        if let Some(f) = files.first_mut() {
            f.sha256 = "changed".into();
        }
        let d = diff(&old, &drop(files));
        assert_eq!((d.counts.unchanged, d.counts.changed), (9_999, 1));
        assert!(d.files.iter().all(|f| f.matched_by == Some(MatchedBy::Path)));
    }

    #[test]
    fn set_diff_ignores_case_and_repeats() {
        let old = vec!["Root\\A".to_string(), "root\\b".to_string()];
        let new = vec!["ROOT\\A".to_string(), "root\\c".to_string(), "Root\\C".to_string()];
        let d = SetDiff::ignoring_case(&old, &new);
        assert_eq!(d.added, vec!["root\\c".to_string()]);
        assert_eq!(d.removed, vec!["root\\b".to_string()]);
    }
}
