//! Where files come in: drag and drop (files and folders), the file and folder pickers, the demo.
//! Keyboard: the zone is focusable and Enter / Space open the file picker.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, Node};
use yew::prelude::*;

use super::demo_picker::DemoPicker;
use crate::services::files::{self, Picked};

#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// Files picked or dropped, names already relative to the picked / dropped folder.
    pub on_files: Callback<Vec<Picked>>,
    /// Something dropped (files, folders), taken during the event: the app walks it.
    pub on_drop: Callback<files::Dropped>,
    pub on_demo: Callback<()>,
    /// A bundled demo picked by id.
    #[prop_or_default]
    pub on_demo_pick: Callback<&'static str>,
    /// Smaller once there are results.
    #[prop_or_default]
    pub compact: bool,
}

fn open(input: &NodeRef) {
    if let Some(input) = input.cast::<HtmlInputElement>() {
        input.click();
    }
}

#[function_component(DropZone)]
pub fn drop_zone(props: &DropZoneProps) -> Html {
    let dragging = use_state_eq(|| false);
    let file_input = use_node_ref();
    let folder_input = use_node_ref();
    let zone = use_node_ref();

    let ondragenter = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(t) = e.data_transfer() {
                t.set_drop_effect("copy");
            }
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        let zone = zone.clone();
        Callback::from(move |e: DragEvent| {
            // Moving onto a child also fires dragleave: only leaving the zone counts.
            let into: Option<Node> = e.related_target().and_then(|t| t.dyn_into::<Node>().ok());
            let inside = match (zone.cast::<Node>(), into) {
                (Some(zone), Some(into)) => zone.contains(Some(&into)),
                _ => false,
            };
            if !inside {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let dragging = dragging.clone();
        let on_drop = props.on_drop.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            on_drop.emit(files::take_drop(e.data_transfer()));
        })
    };
    let onkeydown = {
        let file_input = file_input.clone();
        let zone = zone.clone();
        Callback::from(move |e: KeyboardEvent| {
            // Yew delegates events, so compare with the zone itself (not `current_target`): keys on
            // the zone's own buttons keep their meaning.
            let on_zone = match (e.target().and_then(|t| t.dyn_into::<Node>().ok()), zone.cast::<Node>()) {
                (Some(target), Some(zone)) => target.is_same_node(Some(&zone)),
                _ => false,
            };
            if on_zone && (e.key() == "Enter" || e.key() == " ") {
                e.prevent_default();
                open(&file_input);
            }
        })
    };
    let onclick = {
        let file_input = file_input.clone();
        Callback::from(move |e: MouseEvent| {
            // Clicking the zone's background opens the picker; its own buttons do their own thing.
            let on_control = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|el| el.closest("button, input, a, label").ok().flatten())
                .is_some();
            if !on_control {
                open(&file_input);
            }
        })
    };
    let on_change = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let named = files::named_files(input.files());
            // Picking the same file again must fire `change` again.
            input.set_value("");
            if !named.is_empty() {
                // Fifty files per task: a thousand picked files start at once, without a long task.
                let on_files = on_files.clone();
                wasm_bindgen_futures::spawn_local(files::picked_in_batches(named, move |picked| on_files.emit(picked)));
            }
        })
    };
    let pick_files = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| open(&file_input))
    };
    let pick_folder = {
        let folder_input = folder_input.clone();
        Callback::from(move |_: MouseEvent| open(&folder_input))
    };
    let demo = {
        let on_demo = props.on_demo.clone();
        Callback::from(move |_: MouseEvent| on_demo.emit(()))
    };

    let class = classes!("drop-zone", (*dragging).then_some("is-dragging"), props.compact.then_some("is-compact"));
    html! {
        <section
            id="drop-zone"
            ref={zone}
            {class}
            tabindex="0"
            aria-label="Drop zone: drop driver files or folders here, or press Enter to choose files"
            aria-describedby="drop-zone-hint"
            {ondragenter}
            {ondragover}
            {ondragleave}
            {ondrop}
            {onkeydown}
            {onclick}
        >
            <svg class="drop-icon" aria-hidden="true" viewBox="0 0 24 24" width="40" height="40">
                <path d="M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
                <path d="M4 14v4.5A1.5 1.5 0 0 0 5.5 20h13a1.5 1.5 0 0 0 1.5-1.5V14" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
            </svg>
            <p class="drop-title">
                { if *dragging { "Release to inspect" } else { "Drop driver files or a folder here" } }
            </p>
            <p id="drop-zone-hint" class="drop-hint">
                { ".sys, .cat, .inf, whole driver folders or a .zip \u{2014} read locally, nothing is uploaded." }
            </p>
            <div class="drop-actions">
                <button type="button" class="button button-primary" onclick={pick_files}>{ "Choose files" }</button>
                <button type="button" class="button" onclick={pick_folder}>{ "Choose a folder" }</button>
                <button type="button" id="demo-button" class="button button-ghost" onclick={demo}>{ "Try the demo" }</button>
            </div>
            if !props.compact {
                <DemoPicker on_pick={props.on_demo_pick.clone()} />
            }
            <input
                type="file"
                id="file-input"
                class="visually-hidden"
                multiple=true
                tabindex="-1"
                aria-hidden="true"
                ref={file_input}
                onchange={on_change.clone()}
            />
            <input
                type="file"
                id="folder-input"
                class="visually-hidden"
                multiple=true
                webkitdirectory=true
                tabindex="-1"
                aria-hidden="true"
                ref={folder_input}
                onchange={on_change}
            />
        </section>
    }
}
