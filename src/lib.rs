//! drvsig core: is this Windows driver signed properly, by whom, and would Windows load it?
//!
//! Data flows one way: bytes -> [`sniff`] -> [`pe`] (and later catalog / inf) -> signature
//! verification -> [`report`]. The core takes bytes and an explicit time and returns a plain,
//! serializable report. It has no browser crate, no clock, no I/O and no `unsafe`, and it never
//! panics on input: whatever fails to parse becomes a [`report::Finding`] with its byte offset.
#![forbid(unsafe_code)]
// Hostile input must never panic the core: no unwrap/expect/panic, no indexing, no unchecked
// arithmetic outside tests (`cargo clippy` enforces it; see ARCHITECTURE.md "Invariants").
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

pub mod asn1;
pub mod blocklist;
pub mod catalog;
pub mod chain;
pub mod checks;
pub mod diff;
pub mod digest;
pub mod file;
pub mod hex;
pub mod inf;
pub mod markdown;
pub mod names;
pub mod oid_names;
pub mod options;
pub mod package;
pub mod pe;
pub mod policy;
pub mod report;
pub mod reporting;
pub mod signature;
pub mod sniff;
pub mod summary;
pub mod target;
pub mod time;
pub mod tlv;
pub mod triage;
pub mod x509;

pub use file::{inspect, inspect_with};
pub use options::{KnownDigests, Options};
pub use package::inspect_package;
pub use report::{FileKind, FileReport, Finding, InspectionReport, Outcome};
pub use time::UnixTime;
