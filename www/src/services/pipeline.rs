//! The one queue every file goes through: read its bytes, run the core, show the result.
//! The core runs in a module Web Worker ([`super::worker`], `static/worker.js`): the main thread
//! only reads the file (asynchronously), transfers its buffer and renders the report, so a big
//! file never freezes the tab and no animation frame is waited for between files. Without a
//! worker (file://, an old browser, or it failed to load) the core runs here as before, one file
//! at a time, yielding a frame before each so "Inspecting" shows, and the card says so.
//!
//! Each file is inspected alone as soon as it is read (a zip is expanded by the core, its members
//! become entries), so its card appears at once. The bytes stay here (not in the state). When the
//! queue is empty, the package pass runs over every file on the page, but only when it can change
//! something: two or more files, one of them an INF or a catalog (a single file's own pass already
//! holds its packages, e.g. a zipped package).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use js_sys::{ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

use super::{browser, worker};
use super::files::{Picked, Source};
use crate::state::{too_large, Action, FileId, NewFile};
use drvsig::report::PackageReport;
use drvsig::FileKind;

/// A file's bytes, shared (compiled-in demo bytes are borrowed).
pub type Bytes = Rc<Cow<'static, [u8]>>;

/// Where a stored file's bytes are.
#[derive(Clone)]
enum Held {
    /// In the wasm memory (demo bytes, or read for the main-thread path).
    Wasm(Bytes),
    /// In the `ArrayBuffer` the worker gave back: copied into the wasm memory only when needed
    /// (the package pass, the ASN.1 view). Copying 64 MiB there takes a quarter of a second of
    /// main thread (measured), which the worker path exists to avoid.
    Js(ArrayBuffer),
}

impl Held {
    fn bytes(&self) -> Bytes {
        match self {
            Held::Wasm(bytes) => bytes.clone(),
            Held::Js(buffer) => Rc::new(Cow::Owned(Uint8Array::new(buffer).to_vec())),
        }
    }
}

/// One file's bytes, kept for the package pass and the ASN.1 view.
struct Stored {
    id: FileId,
    name: String,
    bytes: Held,
    /// What its own pass found: its kinds (members included) and packages.
    kinds: Vec<FileKind>,
    packages: Vec<PackageReport>,
}

struct Job {
    id: FileId,
    picked: Picked,
    dispatch: Callback<Action>,
}

thread_local! {
    static NEXT_ID: Cell<FileId> = const { Cell::new(1) };
    static QUEUE: RefCell<VecDeque<Job>> = const { RefCell::new(VecDeque::new()) };
    /// Files still wanted: removing a file drops it from here and its results are discarded.
    static LIVE: RefCell<HashSet<FileId>> = RefCell::new(HashSet::new());
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    /// Files read so far, in page order.
    static STORE: RefCell<Vec<Stored>> = const { RefCell::new(Vec::new()) };
    /// Zip members: member id -> (zip id, name inside the zip).
    static MEMBERS: RefCell<Vec<(FileId, FileId, String)>> = const { RefCell::new(Vec::new()) };
    /// Where package results go (the app's dispatcher).
    static DISPATCH: RefCell<Option<Callback<Action>>> = const { RefCell::new(None) };
    /// Zips some of whose members were removed from the page: the package pass takes their
    /// remaining members one by one instead of the whole zip.
    static TRIMMED: RefCell<HashSet<FileId>> = RefCell::new(HashSet::new());
    /// Bumped on every change of the file set: a package pass for an older set is dropped.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// Files whose Cancel button was pressed while they were being inspected.
    static ABORTED: RefCell<HashSet<FileId>> = RefCell::new(HashSet::new());
    /// The file with the worker right now.
    static IN_FLIGHT: Cell<Option<FileId>> = const { Cell::new(None) };
}

fn next_id() -> FileId {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

fn bump() -> u64 {
    GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    })
}

/// Adds files to the page and to the queue.
pub fn enqueue(files: Vec<Picked>, dispatch: Callback<Action>) {
    if files.is_empty() {
        return;
    }
    let mut added = Vec::with_capacity(files.len());
    let mut jobs = Vec::with_capacity(files.len());
    DISPATCH.with(|d| *d.borrow_mut() = Some(dispatch.clone()));
    bump();
    for picked in files {
        let id = next_id();
        added.push(NewFile {
            id,
            name: picked.name.clone(),
            size: picked.size,
        });
        jobs.push(Job {
            id,
            picked,
            dispatch: dispatch.clone(),
        });
    }
    dispatch.emit(Action::Add(added));
    LIVE.with(|live| live.borrow_mut().extend(jobs.iter().map(|j| j.id)));
    QUEUE.with(|q| q.borrow_mut().extend(jobs));
    start();
}

fn start() {
    if !RUNNING.with(|r| r.replace(true)) {
        wasm_bindgen_futures::spawn_local(run());
    }
}

/// Forgets a file: a queued one is never read, a running one's result is dropped; the packages
/// are computed again without it.
pub fn cancel(id: FileId) {
    LIVE.with(|live| live.borrow_mut().remove(&id));
    if IN_FLIGHT.with(Cell::get) == Some(id) {
        // Removed while the worker hashes it: stop the worker rather than wait for it.
        worker::abort();
    }
    QUEUE.with(|q| q.borrow_mut().retain(|j| j.id != id));
    STORE.with(|s| s.borrow_mut().retain(|f| f.id != id));
    let zip_of_member = MEMBERS.with(|m| {
        m.borrow()
            .iter()
            .find(|(member, _, _)| *member == id)
            .map(|(_, zip, _)| *zip)
    });
    if let Some(zip) = zip_of_member {
        TRIMMED.with(|t| t.borrow_mut().insert(zip));
    }
    TRIMMED.with(|t| t.borrow_mut().remove(&id));
    MEMBERS.with(|m| {
        m.borrow_mut()
            .retain(|(member, zip, _)| *member != id && *zip != id)
    });
    bump();
    start();
}

/// Forgets every file.
pub fn cancel_all() {
    LIVE.with(|live| live.borrow_mut().clear());
    if IN_FLIGHT.with(Cell::get).is_some() {
        worker::abort();
    }
    QUEUE.with(|q| q.borrow_mut().clear());
    STORE.with(|s| s.borrow_mut().clear());
    TRIMMED.with(|t| t.borrow_mut().clear());
    MEMBERS.with(|m| m.borrow_mut().clear());
    bump();
}

/// The bytes of a file on the page (a zip member is read out of its zip, on demand).
pub fn bytes_of(id: FileId) -> Option<Bytes> {
    if let Some(held) = STORE.with(|s| {
        s.borrow()
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.bytes.clone())
    }) {
        return Some(held.bytes());
    }
    let (zip_id, inner) = MEMBERS.with(|m| {
        m.borrow()
            .iter()
            .find(|(member, _, _)| *member == id)
            .map(|(_, zip, inner)| (*zip, inner.clone()))
    })?;
    let zip_bytes = STORE.with(|s| {
        s.borrow()
            .iter()
            .find(|f| f.id == zip_id)
            .map(|f| f.bytes.bytes())
    })?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip_bytes[..])).ok()?;
    for index in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(index) else {
            continue;
        };
        let name = entry.name().replace('\\', "/");
        if name.trim_start_matches('/') == inner {
            let mut data = Vec::new();
            // The core already expanded this entry within its caps; stay within the same bound.
            let limit = drvsig::package::MAX_ZIP_TOTAL_BYTES;
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut entry, limit), &mut data)
                .ok()?;
            return Some(Rc::new(Cow::Owned(data)));
        }
    }
    None
}

fn live(id: FileId) -> bool {
    LIVE.with(|l| l.borrow().contains(&id))
}

async fn run() {
    loop {
        while let Some(job) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
            process(job).await;
        }
        refresh_packages().await;
        // Files may have come in while the packages were computed.
        if QUEUE.with(|q| q.borrow().is_empty()) {
            break;
        }
    }
    RUNNING.with(|r| r.set(false));
}

/// The package pass over every file on the page, when it can differ from the files' own passes.
async fn refresh_packages() {
    let Some(dispatch) = DISPATCH.with(|d| d.borrow().clone()) else {
        return;
    };
    let generation = GENERATION.with(|g| g.get());
    let (count, relevant, single) = STORE.with(|s| {
        let s = s.borrow();
        let relevant = s
            .iter()
            .flat_map(|f| f.kinds.iter())
            .any(|k| matches!(k, FileKind::Inf | FileKind::Catalog));
        let single = match s.as_slice() {
            [only] => only.packages.clone(),
            _ => Vec::new(),
        };
        (s.len(), relevant, single)
    });
    let trimmed = TRIMMED.with(|t| !t.borrow().is_empty());
    if !trimmed && (count <= 1 || !relevant) {
        dispatch.emit(Action::Packages(Rc::new(single)));
        return;
    }
    dispatch.emit(Action::PackagesPending);
    next_frame().await;
    if generation != GENERATION.with(|g| g.get()) {
        return;
    }
    let stored: Vec<(FileId, String, Bytes)> = STORE.with(|s| {
        s.borrow()
            .iter()
            .map(|f| (f.id, f.name.clone(), f.bytes.bytes()))
            .collect()
    });
    let mut files: Vec<(String, Bytes)> = Vec::with_capacity(stored.len());
    for (id, name, bytes) in stored {
        if !TRIMMED.with(|t| t.borrow().contains(&id)) {
            files.push((name, bytes));
            continue;
        }
        // The members still on the page, named as the core named them.
        let members: Vec<(FileId, String)> = MEMBERS.with(|m| {
            m.borrow()
                .iter()
                .filter(|(_, zip, _)| *zip == id)
                .map(|(member, _, inner)| (*member, inner.clone()))
                .collect()
        });
        for (member, inner) in members {
            if let Some(b) = bytes_of(member) {
                files.push((format!("{name}/{inner}"), b));
            }
        }
    }
    let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
    let report = drvsig::inspect_package(&borrowed, &drvsig::Options::at(browser::now()));
    if generation == GENERATION.with(|g| g.get()) {
        dispatch.emit(Action::Packages(Rc::new(report.packages)));
    }
}

async fn process(
    Job {
        id,
        picked,
        dispatch,
    }: Job,
) {
    if !live(id) {
        return;
    }
    if let Some(message) = too_large(picked.size) {
        dispatch.emit(Action::Failed(id, message));
        LIVE.with(|l| l.borrow_mut().remove(&id));
        return;
    }
    dispatch.emit(Action::Reading(id));
    let name = picked.name.replace('\\', "/");
    let read = match read(&picked.source).await {
        Ok(read) => read,
        Err(e) => {
            if live(id) {
                dispatch.emit(Action::Failed(id, error_text(&e)));
            }
            LIVE.with(|l| l.borrow_mut().remove(&id));
            return;
        }
    };
    if !live(id) {
        return;
    }
    dispatch.emit(Action::Inspecting(id));
    let mut done = None;
    if worker::available() {
        IN_FLIGHT.with(|f| f.set(Some(id)));
        let reply = worker::inspect(&name, read, browser::now().0 as f64).await;
        IN_FLIGHT.with(|f| f.set(None));
        let reply = if aborted(id) {
            worker::Reply::Cancelled
        } else {
            reply
        };
        match reply {
            worker::Reply::Report(json, buffer) => {
                match serde_json::from_str::<drvsig::InspectionReport>(&json) {
                    Ok(inspection) => {
                        let bytes = match &picked.source {
                            Source::Static(bytes) => Held::Wasm(Rc::new(Cow::Borrowed(*bytes))),
                            Source::Blob(_) => Held::Js(buffer),
                        };
                        done = Some((inspection, bytes));
                        mark_inspector("worker");
                    }
                    Err(e) => web_sys::console::warn_1(&format!("drvsig worker report: {e}").into()),
                }
            }
            worker::Reply::Cancelled => {
                if live(id) {
                    dispatch.emit(Action::Failed(id, "Cancelled".into()));
                }
                LIVE.with(|l| l.borrow_mut().remove(&id));
                return;
            }
            worker::Reply::Failed(why) => {
                web_sys::console::warn_1(&format!("drvsig worker: {why}; inspecting here").into());
            }
        }
        if !live(id) {
            return;
        }
    }
    let (inspection, bytes) = match done {
        Some(done) => done,
        None => {
            // The main-thread path (no worker, or it failed): the transferred buffer is gone, so
            // read the file again.
            let bytes: Cow<'static, [u8]> = match &picked.source {
                Source::Static(bytes) => Cow::Borrowed(*bytes),
                Source::Blob(file) => match JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => Cow::Owned(Uint8Array::new(&buffer).to_vec()),
                    Err(e) => {
                        if live(id) {
                            dispatch.emit(Action::Failed(id, error_text(&e)));
                        }
                        LIVE.with(|l| l.borrow_mut().remove(&id));
                        return;
                    }
                },
            };
            // Let "Inspecting" render before the core blocks this thread.
            dispatch.emit(Action::Inspecting(id));
            next_frame().await;
            if !live(id) {
                return;
            }
            mark_inspector("main-thread");
            // The package entry point on this one file: a zip is expanded into its members.
            let inspection = drvsig::inspect_package(
                &[(name.clone(), &bytes[..])],
                &drvsig::Options::at(browser::now()),
            );
            (inspection, Held::Wasm(Rc::new(bytes)))
        }
    };
    LIVE.with(|l| l.borrow_mut().remove(&id));
    let mut reports = inspection.files.into_iter();
    let Some(own) = reports.next() else {
        dispatch.emit(Action::Failed(
            id,
            "The inspection returned no report".into(),
        ));
        return;
    };
    let mut kinds = vec![own.kind];
    let prefix = format!("{name}/");
    let members: Vec<(FileId, Rc<drvsig::FileReport>)> = reports
        .map(|r| {
            let member = next_id();
            let inner = r.name.strip_prefix(&prefix).unwrap_or(&r.name).to_string();
            MEMBERS.with(|m| m.borrow_mut().push((member, id, inner)));
            kinds.push(r.kind);
            (member, Rc::new(r))
        })
        .collect();
    STORE.with(|s| {
        s.borrow_mut().push(Stored {
            id,
            name,
            bytes,
            kinds,
            packages: inspection.packages,
        })
    });
    dispatch.emit(Action::Done(id, Rc::new(own)));
    if !members.is_empty() {
        dispatch.emit(Action::Members(id, members));
    }
    if !worker::available() {
        // Main-thread path: let the card render before the next file blocks the thread again.
        next_frame().await;
    }
}

/// A file's bytes as an `ArrayBuffer` the worker can take (demo bytes are copied out of the wasm
/// memory; a user's file is read by the browser without blocking this thread).
async fn read(source: &Source) -> Result<ArrayBuffer, JsValue> {
    match source {
        Source::Static(bytes) => Ok(Uint8Array::from(*bytes).buffer()),
        Source::Blob(file) => JsFuture::from(file.array_buffer())
            .await?
            .dyn_into::<ArrayBuffer>(),
    }
}

/// Cancels a file being inspected: the worker is terminated, the file is marked cancelled, and the
/// next file gets a fresh worker.
pub fn abort_inspection(id: FileId) {
    ABORTED.with(|a| a.borrow_mut().insert(id));
    worker::abort();
}

fn aborted(id: FileId) -> bool {
    ABORTED.with(|a| a.borrow_mut().remove(&id))
}

/// Where the last file was inspected, on `<body data-inspector>` ("worker" or "main-thread"), for
/// the e2e tests and anyone curious.
fn mark_inspector(place: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-inspector", place);
    }
}

/// Whether inspections run off the main thread (false: no Web Worker, the page says so).
pub fn off_main_thread() -> bool {
    worker::available()
}

/// Runs the core's hashing on a few small buffers while the page is idle, so the browser compiles
/// it with its optimising tier before a real file arrives. Without this the first big file is
/// hashed by the baseline compiler in one long call (measured: 200 MB in 17 s instead of 1.6 s).
pub fn warm_up() {
    worker::prepare();
    wasm_bindgen_futures::spawn_local(async {
        let buffer = vec![0u8; WARM_UP_CHUNK];
        for _ in 0..WARM_UP_ROUNDS {
            next_frame().await;
            if RUNNING.with(|r| r.get()) {
                // Real work is running: it warms the code up by itself.
                return;
            }
            let _ = drvsig::inspect(
                "warm-up.bin",
                &buffer,
                &drvsig::Options::at(drvsig::UnixTime(0)),
            );
        }
    });
}

const WARM_UP_CHUNK: usize = 128 * 1024;
const WARM_UP_ROUNDS: usize = 24;

/// Waits until the browser has had a chance to render: the next animation frame (or 100 ms in a
/// background tab, where frames stop), then a fresh task.
async fn next_frame() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let frame = Promise::new(&mut |resolve, _| {
        let _ = window.request_animation_frame(&resolve);
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
    });
    let _ = JsFuture::from(frame).await;
    let task = Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(task).await;
}

fn error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let name = String::from(err.name());
        let message = String::from(err.message());
        return format!("Could not read the file ({name}: {message})");
    }
    e.as_string()
        .unwrap_or_else(|| "Could not read the file".to_string())
}
