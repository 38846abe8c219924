//! A saved report (a dropped drvsig JSON report, or a share link) in the page's own views: the
//! marker ("Saved report of FILE, made TIME by drvsig VERSION"), the triage summary, the packages
//! and one card per file, all as saved (nothing is inspected again). A report this page cannot
//! read gets its message, never a blank card.

use std::collections::BTreeMap;
use std::rc::Rc;

use drvsig::policy::Target;
use yew::prelude::*;

use super::file_card::FileCard;
use super::package_view::PackageList;
use super::triage_table::{Group, TriageTable};
use crate::saved::{marker, Saved};
use crate::state::{Entry, FileId, Status};
use crate::text::{plain, Inert};

#[derive(Properties, PartialEq)]
pub struct SavedViewProps {
    pub saved: Saved,
    pub target: Target,
    pub on_remove: Callback<FileId>,
}

/// The page id of the `i`-th file of a saved report (card anchors; never a real file's id).
fn member_id(saved: FileId, i: usize) -> FileId {
    (1u64 << 40) + saved * 65_536 + i as u64
}

#[function_component(SavedView)]
pub fn saved_view(props: &SavedViewProps) -> Html {
    let s = &props.saved;
    let title_id = format!("saved-{}-title", s.id);
    let on_remove = {
        let (cb, id) = (props.on_remove.clone(), s.id);
        Callback::from(move |_: MouseEvent| cb.emit(id))
    };
    let remove_whole = use_memo((props.on_remove.clone(), s.id), |(cb, id)| {
        let (cb, id) = (cb.clone(), *id);
        Callback::from(move |_: FileId| cb.emit(id))
    });
    // Made once per saved report (and target): the cards' entries keep their reports, so a render
    // of the page does not draw the saved cards again.
    let entries = use_memo(s.id, |_| match &s.report {
        Ok(report) => report
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| Entry {
                id: member_id(s.id, i),
                name: f.name.clone(),
                size: Some(f.size),
                status: Status::Done(Rc::new(f.clone().into())),
                loaded: None,
                completing: false,
            })
            .collect(),
        Err(_) => Vec::new(),
    });
    let groups = use_memo((s.id, props.target), |(_, target)| match &s.report {
        Ok(report) => drvsig::triage::triage(report, *target).into_iter().map(Group::from).collect(),
        Err(_) => Vec::<Group>::new(),
    });
    let body = match &s.report {
        Err(message) => {
            html! { <p class="card-error saved-error" role="alert" data-field="saved-error">{ message }</p> }
        }
        Ok(report) => {
            let ids: BTreeMap<String, FileId> =
                report.files.iter().enumerate().map(|(i, f)| (f.name.clone(), member_id(s.id, i))).collect();
            html! {
                <>
                    <TriageTable groups={groups.clone()} ids={Rc::new(ids)} target={props.target} />
                    <PackageList packages={Rc::new(report.packages.clone())} pending=false />
                    <div class="cards">
                        { for entries.iter().map(|entry| {
                            html! { <div key={entry.id} class="file-block is-saved"><FileCard entry={entry.clone()} on_remove={(*remove_whole).clone()} target={props.target} /></div> }
                        }) }
                    </div>
                </>
            }
        }
    };
    let title = match &s.report {
        Ok(report) => marker(report),
        Err(_) => format!("Saved report {} cannot be shown", plain(&s.origin)),
    };
    html! {
        <section class="saved-report" data-origin={s.origin.clone()} data-state={if s.report.is_ok() { "ok" } else { "error" }} aria-labelledby={title_id.clone()}>
            <header class="saved-head">
                <div>
                    <p class="saved-kind">{ "Saved report \u{2014} findings as saved, not inspected again" }</p>
                    <h2 id={title_id} class="saved-title" data-field="saved-marker"><Inert text={title} max={400} /></h2>
                    <p class="muted">{ "Opened from " }<Inert text={s.origin.clone()} max={200} /></p>
                </div>
                <button type="button" class="icon-button" onclick={on_remove} aria-label={format!("Remove the saved report {}", plain(&s.origin))} title="Remove">
                    <span aria-hidden="true">{ "\u{2715}" }</span>
                </button>
            </header>
            { body }
        </section>
    }
}
