//! Decoding an Authenticode SignedData into typed values, without verifying anything: the
//! SignedData and its certificates, SpcIndirectDataContent (digest algorithm, signed digest, page
//! hashes), the SignerInfo, SpcSpOpusInfo, the timestamps and the nested signatures, outer first.
//! What does not decode becomes a finding with its file offset.
//!
//! Imports the CMS reader ([`super::signer`]), the Microsoft types ([`super::spc`]), the
//! timestamp decoder ([`super::timestamp`]), [`crate::tlv`] and [`crate::x509`] (certificates are
//! decoded, not verified). No cryptographic check, no chain: see [`super::verify()`].

use crate::checks;
use der::Decode;

use super::signer::{self, RawSignedData, RawSignerInfo};
use super::timestamp::{self, DecodedTimestamp};
use super::{spc, PageHashTable, MAX_NESTING_DEPTH, MAX_SIGNATURES};
use crate::digest::DigestAlgorithm;
use crate::report::{Finding, Outcome};
use crate::tlv::{Reader, Tlv};

/// One signature, outer or nested, decoded over the original bytes.
#[derive(Clone, Debug)]
pub struct DecodedSignature<'a> {
    /// Position in the file report's signatures.
    pub index: usize,
    /// 0 for an outer signature, 1 for one nested in it, ...
    pub depth: u32,
    /// Index of the signature this one is nested in.
    pub parent: Option<usize>,
    /// Where it came from, e.g. `WIN_CERTIFICATE #0 at 0x3a00` or `nested in signature 0`.
    pub source: String,
    /// File offset of the SignedData SEQUENCE.
    pub offset: u64,
    /// File offset the walk's relative offsets start from.
    pub file_offset: u64,
    /// The SignedData: content type, eContent, certificates, SignerInfos.
    pub signed_data: RawSignedData<'a>,
    /// What SpcIndirectDataContent says (empty for a catalog or when it does not decode).
    pub indirect_data: IndirectData,
    /// The first SignerInfo, or the finding that says why there is none to check.
    pub signer_info: Result<RawSignerInfo<'a>, Finding>,
    /// SpcSpOpusInfo.programName and moreInfo.
    pub program_name: Option<String>,
    pub more_info_url: Option<String>,
    /// The signer's timestamps, in attribute order.
    pub timestamps: Vec<DecodedTimestamp<'a>>,
    /// What decoding the SignedData, its content and its SignerInfos found wrong (they come
    /// before the signer's check in the report).
    pub findings: Vec<Finding>,
    /// What decoding the signer's attributes and the blob around the SignedData found wrong
    /// (they come after the signer's check).
    pub attribute_findings: Vec<Finding>,
}

/// What SpcIndirectDataContent says about the signed file.
#[derive(Clone, Debug, Default)]
pub struct IndirectData {
    /// From messageDigest.digestAlgorithm; `None` when unknown or not decoded.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// The digest algorithm's name, or its OID when unknown; empty when not decoded.
    pub digest_algorithm_name: String,
    /// messageDigest.digest: the file's Authenticode digest as signed.
    pub signed_digest: Vec<u8>,
    /// The page hash table of SpcPeImageData, when there is one.
    pub page_hashes: Option<PageHashTable>,
}

/// The signer's attributes, decoded.
#[derive(Default)]
struct Attributes<'a> {
    program_name: Option<String>,
    more_info_url: Option<String>,
    timestamps: Vec<DecodedTimestamp<'a>>,
    findings: Vec<Finding>,
}

/// Decode the DER SignedData found at `file_offset` (a WIN_CERTIFICATE payload or a catalog) and
/// every signature nested in it, outer first. `first_index` is the index the first returned
/// signature gets (nested ones follow and point at their parent by index).
///
/// Errors only when not even the outer ContentInfo can be read; the finding carries the offset.
pub fn decode<'a>(der: &'a [u8], file_offset: u64, source: &str, first_index: usize) -> Result<Vec<DecodedSignature<'a>>, Finding> {
    let mut reader = Reader::new(der);
    let sd = match signer::read_signed_data_content_info(&mut reader) {
        Ok(sd) => sd,
        Err(e) => {
            return Err(Finding::new(
                checks::SIGNATURE_DECODE.id,
                e.outcome(),
                format!("the signature's ContentInfo / SignedData cannot be read: {e}"),
            )
            .at(file_offset.saturating_add(e.offset() as u64)))
        }
    };
    let mut walk = Walk { file_offset, out: Vec::new() };
    let mut first = walk.signature(sd, 0, None, source.to_string(), 0);
    let trailing = der.get(reader.offset()..).unwrap_or_default();
    // Up to 7 zero bytes are the WIN_CERTIFICATE's 8-byte alignment padding; more, or non-zero
    // bytes, are data hidden after the signature (CVE-2013-3900, EnableCertPaddingCheck).
    if trailing.len() >= 8 || trailing.iter().any(|b| *b != 0) {
        first.attribute_findings.push(
            Finding::new(
                checks::SIGNATURE_TRAILING_DATA.id,
                Outcome::Warn,
                format!(
                    "{} bytes follow the ContentInfo inside the signature blob (more than alignment padding; \
                     rejected where EnableCertPaddingCheck is set, CVE-2013-3900)",
                    trailing.len()
                ),
            )
            .at(file_offset.saturating_add(reader.offset() as u64)),
        );
    }
    if let Some(f) = strict_der_check(der, file_offset) {
        first.attribute_findings.push(f);
    }
    let mut out: Vec<DecodedSignature<'a>> = Some(first).into_iter().chain(walk.out.into_iter().flatten()).collect();
    number(&mut out, first_index);
    Ok(out)
}

/// Number the signatures in walk order from `first_index`; parents were recorded as walk
/// positions (0 = outer).
fn number(signatures: &mut [DecodedSignature<'_>], first_index: usize) {
    for (i, s) in signatures.iter_mut().enumerate() {
        s.index = first_index.saturating_add(i);
        if let Some(p) = s.parent {
            s.parent = Some(first_index.saturating_add(p));
            s.source = format!("nested in signature {}", first_index.saturating_add(p));
        }
    }
}

/// Decode with the `cms` crate as a strictness check: real files that it refuses (duplicate SET
/// members, non-DER encodings) still get verified from their original bytes, with a warning.
fn strict_der_check(der: &[u8], file_offset: u64) -> Option<Finding> {
    let outer = Reader::new(der).read().map(|t| t.raw).unwrap_or(der);
    let result = match cms::content_info::ContentInfo::from_der(outer) {
        Ok(ci) => ci.content.decode_as::<cms::signed_data::SignedData>().map(|_| ()),
        Err(e) => Err(e),
    };
    result.err().map(|e| {
        Finding::new(
            checks::SIGNATURE_STRICT_DER.id,
            Outcome::Warn,
            format!("a strict DER decoder (cms 0.2) refuses this SignedData ({e}); it was read from its original bytes instead"),
        )
        .at(file_offset)
    })
}

struct Walk<'a> {
    file_offset: u64,
    /// Nested signatures in document order (slots are reserved before a signature's own nested
    /// ones are appended, so each is `Some` once the walk is over).
    out: Vec<Option<DecodedSignature<'a>>>,
}

impl<'a> Walk<'a> {
    fn at(&self, rel: usize) -> u64 {
        self.file_offset.saturating_add(rel as u64)
    }

    /// Decode one signature; nested signatures found in it are appended to `self.out` with their
    /// parent set to `position` (this signature's walk position, 0 for the outer one).
    fn signature(
        &mut self,
        sd: RawSignedData<'a>,
        depth: u32,
        parent: Option<usize>,
        source: String,
        position: usize,
    ) -> DecodedSignature<'a> {
        let mut findings: Vec<Finding> = signer::rebased(&sd.findings, |off| self.at(off)).collect();
        let indirect_data = self.content(&sd, &mut findings);
        let signer_info = self.signer_info(&sd, &mut findings);
        let mut attributes = Attributes::default();
        if let Ok(si) = &signer_info {
            self.opus_info(si, &mut attributes);
            self.unsigned_attributes(si, depth, position, &mut attributes);
        }
        DecodedSignature {
            index: 0,
            depth,
            parent,
            source,
            offset: self.at(sd.tlv.offset),
            file_offset: self.file_offset,
            signed_data: sd,
            indirect_data,
            signer_info,
            program_name: attributes.program_name,
            more_info_url: attributes.more_info_url,
            timestamps: attributes.timestamps,
            findings,
            attribute_findings: attributes.findings,
        }
    }

    /// The content: SpcIndirectDataContent for Authenticode, a catalog's CTL as it is, anything
    /// else with a warning.
    fn content(&self, sd: &RawSignedData<'a>, findings: &mut Vec<Finding>) -> IndirectData {
        if sd.content_type == spc::SPC_INDIRECT_DATA {
            match sd.econtent {
                Some(t) => return self.indirect_data(&t, findings),
                None => findings.push(
                    Finding::new(checks::SIGNATURE_INDIRECT_DATA.id, Outcome::Fail, "SpcIndirectDataContent is missing (detached content)")
                        .at(self.at(sd.tlv.offset)),
                ),
            }
        } else if sd.content_type != spc::SZ_OID_CTL {
            findings.push(
                Finding::new(
                    checks::SIGNATURE_CONTENT_TYPE.id,
                    Outcome::Warn,
                    format!("the signed content type is {}, not SpcIndirectDataContent or a catalog", sd.content_type),
                )
                .at(self.at(sd.tlv.offset)),
            );
        }
        IndirectData::default()
    }

    /// The first SignerInfo (Authenticode allows one), or the finding that says why there is none.
    fn signer_info(&self, sd: &RawSignedData<'a>, findings: &mut Vec<Finding>) -> Result<RawSignerInfo<'a>, Finding> {
        let Some((first, rest)) = sd.signer_infos.split_first() else {
            return Err(Finding::new(
                checks::SIGNATURE_SIGNER_INFO.id,
                Outcome::Fail,
                "the SignedData has no SignerInfo: nothing is signed",
            )
            .at(self.at(sd.tlv.offset)));
        };
        if !rest.is_empty() {
            findings.push(
                Finding::new(
                    checks::SIGNATURE_SIGNER_INFO.id,
                    Outcome::Warn,
                    format!("{} SignerInfos; Authenticode allows one, only the first is checked", rest.len().saturating_add(1)),
                )
                .at(self.at(first.offset)),
            );
        }
        signer::read_signer_info(*first).map_err(|e| {
            Finding::new(checks::SIGNATURE_SIGNER_INFO.id, e.outcome(), format!("the SignerInfo cannot be read: {e}"))
                .at(self.at(e.offset()))
        })
    }

    fn indirect_data(&self, t: &Tlv<'_>, findings: &mut Vec<Finding>) -> IndirectData {
        let mut out = IndirectData::default();
        let idc = match spc::SpcIndirectDataContent::from_der(t.raw) {
            Ok(v) => v,
            Err(e) => {
                findings.push(
                    Finding::new(checks::SIGNATURE_INDIRECT_DATA.id, Outcome::Fail, format!("SpcIndirectDataContent does not decode: {e}"))
                        .at(self.at(t.offset)),
                );
                return out;
            }
        };
        let oid = idc.message_digest.digest_algorithm.oid;
        out.digest_algorithm = DigestAlgorithm::from_oid(&oid);
        out.digest_algorithm_name = out.digest_algorithm.map(|a| a.name().to_string()).unwrap_or_else(|| oid.to_string());
        out.signed_digest = idc.message_digest.digest.as_bytes().to_vec();
        if let Some(f) = self.digest_algorithm_finding(t, out.digest_algorithm, &oid, out.signed_digest.len()) {
            findings.push(f);
        }
        let ty = idc.data.r#type;
        if ty != spc::SPC_PE_IMAGE_DATA {
            findings.push(
                Finding::new(
                    checks::SIGNATURE_INDIRECT_DATA_TYPE.id,
                    Outcome::Warn,
                    format!("the indirect data type is {ty}, not SpcPeImageData (1.3.6.1.4.1.311.2.1.15); the digest is used as given"),
                )
                .at(self.at(t.offset)),
            );
        }
        let pe = idc.data.value.as_ref().map(|v| v.decode_as::<spc::SpcPeImageData>());
        match pe {
            Some(Ok(pe)) => {
                if let Some(spc::SpcLink::Moniker(obj)) = &pe.file {
                    if obj.class_id.as_bytes() == spc::PAGE_HASH_CLASS_ID {
                        match spc::parse_page_hashes(obj.serialized_data.as_bytes()) {
                            Ok(table) => out.page_hashes = Some(table),
                            Err(e) => findings.push(
                                Finding::new(
                                    checks::SIGNATURE_PAGE_HASHES.id,
                                    Outcome::Fail,
                                    format!("the page hash table cannot be read: {e}"),
                                )
                                .at(self.at(t.offset)),
                            ),
                        }
                    }
                }
            }
            Some(Err(e)) if ty == spc::SPC_PE_IMAGE_DATA => findings.push(
                Finding::new(checks::SIGNATURE_INDIRECT_DATA.id, Outcome::Warn, format!("SpcPeImageData does not decode: {e}"))
                    .at(self.at(t.offset)),
            ),
            _ => {}
        }
        out
    }

    /// The file digest's algorithm is known, its length matches, and it is not weak.
    fn digest_algorithm_finding(
        &self,
        t: &Tlv<'_>,
        alg: Option<DigestAlgorithm>,
        oid: &const_oid::ObjectIdentifier,
        len: usize,
    ) -> Option<Finding> {
        match alg {
            None => Some(
                Finding::new(
                    checks::SIGNATURE_DIGEST_ALGORITHM.id,
                    Outcome::Unsupported,
                    format!("unknown Authenticode digest algorithm {oid}"),
                )
                .at(self.at(t.offset)),
            ),
            Some(a) if a.output_len() != len => Some(
                Finding::new(
                    checks::SIGNATURE_DIGEST_ALGORITHM.id,
                    Outcome::Fail,
                    format!("the signed digest has {len} bytes, {} has {}", a.name(), a.output_len()),
                )
                .at(self.at(t.offset)),
            ),
            Some(a) if a.is_weak() => Some(Finding::new(
                checks::SIGNATURE_DIGEST_ALGORITHM.id,
                if a == DigestAlgorithm::Md5 { Outcome::Warn } else { Outcome::Pass },
                format!(
                    "the file digest is {}{}",
                    a.name(),
                    if a == DigestAlgorithm::Md5 { " (broken)" } else { " (weak, but accepted by Windows)" }
                ),
            )),
            Some(_) => None,
        }
    }

    fn opus_info(&self, si: &RawSignerInfo<'_>, sig: &mut Attributes<'a>) {
        let Some(attr) = si.signed_attr(&spc::SPC_SP_OPUS_INFO) else { return };
        let Some(v) = attr.values.first() else { return };
        match spc::SpcSpOpusInfo::from_der(v.raw) {
            Ok(info) => {
                sig.program_name = info.program_name.map(|s| s.text());
                sig.more_info_url = info.more_info.map(|l| l.text());
            }
            Err(e) => sig.findings.push(
                Finding::new(checks::SIGNATURE_OPUS_INFO.id, Outcome::Warn, format!("SpcSpOpusInfo does not decode: {e}"))
                    .at(self.at(v.offset)),
            ),
        }
    }

    fn unsigned_attributes(&mut self, si: &RawSignerInfo<'a>, depth: u32, position: usize, sig: &mut Attributes<'a>) {
        for attr in &si.unsigned {
            if attr.oid == spc::SPC_RFC3161_TIMESTAMP {
                for v in &attr.values {
                    sig.timestamps.push(timestamp::decode_rfc3161(v, self.file_offset));
                }
            } else if attr.oid == signer::ID_COUNTERSIGNATURE {
                for v in &attr.values {
                    sig.timestamps.push(timestamp::decode_countersignature(v, self.file_offset));
                }
            } else if attr.oid == spc::SPC_NESTED_SIGNATURE {
                for v in &attr.values {
                    self.nested(v, depth, position, sig);
                }
            }
        }
    }

    fn nested(&mut self, v: &Tlv<'a>, depth: u32, position: usize, sig: &mut Attributes<'a>) {
        if depth.saturating_add(1) > MAX_NESTING_DEPTH {
            sig.findings.push(
                Finding::new(
                    checks::SIGNATURE_NESTED_DEPTH.id,
                    Outcome::Warn,
                    format!("nested signatures deeper than {MAX_NESTING_DEPTH} levels are not decoded"),
                )
                .at(self.at(v.offset)),
            );
            return;
        }
        if self.out.len().saturating_add(1) >= MAX_SIGNATURES {
            sig.findings.push(
                Finding::new(
                    checks::SIGNATURE_NESTED_COUNT.id,
                    Outcome::Warn,
                    format!("more than {MAX_SIGNATURES} signatures: the rest are not decoded"),
                )
                .at(self.at(v.offset)),
            );
            return;
        }
        let mut reader = Reader::with_base(v.raw, v.offset);
        match signer::read_signed_data_content_info(&mut reader) {
            Ok(nsd) => {
                // Reserve this signature's slot before its own nested ones are appended.
                let slot = self.out.len();
                self.out.push(None);
                let s = self.signature(nsd, depth.saturating_add(1), Some(position), String::new(), slot.saturating_add(1));
                if let Some(p) = self.out.get_mut(slot) {
                    *p = Some(s);
                }
            }
            Err(e) => sig.findings.push(
                Finding::new(checks::SIGNATURE_NESTED.id, e.outcome(), format!("a nested signature cannot be read: {e}"))
                    .at(self.at(e.offset())),
            ),
        }
    }
}
