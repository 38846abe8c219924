//! Zip archives (driver packages).
//!
//! STUB until the package layer is on main: main has no zip reader yet, so this target only drives
//! what exists (sniffing and `inspect` on bytes that start with a zip signature). The `pkg` branch
//! exposes `drvsig::inspect_package(&[(String, &[u8])], &Options)`, which expands zips in memory;
//! once it is merged, replace the body with:
//!
//! ```ignore
//! let _ = drvsig::inspect_package(&[("fuzz.zip".to_string(), data)], &options);
//! ```
//!
//! and seed fuzz/seeds/zip/ with the package fixtures' zips (scripts/fuzz-seeds.py).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = Vec::with_capacity(data.len() + 4);
    bytes.extend_from_slice(b"PK\x03\x04");
    bytes.extend_from_slice(data);
    let options = drvsig::Options::at(drvsig::UnixTime(1_735_689_600));
    let _ = drvsig::inspect("package.zip", &bytes, &options);
});
