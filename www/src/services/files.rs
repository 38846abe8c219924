//! From picker lists and drop events to named files. Dropped folders are walked recursively with
//! `webkitGetAsEntry`, keeping the path relative to what was dropped as the file's name.

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileList, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use super::pipeline::may_be_block_list_name;

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
    // The files that may be block lists first, so their lists are read before the pick's drivers
    // are judged, whichever batch they would have come in.
    let (lists, drivers): (Vec<_>, Vec<_>) = files.into_iter().partition(|(_, name)| may_be_block_list_name(name));
    let mut files = lists.into_iter().chain(drivers).peekable();
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
}

impl Dropped {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.directories.is_empty()
    }
}

/// Takes what a drop event carries (call inside the event handler).
pub fn take_drop(transfer: Option<DataTransfer>) -> Dropped {
    let mut dropped = Dropped { files: Vec::new(), directories: Vec::new() };
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
            Some(entry) if entry.is_directory() => dropped.directories.push(entry.unchecked_into()),
            _ => {
                if let Ok(Some(file)) = item.get_as_file() {
                    dropped.files.push(file);
                }
            }
        }
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
/// (2 cores): 660-690 ms one after another, 300-400 ms in windows of 16, 100 or all at once. The
/// answers tend to be handled in one task, each `File` a synchronous call of ~0.5 ms on this
/// thread: 100 at once made tasks of 50-60 ms.
const FILES_AT_ONCE: usize = 32;

/// A walk hands its files on once it holds at least this many (then each time again), so a big
/// folder's first files are inspected while the rest is asked for; a smaller drop comes in one
/// piece.
pub const WALK_BATCH: usize = 100;

/// Resolves a drop into files: the drop's own files, then each folder walked depth-first in the
/// order of its entries' names (errors inside a folder skip that part), each file named by its
/// path from what was dropped; but the files that may be block lists (by name) first, so the page
/// reads a drop's block lists before it judges the drop's drivers. Hands them to `emit` in that
/// order: at once for a drop of files, in pieces of at least [`WALK_BATCH`] for a big folder
/// (always at least one call, empty when nothing was found). Stops when `emit` says no more
/// (the page was cleared).
pub async fn collect_drop(dropped: Dropped, emit: yew::Callback<Vec<Picked>, bool>) {
    let own: Vec<Picked> = dropped
        .files
        .into_iter()
        .take(MAX_FILES)
        .map(|file| {
            let name = file.name();
            picked(file, name)
        })
        .collect();
    // The folders' file entries first (listing them costs a round trip per folder and per 100
    // entries, not per file).
    let entries = file_entries(dropped.directories, MAX_FILES - own.len()).await;
    let (lists, drivers): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(_, name)| may_be_block_list_name(name));
    let (own_lists, own_rest): (Vec<_>, Vec<_>) = own.into_iter().partition(|p| may_be_block_list_name(&p.name));
    let mut out = own_lists;
    out.extend(files_of(&lists).await);
    out.extend(own_rest);
    let mut emitted = false;
    for part in drivers.chunks(FILES_AT_ONCE) {
        out.extend(files_of(part).await);
        if out.len() >= WALK_BATCH {
            emitted = true;
            if !emit.emit(std::mem::take(&mut out)) {
                return;
            }
        }
    }
    if !out.is_empty() || !emitted {
        emit.emit(out);
    }
}

/// The file entries under these folders, depth-first, each folder's entries by name, with their
/// names (the path from the dropped folder); at most `max`.
async fn file_entries(directories: Vec<FileSystemDirectoryEntry>, max: usize) -> Vec<(FileSystemFileEntry, String)> {
    let mut found = Vec::new();
    let mut stack: Vec<FileSystemEntry> = directories.into_iter().map(|d| d.unchecked_into()).collect();
    stack.reverse();
    while let Some(entry) = stack.pop() {
        if found.len() >= max {
            break;
        }
        if entry.is_directory() {
            let dir: FileSystemDirectoryEntry = entry.unchecked_into();
            let mut children = read_all_entries(&dir).await;
            // By UTF-16 code units, as early.js's `<` compares names (byte order differs for
            // names with characters past U+FFFF).
            children.sort_by(|a, b| a.name().encode_utf16().cmp(b.name().encode_utf16()));
            children.reverse();
            stack.extend(children);
        } else if entry.is_file() {
            let name = relative_name(&entry);
            found.push((entry.unchecked_into(), name));
        }
    }
    found
}

/// The `File`s of these entries, asked for all at once, in their order (one the browser refuses is
/// left out).
async fn files_of(entries: &[(FileSystemFileEntry, String)]) -> Vec<Picked> {
    if entries.is_empty() {
        return Vec::new();
    }
    let asked: Array = entries
        .iter()
        .map(|(entry, _)| JsValue::from(Promise::new(&mut |resolve, reject| entry.file_with_callback_and_callback(&resolve, &reject))))
        .collect();
    // Settled one by one: a file the browser refuses (or a call that throws) leaves out that file.
    let Ok(settled) = JsFuture::from(Promise::all_settled(&asked)).await else { return Vec::new() };
    let settled: Array = settled.unchecked_into();
    let value = JsValue::from_str("value");
    entries
        .iter()
        .zip(settled.iter())
        .filter_map(|((_, name), outcome)| {
            let file = js_sys::Reflect::get(&outcome, &value).ok()?.dyn_into::<File>().ok()?;
            // A folder's File comes with its size (the browser's snapshot of the entry), unlike a
            // picked one: reading it costs nothing (1,000: under a millisecond), and a sized file
            // goes to its worker as a handle (see `read_batch`), not read on this thread. (The
            // drop's own files are not sized: a batch with one of them is read on this thread.)
            let size = Some(file.size().max(0.0) as u64);
            Some(Picked { name: name.clone(), size, file })
        })
        .collect()
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
