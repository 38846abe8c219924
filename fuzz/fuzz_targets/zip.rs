//! Zip archives (driver packages): the package layer expands them in memory with caps (entry
//! count, total size, compression ratio, no nesting) and inspects every member.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = drvsig::Options::at(drvsig::UnixTime(1_735_689_600));
    let report = drvsig::inspect_package(&[("fuzz.zip".to_string(), data)], &options);
    let _ = serde_json::to_string(&report);
});
