//! The repository's own signed fixtures (`tests/fixtures/`, made by `cargo xtask fixtures`, provenance
//! in `tests/fixtures/README.md`): every file against what `expected.json` records for it. These tests
//! need nothing outside the repository.

use std::collections::BTreeSet;
use std::path::PathBuf;

use drvsig::digest::DigestAlgorithm;
use drvsig::hex;
use drvsig::{FileKind, Options, UnixTime};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// One entry of `expected.json`'s `files`.
struct Fixture {
    /// Relative to `tests/fixtures/`, e.g. `pe/driver-sha256.sys`.
    file: String,
    kind: String,
    size: u64,
    sha256: String,
    /// md5 / sha1 / sha256 Authenticode image hashes; `None` where the hash is not well defined.
    authenticode: Option<Vec<(DigestAlgorithm, String)>>,
    signature_count: u64,
    derived_from: Option<String>,
}

impl Fixture {
    fn bytes(&self) -> Vec<u8> {
        let path = fixtures_dir().join(&self.file);
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    fn name(&self) -> &str {
        self.file.rsplit('/').next().unwrap_or(&self.file)
    }
}

fn expected() -> Vec<Fixture> {
    let path = fixtures_dir().join("expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let str_of = |v: &Value, key: &str| v[key].as_str().unwrap_or_else(|| panic!("{key} missing in {v}")).to_string();
    json["files"]
        .as_array()
        .expect("files array")
        .iter()
        .map(|f| Fixture {
            file: str_of(f, "file"),
            kind: str_of(f, "kind"),
            size: f["size"].as_u64().expect("size"),
            sha256: str_of(f, "sha256"),
            authenticode: f["authenticode"].as_object().map(|digests| {
                [("md5", DigestAlgorithm::Md5), ("sha1", DigestAlgorithm::Sha1), ("sha256", DigestAlgorithm::Sha256)]
                    .into_iter()
                    .map(|(key, alg)| (alg, digests[key].as_str().expect("digest hex").to_string()))
                    .collect()
            }),
            signature_count: f["signature_count"].as_u64().expect("signature_count"),
            derived_from: f["derived_from"].as_str().map(str::to_string),
        })
        .collect()
}

fn fixture(name: &str) -> Fixture {
    expected().into_iter().find(|f| f.name() == name).unwrap_or_else(|| panic!("{name} not in expected.json"))
}

/// Checks a PE Authenticode image-hash implementation against every digest `expected.json` records
/// (md5, sha1 and sha256 of every fixture whose image hash is well defined). Returns how many
/// digests were compared.
fn assert_expected_authenticode_digests<E: std::fmt::Debug>(
    what: &str,
    compute: impl Fn(&[u8], DigestAlgorithm) -> Result<Vec<u8>, E>,
) -> usize {
    let mut compared = 0;
    for f in expected() {
        let Some(digests) = &f.authenticode else { continue };
        let bytes = f.bytes();
        for (alg, want) in digests {
            let got = compute(&bytes, *alg).unwrap_or_else(|e| panic!("{what}: {} {}: {e:?}", f.file, alg.name()));
            assert_eq!(&hex::encode(&got), want, "{what}: {} Authenticode {}", f.file, alg.name());
            compared += 1;
        }
    }
    compared
}

fn verification_time() -> Options {
    // expected.json's verify_time (2025-06-01T00:00:00Z), inside every certificate's validity.
    Options::at(UnixTime::from_civil(2025, 6, 1, 0, 0, 0).expect("valid date"))
}

#[test]
fn every_file_is_listed_once_and_present() {
    let listed: BTreeSet<String> = expected().iter().map(|f| f.name().to_string()).collect();
    assert_eq!(listed.len(), expected().len(), "duplicate entries in expected.json");
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures_dir().join("pe"))
        .expect("tests/fixtures/pe")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, on_disk);
    // The page demo is a copy of the dual-signed, timestamped driver.
    let demo = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/demo/demo-driver.sys")).expect("demo");
    assert_eq!(demo, fixture("driver-dual-ts.sys").bytes());
}

#[test]
fn inspect_reports_kind_size_and_sha256() {
    for f in expected() {
        let bytes = f.bytes();
        let report = drvsig::inspect(f.name(), &bytes, &verification_time());
        let kind = match f.kind.as_str() {
            "PE32+" => FileKind::Pe32Plus,
            "PE32" => FileKind::Pe32,
            other => panic!("{}: unexpected kind {other}", f.file),
        };
        assert_eq!(report.kind, kind, "{}", f.file);
        assert_eq!(report.kind.label(), f.kind, "{}", f.file);
        assert_eq!(report.size, f.size, "{}", f.file);
        assert_eq!(report.sha256, f.sha256, "{}", f.file);
    }
}

#[test]
fn whole_file_digests_match_expected() {
    for f in expected() {
        let bytes = f.bytes();
        assert_eq!(bytes.len() as u64, f.size, "{}", f.file);
        assert_eq!(hex::encode(&DigestAlgorithm::Sha256.digest(&bytes)), f.sha256, "{}", f.file);
    }
}

/// The PE CheckSum (imagehlp's CheckSumMappedFile), independent of the core.
fn pe_checksum(bytes: &[u8], checksum_at: usize) -> u32 {
    let mut sum: u64 = 0;
    for (i, chunk) in bytes.chunks(2).enumerate() {
        if (checksum_at..checksum_at + 4).contains(&(i * 2)) {
            continue;
        }
        sum += u64::from(chunk[0]) | u64::from(chunk.get(1).copied().unwrap_or(0)) << 8;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    (sum as u32).wrapping_add(bytes.len() as u32)
}

fn checksum_offset(bytes: &[u8]) -> usize {
    let lfanew = u32::from_le_bytes(bytes[0x3c..0x40].try_into().unwrap()) as usize;
    lfanew + 24 + 64
}

#[test]
fn every_fixture_has_a_correct_checksum() {
    // The built PEs carry our CheckSum, osslsigncode rewrites it when signing, and the negative
    // variants have it recomputed so that each has exactly one defect.
    for f in expected() {
        let bytes = f.bytes();
        let at = checksum_offset(&bytes);
        let stored = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        assert_eq!(stored, pe_checksum(&bytes, at), "{}", f.file);
    }
}

#[test]
fn built_pes_are_what_the_xtask_promises() {
    use goblin::pe::PE;
    let driver = fixture("driver-unsigned.sys").bytes();
    let pe = PE::parse(&driver).expect("goblin parses the driver");
    let opt = pe.header.optional_header.expect("optional header");
    assert!(pe.is_64);
    assert_eq!(pe.header.coff_header.machine, goblin::pe::header::COFF_MACHINE_X86_64);
    assert_eq!(opt.windows_fields.subsystem, goblin::pe::subsystem::IMAGE_SUBSYSTEM_NATIVE);
    assert_ne!(opt.windows_fields.dll_characteristics & goblin::pe::dll_characteristic::IMAGE_DLLCHARACTERISTICS_NX_COMPAT, 0);
    assert_eq!(opt.windows_fields.section_alignment, 0x1000);
    assert_eq!(opt.windows_fields.file_alignment, 0x200);
    let names: Vec<&str> = pe.sections.iter().map(|s| s.name().unwrap_or("?")).collect();
    assert_eq!(names, [".text", ".rdata", "INIT"]);
    assert_eq!(&driver[0x200..0x203], &[0x31, 0xc0, 0xc3], "xor eax, eax; ret");
    assert!(opt.data_directories.get_certificate_table().is_none());

    let app = fixture("app32-unsigned.exe").bytes();
    let pe = PE::parse(&app).expect("goblin parses the exe");
    assert!(!pe.is_64);
    assert_eq!(pe.header.coff_header.machine, goblin::pe::header::COFF_MACHINE_X86);
    assert_eq!(pe.sections.len(), 2);
}

#[test]
fn goblin_parses_every_well_formed_fixture() {
    for f in expected().iter().filter(|f| f.authenticode.is_some()) {
        let bytes = f.bytes();
        let pe = goblin::pe::PE::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.file));
        // One WIN_CERTIFICATE per signed file: nested signatures live inside the first one.
        let expected_entries = usize::from(f.signature_count > 0);
        assert_eq!(pe.certificates.len(), expected_entries, "{}", f.file);
    }
}

#[test]
fn goblin_authenticode_ranges_reproduce_expected_digests() {
    // A third implementation of the image hash (after the xtask's and osslsigncode's) agrees with
    // expected.json; the core's own is checked by `core_authenticode_digest_matches_expected` below.
    let compared = assert_expected_authenticode_digests("goblin authenticode_ranges", |bytes, alg| {
        let pe = goblin::pe::PE::parse(bytes)?;
        let mut hasher = alg.hasher();
        for range in pe.authenticode_ranges() {
            hasher.update(range);
        }
        Ok::<_, goblin::error::Error>(hasher.finalize().into_vec())
    });
    assert!(compared >= 30, "only {compared} digests compared");
}

#[test]
fn negative_fixtures_are_marked() {
    for name in ["driver-tampered.sys", "driver-appended.sys", "driver-certdir-outside.sys", "driver-truncated.sys"] {
        let f = fixture(name);
        assert_eq!(f.derived_from.as_deref(), Some("pe/driver-sha256.sys"), "{name}");
    }
    // Tampering changes the image hash: the signed digest (driver-sha256.sys's) no longer matches.
    let signed = fixture("driver-sha256.sys").authenticode.expect("digests");
    let tampered = fixture("driver-tampered.sys").authenticode.expect("digests");
    assert_ne!(signed, tampered);
    for name in ["driver-appended.sys", "driver-certdir-outside.sys", "driver-truncated.sys"] {
        assert!(fixture(name).authenticode.is_none(), "{name}: image hash not well defined");
    }
}

/// The core's Authenticode digest equals osslsigncode's (and our xtask's) for every fixture.
#[test]
fn core_authenticode_digest_matches_expected() {
    let compared = assert_expected_authenticode_digests("drvsig::pe::authenticode_digest", drvsig::pe::authenticode_digest);
    assert!(compared >= 30, "only {compared} digests compared");
}
