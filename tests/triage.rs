//! Triage rows and the ticket summary on real corpus packages: one row per file, grouped by
//! package, with the verdict on the chosen Windows target.

use std::path::Path;

use drvsig::report::{CoverageStatus, LoadVerdict, SignerKind, Target};
use drvsig::triage::{summary_markdown, triage, DEFAULT_TARGET};
use drvsig::{inspect_package, InspectionReport, Options, Outcome, UnixTime};

fn package(rel: &str) -> Option<InspectionReport> {
    let dir = crate::support::corpus()?.join(rel);
    let mut files = Vec::new();
    collect(&dir, &dir, &mut files);
    files.sort();
    let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    let at = UnixTime::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
    Some(inspect_package(&borrowed, &Options::at(at)))
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            collect(base, &p, out);
        } else {
            let name = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
            out.push((name, std::fs::read(&p).unwrap()));
        }
    }
}

#[test]
fn cp210x_package_one_group_every_file_covered() {
    let Some(report) = package("drivers/cp210x-6.7") else {
        return;
    };
    let md = summary_markdown(&report, DEFAULT_TARGET);
    assert!(!md.contains("Unsigned"), "a catalog-signed driver is not called unsigned: {md}");
    assert!(md.contains("Failed:\n- Package slabvcp.inf: names `"), "the missing files are named: {md}");
    let groups = triage(&report, DEFAULT_TARGET);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    let g = &groups[0];
    assert_eq!(g.title, "Package slabvcp.inf");
    assert_eq!(g.rows.len(), 3, "{:#?}", g.rows);
    let files: Vec<&str> = g.rows.iter().map(|r| r.file.as_str()).collect();
    assert_eq!(files, ["slabvcp.inf", "slabvcp.cat", "x64/silabser.sys"]);
    let sys = &g.rows[2];
    assert_eq!(sys.role, "driver");
    assert_eq!(sys.coverage, Some(CoverageStatus::Covered));
    assert_eq!(sys.targets, Target::ALL.len());
    assert!(sys.verdict.is_some());
    println!("{}", summary_markdown(&report, DEFAULT_TARGET));
    let cat = &g.rows[1];
    assert_eq!(cat.role, "catalog");
    assert_eq!(cat.intact, Outcome::Pass);
}

#[test]
fn vigembus_rows_and_the_chosen_target() {
    let Some(report) = package("drivers/vigembus") else {
        return;
    };
    let win7 = triage(&report, Target::Win7Sp1);
    let win11 = triage(&report, Target::Win11Enforced);
    let sys = |g: &[drvsig::triage::TriageGroup]| g[0].rows.iter().find(|r| r.file == "ViGEmBus.sys").cloned().unwrap();
    let (a, b) = (sys(&win7), sys(&win11));
    assert_eq!(a.loads_on, b.loads_on, "the count does not depend on the chosen target");
    assert_eq!(a.intact, Outcome::Pass);
    assert_eq!(a.coverage, Some(CoverageStatus::Covered));
    let verdict = |t: Target| {
        report.packages[0]
            .coverage
            .iter()
            .find(|r| r.file == "ViGEmBus.sys")
            .and_then(|r| r.verdicts.iter().find(|v| v.target == t))
            .map(|v| v.verdict)
    };
    assert_eq!(a.verdict, verdict(Target::Win7Sp1));
    assert_eq!(b.verdict, verdict(Target::Win11Enforced));
    assert!(b.kind.is_some() && !b.signer.is_empty(), "{b:?}");
}

#[test]
fn loose_driver_is_in_files_and_summary_is_short() {
    let Some(dir) = crate::support::corpus() else {
        return;
    };
    let bytes = std::fs::read(dir.join("drivers/windivert-1.3/WinDivert64.sys")).unwrap();
    let at = UnixTime::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
    let report = inspect_package(&[("WinDivert64.sys".to_string(), bytes.as_slice())], &Options::at(at));
    let groups = triage(&report, DEFAULT_TARGET);
    let row = groups.iter().flat_map(|g| g.rows.iter()).find(|r| r.file == "WinDivert64.sys").unwrap();
    assert_ne!(row.kind, Some(SignerKind::Unsigned));
    assert!(row.verdict.is_some());
    let md = summary_markdown(&report, Target::Win10SecureBoot);
    assert!(md.starts_with("**drvsig summary** for "), "{md}");
    assert!(md.contains("`win10-1607-secureboot`"), "{md}");
    assert!(md.contains("`WinDivert64.sys`"), "{md}");
    assert!(md.lines().count() <= 20, "{md}");
    let _ = LoadVerdict::Loads;
}

#[test]
fn three_packages_summary_about_fifteen_lines() {
    let mut files = Vec::new();
    let Some(dir) = crate::support::corpus() else {
        return;
    };
    for p in ["drivers/cp210x-6.7", "drivers/vigembus", "drivers/arduino"] {
        let base = dir.join(p);
        let mut these = Vec::new();
        collect(&base, &base, &mut these);
        files.extend(these.into_iter().map(|(n, b)| (format!("{p}/{n}"), b)));
    }
    files.push(("WinDivert64.sys".to_string(), std::fs::read(dir.join("drivers/windivert-1.3/WinDivert64.sys")).unwrap()));
    files.sort();
    let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    let at = UnixTime::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
    let report = inspect_package(&borrowed, &Options::at(at));
    let groups = triage(&report, DEFAULT_TARGET);
    let titles: Vec<&str> = groups.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert_eq!(titles[3], "Loose files", "{titles:?}");
    // Every file exactly once (the loose package lists every catalog of the drop again).
    let mut names: Vec<&str> = groups.iter().flat_map(|g| g.rows.iter().map(|r| r.file.as_str())).collect();
    assert_eq!(names.len(), report.files.len(), "{names:?}");
    names.sort();
    names.dedup();
    assert_eq!(names.len(), report.files.len());
    let md = summary_markdown(&report, DEFAULT_TARGET);
    println!("{md}");
    assert!(md.lines().count() <= 30, "{md}");
}

/// Certificate files (issue 14): recognised by content whatever their name, summarized like the
/// certificates of a signature, with a headline.
#[test]
fn certificate_files_are_recognised_by_content() {
    use drvsig::FileKind;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pki");
    let at = Options::at(UnixTime::parse_rfc3339("2026-12-01T00:00:00Z").unwrap());
    let der = std::fs::read(fixtures.join("root-ca.der")).unwrap();
    let pem = std::fs::read(fixtures.join("code-signing-ca.pem")).unwrap();
    for (name, bytes) in [("lab-root.crt", &der), ("renamed.bin", &der), ("ca.pem", &pem)] {
        let r = drvsig::inspect(name, bytes, &at);
        assert_eq!(r.kind, FileKind::Certificate, "{name}");
        assert_eq!(r.certificates.len(), 1, "{name}");
        let c = &r.certificates[0];
        assert_eq!(c.sha256.len(), 64);
        assert!(!c.der_base64.is_empty() && c.subject.contains("CN="), "{c:?}");
        let h = drvsig::summary::headline(&r);
        assert!(h.sentence.starts_with("Certificate: "), "{}", h.sentence);
    }
    let root = drvsig::inspect("root.der", &der, &at);
    assert!(drvsig::summary::headline(&root).sentence.contains("self-signed"), "{:?}", drvsig::summary::headline(&root));
    // Two PEM certificates in one file.
    let mut bundle = pem.clone();
    bundle.extend_from_slice(&std::fs::read(fixtures.join("root-ca.pem")).unwrap());
    let b = drvsig::inspect("bundle.pem", &bundle, &at);
    assert_eq!(b.certificates.len(), 2);
    assert!(drvsig::summary::headline(&b).sentence.starts_with("2 certificates: "));
    // Text that only looks like PEM, and JSON, stay other files.
    assert_eq!(drvsig::inspect("x.pem", b"-----BEGIN NOTHING-----\nzz\n-----END NOTHING-----\n", &at).kind, FileKind::Other);
    assert_eq!(drvsig::inspect("r.json", b"{\"files\": []}", &at).kind, FileKind::Other);
    // The JSON of other kinds is unchanged: no `certificates` member.
    let json = serde_json::to_value(drvsig::inspect("a.txt", b"hello", &at)).unwrap();
    assert!(json.get("certificates").is_none());
}

/// The known-bad column: a file's block list matches (issue 13's report field) in short, `None`
/// when no list was applied; the ticket summary names them under "Failed".
#[test]
fn known_bad_comes_from_the_blocklist_report() {
    use drvsig::report::{BlocklistMatch, BlocklistReport, ListKind, LolCategory, MatchedBy};
    let Some(dir) = crate::support::corpus() else {
        return;
    };
    let bytes = std::fs::read(dir.join("drivers/windivert-1.3/WinDivert64.sys")).unwrap();
    let at = Options::at(UnixTime::parse_rfc3339("2026-12-01T00:00:00Z").unwrap());
    let mut report = inspect_package(&[("WinDivert64.sys".to_string(), bytes.as_slice())], &at);
    let row = |r: &InspectionReport| triage(r, DEFAULT_TARGET)[0].rows[0].clone();
    assert_eq!(row(&report).known_bad, None, "no list applied");
    report.files[0].blocklist = Some(BlocklistReport { notes: Vec::new(), lists: vec![], matches: vec![] });
    assert_eq!(row(&report).known_bad, Some(vec![]), "judged, nothing matched");
    let m = BlocklistMatch {
        list_kind: ListKind::Loldrivers,
        list: "LOLDrivers".into(),
        list_version: "2026-11-30".into(),
        rule_id: "0000-test".into(),
        rule_name: Some("WinDivert64.sys".into()),
        matched_by: MatchedBy::FileSha256,
        detail: "file SHA-256".into(),
        category: Some(LolCategory::VulnerableDriver),
        loads_despite_hvci: None,
        resources: vec![],
    };
    report.files[0].blocklist = Some(BlocklistReport { notes: Vec::new(), lists: vec![], matches: vec![m.clone(), m] });
    assert_eq!(row(&report).known_bad, Some(vec!["LOLDrivers: vulnerable driver".to_string()]));
    let md = summary_markdown(&report, DEFAULT_TARGET);
    assert!(md.contains("**on a block list**: LOLDrivers: vulnerable driver"), "{md}");
    assert!(md.contains("- `WinDivert64.sys`: on a block list: LOLDrivers: vulnerable driver"), "{md}");
}

#[test]
fn a_files_own_row_is_its_row_in_the_triage_of_it_alone() {
    // Every generated fixture (drivers, apps, catalogs, INFs, certificates, malformed files) on
    // every target: the row the page's workers send with a batched file is the core's triage row.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    collect(&fixtures, &fixtures, &mut files);
    files.retain(|(name, _)| !name.ends_with(".json") && !name.ends_with(".md"));
    assert!(files.len() > 30, "{} fixtures", files.len());
    let options = Options::at(UnixTime::parse_rfc3339("2026-12-01T00:00:00Z").unwrap());
    let mut judged = 0;
    for (name, bytes) in &files {
        let report = drvsig::inspect(name, bytes, &options);
        judged += usize::from(!report.verdicts.is_empty());
        for target in Target::ALL {
            let alone = InspectionReport { made_by: None, files: vec![report.clone()], packages: Vec::new() };
            let expected = triage(&alone, target).remove(0).rows.remove(0);
            assert_eq!(drvsig::triage::file_row(&report, target), expected, "{name} on {target:?}");
        }
    }
    assert!(judged > 10, "only {judged} fixtures have verdicts");
}
