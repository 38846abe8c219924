//! A folded section of a card (`<details class="fold ...">`) whose body is drawn once the card is
//! painted. A card's answer (its verdict on the chosen Windows, its findings, each fold's summary
//! with its counts) is what a person reads first; the folded bodies (the verdict table for every
//! target, the signatures with their chains: most of a card's DOM) are drawn in the task after the
//! next paint, or at once when the fold is opened. Find-in-page, "Expand all" and the exports see
//! them as before, a frame later (printing waits for them: `services::browser::print`). Measured
//! on the typical package (`cargo xtask bench --only package`, alternated 7-run sets): every card
//! done 57, 59 -> 44, 49 ms.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FoldProps {
    /// Classes of the `<details>` (`fold` and the section's own).
    pub class: Classes,
    /// The `<summary>`'s content (shown at once).
    pub summary: Html,
    /// The body, drawn after the next paint or when opened.
    pub children: Html,
}

#[function_component(Fold)]
pub fn fold(props: &FoldProps) -> Html {
    let drawn = use_state(|| false);
    {
        let drawn = drawn.clone();
        use_effect_with((), move |_| {
            let live = std::rc::Rc::new(std::cell::Cell::new(true));
            let still = live.clone();
            wasm_bindgen_futures::spawn_local(async move {
                crate::services::browser::after_next_paint().await;
                if still.get() {
                    drawn.set(true);
                }
            });
            move || live.set(false)
        });
    }
    let ontoggle = {
        let drawn = drawn.clone();
        Callback::from(move |_: Event| {
            if !*drawn {
                drawn.set(true);
            }
        })
    };
    html! {
        <details class={props.class.clone()} {ontoggle}>
            <summary>{ props.summary.clone() }</summary>
            if *drawn {
                { props.children.clone() }
            }
        </details>
    }
}
