// A drvsig inspection worker (a module Worker the page starts: early.js, www/src/services/worker.rs):
// everything is in inspector.js, which this runs off the page's main thread.
import { serve } from "./inspector.js";

// Registered as soon as the module runs, so no message posted early is lost.
self.onmessage = serve((reply) => self.postMessage(reply));
