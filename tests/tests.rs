//! The core's integration tests: one binary, one module per area.
//! Tests that read the shared reference corpus (`../shared/corpus`, or `DRVSIG_CORPUS`) print a
//! notice and return when it is absent; our own fixtures (`tests/fixtures/`) are always there.

mod catalog; // catalogs (.cat) against signify's member listings
mod fixtures; // our generated, test-signed PE fixtures
mod inf; // INF parsing of the corpus INFs and awkward encodings
mod malformed; // generated corruptions of the fixtures and the fuzzers' crash reproducers: no panic, findings with offsets
mod pe; // PE layout, certificate table, Authenticode digests vs the peers
mod signature; // CMS SignedData, signers, timestamps, nested signatures vs the peers
