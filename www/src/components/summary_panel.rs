//! The first thing under the toolbar once files are in: the target picker and the triage table
//! over everything finished so far (files, then the packages when the package pass is done), and
//! "Expand all" / "Collapse all" for the folded card details.
//!
//! The rows are made once per file and report (a cache kept across renders): a drop of a thousand
//! files adds its rows as the reports come in without copying the reports already shown. Files in
//! a package take their rows from the core's triage of the packages (made again only when the
//! packages, their files' reports or the target change); every other file's row is the core's
//! row of that file alone, which is what the core's triage gives a file outside any package: the
//! worker's row when it made one for this target (a batched file's brief, so its report is not
//! decoded for the table), else the core's triage of the report here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use drvsig::policy::Target;
use drvsig::report::PackageReport;
use drvsig::triage::TriageRow;
use drvsig::InspectionReport;
use yew::prelude::*;

use super::target_picker::TargetPicker;
use super::triage_table::{Group, TriageTable};
use crate::services::browser;
use crate::state::{Entry, FileId, Report, Status};

#[derive(Properties, PartialEq)]
pub struct SummaryPanelProps {
    pub entries: Rc<Vec<Entry>>,
    pub packages: Rc<Vec<PackageReport>>,
    pub target: Target,
    pub on_target: Callback<Target>,
    /// A file name in the table was followed (its card id).
    #[prop_or_default]
    pub on_open: Option<Callback<FileId>>,
    /// A big drop: the table starts with fewer rows ([`super::triage_table::FIRST_ROWS_OF_MANY`]).
    #[prop_or_default]
    pub big: bool,
}

/// The package groups, and what they were made from: the packages, the target, the reports of the
/// files they name.
struct PackageGroups {
    packages: Rc<Vec<PackageReport>>,
    target: Target,
    members: Vec<Rc<Report>>,
    groups: Rc<Vec<Group>>,
}

/// Rows made so far, for the target they were made for.
#[derive(Default)]
pub struct RowCache {
    target: Option<Target>,
    /// File id -> the report the row was made from, and the row.
    rows: HashMap<FileId, (Rc<Report>, Rc<TriageRow>)>,
    packages: Option<PackageGroups>,
}

/// The files a package names (its INF, catalogs and coverage rows), as `drvsig::triage` places them.
fn package_names(packages: &[PackageReport]) -> HashSet<&str> {
    let mut names = HashSet::new();
    for p in packages {
        names.extend(p.inf.iter().map(String::as_str));
        names.extend(p.catalogs.iter().filter_map(|c| c.path.as_deref()));
        names.extend(p.coverage.iter().map(|r| r.file.as_str()));
    }
    names
}

/// The triage groups of the finished files: the packages' groups, then the other files.
pub fn groups(cache: &mut RowCache, entries: &[Entry], packages: &Rc<Vec<PackageReport>>, target: Target) -> Vec<Group> {
    if cache.target != Some(target) {
        *cache = RowCache { target: Some(target), ..Default::default() };
    }
    let done: Vec<(FileId, &Rc<Report>)> = entries
        .iter()
        .filter_map(|e| match &e.status {
            Status::Done(r) => Some((e.id, r)),
            _ => None,
        })
        .collect();

    let mut out = Vec::new();
    let mut placed: HashSet<&str> = HashSet::new();
    if !packages.is_empty() {
        let names = package_names(packages);
        let members: Vec<Rc<Report>> = done.iter().filter(|(_, r)| names.contains(r.name())).map(|(_, r)| Rc::clone(r)).collect();
        let fresh = match &cache.packages {
            Some(made) => {
                !(Rc::ptr_eq(&made.packages, packages)
                    && made.target == target
                    && made.members.len() == members.len()
                    && made.members.iter().zip(&members).all(|(a, b)| Rc::ptr_eq(a, b)))
            }
            None => true,
        };
        if fresh {
            let report = InspectionReport {
                made_by: None,
                files: members.iter().map(|r| r.file().clone()).collect(),
                packages: (**packages).clone(),
            };
            let groups: Vec<Group> =
                drvsig::triage::triage(&report, target).into_iter().filter(|g| g.verdict.is_some()).map(Group::from).collect();
            cache.packages = Some(PackageGroups { packages: packages.clone(), target, members, groups: Rc::new(groups) });
        }
        if let Some(PackageGroups { groups, .. }) = &cache.packages {
            for g in groups.iter() {
                placed.extend(g.rows.iter().map(|r| r.file.as_str()));
            }
            out.extend(groups.iter().cloned());
        }
    } else {
        cache.packages = None;
    }

    let mut rest = Vec::new();
    let mut live = HashSet::new();
    for &(id, report) in &done {
        live.insert(id);
        if placed.contains(report.name()) {
            continue;
        }
        let row = match cache.rows.get(&id) {
            Some((made_from, row)) if Rc::ptr_eq(made_from, report) => row.clone(),
            _ => {
                let row = report.row(target).unwrap_or_else(|| Rc::new(drvsig::triage::file_row(report, target)));
                cache.rows.insert(id, (Rc::clone(report), row.clone()));
                row
            }
        };
        rest.push(row);
    }
    cache.rows.retain(|id, _| live.contains(id));
    if !rest.is_empty() {
        let title = if out.is_empty() { "Files" } else { "Other files" };
        out.push(Group { title: title.to_string(), verdict: None, line: String::new(), rows: rest });
    }
    out
}

#[function_component(SummaryPanel)]
pub fn summary_panel(props: &SummaryPanelProps) -> Html {
    let cache = use_mut_ref(RowCache::default);
    let groups = Rc::new(groups(&mut cache.borrow_mut(), &props.entries, &props.packages, props.target));
    let ids = use_memo(props.entries.clone(), |entries| {
        entries
            .iter()
            .filter_map(|e| match &e.status {
                Status::Done(r) => Some((r.name().to_string(), e.id)),
                _ => None,
            })
            .collect::<BTreeMap<String, u64>>()
    });
    let expand = Callback::from(|_: MouseEvent| browser::set_all_details(true));
    let collapse = Callback::from(|_: MouseEvent| browser::set_all_details(false));
    html! {
        <div class="summary-panel">
            <div class="summary-tools">
                <TargetPicker target={props.target} on_change={props.on_target.clone()} />
                <div class="fold-buttons">
                    <button type="button" id="expand-all" class="button button-small button-ghost" onclick={expand}>{ "Expand all" }</button>
                    <button type="button" id="collapse-all" class="button button-small button-ghost" onclick={collapse}>{ "Collapse all" }</button>
                </div>
            </div>
            if !groups.is_empty() {
                <TriageTable {groups} {ids} target={props.target} on_open={props.on_open.clone()} big={props.big} />
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::{Options, UnixTime};

    fn entry(id: FileId, name: &str, bytes: &[u8]) -> Entry {
        let report = Rc::new(drvsig::inspect(name, bytes, &Options::at(UnixTime(1_700_000_000))).into());
        Entry { id, name: name.into(), size: Some(bytes.len() as u64), status: Status::Done(report), loaded: None, completing: false }
    }

    fn plain(groups: &[Group]) -> Vec<drvsig::triage::TriageGroup> {
        groups
            .iter()
            .map(|g| drvsig::triage::TriageGroup {
                title: g.title.clone(),
                verdict: g.verdict,
                line: g.line.clone(),
                rows: g.rows.iter().map(|r| (**r).clone()).collect(),
            })
            .collect()
    }

    #[test]
    fn rows_of_batched_files_come_from_their_briefs_without_decoding_them() {
        let target = drvsig::triage::DEFAULT_TARGET;
        let names = ["pe/driver-sha256-ts.sys", "pe/driver-tampered.sys", "pe/driver-unsigned.sys", "pe/app32-sha256.exe"];
        let options = Options::at(UnixTime(1_700_000_000));
        let mut entries = Vec::new();
        let mut decoded = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let bytes = std::fs::read(format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            let inspection = drvsig::inspect_package(&[(name.to_string(), &bytes[..])], &options);
            let brief = drvsig_messages::Brief::of(&inspection, target);
            assert!(brief.alone);
            let file = inspection.files[0].clone();
            let report = Rc::new(Report::lazy(brief, move || Ok(file)));
            decoded.push(inspection.files[0].clone());
            let entry = Entry {
                id: i as u64 + 1,
                name: name.to_string(),
                size: Some(bytes.len() as u64),
                status: Status::Done(report),
                loaded: None,
                completing: false,
            };
            entries.push(entry);
        }
        let none = Rc::new(Vec::new());
        let mut cache = RowCache::default();
        let got = groups(&mut cache, &entries, &none, target);
        let lazy = |e: &Entry| match &e.status {
            Status::Done(r) => r.is_decoded(),
            _ => true,
        };
        assert!(!entries.iter().any(lazy), "the table decoded a report");
        let expected = InspectionReport { made_by: None, files: decoded, packages: Vec::new() };
        assert_eq!(plain(&got), drvsig::triage::triage(&expected, target));
        // Another target: the rows are made here, from the reports (decoded for it), and agree.
        let other = drvsig::policy::Target::Win7Sp1;
        let got = groups(&mut cache, &entries, &none, other);
        assert!(entries.iter().all(lazy));
        assert_eq!(plain(&got), drvsig::triage::triage(&expected, other));
    }

    #[test]
    fn rows_are_the_cores_triage_and_made_once() {
        let inf = b"[Version]\r\nSignature=\"$Windows NT$\"\r\nCatalogFile=a.cat\r\n[SourceDisksFiles]\r\na.sys=1\r\n";
        let entries = vec![
            entry(1, "a.inf", inf),
            entry(2, "a.sys", b"MZ not really"),
            entry(3, "notes.txt", b"hello"),
            Entry { id: 4, name: "later.sys".into(), size: Some(1), status: Status::Reading, loaded: None, completing: false },
        ];
        let files: Vec<(String, Vec<u8>)> = vec![("a.inf".into(), inf.to_vec()), ("a.sys".into(), b"MZ not really".to_vec())];
        let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
        let packages = Rc::new(drvsig::inspect_package(&borrowed, &Options::at(UnixTime(1_700_000_000))).packages);
        let target = drvsig::triage::DEFAULT_TARGET;
        let state = crate::state::AppState { entries: Rc::new(entries.clone()), packages: packages.clone(), ..Default::default() };
        let expected = drvsig::triage::triage(&state.inspection_report(), target);

        let mut cache = RowCache::default();
        let got = groups(&mut cache, &entries, &packages, target);
        assert_eq!(plain(&got), expected);
        assert!(expected.len() >= 2, "a package and the other files: {expected:?}");
        // Without packages: one group of every finished file, as the core makes it.
        let none = Rc::new(Vec::new());
        let loose = groups(&mut cache, &entries, &none, target);
        let state = crate::state::AppState { entries: Rc::new(entries.clone()), ..Default::default() };
        assert_eq!(plain(&loose), drvsig::triage::triage(&state.inspection_report(), target));
        // A second render reuses the rows (the same Rc), a new report makes a new row.
        let again = groups(&mut cache, &entries, &none, target);
        assert!(Rc::ptr_eq(&again[0].rows[0], &loose[0].rows[0]));
        let mut changed = entries.clone();
        changed[0] = entry(1, "a.inf", inf);
        let after = groups(&mut cache, &changed, &none, target);
        assert!(!Rc::ptr_eq(&after[0].rows[0], &loose[0].rows[0]));
        assert!(Rc::ptr_eq(&after[0].rows[1], &loose[0].rows[1]));
    }
}
