//! The root: owns the state, wires the pickers and drops into the pipeline.

use yew::prelude::*;

use super::drop_zone::DropZone;
use super::file_list::FileList;
use super::footer::Footer;
use super::header::Header;
use crate::services::{browser, files, pipeline};
use crate::state::{Action, AppState, FileId};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let dispatch = state.dispatcher().to_callback();

    let on_files = {
        let dispatch = dispatch.clone();
        Callback::from(move |picked: Vec<files::Picked>| {
            pipeline::enqueue(picked, dispatch.clone())
        })
    };
    let on_demo = {
        let dispatch = dispatch.clone();
        Callback::from(move |()| pipeline::enqueue(vec![files::demo()], dispatch.clone()))
    };
    let on_remove = {
        let dispatch = dispatch.clone();
        Callback::from(move |id: FileId| {
            pipeline::cancel(id);
            dispatch.emit(Action::Remove(id));
        })
    };
    let on_clear = {
        let dispatch = dispatch.clone();
        Callback::from(move |()| {
            pipeline::cancel_all();
            dispatch.emit(Action::Clear);
        })
    };

    {
        let on_files = on_files.clone();
        use_effect_with((), move |_| {
            // Drops outside the drop zone count too (and never navigate away from the page).
            let on_drop = Callback::from(move |dropped: files::Dropped| {
                let on_files = on_files.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    on_files.emit(files::collect_drop(dropped).await);
                });
            });
            let guard = browser::WindowDrop::listen(on_drop);
            if browser::demo_requested() {
                pipeline::enqueue(vec![files::demo()], dispatch);
            }
            browser::mark_ready();
            pipeline::warm_up();
            move || drop(guard)
        });
    }

    html! {
        <>
            <Header />
            <main id="main" class="container">
                <DropZone compact={!state.entries.is_empty()} {on_files} {on_demo} />
                <FileList
                    entries={state.entries.clone()}
                    announcement={state.announcement()}
                    busy={state.busy()}
                    {on_remove}
                    {on_clear}
                />
            </main>
            <Footer />
        </>
    }
}
