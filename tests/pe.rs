//! The PE layer on every PE of the shared corpus: Authenticode digests against the peers
//! (`summary.computed_authenticode_digest` in manifest.json), certificate-table entries against
//! `pe_layout`, tampered and malformed files, and `inspect()` on every corpus file.

use std::path::Path;

use drvsig::digest::DigestAlgorithm;
use drvsig::{hex, inspect, pe, Options, Outcome, UnixTime};
use serde_json::Value;

use crate::support::corpus;

fn manifest(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("read manifest.json");
    let v: Value = serde_json::from_str(&text).expect("parse manifest.json");
    v["files"].as_array().cloned().unwrap_or_default()
}

fn pe_files(dir: &Path) -> Vec<(String, Vec<u8>, Value)> {
    manifest(dir)
        .into_iter()
        .filter(|f| matches!(f["format"].as_str(), Some("pe" | "efi")))
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default().to_string();
            let bytes = std::fs::read(dir.join(&path)).unwrap_or_else(|e| panic!("read {path}: {e}"));
            (path, bytes, f)
        })
        .collect()
}

fn options() -> Options {
    Options::at(UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap())
}

#[test]
fn authenticode_digests_match_the_peers() {
    let Some(dir) = corpus() else { return };
    let algs = [DigestAlgorithm::Md5, DigestAlgorithm::Sha1, DigestAlgorithm::Sha256];
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (path, bytes, f) in pe_files(&dir) {
        let ours = pe::authenticode_digests(&bytes, &algs).unwrap_or_else(|e| panic!("{path}: {e}"));
        for (alg, digest) in algs.iter().zip(&ours) {
            let peers = &f["summary"]["computed_authenticode_digest"][alg.name()];
            assert_eq!(peers["peers_agree"], Value::Bool(true), "{path}: peers disagree on {}", alg.name());
            let values: Vec<&str> = peers["values"].as_object().unwrap().values().filter_map(Value::as_str).collect();
            let ours = hex::encode(digest);
            // The single-algorithm API gives the same digest as the one-pass API.
            assert_eq!(hex::encode(&pe::authenticode_digest(&bytes, *alg).unwrap()), ours);
            let agree = values.iter().all(|v| v.eq_ignore_ascii_case(&ours));
            if *alg == DigestAlgorithm::Sha256 {
                rows.push(format!("{path:55} {ours} {}", if agree { "agree" } else { "DIFFER" }));
            }
            if !agree {
                failures.push(format!("{path} {}: ours {ours}, peers {values:?}", alg.name()));
            }
        }
    }
    eprintln!("{}", rows.join("\n"));
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn certificate_entries_match_pe_layout() {
    let Some(dir) = corpus() else { return };
    for (path, bytes, f) in pe_files(&dir) {
        let report = inspect(&path, &bytes, &options());
        let expected = f["pe_layout"]["win_certificate_entries"].as_array().cloned().unwrap_or_default();
        let info = report.pe.as_ref().unwrap_or_else(|| panic!("{path}: no PE info: {:#?}", report.findings));
        let entries = info.certificate_table.as_ref().map(|t| t.entries.clone()).unwrap_or_default();
        assert_eq!(entries.len(), expected.len(), "{path}");
        for (ours, theirs) in entries.iter().zip(&expected) {
            assert_eq!(Some(ours.offset), theirs["offset"].as_u64(), "{path}");
            assert_eq!(Some(u64::from(ours.length)), theirs["length"].as_u64(), "{path}");
            assert_eq!(Some(u64::from(ours.certificate_type)), theirs["type"].as_u64(), "{path}");
            assert_eq!(format!("0x{:x}", ours.revision), theirs["revision"].as_str().unwrap(), "{path}");
        }
        let stored = u32::from_str_radix(f["pe_layout"]["checksum_field"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        assert_eq!(info.checksum.stored, stored, "{path}");
        assert_eq!(info.format, f["pe_layout"]["optional_header_magic"].as_str().unwrap(), "{path}");
        let multiple = report.findings.iter().any(|x| x.check == "pe.certificate-table.multiple-entries");
        assert_eq!(multiple, expected.len() > 1, "{path}");
    }
}

/// osslsigncode prints the CheckSum it computes (`PE checksum` when it matches the stored one,
/// `Calculated PE checksum` otherwise); ours agrees on every corpus PE it ran on.
#[test]
fn checksum_matches_osslsigncode() {
    let Some(dir) = corpus() else { return };
    let mut compared = 0;
    for (path, bytes, _) in pe_files(&dir) {
        let oracle = dir.join("oracle").join(format!("{}.osslsigncode.txt", path.replace('/', "__")));
        let Ok(text) = std::fs::read_to_string(&oracle) else { continue };
        let Some(theirs) = text
            .lines()
            .find(|l| l.starts_with("PE checksum") || l.starts_with("Calculated PE checksum"))
            .and_then(|l| l.split(':').nth(1))
            .map(str::trim)
        else {
            continue;
        };
        let ours = pe::pe_checksum(&bytes).unwrap();
        assert_eq!(format!("{ours:08X}"), theirs, "{path}");
        compared += 1;
    }
    assert!(compared >= 25, "only {compared} CheckSums compared");
}

#[test]
fn goblin_and_our_reader_agree() {
    let Some(dir) = corpus() else { return };
    for (path, bytes, _) in pe_files(&dir) {
        let ours = pe::layout::read(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        match pe::layout::read_with_goblin(&bytes) {
            Ok(g) => assert_eq!(g, ours, "{path}"),
            Err(e) => eprintln!("{path}: goblin refuses: {e}"),
        }
    }
}

#[test]
fn tampered_text_byte_breaks_the_digest() {
    let Some(dir) = corpus() else { return };
    let bytes = std::fs::read(dir.join("tampered/ViGEmBus-textflip.sys")).unwrap();
    let original = std::fs::read(dir.join("drivers/vigembus/ViGEmBus.sys")).unwrap();
    let embedded = "e5e75f5242939f29a885f210f63e465c12a38d6353c85ef56e128a4f4fbfde14";
    assert_eq!(hex::encode(&pe::authenticode_digest(&original, DigestAlgorithm::Sha256).unwrap()), embedded);
    assert_ne!(hex::encode(&pe::authenticode_digest(&bytes, DigestAlgorithm::Sha256).unwrap()), embedded);
}

#[test]
fn malformed_files_give_findings() {
    let Some(dir) = corpus() else { return };
    let truncated = std::fs::read(dir.join("malformed/fwupdx64-truncated.efi")).unwrap();
    let report = inspect("fwupdx64-truncated.efi", &truncated, &options());
    let f = report.findings.iter().find(|f| f.check == "pe.certificate-table.outside-file").expect("outside-file finding");
    assert_eq!(f.outcome, Outcome::Fail);
    assert_eq!(f.offset, Some(0xf190));
    assert!(report.findings.iter().any(|f| f.check == "pe.certificate-entry.truncated" && f.offset == Some(0xf190)));
    assert!(report.signatures.is_empty());

    let more = std::fs::read(dir.join("malformed/MORE.EXE")).unwrap();
    assert!(pe::authenticode_digest(&more, DigestAlgorithm::Sha256).is_err());
    let report = inspect("MORE.EXE", &more, &options());
    assert!(report.pe.is_none());
}

#[test]
fn inspect_never_panics_on_the_corpus() {
    let Some(dir) = corpus() else { return };
    for f in manifest(&dir) {
        let path = f["path"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(path)).unwrap();
        let report = inspect(path, &bytes, &options());
        assert_eq!(report.size, bytes.len() as u64);
        // Truncations of every PE at a few places must not panic either.
        if matches!(f["format"].as_str(), Some("pe" | "efi")) {
            for cut in [0, 1, 0x3c, 0x40, 0x80, 0x100, 0x180, 0x200, 0x400, bytes.len() / 2, bytes.len().saturating_sub(1)] {
                let cut = cut.min(bytes.len());
                let _ = inspect(path, &bytes[..cut], &options());
                let _ = pe::authenticode_digests(&bytes[..cut], &[DigestAlgorithm::Sha1]);
            }
        }
    }
}

/// goblin's `authenticode_ranges()` follows the spec text literally; record where that differs
/// from the peers (and from us), and that it panics on nothing in the corpus.
#[test]
fn goblin_authenticode_ranges_where_they_differ() {
    let Some(dir) = corpus() else { return };
    let mut differ = Vec::new();
    for (path, bytes, _) in pe_files(&dir) {
        let ours = hex::encode(&pe::authenticode_digest(&bytes, DigestAlgorithm::Sha256).unwrap());
        let opts = goblin::pe::options::ParseOptions::default().with_parse_mode(goblin::options::ParseMode::Permissive);
        let theirs = std::panic::catch_unwind(|| {
            let pe = goblin::pe::PE::parse_with_opts(&bytes, &opts).ok()?;
            let mut h = DigestAlgorithm::Sha256.hasher();
            for r in pe.authenticode_ranges() {
                h.update(r);
            }
            Some(hex::encode(&h.finalize()))
        });
        match theirs {
            Ok(Some(d)) if d == ours => {}
            Ok(Some(d)) => differ.push(format!("{path}: goblin {d}")),
            Ok(None) => differ.push(format!("{path}: goblin refuses")),
            Err(_) => differ.push(format!("{path}: goblin panics")),
        }
    }
    eprintln!("goblin differs: {differ:#?}");
    let names: Vec<&str> = differ.iter().map(|d| d.split(':').next().unwrap_or("")).collect();
    assert_eq!(names, ["pe/signify/spotify_sample.exe", "malformed/fwupdx64-truncated.efi"]);
}

/// Our page hashes against the first entries signify prints for the files with page hashes, and a
/// round trip through `verify_page_hashes`, also on the tampered driver.
#[test]
fn page_hashes_match_signify() {
    let Some(dir) = corpus() else { return };
    let mut checked = 0;
    for (path, bytes, f) in pe_files(&dir) {
        for sig in f["oracles"]["signify"]["signatures"].as_array().cloned().unwrap_or_default() {
            let ph = &sig["page_hashes"];
            let Some(first) = ph["first"].as_array() else { continue };
            let alg = match ph["algorithm"].as_str() {
                Some("sha1") => DigestAlgorithm::Sha1,
                Some("sha256") => DigestAlgorithm::Sha256,
                other => panic!("{path}: page hash algorithm {other:?}"),
            };
            let ours = pe::page_hashes(&bytes, alg).unwrap();
            for (entry, theirs) in ours.entries.iter().zip(first) {
                assert_eq!(Some(u64::from(entry.0)), theirs[0].as_u64(), "{path}");
                assert_eq!(hex::encode(&entry.1), theirs[2].as_str().unwrap(), "{path} page at 0x{:x}", entry.0);
            }
            // signify counts the pages; our table also has the terminating (end, zero hash) entry.
            assert_eq!(Some(ours.entries.len() as u64 - 1), ph["count"].as_u64(), "{path}");
            let (summary, verdict, findings) = pe::verify_page_hashes(&bytes, &ours).unwrap();
            assert_eq!(verdict, Outcome::Pass, "{findings:?}");
            assert_eq!(summary.pages, summary.matching);
            checked += 1;
        }
    }
    assert!(checked >= 1);
    // The flipped .text byte at 0x600 shows up as a mismatch of the page at 0x400 (.text starts there).
    let original = std::fs::read(dir.join("drivers/vigembus/ViGEmBus.sys")).unwrap();
    let tampered = std::fs::read(dir.join("tampered/ViGEmBus-textflip.sys")).unwrap();
    let table = pe::page_hashes(&original, DigestAlgorithm::Sha256).unwrap();
    let (summary, verdict, findings) = pe::verify_page_hashes(&tampered, &table).unwrap();
    assert_eq!(verdict, Outcome::Fail);
    assert_eq!(summary.matching + 1, summary.pages);
    let page = table.entries.iter().map(|e| u64::from(e.0)).filter(|&o| o <= 0x600).max().unwrap();
    assert_eq!(summary.first_mismatch_offset, Some(page));
    assert!(findings.iter().any(|f| f.check == "authenticode.page-hashes" && f.offset == Some(page)));
}

/// Digests computed outside the core (the page's WebCrypto, the CLI's second core) give the very
/// report the core makes alone, and they are really used: a wrong one fails the digest check.
#[test]
fn known_digests_stand_in_for_the_core_hashing() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pe");
    for name in ["driver-sha256.sys", "driver-dual.sys", "driver-sha1.sys", "driver-unsigned.sys", "driver-tampered.sys"] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let alone = inspect(name, &bytes, &options());
        let plan = pe::hash_plan(&bytes, &options()).unwrap();
        assert_eq!(plan.ranges, pe::authenticode_ranges(&bytes).unwrap(), "{name}");
        let mut named: Vec<&str> = alone.signatures.iter().map(|s| s.digest_algorithm.as_str()).collect();
        named.sort();
        named.dedup();
        assert_eq!(plan.algorithms.iter().map(|a| a.name()).collect::<Vec<_>>(), named, "{name}");
        let mut data: Vec<u8> = plan.ranges.ranges.iter().flat_map(|r| bytes[r.clone()].iter().copied()).collect();
        data.resize(data.len() + plan.ranges.zero_padding, 0);
        // SHA-256 only (as the page's WebCrypto gives it), then every algorithm of the plan.
        let sha256 = vec![(DigestAlgorithm::Sha256, DigestAlgorithm::Sha256.digest(&data))];
        let all = plan.algorithms.iter().map(|a| (*a, a.digest(&data))).collect();
        // The word sum as the page sums it while it reads (pieces of any length).
        let mut word_sum = drvsig::digest::WordSum::new();
        for piece in bytes.chunks(4097) {
            word_sum.update(piece);
        }
        for authenticode in [sha256, all] {
            for word_sum in [None, Some(word_sum)] {
                let known = drvsig::KnownDigests {
                    file_sha256: Some(DigestAlgorithm::Sha256.digest(&bytes)),
                    authenticode: authenticode.clone(),
                    word_sum,
                };
                assert_eq!(drvsig::inspect_with(name, &bytes, &options(), &known), alone, "{name}");
            }
        }
    }
    let dual = std::fs::read(dir.join("driver-dual.sys")).unwrap();
    let plan = pe::hash_plan(&dual, &options()).unwrap();
    assert_eq!(plan.algorithms, [DigestAlgorithm::Sha1, DigestAlgorithm::Sha256]);
    assert!(pe::hash_plan(b"MZ not really", &options()).is_none());
    let bytes = std::fs::read(dir.join("driver-sha256.sys")).unwrap();
    let wrong = drvsig::KnownDigests {
        file_sha256: Some(vec![0xab; 32]),
        authenticode: vec![(DigestAlgorithm::Sha256, vec![0; 32]), (DigestAlgorithm::Sha1, vec![0; 3])],
        word_sum: None,
    };
    let r = drvsig::inspect_with("driver-sha256.sys", &bytes, &options(), &wrong);
    assert_eq!(r.sha256, "ab".repeat(32));
    // A word sum is used when it covers the file's length (a wrong one changes the CheckSum
    // computed), and ignored otherwise.
    let alone = inspect("driver-sha256.sys", &bytes, &options()).pe.unwrap().checksum;
    let mut wrong_sum = drvsig::digest::WordSum::new();
    wrong_sum.update(&vec![0x11; bytes.len()]);
    let known = drvsig::KnownDigests { word_sum: Some(wrong_sum), ..Default::default() };
    let computed = drvsig::inspect_with("driver-sha256.sys", &bytes, &options(), &known).pe.unwrap().checksum.computed;
    assert_ne!(computed, alone.computed);
    wrong_sum.update(b"x");
    let known = drvsig::KnownDigests { word_sum: Some(wrong_sum), ..Default::default() };
    assert_eq!(drvsig::inspect_with("driver-sha256.sys", &bytes, &options(), &known).pe.unwrap().checksum, alone);
    assert_eq!(r.signatures[0].digest_verdict, Outcome::Fail);
    assert_eq!(r.signatures[0].computed_digest, "00".repeat(32));
}

/// Signatures decoded once ([`drvsig::file::decode`]) and reused by the plan and the inspection
/// (the page's workers) give the very plan and report of the core decoding them itself, for every
/// corpus file (PE, catalog or other) and the fixtures; decoded from a file of another kind they
/// are not used.
#[test]
fn signatures_decoded_once_give_the_same_plan_and_report() {
    use drvsig::file;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pe");
    for entry in std::fs::read_dir(&fixtures).unwrap().flatten() {
        files.push((entry.file_name().to_string_lossy().to_string(), std::fs::read(entry.path()).unwrap()));
    }
    if let Some(dir) = corpus() {
        for f in manifest(&dir) {
            let path = f["path"].as_str().unwrap_or_default().to_string();
            if let Ok(bytes) = std::fs::read(dir.join(&path)) {
                files.push((path, bytes));
            }
        }
    }
    let options = Options::at(UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap());
    let mut signed = 0;
    for (name, bytes) in &files {
        let decoded = file::decode(name, bytes);
        let plan = file::plan(name, bytes, &options);
        assert_eq!(file::plan_decoded(&decoded, bytes, &options), plan, "{name}");
        let known = drvsig::KnownDigests::default();
        let report = drvsig::inspect_with(name, bytes, &options, &known);
        assert_eq!(file::inspect_decoded(name, bytes, &options, &known, &decoded), report, "{name}");
        signed += usize::from(!report.signatures.is_empty());
    }
    assert!(signed >= 5, "only {signed} signed files");
    let driver = std::fs::read(fixtures.join("driver-sha256.sys")).unwrap();
    // Decoded from a file of another kind (a catalog): not used.
    let catalog_dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packages/good");
    let cat =
        std::fs::read_dir(&catalog_dir).unwrap().flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "cat")).unwrap();
    let cat = std::fs::read(cat).unwrap();
    let as_catalog = file::decode("x.cat", &cat);
    assert_eq!(
        file::inspect_decoded("driver.sys", &driver, &options, &Default::default(), &as_catalog),
        inspect("driver.sys", &driver, &options)
    );
    // The catalog itself, decoded once: the same plan and report.
    assert_eq!(file::plan_decoded(&as_catalog, &cat, &options), file::plan("x.cat", &cat, &options));
    assert_eq!(file::inspect_decoded("x.cat", &cat, &options, &Default::default(), &as_catalog), inspect("x.cat", &cat, &options));
    assert!(!inspect("x.cat", &cat, &options).signatures.is_empty());
}

/// The version resource of a real driver, field by field (values as Explorer's Details tab shows
/// them for FTDI's ftser2k.sys 2.12.36.4 package), and every corpus PE reads without a panic.
#[test]
fn version_resource_of_a_real_driver() {
    let Some(dir) = corpus() else { return };
    let bytes = std::fs::read(dir.join("drivers/ftdi-ports/amd64/ftser2k.sys")).expect("read ftser2k.sys");
    let r = inspect("ftser2k.sys", &bytes, &options());
    let v = r.pe.and_then(|p| p.version).expect("ftser2k.sys has a version resource");
    assert_eq!(v.original_filename.as_deref(), Some("FTSER2K"));
    assert_eq!(v.internal_name.as_deref(), Some("FTSER2K"));
    assert_eq!(v.file_version.as_deref(), Some("2.12.36.3"));
    assert_eq!(v.file_version_fixed.map(|f| f.0), Some([2, 12, 36, 3]));
    assert_eq!(v.product_version.as_deref(), Some("2.12.36.4"));
    assert_eq!(v.product_version_fixed.map(|f| f.to_string()).as_deref(), Some("2.12.36.4"));
    assert_eq!(v.product_name.as_deref(), Some("FTDIChip CDM Drivers"));
    assert_eq!(v.company_name.as_deref(), Some("Future Technology Devices International Ltd."));
    assert_eq!(v.file_description.as_deref(), Some("D2XX Serial Device Driver"));
    // JSON: the fixed versions are `a.b.c.d` strings and read back.
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["file_version_fixed"], "2.12.36.3");
    assert_eq!(serde_json::from_value::<drvsig::report::VersionInfo>(json).unwrap(), v);
    let mut with_version = 0;
    for (path, bytes, _) in pe_files(&dir) {
        if let Some(v) = pe::version::read(&bytes) {
            with_version += 1;
            for s in [&v.original_filename, &v.file_version, &v.product_name, &v.company_name].into_iter().flatten() {
                assert!(s.chars().count() <= pe::version::MAX_CHARS, "{path}: {s}");
            }
        }
    }
    assert!(with_version > 10, "only {with_version} corpus PE files have a version resource");
}

#[test]
fn four_part_versions_compare_part_by_part() {
    use drvsig::report::FourPartVersion;
    let v = |s: &str| FourPartVersion::parse(s).unwrap();
    assert!(v("2.13.0.10") < v("2.13.0.11") && v("10.0.0.0") > v("9.65535.65535.65535"));
    assert_eq!(v("1.2"), v("1.2.0.0"));
    assert_eq!(FourPartVersion::parse("65536.0.0.0"), None);
    assert_eq!(FourPartVersion::parse("1.2.3.4.5"), None);
    assert_eq!(FourPartVersion::from_ms_ls(0x0002_000c, 0x0024_0003).to_string(), "2.12.36.3");
}
