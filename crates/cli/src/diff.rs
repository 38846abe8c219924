//! `drvsig diff OLD NEW`: both sides inspected like `drvsig inspect` does, compared by
//! `drvsig::diff::diff`, printed as text (summary first, details after), JSON or Markdown.

use std::fmt::Write;
use std::path::Path;
use std::process::ExitCode;

use drvsig::diff::{
    field_name, DiffReport, Direction, FileDiff, FileStatus, FindingDiff, PackageDiff, SetDiff, SignatureBrief, ValueChange,
};
use drvsig::Options;

pub enum Format {
    Text,
    Json,
    Markdown,
}

/// Inspect both sides, compare, print; exit 0 when nothing differs, 1 when something does, 2 on
/// I/O errors.
pub fn run(old: &Path, new: &Path, format: Format, options: &Options) -> ExitCode {
    let old_report = match crate::inspect_drop(&[old.to_path_buf()], options) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let new_report = match crate::inspect_drop(&[new.to_path_buf()], options) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let diff = drvsig::diff::diff(&old_report, &new_report);
    match format {
        Format::Json => match serde_json::to_string_pretty(&diff) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("drvsig: cannot serialize the diff: {e}");
                return ExitCode::from(2);
            }
        },
        Format::Markdown => print!("{}", drvsig::diff::markdown::diff_markdown(&diff)),
        Format::Text => print!("{}", render(&diff, old, new)),
    }
    if diff.differs {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The diff as text: what a person must know first, then each changed file and package.
pub fn render(diff: &DiffReport, old: &Path, new: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "old  {}", shown(old, &diff.old_root));
    let _ = writeln!(s, "new  {}", shown(new, &diff.new_root));
    if !diff.differs {
        let _ = writeln!(s, "no differences ({} files compared)", diff.counts.unchanged);
        return s;
    }
    let _ = writeln!(s, "\nsummary");
    for h in &diff.highlights {
        let _ = writeln!(s, "  {}{}", mark(h.direction), h.text);
    }
    let c = &diff.counts;
    let _ = writeln!(
        s,
        "  files: {} changed, {} added, {} removed, {} renamed, {} unchanged",
        c.changed, c.added, c.removed, c.renamed, c.unchanged
    );
    let _ = writeln!(s, "\ndetails");
    for f in diff.files.iter().filter(|f| f.status != FileStatus::Unchanged || f.renamed) {
        file(&mut s, f);
    }
    for p in diff.packages.iter().filter(|p| p.status != FileStatus::Unchanged) {
        package(&mut s, p);
    }
    s
}

/// The argument, or the folder inside it the compared paths are relative to (a zip's top folder).
fn shown(arg: &Path, root: &str) -> String {
    if root.is_empty() {
        arg.display().to_string()
    } else {
        root.trim_end_matches('/').to_string()
    }
}

/// `WORSE`, `better`, or blank, padded: the text output's counterpart of the Markdown icons.
fn mark(d: Direction) -> &'static str {
    match d {
        Direction::Worse => "WORSE   ",
        Direction::Better => "better  ",
        Direction::Neutral => "        ",
    }
}

fn value_line(s: &mut String, indent: &str, c: &ValueChange) {
    let name = match &c.of {
        Some(of) => format!("{} ({of})", field_name(c.field)),
        None => field_name(c.field).to_string(),
    };
    let _ = writeln!(s, "{indent}{name}: {} -> {}", c.old.as_deref().unwrap_or("none"), c.new.as_deref().unwrap_or("none"));
}

fn set_lines(s: &mut String, indent: &str, what: &str, set: &SetDiff) {
    for a in &set.added {
        let _ = writeln!(s, "{indent}+ {what} {a}");
    }
    for r in &set.removed {
        let _ = writeln!(s, "{indent}- {what} {r}");
    }
}

fn findings(s: &mut String, f: &FindingDiff) {
    for x in &f.added {
        let _ = writeln!(s, "  + finding {} ({}): {}", x.check, x.outcome.name(), x.reason);
    }
    for x in &f.removed {
        let _ = writeln!(s, "  - finding {} ({}): {}", x.check, x.outcome.name(), x.reason);
    }
}

fn brief(b: &SignatureBrief) -> String {
    let kind = b.kind.map_or(String::new(), |k| format!(", {}", k.name()));
    let ph = if b.page_hashes { ", page hashes" } else { "" };
    let ts = if b.timestamps.is_empty() { ", no timestamp".to_string() } else { format!(", {}", b.timestamps.join("; ")) };
    format!("#{} {} ({}{kind}{ph}{ts})", b.index, b.signer.as_deref().unwrap_or("no signer certificate"), b.digest_algorithm)
}

fn file(s: &mut String, f: &FileDiff) {
    let renamed = match (&f.old_path, f.renamed) {
        (Some(old), true) => format!(", renamed from {old}"),
        _ => String::new(),
    };
    let _ = writeln!(s, "{} ({}, {}{renamed})", f.path(), f.kind.label(), f.status.word());
    for c in &f.changes {
        value_line(s, "  ", c);
    }
    for a in &f.signatures.added {
        let _ = writeln!(s, "  + signature {}", brief(a));
    }
    for r in &f.signatures.removed {
        let _ = writeln!(s, "  - signature {}", brief(r));
    }
    for c in &f.signatures.changed {
        let _ = writeln!(s, "  ~ signature {}", brief(&c.new));
        for v in &c.changes {
            value_line(s, "      ", v);
        }
    }
    // Verdicts whose rule text alone changed are in the JSON, not here.
    for v in f.verdicts.iter().filter(|v| v.verdict_changed || rests_on(v.old.as_ref()) != rests_on(v.new.as_ref())) {
        let word = |t: &Option<drvsig::report::TargetVerdict>| {
            t.as_ref().map_or("none".to_string(), |t| format!("{} ({})", t.verdict.name(), t.rests_on))
        };
        let flag = if v.verdict_changed { mark(v.direction) } else { "        " };
        let _ = writeln!(s, "  {flag}{}: {} -> {}", v.label, word(&v.old), word(&v.new));
    }
    findings(s, &f.findings);
    if let Some(c) = &f.catalog {
        let member = |m: &drvsig::diff::MemberBrief| format!("{}{}", m.tag, m.file.as_deref().map_or(String::new(), |f| format!(" ({f})")));
        for m in &c.members_added {
            let _ = writeln!(s, "  + member {}", member(m));
        }
        for m in &c.members_removed {
            let _ = writeln!(s, "  - member {}", member(m));
        }
        for m in &c.members_changed {
            let _ = writeln!(s, "  ~ member {} -> {}", member(&m.old), member(&m.new));
            set_lines(s, "      ", "attribute", &m.attributes);
        }
        set_lines(s, "  ", "catalog attribute", &c.attributes);
        set_lines(s, "  ", "OSAttr Windows", &c.os_attr_windows);
        set_lines(s, "  ", "catalog HWID", &c.hwids);
        for v in &c.changes {
            value_line(s, "  ", v);
        }
    }
    if let Some(i) = &f.inf {
        set_lines(s, "  ", "hardware ID", &i.hardware_ids);
        set_lines(s, "  ", "CatalogFile", &i.catalog_files);
        set_lines(s, "  ", "service", &i.services);
        set_lines(s, "  ", "copied file", &i.source_files);
        for v in &i.changes {
            value_line(s, "  ", v);
        }
    }
}

fn rests_on(v: Option<&drvsig::report::TargetVerdict>) -> Option<&str> {
    v.map(|v| v.rests_on.as_str())
}

fn package(s: &mut String, p: &PackageDiff) {
    let _ = writeln!(s, "package {} ({}, {})", p.name(), p.kind, p.status.word());
    if p.old_verdict != p.new_verdict {
        let v = |o: Option<drvsig::Outcome>| o.map_or("none", drvsig::Outcome::name);
        let _ = writeln!(s, "  verdict: {} -> {}", v(p.old_verdict), v(p.new_verdict));
    }
    for c in &p.coverage {
        let st = |x: Option<drvsig::report::CoverageStatus>| x.map_or("not in the package", drvsig::report::CoverageStatus::name);
        let _ = writeln!(s, "  {}{}: {} -> {}", mark(c.direction), c.file, st(c.old), st(c.new));
    }
    set_lines(s, "  ", "catalog", &p.catalogs);
    set_lines(s, "  ", "missing file", &p.missing_files);
    set_lines(s, "  ", "missing member", &p.missing_members);
    set_lines(s, "  ", "HWID difference", &p.hwid_mismatches);
    findings(s, &p.findings);
}
