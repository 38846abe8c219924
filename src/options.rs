//! What the caller decides for a run ([`Options`]: the time, trust anchors, block lists) and what
//! it already computed ([`KnownDigests`]). Plain data every layer may read; it imports only the
//! types it carries (`time`, `digest`, `blocklist`).

use crate::blocklist;
use crate::digest;
use crate::time::UnixTime;

/// What the caller decides for a run: the core never reads a clock.
#[derive(Clone, Debug)]
pub struct Options {
    /// The time at which certificates are judged (unless a verified timestamp says otherwise).
    pub time: UnixTime,
    /// DER certificates the user trusts as roots (in addition to the built-in Microsoft roots);
    /// [`crate::chain::parse_trust_file`] reads them from .cer / .pem / .p7b files.
    pub trust_anchors: Vec<Vec<u8>>,
    /// The known-vulnerable / malicious driver lists to judge PE files against (the built-in
    /// index and the user's lists, [`crate::blocklist`]); `None`: no list, no `blocklist` in the report.
    pub blocklists: Option<std::sync::Arc<blocklist::BlockLists>>,
}

impl Options {
    pub fn at(time: UnixTime) -> Self {
        Options { time, trust_anchors: Vec::new(), blocklists: None }
    }
}

/// Digests of a file that the caller already computed over the same bytes, so the core does not
/// hash them again: the page computes SHA-256 with the browser's WebCrypto (three to four times
/// faster than SHA-256 in wasm), the CLI hashes a big file on two cores. The caller vouches for them:
/// they are used as they are, so they must be computed over exactly `bytes` (whole file) and over
/// [`crate::pe::authenticode_ranges`] of `bytes` (Authenticode image hash). A digest whose length does not
/// match its algorithm is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownDigests {
    /// SHA-256 of the whole file (the report's `sha256`).
    pub file_sha256: Option<Vec<u8>>,
    /// Authenticode image hashes of a PE file, by algorithm.
    pub authenticode: Vec<(digest::DigestAlgorithm, Vec<u8>)>,
}

impl KnownDigests {
    /// The known Authenticode digest with `alg`, when its length is right.
    pub fn authenticode(&self, alg: digest::DigestAlgorithm) -> Option<&[u8]> {
        self.authenticode.iter().find(|(a, d)| *a == alg && d.len() == alg.output_len()).map(|(_, d)| d.as_slice())
    }
}
