//! The catalog (CTL) parser, then the catalog report as `inspect` builds it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(catalog) = drvsig::catalog::parse_catalog(bytes) {
        let _ = catalog.to_report();
    }
    let options = drvsig::Options::at(drvsig::UnixTime(1_735_689_600));
    let mut report = drvsig::FileReport::default();
    drvsig::catalog::inspect_catalog(bytes, &options, &mut report);
});
