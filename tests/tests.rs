//! The one integration test binary: each module tests one layer on real fixtures.

/// PE layer: Authenticode digests, certificate table, CheckSum, on every corpus PE.
mod pe;
