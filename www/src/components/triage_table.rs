//! The triage summary: one table for the whole drop, first on the page. One row per file (name,
//! role, signer, signature kind, intact, catalog coverage, the verdict on the chosen Windows and
//! how many targets load it), grouped by package with the package's one-line verdict
//! (`drvsig::triage`). Columns sort (buttons in the headers, `aria-sort`), a search box filters
//! the rows, and each file name links to its card. Rows are shared (`Rc`) and each is a component
//! of its own: with a thousand files, a render redraws only the rows that changed.
//!
//! A tally above the table counts every file's verdict; the table draws [`ROWS_AT_ONCE`] rows
//! (in the chosen order, filtered), then "Show more" / "Show all" (the rest a batch per frame):
//! a thousand rows in the DOM make every change of the page re-lay out the whole table. A big
//! drop's table starts with [`FIRST_ROWS_OF_MANY`]: about a screenful, and the rest of a hundred
//! drawn in the frames that draw the drop's news held the page's thread for 50-80 ms.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::rc::Rc;

use drvsig::policy::Target;
use drvsig::report::LoadVerdict;
use drvsig::triage::{coverage_word, intact_word, kind_word, load_word, TriageGroup, TriageRow};
use drvsig::Outcome;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::verdict_card::tone_class;
use crate::state::{outcome_class, FileId};
use crate::text::Inert;

/// The columns a person can sort by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    File,
    Role,
    Signer,
    Kind,
    Intact,
    Coverage,
    Verdict,
    Loads,
    KnownBad,
}

impl Column {
    const ALL: [Column; 9] = [
        Column::File,
        Column::Role,
        Column::Signer,
        Column::Kind,
        Column::Intact,
        Column::Coverage,
        Column::Verdict,
        Column::Loads,
        Column::KnownBad,
    ];

    fn title(self, target: Target) -> String {
        match self {
            Column::File => "File".into(),
            Column::Role => "Role".into(),
            Column::Signer => "Signer".into(),
            Column::Kind => "Kind".into(),
            Column::Intact => "Intact".into(),
            Column::Coverage => "Catalog".into(),
            Column::Verdict => format!("Verdict on {}", target.id()),
            Column::Loads => "Loads on".into(),
            Column::KnownBad => "Known bad".into(),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Column::File => "file",
            Column::Role => "role",
            Column::Signer => "signer",
            Column::Kind => "kind",
            Column::Intact => "intact",
            Column::Coverage => "coverage",
            Column::Verdict => "verdict",
            Column::Loads => "loads",
            Column::KnownBad => "known-bad",
        }
    }
}

/// The sort key of a row in a column (worst first for verdict-like columns).
fn sort_key(r: &TriageRow, c: Column) -> (u8, String) {
    let rank_outcome = |o: Outcome| match o {
        Outcome::Fail => 0,
        Outcome::Warn => 1,
        Outcome::Unsupported => 2,
        Outcome::Pass => 3,
        Outcome::NotPresent => 4,
    };
    match c {
        Column::File => (0, r.file.to_lowercase()),
        Column::Role => (0, r.role.clone()),
        Column::Signer => (0, r.signer.to_lowercase()),
        Column::Kind => (0, r.kind.map(kind_word).unwrap_or("~").to_string()),
        Column::Intact => (rank_outcome(r.intact), String::new()),
        Column::Coverage => (0, r.coverage.map(coverage_word).unwrap_or("~").to_string()),
        Column::Verdict => (
            match r.verdict {
                Some(LoadVerdict::Blocked) => 0,
                Some(LoadVerdict::LoadsWithConditions) => 1,
                Some(LoadVerdict::Loads) => 2,
                None => 3,
            },
            String::new(),
        ),
        Column::Loads => (0, format!("{:04}", r.loads_on)),
        Column::KnownBad => (
            match &r.known_bad {
                Some(b) if !b.is_empty() => 0,
                Some(_) => 1,
                None => 2,
            },
            String::new(),
        ),
    }
}

/// Whether a row matches the filter text (file, role, signer, kind, verdict words).
pub fn row_matches(r: &TriageRow, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let bad = r.known_bad.as_ref().map(|b| b.join(" ")).unwrap_or_default();
    let hay = [
        bad.as_str(),
        r.file.as_str(),
        r.role.as_str(),
        r.signer.as_str(),
        r.kind.map(kind_word).unwrap_or(""),
        intact_word(r.intact),
        r.coverage.map(coverage_word).unwrap_or(""),
        r.verdict.map(load_word).unwrap_or(""),
    ]
    .join(" ")
    .to_lowercase();
    q.split_whitespace().all(|w| hay.contains(w))
}

/// The rows of a group as shown: filtered, then sorted (stable, so ties keep the package order).
pub fn shown_rows<'a, R: Borrow<TriageRow>>(rows: &'a [R], query: &str, sort: Option<(Column, bool)>) -> Vec<&'a R> {
    let mut out: Vec<&R> =
        if query.trim().is_empty() { rows.iter().collect() } else { rows.iter().filter(|r| row_matches((*r).borrow(), query)).collect() };
    if let Some((column, ascending)) = sort {
        out.sort_by(|a, b| {
            let o = sort_key((*a).borrow(), column).cmp(&sort_key((*b).borrow(), column));
            if ascending {
                o
            } else {
                o.reverse()
            }
        });
    }
    out
}

/// A group of the table: [`TriageGroup`] with shared rows (a row made once is reused by every
/// later render while its file's report is the same).
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub title: String,
    pub verdict: Option<Outcome>,
    pub line: String,
    pub rows: Vec<Rc<TriageRow>>,
}

impl From<TriageGroup> for Group {
    fn from(g: TriageGroup) -> Self {
        Group { title: g.title, verdict: g.verdict, line: g.line, rows: g.rows.into_iter().map(Rc::new).collect() }
    }
}

/// How many rows are drawn at first, and how many more per "Show more" (or per frame for "Show all").
pub const ROWS_AT_ONCE: usize = 100;

/// Rows the table draws first for a big drop (more than `file_list::MANY_FILES` files before the
/// first is done), then [`ROWS_AT_ONCE`] more per "Show more". Measured on a folder of 1,000 small
/// drivers (headless Chromium, 2 cores, alternated runs in fresh browsers): the longest
/// main-thread task median 69 -> 54 ms with 25 rows in the first frame and the rest of the first
/// 100 in the next; with 25 alone, no long task in any run but a browser's first (63-75 ms, its
/// code cold) against one of 50-56 ms in half of them.
pub const FIRST_ROWS_OF_MANY: usize = 25;

/// A group to draw: its index in the table, the group, its rows to draw.
pub type DrawnGroup<'a> = (usize, &'a Group, Vec<&'a Rc<TriageRow>>);

/// The rows to draw: each group's shown rows (filtered, sorted), the groups in order, at most
/// `limit` rows in all; groups with no row drawn are left out. Also how many rows match in all.
pub fn drawn_rows<'a>(groups: &'a [Group], query: &str, sort: Option<(Column, bool)>, limit: usize) -> (Vec<DrawnGroup<'a>>, usize) {
    let mut out = Vec::new();
    let mut left = limit;
    let mut matching = 0;
    for (i, g) in groups.iter().enumerate() {
        let rows = shown_rows(&g.rows, query, sort);
        matching += rows.len();
        let take: Vec<&Rc<TriageRow>> = rows.into_iter().take(left).collect();
        left -= take.len();
        if !take.is_empty() {
            out.push((i, g, take));
        }
    }
    (out, matching)
}

/// Every file's verdict on the target, counted: (loads, with conditions, blocked, no verdict).
pub fn tally(groups: &[Group]) -> (usize, usize, usize, usize) {
    let mut t = (0, 0, 0, 0);
    for r in groups.iter().flat_map(|g| g.rows.iter()) {
        match r.verdict {
            Some(LoadVerdict::Loads) => t.0 += 1,
            Some(LoadVerdict::LoadsWithConditions) => t.1 += 1,
            Some(LoadVerdict::Blocked) => t.2 += 1,
            None => t.3 += 1,
        }
    }
    t
}

/// Runs `f` at the next animation frame.
fn at_next_frame(f: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let f = wasm_bindgen::closure::Closure::once_into_js(f);
        let _ = window.request_animation_frame(f.unchecked_ref());
    }
}

#[derive(Properties, PartialEq)]
pub struct TriageTableProps {
    pub groups: Rc<Vec<Group>>,
    /// File name -> card id (the row links to `#file-ID`).
    pub ids: Rc<BTreeMap<String, FileId>>,
    pub target: Target,
    /// Called with the card id when a file name is followed (before the browser scrolls to it),
    /// so the page can show a card it has not drawn yet.
    #[prop_or_default]
    pub on_open: Option<Callback<FileId>>,
    /// A big drop: [`FIRST_ROWS_OF_MANY`] rows first, not [`ROWS_AT_ONCE`].
    #[prop_or_default]
    pub big: bool,
}

#[function_component(TriageTable)]
pub fn triage_table(props: &TriageTableProps) -> Html {
    let sort = use_state_eq(|| None::<(Column, bool)>);
    let query = use_state_eq(String::new);
    let on_input = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                query.set(input.value());
            }
        })
    };
    // Rows drawn: the first `limit`; "Show all" raises `wanted` and each frame draws one more batch.
    let first = if props.big { FIRST_ROWS_OF_MANY } else { ROWS_AT_ONCE };
    let limit = use_state_eq(|| first);
    let wanted = use_state_eq(|| first);
    {
        let (limit, wanted) = (limit.clone(), wanted.clone());
        use_effect_with((*limit, *wanted), move |(now, want)| {
            if now < want {
                let next = (*now + ROWS_AT_ONCE).min(*want);
                at_next_frame(move || limit.set(next));
            }
        });
    }
    let total: usize = props.groups.iter().map(|g| g.rows.len()).sum();
    let (drawn, shown) = drawn_rows(&props.groups, &query, *sort, *limit);
    let drawn_count: usize = drawn.iter().map(|(_, _, rows)| rows.len()).sum();
    let (loads, conditional, blocked, unjudged) = tally(&props.groups);
    let show_more = {
        let (limit, wanted) = (limit.clone(), wanted.clone());
        Callback::from(move |_: MouseEvent| {
            let next = *limit + ROWS_AT_ONCE;
            wanted.set(next);
            limit.set(next);
        })
    };
    let show_all = {
        let wanted = wanted.clone();
        Callback::from(move |_: MouseEvent| wanted.set(total))
    };
    let header = |c: Column| {
        let sort = sort.clone();
        let (aria, arrow) = match *sort {
            Some((col, true)) if col == c => ("ascending", " \u{25b2}"),
            Some((col, false)) if col == c => ("descending", " \u{25bc}"),
            _ => ("none", ""),
        };
        let onclick = Callback::from(move |_: MouseEvent| {
            let next = match *sort {
                Some((col, asc)) if col == c => Some((c, !asc)),
                _ => Some((c, true)),
            };
            sort.set(next);
        });
        html! {
            <th scope="col" aria-sort={aria} data-column={c.key()}>
                <button type="button" class="sort-button" {onclick}>{ c.title(props.target) }<span aria-hidden="true">{ arrow }</span></button>
            </th>
        }
    };
    html! {
        <section class="triage" aria-labelledby="triage-title">
            <div class="triage-head">
                <h2 id="triage-title" class="triage-title">{ "Summary" }</h2>
                <div class="filter triage-filter" role="search" aria-label="Filter the summary">
                    <label for="triage-search">{ "Filter files" }</label>
                    <input id="triage-search" type="search" placeholder="name, signer, role, blocked\u{2026}" value={(*query).clone()} oninput={on_input} />
                </div>
                <p class="muted filter-count" aria-live="polite" data-count={shown.to_string()}>{ format!("{shown} of {total} files") }</p>
            </div>
            <p class="triage-tally" data-files={total.to_string()} data-verdicts={(total - unjudged).to_string()}
                data-loads={loads.to_string()} data-conditional={conditional.to_string()} data-blocked={blocked.to_string()}>
                { format!("On {}: ", props.target.label()) }
                { tally_part(blocked, "blocked", "blocked") }{ ", " }
                { tally_part(conditional, "with conditions", "conditional") }{ ", " }
                { tally_part(loads, "load", "loads") }
                if unjudged > 0 {
                    { format!("; {unjudged} not judged (not a driver)") }
                }
                { "." }
            </p>
            <div class="table-scroll">
                <table class="data-table triage-table" data-target={props.target.id()}>
                    <caption class="visually-hidden">{ format!("Every file of the drop, grouped by package; verdicts for {}", props.target.label()) }</caption>
                    <thead>
                        <tr>{ for Column::ALL.iter().map(|c| header(*c)) }</tr>
                    </thead>
                    { for drawn.iter().map(|(i, g, rows)| group(*i, g, rows, &props.ids, &props.on_open)) }
                </table>
            </div>
            if drawn_count < shown {
                <div class="more-rows" data-hidden={(shown - drawn_count).to_string()}>
                    <span class="muted">{ format!("{drawn_count} of {shown} rows shown (the counts above are over every file). ") }</span>
                    <button type="button" id="show-more-rows" class="button button-small" onclick={show_more}>
                        { format!("Show {} more", (shown - drawn_count).min(ROWS_AT_ONCE)) }
                    </button>
                    { " " }
                    <button type="button" id="show-all-rows" class="button button-small button-ghost" onclick={show_all}>{ format!("Show all {shown}") }</button>
                </div>
            }
        </section>
    }
}

/// `3 blocked` in the verdict's colour (nothing for zero but the number).
fn tally_part(n: usize, word: &str, class: &str) -> Html {
    html! { <span class={classes!("tally", format!("load-{class}"))}><strong>{ n.to_string() }</strong>{ format!(" {word}") }</span> }
}

fn group(index: usize, g: &Group, rows: &[&Rc<TriageRow>], ids: &BTreeMap<String, FileId>, on_open: &Option<Callback<FileId>>) -> Html {
    let outcome = g.verdict.map(outcome_class).unwrap_or("absent");
    html! {
        <tbody class="triage-group" data-group={index.to_string()} data-verdict={outcome}>
            <tr class="triage-package">
                <th scope="rowgroup" colspan="9">
                    <span class="triage-package-title"><Inert text={g.title.clone()} max={200} /></span>
                    if !g.line.is_empty() {
                        <span class={classes!("triage-package-line", format!("outcome-{outcome}"))} data-field="package-line">{ format!(" \u{2014} {}", g.line) }</span>
                    }
                </th>
            </tr>
            { for rows.iter().map(|r| html! { <TriageRowView row={(*r).clone()} id={ids.get(&r.file).copied()} on_open={on_open.clone()} /> }) }
        </tbody>
    }
}

#[derive(Properties, PartialEq)]
struct TriageRowProps {
    row: Rc<TriageRow>,
    id: Option<FileId>,
    on_open: Option<Callback<FileId>>,
}

#[function_component(TriageRowView)]
fn triage_row_view(props: &TriageRowProps) -> Html {
    let r = &*props.row;
    let id = props.id;
    let onclick = match (&props.on_open, id) {
        (Some(cb), Some(id)) => {
            let cb = cb.clone();
            Some(Callback::from(move |_: MouseEvent| cb.emit(id)))
        }
        _ => None,
    };
    let verdict = r.verdict.map(crate::components::verdict_table::load_label);
    html! {
        <tr class={classes!("triage-row", format!("tone-{}", tone_class(r.tone)))} data-file={r.file.clone()} data-tone={tone_class(r.tone)} data-verdict={verdict.map(|v| v.2).unwrap_or("none")}>
            <th scope="row" data-label="File">
                if let Some(id) = id {
                    <a href={format!("#file-{id}")} class="triage-link" {onclick}><Inert text={r.file.clone()} max={200} /></a>
                } else {
                    <Inert text={r.file.clone()} max={200} />
                }
            </th>
            <td data-label="Role">{ &r.role }</td>
            <td data-label="Signer"><Inert text={r.signer.clone()} max={200} /></td>
            <td data-label="Kind">{ r.kind.map(kind_word).unwrap_or("\u{2013}") }</td>
            <td data-label="Intact" data-intact={outcome_class(r.intact)}>
                // Files that carry no signature at all (INF, text) get a dash, not "no signature".
                { if r.kind.is_none() && r.signer.is_empty() { "\u{2013}" } else { intact_word(r.intact) } }
            </td>
            <td data-label="Catalog">{ r.coverage.map(coverage_word).unwrap_or("\u{2013}") }</td>
            <td data-label="Verdict" title={r.why.clone()}>
                if let Some((icon, word, class)) = verdict {
                    <span class={classes!("load", format!("load-{class}"))}>
                        <span class="load-icon" aria-hidden="true">{ icon }</span>
                        <span class="load-word">{ word }</span>
                    </span>
                } else {
                    { "\u{2013}" }
                }
            </td>
            <td data-label="Loads on" class="num">
                if r.targets > 0 { { format!("{} of {}", r.loads_on, r.targets) } } else { { "\u{2013}" } }
            </td>
            <td data-label="Known bad" data-known-bad={match &r.known_bad { Some(b) if !b.is_empty() => "yes", Some(_) => "no", None => "unknown" }}>
                { known_bad_cell(r) }
            </td>
        </tr>
    }
}

/// A block list match in red with its list and rule; `no match` when judged and clean; a dash when
/// no block list was applied (not a PE file).
fn known_bad_cell(r: &TriageRow) -> Html {
    match &r.known_bad {
        Some(b) if !b.is_empty() => html! {
            <span class="load load-blocked">
                <span class="load-icon" aria-hidden="true">{ "\u{2715}" }</span>
                <span class="load-word"><Inert text={b.join("; ")} max={300} /></span>
            </span>
        },
        Some(_) => html! { { "no match" } },
        None => html! { { "\u{2013}" } },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::summary::Tone;

    fn r(file: &str, verdict: Option<LoadVerdict>, signer: &str) -> TriageRow {
        TriageRow {
            file: file.into(),
            role: "driver".into(),
            signer: signer.into(),
            kind: None,
            intact: Outcome::Pass,
            coverage: None,
            verdict,
            why: String::new(),
            loads_on: 1,
            targets: 15,
            tone: Tone::Good,
            known_bad: None,
        }
    }

    #[test]
    fn filter_and_sort() {
        let rows =
            vec![r("b.sys", Some(LoadVerdict::Loads), "Acme"), r("a.sys", Some(LoadVerdict::Blocked), "Contoso"), r("c.inf", None, "")];
        let names = |v: Vec<&TriageRow>| v.iter().map(|r| r.file.clone()).collect::<Vec<_>>();
        assert_eq!(names(shown_rows(&rows, "", None)), ["b.sys", "a.sys", "c.inf"]);
        assert_eq!(names(shown_rows(&rows, "", Some((Column::File, true)))), ["a.sys", "b.sys", "c.inf"]);
        assert_eq!(names(shown_rows(&rows, "", Some((Column::Verdict, true)))), ["a.sys", "b.sys", "c.inf"]);
        assert_eq!(names(shown_rows(&rows, "", Some((Column::Verdict, false)))), ["c.inf", "b.sys", "a.sys"]);
        assert_eq!(names(shown_rows(&rows, "contoso", None)), ["a.sys"]);
        assert_eq!(names(shown_rows(&rows, "blocked", None)), ["a.sys"]);
        assert_eq!(names(shown_rows(&rows, "SYS acme", None)), ["b.sys"]);
    }
}
