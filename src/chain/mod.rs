//! Certification paths for signers and timestamp authorities (issue 5).
//!
//! From the signer certificate, through the certificates the SignedData carries, to a trust
//! anchor: the built-in Microsoft roots ([`anchors`]), Microsoft Code Verification Root (by name
//! and key identifier, for kernel-mode cross certificates), or a root the user trusts
//! ([`crate::Options::trust_anchors`]). Candidate issuers are found by name (and key identifiers)
//! and tried depth first, so cross certificates and same-name CAs with other keys are backtracked
//! over; the work is bounded ([`MAX_VERIFICATIONS`], [`MAX_DEPTH`]). Every complete path is
//! judged (link signatures, validity at the right time, basic constraints, key usage, extended key
//! usage) and the most useful one is reported: a trusted path beats an untrusted one, fewer
//! failures beat more.
//!
//! Link signatures are checked with [`crate::signature::certificate::verify_issued_by`]: there is
//! one verifier in the crate.

pub mod anchors;
pub mod trust_file;

use const_oid::ObjectIdentifier;
use x509_cert::Certificate;

use crate::report::{ChainCertificate, ChainReport, Finding, Outcome, TrustKind};
use crate::signature::certificate::{self, Facts};
use crate::time::UnixTime;
use crate::Options;

pub use trust_file::{parse_trust_file, TrustFileError};

/// At most this many signature verifications per path search.
pub const MAX_VERIFICATIONS: u32 = 100;
/// At most this many certificates in a path.
pub const MAX_DEPTH: usize = 8;

pub const EKU_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
pub const EKU_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
pub const EKU_ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
pub const EKU_WHQL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.5");
pub const EKU_ATTESTATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.5.1");
pub const EKU_WINDOWS_COMPONENT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.6");
pub const EKU_HARDWARE_DRIVER_EV: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.39");
pub const EKU_KERNEL_MODE_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.61.1.1");
pub const EKU_LIFETIME_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.13");

/// What the leaf certificate must be good for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Authenticode signer (PE or catalog): code signing or a Microsoft driver EKU.
    CodeSigning,
    /// RFC 3161 TSA or PKCS#9 countersigner: timeStamping.
    TimeStamping,
}

impl Purpose {
    /// The EKUs that satisfy this purpose on the leaf.
    pub fn ekus(self) -> &'static [ObjectIdentifier] {
        match self {
            Purpose::CodeSigning => {
                &[EKU_CODE_SIGNING, EKU_WHQL, EKU_ATTESTATION, EKU_WINDOWS_COMPONENT, EKU_HARDWARE_DRIVER_EV, EKU_KERNEL_MODE_CODE_SIGNING]
            }
            Purpose::TimeStamping => &[EKU_TIME_STAMPING],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Purpose::CodeSigning => "code signing (1.3.6.1.5.5.7.3.3) or a Microsoft driver signing EKU",
            Purpose::TimeStamping => "time stamping (1.3.6.1.5.5.7.3.8)",
        }
    }
}

/// One trust anchor: a built-in Microsoft root or a user root.
#[derive(Clone, Debug)]
pub struct Anchor {
    pub name: String,
    pub der: Vec<u8>,
    pub cert: Certificate,
    pub kind: TrustKind,
    /// `built-in` or `user`.
    pub source: &'static str,
}

/// The anchors and the verification time of one run (decoded once per SignedData).
#[derive(Clone, Debug)]
pub struct Context {
    pub anchors: Vec<Anchor>,
    /// The verification time (`Options::time`).
    pub time: UnixTime,
    /// How the certificates of the SignedData being read are labelled in chain reports:
    /// `signature` (default) or `catalog`.
    pub pool_source: &'static str,
}

impl Context {
    pub fn new(options: &Options) -> Context {
        let mut anchors = Vec::new();
        for r in anchors::BUILT_IN_ROOTS {
            if let Ok(cert) = certificate::decode(r.der) {
                anchors.push(Anchor {
                    name: r.name.to_string(),
                    der: r.der.to_vec(),
                    cert,
                    kind: TrustKind::MicrosoftRoot,
                    source: "built-in",
                });
            }
        }
        for der in &options.trust_anchors {
            if let Ok(cert) = certificate::decode(der) {
                let name = common_name(&cert);
                anchors.push(Anchor { name, der: der.clone(), cert, kind: TrustKind::UserRoot, source: "user" });
            }
        }
        Context { anchors, time: options.time, pool_source: "signature" }
    }
}

/// A certificate offered to the path builder, with where it came from
/// (`signature`, `catalog`, `timestamp`).
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    pub der: &'a [u8],
    pub cert: &'a Certificate,
    pub source: &'static str,
}

/// One path search.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub leaf: Candidate<'a>,
    /// The other certificates available (the SignedData's; the leaf may be among them).
    pub pool: &'a [Candidate<'a>],
    pub purpose: Purpose,
    /// The time validity is judged at and why (`timestamp`, `verification-time`, `lifetime-signing`).
    pub time: UnixTime,
    pub basis: crate::report::ValidityBasis,
}

/// The CN of a certificate's subject, or the whole subject when it has no CN.
pub fn common_name(cert: &Certificate) -> String {
    let full = certificate::name_to_string(&cert.tbs_certificate.subject);
    cn_of(&full)
}

fn cn_of(name: &str) -> String {
    name.split(", ").find_map(|p| p.strip_prefix("CN=")).map(str::to_string).unwrap_or_else(|| name.to_string())
}

/// True when a timestamp's chain lets its time stand for the signer's validity: every link that
/// was found verifies and every certificate is valid at the timestamp's time with the right
/// usages; only the trust of the top may be missing (an unknown self-signed root, or a root that
/// is not carried and not built in: drvsig bundles Microsoft roots only, Windows trusts many
/// public timestamping roots). The signer's chain then carries a `chain.timestamp-untrusted` warning.
pub fn is_intact(report: &ChainReport) -> bool {
    !report.findings.iter().any(|f| f.outcome == Outcome::Fail && f.check != "chain.untrusted-root" && f.check != "chain.incomplete")
}

/// True when the leaf carries the lifetime-signing EKU (a timestamp does not extend validity).
pub fn has_lifetime_signing(cert: &Certificate) -> bool {
    Facts::of(cert).ekus.is_some_and(|e| e.contains(&EKU_LIFETIME_SIGNING))
}

struct Node<'a> {
    der: &'a [u8],
    cert: &'a Certificate,
    source: &'static str,
    anchor: Option<usize>,
    facts: Facts,
}

#[derive(Clone, Debug)]
enum End {
    /// The top node is a trust anchor.
    Anchor(usize),
    /// The top node is a cross certificate issued by Microsoft Code Verification Root.
    CodeVerificationRoot,
    /// The top node is self-signed (its signature verifies) but not trusted.
    UntrustedRoot,
    /// No issuer: none by that name, or (name, reason) of candidates whose signature failed.
    Incomplete(Vec<(String, String)>),
    /// The path reached MAX_DEPTH.
    TooDeep,
    /// The budget ran out before this node's issuers were tried.
    Budget,
}

struct Judged {
    report: ChainReport,
    score: (u8, u8, i64, usize),
}

struct Search<'a, 'c> {
    ctx: &'c Context,
    req: &'c Request<'a>,
    nodes: Vec<Node<'a>>,
    verifications: u32,
    exhausted: bool,
    best: Option<Judged>,
    tried: u32,
}

/// Build and judge the path for one leaf.
pub fn build<'a>(ctx: &'a Context, req: &Request<'a>) -> ChainReport {
    let mut nodes: Vec<Node<'a>> = Vec::new();
    for c in core::iter::once(&req.leaf).chain(req.pool.iter()) {
        if !nodes.iter().any(|n| n.der == c.der) {
            nodes.push(Node { der: c.der, cert: c.cert, source: c.source, anchor: None, facts: Facts::of(c.cert) });
        }
    }
    for (i, a) in ctx.anchors.iter().enumerate() {
        let same = |n: &Node<'_>| {
            n.der == a.der.as_slice()
                || (n.cert.tbs_certificate.subject == a.cert.tbs_certificate.subject
                    && n.cert.tbs_certificate.subject_public_key_info == a.cert.tbs_certificate.subject_public_key_info)
        };
        match nodes.iter_mut().find(|n| same(n)) {
            Some(n) => {
                if n.anchor.is_none() {
                    n.anchor = Some(i);
                }
            }
            None => nodes.push(Node { der: &a.der, cert: &a.cert, source: a.source, anchor: Some(i), facts: Facts::of(&a.cert) }),
        }
    }
    let mut search = Search { ctx, req, nodes, verifications: 0, exhausted: false, best: None, tried: 0 };
    let mut path = vec![0usize];
    search.dfs(&mut path);
    let tried = search.tried;
    let exhausted = search.exhausted;
    let mut report = match search.best {
        Some(j) => j.report,
        None => ChainReport { validity_time: req.time.to_rfc3339(), validity_basis: req.basis, ..Default::default() },
    };
    report.paths_tried = tried;
    if exhausted {
        report.findings.push(Finding::new(
            "chain.budget",
            Outcome::Warn,
            format!("path building stopped after {MAX_VERIFICATIONS} signature verifications; other paths were not tried"),
        ));
    }
    if tried > 1 && report.verdict == Outcome::Fail {
        report.findings.push(Finding::new(
            "chain.paths",
            Outcome::Warn,
            format!("{tried} candidate paths were tried; none is valid, the most useful one is shown"),
        ));
    }
    report
}

impl<'a> Search<'a, '_> {
    /// Returns true to stop the search (a fully valid path was found).
    fn dfs(&mut self, path: &mut Vec<usize>) -> bool {
        let Some(&cur) = path.last() else { return true };
        let Some(node) = self.nodes.get(cur) else {
            return true;
        };
        if let Some(a) = node.anchor {
            return self.finish(path, End::Anchor(a));
        }
        if is_code_verification_cross(node) {
            return self.finish(path, End::CodeVerificationRoot);
        }
        if path.len() >= MAX_DEPTH {
            return self.finish(path, End::TooDeep);
        }
        let issuer = &node.cert.tbs_certificate.issuer;
        let aki = node.facts.authority_key_id.clone();
        let mut candidates: Vec<usize> = (0..self.nodes.len())
            // Not a certificate already in the path, nor the same CA again (same name and key).
            .filter(|i| !path.contains(i))
            .filter(|i| {
                self.nodes.get(*i).is_some_and(|c| {
                    !path.iter().filter_map(|p| self.nodes.get(*p)).any(|p| {
                        p.cert.tbs_certificate.subject == c.cert.tbs_certificate.subject
                            && p.cert.tbs_certificate.subject_public_key_info == c.cert.tbs_certificate.subject_public_key_info
                    })
                })
            })
            .filter(|i| {
                self.nodes.get(*i).is_some_and(|c| {
                    &c.cert.tbs_certificate.subject == issuer
                        && match (&aki, &c.facts.subject_key_id) {
                            (Some(a), Some(s)) => a == s,
                            _ => true,
                        }
                })
            })
            .collect();
        // Anchors first, then key-identifier matches, then pool order.
        candidates.sort_by_key(|i| {
            let c = self.nodes.get(*i);
            let anchor = c.is_some_and(|c| c.anchor.is_some());
            let keyid = c.is_some_and(|c| aki.is_some() && c.facts.subject_key_id == aki);
            (!anchor, !keyid)
        });
        let mut extended = false;
        let mut failed: Vec<(String, String)> = Vec::new();
        for c in candidates {
            if self.verifications >= MAX_VERIFICATIONS {
                self.exhausted = true;
                if !extended {
                    return self.finish(path, End::Budget);
                }
                return false;
            }
            self.verifications = self.verifications.saturating_add(1);
            let (Some(child), Some(parent)) = (self.nodes.get(cur), self.nodes.get(c)) else {
                continue;
            };
            match certificate::verify_issued_by(child.der, child.cert, parent.cert) {
                Ok(()) => {
                    extended = true;
                    path.push(c);
                    if self.dfs(path) {
                        return true;
                    }
                    path.pop();
                }
                Err(e) => {
                    // A candidate issuer whose key does not verify the link: an abandoned path.
                    self.tried = self.tried.saturating_add(1);
                    failed.push((format!("{} (SHA-1 {})", common_name(parent.cert), full_sha1(parent.der)), e.to_string()));
                }
            }
        }
        if extended {
            return false;
        }
        // No issuer: a self-signed top, or an incomplete path.
        let Some(node) = self.nodes.get(cur) else {
            return true;
        };
        if node.cert.tbs_certificate.subject == node.cert.tbs_certificate.issuer && self.verifications < MAX_VERIFICATIONS {
            self.verifications = self.verifications.saturating_add(1);
            if certificate::verify_issued_by(node.der, node.cert, node.cert).is_ok() {
                return self.finish(path, End::UntrustedRoot);
            }
        }
        self.finish(path, End::Incomplete(failed))
    }

    fn finish(&mut self, path: &[usize], end: End) -> bool {
        self.tried = self.tried.saturating_add(1);
        let judged = self.judge(path, &end);
        let done = judged.report.verdict != Outcome::Fail
            && matches!(judged.report.trust, TrustKind::MicrosoftRoot | TrustKind::UserRoot | TrustKind::MicrosoftCodeVerificationRoot);
        let better = match &self.best {
            None => true,
            Some(b) => judged.score > b.score,
        };
        if better {
            self.best = Some(judged);
        }
        done
    }

    fn judge(&self, path: &[usize], end: &End) -> Judged {
        let req = self.req;
        let t = req.time;
        let mut certs = Vec::new();
        let mut findings: Vec<Finding> = Vec::new();
        let leaf_ekus: Vec<ObjectIdentifier> = self
            .nodes
            .first()
            .and_then(|n| n.facts.ekus.clone())
            .map(|e| e.into_iter().filter(|o| req.purpose.ekus().contains(o) || *o == EKU_ANY).collect())
            .unwrap_or_else(|| req.purpose.ekus().to_vec());
        let last = path.len().saturating_sub(1);
        for (pos, &ix) in path.iter().enumerate() {
            let Some(n) = self.nodes.get(ix) else {
                continue;
            };
            let who = common_name(n.cert);
            let mut checks: Vec<(Outcome, &'static str, String)> = Vec::new();
            let is_anchor = n.anchor.is_some();
            // Validity.
            let nb = certificate::time_to_unix(&n.cert.tbs_certificate.validity.not_before);
            let na = certificate::time_to_unix(&n.cert.tbs_certificate.validity.not_after);
            let when = format!("{} ({})", t.to_rfc3339(), basis_words(req.basis));
            let (outside_outcome, anchor_note) =
                if is_anchor { (Outcome::Warn, " (a trust anchor's own validity is not enforced)") } else { (Outcome::Fail, "") };
            if let Some(na) = na.filter(|na| t > *na) {
                checks.push((
                    outside_outcome,
                    "chain.validity",
                    format!("{who} expired on {}, before {when}{anchor_note}", na.to_rfc3339()),
                ));
            }
            if let Some(nb) = nb.filter(|nb| t < *nb) {
                checks.push((
                    outside_outcome,
                    "chain.validity",
                    format!("{who} is not valid before {}, after {when}{anchor_note}", nb.to_rfc3339()),
                ));
            }
            if !n.facts.malformed.is_empty() {
                let list = n.facts.malformed.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ");
                checks.push((Outcome::Warn, "chain.extensions", format!("{who}: extension(s) {list} do not decode and were ignored")));
            }
            if pos == 0 {
                if let Some(ku) = &n.facts.key_usage {
                    if !ku.digital_signature() {
                        checks.push((
                            Outcome::Fail,
                            "chain.key-usage",
                            format!("{who} (the signer) has keyUsage without digitalSignature"),
                        ));
                    }
                }
                if let Some(ekus) = &n.facts.ekus {
                    if !ekus.iter().any(|o| req.purpose.ekus().contains(o) || *o == EKU_ANY) {
                        let names = eku_list(ekus);
                        checks.push((
                            Outcome::Fail,
                            "chain.eku",
                            format!("{who} (the signer) is not valid for {}: its extended key usages are {names}", req.purpose.label()),
                        ));
                    }
                }
            } else if !is_anchor {
                match n.facts.basic_constraints {
                    Some((false, _)) => checks.push((
                        Outcome::Fail,
                        "chain.basic-constraints",
                        format!("{who} issued a certificate but is not a CA (basicConstraints cA false)"),
                    )),
                    Some((true, Some(len))) if (pos as u64).saturating_sub(1) > u64::from(len) => checks.push((
                        Outcome::Fail,
                        "chain.path-length",
                        format!(
                            "{who} allows {len} CA certificate(s) below it (pathLenConstraint), the path has {}",
                            pos.saturating_sub(1)
                        ),
                    )),
                    None if n.cert.tbs_certificate.extensions.is_some() => checks.push((
                        Outcome::Warn,
                        "chain.basic-constraints",
                        format!("{who} issued a certificate but has no basicConstraints extension"),
                    )),
                    _ => {}
                }
                if let Some(ku) = &n.facts.key_usage {
                    if !ku.key_cert_sign() {
                        checks.push((
                            Outcome::Fail,
                            "chain.key-usage",
                            format!("{who} issued a certificate but its keyUsage lacks keyCertSign"),
                        ));
                    }
                }
                if let Some(ekus) = &n.facts.ekus {
                    if !ekus.contains(&EKU_ANY) && !ekus.iter().any(|o| leaf_ekus.contains(o)) {
                        let names = eku_list(ekus);
                        checks.push((
                            Outcome::Fail,
                            "chain.eku",
                            format!("{who} is an issuing CA whose extended key usages ({names}) do not allow {}", req.purpose.label()),
                        ));
                    }
                }
            }
            // The link up.
            let (link_outcome, link_reason) = if pos < last {
                let up = path.get(pos.saturating_add(1)).and_then(|i| self.nodes.get(*i)).map(|p| common_name(p.cert)).unwrap_or_default();
                (Outcome::Pass, format!("signature verified with the key of {up}"))
            } else {
                match end {
                    End::Anchor(a) => {
                        let src = self.ctx.anchors.get(*a).map(|a| a.source).unwrap_or("built-in");
                        (Outcome::Pass, format!("trust anchor ({src})"))
                    }
                    End::CodeVerificationRoot => {
                        if t > anchors::MSCV_NOT_AFTER {
                            checks.push((
                                Outcome::Fail,
                                "chain.code-verification-root.expired",
                                format!(
                                    "{} expired on {}, before {when}: cross-signed signatures stay valid only when timestamped before that",
                                    anchors::MSCV_NAME,
                                    anchors::MSCV_NOT_AFTER.to_rfc3339()
                                ),
                            ));
                        }
                        (
                            Outcome::Warn,
                            format!(
                                "cross certificate issued by {} (key id {}): that root certificate (SHA-1 {}) is not bundled, so this certificate's signature is not verifiable; it is trusted by issuer name and authority key identifier",
                                anchors::MSCV_NAME,
                                crate::hex::encode(&anchors::MSCV_KEY_ID),
                                anchors::MSCV_SHA1
                            ),
                        )
                    }
                    End::UntrustedRoot => (Outcome::Fail, "self-signed (its signature verifies) but in no trust store".to_string()),
                    End::Incomplete(failed) if failed.is_empty() => (
                        Outcome::Fail,
                        format!(
                            "issuer {} is not among the certificates carried nor a trust anchor",
                            certificate::name_to_string(&n.cert.tbs_certificate.issuer)
                        ),
                    ),
                    End::Incomplete(failed) => (
                        Outcome::Fail,
                        format!(
                            "no candidate issuer verifies its signature: {}",
                            failed.iter().map(|(w, e)| format!("{w}: {e}")).collect::<Vec<_>>().join("; ")
                        ),
                    ),
                    End::TooDeep => (Outcome::Fail, format!("the path is longer than {MAX_DEPTH} certificates")),
                    End::Budget => (Outcome::Fail, "not tried: the signature verification budget ran out".to_string()),
                }
            };
            let worst = checks.iter().map(|c| c.0).fold(link_outcome, worse);
            let mut reasons: Vec<String> = vec![link_reason];
            reasons.extend(checks.iter().map(|c| c.2.clone()));
            for (o, check, reason) in checks {
                findings.push(Finding::new(check, o, reason));
            }
            certs.push(ChainCertificate {
                certificate: certificate::summarize(n.cert, n.der),
                source: n.source.to_string(),
                link_verdict: worst,
                link_reason: reasons.join("; "),
            });
        }
        let top = path.last().and_then(|i| self.nodes.get(*i));
        let top_desc = top
            .map(|n| format!("{} (SHA-1 {})", certificate::name_to_string(&n.cert.tbs_certificate.subject), full_sha1(n.der)))
            .unwrap_or_default();
        let (trust, anchor) = match end {
            End::Anchor(a) => match self.ctx.anchors.get(*a) {
                Some(a) => (a.kind, Some(a.name.clone())),
                None => (TrustKind::Incomplete, None),
            },
            End::CodeVerificationRoot => (TrustKind::MicrosoftCodeVerificationRoot, Some(anchors::MSCV_NAME.to_string())),
            End::UntrustedRoot if path.len() == 1 => (TrustKind::SelfSigned, None),
            End::UntrustedRoot => (TrustKind::UntrustedRoot, None),
            _ => (TrustKind::Incomplete, None),
        };
        match end {
            End::Anchor(_) | End::CodeVerificationRoot => {}
            End::UntrustedRoot => findings.insert(
                0,
                Finding::new(
                    "chain.untrusted-root",
                    Outcome::Fail,
                    format!(
                        "the top certificate {top_desc} is self-signed but not a trust anchor (drvsig trusts the built-in Microsoft roots and the roots given with --trust)"
                    ),
                ),
            ),
            End::Incomplete(failed) => {
                let issuer = top.map(|n| certificate::name_to_string(&n.cert.tbs_certificate.issuer)).unwrap_or_default();
                let (check, why) = if failed.is_empty() {
                    ("chain.incomplete", format!("its issuer {issuer} is not among the certificates the signature carries nor a trust anchor"))
                } else {
                    ("chain.issuer-signature", format!("certificates named {issuer} were found but none verifies its signature"))
                };
                findings.insert(0, Finding::new(check, Outcome::Fail, format!("the path ends at {top_desc}: {why}")));
            }
            End::TooDeep => findings.insert(0, Finding::new("chain.depth", Outcome::Fail, format!("no trust anchor within {MAX_DEPTH} certificates"))),
            End::Budget => findings.insert(0, Finding::new("chain.incomplete", Outcome::Fail, format!("the path ends at {top_desc}: the work budget ran out"))),
        }
        let any_fail = findings.iter().any(|f| f.outcome == Outcome::Fail) || certs.iter().any(|c| c.link_verdict == Outcome::Fail);
        let any_warn = certs.iter().any(|c| c.link_verdict == Outcome::Warn) || findings.iter().any(|f| f.outcome == Outcome::Warn);
        let trusted = matches!(trust, TrustKind::MicrosoftRoot | TrustKind::UserRoot | TrustKind::MicrosoftCodeVerificationRoot);
        let verdict = if any_fail || !trusted {
            Outcome::Fail
        } else if any_warn {
            Outcome::Warn
        } else {
            Outcome::Pass
        };
        if trusted && verdict != Outcome::Fail {
            let src = match trust {
                TrustKind::UserRoot => "a root you trust",
                TrustKind::MicrosoftCodeVerificationRoot => "the kernel-mode cross-signing root, by name and key identifier",
                _ => "a built-in Microsoft root",
            };
            findings.insert(
                0,
                Finding::new(
                    "chain.trusted",
                    Outcome::Pass,
                    format!(
                        "chains to {} ({src}), valid at {} ({})",
                        anchor.clone().unwrap_or_default(),
                        t.to_rfc3339(),
                        basis_words(req.basis)
                    ),
                ),
            );
        }
        // A trusted path beats an untrusted root, which beats an incomplete path.
        let trust_level = match trust {
            TrustKind::MicrosoftRoot | TrustKind::UserRoot | TrustKind::MicrosoftCodeVerificationRoot => 2,
            TrustKind::UntrustedRoot | TrustKind::SelfSigned => 1,
            TrustKind::Incomplete => 0,
        };
        let fails = findings.iter().filter(|f| f.outcome == Outcome::Fail).count() as i64;
        let rank = match verdict {
            Outcome::Pass => 2,
            Outcome::Warn => 1,
            _ => 0,
        };
        Judged {
            score: (trust_level, rank, fails.saturating_neg(), path.len()),
            report: ChainReport {
                certificates: certs,
                verdict,
                trust,
                anchor,
                validity_time: t.to_rfc3339(),
                validity_basis: req.basis,
                paths_tried: 0,
                findings,
            },
        }
    }
}

fn worse(a: Outcome, b: Outcome) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Fail => 4,
        Outcome::Unsupported => 3,
        Outcome::Warn => 2,
        Outcome::Pass => 1,
        Outcome::NotPresent => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn basis_words(basis: crate::report::ValidityBasis) -> &'static str {
    match basis {
        crate::report::ValidityBasis::Timestamp => "the verified timestamp's time",
        crate::report::ValidityBasis::LifetimeSigning => "the verification time: the lifetime-signing EKU removes the timestamp's grace",
        crate::report::ValidityBasis::VerificationTime => "the verification time",
    }
}

fn full_sha1(der: &[u8]) -> String {
    crate::hex::encode(&crate::digest::DigestAlgorithm::Sha1.digest(der))
}

fn is_code_verification_cross(n: &Node<'_>) -> bool {
    certificate::name_to_string(&n.cert.tbs_certificate.issuer) == anchors::MSCV_SUBJECT
        && n.facts.authority_key_id.as_deref().is_none_or(|k| k == anchors::MSCV_KEY_ID)
}

/// EKUs by name, comma-separated, for a finding's reason.
fn eku_list(ekus: &[ObjectIdentifier]) -> String {
    ekus.iter().map(certificate::eku_name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context::new(&Options::at(UnixTime(1_764_000_000)))
    }

    #[test]
    fn built_in_root_is_its_own_anchor() {
        let ctx = ctx();
        let a = ctx.anchors.first().unwrap().clone();
        let req = Request {
            leaf: Candidate { der: &a.der, cert: &a.cert, source: "signature" },
            pool: &[],
            purpose: Purpose::CodeSigning,
            time: UnixTime(1_764_000_000),
            basis: crate::report::ValidityBasis::VerificationTime,
        };
        let r = build(&ctx, &req);
        assert_eq!(r.trust, TrustKind::MicrosoftRoot);
        assert_eq!(r.anchor.as_deref(), Some("Microsoft Root Certificate Authority 2010"));
        assert_eq!(r.certificates.len(), 1);
    }

    #[test]
    fn cn_extraction() {
        assert_eq!(cn_of("CN=Foo, O=Bar"), "Foo");
        assert_eq!(cn_of("OU=X, O=Y"), "OU=X, O=Y");
    }
}
