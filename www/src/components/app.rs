//! The root: owns the state, wires the pickers, drops and demos into the pipeline.
//! `?demo` / `?demo=ID` loads a bundled demo at start; `?embed` is the compact iframe layout
//! (no header or footer; everything the result needs stays).

use std::rc::Rc;

use yew::prelude::*;

use super::diff_view::DiffView;
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
    // The services (pipeline, workers) for this page, shared with the components that need them.
    let services = (*use_memo((), |_| pipeline::Services::default())).clone();
    let target = use_state_eq(crate::services::prefs::initial_target);
    let on_target = {
        let target = target.clone();
        Callback::from(move |t| {
            crate::services::prefs::choose_target(t);
            target.set(t);
        })
    };

    let on_files = {
        let dispatch = dispatch.clone();
        let services = services.clone();
        Callback::from(move |picked: Vec<files::Picked>| services.enqueue(picked, dispatch.clone()))
    };
    let on_demo = {
        let dispatch = dispatch.clone();
        let services = services.clone();
        Callback::from(move |()| enqueue_demo(services.clone(), "driver", dispatch.clone()))
    };
    let on_demo_pick = {
        let dispatch = dispatch.clone();
        let services = services.clone();
        Callback::from(move |id: &'static str| enqueue_demo(services.clone(), id, dispatch.clone()))
    };
    let embed = use_memo((), |_| browser::embed_requested());
    // "Trust this root for this page": the state keeps the roots, the pipeline judges every file
    // again with them.
    let on_trust = {
        let (dispatch, state) = (dispatch.clone(), state.clone());
        let services = services.clone();
        Callback::from(move |(trust, cert): (bool, drvsig::report::CertificateSummary)| {
            use base64::Engine;
            let mut roots: Vec<crate::state::TrustedRoot> = state.trusted.clone();
            if trust {
                let Ok(der) = base64::engine::general_purpose::STANDARD.decode(cert.der_base64.as_bytes()) else {
                    return;
                };
                let root =
                    crate::state::TrustedRoot { sha256: cert.sha256.clone(), subject: cert.subject.clone(), der: std::rc::Rc::new(der) };
                roots.push(root.clone());
                dispatch.emit(Action::Trust(root));
            } else {
                roots.retain(|r| r.sha256 != cert.sha256);
                dispatch.emit(Action::Untrust(cert.sha256.clone()));
            }
            services.set_trust(roots.iter().map(|r| (*r.der).clone()).collect(), dispatch.clone());
        })
    };
    let on_remove = {
        let dispatch = dispatch.clone();
        let services = services.clone();
        Callback::from(move |id: FileId| {
            services.cancel(id);
            dispatch.emit(Action::Remove(id));
        })
    };
    let on_clear = {
        let dispatch = dispatch.clone();
        let services = services.clone();
        Callback::from(move |()| {
            services.cancel_all();
            dispatch.emit(Action::Clear);
        })
    };
    // Compare mode: keep the reports on the page as the old side, clear the page for the new one.
    let on_compare = {
        let dispatch = dispatch.clone();
        let services = services.clone();
        Callback::from(move |()| {
            services.cancel_all();
            dispatch.emit(Action::CompareWith);
        })
    };
    let on_stop_comparing = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::StopComparing))
    };
    let comparison = state.comparison().map(Rc::new);

    {
        let on_files = on_files.clone();
        let early_files = on_files.clone();
        let services = services.clone();
        use_effect_with((), move |_| {
            // Drops outside the drop zone count too (and never navigate away from the page).
            let on_drop = Callback::from(move |dropped: files::Dropped| {
                let on_files = on_files.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    on_files.emit(files::collect_drop(dropped).await);
                });
            });
            // What was dropped on index.html's drop zone while the wasm was loading (taken before
            // the app's own window listener starts, so no drop is handled twice).
            let early = files::take_early();
            let guard = browser::WindowDrop::listen(on_drop);
            wasm_bindgen_futures::spawn_local(async move {
                let early = early.await;
                if !early.is_empty() {
                    early_files.emit(early);
                }
            });
            // A share link: the report in the fragment, shown as a saved report (at start, and
            // when a link is pasted into this tab).
            let show_link = {
                let dispatch = dispatch.clone();
                let services = services.clone();
                Callback::from(move |hash: String| {
                    if let Some(report) = crate::saved::decode_fragment(&hash) {
                        dispatch.emit(Action::Saved(crate::saved::Saved {
                            id: services.fresh_id(),
                            origin: "a shared link".to_string(),
                            report: report.map(std::rc::Rc::new),
                        }));
                    }
                })
            };
            if let Some(hash) = browser::fragment() {
                show_link.emit(hash);
            }
            let hash_guard = browser::HashChange::listen(show_link);
            if let Some(id) = browser::requested_demo() {
                enqueue_demo(services.clone(), id, dispatch);
            }
            if browser::embed_requested() {
                browser::mark_embed();
            }
            browser::mark_ready();
            services.warm_up();
            move || {
                drop(guard);
                drop(hash_guard);
            }
        });
    }

    html! {
        <ContextProvider<pipeline::Services> context={services}>
            if !*embed {
                <Header />
            }
            <main id="main" class={classes!("container", embed.then_some("is-embed"))}>
                if let Some(base) = &state.compare_base {
                    <div id="compare-banner" class="compare-banner" role="note">
                        <p>
                            <strong>{ "Compare mode. " }</strong>
                            { "Old version: " }{ crate::text::inert_html(&base.label) }
                            { if state.entries.is_empty() { ". Drop or pick the new version below: it is inspected here, like the old one." } else { "." } }
                        </p>
                        <button type="button" id="compare-stop" class="button button-small" onclick={on_stop_comparing}>{ "Stop comparing" }</button>
                    </div>
                }
                <DropZone compact={!state.entries.is_empty()} {on_files} {on_demo} {on_demo_pick} />
                if let (Some(diff), Some(base)) = (comparison, &state.compare_base) {
                    <DiffView {diff} base_label={base.label.clone()} />
                }
                <FileList
                    entries={state.entries.clone()}
                    announcement={state.announcement()}
                    busy={state.busy()}
                    {on_remove}
                    {on_clear}
                    {on_compare}
                    can_compare={state.compare_base.is_none() && state.busy() == 0 && !state.packages_pending}
                    packages={state.packages.clone()}
                    packages_pending={state.packages_pending}
                    parents={state.parents.clone()}
                    target={*target}
                    {on_target}
                    saved={state.saved.clone()}
                    trusted={state.trusted.clone()}
                    {on_trust}
                />
            </main>
            if !*embed {
                <Footer />
            }
        </ContextProvider<pipeline::Services>>
    }
}

/// Loads a bundled demo and inspects it as if it had been dropped.
fn enqueue_demo(services: pipeline::Services, id: &'static str, dispatch: Callback<Action>) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(demo) = files::demo_named(id).await {
            services.enqueue(vec![demo], dispatch);
        }
    });
}
