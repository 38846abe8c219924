//! The results: a toolbar, a live summary for screen readers, one card per file.

use yew::prelude::*;

use super::empty_state::EmptyState;
use super::file_card::FileCard;
use crate::state::{Entry, FileId};

#[derive(Properties, PartialEq)]
pub struct FileListProps {
    pub entries: Vec<Entry>,
    /// One sentence summarising progress, announced politely.
    pub announcement: AttrValue,
    /// Files still in progress.
    pub busy: usize,
    pub on_remove: Callback<FileId>,
    pub on_clear: Callback<()>,
}

#[function_component(FileList)]
pub fn file_list(props: &FileListProps) -> Html {
    let on_clear = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_: MouseEvent| on_clear.emit(()))
    };
    let count = props.entries.len();
    html! {
        <section class="results" aria-labelledby="results-title" aria-busy={(props.busy > 0).to_string()}>
            <div class="results-bar">
                <h2 id="results-title" class="results-title">
                    { if count == 0 { "Results".to_string() } else if count == 1 { "1 file".to_string() } else { format!("{count} files") } }
                </h2>
                <p class="results-status" role="status" aria-live="polite">{ props.announcement.clone() }</p>
                if count > 0 {
                    <button type="button" id="clear-button" class="button button-small" onclick={on_clear}>
                        { "Clear all" }
                    </button>
                }
            </div>
            if count == 0 {
                <EmptyState />
            } else {
                <div class="cards">
                    { for props.entries.iter().map(|entry| html! {
                        <FileCard key={entry.id} entry={entry.clone()} on_remove={props.on_remove.clone()} />
                    }) }
                </div>
            }
        </section>
    }
}
