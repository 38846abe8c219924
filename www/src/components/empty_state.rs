//! What the page says before any file is given.

use yew::prelude::*;

#[function_component(EmptyState)]
pub fn empty_state() -> Html {
    html! {
        <div class="empty-state">
            <p class="empty-title">{ "Drop a .sys, .cat, .inf, a folder or a .zip; nothing leaves your computer" }</p>
            <p class="empty-detail">
                { "Each file gets a card: its SHA-256, what it is, where its signature sits, the digests it " }
                { "signs and the one recomputed here, who signed it and when, and every problem found." }
            </p>
        </div>
    }
}
