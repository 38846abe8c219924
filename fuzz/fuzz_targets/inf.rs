//! The INF reader: encodings (UTF-16 with or without BOM, UTF-8, ANSI), sections, strings, report.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let inf = drvsig::inf::parse_inf(bytes);
    let _ = inf.to_report();
    let mut report = drvsig::FileReport::default();
    drvsig::inf::inspect_inf(bytes, &mut report);
});
