//! The page state and its pure reducer (no browser types: unit-tested natively).
//!
//! Files move through `Queued -> Reading -> Inspecting -> Done | Failed`. The services own the
//! bytes; the state only holds names, sizes and the finished [`FileReport`]s. A zip's members become
//! entries of their own (already done) right after the zip. Once every file is in, the services
//! run the package pass over all of them and the state keeps the [`PackageReport`]s it returns.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use drvsig::report::{PackageReport, Target};
use drvsig::triage::TriageRow;
use drvsig::{FileKind, FileReport, InspectionReport, Outcome};
use drvsig_messages::Brief;
use yew::Reducible;

/// Identifies one file for the lifetime of the page (never reused).
pub type FileId = u64;

/// Where one file is in the pipeline.
#[derive(Clone, Debug)]
pub enum Status {
    /// Waiting for the files before it.
    Queued,
    /// Its bytes are being read from disk.
    Reading,
    /// Its bytes are read; the core is inspecting them.
    Inspecting,
    /// The core's report.
    Done(Rc<Report>),
    /// Reading failed (the browser's message).
    Failed(String),
}

/// Two finished statuses are equal when they hold the same report (the same `Rc`): the page
/// never makes two reports of one inspection, and comparing a thousand reports field by field on
/// every render is what the components' props comparison must not do.
impl PartialEq for Status {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Status::Queued, Status::Queued) | (Status::Reading, Status::Reading) | (Status::Inspecting, Status::Inspecting) => true,
            (Status::Done(a), Status::Done(b)) => Rc::ptr_eq(a, b),
            (Status::Failed(a), Status::Failed(b)) => a == b,
            _ => false,
        }
    }
}

impl Status {
    pub fn is_busy(&self) -> bool {
        matches!(self, Status::Queued | Status::Reading | Status::Inspecting)
    }
}

/// A file's report as the page holds it. A batched file's comes as the worker's JSON and a
/// [`Brief`] (its kind, size, name and triage row): the JSON is decoded the first time something
/// reads the report (its card is drawn, an export, another target's triage), not when it arrives.
/// With a thousand files, decoding every report of ~15 KB as it came took ~450 ms of the main
/// thread, for cards of which 20 are drawn.
///
/// It reads as a [`FileReport`] (`Deref`); [`Report::size`], [`Report::kind`], [`Report::name`]
/// and [`Report::row`] answer from the brief without decoding.
pub struct Report {
    decoded: OnceCell<FileReport>,
    decode: RefCell<Option<Decode>>,
    brief: Option<Brief>,
    row: Option<Rc<TriageRow>>,
}

type Decode = Box<dyn FnOnce() -> Result<FileReport, String>>;

impl Report {
    /// A report decoded already.
    pub fn new(report: FileReport) -> Report {
        Report { decoded: OnceCell::from(report), decode: RefCell::new(None), brief: None, row: None }
    }

    /// A report `decode` makes when it is first read; `brief` answers until then. A report that
    /// cannot be decoded reads as the brief's file with a failed finding saying why.
    pub fn lazy(mut brief: Brief, decode: impl FnOnce() -> Result<FileReport, String> + 'static) -> Report {
        let row = brief.row.take().map(Rc::new);
        Report { decoded: OnceCell::new(), decode: RefCell::new(Some(Box::new(decode))), brief: Some(brief), row }
    }

    /// The whole report (decoded now if it was not). Not inlined: every view reads reports
    /// through it (inlined at each, the decoding path cost the page's wasm kilobytes).
    #[inline(never)]
    pub fn file(&self) -> &FileReport {
        self.decoded.get_or_init(|| {
            let decoded = self.decode.borrow_mut().take().map(|decode| decode());
            match decoded {
                Some(Ok(report)) => report,
                Some(Err(why)) => self.unreadable(&why),
                None => self.unreadable("it is gone"),
            }
        })
    }

    #[inline(never)]
    fn unreadable(&self, why: &str) -> FileReport {
        let brief = self.brief.as_ref();
        FileReport {
            name: brief.map(|b| b.name.clone()).unwrap_or_default(),
            size: self.size(),
            kind: self.kind(),
            findings: vec![drvsig::Finding::new(
                "page.report-unreadable",
                Outcome::Fail,
                format!("The worker's report for this file cannot be read on the page ({why}): inspect it again, or with the CLI."),
            )],
            ..FileReport::default()
        }
    }

    /// Whether the whole report has been decoded.
    pub fn is_decoded(&self) -> bool {
        self.decoded.get().is_some()
    }

    pub fn size(&self) -> u64 {
        match (self.decoded.get(), &self.brief) {
            (None, Some(b)) => b.size,
            _ => self.file().size,
        }
    }

    pub fn kind(&self) -> FileKind {
        match (self.decoded.get(), &self.brief) {
            (None, Some(b)) => b.kind,
            _ => self.file().kind,
        }
    }

    pub fn name(&self) -> &str {
        match (self.decoded.get(), &self.brief) {
            (None, Some(b)) => &b.name,
            _ => &self.file().name,
        }
    }

    /// The worker's triage row for `target` (the file outside any package), when it made one for
    /// that target.
    pub fn row(&self, target: Target) -> Option<Rc<TriageRow>> {
        self.row.clone().filter(|_| self.brief.as_ref().is_some_and(|b| b.target == target))
    }
}

impl std::ops::Deref for Report {
    type Target = FileReport;
    fn deref(&self) -> &FileReport {
        self.file()
    }
}

impl From<FileReport> for Report {
    fn from(report: FileReport) -> Report {
        Report::new(report)
    }
}

/// Two reports are equal when they are the same one (see [`Status`]'s `PartialEq`).
impl PartialEq for Report {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.decoded.get() {
            Some(report) => report.fmt(f),
            None => f.debug_struct("Report").field("name", &self.name()).finish_non_exhaustive(),
        }
    }
}

/// One file on the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: FileId,
    /// The name, or the path relative to the dropped / picked folder.
    pub name: String,
    /// `None` until it is known (see `Picked::size`): the report says it.
    pub size: Option<u64>,
    pub status: Status,
    /// While it is read: (bytes read, bytes in all), from the worker's progress messages.
    pub loaded: Option<(u64, u64)>,
    /// Its verdict is shown (`Done`), but the whole file's SHA-256 and the block lists' check are
    /// still computed (a big file: [`Action::Verdict`], then [`Action::Done`] completes it).
    pub completing: bool,
}

/// What the page shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppState {
    /// In the order the files were added (a zip's members right after the zip). Shared with the
    /// components (a thousand entries are not copied per render); changed through `entries_mut`.
    pub entries: Rc<Vec<Entry>>,
    /// Zip members: member id -> the zip's id.
    pub parents: BTreeMap<FileId, FileId>,
    /// The packages formed by all files on the page (empty when there is no INF or catalog).
    pub packages: Rc<Vec<PackageReport>>,
    /// The package pass is running (or waiting for files still in progress).
    pub packages_pending: bool,
    /// Saved reports (dropped drvsig JSON reports, a share link), shown in their own sections.
    pub saved: Vec<crate::saved::Saved>,
    /// Roots the person trusts for this page ("Trust this root for this page"), kept by Clear.
    pub trusted: Vec<TrustedRoot>,
    /// `packages` is the package pass over the files now on the page (false from a drop until
    /// its pass comes back): the Compare view waits for it.
    pub packaged: bool,
    /// Compare mode: the earlier drop the files on the page are compared with.
    pub compare_base: Option<Rc<CompareBase>>,
}

/// A root the person added for this page (like the CLI's `--trust`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedRoot {
    /// SHA-256 thumbprint (lowercase hex), its identity.
    pub sha256: String,
    pub subject: String,
    pub der: Rc<Vec<u8>>,
}

/// The old side of a comparison: what was on the page when "Compare with another version" was
/// pressed (the files' reports and packages; the bytes are not kept).
#[derive(Clone, Debug, PartialEq)]
pub struct CompareBase {
    /// The files as people know them: the dropped files and zips (not zip members), shortened.
    pub label: String,
    pub report: InspectionReport,
}

/// A file that was picked or dropped, before it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFile {
    pub id: FileId,
    pub name: String,
    /// `None` until it is known (see `Picked::size`).
    pub size: Option<u64>,
}

/// Everything that changes the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Add(Vec<NewFile>),
    Reading(FileId),
    /// `loaded` of `total` bytes read (the file is being read).
    Progress(FileId, u64, u64),
    Inspecting(FileId),
    /// The file's size, learnt by the worker that was to read it (it is read alone now).
    Sized(FileId, u64),
    Done(FileId, Rc<Report>),
    /// A big file's verdict before its report: the report without the whole file's SHA-256 and the
    /// block lists' check (the [`Action::Done`] that follows completes it).
    Verdict(FileId, Rc<Report>),
    /// The members of a zip, each with its report (the core expanded the zip).
    Members(FileId, Vec<(FileId, Rc<Report>)>),
    Failed(FileId, String),
    /// The package pass started.
    PackagesPending,
    /// The package pass over every file on the page.
    Packages(Rc<Vec<PackageReport>>),
    Remove(FileId),
    Clear,
    /// A dropped file (or the share link) is a saved drvsig report: shown as such, not as a file.
    Saved(crate::saved::Saved),
    /// Trust this root for the page (again: no duplicate), or stop trusting the one with this SHA-256.
    Trust(TrustedRoot),
    Untrust(String),
    /// Keep what is on the page as the old side of a comparison and clear the page for the new one,
    /// but for these cards (the dropped block lists', which judge the new side too).
    CompareWith(Vec<FileId>),
    /// Leave Compare mode (the files on the page stay).
    StopComparing,
    /// Several actions in order, applied to one copy of the state (one render): what the
    /// services report within one animation frame.
    Batch(Vec<Action>),
}

impl AppState {
    /// The pure transition function behind [`Reducible`].
    pub fn apply(&self, action: Action) -> AppState {
        let mut next = self.clone();
        next.apply_mut(action);
        next
    }

    fn entries_mut(&mut self) -> &mut Vec<Entry> {
        Rc::make_mut(&mut self.entries)
    }

    fn apply_mut(&mut self, action: Action) {
        let next = self;
        match action {
            Action::Batch(actions) => {
                for action in actions {
                    next.apply_mut(action);
                }
            }
            Action::Add(files) => {
                next.packaged = false;
                let mut known: std::collections::HashSet<FileId> = next.entries.iter().map(|e| e.id).collect();
                let entries = next.entries_mut();
                for file in files {
                    if !known.insert(file.id) {
                        continue;
                    }
                    entries.push(Entry {
                        id: file.id,
                        name: file.name,
                        size: file.size,
                        status: Status::Queued,
                        loaded: None,
                        completing: false,
                    });
                }
            }
            Action::Reading(id) => next.set_status(id, Status::Reading),
            Action::Progress(id, loaded, total) => {
                if let Some(entry) = next.entry_mut(id) {
                    // Late progress never moves a file back from inspecting or done.
                    if matches!(entry.status, Status::Queued | Status::Reading) {
                        entry.status = Status::Reading;
                        entry.loaded = Some((loaded.min(total), total));
                    }
                }
            }
            Action::Inspecting(id) => {
                if let Some(entry) = next.entry_mut(id) {
                    if entry.status.is_busy() {
                        entry.status = Status::Inspecting;
                        entry.loaded = None;
                    }
                }
            }
            Action::Sized(id, size) => {
                if let Some(entry) = next.entry_mut(id) {
                    entry.size = Some(size);
                }
            }
            Action::Done(id, report) => {
                // The report knows the exact size; the picker's size is only a hint.
                let size = report.size();
                if let Some(entry) = next.entry_mut(id) {
                    entry.size = Some(size);
                    entry.status = Status::Done(report);
                    entry.completing = false;
                }
            }
            Action::Verdict(id, report) => {
                let size = report.size();
                if let Some(entry) = next.entry_mut(id) {
                    // Only while it runs: a late verdict never replaces a report.
                    if entry.status.is_busy() {
                        entry.size = Some(size);
                        entry.status = Status::Done(report);
                        entry.loaded = None;
                        entry.completing = true;
                    }
                }
            }
            Action::Members(parent, members) => {
                next.packaged = false;
                let Some(at) = next.entries.iter().position(|e| e.id == parent) else {
                    return;
                };
                // After the zip and any members it already has.
                let mut insert = at + 1;
                while next.entries.get(insert).is_some_and(|e| next.parents.get(&e.id) == Some(&parent)) {
                    insert += 1;
                }
                for (id, report) in members {
                    if next.entries.iter().any(|e| e.id == id) {
                        continue;
                    }
                    next.parents.insert(id, parent);
                    next.entries_mut().insert(
                        insert,
                        Entry {
                            id,
                            name: report.name.clone(),
                            size: Some(report.size()),
                            status: Status::Done(report),
                            loaded: None,
                            completing: false,
                        },
                    );
                    insert += 1;
                }
            }
            Action::Failed(id, message) => {
                if let Some(entry) = next.entry_mut(id) {
                    entry.completing = false;
                }
                next.set_status(id, Status::Failed(message));
            }
            Action::PackagesPending => next.packages_pending = true,
            Action::Packages(packages) => {
                next.packages = packages;
                next.packages_pending = false;
                next.packaged = true;
            }
            Action::Remove(id) => {
                next.saved.retain(|s| s.id != id);
                let parents = next.parents.clone();
                next.entries_mut().retain(|e| e.id != id && parents.get(&e.id) != Some(&id));
                next.parents.retain(|member, parent| *member != id && *parent != id);
            }
            Action::Trust(root) => {
                if !next.trusted.iter().any(|r| r.sha256 == root.sha256) {
                    next.trusted.push(root);
                }
            }
            Action::Untrust(sha256) => next.trusted.retain(|r| r.sha256 != sha256),
            Action::Saved(saved) => {
                let id = saved.id;
                next.entries_mut().retain(|e| e.id != id);
                next.saved.retain(|s| s.id != id);
                next.saved.push(saved);
            }
            Action::Clear => {
                next.saved.clear();
                next.clear_files();
            }
            Action::CompareWith(keep) => {
                if next.busy() == 0 && !next.entries.is_empty() {
                    let label = next.drop_label();
                    let report = next.inspection_report();
                    next.compare_base = Some(Rc::new(CompareBase { label, report }));
                    let kept: Vec<Entry> = next.entries.iter().filter(|e| keep.contains(&e.id)).cloned().collect();
                    next.clear_files();
                    next.entries = Rc::new(kept);
                }
            }
            Action::StopComparing => next.compare_base = None,
        }
    }

    fn clear_files(&mut self) {
        self.entries = Rc::new(Vec::new());
        self.parents.clear();
        self.packages = Rc::new(Vec::new());
        self.packages_pending = false;
        self.packaged = false;
    }

    /// `good.zip`, `a.inf, a.cat, a.sys`, `a.inf, a.cat, a.sys and 4 more`: the files and zips
    /// dropped (zip members left out).
    pub fn drop_label(&self) -> String {
        let names: Vec<&str> = self.entries.iter().filter(|e| !self.parents.contains_key(&e.id)).map(|e| e.name.as_str()).collect();
        match names.len() {
            0..=3 => names.join(", "),
            n => format!("{} and {} more", names[..3].join(", "), n - 3),
        }
    }

    /// In Compare mode, once every file on the page is inspected and packaged: the diff of the
    /// earlier drop against the page (`drvsig::diff`).
    pub fn comparison(&self) -> Option<drvsig::diff::DiffReport> {
        let base = self.compare_base.as_ref()?;
        let ready = !self.entries.is_empty() && self.busy() == 0 && !self.packages_pending && self.packaged;
        ready.then(|| drvsig::diff::diff(&base.report, &self.inspection_report()))
    }

    /// The zip a member came from.
    pub fn parent_of(&self, id: FileId) -> Option<FileId> {
        self.parents.get(&id).copied()
    }

    /// Everything finished so far as the core's report: every file's report in page order, then
    /// the packages (what the JSON and Markdown exports contain).
    pub fn inspection_report(&self) -> InspectionReport {
        InspectionReport {
            made_by: None,
            files: self
                .entries
                .iter()
                .filter_map(|e| match &e.status {
                    Status::Done(r) => Some(r.file().clone()),
                    _ => None,
                })
                .collect(),
            packages: (*self.packages).clone(),
        }
    }

    /// The finished report of the file with this name (package rows name files by path).
    pub fn report_named(&self, name: &str) -> Option<(FileId, Rc<Report>)> {
        self.entries.iter().find_map(|e| match &e.status {
            Status::Done(r) if e.name == name => Some((e.id, r.clone())),
            _ => None,
        })
    }

    fn entry_mut(&mut self, id: FileId) -> Option<&mut Entry> {
        // Only the vector's first change in a batch copies it (the previous state shares it).
        let at = self.entries.iter().position(|e| e.id == id)?;
        self.entries_mut().get_mut(at)
    }

    /// Updates a file still on the page; results for removed files are dropped.
    fn set_status(&mut self, id: FileId, status: Status) {
        if let Some(entry) = self.entry_mut(id) {
            entry.status = status;
        }
    }

    /// How many files are still queued, being read or being inspected.
    pub fn busy(&self) -> usize {
        self.entries.iter().filter(|e| e.status.is_busy() || e.completing).count()
    }

    /// One sentence for the screen-reader live region.
    pub fn announcement(&self) -> String {
        let total = self.entries.len();
        let busy = self.busy();
        match (total, busy) {
            (0, _) => "No files.".to_string(),
            (t, 0) => format!("{} inspected.", plural(t, "file", "files")),
            (t, b) => format!("{} of {} inspected; {} in progress.", t - b, plural(t, "file", "files"), b),
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Files bigger than this are not read: a message card says so (the CLI has no such limit).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The message for a file too big to read in the page, or `None` when it is fine.
pub fn too_large(size: u64) -> Option<String> {
    (size > MAX_FILE_BYTES).then(|| {
        format!(
            "This file is {}, more than the {} MiB this page reads into memory. Inspect it with the drvsig command-line tool instead (`drvsig inspect FILE`).",
            human_size(size),
            MAX_FILE_BYTES / (1024 * 1024)
        )
    })
}

/// One bundled demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Demo {
    /// The `?demo=` value.
    pub id: &'static str,
    pub label: &'static str,
    pub description: &'static str,
}

/// The demos the page bundles, in the picker's order.
pub const DEMOS: [Demo; 4] = [
    Demo { id: "driver", label: "Signed driver", description: "A dual-signed test driver (.sys) with timestamps" },
    Demo { id: "good", label: "Good package", description: "INF, catalog and driver: every file covered" },
    Demo { id: "tampered", label: "Tampered package", description: "The driver was changed after the catalog was signed" },
    Demo { id: "missing-file", label: "Missing file", description: "The INF and catalog list a file that is not there" },
];

/// Which demo a `?demo` query value asks for: none for `0` / `false` / `no`, the signed driver for
/// an empty or unknown value (so `?demo` alone keeps its old meaning).
pub fn demo_from_query(value: Option<&str>) -> Option<&'static str> {
    let value = value?.trim();
    if matches!(value, "0" | "false" | "no") {
        return None;
    }
    Some(DEMOS.iter().find(|d| d.id.eq_ignore_ascii_case(value)).map(|d| d.id).unwrap_or("driver"))
}

/// The Windows targets `?target=ID` values ask for (repeatable; ids as in the JSON, e.g.
/// `?target=win11-24h2-enforced&target=server-2025`), and the values that name no target. No
/// known target means every target (the table is never emptied by a typo).
pub fn targets_from_query(values: &[String]) -> (Vec<drvsig::policy::Target>, Vec<String>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for v in values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|v| !v.is_empty()) {
        match drvsig::policy::Target::from_id(v) {
            Some(t) if !known.contains(&t) => known.push(t),
            Some(_) => {}
            None => unknown.push(v.to_string()),
        }
    }
    (known, unknown)
}

/// The target the page starts with: the first known `?target=` value (a deep link), else the
/// remembered choice, else [`drvsig::triage::DEFAULT_TARGET`] (the newest mainstream Windows).
pub fn initial_target(query: &[String], stored: Option<&str>) -> drvsig::policy::Target {
    let (known, _) = targets_from_query(query);
    known
        .first()
        .copied()
        .or_else(|| stored.and_then(|s| drvsig::policy::Target::from_id(s.trim())))
        .unwrap_or(drvsig::triage::DEFAULT_TARGET)
}

/// The headline for one finished report: the worst outcome anywhere in it, and a short text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub text: &'static str,
}

pub fn verdict(report: &FileReport) -> Verdict {
    let mut outcomes: Vec<Outcome> = report.findings.iter().map(|f| f.outcome).collect();
    for sig in &report.signatures {
        outcomes.push(sig.digest_verdict);
        outcomes.push(sig.signature_verdict);
        outcomes.push(sig.page_hash_verdict);
        outcomes.extend(sig.findings.iter().map(|f| f.outcome));
        for ts in &sig.timestamps {
            outcomes.push(ts.verdict);
            outcomes.extend(ts.findings.iter().map(|f| f.outcome));
        }
    }
    let worst = |o: Outcome| outcomes.contains(&o);
    let signable = report.kind.is_pe() || report.kind == drvsig::FileKind::Catalog;
    if worst(Outcome::Fail) {
        Verdict { outcome: Outcome::Fail, text: "Problems found" }
    } else if signable && report.signatures.is_empty() {
        Verdict { outcome: Outcome::Warn, text: "No signature found" }
    } else if worst(Outcome::Warn) {
        Verdict { outcome: Outcome::Warn, text: "Warnings" }
    } else if worst(Outcome::Unsupported) {
        Verdict { outcome: Outcome::Unsupported, text: "Some checks could not be made" }
    } else if worst(Outcome::Pass) {
        Verdict { outcome: Outcome::Pass, text: "No problems found" }
    } else {
        Verdict { outcome: Outcome::NotPresent, text: "Nothing to check" }
    }
}

/// Order for showing outcomes: failures, then warnings, then the rest.
pub fn severity_rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Fail => 0,
        Outcome::Warn => 1,
        Outcome::Unsupported => 2,
        Outcome::Pass => 3,
        Outcome::NotPresent => 4,
    }
}

/// Findings sorted failures and warnings first (stable: the core's order within one outcome).
pub fn sorted_findings(findings: &[drvsig::Finding]) -> Vec<&drvsig::Finding> {
    let mut sorted: Vec<&drvsig::Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| severity_rank(f.outcome));
    sorted
}

/// `47.6 KB`, `1.2 MB`: decimal units, one decimal below 100.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return plural(bytes as usize, "byte", "bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 999.95 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    if value < 99.95 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// `47 560` -> `47,560`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let head = digits.len() % 3;
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    out.push_str(&digits[..head]);
    for group in digits.as_bytes()[head..].chunks(3) {
        if !out.is_empty() {
            out.push(',');
        }
        out.extend(group.iter().map(|&b| char::from(b)));
    }
    out
}

/// `0x1a2b`.
pub fn hex_offset(n: u64) -> String {
    format!("{n:#x}")
}

/// What the page calls an outcome, with a glyph so colour is never the only signal.
pub fn outcome_label(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Pass => ("\u{2713}", "pass"),
        Outcome::Warn => ("!", "warning"),
        Outcome::Fail => ("\u{2715}", "fail"),
        Outcome::Unsupported => ("?", "not checked"),
        Outcome::NotPresent => ("\u{2013}", "not present"),
    }
}

/// The CSS class suffix for an outcome.
pub fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Warn => "warn",
        Outcome::Fail => "fail",
        Outcome::Unsupported => "unsupported",
        Outcome::NotPresent => "absent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::{FileKind, Finding, Options, UnixTime};

    fn add(state: &AppState, id: FileId, name: &str) -> AppState {
        state.apply(Action::Add(vec![NewFile { id, name: name.into(), size: Some(10) }]))
    }

    fn report(name: &str, bytes: &[u8]) -> Rc<Report> {
        Rc::new(drvsig::inspect(name, bytes, &Options::at(UnixTime(1_700_000_000))).into())
    }

    /// A lazy report of a real signed driver, its decode counted.
    fn lazy(target: Target) -> (Rc<Report>, FileReport, Rc<std::cell::Cell<u32>>) {
        let bytes = include_bytes!("../../tests/fixtures/pe/driver-sha256-ts.sys");
        let options = Options::at(UnixTime(1_700_000_000));
        let inspection = drvsig::inspect_package(&[("d.sys".to_string(), &bytes[..])], &options);
        let brief = Brief::of(&inspection, target);
        let json = serde_json::to_string(&inspection).unwrap();
        let decodes = Rc::new(std::cell::Cell::new(0));
        let counted = decodes.clone();
        let report = Report::lazy(brief, move || {
            counted.set(counted.get() + 1);
            let mut back: InspectionReport = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            Ok(back.files.remove(0))
        });
        (Rc::new(report), inspection.files[0].clone(), decodes)
    }

    #[test]
    fn a_lazy_report_answers_from_its_brief_and_decodes_once_when_read() {
        let target = drvsig::triage::DEFAULT_TARGET;
        let (report, full, decodes) = lazy(target);
        assert!(!full.signatures.is_empty() && full.size > 0);
        // The state takes it, sizes the entry, and the table's row comes from the brief: not decoded.
        let s = add(&AppState::default(), 1, "d.sys").apply(Action::Done(1, report.clone()));
        assert_eq!(s.entries[0].size, Some(full.size));
        assert_eq!((report.size(), report.kind(), report.name()), (full.size, full.kind, full.name.as_str()));
        let alone = InspectionReport { made_by: None, files: vec![full.clone()], packages: Vec::new() };
        let row = drvsig::triage::triage(&alone, target).remove(0).rows.remove(0);
        assert_eq!(report.row(target).as_deref(), Some(&row));
        assert_eq!(report.row(Target::Win7Sp1), None, "a row for another target is made on the page");
        assert!(!report.is_decoded());
        assert_eq!(decodes.get(), 0);
        // Read as a report: decoded once, equal to the worker's.
        assert_eq!(report.signatures, full.signatures);
        assert_eq!(s.inspection_report().files, vec![full.clone()]);
        assert!(report.is_decoded());
        assert_eq!(decodes.get(), 1);
        assert_eq!(report.size(), full.size);
    }

    #[test]
    fn a_report_that_cannot_be_decoded_says_so_on_its_card() {
        let (good, full, _) = lazy(drvsig::triage::DEFAULT_TARGET);
        let brief = Brief::of(&InspectionReport { made_by: None, files: vec![full.clone()], packages: Vec::new() }, Target::Win7Sp1);
        let bad = Report::lazy(brief, || Err("a number above 2^53".into()));
        assert_eq!(bad.name, full.name);
        assert_eq!((bad.size, bad.kind), (full.size, full.kind));
        assert!(bad.signatures.is_empty());
        let finding = &bad.findings[0];
        assert_eq!(finding.outcome, Outcome::Fail);
        assert!(finding.reason.contains("a number above 2^53"), "{}", finding.reason);
        // Reports are equal only to themselves (the page never makes two of one inspection).
        assert_ne!(*good, bad);
        assert_eq!(*good, *good);
    }

    #[test]
    fn progress_is_kept_while_reading_and_dropped_after() {
        let s = add(&AppState::default(), 1, "a.sys");
        let s = add(&s, 2, "b.sys");
        let s = s.apply(Action::Progress(1, 5, 10));
        assert_eq!(s.entries[0].status, Status::Reading);
        assert_eq!(s.entries[0].loaded, Some((5, 10)));
        // Another file's progress does not touch this one.
        assert_eq!(s.entries[1].loaded, None);
        // Never more than the total.
        let s = s.apply(Action::Progress(1, 12, 10));
        assert_eq!(s.entries[0].loaded, Some((10, 10)));
        let s = s.apply(Action::Inspecting(1));
        assert_eq!(s.entries[0].status, Status::Inspecting);
        assert_eq!(s.entries[0].loaded, None);
        // A late progress message does not move it back to reading.
        let s = s.apply(Action::Progress(1, 10, 10));
        assert_eq!(s.entries[0].status, Status::Inspecting);
        let r = report("a.sys", b"hello");
        let s = s.apply(Action::Done(1, r.clone()));
        let s = s.apply(Action::Progress(1, 10, 10)).apply(Action::Inspecting(1));
        assert_eq!(s.entries[0].status, Status::Done(r));
        // A cancelled file stays cancelled.
        let s = s.apply(Action::Failed(2, "Cancelled".into())).apply(Action::Inspecting(2));
        assert_eq!(s.entries[1].status, Status::Failed("Cancelled".into()));
        // Progress for a removed file is ignored.
        let s = s.apply(Action::Remove(2)).apply(Action::Progress(2, 1, 2));
        assert_eq!(s.entries.len(), 1);
    }

    #[test]
    fn a_verdict_shows_the_card_as_completing_until_the_report() {
        let s = add(&AppState::default(), 1, "big.sys");
        let s = s.apply(Action::Inspecting(1));
        let partial = report("big.sys", b"hello");
        let s = s.apply(Action::Verdict(1, partial.clone()));
        assert_eq!(s.entries[0].status, Status::Done(partial));
        assert!(s.entries[0].completing);
        assert_eq!(s.busy(), 1, "still in progress");
        let full = report("big.sys", b"hello");
        let s = s.apply(Action::Done(1, full.clone()));
        assert_eq!(s.entries[0].status, Status::Done(full.clone()));
        assert!(!s.entries[0].completing);
        assert_eq!(s.busy(), 0);
        // A late verdict never replaces the report.
        let s = s.apply(Action::Verdict(1, report("big.sys", b"hello")));
        assert_eq!(s.entries[0].status, Status::Done(full));
        assert!(!s.entries[0].completing);
    }

    #[test]
    fn a_batch_is_its_actions_in_order() {
        let r = report("a.sys", b"hello");
        let actions = vec![
            Action::Add(vec![
                NewFile { id: 1, name: "a.sys".into(), size: Some(10) },
                NewFile { id: 2, name: "b.sys".into(), size: Some(10) },
            ]),
            Action::Reading(1),
            Action::Progress(2, 1, 10),
            Action::Inspecting(1),
            Action::Done(1, r.clone()),
            Action::Remove(2),
            Action::Done(2, report("b.sys", b"late")),
        ];
        let one_by_one = actions.iter().cloned().fold(AppState::default(), |s, a| s.apply(a));
        let batched = AppState::default().apply(Action::Batch(actions));
        assert_eq!(batched, one_by_one);
        assert_eq!(batched.entries.len(), 1);
        assert_eq!(batched.entries[0].status, Status::Done(r));
        // The state before a batch is left as it was (the entries are shared, never changed in place).
        let before = add(&AppState::default(), 1, "a.sys");
        let after = before.apply(Action::Batch(vec![Action::Reading(1), Action::Inspecting(1)]));
        assert_eq!(before.entries[0].status, Status::Queued);
        assert_eq!(after.entries[0].status, Status::Inspecting);
        // Reports are compared by identity, not field by field.
        assert_ne!(Status::Done(report("a.sys", b"x")), Status::Done(report("a.sys", b"x")));
    }

    #[test]
    fn files_move_through_the_pipeline() {
        let s = add(&AppState::default(), 1, "a.sys");
        assert_eq!(s.entries[0].status, Status::Queued);
        assert_eq!(s.busy(), 1);
        let s = s.apply(Action::Reading(1));
        assert_eq!(s.entries[0].status, Status::Reading);
        let s = s.apply(Action::Inspecting(1));
        assert_eq!(s.entries[0].status, Status::Inspecting);
        let r = report("a.sys", b"hello");
        let s = s.apply(Action::Done(1, r.clone()));
        assert_eq!(s.entries[0].status, Status::Done(r));
        assert_eq!(s.entries[0].size, Some(5), "the report's size wins over the picker's");
        assert_eq!(s.busy(), 0);
        assert_eq!(s.announcement(), "1 file inspected.");
    }

    #[test]
    fn order_is_kept_and_duplicate_ids_ignored() {
        let s = add(&AppState::default(), 1, "a");
        let s = add(&s, 2, "b");
        let s = add(&s, 1, "again");
        let names: Vec<&str> = s.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(s.announcement(), "0 of 2 files inspected; 2 in progress.");
    }

    #[test]
    fn results_for_removed_files_are_dropped() {
        let s = add(&add(&AppState::default(), 1, "a"), 2, "b");
        let s = s.apply(Action::Remove(1));
        assert_eq!(s.entries.len(), 1);
        let s = s.apply(Action::Done(1, report("a", b"x")));
        let s = s.apply(Action::Failed(1, "gone".into()));
        assert_eq!(s.entries.len(), 1);
        assert_eq!(s.entries[0].id, 2);
        let s = s.apply(Action::Failed(2, "NotReadableError".into()));
        assert_eq!(s.entries[0].status, Status::Failed("NotReadableError".into()));
        let s = s.apply(Action::Clear);
        assert!(s.entries.is_empty());
        assert_eq!(s.announcement(), "No files.");
    }

    #[test]
    fn zip_members_follow_their_zip_and_leave_with_it() {
        let s = add(&add(&AppState::default(), 1, "p.zip"), 2, "other.sys");
        let s = s.apply(Action::Done(1, report("p.zip", b"PK")));
        let s = s.apply(Action::Members(1, vec![(10, report("p.zip/a.inf", b"[Version]")), (11, report("p.zip/a.sys", b"x"))]));
        let names: Vec<&str> = s.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["p.zip", "p.zip/a.inf", "p.zip/a.sys", "other.sys"]);
        assert_eq!(s.parent_of(11), Some(1));
        assert_eq!(s.parent_of(2), None);
        assert!(matches!(s.entries[1].status, Status::Done(_)));
        // Members of a removed zip, or repeated ids, are ignored.
        let again = s.apply(Action::Members(1, vec![(10, report("dup", b""))]));
        assert_eq!(again.entries.len(), 4);
        assert_eq!(s.apply(Action::Members(99, vec![(12, report("x", b""))])).entries.len(), 4);
        let s = s.apply(Action::Remove(1));
        let names: Vec<&str> = s.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["other.sys"]);
        assert!(s.parents.is_empty());
    }

    #[test]
    fn packages_and_the_exported_report() {
        let s = add(&add(&AppState::default(), 1, "a.inf"), 2, "b.sys");
        let s = s.apply(Action::Done(1, report("a.inf", b"[Version]")));
        let s = s.apply(Action::PackagesPending);
        assert!(s.packages_pending);
        let package = PackageReport { kind: drvsig::report::PackageKind::Inf, ..Default::default() };
        let s = s.apply(Action::Packages(Rc::new(vec![package.clone()])));
        assert!(!s.packages_pending);
        let r = s.inspection_report();
        assert_eq!(r.files.len(), 1, "only finished files are exported");
        assert_eq!(r.files[0].name, "a.inf");
        assert_eq!(r.packages, vec![package]);
        assert_eq!(s.report_named("a.inf").map(|(id, _)| id), Some(1));
        assert!(s.report_named("b.sys").is_none());
        let s = s.apply(Action::Clear);
        assert!(s.packages.is_empty() && s.entries.is_empty());
    }

    #[test]
    fn compare_keeps_the_drop_and_diffs_the_next_one() {
        let s = add(&AppState::default(), 1, "a.sys");
        // Not while a file is in progress.
        assert_eq!(s.apply(Action::CompareWith(Vec::new())).compare_base, None);
        let s = s.apply(Action::Done(1, report("a.sys", b"old")));
        let s = s.apply(Action::Packages(Rc::new(Vec::new())));
        // A dropped block list's card stays on the page for the new side (id 9 is not on the page).
        let s = add(&s, 3, "deny.xml").apply(Action::Done(3, report("deny.xml", b"<SiPolicy/>")));
        let s = s.apply(Action::Packages(Rc::new(Vec::new())));
        let s = s.apply(Action::CompareWith(vec![3, 9]));
        let base = s.compare_base.clone().expect("a base");
        assert_eq!(base.label, "a.sys, deny.xml");
        assert_eq!(base.report.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["a.sys", "deny.xml"]);
        assert_eq!(s.entries.iter().map(|e| e.id).collect::<Vec<_>>(), [3]);
        assert!(s.comparison().is_none(), "nothing to compare yet");
        let s = add(&s, 2, "a.sys").apply(Action::Done(2, report("a.sys", b"new")));
        assert!(s.comparison().is_none(), "waits for the package pass");
        let s = s.apply(Action::Packages(Rc::new(Vec::new())));
        let diff = s.comparison().expect("a diff");
        assert!(diff.differs);
        assert_eq!(diff.counts.changed, 1);
        // Clearing keeps Compare mode; stopping leaves it and keeps the files.
        assert!(s.apply(Action::Clear).compare_base.is_some());
        let s = s.apply(Action::StopComparing);
        assert!(s.compare_base.is_none() && s.comparison().is_none());
        assert_eq!(s.entries.len(), 2);
    }

    #[test]
    fn drop_label_names_the_dropped_files_not_zip_members() {
        let s = add(&add(&AppState::default(), 1, "p.zip"), 2, "x.sys");
        let s = s.apply(Action::Members(1, vec![(10, report("p.zip/a.inf", b""))]));
        assert_eq!(s.drop_label(), "p.zip, x.sys");
        let s = (3..=6).fold(s, |s, i| add(&s, i, &format!("f{i}")));
        assert_eq!(s.drop_label(), "p.zip, x.sys, f3 and 3 more");
    }

    #[test]
    fn verdicts() {
        let other = report("notes.txt", b"hello");
        assert_eq!(verdict(&other).outcome, Outcome::NotPresent);
        let mut unsigned = (*other).clone();
        unsigned.kind = FileKind::Pe32Plus;
        assert_eq!(verdict(&unsigned), Verdict { outcome: Outcome::Warn, text: "No signature found" });
        unsigned.findings.push(Finding::new("x", Outcome::Fail, "broken"));
        assert_eq!(verdict(&unsigned).outcome, Outcome::Fail);
        let mut signed = (*other).clone();
        signed.kind = FileKind::Pe32Plus;
        signed.signatures.push(drvsig::report::SignatureReport {
            digest_verdict: Outcome::Pass,
            signature_verdict: Outcome::Pass,
            ..Default::default()
        });
        assert_eq!(verdict(&signed).outcome, Outcome::Pass);
        signed.signatures[0].signature_verdict = Outcome::Unsupported;
        assert_eq!(verdict(&signed).outcome, Outcome::Unsupported);
    }

    #[test]
    fn findings_fail_and_warn_first() {
        let findings = vec![
            Finding::new("a", Outcome::Pass, "ok"),
            Finding::new("b", Outcome::Warn, "hmm"),
            Finding::new("c", Outcome::Fail, "bad"),
            Finding::new("d", Outcome::Warn, "hmm 2"),
        ];
        let order: Vec<&str> = sorted_findings(&findings).iter().map(|f| f.check.as_str()).collect();
        assert_eq!(order, ["c", "b", "d", "a"]);
    }

    #[test]
    fn target_queries() {
        use drvsig::policy::Target;
        let q = |v: &[&str]| targets_from_query(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(q(&[]), (vec![], vec![]));
        assert_eq!(q(&["win11-24h2-enforced", "server-2025"]), (vec![Target::Win11Enforced, Target::Server2025], vec![]));
        assert_eq!(q(&["s-mode,s-mode", "win12"]), (vec![Target::SMode], vec!["win12".to_string()]));
    }

    #[test]
    fn saved_reports_replace_their_file_and_leave_with_it() {
        let s = add(&add(&AppState::default(), 1, "report.json"), 2, "a.sys");
        let saved = crate::saved::Saved { id: 1, origin: "report.json".into(), report: Err("newer".into()) };
        let s = s.apply(Action::Saved(saved.clone()));
        assert_eq!(s.entries.len(), 1, "the JSON file's own card gives way");
        assert_eq!(s.saved, vec![saved]);
        assert_eq!(s.apply(Action::Remove(1)).saved, vec![]);
        assert_eq!(s.apply(Action::Clear).saved, vec![]);
    }

    #[test]
    fn trusted_roots_are_kept_once_and_survive_clear() {
        let root = TrustedRoot { sha256: "ab".into(), subject: "CN=Lab".into(), der: Rc::new(vec![0x30]) };
        let s = AppState::default().apply(Action::Trust(root.clone())).apply(Action::Trust(root.clone()));
        assert_eq!(s.trusted, vec![root.clone()]);
        assert_eq!(s.apply(Action::Clear).trusted, vec![root]);
        assert!(s.apply(Action::Untrust("ab".into())).trusted.is_empty());
    }

    #[test]
    fn initial_targets() {
        use drvsig::policy::Target;
        let q = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(initial_target(&[], None), Target::Win11Enforced);
        assert_eq!(initial_target(&[], Some("server-2025")), Target::Server2025);
        assert_eq!(initial_target(&[], Some("nonsense")), Target::Win11Enforced);
        assert_eq!(initial_target(&q(&["win12", "s-mode"]), Some("server-2025")), Target::SMode);
        assert_eq!(initial_target(&q(&["win12"]), Some("server-2025")), Target::Server2025);
    }

    #[test]
    fn demo_queries_and_size_limit() {
        assert_eq!(demo_from_query(None), None);
        assert_eq!(demo_from_query(Some("")), Some("driver"));
        assert_eq!(demo_from_query(Some("1")), Some("driver"));
        assert_eq!(demo_from_query(Some("0")), None);
        assert_eq!(demo_from_query(Some("tampered")), Some("tampered"));
        assert_eq!(demo_from_query(Some("Missing-File")), Some("missing-file"));
        assert_eq!(demo_from_query(Some("good")), Some("good"));
        assert_eq!(too_large(MAX_FILE_BYTES), None);
        let message = too_large(600_000_000).expect("too large");
        assert!(message.starts_with("This file is 600 MB, more than the 512 MiB"), "{message}");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(1000), "1.0 KB");
        assert_eq!(human_size(47_560), "47.6 KB");
        assert_eq!(human_size(999_999), "1.0 MB");
        assert_eq!(human_size(123_456_789), "123 MB");
        assert_eq!(human_size(5_000_000_000), "5.0 GB");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(47_560), "47,560");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(hex_offset(0x3a00), "0x3a00");
    }
}
