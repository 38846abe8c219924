//! The root: owns the state, wires the pickers, drops and demos into the pipeline.
//! `?demo` / `?demo=ID` loads a bundled demo at start; `?embed` is the compact iframe layout
//! (no header or footer; everything the result needs stays).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::diff_view::DiffView;
use super::drop_zone::DropZone;
use super::file_list::FileList;
use super::footer::Footer;
use super::header::Header;
use crate::services::{browser, files, pipeline};
use crate::state::{Action, AppState, FileId};

/// The services' actions, throttled to one state change (one render) per animation frame: the
/// first action after a quiet frame is applied at once, the ones that follow within the frame are
/// applied together at the next one ([`Action::Batch`]). A thousand files send thousands of
/// progress and done messages; each used to copy the state and draw the page again. While more
/// than [`MANY_IN_PROGRESS`] files are in progress, at most one state change per [`MANY_GAP_MS`]:
/// drawing the page (style, layout, paint of a hundred-row table and the cards) at every frame
/// took a third of the main thread during a drop of a thousand files, on the cores the workers
/// inspect them with.
#[derive(Clone)]
struct Throttle {
    dispatcher: UseReducerDispatcher<AppState>,
    inner: Rc<RefCell<ThrottleState>>,
}

/// See [`Throttle`].
const MANY_IN_PROGRESS: usize = 64;
const MANY_GAP_MS: f64 = 100.0;

#[derive(Default)]
struct ThrottleState {
    pending: Vec<Action>,
    /// An action was applied since the last frame (a frame callback is scheduled).
    busy: bool,
    /// The least time between two state changes (ms), and when the last was applied.
    gap: f64,
    applied_at: f64,
}

impl Throttle {
    fn new(dispatcher: UseReducerDispatcher<AppState>) -> Self {
        Throttle { dispatcher, inner: Rc::default() }
    }

    fn push(&self, action: Action) {
        let now = {
            let mut inner = self.inner.borrow_mut();
            if inner.busy {
                inner.pending.push(action);
                None
            } else {
                inner.busy = true;
                inner.applied_at = js_sys::Date::now();
                Some(action)
            }
        };
        if let Some(action) = now {
            self.dispatcher.dispatch(action);
            self.at_next_frame();
        }
    }

    /// How many files are in progress (the app says after each render): many, and the state
    /// changes at most once per [`MANY_GAP_MS`].
    fn in_progress(&self, files: usize) {
        self.inner.borrow_mut().gap = if files > MANY_IN_PROGRESS { MANY_GAP_MS } else { 0.0 };
    }

    /// Applies what waits, then `action` (a person's click: never later than the services' news).
    fn now(&self, action: Action) {
        let mut actions = std::mem::take(&mut self.inner.borrow_mut().pending);
        actions.push(action);
        self.dispatcher.dispatch(Action::Batch(actions));
    }

    fn at_next_frame(&self) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            crate::services::browser::next_frame().await;
            let wait = {
                let inner = this.inner.borrow();
                inner.applied_at + inner.gap - js_sys::Date::now()
            };
            if wait > 1.0 {
                crate::services::browser::after_ms(wait as i32).await;
                crate::services::browser::next_frame().await;
            }
            let actions = {
                let mut inner = this.inner.borrow_mut();
                let actions = std::mem::take(&mut inner.pending);
                inner.busy = !actions.is_empty();
                inner.applied_at = js_sys::Date::now();
                actions
            };
            if !actions.is_empty() {
                this.dispatcher.dispatch(Action::Batch(actions));
                this.at_next_frame();
            }
        });
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let throttle = use_memo((), {
        let dispatcher = state.dispatcher();
        move |_| Throttle::new(dispatcher)
    });
    // The services' news goes through the throttle; a person's actions are applied at once.
    let dispatch = use_memo((), {
        let throttle = (*throttle).clone();
        move |_| Callback::from(move |action: Action| throttle.push(action))
    });
    let dispatch: Callback<Action> = (*dispatch).clone();
    let act = use_memo((), {
        let throttle = (*throttle).clone();
        move |_| Callback::from(move |action: Action| throttle.now(action))
    });
    let act: Callback<Action> = (*act).clone();
    throttle.in_progress(state.busy());
    // The services (pipeline, workers) for this page, shared with the components that need them.
    let services = (*use_memo((), |_| pipeline::Services::default())).clone();
    let target = use_state_eq(crate::services::prefs::initial_target);
    {
        // The workers' briefs carry triage rows on the target shown.
        let services = services.clone();
        use_effect_with(*target, move |t| services.set_target(*t));
    }
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
    // A drop on the drop zone or anywhere on the window: its folders walked, its files added in
    // pieces as they come, until the page is cleared (Clear, Compare) meanwhile.
    let on_drop = {
        let dispatch = dispatch.clone();
        let services = services.clone();
        Callback::from(move |dropped: files::Dropped| {
            let epoch = services.epoch();
            let (dispatch, services) = (dispatch.clone(), services.clone());
            let emit = Callback::from(move |picked: Vec<files::Picked>| {
                let current = services.epoch() == epoch;
                if current {
                    services.enqueue(picked, dispatch.clone());
                }
                current
            });
            wasm_bindgen_futures::spawn_local(files::collect_drop(dropped, emit));
        })
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
    // Every card holds `on_trust` and `on_remove`: they stay the same across renders (a new
    // callback would draw every card again), reading the current roots here.
    let trusted_now = use_mut_ref(Vec::new);
    *trusted_now.borrow_mut() = state.trusted.clone();
    let on_trust = use_memo((), {
        let (dispatch, act, trusted_now) = (dispatch.clone(), act.clone(), trusted_now.clone());
        let services = services.clone();
        move |_| {
            Callback::from(move |(trust, cert): (bool, drvsig::report::CertificateSummary)| {
                use base64::Engine;
                let mut roots: Vec<crate::state::TrustedRoot> = trusted_now.borrow().clone();
                if trust {
                    let Ok(der) = base64::engine::general_purpose::STANDARD.decode(cert.der_base64.as_bytes()) else {
                        return;
                    };
                    let root = crate::state::TrustedRoot {
                        sha256: cert.sha256.clone(),
                        subject: cert.subject.clone(),
                        der: std::rc::Rc::new(der),
                    };
                    roots.push(root.clone());
                    act.emit(Action::Trust(root));
                } else {
                    roots.retain(|r| r.sha256 != cert.sha256);
                    act.emit(Action::Untrust(cert.sha256.clone()));
                }
                services.set_trust(roots.iter().map(|r| (*r.der).clone()).collect(), dispatch.clone());
            })
        }
    });
    let on_trust: Callback<(bool, drvsig::report::CertificateSummary)> = (*on_trust).clone();
    let on_remove = use_memo((), {
        let act = act.clone();
        let services = services.clone();
        move |_| {
            Callback::from(move |id: FileId| {
                services.cancel(id);
                act.emit(Action::Remove(id));
            })
        }
    });
    let on_remove: Callback<FileId> = (*on_remove).clone();
    let on_clear = {
        let act = act.clone();
        let services = services.clone();
        Callback::from(move |()| {
            services.cancel_all(true);
            act.emit(Action::Clear);
        })
    };
    // Compare mode: keep the reports on the page as the old side, clear the page for the new one
    // (the dropped block lists' cards stay: their lists judge the new side too).
    let on_compare = {
        let act = act.clone();
        let services = services.clone();
        Callback::from(move |()| {
            let lists = services.list_cards();
            services.cancel_all(false);
            act.emit(Action::CompareWith(lists));
        })
    };
    let on_stop_comparing = {
        let act = act.clone();
        Callback::from(move |_: MouseEvent| act.emit(Action::StopComparing))
    };
    let comparison = state.comparison().map(Rc::new);

    {
        let early_files = on_files.clone();
        let on_drop = on_drop.clone();
        let services = services.clone();
        use_effect_with((), move |_| {
            // Drops outside the drop zone count too (and never navigate away from the page).
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
                    let (dispatch, services) = (dispatch.clone(), services.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Some(report) = crate::saved::decode_fragment(&hash).await {
                            dispatch.emit(Action::Saved(crate::saved::Saved {
                                id: services.fresh_id(),
                                origin: "a shared link".to_string(),
                                report: report.map(std::rc::Rc::new),
                            }));
                        }
                    });
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
                <DropZone compact={!state.entries.is_empty()} {on_files} {on_drop} {on_demo} {on_demo_pick} />
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
