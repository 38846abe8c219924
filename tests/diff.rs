//! `drvsig::diff`: two inspections compared, on our generated version pairs (`tests/fixtures/diff/`,
//! made by `cargo xtask fixtures-diff`: one change each against `base`) and on the corpus's two
//! WinDivert releases.

use std::path::{Path, PathBuf};

use drvsig::diff::{diff, markdown::diff_markdown, DiffReport, Direction, Field, FileDiff, FileStatus, HighlightKind, MatchedBy};
use drvsig::report::{CoverageStatus, InspectionReport, LoadVerdict, Outcome};
use drvsig::{inspect_package, Options, UnixTime};

fn options() -> Options {
    Options::at(UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap())
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

/// Every file under `dir` (or the file itself), named as the CLI names them (relative to a
/// directory argument; the path itself for a file argument).
fn inspect(path: &Path) -> InspectionReport {
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            let p = entry.unwrap().path();
            files.push((p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
        }
    } else {
        files.push((path.to_string_lossy().into_owned(), std::fs::read(path).unwrap()));
    }
    files.sort();
    let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    inspect_package(&borrowed, &options())
}

fn against_base(variant: &str) -> DiffReport {
    diff(&inspect(&fixtures().join("base")), &inspect(&fixtures().join(variant)))
}

fn file<'a>(d: &'a DiffReport, path: &str) -> &'a FileDiff {
    d.files
        .iter()
        .find(|f| f.path() == path)
        .unwrap_or_else(|| panic!("no {path} in {:?}", d.files.iter().map(FileDiff::path).collect::<Vec<_>>()))
}

fn has_highlight(d: &DiffReport, kind: HighlightKind, direction: Direction, text: &str) -> bool {
    d.highlights.iter().any(|h| h.kind == kind && h.direction == direction && h.text.contains(text))
}

#[test]
fn identical_inputs_do_not_differ() {
    let report = inspect(&fixtures().join("base"));
    let d = diff(&report, &report);
    assert!(!d.differs);
    assert!(d.highlights.is_empty(), "{:?}", d.highlights);
    assert_eq!((d.counts.unchanged, d.counts.changed, d.counts.added, d.counts.removed), (3, 0, 0, 0));
    assert!(d.packages.iter().all(|p| p.status == FileStatus::Unchanged));
    assert!(diff_markdown(&d).contains("No differences."));
}

#[test]
fn a_zip_and_its_folder_do_not_differ() {
    let d = diff(&inspect(&fixtures().join("base.zip")), &inspect(&fixtures().join("base")));
    assert!(!d.differs, "{:#?}", d.highlights);
    assert!(d.old_root.ends_with("base.zip/drvsigtest-1.0/"), "{}", d.old_root);
}

#[test]
fn resigned_driver_shows_the_signature_swapped_and_the_same_image() {
    let d = against_base("resigned");
    assert!(d.differs);
    let sys = file(&d, "drvsigtest.sys");
    assert_eq!(sys.status, FileStatus::Changed);
    assert_eq!(sys.matched_by, Some(MatchedBy::Path));
    let added: Vec<&str> = sys.signatures.added.iter().map(|s| s.digest_algorithm.as_str()).collect();
    let removed: Vec<&str> = sys.signatures.removed.iter().map(|s| s.digest_algorithm.as_str()).collect();
    assert_eq!((added, removed), (vec!["sha1"], vec!["sha256"]));
    assert!(sys.signatures.added[0].signer.as_deref().unwrap().contains("drvsig Test Driver Publisher"));
    // Same image: no Authenticode digest in common that differs (sha1 vs sha256 signatures; the
    // catalog's SHA-256 of the image is the same), and the catalog still covers it.
    assert!(sys.changes.iter().all(|c| c.field != Field::AuthenticodeDigest), "{:?}", sys.changes);
    assert!(d.packages.iter().all(|p| p.coverage.is_empty()));
    // The verdicts now rest on the SHA-1 signature.
    assert!(sys.verdicts.iter().any(|v| v.new.as_ref().unwrap().rests_on.contains("sha1")));
    assert_eq!(file(&d, "drvsigtest.cat").status, FileStatus::Unchanged);
    assert!(has_highlight(&d, HighlightKind::SignerChanged, Direction::Neutral, "signature added: drvsig Test Driver Publisher (sha1"));
}

#[test]
fn catalog_member_added_with_its_file() {
    let d = against_base("member-added");
    let cat = file(&d, "drvsigtest.cat");
    let c = cat.catalog.as_ref().expect("catalog diff");
    assert_eq!(c.members_added.len(), 1);
    assert_eq!(c.members_added[0].file.as_deref(), Some("readme.txt"));
    assert!(c.members_removed.is_empty() && c.members_changed.is_empty());
    assert!(c.changes.iter().any(|v| v.field == Field::MemberCount && v.old.as_deref() == Some("2") && v.new.as_deref() == Some("3")));
    let readme = file(&d, "readme.txt");
    assert_eq!(readme.status, FileStatus::Added);
    let package = &d.packages[0];
    let row = package.coverage.iter().find(|c| c.file == "readme.txt").expect("coverage change");
    assert_eq!((row.old, row.new, row.direction), (None, Some(CoverageStatus::Covered), Direction::Better));
    assert!(has_highlight(&d, HighlightKind::CatalogMembersChanged, Direction::Neutral, "1 added"));
}

#[test]
fn new_hardware_id_in_the_inf_and_the_catalog() {
    let d = against_base("new-hwid");
    let inf = file(&d, "drvsigtest.inf").inf.as_ref().expect("INF diff");
    assert_eq!(inf.hardware_ids.added, vec!["Root\\DrvsigTestV2".to_string()]);
    assert!(inf.hardware_ids.removed.is_empty());
    let cat = file(&d, "drvsigtest.cat").catalog.as_ref().expect("catalog diff");
    assert_eq!(cat.hwids.added, vec!["root\\drvsigtestv2".to_string()]);
    assert!(cat.attributes.added.iter().any(|a| a == "HWID2=root\\drvsigtestv2"));
    // The INF member's digest changed with the INF: paired by its File attribute.
    assert!(cat.members_changed.iter().any(|m| m.new.file.as_deref() == Some("drvsigtest.inf") && m.old.tag != m.new.tag));
    assert!(has_highlight(&d, HighlightKind::HardwareIdsChanged, Direction::Neutral, "INF hardware IDs added: Root\\DrvsigTestV2"));
    assert_eq!(file(&d, "drvsigtest.sys").status, FileStatus::Unchanged);
}

#[test]
fn renamed_driver_is_a_rename_not_a_removal_and_an_addition() {
    let d = against_base("renamed");
    let sys = file(&d, "drvsigtest64.sys");
    assert_eq!(sys.status, FileStatus::Unchanged);
    assert!(sys.renamed);
    assert_eq!(sys.matched_by, Some(MatchedBy::Digest));
    assert_eq!(sys.old_path.as_deref(), Some("drvsigtest.sys"));
    assert_eq!((d.counts.added, d.counts.removed, d.counts.renamed), (0, 0, 1));
    let inf = file(&d, "drvsigtest.inf").inf.as_ref().expect("INF diff");
    assert_eq!(inf.source_files.added, vec!["drvsigtest64.sys".to_string()]);
    assert!(inf.changes.iter().any(|c| c.field == Field::ServiceBinary && c.new.as_deref() == Some("%13%\\drvsigtest64.sys")));
    // Still covered under its new name: no coverage change.
    assert!(d.packages.iter().all(|p| p.coverage.is_empty()), "{:?}", d.packages[0].coverage);
    assert!(has_highlight(&d, HighlightKind::FileRenamed, Direction::Neutral, "drvsigtest.sys renamed to drvsigtest64.sys (same content)"));
}

#[test]
fn tampered_driver_breaks_digest_coverage_and_verdicts() {
    let d = against_base("tampered");
    let sys = file(&d, "drvsigtest.sys");
    assert_eq!(sys.status, FileStatus::Changed);
    assert!(sys.changes.iter().any(|c| c.field == Field::AuthenticodeDigest && c.of.as_deref() == Some("sha256")));
    let changed = &sys.signatures.changed;
    assert_eq!(changed.len(), 1);
    assert!(changed[0]
        .changes
        .iter()
        .any(|c| c.field == Field::DigestVerdict && c.old.as_deref() == Some("pass") && c.new.as_deref() == Some("fail")));
    let test_mode = sys.verdicts.iter().find(|v| v.verdict_changed).expect("a verdict changed");
    assert_eq!(test_mode.old.as_ref().unwrap().verdict, LoadVerdict::LoadsWithConditions);
    assert_eq!(test_mode.new.as_ref().unwrap().verdict, LoadVerdict::Blocked);
    assert_eq!(test_mode.direction, Direction::Worse);
    let package = &d.packages[0];
    assert_eq!((package.old_verdict, package.new_verdict), (Some(Outcome::Pass), Some(Outcome::Fail)));
    assert_eq!(package.coverage[0].new, Some(CoverageStatus::Mismatch));
    // The summary leads with what a person must know.
    assert_eq!(d.highlights[0].kind, HighlightKind::VerdictChanged);
    assert!(has_highlight(&d, HighlightKind::SignatureVerdictChanged, Direction::Worse, "digest pass -> fail"));
    assert!(has_highlight(&d, HighlightKind::CoverageChanged, Direction::Worse, "drvsigtest.sys: covered -> mismatch"));
    let md = diff_markdown(&d);
    assert!(md.starts_with("# drvsig diff\n"), "{md}");
    assert!(md.find("## Summary").unwrap() < md.find("## Files").unwrap());
    assert!(md.contains("| \u{274c} drvsigtest.sys | covered (drvsigtest.cat) | mismatch (drvsigtest.cat) |"), "{md}");
}

#[test]
fn zips_under_different_top_folders_compare_their_contents() {
    let d = diff(&inspect(&fixtures().join("base.zip")), &inspect(&fixtures().join("tampered.zip")));
    assert_eq!((d.counts.changed, d.counts.unchanged, d.counts.added, d.counts.removed), (1, 2, 0, 0));
    assert_eq!(file(&d, "drvsigtest.sys").matched_by, Some(MatchedBy::Path));
}

#[test]
fn json_round_trips() {
    let d = against_base("tampered");
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains("\"kind\":\"verdict-changed\""), "{json}");
    let back: DiffReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
}

/// WinDivert 1.1 (SHA-1, one cross-signed signer) against 1.3 (SHA-256 cross-signed plus a nested
/// Microsoft attestation signature): signers swapped, verdicts moved both ways.
#[test]
fn windivert_releases() {
    let Some(corpus) = crate::support::corpus() else {
        return;
    };
    let old = inspect(&corpus.join("drivers/windivert-1.1/WinDivert64.sys"));
    let new = inspect(&corpus.join("drivers/windivert-1.3/WinDivert64.sys"));
    let d = diff(&old, &new);
    assert!(d.differs);
    let sys = file(&d, "WinDivert64.sys");
    assert_eq!(sys.matched_by, Some(MatchedBy::Path));
    // The version resource: the FileVersion string moved from 1.1.8 to 1.3 (the fixed version is
    // 1.0.0.0 in both releases, so it is not a change).
    let version = sys.changes.iter().find(|c| c.field == Field::FileVersion).expect("a FileVersion change");
    assert_eq!((version.old.as_deref(), version.new.as_deref()), (Some("1.1.8 built by: WinDDK"), Some("1.3 built by: WinDDK")));
    assert!(!sys.changes.iter().any(|c| c.field == Field::FileVersionFixed || c.field == Field::OriginalFilename));
    let signer = |s: &drvsig::diff::SignatureBrief| s.signer.clone().unwrap_or_default();
    assert_eq!(sys.signatures.removed.len(), 1);
    assert!(signer(&sys.signatures.removed[0]).contains("Nemea Mjukvaruutveckling AB"));
    assert_eq!(sys.signatures.removed[0].digest_algorithm, "sha1");
    let added: Vec<String> = sys.signatures.added.iter().map(signer).collect();
    assert!(added.iter().any(|s| s.contains("Ars Nova Systems")), "{added:?}");
    assert!(added.iter().any(|s| s.contains("Microsoft Windows Hardware Compatibility Publisher")), "{added:?}");
    assert!(sys.signatures.added.iter().any(|s| s.kind == Some(drvsig::report::SignerKind::Attestation)));
    let worse = sys.verdicts.iter().filter(|v| v.verdict_changed && v.direction == Direction::Worse).count();
    let better = sys.verdicts.iter().filter(|v| v.verdict_changed && v.direction == Direction::Better).count();
    assert!(worse >= 1 && better >= 1, "{:#?}", sys.verdicts);
    assert!(sys.changes.iter().any(|c| c.field == Field::Sha256));
}
