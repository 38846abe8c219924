//! The core's tests under wasm32, in headless Chromium (`cargo xtask test` runs them with
//! wasm-bindgen-test-runner). Natively this file compiles to nothing: `cargo test` covers the same
//! code through the unit tests and tests/tests.rs.
#![cfg(target_arch = "wasm32")]

use drvsig::digest::DigestAlgorithm;
use drvsig::{hex, sniff, FileKind, Options, UnixTime};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A minimal PE32+ image: DOS header, `PE\0\0`, COFF header (x64, no sections), a 240-byte
/// optional header (magic 0x20b, 16 empty data directories), padded to 0x200.
fn tiny_pe32_plus() -> Vec<u8> {
    let mut pe = vec![0u8; 0x200];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    pe[0x40..0x44].copy_from_slice(b"PE\0\0");
    pe[0x44..0x46].copy_from_slice(&0x8664u16.to_le_bytes()); // machine: x64
    pe[0x54..0x56].copy_from_slice(&240u16.to_le_bytes()); // SizeOfOptionalHeader
    pe[0x56..0x58].copy_from_slice(&0x0022u16.to_le_bytes()); // executable, large-address-aware
    let opt = 0x58;
    pe[opt..opt + 2].copy_from_slice(&0x20bu16.to_le_bytes());
    pe[opt + 32..opt + 36].copy_from_slice(&0x1000u32.to_le_bytes()); // SectionAlignment
    pe[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes()); // FileAlignment
    pe[opt + 56..opt + 60].copy_from_slice(&0x1000u32.to_le_bytes()); // SizeOfImage
    pe[opt + 60..opt + 64].copy_from_slice(&0x200u32.to_le_bytes()); // SizeOfHeaders
    pe[opt + 68..opt + 70].copy_from_slice(&1u16.to_le_bytes()); // subsystem: native
    pe[opt + 108..opt + 112].copy_from_slice(&16u32.to_le_bytes()); // NumberOfRvaAndSizes
    pe
}

fn options() -> Options {
    Options::at(UnixTime::from_civil(2024, 5, 1, 12, 0, 0).expect("valid date"))
}

#[wasm_bindgen_test]
fn digests_of_known_vectors() {
    let cases = [
        (DigestAlgorithm::Md5, "900150983cd24fb0d6963f7d28e17f72"),
        (DigestAlgorithm::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (DigestAlgorithm::Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            DigestAlgorithm::Sha384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            DigestAlgorithm::Sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ];
    for (alg, expected) in cases {
        assert_eq!(hex::encode(&alg.digest(b"abc")), expected, "{}", alg.name());
        assert_eq!(alg.digest(b"abc").len(), alg.output_len());
    }
    // Streaming in pieces gives the one-shot digest (a million 'a's, the FIPS 180 long vector).
    let mut h = DigestAlgorithm::Sha256.hasher();
    let chunk = [b'a'; 1000];
    for _ in 0..1000 {
        h.update(&chunk);
    }
    assert_eq!(hex::encode(&h.finalize()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

#[wasm_bindgen_test]
fn sniffs_kinds() {
    assert_eq!(sniff::sniff("d.sys", &tiny_pe32_plus()), FileKind::Pe32Plus);
    let mut pe32 = tiny_pe32_plus();
    pe32[0x58..0x5a].copy_from_slice(&0x10bu16.to_le_bytes());
    assert_eq!(sniff::sniff("d.sys", &pe32), FileKind::Pe32);
    assert_eq!(sniff::sniff("x.zip", b"PK\x03\x04rest"), FileKind::Zip);
    assert_eq!(sniff::sniff("x.inf", b"[Version]\r\nSignature=\"$Windows NT$\"\r\n"), FileKind::Inf);
    assert_eq!(sniff::sniff("x.txt", b"[Version]\r\n"), FileKind::Other);
    assert_eq!(sniff::sniff("empty", b""), FileKind::Other);
}

#[wasm_bindgen_test]
fn inspects_bytes() {
    let pe = tiny_pe32_plus();
    let report = drvsig::inspect("tiny.sys", &pe, &options());
    assert_eq!(report.name, "tiny.sys");
    assert_eq!(report.size, 0x200);
    assert_eq!(report.kind, FileKind::Pe32Plus);
    assert_eq!(report.kind.label(), "PE32+");
    assert_eq!(report.sha256, hex::encode(&DigestAlgorithm::Sha256.digest(&pe)));
    assert_eq!(report.verified_at, "2024-05-01T12:00:00Z");
    // An unsigned image has no signature, whatever else the PE layer reports.
    assert!(report.signatures.is_empty());

    let inf = drvsig::inspect("a.inf", b"[Version]\r\nSignature=\"$Windows NT$\"\r\n", &options());
    assert_eq!(inf.kind, FileKind::Inf);
    assert!(inf.signatures.is_empty());

    // The report crosses the page boundary as JSON.
    let json = serde_json::to_string(&report).expect("serializes");
    assert!(json.contains("\"kind\":\"pe32+\""), "{json}");
}

#[wasm_bindgen_test]
fn never_panics_on_garbage() {
    let mut bytes = tiny_pe32_plus();
    for cut in [0usize, 1, 2, 0x3c, 0x44, 0x5a, 0x100, 0x1ff] {
        let _ = drvsig::inspect("cut.sys", bytes.get(..cut).unwrap_or_default(), &options());
    }
    // Point the security directory past the end of the file.
    let dir = 0x58 + 112 + 4 * 8;
    bytes[dir..dir + 4].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    bytes[dir + 4..dir + 8].copy_from_slice(&0x100u32.to_le_bytes());
    let report = drvsig::inspect("bad.sys", &bytes, &options());
    assert_eq!(report.kind, FileKind::Pe32Plus);
}

#[wasm_bindgen_test]
fn time_round_trips() {
    let t = UnixTime::parse_rfc3339("2024-02-29T23:59:59Z").expect("valid");
    assert_eq!(t.to_rfc3339(), "2024-02-29T23:59:59Z");
    assert_eq!(UnixTime::from_civil(1970, 1, 1, 0, 0, 0), Some(UnixTime(0)));
    assert_eq!(UnixTime::parse_rfc3339("2024-05-01"), Ok(UnixTime(1_714_521_600)));
    assert!(UnixTime::parse_rfc3339("2023-02-29").is_err());
    assert!(UnixTime::parse_rfc3339("not a time").is_err());
    // Before the epoch and far ahead: i64 arithmetic, no JS number surprises.
    assert_eq!(UnixTime(-1).to_rfc3339(), "1969-12-31T23:59:59Z");
    assert_eq!(UnixTime::from_civil(2100, 3, 1, 0, 0, 0).map(UnixTime::to_rfc3339).as_deref(), Some("2100-03-01T00:00:00Z"));
}
