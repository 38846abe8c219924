//! Authenticode signatures: PKCS#7 SignedData (CMS) with SpcIndirectDataContent, the signer, its
//! timestamps and nested signatures. Catalogs (eContentType szOID_CTL) go through the same path:
//! their signer is checked the same way and the indirect-data fields stay empty.
//!
//! Module map: [`tlv`] walks the original bytes; [`signer`] reads SignedData / SignerInfo and
//! checks a signer; [`spc`] holds the Microsoft ASN.1 types; [`timestamp`] RFC 3161 tokens and
//! PKCS#9 countersignatures; [`crypto`] raw signature verification; [`certificate`] the report's
//! certificate summaries.

pub mod certificate;
pub mod crypto;
pub mod signer;
pub mod spc;
pub mod timestamp;
pub mod tlv;

use der::Decode;

use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::report::{Finding, Outcome, SignatureReport};
use signer::{RawSignedData, RawSignerInfo};
use tlv::{Reader, Tlv};

/// Nested signatures deeper than this are not decoded (a finding says so).
pub const MAX_NESTING_DEPTH: u32 = 8;
/// At most this many signatures (outer and nested) are decoded from one SignedData.
pub const MAX_SIGNATURES: usize = 64;

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
/// signature gets (nested ones follow and point at their parent by index). `options` gives the
/// verification time and the user's trust anchors: the certification path of every signer and
/// timestamp authority is built here (`SignatureReport::chain`, `TimestampReport::chain`).
///
/// Errors only when not even the outer ContentInfo can be read; the finding carries the offset.
pub fn read_signed_data(
    der: &[u8],
    file_offset: u64,
    source: &str,
    first_index: usize,
    options: &crate::Options,
) -> Result<Vec<Signature>, Finding> {
    let mut reader = Reader::new(der);
    let sd = match signer::read_signed_data_content_info(&mut reader) {
        Ok(sd) => sd,
        Err(e) => {
            return Err(Finding::new(
                "signature.decode",
                e.outcome(),
                format!("the signature's ContentInfo / SignedData cannot be read: {e}"),
            )
            .at(file_offset.saturating_add(e.offset() as u64)))
        }
    };
    let mut chain = crate::chain::Context::new(options);
    if source == "catalog" {
        chain.pool_source = "catalog";
    }
    let mut ctx = Walk { file_offset, first_index, out: Vec::new(), chain };
    let mut first = ctx.signature(&sd, 0, None, source.to_string(), 0);
    let trailing = der.get(reader.offset()..).unwrap_or_default();
    // Up to 7 zero bytes are the WIN_CERTIFICATE's 8-byte alignment padding; more, or non-zero
    // bytes, are data hidden after the signature (CVE-2013-3900, EnableCertPaddingCheck).
    if trailing.len() >= 8 || trailing.iter().any(|b| *b != 0) {
        first.report.findings.push(
            Finding::new(
                "signature.trailing-data",
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
    strict_der_check(der, &mut first.report, file_offset);
    ctx.out.insert(0, first);
    // `signature()` pushed nested signatures before the outer one was inserted: renumber.
    ctx.renumber();
    Ok(ctx.out)
}

/// Decode with the `cms` crate as a strictness check: real files that it refuses (duplicate SET
/// members, non-DER encodings) still get verified from their original bytes, with a warning.
fn strict_der_check(der: &[u8], report: &mut SignatureReport, file_offset: u64) {
    let outer = Reader::new(der).read().map(|t| t.raw).unwrap_or(der);
    let result = match cms::content_info::ContentInfo::from_der(outer) {
        Ok(ci) => ci.content.decode_as::<cms::signed_data::SignedData>().map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        report.findings.push(
            Finding::new(
                "signature.strict-der",
                Outcome::Warn,
                format!("a strict DER decoder (cms 0.2) refuses this SignedData ({e}); it was read from its original bytes instead"),
            )
            .at(file_offset),
        );
    }
}

struct Walk {
    file_offset: u64,
    first_index: usize,
    /// Nested signatures in document order (the outer one is inserted at the front at the end).
    out: Vec<Signature>,
    /// Trust anchors, verification time and certificate label for chain building.
    chain: crate::chain::Context,
}

impl Walk {
    fn at(&self, rel: usize) -> u64 {
        self.file_offset.saturating_add(rel as u64)
    }

    /// Fix indices/parents: signatures are numbered in `out` order; parents were recorded as
    /// positions relative to the walk (0 = outer).
    fn renumber(&mut self) {
        let base = self.first_index;
        for (i, s) in self.out.iter_mut().enumerate() {
            s.report.index = base.saturating_add(i);
            if let Some(p) = s.report.parent {
                s.report.parent = Some(base.saturating_add(p));
                s.report.source = format!("nested in signature {}", base.saturating_add(p));
            }
        }
    }

    /// Build one Signature; nested signatures found in it are appended to `self.out` with their
    /// parent set to `position` (this signature's walk position, 0 for the outer one).
    fn signature(&mut self, sd: &RawSignedData<'_>, depth: u32, parent: Option<usize>, source: String, position: usize) -> Signature {
        let mut sig = Signature {
            report: SignatureReport { depth, parent, source, offset: Some(self.at(sd.tlv.offset)), ..Default::default() },
            digest_algorithm: None,
            signed_digest: Vec::new(),
            page_hashes: None,
        };
        let r = &mut sig.report;
        for (outcome, check, reason, off) in &sd.findings {
            r.findings.push(Finding::new(check, *outcome, reason.clone()).at(self.at(*off)));
        }
        for c in &sd.certificates {
            r.certificates.push(certificate::summarize(&c.cert, &c.der));
        }

        // The content: SpcIndirectDataContent for Authenticode, anything else (a CTL) verbatim.
        let content: &[u8] = sd.econtent.map(|t| t.value).unwrap_or_default();
        if sd.content_type == spc::SPC_INDIRECT_DATA {
            match sd.econtent {
                Some(t) => self.indirect_data(&t, &mut sig),
                None => sig.report.findings.push(
                    Finding::new("signature.indirect-data", Outcome::Fail, "SpcIndirectDataContent is missing (detached content)")
                        .at(self.at(sd.tlv.offset)),
                ),
            }
        } else if sd.content_type != spc::SZ_OID_CTL {
            sig.report.findings.push(
                Finding::new(
                    "signature.content-type",
                    Outcome::Warn,
                    format!("the signed content type is {}, not SpcIndirectDataContent or a catalog", sd.content_type),
                )
                .at(self.at(sd.tlv.offset)),
            );
        }

        // The signer.
        let signer_info = match sd.signer_infos.as_slice() {
            [] => {
                sig.report.signature_verdict = Outcome::Fail;
                sig.report.no_signer_info = true;
                sig.report.findings.push(
                    Finding::new("signature.signer-info", Outcome::Fail, "the SignedData has no SignerInfo: nothing is signed")
                        .at(self.at(sd.tlv.offset)),
                );
                None
            }
            [first, rest @ ..] => {
                if !rest.is_empty() {
                    sig.report.findings.push(
                        Finding::new(
                            "signature.signer-info",
                            Outcome::Warn,
                            format!("{} SignerInfos; Authenticode allows one, only the first is checked", rest.len().saturating_add(1)),
                        )
                        .at(self.at(first.offset)),
                    );
                }
                match signer::read_signer_info(*first) {
                    Ok(si) => Some(si),
                    Err(e) => {
                        sig.report.signature_verdict = e.outcome();
                        sig.report.findings.push(
                            Finding::new("signature.signer-info", e.outcome(), format!("the SignerInfo cannot be read: {e}"))
                                .at(self.at(e.offset())),
                        );
                        None
                    }
                }
            }
        };
        if let Some(si) = signer_info {
            let check = signer::check_signer(&si, &sd.certificates, content, Some(sd.content_type), self.file_offset, "signature");
            sig.report.signer = check.signer;
            sig.report.signature_verdict = check.verdict;
            sig.report.findings.extend(check.findings);
            self.opus_info(&si, &mut sig);
            self.unsigned_attributes(&si, sd, depth, position, &mut sig);
            if let Some(leaf) = check.signer_index.and_then(|i| sd.certificates.get(i)) {
                sig.report.chain = Some(self.signer_chain(leaf, &sd.certificates, &sig.report.timestamps));
            }
        }
        sig
    }

    /// The signer's path, judged at the first verified timestamp's time (whose TSA chain is
    /// intact), else at the verification time; lifetime signing removes the timestamp's grace.
    fn signer_chain(
        &self,
        leaf: &signer::ParsedCert,
        certs: &[signer::ParsedCert],
        timestamps: &[crate::report::TimestampReport],
    ) -> crate::report::ChainReport {
        use crate::chain::{self, Candidate, Purpose, Request};
        let verified = timestamps.iter().find_map(|t| {
            let time = t.time.as_deref().and_then(|s| crate::UnixTime::parse_rfc3339(s).ok())?;
            let ok = t.verdict == Outcome::Pass && t.chain.as_ref().is_some_and(chain::is_intact);
            ok.then_some((time, t))
        });
        let lifetime = chain::has_lifetime_signing(&leaf.cert);
        let (time, basis) = match verified {
            Some((time, _)) if !lifetime => (time, crate::report::ValidityBasis::Timestamp),
            Some(_) => (self.chain.time, crate::report::ValidityBasis::LifetimeSigning),
            None => (self.chain.time, crate::report::ValidityBasis::VerificationTime),
        };
        let pool: Vec<Candidate<'_>> =
            certs.iter().map(|c| Candidate { der: &c.der, cert: &c.cert, source: self.chain.pool_source }).collect();
        let req = Request {
            leaf: Candidate { der: &leaf.der, cert: &leaf.cert, source: self.chain.pool_source },
            pool: &pool,
            purpose: Purpose::CodeSigning,
            time,
            basis,
        };
        let mut report = chain::build(&self.chain, &req);
        if let Some((_, ts)) = verified.filter(|_| !lifetime) {
            if let Some(tc) = ts.chain.as_ref().filter(|c| c.verdict == Outcome::Fail) {
                let top = tc.certificates.last().map(|c| c.certificate.subject.clone()).unwrap_or_default();
                report.findings.push(Finding::new(
                    "chain.timestamp-untrusted",
                    Outcome::Warn,
                    format!(
                        "validity is judged at the timestamp's time although the timestamp authority's path ends at {top}, which is not a trust anchor here (drvsig bundles Microsoft roots only; the links found and their dates are valid)"
                    ),
                ));
                if report.verdict == Outcome::Pass {
                    report.verdict = Outcome::Warn;
                }
            }
        } else if lifetime && verified.is_some() {
            report.findings.push(Finding::new(
                "chain.lifetime-signing",
                Outcome::Warn,
                "the signer certificate has the lifetime-signing EKU (1.3.6.1.4.1.311.10.3.13): the timestamp does not extend its validity",
            ));
        }
        report
    }

    fn indirect_data(&self, t: &Tlv<'_>, sig: &mut Signature) {
        let r = &mut sig.report;
        let idc = match spc::SpcIndirectDataContent::from_der(t.raw) {
            Ok(v) => v,
            Err(e) => {
                r.findings.push(
                    Finding::new("signature.indirect-data", Outcome::Fail, format!("SpcIndirectDataContent does not decode: {e}"))
                        .at(self.at(t.offset)),
                );
                return;
            }
        };
        let oid = idc.message_digest.digest_algorithm.oid;
        sig.digest_algorithm = DigestAlgorithm::from_oid(&oid);
        r.digest_algorithm = sig.digest_algorithm.map(|a| a.name().to_string()).unwrap_or_else(|| oid.to_string());
        sig.signed_digest = idc.message_digest.digest.as_bytes().to_vec();
        r.signed_digest = hex::encode(&sig.signed_digest);
        match sig.digest_algorithm {
            None => r.findings.push(
                Finding::new("signature.digest-algorithm", Outcome::Unsupported, format!("unknown Authenticode digest algorithm {oid}"))
                    .at(self.at(t.offset)),
            ),
            Some(a) if a.output_len() != sig.signed_digest.len() => r.findings.push(
                Finding::new(
                    "signature.digest-algorithm",
                    Outcome::Fail,
                    format!("the signed digest has {} bytes, {} has {}", sig.signed_digest.len(), a.name(), a.output_len()),
                )
                .at(self.at(t.offset)),
            ),
            Some(a) if a.is_weak() => r.findings.push(Finding::new(
                "signature.digest-algorithm",
                if a == DigestAlgorithm::Md5 { Outcome::Warn } else { Outcome::Pass },
                format!(
                    "the file digest is {}{}",
                    a.name(),
                    if a == DigestAlgorithm::Md5 { " (broken)" } else { " (weak, but accepted by Windows)" }
                ),
            )),
            Some(_) => {}
        }
        let ty = idc.data.r#type;
        if ty != spc::SPC_PE_IMAGE_DATA {
            r.findings.push(
                Finding::new(
                    "signature.indirect-data.type",
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
                            Ok(table) => sig.page_hashes = Some(table),
                            Err(e) => sig.report.findings.push(
                                Finding::new("signature.page-hashes", Outcome::Fail, format!("the page hash table cannot be read: {e}"))
                                    .at(self.at(t.offset)),
                            ),
                        }
                    }
                }
            }
            Some(Err(e)) if ty == spc::SPC_PE_IMAGE_DATA => sig.report.findings.push(
                Finding::new("signature.indirect-data", Outcome::Warn, format!("SpcPeImageData does not decode: {e}"))
                    .at(self.at(t.offset)),
            ),
            _ => {}
        }
    }

    fn opus_info(&self, si: &RawSignerInfo<'_>, sig: &mut Signature) {
        let Some(attr) = si.signed_attr(&spc::SPC_SP_OPUS_INFO) else { return };
        let Some(v) = attr.values.first() else { return };
        match spc::SpcSpOpusInfo::from_der(v.raw) {
            Ok(info) => {
                sig.report.program_name = info.program_name.map(|s| s.text());
                sig.report.more_info_url = info.more_info.map(|l| l.text());
            }
            Err(e) => sig.report.findings.push(
                Finding::new("signature.opus-info", Outcome::Warn, format!("SpcSpOpusInfo does not decode: {e}")).at(self.at(v.offset)),
            ),
        }
    }

    fn unsigned_attributes(&mut self, si: &RawSignerInfo<'_>, sd: &RawSignedData<'_>, depth: u32, position: usize, sig: &mut Signature) {
        let outer_signature = si.signature.value;
        for attr in &si.unsigned {
            if attr.oid == spc::SPC_RFC3161_TIMESTAMP {
                for v in &attr.values {
                    sig.report.timestamps.push(timestamp::rfc3161(v, outer_signature, self.file_offset, &sd.certificates, &self.chain));
                }
            } else if attr.oid == signer::ID_COUNTERSIGNATURE {
                for v in &attr.values {
                    sig.report.timestamps.push(timestamp::countersignature(
                        v,
                        &sd.certificates,
                        outer_signature,
                        self.file_offset,
                        &self.chain,
                    ));
                }
            } else if attr.oid == spc::SPC_NESTED_SIGNATURE {
                for v in &attr.values {
                    self.nested(v, depth, position, sig);
                }
            }
        }
    }

    fn nested(&mut self, v: &Tlv<'_>, depth: u32, position: usize, sig: &mut Signature) {
        if depth.saturating_add(1) > MAX_NESTING_DEPTH {
            sig.report.findings.push(
                Finding::new(
                    "signature.nested.depth",
                    Outcome::Warn,
                    format!("nested signatures deeper than {MAX_NESTING_DEPTH} levels are not decoded"),
                )
                .at(self.at(v.offset)),
            );
            return;
        }
        if self.out.len().saturating_add(1) >= MAX_SIGNATURES {
            sig.report.findings.push(
                Finding::new(
                    "signature.nested.count",
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
                let placeholder =
                    Signature { report: SignatureReport::default(), digest_algorithm: None, signed_digest: Vec::new(), page_hashes: None };
                self.out.push(placeholder);
                let s = self.signature(&nsd, depth.saturating_add(1), Some(position), String::new(), slot.saturating_add(1));
                if let Some(p) = self.out.get_mut(slot) {
                    *p = s;
                }
            }
            Err(e) => sig.report.findings.push(
                Finding::new("signature.nested", e.outcome(), format!("a nested signature cannot be read: {e}")).at(self.at(e.offset())),
            ),
        }
    }
}
