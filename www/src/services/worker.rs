//! The inspection workers (`static/worker.js` running `static/inspector.js` over the core's own
//! wasm, `crates/worker`): the core runs there, off the main thread, so a big driver never freezes
//! the page, and the page's wasm holds no parser, verifier or block list. Requests and replies are
//! [`drvsig_messages`] types sent with serde-wasm-bindgen. The main thread hands a worker the
//! `File` itself (a structured clone, no copy: the worker reads it, a big one with progress) and
//! gets the report back as JSON; small files go [`Pool::inspect_batch`] at a time (one request,
//! one reply).
//!
//! A pool of `min(hardwareConcurrency, 4)` workers (at least 2), created lazily: one by
//! [`prepare`] (the page calls it at the first sign of use, `Pool::prepare_when_used`; it is
//! early.js's when the use came before the app was ready), the second once the first has answered
//! a request or [`SECOND_WORKER_AFTER_MS`] after it is ready, another only when a request waits and
//! every started worker is busy. A request
//! goes to the first worker that is loaded and free. [`abort`] terminates the one worker holding
//! that request (its wait ends as [`Answer::Cancelled`]); the others go on. When no worker can be
//! created (file://, an old browser) or one fails to load, the pool turns to one local inspector
//! for good: `inspector.js` loaded into the page (early.js `localWorker`), same messages, on the
//! main thread ([`off_main_thread`] turns false).

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use drvsig_messages::{Context, PackageFile, Reply, Request, RequestId};
use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// How a request ended.
pub enum Answer {
    Reply(Reply),
    /// The worker was terminated ([`abort`]) while it had the request.
    Cancelled,
    /// The worker failed (it could not load, or threw).
    Failed(String),
}

/// What a file's worker says while it works on it.
pub enum Progress {
    /// `loaded` of `total` bytes read.
    Read(f64, f64),
    /// Read; now hashing and verifying.
    Inspecting,
    /// A big file's verdict (the `InspectionReport` JSON without the whole file's SHA-256 and the
    /// block lists' check), before its report.
    Verdict(String),
}

type OnProgress = Rc<dyn Fn(Progress)>;

struct Slot {
    key: u32,
    worker: Worker,
    /// The wasm is loaded (the worker said `{ready: {ok: true}}`).
    ready: bool,
    /// The requests it works on: one, or up to [`BATCHES_PER_WORKER`] batches (a worker has the
    /// next batch at hand when it answers one, instead of waiting for the page to read its answer).
    busy: Vec<RequestId>,
    /// Those requests are batches.
    busy_batches: bool,
    // Kept alive as long as the worker is.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

struct Waiting {
    resolve: Function,
    progress: Option<OnProgress>,
    /// What the promise resolves with, set before `resolve` is called.
    answer: Rc<RefCell<Option<Answer>>>,
}

struct Job {
    id: RequestId,
    message: JsValue,
    transfer: Array,
    /// A batch of small files (a worker may hold [`BATCHES_PER_WORKER`] of them).
    batch: bool,
}

/// Batches of small files a worker holds at once: it starts on the next while the page reads its
/// answer to the last (with a thousand files the page's main thread is busy drawing, and a worker
/// that waited for its next batch stood idle).
pub const BATCHES_PER_WORKER: usize = 2;

/// The second worker starts this long after the first is ready, unless an answered request (or
/// requests waiting) started it sooner: a file dropped while the page starts comes to the first
/// about then, and a second worker starting (and warming up) beside it on two cores slows it.
const SECOND_WORKER_AFTER_MS: i32 = 400;

/// Where requests run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Module Web Workers.
    Workers,
    /// `inspector.js` on the main thread (no Worker, or one failed to load).
    Local,
}

struct PoolState {
    mode: Mode,
    slots: Vec<Slot>,
    jobs: VecDeque<Job>,
    /// Request id -> the `resolve` of the promise its caller awaits (and its progress callback).
    pending: HashMap<RequestId, Waiting>,
    next_slot: u32,
    /// Ids of requests that are not a file's (package passes, block lists, zip members): above
    /// every file id.
    next_other: RequestId,
    /// The second worker may start (see [`Pool::prepare`]): one has answered a request, or
    /// [`SECOND_WORKER_AFTER_MS`] passed since one was ready.
    second_due: bool,
}

// Workers index.html's early.js started while the page's own wasm was loading, at the first sign
// of use (so a file dropped at once does not wait for a worker's start-up after the page's), and
// its stand-in
// for a Worker on the main thread.
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
    /// `drvsigEarly.localWorker()`: `inspector.js` on this thread behind the Worker interface
    /// (postMessage, onmessage, onerror, terminate).
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = localWorker)]
    fn early_local_worker() -> Result<JsValue, JsValue>;
    /// `drvsigEarly.whenUsed(callback)`: calls it on the first sign of use (at once when the page
    /// was used already); throws where the page has no early.js.
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = whenUsed)]
    fn early_when_used(callback: &Function) -> Result<(), JsValue>;
}

/// What the worker gets for one file.
pub enum Payload {
    /// A user's file: the worker reads it (structured clone of the handle, no copy).
    File(web_sys::File),
}

impl Payload {
    fn value_and_transfer(self, _transfer: &Array) -> JsValue {
        match self {
            Payload::File(file) => file.into(),
        }
    }
}

/// A file's report, as its worker made it.
pub struct Inspected {
    /// The `InspectionReport` JSON.
    pub json: String,
    /// The worker's timings, as JSON.
    pub timings: Option<String>,
    pub main_thread: bool,
}

/// The pool (cloning shares it): the page's services hold one.
#[derive(Clone)]
pub struct Pool(Rc<RefCell<PoolState>>);

impl Default for Pool {
    fn default() -> Self {
        Pool(Rc::new(RefCell::new(PoolState {
            mode: Mode::Workers,
            slots: Vec::new(),
            jobs: VecDeque::new(),
            pending: HashMap::new(),
            next_slot: 1,
            next_other: 4_000_000_000_000,
            second_due: false,
        })))
    }
}

/// Drops a slot's closures after the current handler returns (not inside their own call).
fn drop_later<T: 'static>(value: T) {
    if let Some(window) = web_sys::window() {
        let keep = Closure::once_into_js(move || drop(value));
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(keep.unchecked_ref(), 0);
    }
}

impl Pool {
    fn with<R>(&self, f: impl FnOnce(&mut PoolState) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }

    /// Whether inspections run off the main thread (false: no Web Worker, the page says so).
    pub fn off_main_thread(&self) -> bool {
        self.with(|p| p.mode == Mode::Workers)
    }

    /// How many requests run at once: `min(navigator.hardwareConcurrency, 4)` workers, at least 2;
    /// one on the main thread.
    pub fn pool_size(&self) -> usize {
        if !self.off_main_thread() {
            return 1;
        }
        let cores = web_sys::window().map(|w| w.navigator().hardware_concurrency()).unwrap_or(2.0);
        (cores as usize).clamp(2, 4)
    }

    /// How many requests the page may have under way: [`BATCHES_PER_WORKER`] per worker (a single
    /// file's request beyond the free workers waits here, in the pool's queue).
    pub fn requests_at_once(&self) -> usize {
        self.pool_size() * BATCHES_PER_WORKER
    }

    /// A fresh id for a request that is not a file's.
    fn other_id(&self) -> RequestId {
        self.with(|p| {
            p.next_other += 1;
            p.next_other
        })
    }

    fn resolve(&self, id: RequestId, answer: Answer) {
        let waiting = self.with(|p| p.pending.remove(&id));
        if let Some(w) = waiting {
            *w.answer.borrow_mut() = Some(answer);
            let _ = w.resolve.call0(&JsValue::NULL);
        }
    }

    /// Stops every worker for good and answers every request "failed" (the pipeline asks again: the
    /// local inspector answers from then on).
    fn break_all(&self, why: &str) {
        let (slots, pending) = self.with(|p| {
            p.mode = Mode::Local;
            p.jobs.clear();
            (p.slots.drain(..).collect::<Vec<_>>(), p.pending.drain().map(|(id, _)| id).collect::<Vec<_>>())
        });
        web_sys::console::warn_1(&format!("drvsig: {why}; inspecting on the page").into());
        for slot in &slots {
            slot.worker.terminate();
        }
        for id in pending {
            self.resolve(id, Answer::Failed(why.to_string()));
        }
        drop_later(slots);
    }

    /// Adopts early.js's workers into the pool (each with the state its first message gave).
    fn adopt_early_workers(&self) {
        let Ok(list) = early_take_workers() else { return };
        for early in list.iter() {
            let early: EarlyWorker = early.unchecked_into();
            match (early.ready(), early.error()) {
                (Some(false), error) => {
                    early.worker().terminate();
                    self.break_all(&format!("the inspection worker did not load ({})", error.unwrap_or_default()));
                    return;
                }
                (ready, _) => {
                    self.add_slot(early.worker(), ready == Some(true));
                    // Ready before the app was: no `ready` message comes to the pool.
                    if ready == Some(true) {
                        self.second_after_delay();
                    }
                }
            }
        }
    }

    fn spawn_slot(&self) {
        let worker = match self.with(|p| p.mode) {
            Mode::Workers => {
                let options = WorkerOptions::new();
                options.set_type(WorkerType::Module);
                match Worker::new_with_options("./worker.js", &options) {
                    Ok(w) => w,
                    Err(_) => {
                        self.break_all("no inspection worker could be started");
                        return self.spawn_slot();
                    }
                }
            }
            // Structurally a Worker: the bindings only call its methods and setters by name.
            Mode::Local => match early_local_worker() {
                Ok(local) => local.unchecked_into(),
                Err(_) => return,
            },
        };
        self.add_slot(worker, false);
    }

    /// A worker joins the pool (`ready`: it already said its wasm is loaded).
    fn add_slot(&self, worker: Worker, ready: bool) {
        let slot_key = self.with(|p| {
            let k = p.next_slot;
            p.next_slot = k.wrapping_add(1);
            k
        });
        // The closures live in the pool's slots: they hold it weakly (no cycle).
        let pool = Rc::downgrade(&self.0);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(pool) = pool.upgrade() {
                Pool(pool).on_message(slot_key, event.data());
            }
        });
        let pool = Rc::downgrade(&self.0);
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // The script or the wasm did not load: never try again.
            event.prevent_default();
            // An ErrorEvent says why (a script that did not load, or an exception in the worker).
            let message = js_sys::Reflect::get(&event, &"message".into()).ok().and_then(|m| m.as_string()).filter(|m| !m.is_empty());
            let why = match message {
                Some(m) => format!("the inspection worker did not start: {m}"),
                None => "the inspection worker did not start".to_string(),
            };
            if let Some(pool) = pool.upgrade() {
                Pool(pool).on_failed_slot(slot_key, &why);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.with(|p| {
            p.slots.push(Slot {
                key: slot_key,
                worker,
                ready,
                busy: Vec::new(),
                busy_batches: false,
                _on_message: on_message,
                _on_error: on_error,
            })
        });
    }

    /// A slot that could not load: workers break for good (the local inspector takes over); the local
    /// inspector itself failing leaves nothing to inspect with (requests fail).
    fn on_failed_slot(&self, slot_key: u32, why: &str) {
        if self.with(|p| p.mode) == Mode::Workers {
            self.break_all(why);
            self.pump();
            return;
        }
        let slot = self.with(|p| p.slots.iter().position(|s| s.key == slot_key).map(|at| p.slots.remove(at)));
        let jobs: Vec<RequestId> = self.with(|p| p.jobs.drain(..).map(|j| j.id).collect());
        for id in jobs.into_iter().chain(slot.as_ref().map(|s| s.busy.clone()).unwrap_or_default()) {
            self.resolve(id, Answer::Failed(why.to_string()));
        }
        drop_later(slot);
    }

    fn on_message(&self, slot_key: u32, data: JsValue) {
        let reply: Reply = match serde_wasm_bindgen::from_value(data) {
            Ok(reply) => reply,
            Err(e) => {
                web_sys::console::warn_1(&format!("drvsig: a worker's message was not understood: {e}").into());
                return;
            }
        };
        let id = match &reply {
            Reply::Ready(ready) => {
                if ready.ok {
                    self.with(|p| {
                        if let Some(slot) = p.slots.iter_mut().find(|s| s.key == slot_key) {
                            slot.ready = true;
                        }
                    });
                    self.pump();
                    self.second_after_delay();
                } else {
                    let why = format!("the inspection worker did not load ({})", ready.error.clone().unwrap_or_default());
                    self.on_failed_slot(slot_key, &why);
                }
                return;
            }
            Reply::Progress(p) => return self.progress(p.id, Progress::Read(p.loaded, p.total)),
            Reply::Inspecting(s) => return self.progress(s.id, Progress::Inspecting),
            Reply::Verdict(r) => return self.progress(r.id, Progress::Verdict(r.json.clone())),
            other => other.id().unwrap_or_default(),
        };
        let failed = matches!(reply, Reply::Error(_));
        let retired = self.with(|p| {
            let at = p.slots.iter().position(|s| s.key == slot_key)?;
            if let Some(slot) = p.slots.get_mut(at) {
                slot.busy.retain(|b| *b != id);
            }
            // A worker whose wasm threw may be left in a bad state: retire it (a fresh one starts
            // when requests wait).
            (failed && p.mode == Mode::Workers).then(|| p.slots.remove(at))
        });
        let answer = match reply {
            Reply::Error(f) => Answer::Failed(f.error),
            reply => Answer::Reply(reply),
        };
        self.resolve(id, answer);
        if let Some(slot) = retired {
            slot.worker.terminate();
            // The batches it held besides (it is gone with them).
            for other in &slot.busy {
                self.resolve(*other, Answer::Failed("the inspection worker failed on another request".into()));
            }
            drop_later(slot);
        }
        self.pump();
        // A request answered: the second worker may start.
        self.let_second_start();
    }

    /// Lets the second worker start (see `prepare`), once: while the pool has workers (not the
    /// local inspector).
    fn let_second_start(&self) {
        let due = self.with(|p| {
            let due = p.mode == Mode::Workers && !p.second_due;
            p.second_due |= due;
            due
        });
        if due {
            self.prepare();
        }
    }

    /// Lets the second worker start [`SECOND_WORKER_AFTER_MS`] from now, unless a request let it
    /// sooner. Holds the pool weakly, as the slots' closures do.
    fn second_after_delay(&self) {
        if self.with(|p| p.second_due) {
            return;
        }
        let pool = Rc::downgrade(&self.0);
        wasm_bindgen_futures::spawn_local(async move {
            super::browser::after_ms(SECOND_WORKER_AFTER_MS).await;
            if let Some(pool) = pool.upgrade() {
                Pool(pool).let_second_start();
            }
        });
    }

    fn progress(&self, id: RequestId, progress: Progress) {
        let callback = self.with(|p| p.pending.get(&id).and_then(|w| w.progress.clone()));
        if let Some(callback) = callback {
            callback(progress);
        }
    }

    /// Hands waiting requests to free, loaded workers; starts another worker when requests wait and
    /// every worker is busy (up to [`pool_size`]).
    fn pump(&self) {
        loop {
            let limit = self.pool_size();
            let next = self.with(|p| {
                if p.jobs.is_empty() {
                    return None;
                }
                let batch = p.jobs.front().is_some_and(|j| j.batch);
                // A free worker first; else, for a batch, one that holds fewer batches than it may.
                let free = p.slots.iter().position(|s| s.ready && s.busy.is_empty());
                let shared = || {
                    p.slots
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.ready && s.busy_batches && s.busy.len() < BATCHES_PER_WORKER)
                        .min_by_key(|(_, s)| s.busy.len())
                        .map(|(at, _)| at)
                };
                let Some(at) = free.or_else(|| if batch { shared() } else { None }) else {
                    let starting = p.slots.iter().filter(|s| !s.ready).count();
                    return Some(Err(starting < p.jobs.len() && p.slots.len() < limit));
                };
                let job = p.jobs.pop_front()?;
                let slot = p.slots.get_mut(at)?;
                slot.busy.push(job.id);
                slot.busy_batches = job.batch;
                Some(Ok((slot.key, slot.worker.clone(), job)))
            });
            match next {
                None => return,
                Some(Err(start)) => {
                    if start {
                        self.spawn_slot();
                    }
                    return;
                }
                Some(Ok((slot_key, worker, job))) => {
                    if let Err(e) = worker.post_message_with_transfer(&job.message, &job.transfer) {
                        self.with(|p| {
                            if let Some(slot) = p.slots.iter_mut().find(|s| s.key == slot_key) {
                                slot.busy.retain(|b| *b != job.id);
                            }
                        });
                        self.resolve(job.id, Answer::Failed(format!("{e:?}")));
                    }
                }
            }
        }
    }

    /// Queues one request and waits for its answer.
    async fn request(&self, id: RequestId, request: &Request, transfer: Array, progress: Option<OnProgress>) -> Answer {
        let message = match serde_wasm_bindgen::to_value(request) {
            Ok(message) => message,
            Err(e) => return Answer::Failed(e.to_string()),
        };
        let answer = Rc::new(RefCell::new(None));
        let promise = Promise::new(&mut |resolve, _| {
            self.with(|p| p.pending.insert(id, Waiting { resolve, progress: progress.clone(), answer: answer.clone() }));
        });
        let batch = matches!(request, Request::Batch(_));
        self.with(|p| p.jobs.push_back(Job { id, message, transfer, batch }));
        self.pump();
        let _ = JsFuture::from(promise).await;
        let answer = answer.borrow_mut().take();
        answer.unwrap_or(Answer::Cancelled)
    }

    /// Inspects one file in a worker, under the request id `id` (the page's file id: [`abort`] takes
    /// it). Nothing comes back but the report (a transferred buffer stays with the worker).
    pub async fn inspect(
        &self,
        id: u64,
        name: &str,
        context: Context,
        payload: Payload,
        progress: OnProgress,
    ) -> Result<Inspected, Answer> {
        let transfer = Array::new();
        let source = payload.value_and_transfer(&transfer);
        let message = Request::Inspect(drvsig_messages::Inspect { id, name: name.to_string(), context, source });
        match self.request(id, &message, transfer, Some(progress)).await {
            Answer::Reply(Reply::Report(report)) => {
                let timings = js_sys::JSON::stringify(&report.timings).ok().and_then(|s| s.as_string());
                Ok(Inspected { json: report.json, timings, main_thread: report.main_thread })
            }
            Answer::Reply(_) => Err(Answer::Failed("the worker's answer has no report".into())),
            other => Err(other),
        }
    }

    /// Several small files (`(page id, name, bytes)`: an `ArrayBuffer`, transferred, or a `File`
    /// the worker reads) inspected in one worker request; with `package` (they are every file on
    /// the page) the package pass over them too. One reply.
    pub async fn inspect_batch(
        &self,
        context: Context,
        files: Vec<(u64, String, JsValue)>,
        package: bool,
    ) -> Result<drvsig_messages::Batched, Answer> {
        let id = self.other_id();
        let transfer = Array::new();
        let files = files
            .into_iter()
            .map(|(id, name, source)| {
                if source.is_instance_of::<js_sys::ArrayBuffer>() {
                    transfer.push(&source);
                }
                drvsig_messages::BatchFile { id, name, source }
            })
            .collect();
        let message = Request::Batch(drvsig_messages::Batch { id, context, files, package });
        match self.request(id, &message, transfer, None).await {
            Answer::Reply(Reply::Batch(batched)) => Ok(batched),
            Answer::Reply(_) => Err(Answer::Failed("the worker's answer has no reports".into())),
            other => Err(other),
        }
    }

    /// The package pass in a worker over `files` with the reports the workers made: the packages JSON.
    pub async fn packages(&self, context: Context, files: Vec<PackageFile>, transfer: Array, reports: Array) -> Result<String, String> {
        let id = self.other_id();
        let message = Request::Packages(drvsig_messages::Packages { id, context, files, reports: reports.into() });
        match self.request(id, &message, transfer, None).await {
            Answer::Reply(Reply::Packages(p)) => Ok(p.json),
            Answer::Failed(why) => Err(why),
            _ => Err("the worker's answer has no packages".into()),
        }
    }

    /// A file that may be a block list: its card (`FileReport` JSON; `None`: not a block list) and
    /// whether the list can be used.
    pub async fn block_list(&self, name: &str, bytes: Vec<u8>, time: i64) -> Result<(Option<String>, bool), String> {
        let id = self.other_id();
        let message =
            Request::BlockList(drvsig_messages::BlockList { id, name: name.to_string(), time, bytes: drvsig_messages::Bytes(bytes) });
        match self.request(id, &message, Array::new(), None).await {
            Answer::Reply(Reply::BlockList(card)) => Ok((card.card, card.in_use)),
            Answer::Failed(why) => Err(why),
            _ => Err("the worker's answer has no card".into()),
        }
    }

    /// A zip member's bytes, read out of the zip (`zip`: its `File` or a copy of its bytes) by a
    /// worker.
    pub async fn zip_member(&self, zip: Payload, member: &str) -> Option<Vec<u8>> {
        let id = self.other_id();
        let transfer = Array::new();
        let zip = zip.value_and_transfer(&transfer);
        let message = Request::ZipMember(drvsig_messages::ZipMember { id, zip, member: member.to_string() });
        match self.request(id, &message, transfer, None).await {
            Answer::Reply(Reply::Bytes(b)) => b.bytes.map(|b| b.0),
            _ => None,
        }
    }

    /// Starts the pool's first workers ahead of the first files (their wasm compiles and warms up
    /// while the page idles: a worker started on demand takes a few hundred milliseconds to be
    /// ready, longer than a small package takes to inspect): one at first, as two starting at once
    /// share the cores (and the page's own start-up) and each is ready later (measured in an idle
    /// page on two cores: one alone 47-51 ms to ready, two at once 67-88 ms each); the second once
    /// one has answered a request or [`SECOND_WORKER_AFTER_MS`] after one is ready. More start only
    /// when requests wait (`pump`).
    pub fn prepare(&self) {
        if self.with(|p| p.slots.is_empty()) {
            self.adopt_early_workers();
        }
        loop {
            let wanted = if self.with(|p| p.second_due) { self.pool_size().min(2) } else { 1 };
            let before = self.with(|p| p.slots.len());
            if before >= wanted {
                break;
            }
            self.spawn_slot();
            if self.with(|p| p.slots.len()) == before {
                break;
            }
        }
    }

    /// Calls [`Pool::prepare`] on the first sign of use (something dragged over the window, the
    /// drop zone touched, a demo asked for, a file queued: early.js watches), not on a plain visit:
    /// the workers load the core's wasm, which a visit that inspects nothing does not need. At once
    /// where the page has no early.js.
    pub fn prepare_when_used(&self) {
        let pool = self.clone();
        let callback = Closure::once_into_js(move || pool.prepare());
        if early_when_used(callback.unchecked_ref()).is_err() {
            self.prepare();
        }
    }

    /// Cancels request `id`: still waiting, it is dropped; with a worker, that worker is terminated
    /// (the others go on) and a fresh one is started when requests wait. Its wait ends as
    /// [`Answer::Cancelled`].
    pub fn abort(&self, id: u64) {
        let slot = self.with(|p| {
            p.jobs.retain(|job| job.id != id);
            let at = p.slots.iter().position(|slot| slot.busy.contains(&id))?;
            Some(p.slots.remove(at))
        });
        if let Some(slot) = slot {
            slot.worker.terminate();
            // What it held besides (batches only share a worker with batches, which are never
            // aborted: none, in practice).
            for other in slot.busy.iter().filter(|b| **b != id) {
                self.resolve(*other, Answer::Failed("the inspection worker was stopped".into()));
            }
            drop_later(slot);
        }
        self.resolve(id, Answer::Cancelled);
        self.pump();
    }
}
