//! Zip archives (driver packages). STUB: main has no zip reader yet (the package layer is being
//! written). Until it lands this target drives what exists: sniffing and `inspect` on bytes that
//! start with a zip signature. When the package layer exposes its zip entry point, call it here.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = Vec::with_capacity(data.len() + 4);
    bytes.extend_from_slice(b"PK\x03\x04");
    bytes.extend_from_slice(data);
    let options = drvsig::Options::at(drvsig::UnixTime(1_735_689_600));
    let _ = drvsig::inspect("package.zip", &bytes, &options);
});
