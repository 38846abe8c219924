//! The drvsig core in the page's inspection workers: a wasm module of its own, apart from the
//! page's (`www/`, which only draws reports), so a first visit loads the views at once and the core
//! (parsing, verification, chains, block lists, packages) beside them, in the workers.
//!
//! `www/static/inspector.js` runs it: in a module Web Worker (`worker.js`), or on the page's main
//! thread when there is no Worker. The shim reads a `File` into the wasm memory piece by piece
//! ([`WorkerFile::with_capacity`], [`WorkerFile::push`]), asks for
//! the digests the signatures need ([`WorkerFile::plan`]), has WebCrypto compute them and the
//! whole-file SHA-256, and hands them back ([`WorkerFile::inspect`]), so nothing is hashed twice. Requests and replies are [`drvsig_messages`] types: the functions here
//! take a request (or its [`Context`]) as the JS value the page posted and return typed replies.

use std::cell::RefCell;
use std::sync::Arc;

use drvsig::blocklist::{BlockLists, List};
use drvsig::digest::DigestAlgorithm;
use drvsig_messages::{BlockListCard, Bytes, Context, Json, MemberBytes, Packages, Reply, Report};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

thread_local! {
    /// The block lists of this wasm instance: the built-in index, loaded by the shim from the
    /// `drvsig_blocklists.js` module the first time it inspects a PE or a zip
    /// ([`set_blocklist_index`]), and the lists dropped on the page (each request's
    /// [`Context::lists`]); `None` until then.
    static BLOCKLISTS: RefCell<Option<Arc<BlockLists>>> = const { RefCell::new(None) };
    /// The lookup tables over the built-in index alone: what [`BLOCKLISTS`] is while no list was
    /// dropped (no copy of the index's lists then).
    static BUILTIN_LISTS: RefCell<Option<Arc<BlockLists>>> = const { RefCell::new(None) };
    /// The dropped lists, parsed, and the version of the page's set they came from.
    static USER_LISTS: RefCell<(u32, Vec<List>)> = const { RefCell::new((0, Vec::new())) };
    /// The certificate links this instance has verified (kept for its life: a drop's files signed
    /// through the same CAs verify each link once; bounded by the core).
    static LINKS: Arc<drvsig::x509::LinkCache> = Arc::new(drvsig::x509::LinkCache::new());
}

fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    serde_wasm_bindgen::to_value(value).unwrap_or(JsValue::UNDEFINED)
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsValue::from_str(&format!("a malformed request: {e}")))
}

/// The lookup tables over the built-in and the dropped lists (the built-in tables as they are
/// when nothing was dropped).
fn rebuild_blocklists() {
    let builtin = BUILTIN_LISTS.with(|b| b.borrow().clone());
    let user: Vec<List> = USER_LISTS.with(|u| u.borrow().1.clone());
    let lists = match builtin {
        Some(builtin) if user.is_empty() => builtin,
        Some(builtin) => Arc::new(builtin.with_own(user)),
        None => Arc::new(BlockLists::new(user)),
    };
    BLOCKLISTS.with(|b| *b.borrow_mut() = Some(lists));
}

/// Read the block list index (`data/blocklists.json`, inflated by the shim) and use it for every
/// inspection from now on; the error text when it cannot be read (inspections then go on without
/// the built-in lists). Only the index's summary and hash pool are read here; its lists are parsed
/// the first time a file may match them ([`drvsig::blocklist::index::read`]).
#[wasm_bindgen]
pub fn set_blocklist_index(index: &[u8]) -> Option<String> {
    match drvsig::blocklist::index::read(index, Vec::new()) {
        Ok(builtin) => {
            BUILTIN_LISTS.with(|b| *b.borrow_mut() = Some(Arc::new(builtin)));
            rebuild_blocklists();
            None
        }
        Err(e) => Some(e.to_string()),
    }
}

/// Takes the dropped lists of a request when their version changed (lists that cannot be read
/// are left out: the page shows their error on their card).
fn use_dropped_lists(context: &Context) {
    let Some(dropped) = &context.lists else { return };
    if USER_LISTS.with(|u| u.borrow().0) == dropped.version {
        return;
    }
    let lists = dropped.lists.iter().filter_map(|l| drvsig::blocklist::parse_user_list(&l.name, &l.bytes.0).ok()).collect();
    USER_LISTS.with(|u| *u.borrow_mut() = (dropped.version, lists));
    rebuild_blocklists();
}

/// The core's options for a request: its time, the roots the person trusts for the page (DER
/// certificates, as the CLI's `--trust`) and the block lists loaded here.
fn options_for(context: &Context) -> drvsig::Options {
    use_dropped_lists(context);
    let mut options = drvsig::Options::at(drvsig::UnixTime(context.time));
    options.trust_anchors = context.trust.iter().map(|b| b.0.clone()).collect();
    options.blocklists = BLOCKLISTS.with(|b| b.borrow().clone());
    options.link_cache = Some(LINKS.with(Arc::clone));
    options
}

/// What matching against the loaded block lists costs for one file, in milliseconds per run
/// (average of `runs`, timed with `Date.now()`): the file is inspected once first, then only the
/// matching is repeated (the digests it computes, then the lookups). For measurements in the
/// browser (the e2e test `block_list_matching_time_in_the_page`).
#[wasm_bindgen]
pub fn blocklist_match_ms(name: String, bytes: &[u8], runs: u32) -> f64 {
    let Some(lists) = BLOCKLISTS.with(|b| b.borrow().clone()) else {
        return -1.0;
    };
    let context = Context { time: 1_767_225_600, ..Context::default() };
    let report = drvsig::inspect(&name, bytes, &options_for(&context));
    let runs = runs.max(1);
    let start = js_sys::Date::now();
    for _ in 0..runs {
        let facts = drvsig::file::blocklist_facts(bytes, &report, &lists, &drvsig::KnownDigests::default());
        let _ = drvsig::blocklist::match_file(&lists, &facts);
    }
    (js_sys::Date::now() - start) / f64::from(runs)
}

fn webcrypto_name(alg: DigestAlgorithm) -> Option<&'static str> {
    match alg {
        DigestAlgorithm::Sha1 => Some("SHA-1"),
        DigestAlgorithm::Sha256 => Some("SHA-256"),
        DigestAlgorithm::Sha384 => Some("SHA-384"),
        DigestAlgorithm::Sha512 => Some("SHA-512"),
        DigestAlgorithm::Md5 => None,
    }
}

fn from_webcrypto_name(name: &str) -> Option<DigestAlgorithm> {
    [DigestAlgorithm::Sha1, DigestAlgorithm::Sha256, DigestAlgorithm::Sha384, DigestAlgorithm::Sha512]
        .into_iter()
        .find(|a| webcrypto_name(*a) == Some(name))
}

type DecodedFile<'a> = drvsig::file::Decoded<'a>;

self_cell::self_cell!(
    /// A file's bytes and its signatures decoded from them ([`drvsig::file::decode`]), kept from
    /// the plan to the inspection so they are decoded once.
    struct Planned {
        owner: Vec<u8>,
        #[covariant]
        dependent: DecodedFile,
    }
);

/// A file's bytes: as read, or with their signatures decoded (once planned).
enum Data {
    Read(Vec<u8>),
    Planned(Planned),
}

impl Data {
    fn bytes(&self) -> &[u8] {
        match self {
            Data::Read(bytes) => bytes,
            Data::Planned(planned) => planned.borrow_owner(),
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        match self {
            Data::Read(bytes) => bytes,
            Data::Planned(planned) => planned.into_owner(),
        }
    }
}

/// One file in the wasm memory (the shim reads a big file into it piece by piece): it says which
/// Authenticode digests the signatures need ([`WorkerFile::plan`]) and their ranges, the shim
/// hashes those (and the whole file) with WebCrypto, then the core inspects it with those digests
/// ([`drvsig::inspect_with`]), so nothing is hashed twice. The signatures the plan decoded are
/// kept for the inspection ([`drvsig::file::inspect_decoded`]): nothing is decoded twice either.
#[wasm_bindgen]
pub struct WorkerFile {
    name: String,
    data: Data,
    /// The CheckSum's word sum, summed piece by piece as a big file was read
    /// ([`WorkerFile::push`]): the core's pass over every byte, done while the next piece is
    /// read.
    word_sum: Option<drvsig::digest::WordSum>,
    /// The signer signature checks of the last plan ([`WorkerFile::plan`]): the shim has WebCrypto
    /// make them and names those that held when it asks for the report.
    requests: Vec<drvsig::x509::SignatureRequest>,
    /// How many of the answers the last inspection took ([`WorkerFile::signatures_used`]).
    used: std::cell::Cell<usize>,
    /// The last inspection's brief ([`WorkerFile::take_brief`]).
    brief: std::cell::RefCell<Option<drvsig_messages::Brief>>,
}

#[wasm_bindgen]
impl WorkerFile {
    #[wasm_bindgen(constructor)]
    pub fn new(name: String, bytes: &[u8]) -> WorkerFile {
        WorkerFile {
            name,
            data: Data::Read(bytes.to_vec()),
            word_sum: None,
            requests: Vec::new(),
            used: Default::default(),
            brief: Default::default(),
        }
    }

    /// An empty file with room for `capacity` bytes, for the shim to read a big file into piece by
    /// piece ([`WorkerFile::push`]). Nothing is zeroed up front: zeroing
    /// 64 MiB of fresh wasm memory before the read took 34-45 ms of the worker in headless Chromium
    /// (the pages' first touch); each piece's pages are touched as it is read in.
    pub fn with_capacity(name: String, capacity: usize) -> WorkerFile {
        WorkerFile {
            name,
            data: Data::Read(Vec::with_capacity(capacity)),
            word_sum: Some(drvsig::digest::WordSum::new()),
            requests: Vec::new(),
            used: Default::default(),
            brief: Default::default(),
        }
    }

    /// Appends the next piece of a big file read piece by piece and adds it to the CheckSum's word
    /// sum: the core's pass over every byte, done while the browser reads the next piece.
    /// wasm-bindgen copies the piece into the wasm memory (a buffer the allocator hands out again
    /// for every piece) and `extend_from_slice` copies it on (`memory.copy`). Measured in
    /// headless Chromium on the 64 MiB bench driver: making room with `Vec::resize` first (zeros,
    /// for the shim to copy the piece straight in) took 89-112 ms of the read, a byte at a time,
    /// against 6-9 ms for the copy itself.
    pub fn push(&mut self, piece: &[u8]) {
        if let Data::Planned(_) = self.data {
            // Planned already (the shim does not push after planning): decoded again when asked.
            self.data = Data::Read(std::mem::replace(&mut self.data, Data::Read(Vec::new())).into_bytes());
        }
        if let Data::Read(bytes) = &mut self.data {
            bytes.extend_from_slice(piece);
        }
        if let Some(sum) = &mut self.word_sum {
            sum.update(piece);
        }
    }

    /// Where the bytes are in the wasm memory (valid until the next call that may allocate).
    pub fn ptr(&self) -> usize {
        self.data.bytes().as_ptr() as usize
    }

    pub fn len(&self) -> usize {
        self.data.bytes().len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.bytes().is_empty()
    }

    /// Whether the block lists can concern this file: a PE image, or a zip (which may hold some).
    pub fn may_hold_pe(&self) -> bool {
        let kind = drvsig::sniff::sniff(&self.name, self.data.bytes());
        kind.is_pe() || kind == drvsig::FileKind::Zip
    }

    /// The digest algorithms (WebCrypto names) of the Authenticode image hashes the embedded
    /// signatures need ([`drvsig::file::plan`]: exactly those the core would compute); empty for an
    /// unsigned file or one that is not a PE image. `context`: the request's [`Context`] (with the
    /// block lists loaded, the plan also names the Authenticode SHA-1 and SHA-256 their hash rules
    /// need: WebCrypto computes them instead of the wasm). The signer signature checks WebCrypto
    /// can make are kept for [`WorkerFile::signature_requests`].
    pub fn plan(&mut self, context: JsValue) -> Result<Vec<String>, JsValue> {
        let context: Context = from_js(context)?;
        Ok(self.plan_with(&options_for(&context)))
    }

    /// The digest algorithms (WebCrypto names) the embedded signatures name, without those only the
    /// block lists' hash rules need: what the verdict waits for ([`WorkerFile::inspect_verdict`]).
    pub fn plan_verdict(&mut self, context: JsValue) -> Result<Vec<String>, JsValue> {
        let context: Context = from_js(context)?;
        let mut options = options_for(&context);
        options.blocklists = None;
        Ok(self.plan_with(&options))
    }

    fn plan_with(&mut self, options: &drvsig::Options) -> Vec<String> {
        if let Data::Read(_) = self.data {
            // Decoded once, here; the bytes stay where they are (the Vec moves, not its buffer).
            let bytes = std::mem::replace(&mut self.data, Data::Read(Vec::new())).into_bytes();
            let name = &self.name;
            self.data = Data::Planned(Planned::new(bytes, |b| drvsig::file::decode(name, b)));
        }
        let plan = match &self.data {
            Data::Planned(planned) => drvsig::file::plan_decoded(planned.borrow_dependent(), planned.borrow_owner(), options),
            Data::Read(bytes) => drvsig::file::plan(&self.name, bytes, options),
        };
        // Only those WebCrypto can make: the shim answers by index into this very list.
        self.requests = plan.signatures.into_iter().filter(|r| webcrypto_name(r.hash).is_some()).collect();
        let algorithms = plan.hash.map(|h| h.algorithms).unwrap_or_default();
        algorithms.iter().filter_map(|a| webcrypto_name(*a)).map(str::to_string).collect()
    }

    /// The signer signature checks of the last plan, for WebCrypto (RSASSA-PKCS1-v1_5): objects
    /// `{id, hash, spki, message, signature}`, where `id` names the key and hash (the shim imports
    /// each key once) and `hash` is the WebCrypto name. [`WorkerFile::inspect`] takes the indices
    /// of those that verified.
    pub fn signature_requests(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        for r in &self.requests {
            let hash = webcrypto_name(r.hash).unwrap_or_default();
            let object = js_sys::Object::new();
            let id = r.key_id();
            let fields: [(&str, JsValue); 5] = [
                ("id", id.into()),
                ("hash", hash.into()),
                ("spki", js_sys::Uint8Array::from(&r.spki[..]).into()),
                ("message", js_sys::Uint8Array::from(&r.message[..]).into()),
                ("signature", js_sys::Uint8Array::from(&r.signature[..]).into()),
            ];
            for (k, v) in fields {
                let _ = js_sys::Reflect::set(&object, &k.into(), &v);
            }
            out.push(&object);
        }
        out
    }

    /// How many signature checks the last inspection took from WebCrypto's answers (the core
    /// verified the others itself).
    pub fn signatures_used(&self) -> usize {
        self.used.get()
    }

    fn count_used(&self, options: &drvsig::Options) {
        self.used.set(options.known_signatures.as_ref().map_or(0, |k| k.used()));
    }

    /// The options of an inspection whose signature requests `verified` (indices into
    /// [`WorkerFile::signature_requests`]) WebCrypto verified.
    fn options_verified(&self, context: &Context, verified: Option<Vec<u32>>) -> drvsig::Options {
        let mut options = options_for(context);
        let mut known = drvsig::x509::KnownSignatures::new();
        for i in verified.unwrap_or_default() {
            if let Some(r) = self.requests.get(i as usize) {
                known.insert(r);
            }
        }
        if !known.is_empty() {
            options.known_signatures = Some(Arc::new(known));
        }
        options
    }

    /// The verdict before the whole file is hashed: the core's pass with the Authenticode digests
    /// the signatures name (`algorithms[i]` -> `digests[i]`), without the block lists and without
    /// the whole file's SHA-256 (the report's `sha256` is empty: [`WorkerFile::inspect`] fills it
    /// in, and matches the block lists, once WebCrypto has hashed the whole file). The JSON of an
    /// [`drvsig::InspectionReport`].
    pub fn inspect_verdict(
        &self,
        context: JsValue,
        algorithms: Vec<String>,
        digests: Vec<js_sys::Uint8Array>,
        verified: Option<Vec<u32>>,
    ) -> Result<String, JsValue> {
        let context: Context = from_js(context)?;
        let mut options = self.options_verified(&context, verified);
        options.blocklists = None;
        let authenticode = algorithms
            .iter()
            .zip(digests.iter())
            .filter_map(|(name, digest)| Some((from_webcrypto_name(name)?, digest.to_vec())))
            .collect();
        // Not hashed here: a stand-in, blanked below.
        let known = drvsig::KnownDigests { file_sha256: Some(vec![0; 32]), authenticode, word_sum: self.word_sum };
        let mut report = self.inspect_file(&options, &known);
        self.count_used(&options);
        report.sha256.clear();
        let files = [(self.name.clone(), self.data.bytes())];
        let inspection = drvsig::package::inspect_package_with_reports(&files, vec![report], &options);
        Ok(serde_json::to_string(&inspection).unwrap_or_default())
    }

    /// The Authenticode image-hash ranges as `[start, end, start, end, ..., zero_padding]`
    /// (concatenate the ranges, then append that many zero bytes), or `undefined` when the file is
    /// not a PE image whose headers can be read.
    pub fn authenticode_ranges(&self) -> Option<Vec<f64>> {
        let ranges = drvsig::pe::authenticode_ranges(self.data.bytes()).ok()?;
        let mut flat = Vec::with_capacity(ranges.ranges.len() * 2 + 1);
        for r in &ranges.ranges {
            flat.push(r.start as f64);
            flat.push(r.end as f64);
        }
        flat.push(ranges.zero_padding as f64);
        Some(flat)
    }

    /// The core's SHA-256 (sha2 in wasm) of the file, for the speed comparison with WebCrypto.
    pub fn sha256_wasm(&self) -> Vec<u8> {
        hash_with(DigestAlgorithm::Sha256, self.data.bytes())
    }

    /// The core's SHA-1 of the file (same comparison).
    pub fn sha1_wasm(&self) -> Vec<u8> {
        hash_with(DigestAlgorithm::Sha1, self.data.bytes())
    }

    /// The core's package pass on this one file (a zip is expanded into its members), with the
    /// digests computed outside the core: the whole file's SHA-256 (`file_sha256`) and
    /// Authenticode image hashes, `algorithms[i]` (WebCrypto names) -> `digests[i]`. Anything
    /// absent is hashed by the core. The JSON of an [`drvsig::InspectionReport`].
    pub fn inspect(
        &self,
        context: JsValue,
        file_sha256: Option<Vec<u8>>,
        algorithms: Vec<String>,
        digests: Vec<js_sys::Uint8Array>,
        verified: Option<Vec<u32>>,
    ) -> Result<String, JsValue> {
        let context: Context = from_js(context)?;
        let options = self.options_verified(&context, verified);
        let authenticode = algorithms
            .iter()
            .zip(digests.iter())
            .filter_map(|(name, digest)| Some((from_webcrypto_name(name)?, digest.to_vec())))
            .collect();
        let known = drvsig::KnownDigests { file_sha256, authenticode, word_sum: self.word_sum };
        let report = self.inspect_file(&options, &known);
        self.count_used(&options);
        let files = [(self.name.clone(), self.data.bytes())];
        let inspection = drvsig::package::inspect_package_with_reports(&files, vec![report], &options);
        *self.brief.borrow_mut() = Some(drvsig_messages::Brief::of(
            &inspection,
            context.target.as_deref().and_then(drvsig::policy::Target::from_id).unwrap_or(drvsig::triage::DEFAULT_TARGET),
        ));
        Ok(serde_json::to_string(&inspection).unwrap_or_default())
    }

    /// The core's inspection, with the signatures the plan decoded when there was one.
    fn inspect_file(&self, options: &drvsig::Options, known: &drvsig::KnownDigests) -> drvsig::FileReport {
        match &self.data {
            Data::Planned(planned) => {
                drvsig::file::inspect_decoded(&self.name, planned.borrow_owner(), options, known, planned.borrow_dependent())
            }
            Data::Read(bytes) => drvsig::inspect_with(&self.name, bytes, options, known),
        }
    }

    /// The brief of the last [`WorkerFile::inspect`] (`undefined` before one): the report in
    /// short, for the page's list and triage table.
    pub fn take_brief(&self) -> JsValue {
        self.brief.borrow_mut().take().map(|b| to_js(&b)).unwrap_or(JsValue::UNDEFINED)
    }
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS value as it is (js_sys's takes a `&str`: the text would be copied into
    /// the wasm memory and back).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_js(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// A report the page sent back (as a worker made it: a JS string), read with the browser's
/// `JSON.parse` and serde-wasm-bindgen: serde_json's deserializer for the whole report stays out of
/// this module.
fn report_from_js(json: &JsValue) -> Option<drvsig::InspectionReport> {
    if !json.is_string() {
        return None;
    }
    serde_wasm_bindgen::from_value(parse_js(json).ok()?).ok()
}

/// The reply carrying a file's report (`timings`: what the shim measured).
#[wasm_bindgen]
pub fn report_reply(id: f64, json: String, timings: JsValue, main_thread: bool) -> JsValue {
    to_js(&Reply::Report(Report { id: id as u64, json, timings, main_thread }))
}

/// The reply carrying a big file's verdict ([`WorkerFile::inspect_verdict`]), before its report.
#[wasm_bindgen]
pub fn verdict_reply(id: f64, json: String, timings: JsValue, main_thread: bool) -> JsValue {
    to_js(&Reply::Verdict(Report { id: id as u64, json, timings, main_thread }))
}

fn hash_with(alg: DigestAlgorithm, bytes: &[u8]) -> Vec<u8> {
    let mut h = alg.hasher();
    h.update(bytes);
    h.finalize().into_vec()
}

/// The package pass over every file on the page (a [`Packages`] request): `buffers[i]` holds the
/// bytes of `files[i]` (the shim read them); the reports the workers returned for those files are
/// reused by name, zip members included, so nothing is inspected again. A zip with
/// `members` gives only those members. Replies [`Reply::Packages`].
#[wasm_bindgen]
pub fn package_pass(request: JsValue, buffers: Vec<js_sys::Uint8Array>) -> Result<JsValue, JsValue> {
    let request: Packages = from_js(request)?;
    let options = options_for(&request.context);
    let mut owned: Vec<(String, Vec<u8>)> = Vec::with_capacity(request.files.len());
    for (file, buffer) in request.files.iter().zip(buffers.iter()) {
        let bytes = buffer.to_vec();
        match &file.members {
            None => owned.push((file.name.clone(), bytes)),
            Some(members) => {
                for member in members {
                    if let Some(data) = drvsig::package::zip_member(&bytes, member) {
                        owned.push((format!("{}/{member}", file.name), data));
                    }
                }
            }
        }
    }
    let files: Vec<(String, &[u8])> = owned.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
    let known: Vec<drvsig::FileReport> =
        js_sys::Array::from(&request.reports).iter().filter_map(|json| report_from_js(&json)).flat_map(|r| r.files).collect();
    let report = drvsig::package::inspect_package_with_reports(&files, known, &options);
    let json = serde_json::to_string(&report.packages).unwrap_or_default();
    Ok(to_js(&Reply::Packages(Json { id: request.id, json })))
}

/// A file that may be a block list (a [`drvsig_messages::BlockList`] request): when its content is
/// one (SiPolicy XML, LOLDrivers JSON / YAML), its card: what the core says of the file, and a
/// finding saying the list is in use (its name, version and rule counts) or why it cannot be read
/// (file, line, element). Replies [`Reply::BlockList`].
#[wasm_bindgen]
pub fn block_list(request: JsValue) -> Result<JsValue, JsValue> {
    let request: drvsig_messages::BlockList = from_js(request)?;
    let (name, bytes) = (&request.name, &request.bytes.0);
    if drvsig::blocklist::sniff(bytes).is_none() {
        return Ok(to_js(&Reply::BlockList(BlockListCard { id: request.id, card: None, in_use: false })));
    }
    let mut report = drvsig::inspect(name, bytes, &drvsig::Options::at(drvsig::UnixTime(request.time)));
    let (finding, in_use) = match drvsig::blocklist::parse_user_list(name, bytes) {
        Ok(list) => {
            let c = &list.info.counts;
            let text = format!(
                "Block list in use for the drivers inspected from now on: {} {} ({} hash rules, {} file name rules, {} signers, {} LOLDrivers records).",
                list.info.name, list.info.version, c.hash_rules, c.file_name_rules, c.signer_rules, c.records
            );
            (drvsig::Finding::new("blocklist.dropped", drvsig::Outcome::Pass, text), true)
        }
        Err(e) => (
            drvsig::Finding::new(
                "blocklist.dropped",
                drvsig::Outcome::Fail,
                format!("This block list cannot be read: {e}. The drivers are inspected with the other lists."),
            ),
            false,
        ),
    };
    report.findings.push(finding);
    let card = serde_json::to_string(&report).ok();
    Ok(to_js(&Reply::BlockList(BlockListCard { id: request.id, card, in_use })))
}

/// A zip member's bytes (a [`drvsig_messages::ZipMember`] request; `zip`: the zip's bytes, read by
/// the shim), read out of the zip by the core within its caps. Replies [`Reply::Bytes`].
#[wasm_bindgen]
pub fn zip_member(request: JsValue, zip: &[u8]) -> Result<JsValue, JsValue> {
    let request: drvsig_messages::ZipMember = from_js(request)?;
    let bytes = drvsig::package::zip_member(zip, &request.member).map(Bytes);
    Ok(to_js(&Reply::Bytes(MemberBytes { id: request.id, bytes })))
}

/// The good demo package, for the warm-up: an INF, its catalog and a signed driver.
static GOOD: &[u8] = include_bytes!("../../../www/demo/good.zip");

/// The good demo package's files as `[[name, bytes], ...]`, for the shim's warm-up: it runs
/// them through a drop's own path (read, plan, WebCrypto digests, inspect, package pass) a few
/// times, so the functions a drop runs are hot (optimised by the engine) before the first drop
/// pays for it: a typical package's first batch took 30 ms in a fresh worker, 10 once warm.
#[wasm_bindgen]
pub fn warm_up_files() -> js_sys::Array {
    warm_up_members()
        .into_iter()
        .map(|(name, bytes)| JsValue::from(js_sys::Array::of2(&JsValue::from_str(name), &js_sys::Uint8Array::from(&bytes[..]))))
        .collect()
}

/// The warm-up's files, read out of the good demo package (see [`warm_up_files`]).
fn warm_up_members() -> Vec<(&'static str, Vec<u8>)> {
    ["good/drvsigtest.inf", "good/drvsigtest.cat", "good/drvsigtest.sys"]
        .into_iter()
        .filter_map(|member| {
            let bytes = drvsig::package::zip_member(GOOD, member)?;
            Some((member.rsplit('/').next().unwrap_or(member), bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The warm-up runs a whole package (INF, its catalog, a signed driver) through a drop's path:
    /// if the demo package changes, this says so instead of the warm-up quietly warming less.
    #[test]
    fn the_warm_up_is_a_whole_signed_package() {
        let members = warm_up_members();
        let names: Vec<&str> = members.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["drvsigtest.inf", "drvsigtest.cat", "drvsigtest.sys"]);
        let files: Vec<(String, &[u8])> = members.iter().map(|(n, b)| (n.to_string(), &b[..])).collect();
        let report = drvsig::package::inspect_package(&files, &drvsig::Options::at(drvsig::UnixTime(1_767_225_600)));
        assert_eq!(report.packages.len(), 1, "one package: {:?}", report.packages);
        let driver = report.files.iter().find(|f| f.name == "drvsigtest.sys").expect("the driver's report");
        assert!(!driver.signatures.is_empty(), "the driver is signed");
    }
}
