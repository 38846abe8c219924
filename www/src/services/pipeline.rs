//! The one queue every file goes through: read its bytes, let the browser paint, run the core.
//! One file at a time, yielding to the browser between steps, so a big file shows "reading" /
//! "inspecting" instead of a frozen tab (a Web Worker comes later).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

use super::browser;
use super::files::{Picked, Source};
use crate::state::{Action, FileId, NewFile};

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
}

/// Adds files to the page and to the queue.
pub fn enqueue(files: Vec<Picked>, dispatch: Callback<Action>) {
    if files.is_empty() {
        return;
    }
    let mut added = Vec::with_capacity(files.len());
    let mut jobs = Vec::with_capacity(files.len());
    for picked in files {
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
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
    if !RUNNING.with(|r| r.replace(true)) {
        wasm_bindgen_futures::spawn_local(run());
    }
}

/// Forgets a file: a queued one is never read, a running one's result is dropped.
pub fn cancel(id: FileId) {
    LIVE.with(|live| live.borrow_mut().remove(&id));
    QUEUE.with(|q| q.borrow_mut().retain(|j| j.id != id));
}

/// Forgets every file.
pub fn cancel_all() {
    LIVE.with(|live| live.borrow_mut().clear());
    QUEUE.with(|q| q.borrow_mut().clear());
}

fn live(id: FileId) -> bool {
    LIVE.with(|l| l.borrow().contains(&id))
}

async fn run() {
    loop {
        let Some(job) = QUEUE.with(|q| q.borrow_mut().pop_front()) else {
            break;
        };
        process(job).await;
    }
    RUNNING.with(|r| r.set(false));
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
    dispatch.emit(Action::Reading(id));
    next_frame().await;
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
    if !live(id) {
        return;
    }
    dispatch.emit(Action::Inspecting(id));
    next_frame().await;
    if !live(id) {
        return;
    }
    let report = drvsig::inspect(&picked.name, &bytes, &drvsig::Options::at(browser::now()));
    drop(bytes);
    LIVE.with(|l| l.borrow_mut().remove(&id));
    dispatch.emit(Action::Done(id, Rc::new(report)));
    // Let the card render before the next file starts.
    next_frame().await;
}

/// Runs the core's hashing on a few small buffers while the page is idle, so the browser compiles
/// it with its optimising tier before a real file arrives. Without this the first big file is
/// hashed by the baseline compiler in one long call (measured: 200 MB in 17 s instead of 1.6 s).
pub fn warm_up() {
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
