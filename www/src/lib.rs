//! The drvsig page: a Yew app over the drvsig core, compiled to WebAssembly.
//!
//! Layout: [`state`] is the pure reducer (unit-tested natively), [`services`] reads files and runs
//! the core, [`components`] only display the state, one component per file, and [`text`] makes
//! every string from a file inert and visible. Nothing is uploaded: bytes go from the user's disk
//! to the core in this page and nowhere else.

pub mod components;
pub mod panic;
pub mod saved;
pub mod services;
pub mod state;
pub mod text;

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the app into `#app` (or `<body>` if the shell has none), after installing the panic
/// hook: a panic shows an error card with a copyable report instead of a dead page.
#[wasm_bindgen(start)]
pub fn start() {
    // The same module is instantiated in the inspection worker (static/worker.js), which has no
    // window: there it only serves [`WorkerFile`] and [`package_pass_json`].
    if web_sys::window().is_none() {
        return;
    }
    panic::install();
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<components::app::App>::with_root(root).render(),
        None => yew::Renderer::<components::app::App>::new().render(),
    };
}

thread_local! {
    /// The block lists of this worker's wasm instance: the built-in index, loaded by the worker
    /// from the `drvsig_blocklists.js` module the first time it inspects a PE or a zip
    /// ([`set_blocklist_index`]), and the lists dropped on the page ([`set_user_lists`]);
    /// `None` until then (and on the main thread).
    static BLOCKLISTS: std::cell::RefCell<Option<std::sync::Arc<drvsig::blocklist::BlockLists>>> =
        const { std::cell::RefCell::new(None) };
    static BUILTIN_LISTS: std::cell::RefCell<Vec<drvsig::blocklist::List>> = const { std::cell::RefCell::new(Vec::new()) };
    static USER_LISTS: std::cell::RefCell<Vec<drvsig::blocklist::List>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The lookup tables over the built-in and the dropped lists.
fn rebuild_blocklists() {
    let mut lists = BUILTIN_LISTS.with(|b| b.borrow().clone());
    lists.extend(USER_LISTS.with(|u| u.borrow().clone()));
    let lists = std::sync::Arc::new(drvsig::blocklist::BlockLists::new(lists));
    BLOCKLISTS.with(|b| *b.borrow_mut() = Some(lists));
}

/// Read the block list index (`data/blocklists.json`, inflated by the worker) and use it for
/// every inspection from now on; the error text when it cannot be read (inspections then go on
/// without the built-in lists).
#[wasm_bindgen]
pub fn set_blocklist_index(index: &[u8]) -> Option<String> {
    match drvsig::blocklist::index::Index::from_json(index) {
        Ok(index) => {
            BUILTIN_LISTS.with(|b| *b.borrow_mut() = index.lists);
            rebuild_blocklists();
            None
        }
        Err(e) => Some(e.to_string()),
    }
}

/// The block lists dropped on the page (`names[i]` holds `buffers[i]`: SiPolicy XML, LOLDrivers
/// drivers.json or YAML), used beside the built-in ones from now on (they replace the previously
/// dropped set); lists that cannot be read are left out (the page shows their error).
#[wasm_bindgen]
pub fn set_user_lists(names: Vec<String>, buffers: Vec<js_sys::Uint8Array>) {
    let lists = names
        .iter()
        .zip(buffers.iter())
        .filter_map(|(name, buffer)| drvsig::blocklist::parse_user_list(name, &buffer.to_vec()).ok())
        .collect();
    USER_LISTS.with(|u| *u.borrow_mut() = lists);
    rebuild_blocklists();
}

/// What matching against the loaded block lists costs for one file, in milliseconds per run
/// (average of `runs`, timed with `Date.now()`): the file is inspected once first, then only the
/// matching is repeated (the digests it computes, then the lookups). For `cargo xtask
/// bench`-style measurements in the page (the e2e test `block_list_matching_time_in_the_page`).
#[wasm_bindgen]
pub fn blocklist_match_ms(name: String, bytes: &[u8], runs: u32) -> f64 {
    let Some(lists) = BLOCKLISTS.with(|b| b.borrow().clone()) else {
        return -1.0;
    };
    let report = drvsig::inspect(&name, bytes, &options_at(1_767_225_600.0));
    let runs = runs.max(1);
    let start = js_sys::Date::now();
    for _ in 0..runs {
        let facts = drvsig::file::blocklist_facts(bytes, &report, &lists, &drvsig::KnownDigests::default());
        let _ = drvsig::blocklist::match_file(&lists, &facts);
    }
    (js_sys::Date::now() - start) / f64::from(runs)
}

/// The options of an inspection at `time_secs`, with the block lists when they are loaded.
fn options_at(time_secs: f64) -> drvsig::Options {
    let mut options = drvsig::Options::at(drvsig::UnixTime(time_secs.floor() as i64));
    options.blocklists = BLOCKLISTS.with(|b| b.borrow().clone());
    options
}

/// One file in the worker, in the wasm memory (the worker reads a big file straight into it): the
/// worker asks it which Authenticode digests the signatures need ([`WorkerFile::image_algorithms`])
/// and their ranges, hashes those (and the whole file) with WebCrypto, then has the core inspect it
/// with those digests ([`drvsig::inspect_with`]), so nothing is hashed twice.
#[wasm_bindgen]
pub struct WorkerFile {
    name: String,
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl WorkerFile {
    #[wasm_bindgen(constructor)]
    pub fn new(name: String, bytes: &[u8]) -> WorkerFile {
        WorkerFile { name, bytes: bytes.to_vec() }
    }

    /// A file of `len` zero bytes, for the worker to read the real bytes straight into (at
    /// [`WorkerFile::ptr`] in the wasm memory): no copy of a big file from a JS buffer.
    pub fn with_len(name: String, len: usize) -> WorkerFile {
        WorkerFile { name, bytes: vec![0; len] }
    }

    /// Where the bytes are in the wasm memory (they never move: the vector is never resized but
    /// by [`WorkerFile::truncate`], which only shrinks it).
    pub fn ptr(&self) -> usize {
        self.bytes.as_ptr() as usize
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Keeps the first `len` bytes (the file was shorter than its size said when it was read).
    pub fn truncate(&mut self, len: usize) {
        self.bytes.truncate(len);
    }

    /// Whether the block lists can concern this file: a PE image, or a zip (which may hold some).
    pub fn may_hold_pe(&self) -> bool {
        let kind = drvsig::sniff::sniff(&self.name, &self.bytes);
        kind.is_pe() || kind == drvsig::FileKind::Zip
    }

    /// The digest algorithms (WebCrypto names) of the Authenticode image hashes the embedded
    /// signatures need ([`drvsig::pe::hash_plan`]: exactly those the core would compute); empty
    /// for an unsigned file or one that is not a PE image.
    pub fn image_algorithms(&self, time_secs: f64) -> Vec<String> {
        use drvsig::digest::DigestAlgorithm;
        // With the block lists loaded, the plan also names the Authenticode SHA-1 and SHA-256 their
        // hash rules need: WebCrypto computes them instead of the wasm.
        let options = options_at(time_secs);
        let Some(plan) = drvsig::pe::hash_plan(&self.bytes, &options) else {
            return Vec::new();
        };
        plan.algorithms
            .iter()
            .filter_map(|a| match a {
                DigestAlgorithm::Sha1 => Some("SHA-1"),
                DigestAlgorithm::Sha256 => Some("SHA-256"),
                DigestAlgorithm::Sha384 => Some("SHA-384"),
                DigestAlgorithm::Sha512 => Some("SHA-512"),
                DigestAlgorithm::Md5 => None,
            })
            .map(str::to_string)
            .collect()
    }

    /// The Authenticode image-hash ranges as `[start, end, start, end, ..., zero_padding]`
    /// (concatenate the ranges, then append that many zero bytes), or `undefined` when the file is
    /// not a PE image whose headers can be read.
    pub fn authenticode_ranges(&self) -> Option<Vec<f64>> {
        let ranges = drvsig::pe::authenticode_ranges(&self.bytes).ok()?;
        let mut flat = Vec::with_capacity(ranges.ranges.len() * 2 + 1);
        for r in &ranges.ranges {
            flat.push(r.start as f64);
            flat.push(r.end as f64);
        }
        flat.push(ranges.zero_padding as f64);
        Some(flat)
    }

    /// The core's SHA-256 (sha2 in wasm) of the file, for the speed comparison with WebCrypto
    /// (`worker.js` `bench`).
    pub fn sha256_wasm(&self) -> Vec<u8> {
        hash_with(drvsig::digest::DigestAlgorithm::Sha256, &self.bytes)
    }

    /// The core's SHA-1 of the file (same comparison).
    pub fn sha1_wasm(&self) -> Vec<u8> {
        hash_with(drvsig::digest::DigestAlgorithm::Sha1, &self.bytes)
    }

    /// The core's package pass on this one file (a zip is expanded into its members), with the
    /// digests computed outside the core: the whole file's SHA-256 (`file_sha256`) and
    /// Authenticode image hashes, `algorithms[i]` (WebCrypto names) -> `digests[i]`. Anything
    /// absent is hashed by the core. The JSON of an [`drvsig::InspectionReport`].
    pub fn inspect(
        &self,
        time_secs: f64,
        file_sha256: Option<Vec<u8>>,
        algorithms: Vec<String>,
        digests: Vec<js_sys::Uint8Array>,
        trust: Vec<js_sys::Uint8Array>,
    ) -> String {
        use drvsig::digest::DigestAlgorithm;
        let options = options_with(time_secs, &trust);
        let authenticode = algorithms
            .iter()
            .zip(digests.iter())
            .filter_map(|(name, digest)| {
                let alg = match name.as_str() {
                    "SHA-1" => DigestAlgorithm::Sha1,
                    "SHA-256" => DigestAlgorithm::Sha256,
                    "SHA-384" => DigestAlgorithm::Sha384,
                    "SHA-512" => DigestAlgorithm::Sha512,
                    _ => return None,
                };
                Some((alg, digest.to_vec()))
            })
            .collect();
        let known = drvsig::KnownDigests { file_sha256, authenticode };
        let report = drvsig::inspect_with(&self.name, &self.bytes, &options, &known);
        let files = [(self.name.clone(), &self.bytes[..])];
        let inspection = drvsig::package::inspect_package_with_reports(&files, vec![report], &options);
        serde_json::to_string(&inspection).unwrap_or_default()
    }
}

/// The core's options in a worker: the page's time and the roots the person trusts for this page
/// (DER certificates, as the CLI's `--trust`).
fn options_with(time_secs: f64, trust: &[js_sys::Uint8Array]) -> drvsig::Options {
    let mut options = options_at(time_secs);
    options.trust_anchors = trust.iter().map(|a| a.to_vec()).collect();
    options
}

fn hash_with(alg: drvsig::digest::DigestAlgorithm, bytes: &[u8]) -> Vec<u8> {
    let mut h = alg.hasher();
    h.update(bytes);
    h.finalize().into_vec()
}

/// The package pass over every file on the page, in the worker: `buffers[i]` holds the bytes of
/// `names[i]`; `reports` are the `InspectionReport` JSONs the workers returned for those files
/// (their file reports are reused by name, zip members included, so nothing is inspected again).
/// The JSON of the packages (`Vec<PackageReport>`).
#[wasm_bindgen]
pub fn package_pass_json(
    names: Vec<String>,
    buffers: Vec<js_sys::Uint8Array>,
    reports: Vec<String>,
    time_secs: f64,
    trust: Vec<js_sys::Uint8Array>,
) -> String {
    let options = options_with(time_secs, &trust);
    let owned: Vec<(String, Vec<u8>)> = names.into_iter().zip(buffers.iter()).map(|(name, buffer)| (name, buffer.to_vec())).collect();
    let files: Vec<(String, &[u8])> = owned.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
    let known: Vec<drvsig::FileReport> =
        reports.iter().filter_map(|json| services::decode::inspection_from_json(json).ok()).flat_map(|r| r.files).collect();
    let report = drvsig::package::inspect_package_with_reports(&files, known, &options);
    serde_json::to_string(&report.packages).unwrap_or_default()
}

/// Runs the core's hashing on small buffers so the worker's wasm reaches the optimising tier
/// before a real file arrives (see `services::pipeline::warm_up`).
#[wasm_bindgen]
pub fn worker_warm_up() {
    let options = drvsig::Options::at(drvsig::UnixTime(1_700_000_000));
    let buffer = vec![0u8; 128 * 1024];
    for _ in 0..24 {
        let _ = drvsig::inspect("warm-up.bin", &buffer, &options);
    }
    // Every other path a driver package takes (zip, INF, catalog, signatures, chains, packages),
    // on the bundled good package: a small package dropped next is not run by the baseline tier.
    if let Some(services::files::Picked { name, source: services::files::Source::Static(bytes), .. }) = services::files::demo_named("good")
    {
        for _ in 0..3 {
            let report = drvsig::inspect_package(&[(name.clone(), bytes)], &options);
            let _ = serde_json::to_string(&report);
        }
    }
}
