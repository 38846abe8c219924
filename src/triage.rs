//! Triage: the answer for a whole drop on one screen. One row per file (role, signer in plain
//! words, signature kind, intact, catalog coverage, the verdict on the Windows the customer runs
//! and how many targets load it), grouped by package with the package's one-line verdict; and the
//! short Markdown summary for a ticket ([`summary_markdown`]). Built only from the
//! [`InspectionReport`], so the page and the CLI say the same thing.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::report::{
    CoverageRow, CoverageStatus, FileKind, FileReport, InspectionReport, LoadVerdict, Outcome, PackageReport, SignerKind, Target,
    TargetVerdict,
};
use crate::summary::{headline, Tone};

/// The target a person sees first when they have not chosen one: the newest mainstream Windows
/// (a new Windows 11 PC, the April 2026 kernel trust policy enforced).
pub const DEFAULT_TARGET: Target = Target::Win11Enforced;

/// One file of the drop, in short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageRow {
    /// The file's name in the drop (as `FileReport::name`).
    pub file: String,
    /// `driver`, `inf`, `catalog`, `referenced`, `extra`, or the file kind outside packages.
    pub role: String,
    /// Who signed it, in plain words (`Microsoft Windows Hardware Compatibility Publisher (catalog
    /// x.cat)`), or `unsigned` / `no signature` / empty for files that carry none.
    pub signer: String,
    /// The kind of the signature the verdict rests on (or of the primary signature).
    pub kind: Option<SignerKind>,
    /// The embedded signature's integrity: Pass digest and signature verify, Fail either does
    /// not, NotPresent no embedded signature, Unsupported not decided.
    pub intact: Outcome,
    /// The catalog coverage (the worst of its catalogs), `None` outside packages or for the INF.
    pub coverage: Option<CoverageStatus>,
    /// The verdict on the chosen target; `None` for files no target judges (INF, text, zip).
    pub verdict: Option<LoadVerdict>,
    /// The rule that decided the verdict on the chosen target (empty without one).
    pub why: String,
    /// How many targets load it (with conditions included), and how many were judged.
    pub loads_on: usize,
    pub targets: usize,
    /// The headline's tone (drives the row's icon).
    pub tone: Tone,
    /// Block list matches in short (`LOLDrivers: malicious`, `<list>: <rule>`); `None` when the
    /// file was not judged against block lists.
    pub known_bad: Option<Vec<String>>,
}

/// The rows of one package (or of the files outside any package).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageGroup {
    /// `Package slabvcp.inf`, `Loose files`, or `Other files` (no package).
    pub title: String,
    /// The package's verdict; `None` for files outside packages.
    pub verdict: Option<Outcome>,
    /// The package's one-line verdict.
    pub line: String,
    pub rows: Vec<TriageRow>,
}

/// The triage of a drop for one target: one group per package, then the files no package holds.
pub fn triage(report: &InspectionReport, target: Target) -> Vec<TriageGroup> {
    let mut groups = Vec::new();
    let mut placed: Vec<&str> = Vec::new();
    for package in &report.packages {
        let mut rows = Vec::new();
        for file in package_files(package) {
            // A file shows once: a loose package lists every catalog of the drop again.
            if placed.contains(&file) {
                continue;
            }
            if let Some(f) = report.files.iter().find(|f| f.name == file) {
                rows.push(row(f, Some(package), target));
                placed.push(f.name.as_str());
            }
        }
        if rows.is_empty() {
            continue;
        }
        groups.push(TriageGroup {
            title: package_title(package),
            verdict: Some(package.verdict),
            line: package_line(package, &rows),
            rows,
        });
    }
    let rest: Vec<TriageRow> = report.files.iter().filter(|f| !placed.contains(&f.name.as_str())).map(|f| row(f, None, target)).collect();
    if !rest.is_empty() {
        let title = if groups.is_empty() { "Files" } else { "Other files" };
        groups.push(TriageGroup { title: title.to_string(), verdict: None, line: String::new(), rows: rest });
    }
    groups
}

/// The row of a file outside every package: the one [`triage`] gives it when no package names it
/// (the page and its workers make it for one file without a whole report around it).
pub fn file_row(file: &FileReport, target: Target) -> TriageRow {
    row(file, None, target)
}

/// The files of a package in order: the INF, its catalogs, then the coverage rows' files.
fn package_files(package: &PackageReport) -> Vec<&str> {
    let mut files: Vec<&str> = Vec::new();
    let names = package
        .inf
        .iter()
        .map(String::as_str)
        .chain(package.catalogs.iter().filter(|_| package.inf.is_some()).filter_map(|c| c.path.as_deref()))
        .chain(package.coverage.iter().map(|r| r.file.as_str()));
    for name in names {
        if !files.contains(&name) {
            files.push(name);
        }
    }
    files
}

fn package_title(package: &PackageReport) -> String {
    match &package.inf {
        Some(inf) => format!("Package {inf}"),
        None => "Loose files".to_string(),
    }
}

/// `3 files, all covered by slabvcp.cat` and its variants (the worst fact first).
fn package_line(package: &PackageReport, rows: &[TriageRow]) -> String {
    let count = |s: CoverageStatus| rows.iter().filter(|r| r.coverage == Some(s)).count();
    let files = plural(rows.len(), "file", "files");
    let catalogs: Vec<&str> = package.catalogs.iter().map(|c| c.name.as_str()).collect();
    let mut parts = vec![files];
    let mismatch = count(CoverageStatus::Mismatch);
    if mismatch > 0 {
        parts.push(format!("{} changed since the catalog was signed", plural(mismatch, "file", "files")));
    }
    if package.catalogs.iter().any(|c| c.signature == Outcome::Fail) {
        parts.push("a catalog's signature does not verify".to_string());
    }
    if !package.missing_files.is_empty() {
        parts.push(format!("{} missing", plural(package.missing_files.len(), "referenced file", "referenced files")));
    }
    let outside = count(CoverageStatus::NotInCatalog);
    if outside > 0 {
        parts.push(format!("{} not in the catalog", plural(outside, "file", "files")));
    }
    if parts.len() == 1 {
        let covered = count(CoverageStatus::Covered);
        if catalogs.is_empty() {
            parts.push("no catalog".to_string());
        } else if covered > 0 {
            parts.push(format!("all covered by {}", catalogs.join(", ")));
        }
    }
    let (word, _) = outcome_words(package.verdict);
    format!("{word}: {}", parts.join("; "))
}

fn outcome_words(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Pass => ("OK", "pass"),
        Outcome::Warn => ("Warning", "warn"),
        Outcome::Fail => ("Problem", "fail"),
        Outcome::Unsupported => ("Not checked", "unsupported"),
        Outcome::NotPresent => ("Nothing to check", "absent"),
    }
}

fn row(file: &FileReport, package: Option<&PackageReport>, target: Target) -> TriageRow {
    let coverage_rows: Vec<&CoverageRow> = package.map(|p| p.coverage.iter().filter(|r| r.file == file.name).collect()).unwrap_or_default();
    // A package row's verdicts include the catalogs that cover the file.
    let verdicts: &[TargetVerdict] =
        coverage_rows.iter().find(|r| !r.verdicts.is_empty()).map(|r| r.verdicts.as_slice()).unwrap_or(&file.verdicts);
    let chosen = verdicts.iter().find(|v| v.target == target);
    let (signer, kind) = signer(file, chosen);
    let intact = intact(file);
    let coverage = coverage(file, &coverage_rows);
    TriageRow {
        file: file.name.clone(),
        role: role(file, package, &coverage_rows),
        signer,
        kind,
        intact,
        coverage,
        verdict: chosen.map(|v| v.verdict),
        why: chosen.map(|v| v.rule.clone()).unwrap_or_default(),
        loads_on: verdicts.iter().filter(|v| v.verdict != LoadVerdict::Blocked).count(),
        targets: verdicts.len(),
        tone: tone(file, intact, coverage, chosen.map(|v| v.verdict)),
        known_bad: known_bad(file),
    }
}

/// The file's block list matches in short, one per list and rule.
fn known_bad(file: &FileReport) -> Option<Vec<String>> {
    let report = file.blocklist.as_ref()?;
    let mut out: Vec<String> = Vec::new();
    for m in &report.matches {
        let what = match (m.category, &m.rule_name) {
            (Some(crate::report::LolCategory::Malicious), _) => "malicious".to_string(),
            (Some(crate::report::LolCategory::VulnerableDriver), _) => "vulnerable driver".to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => m.rule_id.clone(),
        };
        let line = format!("{}: {what}", m.list);
        if !out.contains(&line) {
            out.push(line);
        }
    }
    Some(out)
}

/// The row's tone from its own facts (a driver covered by its catalog is good even though its
/// file-level headline, which knows no catalog, says unsigned); the headline's tone otherwise.
fn tone(file: &FileReport, intact: Outcome, coverage: Option<CoverageStatus>, verdict: Option<LoadVerdict>) -> Tone {
    let broken = intact == Outcome::Fail || matches!(coverage, Some(CoverageStatus::Mismatch | CoverageStatus::CatalogUnverified));
    match verdict {
        _ if broken => Tone::Bad,
        Some(LoadVerdict::Blocked) => Tone::Bad,
        Some(LoadVerdict::LoadsWithConditions) => Tone::Caution,
        Some(LoadVerdict::Loads) => Tone::Good,
        None => headline(file).tone,
    }
}

fn role(file: &FileReport, package: Option<&PackageReport>, coverage: &[&CoverageRow]) -> String {
    if let Some(r) = coverage.first() {
        return r.role.name().to_string();
    }
    match file.kind {
        FileKind::Inf => "inf".to_string(),
        FileKind::Catalog => "catalog".to_string(),
        FileKind::Zip => "zip".to_string(),
        FileKind::Certificate => "certificate".to_string(),
        _ if package.is_some() => "extra".to_string(),
        kind if kind.is_pe() => "binary".to_string(),
        _ => "other".to_string(),
    }
}

/// The signer of the signature the chosen verdict rests on, else of the primary signature.
fn signer(file: &FileReport, chosen: Option<&TargetVerdict>) -> (String, Option<SignerKind>) {
    if let Some(rest) = chosen.and_then(|v| v.signature.as_ref()) {
        let by = if rest.signer.is_empty() { "an unnamed signer".to_string() } else { rest.signer.clone() };
        let text = match &rest.catalog {
            Some(cat) => format!("{by} (catalog {cat})"),
            None => by,
        };
        return (text, Some(rest.kind));
    }
    let primary = file.signatures.iter().find(|s| s.depth == 0).or(file.signatures.first());
    match primary {
        Some(sig) => {
            let by = sig.signer.as_ref().map(|c| c.subject_cn()).unwrap_or_else(|| "an unnamed signer".to_string());
            (by, sig.classification.as_ref().map(|c| c.kind))
        }
        None if file.kind.is_pe() || file.kind == FileKind::Catalog => ("unsigned".to_string(), None),
        None => (String::new(), None),
    }
}

fn intact(file: &FileReport) -> Outcome {
    let outer: Vec<_> = file.signatures.iter().filter(|s| s.depth == 0).collect();
    if outer.is_empty() {
        return Outcome::NotPresent;
    }
    let all: Vec<Outcome> = outer.iter().flat_map(|s| [s.digest_verdict, s.signature_verdict, s.page_hash_verdict]).collect();
    // A catalog's signature covers its own content: no file digest to compare.
    let digest_ok = |s: &&crate::report::SignatureReport| {
        s.digest_verdict == Outcome::Pass || (file.kind == FileKind::Catalog && s.digest_verdict != Outcome::Fail)
    };
    if all.contains(&Outcome::Fail) {
        Outcome::Fail
    } else if outer.iter().all(|s| digest_ok(s) && s.signature_verdict == Outcome::Pass) {
        Outcome::Pass
    } else {
        Outcome::Unsupported
    }
}

fn coverage(file: &FileReport, rows: &[&CoverageRow]) -> Option<CoverageStatus> {
    if file.kind == FileKind::Inf && rows.iter().all(|r| r.status == CoverageStatus::NotInCatalog) {
        return None;
    }
    // The best catalog wins: a file is covered when any of its catalogs covers it.
    let rank = |s: CoverageStatus| match s {
        CoverageStatus::Covered => 0,
        CoverageStatus::CatalogUnverified => 1,
        CoverageStatus::Mismatch => 2,
        CoverageStatus::NotInCatalog => 3,
    };
    rows.iter().map(|r| r.status).min_by_key(|s| rank(*s))
}

/// The words for a signer kind in a table cell.
pub fn kind_word(kind: SignerKind) -> &'static str {
    match kind {
        SignerKind::Whql => "WHQL",
        SignerKind::Attestation => "Attestation",
        SignerKind::WindowsComponent => "Windows component",
        SignerKind::Microsoft => "Microsoft",
        SignerKind::Elam => "ELAM",
        SignerKind::Store => "Store",
        SignerKind::MicrosoftUserMode => "Microsoft user-mode",
        SignerKind::CrossSignedSpc => "Cross-signed",
        SignerKind::SpcWithoutCrossCertificate => "Code signing, no cross certificate",
        SignerKind::TestSigned => "Test-signed",
        SignerKind::SelfSigned => "Self-signed",
        SignerKind::Untrusted => "Untrusted",
        SignerKind::Unsigned => "Unsigned",
    }
}

/// The words for a coverage status in a table cell.
pub fn coverage_word(status: CoverageStatus) -> &'static str {
    match status {
        CoverageStatus::Covered => "covered",
        CoverageStatus::CatalogUnverified => "catalog unverified",
        CoverageStatus::Mismatch => "mismatch",
        CoverageStatus::NotInCatalog => "not in catalog",
    }
}

/// The words for a load verdict in a table cell.
pub fn load_word(verdict: LoadVerdict) -> &'static str {
    match verdict {
        LoadVerdict::Loads => "loads",
        LoadVerdict::LoadsWithConditions => "loads with conditions",
        LoadVerdict::Blocked => "blocked",
    }
}

/// The words for the integrity cell.
pub fn intact_word(intact: Outcome) -> &'static str {
    match intact {
        Outcome::Pass => "intact",
        Outcome::Fail => "BROKEN",
        Outcome::NotPresent => "no signature",
        Outcome::Warn | Outcome::Unsupported => "not checked",
    }
}

/// A short Markdown summary for a ticket (about 15 lines for a typical package): the target, one
/// line per package, one per file (signer, kind, verdict), and what failed. The full export is
/// [`crate::markdown::report_markdown`].
pub fn summary_markdown(report: &InspectionReport, target: Target) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "**drvsig summary** for {} (`{}`)", target.label(), target.id());
    let verified_at = report.files.first().map(|f| f.verified_at.as_str()).unwrap_or("");
    if !verified_at.is_empty() {
        let _ = writeln!(out, "Judged at {verified_at}.");
    }
    let groups = triage(report, target);
    for group in &groups {
        out.push('\n');
        if group.line.is_empty() {
            let _ = writeln!(out, "**{}**", cell(&group.title));
        } else {
            let _ = writeln!(out, "**{}**: {}", cell(&group.title), cell(&group.line));
        }
        for r in &group.rows {
            let _ = writeln!(out, "- {}", file_line(r));
        }
    }
    let failed = failures(report, &groups, target);
    if !failed.is_empty() {
        let _ = writeln!(out, "\nFailed:");
        for line in failed.iter().take(8) {
            let _ = writeln!(out, "- {line}");
        }
        if failed.len() > 8 {
            let _ = writeln!(out, "- and {} more (see the full report)", failed.len().saturating_sub(8));
        }
    }
    out
}

/// `` `silabser.sys` (driver): WHQL, Microsoft ... (catalog slabvcp.cat); intact; covered; **loads** (12 of 15 targets) ``
fn file_line(r: &TriageRow) -> String {
    let mut parts = Vec::new();
    match (r.kind, r.signer.is_empty()) {
        (Some(kind), _) => parts.push(format!("{}, {}", kind_word(kind), cell(&r.signer))),
        (None, false) => parts.push(cell(&r.signer)),
        (None, true) => {}
    }
    if r.intact != Outcome::NotPresent {
        parts.push(intact_word(r.intact).to_string());
    }
    if let Some(c) = r.coverage {
        parts.push(coverage_word(c).to_string());
    }
    if let Some(v) = r.verdict {
        parts.push(format!("**{}** ({} of {} targets load it)", load_word(v), r.loads_on, r.targets));
    }
    if let Some(bad) = r.known_bad.as_ref().filter(|b| !b.is_empty()) {
        parts.push(format!("**on a block list**: {}", cell(&bad.join(", "))));
    }
    let detail = if parts.is_empty() { String::new() } else { format!(": {}", parts.join("; ")) };
    format!("`{}` ({}){detail}", r.file.replace('`', "'"), cell(&r.role))
}

/// What failed, one line each: broken signatures, catalog mismatches, the files blocked on the
/// target (with the rule), and the packages' failed findings.
fn failures(report: &InspectionReport, groups: &[TriageGroup], target: Target) -> Vec<String> {
    let mut out = Vec::new();
    for r in groups.iter().flat_map(|g| g.rows.iter()) {
        let name = format!("`{}`", r.file.replace('`', "'"));
        if r.intact == Outcome::Fail {
            out.push(format!("{name}: the signature is broken (changed after signing, or it does not verify)"));
        }
        match r.coverage {
            Some(CoverageStatus::Mismatch) => out.push(format!("{name}: changed since the catalog was signed (hash not in the catalog)")),
            Some(CoverageStatus::CatalogUnverified) => out.push(format!("{name}: its catalog's signature does not verify")),
            _ => {}
        }
        for bad in r.known_bad.iter().flatten() {
            out.push(format!("{name}: on a block list: {}", cell(bad)));
        }
        if r.verdict == Some(LoadVerdict::Blocked) {
            out.push(format!("{name}: blocked on `{}`: {}", target.id(), cell(&r.why)));
        }
    }
    for package in &report.packages {
        for m in &package.missing_files {
            out.push(format!(
                "{}: names `{}` ([{}]), which is not in the drop",
                cell(&package_title(package)),
                m.name.replace('`', "'"),
                cell(&m.section)
            ));
        }
        for f in package.findings.iter().filter(|f| f.outcome == Outcome::Fail) {
            out.push(format!("{}: {}", cell(&package_title(package)), cell(&f.reason)));
        }
    }
    out
}

/// Plain text for one Markdown line: no line breaks, no `*`/`_` emphasis surprises.
fn cell(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().replace('*', "\\*").replace('_', "\\_")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}
