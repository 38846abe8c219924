//! The drvsig page: a Yew app over the drvsig core, compiled to WebAssembly.
//!
//! Layout: [`state`] is the pure reducer (unit-tested natively), [`services`] reads files and runs
//! the core, [`components`] only display the state, one component per file, and [`text`] makes
//! every string from a file inert and visible. Nothing is uploaded: bytes go from the user's disk
//! to the core in this page and nowhere else.

pub mod components;
pub mod panic;
pub mod services;
pub mod state;
pub mod text;

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the app into `#app` (or `<body>` if the shell has none), after installing the panic
/// hook: a panic shows an error card with a copyable report instead of a dead page.
#[wasm_bindgen(start)]
pub fn start() {
    // The same module is instantiated in the inspection worker (static/worker.js), which has no
    // window: there it only serves [`inspect_package_json`].
    if web_sys::window().is_none() {
        return;
    }
    panic::install();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<components::app::App>::with_root(root).render(),
        None => yew::Renderer::<components::app::App>::new().render(),
    };
}

/// The worker's entry point: the core's package pass on one file (a zip is expanded into its
/// members), as the JSON of an [`drvsig::InspectionReport`]. `time_secs` is the verification time
/// (Unix seconds, from the page's clock: the core has none).
#[wasm_bindgen]
pub fn inspect_package_json(name: String, bytes: &[u8], time_secs: f64) -> String {
    let options = drvsig::Options::at(drvsig::UnixTime(time_secs.floor() as i64));
    let report = drvsig::inspect_package(&[(name, bytes)], &options);
    serde_json::to_string(&report).unwrap_or_default()
}

/// Runs the core's hashing on small buffers so the worker's wasm reaches the optimising tier
/// before a real file arrives (see `services::pipeline::warm_up`).
#[wasm_bindgen]
pub fn worker_warm_up() {
    let buffer = vec![0u8; 128 * 1024];
    for _ in 0..24 {
        let _ = drvsig::inspect(
            "warm-up.bin",
            &buffer,
            &drvsig::Options::at(drvsig::UnixTime(0)),
        );
    }
}
