//! The signature layer on arbitrary DER: ContentInfo / SignedData, signers, countersignatures,
//! RFC 3161 timestamps, nested signatures, certificate summaries, and the chains built on them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|der: &[u8]| {
    let options = drvsig::Options::at(drvsig::UnixTime(1_735_689_600));
    if let Ok(mut sigs) = drvsig::signature::read_signed_data(der, 0x1000, "fuzz", 0) {
        drvsig::chain::build_for(&mut sigs, &options, "fuzz");
    }
});
