//! The inspection worker (`static/worker.js`): the core runs there, off the main thread, so a big
//! driver never freezes the page. The main thread only reads the file into an `ArrayBuffer`,
//! transfers it (no copy), and gets the report back as JSON with the buffer transferred back.
//!
//! One worker, created on first use. [`abort`] terminates it (the in-flight file's wait ends as
//! [`Reply::Cancelled`]); the next file starts a fresh one. When no worker can be created (file://,
//! an old browser) or it fails to load, [`available`] turns false for good and the pipeline runs
//! the core on the main thread, as before.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// The worker's answer on one file.
pub enum Reply {
    /// The `InspectionReport` JSON and the file's bytes, given back.
    Report(String, ArrayBuffer),
    /// The worker was terminated ([`abort`]) while it had the file.
    Cancelled,
    /// The worker failed (it could not load, or threw): the caller falls back to the main thread.
    Failed(String),
}

struct Live {
    worker: Worker,
    // Kept alive as long as the worker is.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static WORKER: RefCell<Option<Live>> = const { RefCell::new(None) };
    static BROKEN: Cell<bool> = const { Cell::new(false) };
    static NEXT: Cell<u32> = const { Cell::new(1) };
    /// Request id -> the `resolve` of the promise its caller awaits.
    static PENDING: RefCell<HashMap<u32, Function>> = RefCell::new(HashMap::new());
}

/// Whether inspections go to a worker (false once creating or loading one failed).
pub fn available() -> bool {
    !BROKEN.with(Cell::get)
}

/// Resolves every waiting request with `value`.
fn settle_all(value: &JsValue) {
    let pending: Vec<Function> = PENDING.with(|p| p.borrow_mut().drain().map(|(_, f)| f).collect());
    for resolve in pending {
        let _ = resolve.call1(&JsValue::NULL, value);
    }
}

fn worker() -> Option<Worker> {
    if !available() {
        return None;
    }
    if let Some(w) = WORKER.with(|w| w.borrow().as_ref().map(|l| l.worker.clone())) {
        return Some(w);
    }
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = match Worker::new_with_options("./worker.js", &options) {
        Ok(w) => w,
        Err(_) => {
            BROKEN.with(|b| b.set(true));
            return None;
        }
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        let Some(id) = Reflect::get(&data, &JsValue::from_str("id"))
            .ok()
            .and_then(|v| v.as_f64())
        else {
            return;
        };
        let resolve = PENDING.with(|p| p.borrow_mut().remove(&(id as u32)));
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        // The script or the wasm did not load: never try again, answer everyone "failed".
        event.prevent_default();
        BROKEN.with(|b| b.set(true));
        if let Some(live) = WORKER.with(|w| w.borrow_mut().take()) {
            live.worker.terminate();
        }
        let failed = Object::new();
        let _ = Reflect::set(
            &failed,
            &JsValue::from_str("error"),
            &JsValue::from_str("the inspection worker did not start"),
        );
        settle_all(&failed);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    WORKER.with(|w| {
        *w.borrow_mut() = Some(Live {
            worker: worker.clone(),
            _on_message: on_message,
            _on_error: on_error,
        })
    });
    Some(worker)
}

/// Inspects one file in the worker. `buffer` is transferred (detached here) and comes back with
/// the report.
pub async fn inspect(name: &str, buffer: ArrayBuffer, time_secs: f64) -> Reply {
    let Some(worker) = worker() else {
        return Reply::Failed("no worker".into());
    };
    let id = NEXT.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    let message = Object::new();
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id));
    let _ = Reflect::set(&message, &"name".into(), &JsValue::from_str(name));
    let _ = Reflect::set(&message, &"buffer".into(), &buffer);
    let _ = Reflect::set(&message, &"time".into(), &JsValue::from(time_secs));
    let answer = Promise::new(&mut |resolve, _| {
        PENDING.with(|p| p.borrow_mut().insert(id, resolve));
    });
    let transfer = Array::of1(&buffer);
    if let Err(e) = worker.post_message_with_transfer(&message, &transfer) {
        PENDING.with(|p| p.borrow_mut().remove(&id));
        return Reply::Failed(format!("{e:?}"));
    }
    let data = JsFuture::from(answer).await.unwrap_or(JsValue::NULL);
    if data.is_null() || data.is_undefined() {
        return Reply::Cancelled;
    }
    let field = |k: &str| Reflect::get(&data, &JsValue::from_str(k)).ok();
    if let Some(error) = field("error").and_then(|v| v.as_string()) {
        return Reply::Failed(error);
    }
    match (
        field("json").and_then(|v| v.as_string()),
        field("buffer").and_then(|v| v.dyn_into::<ArrayBuffer>().ok()),
    ) {
        (Some(json), Some(buffer)) => Reply::Report(json, buffer),
        _ => Reply::Failed("the worker's answer has no report".into()),
    }
}

/// Starts the worker ahead of the first file (its wasm compiles and warms up while the page idles).
pub fn prepare() {
    let _ = worker();
}

/// Whether a file is with the worker right now.
pub fn busy() -> bool {
    PENDING.with(|p| !p.borrow().is_empty())
}

/// Terminates the worker: whatever it was inspecting ends as [`Reply::Cancelled`]. The next file
/// starts a fresh worker.
pub fn abort() {
    if let Some(live) = WORKER.with(|w| w.borrow_mut().take()) {
        live.worker.terminate();
    }
    settle_all(&JsValue::NULL);
}
