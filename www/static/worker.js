// A drvsig inspection worker: runs the core off the page's main thread, so a big driver never
// freezes the tab. The page starts a small pool of these (new Worker('./worker.js', {type:
// 'module'})) and gives each one file at a time. It loads the same wasm as the page, from the same
// inlined bytes (the CSP says connect-src 'none': nothing is fetched), and never touches the
// network.
//
// SHA-256 comes from WebCrypto (crypto.subtle.digest), not from the wasm: measured in headless
// Chromium on this project's 2-core box over the same 64 MiB, WebCrypto hashes at about 3x the
// speed of the core's sha2 compiled to wasm (figures in the page issue / README of the lead's
// report: ~ 390 MB/s vs ~ 130 MB/s), and the whole-file digest and the Authenticode image digest
// run concurrently (Chromium hashes off this thread). The core gets both digests through
// `KnownDigests` and hashes nothing twice. Other algorithms (SHA-1 signatures, page hashes,
// catalogs) stay with the core. Without crypto.subtle (a non-secure context) the core hashes all.
//
// Messages in:
//   {ready}                                   (out only: the wasm is loaded; {ready: false, error})
//   {id, name, file: File}                    read here (file.stream(), with progress), inspected
//   {id, name, buffer: ArrayBuffer, time}     (transferred) inspected
//   {id, packages: {names, buffers, reports}, time}   the package pass over all the page's files
//   {id, bench: MiB}                          WebCrypto vs wasm SHA-256 timings (for the record)
// Messages out:
//   {id, loaded, total}                       reading progress, at most every 50 ms
//   {id, stage: "inspecting"}                 read, now hashing and verifying
//   {id, json, buffer, timings}               the InspectionReport JSON, the bytes (transferred)
//   {id, json, buffers}                       the packages JSON, the bytes given back (transferred)
//   {id, error, buffer?}
import init, { WorkerFile, package_pass_json, worker_warm_up } from "./drvsig_www.js";
import { wasmBytes } from "./drvsig_wasm_bytes.js";

const subtle = self.crypto && self.crypto.subtle ? self.crypto.subtle : null;
const PROGRESS_MS = 50;

const ready = (async () => {
  await init({ module_or_path: await wasmBytes() });
  try { worker_warm_up(); } catch (_) { /* only a warm-up */ }
})();
ready.then(
  () => self.postMessage({ ready: true }),
  (e) => self.postMessage({ ready: false, error: String(e && e.message ? e.message : e) }),
);

/// Reads a File into one preallocated buffer, posting throttled progress.
async function readFile(id, file) {
  const total = file.size;
  let buffer = new ArrayBuffer(total);
  const view = new Uint8Array(buffer);
  const reader = file.stream().getReader();
  let loaded = 0;
  let last = performance.now();
  self.postMessage({ id, loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > total) throw new Error("the file changed while it was read");
    view.set(value, loaded);
    loaded += value.length;
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      self.postMessage({ id, loaded, total });
    }
  }
  self.postMessage({ id, loaded, total });
  if (loaded !== total) buffer = buffer.slice(0, loaded);
  return buffer;
}

/// The whole file's SHA-256 and, for a PE image, its SHA-256 Authenticode digest, both with
/// WebCrypto and concurrently. `undefined` where there is none (the core then hashes itself).
async function webDigests(file, bytes) {
  if (!subtle) return [undefined, undefined];
  const flat = file.authenticode_ranges();
  let image = null;
  if (flat && flat.length >= 1) {
    const padding = flat[flat.length - 1];
    let length = padding;
    for (let i = 0; i + 1 < flat.length - 1; i += 2) length += flat[i + 1] - flat[i];
    image = new Uint8Array(length); // the zero padding stays zero
    let at = 0;
    for (let i = 0; i + 1 < flat.length - 1; i += 2) {
      image.set(bytes.subarray(flat[i], flat[i + 1]), at);
      at += flat[i + 1] - flat[i];
    }
  }
  const [whole, authenticode] = await Promise.all([
    subtle.digest("SHA-256", bytes),
    image ? subtle.digest("SHA-256", image) : Promise.resolve(undefined),
  ]);
  return [new Uint8Array(whole), authenticode ? new Uint8Array(authenticode) : undefined];
}

async function inspect(data) {
  const { id, name, time } = data;
  const t0 = performance.now();
  let buffer = data.buffer;
  try {
    if (!buffer) buffer = await readFile(id, data.file);
    const t1 = performance.now();
    self.postMessage({ id, stage: "inspecting" });
    await ready;
    const bytes = new Uint8Array(buffer);
    const file = new WorkerFile(name, bytes);
    let json;
    let t2;
    try {
      let [whole, authenticode] = [undefined, undefined];
      try {
        [whole, authenticode] = await webDigests(file, bytes);
      } catch (_) { /* WebCrypto refused: the core hashes */ }
      t2 = performance.now();
      json = file.inspect(time, whole, authenticode);
    } finally {
      file.free();
    }
    const t3 = performance.now();
    const timings = { read: t1 - t0, hash: t2 - t1, core: t3 - t2, webcrypto: !!subtle };
    self.postMessage({ id, json, buffer, timings }, [buffer]);
  } catch (e) {
    const error = String(e && e.message ? e.message : e);
    if (buffer && buffer.byteLength) self.postMessage({ id, error, buffer }, [buffer]);
    else self.postMessage({ id, error });
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
