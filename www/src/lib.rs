//! The drvsig page: a Yew app over the drvsig core's reports, compiled to WebAssembly.
//!
//! The page's wasm draws reports (views, summaries, triage, diff, Markdown); the core's
//! inspection runs in workers, a wasm module of its own (`crates/worker`). Layout: [`state`] is
//! the pure reducer (unit-tested natively), [`services`] reads files and hands them to the workers, [`components`] only display the state, one component per file, and [`text`] makes
//! every string from a file inert and visible. Nothing is uploaded: bytes go from the user's disk
//! to the core in this page and nowhere else.

pub mod components;
pub mod panic;
pub mod saved;
pub mod services;
pub mod state;
pub mod text;

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the app into `#app` (or `<body>` if the shell has none), after installing the panic
/// hook: a panic shows an error card with a copyable report instead of a dead page.
#[wasm_bindgen(start)]
pub fn start() {
    if web_sys::window().is_none() {
        return;
    }
    panic::install();
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<components::app::App>::with_root(root).render(),
        None => yew::Renderer::<components::app::App>::new().render(),
    };
}
