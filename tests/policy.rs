//! Policy layer: classification, per-Windows verdicts and memory integrity (HVCI) checks, on our
//! fixtures (always) and on the reference corpus (when present). The verdict tables of the corpus
//! drivers are printed (`cargo test policy -- --nocapture`) for review against docs/policy.md.

use std::path::{Path, PathBuf};

use drvsig::digest::DigestAlgorithm;
use drvsig::policy::{self, CatalogCover, PolicyInput, Target};
use drvsig::report::{FileReport, LoadVerdict, SignerKind, TargetVerdict};
use drvsig::{hex, inspect, Options, UnixTime};
use serde_json::Value;

use crate::support::corpus;

fn options() -> Options {
    Options::at(UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap())
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures").join("pe")
}

fn read(dir: &Path, path: &str) -> FileReport {
    let bytes = std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"));
    inspect(path, &bytes, &options())
}

fn kinds(r: &FileReport) -> Vec<SignerKind> {
    r.signatures.iter().map(|s| s.classification.as_ref().map(|c| c.kind).unwrap_or(SignerKind::Unsigned)).collect()
}

fn get(v: &[TargetVerdict], target: Target) -> &TargetVerdict {
    v.iter().find(|t| t.target == target).unwrap_or_else(|| panic!("no verdict for {target}"))
}

fn table(name: &str, v: &[TargetVerdict]) -> String {
    let mut out = format!("{name}\n");
    for t in v {
        let verdict = match t.verdict {
            LoadVerdict::Loads => "loads",
            LoadVerdict::LoadsWithConditions => "loads-with-conditions",
            LoadVerdict::Blocked => "blocked",
        };
        out.push_str(&format!("  {:26} {:22} {:42} {}\n", t.target.id(), verdict, t.rests_on, t.rule));
        for c in &t.conditions {
            out.push_str(&format!("  {:26} {:22}   condition: {c}\n", "", ""));
        }
    }
    out
}

fn hvci_checks(r: &FileReport) -> Vec<&str> {
    r.findings.iter().filter(|f| f.check.starts_with("hvci.")).map(|f| f.check.as_str()).collect()
}

// ---- our fixtures -----------------------------------------------------------------------------

#[test]
fn fixtures_are_test_signed_and_hvci_clean() {
    for name in
        ["driver-sha256.sys", "driver-sha1.sys", "driver-dual.sys", "driver-dual-ts.sys", "driver-ecdsa-p256.sys", "driver-sha256-ph.sys"]
    {
        let r = read(&fixtures_dir(), name);
        let pe = r.pe.as_ref().unwrap_or_else(|| panic!("{name}: no PE info"));
        assert_eq!((pe.section_alignment, pe.nx_compat), (0x1000, true), "{name}");
        assert!(pe.sections.iter().any(|s| s.name == ".text" && s.executable && !s.writable), "{name}: {:?}", pe.sections);
        assert!(hvci_checks(&r).is_empty(), "{name}: {:?}", r.findings);
        assert!(!r.signatures.is_empty());
        assert!(kinds(&r).iter().all(|k| *k == SignerKind::TestSigned), "{name}: {:?}", kinds(&r));
        assert_eq!(r.verdicts.len(), Target::ALL.len(), "{name}");
        for t in &r.verdicts {
            let expected = if t.target == Target::TestSigning { LoadVerdict::LoadsWithConditions } else { LoadVerdict::Blocked };
            assert_eq!(t.verdict, expected, "{name} {}", t.target);
            // The x86 / ARM64 targets block these x64 fixtures for their architecture, before any
            // signature (so without the "no catalog" note).
            assert_eq!(t.rule.contains(policy::verdict::NO_CATALOG), t.arch == policy::Arch::X64, "{name}: {}", t.rule);
        }
        assert_eq!(get(&r.verdicts, Target::TestSigning).conditions, [policy::verdict::TESTSIGNING_CONDITION]);
    }
}

#[test]
fn fixture_tampered_unsigned_and_user_mode() {
    let tampered = read(&fixtures_dir(), "driver-tampered.sys");
    assert_eq!(kinds(&tampered), [SignerKind::TestSigned], "the kind stays what the certificates say");
    // x64 fixtures: the x86 and ARM64 targets block them for their architecture first.
    let x64 = |r: &FileReport| r.verdicts.iter().filter(|t| t.arch == policy::Arch::X64).cloned().collect::<Vec<_>>();
    assert!(tampered.verdicts.iter().all(|t| t.verdict == LoadVerdict::Blocked));
    assert!(x64(&tampered).iter().all(|t| t.rule.contains("changed after signing")));
    let unsigned = read(&fixtures_dir(), "driver-unsigned.sys");
    assert!(unsigned.verdicts.iter().all(|t| t.verdict == LoadVerdict::Blocked));
    assert!(x64(&unsigned).iter().all(|t| t.rests_on == "no signature"));
    let app = read(&fixtures_dir(), "app32-sha256.exe");
    assert!(app.verdicts.is_empty() && hvci_checks(&app).is_empty(), "not a kernel driver");
    assert_eq!(kinds(&app), [SignerKind::TestSigned]);
}

// ---- the corpus -------------------------------------------------------------------------------

fn manifest(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("read manifest.json");
    let v: Value = serde_json::from_str(&text).expect("parse manifest.json");
    v["files"].as_array().cloned().unwrap_or_default()
}

/// Classification against the manifest's `kind` labels where the EKUs and names decide it.
#[test]
fn corpus_classification_matches_manifest_kinds() {
    use SignerKind::*;
    let Some(dir) = corpus() else { return };
    let mut rows = Vec::new();
    for f in manifest(&dir) {
        let path = f["path"].as_str().unwrap_or_default().to_string();
        let kind = f["kind"].as_str().unwrap_or_default();
        let tags: Vec<&str> = f["tags"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let r = read(&dir, &path);
        let ks = kinds(&r);
        rows.push(format!("{path:70} {kind:18} {ks:?}"));
        // Root Certificate Authority 2011 (user-mode root) is a Microsoft signature too, not a kernel one.
        let microsoft = |k: &SignerKind| matches!(k, Microsoft | WindowsComponent | MicrosoftUserMode);
        let ok = match kind {
            "whql" => ks.contains(&Whql),
            "attestation" => ks.contains(&Attestation) && !ks.contains(&Whql),
            "cross-signed-spc" => ks.first() == Some(&CrossSignedSpc),
            "microsoft" => !ks.is_empty() && ks.iter().all(microsoft),
            "self-signed" => !ks.is_empty() && ks.iter().all(|k| *k == SelfSigned),
            "test-signed" | "debian-secureboot" => !ks.is_empty() && ks.iter().all(|k| *k == TestSigned),
            "commercial" => !ks.is_empty() && ks.iter().all(|k| matches!(k, SpcWithoutCrossCertificate | Untrusted)),
            "nested-dual" if tags.contains(&"microsoft") => ks.len() == 2 && ks.iter().all(microsoft),
            "nested-dual" if tags.contains(&"self-signed") => ks == [SelfSigned, SelfSigned],
            "unsigned" | "inf" | "malformed" => ks.is_empty(),
            "catalog" if tags.contains(&"unsigned") => ks == [Unsigned],
            "catalog" if tags.contains(&"whql") => ks == [Whql],
            "catalog" if tags.contains(&"attestation") => ks == [Attestation],
            "catalog" if tags.contains(&"microsoft") => ks.iter().all(microsoft),
            // arduino.cat ("commercial") carries the GlobalSign Root CA cross certificate: by its
            // certificates it is a cross-signed SPC catalog.
            "catalog" if tags.contains(&"commercial") => ks == [CrossSignedSpc],
            "tampered" => !ks.is_empty(),
            _ => true,
        };
        assert!(ok, "{path}: manifest kind {kind} {tags:?}, classified {ks:?}");
        // Every signature, nested included, is classified with evidence.
        assert!(r.signatures.iter().all(|s| s.classification.as_ref().is_some_and(|c| !c.evidence.is_empty())), "{path}");
    }
    eprintln!("{}", rows.join("\n"));
}

/// The catalog members whose digest is the file's Authenticode digest (in the catalog's algorithm).
fn covers(bytes: &[u8], catalog: &FileReport) -> bool {
    let Some(cat) = &catalog.catalog else { return false };
    let alg = if cat.subject_algorithm == "sha1" { DigestAlgorithm::Sha1 } else { DigestAlgorithm::Sha256 };
    let Ok(digest) = drvsig::pe::authenticode_digest(bytes, alg) else { return false };
    let digest = hex::encode(&digest);
    cat.members.iter().any(|m| m.digest.as_deref() == Some(digest.as_str()))
}

/// StartType 0 for the service whose binary is `file`, from an INF report (`None` when unnamed).
fn boot_start(inf: &FileReport, file: &str) -> Option<bool> {
    let inf = inf.inf.as_ref()?;
    inf.services
        .iter()
        .find(|s| s.service_binary.as_deref().is_some_and(|b| b.to_ascii_lowercase().ends_with(&file.to_ascii_lowercase())))
        .and_then(|s| s.start_type)
        .map(|t| t == 0)
}

fn package_verdicts(dir: &Path, sys: &str, cat: &str, inf: &str) -> (FileReport, Vec<TargetVerdict>) {
    let bytes = std::fs::read(dir.join(sys)).expect("read driver");
    let driver = inspect(sys, &bytes, &options());
    let catalog = read(dir, cat);
    let inf_report = read(dir, inf);
    assert!(covers(&bytes, &catalog), "{cat} lists {sys}");
    let file = sys.rsplit('/').next().unwrap_or(sys);
    let c = catalog.catalog.as_ref().expect("catalog report");
    let input = PolicyInput {
        embedded: &driver.signatures,
        catalogs: vec![CatalogCover {
            name: cat.rsplit('/').next().unwrap_or(cat).to_string(),
            signatures: &catalog.signatures,
            os_attr_windows: c.os_attr_windows.clone(),
            member_algorithm: Some(c.subject_algorithm.clone()),
        }],
        catalogs_considered: true,
        boot_start: boot_start(&inf_report, file),
        kernel_driver: true,
        blocklist: None,
        pe: driver.pe.as_ref(),
    };
    let v = policy::evaluate(&input);
    (driver.clone(), v)
}

#[test]
fn corpus_driver_verdicts() {
    use LoadVerdict::{Blocked as B, Loads as L, LoadsWithConditions as C};
    let Some(dir) = corpus() else { return };
    let mut out = String::new();
    let mut check = |path: &str, expected: [LoadVerdict; 15]| -> FileReport {
        let r = read(&dir, path);
        out.push_str(&table(path, &r.verdicts));
        out.push_str(&format!("  headline: {}\n", drvsig::summary::headline(&r).sentence));
        let got: Vec<LoadVerdict> = r.verdicts.iter().map(|t| t.verdict).collect();
        assert_eq!(got, expected, "{path}\n{}", table(path, &r.verdicts));
        assert!(r.verdicts.iter().all(|t| !t.source.is_empty() && !t.rule.is_empty() && !t.rests_on.is_empty()));
        assert!(r.verdicts.iter().all(|t| t.arch == t.target.arch()));
        r
    };
    // Columns (Target::ALL): 7x86 7 7+SHA2 8.1 10e 10x86SB 10SB 10off 11enf 11eval 11arm S16 S25 S test.
    // Every corpus driver is x64: the x86 and ARM64 targets block it for its architecture.
    // Windows 7 reads only the primary signature: ViGEmBus's is attestation (Windows 10+ only).
    let vigem = check("drivers/vigembus/ViGEmBus.sys", [B, B, B, L, L, B, L, L, L, L, B, B, B, B, L]);
    assert_eq!(get(&vigem.verdicts, Target::Win11Enforced).rests_on, "embedded signature #0 (sha256)");
    assert_eq!(get(&vigem.verdicts, Target::Win81).rests_on, "embedded signature #1 (sha256, nested)");
    assert!(get(&vigem.verdicts, Target::Win7Sp1Sha2).rule.contains("attestation"));
    assert!(get(&vigem.verdicts, Target::Server2025).rule.contains("attestation"));
    assert_eq!(get(&vigem.verdicts, Target::Win7Sp1X86).source, policy::PE_FORMAT);
    // Cross-signed with a certificate from before 2015-07-29: the April 2026 policy blocks it once
    // enforced, and only logs it in evaluation mode.
    let libusb = check("drivers/libusb-win32/amd64/libusb0.sys", [B, L, L, L, L, B, C, L, B, C, B, C, B, B, L]);
    assert!(get(&libusb.verdicts, Target::Win11Enforced).rule.contains("allow list"));
    assert!(get(&libusb.verdicts, Target::Win11Evaluation).conditions.iter().any(|c| c == policy::verdict::EVALUATION_CONDITION));
    let wd11 = check("drivers/windivert-1.1/WinDivert64.sys", [B, L, L, L, L, B, C, L, B, C, B, C, B, B, L]);
    assert_eq!(get(&wd11.verdicts, Target::Win10SecureBoot).conditions.len(), 2);
    // Fix 6: headline and table agree ("loads if" on Windows 10/11 with Secure Boot).
    let h = drvsig::summary::headline(&wd11).sentence;
    assert!(h.contains("loads on Windows 10/11 with Secure Boot only with conditions") && h.contains("blocked on Windows 11 24H2+"), "{h}");
    // Fix 5: the headline names the signature the verdict rests on (nested attestation), then the primary.
    let wd13 = check("drivers/windivert-1.3/WinDivert64.sys", [B, B, L, L, L, B, L, L, L, L, B, B, B, B, L]);
    assert_eq!(get(&wd13.verdicts, Target::Win10SecureBoot).rests_on, "embedded signature #1 (sha256, nested)");
    assert_eq!(get(&wd13.verdicts, Target::Win81).rests_on, "embedded signature #0 (sha256)");
    let h = drvsig::summary::headline(&wd13).sentence;
    assert!(h.starts_with("Attestation-signed by Microsoft Windows Hardware Compatibility Publisher (nested signature)"), "{h}");
    assert!(h.contains("; primary signature: Cross-signed by Ars Nova Systems"), "{h}");
    // The primary FTDI EV signature was timestamped (2021-07-05) after its VeriSign G5 cross
    // certificate expired (2021-02-22): its chain fails, so Windows 7 (primary signature only)
    // has nothing to load; 8.1+ use the nested WHQL signature.
    let ftdi = check("drivers/ftdi-ports/amd64/ftser2k.sys", [B, B, B, L, L, B, L, L, L, L, B, L, L, L, L]);
    assert_eq!(get(&ftdi.verdicts, Target::Server2025).rests_on, "embedded signature #1 (sha256, nested)");
    assert_eq!(get(&ftdi.verdicts, Target::Win7Sp1Sha2).rests_on, "embedded signature #0 (sha256)");
    let h = drvsig::summary::headline(&ftdi).sentence;
    assert!(h.starts_with("WHQL-signed by Microsoft Windows Hardware Compatibility Publisher (nested signature)"), "{h}");
    assert!(h.contains("primary signature: Cross-signed by Future Technology Devices International Ltd"), "{h}");
    // A Windows component (Windows 7's pciide.sys): its RWX INIT section and missing NX flag do not
    // stop memory integrity.
    let pciide = check("pe/signify/pciide.sys", [B, L, L, L, L, B, L, L, L, L, B, L, L, L, L]);
    assert_eq!(get(&pciide.verdicts, Target::Win11Enforced).signature.as_ref().map(|s| s.kind), Some(SignerKind::WindowsComponent));
    check("drivers/cp210x-6.7/x64/silabser.sys", [B; 15]);
    check("tampered/ViGEmBus-textflip.sys", [B; 15]);

    // Packages: the driver with the catalog that lists it and the INF's StartType.
    let (_, silab) =
        package_verdicts(&dir, "drivers/cp210x-6.7/x64/silabser.sys", "drivers/cp210x-6.7/slabvcp.cat", "drivers/cp210x-6.7/slabvcp.inf");
    out.push_str(&table("silabser.sys + slabvcp.cat + slabvcp.inf", &silab));
    assert_eq!(
        silab.iter().map(|t| t.verdict).collect::<Vec<_>>(),
        [B, L, L, L, L, B, L, L, L, L, B, L, L, L, L],
        "{}",
        table("silabser", &silab)
    );
    assert!(silab.iter().filter(|t| t.arch == policy::Arch::X64).all(|t| t.rests_on.starts_with("catalog slabvcp.cat")));
    let (_, vigem_pkg) =
        package_verdicts(&dir, "drivers/vigembus/ViGEmBus.sys", "drivers/vigembus/ViGEmBus.cat", "drivers/vigembus/ViGEmBus.inf");
    out.push_str(&table("ViGEmBus.sys + ViGEmBus.cat + ViGEmBus.inf", &vigem_pkg));
    assert_eq!(vigem_pkg.iter().map(|t| t.verdict).collect::<Vec<_>>(), [B, B, B, L, L, B, L, L, L, L, B, B, B, B, L]);
    eprintln!("{out}");
}

/// Files of other architectures and a user-mode signature, renamed `.sys` as a customer would
/// send them (copied to a temporary directory, never into the repository).
#[test]
fn corpus_architecture_and_user_mode_root() {
    use LoadVerdict::{Blocked as B, Loads as L, LoadsWithConditions as C};
    let Some(dir) = corpus() else { return };
    let as_sys = |path: &str, name: &str| -> FileReport {
        let bytes = std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"));
        inspect(name, &bytes, &options())
    };
    let verdicts = |r: &FileReport| r.verdicts.iter().map(|t| t.verdict).collect::<Vec<_>>();
    // attach_amd64.dll (debugpy) is signed by Microsoft through Microsoft Root Certificate
    // Authority 2011, the user-mode root: not a kernel-mode signature anywhere.
    let attach = as_sys("pe/pypi-debugpy/attach_amd64.dll", "attach_amd64.sys");
    assert_eq!(kinds(&attach).first(), Some(&SignerKind::MicrosoftUserMode));
    assert_eq!(verdicts(&attach), [B, B, B, B, B, B, B, B, B, B, B, B, B, B, C]);
    assert!(get(&attach.verdicts, Target::Win7Sp1).rule.contains("user-mode code-signing root"));
    // sigcheck.exe is PE32 x86: blocked for its architecture on every x64 and ARM64 target; 32-bit
    // Windows 7 needs no signature, 32-bit Windows 10 with Secure Boot takes its Microsoft signature.
    let x86 = as_sys("pe/signify/sigcheck.exe", "sigcheck32.sys");
    assert_eq!(verdicts(&x86), [L, B, B, B, B, C, B, B, B, B, B, B, B, B, B]);
    for t in x86.verdicts.iter().filter(|t| t.arch != policy::Arch::X86) {
        assert!(t.rule.starts_with("Windows loads only kernel drivers built for its own architecture"), "{}", t.rule);
    }
    // An ARM64 file: blocked everywhere but Windows 11 on ARM64, where its user-mode signature blocks it.
    let arm = as_sys("pe/pypi-msvc-runtime/arm64/msvcp140_1.dll", "msvcp140_1.sys");
    assert_eq!(verdicts(&arm), [B; 15]);
    assert!(get(&arm.verdicts, Target::Win11Arm64).rule.contains("user-mode code-signing root"));
}

#[test]
fn corpus_hvci_checks() {
    let Some(dir) = corpus() else { return };
    let cases: [(&str, &[&str]); 7] = [
        ("drivers/vigembus/ViGEmBus.sys", &[]),
        ("drivers/ftdi-ports/amd64/ftser2k.sys", &[]),
        ("drivers/windivert-1.1/WinDivert64.sys", &["hvci.writable-executable-init", "hvci.nx-compat"]),
        ("drivers/windivert-1.3/WinDivert64.sys", &["hvci.writable-executable-init", "hvci.nx-compat"]),
        ("drivers/libusb-win32/amd64/libusb0.sys", &["hvci.writable-executable-init", "hvci.nx-compat"]),
        ("pe/signify/pciide.sys", &["hvci.writable-executable-init", "hvci.nx-compat"]),
        // Not a kernel driver: no HVCI findings whatever its flags.
        ("pe/npm-electron-windows-sign/signtool.exe", &[]),
    ];
    for (path, expected) in cases {
        let r = read(&dir, path);
        assert_eq!(hvci_checks(&r), expected, "{path}: {:#?}", r.pe.as_ref().map(|p| &p.sections));
        // Every one has an import address table, in .rdata (not executable).
        let pe = r.pe.as_ref().expect("PE facts");
        assert!(pe.import_address_table.is_some_and(|t| t.size > 0), "{path}");
        assert!(policy::hvci::iat_section(pe).is_none(), "{path}");
        // Information only: an RWX INIT section and a missing NX flag are not on Microsoft's list.
        assert!(r.findings.iter().filter(|f| f.check.starts_with("hvci.")).all(|f| f.outcome == drvsig::Outcome::Pass));
    }
}
