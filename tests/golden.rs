//! Golden reports: the JSON report of every corpus file, every corpus driver package, every PE
//! fixture and every fixture package, at a fixed verification time, compared with the copy in
//! `tests/golden/`. A change of behaviour shows up here as a diff a reviewer can read.
//!
//! After a deliberate change: `DRVSIG_BLESS=1 cargo test --test tests golden` rewrites the copies;
//! review `git diff tests/golden` and list the changes in the commit message (and docs/report.md
//! where the schema changed). On a mismatch the actual report is also written under
//! `target/golden-actual/` for `diff -r`.
//!
//! Fixture reports are judged with the fixtures' test root trusted (as a user anchor, like the
//! CLI's `--trust`), corpus reports with the built-in Microsoft roots only; both against the
//! shipped block list index (`data/blocklists.json`), as the CLI and the page judge.

use std::path::{Path, PathBuf};

use drvsig::time::UnixTime;
use drvsig::Options;

use crate::support;

/// The fixed verification time of every golden report.
fn time() -> UnixTime {
    UnixTime::from_civil(2026, 12, 1, 0, 0, 0).expect("a valid date")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("DRVSIG_BLESS").is_some_and(|v| v != "0")
}

/// Files under `dir` (recursively), sorted, as (relative name with `/`, path).
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir").to_string_lossy().replace('\\', "/");
                out.push((rel, path));
            }
        }
    }
    out.sort();
    out
}

/// Compares (or, when blessing, writes) one golden copy; returns a description of a mismatch.
fn check(golden_rel: &str, actual: &str) -> Option<String> {
    let golden = root().join("tests/golden").join(golden_rel);
    if bless() {
        std::fs::create_dir_all(golden.parent().expect("a parent")).expect("create golden dir");
        std::fs::write(&golden, actual).expect("write golden");
        return None;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if expected == actual {
        return None;
    }
    let out = root().join("target/golden-actual").join(golden_rel);
    std::fs::create_dir_all(out.parent().expect("a parent")).expect("create actual dir");
    std::fs::write(&out, actual).expect("write actual");
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .map_or_else(|| expected.lines().count().min(actual.lines().count()) + 1, |i| i + 1);
    let shown = |s: &str| s.lines().nth(line - 1).unwrap_or("<end>").trim().to_string();
    Some(format!(
        "{golden_rel}: first difference at line {line}\n  golden: {}\n  actual: {}\n  (actual written to {})",
        shown(&expected),
        shown(actual),
        out.display()
    ))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report serializes");
    s.push('\n');
    s
}

fn assert_none(mismatches: Vec<String>) {
    assert!(
        mismatches.is_empty(),
        "{} golden report(s) differ (DRVSIG_BLESS=1 cargo test --test tests golden rewrites them after a deliberate change):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The verification time and the shipped block lists.
fn options() -> Options {
    let mut options = Options::at(time());
    let index = drvsig::blocklist::index::Index::from_json(include_bytes!("../data/blocklists.json")).expect("the shipped index");
    options.blocklists = Some(std::sync::Arc::new(index.into_blocklists(Vec::new())));
    options
}

fn fixture_options() -> Options {
    let mut options = options();
    let root_der = std::fs::read(root().join("tests/fixtures/pki/root-ca.der")).expect("fixture root");
    options.trust_anchors.push(root_der);
    options
}

#[test]
fn golden_fixture_files() {
    let options = fixture_options();
    let mut mismatches = Vec::new();
    for dir in ["pe", "chain"] {
        for (rel, path) in files_under(&root().join("tests/fixtures").join(dir)) {
            if !(rel.ends_with(".sys") || rel.ends_with(".exe")) {
                continue;
            }
            let bytes = std::fs::read(&path).expect("fixture");
            let report = drvsig::inspect(&rel, &bytes, &options);
            mismatches.extend(check(&format!("fixtures/{dir}/{rel}.json"), &json(&report)));
        }
    }
    assert_none(mismatches);
}

#[test]
fn golden_fixture_packages() {
    let options = fixture_options();
    let mut mismatches = Vec::new();
    let packages = root().join("tests/fixtures/packages");
    let mut names: Vec<_> =
        std::fs::read_dir(&packages).expect("packages dir").map(|e| e.expect("entry").path()).filter(|p| p.is_dir()).collect();
    names.sort();
    for dir in names {
        let name = dir.file_name().expect("a name").to_string_lossy().to_string();
        let files: Vec<(String, Vec<u8>)> =
            files_under(&dir).into_iter().map(|(rel, path)| (rel, std::fs::read(path).expect("fixture"))).collect();
        let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
        let report = drvsig::package::inspect_package(&borrowed, &options);
        mismatches.extend(check(&format!("fixtures/packages/{name}.json"), &json(&report)));
        mismatches.extend(check(&format!("fixtures/packages/{name}.md"), &drvsig::markdown::report_markdown(&report)));
    }
    assert_none(mismatches);
}

#[test]
fn golden_corpus_files() {
    let Some(corpus) = support::corpus() else { return };
    let options = options();
    let mut mismatches = Vec::new();
    let mut headlines = String::new();
    for (rel, path) in files_under(&corpus) {
        if rel.starts_with("oracle/") || rel.starts_with("tools/") || !rel.contains('/') {
            continue;
        }
        let bytes = std::fs::read(&path).expect("corpus file");
        let report = drvsig::inspect(&rel, &bytes, &options);
        mismatches.extend(check(&format!("corpus/{rel}.json"), &json(&report)));
        headlines.push_str(&format!("{rel}: {}\n", drvsig::markdown::file_line(&report)));
    }
    mismatches.extend(check("corpus/HEADLINES.txt", &headlines));
    assert_none(mismatches);
}

#[test]
fn golden_corpus_packages() {
    let Some(corpus) = support::corpus() else { return };
    let options = options();
    let mut mismatches = Vec::new();
    let mut dirs: Vec<_> =
        std::fs::read_dir(corpus.join("drivers")).expect("drivers dir").map(|e| e.expect("entry").path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().expect("a name").to_string_lossy().to_string();
        let files: Vec<(String, Vec<u8>)> =
            files_under(&dir).into_iter().map(|(rel, path)| (rel, std::fs::read(path).expect("corpus file"))).collect();
        let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
        let report = drvsig::package::inspect_package(&borrowed, &options);
        mismatches.extend(check(&format!("corpus-packages/{name}.json"), &json(&report)));
        mismatches.extend(check(&format!("corpus-packages/{name}.md"), &drvsig::markdown::report_markdown(&report)));
    }
    assert_none(mismatches);
}
