//! "Which Windows does the customer run?": one select over every target, driving the summary's
//! verdict column, each card's first verdict and the ticket summary. The choice goes into the
//! address (`?target=ID`) and is remembered (services::prefs).

use drvsig::policy::Target;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TargetPickerProps {
    pub target: Target,
    pub on_change: Callback<Target>,
}

#[function_component(TargetPicker)]
pub fn target_picker(props: &TargetPickerProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let value = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value());
            if let Some(t) = value.as_deref().and_then(Target::from_id) {
                on_change.emit(t);
            }
        })
    };
    html! {
        <div class="target-picker">
            <label for="target-picker">{ "Which Windows does the customer run?" }</label>
            <select id="target-picker" {onchange} data-target={props.target.id()}>
                { for Target::ALL.iter().map(|t| html! {
                    <option value={t.id()} selected={*t == props.target}>{ t.label() }</option>
                }) }
            </select>
        </div>
    }
}
