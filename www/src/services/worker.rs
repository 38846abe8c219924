//! The inspection workers (`static/worker.js`): the core runs there, off the main thread, so a big
//! driver never freezes the page. The main thread hands a worker the `File` itself (a structured
//! clone, no copy: the worker reads it with progress, hashing it as it reads) or a transferred
//! `ArrayBuffer` (demo bytes, small files), and gets the report back as JSON. The bytes stay in the
//! worker (the page keeps the `File` handle and reads it again when it needs bytes).
//!
//! A pool of `min(hardwareConcurrency, 4)` workers (at least 2), created lazily: two by
//! [`prepare`] (the page calls it once mounted), another only when a request waits and every
//! started worker is busy. A request goes
//! to the first worker that is loaded and free. [`abort`] terminates the one worker holding that
//! request (its wait ends as [`Reply::Cancelled`]); the others go on. When no worker can be created
//! (file://, an old browser) or one fails to load, [`available`] turns false for good and the
//! pipeline runs the core on the main thread, as before.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// A worker's answer on one file.
pub enum Reply {
    /// The `InspectionReport` JSON and the worker's timings JSON.
    Report(String, Option<String>),
    /// The worker was terminated ([`abort`]) while it had the file.
    Cancelled,
    /// The worker failed (it could not load, or threw): the caller falls back to the main thread.
    Failed(String),
}

/// What a file's worker says while it works on it.
pub enum Progress {
    /// `loaded` of `total` bytes read.
    Read(f64, f64),
    /// Read; now hashing and verifying.
    Inspecting,
}

/// What the worker gets for one file.
pub enum Payload {
    /// A user's file: the worker reads it (structured clone of the handle, no copy).
    File(web_sys::File),
    /// Bytes made here (the demo): transferred.
    Buffer(ArrayBuffer),
}

type OnProgress = Rc<dyn Fn(Progress)>;

struct Slot {
    key: u32,
    worker: Worker,
    /// The wasm is loaded (the worker said `{ready: true}`).
    ready: bool,
    /// The request it works on.
    busy: Option<f64>,
    // Kept alive as long as the worker is.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

struct Waiting {
    resolve: Function,
    progress: Option<OnProgress>,
}

struct Job {
    id: f64,
    message: Object,
    transfer: Array,
}

thread_local! {
    static SLOTS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
    static JOBS: RefCell<VecDeque<Job>> = const { RefCell::new(VecDeque::new()) };
    static BROKEN: Cell<bool> = const { Cell::new(false) };
    static NEXT_SLOT: Cell<u32> = const { Cell::new(1) };
    /// Request id -> the `resolve` of the promise its caller awaits (and its progress callback).
    static PENDING: RefCell<HashMap<u64, Waiting>> = RefCell::new(HashMap::new());
}

/// Whether inspections go to workers (false once creating or loading one failed).
pub fn available() -> bool {
    !BROKEN.with(Cell::get)
}

/// How many workers the pool may hold: `min(navigator.hardwareConcurrency, 4)`, at least 2.
pub fn pool_size() -> usize {
    let cores = web_sys::window().map(|w| w.navigator().hardware_concurrency()).unwrap_or(2.0);
    (cores as usize).clamp(2, 4)
}

fn key(id: f64) -> u64 {
    id as u64
}

fn resolve(id: f64, value: &JsValue) {
    let waiting = PENDING.with(|p| p.borrow_mut().remove(&key(id)));
    if let Some(w) = waiting {
        let _ = w.resolve.call1(&JsValue::NULL, value);
    }
}

fn failure(text: &str) -> JsValue {
    let failed = Object::new();
    let _ = Reflect::set(&failed, &"error".into(), &JsValue::from_str(text));
    failed.into()
}

/// Stops every worker for good and answers every request "failed" (the pipeline then inspects on
/// the main thread).
fn break_all(why: &str) {
    BROKEN.with(|b| b.set(true));
    let slots: Vec<Slot> = SLOTS.with(|s| s.borrow_mut().drain(..).collect());
    for slot in &slots {
        slot.worker.terminate();
    }
    JOBS.with(|j| j.borrow_mut().clear());
    let pending: Vec<Waiting> = PENDING.with(|p| p.borrow_mut().drain().map(|(_, w)| w).collect());
    let value = failure(why);
    for w in pending {
        let _ = w.resolve.call1(&JsValue::NULL, &value);
    }
    // The closures of the slots are dropped after this handler returns (not inside their own call).
    if let Some(window) = web_sys::window() {
        let keep = Closure::once_into_js(move || drop(slots));
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(keep.unchecked_ref(), 0);
    }
}

// Workers index.html's early.js started while the page's own wasm was loading (so the first
// file dropped at once does not wait for a worker's start-up after the page's).
#[wasm_bindgen]
extern "C" {
    /// One early worker: `{ worker, ready, error }` in early.js (`ready`/`error` as its first
    /// message said, or undefined while it still loads).
    type EarlyWorker;
    #[wasm_bindgen(method, getter)]
    fn worker(this: &EarlyWorker) -> Worker;
    #[wasm_bindgen(method, getter)]
    fn ready(this: &EarlyWorker) -> Option<bool>;
    #[wasm_bindgen(method, getter)]
    fn error(this: &EarlyWorker) -> Option<String>;
    /// `drvsigEarly.takeWorkers()`: the early workers, handed over once (early.js stops listening
    /// to them); throws where the page has no early.js.
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = takeWorkers)]
    fn early_take_workers() -> Result<Array, JsValue>;
}

/// Adopts early.js's workers into the pool (each with the state its first message gave).
fn adopt_early_workers() {
    let Ok(list) = early_take_workers() else { return };
    for early in list.iter() {
        let early: EarlyWorker = early.unchecked_into();
        match (early.ready(), early.error()) {
            (Some(false), error) => {
                early.worker().terminate();
                break_all(&format!("the inspection worker did not load ({})", error.unwrap_or_default()));
                return;
            }
            (ready, _) => {
                add_slot(early.worker(), ready == Some(true));
            }
        }
    }
}

fn spawn_slot() -> bool {
    if !available() {
        return false;
    }
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = match Worker::new_with_options("./worker.js", &options) {
        Ok(w) => w,
        Err(_) => {
            BROKEN.with(|b| b.set(true));
            return false;
        }
    };
    add_slot(worker, false);
    true
}

/// A worker joins the pool (`ready`: it already said its wasm is loaded).
fn add_slot(worker: Worker, ready: bool) {
    let slot_key = NEXT_SLOT.with(|n| {
        let k = n.get();
        n.set(k.wrapping_add(1));
        k
    });
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        on_message(slot_key, event.data());
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        // The script or the wasm did not load: never try again, answer everyone "failed".
        event.prevent_default();
        break_all("the inspection worker did not start");
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    SLOTS.with(|s| s.borrow_mut().push(Slot { key: slot_key, worker, ready, busy: None, _on_message: on_message, _on_error: on_error }));
}

fn field(data: &JsValue, k: &str) -> JsValue {
    Reflect::get(data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn on_message(slot_key: u32, data: JsValue) {
    let ready = field(&data, "ready");
    if let Some(ok) = ready.as_bool() {
        if ok {
            SLOTS.with(|s| {
                if let Some(slot) = s.borrow_mut().iter_mut().find(|s| s.key == slot_key) {
                    slot.ready = true;
                }
            });
            pump();
        } else {
            let why = field(&data, "error").as_string().unwrap_or_default();
            break_all(&format!("the inspection worker did not load ({why})"));
        }
        return;
    }
    let Some(id) = field(&data, "id").as_f64() else {
        return;
    };
    let loaded = field(&data, "loaded").as_f64();
    let stage = field(&data, "stage").as_string();
    if loaded.is_some() || stage.is_some() {
        let progress = PENDING.with(|p| p.borrow().get(&key(id)).and_then(|w| w.progress.clone()));
        if let Some(progress) = progress {
            match loaded {
                Some(loaded) => {
                    let total = field(&data, "total").as_f64().unwrap_or(0.0);
                    progress(Progress::Read(loaded, total));
                }
                None => progress(Progress::Inspecting),
            }
        }
        return;
    }
    let failed = field(&data, "error").is_string();
    let retired = SLOTS.with(|s| {
        let mut s = s.borrow_mut();
        let at = s.iter().position(|s| s.key == slot_key)?;
        if let Some(slot) = s.get_mut(at) {
            if slot.busy == Some(id) {
                slot.busy = None;
            }
        }
        // A worker whose wasm threw may be left in a bad state: retire it (a fresh one starts
        // when files wait).
        failed.then(|| s.remove(at))
    });
    resolve(id, &data);
    if let Some(slot) = retired {
        slot.worker.terminate();
        // Its closures are dropped after this handler returns (not inside their own call).
        if let Some(window) = web_sys::window() {
            let keep = Closure::once_into_js(move || drop(slot));
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(keep.unchecked_ref(), 0);
        }
    }
    pump();
}

/// Hands waiting requests to free, loaded workers; starts another worker when requests wait and
/// every worker is busy (up to [`pool_size`]).
fn pump() {
    loop {
        if JOBS.with(|j| j.borrow().is_empty()) {
            return;
        }
        let free = SLOTS.with(|s| s.borrow().iter().find(|s| s.ready && s.busy.is_none()).map(|s| (s.key, s.worker.clone())));
        let Some((slot_key, worker)) = free else {
            let (count, starting) = SLOTS.with(|s| {
                let s = s.borrow();
                (s.len(), s.iter().filter(|s| !s.ready).count())
            });
            let waiting = JOBS.with(|j| j.borrow().len());
            if starting < waiting && count < pool_size() {
                spawn_slot();
            }
            return;
        };
        let Some(job) = JOBS.with(|j| j.borrow_mut().pop_front()) else {
            return;
        };
        SLOTS.with(|s| {
            if let Some(slot) = s.borrow_mut().iter_mut().find(|s| s.key == slot_key) {
                slot.busy = Some(job.id);
            }
        });
        if let Err(e) = worker.post_message_with_transfer(&job.message, &job.transfer) {
            SLOTS.with(|s| {
                if let Some(slot) = s.borrow_mut().iter_mut().find(|s| s.key == slot_key) {
                    slot.busy = None;
                }
            });
            resolve(job.id, &failure(&format!("{e:?}")));
        }
    }
}

/// Queues one request and waits for its answer (`None`: cancelled).
async fn request(id: f64, message: Object, transfer: Array, progress: Option<OnProgress>) -> Option<JsValue> {
    if !available() {
        return Some(failure("no worker"));
    }
    let answer = Promise::new(&mut |resolve, _| {
        PENDING.with(|p| p.borrow_mut().insert(key(id), Waiting { resolve, progress: progress.clone() }));
    });
    JOBS.with(|j| j.borrow_mut().push_back(Job { id, message, transfer }));
    pump();
    if !available() {
        JOBS.with(|j| j.borrow_mut().retain(|job| job.id != id));
        resolve(id, &failure("no worker"));
    }
    let data = JsFuture::from(answer).await.unwrap_or(JsValue::NULL);
    (!data.is_null() && !data.is_undefined()).then_some(data)
}

/// The roots the person trusts for this page, as an array of `Uint8Array` (DER) for the worker.
fn trust_array() -> Array {
    super::pipeline::trusted_anchors().iter().map(|der| JsValue::from(js_sys::Uint8Array::from(der.as_slice()))).collect()
}

/// The block lists dropped on the page, (name, bytes), and a version that changes with them.
type DroppedLists = (u32, Vec<(String, Vec<u8>)>);

thread_local! {
    static DROPPED_LISTS: std::cell::RefCell<DroppedLists> = const { std::cell::RefCell::new((0, Vec::new())) };
}

/// Add a dropped block list; every later inspection in a worker judges against it too.
pub fn add_dropped_list(name: String, bytes: Vec<u8>) {
    DROPPED_LISTS.with(|d| {
        let mut d = d.borrow_mut();
        d.0 = d.0.wrapping_add(1).max(1);
        d.1.retain(|(n, _)| *n != name);
        d.1.push((name, bytes));
    });
}

/// The dropped lists as the worker message carries them: `[{name, buffer}]` and the version.
fn dropped_lists(message: &Object) {
    DROPPED_LISTS.with(|d| {
        let d = d.borrow();
        if d.0 == 0 {
            return;
        }
        let lists = Array::new();
        for (name, bytes) in &d.1 {
            let entry = Object::new();
            let _ = Reflect::set(&entry, &"name".into(), &JsValue::from_str(name));
            let _ = Reflect::set(&entry, &"buffer".into(), &js_sys::Uint8Array::from(&bytes[..]).buffer());
            lists.push(&entry);
        }
        let _ = Reflect::set(message, &"lists".into(), &lists);
        let _ = Reflect::set(message, &"listsVersion".into(), &JsValue::from(d.0));
    });
}

/// Inspects one file in a worker, under the request id `id` (the page's file id: [`abort`] takes
/// it). Nothing comes back but the report (a transferred buffer stays with the worker).
pub async fn inspect(id: u64, name: &str, payload: Payload, time_secs: f64, progress: OnProgress) -> Reply {
    let message = Object::new();
    let transfer = Array::new();
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id as f64));
    let _ = Reflect::set(&message, &"name".into(), &JsValue::from_str(name));
    let _ = Reflect::set(&message, &"time".into(), &JsValue::from(time_secs));
    let _ = Reflect::set(&message, &"trust".into(), &trust_array());
    dropped_lists(&message);
    match payload {
        Payload::File(file) => {
            let _ = Reflect::set(&message, &"file".into(), &file);
        }
        Payload::Buffer(buffer) => {
            let _ = Reflect::set(&message, &"buffer".into(), &buffer);
            transfer.push(&buffer);
        }
    }
    let Some(data) = request(id as f64, message, transfer, Some(progress)).await else {
        return Reply::Cancelled;
    };
    if let Some(error) = field(&data, "error").as_string() {
        return Reply::Failed(error);
    }
    let timings = js_sys::JSON::stringify(&field(&data, "timings")).ok().and_then(|s| s.as_string());
    match field(&data, "json").as_string() {
        Some(json) => Reply::Report(json, timings),
        None => Reply::Failed("the worker's answer has no report".into()),
    }
}

thread_local! {
    /// Request ids of package passes: above every file id.
    static NEXT_OTHER: Cell<f64> = const { Cell::new(4_000_000_000_000.0) };
}

fn other_id() -> f64 {
    NEXT_OTHER.with(|n| {
        let id = n.get();
        n.set(id + 1.0);
        id
    })
}

/// A file for the package pass in a worker.
pub enum PackageFile {
    /// A user's file: the worker reads it (structured clone of the handle, no copy here).
    File(web_sys::File),
    /// Bytes made here (demo bytes, zip members): transferred.
    Buffer(ArrayBuffer),
}

/// The package pass in a worker over `files` (name, file) with the reports the workers made: the
/// packages JSON.
pub async fn packages(files: Vec<(String, PackageFile)>, reports: Vec<String>, time_secs: f64) -> Result<String, String> {
    let id = other_id();
    let message = Object::new();
    let body = Object::new();
    let names: Array = files.iter().map(|(n, _)| JsValue::from_str(n)).collect();
    let handles = Array::new();
    let transfer = Array::new();
    for (_, file) in &files {
        match file {
            PackageFile::File(f) => {
                handles.push(f);
            }
            PackageFile::Buffer(b) => {
                handles.push(b);
                transfer.push(b);
            }
        }
    }
    let reports: Array = reports.iter().map(|s| JsValue::from_str(s)).collect();
    let _ = Reflect::set(&body, &"names".into(), &names);
    let _ = Reflect::set(&body, &"files".into(), &handles);
    let _ = Reflect::set(&body, &"reports".into(), &reports);
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id));
    let _ = Reflect::set(&message, &"packages".into(), &body);
    let _ = Reflect::set(&message, &"time".into(), &JsValue::from(time_secs));
    let _ = Reflect::set(&message, &"trust".into(), &trust_array());
    let data = request(id, message, transfer, None).await.unwrap_or_else(|| failure("cancelled"));
    if let Some(error) = field(&data, "error").as_string() {
        return Err(error);
    }
    field(&data, "json").as_string().ok_or_else(|| "the worker's answer has no packages".to_string())
}

/// Starts the pool's first two workers ahead of the first files (their wasm compiles and warms up
/// while the page idles: a worker started on demand takes a few hundred milliseconds to be ready,
/// longer than a small package takes to inspect). More start only when files wait.
pub fn prepare() {
    if SLOTS.with(|s| s.borrow().is_empty()) {
        adopt_early_workers();
    }
    while SLOTS.with(|s| s.borrow().len()) < 2 && available() {
        if !spawn_slot() {
            break;
        }
    }
}

/// Cancels request `id`: still waiting, it is dropped; with a worker, that worker is terminated
/// (the others go on) and a fresh one is started when requests wait. Its wait ends as
/// [`Reply::Cancelled`].
pub fn abort(id: u64) {
    let id = id as f64;
    JOBS.with(|j| j.borrow_mut().retain(|job| job.id != id));
    let slot = SLOTS.with(|s| {
        let mut s = s.borrow_mut();
        let at = s.iter().position(|slot| slot.busy == Some(id))?;
        Some(s.remove(at))
    });
    if let Some(slot) = slot {
        slot.worker.terminate();
    }
    resolve(id, &JsValue::NULL);
    pump();
}
