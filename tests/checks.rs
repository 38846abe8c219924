//! The check registry (`drvsig::checks`) against what uses it: docs/report.md lists exactly the
//! registered checks (`DRVSIG_BLESS=1` rewrites the list), every check id in a golden report is
//! registered, and every check-id literal in the core's source is too.

use std::path::{Path, PathBuf};

const BEGIN: &str = "<!-- checks:begin (generated from src/checks.rs) -->\n";
const END: &str = "<!-- checks:end -->";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// The quoted strings of `text` that follow `prefix` (`"check": "` in JSON, `"` in Rust).
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.split(prefix).skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

const FAMILIES: [&str; 12] =
    ["pe", "authenticode", "signature", "timestamp", "chain", "catalog", "certificate", "inf", "zip", "package", "hvci", "blocklist"];

fn looks_like_check_id(s: &str) -> bool {
    let Some((family, rest)) = s.split_once('.') else { return false };
    FAMILIES.contains(&family)
        && !rest.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

#[test]
fn docs_list_the_registered_checks() {
    let path = root().join("docs/report.md");
    let text = std::fs::read_to_string(&path).expect("docs/report.md");
    let start = text.find(BEGIN).expect("docs/report.md has the checks markers") + BEGIN.len();
    let end = text[start..].find(END).expect("end marker") + start;
    let table = drvsig::checks::markdown_table();
    if text[start..end] != table {
        if std::env::var_os("DRVSIG_BLESS").is_some_and(|v| v != "0") {
            std::fs::write(&path, format!("{}{table}{}", &text[..start], &text[end..])).expect("write docs/report.md");
        } else {
            panic!(
                "docs/report.md's list of checks differs from src/checks.rs (DRVSIG_BLESS=1 cargo test --test tests checks rewrites it)"
            );
        }
    }
}

#[test]
fn every_golden_check_is_registered() {
    let mut paths = Vec::new();
    files(&root().join("tests/golden"), "json", &mut paths);
    assert!(!paths.is_empty());
    let mut unknown = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("golden report");
        for id in quoted_after(&text, "\"check\": \"") {
            if drvsig::checks::find(id).is_none() {
                unknown.push(format!("{id} ({})", path.display()));
            }
        }
    }
    assert!(unknown.is_empty(), "check ids not in src/checks.rs:\n{}", unknown.join("\n"));
}

#[test]
fn every_check_literal_in_the_core_is_registered() {
    let mut paths = Vec::new();
    files(&root().join("src"), "rs", &mut paths);
    let mut unknown = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("source");
        // Unit tests may name made-up checks.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for s in quoted_after(code, "\"") {
            if looks_like_check_id(s) && drvsig::checks::find(s).is_none() {
                unknown.push(format!("{s} ({})", path.display()));
            }
        }
    }
    // Ids built from a prefix (the signer checks are `signature.*` and `timestamp.*`).
    for name in ["content-type", "message-digest", "signature", "signature.legacy-padding", "signer-certificate", "signer-digest-algorithm"]
    {
        for prefix in ["signature", "timestamp"] {
            let id = format!("{prefix}.{name}");
            if drvsig::checks::find(&id).is_none() {
                unknown.push(id);
            }
        }
    }
    assert!(unknown.is_empty(), "check ids not in src/checks.rs:\n{}", unknown.join("\n"));
}
