//! The whole `drvsig::inspect` entry point. The first byte picks the file name (its extension only
//! matters where content cannot tell, e.g. INF text); the rest is the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["fuzz.sys", "fuzz.cat", "fuzz.inf", "fuzz.zip"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else { return };
    let name = NAMES[usize::from(first) % NAMES.len()];
    // 2025-01-01T00:00:00Z: a fixed verification time (the core has no clock).
    let options = drvsig::Options::at(drvsig::UnixTime(1_735_689_600));
    let report = drvsig::inspect(name, bytes, &options);
    // The report must always serialize (front ends print it as JSON).
    let _ = serde_json::to_string(&report).expect("a report always serializes");
});
