//! The results: a toolbar (counts, export, clear), a live summary for screen readers, the
//! packages the files form, then one card per file, each followed by its deep views (a catalog's
//! members, the ASN.1 of its signature blobs).
//!
//! The summary table lists every file; the cards come [`CARDS_AT_ONCE`] at a time ("Show more",
//! "Show all" draws the rest a batch per frame), plus any card whose file name is followed from
//! the summary: a drop of a thousand files never draws a thousand cards in one task. A big drop
//! (more than [`MANY_FILES`] files before the first is done) starts with [`FIRST_CARDS_OF_MANY`]:
//! its summary is what the page shows first, and drawing twenty finished cards at once held the
//! page's thread for 100-190 ms; and those first cards turn to their verdicts in the frame after
//! the summary appears, not in the same one.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use wasm_bindgen::JsCast;

use drvsig::report::PackageReport;
use drvsig::FileKind;
use yew::prelude::*;

use super::asn1_view::{blobs_of, Asn1Panel};
use super::catalog_view::{member_statuses, CatalogView};
use super::empty_state::EmptyState;
use super::export::ExportBar;
use super::file_card::FileCard;
use super::package_view::PackageList;
use super::saved_view::SavedView;
use super::summary_panel::SummaryPanel;
use super::target_picker::TargetPicker;
use crate::state::{Entry, FileId, Status};
use crate::text::Inert;

/// How many cards are drawn at first, and how many more per "Show more" (or per frame for "Show all").
pub const CARDS_AT_ONCE: usize = 20;

/// A drop of more files than this (counted before the first is done) is a big one...
pub const MANY_FILES: usize = 64;

/// ... whose first cards are this many (then [`CARDS_AT_ONCE`] more per "Show more"). Measured on a
/// folder of 1,000 small drivers (headless Chromium, 2 cores): every verdict 1,290-1,380 ms with
/// 20 first cards against 1,120-1,200 with 5, the longest task 94-119 ms against 0-88. The render
/// in which the summary first appears draws them as in progress and their verdicts
/// come in the next frame: the longest task, median of 15 alternated runs, 53 -> 0 ms (no long
/// task in most runs; every verdict 1,171-1,400 ms against 1,176-1,357).
pub const FIRST_CARDS_OF_MANY: usize = 5;

/// The cards drawn: the first `shown` entries, and those opened from the summary, in page order.
pub fn drawn_cards<'a>(entries: &'a [Entry], shown: usize, opened: &HashSet<FileId>) -> Vec<&'a Entry> {
    entries.iter().enumerate().filter(|(i, e)| *i < shown || opened.contains(&e.id)).map(|(_, e)| e).collect()
}

/// Runs `f` at the next animation frame.
fn at_next_frame(f: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let f = wasm_bindgen::closure::Closure::once_into_js(f);
        let _ = window.request_animation_frame(f.unchecked_ref());
    }
}

#[derive(Properties, PartialEq)]
pub struct FileListProps {
    pub entries: Rc<Vec<Entry>>,
    /// One sentence summarising progress, announced politely.
    pub announcement: AttrValue,
    /// Files still in progress.
    pub busy: usize,
    pub on_remove: Callback<FileId>,
    pub on_clear: Callback<()>,
    /// "Compare with another version": keep these files as the old side of a comparison.
    #[prop_or_default]
    pub on_compare: Callback<()>,
    /// Every file is done and the page is not comparing already.
    #[prop_or_default]
    pub can_compare: bool,
    #[prop_or_default]
    pub packages: Rc<Vec<PackageReport>>,
    #[prop_or_default]
    pub packages_pending: bool,
    /// Zip members: member id -> zip id.
    #[prop_or_default]
    pub parents: BTreeMap<FileId, FileId>,
    /// The Windows the customer runs (the summary's verdict column, each card's first verdict).
    #[prop_or(drvsig::triage::DEFAULT_TARGET)]
    pub target: drvsig::policy::Target,
    #[prop_or_default]
    pub on_target: Callback<drvsig::policy::Target>,
    /// Saved reports (dropped drvsig JSON reports, a share link).
    #[prop_or_default]
    pub saved: Vec<crate::saved::Saved>,
    /// Roots trusted for this page, and the toggle (trust?, certificate).
    #[prop_or_default]
    pub trusted: Vec<crate::state::TrustedRoot>,
    #[prop_or_default]
    pub on_trust: Callback<(bool, drvsig::report::CertificateSummary)>,
}

#[function_component(FileList)]
pub fn file_list(props: &FileListProps) -> Html {
    let on_clear = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_: MouseEvent| on_clear.emit(()))
    };
    let on_compare = {
        let on_compare = props.on_compare.clone();
        Callback::from(move |_: MouseEvent| on_compare.emit(()))
    };
    let count = props.entries.len();
    let done = props.entries.iter().any(|e| matches!(e.status, Status::Done(_)));
    // Cards drawn: the first ones (fewer for a big drop) and `more`; "Show all" (`all`) draws one
    // more batch each frame until every card is drawn, new files included.
    let big = use_state_eq(|| false);
    let more = use_state_eq(|| 0usize);
    let all = use_state_eq(|| false);
    let opened = use_state_eq(HashSet::<FileId>::new);
    // A big drop is known as such while no file is done (only cards of queued files, cheap to
    // draw, go away then; a finished file's card never does).
    let big_now = *big || (count > MANY_FILES && !done);
    {
        let big = big.clone();
        use_effect_with(big_now, move |now| big.set(*now));
    }
    // The render in which a big drop's summary first appears draws its cards as in progress
    // (`Inspecting`); their verdicts come in the next frame (`settled`).
    let settled = use_state_eq(|| false);
    {
        let settled = settled.clone();
        use_effect_with(big_now && done, move |go| {
            if *go {
                at_next_frame(move || settled.set(true));
            }
        });
    }
    let hold = big_now && done && !*settled;
    let first = if big_now { FIRST_CARDS_OF_MANY } else { CARDS_AT_ONCE };
    let shown = first + *more;
    {
        let want = if *all { count.saturating_sub(first) } else { *more };
        let more = more.clone();
        use_effect_with((*more, want), move |(now, want)| {
            if now < want {
                let next = (*now + CARDS_AT_ONCE).min(*want);
                at_next_frame(move || more.set(next));
            }
        });
    }
    {
        // A new drop after Clear starts with the first cards again.
        let (big, more, all, opened, settled) = (big.clone(), more.clone(), all.clone(), opened.clone(), settled.clone());
        use_effect_with(count == 0, move |empty| {
            if *empty {
                big.set(false);
                settled.set(false);
                more.set(0);
                all.set(false);
                opened.set(HashSet::new());
            }
        });
    }
    // Following a file name in the summary draws its card if it is not drawn yet. The callback
    // stays the same across renders (every summary row holds it), reading the current drop here.
    let current = use_mut_ref(|| (Rc::new(Vec::<Entry>::new()), 0usize, HashSet::<FileId>::new()));
    *current.borrow_mut() = (props.entries.clone(), shown, (*opened).clone());
    let on_open = {
        let (current, set_opened) = (current.clone(), opened.setter());
        use_memo((), move |_| {
            Callback::from(move |id: FileId| {
                let (entries, shown, opened) = &*current.borrow();
                let hidden = entries.iter().position(|e| e.id == id).is_some_and(|at| at >= *shown);
                if hidden && !opened.contains(&id) {
                    let mut next = opened.clone();
                    next.insert(id);
                    set_opened.set(next);
                }
            })
        })
    };
    let show_more = {
        let more = more.clone();
        Callback::from(move |_: MouseEvent| more.set(*more + CARDS_AT_ONCE))
    };
    let show_all = {
        let all = all.clone();
        Callback::from(move |_: MouseEvent| all.set(true))
    };
    let trusted: Vec<String> = props.trusted.iter().map(|r| r.sha256.clone()).collect();
    let mut cards: Vec<Cow<Entry>> = drawn_cards(&props.entries, shown, &opened).into_iter().map(Cow::Borrowed).collect();
    if hold {
        for card in &mut cards {
            if matches!(card.status, Status::Done(_)) {
                card.to_mut().status = Status::Inspecting;
            }
        }
    }
    let hidden = count - cards.len();
    html! {
        <section class="results" aria-labelledby="results-title" aria-busy={(props.busy > 0 || props.packages_pending).to_string()}>
            <div class="results-bar">
                <h2 id="results-title" class="results-title">
                    { if count == 0 { "Results".to_string() } else if count == 1 { "1 file".to_string() } else { format!("{count} files") } }
                </h2>
                <p class="results-status" role="status" aria-live="polite">{ props.announcement.clone() }</p>
                if count > 0 && props.can_compare {
                    <button type="button" id="compare-button" class="button button-small" onclick={on_compare}
                        title="Keep these files as the old version, then drop the new version: drvsig shows what changed">
                        { "Compare with another version\u{2026}" }
                    </button>
                }
                if count > 0 {
                    <button type="button" id="clear-button" class="button button-small" onclick={on_clear}>
                        { "Clear all" }
                    </button>
                }
            </div>
            if !props.trusted.is_empty() {
                <div class="trusted-roots" role="note" data-count={props.trusted.len().to_string()}>
                    <strong>{ "Roots you added for this page" }</strong>{ " (like the CLI's --trust; every verdict below counts them): " }
                    { for props.trusted.iter().map(|r| {
                        let (cb, c) = (props.on_trust.clone(), drvsig::report::CertificateSummary { sha256: r.sha256.clone(), ..Default::default() });
                        let stop = Callback::from(move |_: MouseEvent| cb.emit((false, c.clone())));
                        html! {
                            <span class="trusted-root">
                                <Inert text={drvsig::x509::name::cn_or_name(&r.subject)} max={120} />
                                { " " }
                                <button type="button" class="button button-small" onclick={stop} aria-label={format!("Stop trusting {}", crate::text::plain(&r.subject))}>{ "Stop trusting" }</button>
                            </span>
                        }
                    }) }
                </div>
            }
            if count == 0 && props.saved.is_empty() {
                <EmptyState />
            } else {
                if !done && !props.saved.is_empty() {
                    <div class="summary-tools"><TargetPicker target={props.target} on_change={props.on_target.clone()} /></div>
                }
                if done {
                    <SummaryPanel entries={props.entries.clone()} packages={props.packages.clone()} target={props.target} on_target={props.on_target.clone()} on_open={Some((*on_open).clone())} big={big_now} />
                    <ExportBar entries={props.entries.clone()} packages={props.packages.clone()} target={props.target} />
                }
                <PackageList packages={props.packages.clone()} pending={props.packages_pending} />
                <div class="cards">
                    { for cards.iter().map(|entry| {
                        let entry: &Entry = entry;
                        let member = props.parents.contains_key(&entry.id);
                        html! {
                            <div key={entry.id} class={classes!("file-block", member.then_some("is-member"))}>
                                <FileCard entry={(*entry).clone()} on_remove={props.on_remove.clone()} target={props.target}
                                    trusted={trusted.clone()} on_trust={props.on_trust.clone()} />
                                <CardExtras entry={(*entry).clone()} packages={props.packages.clone()} />
                            </div>
                        }
                    }) }
                </div>
                if hidden > 0 {
                    <div class="more-cards" data-hidden={hidden.to_string()}>
                        <p class="muted">
                            { format!("{} of {count} cards shown; every file is in the summary above (its name opens its card).", count - hidden) }
                        </p>
                        <button type="button" id="show-more-cards" class="button button-small" onclick={show_more}>
                            { format!("Show {} more", hidden.min(CARDS_AT_ONCE)) }
                        </button>
                        <button type="button" id="show-all-cards" class="button button-small button-ghost" onclick={show_all}>
                            { format!("Show all {count}") }
                        </button>
                    </div>
                }
                { for props.saved.iter().map(|saved| html! {
                    <SavedView key={saved.id} saved={saved.clone()} target={props.target} on_remove={props.on_remove.clone()} />
                }) }
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CardExtrasProps {
    entry: Entry,
    packages: Rc<Vec<PackageReport>>,
}

/// The deep views under a finished card: a catalog's contents, the ASN.1 of its signature blobs.
#[function_component(CardExtras)]
fn card_extras(props: &CardExtrasProps) -> Html {
    let (entry, packages) = (&props.entry, &props.packages);
    let Status::Done(report) = &entry.status else {
        return html! {};
    };
    let blobs = blobs_of(report);
    let catalog = report.catalog.clone().filter(|_| report.kind == FileKind::Catalog);
    if blobs.is_empty() && catalog.is_none() {
        return html! {};
    }
    html! {
        <div class="card-extras" data-for={entry.name.clone()}>
            if let Some(catalog) = catalog {
                <details class="catalog-details fold">
                    <summary>
                        <span class="asn1-summary-title">{ "Catalog contents" }</span>
                        <span class="muted">{ format!(" \u{b7} {} members, {} hardware IDs", catalog.member_count, catalog.hwids.len()) }</span>
                    </summary>
                    <CatalogView
                        id={entry.id}
                        statuses={Rc::new(member_statuses(&report.name, packages))}
                        catalog={Rc::new(catalog)}
                    />
                </details>
            }
            <Asn1Panel id={entry.id} {blobs} />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_cards_and_the_opened_ones_in_page_order() {
        let entries: Vec<Entry> = (1..=200)
            .map(|id| Entry { id, name: format!("f{id}"), size: Some(1), status: Status::Queued, loaded: None, completing: false })
            .collect();
        let ids = |v: Vec<&Entry>| v.iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(drawn_cards(&entries, CARDS_AT_ONCE, &HashSet::new()).len(), CARDS_AT_ONCE);
        let opened: HashSet<FileId> = [150, 3].into_iter().collect();
        let drawn = ids(drawn_cards(&entries, 2, &opened));
        assert_eq!(drawn, [1, 2, 3, 150]);
        assert_eq!(drawn_cards(&entries, 500, &HashSet::new()).len(), 200);
    }
}
