//! The PE layer: layout, certificate table walk, Authenticode ranges and digests, page hashes,
//! CheckSum, and the whole `inspect_pe` (which decodes the embedded signatures).
#![no_main]
use drvsig::digest::DigestAlgorithm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = drvsig::pe::authenticode_ranges(bytes);
    let _ = drvsig::pe::authenticode_digests(bytes, &[DigestAlgorithm::Sha1, DigestAlgorithm::Sha256]);
    let _ = drvsig::pe::pe_checksum(bytes);
    if let Ok(table) = drvsig::pe::page_hashes(bytes, DigestAlgorithm::Sha256) {
        let _ = drvsig::pe::verify_page_hashes(bytes, &table);
    }
    let options = drvsig::Options::at(drvsig::UnixTime(1_735_689_600));
    let mut report = drvsig::FileReport::default();
    drvsig::pe::inspect_pe(bytes, &options, &drvsig::KnownDigests::default(), &mut report);
});
