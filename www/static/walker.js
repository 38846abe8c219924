// Walks a dropped folder off the page's main thread (www/src/services/files.rs `collect_drop`
// starts this module worker for a drop that holds folders, where the browser gives them as File
// System Access handles: DataTransferItem.getAsFileSystemHandle).
//
// Why a worker: a folder walked on the page with webkitGetAsEntry costs the page's thread a
// synchronous call per file (FileSystemFileEntry.file() registers each File with the browser:
// ~0.4 ms each in Chromium, 1,000 small drivers ~400 ms of the thread). Here the files come from
// FileSystemFileHandle.getFile() and go to the page in messages, which only pass the browser's
// handles: measured in headless Chromium on 2 cores, a folder of 1,000 files reached the page in
// 115-120 ms (the first 100 at 55-65), against 230-240 ms with the page's own walk.
//
// Message in: {roots: [FileSystemDirectoryHandle], max}. Out, in the order of the page's own walk
// (depth-first, each folder's entries by name; the path relative to what was dropped, the dropped
// folder's name first): {files: [{path, file}]} every BATCH files, then {done: true}. A folder
// that cannot be listed and a file that cannot be read are left out, as the page's walk does.
// Nothing is fetched: the handles are the user's files.

/// A folder's files asked of the browser at once.
const AT_ONCE = 100;
/// Files per message to the page.
const BATCH = 100;

const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

self.onmessage = async (event) => {
  const { roots, max } = event.data || {};
  let found = 0; // files asked for or sent
  let ready = [];
  let wanted = [];
  const resolve = async () => {
    const asked = wanted;
    wanted = [];
    const got = await Promise.all(asked.map(([path, handle]) => handle.getFile().then((file) => ({ path, file }), () => null)));
    for (const g of got) if (g) ready.push(g);
    if (ready.length >= BATCH) {
      self.postMessage({ files: ready });
      ready = [];
    }
  };
  const walk = async (dir, path) => {
    const children = [];
    try {
      for await (const handle of dir.values()) {
        children.push(handle);
        if (children.length >= max) break;
      }
    } catch (_) {
      // An unreadable folder (or one removed meanwhile): what was listed of it is walked.
    }
    children.sort(byName);
    for (const child of children) {
      if (found >= max) return;
      const at = `${path}/${child.name}`;
      if (child.kind === "file") {
        wanted.push([at, child]);
        found++;
        if (wanted.length >= AT_ONCE) await resolve();
      } else if (child.kind === "directory") {
        await walk(child, at);
      }
    }
  };
  try {
    for (const root of roots || []) {
      if (found >= max) break;
      await walk(root, root.name);
    }
    await resolve();
    if (ready.length) self.postMessage({ files: ready });
    self.postMessage({ done: true });
  } catch (e) {
    self.postMessage({ error: String(e && e.message ? e.message : e) });
  }
};
