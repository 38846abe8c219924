//! Driver packages, above the file cards: per package its INF, catalogs (with their signature),
//! the coverage matrix (files x catalogs, mismatches highlighted), missing members and files, the
//! HWID comparison and the package findings.

use std::rc::Rc;

use drvsig::report::{CoverageRow, CoverageStatus, LoadVerdict, PackageReport, TargetVerdict};
use drvsig::Outcome;
use yew::prelude::*;

use super::paged_list::PagedList;

use super::badge::Badge;
use super::finding_list::FindingList;

#[derive(Properties, PartialEq)]
pub struct PackageListProps {
    pub packages: Rc<Vec<PackageReport>>,
    /// The package pass is running.
    pub pending: bool,
}

#[function_component(PackageList)]
pub fn package_list(props: &PackageListProps) -> Html {
    if props.packages.is_empty() && !props.pending {
        return html! {};
    }
    html! {
        <section class="packages" aria-labelledby="packages-title" aria-busy={props.pending.to_string()}>
            <h2 id="packages-title" class="results-title">
                { match props.packages.len() {
                    0 => "Packages".to_string(),
                    1 => "1 package".to_string(),
                    n => format!("{n} packages"),
                } }
                if props.pending {
                    <span class="progress package-progress">
                        <span class="spinner" aria-hidden="true"></span>
                        <span>{ "Matching files with catalogs\u{2026}" }</span>
                    </span>
                }
            </h2>
            { for props.packages.iter().enumerate().map(|(i, p)| html! {
                <PackageView key={i} index={i} package={p.clone()} />
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct PackageViewProps {
    pub index: usize,
    pub package: PackageReport,
}

/// The short name of a path: `a/b/c.sys` -> (`a/b/`, `c.sys`).
pub fn split_path(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    }
}

/// The word, glyph and outcome class for a coverage status.
pub fn coverage_label(status: CoverageStatus) -> (&'static str, &'static str) {
    match status {
        CoverageStatus::Covered => ("covered", "covered"),
        CoverageStatus::CatalogUnverified => ("catalog unverified", "catalog-unverified"),
        CoverageStatus::Mismatch => ("mismatch", "mismatch"),
        CoverageStatus::NotInCatalog => ("not in catalog", "not-in-catalog"),
    }
}

fn verdict_word(v: LoadVerdict) -> (&'static str, Outcome) {
    match v {
        LoadVerdict::Loads => ("loads", Outcome::Pass),
        LoadVerdict::LoadsWithConditions => ("with conditions", Outcome::Warn),
        LoadVerdict::Blocked => ("blocked", Outcome::Fail),
    }
}

#[function_component(PackageView)]
pub fn package_view(props: &PackageViewProps) -> Html {
    let p = &props.package;
    let title_id = format!("package-{}-title", props.index);
    let (title, kind_label) = match &p.inf {
        Some(inf) => (inf.clone(), "Driver package"),
        None => ("Files without an INF".to_string(), "Loose files"),
    };
    // Columns: the package's catalogs (path, or name when missing); rows: files in order.
    let mut columns: Vec<String> = p.catalogs.iter().map(|c| c.path.clone().unwrap_or_else(|| c.name.clone())).collect();
    for row in &p.coverage {
        if !columns.contains(&row.catalog) {
            columns.push(row.catalog.clone());
        }
    }
    let mut files: Vec<&str> = Vec::new();
    for row in &p.coverage {
        if !files.contains(&row.file.as_str()) {
            files.push(&row.file);
        }
    }
    let mismatches = p.coverage.iter().filter(|r| r.status == CoverageStatus::Mismatch).count();
    let covered = files.iter().filter(|f| p.coverage.iter().any(|r| r.file == **f && r.status == CoverageStatus::Covered)).count();
    let summary = format!(
        "{} of {} {} covered by a catalog{}{}",
        covered,
        files.len(),
        if files.len() == 1 { "file" } else { "files" },
        if mismatches > 0 { format!(", {mismatches} mismatched") } else { String::new() },
        if p.missing_files.is_empty() { String::new() } else { format!(", {} missing", p.missing_files.len()) },
    );
    let verdict_text = match p.verdict {
        Outcome::Pass => "Package intact",
        Outcome::Warn => "Package has warnings",
        Outcome::Fail => "Package has problems",
        _ => "Package not fully checked",
    };
    html! {
        <article
            class={classes!("package", format!("verdict-{}", crate::state::outcome_class(p.verdict)))}
            data-package={p.inf.clone().unwrap_or_else(|| "loose".into())}
            data-verdict={crate::state::outcome_class(p.verdict)}
            aria-labelledby={title_id.clone()}
        >
            <header class="package-head">
                <div class="package-title-block">
                    <p class="package-kind">{ kind_label }</p>
                    <h3 id={title_id} class="package-title">{ title }</h3>
                    <p class="package-summary muted">{ summary }</p>
                </div>
                <Badge outcome={p.verdict} text={verdict_text} large=true />
            </header>

            <details class="fold fold-package">
            <summary>{ package_details_summary(p) }</summary>
            if !p.catalogs.is_empty() {
                <div class="table-scroll">
                    <table class="data-table stack catalogs-table">
                        <caption>{ "Catalogs" }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ "Catalog" }</th>
                                <th scope="col">{ "Members" }</th>
                                <th scope="col">{ "Hash" }</th>
                                <th scope="col">{ "Signature" }</th>
                                <th scope="col">{ "Signer" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for p.catalogs.iter().map(|c| html! {
                                <tr data-catalog={c.name.clone()}>
                                    <th scope="row">
                                        <span class="file-base">{ &c.name }</span>
                                        { match &c.path {
                                            Some(path) => html! { <span class="cell-sub">{ path }</span> },
                                            None => html! { <span class="cell-sub cell-missing">{ "not in the drop" }</span> },
                                        } }
                                        if !c.decorations.iter().all(String::is_empty) {
                                            <span class="cell-sub">{ format!("CatalogFile.{}", c.decorations.join(", .")) }</span>
                                        }
                                    </th>
                                    <td class="num" data-label="Members">{ c.member_count }</td>
                                    <td data-label="Hash">{ c.subject_algorithm.to_ascii_uppercase().replace("SHA", "SHA-") }</td>
                                    <td data-label="Signature"><Badge outcome={c.signature} text={signature_word(c.signature, c.path.is_some())} /></td>
                                    <td class="break" data-label="Signer">{ c.signer.clone().unwrap_or_default() }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }

            if !p.coverage.is_empty() {
                <div class="table-scroll">
                    <table class="data-table stack coverage-matrix" data-role="coverage">
                        <caption>
                            { "Coverage: is each file's digest in the catalog?" }
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">{ "File" }</th>
                                <th scope="col">{ "Role" }</th>
                                { for columns.iter().map(|c| html! {
                                    <th scope="col" class="catalog-col">{ if c.is_empty() { "(no catalog)".to_string() } else { split_path(c).1.to_string() } }</th>
                                }) }
                                <th scope="col">{ "Windows" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for files.iter().map(|f| matrix_row(f, &columns, &p.coverage)) }
                        </tbody>
                    </table>
                </div>
            }

            if !p.missing_files.is_empty() {
                <div class="package-block missing-files">
                    <h4 class="section-title">{ "Missing files" }</h4>
                    <p class="muted">{ "The INF names these files but they are not in the drop." }</p>
                    <ul class="plain-list">
                        { for p.missing_files.iter().map(|m| html! {
                            <li data-missing-file={m.name.clone()}>
                                <Badge outcome={Outcome::Fail} text="missing" />
                                { " " }<code>{ &m.name }</code>
                                <span class="muted">{ format!(" \u{b7} {} in [{}], line {}", if m.referenced_as == drvsig::report::ReferencedAs::Catalog { "CatalogFile" } else { "source file" }, m.section, m.line) }</span>
                            </li>
                        }) }
                    </ul>
                </div>
            }

            if !p.missing_members.is_empty() {
                <div class="package-block missing-members">
                    <h4 class="section-title">{ "Catalog members without a file" }</h4>
                    <ul class="plain-list">
                        { for p.missing_members.iter().map(|m| html! {
                            <li data-missing-member={m.tag.clone()}>
                                <Badge outcome={Outcome::Warn} text="no file" />
                                { " " }<code>{ m.file.clone().unwrap_or_else(|| "(no File name)".into()) }</code>
                                <span class="muted">{ format!(" \u{b7} {} \u{b7} {}", split_path(&m.catalog).1, m.algorithm) }</span>
                                <span class="cell-sub hash">{ &m.tag }</span>
                                if !m.note.is_empty() {
                                    <span class="cell-sub">{ &m.note }</span>
                                }
                            </li>
                        }) }
                    </ul>
                </div>
            }

            if let Some(h) = &p.hwids {
                <details class="package-block hwids fold">
                    <summary class="section-title">{ hwid_summary(h) }</summary>
                    <div class="hwid-grid">
                        { hwid_column("In both", &h.in_both, Outcome::Pass) }
                        { hwid_column("Only in the catalog", &h.only_in_catalog, Outcome::Warn) }
                        { hwid_column("Only in the INF", &h.only_in_inf, Outcome::Warn) }
                    </div>
                </details>
            }

            </details>

            <FindingList findings={p.findings.clone()} title="Package findings" />
        </article>
    }
}

/// `Catalogs (1), coverage of 3 files, 2 missing files, 4 members without a file`.
pub fn package_details_summary(p: &PackageReport) -> String {
    let mut files: Vec<&str> = p.coverage.iter().map(|r| r.file.as_str()).collect();
    files.dedup();
    let mut parts =
        vec![format!("Catalogs ({}), coverage of {} file{}", p.catalogs.len(), files.len(), if files.len() == 1 { "" } else { "s" })];
    if !p.missing_files.is_empty() {
        parts.push(format!("{} missing file{}", p.missing_files.len(), if p.missing_files.len() == 1 { "" } else { "s" }));
    }
    if !p.missing_members.is_empty() {
        parts.push(format!("{} member{} without a file", p.missing_members.len(), if p.missing_members.len() == 1 { "" } else { "s" }));
    }
    if p.hwids.is_some() {
        parts.push("hardware IDs".to_string());
    }
    parts.join(", ")
}

/// `112 hardware IDs: 90 in both, 22 only in the catalog` (the parts that are not zero).
pub fn hwid_summary(h: &drvsig::report::HwidComparison) -> String {
    let total = h.in_both.len() + h.only_in_catalog.len() + h.only_in_inf.len();
    let mut parts = Vec::new();
    for (n, what) in
        [(h.in_both.len(), "in both"), (h.only_in_catalog.len(), "only in the catalog"), (h.only_in_inf.len(), "only in the INF")]
    {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!(
        "Hardware IDs, catalog vs INF: {total} hardware ID{}{}{}",
        if total == 1 { "" } else { "s" },
        if parts.is_empty() { "" } else { ": " },
        parts.join(", ")
    )
}

fn signature_word(o: Outcome, present: bool) -> &'static str {
    match (o, present) {
        (_, false) => "missing",
        (Outcome::Pass, _) => "verifies",
        (Outcome::Fail, _) => "does not verify",
        (Outcome::Warn, _) => "warning",
        _ => "not checked",
    }
}

fn hwid_column(title: &'static str, ids: &[String], outcome: Outcome) -> Html {
    html! {
        <div class="hwid-col">
            <h5>{ title }<span class="muted">{ format!(" ({})", ids.len()) }</span></h5>
            <PagedList
                items={std::rc::Rc::new(ids.to_vec())}
                label={format!("hardware IDs: {}", title.to_lowercase())}
                badge={Some((outcome, if outcome == Outcome::Pass { "match" } else { "differs" }))}
            />
        </div>
    }
}

fn matrix_row(file: &str, columns: &[String], rows: &[CoverageRow]) -> Html {
    let mine: Vec<&CoverageRow> = rows.iter().filter(|r| r.file == file).collect();
    let worst = mine
        .iter()
        .map(|r| r.status)
        .max_by_key(|s| match s {
            CoverageStatus::Mismatch => 3,
            CoverageStatus::CatalogUnverified => 2,
            CoverageStatus::NotInCatalog => 1,
            CoverageStatus::Covered => 0,
        })
        .unwrap_or_default();
    let role = mine.first().map(|r| r.role.name()).unwrap_or_default();
    let (dir, base) = split_path(file);
    // `?target=ID` limits these verdicts as it limits the file cards' tables.
    let (only, _) = crate::services::browser::requested_targets();
    let verdicts: Vec<TargetVerdict> =
        mine.iter().find(|r| !r.verdicts.is_empty()).map(|r| super::verdict_table::shown(&r.verdicts, &only)).unwrap_or_default();
    let (_, status_key) = coverage_label(worst);
    html! {
        <tr class={classes!("coverage-row", format!("is-{status_key}"))} data-file={file.to_string()} data-status={status_key}>
            <th scope="row">
                <span class="file-base">{ base }</span>
                if !dir.is_empty() {
                    <span class="cell-sub">{ dir }</span>
                }
            </th>
            <td data-label="Role"><span class="role-chip">{ role }</span></td>
            { for columns.iter().map(|c| {
                match mine.iter().find(|r| &r.catalog == c) {
                    Some(r) => {
                        let (word, key) = coverage_label(r.status);
                        html! {
                            <td class={classes!("coverage-cell", format!("is-{key}"))} data-catalog={c.clone()} data-status={key} data-label={split_path(c).1.to_string()}>
                                <Badge outcome={r.outcome} text={word} />
                                if !r.reason.is_empty() {
                                    <span class="cell-sub">{ &r.reason }</span>
                                }
                                if let Some(m) = r.members.first().or(r.named_members.first()) {
                                    <span class="cell-sub hash" title="catalog member tag">{ format!("tag {}", short_tag(&m.tag)) }</span>
                                }
                            </td>
                        }
                    }
                    None => html! { <td class="coverage-cell is-none" data-catalog={c.clone()}><span class="muted">{ "\u{2013}" }</span></td> },
                }
            }) }
            <td class="windows-cell" data-label="Windows">{ windows_summary(&verdicts) }</td>
        </tr>
    }
}

fn short_tag(tag: &str) -> String {
    if tag.len() > 16 {
        format!("{}\u{2026}", tag.get(..16).unwrap_or(tag))
    } else {
        tag.to_string()
    }
}

fn windows_summary(verdicts: &[TargetVerdict]) -> Html {
    if verdicts.is_empty() {
        return html! { <span class="muted">{ "\u{2013}" }</span> };
    }
    let loads = verdicts.iter().filter(|v| v.verdict != LoadVerdict::Blocked).count();
    let outcome = if loads == verdicts.len() {
        Outcome::Pass
    } else if loads == 0 {
        Outcome::Fail
    } else {
        Outcome::Warn
    };
    html! {
        <details class="windows-details">
            <summary><Badge {outcome} text={format!("loads on {loads} of {}", verdicts.len())} /></summary>
            <ul class="plain-list verdict-mini">
                { for verdicts.iter().map(|v| {
                    let (word, o) = verdict_word(v.verdict);
                    html! {
                        <li title={v.rule.clone()}>
                            <Badge outcome={o} text={word} />
                            { " " }{ &v.label }
                        </li>
                    }
                }) }
            </ul>
        </details>
    }
}
