//! The bundled demos, each one click away (and deep-linkable as `?demo=ID`).

use yew::prelude::*;

use crate::state::DEMOS;

#[derive(Properties, PartialEq)]
pub struct DemoPickerProps {
    /// A demo's id (`driver`, `good`, `tampered`, `missing-file`).
    pub on_pick: Callback<&'static str>,
}

#[function_component(DemoPicker)]
pub fn demo_picker(props: &DemoPickerProps) -> Html {
    html! {
        <nav class="demo-picker" aria-label="Demos">
            <span class="demo-picker-label">{ "Or try a demo:" }</span>
            <ul class="demo-list">
                { for DEMOS.iter().map(|d| {
                    let on_pick = props.on_pick.clone();
                    let id = d.id;
                    let onclick = Callback::from(move |_: MouseEvent| on_pick.emit(id));
                    html! {
                        <li>
                            <button type="button" class="demo-chip" data-demo={d.id} title={d.description} {onclick}>
                                <span class="demo-chip-label">{ d.label }</span>
                                <span class="demo-chip-desc">{ d.description }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}
