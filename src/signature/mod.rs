//! Authenticode signatures: PKCS#7 SignedData (CMS) with SpcIndirectDataContent, the signer, its
//! timestamps and nested signatures. STUB: the interface other layers code against; the body is
//! being written (issue 3).

use crate::digest::DigestAlgorithm;
use crate::report::{Finding, SignatureReport};

/// The page hash table carried in SpcPeImageData (1.3.6.1.4.1.311.2.3.1 SHA-1 / .2.3.2 SHA-256).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageHashTable {
    pub algorithm: DigestAlgorithm,
    /// (file offset, hash of the page starting there); the last entry has the end offset and a zero hash.
    pub entries: Vec<(u32, Vec<u8>)>,
}

/// One decoded signature, outer or nested, with what the file layer needs to check its digest.
#[derive(Clone, Debug)]
pub struct Signature {
    /// Everything the signature layer can say on its own: depth, parent, source, offset,
    /// digest_algorithm, signed_digest, signer, signature_verdict, program name/URL, certificates,
    /// timestamps, findings. The file layer adds computed_digest, digest_verdict and page hashes.
    pub report: SignatureReport,
    /// From SpcIndirectDataContent.messageDigest.digestAlgorithm; `None` when unknown/unparsed.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// SpcIndirectDataContent.messageDigest.digest.
    pub signed_digest: Vec<u8>,
    pub page_hashes: Option<PageHashTable>,
}

/// Decode the DER SignedData found at `file_offset` (a WIN_CERTIFICATE payload or a catalog) and
/// every signature nested in it, outer first. `first_index` is the report index the first returned
/// signature gets (nested ones follow and point at their parent by index). `time` is the
/// verification time.
///
/// Errors only when not even the outer ContentInfo can be read; the finding carries the offset.
pub fn read_signed_data(
    der: &[u8],
    file_offset: u64,
    source: &str,
    first_index: usize,
    time: crate::UnixTime,
) -> Result<Vec<Signature>, Finding> {
    let _ = (der, source, first_index, time);
    Err(Finding::new("signature.decode", crate::Outcome::Unsupported, "signature decoding is not implemented yet").at(file_offset))
}
