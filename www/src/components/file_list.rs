//! The results: a toolbar (counts, export, clear), a live summary for screen readers, the
//! packages the files form, then one card per file, each followed by its deep views (a catalog's
//! members, the ASN.1 of its signature blobs).

use std::collections::BTreeMap;
use std::rc::Rc;

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

#[derive(Properties, PartialEq)]
pub struct FileListProps {
    pub entries: Vec<Entry>,
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
                    <SummaryPanel entries={props.entries.clone()} packages={props.packages.clone()} target={props.target} on_target={props.on_target.clone()} />
                    <ExportBar entries={props.entries.clone()} packages={props.packages.clone()} target={props.target} />
                }
                <PackageList packages={props.packages.clone()} pending={props.packages_pending} />
                <div class="cards">
                    { for props.entries.iter().map(|entry| {
                        let member = props.parents.contains_key(&entry.id);
                        html! {
                            <div key={entry.id} class={classes!("file-block", member.then_some("is-member"))}>
                                <FileCard entry={entry.clone()} on_remove={props.on_remove.clone()} target={props.target}
                    trusted={props.trusted.iter().map(|r| r.sha256.clone()).collect::<Vec<_>>()} on_trust={props.on_trust.clone()} />
                                { extras(entry, &props.packages) }
                            </div>
                        }
                    }) }
                </div>
                { for props.saved.iter().map(|saved| html! {
                    <SavedView key={saved.id} saved={saved.clone()} target={props.target} on_remove={props.on_remove.clone()} />
                }) }
            }
        </section>
    }
}

/// The deep views under a finished card: a catalog's contents, the ASN.1 of its signature blobs.
fn extras(entry: &Entry, packages: &[PackageReport]) -> Html {
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
