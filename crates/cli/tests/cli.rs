//! The CLI as a user runs it: exit status, text summary and JSON on our own fixtures.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn drvsig(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_drvsig")).args(args).current_dir(root()).output().expect("run drvsig");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn intact_test_signed_driver_exits_0_with_a_readable_summary() {
    let (code, out, err) = drvsig(&["inspect", "--time", "2026-01-01", "tests/fixtures/pe/driver-dual-ts.sys"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("kind        PE32+"), "{out}");
    assert!(out.contains("signature #0 (WIN_CERTIFICATE #0 at 0x"), "{out}");
    assert!(out.contains("signature #1 (nested in signature 0), sha256"), "{out}");
    assert!(out.contains("CN=drvsig Test Driver Publisher"), "{out}");
    assert!(out.contains("rfc3161 2025-01-15T12:00:30Z"), "{out}");
    assert!(out.contains("kind        test-signed"), "{out}");
    assert!(out.contains("would Windows load it?"), "{out}");
}

#[test]
fn tampered_driver_exits_1_and_names_both_digests() {
    let (code, out, _) = drvsig(&["inspect", "tests/fixtures/pe/driver-tampered.sys"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL  authenticode.digest"), "{out}");
}

#[test]
fn trusting_the_test_root_makes_the_chain_pass() {
    let (code, out, err) =
        drvsig(&["inspect", "--time", "2026-01-01", "--trust", "tests/fixtures/pki/root-ca.pem", "tests/fixtures/pe/driver-sha256.sys"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("user-trusted root"), "{out}");
}

#[test]
fn json_has_files_and_packages() {
    let (code, out, err) = drvsig(&["inspect", "--json", "tests/fixtures/packages/good"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 3);
    assert!(files.iter().all(|f| f["sha256"].as_str().is_some_and(|s| s.len() == 64)));
    let packages = v["packages"].as_array().expect("packages");
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0]["verdict"], "pass");
    // Marked as drvsig's, with the schema and the time it was made (the page shows saved reports).
    let made_by = &v["made_by"];
    assert_eq!(made_by["tool"], "drvsig");
    assert!(made_by["version"].as_str().is_some_and(|v| !v.is_empty()), "{made_by}");
    assert_eq!(made_by["schema_version"], drvsig::report::SCHEMA_VERSION);
    assert!(made_by["made_at"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 20), "{made_by}");
}

#[test]
fn summary_is_the_pages_short_markdown() {
    let (code, out, err) = drvsig(&["inspect", "--summary", "--target", "testsigning", "tests/fixtures/packages/good"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("**drvsig summary** for Test mode"), "{out}");
    assert!(out.contains("`testsigning`") && out.contains("**Package "), "{out}");
    assert!(out.lines().count() <= 15, "{out}");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let (code, _, err) = drvsig(&["inspect", "no/such/file.sys"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.sys"), "{err}");
    let (code, _, err) = drvsig(&["inspect", "--time", "yesterday", "x.sys"]);
    assert_eq!(code, 2);
    assert!(err.contains("RFC 3339"), "{err}");
    let (code, _, _) = drvsig(&["inspect"]);
    assert_eq!(code, 2);
}

/// The block lists the CLI judges against by default (the committed index).
fn builtin_blocklists() -> drvsig::blocklist::BlockLists {
    let bytes = std::fs::read(root().join("data/blocklists.json")).expect("data/blocklists.json");
    drvsig::blocklist::index::Index::from_json(&bytes).expect("index").into_blocklists(Vec::new())
}

/// A big file (over the 4 MiB from which the CLI hashes on several cores when it has spare ones)
/// gets exactly the report the core makes on one thread: same digests, same verdicts.
#[test]
fn big_file_hashed_on_several_cores_gives_the_core_report() {
    let mut bytes = std::fs::read(root().join("tests/fixtures/pe/driver-dual.sys")).expect("fixture");
    // Data after the certificate table is hashed too: the signatures' digests no longer match,
    // which both paths must compute alike (SHA-1 and SHA-256).
    bytes.extend((0..5 * 1024 * 1024u32).map(|i| (i % 251) as u8));
    let dir = std::env::temp_dir().join(format!("drvsig-cli-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("big-dual.sys");
    std::fs::write(&path, &bytes).expect("write");
    let (code, out, err) = drvsig(&["inspect", "--json", "--time", "2026-01-01", path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let mut options = drvsig::Options::at(drvsig::UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").expect("time"));
    options.blocklists = Some(std::sync::Arc::new(builtin_blocklists()));
    let core = drvsig::inspect(path.to_str().expect("utf-8 path"), &bytes, &options);
    assert_eq!(core.signatures.len(), 2);
    assert_eq!(v["files"][0], serde_json::to_value(&core).expect("report JSON"));
}

#[test]
fn target_option_keeps_only_those_targets_in_text_and_json() {
    let driver = "tests/fixtures/pe/driver-sha256.sys";
    let (code, out, err) =
        drvsig(&["inspect", "--time", "2026-01-01", "--target", "testsigning", "--target", "win11-24h2-enforced", driver]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Test mode (TESTSIGNING on, Secure Boot off)") && out.contains("Windows 11 24H2+"), "{out}");
    assert!(!out.contains("Windows 8.1 x64") && !out.contains("Windows Server 2025"), "{out}");
    let (code, out, _) = drvsig(&["inspect", "--json", "--time", "2026-01-01", "--target", "server-2025", driver]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let verdicts = v["files"][0]["verdicts"].as_array().cloned().unwrap_or_default();
    assert_eq!(verdicts.len(), 1, "{out}");
    assert_eq!((verdicts[0]["target"].as_str(), verdicts[0]["arch"].as_str()), (Some("server-2025"), Some("x64")));
}

#[test]
fn unknown_target_is_a_usage_error_listing_the_ids() {
    let (code, _, err) = drvsig(&["inspect", "--target", "win12", "tests/fixtures/pe/driver-sha256.sys"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("win11-24h2-enforced") && err.contains("server-2025") && err.contains("win7-sp1-x86"), "{err}");
}

#[test]
fn diff_json_is_the_core_diff() {
    let (code, out, err) = drvsig(&["diff", "--json", "--time", "2026-01-01", "tests/fixtures/diff/base", "tests/fixtures/diff/tampered"]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["differs"], true);
    assert_eq!(v["counts"]["changed"], 1);
    assert_eq!(v["highlights"][0]["kind"], "verdict-changed");
    let sys = v["files"].as_array().expect("files").iter().find(|f| f["new_path"] == "drvsigtest.sys").expect("the driver");
    assert_eq!(sys["signatures"]["changed"][0]["changes"][0]["field"], "digest-verdict");
    let (code, out, _) = drvsig(&["diff", "--json", "tests/fixtures/diff/base", "tests/fixtures/diff/base"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"differs\": false"), "{out}");
}

/// Transcripts (`tests/cmd/*.trycmd`, run from this crate's directory): `drvsig diff` as a user
/// types it, with its exit status and its whole output. `TRYCMD=overwrite cargo test -p drvsig-cli
/// transcripts` rewrites them after a deliberate change (then put `[..]` back where a regenerated
/// fixture catalog's digest appears). snapbox shows `\\` as `/` in them (it normalizes paths).
#[test]
fn transcripts() {
    trycmd::TestCases::new().register_bin("drvsig", std::path::Path::new(env!("CARGO_BIN_EXE_drvsig"))).case("tests/cmd/*.trycmd");
}

/// `--blocklist`: an SiPolicy the test writes denies a fixture driver by its Authenticode hash; the
/// text names the rule and the list, and S mode blocks it. A malformed list is an error naming the
/// file and line, and the files are still inspected.
#[test]
fn blocklist_option_denies_and_malformed_lists_are_reported() {
    let fixture = root().join("tests/fixtures/pe/driver-dual.sys");
    let bytes = std::fs::read(&fixture).expect("fixture");
    let hash = drvsig::hex::encode(&drvsig::pe::authenticode_digest(&bytes, drvsig::digest::DigestAlgorithm::Sha256).expect("digest"));
    let dir = std::env::temp_dir().join(format!("drvsig-cli-blocklist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("deny.xml");
    std::fs::write(
        &good,
        format!(
            r#"<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy"><VersionEx>1.2.3.4</VersionEx>
<FileRules><Deny ID="ID_DENY_FIXTURE" FriendlyName="fixture Hash Sha256" Hash="{hash}"/></FileRules>
<SigningScenarios><SigningScenario Value="131"><ProductSigners><FileRulesRef><FileRuleRef RuleID="ID_DENY_FIXTURE"/></FileRulesRef></ProductSigners></SigningScenario></SigningScenarios>
</SiPolicy>"#
        ),
    )
    .expect("write");
    let bad = dir.join("bad.xml");
    std::fs::write(&bad, "<SiPolicy>\n<FileRules>\n</SiPolicy>\n").expect("write");
    let args = [
        "inspect",
        "--time",
        "2026-01-01",
        "--blocklist",
        good.to_str().unwrap(),
        "--blocklist",
        bad.to_str().unwrap(),
        fixture.to_str().unwrap(),
    ];
    let (_, out, err) = drvsig(&args);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.contains("block lists MATCH") && out.contains("ID_DENY_FIXTURE"), "{out}");
    assert!(out.contains("Denied by Microsoft's driver block rules (ID_DENY_FIXTURE"), "{out}");
    assert!(out.contains("judged against: ") && out.contains("LOLDrivers 2026-08-12"), "{out}");
    assert!(err.contains("bad.xml:3"), "{err}");
}
