//! Compare mode: the earlier drop against the files on the page (`drvsig::diff`), the summary
//! first (what changed for loading the driver), then each changed file and package as old / new
//! columns with the changes highlighted (worse, better), and "Export diff as Markdown"
//! (`drvsig::diff::markdown`, the text `drvsig diff --markdown` prints).

use std::rc::Rc;

use drvsig::diff::{field_name, DiffReport, Direction, FileDiff, FileStatus, PackageDiff, SetDiff, SignatureBrief, ValueChange};
use yew::prelude::*;

use crate::services::browser;
use crate::text::inert_html;

/// One line of an old / new table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    /// Empty when the side has nothing (shown as a dash).
    pub old: String,
    pub new: String,
    pub direction: Direction,
}

impl Row {
    fn new(label: impl Into<String>, old: Option<&str>, new: Option<&str>) -> Row {
        Row {
            label: label.into(),
            old: old.unwrap_or_default().to_string(),
            new: new.unwrap_or_default().to_string(),
            direction: Direction::Neutral,
        }
    }

    fn toward(mut self, direction: Direction) -> Row {
        self.direction = direction;
        self
    }
}

fn value_rows(changes: &[ValueChange]) -> impl Iterator<Item = Row> + '_ {
    changes.iter().map(|c| {
        let label = match &c.of {
            Some(of) => format!("{} ({of})", field_name(c.field)),
            None => field_name(c.field).to_string(),
        };
        Row::new(label, c.old.as_deref(), c.new.as_deref())
    })
}

fn set_rows<'a>(what: &'a str, set: &'a SetDiff) -> impl Iterator<Item = Row> + 'a {
    let added = set.added.iter().map(move |a| Row::new(what, None, Some(a)));
    added.chain(set.removed.iter().map(move |r| Row::new(what, Some(r), None)))
}

fn signature_text(s: &SignatureBrief) -> String {
    let kind = s.kind.map_or(String::new(), |k| format!(", {}", k.name()));
    let ph = if s.page_hashes { ", page hashes" } else { "" };
    let ts = if s.timestamps.is_empty() { ", no timestamp".to_string() } else { format!(", {}", s.timestamps.join("; ")) };
    format!("#{} {} ({}{kind}{ph}{ts})", s.index, s.signer.as_deref().unwrap_or("no signer certificate"), s.digest_algorithm)
}

/// Every difference of one file as old / new rows, in the order of the Markdown export.
pub fn file_rows(f: &FileDiff) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    if f.renamed {
        rows.push(Row::new("path", f.old_path.as_deref(), f.new_path.as_deref()));
    }
    rows.extend(value_rows(&f.changes));
    let s = &f.signatures;
    rows.extend(s.removed.iter().map(|r| Row::new("signature", Some(&signature_text(r)), None)));
    rows.extend(s.added.iter().map(|a| Row::new("signature", None, Some(&signature_text(a)))));
    for c in &s.changed {
        let label = format!("signature #{}", c.new.index);
        for v in &c.changes {
            let row = Row::new(format!("{label}: {}", field_name(v.field)), v.old.as_deref(), v.new.as_deref());
            rows.push(row.toward(c.direction));
        }
    }
    let rests_on = |t: &Option<drvsig::report::TargetVerdict>| t.as_ref().map(|t| t.rests_on.clone());
    for v in f.verdicts.iter().filter(|v| v.verdict_changed || rests_on(&v.old) != rests_on(&v.new)) {
        let side = |t: &Option<drvsig::report::TargetVerdict>| t.as_ref().map(|t| format!("{} ({})", t.verdict.name(), t.rests_on));
        let row = Row::new(v.label.clone(), side(&v.old).as_deref(), side(&v.new).as_deref());
        rows.push(if v.verdict_changed { row.toward(v.direction) } else { row });
    }
    for x in &f.findings.added {
        let text = format!("{} ({}): {}", x.check, x.outcome.name(), x.reason);
        rows.push(Row::new("finding", None, Some(&text)).toward(Direction::Worse));
    }
    for x in &f.findings.removed {
        let text = format!("{} ({}): {}", x.check, x.outcome.name(), x.reason);
        rows.push(Row::new("finding", Some(&text), None).toward(Direction::Better));
    }
    if let Some(c) = &f.catalog {
        let member = |m: &drvsig::diff::MemberBrief| match &m.file {
            Some(file) => format!("{} ({file})", m.tag),
            None => m.tag.clone(),
        };
        rows.extend(c.members_removed.iter().map(|m| Row::new("catalog member", Some(&member(m)), None)));
        rows.extend(c.members_added.iter().map(|m| Row::new("catalog member", None, Some(&member(m)))));
        rows.extend(c.members_changed.iter().map(|m| Row::new("catalog member", Some(&member(&m.old)), Some(&member(&m.new)))));
        rows.extend(set_rows("catalog attribute", &c.attributes));
        rows.extend(set_rows("OSAttr Windows", &c.os_attr_windows));
        rows.extend(set_rows("catalog HWID", &c.hwids));
        rows.extend(value_rows(&c.changes));
    }
    if let Some(i) = &f.inf {
        rows.extend(set_rows("hardware ID", &i.hardware_ids));
        rows.extend(set_rows("CatalogFile", &i.catalog_files));
        rows.extend(set_rows("service", &i.services));
        rows.extend(set_rows("copied file", &i.source_files));
        rows.extend(value_rows(&i.changes));
    }
    rows
}

/// A package's differences as old / new rows.
pub fn package_rows(p: &PackageDiff) -> Vec<Row> {
    let mut rows = Vec::new();
    if p.old_verdict != p.new_verdict {
        let rank = |o: Option<drvsig::Outcome>| match o {
            Some(drvsig::Outcome::Fail) | None => 0,
            Some(drvsig::Outcome::Warn | drvsig::Outcome::Unsupported) => 1,
            _ => 2,
        };
        let direction = match rank(p.old_verdict).cmp(&rank(p.new_verdict)) {
            std::cmp::Ordering::Less => Direction::Better,
            std::cmp::Ordering::Greater => Direction::Worse,
            std::cmp::Ordering::Equal => Direction::Neutral,
        };
        let (old, new) = (p.old_verdict.map(drvsig::Outcome::name), p.new_verdict.map(drvsig::Outcome::name));
        rows.push(Row::new("package verdict", old, new).toward(direction));
    }
    for c in &p.coverage {
        let status = |s: Option<drvsig::report::CoverageStatus>, catalog: &str| s.map(|s| format!("{} ({catalog})", s.name()));
        let (old, new) = (status(c.old, &c.old_catalog), status(c.new, &c.new_catalog));
        rows.push(Row::new(c.file.clone(), old.as_deref(), new.as_deref()).toward(c.direction));
    }
    rows.extend(set_rows("catalog", &p.catalogs));
    rows.extend(set_rows("missing file", &p.missing_files).map(|r| {
        let d = if r.new.is_empty() { Direction::Better } else { Direction::Worse };
        r.toward(d)
    }));
    rows.extend(set_rows("missing member", &p.missing_members));
    rows.extend(set_rows("HWID difference", &p.hwid_mismatches));
    rows
}

fn direction_class(d: Direction) -> &'static str {
    match d {
        Direction::Worse => "is-worse",
        Direction::Better => "is-better",
        Direction::Neutral => "is-neutral",
    }
}

/// What the direction says without colour.
fn direction_glyph(d: Direction) -> &'static str {
    match d {
        Direction::Worse => "\u{2715} ",
        Direction::Better => "\u{2713} ",
        Direction::Neutral => "",
    }
}

fn table(rows: &[Row]) -> Html {
    let cell = |text: &str| {
        if text.is_empty() {
            html! { <span class="muted">{ "\u{2014}" }</span> }
        } else {
            inert_html(text)
        }
    };
    html! {
        <table class="diff-table">
            <thead><tr><th scope="col">{ "" }</th><th scope="col">{ "Old" }</th><th scope="col">{ "New" }</th></tr></thead>
            <tbody>
                { for rows.iter().map(|r| html! {
                    <tr class={classes!("diff-row", direction_class(r.direction))}>
                        <th scope="row">{ direction_glyph(r.direction) }{ inert_html(&r.label) }</th>
                        <td class="diff-old">{ cell(&r.old) }</td>
                        <td class="diff-new">{ cell(&r.new) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
pub struct DiffViewProps {
    pub diff: Rc<DiffReport>,
    /// The old side, as the page names it (the earlier drop's files).
    pub base_label: AttrValue,
}

#[function_component(DiffView)]
pub fn diff_view(props: &DiffViewProps) -> Html {
    let show = use_state_eq(|| false);
    let message = use_state_eq(String::new);
    let diff = &props.diff;
    let download = {
        let (diff, message) = (diff.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let text = drvsig::diff::markdown::diff_markdown(&diff);
            if browser::download("drvsig-diff.md", "text/markdown", &text) {
                message.set("Saved drvsig-diff.md.".into());
            } else {
                message.set("The download could not be started.".into());
            }
        })
    };
    let copy = {
        let (diff, message) = (diff.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let text = drvsig::diff::markdown::diff_markdown(&diff);
            let message = message.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if browser::copy_text(&text).await {
                    message.set("Markdown copied to the clipboard.".into());
                } else {
                    message.set("The browser refused the clipboard: use Download or Preview.".into());
                }
            });
        })
    };
    let toggle = {
        let show = show.clone();
        Callback::from(move |_: MouseEvent| show.set(!*show))
    };
    let files: Vec<&FileDiff> = diff.files.iter().filter(|f| f.status != FileStatus::Unchanged || f.renamed).collect();
    let packages: Vec<&PackageDiff> = diff.packages.iter().filter(|p| p.status != FileStatus::Unchanged).collect();
    let c = &diff.counts;
    html! {
        <section id="diff" class="diff" data-differs={diff.differs.to_string()} aria-labelledby="diff-title">
            <div class="diff-bar">
                <h2 id="diff-title" class="diff-title">
                    { "Compared with " }{ inert_html(&props.base_label) }
                </h2>
                <div class="export-bar" role="toolbar" aria-label="Export the diff">
                    <button type="button" id="diff-download" class="button button-small" onclick={download}>{ "Export diff as Markdown" }</button>
                    <button type="button" id="diff-copy" class="button button-small" onclick={copy}>{ "Copy" }</button>
                    <button type="button" id="diff-preview" class="button button-small" aria-expanded={show.to_string()} aria-controls="diff-markdown" onclick={toggle}>
                        { if *show { "Hide preview" } else { "Preview" } }
                    </button>
                    <span class="export-message muted" role="status" aria-live="polite">{ (*message).clone() }</span>
                </div>
            </div>
            if *show {
                <pre id="diff-markdown" class="export-text" tabindex="0" aria-label="Diff as Markdown">{ drvsig::diff::markdown::diff_markdown(diff) }</pre>
            }
            if !diff.differs {
                <p class="diff-none">{ format!("No differences: the same {} files, signatures, catalogs and verdicts.", c.unchanged) }</p>
            } else {
                <ul class="diff-highlights" aria-label="What changed">
                    { for diff.highlights.iter().map(|h| html! {
                        <li class={classes!("diff-highlight", direction_class(h.direction))} data-kind={kind_id(h.kind)}>
                            { direction_glyph(h.direction) }{ inert_html(&h.text) }
                        </li>
                    }) }
                </ul>
                <p class="diff-counts muted">
                    { format!("Files: {} changed, {} added, {} removed, {} renamed, {} unchanged.", c.changed, c.added, c.removed, c.renamed, c.unchanged) }
                </p>
                { for packages.iter().map(|p| html! {
                    <article class="diff-package" data-package={p.name().to_string()} data-status={p.status.word()}>
                        <h3 class="diff-name">{ "Package " }{ inert_html(p.name()) }<span class="muted">{ format!(" \u{b7} {}", p.status.word()) }</span></h3>
                        { table(&package_rows(p)) }
                    </article>
                }) }
                { for files.iter().map(|f| {
                    let renamed = match (&f.old_path, f.renamed) {
                        (Some(old), true) => format!(", renamed from {old}"),
                        _ => String::new(),
                    };
                    html! {
                        <article class="diff-file" data-path={f.path().to_string()} data-status={f.status.word()}>
                            <h3 class="diff-name">{ inert_html(f.path()) }<span class="muted">{ format!(" \u{b7} {}, {}{renamed}", f.kind.label(), f.status.word()) }</span></h3>
                            { table(&file_rows(f)) }
                        </article>
                    }
                }) }
            }
        </section>
    }
}

/// The JSON spelling of a highlight kind (`verdict-changed`, ...), for its data attribute.
fn kind_id(kind: drvsig::diff::HighlightKind) -> String {
    serde_json::to_string(&kind).unwrap_or_default().trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::report::{FileKind, InspectionReport};
    use drvsig::{Options, UnixTime};

    fn drop(files: &[(&str, &[u8])]) -> InspectionReport {
        let owned: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.to_string(), *b)).collect();
        drvsig::inspect_package(&owned, &Options::at(UnixTime(1_700_000_000)))
    }

    #[test]
    fn rows_show_both_sides_of_each_change() {
        let old = drop(&[("a.txt", b"old"), ("gone.txt", b"x")]);
        let new = drop(&[("a.txt", b"new!"), ("b.txt", b"y")]);
        let diff = drvsig::diff::diff(&old, &new);
        let a = diff.files.iter().find(|f| f.path() == "a.txt").expect("a.txt");
        let rows = file_rows(a);
        assert_eq!(rows[0], Row::new("size", Some("3"), Some("4")));
        assert_eq!(rows[1].label, "SHA-256");
        let gone = diff.files.iter().find(|f| f.path() == "gone.txt").expect("gone.txt");
        assert_eq!(gone.status, FileStatus::Removed);
        assert_eq!(gone.kind, FileKind::Other);
        assert_eq!(kind_id(diff.highlights[0].kind), "file-added");
        assert_eq!(direction_class(Direction::Worse), "is-worse");
    }
}
