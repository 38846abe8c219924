//! From picker lists and drop events to named files. Dropped folders are walked recursively with
//! `webkitGetAsEntry`, keeping the path relative to what was dropped as the file's name.

use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileList, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

/// A walk never collects more than this many files (a dropped home folder must not hang the tab).
pub const MAX_FILES: usize = 5_000;

/// A file with the name the page shows for it: one the user gave us, or a bundled demo (made a
/// `File` by early.js).
pub type Picked = super::pipeline::model::Picked<File>;

/// Its size is not read here (see `Picked::size`).
fn picked(file: File, name: String) -> Picked {
    Picked { name, size: None, file }
}

/// A bundled demo by its `?demo=` id (see [`crate::state::DEMOS`]), as if it had been dropped. The
/// demos (`www/demo`) are not in the page's wasm: `drvsig_demo.js` carries them, imported the
/// first time one is asked for.
pub async fn demo_named(id: &str) -> Option<Picked> {
    let promise = early_demo(id).ok()?;
    let file: File = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    let name = file.name();
    Some(picked(file, name))
}

/// The files of an `<input type=file>`: a folder picker gives each its `webkitRelativePath`.
pub fn from_file_list(list: Option<FileList>) -> Vec<Picked> {
    named_files(list).into_iter().map(|(file, name)| picked(file, name)).collect()
}

/// The files of an `<input type=file>` with their names, without their sizes (`File.size` of a
/// file on disk costs about a quarter of a millisecond in Chromium: a thousand of them, a long
/// task). Take them during the `change` event; [`picked_in_batches`] makes them [`Picked`].
pub fn named_files(list: Option<FileList>) -> Vec<(File, String)> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .take(MAX_FILES)
        .map(|file| {
            let relative = js_sys::Reflect::get(&file, &JsValue::from_str("webkitRelativePath"))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|s| !s.is_empty());
            let name = relative.unwrap_or_else(|| file.name());
            (file, name)
        })
        .collect()
}

/// How many files one task turns into [`Picked`] (their sizes read) before the next task.
pub const PICK_BATCH: usize = 50;

/// Makes the files [`Picked`] [`PICK_BATCH`] at a time, handing each batch to `emit` and yielding
/// to the browser between batches (a thousand picked files never make one long task).
pub async fn picked_in_batches(files: Vec<(File, String)>, emit: impl Fn(Vec<Picked>)) {
    let mut files = files.into_iter().peekable();
    while files.peek().is_some() {
        let batch: Vec<Picked> = files.by_ref().take(PICK_BATCH).map(|(file, name)| picked(file, name)).collect();
        emit(batch);
        if files.peek().is_some() {
            next_task().await;
        }
    }
}

/// Resolves in a later task (`setTimeout(0)`).
async fn next_task() {
    let Some(window) = web_sys::window() else { return };
    let task = Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(task).await;
}

// The drop zone of index.html works before the wasm is ready: www/static/early.js queues what is
// dropped or picked there, and the app takes the queue once it starts.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// One queued file: `{ file, path }` in early.js.
    type EarlyFile;
    #[wasm_bindgen(method, getter)]
    fn file(this: &EarlyFile) -> File;
    #[wasm_bindgen(method, getter)]
    fn path(this: &EarlyFile) -> String;
    /// `drvsigEarly.take()`: stops early.js listening and resolves to the queue (an array of
    /// [`EarlyFile`]); throws where the page has no early.js (then nothing was queued).
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = take)]
    fn early_take() -> Result<Promise, JsValue>;
    /// `drvsigEarly.demo(id)`: resolves to the demo as a `File` (null for an unknown id).
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = demo)]
    fn early_demo(id: &str) -> Result<Promise, JsValue>;
}

/// The files dropped or picked before the app started, in the order they came. early.js stops
/// listening when this is called (not when the future is first polled), so call it before the
/// app's own drop listeners start: no drop is taken twice.
pub fn take_early() -> impl std::future::Future<Output = Vec<Picked>> {
    let promise = early_take().ok();
    async move {
        let Some(promise) = promise else { return Vec::new() };
        let Ok(list) = JsFuture::from(promise).await else { return Vec::new() };
        let list: Array = list.unchecked_into();
        list.iter()
            .take(MAX_FILES)
            .map(|v| {
                let early: EarlyFile = v.unchecked_into();
                picked(early.file(), early.path())
            })
            .collect()
    }
}

/// What a drop carried, taken synchronously: the items are only readable during the event.
pub struct Dropped {
    files: Vec<File>,
    directories: Vec<FileSystemDirectoryEntry>,
    /// The same folders as File System Access handles (`getAsFileSystemHandle`: a promise each,
    /// asked during the event), where the browser gives them: walked by a worker (walker.js).
    /// Empty where the browser does not (then the entries are walked here).
    handles: Vec<Promise>,
}

impl Dropped {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.directories.is_empty()
    }
}

/// Takes what a drop event carries (call inside the event handler).
pub fn take_drop(transfer: Option<DataTransfer>) -> Dropped {
    let mut dropped = Dropped { files: Vec::new(), directories: Vec::new(), handles: Vec::new() };
    let mut every_handle = true;
    let Some(transfer) = transfer else {
        return dropped;
    };
    let items = transfer.items();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        let entry = item.webkit_get_as_entry().ok().flatten();
        match entry {
            Some(entry) if entry.is_directory() => {
                match file_system_handle(&item) {
                    Some(handle) => dropped.handles.push(handle),
                    None => every_handle = false,
                }
                dropped.directories.push(entry.unchecked_into());
            }
            _ => {
                if let Ok(Some(file)) = item.get_as_file() {
                    dropped.files.push(file);
                }
            }
        }
    }
    if !every_handle {
        dropped.handles.clear();
    }
    // Some sources (and older browsers) fill `files` but not `items`.
    if dropped.is_empty() {
        if let Some(list) = transfer.files() {
            dropped.files.extend((0..list.length()).filter_map(|i| list.item(i)));
        }
    }
    dropped
}

/// How many of a folder's files are asked of the browser at once (`FileSystemFileEntry.file`: a
/// round trip to the browser each). A dropped folder of 1,000 small drivers in headless Chromium
/// (2 cores): 660-690 ms one after another, 300-400 ms in windows of 16, 100 or all at once.
const FILES_AT_ONCE: usize = 100;

/// A walk hands what it found on once it holds this many files (then each time again), so a big
/// folder's first files are inspected while the rest is walked; a smaller drop comes in one piece.
pub const WALK_BATCH: usize = 100;

/// `item.getAsFileSystemHandle()` (Chromium's File System Access API; not in web-sys' stable
/// bindings), or `None` where the browser has no such method or refuses at once.
fn file_system_handle(item: &web_sys::DataTransferItem) -> Option<Promise> {
    let method = js_sys::Reflect::get(item, &JsValue::from_str("getAsFileSystemHandle")).ok()?;
    let method: js_sys::Function = method.dyn_into().ok()?;
    method.call0(item).ok()?.dyn_into().ok()
}

/// Resolves a drop into files, walking folders depth-first in the order of their names (errors
/// inside a folder skip that part), and hands them to `emit` in the order they were walked: at
/// once for a drop of files, in pieces of about [`WALK_BATCH`] for a big folder (always at least
/// one call, empty when nothing was found).
///
/// Folders are walked by a worker (walker.js) where the browser gives File System Access handles
/// for them, here with `webkitGetAsEntry` otherwise or when that worker cannot start.
pub async fn collect_drop(mut dropped: Dropped, emit: impl Fn(Vec<Picked>) + 'static) {
    let emit: Rc<dyn Fn(Vec<Picked>)> = Rc::new(emit);
    if !dropped.directories.is_empty() && !dropped.handles.is_empty() {
        let handles = std::mem::take(&mut dropped.handles);
        let files: Vec<Picked> = dropped.files.iter().take(MAX_FILES).map(|file| picked(file.clone(), file.name())).collect();
        let walked = walk_in_worker(handles, files, emit.clone()).await;
        if !matches!(walked, Walked::NotStarted(_)) {
            // Where the last folder was walked (`data-folder-walk`: "worker" or "page"), for the
            // e2e tests and anyone curious.
            super::pipeline::mark("data-folder-walk", "worker");
        }
        match walked {
            Walked::Done => return,
            // Some files were handed on already: the walk here would hand them on again.
            Walked::Stopped(why) => {
                web_sys::console::warn_1(&format!("drvsig: the folder walk stopped: {why}").into());
                return;
            }
            Walked::NotStarted(why) => {
                web_sys::console::info_1(&format!("drvsig: walking the folder on the page: {why}").into());
            }
        }
    }
    let mut out: Vec<Picked> = dropped
        .files
        .into_iter()
        .take(MAX_FILES)
        .map(|file| {
            let name = file.name();
            picked(file, name)
        })
        .collect();
    if !dropped.directories.is_empty() {
        super::pipeline::mark("data-folder-walk", "page");
    }
    let mut emitted = 0;
    let mut wanted: Vec<(FileSystemFileEntry, String)> = Vec::new();
    let mut stack: Vec<FileSystemEntry> = dropped.directories.into_iter().map(|d| d.unchecked_into()).collect();
    stack.reverse();
    loop {
        let entry = stack.pop();
        // The files met so far are asked for together, in order, once there are FILES_AT_ONCE of
        // them or the walk is over; a piece goes on to be inspected while the walk goes on.
        if entry.is_none() || wanted.len() >= FILES_AT_ONCE {
            out.extend(files_of(std::mem::take(&mut wanted)).await);
            if out.len() >= WALK_BATCH {
                emitted += out.len();
                emit(std::mem::take(&mut out));
            }
        }
        let Some(entry) = entry else { break };
        if emitted + out.len() + wanted.len() >= MAX_FILES {
            stack.clear();
            continue;
        }
        if entry.is_directory() {
            let dir: FileSystemDirectoryEntry = entry.unchecked_into();
            let mut children = read_all_entries(&dir).await;
            children.sort_by_key(|c| c.name());
            children.reverse();
            stack.extend(children);
        } else if entry.is_file() {
            let name = relative_name(&entry);
            wanted.push((entry.unchecked_into(), name));
        }
    }
    if !out.is_empty() || emitted == 0 {
        emit(out);
    }
}

/// The `File`s of these entries, asked for all at once, in their order (one the browser refuses is
/// left out).
async fn files_of(entries: Vec<(FileSystemFileEntry, String)>) -> Vec<Picked> {
    if entries.is_empty() {
        return Vec::new();
    }
    let asked: Array = entries
        .iter()
        .map(|(entry, _)| {
            // An error resolves too (with the error, not a File): Promise.all must not stop at it.
            JsValue::from(Promise::new(&mut |resolve, _| entry.file_with_callback_and_callback(&resolve, &resolve)))
        })
        .collect();
    let Ok(files) = JsFuture::from(Promise::all(&asked)).await else { return Vec::new() };
    let files: Array = files.unchecked_into();
    entries
        .into_iter()
        .zip(files.iter())
        .filter_map(|((_, name), file)| file.dyn_into::<File>().ok().map(|file| (name, file)))
        .map(|(name, file)| {
            // A folder's File comes with its size (the browser's snapshot of the entry), unlike a
            // picked one: reading it costs nothing (1,000: under a millisecond), and a sized file
            // goes to its worker as a handle (see `read_batch`), not read on this thread.
            let size = Some(file.size().max(0.0) as u64);
            Picked { name, size, file }
        })
        .collect()
}

/// How a walk in the worker ended.
enum Walked {
    Done,
    /// After handing some files on (why).
    Stopped(String),
    /// Before anything was handed on (why): the page walks the folders itself.
    NotStarted(String),
}

/// Walks the dropped folders in walker.js and hands what it finds to `emit` as it comes, `files`
/// (the drop's own files) first. Ends when the worker says it is done.
async fn walk_in_worker(handles: Vec<Promise>, files: Vec<Picked>, emit: Rc<dyn Fn(Vec<Picked>)>) -> Walked {
    use std::cell::{Cell, RefCell};
    use wasm_bindgen::closure::Closure;
    let roots = match JsFuture::from(Promise::all(&handles.into_iter().collect::<Array>())).await {
        Ok(roots) => roots,
        Err(e) => return Walked::NotStarted(format!("no folder handle ({})", js_message(&e))),
    };
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = match web_sys::Worker::new_with_options("./walker.js", &options) {
        Ok(w) => w,
        Err(e) => return Walked::NotStarted(format!("no walker worker ({})", js_message(&e))),
    };
    // The drop's own files go with the first piece (or alone at the end).
    let first = Rc::new(RefCell::new(Some(files)));
    let emitted = Rc::new(Cell::new(false));
    let mut ended: Option<Promise> = None;
    let mut closures = None;
    let done = Promise::new(&mut |resolve, reject| {
        let (first, emitted, emit) = (first.clone(), emitted.clone(), emit.clone());
        let failed = reject.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let field = |k: &str| js_sys::Reflect::get(&data, &JsValue::from_str(k)).ok().filter(|v| !v.is_undefined());
            if let Some(list) = field("files") {
                let mut batch = first.borrow_mut().take().unwrap_or_default();
                let list: Array = list.unchecked_into();
                batch.extend(list.iter().filter_map(|item| {
                    let path = js_sys::Reflect::get(&item, &JsValue::from_str("path")).ok()?.as_string()?;
                    let file: File = js_sys::Reflect::get(&item, &JsValue::from_str("file")).ok()?.dyn_into().ok()?;
                    // A handle's File comes with its size (the browser's snapshot): reading it
                    // costs nothing, and a sized file goes to its inspection worker as a handle
                    // (see `read_batch`), not read on this thread.
                    let size = Some(file.size().max(0.0) as u64);
                    Some(Picked { name: path, size, file })
                }));
                emitted.set(true);
                emit(batch);
            } else if field("done").is_some() {
                let _ = resolve.call0(&JsValue::NULL);
            } else {
                let why = field("error").and_then(|e| e.as_string()).unwrap_or_else(|| "an unknown message".into());
                let _ = failed.call1(&JsValue::NULL, &JsValue::from_str(&why));
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            let message = js_sys::Reflect::get(&event, &JsValue::from_str("message")).ok().and_then(|m| m.as_string());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message.unwrap_or_else(|| "the walker did not start".into())));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        closures = Some((on_message, on_error));
    });
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &JsValue::from_str("roots"), &roots);
    let room = MAX_FILES.saturating_sub(first.borrow().as_ref().map_or(0, Vec::len));
    let _ = js_sys::Reflect::set(&message, &JsValue::from_str("max"), &JsValue::from_f64(room as f64));
    let posted = worker.post_message(&message);
    if let Err(e) = &posted {
        ended = Some(Promise::reject(e));
    }
    let result = JsFuture::from(ended.unwrap_or(done)).await;
    worker.terminate();
    drop(closures);
    match result {
        Ok(_) => {
            if let Some(files) = first.borrow_mut().take() {
                emit(files);
            }
            Walked::Done
        }
        Err(e) if emitted.get() => Walked::Stopped(js_message(&e)),
        Err(e) => Walked::NotStarted(js_message(&e)),
    }
}

/// A thrown value's message.
fn js_message(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `/drivers/x64/a.sys` -> `drivers/x64/a.sys`.
fn relative_name(entry: &FileSystemEntry) -> String {
    let full = entry.full_path();
    let trimmed = full.trim_start_matches('/');
    if trimmed.is_empty() {
        entry.name()
    } else {
        trimmed.to_string()
    }
}

/// `readEntries` returns a batch at a time (100 in Chromium) until it returns an empty one.
async fn read_all_entries(dir: &FileSystemDirectoryEntry) -> Vec<FileSystemEntry> {
    let reader = dir.create_reader();
    let mut all = Vec::new();
    loop {
        let promise = Promise::new(&mut |resolve, reject| {
            if let Err(e) = reader.read_entries_with_callback_and_callback(&resolve, &reject) {
                let _ = reject.call1(&JsValue::NULL, &e);
            }
        });
        let Ok(batch) = JsFuture::from(promise).await else {
            break;
        };
        let batch: Array = batch.unchecked_into();
        if batch.length() == 0 || all.len() >= MAX_FILES {
            break;
        }
        all.extend(batch.iter().map(|v| v.unchecked_into::<FileSystemEntry>()));
    }
    all
}
