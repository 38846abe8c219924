// A drvsig inspection worker (a module Worker the page starts: early.js, www/src/services/worker.rs):
// everything is in inspector.js, which this runs off the page's main thread. Its modules are
// imported here too, so the browser fetches all three at once instead of inspector.js first.
import "./drvsig_worker_bytes.js";
import "./drvsig_worker.js";
import { serve } from "./inspector.js";

// Registered as soon as the module runs, so no message posted early is lost.
self.onmessage = serve((reply) => self.postMessage(reply));
