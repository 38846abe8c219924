// The drop zone before the wasm is ready. index.html carries the drop zone as plain HTML; this
// small module (no dependency, loaded before boot.js) queues whatever is dropped or picked there
// until the app starts, which takes the queue with `drvsigEarly.take()` and then replaces the
// markup with its own drop zone. Dropped folders are walked like the app walks them
// (webkitGetAsEntry), keeping the path relative to what was dropped; at most MAX_FILES files.

const MAX_FILES = 5000;
const queue = [];
const pending = new Set();
let taken = false;

function status() {
  const el = document.getElementById("early-status");
  if (!el) return;
  const n = queue.length;
  el.textContent = n === 0
    ? "Loading the inspector\u2026 files you drop now are inspected as soon as it is ready."
    : `Loading the inspector\u2026 ${n} file${n === 1 ? "" : "s"} queued, inspected as soon as it is ready.`;
}

function add(file, path) {
  if (queue.length < MAX_FILES) queue.push({ file, path: path || file.name });
  engage();
}

function entryFile(entry) {
  return new Promise((resolve) => entry.file(resolve, () => resolve(null)));
}

function readAll(reader) {
  return new Promise((resolve) => reader.readEntries(resolve, () => resolve([])));
}

/** Walks a dropped folder (depth-first, each folder's entries by name, like the app). */
async function walk(folder, prefix) {
  if (queue.length >= MAX_FILES || !folder || !folder.isDirectory) return;
  const path = prefix ? `${prefix}/${folder.name}` : folder.name;
  const reader = folder.createReader();
  // readEntries returns the children in batches until an empty one.
  const children = [];
  for (;;) {
    const batch = await readAll(reader);
    if (batch.length === 0 || children.length >= MAX_FILES) break;
    children.push(...batch);
  }
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A folder's files are asked for 32 at once, taken in order (one after another, 1,000 files
  // took 660-690 ms in Chromium; at once 300-400, but in tasks of ~0.5 ms a file).
  for (let at = 0; at < children.length && queue.length < MAX_FILES; at += 32) {
    const part = children.slice(at, at + 32);
    const files = part.map((child) => (child.isFile ? entryFile(child) : null));
    for (let i = 0; i < part.length && queue.length < MAX_FILES; i++) {
      if (!files[i]) {
        await walk(part[i], path);
        continue;
      }
      const file = await files[i];
      if (file) add(file, `${path}/${part[i].name}`);
    }
  }
}

function onDrop(event) {
  event.preventDefault();
  document.getElementById("drop-zone")?.classList.remove("is-dragging");
  const dt = event.dataTransfer;
  if (!dt) return;
  // Entries must be taken while the event lasts; the walk may finish later. Only the file items
  // (a drag out of a web page carries strings too, which dt.files does not count: indexing it by
  // the items' positions took a file twice); dt.files where there are no items (as the app does).
  const items = [...(dt.items || [])].filter((item) => item.kind === "file");
  const folders = [];
  for (const item of items) {
    const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
    if (entry && entry.isDirectory) {
      folders.push(entry);
      continue;
    }
    const file = item.getAsFile ? item.getAsFile() : null;
    if (file) add(file, file.name);
  }
  if (items.length === 0) for (const file of dt.files || []) add(file, file.name);
  // The drop's own files first (above), then each folder in turn, as the app orders a drop.
  const all = folders.reduce((done, entry) => done.then(() => walk(entry, "")), Promise.resolve()).then(status);
  pending.add(all);
  all.finally(() => pending.delete(all));
}

function onDragOver(event) {
  event.preventDefault();
  if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  document.getElementById("drop-zone")?.classList.add("is-dragging");
}

function onPicked(event) {
  const input = event.target;
  for (const file of input.files || []) add(file, file.webkitRelativePath || file.name);
  input.value = "";
  status();
}

function onKey(event) {
  if (event.key !== "Enter" && event.key !== " ") return;
  const target = event.target;
  const input = target.id === "drop-zone" ? "file-input" : target.getAttribute?.("for");
  if (input) {
    event.preventDefault();
    document.getElementById(input)?.click();
  }
}

// The inspection worker (and with it the core's wasm, a module of its own: the page does not need
// it to draw) starts on the first sign of use, never on a plain visit: something dragged over the
// window, a pointer, focus or key on the drop zone (its pick and demo buttons are inside it), a
// `?demo` in the URL, or a file queued here. Once the app is up it says what to do then
// (`whenUsed`: its pool starts its workers); before that, early.js starts the first worker itself,
// so a file dropped during start-up does not wait for one after the app is ready. The app adopts it
// with takeWorkers(), with what its first message said. Without module workers, nothing happens
// here and the app decides (localWorker below).
const workers = [];
function startWorker() {
  let worker;
  try {
    worker = new Worker("./worker.js", { type: "module" });
  } catch (_) {
    return;
  }
  const early = { worker, ready: undefined, error: undefined };
  early.onMessage = (event) => {
    // {ready: {ok, error}} (drvsig_messages::Reply::Ready), once.
    const ready = (event.data || {}).ready;
    if (ready) {
      early.ready = ready.ok;
      early.error = ready.error;
    }
  };
  early.onError = (event) => {
    event.preventDefault();
    early.ready = false;
    // An ErrorEvent says why (a script that did not load, or an exception in the worker).
    early.error = event.message ? `the inspection worker did not start: ${event.message}` : "the inspection worker did not start";
  };
  worker.addEventListener("message", early.onMessage);
  worker.addEventListener("error", early.onError);
  workers.push(early);
}

/// When the page was first used (ms since navigation), or null.
let usedAt = null;
/// The app's callback for the first use (set by whenUsed before it).
let onUse = null;

function engage() {
  if (usedAt !== null) return;
  usedAt = performance.now();
  window.removeEventListener("dragenter", engage, true);
  window.removeEventListener("dragover", engage, true);
  for (const type of ["pointerdown", "focusin", "keydown"]) document.removeEventListener(type, onZoneUse, true);
  if (onUse) onUse();
  else startWorker();
}

function onZoneUse(event) {
  const target = event.target;
  if (target && target.closest && target.closest("#drop-zone")) engage();
}

window.addEventListener("dragenter", engage, true);
window.addEventListener("dragover", engage, true);
for (const type of ["pointerdown", "focusin", "keydown"]) document.addEventListener(type, onZoneUse, true);
if (new URLSearchParams(location.search).has("demo")) engage();

/**
 * The app's side: `callback` runs on the first sign of use (at once when the page was used
 * already: the early worker, if any, waits in takeWorkers()).
 */
function whenUsed(callback) {
  if (usedAt !== null) callback();
  else onUse = callback;
}

/**
 * The app's side, where there is no Worker: inspector.js run on this thread behind the Worker
 * interface the app uses (postMessage, onmessage, onerror, terminate). Requests posted before the
 * module is loaded wait for it; after terminate() nothing more is delivered.
 */
function localWorker() {
  const local = { onmessage: null, onerror: null };
  let handle = null;
  let stopped = false;
  const waiting = [];
  local.postMessage = (data) => {
    if (stopped) return;
    if (handle) handle({ data });
    else waiting.push(data);
  };
  local.terminate = () => { stopped = true; };
  import("./inspector.js").then(
    (m) => {
      handle = m.serve((reply) => {
        if (!stopped && local.onmessage) local.onmessage({ data: reply });
      });
      for (const data of waiting.splice(0)) handle({ data });
    },
    (e) => {
      if (!stopped && local.onerror) local.onerror({ preventDefault() {}, message: String(e) });
    },
  );
  return local;
}

window.addEventListener("dragover", onDragOver);
window.addEventListener("drop", onDrop);
document.addEventListener("change", onPicked);
document.addEventListener("keydown", onKey);

/** The app's side: stops listening, waits for folder walks in progress, returns the queue. */
async function take() {
  if (taken) return [];
  taken = true;
  window.removeEventListener("dragover", onDragOver);
  window.removeEventListener("drop", onDrop);
  document.removeEventListener("change", onPicked);
  document.removeEventListener("keydown", onKey);
  await Promise.all([...pending]);
  return queue.splice(0);
}

/** The app's side: the early workers, once, with their state; early.js stops listening to them. */
function takeWorkers() {
  const list = workers.splice(0);
  for (const early of list) {
    early.worker.removeEventListener("message", early.onMessage);
    early.worker.removeEventListener("error", early.onError);
  }
  return list.map(({ worker, ready, error }) => ({ worker, ready, error }));
}

/**
 * The app's side: a bundled demo (www/demo) as a File, or null for an unknown id. The demos are
 * not in the page's wasm: drvsig_demo.js (written by `cargo xtask dist`) carries them, imported
 * the first time one is asked for.
 */
async function demo(id) {
  const m = await import("./drvsig_demo.js");
  const d = Object.hasOwn(m.DEMOS, id) ? m.DEMOS[id] : null;
  if (!d) return null;
  const binary = atob(d.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new File([bytes], d.name, { type: "application/octet-stream" });
}

/**
 * Share links: raw deflate (RFC 1951) with the browser's CompressionStream, and its inverse with
 * DecompressionStream stopped past `limit` bytes (a link's report is small; never inflate without
 * a bound). The page's wasm has no deflate code of its own. Resolve to a Uint8Array; inflate
 * rejects on damaged data or past the limit.
 */
async function deflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
async function inflate(bytes, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  const parts = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      reader.cancel();
      throw new Error(`more than ${limit} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

/**
 * A small file's bytes, read on this thread without asking the browser its size: an ArrayBuffer
 * (to transfer to a worker), the file's size when it has more than `cap` bytes (the read stops
 * there), or why it could not be read (a string). Measured in headless Chromium over 1,000 picked files of 4.6 KB: reading each `File.size`
 * held this thread 129-194 ms, posting the File objects to a worker 378-386 ms (a synchronous call
 * into the browser per file), reading them through their streams 6 ms (all bytes in by 251 ms).
 */
async function readSmall(file, cap) {
  const parts = [];
  let length = 0;
  try {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > cap) {
        reader.cancel().catch(() => {});
        return file.size;
      }
      parts.push(value);
    }
  } catch (e) {
    return String(e && e.message ? e.message : e);
  }
  const [first] = parts;
  if (parts.length === 1 && first.byteOffset === 0 && first.byteLength === first.buffer.byteLength) return first.buffer;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out.buffer;
}

/** How many files wait for the app (the e2e tests read it). */
function queued() {
  return queue.length;
}

// `listeningAt`: when the drop zone became usable, in ms since navigation (the benchmark reads it).
// `usedAt()`: when the page was first used (null: not yet; nothing of the core was loaded).
window.drvsigEarly = {
  take, takeWorkers, localWorker, demo, queued, whenUsed, deflate, inflate, readSmall, usedAt: () => usedAt, listeningAt: performance.now(),
};
