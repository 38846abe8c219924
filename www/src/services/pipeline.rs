//! The one queue every file goes through: read its bytes, run the core, show the result.
//! The core runs in a pool of module Web Workers ([`super::worker`], `static/inspector.js` over the
//! core's own wasm): several files are inspected at once, each card is filled as soon as its file
//! is done, and the main thread only hands each worker the `File` handle (the worker reads it,
//! posting progress, and hashes it with WebCrypto), then renders the report, so a big file never
//! freezes the tab. The page's own wasm has no inspection code: without a worker (file://, an old
//! browser, or it failed to load) the same inspector runs on this thread, one file at a time, and
//! the card says so.
//!
//! Each file is inspected alone as soon as it is read (a zip is expanded by the core, its members
//! become entries), so its card appears at once. The page keeps no copy of a user's file: it keeps
//! the `File` handle (a Blob, readable again at any time) with the report JSON the worker made, and
//! reads again only what it needs ([`bytes_of`], [`slice_of`]: the ASN.1 view reads just a
//! signature's bytes). When the queue is empty, the package pass runs over every file on the page,
//! in a worker too (it gets the `File` handles and reads them there; the reports are reused,
//! nothing is inspected again), but only when it can change something: two or more files, one of
//! them an INF or a catalog (a single file's own pass already holds its packages, e.g. a zipped
//! package).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use drvsig_messages::{Context, DroppedLists, NamedBytes, PackageFile};
use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

use super::files::Picked;
use super::{browser, worker};
use crate::state::{too_large, Action, FileId, NewFile};
use drvsig::report::PackageReport;
use drvsig::FileKind;

/// A file's bytes, shared.
pub type Bytes = Rc<Cow<'static, [u8]>>;

/// Several files start at once only while their sizes sum to at most this (a worker holds its file
/// in its wasm memory while it inspects it), so four 500 MiB files do not take 2 GB at once; a
/// single file always starts, whatever its size.
const IN_FLIGHT_BYTES: u64 = 256 << 20;

/// Files up to this size are read on the main thread (one asynchronous read, then transferred).
const SMALL_FILE_BYTES: u64 = 1 << 20;

/// Where a stored file's bytes are.
#[derive(Clone)]
enum Held {
    /// In the user's file: read again when needed (a slice at a time for the ASN.1 view).
    Blob(web_sys::File),
    /// A small user file's bytes, kept from its first read (at most `SMALL_FILE_BYTES`): reading a
    /// Blob again costs ~30 ms of latency however small it is (measured), which a package of small
    /// files would pay on every package pass.
    Buffer(ArrayBuffer),
}

impl Held {
    /// What a worker gets to read these bytes: the `File` handle, or a copy of the bytes
    /// (transferred).
    fn payload(&self) -> super::worker::Payload {
        match self {
            Held::Blob(file) => super::worker::Payload::File(file.clone()),
            Held::Buffer(buffer) => super::worker::Payload::Buffer(buffer.slice(0)),
        }
    }

    async fn bytes(&self) -> Option<Bytes> {
        match self {
            Held::Blob(file) => read_blob(file).await,
            Held::Buffer(buffer) => Some(Rc::new(Cow::Owned(Uint8Array::new(buffer).to_vec()))),
        }
    }

    async fn slice(&self, start: usize, end: usize) -> Option<Bytes> {
        match self {
            Held::Blob(file) => {
                let len = file.size().max(0.0) as usize;
                let end = end.min(len);
                if start > end {
                    return None;
                }
                let part = file.slice_with_f64_and_f64(start as f64, end as f64).ok()?;
                read_blob(&part).await
            }
            Held::Buffer(buffer) => {
                let len = buffer.byte_length() as usize;
                let end = end.min(len);
                if start > end {
                    return None;
                }
                let part = Uint8Array::new(buffer).subarray(start as u32, end as u32);
                Some(Rc::new(Cow::Owned(part.to_vec())))
            }
        }
    }
}

/// The bytes of a Blob, copied into the wasm memory (`None` when it cannot be read: the file was
/// moved or changed on disk).
async fn read_blob(blob: &web_sys::Blob) -> Option<Bytes> {
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(Rc::new(Cow::Owned(Uint8Array::new(&buffer).to_vec())))
}

/// One file's bytes, kept for the package pass and the ASN.1 view.
struct Stored {
    id: FileId,
    name: String,
    bytes: Held,
    /// The `InspectionReport` JSON its worker returned (the package pass reuses its reports).
    report_json: Option<String>,
    /// What its own pass found: its kinds (members included) and packages.
    kinds: Vec<FileKind>,
    packages: Vec<PackageReport>,
}

struct Job {
    id: FileId,
    picked: Picked,
    dispatch: Callback<Action>,
    /// A small file's read, started while it waits (reads overlap: each costs ~30 ms of latency
    /// in Chromium, however small the file).
    prefetch: Option<Promise>,
}

/// How many waiting small files are read ahead.
const PREFETCH_AHEAD: usize = 16;

/// Starts reading the next few waiting small files.
fn prefetch() {
    QUEUE.with(|q| {
        for job in q.borrow_mut().iter_mut().take(PREFETCH_AHEAD) {
            if job.prefetch.is_some() || job.picked.size > SMALL_FILE_BYTES {
                continue;
            }
            job.prefetch = Some(job.picked.file.array_buffer());
        }
    });
}

thread_local! {
    static NEXT_ID: Cell<FileId> = const { Cell::new(1) };
    static QUEUE: RefCell<VecDeque<Job>> = const { RefCell::new(VecDeque::new()) };
    /// Files still wanted: removing a file drops it from here and its results are discarded.
    static LIVE: RefCell<HashSet<FileId>> = RefCell::new(HashSet::new());
    /// Files being read or inspected right now.
    static ACTIVE: Cell<usize> = const { Cell::new(0) };
    /// Their sizes, summed.
    static ACTIVE_BYTES: Cell<u64> = const { Cell::new(0) };
    /// The package pass is running.
    static PACKAGING: Cell<bool> = const { Cell::new(false) };
    /// The file-set generation the last package pass was for.
    static PACKAGED: Cell<u64> = const { Cell::new(0) };
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
    /// The files with a worker right now.
    static IN_FLIGHT: RefCell<HashSet<FileId>> = RefCell::new(HashSet::new());
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

thread_local! {
    /// DER roots the person trusts for this page ("Trust this root for this page").
    static TRUST: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    /// What was picked or dropped, by page id, so that a change of trusted roots can inspect the
    /// drop again.
    static ORIGINALS: RefCell<Vec<(FileId, Picked)>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    /// The block lists dropped on the page, and a version that changes with them.
    static DROPPED_LISTS: RefCell<DroppedLists> = RefCell::new(DroppedLists::default());
}

/// Add a dropped block list; every later inspection judges against it too.
fn add_dropped_list(name: String, bytes: Vec<u8>) {
    DROPPED_LISTS.with(|d| {
        let mut d = d.borrow_mut();
        d.version = d.version.wrapping_add(1).max(1);
        d.lists.retain(|l| l.name != name);
        d.lists.push(NamedBytes { name, bytes: drvsig_messages::Bytes(bytes) });
    });
}

/// What the core needs besides the bytes: the browser's clock, the trusted roots and the dropped
/// block lists.
fn context() -> Context {
    let trust = TRUST.with(|t| t.borrow().iter().map(|der| drvsig_messages::Bytes(der.clone())).collect());
    let lists = DROPPED_LISTS.with(|d| {
        let d = d.borrow();
        (d.version != 0).then(|| d.clone())
    });
    Context { time: browser::now().0, trust, lists }
}

/// Sets the trusted roots and judges the whole drop again: every file picked or dropped so far is
/// inspected anew (new cards), so every verdict and chain reflects the roots.
pub fn set_trust(anchors: Vec<Vec<u8>>, dispatch: Callback<Action>) {
    TRUST.with(|t| *t.borrow_mut() = anchors);
    let originals = ORIGINALS.with(|o| std::mem::take(&mut *o.borrow_mut()));
    for (id, _) in &originals {
        dispatch.emit(Action::Remove(*id));
    }
    cancel_all();
    enqueue(originals.into_iter().map(|(_, p)| p).collect(), dispatch);
}

/// The biggest file read as a possible block list (the recommended list is 0.5 MB; LOLDrivers'
/// drivers.json a few MB).
const MAX_LIST_BYTES: u64 = 32 << 20;

/// Whether a file may be a block list, by its name (its content decides: `drvsig::blocklist::sniff`).
fn may_be_block_list(p: &Picked) -> bool {
    let name = p.name.to_ascii_lowercase();
    p.size <= MAX_LIST_BYTES && [".xml", ".json", ".yaml", ".yml"].iter().any(|e| name.ends_with(e))
}

/// Adds files to the page and to the queue. Block lists among them (SiPolicy XML, LOLDrivers
/// JSON / YAML, recognised by content) are read first: every file inspected from then on is judged
/// against them too, and each gets a card saying it is in use (or why it cannot be read).
pub fn enqueue(files: Vec<Picked>, dispatch: Callback<Action>) {
    if files.iter().any(may_be_block_list) {
        wasm_bindgen_futures::spawn_local(async move {
            let rest = take_block_lists(files, &dispatch).await;
            enqueue_now(rest, dispatch);
        });
    } else {
        enqueue_now(files, dispatch);
    }
}

/// The files that are not block lists; the block lists are registered and get their card.
async fn take_block_lists(files: Vec<Picked>, dispatch: &Callback<Action>) -> Vec<Picked> {
    let mut rest = Vec::new();
    for picked in files {
        if !may_be_block_list(&picked) {
            rest.push(picked);
            continue;
        }
        let bytes = read_blob(&picked.file).await.map(|b| b.to_vec());
        let Some(bytes) = bytes else {
            rest.push(picked);
            continue;
        };
        // A worker says whether it is a block list (by content) and makes its card.
        let card = match worker::block_list(&picked.name, bytes.clone(), browser::now().0).await {
            Ok((Some(card), in_use)) => super::decode::file_from_json(&card).ok().map(|card| (card, in_use)),
            Ok((None, _)) => None,
            Err(why) => {
                web_sys::console::warn_1(&format!("drvsig block list: {why}").into());
                None
            }
        };
        let Some((card, in_use)) = card else {
            rest.push(picked);
            continue;
        };
        if in_use {
            add_dropped_list(picked.name.clone(), bytes);
        }
        let id = next_id();
        dispatch.emit(Action::Add(vec![NewFile { id, name: picked.name.clone(), size: picked.size }]));
        dispatch.emit(Action::Done(id, Rc::new(card)));
    }
    rest
}

fn enqueue_now(files: Vec<Picked>, dispatch: Callback<Action>) {
    if files.is_empty() {
        return;
    }
    let mut added = Vec::with_capacity(files.len());
    let mut jobs = Vec::with_capacity(files.len());
    DISPATCH.with(|d| *d.borrow_mut() = Some(dispatch.clone()));
    bump();
    for picked in files {
        let id = next_id();
        ORIGINALS.with(|o| o.borrow_mut().push((id, picked.clone())));
        added.push(NewFile { id, name: picked.name.clone(), size: picked.size });
        jobs.push(Job { id, picked, dispatch: dispatch.clone(), prefetch: None });
    }
    dispatch.emit(Action::Add(added));
    LIVE.with(|live| live.borrow_mut().extend(jobs.iter().map(|j| j.id)));
    QUEUE.with(|q| q.borrow_mut().extend(jobs));
    start();
}

fn start() {
    schedule();
}

/// Starts queued files, in page order, while there is room (as many as the worker pool holds and
/// [`IN_FLIGHT_BYTES`] allows, one on the main thread), and the package pass once every file is done and the file set changed.
fn schedule() {
    prefetch();
    loop {
        let limit = worker::pool_size();
        let active = ACTIVE.with(Cell::get);
        if active >= limit {
            return;
        }
        let in_flight = ACTIVE_BYTES.with(Cell::get);
        let fits = QUEUE.with(|q| q.borrow().front().map(|j| active == 0 || in_flight.saturating_add(j.picked.size) <= IN_FLIGHT_BYTES));
        match fits {
            None => break,
            Some(false) => return,
            Some(true) => {}
        }
        let Some(job) = QUEUE.with(|q| q.borrow_mut().pop_front()) else {
            break;
        };
        let size = job.picked.size;
        ACTIVE.with(|a| a.set(a.get() + 1));
        ACTIVE_BYTES.with(|b| b.set(b.get().saturating_add(size)));
        wasm_bindgen_futures::spawn_local(async move {
            process(job).await;
            ACTIVE.with(|a| a.set(a.get().saturating_sub(1)));
            ACTIVE_BYTES.with(|b| b.set(b.get().saturating_sub(size)));
            schedule();
        });
    }
    let idle = ACTIVE.with(Cell::get) == 0 && !PACKAGING.with(Cell::get);
    let generation = GENERATION.with(Cell::get);
    if idle && PACKAGED.with(Cell::get) != generation {
        PACKAGING.with(|p| p.set(true));
        PACKAGED.with(|p| p.set(generation));
        wasm_bindgen_futures::spawn_local(async {
            refresh_packages().await;
            PACKAGING.with(|p| p.set(false));
            // Files may have come or gone while the packages were computed.
            schedule();
        });
    }
}

/// Forgets a file: a queued one is never read, a running one's result is dropped; the packages
/// are computed again without it.
pub fn cancel(id: FileId) {
    ORIGINALS.with(|o| o.borrow_mut().retain(|(i, _)| *i != id));
    LIVE.with(|live| live.borrow_mut().remove(&id));
    if IN_FLIGHT.with(|f| f.borrow().contains(&id)) {
        // Removed while a worker has it: stop that worker rather than wait for it.
        worker::abort(id);
    }
    QUEUE.with(|q| q.borrow_mut().retain(|j| j.id != id));
    STORE.with(|s| s.borrow_mut().retain(|f| f.id != id));
    let zip_of_member = MEMBERS.with(|m| m.borrow().iter().find(|(member, _, _)| *member == id).map(|(_, zip, _)| *zip));
    if let Some(zip) = zip_of_member {
        TRIMMED.with(|t| t.borrow_mut().insert(zip));
    }
    TRIMMED.with(|t| t.borrow_mut().remove(&id));
    MEMBERS.with(|m| m.borrow_mut().retain(|(member, zip, _)| *member != id && *zip != id));
    bump();
    start();
}

/// Forgets every file.
pub fn cancel_all() {
    ORIGINALS.with(|o| o.borrow_mut().clear());
    LIVE.with(|live| live.borrow_mut().clear());
    let in_flight: Vec<FileId> = IN_FLIGHT.with(|f| f.borrow().iter().copied().collect());
    for id in in_flight {
        worker::abort(id);
    }
    QUEUE.with(|q| q.borrow_mut().clear());
    STORE.with(|s| s.borrow_mut().clear());
    TRIMMED.with(|t| t.borrow_mut().clear());
    MEMBERS.with(|m| m.borrow_mut().clear());
    bump();
}

/// The bytes of a file on the page (a user's file is read again; a zip member is read out of its
/// zip by a worker, on demand); `None` when the file is gone or cannot be read.
pub async fn bytes_of(id: FileId) -> Option<Bytes> {
    if let Some(held) = held(id) {
        return held.bytes().await;
    }
    let (zip_id, inner) = member_of(id)?;
    let zip = held(zip_id)?.payload();
    worker::zip_member(zip, &inner).await.map(|data| Rc::new(Cow::Owned(data)))
}

/// `len` bytes of a file from `start` (fewer at its end): of a user's file, only those bytes are
/// read (`Blob.slice`).
pub async fn slice_of(id: FileId, start: usize, len: usize) -> Option<Bytes> {
    let end = start.saturating_add(len);
    if let Some(held) = held(id) {
        return held.slice(start, end).await;
    }
    let bytes = bytes_of(id).await?;
    let end = end.min(bytes.len());
    bytes.get(start..end).map(|s| Rc::new(Cow::Owned(s.to_vec())))
}

fn held(id: FileId) -> Option<Held> {
    STORE.with(|s| s.borrow().iter().find(|f| f.id == id).map(|f| f.bytes.clone()))
}

fn member_of(id: FileId) -> Option<(FileId, String)> {
    MEMBERS.with(|m| m.borrow().iter().find(|(member, _, _)| *member == id).map(|(_, zip, inner)| (*zip, inner.clone())))
}

fn live(id: FileId) -> bool {
    LIVE.with(|l| l.borrow().contains(&id))
}

/// The package pass over every file on the page, when it can differ from the files' own passes.
async fn refresh_packages() {
    let Some(dispatch) = DISPATCH.with(|d| d.borrow().clone()) else {
        return;
    };
    let generation = GENERATION.with(|g| g.get());
    let (count, relevant, single) = STORE.with(|s| {
        let s = s.borrow();
        let relevant = s.iter().flat_map(|f| f.kinds.iter()).any(|k| matches!(k, FileKind::Inf | FileKind::Catalog));
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
    // A worker that failed is replaced: one more try.
    let mut packages = None;
    for _ in 0..2 {
        packages = packages_in_worker().await;
        if packages.is_some() || generation != GENERATION.with(|g| g.get()) {
            break;
        }
    }
    if generation == GENERATION.with(|g| g.get()) {
        dispatch.emit(Action::Packages(Rc::new(packages.unwrap_or_default())));
    }
}

/// The files of the package pass, each a `File` handle or bytes (transferred: a copy of what is
/// held here). A zip some of whose members were removed gives only its remaining members (the
/// worker reads them out of the zip).
fn package_files(transfer: &Array) -> Vec<PackageFile> {
    let stored: Vec<(FileId, String, Held)> = STORE.with(|s| s.borrow().iter().map(|f| (f.id, f.name.clone(), f.bytes.clone())).collect());
    let mut files = Vec::with_capacity(stored.len());
    for (id, name, held) in stored {
        let members = TRIMMED.with(|t| t.borrow().contains(&id)).then(|| {
            // The members still on the page, named as the core named them.
            MEMBERS.with(|m| m.borrow().iter().filter(|(_, zip, _)| *zip == id).map(|(_, _, inner)| inner.clone()).collect::<Vec<_>>())
        });
        if members.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        let source = match held.payload() {
            worker::Payload::File(file) => JsValue::from(file),
            worker::Payload::Buffer(buffer) => {
                transfer.push(&buffer);
                buffer.into()
            }
        };
        files.push(PackageFile { name, source, members });
    }
    files
}

/// The package pass in a worker: it gets the `File` handles (and copies of the bytes held here)
/// with the reports the workers made, so nothing is copied into this thread's wasm memory or
/// inspected again. `None` when the worker failed.
async fn packages_in_worker() -> Option<Vec<PackageReport>> {
    let reports: Vec<String> = STORE.with(|s| s.borrow().iter().filter_map(|f| f.report_json.clone()).collect());
    let transfer = Array::new();
    let files = package_files(&transfer);
    match worker::packages(context(), files, transfer, reports).await {
        Ok(json) => super::decode::packages_from_json(&json).ok(),
        Err(why) => {
            web_sys::console::warn_1(&format!("drvsig package worker: {why}").into());
            None
        }
    }
}

/// What the worker gets for a file: a small one is read here (asynchronously, maybe already by
/// [`prefetch`]: measured, a worker's first read of a Blob takes ~30 ms more) and its buffer
/// transferred, with a copy kept here; a big one is read by the worker, with progress.
async fn payload_of(picked: &Picked, prefetch: Option<Promise>) -> (worker::Payload, Option<ArrayBuffer>) {
    let file = &picked.file;
    if picked.size > SMALL_FILE_BYTES {
        return (worker::Payload::File(file.clone()), None);
    }
    let read = prefetch.unwrap_or_else(|| file.array_buffer());
    match JsFuture::from(read).await.map(JsCast::dyn_into::<ArrayBuffer>) {
        // The worker gets (and detaches) the buffer; the page keeps a copy.
        Ok(Ok(buffer)) => (worker::Payload::Buffer(buffer.slice(0)), Some(buffer)),
        _ => (worker::Payload::File(file.clone()), None),
    }
}

/// Where a file's bytes stay once it is inspected.
fn held_of(picked: &Picked, kept: Option<ArrayBuffer>) -> Held {
    match kept {
        Some(buffer) => Held::Buffer(buffer),
        None => Held::Blob(picked.file.clone()),
    }
}

/// Inspects one file in a worker (a worker that fails is replaced and the file tried once more);
/// `Err` with the card's message when it cannot be inspected or was cancelled.
async fn inspect_in_worker(
    id: FileId,
    name: &str,
    picked: &Picked,
    prefetch: Option<Promise>,
    dispatch: &Callback<Action>,
) -> Result<(drvsig::InspectionReport, Held, String), String> {
    let progress: Rc<dyn Fn(worker::Progress)> = {
        let dispatch = dispatch.clone();
        Rc::new(move |p: worker::Progress| {
            if !live(id) {
                return;
            }
            match p {
                worker::Progress::Read(loaded, total) => dispatch.emit(Action::Progress(id, loaded as u64, total as u64)),
                worker::Progress::Inspecting => dispatch.emit(Action::Inspecting(id)),
            }
        })
    };
    // From here on Cancel reaches this file (also while a small one is still being read).
    IN_FLIGHT.with(|f| f.borrow_mut().insert(id));
    let (payload, kept) = payload_of(picked, prefetch).await;
    let mut reply = worker::inspect(id, name, context(), payload, progress.clone()).await;
    if let Err(worker::Answer::Failed(why)) = &reply {
        if !aborted_peek(id) {
            web_sys::console::warn_1(&format!("drvsig worker: {why}; trying again").into());
            let (payload, _) = payload_of(picked, None).await;
            reply = worker::inspect(id, name, context(), payload, progress).await;
        }
    }
    IN_FLIGHT.with(|f| f.borrow_mut().remove(&id));
    if aborted(id) {
        return Err("Cancelled".into());
    }
    match reply {
        Ok(done) => {
            let inspection = super::decode::inspection_from_json(&done.json)?;
            mark_inspector(if done.main_thread { "main-thread" } else { "worker" });
            if let Some(timings) = &done.timings {
                mark("data-timings", timings);
            }
            Ok((inspection, held_of(picked, kept), done.json))
        }
        Err(worker::Answer::Cancelled) => Err("Cancelled".into()),
        Err(worker::Answer::Failed(why)) => Err(format!("The file could not be inspected: {why}")),
        Err(worker::Answer::Reply(_)) => Err("The inspection returned no report".into()),
    }
}

async fn process(Job { id, picked, dispatch, prefetch }: Job) {
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
    if let Some(saved) = saved_report(id, &name, &picked).await {
        // A drvsig JSON report: shown as a saved report, not inspected as a file.
        LIVE.with(|l| l.borrow_mut().remove(&id));
        dispatch.emit(Action::Saved(saved));
        return;
    }
    let result = inspect_in_worker(id, &name, &picked, prefetch, &dispatch).await;
    let was_live = live(id);
    LIVE.with(|l| l.borrow_mut().remove(&id));
    match result {
        Ok((inspection, held, json)) if was_live => show(id, name, inspection, held, json, &dispatch),
        Err(message) if was_live => dispatch.emit(Action::Failed(id, message)),
        _ => {}
    }
}

/// Stores an inspected file and shows its card (and its zip members' cards).
fn show(id: FileId, name: String, inspection: drvsig::InspectionReport, bytes: Held, json: String, dispatch: &Callback<Action>) {
    let mut reports = inspection.files.into_iter();
    let Some(own) = reports.next() else {
        dispatch.emit(Action::Failed(id, "The inspection returned no report".into()));
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
    let stored = Stored { id, name, bytes, report_json: Some(json), kinds, packages: inspection.packages };
    // In page order (files finish in any order when several are inspected at once).
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        let at = s.iter().position(|f| f.id > id).unwrap_or(s.len());
        s.insert(at, stored);
    });
    dispatch.emit(Action::Done(id, Rc::new(own)));
    if !members.is_empty() {
        dispatch.emit(Action::Members(id, members));
    }
}

/// Saved reports are at most this big (the CLI's report of a big drop is a few MB).
const MAX_SAVED_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The saved report in a `.json` file, when it is a drvsig report (or one this page cannot read:
/// then the message); `None` for any other file.
async fn saved_report(id: FileId, name: &str, picked: &Picked) -> Option<crate::saved::Saved> {
    if !name.to_ascii_lowercase().ends_with(".json") || picked.size > MAX_SAVED_REPORT_BYTES {
        return None;
    }
    let bytes = read_blob(&picked.file).await?;
    let report = crate::saved::parse_saved(&String::from_utf8_lossy(&bytes)).transpose()?;
    Some(crate::saved::Saved { id, origin: name.to_string(), report: report.map(Rc::new) })
}

/// A fresh id for something that is not a file (a share link's report).
pub fn fresh_id() -> FileId {
    next_id()
}

/// Cancels a file being read or inspected: its worker is terminated (the other files go on), the
/// file is marked cancelled, and the pool starts a fresh worker when files wait.
pub fn abort_inspection(id: FileId) {
    if IN_FLIGHT.with(|f| f.borrow().contains(&id)) {
        ABORTED.with(|a| a.borrow_mut().insert(id));
        worker::abort(id);
    }
}

fn aborted(id: FileId) -> bool {
    ABORTED.with(|a| a.borrow_mut().remove(&id))
}

fn aborted_peek(id: FileId) -> bool {
    ABORTED.with(|a| a.borrow().contains(&id))
}

/// Where the last file was inspected, on `<body data-inspector>` ("worker" or "main-thread"), for
/// the e2e tests and anyone curious.
fn mark_inspector(place: &str) {
    mark("data-inspector", place);
}

/// Sets an attribute on `<body>` (`data-timings`: the last worker's read / hash / core
/// milliseconds, for the e2e tests and the benchmark).
fn mark(attribute: &str, value: &str) {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute(attribute, value);
    }
}

/// Whether inspections run off the main thread (false: no Web Worker, the page says so).
pub fn off_main_thread() -> bool {
    worker::off_main_thread()
}

/// Starts the first workers (they warm their own wasm up while the page idles).
pub fn warm_up() {
    worker::prepare();
}
