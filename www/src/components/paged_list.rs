//! A long list of short strings (hardware IDs) shown a page at a time, with a search box once it
//! is longer than a page: never hundreds of DOM nodes at once.

use std::rc::Rc;

use drvsig::Outcome;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::badge::Badge;

/// Items shown before "Show more".
pub const PAGE: usize = 25;

#[derive(Properties, PartialEq)]
pub struct PagedListProps {
    pub items: Rc<Vec<String>>,
    /// What the items are, for the search box's label (`hardware IDs only in the catalog`).
    pub label: AttrValue,
    /// A badge before each item (`match` / `differs`), or none.
    #[prop_or_default]
    pub badge: Option<(Outcome, &'static str)>,
}

/// The items matching `query` (case-insensitive substring).
pub fn matching<'a>(items: &'a [String], query: &str) -> Vec<&'a String> {
    let q = query.trim().to_lowercase();
    items.iter().filter(|i| q.is_empty() || i.to_lowercase().contains(&q)).collect()
}

#[function_component(PagedList)]
pub fn paged_list(props: &PagedListProps) -> Html {
    let query = use_state_eq(String::new);
    let shown = use_state_eq(|| PAGE);
    let on_input = {
        let (query, shown) = (query.clone(), shown.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                query.set(input.value());
                shown.set(PAGE);
            }
        })
    };
    let more = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE))
    };
    if props.items.is_empty() {
        return html! { <p class="muted">{ "none" }</p> };
    }
    let hits = matching(&props.items, &query);
    let searchable = props.items.len() > PAGE;
    html! {
        <div class="paged-list" data-total={props.items.len().to_string()}>
            if searchable {
                <input type="search" class="paged-search" aria-label={format!("Search {}", props.label)} placeholder="Search\u{2026}" value={(*query).clone()} oninput={on_input} />
                <p class="muted filter-count" aria-live="polite">{ format!("{} of {}", hits.len(), props.items.len()) }</p>
            }
            <ul class="plain-list">
                { for hits.iter().take(*shown).map(|id| html! {
                    <li>
                        if let Some((outcome, text)) = props.badge {
                            <Badge {outcome} {text} />{ " " }
                        }
                        <code>{ id.as_str() }</code>
                    </li>
                }) }
            </ul>
            if hits.len() > *shown {
                <button type="button" class="button button-small show-more" onclick={more}>
                    { format!("Show {} more (of {})", (hits.len() - *shown).min(PAGE), hits.len() - *shown) }
                </button>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_is_case_insensitive() {
        let items = vec!["USB\\VID_10C4&PID_EA60".to_string(), "USB\\VID_10C4&PID_EA61".to_string()];
        assert_eq!(matching(&items, "").len(), 2);
        assert_eq!(matching(&items, " pid_ea61 ").len(), 1);
        assert!(matching(&items, "zzz").is_empty());
    }
}
