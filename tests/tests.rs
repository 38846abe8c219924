//! The core's integration tests: one binary, one module per area.
//! Tests that read the shared reference corpus (`../shared/corpus`, or `DRVSIG_CORPUS`) print a
//! notice and return when it is absent; our own fixtures (`tests/fixtures/`) are always there.

mod blocklist; // block lists: the index, every rule kind on written SiPolicy files, no false positive
mod catalog; // catalogs (.cat) against signify's member listings
mod chain; // certificate chains and trust anchors vs signify's verified chains
mod checks; // the check registry against docs/report.md, the golden reports and the core's literals
mod deps; // the core depends on no browser crate
mod diff; // two inspections compared: generated version pairs, the WinDivert releases
mod fixtures; // our generated, test-signed PE fixtures
mod golden; // golden JSON/Markdown reports of every corpus file, package and fixture (DRVSIG_BLESS=1 rewrites)
mod inf; // INF parsing of the corpus INFs and awkward encodings
mod malformed; // generated corruptions of our fixtures: findings, never panics
mod oid_names; // every OID in the corpus and fixture signatures has a name in the ASN.1 view
mod package; // driver packages: INF -> catalog -> files coverage, zips
mod pe; // PE layout, certificate table, Authenticode digests vs the peers
mod policy; // signature classification and per-Windows load verdicts
mod signature; // CMS SignedData, signers, timestamps, nested signatures vs the peers
mod support;
mod triage; // triage rows and the ticket summary on corpus packages // helpers shared by the modules (the corpus location)
