//! What the caller decides for a run ([`Options`]: the time, trust anchors, block lists) and what
//! it already computed ([`KnownDigests`]). Plain data every layer may read; it imports only the
//! types it carries (`time`, `digest`, `blocklist`); [`KnownDigests`] lives in `digest`, below
//! the layers that read it.

use crate::blocklist;
pub use crate::digest::KnownDigests;
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
    /// Certificate link signatures already checked, kept across inspections by a caller that
    /// inspects many files (the CLI, a page worker): files signed through the same CAs verify each
    /// link once. `None`: every link is verified. It changes no result, only the time.
    pub link_cache: Option<std::sync::Arc<crate::x509::LinkCache>>,
    /// Signer signatures the caller verified ahead (the page's workers, with WebCrypto, from the
    /// requests [`crate::file::plan`] lists): taken as verified; every other signature is
    /// verified by the core ([`crate::x509::Verifier::Known`]). `None`: the core verifies all.
    pub known_signatures: Option<std::sync::Arc<crate::x509::KnownSignatures>>,
}

impl Options {
    pub fn at(time: UnixTime) -> Self {
        Options { time, trust_anchors: Vec::new(), blocklists: None, link_cache: None, known_signatures: None }
    }

    /// Who checks the signers' signatures for these options: the core, or the caller's answers
    /// first ([`Options::known_signatures`]).
    pub fn verifier(&self) -> crate::x509::Verifier<'_> {
        match &self.known_signatures {
            Some(known) => crate::x509::Verifier::Known(known),
            None => crate::x509::Verifier::Core,
        }
    }
}
