//! The pipeline's state and rules, without the browser: which files wait, which run (as many as
//! the worker pool holds, within a byte budget), what the page shows when one finishes, when the
//! package pass runs and over what, what a Cancel or a new trusted root does. Every method changes
//! the [`Pipeline`] and returns the [`Effect`]s the shell (`super`) performs: reducer actions to
//! dispatch, files to inspect, workers to stop, package passes to run. Generic over the file handle
//! `F` (a `web_sys::File` in the page) and the held bytes `H`, so it is tested natively, like the
//! reducer in `state.rs`.

use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use drvsig::report::{PackageReport, Target};
use drvsig::{FileKind, FileReport, InspectionReport};
use drvsig_messages::{Bytes, Context, DroppedLists, NamedBytes};

use crate::state::{too_large, Action, FileId, NewFile, Report};

/// Several files run at once only while their sizes sum to at most this (a worker holds its file
/// in its wasm memory while it inspects it), so four 500 MiB files do not take 2 GB at once; a
/// single file always starts, whatever its size.
pub const IN_FLIGHT_BYTES: u64 = 256 << 20;

/// Files up to this size go to a worker in batches ([`Effect::InspectBatch`]: one request, one
/// reply for them all; the worker reads them); bigger ones alone, with progress. A file whose size
/// the page has not read goes in a batch; the worker sends back the size of one that is bigger
/// ([`Finished::Sized`]) and the file is asked for alone.
pub const SMALL_FILE_BYTES: u64 = 1 << 20;

/// At most this many small files per batch.
pub const BATCH_FILES: usize = 16;

/// A file with the name the page shows for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Picked<F> {
    pub name: String,
    /// `None`: not read (`File.size` of a file on disk is a synchronous file-system call on the
    /// page's thread, about 0.3 ms in Chromium: a thousand picked files took the page 330 ms and
    /// held back the last of them by as much); the worker that reads the file knows it.
    pub size: Option<u64>,
    pub file: F,
}

impl<F> Picked<F> {
    /// The bytes it counts for in [`IN_FLIGHT_BYTES`] (a file not sized yet is batched: at most
    /// [`SMALL_FILE_BYTES`] is read of it).
    fn weight(&self) -> u64 {
        self.size.unwrap_or(SMALL_FILE_BYTES)
    }
}

/// What the shell does for the pipeline. `F`: a picked file; `H`: where an inspected file's bytes
/// stay; `J`: a report's JSON as the worker sent it (in the page a JS string, never copied into the
/// wasm memory).
#[derive(Debug)]
pub enum Effect<F, H, J> {
    /// Hand this to the reducer.
    Dispatch(Action),
    /// Inspect this file (a drvsig JSON report is shown as saved instead), then call
    /// [`Pipeline::finished`].
    Inspect { id: FileId, picked: Picked<F> },
    /// Inspect these small files in one worker request (`package`: they are every file on the
    /// page, at this generation: the worker runs the package pass over them too), then call
    /// [`Pipeline::finished_batch`].
    InspectBatch { files: Vec<(FileId, Picked<F>)>, package: Option<u64> },
    /// Stop the worker that has this file.
    Abort(FileId),
    /// Run the package pass over these files (with the reports the workers made), then call
    /// [`Pipeline::packaged`] with this generation.
    Package { generation: u64, files: Vec<PackageInput<H>>, reports: Vec<J> },
}

/// One file of the package pass.
#[derive(Debug, PartialEq)]
pub struct PackageInput<H> {
    pub name: String,
    pub held: H,
    /// A zip some of whose members were removed from the page: only these members.
    pub members: Option<Vec<String>>,
}

/// How one file's inspection ended.
pub enum Finished<H, J> {
    /// The worker's report: the inspection, where the bytes stay, the JSON it came as.
    Inspected { inspection: InspectionReport, held: H, json: J },
    /// A file whose inspection is its own report alone (no zip members, no package), as a
    /// [`Report`] that decodes the JSON when it is first read.
    Alone { report: Rc<Report>, held: H, json: J },
    /// A drvsig JSON report: shown as saved, not inspected.
    Saved(crate::saved::Saved),
    /// The card's message.
    Failed(String),
    /// Not read: the file (batched before its size was known) has this many bytes, more than
    /// [`SMALL_FILE_BYTES`]; it is asked for alone.
    Sized(u64),
}

/// One inspected file, kept for the package pass and the ASN.1 view.
struct Stored<H, J> {
    id: FileId,
    name: String,
    held: H,
    /// The `InspectionReport` JSON its worker returned (the package pass reuses its reports).
    report_json: J,
    /// What its own pass found: its kinds (members included) and packages.
    kinds: Vec<FileKind>,
    packages: Vec<PackageReport>,
}

/// Zip members: member id, zip id, name inside the zip.
struct Member {
    id: FileId,
    zip: FileId,
    inner: String,
}

/// The page's files between the drop and the card.
pub struct Pipeline<F, H, J> {
    next_id: FileId,
    /// Files waiting, in page order.
    queue: VecDeque<(FileId, Picked<F>)>,
    /// Files still wanted: removing a file drops it from here and its result is discarded.
    live: HashSet<FileId>,
    /// Files being read or inspected now, with their sizes.
    running: Vec<(FileId, u64)>,
    /// The worker requests in flight: the files of each (one, or a batch).
    slots: Vec<Vec<FileId>>,
    /// Files whose Cancel button was pressed while they were being inspected.
    aborted: HashSet<FileId>,
    /// The package pass is running.
    packaging: bool,
    /// The file-set generation the last package pass was for.
    packaged: u64,
    /// Bumped on every change of the file set: a package pass for an older set is dropped.
    generation: u64,
    /// Inspected files, in page order.
    store: Vec<Stored<H, J>>,
    members: Vec<Member>,
    /// Zips some of whose members were removed from the page: the package pass takes their
    /// remaining members instead of the whole zip.
    trimmed: HashSet<FileId>,
    /// What was picked or dropped, by page id, so that a change of trusted roots can inspect the
    /// drop again.
    originals: Vec<(FileId, Picked<F>)>,
    /// DER roots the person trusts for this page.
    trust: Vec<Vec<u8>>,
    /// The block lists dropped on the page, each with its card's page id (removing the card stops
    /// the list), in the order they came.
    lists: Vec<(FileId, NamedBytes)>,
    /// Changes with every change of `lists` (0: never a list): each worker parses a version once.
    lists_version: u32,
    /// The target the page shows (the workers' briefs carry triage rows for it).
    target: Option<Target>,
    /// How many worker requests run at once (batches: two per worker).
    limit: usize,
    /// How many single-file requests run at once (one per worker: a big file has its worker to
    /// itself; one may still wait in the pool's queue while a worker finishes its batches).
    single_limit: usize,
    /// The files of the single-file requests under way.
    singles: HashSet<FileId>,
}

impl<F: Clone, H: Clone, J: Clone> Pipeline<F, H, J> {
    /// An empty pipeline running up to `limit` requests at once, of which up to `single_limit`
    /// single files.
    pub fn new(limit: usize, single_limit: usize) -> Self {
        Pipeline {
            next_id: 1,
            queue: VecDeque::new(),
            live: HashSet::new(),
            running: Vec::new(),
            slots: Vec::new(),
            aborted: HashSet::new(),
            packaging: false,
            packaged: 0,
            generation: 0,
            store: Vec::new(),
            members: Vec::new(),
            trimmed: HashSet::new(),
            originals: Vec::new(),
            trust: Vec::new(),
            lists: Vec::new(),
            lists_version: 0,
            target: None,
            limit: limit.max(1),
            single_limit: single_limit.max(1),
            singles: HashSet::new(),
        }
    }

    /// The worker pool's size changed (it fell back to the main thread: one at a time).
    pub fn set_limits(&mut self, limit: usize, single_limit: usize) {
        self.limit = limit.max(1);
        self.single_limit = single_limit.max(1);
    }

    /// A fresh id (for a file, a member, or something else on the page such as a share link).
    pub fn fresh_id(&mut self) -> FileId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// What the core needs besides the bytes, at `time`: the trusted roots and the dropped lists
    /// (and the page's target, for the briefs).
    pub fn context(&self, time: i64) -> Context {
        let trust = self.trust.iter().map(|der| Bytes(der.clone())).collect();
        let lists = (self.lists_version != 0)
            .then(|| DroppedLists { version: self.lists_version, lists: self.lists.iter().map(|(_, l)| l.clone()).collect() });
        Context { time, trust, lists, target: self.target.map(|t| t.id().to_string()) }
    }

    /// The target the page shows: requests from now on ask for triage rows on it.
    pub fn set_target(&mut self, target: Target) {
        self.target = Some(target);
    }

    /// Adds files to the page and to the queue.
    pub fn add(&mut self, files: Vec<Picked<F>>) -> Vec<Effect<F, H, J>> {
        if files.is_empty() {
            return Vec::new();
        }
        self.generation += 1;
        let mut added = Vec::with_capacity(files.len());
        for picked in files {
            let id = self.fresh_id();
            self.originals.push((id, picked.clone()));
            added.push(NewFile { id, name: picked.name.clone(), size: picked.size });
            self.live.insert(id);
            self.queue.push_back((id, picked));
        }
        let mut effects = vec![Effect::Dispatch(Action::Add(added))];
        effects.extend(self.schedule());
        effects
    }

    /// A dropped block list's card (`list`: its name and bytes when it can be used: every file
    /// inspected from now on is judged against it too).
    pub fn add_block_list(&mut self, name: &str, size: u64, card: FileReport, list: Option<Vec<u8>>) -> Vec<Effect<F, H, J>> {
        let id = self.fresh_id();
        let mut effects = Vec::new();
        if let Some(bytes) = list {
            // A list of the same name replaces the earlier one, and its card goes with it.
            let replaced: Vec<FileId> = self.lists.iter().filter(|(_, l)| l.name == name).map(|(card, _)| *card).collect();
            effects.extend(replaced.into_iter().map(|old| Effect::Dispatch(Action::Remove(old))));
            self.forget_list(|_, n| n == name);
            self.lists.push((id, NamedBytes { name: name.to_string(), bytes: Bytes(bytes) }));
        }
        effects.push(Effect::Dispatch(Action::Add(vec![NewFile { id, name: name.to_string(), size: Some(size) }])));
        effects.push(Effect::Dispatch(Action::Done(id, Rc::new(card.into()))));
        effects
    }

    /// The cards of the dropped lists in use, in the order they came.
    pub fn list_cards(&self) -> Vec<FileId> {
        self.lists.iter().map(|(card, _)| *card).collect()
    }

    /// Stops the dropped lists whose card (id, name) `which` picks: files inspected from now on are
    /// judged without them. The version changes even when no list is left, so that every worker
    /// drops the lists it holds (a context without lists leaves a worker's lists as they are).
    fn forget_list(&mut self, which: impl Fn(FileId, &str) -> bool) {
        self.lists.retain(|(card, l)| !which(*card, &l.name));
        self.lists_version = self.lists_version.wrapping_add(1).max(1);
    }

    /// Starts waiting files, in page order, while there is room ([`Pipeline::new`]'s limit of
    /// worker requests and [`IN_FLIGHT_BYTES`]): small ones [`BATCH_FILES`] at a time in one
    /// request; and starts the package pass once every file is done and the file set changed.
    pub fn schedule(&mut self) -> Vec<Effect<F, H, J>> {
        let mut effects = Vec::new();
        while self.slots.len() < self.limit {
            let in_flight: u64 = self.running.iter().map(|(_, size)| size).sum();
            let fits = match self.queue.front() {
                None => break,
                Some((_, next)) => self.running.is_empty() || in_flight.saturating_add(next.weight()) <= IN_FLIGHT_BYTES,
            };
            if !fits {
                break;
            }
            let Some((id, picked)) = self.queue.pop_front() else { break };
            if !self.live.contains(&id) {
                continue;
            }
            if let Some(message) = picked.size.and_then(too_large) {
                self.live.remove(&id);
                effects.push(Effect::Dispatch(Action::Failed(id, message)));
                continue;
            }
            if !batchable(&picked) {
                if self.singles.len() >= self.single_limit {
                    // Every worker has a single file: it waits, and what comes after it too
                    // (page order).
                    self.queue.push_front((id, picked));
                    break;
                }
                self.singles.insert(id);
                self.running.push((id, picked.weight()));
                self.slots.push(vec![id]);
                effects.push(Effect::Dispatch(Action::Reading(id)));
                effects.push(Effect::Inspect { id, picked });
                continue;
            }
            let mut files = vec![(id, picked)];
            while files.len() < BATCH_FILES {
                match self.queue.front() {
                    Some((next, p)) if batchable(p) || !self.live.contains(next) => {
                        let Some((next, p)) = self.queue.pop_front() else { break };
                        if self.live.contains(&next) {
                            files.push((next, p));
                        }
                    }
                    _ => break,
                }
            }
            // Every file on the page, a package among them: its package pass in the same request.
            let whole_page = self.store.is_empty() && self.running.is_empty() && self.queue.is_empty();
            let package =
                (whole_page && files.len() >= 2 && files.iter().any(|(_, p)| names_package_file(&p.name))).then_some(self.generation);
            for (id, p) in &files {
                self.running.push((*id, p.weight()));
                effects.push(Effect::Dispatch(Action::Reading(*id)));
            }
            self.slots.push(files.iter().map(|(id, _)| *id).collect());
            effects.push(Effect::InspectBatch { files, package });
        }
        effects.extend(self.package_if_due());
        effects
    }

    /// The package pass, when every file is done and the set changed since the last one; over
    /// every file on the page when it can differ from the files' own passes (two or more files,
    /// one of them an INF or a catalog, or a zip with members removed), else the single file's
    /// own packages at once.
    fn package_if_due(&mut self) -> Vec<Effect<F, H, J>> {
        if !self.running.is_empty() || self.packaging || self.packaged == self.generation {
            return Vec::new();
        }
        self.packaged = self.generation;
        let relevant = self.store.iter().flat_map(|f| f.kinds.iter()).any(|k| matches!(k, FileKind::Inf | FileKind::Catalog));
        if self.trimmed.is_empty() && (self.store.len() <= 1 || !relevant) {
            let single = match self.store.as_slice() {
                [only] => only.packages.clone(),
                _ => Vec::new(),
            };
            return vec![Effect::Dispatch(Action::Packages(Rc::new(single)))];
        }
        self.packaging = true;
        let files = self
            .store
            .iter()
            .filter_map(|f| {
                let members = self.trimmed.contains(&f.id).then(|| self.members_of(f.id));
                if members.as_ref().is_some_and(Vec::is_empty) {
                    return None;
                }
                Some(PackageInput { name: f.name.clone(), held: f.held.clone(), members })
            })
            .collect();
        let reports = self.store.iter().map(|f| f.report_json.clone()).collect();
        vec![Effect::Dispatch(Action::PackagesPending), Effect::Package { generation: self.generation, files, reports }]
    }

    /// The members of zip `zip` still on the page, named as the core named them.
    fn members_of(&self, zip: FileId) -> Vec<String> {
        self.members.iter().filter(|m| m.zip == zip).map(|m| m.inner.clone()).collect()
    }

    /// A file's inspection ended.
    pub fn finished(&mut self, id: FileId, finished: Finished<H, J>) -> Vec<Effect<F, H, J>> {
        self.slots.retain(|slot| slot.as_slice() != [id]);
        self.singles.remove(&id);
        let mut effects = self.finish_one(id, finished);
        effects.extend(self.schedule());
        effects
    }

    /// A batch's inspections ended (`first`: its first file's id): each file's result, and the
    /// packages when it was asked for them (`(generation, packages)`; `None` packages: the pass
    /// failed, the usual package pass runs).
    pub fn finished_batch(
        &mut self,
        first: FileId,
        results: Vec<(FileId, Finished<H, J>)>,
        packages: Option<(u64, Option<Vec<PackageReport>>)>,
    ) -> Vec<Effect<F, H, J>> {
        self.slots.retain(|slot| slot.first() != Some(&first));
        let mut effects = Vec::new();
        for (id, finished) in results {
            effects.extend(self.finish_one(id, finished));
        }
        if let Some((generation, Some(packages))) = packages {
            // Not when a file of the batch went back to the queue (too big to batch).
            if generation == self.generation && self.running.is_empty() && self.queue.is_empty() && !self.packaging {
                self.packaged = generation;
                effects.push(Effect::Dispatch(Action::Packages(Rc::new(packages))));
            }
        }
        effects.extend(self.schedule());
        effects
    }

    fn finish_one(&mut self, id: FileId, finished: Finished<H, J>) -> Vec<Effect<F, H, J>> {
        self.running.retain(|(running, _)| *running != id);
        if let Finished::Sized(size) = finished {
            return self.sized(id, size);
        }
        let finished = if self.aborted.remove(&id) { Finished::Failed("Cancelled".into()) } else { finished };
        let mut effects = Vec::new();
        if self.live.remove(&id) {
            match finished {
                Finished::Saved(saved) => effects.push(Effect::Dispatch(Action::Saved(saved))),
                Finished::Failed(message) => effects.push(Effect::Dispatch(Action::Failed(id, message))),
                Finished::Inspected { inspection, held, json } => effects.extend(self.show(id, inspection, held, json)),
                Finished::Alone { report, held, json } => effects.extend(self.show_alone(id, report, held, json)),
                Finished::Sized(_) => {}
            }
        }
        effects
    }

    /// A batched file turned out big: it is asked for alone, next (or refused when too large).
    fn sized(&mut self, id: FileId, size: u64) -> Vec<Effect<F, H, J>> {
        if self.aborted.remove(&id) {
            self.live.remove(&id);
            return vec![Effect::Dispatch(Action::Failed(id, "Cancelled".into()))];
        }
        if !self.live.contains(&id) {
            return Vec::new();
        }
        let Some(at) = self.originals.iter().position(|(o, _)| *o == id) else {
            return Vec::new();
        };
        self.originals[at].1.size = Some(size);
        self.queue.push_front((id, self.originals[at].1.clone()));
        vec![Effect::Dispatch(Action::Sized(id, size))]
    }

    /// A big file's verdict came before its report (the whole file's SHA-256 and the block lists'
    /// check still run): its card shows the verdict, marked as completing; the package pass waits
    /// for the report ([`Pipeline::finished`]).
    pub fn verdict(&mut self, id: FileId, inspection: InspectionReport) -> Vec<Effect<F, H, J>> {
        if !self.live.contains(&id) || self.aborted.contains(&id) || !self.running.iter().any(|(r, _)| *r == id) {
            return Vec::new();
        }
        match inspection.files.into_iter().next() {
            Some(own) => vec![Effect::Dispatch(Action::Verdict(id, Rc::new(own.into())))],
            None => Vec::new(),
        }
    }

    /// Stores an inspected file and shows its card (and its zip members' cards).
    fn show(&mut self, id: FileId, inspection: InspectionReport, held: H, json: J) -> Vec<Effect<F, H, J>> {
        let mut reports = inspection.files.into_iter();
        let Some(own) = reports.next() else {
            return vec![Effect::Dispatch(Action::Failed(id, "The inspection returned no report".into()))];
        };
        let name =
            self.originals.iter().find(|(o, _)| *o == id).map(|(_, p)| p.name.replace('\\', "/")).unwrap_or_else(|| own.name.clone());
        let mut kinds = vec![own.kind];
        let prefix = format!("{name}/");
        let mut members = Vec::new();
        for r in reports {
            let member = self.fresh_id();
            let inner = r.name.strip_prefix(&prefix).unwrap_or(&r.name).to_string();
            self.members.push(Member { id: member, zip: id, inner });
            kinds.push(r.kind);
            members.push((member, Rc::new(r.into())));
        }
        self.keep(Stored { id, name, held, report_json: json, kinds, packages: inspection.packages });
        let mut effects = vec![Effect::Dispatch(Action::Done(id, Rc::new(own.into())))];
        if !members.is_empty() {
            effects.push(Effect::Dispatch(Action::Members(id, members)));
        }
        effects
    }

    /// Stores a file whose inspection is its report alone and shows its card (its report is not
    /// read here: only its kind and name).
    fn show_alone(&mut self, id: FileId, report: Rc<Report>, held: H, json: J) -> Vec<Effect<F, H, J>> {
        let name = match self.originals.iter().find(|(o, _)| *o == id) {
            Some((_, p)) => p.name.replace('\\', "/"),
            None => report.name().to_string(),
        };
        self.keep(Stored { id, name, held, report_json: json, kinds: vec![report.kind()], packages: Vec::new() });
        vec![Effect::Dispatch(Action::Done(id, report))]
    }

    /// Keeps an inspected file, in page order (files finish in any order when several are
    /// inspected at once).
    fn keep(&mut self, stored: Stored<H, J>) {
        let at = self.store.iter().position(|f| f.id > stored.id).unwrap_or(self.store.len());
        self.store.insert(at, stored);
    }

    /// The package pass of `generation` ended (`None`: it failed).
    pub fn packaged(&mut self, generation: u64, packages: Option<Vec<PackageReport>>) -> Vec<Effect<F, H, J>> {
        self.packaging = false;
        let mut effects = Vec::new();
        if generation == self.generation {
            effects.push(Effect::Dispatch(Action::Packages(Rc::new(packages.unwrap_or_default()))));
        }
        // Files may have come or gone while the packages were computed.
        effects.extend(self.schedule());
        effects
    }

    /// Whether the package pass of `generation` is still wanted.
    pub fn is_current(&self, generation: u64) -> bool {
        generation == self.generation
    }

    /// The Cancel button of a file being read or inspected: its worker is stopped (the other
    /// files go on) and the file is marked cancelled.
    pub fn abort(&mut self, id: FileId) -> Vec<Effect<F, H, J>> {
        if !self.running.iter().any(|(r, _)| *r == id) {
            return Vec::new();
        }
        self.aborted.insert(id);
        vec![Effect::Abort(id)]
    }

    /// Whether the file is still wanted (not removed since it was added).
    pub fn is_live(&self, id: FileId) -> bool {
        self.live.contains(&id)
    }

    /// Whether Cancel was pressed for this running file.
    pub fn is_aborted(&self, id: FileId) -> bool {
        self.aborted.contains(&id)
    }

    /// Forgets a file: a queued one is never read, a running one's result is dropped (its worker
    /// stopped); the packages are computed again without it.
    pub fn remove(&mut self, id: FileId) -> Vec<Effect<F, H, J>> {
        if self.lists.iter().any(|(card, _)| *card == id) {
            self.forget_list(|card, _| card == id);
        }
        self.originals.retain(|(i, _)| *i != id);
        self.live.remove(&id);
        let mut effects = Vec::new();
        if self.running.iter().any(|(r, _)| *r == id) {
            effects.push(Effect::Abort(id));
        }
        self.queue.retain(|(i, _)| *i != id);
        self.store.retain(|f| f.id != id);
        if let Some(zip) = self.members.iter().find(|m| m.id == id).map(|m| m.zip) {
            self.trimmed.insert(zip);
        }
        self.trimmed.remove(&id);
        self.members.retain(|m| m.id != id && m.zip != id);
        self.generation += 1;
        effects.extend(self.schedule());
        effects
    }

    /// Forgets every file and the dropped block lists ("Clear all": a list whose card is gone
    /// judges nothing more).
    pub fn clear_all(&mut self) -> Vec<Effect<F, H, J>> {
        if !self.lists.is_empty() {
            self.forget_list(|_, _| true);
        }
        self.clear()
    }

    /// Forgets every file; the dropped block lists stay (new trusted roots judge the same drop
    /// again; a comparison's new side is judged against the old side's lists).
    pub fn clear(&mut self) -> Vec<Effect<F, H, J>> {
        self.originals.clear();
        self.live.clear();
        let effects = self.running.iter().map(|(id, _)| Effect::Abort(*id)).collect();
        self.queue.clear();
        self.store.clear();
        self.trimmed.clear();
        self.members.clear();
        self.generation += 1;
        effects
    }

    /// Sets the trusted roots and judges the whole drop again: every file picked or dropped so far
    /// is inspected anew (new cards), so every verdict and chain reflects the roots.
    pub fn set_trust(&mut self, anchors: Vec<Vec<u8>>) -> Vec<Effect<F, H, J>> {
        self.trust = anchors;
        let originals = std::mem::take(&mut self.originals);
        let mut effects: Vec<Effect<F, H, J>> = originals.iter().map(|(id, _)| Effect::Dispatch(Action::Remove(*id))).collect();
        effects.extend(self.clear());
        effects.extend(self.add(originals.into_iter().map(|(_, p)| p).collect()));
        effects
    }

    /// Where a stored file's bytes are.
    pub fn held(&self, id: FileId) -> Option<H> {
        self.store.iter().find(|f| f.id == id).map(|f| f.held.clone())
    }

    /// A zip member's zip and its name inside it.
    pub fn member_of(&self, id: FileId) -> Option<(FileId, String)> {
        self.members.iter().find(|m| m.id == id).map(|m| (m.zip, m.inner.clone()))
    }
}

/// Whether a file goes to a worker in a batch: small, and not a possible saved report (`.json`,
/// read on the page first).
fn batchable<F>(picked: &Picked<F>) -> bool {
    picked.size.is_none_or(|size| size <= SMALL_FILE_BYTES) && !picked.name.to_ascii_lowercase().ends_with(".json")
}

/// Whether a name is an INF's or a catalog's (their package pass can differ from the files' own).
fn names_package_file(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with(".inf") || name.ends_with(".cat")
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::{Options, UnixTime};

    type P = Pipeline<&'static str, &'static str, String>;

    fn picked(name: &str, size: u64) -> Picked<&'static str> {
        Picked { name: name.to_string(), size: Some(size), file: "handle" }
    }

    fn inspected(files: &[(&str, &[u8])]) -> Finished<&'static str, String> {
        let owned: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.to_string(), *b)).collect();
        let inspection = drvsig::inspect_package(&owned, &Options::at(UnixTime(1_700_000_000)));
        Finished::Inspected { inspection, held: "bytes", json: "{}".into() }
    }

    fn inspects(effects: &[Effect<&'static str, &'static str, String>]) -> Vec<FileId> {
        effects.iter().filter_map(|e| if let Effect::Inspect { id, .. } = e { Some(*id) } else { None }).collect()
    }

    fn dispatched<'a>(effects: &'a [Effect<&'static str, &'static str, String>]) -> Vec<&'a Action> {
        effects.iter().filter_map(|e| if let Effect::Dispatch(a) = e { Some(a) } else { None }).collect()
    }

    /// The page id of the one card an add made.
    fn added(effects: &[Effect<&'static str, &'static str, String>]) -> FileId {
        match dispatched(effects).first() {
            Some(Action::Add(files)) if files.len() == 1 => files[0].id,
            other => panic!("expected one card added: {}", other.is_some()),
        }
    }

    fn package_pass(effects: &[Effect<&'static str, &'static str, String>]) -> Option<(u64, usize)> {
        effects.iter().find_map(|e| if let Effect::Package { generation, files, .. } = e { Some((*generation, files.len())) } else { None })
    }

    /// A batched file's report alone, as the page makes it from the worker's brief (counted decodes).
    fn alone(name: &str, bytes: &[u8], decodes: &Rc<std::cell::Cell<u32>>) -> (Rc<Report>, Finished<&'static str, String>) {
        let inspection = drvsig::inspect_package(&[(name.to_string(), bytes)], &Options::at(UnixTime(1_700_000_000)));
        let brief = drvsig_messages::Brief::of(&inspection, drvsig::triage::DEFAULT_TARGET);
        assert!(brief.alone, "{name}");
        let (file, counted) = (inspection.files[0].clone(), decodes.clone());
        let report = Rc::new(Report::lazy(brief, move || {
            counted.set(counted.get() + 1);
            Ok(file)
        }));
        (report.clone(), Finished::Alone { report, held: "bytes", json: format!("{name}.json") })
    }

    #[test]
    fn a_report_alone_is_shown_and_packaged_without_being_decoded() {
        let decodes = Rc::new(std::cell::Cell::new(0));
        let driver = include_bytes!("../../../../tests/fixtures/pe/driver-sha256.sys");
        let mut p = P::new(2, 2);
        p.set_target(drvsig::policy::Target::Server2025);
        assert_eq!(p.context(0).target.as_deref(), Some("server-2025"), "the workers are asked for its rows");
        let effects = p.add(vec![picked("a.sys", 10), picked("b.sys", 10)]);
        assert_eq!(batches(&effects), vec![(vec![1, 2], None)]);
        let (a, done_a) = alone("a.sys", driver, &decodes);
        let (_, done_b) = alone("b.sys", b"MZ not really", &decodes);
        let effects = p.finished_batch(1, vec![(1, done_a), (2, done_b)], None);
        let shown = dispatched(&effects);
        assert!(shown.iter().any(|a2| matches!(a2, Action::Done(1, r) if Rc::ptr_eq(r, &a))), "the same report, not a copy");
        // No INF or catalog (the briefs' kinds say so): the packages are empty without a pass.
        assert!(shown.iter().any(|a| matches!(a, Action::Packages(p) if p.is_empty())));
        assert!(package_pass(&effects).is_none());
        assert_eq!(decodes.get(), 0);

        // With an INF: the package pass gets every file and the JSON each came as.
        let inf = b"[Version]\r\nSignature=\"$Windows NT$\"\r\nCatalogFile=a.cat\r\n[SourceDisksFiles]\r\na.sys=1\r\n";
        let effects = p.add(vec![picked("a.inf", 10)]);
        assert_eq!(batches(&effects).len(), 1);
        let effects = p.finished_batch(3, vec![(3, inspected(&[("a.inf", inf)]))], None);
        let pass = effects.iter().find_map(|e| if let Effect::Package { files, reports, .. } = e { Some((files, reports)) } else { None });
        let (files, reports) = pass.expect("a package pass");
        assert_eq!(files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["a.sys", "b.sys", "a.inf"]);
        assert_eq!(reports[..2], ["a.sys.json".to_string(), "b.sys.json".to_string()]);
        assert_eq!(decodes.get(), 0);
    }

    #[test]
    fn files_not_sized_are_batched_and_a_big_one_comes_back_to_go_alone() {
        let not_sized = |name: &str| Picked { name: name.to_string(), size: None, file: "handle" };
        let mut p = P::new(2, 2);
        let effects = p.add(vec![not_sized("a.sys"), not_sized("big.sys"), not_sized("c.sys")]);
        assert!(matches!(dispatched(&effects)[0], Action::Add(files) if files.iter().all(|f| f.size.is_none())));
        assert_eq!(batches(&effects), vec![(vec![1, 2, 3], None)]);
        // The shell read a.sys and c.sys; big.sys has more than SMALL_FILE_BYTES.
        let big = SMALL_FILE_BYTES * 5;
        let results = vec![(1, inspected(&[("a.sys", b"x")])), (2, Finished::Sized(big)), (3, inspected(&[("c.sys", b"y")]))];
        let effects = p.finished_batch(1, results, Some((1, Some(Vec::new()))));
        let shown = dispatched(&effects);
        assert!(shown.iter().any(|a| matches!(a, Action::Sized(2, s) if *s == big)));
        assert!(shown.iter().any(|a| matches!(a, Action::Done(1, _))) && shown.iter().any(|a| matches!(a, Action::Done(3, _))));
        assert!(!shown.iter().any(|a| matches!(a, Action::Packages(_))), "packages made without big.sys are not taken");
        // Asked for alone, with its size (progress, its own worker).
        let alone = effects.iter().find_map(|e| if let Effect::Inspect { id, picked } = e { Some((*id, picked.size)) } else { None });
        assert_eq!(alone, Some((2, Some(big))));
        // Too large to inspect at all: refused once its size is known.
        let mut p = P::new(2, 2);
        p.add(vec![not_sized("huge.sys")]);
        let effects = p.finished_batch(1, vec![(1, Finished::Sized(600_000_000))], None);
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::Failed(1, m) if m.contains("MB"))), "{:?}", dispatched(&effects));
        // Cancelled while it was batched: it does not come back.
        let mut p = P::new(2, 2);
        p.add(vec![not_sized("big.sys")]);
        p.abort(1);
        let effects = p.finished_batch(1, vec![(1, Finished::Sized(big))], None);
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::Failed(1, m) if m == "Cancelled")));
        assert!(inspects(&effects).is_empty());
    }

    #[test]
    fn starts_as_many_files_as_the_pool_holds_then_the_next_when_one_finishes() {
        let mut p = P::new(2, 2);
        let big = SMALL_FILE_BYTES + 1;
        let effects = p.add(vec![picked("a.sys", big), picked("b.sys", big), picked("c.sys", big)]);
        assert_eq!(inspects(&effects), vec![1, 2]);
        assert!(matches!(dispatched(&effects)[0], Action::Add(files) if files.len() == 3));
        let effects = p.finished(1, inspected(&[("a.sys", b"not a driver")]));
        assert_eq!(inspects(&effects), vec![3]);
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::Done(1, _))));
    }

    #[test]
    fn single_files_take_one_worker_each_while_batches_may_double_up() {
        // Two workers, two requests each for batches: big files still run two at a time.
        let mut p = P::new(4, 2);
        let big = SMALL_FILE_BYTES + 1;
        let effects = p.add(vec![picked("a.sys", big), picked("b.sys", big), picked("c.sys", big), picked("d.sys", 10)]);
        assert_eq!(inspects(&effects), vec![1, 2]);
        assert!(batches(&effects).is_empty(), "a small file after a waiting big one waits too (page order)");
        let effects = p.finished(1, Finished::Failed("x".into()));
        assert_eq!(inspects(&effects), vec![3]);
        assert_eq!(batches(&effects), vec![(vec![4], None)]);
        // Small files alone: up to four batches at once.
        let mut p = P::new(4, 2);
        let files: Vec<_> = (0..80).map(|i| picked(&format!("f{i}.sys"), 10)).collect();
        assert_eq!(batches(&p.add(files)).len(), 4);
    }

    #[test]
    fn big_files_wait_for_the_byte_budget_but_one_always_starts() {
        let mut p = P::new(4, 4);
        let big = IN_FLIGHT_BYTES / 2 + 1;
        let effects = p.add(vec![picked("a.bin", big), picked("b.bin", big)]);
        assert_eq!(inspects(&effects), vec![1]);
        assert_eq!(inspects(&p.finished(1, Finished::Failed("x".into()))), vec![2]);
    }

    fn batches(effects: &[Effect<&'static str, &'static str, String>]) -> Vec<(Vec<FileId>, Option<u64>)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::InspectBatch { files, package } => Some((files.iter().map(|(id, _)| *id).collect(), *package)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn small_files_go_to_the_workers_in_batches_and_big_ones_alone() {
        let mut p = P::new(2, 2);
        let mut files: Vec<_> = (0..20).map(|i| picked(&format!("f{i}.sys"), 10)).collect();
        files.push(picked("big.sys", SMALL_FILE_BYTES + 1));
        let effects = p.add(files);
        let started = batches(&effects);
        assert_eq!(started.len(), 2);
        assert_eq!(started[0].0, (1..=16).collect::<Vec<_>>());
        assert_eq!(started[1].0, (17..=20).collect::<Vec<_>>(), "a batch stops before a big file");
        assert!(started.iter().all(|(_, package)| package.is_none()));
        // The big file waits for a free worker, then goes alone.
        let results = (1..=16).map(|id| (id, Finished::Failed("x".into()))).collect();
        let effects = p.finished_batch(1, results, None);
        assert_eq!(inspects(&effects), vec![21]);
    }

    #[test]
    fn a_package_dropped_alone_is_inspected_and_packaged_in_one_request() {
        let mut p = P::new(2, 2);
        let effects = p.add(vec![picked("a.inf", 10), picked("a.cat", 10), picked("a.sys", 10)]);
        let started = batches(&effects);
        assert_eq!(started, vec![(vec![1, 2, 3], Some(1))]);
        let inf: &[u8] = b"[Version]\r\nSignature=\"$WINDOWS NT$\"\r\nCatalogFile=a.cat\r\n";
        let results = vec![(1, inspected(&[("a.inf", inf)])), (2, inspected(&[("a.cat", b"x")])), (3, inspected(&[("a.sys", b"x")]))];
        let effects = p.finished_batch(1, results, Some((1, Some(vec![]))));
        assert!(package_pass(&effects).is_none(), "no second request for the packages");
        let answers = dispatched(&effects).iter().filter(|a| matches!(a, Action::Packages(_))).count();
        assert_eq!(answers, 1);
        // Without the packages (the pass failed), the usual package pass runs.
        let mut p = P::new(2, 2);
        p.add(vec![picked("a.inf", 10), picked("a.sys", 10)]);
        let results = vec![(1, inspected(&[("a.inf", inf)])), (2, inspected(&[("a.sys", b"x")]))];
        let effects = p.finished_batch(1, results, Some((1, None)));
        assert!(package_pass(&effects).is_some());
    }

    #[test]
    fn a_file_too_big_fails_without_being_read() {
        let mut p = P::new(2, 2);
        let effects = p.add(vec![picked("huge.bin", u64::MAX / 2)]);
        assert!(inspects(&effects).is_empty());
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::Failed(1, _))));
    }

    #[test]
    fn a_removed_file_is_never_started_and_a_running_one_is_stopped() {
        let mut p = P::new(1, 1);
        p.add(vec![picked("a.sys", 10), picked("b.sys", 10)]);
        let effects = p.remove(2);
        assert!(inspects(&effects).is_empty());
        let effects = p.remove(1);
        assert!(effects.iter().any(|e| matches!(e, Effect::Abort(1))));
        // Its late result is dropped.
        let effects = p.finished(1, inspected(&[("a.sys", b"x")]));
        assert!(dispatched(&effects).iter().all(|a| !matches!(a, Action::Done(..))));
    }

    #[test]
    fn a_verdict_shows_before_the_report_and_the_package_pass_waits_for_the_report() {
        let mut p = P::new(2, 2);
        p.add(vec![picked("a.inf", 10), picked("big.sys", SMALL_FILE_BYTES + 1)]);
        p.finished(1, inspected(&[("a.inf", b"[Version]\r\nSignature=\"$WINDOWS NT$\"\r\nCatalogFile=a.cat\r\n")]));
        let Finished::Inspected { inspection, .. } = inspected(&[("big.sys", b"x")]) else { unreachable!() };
        let effects = p.verdict(2, inspection);
        assert!(matches!(dispatched(&effects)[..], [Action::Verdict(2, _)]));
        assert!(package_pass(&effects).is_none(), "the package pass waits for the report");
        let effects = p.finished(2, inspected(&[("big.sys", b"x")]));
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::Done(2, _))));
        assert!(package_pass(&effects).is_some());
        // A verdict after the report (or for a removed file) changes nothing.
        let Finished::Inspected { inspection, .. } = inspected(&[("big.sys", b"x")]) else { unreachable!() };
        assert!(p.verdict(2, inspection).is_empty());
    }

    #[test]
    fn cancel_stops_the_worker_and_the_card_says_cancelled() {
        let mut p = P::new(2, 2);
        p.add(vec![picked("a.sys", 10)]);
        assert!(p.abort(1).iter().any(|e| matches!(e, Effect::Abort(1))));
        assert!(p.is_aborted(1));
        let effects = p.finished(1, Finished::Failed("terminated".into()));
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::Failed(1, m) if m == "Cancelled")));
        // Not running any more: nothing to cancel.
        assert!(p.abort(1).is_empty());
    }

    #[test]
    fn one_file_gets_its_own_packages_without_a_package_pass() {
        let mut p = P::new(2, 2);
        p.add(vec![picked("a.sys", 10)]);
        let effects = p.finished(1, inspected(&[("a.sys", b"x")]));
        assert!(package_pass(&effects).is_none());
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::Packages(_))));
    }

    #[test]
    fn an_inf_among_several_files_runs_the_package_pass_once_all_are_done() {
        let mut p = P::new(2, 2);
        p.add(vec![picked("a.inf", 10), picked("a.sys", 10)]);
        let effects = p.finished(1, inspected(&[("a.inf", b"[Version]\r\nSignature=\"$WINDOWS NT$\"\r\nCatalogFile=a.cat\r\n")]));
        assert!(package_pass(&effects).is_none());
        let effects = p.finished(2, inspected(&[("a.sys", b"x")]));
        let (generation, files) = package_pass(&effects).expect("a package pass");
        assert_eq!(files, 2);
        assert!(dispatched(&effects).iter().any(|a| matches!(a, Action::PackagesPending)));
        // A pass for a set that changed since is dropped: the new set gets its own answer.
        p.remove(2);
        assert!(!p.is_current(generation));
        let effects = p.packaged(generation, Some(vec![]));
        let answers = dispatched(&effects).iter().filter(|a| matches!(a, Action::Packages(_))).count();
        assert_eq!(answers, 1, "only the answer for the files now on the page");
    }

    #[test]
    fn a_zip_with_a_member_removed_gives_only_its_other_members_to_the_package_pass() {
        let mut p = P::new(2, 2);
        p.add(vec![picked("pkg.zip", 10)]);
        let zip = include_bytes!("../../../demo/good.zip");
        p.finished(1, inspected(&[("pkg.zip", zip)]));
        let count = p.members_of(1).len();
        assert!(count >= 2, "good.zip has several files");
        let member = p.member_of(2).map(|(zip, _)| zip);
        assert_eq!(member, Some(1));
        let effects = p.remove(2);
        let pass = effects.iter().find_map(|e| if let Effect::Package { files, .. } = e { Some(files) } else { None });
        let files = pass.expect("a package pass over the trimmed zip");
        assert_eq!(files[0].members.as_ref().map(Vec::len), Some(count - 1));
    }

    #[test]
    fn new_trusted_roots_inspect_every_file_again_with_them() {
        let mut p = P::new(4, 4);
        let big = SMALL_FILE_BYTES + 1;
        p.add(vec![picked("a.sys", big), picked("b.sys", big)]);
        p.finished(1, Finished::Failed("x".into()));
        let effects = p.set_trust(vec![vec![0x30, 0x00]]);
        let removed = dispatched(&effects).iter().filter(|a| matches!(a, Action::Remove(_))).count();
        assert_eq!(removed, 2);
        assert_eq!(inspects(&effects), vec![3, 4]);
        assert!(effects.iter().any(|e| matches!(e, Effect::Abort(2))));
        assert_eq!(p.context(5).trust.len(), 1);
    }

    #[test]
    fn a_usable_dropped_list_travels_with_every_later_inspection() {
        let mut p = P::new(2, 2);
        assert!(p.context(0).lists.is_none());
        let card = drvsig::inspect("list.xml", b"<x/>", &Options::at(UnixTime(0)));
        p.add_block_list("list.xml", 4, card.clone(), Some(b"<x/>".to_vec()));
        p.add_block_list("list.xml", 4, card.clone(), Some(b"<y/>".to_vec()));
        let lists = p.context(0).lists.expect("the dropped list");
        assert_eq!((lists.version, lists.lists.len()), (2, 1));
        p.add_block_list("bad.xml", 4, card, None);
        assert_eq!(p.context(0).lists.map(|l| l.lists.len()), Some(1));
    }

    #[test]
    fn a_dropped_list_stops_with_its_card_and_with_clear_all_but_not_with_compare() {
        let mut p = P::new(2, 2);
        let card = drvsig::inspect("list.xml", b"<x/>", &Options::at(UnixTime(0)));
        let names = |p: &P| p.context(0).lists.map(|l| (l.version, l.lists.iter().map(|n| n.name.clone()).collect::<Vec<_>>()));
        let first = added(&p.add_block_list("a.xml", 4, card.clone(), Some(b"<a/>".to_vec())));
        let second = added(&p.add_block_list("b.xml", 4, card.clone(), Some(b"<b/>".to_vec())));
        assert_eq!(names(&p), Some((2, vec!["a.xml".to_string(), "b.xml".to_string()])));
        // Removing the first list's card stops that list only.
        p.remove(first);
        assert_eq!(names(&p), Some((3, vec!["b.xml".to_string()])));
        // Comparing (and new trusted roots) keep the lists.
        p.clear();
        assert_eq!(names(&p), Some((3, vec!["b.xml".to_string()])));
        // A card that replaced nothing and a file's removal leave the lists as they are.
        p.remove(second + 100);
        assert_eq!(names(&p), Some((3, vec!["b.xml".to_string()])));
        // "Clear all" stops every list, and says so with a new version (workers drop theirs).
        p.clear_all();
        assert_eq!(names(&p), Some((4, vec![])));
        // A list replaced by one of the same name: the old card goes.
        let old = added(&p.add_block_list("c.xml", 4, card.clone(), Some(b"<c/>".to_vec())));
        let effects = p.add_block_list("c.xml", 4, card, Some(b"<d/>".to_vec()));
        assert!(matches!(dispatched(&effects).first(), Some(Action::Remove(id)) if *id == old));
        let new = match dispatched(&effects).get(1) {
            Some(Action::Add(files)) => files[0].id,
            _ => panic!("the new card"),
        };
        assert_eq!(p.list_cards(), vec![new]);
        let lists = p.context(0).lists.expect("the lists");
        assert_eq!(lists.lists.len(), 1);
        assert_eq!(lists.lists[0].bytes.0, b"<d/>".to_vec());
    }
}
