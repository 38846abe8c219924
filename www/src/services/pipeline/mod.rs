//! The one queue every file goes through: read its bytes, run the core, show the result.
//! The core runs in a pool of module Web Workers ([`super::worker`], `static/inspector.js` over the
//! core's own wasm): several files are inspected at once, each card is filled as soon as its file
//! is done, and the main thread only hands each worker the `File` handle (the worker reads it,
//! posting progress, and hashes it with WebCrypto), then renders the report, so a big file never
//! freezes the tab. The page's own wasm has no inspection code: without a worker (file://, an old
//! browser, or it failed to load) the same inspector runs on this thread, one file at a time, and
//! the card says so.
//!
//! A big file is inspected alone (its verdict first, then its complete report); small ones go to
//! a worker up to 16 per request, which reads them and answers with all their reports at once (a
//! zip is expanded by the core, its members become entries). When such a batch is every file on
//! the page and holds an INF or a catalog, the worker makes the packages in the same request. The page keeps no copy of a user's file: it keeps
//! the `File` handle (a Blob, readable again at any time) with the report JSON the worker made, and
//! reads again only what it needs ([`bytes_of`], [`slice_of`]: the ASN.1 view reads just a
//! signature's bytes). When the queue is empty, the package pass runs over every file on the page,
//! in a worker too (it gets the `File` handles and reads them there; the reports are reused,
//! nothing is inspected again), but only when it can change something: two or more files, one of
//! them an INF or a catalog (a single file's own pass already holds its packages, e.g. a zipped
//! package).

//!
//! The rules (queue, byte budget, generations, the store of inspected files) are one value,
//! [`model::Pipeline`], whose methods return [`model::Effect`]s; this module is the thin shell that
//! performs them (dispatches actions, asks the workers, reads files) and feeds the results back.

pub mod model;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use drvsig::report::PackageReport;
use drvsig_messages::PackageFile;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

use super::files::Picked;
use super::{browser, worker};
use crate::state::{Action, FileId};
use model::{Effect, Finished, PackageInput, Pipeline};

/// A file's bytes, shared.
pub type Bytes = Rc<Cow<'static, [u8]>>;

/// Where a stored file's bytes are: in the user's file, read again when needed (a slice at a time
/// for the ASN.1 view). The page reads no file to inspect it: the workers do.
#[derive(Clone, Debug)]
pub enum Held {
    Blob(web_sys::File),
}

impl Held {
    /// What a worker gets to read these bytes: the `File` handle, or a copy of the bytes
    /// (transferred).
    fn payload(&self) -> super::worker::Payload {
        match self {
            Held::Blob(file) => super::worker::Payload::File(file.clone()),
        }
    }

    async fn bytes(&self) -> Option<Bytes> {
        match self {
            Held::Blob(file) => read_blob(file).await,
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
        }
    }
}

/// The bytes of a Blob, copied into the wasm memory (`None` when it cannot be read: the file was
/// moved or changed on disk).
async fn read_blob(blob: &web_sys::Blob) -> Option<Bytes> {
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(Rc::new(Cow::Owned(Uint8Array::new(&buffer).to_vec())))
}

/// The pipeline and what performing its effects needs.
struct Shell {
    pipeline: Pipeline<web_sys::File, Held, js_sys::JsString>,
    /// Where actions go (the app's dispatcher).
    dispatch: Option<Callback<Action>>,
    /// Counts Clear (and Compare, which clears the page for the new side): a drop's files that
    /// come in pieces (a folder walk) stop coming once it changed.
    epoch: u64,
    /// Pieces of files waiting their turn while an earlier piece's possible block lists are read:
    /// the files are added in the order they came, each judged with the lists that came before.
    waiting: std::collections::VecDeque<Vec<Picked>>,
    /// Whether an earlier piece's block lists are being read.
    reading_lists: bool,
}

/// The page's services: the pipeline, its shell and the worker pool (cloning shares them). The
/// app makes one and hands it to the components that need it (a yew context).
#[derive(Clone)]
pub struct Services {
    shell: Rc<RefCell<Shell>>,
    pool: worker::Pool,
}

impl PartialEq for Services {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.shell, &other.shell)
    }
}

impl Default for Services {
    fn default() -> Self {
        let pool = worker::Pool::default();
        let pipeline = Pipeline::new(pool.requests_at_once(), pool.pool_size());
        let shell = Shell { pipeline, dispatch: None, epoch: 0, waiting: Default::default(), reading_lists: false };
        Services { shell: Rc::new(RefCell::new(shell)), pool }
    }
}

impl Services {
    fn with<R>(&self, f: impl FnOnce(&mut Shell) -> R) -> R {
        f(&mut self.shell.borrow_mut())
    }

    /// One step of the pipeline, then its effects (performed outside the borrow: a dispatch may
    /// render, and rendering may ask the pipeline).
    fn step(
        &self,
        f: impl FnOnce(&mut Pipeline<web_sys::File, Held, js_sys::JsString>) -> Vec<Effect<web_sys::File, Held, js_sys::JsString>>,
    ) {
        let effects = self.with(|s| {
            s.pipeline.set_limits(self.pool.requests_at_once(), self.pool.pool_size());
            f(&mut s.pipeline)
        });
        // One step's news goes to the page as one action (a batch's reports and its packages are
        // drawn in the same frame, not one per frame).
        // (In order: the actions gathered so far go before any other effect.)
        let mut actions = Vec::new();
        for effect in effects {
            match effect {
                Effect::Dispatch(action) => actions.push(action),
                other => {
                    self.dispatch_all(std::mem::take(&mut actions));
                    self.perform(other);
                }
            }
        }
        self.dispatch_all(actions);
    }

    fn dispatch_all(&self, mut actions: Vec<Action>) {
        if actions.len() > 1 {
            self.emit(Action::Batch(actions));
        } else if let Some(action) = actions.pop() {
            self.emit(action);
        }
    }

    fn perform(&self, effect: Effect<web_sys::File, Held, js_sys::JsString>) {
        match effect {
            Effect::Dispatch(action) => {
                if let Some(dispatch) = self.with(|s| s.dispatch.clone()) {
                    dispatch.emit(action);
                }
            }
            Effect::Inspect { id, picked } => {
                let this = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let finished = this.inspect(id, picked).await;
                    this.step(|p| p.finished(id, finished));
                });
            }
            Effect::InspectBatch { files, package } => {
                let this = self.clone();
                let first = files.first().map(|(id, _)| *id).unwrap_or_default();
                wasm_bindgen_futures::spawn_local(async move {
                    let (results, packages) = this.inspect_batch(files, package).await;
                    this.step(|p| p.finished_batch(first, results, packages));
                });
            }
            Effect::Abort(id) => self.pool.abort(id),
            Effect::Package { generation, files, reports } => {
                let this = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let packages = this.package_pass(generation, files, reports).await;
                    this.step(|p| p.packaged(generation, packages));
                });
            }
        }
    }

    fn emit(&self, action: Action) {
        self.perform(Effect::Dispatch(action));
    }

    /// Sets the trusted roots and judges the whole drop again: every file picked or dropped so far is
    /// inspected anew (new cards), so every verdict and chain reflects the roots.
    pub fn set_trust(&self, anchors: Vec<Vec<u8>>, dispatch: Callback<Action>) {
        self.with(|s| s.dispatch = Some(dispatch));
        self.step(|p| p.set_trust(anchors));
    }

    /// The target the page shows: the workers' briefs of the files inspected from now on carry
    /// triage rows on it (the table then needs no report decoded).
    pub fn set_target(&self, target: drvsig::policy::Target) {
        self.with(|s| s.pipeline.set_target(target));
    }

    /// Adds files to the page and to the queue. Block lists among them (SiPolicy XML, LOLDrivers
    /// JSON / YAML, recognised by content) are read first: every file inspected from then on is judged
    /// against them too, and each gets a card saying it is in use (or why it cannot be read).
    pub fn enqueue(&self, mut files: Vec<Picked>, dispatch: Callback<Action>) {
        self.with(|s| s.dispatch = Some(dispatch));
        // A few files are sized at once (a big one goes straight to a worker of its own); the
        // files of a big drop are sized by reading them (see `Picked::size`).
        if files.len() <= model::BATCH_FILES {
            for p in &mut files {
                p.size = Some(size_of(p));
            }
        }
        // Files came by a way early.js does not watch (e.g. a script's click): start the workers.
        self.pool.prepare();
        self.with(|s| s.waiting.push_back(files));
        self.add_waiting();
    }

    /// Adds the waiting pieces in order; a piece that may hold block lists has them read first
    /// (their cards, the lists in the context of what follows), and the pieces after it wait.
    fn add_waiting(&self) {
        loop {
            let next = self.with(|s| if s.reading_lists { None } else { s.waiting.pop_front() });
            let Some(files) = next else { return };
            if files.iter().any(may_be_block_list) {
                let epoch = self.with(|s| {
                    s.reading_lists = true;
                    s.epoch
                });
                let this = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let rest = this.take_block_lists(files).await;
                    // Cleared meanwhile: the rest of that drop is not added.
                    if this.epoch() == epoch {
                        this.step(|p| p.add(rest));
                    }
                    this.with(|s| s.reading_lists = false);
                    this.add_waiting();
                });
                return;
            }
            self.step(|p| p.add(files));
        }
    }

    /// The current epoch: it changes when the page is cleared (Clear, Compare). A drop that hands
    /// its files on in pieces stops when it has changed since the drop.
    pub fn epoch(&self) -> u64 {
        self.with(|s| s.epoch)
    }

    /// The files that are not block lists; the block lists get their card (a worker says whether the
    /// content is one and makes it).
    async fn take_block_lists(&self, files: Vec<Picked>) -> Vec<Picked> {
        let mut rest = Vec::new();
        for picked in files {
            if !may_be_block_list(&picked) {
                rest.push(picked);
                continue;
            }
            let Some(bytes) = read_blob(&picked.file).await.map(|b| b.to_vec()) else {
                rest.push(picked);
                continue;
            };
            let card = match self.pool.block_list(&picked.name, bytes.clone(), browser::now().0).await {
                Ok((Some(card), in_use)) => super::decode::file_from_json(&card).ok().map(|card| (card, in_use)),
                Ok((None, _)) => None,
                Err(why) => {
                    web_sys::console::warn_1(&format!("drvsig block list: {why}").into());
                    None
                }
            };
            match card {
                Some((card, in_use)) => {
                    let size = bytes.len() as u64;
                    self.step(|p| p.add_block_list(&picked.name, size, card, in_use.then_some(bytes)))
                }
                None => rest.push(picked),
            }
        }
        rest
    }

    /// Forgets a file: a queued one is never read, a running one's result is dropped; the packages
    /// are computed again without it.
    pub fn cancel(&self, id: FileId) {
        self.step(|p| p.remove(id));
    }

    /// The cards of the dropped block lists in use.
    pub fn list_cards(&self) -> Vec<FileId> {
        self.with(|s| s.pipeline.list_cards())
    }

    /// Forgets every file (and the pieces of a drop still waiting to be added); `lists_too`: the
    /// dropped block lists as well ("Clear all"; a comparison keeps them and their cards for its
    /// new side).
    pub fn cancel_all(&self, lists_too: bool) {
        self.with(|s| {
            s.epoch = s.epoch.wrapping_add(1);
            s.waiting.clear();
        });
        self.step(|p| if lists_too { p.clear_all() } else { p.clear() });
    }

    /// The bytes of a file on the page (a user's file is read again; a zip member is read out of its
    /// zip by a worker, on demand); `None` when the file is gone or cannot be read.
    pub async fn bytes_of(&self, id: FileId) -> Option<Bytes> {
        if let Some(held) = self.with(|s| s.pipeline.held(id)) {
            return held.bytes().await;
        }
        let (zip_id, inner) = self.with(|s| s.pipeline.member_of(id))?;
        let zip = self.with(|s| s.pipeline.held(zip_id))?.payload();
        self.pool.zip_member(zip, &inner).await.map(|data| Rc::new(Cow::Owned(data)))
    }

    /// `len` bytes of a file from `start` (fewer at its end): of a user's file, only those bytes are
    /// read (`Blob.slice`).
    pub async fn slice_of(&self, id: FileId, start: usize, len: usize) -> Option<Bytes> {
        let end = start.saturating_add(len);
        if let Some(held) = self.with(|s| s.pipeline.held(id)) {
            return held.slice(start, end).await;
        }
        let bytes = self.bytes_of(id).await?;
        let end = end.min(bytes.len());
        bytes.get(start..end).map(|s| Rc::new(Cow::Owned(s.to_vec())))
    }

    /// The package pass in a worker: it gets the `File` handles (and copies of the bytes held here)
    /// with the reports the workers made, so nothing is copied into this thread's wasm memory or
    /// inspected again. A worker that fails is replaced: one more try; `None` when that fails too.
    async fn package_pass(
        &self,
        generation: u64,
        files: Vec<PackageInput<Held>>,
        reports: Vec<js_sys::JsString>,
    ) -> Option<Vec<PackageReport>> {
        for _ in 0..2 {
            if !self.with(|s| s.pipeline.is_current(generation)) {
                return None;
            }
            let transfer = Array::new();
            let files = files
                .iter()
                .map(|f| {
                    let worker::Payload::File(file) = f.held.payload();
                    PackageFile { name: f.name.clone(), source: JsValue::from(file), members: f.members.clone() }
                })
                .collect();
            let context = self.with(|s| s.pipeline.context(browser::now().0));
            match self.pool.packages(context, files, transfer, reports.iter().collect()).await {
                Ok(json) => return super::decode::packages_from_json(&json).ok(),
                Err(why) => web_sys::console::warn_1(&format!("drvsig package worker: {why}").into()),
            }
        }
        None
    }

    /// One file: a drvsig JSON report is shown as saved; anything else is inspected in a worker.
    async fn inspect(&self, id: FileId, picked: Picked) -> Finished<Held, js_sys::JsString> {
        let name = picked.name.replace('\\', "/");
        if let Some(saved) = saved_report(id, &name, &picked).await {
            return Finished::Saved(saved);
        }
        let this = self.clone();
        let progress: Rc<dyn Fn(worker::Progress)> = Rc::new(move |p: worker::Progress| {
            if !this.with(|s| s.pipeline.is_live(id)) {
                return;
            }
            match p {
                worker::Progress::Read(loaded, total) => this.emit(Action::Progress(id, loaded as u64, total as u64)),
                worker::Progress::Inspecting => this.emit(Action::Inspecting(id)),
                worker::Progress::Verdict(json) => match super::decode::inspection_from_json(&json) {
                    Ok(inspection) => {
                        perf_mark("drvsig:verdict-decoded");
                        this.step(|p| p.verdict(id, inspection));
                    }
                    Err(e) => web_sys::console::warn_1(&format!("drvsig: a verdict cannot be read: {e}").into()),
                },
            }
        });
        let context = || self.with(|s| s.pipeline.context(browser::now().0));
        let payload = || worker::Payload::File(picked.file.clone());
        perf_mark("drvsig:inspect-asked");
        let mut reply = self.pool.inspect(id, &name, context(), payload(), progress.clone()).await;
        if let Err(worker::Answer::Failed(why)) = &reply {
            // A worker that fails is replaced: the file is tried once more.
            if !self.with(|s| s.pipeline.is_aborted(id)) {
                web_sys::console::warn_1(&format!("drvsig worker: {why}; trying again").into());
                reply = self.pool.inspect(id, &name, context(), payload(), progress).await;
            }
        }
        match reply {
            Ok(done) => match super::decode::inspection_from_json(&done.json) {
                Ok(inspection) => {
                    mark("data-inspector", if done.main_thread { "main-thread" } else { "worker" });
                    if let Some(timings) = &done.timings {
                        mark("data-timings", timings);
                    }
                    Finished::Inspected {
                        inspection,
                        held: Held::Blob(picked.file.clone()),
                        json: js_sys::JsString::from(done.json.as_str()),
                    }
                }
                Err(e) => Finished::Failed(format!("The worker's report cannot be read: {e}")),
            },
            Err(worker::Answer::Cancelled) => Finished::Failed("Cancelled".into()),
            Err(worker::Answer::Failed(why)) => Finished::Failed(format!("The file could not be inspected: {why}")),
            Err(worker::Answer::Reply(_)) => Finished::Failed("The inspection returned no report".into()),
        }
    }

    /// Small files in one worker request (the worker reads them) and one reply with their reports;
    /// with `package` (they are every file on the page, at that generation) the packages too. A
    /// worker that fails is replaced: the batch is tried once more.
    async fn inspect_batch(
        &self,
        files: Vec<(FileId, Picked)>,
        package: Option<u64>,
    ) -> (Vec<(FileId, Finished<Held, js_sys::JsString>)>, Option<(u64, Option<Vec<PackageReport>>)>) {
        let context = || self.with(|s| s.pipeline.context(browser::now().0));
        let (items, mut unread) = read_batch(&files).await;
        perf_mark("drvsig:batch-asked");
        let mut reply = if items.is_empty() {
            Ok(drvsig_messages::Batched { id: 0, reports: Vec::new(), packages: None, timings: JsValue::UNDEFINED, main_thread: false })
        } else {
            self.pool.inspect_batch(context(), items, package.is_some()).await
        };
        perf_mark("drvsig:batch-answered");
        if let Err(worker::Answer::Failed(why)) = &reply {
            // The bytes went to the worker that failed: read again for the next one.
            web_sys::console::warn_1(&format!("drvsig worker: {why}; trying again").into());
            let (items, again) = read_batch(&files).await;
            unread = again;
            reply = self.pool.inspect_batch(context(), items, package.is_some()).await;
        }
        let batched = match reply {
            Ok(batched) => batched,
            Err(answer) => {
                let message = match answer {
                    worker::Answer::Cancelled => "Cancelled".to_string(),
                    worker::Answer::Failed(why) => format!("The file could not be inspected: {why}"),
                    worker::Answer::Reply(_) => "The inspection returned no report".to_string(),
                };
                return (files.into_iter().map(|(id, _)| (id, Finished::Failed(message.clone()))).collect(), None);
            }
        };
        mark("data-inspector", if batched.main_thread { "main-thread" } else { "worker" });
        if let Some(timings) = js_sys::JSON::stringify(&batched.timings).ok().and_then(|s| s.as_string()) {
            mark("data-timings", &timings);
        }
        let mut reports = batched.reports;
        let results = files
            .into_iter()
            .map(|(id, picked)| {
                if let Some(finished) = unread.remove(&id) {
                    return (id, finished);
                }
                let report = reports.iter().position(|r| r.id == id).map(|at| reports.swap_remove(at));
                let finished = match report {
                    Some(drvsig_messages::BatchReport { json, brief: Some(brief), .. }) if json.is_string() && brief.alone => {
                        // The report alone: decoded when first read (its card is drawn, an export).
                        let json = js_sys::JsString::from(json);
                        let source = json.clone();
                        let report = crate::state::Report::lazy(brief, move || {
                            let mut inspection = super::decode::inspection_from_js(&source)?;
                            if inspection.files.is_empty() {
                                return Err("it holds no file".into());
                            }
                            Ok(inspection.files.swap_remove(0))
                        });
                        Finished::Alone { report: Rc::new(report), held: Held::Blob(picked.file), json }
                    }
                    Some(drvsig_messages::BatchReport { json, .. }) if json.is_string() => {
                        let json = js_sys::JsString::from(json);
                        match super::decode::inspection_from_js(&json) {
                            Ok(inspection) => Finished::Inspected { inspection, held: Held::Blob(picked.file), json },
                            Err(e) => Finished::Failed(format!("The worker's report cannot be read: {e}")),
                        }
                    }
                    Some(drvsig_messages::BatchReport { error: Some(why), .. }) => {
                        Finished::Failed(format!("The file could not be inspected: {why}"))
                    }
                    _ => Finished::Failed("The inspection returned no report".into()),
                };
                (id, finished)
            })
            .collect();
        let packages = package
            .map(|generation| (generation, batched.packages.as_deref().and_then(|json| super::decode::packages_from_json(json).ok())));
        perf_mark("drvsig:batch-decoded");
        (results, packages)
    }

    /// A fresh id for something that is not a file (a share link's report).
    pub fn fresh_id(&self) -> FileId {
        self.with(|s| s.pipeline.fresh_id())
    }

    /// Cancels a file being read or inspected: its worker is terminated (the other files go on), the
    /// file is marked cancelled, and the pool starts a fresh worker when files wait.
    pub fn abort_inspection(&self, id: FileId) {
        self.step(|p| p.abort(id));
    }

    /// Whether inspections run off the main thread (false: no Web Worker, the page says so).
    pub fn off_main_thread(&self) -> bool {
        self.pool.off_main_thread()
    }

    /// Starts the first workers on the first sign of use (they warm their own wasm up while the
    /// page idles); a plain visit loads nothing of the core.
    pub fn warm_up(&self) {
        self.pool.prepare_when_used();
    }
}

/// Reads a batch's files on this thread (early.js `readSmall`: no synchronous call per file, as
/// `File.size` and posting a `File` to a worker are), all at once: the bytes of each file up to
/// [`model::SMALL_FILE_BYTES`], to transfer to the worker, and how the others ended (bigger: its
/// size, to be asked for alone; unreadable: the browser's message).
/// Without early.js (a page that lacks it), the worker gets the `File` and reads it; so it does
/// when every file's size is known already (a drop of a few files, sized as they came: see
/// [`Services::enqueue`]): posting a few `File`s costs less than a read on this thread, which
/// waits for it (a driver dropped while the page starts: 11-75 ms).
async fn read_batch(files: &[(FileId, Picked)]) -> (Vec<(u64, String, JsValue)>, HashMap<FileId, Finished<Held, js_sys::JsString>>) {
    let cap = model::SMALL_FILE_BYTES as f64;
    let sized = files.iter().all(|(_, p)| p.size.is_some());
    let reads: Vec<Option<js_sys::Promise>> =
        files.iter().map(|(_, p)| if sized { None } else { early_read_small(&p.file, cap).ok() }).collect();
    let mut items = Vec::with_capacity(files.len());
    let mut unread = HashMap::new();
    for ((id, picked), read) in files.iter().zip(reads) {
        let name = picked.name.replace('\\', "/");
        let Some(promise) = read else {
            items.push((*id, name, JsValue::from(picked.file.clone())));
            continue;
        };
        match JsFuture::from(promise).await {
            Ok(bytes) if bytes.is_instance_of::<js_sys::ArrayBuffer>() => items.push((*id, name, bytes)),
            Ok(size) if size.as_f64().is_some() => {
                unread.insert(*id, Finished::Sized(size.as_f64().unwrap_or_default().max(0.0) as u64));
            }
            other => {
                let why = other.ok().and_then(|v| v.as_string()).unwrap_or_default();
                unread.insert(*id, Finished::Failed(format!("The file could not be read: {why}")));
            }
        }
    }
    (items, unread)
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `drvsigEarly.readSmall(file, cap)`: resolves to the file's bytes (an `ArrayBuffer`), to its
    /// size when it has more than `cap` bytes, or to why it could not be read; throws where the
    /// page has no early.js.
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = readSmall)]
    fn early_read_small(file: &web_sys::File, cap: f64) -> Result<js_sys::Promise, JsValue>;
}

/// The biggest file read as a possible block list (the recommended list is 0.5 MB; LOLDrivers'
/// drivers.json a few MB).
const MAX_LIST_BYTES: u64 = 32 << 20;

/// Whether a file may be a block list, by its name (its content decides, in a worker).
fn may_be_block_list(p: &Picked) -> bool {
    may_be_block_list_name(&p.name) && size_of(p) <= MAX_LIST_BYTES
}

/// Whether a file of this name may be a block list (an SiPolicy XML, LOLDrivers' JSON or YAML).
pub fn may_be_block_list_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [".xml", ".json", ".yaml", ".yml"].iter().any(|e| name.ends_with(e))
}

/// The file's size: the one known, or the browser's (a synchronous call: only for the few files
/// whose name makes them candidates for something, never for every file of a drop).
fn size_of(p: &Picked) -> u64 {
    p.size.unwrap_or_else(|| p.file.size().max(0.0) as u64)
}

/// Saved reports are at most this big (the CLI's report of a big drop is a few MB).
const MAX_SAVED_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The saved report in a `.json` file, when it is a drvsig report (or one this page cannot read:
/// then the message); `None` for any other file.
async fn saved_report(id: FileId, name: &str, picked: &Picked) -> Option<crate::saved::Saved> {
    if !name.to_ascii_lowercase().ends_with(".json") || size_of(picked) > MAX_SAVED_REPORT_BYTES {
        return None;
    }
    let bytes = read_blob(&picked.file).await?;
    let report = crate::saved::parse_saved(&String::from_utf8_lossy(&bytes)).transpose()?;
    Some(crate::saved::Saved { id, origin: name.to_string(), report: report.map(Rc::new) })
}

/// A `performance.mark` (the benchmark reads the page's `drvsig:` marks: where a batch's time goes).
fn perf_mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Sets an attribute on `<body>`: `data-inspector` (where the last file was inspected, "worker"
/// or "main-thread") and `data-timings` (the last worker's read / hash / core milliseconds), for
/// the e2e tests, the benchmark and anyone curious.
fn mark(attribute: &str, value: &str) {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute(attribute, value);
    }
}
