//! The messages between the page (`www/`, crate `drvsig-www`) and its inspection workers
//! (`crates/worker`, run by `www/static/inspector.js`): one definition for both sides, sent with
//! `serde-wasm-bindgen` (`to_value` / `from_value`) through `postMessage`.
//!
//! Every message is an externally tagged enum, so on the wire it is an object with one key naming
//! the variant: `{ inspect: { id, name, ... } }`, `{ report: { id, json, timings } }`. The JS shim
//! routes by that key, moves bytes (reads a `File` into the wasm memory, has WebCrypto hash it) and
//! posts what the wasm returns; it builds only the replies that carry no data from the core
//! ([`Reply::Ready`], [`Reply::Progress`], [`Reply::Inspecting`], [`Reply::Error`]).
//!
//! Bytes are [`Bytes`] (a `Uint8Array` on the wire); a user's `File` or a transferred `ArrayBuffer`
//! is a [`JsValue`] kept as it is (`serde_wasm_bindgen::preserve`). Maps are avoided: the default
//! serializer makes them ES `Map`s.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasm_bindgen::JsValue;

/// A request's id: the page's file id for an inspection, a fresh one otherwise (the reply carries it).
pub type RequestId = u64;

/// Page -> worker.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Request {
    /// Inspect one file (a zip is expanded into its members): answered by [`Reply::Report`], with
    /// [`Reply::Progress`] and [`Reply::Inspecting`] before.
    Inspect(Inspect),
    /// Several small files, each inspected as [`Request::Inspect`] would (the worker reads them),
    /// and with `package` the package pass over them and their reports: answered by one
    /// [`Reply::Batch`], nothing before it.
    Batch(Batch),
    /// The package pass over the page's files: answered by [`Reply::Packages`].
    Packages(Packages),
    /// A file that may be a block list (by its name): answered by [`Reply::BlockList`].
    BlockList(BlockList),
    /// One member of a zip, read out of it: answered by [`Reply::Bytes`].
    ZipMember(ZipMember),
    /// WebCrypto vs wasm SHA-256 timings, for the record: answered by [`Reply::Bench`].
    Bench(Bench),
}

/// What every inspection needs besides the bytes.
#[derive(Serialize, Deserialize, Default, Clone)]
pub struct Context {
    /// The verification time, seconds since the Unix epoch (the page's clock).
    pub time: i64,
    /// The DER roots the person trusts for the page.
    #[serde(default)]
    pub trust: Vec<Bytes>,
    /// The block lists dropped on the page, used beside the built-in ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lists: Option<DroppedLists>,
    /// The id (`Target::id`) of the target the page shows: a batched file's [`Brief`] carries its
    /// triage row on it. A string: the page then has no serializer of its own for targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct Inspect {
    pub id: RequestId,
    pub name: String,
    pub context: Context,
    /// A `File` (the worker reads it, with progress) or an `ArrayBuffer` (transferred).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub source: JsValue,
}

#[derive(Serialize, Deserialize)]
pub struct Batch {
    pub id: RequestId,
    pub context: Context,
    pub files: Vec<BatchFile>,
    /// The files are every file on the page: run the package pass over them too.
    #[serde(default)]
    pub package: bool,
}

#[derive(Serialize, Deserialize)]
pub struct BatchFile {
    /// The page's file id.
    pub id: RequestId,
    pub name: String,
    /// A `File`, or its bytes (an `ArrayBuffer`, transferred: the page read them).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub source: JsValue,
}

/// The block lists dropped on the page; `version` changes whenever they do (a worker parses them
/// again only then).
#[derive(Serialize, Deserialize, Default, Clone)]
pub struct DroppedLists {
    pub version: u32,
    pub lists: Vec<NamedBytes>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct NamedBytes {
    pub name: String,
    pub bytes: Bytes,
}

#[derive(Serialize, Deserialize)]
pub struct Packages {
    pub id: RequestId,
    pub context: Context,
    pub files: Vec<PackageFile>,
    /// The `InspectionReport` JSONs the workers made for those files (reused, not made again): a
    /// JS array of strings, passed as it is (the page never copies them into its wasm memory).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub reports: JsValue,
}

/// One file of the package pass.
#[derive(Serialize, Deserialize)]
pub struct PackageFile {
    pub name: String,
    /// A `File` or an `ArrayBuffer`.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub source: JsValue,
    /// A zip some of whose members were removed from the page: only these members (named
    /// `{name}/{member}` in the pass), not the whole zip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

#[derive(Serialize, Deserialize)]
pub struct BlockList {
    pub id: RequestId,
    pub name: String,
    pub time: i64,
    pub bytes: Bytes,
}

#[derive(Serialize, Deserialize)]
pub struct ZipMember {
    pub id: RequestId,
    /// The zip: a `File` or an `ArrayBuffer`.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub zip: JsValue,
    /// The member's name inside the zip, as the core named it.
    pub member: String,
}

#[derive(Serialize, Deserialize)]
pub struct Bench {
    pub id: RequestId,
    pub mib: u32,
}

/// Worker -> page.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reply {
    /// Once, when the worker's wasm is loaded (`ok`) or failed to load.
    Ready(Ready),
    /// `loaded` of `total` bytes of the file read, at most every 50 ms.
    Progress(Progress),
    /// Read; now hashing and verifying.
    Inspecting(Stage),
    /// A big file's verdict, before its report: the `InspectionReport` made with the Authenticode
    /// digests its signatures name, without the whole file's SHA-256 (`sha256` is empty) and
    /// without the block lists (their hash rules need more digests). The [`Reply::Report`] that
    /// follows completes it.
    Verdict(Report),
    /// The file's `InspectionReport`.
    Report(Report),
    /// The reports of a [`Request::Batch`] (and its packages when asked).
    Batch(Batched),
    /// The packages (`Vec<PackageReport>`) of the package pass.
    Packages(Json),
    /// The card of a dropped block list.
    BlockList(BlockListCard),
    /// A zip member's bytes (`None`: no such member, or it could not be read).
    Bytes(MemberBytes),
    /// The SHA-256 timings (JSON).
    Bench(Json),
    /// The request failed.
    Error(Failure),
}

#[derive(Serialize, Deserialize)]
pub struct Ready {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct Progress {
    pub id: RequestId,
    pub loaded: f64,
    pub total: f64,
}

#[derive(Serialize, Deserialize)]
pub struct Stage {
    pub id: RequestId,
}

#[derive(Serialize, Deserialize)]
pub struct Report {
    pub id: RequestId,
    /// The `InspectionReport` JSON (the page keeps it for the package pass).
    pub json: String,
    /// Where the time went (read, plan, hash, core milliseconds, ...), measured by the shim; the
    /// page writes it to `<body data-timings>` for the e2e tests and the benchmark.
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub timings: JsValue,
    /// Whether it ran on the page's main thread (no Web Worker: `inspector.js` loaded in the page).
    #[serde(default)]
    pub main_thread: bool,
}

#[derive(Serialize, Deserialize)]
pub struct Batched {
    pub id: RequestId,
    /// One per file, in the request's order.
    pub reports: Vec<BatchReport>,
    /// The packages (`Vec<PackageReport>` JSON) when the request asked for them.
    #[serde(default)]
    pub packages: Option<String>,
    /// What the shim measured (read, inspect, package milliseconds, ...).
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub timings: JsValue,
    #[serde(default)]
    pub main_thread: bool,
}

#[derive(Serialize, Deserialize)]
pub struct BatchReport {
    /// The page's file id.
    pub id: RequestId,
    /// The `InspectionReport` JSON (a JS string, kept as it is: the page parses it with the
    /// browser's JSON.parse and keeps it for the package pass, never copying it into its wasm
    /// memory), or `undefined` and why there is none.
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub json: JsValue,
    #[serde(default)]
    pub error: Option<String>,
    /// What the page shows of the file before it reads the report (with a thousand files, it
    /// reads only the reports of the cards it draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brief: Option<Brief>,
}

/// A batched file's report in short, made by the worker from the report it sends: enough for the
/// page's list of files and its triage table, so the page decodes a whole report only when it
/// draws the file's card (or exports).
#[derive(Serialize, Deserialize)]
pub struct Brief {
    /// The report's `kind`, `size` and `name`.
    pub kind: drvsig::FileKind,
    pub size: u64,
    pub name: String,
    /// The inspection is this one file's report and no package (not a zip with members, not a
    /// catalog forming a package of its own): the page may take the report's place with this brief.
    pub alone: bool,
    /// The file's triage row on `target` (the request's [`Context::target`]), as
    /// `drvsig::triage::triage` makes it for the file outside any package.
    pub target: drvsig::report::Target,
    pub row: Option<drvsig::triage::TriageRow>,
}

impl Brief {
    /// The brief of an inspection: its first file's kind, size, name and triage row on `target`,
    /// the row `drvsig::triage::triage` gives that file alone (outside any package), as the page
    /// makes it for a file outside every package.
    pub fn of(inspection: &drvsig::InspectionReport, target: drvsig::report::Target) -> Brief {
        let own = inspection.files.first();
        let row = own.map(|file| drvsig::triage::file_row(file, target));
        Brief {
            kind: own.map(|f| f.kind).unwrap_or_default(),
            size: own.map_or(0, |f| f.size),
            name: own.map(|f| f.name.clone()).unwrap_or_default(),
            alone: inspection.files.len() == 1 && inspection.packages.is_empty(),
            target,
            row,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct Json {
    pub id: RequestId,
    pub json: String,
}

#[derive(Serialize, Deserialize)]
pub struct BlockListCard {
    pub id: RequestId,
    /// The card's `FileReport` JSON; `None` when the file is not a block list after all (it is
    /// then inspected as any file).
    #[serde(default)]
    pub card: Option<String>,
    /// The list can be read: every later inspection should carry it.
    pub in_use: bool,
}

#[derive(Serialize, Deserialize)]
pub struct MemberBytes {
    pub id: RequestId,
    #[serde(default)]
    pub bytes: Option<Bytes>,
}

#[derive(Serialize, Deserialize)]
pub struct Failure {
    pub id: RequestId,
    pub error: String,
}

impl Reply {
    /// The request this reply answers (`None` for [`Reply::Ready`]).
    pub fn id(&self) -> Option<RequestId> {
        match self {
            Reply::Ready(_) => None,
            Reply::Progress(p) => Some(p.id),
            Reply::Inspecting(s) => Some(s.id),
            Reply::Verdict(r) | Reply::Report(r) => Some(r.id),
            Reply::Batch(b) => Some(b.id),
            Reply::Packages(j) | Reply::Bench(j) => Some(j.id),
            Reply::BlockList(c) => Some(c.id),
            Reply::Bytes(b) => Some(b.id),
            Reply::Error(f) => Some(f.id),
        }
    }
}

/// Bytes that travel as a `Uint8Array` (serde's bytes, not a sequence of numbers).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Bytes(out))
            }
        }
        deserializer.deserialize_byte_buf(Visitor)
    }
}
