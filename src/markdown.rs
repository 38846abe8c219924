//! The report as Markdown for support tickets: one section per file (a verdict line, facts,
//! signatures, per-Windows verdicts, findings), then one per package (catalogs, coverage, missing
//! files and members, HWIDs, findings). Plain text only: table cells escape `|` and line breaks,
//! so any file name or certificate subject is safe to paste.

use std::fmt::Write;

use crate::report::{CoverageStatus, FileReport, Finding, InspectionReport, LoadVerdict, Outcome, PackageReport, SignatureReport};

/// The whole inspection as Markdown (GitHub-flavoured tables).
pub fn report_markdown(report: &InspectionReport) -> String {
    let mut out = String::new();
    out.push_str("# drvsig report\n\n");
    let verified_at = report.files.first().map(|f| f.verified_at.as_str()).unwrap_or("");
    let _ = writeln!(
        out,
        "{} {}, {} {}{}.\n",
        report.files.len(),
        if report.files.len() == 1 { "file" } else { "files" },
        report.packages.len(),
        if report.packages.len() == 1 { "package" } else { "packages" },
        if verified_at.is_empty() { String::new() } else { format!(", judged at {verified_at}") }
    );
    for package in &report.packages {
        package_section(&mut out, package);
    }
    for file in &report.files {
        file_section(&mut out, file);
    }
    out
}

/// The file's one-sentence verdict (the same headline the page and the CLI show).
pub fn file_line(file: &FileReport) -> String {
    let h = crate::summary::headline(file);
    format!("{} {}.", h.icon, h.sentence)
}

fn outcome_word(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Pass => ("\u{2705}", "no problems found"),
        Outcome::Warn => ("\u{26a0}\u{fe0f}", "warnings"),
        Outcome::Fail => ("\u{274c}", "problems found"),
        Outcome::Unsupported => ("\u{2754}", "some checks could not be made"),
        Outcome::NotPresent => ("\u{2796}", "nothing to check"),
    }
}

fn outcome_text(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Warn => "warning",
        Outcome::Fail => "FAIL",
        Outcome::Unsupported => "not checked",
        Outcome::NotPresent => "not present",
    }
}

fn coverage_text(s: CoverageStatus) -> &'static str {
    match s {
        CoverageStatus::Covered => "covered",
        CoverageStatus::CatalogUnverified => "catalog unverified",
        CoverageStatus::Mismatch => "MISMATCH",
        CoverageStatus::NotInCatalog => "not in catalog",
    }
}

fn load_text(v: LoadVerdict) -> &'static str {
    match v {
        LoadVerdict::Loads => "loads",
        LoadVerdict::LoadsWithConditions => "loads with conditions",
        LoadVerdict::Blocked => "blocked",
    }
}

/// A table cell: no pipes or line breaks.
pub(crate) fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Inline code that survives backticks in the text.
pub(crate) fn code(text: &str) -> String {
    let clean = text.replace(['\r', '\n'], " ");
    if clean.contains('`') {
        format!("`` {clean} ``")
    } else {
        format!("`{clean}`")
    }
}

fn file_section(out: &mut String, file: &FileReport) {
    let _ = writeln!(out, "## {}\n", code(&file.name));
    let _ = writeln!(out, "{}\n", file_line(file));
    let _ = writeln!(out, "- Type: {}", file.kind.label());
    let _ = writeln!(out, "- Size: {} bytes", file.size);
    let _ = writeln!(out, "- SHA-256: {}", code(&file.sha256));
    if let Some(pe) = &file.pe {
        let _ = writeln!(out, "- PE: {} {} {}", pe.format, pe.machine, pe.subsystem);
        match &pe.certificate_table {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "- Certificate table: {} bytes at 0x{:x}, {} entr{}",
                    t.size,
                    t.offset,
                    t.entries.len(),
                    if t.entries.len() == 1 { "y" } else { "ies" }
                );
            }
            None => out.push_str("- Certificate table: none\n"),
        }
        if let Some(v) = &pe.version {
            let name = v.original_filename.as_deref().map(code).unwrap_or_else(|| "-".to_string());
            let version = v.file_version_fixed.map(|f| f.to_string()).unwrap_or_else(|| "-".to_string());
            let company = v.company_name.as_deref().map(code).unwrap_or_else(|| "-".to_string());
            let _ = writeln!(out, "- Version resource: OriginalFilename {name}, file version {version}, company {company}");
        }
    }
    if let Some(b) = &file.blocklist {
        let lists: Vec<String> = b.lists.iter().map(|l| format!("{} {}", l.name, l.version)).collect();
        let _ = writeln!(out, "- Block lists: {} match(es); judged against {}", b.matches.len(), cell(&lists.join("; ")));
        for m in &b.matches {
            let _ = writeln!(out, "  - {} {}: {} ({})", cell(&m.list), m.list_version, code(&m.rule_id), cell(&m.detail));
        }
    }
    if let Some(cat) = &file.catalog {
        let _ = writeln!(
            out,
            "- Catalog: {} members, {}, list {}, this update {}",
            cat.member_count,
            cat.subject_algorithm,
            code(&cat.list_identifier),
            cat.this_update
        );
        if !cat.os_attr_windows.is_empty() {
            let _ = writeln!(out, "- Catalog OS: {}", cat.os_attr_windows.join(", "));
        }
    }
    if let Some(inf) = &file.inf {
        if let Some(p) = &inf.provider {
            let _ = writeln!(out, "- INF provider: {p}");
        }
        if let Some(v) = &inf.driver_version {
            let _ = writeln!(out, "- INF DriverVer: {}{v}", inf.driver_date.as_deref().map(|d| format!("{d}, ")).unwrap_or_default());
        }
    }
    out.push('\n');
    if !file.signatures.is_empty() {
        out.push_str(
            "### Signatures\n\n| # | source | digest | signer | digest check | signature | timestamp |\n|---|---|---|---|---|---|---|\n",
        );
        for s in &file.signatures {
            signature_row(out, s);
        }
        out.push('\n');
    }
    if !file.verdicts.is_empty() {
        out.push_str(
            "### Would Windows load it?\n\n| Windows | arch | verdict | rule | rests on | conditions |\n|---|---|---|---|---|---|\n",
        );
        for v in &file.verdicts {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} ({}) | {} | {} |",
                cell(&v.label),
                v.arch.id(),
                load_text(v.verdict),
                cell(&v.rule),
                cell(&v.source),
                cell(&v.rests_on),
                cell(&v.conditions.join("; "))
            );
        }
        out.push('\n');
    }
    let findings: Vec<&Finding> =
        file.findings.iter().chain(file.signatures.iter().flat_map(|s| s.findings.iter())).filter(|f| f.outcome != Outcome::Pass).collect();
    findings_list(out, &findings);
}

fn signature_row(out: &mut String, s: &SignatureReport) {
    let signer = s.signer.as_ref().map(|c| c.subject_cn()).unwrap_or_else(|| "(unknown)".into());
    let ts = s
        .timestamps
        .iter()
        .map(|t| format!("{} {}", t.time.as_deref().unwrap_or("(no time)"), outcome_text(t.verdict)))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(
        out,
        "| {}{} | {} | {} | {} | {} | {} | {} |",
        "\u{21b3}".repeat(usize::try_from(s.depth).unwrap_or(0).min(4)),
        s.index,
        cell(&s.source),
        cell(&s.digest_algorithm),
        cell(&signer),
        outcome_text(s.digest_verdict),
        outcome_text(s.signature_verdict),
        if ts.is_empty() { "none".to_string() } else { cell(&ts) }
    );
}

fn findings_list(out: &mut String, findings: &[&Finding]) {
    if findings.is_empty() {
        return;
    }
    let mut sorted: Vec<&&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| match f.outcome {
        Outcome::Fail => 0,
        Outcome::Warn => 1,
        _ => 2,
    });
    out.push_str("### Findings\n\n");
    for f in sorted {
        let at = f.offset.map(|o| format!(" (at 0x{o:x})")).unwrap_or_default();
        let _ = writeln!(out, "- **{}** {}: {}{at}", outcome_text(f.outcome), code(&f.check), f.reason.replace('\n', " "));
    }
    out.push('\n');
}

fn package_section(out: &mut String, p: &PackageReport) {
    let title = match &p.inf {
        Some(inf) => format!("Package {}", code(inf)),
        None => "Files without an INF".to_string(),
    };
    let _ = writeln!(out, "## {title}\n");
    let _ = writeln!(out, "{} Package verdict: {}.\n", outcome_word(p.verdict).0, outcome_text(p.verdict));
    if !p.catalogs.is_empty() {
        out.push_str("| catalog | found at | members | algorithm | signature | signer |\n|---|---|---|---|---|---|\n");
        for c in &p.catalogs {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&c.name),
                c.path.as_deref().map(cell).unwrap_or_else(|| "MISSING".into()),
                c.member_count,
                cell(&c.subject_algorithm),
                outcome_text(c.signature),
                c.signer.as_deref().map(|s| cell(&crate::x509::name::cn_or_name(s))).unwrap_or_default()
            );
        }
        out.push('\n');
    }
    if !p.coverage.is_empty() {
        out.push_str("| file | role | catalog | status | reason |\n|---|---|---|---|---|\n");
        for r in &p.coverage {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&r.file),
                r.role.name(),
                cell(&r.catalog),
                coverage_text(r.status),
                cell(&r.reason)
            );
        }
        out.push('\n');
    }
    if !p.missing_files.is_empty() {
        out.push_str("Missing files (named by the INF, not in the drop):\n\n");
        for m in &p.missing_files {
            let _ = writeln!(out, "- {} ({} in [{}], line {})", code(&m.name), m.referenced_as, m.section, m.line);
        }
        out.push('\n');
    }
    if !p.missing_members.is_empty() {
        out.push_str("Catalog members without a file:\n\n");
        for m in &p.missing_members {
            let _ = writeln!(
                out,
                "- {} {} in {}{}",
                m.file.as_deref().map(code).unwrap_or_else(|| "(no File name)".into()),
                code(&m.tag),
                code(&m.catalog),
                if m.note.is_empty() { String::new() } else { format!(": {}", m.note) }
            );
        }
        out.push('\n');
    }
    if let Some(h) = &p.hwids {
        let _ = writeln!(
            out,
            "Hardware IDs ({}): {} in both, only in catalog: {}, only in INF: {}.\n",
            code(&h.catalog),
            h.in_both.len(),
            if h.only_in_catalog.is_empty() { "none".to_string() } else { h.only_in_catalog.join(", ") },
            if h.only_in_inf.is_empty() { "none".to_string() } else { h.only_in_inf.join(", ") }
        );
    }
    let findings: Vec<&Finding> = p.findings.iter().filter(|f| f.outcome != Outcome::Pass).collect();
    findings_list(out, &findings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::inspect;
    use crate::options::Options;
    use crate::report::FileKind;
    use crate::report::{CatalogMemberReport, CoverageRow, PackageCatalog, TargetVerdict};
    use crate::time::UnixTime;

    fn sample() -> InspectionReport {
        let mut a = inspect("drv|x.sys", b"MZ not really", &Options::at(UnixTime(1_700_000_000)));
        a.kind = FileKind::Pe32Plus;
        a.findings.push(Finding::new("pe.x", Outcome::Fail, "line one\nline two").at(0x40));
        a.findings.push(Finding::new("pe.y", Outcome::Warn, "careful"));
        a.verdicts.push(TargetVerdict {
            label: "Windows 10 1607+ / 11, Secure Boot on".into(),
            verdict: LoadVerdict::Blocked,
            rule: "needs a Microsoft signature".into(),
            source: "Driver Signing Policy".into(),
            rests_on: "embedded signature #0 (sha256)".into(),
            ..Default::default()
        });
        let inf = inspect("pkg/a.inf", b"[Version]\r\nCatalogFile=a.cat\r\n", &Options::at(UnixTime(0)));
        let package = PackageReport {
            kind: crate::report::PackageKind::Inf,
            inf: Some("pkg/a.inf".into()),
            catalogs: vec![PackageCatalog { name: "a.cat".into(), member_count: 2, ..Default::default() }],
            coverage: vec![CoverageRow {
                file: "drv|x.sys".into(),
                catalog: "a.cat".into(),
                status: CoverageStatus::Mismatch,
                reason: "digest differs".into(),
                ..Default::default()
            }],
            verdict: Outcome::Fail,
            ..Default::default()
        };
        let _ = CatalogMemberReport::default();
        InspectionReport { made_by: None, files: vec![a, inf], packages: vec![package] }
    }

    #[test]
    fn names_every_file_and_package_row() {
        let md = report_markdown(&sample());
        assert!(md.starts_with("# drvsig report\n\n2 files, 1 package, judged at 2023-11-14T22:13:20Z."), "{md}");
        assert!(md.contains("## `drv|x.sys`"), "{md}");
        assert!(md.contains("## `pkg/a.inf`"), "{md}");
        assert!(md.contains("## Package `pkg/a.inf`"), "{md}");
        assert!(md.contains("| drv\\|x.sys | extra |") || md.contains("| drv\\|x.sys |  |"), "{md}");
        assert!(md.contains("MISMATCH"), "{md}");
        assert!(md.contains("| a.cat | MISSING | 2 |"), "{md}");
        assert!(
            md.contains(
                "| Windows 10 1607+ / 11, Secure Boot on | x64 | blocked | needs a Microsoft signature (Driver Signing Policy) | \
                 embedded signature #0 (sha256) |  |"
            ),
            "{md}"
        );
    }

    #[test]
    fn findings_fail_first_on_one_line_with_offsets() {
        let md = report_markdown(&sample());
        let fail = md.find("**FAIL** `pe.x`: line one line two (at 0x40)").expect("the failure line");
        let warn = md.find("**warning** `pe.y`: careful").expect("the warning line");
        assert!(fail < warn);
    }

    #[test]
    fn file_line_says_signed_or_not() {
        let r = sample();
        assert_eq!(
            file_line(&r.files[0]),
            "\u{2716} Unsigned: no embedded signature; without a catalog that lists it, Windows will not load it."
        );
        assert!(!file_line(&r.files[1]).is_empty());
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(report_markdown(&InspectionReport::default()), "# drvsig report\n\n0 files, 0 packages.\n\n");
    }
}
