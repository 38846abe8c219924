//! The text form of a driver package: its catalogs, the coverage table, what is missing.

use std::fmt::Write;

use drvsig::report::{CoverageStatus, Outcome, PackageReport};

use crate::text::mark;

fn status(s: CoverageStatus) -> &'static str {
    match s {
        CoverageStatus::Covered => "covered",
        CoverageStatus::CatalogUnverified => "CATALOG UNVERIFIED",
        CoverageStatus::Mismatch => "MISMATCH",
        CoverageStatus::NotInCatalog => "not in catalog",
    }
}

fn short(hex: &str) -> String {
    if hex.len() > 16 {
        format!("{}..", hex.get(..16).unwrap_or(hex))
    } else {
        hex.to_string()
    }
}

/// Render one package as a block of text.
pub fn render(p: &PackageReport, targets: &[drvsig::policy::Target]) -> String {
    let mut s = String::new();
    let title = match &p.inf {
        Some(inf) => format!("package {inf}"),
        None => "loose files (no INF) against the catalogs of the drop".to_string(),
    };
    let _ = writeln!(s, "{title}  [{}]", mark(p.verdict));
    for c in &p.catalogs {
        match &c.path {
            Some(path) => {
                let _ = writeln!(
                    s,
                    "  catalog     {path} ({}, {} members) signature {}{}",
                    if c.subject_algorithm.is_empty() { "unreadable" } else { &c.subject_algorithm },
                    c.member_count,
                    mark(c.signature),
                    c.signer.as_deref().map(|x| format!(" by {x}")).unwrap_or_default()
                );
            }
            None => {
                let _ = writeln!(s, "  catalog     {} MISSING from the drop", c.name);
            }
        }
    }
    if !p.coverage.is_empty() {
        let width = p.coverage.iter().map(|r| r.file.len()).max().unwrap_or(4).max(4);
        let _ = writeln!(s, "  {:<width$}  {:<18} {:<12} embedded", "file", "status", "hash");
        for r in &p.coverage {
            let embedded = if r.embedded.count == 0 {
                "none".to_string()
            } else {
                format!("{} signature(s) {}", r.embedded.count, mark(r.embedded.verdict))
            };
            let _ = writeln!(s, "  {:<width$}  {:<18} {:<12} {embedded}", r.file, status(r.status), r.hash_kind);
            for m in &r.members {
                let _ = writeln!(s, "  {:<width$}    member {} {} (by {})", "", m.algorithm, m.tag, m.matched_by);
            }
            if r.status != CoverageStatus::Covered {
                let _ = writeln!(s, "  {:<width$}    {}", "", r.reason);
                for d in &r.digests {
                    let _ = writeln!(s, "  {:<width$}    file {} {}", "", d.algorithm, d.digest);
                }
                for m in &r.named_members {
                    let _ = writeln!(
                        s,
                        "  {:<width$}    catalog lists {} with {} {}",
                        "",
                        m.file.as_deref().unwrap_or("?"),
                        m.algorithm,
                        m.digest.as_deref().unwrap_or(&m.tag)
                    );
                }
            }
            for w in &r.windows_uses {
                let _ = writeln!(s, "  {:<width$}    - {w}", "");
            }
            if !r.verdicts.is_empty() {
                let _ = writeln!(s, "  {:<width$}    would Windows load it (with this package's catalogs)?", "");
                crate::text::verdicts(&mut s, &format!("  {:<width$}      ", ""), &r.verdicts, targets);
            }
        }
    }
    if !p.missing_files.is_empty() {
        let _ = writeln!(s, "  missing files (referenced by the INF, not in the drop):");
        for m in &p.missing_files {
            let _ = writeln!(s, "    FAIL  {} ({} in [{}], line {})", m.name, m.referenced_as, m.section, m.line);
        }
    }
    if !p.missing_members.is_empty() {
        let _ = writeln!(s, "  catalog members without a file in the drop:");
        for m in &p.missing_members {
            let _ =
                writeln!(s, "    {} {} {} ({})", m.algorithm, short(&m.tag), m.file.as_deref().unwrap_or("(no File attribute)"), m.note);
        }
    }
    if let Some(h) = &p.hwids {
        let _ = writeln!(
            s,
            "  hwids       {} in both; {} only in the catalog; {} only in the INF",
            h.in_both.len(),
            h.only_in_catalog.len(),
            h.only_in_inf.len()
        );
        for id in &h.only_in_inf {
            let _ = writeln!(s, "    only in the INF: {id}");
        }
        for id in &h.only_in_catalog {
            let _ = writeln!(s, "    only in the catalog: {id}");
        }
    }
    for f in p.findings.iter().filter(|f| f.outcome != Outcome::Pass) {
        let _ = writeln!(s, "  {:<5} {}: {}", mark(f.outcome), f.check, f.reason);
    }
    s.push('\n');
    s
}
