// The drvsig inspection worker: runs the core off the page's main thread, so a big driver never
// freezes the tab. Started by the page with new Worker('./worker.js', {type: 'module'}).
// It loads the same wasm as the page, from the same inlined bytes (the CSP says connect-src
// 'none': nothing is fetched), and never touches the network.
//
// Messages in:  {id, name, buffer: ArrayBuffer (transferred), time: Unix seconds}
// Messages out: {id, json, buffer (transferred back)} or {id, error, buffer}
import init, { inspect_package_json, worker_warm_up } from "./drvsig_www.js";
import { wasmBytes } from "./drvsig_wasm_bytes.js";

const ready = (async () => {
  await init({ module_or_path: await wasmBytes() });
  try { worker_warm_up(); } catch (_) { /* only a warm-up */ }
})();

// Registered before the first await, so no message posted early is lost.
self.onmessage = async (event) => {
  const { id, name, buffer, time } = event.data;
  try {
    await ready;
    const json = inspect_package_json(name, new Uint8Array(buffer), time);
    self.postMessage({ id, json, buffer }, [buffer]);
  } catch (e) {
    self.postMessage({ id, error: String(e && e.message ? e.message : e), buffer }, [buffer]);
  }
};
