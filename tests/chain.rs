//! Chain building (issue 5): every signed corpus file against signify's verified chain and the
//! corpus `kind` labels, and our own fixtures (tests/fixtures/pki, tests/fixtures/chain): user
//! roots, expired leaves with and without a timestamp, two candidate issuers of the same name,
//! the work budget, trust files.

use std::path::{Path, PathBuf};

use drvsig::chain::{self, Candidate, Context, Purpose, Request};
use drvsig::report::CertificateSummary;
use drvsig::report::{ChainReport, FileReport, SignatureReport, TrustKind};
use drvsig::signature::signer::read_signed_data_content_info;
use drvsig::tlv::Reader;
use drvsig::x509::Certificate;
use drvsig::{inspect, Options, Outcome, UnixTime};
use serde_json::Value;

use crate::support::corpus;

/// The corpus tests verify as of this time (the brief's "verified at 2026-11-25").
fn verification_time() -> UnixTime {
    UnixTime::parse_rfc3339("2026-11-25T00:00:00Z").unwrap()
}

fn manifest(dir: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    v["files"].as_array().cloned().unwrap_or_default()
}

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn inspect_corpus(dir: &Path, rel: &str) -> FileReport {
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"));
    inspect(rel, &bytes, &Options::at(verification_time()))
}

fn chain_of(s: &SignatureReport) -> &ChainReport {
    s.chain.as_ref().unwrap_or_else(|| panic!("signature {} has no chain", s.index))
}

fn cn(name: &str) -> &str {
    name.split(", ").find_map(|p| p.strip_prefix("CN=")).unwrap_or(name)
}

fn top_subject(c: &ChainReport) -> String {
    c.certificates.last().map(|c| c.certificate.subject.clone()).unwrap_or_default()
}

fn has_finding(c: &ChainReport, check: &str, outcome: Outcome) -> bool {
    c.findings.iter().any(|f| f.check == check && f.outcome == outcome)
}

/// Expected (file, signature index, trust, anchor, verdict) for every signed corpus file at
/// 2026-11-25. Non-Microsoft public roots are not built in (drvsig bundles the Microsoft roots that
/// matter for driver signing), so commercial chains without a cross certificate end `incomplete`.
const EXPECTED: &[(&str, usize, TrustKind, Option<&str>, Outcome)] = {
    use Outcome::*;
    use TrustKind::*;
    const R: Option<&str> = Some("Microsoft Root Certificate Authority");
    const R2010: Option<&str> = Some("Microsoft Root Certificate Authority 2010");
    const R2011: Option<&str> = Some("Microsoft Root Certificate Authority 2011");
    const MSCV: Option<&str> = Some("Microsoft Code Verification Root");
    &[
        ("efi/debian/fbx64.efi.signed", 0, Incomplete, None, Fail),
        ("efi/debian/fwupdx64.efi.signed", 0, Incomplete, None, Fail),
        ("efi/debian/grubx64.efi.signed", 0, Incomplete, None, Fail),
        ("efi/debian/vmlinuz-6.1.0-56-cloud-amd64", 0, Incomplete, None, Fail),
        ("efi/authenticode-rs/tiny64.signed.efi", 0, SelfSigned, None, Fail),
        ("efi/jsign/fbx64-signed-by-sbsign.efi", 0, Incomplete, None, Fail),
        ("efi/jsign/fbx64-signed-by-sbsign.efi", 1, Incomplete, None, Fail),
        ("pe/signify/sigcheck.exe", 0, MicrosoftRoot, R, Pass),
        ("pe/signify/sigcheck.exe", 1, MicrosoftRoot, R2011, Pass),
        ("pe/signify/DXCore.dll", 0, MicrosoftRoot, R2010, Pass),
        ("pe/signify/pciide.sys", 0, MicrosoftRoot, R, Pass),
        ("pe/signify/spotify_sample.exe", 0, Incomplete, None, Fail),
        ("pe/signify/SoftwareUpdate.exe", 0, Incomplete, None, Fail),
        ("pe/signify/kdbazis.dll", 0, Incomplete, None, Fail),
        ("pe/uthenticode/pegoat-authenticode.exe", 0, SelfSigned, None, Fail),
        ("pe/uthenticode/pegoat-authenticode-nested.exe", 0, SelfSigned, None, Fail),
        ("pe/uthenticode/pegoat-authenticode-nested.exe", 1, SelfSigned, None, Fail),
        ("pe/uthenticode/pegoat-authenticode_duplicated.exe", 0, SelfSigned, None, Fail),
        ("pe/uthenticode/pegoat-authenticode_duplicated.exe", 1, SelfSigned, None, Fail),
        ("pe/uthenticode/A_SSLippery_Slope.exe", 0, Incomplete, None, Fail),
        ("pe/npm-electron-windows-sign/signtool.exe", 0, MicrosoftRoot, R2010, Pass),
        ("pe/pypi-msvc-runtime/amd64/vcruntime140_1.dll", 0, MicrosoftRoot, R2011, Pass),
        ("pe/pypi-msvc-runtime/amd64/vcruntime140_1.dll", 1, MicrosoftRoot, R2011, Pass),
        ("pe/pypi-msvc-runtime/arm64/msvcp140_1.dll", 0, MicrosoftRoot, R2011, Pass),
        ("pe/pypi-debugpy/attach_amd64.dll", 0, MicrosoftRoot, R2011, Pass),
        // Cross-signed: the TSA's root is not built in, so the signer chain warns about it.
        ("drivers/windivert-1.1/WinDivert64.sys", 0, MicrosoftCodeVerificationRoot, MSCV, Warn),
        ("drivers/windivert-1.3/WinDivert64.sys", 0, MicrosoftCodeVerificationRoot, MSCV, Warn),
        ("drivers/windivert-1.3/WinDivert64.sys", 1, MicrosoftRoot, R2010, Pass),
        ("drivers/libusb-win32/amd64/libusb0.sys", 0, MicrosoftCodeVerificationRoot, MSCV, Warn),
        // The FTDI EV signature was timestamped 2021-07-05, after its VeriSign G5 cross certificate expired (2021-02-22).
        ("drivers/ftdi-ports/amd64/ftser2k.sys", 0, MicrosoftCodeVerificationRoot, MSCV, Fail),
        ("drivers/ftdi-ports/amd64/ftser2k.sys", 1, MicrosoftRoot, R2010, Pass),
        ("drivers/vigembus/ViGEmBus.sys", 0, MicrosoftRoot, R2010, Pass),
        ("drivers/vigembus/ViGEmBus.sys", 1, MicrosoftCodeVerificationRoot, MSCV, Warn),
        ("drivers/vigembus/ViGEmBus.cat", 0, MicrosoftRoot, R2010, Pass),
        ("drivers/cp210x-6.7/slabvcp.cat", 0, MicrosoftRoot, R, Pass),
        // arduino.cat carries the GlobalSign Root CA cross certificate.
        ("drivers/arduino/arduino.cat", 0, MicrosoftCodeVerificationRoot, MSCV, Warn),
        ("catalogs/115fe8649854ad531fb7ecd1318fbee6b33c9cbd78f02ed582092a96d5eb5899.cat", 0, MicrosoftRoot, R2010, Pass),
        ("tampered/sigcheck_sha1_patched.exe", 0, MicrosoftRoot, R, Pass),
        ("tampered/sigcheck_sha1_patched.exe", 1, MicrosoftRoot, R2011, Pass),
        ("tampered/ViGEmBus-textflip.sys", 0, MicrosoftRoot, R2010, Pass),
        ("tampered/ViGEmBus-textflip.sys", 1, MicrosoftCodeVerificationRoot, MSCV, Warn),
        ("tampered/arduino-memberflip.cat", 0, MicrosoftCodeVerificationRoot, MSCV, Warn),
    ]
};

#[test]
fn corpus_chains_match_the_expected_table() {
    let Some(dir) = corpus() else { return };
    for (rel, index, trust, anchor, verdict) in EXPECTED {
        let r = inspect_corpus(&dir, rel);
        let s = r.signatures.get(*index).unwrap_or_else(|| panic!("{rel}: no signature {index}"));
        let c = chain_of(s);
        assert_eq!((c.trust, c.anchor.as_deref(), c.verdict), (*trust, *anchor, *verdict), "{rel} #{index}: {:#?}", c.findings);
        // The leaf is the signer.
        assert_eq!(c.certificates.first().map(|x| &x.certificate.sha1), s.signer.as_ref().map(|x| &x.sha1), "{rel} #{index}");
        // Every timestamp with a TSA certificate has a chain.
        for t in &s.timestamps {
            assert_eq!(t.chain.is_some(), t.signer.is_some(), "{rel} #{index}: timestamp chain");
        }
    }
}

/// Every signed corpus file (by manifest kind) is in the table above, and the table agrees with
/// signify's verified chain: where signify's root is a Microsoft root we reach that root; where it
/// is a public root and we reach Code Verification Root, our top is the cross certificate for that
/// very root; otherwise signify found no chain either, or reached a public root we do not bundle.
#[test]
fn corpus_agrees_with_signify() {
    let Some(dir) = corpus() else { return };
    for f in manifest(&dir) {
        let rel = f["path"].as_str().unwrap_or_default();
        let kind = f["kind"].as_str().unwrap_or_default();
        let signed = f["oracles"]["signify"]["signatures"].as_array().is_some_and(|a| !a.is_empty());
        if !signed || rel.ends_with("catfiletest.cat") {
            continue;
        }
        let r = inspect_corpus(&dir, rel);
        for s in &r.signatures {
            assert!(EXPECTED.iter().any(|(p, i, ..)| *p == rel && *i == s.index), "{rel} #{} ({kind}) is not in EXPECTED", s.index);
        }
        let Some(chains) = f["oracles"]["signify"]["verified_chain"].as_array() else { continue };
        for ch in chains {
            let names: Vec<&str> = ch.as_array().unwrap().iter().filter_map(Value::as_str).collect();
            let (Some(root), Some(leaf)) = (names.first(), names.last()) else { continue };
            let s = r
                .signatures
                .iter()
                .find(|s| s.signer.as_ref().is_some_and(|x| x.subject == *leaf))
                .unwrap_or_else(|| panic!("{rel}: no signature by {leaf}"));
            let c = chain_of(s);
            if cn(root).starts_with("Microsoft") {
                assert_eq!(c.trust, TrustKind::MicrosoftRoot, "{rel}");
                assert_eq!(c.anchor.as_deref(), Some(cn(root)), "{rel}");
                assert_eq!(c.certificates.len(), names.len(), "{rel}: path length");
            } else if c.trust == TrustKind::MicrosoftCodeVerificationRoot {
                assert_eq!(top_subject(c), *root, "{rel}: the cross certificate is for signify's root");
            } else {
                assert_eq!(c.trust, TrustKind::Incomplete, "{rel}: public root {root} is not built in");
            }
        }
        // Kind labels.
        let first = chain_of(&r.signatures[0]);
        match kind {
            "microsoft" | "whql" => assert!(
                r.signatures.iter().any(|s| chain_of(s).trust == TrustKind::MicrosoftRoot),
                "{rel}: a Microsoft signature reaches a Microsoft root"
            ),
            "attestation" => assert!(r.signatures.iter().any(|s| chain_of(s).trust == TrustKind::MicrosoftRoot), "{rel}"),
            "cross-signed-spc" => assert_eq!(first.trust, TrustKind::MicrosoftCodeVerificationRoot, "{rel}"),
            "debian-secureboot" | "self-signed" | "test-signed" => {
                for s in &r.signatures {
                    let t = chain_of(s).trust;
                    assert!(!matches!(t, TrustKind::MicrosoftRoot | TrustKind::MicrosoftCodeVerificationRoot), "{rel}: {t:?}");
                }
            }
            _ => {}
        }
    }
}

#[test]
fn expired_but_timestamped_signatures_pass() {
    let Some(dir) = corpus() else { return };
    let now = verification_time();
    for (rel, index) in [
        ("drivers/windivert-1.3/WinDivert64.sys", 1),
        ("drivers/vigembus/ViGEmBus.sys", 0),
        ("drivers/vigembus/ViGEmBus.cat", 0),
        ("pe/signify/sigcheck.exe", 0),
    ] {
        let r = inspect_corpus(&dir, rel);
        let s = &r.signatures[index];
        let c = chain_of(s);
        assert_eq!(c.verdict, Outcome::Pass, "{rel}: {:#?}", c.findings);
        assert_eq!(c.validity_basis.name(), "timestamp", "{rel}");
        assert_eq!(Some(&c.validity_time), s.timestamps[0].time.as_ref(), "{rel}");
        // The signer certificate expired long before the verification time.
        assert!(s.signer.as_ref().unwrap().not_after < now, "{rel}: signer not expired");
        // The TSA has its own chain, judged at the timestamp time.
        let tc = s.timestamps[0].chain.as_ref().unwrap();
        assert_eq!(tc.trust, TrustKind::MicrosoftRoot, "{rel}");
        assert_eq!(tc.verdict, Outcome::Pass, "{rel}: {:#?}", tc.findings);
    }
    // Cross-signed: the signer expired in 2015, the timestamp (2015-07-28) is inside its validity.
    let r = inspect_corpus(&dir, "drivers/windivert-1.1/WinDivert64.sys");
    let c = chain_of(&r.signatures[0]);
    assert_eq!(c.validity_basis.name(), "timestamp");
    assert!(!c.findings.iter().any(|f| f.outcome == Outcome::Fail), "{:#?}", c.findings);
    assert!(has_finding(c, "chain.timestamp-untrusted", Outcome::Warn));
    // The top is the cross certificate; its own signature cannot be checked (root not bundled).
    let top = c.certificates.last().unwrap();
    assert_eq!(top.link_verdict, Outcome::Warn);
    assert!(top.link_reason.contains("not bundled"), "{}", top.link_reason);
    assert_eq!(cn(&top.certificate.issuer), "Microsoft Code Verification Root");
}

#[test]
fn wrong_eku_fails() {
    let Some(dir) = corpus() else { return };
    let r = inspect_corpus(&dir, "pe/uthenticode/A_SSLippery_Slope.exe");
    let c = chain_of(&r.signatures[0]);
    assert_eq!(c.verdict, Outcome::Fail);
    let eku = c.findings.iter().find(|f| f.check == "chain.eku").expect("an EKU finding");
    assert_eq!(eku.outcome, Outcome::Fail);
    assert!(eku.reason.contains("test.billdemirkapi.me") && eku.reason.contains("server-auth"), "{}", eku.reason);
    assert_eq!(c.certificates[0].link_verdict, Outcome::Fail);
    // The summary carries the EKUs.
    assert_eq!(r.signatures[0].signer.as_ref().unwrap().ekus, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
}

#[test]
fn lifetime_signing_removes_the_timestamp_grace() {
    let Some(dir) = corpus() else { return };
    // VirtualKD-Redux SPC has EKU 1.3.6.1.4.1.311.10.3.13 and a DigiCert timestamp.
    let r = inspect_corpus(&dir, "pe/signify/kdbazis.dll");
    let c = chain_of(&r.signatures[0]);
    assert_eq!(c.validity_basis.name(), "lifetime-signing");
    assert_eq!(c.validity_time, verification_time().to_rfc3339());
    assert!(has_finding(c, "chain.lifetime-signing", Outcome::Warn));
}

/// The certificates of the first WIN_CERTIFICATE of a PE, decoded.
fn pe_certificates(report: &FileReport, bytes: &[u8]) -> Vec<Certificate> {
    let entry = &report.pe.as_ref().unwrap().certificate_table.as_ref().unwrap().entries[0];
    let start = entry.offset as usize + 8;
    let blob = &bytes[start..entry.offset as usize + entry.length as usize];
    let sd = read_signed_data_content_info(&mut Reader::new(blob)).unwrap();
    sd.certificates
}

#[test]
fn code_verification_root_expiry_is_reported() {
    let Some(dir) = corpus() else { return };
    let rel = "drivers/windivert-1.1/WinDivert64.sys";
    let bytes = std::fs::read(dir.join(rel)).unwrap();
    let report = inspect(rel, &bytes, &Options::at(verification_time()));
    let certs = pe_certificates(&report, &bytes);
    let pool: Vec<Candidate<'_>> = certs.iter().map(|c| Candidate { cert: c, source: "signature" }).collect();
    let leaf = *pool.iter().find(|c| c.cert.subject_cn() == "Nemea Mjukvaruutveckling AB").unwrap();
    let ctx = Context::new(&Options::at(verification_time()));
    // Without the timestamp's grace, at 2026-11-25: the root expired on 2025-11-01.
    let req = Request {
        leaf,
        pool: &pool,
        purpose: Purpose::CodeSigning,
        time: verification_time(),
        basis: drvsig::report::ValidityBasis::VerificationTime,
    };
    let c = chain::build(&ctx, &req);
    assert_eq!(c.trust, TrustKind::MicrosoftCodeVerificationRoot);
    assert!(has_finding(&c, "chain.code-verification-root.expired", Outcome::Fail), "{:#?}", c.findings);
    // Before the expiry (and inside every certificate's validity) the path holds, with the unverifiable cross link as a warning.
    let t = UnixTime::parse_rfc3339("2015-01-01T00:00:00Z").unwrap();
    let c = chain::build(&ctx, &Request { time: t, basis: drvsig::report::ValidityBasis::Timestamp, ..req });
    assert_eq!(c.verdict, Outcome::Warn, "{:#?}", c.findings);
    // As a time stamping authority the signer is refused on the EKU.
    let c = chain::build(&ctx, &Request { time: t, purpose: Purpose::TimeStamping, ..req });
    assert!(has_finding(&c, "chain.eku", Outcome::Fail));
}

// ---------------------------------------------------------------------------------------------
// Our fixtures

fn at(s: &str) -> Options {
    Options::at(UnixTime::parse_rfc3339(s).unwrap())
}

fn with_test_root(mut o: Options) -> Options {
    o.trust_anchors.push(fixture("pki/root-ca.der"));
    o
}

#[test]
fn fixture_with_and_without_the_test_root() {
    let bytes = fixture("pe/driver-dual-ts.sys");
    let trusted = inspect("driver-dual-ts.sys", &bytes, &with_test_root(at("2026-11-25")));
    assert_eq!(trusted.signatures.len(), 2);
    for s in &trusted.signatures {
        let c = chain_of(s);
        assert_eq!((c.trust, c.verdict), (TrustKind::UserRoot, Outcome::Pass), "{:#?}", c.findings);
        assert_eq!(c.anchor.as_deref(), Some("drvsig Test Root CA"));
        assert_eq!(c.certificates.len(), 3);
        assert_eq!(c.certificates[2].source, "user");
        assert_eq!(c.validity_basis.name(), "timestamp");
        assert_eq!(c.validity_time, "2025-01-15T12:00:30Z");
        let tc = s.timestamps[0].chain.as_ref().unwrap();
        assert_eq!((tc.trust, tc.verdict), (TrustKind::UserRoot, Outcome::Pass), "{:#?}", tc.findings);
        assert_eq!(tc.certificates.len(), 2, "TSA -> root");
    }
    let untrusted = inspect("driver-dual-ts.sys", &bytes, &at("2026-11-25"));
    for s in &untrusted.signatures {
        let c = chain_of(s);
        assert_eq!((c.trust, c.verdict), (TrustKind::Incomplete, Outcome::Fail));
        let f = c.findings.iter().find(|f| f.check == "chain.incomplete").expect("a reason");
        assert!(f.reason.contains("drvsig Test Code Signing CA") && f.reason.contains("drvsig Test Root CA"), "{}", f.reason);
        assert!(f.reason.contains("SHA-1 "), "{}", f.reason);
    }
}

#[test]
fn expired_leaf_with_and_without_a_timestamp() {
    let o = with_test_root(at("2026-11-25"));
    let r = inspect("driver-expired.sys", &fixture("chain/driver-expired.sys"), &o);
    let c = chain_of(&r.signatures[0]);
    assert_eq!((c.trust, c.verdict, c.validity_basis.name()), (TrustKind::UserRoot, Outcome::Fail, "verification-time"));
    let f = c.findings.iter().find(|f| f.check == "chain.validity").unwrap();
    assert!(f.reason.contains("drvsig Test Expired Publisher expired on 2024-06-30T23:59:59Z"), "{}", f.reason);
    assert_eq!(c.certificates[0].link_verdict, Outcome::Fail);

    let r = inspect("driver-expired-ts.sys", &fixture("chain/driver-expired-ts.sys"), &o);
    let c = chain_of(&r.signatures[0]);
    assert_eq!((c.trust, c.verdict, c.validity_basis.name()), (TrustKind::UserRoot, Outcome::Pass, "timestamp"), "{:#?}", c.findings);
    assert_eq!(c.validity_time, "2024-03-01T00:00:30Z");
}

fn cand(c: &Certificate) -> Candidate<'_> {
    Candidate { cert: c, source: "signature" }
}

fn decoded(rel: &str) -> Certificate {
    Certificate::from_der(&fixture(rel)).unwrap()
}

#[test]
fn two_candidate_issuers_backtrack() {
    let leaf = decoded("pki/publisher.der");
    let rogue = decoded("chain/rogue-ca.der");
    let real = decoded("pki/code-signing-ca.der");
    // Same name and key identifier, different keys.
    assert_eq!(rogue.decoded.tbs_certificate.subject, real.decoded.tbs_certificate.subject);
    let ctx = Context::new(&with_test_root(at("2026-11-25")));
    let pool = [cand(&leaf), cand(&rogue), cand(&real)];
    let req = Request {
        leaf: cand(&leaf),
        pool: &pool,
        purpose: Purpose::CodeSigning,
        time: verification_time(),
        basis: drvsig::report::ValidityBasis::VerificationTime,
    };
    let c = chain::build(&ctx, &req);
    assert_eq!((c.trust, c.verdict), (TrustKind::UserRoot, Outcome::Pass), "{:#?}", c.findings);
    assert_eq!(c.paths_tried, 2, "the rogue CA first, then the real one");
    assert_eq!(c.certificates[1].certificate.sha256, CertificateSummary::from(&real).sha256);

    // Only the rogue: the signature does not verify; the reason names the candidate.
    let pool = [cand(&rogue)];
    let c = chain::build(&ctx, &Request { pool: &pool, ..req });
    assert_eq!((c.trust, c.verdict), (TrustKind::Incomplete, Outcome::Fail));
    let f = c.findings.iter().find(|f| f.check == "chain.issuer-signature").expect("a reason");
    assert!(f.reason.contains("drvsig Test Code Signing CA"), "{}", f.reason);
    assert!(c.certificates[0].link_reason.contains("does not verify"), "{}", c.certificates[0].link_reason);

    // The signed fixture carries both; whichever order the SET has, the real CA is found.
    let r = inspect("driver-two-issuers.sys", &fixture("chain/driver-two-issuers.sys"), &with_test_root(at("2026-11-25")));
    assert_eq!(r.signatures[0].certificates.len(), 3);
    let c = chain_of(&r.signatures[0]);
    assert_eq!((c.trust, c.verdict), (TrustKind::UserRoot, Outcome::Pass), "{:#?}", c.findings);
}

/// webpki-style ranking: a trusted path with an expired certificate is reported rather than an
/// untrusted path, even when the untrusted one is found first.
#[test]
fn trusted_expired_path_beats_untrusted_path() {
    let leaf = decoded("chain/expired-publisher.der");
    let self_signed = decoded("chain/code-signing-ca-self-signed.der");
    let real = decoded("pki/code-signing-ca.der");
    let ctx = Context::new(&with_test_root(at("2026-11-25")));
    let pool = [cand(&self_signed), cand(&real)];
    let req = Request {
        leaf: cand(&leaf),
        pool: &pool,
        purpose: Purpose::CodeSigning,
        time: verification_time(),
        basis: drvsig::report::ValidityBasis::VerificationTime,
    };
    let c = chain::build(&ctx, &req);
    assert_eq!(c.paths_tried, 2);
    assert_eq!((c.trust, c.verdict), (TrustKind::UserRoot, Outcome::Fail), "{:#?}", c.findings);
    assert!(has_finding(&c, "chain.validity", Outcome::Fail));
    // Without the user root, the self-signed CA is the most useful top (an untrusted root beats an incomplete path).
    let ctx = Context::new(&at("2026-11-25"));
    let c = chain::build(&ctx, &req);
    assert_eq!(c.trust, TrustKind::UntrustedRoot, "{:#?}", c.findings);
    let f = c.findings.iter().find(|f| f.check == "chain.untrusted-root").unwrap();
    assert!(f.reason.contains(&CertificateSummary::from(&self_signed).sha1), "{}", f.reason);
    // In time, the trusted path passes.
    let ctx = Context::new(&with_test_root(at("2026-11-25")));
    let t = UnixTime::parse_rfc3339("2024-03-01T00:00:00Z").unwrap();
    let c = chain::build(&ctx, &Request { time: t, ..req });
    assert_eq!((c.trust, c.verdict), (TrustKind::UserRoot, Outcome::Pass), "{:#?}", c.findings);
}

#[test]
fn work_budget_is_bounded() {
    let leaf = decoded("pki/publisher.der");
    let rogue = fixture("chain/rogue-ca.der");
    // 120 distinct certificates with the rogue CA's name and key id (their own signatures altered).
    let variants: Vec<Certificate> = (0..120u8)
        .map(|i| {
            let mut d = rogue.clone();
            let n = d.len();
            d[n - 1] = i;
            d[n - 2] = 0x5a;
            Certificate::from_der(&d).unwrap()
        })
        .collect();
    let ctx = Context::new(&with_test_root(at("2026-11-25")));
    let pool: Vec<Candidate<'_>> = variants.iter().map(cand).collect();
    let req = Request {
        leaf: cand(&leaf),
        pool: &pool,
        purpose: Purpose::CodeSigning,
        time: verification_time(),
        basis: drvsig::report::ValidityBasis::VerificationTime,
    };
    let c = chain::build(&ctx, &req);
    assert_eq!(c.verdict, Outcome::Fail);
    assert!(has_finding(&c, "chain.budget", Outcome::Warn), "{:#?}", c.findings);
    assert!(c.paths_tried <= chain::MAX_VERIFICATIONS + 1);
}

#[test]
fn trust_files() {
    let root = fixture("pki/root-ca.der");
    assert_eq!(chain::parse_trust_file(&root).unwrap(), vec![root.clone()]);
    assert_eq!(chain::parse_trust_file(&fixture("pki/root-ca.pem")).unwrap(), vec![root.clone()]);
    assert_eq!(chain::parse_trust_file(&fixture("chain/root-ca.p7b")).unwrap(), vec![root.clone()]);
    let both = chain::parse_trust_file(&fixture("chain/root-and-tsa.pem")).unwrap();
    assert_eq!(both, vec![root.clone(), fixture("pki/tsa.der")]);
    // PEM-armoured PKCS#7.
    let p7 = fixture("chain/root-ca.p7b");
    let pem = format!("-----BEGIN PKCS7-----\n{}\n-----END PKCS7-----\n", base64(&p7));
    assert_eq!(chain::parse_trust_file(pem.as_bytes()).unwrap(), vec![root]);
    assert!(chain::parse_trust_file(b"not a certificate").is_err());
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn certificate_summary_extensions() {
    let s = CertificateSummary::from(&decoded("pki/publisher.der"));
    assert_eq!((s.key_algorithm.as_str(), s.key_bits), ("rsa", 2048));
    assert_eq!(s.ekus, ["1.3.6.1.5.5.7.3.3"]);
    assert_eq!(s.eku_names, ["code-signing"]);
    assert!(!s.is_ca);
    assert_eq!(s.key_usage, ["digitalSignature"]);
    let i = CertificateSummary::from(&decoded("pki/code-signing-ca.der"));
    assert!(i.is_ca);
    assert_eq!(i.path_len, Some(0));
    assert_eq!(i.key_usage, ["keyCertSign", "cRLSign"]);
    assert_eq!(s.authority_key_id, i.subject_key_id);
    assert!(s.subject_key_id.is_some());
    let e = CertificateSummary::from(&decoded("pki/publisher-ecdsa.der"));
    assert_eq!((e.key_algorithm.as_str(), e.key_bits), ("ecdsa", 256));
}

/// Every signed fixture under pe/, chain/ and packages/ (and the corpus's files, when present).
fn signed_fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| ["sys", "dll", "exe", "cat", "efi"].contains(&x.to_str().unwrap_or(""))) {
                out.push(p);
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for sub in ["pe", "chain", "packages"] {
        walk(&root.join(sub), &mut files);
    }
    if let Some(dir) = corpus() {
        walk(&dir, &mut files);
    }
    files.sort();
    files
}

/// One link cache shared by every file (as the CLI and a page worker keep it) changes no report:
/// every fixture under pe/, chain/ and packages/ (and the corpus's files, when present), inspected
/// twice each with the cache, gives the report an inspection without it gives.
#[test]
fn a_shared_link_cache_changes_no_report() {
    let files = signed_fixture_files();
    let plain = with_test_root(at("2026-11-25"));
    let mut cached = plain.clone();
    let cache = std::sync::Arc::new(drvsig::x509::LinkCache::new());
    cached.link_cache = Some(cache.clone());
    let mut signed = 0;
    for pass in 0..2 {
        for p in &files {
            let bytes = std::fs::read(p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let without = serde_json::to_value(inspect(&name, &bytes, &plain)).unwrap();
            let with = serde_json::to_value(inspect(&name, &bytes, &cached)).unwrap();
            assert_eq!(without, with, "{} (pass {pass})", p.display());
            if pass == 0 && without["signatures"].as_array().is_some_and(|s| !s.is_empty()) {
                signed += 1;
            }
        }
    }
    assert!(signed >= 10, "only {signed} signed files among {}", files.len());
    assert!(!cache.is_empty(), "no link was remembered");
}

/// The signer signatures a caller verifies ahead (the page's workers, with WebCrypto) change no
/// report: for every signed fixture (and corpus file), the plan's requests are verified here with
/// the `rsa` crate straight from the request (its SPKI, hash, message and signature), those that
/// hold are given to the core as known, and the report is the one the core alone makes. Tampered
/// and malformed files are among them: what the caller does not vouch for, the core verifies and
/// judges itself. An answer for another check (other signed bytes, signature, key or hash) counts
/// for nothing.
#[test]
fn signatures_verified_ahead_change_no_report() {
    use drvsig::x509::{KnownSignatures, SignatureRequest};
    use rsa::pkcs8::DecodePublicKey;
    fn holds(r: &SignatureRequest) -> bool {
        let Ok(key) = rsa::RsaPublicKey::from_public_key_der(&r.spki) else { return false };
        let hashed = r.hash.digest(&r.message);
        let scheme = match r.hash {
            drvsig::digest::DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            drvsig::digest::DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            drvsig::digest::DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            drvsig::digest::DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            drvsig::digest::DigestAlgorithm::Md5 => return false,
        };
        key.verify(scheme, &hashed, &r.signature).is_ok()
    }
    let plain = with_test_root(at("2026-11-25"));
    let (mut asked, mut held, mut files_with_requests, mut vouched) = (0, 0, 0, 0);
    for p in signed_fixture_files() {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let plan = drvsig::file::plan(&name, &bytes, &plain);
        let mut known = KnownSignatures::new();
        let mut forged = KnownSignatures::new();
        let mut refused = 0;
        for r in &plan.signatures {
            asked += 1;
            if holds(r) {
                held += 1;
                known.insert(r);
            } else {
                refused += 1;
            }
            // Answers for the same check with one input changed: other signed bytes, another
            // signature, another key, another hash.
            let flip = |bytes: &mut Vec<u8>| {
                if let Some(b) = bytes.last_mut() {
                    *b ^= 1;
                }
            };
            let mut other = r.clone();
            flip(&mut other.message);
            forged.insert(&other);
            let mut other = r.clone();
            flip(&mut other.signature);
            forged.insert(&other);
            let mut other = r.clone();
            flip(&mut other.spki);
            forged.insert(&other);
            let mut other = r.clone();
            other.hash = if r.hash == drvsig::digest::DigestAlgorithm::Sha1 {
                drvsig::digest::DigestAlgorithm::Sha256
            } else {
                drvsig::digest::DigestAlgorithm::Sha1
            };
            forged.insert(&other);
        }
        files_with_requests += usize::from(!plan.signatures.is_empty());
        let with_known = |set: KnownSignatures| {
            let mut options = plain.clone();
            options.known_signatures = Some(std::sync::Arc::new(set));
            serde_json::to_value(inspect(&name, &bytes, &options)).unwrap()
        };
        let without = serde_json::to_value(inspect(&name, &bytes, &plain)).unwrap();
        for (what, set) in [("verified ahead", known.clone()), ("answers for other checks", forged)] {
            assert_eq!(without, with_known(set), "{}: {what}", p.display());
        }
        // Every answer is taken once, where the inspection checks that signature.
        let mut options = plain.clone();
        let answers = std::sync::Arc::new(known.clone());
        options.known_signatures = Some(answers.clone());
        let _ = inspect(&name, &bytes, &options);
        assert_eq!(answers.used(), plan.signatures.len() - refused, "{}: answers taken", p.display());
        // The core takes the caller's word (as it takes its digests): a caller that vouched for
        // the signature that does not hold would change the report. So the answers are used.
        if refused > 0 {
            let mut all = KnownSignatures::new();
            plan.signatures.iter().for_each(|r| all.insert(r));
            assert!(without != with_known(all), "{}: the answers were not used", p.display());
            vouched += 1;
        }
    }
    assert!(vouched >= 1, "no fixture has a signer signature that does not hold");
    eprintln!("signatures_verified_ahead_change_no_report: {held} of {asked} requests held, from {files_with_requests} files");
    assert!(files_with_requests >= 10, "only {files_with_requests} files had signatures to verify ahead");
    assert!(held >= files_with_requests && held <= asked, "{held} of {asked} requests held");
}
