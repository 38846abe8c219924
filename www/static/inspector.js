// The drvsig inspector: the core's wasm (crates/worker, drvsig_worker.js + drvsig_worker_bytes.js,
// a module apart from the page's) and the shim around it. worker.js runs it in a module Web
// Worker, so a big driver never freezes the tab: the page starts a small pool of those and gives
// each one file at a time. Where there is no Worker, the page loads this module itself
// (early.js `localWorker`) and it runs on the main thread, with the same messages. The wasm comes
// from the inlined bytes (the CSP says connect-src 'none': nothing is fetched); nothing touches the
// network.
//
// Messages are drvsig_messages::Request / Reply (crates/messages), serde enums sent with
// serde-wasm-bindgen: an object with one key naming the variant. This shim routes requests by that
// key and moves bytes (reads the File into the wasm memory, has WebCrypto hash it); the wasm
// decodes the requests and builds the replies, but for the four that carry nothing from the core,
// built here: {ready: {ok, error}}, {progress: {id, loaded, total}}, {inspecting: {id}},
// {error: {id, error}}.
//
// Digests come from WebCrypto (crypto.subtle.digest), not from the wasm, where it serves: measured
// in headless Chromium on this project's 2-core box, in a worker, over the same 64 MiB
// (crates/e2e worker::webcrypto_and_wasm_sha256_speeds): SHA-256 WebCrypto ~700-830 MB/s vs the
// core's sha2 in wasm ~345 MB/s; SHA-1 WebCrypto ~850-920 MB/s vs wasm ~420-575 MB/s (68 MB/s
// while the wasm still runs in the baseline tier). The whole file's SHA-256 and the Authenticode
// image hashes the embedded signatures name (drvsig::pe::hash_plan: exactly what the core would
// compute; nothing for an unsigned file) are WebCrypto's; the core gets them through
// `KnownDigests` and hashes nothing twice (page hashes, catalogs and the PE CheckSum stay with the
// core). The signers' and timestamps' RSA PKCS#1 v1.5 signatures the plan lists are verified by
// WebCrypto too (crypto.subtle.verify; the core takes those that held as `known_signatures` and
// verifies anything else itself). Without crypto.subtle (a non-secure context) the core hashes and
// verifies everything.
//
// A big file (over SMALL_BYTES) is answered twice: its verdict ({verdict}, drvsig_messages::Reply::
// Verdict) once the Authenticode digests its signatures name are computed and the core has run
// without the block lists, then its report once the whole file's SHA-256 and the digests only the
// block lists' hash rules need (the Authenticode SHA-1 of a SHA-256-signed file) are computed and
// the core has run again with everything (the report is the one a single pass makes). The second
// core pass costs a millisecond or two (64 MiB: the CheckSum's pass came with the read); the
// verdict no longer waits for a second full hash of the file.
//
// Where a big file's time goes (64 MiB, drop to verdict, this box quiet, `cargo xtask bench --only
// big`, stop 16): reading it into the wasm memory 85-118 ms (a BYOB reader through one reused
// buffer; each piece copied in and added to the CheckSum's word sum; the same File's arrayBuffer()
// in the page: 75-85 ms), the image's SHA-256 ~75-80 ms, the core ~1.5 ms (its CheckSum pass came
// with the read), the page's side (request, decoding the verdict, drawing the card) ~15-25 ms.
// Before: slices of 8 MiB read with arrayBuffer() (each a fresh ArrayBuffer) into a WorkerFile
// zeroed up front (34-45 ms of page faults before the first byte), the CheckSum after the read
// (16-24 ms): 125-135 ms of read and 248-251 ms drop to verdict against 203-209 now. Stop 18:
// each piece pushed in one call (WorkerFile::push) instead of Vec::resize (zeros) and a copy from
// here: the read 115-137 -> 99-119 ms; most of what is left is the first touch of fresh wasm memory.
// Tried and measured, not kept:
// - hashing the whole file in wasm (sha2) chunk by chunk while file.stream() delivers it: the read
//   took as much longer as the hashing (~185 -> ~390 ms): the chunks are copied out of the browser
//   on this thread, so nothing overlaps here, and wasm hashes at half WebCrypto's speed;
// - one arrayBuffer() for the whole file: as fast as 8 MiB slices with 3 in flight within the
//   noise (110-120 vs 114-142 ms), but no progress;
// - slices of 2-16 MiB with 1-4 in flight (stop 16, before the BYOB reader): all within the noise;
// - a nested helper worker (no wasm) reading the File itself and computing the image's SHA-256 over
//   ranges the core predicted from the first slice while this one reads (stop 16): the two reads
//   compete for the browser's file reading (this one's read 125 -> 157-189 ms) and the helper's
//   digest came 80-105 ms after it: 248 -> 303 ms;
// - a nested helper worker reading the File itself and hashing the whole file with WebCrypto
//   while this one reads and hashes the image: ~305 ms instead of ~335 when both cores were free,
//   but ~500 ms when anything else ran (the two reads and hashes then compete for 2 cores), and
//   slower for unsigned files (one hash: nothing to share).
// digest() hashes on the calling thread (two digests take twice one), so they run one after the
// other.
//
// The page keeps the File handle, not the bytes: nothing is copied back (the package pass and the
// ASN.1 view read the File again, only what they need).
//
import init, {
  WorkerFile, block_list, package_pass, report_reply, set_blocklist_index, verdict_reply, warm_up_files,
  zip_member,
} from "./drvsig_worker.js";
import { wasmResponse } from "./drvsig_worker_bytes.js";

const subtle = self.crypto && self.crypto.subtle ? self.crypto.subtle : null;
/// A big file's progress is posted every this many bytes (and it is read in slices of this size
/// where Blob.stream() has no BYOB reader).
const SLICE_BYTES = 8 << 20;
/// The reused buffer a big file streams through.
const BYOB_BYTES = 4 << 20;
const READS_IN_FLIGHT = 3;
/// Files up to this size are read in one go, without progress.
const SMALL_BYTES = 1 << 20;
/// On the page's main thread (no Worker): no warm-up (it would hold the thread).
const MAIN_THREAD = typeof window !== "undefined";

/// The block list index (drvsig_blocklists.js, about 270 KB gzip): never on a first visit (the
/// workers start on the first sign of use); a worker imports it beside its wasm and inflates it
/// as soon as it is here (~12-18 ms, while the wasm still compiles), then the core reads its
/// summary and hash pool (13-59 ms in a fresh browser, where every function runs for the first
/// time; the lists themselves only for a file that may match them) once the wasm is ready, before
/// the warm-up (which uses it), so a driver dropped later
/// does not wait for it (it did: 53-64 ms of a typical package's ~100 ms in the worker), and one
/// dropped at start-up waits for the core's reading only. A module import, not a fetch: the CSP
/// keeps connect-src 'none'. On the page's main thread (no Worker) it stays lazy: imported the
/// first time a PE or a zip is inspected. Once per instance.
let blocklistsIndex = null;
function importBlocklists() {
  if (!blocklistsIndex) blocklistsIndex = import("./drvsig_blocklists.js").then((m) => m.blocklistIndex());
  return blocklistsIndex;
}
let blocklists = null;
let blocklistsLoaded = false; // reported in the timings (the e2e tests check it)
function loadBlocklists() {
  if (!blocklists) {
    blocklists = Promise.all([importBlocklists(), ready])
      .then(([index]) => {
        const error = set_blocklist_index(index);
        if (error) console.warn("drvsig: block lists: " + error);
        else blocklistsLoaded = true;
        // The core keeps what it read: the inflated JSON (~1.1 MB) need not stay.
        blocklistsIndex = Promise.resolve(null);
      })
      .catch((e) => console.warn("drvsig: block lists not loaded: " + e));
  }
  return blocklists;
}

let wasm = null;
/// When this instance's modules were imported and its wasm was ready (ms since the worker started;
/// in the timings of its replies).
const startup = { imported: performance.now(), ready: null };
const ready = (async () => {
  // In a worker, the block lists' index is imported beside the wasm (see loadBlocklists).
  if (!MAIN_THREAD) importBlocklists().catch(() => { /* said by loadBlocklists */ });
  // Compiled while it inflates (instantiateStreaming on the inflating Response).
  wasm = await init({ module_or_path: wasmResponse() });
  startup.ready = performance.now();
})();

/// Requests this instance has been sent: the warm-up gives way to the first.
let requestsSeen = 0;

/// The warm-up, in a worker once its wasm is ready (it says so at once: a file dropped while the
/// page starts goes in first) and its block lists are in: the good demo package through a drop's
/// own path (batch: read, plan, WebCrypto digests, inspect with the block lists, package pass) a
/// few times. V8 first runs wasm code from its baseline compiler and optimises a function once it
/// has run enough: measured in node on this box, a typical package's first batch took 30 ms in a
/// fresh instance (its package pass 13 ms), the second 15, then 10 (2). Each round is a task of its
/// own, and the warm-up stops at the first real request (from then on a drop warms the code
/// itself): a drop never waits for more than the step under way. The first step is the driver
/// alone, a drop's most common request: in a fresh browser the first pass over the code is the
/// slow one (the engine compiles each function the first time it runs), and a file dropped while
/// the page started, asked for once the page is ready, waited behind a whole package's first
/// round (133-244 ms measured between the page asking and the worker seeing the request). Not on
/// the main thread (it would hold the page).
const WARM_ROUNDS = 6;
async function warmUp() {
  await loadBlocklists();
  const files = warm_up_files();
  const context = { time: 1767225600, trust: [] };
  const driver = files.filter(([name]) => name.endsWith(".sys"));
  // Step 0: the driver alone; then WARM_ROUNDS rounds of the whole package.
  for (let step = 0; step <= WARM_ROUNDS && requestsSeen === 0; step++) {
    const members = step === 0 ? driver : files;
    const request = { id: 0, context, package: step > 0,
                      files: members.map(([name, bytes]) => ({ id: 0, name, source: bytes.slice().buffer })) };
    await batch(() => {}, request);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
if (!MAIN_THREAD) {
  ready.then(warmUp).catch(() => { /* only a warm-up */ });
}

const message = (e) => String(e && e.message ? e.message : e);

/// The bytes of a WorkerFile, as a view of the wasm memory (made again after every call into the
/// wasm: a call may grow the memory, which detaches older views).
const viewOf = (file) => new Uint8Array(wasm.memory.buffer, file.ptr(), file.len());

/// A File or an ArrayBuffer, as bytes.
async function bytesOf(source) {
  return new Uint8Array(source instanceof Blob ? await source.arrayBuffer() : source);
}

/// Reads a File into the wasm memory (one WorkerFile of its size), posting progress every
/// SLICE_BYTES. A big file streams through one reused buffer (a BYOB reader of Blob.stream(), up
/// to BYOB_BYTES at a time: the next read is asked for once a piece is in, and the browser buffers
/// ahead meanwhile), and each piece is copied into the WorkerFile and added to the CheckSum's word
/// sum (the core's one pass over every byte). Where the stream has no BYOB reader, slices of
/// SLICE_BYTES with Blob.slice().arrayBuffer(), READS_IN_FLIGHT of them asked for ahead. Measured on the 64 MiB bench driver in headless
/// Chromium (`cargo xtask bench --only big`): the read 125-135 ms with slices, 85-118 with the
/// reused buffer (every slice is a fresh ArrayBuffer whose pages the browser touches first).
async function readFile(post, id, name, blob) {
  const total = blob.size;
  if (total <= SMALL_BYTES) {
    // One read, no slices (a read's set-up costs more than a small file takes to read).
    return new WorkerFile(name, new Uint8Array(await blob.arrayBuffer()));
  }
  post({ progress: { id, loaded: 0, total } });
  const file = WorkerFile.with_capacity(name, total);
  let loaded = 0;
  let posted = 0;
  const put = (bytes) => {
    if (loaded + bytes.length > total) throw new Error("the file changed while it was read");
    file.push(bytes);
    loaded += bytes.length;
    if (loaded - posted >= SLICE_BYTES || loaded === total) {
      post({ progress: { id, loaded, total } });
      posted = loaded;
    }
  };
  const reader = byobReader(blob);
  try {
    if (reader) {
      let buffer = new ArrayBuffer(Math.min(BYOB_BYTES, total));
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(buffer));
        if (done || !value) break;
        put(value);
        buffer = value.buffer;
      }
    } else {
      const slice = (at) => blob.slice(at, Math.min(at + SLICE_BYTES, total)).arrayBuffer();
      const inFlight = [];
      let asked = 0;
      const ask = () => {
        while (inFlight.length < READS_IN_FLIGHT && asked < total) {
          inFlight.push(slice(asked));
          asked = Math.min(asked + SLICE_BYTES, total);
        }
      };
      ask();
      while (inFlight.length) {
        const bytes = new Uint8Array(await inFlight.shift());
        ask();
        if (bytes.length === 0) break;
        put(bytes);
      }
    }
    return file;
  } catch (e) {
    // The browser stops reading (the page may have dropped the file or it changed on disk).
    if (reader) reader.cancel().catch(() => {});
    file.free();
    throw e;
  }
}

/// A BYOB reader of the Blob's stream, or null where its stream is not a byte stream.
function byobReader(blob) {
  try {
    return blob.stream().getReader({ mode: "byob" });
  } catch (_) {
    return null;
  }
}

/// Starts WebCrypto digests of the Authenticode image of `bytes` with each of `algorithms`. The
/// image is the ranges concatenated plus zero padding; when everything but the last range is
/// small (the usual case: the headers around CheckSum and the security entry) and there is no
/// padding, the head ranges are moved for a moment right in front of the last one, so the image
/// is one contiguous view and nothing big is copied (WebCrypto copies its input synchronously,
/// before digest() returns; the bytes are put back at once).
function imageDigests(bytes, flat, algorithms) {
  const padding = flat[flat.length - 1];
  const ranges = [];
  for (let i = 0; i + 1 < flat.length - 1; i += 2) ranges.push([flat[i], flat[i + 1]]);
  if (!ranges.length) return algorithms.map((a) => subtle.digest(a, new Uint8Array(padding)));
  const [lastStart, lastEnd] = ranges[ranges.length - 1];
  const head = ranges.slice(0, -1);
  const headLength = head.reduce((n, [s, e]) => n + (e - s), 0);
  if (padding === 0 && headLength <= 1 << 20 && headLength <= lastStart) {
    const prefix = new Uint8Array(headLength);
    let at = 0;
    for (const [s, e] of head) { prefix.set(bytes.subarray(s, e), at); at += e - s; }
    const start = lastStart - headLength;
    const saved = bytes.slice(start, lastStart);
    bytes.set(prefix, start);
    try {
      const image = bytes.subarray(start, lastEnd);
      return algorithms.map((a) => subtle.digest(a, image));
    } finally {
      bytes.set(saved, start);
    }
  }
  const length = ranges.reduce((n, [s, e]) => n + (e - s), padding);
  const image = new Uint8Array(length); // the zero padding stays zero
  let at = 0;
  for (const [s, e] of ranges) { image.set(bytes.subarray(s, e), at); at += e - s; }
  return algorithms.map((a) => subtle.digest(a, image));
}

/// WebCrypto digests of the whole file (`whole`: SHA-256, or not) and of the Authenticode image
/// with `algorithms`: `{whole, algorithms, digests}`; `null` when WebCrypto refused (the core
/// hashes then).
async function digestsOf(file, whole, algorithms) {
  try {
    const flat = algorithms.length ? file.authenticode_ranges() : null;
    const bytes = viewOf(file);
    const pending = whole ? [subtle.digest("SHA-256", bytes)] : [];
    if (flat) pending.push(...imageDigests(bytes, flat, algorithms));
    const done = (await Promise.all(pending)).map((d) => new Uint8Array(d));
    return {
      whole: whole ? done[0] : undefined,
      algorithms: flat ? algorithms : [],
      digests: flat ? done.slice(whole ? 1 : 0) : [],
    };
  } catch (_) {
    return null;
  }
}

/// WebCrypto's RSASSA-PKCS1-v1_5 keys by request id (key and hash): a drop signed through one
/// publisher imports each key once. At most KEYS_KEPT (then it starts again).
const keys = new Map();
const KEYS_KEPT = 256;
function keyFor(request) {
  let key = keys.get(request.id);
  if (!key) {
    if (keys.size >= KEYS_KEPT) keys.clear();
    key = subtle.importKey("spki", request.spki, { name: "RSASSA-PKCS1-v1_5", hash: request.hash }, false, ["verify"]);
    keys.set(request.id, key);
  }
  return key;
}

/// The signer signatures of the file's last plan (WorkerFile.signature_requests: RSA PKCS#1 v1.5
/// with a SHA-2 or SHA-1 hash, those WebCrypto decides exactly as the core) verified by WebCrypto:
/// `{asked, verified}`, `verified` the indices of those that hold, for WorkerFile.inspect. What
/// WebCrypto refuses or cannot do is left to the core, which then says why. Measured in node on
/// this box: the core's RSA in wasm was ~0.7 ms of a small signed driver's ~2.1 ms (its signer's
/// and its timestamp's signatures; the certificate links are checked once per worker).
async function verifySignatures(file) {
  if (!subtle) return { asked: 0, verified: [] };
  const requests = file.signature_requests();
  const held = await Promise.all(requests.map(async (r, i) => {
    try {
      return (await subtle.verify("RSASSA-PKCS1-v1_5", await keyFor(r), r.signature, r.message)) ? i : -1;
    } catch (_) {
      return -1;
    }
  }));
  return { asked: requests.length, verified: held.filter((i) => i >= 0) };
}

async function inspect(post, request) {
  const { id, name, context, source } = request;
  const t0 = performance.now();
  let file = null;
  try {
    await ready;
    file = source instanceof Blob ? await readFile(post, id, name, source) : new WorkerFile(name, new Uint8Array(source));
    const lists = file.may_hold_pe() || context.lists;
    const t1 = performance.now();
    post({ inspecting: { id } });
    // A big file's verdict first, from the Authenticode digests its signatures name (none for an
    // unsigned file); then the whole file's SHA-256 and the digests only the block lists' hash rules
    // need, and the complete report (the same as one pass would make).
    const early = subtle && file.len() > SMALL_BYTES;
    let verdict = null;
    let known = { whole: undefined, algorithms: [], digests: [] };
    let signatures = null;
    if (early) {
      const t = performance.now();
      const named = file.plan_verdict(context);
      const digesting = digestsOf(file, false, named);
      const verifying = verifySignatures(file);
      // WebCrypto hashes on its own thread: on the main thread (where the index is lazy) this one
      // imports the block lists meanwhile.
      if (lists) loadBlocklists();
      const first = await digesting;
      signatures = await verifying;
      if (first) {
        known = first;
        const t2 = performance.now();
        const json = file.inspect_verdict(context, known.algorithms, known.digests, signatures.verified);
        const t3 = performance.now();
        verdict = { ms: t3 - t0, hash: t2 - t, core: t3 - t2 };
        post(verdict_reply(id, json, { read: t1 - t0, verdict }, MAIN_THREAD));
      }
    }
    // The block lists (the verdict above did without them); then the image digests the
    // signatures and the block lists need (none for an unsigned file).
    const tLists = performance.now();
    if (lists) await loadBlocklists();
    const tPlan = performance.now();
    const planned = file.plan(context);
    const t2 = performance.now();
    // The plan made again (with the block lists) asks for the same signatures: verified once.
    if (!signatures) signatures = await verifySignatures(file);
    let whole;
    let algorithms = known.algorithms;
    let digests = known.digests;
    if (subtle) {
      const rest = planned.filter((a) => !known.algorithms.includes(a));
      const second = await digestsOf(file, true, rest);
      if (second) {
        whole = second.whole;
        algorithms = known.algorithms.concat(second.algorithms);
        digests = known.digests.concat(second.digests);
      }
    }
    const t3 = performance.now();
    const json = file.inspect(context, whole, algorithms, digests, signatures.verified);
    const t4 = performance.now();
    // wasmMemory: this instance's wasm linear memory now (it never shrinks: its peak so far).
    const timings = { read: t1 - t0, lists: tPlan - tLists, plan: t2 - tPlan, hash: t3 - t2, core: t4 - t3, webcrypto: !!subtle,
                      algorithms: [...algorithms].sort(), verdict, wasmMemory: wasm.memory.buffer.byteLength,
                      signatures: { asked: signatures.asked, verified: signatures.verified.length, used: file.signatures_used() },
                      blocklists: blocklistsLoaded };
    post(report_reply(id, json, timings, MAIN_THREAD));
  } catch (e) {
    post({ error: { id, error: message(e) } });
  } finally {
    if (file) file.free();
  }
}

/// A small file already in the wasm memory: its plan, and WebCrypto's work on it started (the
/// whole file's SHA-256, the Authenticode digests, the signer signatures): a promise of what
/// `inspectPlanned` needs. digestsOf hands WebCrypto its bytes before it returns (a later call
/// into the wasm may move them).
function startWebCrypto(file, context) {
  const planned = file.plan(context);
  const signatures = verifySignatures(file);
  return Promise.all([subtle ? digestsOf(file, true, planned) : null, signatures]);
}

/// The report's JSON of a file whose WebCrypto work (`startWebCrypto`) is done. `counts` adds up
/// the signatures asked of WebCrypto, verified by it, and taken by the core.
function inspectPlanned(file, context, [d, signatures], counts) {
  counts.asked += signatures.asked;
  counts.verified += signatures.verified.length;
  const json = d ? file.inspect(context, d.whole, d.algorithms, d.digests, signatures.verified)
                 : file.inspect(context, undefined, [], [], signatures.verified);
  counts.used += file.signatures_used();
  return json;
}

/// Several small files in one request (read here, together), one reply with every report, and the
/// package pass over them when asked (the files are every file on the page). Every file is planned
/// and its WebCrypto work started before the first is inspected, so WebCrypto's answers for the
/// next files come while the core inspects one (they used to be asked for and awaited one file
/// after another).
async function batch(post, request) {
  const { id, context, files } = request;
  const started = [];
  try {
    await ready;
    const t0 = performance.now();
    // A file that cannot be read is that file's error, not the batch's (a worker holds two
    // batches: an error for the whole request retires the worker with the other one).
    const read = await Promise.allSettled(files.map((f) => bytesOf(f.source)));
    const buffers = read.map((r) => (r.status === "fulfilled" ? r.value : null));
    const t1 = performance.now();
    const reports = [];
    const signatures = { asked: 0, verified: 0, used: 0 };
    let lists = 0;
    let core = 0;
    for (let i = 0; i < files.length; i++) {
      const held = { file: null, work: null, error: null };
      started.push(held);
      try {
        if (!buffers[i]) throw new Error("the file could not be read: " + message(read[i].reason));
        held.file = new WorkerFile(files[i].name, buffers[i]);
        if (held.file.may_hold_pe() || context.lists) {
          const t = performance.now();
          await loadBlocklists();
          lists += performance.now() - t;
        }
        held.work = startWebCrypto(held.file, context);
      } catch (e) {
        held.error = message(e);
      }
    }
    for (let i = 0; i < files.length; i++) {
      const { file, work, error } = started[i];
      try {
        if (error) throw new Error(error);
        const answers = await work;
        const t = performance.now();
        const json = inspectPlanned(file, context, answers, signatures);
        reports.push({ id: files[i].id, json, brief: file.take_brief() });
        core += performance.now() - t;
      } catch (e) {
        reports.push({ id: files[i].id, error: message(e) });
      } finally {
        if (file) file.free();
        started[i].file = null;
      }
    }
    const t2 = performance.now();
    let packages = null;
    if (request.package) {
      await loadBlocklists();
      const readable = files.map((f, i) => [f, buffers[i]]).filter(([, b]) => b);
      const pass = { id, context, files: readable.map(([f]) => ({ name: f.name, source: null })),
                     reports: reports.filter((r) => r.json).map((r) => r.json) };
      packages = package_pass(pass, readable.map(([, b]) => b)).packages.json;
    }
    const t3 = performance.now();
    const timings = { files: files.length, read: t1 - t0, lists, inspect: t2 - t1 - lists, core, package: t3 - t2, webcrypto: !!subtle, signatures, startup,
                      asked: t0,
                      wasmMemory: wasm.memory.buffer.byteLength, blocklists: blocklistsLoaded };
    post({ batch: { id, reports, packages, timings, main_thread: MAIN_THREAD } });
  } catch (e) {
    post({ error: { id, error: message(e) } });
  } finally {
    for (const held of started) if (held.file) held.file.free();
  }
}

async function packages(post, request) {
  try {
    await ready;
    await loadBlocklists();
    // The page's File handles are read here (the page keeps no copy of their bytes).
    const buffers = await Promise.all(request.files.map((f) => bytesOf(f.source)));
    post(package_pass(request, buffers));
  } catch (e) {
    post({ error: { id: request.id, error: message(e) } });
  }
}

async function blockList(post, request) {
  try {
    await ready;
    post(block_list(request));
  } catch (e) {
    post({ error: { id: request.id, error: message(e) } });
  }
}

async function zipMember(post, request) {
  try {
    await ready;
    post(zip_member(request, await bytesOf(request.zip)));
  } catch (e) {
    post({ error: { id: request.id, error: message(e) } });
  }
}

/// SHA-256 of the same bytes with WebCrypto (one digest, and two at once) and with the core's sha2
/// in wasm; milliseconds each.
async function bench(post, { id, mib }) {
  await ready;
  const bytes = new Uint8Array(mib << 20);
  for (let i = 0; i < bytes.length; i += 4) bytes[i] = (i * 2654435761) >>> 24;
  const out = { mib };
  let t = performance.now();
  await subtle.digest("SHA-256", bytes);
  out.subtle = performance.now() - t;
  t = performance.now();
  await Promise.all([subtle.digest("SHA-256", bytes), subtle.digest("SHA-256", bytes.subarray(8))]);
  out.subtleTwo = performance.now() - t;
  t = performance.now();
  const file = new WorkerFile("bench.bin", bytes);
  out.copyIn = performance.now() - t;
  t = performance.now();
  file.sha256_wasm();
  out.wasm = performance.now() - t;
  t = performance.now();
  file.sha1_wasm();
  out.wasmSha1 = performance.now() - t;
  t = performance.now();
  await subtle.digest("SHA-1", bytes);
  out.subtleSha1 = performance.now() - t;
  file.free();
  post({ bench: { id, json: JSON.stringify(out) } });
}

/// Serves requests, posting replies with `post`: returns the `onmessage` handler. `{ready}` is
/// posted once the wasm is loaded (or failed to).
export function serve(post) {
  ready.then(
    () => post({ ready: { ok: true } }),
    (e) => post({ ready: { ok: false, error: message(e) } }),
  );
  return (event) => {
    const data = event.data || {};
    requestsSeen++;
    if (data.inspect) inspect(post, data.inspect);
    else if (data.batch) batch(post, data.batch);
    else if (data.packages) packages(post, data.packages);
    else if (data.blockList) blockList(post, data.blockList);
    else if (data.zipMember) zipMember(post, data.zipMember);
    else if (data.bench) bench(post, data.bench);
  };
}
