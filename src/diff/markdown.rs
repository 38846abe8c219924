//! A [`DiffReport`] as Markdown for tickets: the summary first (what a person must know), then
//! each changed file and package. The page's "Export diff as Markdown" and `drvsig diff
//! --markdown` print this. Table cells and inline code are escaped like the report's Markdown.

use std::fmt::Write;

use super::{
    field_name, CatalogDiff, DiffReport, Direction, FileDiff, FileStatus, FindingDiff, InfDiff, PackageDiff, SetDiff, SignatureBrief,
    SignatureDiff, ValueChange, VerdictChange,
};
use crate::markdown::{cell, code};

/// The whole diff as Markdown (GitHub-flavoured tables).
pub fn diff_markdown(diff: &DiffReport) -> String {
    let mut out = String::from("# drvsig diff\n\n");
    if !diff.old_root.is_empty() || !diff.new_root.is_empty() {
        let side = |root: &str| {
            if root.is_empty() {
                "the files as given".to_string()
            } else {
                code(root.trim_end_matches('/'))
            }
        };
        let _ = writeln!(out, "Paths relative to {} (old) and {} (new).\n", side(&diff.old_root), side(&diff.new_root));
    }
    out.push_str("## Summary\n\n");
    if !diff.differs {
        out.push_str("No differences.\n");
        return out;
    }
    for h in &diff.highlights {
        let _ = writeln!(out, "- {}{}", direction_icon(h.direction), h.text.replace(['\r', '\n'], " "));
    }
    let c = &diff.counts;
    let _ = writeln!(
        out,
        "\nFiles: {} changed, {} added, {} removed, {} renamed, {} unchanged.\n",
        c.changed, c.added, c.removed, c.renamed, c.unchanged
    );
    let changed: Vec<&FileDiff> = diff.files.iter().filter(|f| f.status != FileStatus::Unchanged || f.renamed).collect();
    if !changed.is_empty() {
        out.push_str("## Files\n\n");
        for f in changed {
            file_section(&mut out, f);
        }
    }
    let unchanged: Vec<String> =
        diff.files.iter().filter(|f| f.status == FileStatus::Unchanged && !f.renamed).map(|f| code(f.path())).collect();
    if !unchanged.is_empty() {
        let _ = writeln!(out, "Unchanged: {}.\n", unchanged.join(", "));
    }
    let packages: Vec<&PackageDiff> = diff.packages.iter().filter(|p| p.status != FileStatus::Unchanged).collect();
    if !packages.is_empty() {
        out.push_str("## Packages\n\n");
        for p in packages {
            package_section(&mut out, p);
        }
    }
    out
}

/// `❌ ` worse, `✅ ` better, nothing when neutral.
pub fn direction_icon(d: Direction) -> &'static str {
    match d {
        Direction::Worse => "\u{274c} ",
        Direction::Better => "\u{2705} ",
        Direction::Neutral => "",
    }
}

fn file_section(out: &mut String, f: &FileDiff) {
    let renamed = match (&f.old_path, f.renamed) {
        (Some(old), true) => format!(", renamed from {}", code(old)),
        _ => String::new(),
    };
    let _ = writeln!(out, "### {} ({}, {}{renamed})\n", code(f.path()), f.kind.label(), f.status.word());
    changes_table(out, &f.changes);
    signatures(out, &f.signatures);
    verdicts(out, &f.verdicts);
    findings(out, &f.findings);
    if let Some(c) = &f.catalog {
        catalog(out, c);
    }
    if let Some(i) = &f.inf {
        inf(out, i);
    }
}

fn changes_table(out: &mut String, changes: &[ValueChange]) {
    if changes.is_empty() {
        return;
    }
    out.push_str("| | old | new |\n|---|---|---|\n");
    for c in changes {
        let name = match &c.of {
            Some(of) => format!("{} ({of})", field_name(c.field)),
            None => field_name(c.field).to_string(),
        };
        let value = |v: &Option<String>| v.as_deref().map_or_else(|| "\u{2014}".to_string(), cell);
        let _ = writeln!(out, "| {} | {} | {} |", cell(&name), value(&c.old), value(&c.new));
    }
    out.push('\n');
}

fn brief(s: &SignatureBrief) -> String {
    let who = s.signer.as_deref().unwrap_or("no signer certificate");
    let kind = s.kind.map_or(String::new(), |k| format!(", {}", k.name()));
    let ph = if s.page_hashes { ", page hashes" } else { "" };
    let ts = if s.timestamps.is_empty() { ", no timestamp".to_string() } else { format!(", timestamps: {}", s.timestamps.join("; ")) };
    format!("#{} {} ({}{kind}{ph}{ts})", s.index, code(who), s.digest_algorithm)
}

fn signatures(out: &mut String, s: &SignatureDiff) {
    if s.is_empty() {
        return;
    }
    out.push_str("Signatures:\n\n");
    for a in &s.added {
        let _ = writeln!(out, "- added: {}", brief(a));
    }
    for r in &s.removed {
        let _ = writeln!(out, "- removed: {}", brief(r));
    }
    for c in &s.changed {
        let what: Vec<String> = c
            .changes
            .iter()
            .map(|v| {
                format!("{} {} \u{2192} {}", field_name(v.field), v.old.as_deref().unwrap_or("none"), v.new.as_deref().unwrap_or("none"))
            })
            .collect();
        let _ = writeln!(out, "- {}changed: {}: {}", direction_icon(c.direction), brief(&c.new), what.join("; "));
    }
    out.push('\n');
}

/// The verdicts whose load verdict or deciding signature changed (rule text alone: JSON only).
fn verdicts(out: &mut String, list: &[VerdictChange]) {
    let rests_on = |v: &Option<crate::report::TargetVerdict>| v.as_ref().map(|t| t.rests_on.clone());
    let list: Vec<&VerdictChange> = list.iter().filter(|v| v.verdict_changed || rests_on(&v.old) != rests_on(&v.new)).collect();
    if list.is_empty() {
        return;
    }
    out.push_str("| Windows | old | new |\n|---|---|---|\n");
    for v in list {
        let side = |t: &Option<crate::report::TargetVerdict>| {
            t.as_ref().map_or_else(|| "\u{2014}".to_string(), |t| format!("{} ({})", t.verdict.name(), cell(&t.rests_on)))
        };
        let (old, new) = (side(&v.old), side(&v.new));
        if v.verdict_changed {
            let _ = writeln!(out, "| {}**{}** | **{old}** | **{new}** |", direction_icon(v.direction), cell(&v.label));
        } else {
            let _ = writeln!(out, "| {} | {old} | {new} |", cell(&v.label));
        }
    }
    out.push('\n');
}

fn findings(out: &mut String, f: &FindingDiff) {
    for x in &f.added {
        let _ = writeln!(out, "- new finding: {} ({}): {}", code(&x.check), x.outcome.name(), x.reason.replace(['\r', '\n'], " "));
    }
    for x in &f.removed {
        let _ = writeln!(out, "- finding gone: {} ({}): {}", code(&x.check), x.outcome.name(), x.reason.replace(['\r', '\n'], " "));
    }
    if !f.is_empty() {
        out.push('\n');
    }
}

fn set_lines(out: &mut String, what: &str, set: &SetDiff) {
    if !set.added.is_empty() {
        let items: Vec<String> = set.added.iter().map(|s| code(s)).collect();
        let _ = writeln!(out, "- {what} added: {}", items.join(", "));
    }
    if !set.removed.is_empty() {
        let items: Vec<String> = set.removed.iter().map(|s| code(s)).collect();
        let _ = writeln!(out, "- {what} removed: {}", items.join(", "));
    }
}

fn catalog(out: &mut String, c: &CatalogDiff) {
    out.push_str("Catalog:\n\n");
    let member = |m: &super::MemberBrief| {
        let file = m.file.as_deref().map_or(String::new(), |f| format!(" {}", code(f)));
        format!("{}{file}", code(&m.tag))
    };
    for m in &c.members_added {
        let _ = writeln!(out, "- member added: {}", member(m));
    }
    for m in &c.members_removed {
        let _ = writeln!(out, "- member removed: {}", member(m));
    }
    for m in &c.members_changed {
        let mut what = Vec::new();
        if m.old.tag != m.new.tag {
            what.push(format!("tag {} \u{2192} {}", code(&m.old.tag), code(&m.new.tag)));
        }
        what.extend(m.attributes.added.iter().map(|a| format!("attribute added {}", code(a))));
        what.extend(m.attributes.removed.iter().map(|a| format!("attribute removed {}", code(a))));
        let name = m.new.file.as_deref().map_or_else(|| code(&m.new.tag), code);
        let _ = writeln!(out, "- member changed: {name}: {}", what.join("; "));
    }
    set_lines(out, "attribute", &c.attributes);
    set_lines(out, "OSAttr Windows", &c.os_attr_windows);
    set_lines(out, "HWID", &c.hwids);
    out.push('\n');
    changes_table(out, &c.changes);
}

fn inf(out: &mut String, i: &InfDiff) {
    out.push_str("INF:\n\n");
    set_lines(out, "hardware ID", &i.hardware_ids);
    set_lines(out, "CatalogFile", &i.catalog_files);
    set_lines(out, "service", &i.services);
    set_lines(out, "copied file", &i.source_files);
    out.push('\n');
    changes_table(out, &i.changes);
}

fn package_section(out: &mut String, p: &PackageDiff) {
    let _ = writeln!(out, "### {} ({} package, {})\n", code(p.name()), p.kind, p.status.word());
    let verdict = |v: Option<crate::report::Outcome>| v.map_or("\u{2014}", crate::report::Outcome::name);
    if p.old_verdict != p.new_verdict {
        let _ = writeln!(out, "- verdict: {} \u{2192} {}", verdict(p.old_verdict), verdict(p.new_verdict));
    }
    if let (Some(a), Some(b), true) = (&p.old_inf, &p.new_inf, p.old_inf != p.new_inf) {
        let _ = writeln!(out, "- INF: {} \u{2192} {}", code(a), code(b));
    }
    set_lines(out, "catalog", &p.catalogs);
    set_lines(out, "missing file", &p.missing_files);
    set_lines(out, "missing member", &p.missing_members);
    set_lines(out, "HWID difference", &p.hwid_mismatches);
    out.push('\n');
    if !p.coverage.is_empty() {
        out.push_str("| file | old | new |\n|---|---|---|\n");
        for c in &p.coverage {
            let status = |s: Option<crate::report::CoverageStatus>, catalog: &str| {
                s.map_or_else(|| "\u{2014}".to_string(), |s| format!("{} ({})", s.name(), cell(catalog)))
            };
            let _ = writeln!(
                out,
                "| {}{} | {} | {} |",
                direction_icon(c.direction),
                cell(&c.file),
                status(c.old, &c.old_catalog),
                status(c.new, &c.new_catalog)
            );
        }
        out.push('\n');
    }
    findings(out, &p.findings);
}
