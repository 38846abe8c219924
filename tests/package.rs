//! Driver packages: INF -> catalog grouping and catalog coverage of every file, on the corpus packages
//! (with the tampered copies dropped in place of the originals), on zips built here in memory (the
//! same package zipped, zip bombs, too many entries), and on our own fixture packages
//! (`tests/fixtures/packages/`, made by `cargo xtask fixtures`), which always run.

use std::io::Write;
use std::path::{Path, PathBuf};

use drvsig::report::{CoverageRow, CoverageStatus, InspectionReport, Outcome, PackageReport};
use drvsig::{inspect_package, FileKind, Options, UnixTime};

fn options() -> Options {
    Options::at(UnixTime::parse_rfc3339("2024-06-01T00:00:00Z").unwrap())
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Inspect (name, bytes) pairs as one drop.
fn run(files: &[(String, Vec<u8>)]) -> InspectionReport {
    let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    inspect_package(&borrowed, &options())
}

/// Every file under `dir`, named relative to it (sorted).
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((name, read(&p)));
            }
        }
    }
    out.sort();
    out
}

fn only_package(r: &InspectionReport) -> &PackageReport {
    assert_eq!(r.packages.len(), 1, "packages: {:#?}", r.packages.iter().map(|p| (&p.kind, &p.inf)).collect::<Vec<_>>());
    &r.packages[0]
}

fn row<'a>(p: &'a PackageReport, file: &str) -> &'a CoverageRow {
    p.coverage
        .iter()
        .find(|r| r.file == file)
        .unwrap_or_else(|| panic!("no row for {file}: {:?}", p.coverage.iter().map(|r| &r.file).collect::<Vec<_>>()))
}

fn digest<'a>(r: &'a CoverageRow, alg: &str) -> &'a str {
    r.digests.iter().find(|d| d.algorithm == alg).map(|d| d.digest.as_str()).unwrap_or("")
}

fn zip_of(files: &[(String, Vec<u8>)], prefix: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(format!("{prefix}{name}"), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Rows as (file, status, member tags) for comparing a zipped drop with the loose files.
fn summary(p: &PackageReport, strip: &str) -> Vec<(String, CoverageStatus, Vec<String>)> {
    let mut v: Vec<_> = p
        .coverage
        .iter()
        .map(|r| (r.file.strip_prefix(strip).unwrap_or(&r.file).to_string(), r.status, r.members.iter().map(|m| m.tag.clone()).collect()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

// ---------------------------------------------------------------------------------------------
// Corpus packages

fn corpus_package(rel: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let dir = crate::support::corpus()?;
    Some(files_under(&dir.join(rel)))
}

#[test]
fn vigembus_inf_cat_sys_all_covered_by_sha1_and_sha256_members() {
    let Some(files) = corpus_package("drivers/vigembus") else { return };
    let r = run(&files);
    let p = only_package(&r);
    assert_eq!(p.kind.name(), "inf");
    assert_eq!(p.inf.as_deref(), Some("ViGEmBus.inf"));
    assert_eq!(p.catalogs.len(), 1);
    assert_eq!(p.catalogs[0].path.as_deref(), Some("ViGEmBus.cat"));
    assert_eq!(p.catalogs[0].signature, Outcome::Pass);
    assert_eq!(p.coverage.len(), 2);
    for r in &p.coverage {
        assert_eq!(r.status, CoverageStatus::Covered, "{}: {}", r.file, r.reason);
        // The catalog lists each file twice: a SHA-1 (tag only) and a SHA-256 member.
        let mut algs: Vec<&str> = r.members.iter().map(|m| m.algorithm.as_str()).collect();
        algs.sort();
        assert_eq!(algs, ["sha1", "sha256"], "{}", r.file);
    }
    let sys = row(p, "ViGEmBus.sys");
    assert_eq!(sys.hash_kind.name(), "authenticode");
    assert_eq!(sys.role.name(), "driver");
    assert_eq!(sys.embedded.count, 2);
    assert_eq!(sys.embedded.verdict, Outcome::Pass);
    assert!(sys.windows_uses.iter().any(|w| w.contains("embedded signature")), "{:?}", sys.windows_uses);
    assert_eq!(digest(sys, "sha256"), "e5e75f5242939f29a885f210f63e465c12a38d6353c85ef56e128a4f4fbfde14");
    let inf = row(p, "ViGEmBus.inf");
    assert_eq!(inf.hash_kind.name(), "flat");
    assert_eq!(inf.role.name(), "inf");
    assert!(p.missing_members.is_empty(), "{:?}", p.missing_members);
    assert!(p.missing_files.is_empty(), "{:?}", p.missing_files);
    let h = p.hwids.as_ref().unwrap();
    assert_eq!(h.in_both.len(), 1);
    assert!(h.only_in_inf.is_empty() && h.only_in_catalog.is_empty());
    assert_eq!(p.verdict, Outcome::Pass);
}

#[test]
fn cp210x_silabser_covered_by_sha1_authenticode_and_x86_members_missing() {
    let Some(files) = corpus_package("drivers/cp210x-6.7") else { return };
    let r = run(&files);
    let p = only_package(&r);
    assert_eq!(p.catalogs[0].subject_algorithm, "sha1");
    let sys = row(p, "x64/silabser.sys");
    assert_eq!(sys.status, CoverageStatus::Covered, "{}", sys.reason);
    assert_eq!(sys.hash_kind.name(), "authenticode");
    assert_eq!(sys.embedded.count, 0);
    assert_eq!(sys.members.len(), 1);
    assert_eq!(sys.members[0].tag, digest(sys, "sha1").to_ascii_uppercase());
    assert!(sys.windows_uses.iter().any(|w| w.contains("only through slabvcp.cat")), "{:?}", sys.windows_uses);
    let inf = row(p, "slabvcp.inf");
    assert_eq!(inf.status, CoverageStatus::Covered, "{}", inf.reason);
    assert_eq!(inf.hash_kind.name(), "flat");
    // 7 members, 2 matched: the other silabser.sys (x86), silabenm.sys x2, WdfCoinstaller x2.
    assert_eq!(p.missing_members.len(), 5, "{:#?}", p.missing_members);
    assert!(p.missing_members.iter().any(|m| m.file.as_deref() == Some("silabser.sys") && m.note.contains("variant")));
    let mut missing: Vec<&str> = p.missing_files.iter().map(|m| m.name.as_str()).collect();
    missing.sort();
    assert_eq!(missing, ["WdfCoinstaller01009.dll", "silabenm.sys"]);
    assert_eq!(p.hwids.as_ref().unwrap().in_both.len(), 7);
    // A file the INF needs is missing: the package fails.
    assert_eq!(p.verdict, Outcome::Fail);
    // silabser.sys has no embedded signature: every Windows loads it through the WHQL catalog.
    assert_eq!(sys.verdicts.len(), drvsig::policy::Target::ALL.len());
    for v in sys.verdicts.iter().filter(|v| v.arch == drvsig::policy::Arch::X64) {
        assert_eq!(v.verdict, drvsig::report::LoadVerdict::Loads, "{}: {}", v.target, v.rule);
        assert!(v.rests_on.starts_with("catalog slabvcp.cat"), "{}: {}", v.target, v.rests_on);
    }
    // An x64 driver: blocked on the x86 and ARM64 targets for its architecture.
    for v in sys.verdicts.iter().filter(|v| v.arch != drvsig::policy::Arch::X64) {
        assert_eq!((v.verdict, v.source.as_str()), (drvsig::report::LoadVerdict::Blocked, drvsig::policy::PE_FORMAT), "{}", v.target);
    }
    assert!(inf.verdicts.is_empty(), "verdicts are for driver binaries only");
}

#[test]
fn arduino_inf_covered_by_its_flat_hash() {
    let Some(files) = corpus_package("drivers/arduino") else { return };
    let r = run(&files);
    let p = only_package(&r);
    let inf = row(p, "arduino.inf");
    assert_eq!(inf.status, CoverageStatus::Covered, "{}", inf.reason);
    assert_eq!(inf.members[0].tag, digest(inf, "sha1").to_ascii_uppercase());
    assert!(p.missing_members.is_empty() && p.missing_files.is_empty());
    assert_eq!(p.hwids.as_ref().unwrap().in_both.len(), 31);
    assert_eq!(p.verdict, Outcome::Pass);
}

#[test]
fn vigembus_with_textflipped_sys_is_a_mismatch() {
    let Some(dir) = crate::support::corpus() else { return };
    let v = dir.join("drivers/vigembus");
    let files = vec![
        ("ViGEmBus.inf".to_string(), read(&v.join("ViGEmBus.inf"))),
        ("ViGEmBus.cat".to_string(), read(&v.join("ViGEmBus.cat"))),
        ("ViGEmBus.sys".to_string(), read(&dir.join("tampered/ViGEmBus-textflip.sys"))),
    ];
    let r = run(&files);
    let p = only_package(&r);
    let sys = row(p, "ViGEmBus.sys");
    assert_eq!(sys.status, CoverageStatus::Mismatch);
    assert_eq!(sys.outcome, Outcome::Fail);
    assert_eq!(sys.named_members.len(), 2, "{:?}", sys.named_members);
    assert_eq!(sys.embedded.verdict, Outcome::Fail);
    assert_eq!(row(p, "ViGEmBus.inf").status, CoverageStatus::Covered);
    assert_eq!(p.verdict, Outcome::Fail);
}

#[test]
fn arduino_with_memberflipped_catalog_does_not_cover_the_inf() {
    let Some(dir) = crate::support::corpus() else { return };
    let files = vec![
        ("arduino.inf".to_string(), read(&dir.join("drivers/arduino/arduino.inf"))),
        ("arduino.cat".to_string(), read(&dir.join("tampered/arduino-memberflip.cat"))),
    ];
    let r = run(&files);
    let p = only_package(&r);
    assert_eq!(p.catalogs[0].signature, Outcome::Fail);
    let inf = row(p, "arduino.inf");
    assert_eq!(inf.status, CoverageStatus::Mismatch, "{}", inf.reason);
    assert!(inf.reason.contains("tag"), "{}", inf.reason);
    assert_eq!(p.verdict, Outcome::Fail);
    assert!(p.findings.iter().any(|f| f.check == "package.catalog.signature" && f.outcome == Outcome::Fail));
}

#[test]
fn loose_sys_without_inf_is_matched_against_the_catalog() {
    let Some(dir) = crate::support::corpus() else { return };
    let files = vec![
        ("slabvcp.cat".to_string(), read(&dir.join("drivers/cp210x-6.7/slabvcp.cat"))),
        ("silabser.sys".to_string(), read(&dir.join("drivers/cp210x-6.7/x64/silabser.sys"))),
    ];
    let r = run(&files);
    let p = only_package(&r);
    assert_eq!(p.kind.name(), "loose");
    assert_eq!(p.inf, None);
    assert_eq!(row(p, "silabser.sys").status, CoverageStatus::Covered);
    assert_eq!(p.missing_members.len(), 6);
}

#[test]
fn zipped_corpus_package_gives_the_same_coverage() {
    let Some(files) = corpus_package("drivers/cp210x-6.7") else { return };
    let loose = run(&files);
    let zipped = run(&[("cp210x.zip".to_string(), zip_of(&files, "CP210x_6.7/"))]);
    assert_eq!(zipped.files[0].kind, FileKind::Zip);
    assert_eq!(zipped.files.len(), files.len() + 1);
    let (a, b) = (only_package(&loose), only_package(&zipped));
    assert_eq!(b.inf.as_deref(), Some("cp210x.zip/CP210x_6.7/slabvcp.inf"));
    assert_eq!(summary(a, ""), summary(b, "cp210x.zip/CP210x_6.7/"));
    assert_eq!(a.missing_members.len(), b.missing_members.len());
    assert_eq!(a.missing_files, b.missing_files);
    assert_eq!(a.verdict, b.verdict);
}

// ---------------------------------------------------------------------------------------------
// Zip caps (archives built here)

#[test]
fn zip_bomb_entry_is_refused_with_a_finding() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let files = vec![("bomb.bin".to_string(), zeros), ("note.txt".to_string(), b"hello".to_vec())];
    let r = run(&[("bomb.zip".to_string(), zip_of(&files, ""))]);
    let zip = &r.files[0];
    let f = zip.findings.iter().find(|f| f.check == "zip.ratio").expect("zip.ratio finding");
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(f.offset.is_some());
    // The bomb was skipped, the small entry was inspected.
    assert_eq!(r.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["bomb.zip", "bomb.zip/note.txt"]);
}

#[test]
fn zip_with_too_many_entries_is_capped_with_a_finding() {
    let n = drvsig::package::MAX_ZIP_ENTRIES + 5;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..n {
        w.start_file(format!("f{i}.txt"), opts).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    let r = run(&[("many.zip".to_string(), bytes)]);
    assert!(r.files[0].findings.iter().any(|f| f.check == "zip.entries" && f.outcome == Outcome::Fail));
    assert_eq!(r.files.len(), 1 + drvsig::package::MAX_ZIP_ENTRIES);
}

#[test]
fn nested_zip_is_not_expanded_and_broken_zip_is_a_finding() {
    let inner = zip_of(&[("a.txt".to_string(), b"a".to_vec())], "");
    let outer = zip_of(&[("inner.zip".to_string(), inner)], "");
    let r = run(&[("outer.zip".to_string(), outer), ("broken.zip".to_string(), b"PK\x03\x04 not really".to_vec())]);
    let names: Vec<&str> = r.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["outer.zip", "outer.zip/inner.zip", "broken.zip"]);
    assert!(r.files[1].findings.iter().any(|f| f.check == "zip.nested"));
    assert!(r.files[2].findings.iter().any(|f| f.check == "zip.open" && f.outcome == Outcome::Fail));
    assert!(r.packages.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Our fixture packages (always present)

fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packages").join(name)
}

#[test]
fn fixture_catalog_parses_and_its_signature_verifies() {
    let dir = fixture_dir("good");
    let cat = read(&dir.join("drvsigtest.cat"));
    let r = drvsig::inspect("drvsigtest.cat", &cat, &options());
    assert_eq!(r.kind, FileKind::Catalog);
    let c = r.catalog.as_ref().expect("catalog report");
    assert_eq!(c.subject_algorithm, "sha256");
    assert_eq!(c.member_count, 2);
    assert_eq!(c.hwids, ["root\\drvsigtest"]);
    let mut files: Vec<String> =
        c.members.iter().flat_map(|m| m.attributes.iter().filter(|a| a.name == "File").map(|a| a.value.clone())).collect();
    files.sort();
    assert_eq!(files, ["drvsigtest.inf", "drvsigtest.sys"]);
    let types: Vec<&str> = c.members.iter().filter_map(|m| m.data_type.as_deref()).collect();
    assert!(types.contains(&"pe-image") && types.contains(&"flat-file"), "{types:?}");
    assert!(c.findings.iter().all(|f| f.outcome != Outcome::Fail), "{:?}", c.findings);
    let sig = r.signatures.first().expect("catalog signature");
    assert_eq!(sig.signature_verdict, Outcome::Pass, "{:?}", sig.findings);
    assert!(sig.signer.as_ref().unwrap().subject.contains("drvsig Test Driver Publisher"), "{:?}", sig.signer);
}

#[test]
fn fixture_good_package_is_all_covered() {
    let r = run(&files_under(&fixture_dir("good")));
    let p = only_package(&r);
    assert_eq!(p.inf.as_deref(), Some("drvsigtest.inf"));
    assert_eq!(p.catalogs[0].signature, Outcome::Pass);
    assert_eq!(p.coverage.len(), 2);
    for r in &p.coverage {
        assert_eq!(r.status, CoverageStatus::Covered, "{}: {}", r.file, r.reason);
    }
    assert_eq!(row(p, "drvsigtest.sys").hash_kind.name(), "authenticode");
    assert_eq!(row(p, "drvsigtest.sys").embedded.count, 1);
    assert!(p.missing_members.is_empty() && p.missing_files.is_empty());
    assert_eq!(p.hwids.as_ref().unwrap().in_both, ["root\\drvsigtest"]);
    assert_eq!(p.verdict, Outcome::Pass);
    // Test-signed (our test CA is in no store): it loads only in test mode, through the catalog or
    // the embedded signature.
    let sys = row(p, "drvsigtest.sys");
    assert_eq!(sys.verdicts.len(), drvsig::policy::Target::ALL.len());
    for v in &sys.verdicts {
        let expected = if v.target == drvsig::policy::Target::TestSigning {
            drvsig::report::LoadVerdict::LoadsWithConditions
        } else {
            drvsig::report::LoadVerdict::Blocked
        };
        assert_eq!(v.verdict, expected, "{}: {}", v.target, v.rule);
    }
}

#[test]
fn fixture_tampered_package_is_a_mismatch() {
    let r = run(&files_under(&fixture_dir("tampered")));
    let p = only_package(&r);
    let sys = row(p, "drvsigtest.sys");
    assert_eq!(sys.status, CoverageStatus::Mismatch, "{}", sys.reason);
    assert_eq!(sys.named_members.len(), 1);
    assert_eq!(row(p, "drvsigtest.inf").status, CoverageStatus::Covered);
    assert_eq!(p.verdict, Outcome::Fail);
}

#[test]
fn fixture_missing_file_package_lists_the_missing_member_and_file() {
    let r = run(&files_under(&fixture_dir("missing-file")));
    let p = only_package(&r);
    for r in &p.coverage {
        assert_eq!(r.status, CoverageStatus::Covered, "{}: {}", r.file, r.reason);
    }
    assert_eq!(p.missing_members.len(), 1, "{:?}", p.missing_members);
    assert_eq!(p.missing_members[0].file.as_deref(), Some("drvsigfilter.sys"));
    assert_eq!(p.missing_files.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["drvsigfilter.sys"]);
    assert_eq!(p.verdict, Outcome::Fail);
}

#[test]
fn fixture_demo_zips_match_the_directories() {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/demo");
    for name in ["good", "tampered", "missing-file"] {
        let zipped = run(&[(format!("{name}.zip"), read(&demo.join(format!("{name}.zip"))))]);
        let loose = run(&files_under(&fixture_dir(name)));
        let (a, b) = (only_package(&loose), only_package(&zipped));
        assert_eq!(summary(a, ""), summary(b, &format!("{name}.zip/{name}/")), "{name}");
        assert_eq!(a.verdict, b.verdict, "{name}");
    }
}

/// The page's package pass hands back the reports its workers made (zip members included, named
/// `archive.zip/inner`): reusing them gives the same drop report as inspecting from scratch, and
/// the zip's own findings are not doubled.
#[test]
fn reports_made_earlier_are_reused_by_name() {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/demo");
    let mut files = vec![("missing-file.zip".to_string(), read(&demo.join("missing-file.zip")))];
    files.extend(files_under(&fixture_dir("tampered")));
    let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    let fresh = inspect_package(&borrowed, &options());
    // Each file inspected alone first, as the page's workers do (a zip expands into its members).
    let earlier: Vec<drvsig::FileReport> =
        borrowed.iter().flat_map(|f| inspect_package(std::slice::from_ref(f), &options()).files).collect();
    assert!(earlier.len() > files.len(), "the zip's members come back as reports of their own");
    let reused = drvsig::package::inspect_package_with_reports(&borrowed, earlier, &options());
    assert_eq!(reused, fresh);
    // A report whose name matches no file is ignored; a file without a report is inspected.
    let odd = drvsig::inspect("elsewhere.sys", &files[1].1, &options());
    let partial = drvsig::package::inspect_package_with_reports(&borrowed, vec![odd], &options());
    assert_eq!(partial, fresh);
}

/// One member read out of a zip (as the page does for its ASN.1 view) is the file that was zipped;
/// absent names and directories give nothing.
#[test]
fn zip_member_reads_one_entry() {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/demo");
    let zip = read(&demo.join("good.zip"));
    let loose = files_under(&fixture_dir("good"));
    assert!(!loose.is_empty());
    for (name, bytes) in &loose {
        assert_eq!(drvsig::package::zip_member(&zip, &format!("good/{name}")).as_ref(), Some(bytes), "{name}");
    }
    assert_eq!(drvsig::package::zip_member(&zip, "good/nothing-here.sys"), None);
    assert_eq!(drvsig::package::zip_member(b"not a zip", "good/drvsigtest.sys"), None);
}
