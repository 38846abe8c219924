// A drvsig inspection worker: runs the core off the page's main thread, so a big driver never
// freezes the tab. The page starts a small pool of these (new Worker('./worker.js', {type:
// 'module'})) and gives each one file at a time. It loads the same wasm as the page, from the same
// inlined bytes (the CSP says connect-src 'none': nothing is fetched), and never touches the
// network.
//
// Digests come from WebCrypto (crypto.subtle.digest), not from the wasm, where it serves: measured
// in headless Chromium on this project's 2-core box, in a worker, over the same 64 MiB
// (crates/e2e worker::webcrypto_and_wasm_sha256_speeds): SHA-256 WebCrypto ~700-830 MB/s vs the
// core's sha2 in wasm ~345 MB/s (plus ~75 ms to copy 64 MiB into the wasm memory); SHA-1 WebCrypto
// ~850-920 MB/s vs wasm ~420-575 MB/s (68 MB/s while the wasm still runs in the baseline tier). So the whole file's SHA-256 and the Authenticode image hash with
// SHA-256 and with every other algorithm whose OID is in the certificate table (SHA-1 of dual-signed
// drivers) are WebCrypto's; the core gets them through `KnownDigests` and hashes nothing twice
// (page hashes, catalogs and the PE CheckSum stay with the core). Without crypto.subtle (a
// non-secure context) the core hashes everything. Also measured: digest() hashes on the calling
// thread (two digests take twice one), so they run one after the other; 64 MiB from drop to
// verdict takes ~430-470 ms (read into the wasm memory ~170-200, two SHA-256 ~175, copy for the
// page ~35, core ~45: its CheckSum pass) against ~75 ms for one raw digest of as many bytes.
//
// Messages in:
//   {id, name, file: File, time}              read here (file.stream(), with progress, straight
//                                             into the wasm memory), inspected
//   {id, name, buffer: ArrayBuffer, time}     (transferred) inspected
//   {id, packages: {names, buffers, reports}, time}   the package pass over all the page's files
//   {id, bench: MiB}                          WebCrypto vs wasm SHA-256 timings (for the record)
// Messages out:
//   {ready: true} / {ready: false, error}     once, when the wasm is loaded (or failed to)
//   {id, loaded, total}                       reading progress, at most every 50 ms
//   {id, stage: "inspecting"}                 read, now hashing and verifying
//   {id, json, buffer, timings}               the InspectionReport JSON, the bytes (transferred)
//   {id, json, buffers}                       the packages JSON, the bytes given back (transferred)
//   {id, error, buffer?}
import init, { WorkerFile, package_pass_json, worker_warm_up } from "./drvsig_www.js";
import { wasmBytes } from "./drvsig_wasm_bytes.js";

const subtle = self.crypto && self.crypto.subtle ? self.crypto.subtle : null;
const PROGRESS_MS = 50;
/// Files up to this size are read in one go, without progress.
const SMALL_BYTES = 1 << 20;

let wasm = null;
const ready = (async () => {
  wasm = await init({ module_or_path: await wasmBytes() });
  try { worker_warm_up(); } catch (_) { /* only a warm-up */ }
})();
ready.then(
  () => self.postMessage({ ready: true }),
  (e) => self.postMessage({ ready: false, error: String(e && e.message ? e.message : e) }),
);

/// The bytes of a WorkerFile, as a view of the wasm memory (made again after every call into the
/// wasm: a call may grow the memory, which detaches older views).
const viewOf = (file) => new Uint8Array(wasm.memory.buffer, file.ptr(), file.len());

/// Reads a File straight into the wasm memory (one WorkerFile of its size), posting throttled
/// progress.
async function readFile(id, name, blob) {
  const total = blob.size;
  if (total <= SMALL_BYTES) {
    // One read, no stream (its set-up costs more than a small file takes to read).
    return new WorkerFile(name, new Uint8Array(await blob.arrayBuffer()));
  }
  const file = WorkerFile.with_len(name, total);
  try {
    const reader = blob.stream().getReader();
    let loaded = 0;
    let last = performance.now();
    self.postMessage({ id, loaded, total });
    let view = viewOf(file);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.length > total) throw new Error("the file changed while it was read");
      if (view.byteLength === 0 && total) view = viewOf(file);
      view.set(value, loaded);
      loaded += value.length;
      const now = performance.now();
      if (now - last >= PROGRESS_MS) {
        last = now;
        self.postMessage({ id, loaded, total });
      }
    }
    self.postMessage({ id, loaded, total });
    if (loaded !== total) file.truncate(loaded);
    return file;
  } catch (e) {
    file.free();
    throw e;
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

async function inspect(data) {
  const { id, name, time } = data;
  const t0 = performance.now();
  let file = null;
  let buffer = data.buffer;
  try {
    await ready;
    file = buffer ? new WorkerFile(name, new Uint8Array(buffer)) : await readFile(id, name, data.file);
    const t1 = performance.now();
    self.postMessage({ id, stage: "inspecting" });
    let whole;
    let detail = null;
    let algorithms = [];
    let digests = [];
    if (subtle) {
      try {
        const flat = file.authenticode_ranges();
        if (flat) algorithms = ["SHA-256", ...file.signature_algorithms()];
        const bytes = viewOf(file);
        const ta = performance.now();
        // Measured in Chromium (worker, 64 MiB): digest() hashes on this thread (its promise is
        // settled when it returns) at ~800 MB/s, two digests take twice as long as one, and a
        // helper worker hashing the whole file on the other core made the drop-to-verdict slower
        // on a 2-core machine (both threads compete with reading the file): so one after the other.
        const pending = [subtle.digest("SHA-256", bytes)];
        if (flat) pending.push(...imageDigests(bytes, flat, algorithms));
        const tb = performance.now();
        // The bytes for the page (which keeps them for the package pass and the ASN.1 view).
        if (!buffer) buffer = bytes.slice().buffer;
        const tc = performance.now();
        const done = await Promise.all(pending);
        detail = { ranges: ta - t1, issue: tb - ta, copyOut: tc - tb, wait: performance.now() - tc };
        whole = new Uint8Array(done[0]);
        digests = done.slice(1).map((d) => new Uint8Array(d));
      } catch (_) {
        // WebCrypto refused: the core hashes.
        whole = undefined;
        algorithms = [];
        digests = [];
      }
    }
    if (!buffer) buffer = viewOf(file).slice().buffer;
    const t2 = performance.now();
    const json = file.inspect(time, whole, algorithms, digests);
    const t3 = performance.now();
    const timings = { read: t1 - t0, hash: t2 - t1, core: t3 - t2, webcrypto: !!subtle, algorithms, detail };
    self.postMessage({ id, json, buffer, timings }, [buffer]);
  } catch (e) {
    const error = String(e && e.message ? e.message : e);
    if (buffer && buffer.byteLength) self.postMessage({ id, error, buffer }, [buffer]);
    else self.postMessage({ id, error });
  } finally {
    if (file) file.free();
  }
}

async function packages(data) {
  const { id, time } = data;
  const { names, buffers, reports } = data.packages;
  try {
    await ready;
    const json = package_pass_json(names, buffers.map((b) => new Uint8Array(b)), reports, time);
    self.postMessage({ id, json, buffers }, buffers);
  } catch (e) {
    self.postMessage({ id, error: String(e && e.message ? e.message : e), buffers }, buffers);
  }
}

/// SHA-256 of the same bytes with WebCrypto (one digest, and two at once) and with the core's sha2
/// in wasm; milliseconds each.
async function bench(data) {
  const { id } = data;
  await ready;
  const mib = data.bench;
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
  self.postMessage({ id, json: JSON.stringify(out) });
}

// Registered before the first await, so no message posted early is lost.
self.onmessage = (event) => {
  const data = event.data;
  if (data.packages) packages(data);
  else if (data.bench) bench(data);
  else inspect(data);
};
