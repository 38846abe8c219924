//! Certification paths for signers and timestamp authorities (issue 5).
//!
//! From the signer certificate, through the certificates the SignedData carries, to a trust
//! anchor: the built-in Microsoft roots ([`anchors`]), Microsoft Code Verification Root (by name
//! and key identifier, for kernel-mode cross certificates), or a root the user trusts
//! ([`crate::options::Options::trust_anchors`]). Candidate issuers are found by name (and key identifiers)
//! and tried depth first, so cross certificates and same-name CAs with other keys are backtracked
//! over; the work is bounded ([`MAX_VERIFICATIONS`], [`MAX_DEPTH`]). Every complete path is
//! judged (link signatures, validity at the right time, basic constraints, key usage, extended key
//! usage) and the most useful one is reported: a trusted path beats an untrusted one, fewer
//! failures beat more.
//!
//! Link signatures are checked with [`Certificate::verify_issued_by`]: there is one verifier in
//! the crate ([`crate::x509::crypto`]).

pub mod anchors;
pub mod signatures;

use std::sync::{Arc, OnceLock};

use crate::checks;
use const_oid::ObjectIdentifier;

use crate::options::Options;
use crate::report::{CertificateSummary, ChainCertificate, ChainReport, Finding, Outcome, TrustKind};
use crate::time::UnixTime;
use crate::x509::crypto::VerifyError;
use crate::x509::oid::{
    EKU_ANY, EKU_ATTESTATION, EKU_CODE_SIGNING, EKU_KERNEL_MODE_CODE_SIGNING, EKU_LIFETIME_SIGNING, EKU_TIME_STAMPING, EKU_WHQL,
    EKU_WHQL_EXTENDED, EKU_WINDOWS_COMPONENT,
};
use crate::x509::{Certificate, Facts, LinkCache};

pub use crate::signature::trust_file::{parse_trust_file, TrustFileError};
pub use signatures::build_for;

/// At most this many signature verifications per path search.
pub const MAX_VERIFICATIONS: u32 = 100;
/// At most this many certificates in a path.
pub const MAX_DEPTH: usize = 8;

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
                &[EKU_CODE_SIGNING, EKU_WHQL, EKU_ATTESTATION, EKU_WINDOWS_COMPONENT, EKU_WHQL_EXTENDED, EKU_KERNEL_MODE_CODE_SIGNING]
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
    /// Shared: the built-in roots are decoded once per process ([`Context::new`]).
    pub cert: Arc<Certificate>,
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
    /// Link signatures already checked ([`Options::link_cache`]), when the caller keeps some.
    pub links: Option<Arc<LinkCache>>,
}

/// The built-in Microsoft roots, decoded the first time a path is built (they are constants:
/// decoding them for every SignedData cost ~6% of inspecting a small signed driver in wasm).
fn built_in_anchors() -> &'static [Anchor] {
    static BUILT_IN: OnceLock<Vec<Anchor>> = OnceLock::new();
    BUILT_IN.get_or_init(|| {
        anchors::BUILT_IN_ROOTS
            .iter()
            .filter_map(|r| {
                let cert = Certificate::from_der(r.der).ok()?;
                Some(Anchor { name: r.name.to_string(), cert: Arc::new(cert), kind: TrustKind::MicrosoftRoot, source: "built-in" })
            })
            .collect()
    })
}

impl Context {
    pub fn new(options: &Options) -> Context {
        let mut anchors = built_in_anchors().to_vec();
        for der in &options.trust_anchors {
            if let Ok(cert) = Certificate::from_der(der) {
                let name = cert.subject_cn();
                anchors.push(Anchor { name, cert: Arc::new(cert), kind: TrustKind::UserRoot, source: "user" });
            }
        }
        Context { anchors, time: options.time, pool_source: "signature", links: options.link_cache.clone() }
    }
}

/// A certificate offered to the path builder, with where it came from
/// (`signature`, `catalog`, `timestamp`).
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
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

/// True when a timestamp's chain lets its time stand for the signer's validity: every link that
/// was found verifies and every certificate is valid at the timestamp's time with the right
/// usages; only the trust of the top may be missing (an unknown self-signed root, or a root that
/// is not carried and not built in: drvsig bundles Microsoft roots only, Windows trusts many
/// public timestamping roots). The signer's chain then carries a `chain.timestamp-untrusted` warning.
pub fn is_intact(report: &ChainReport) -> bool {
    !report
        .findings
        .iter()
        .any(|f| f.outcome == Outcome::Fail && f.check != checks::CHAIN_UNTRUSTED_ROOT.id && f.check != checks::CHAIN_INCOMPLETE.id)
}

/// True when the leaf carries the lifetime-signing EKU (a timestamp does not extend validity).
pub fn has_lifetime_signing(cert: &Certificate) -> bool {
    cert.facts().ekus.is_some_and(|e| e.contains(&EKU_LIFETIME_SIGNING))
}

struct Node<'a> {
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

/// How useful a judged path is to report; paths compare field by field, in declaration order,
/// and the greatest is reported (webpki's `rank()`): trust first, then the verdict, then fewer
/// failures, then the longer path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    /// 2: ends at a trust anchor (Microsoft, user, Code Verification Root); 1: at an untrusted
    /// or self-signed root; 0: incomplete.
    trust: u8,
    /// 2: the path passes; 1: it passes with warnings; 0: it fails.
    verdict: u8,
    /// Minus the number of failing findings (fewer failures rank higher).
    fewer_failures: i64,
    /// The number of certificates in the path (the longer, the more it explains).
    length: usize,
}

struct Judged {
    report: ChainReport,
    rank: Rank,
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
        if !nodes.iter().any(|n| n.cert.der == c.cert.der) {
            nodes.push(Node { cert: c.cert, source: c.source, anchor: None, facts: c.cert.facts() });
        }
    }
    for (i, a) in ctx.anchors.iter().enumerate() {
        let same = |n: &Node<'_>| n.cert.der == a.cert.der || n.cert.same_subject_and_key(&a.cert);
        match nodes.iter_mut().find(|n| same(n)) {
            Some(n) => {
                if n.anchor.is_none() {
                    n.anchor = Some(i);
                }
            }
            None => nodes.push(Node { cert: &a.cert, source: a.source, anchor: Some(i), facts: a.cert.facts() }),
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
            checks::CHAIN_BUDGET.id,
            Outcome::Warn,
            format!("path building stopped after {MAX_VERIFICATIONS} signature verifications; other paths were not tried"),
        ));
    }
    if tried > 1 && report.verdict == Outcome::Fail {
        report.findings.push(Finding::new(
            checks::CHAIN_PATHS.id,
            Outcome::Warn,
            format!("{tried} candidate paths were tried; none is valid, the most useful one is shown"),
        ));
    }
    report
}

impl<'a> Search<'a, '_> {
    /// Whether `issuer`'s key verifies `child`'s signature, through the caller's cache if any.
    fn link(&self, child: &Certificate, issuer: &Certificate) -> Result<(), VerifyError> {
        match &self.ctx.links {
            Some(cache) => cache.verify_issued_by(child, issuer),
            None => child.verify_issued_by(issuer),
        }
    }

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
        let issuer = &node.cert.decoded.tbs_certificate.issuer;
        let aki = node.facts.authority_key_id.clone();
        let mut candidates: Vec<usize> = (0..self.nodes.len())
            // Not a certificate already in the path, nor the same CA again (same name and key).
            .filter(|i| !path.contains(i))
            .filter(|i| {
                self.nodes
                    .get(*i)
                    .is_some_and(|c| !path.iter().filter_map(|p| self.nodes.get(*p)).any(|p| p.cert.same_subject_and_key(c.cert)))
            })
            .filter(|i| {
                self.nodes.get(*i).is_some_and(|c| {
                    &c.cert.decoded.tbs_certificate.subject == issuer
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
            match self.link(child.cert, parent.cert) {
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
                    failed.push((format!("{} (SHA-1 {})", parent.cert.subject_cn(), full_sha1(parent.cert)), e.to_string()));
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
        if node.cert.decoded.tbs_certificate.subject == node.cert.decoded.tbs_certificate.issuer && self.verifications < MAX_VERIFICATIONS {
            self.verifications = self.verifications.saturating_add(1);
            if self.link(node.cert, node.cert).is_ok() {
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
            Some(b) => judged.rank > b.rank,
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
            let who = n.cert.subject_cn();
            let mut checks: Vec<Check> = Vec::new();
            check_validity(n, &who, t, req.basis, &mut checks);
            check_extensions_decode(n, &who, &mut checks);
            if pos == 0 {
                check_signer_usage(n, &who, req.purpose, &mut checks);
            } else if n.anchor.is_none() {
                check_issuer(n, &who, pos, &leaf_ekus, req.purpose, &mut checks);
            }
            let (link_outcome, link_reason) = if pos < last {
                let up = path.get(pos.saturating_add(1)).and_then(|i| self.nodes.get(*i)).map(|p| p.cert.subject_cn()).unwrap_or_default();
                (Outcome::Pass, format!("signature verified with the key of {up}"))
            } else {
                self.link_at_top(n, end, t, req.basis, &mut checks)
            };
            let worst = checks.iter().map(|c| c.0).fold(link_outcome, worse);
            let mut reasons: Vec<String> = vec![link_reason];
            reasons.extend(checks.iter().map(|c| c.2.clone()));
            for (o, check, reason) in checks {
                findings.push(Finding::new(check, o, reason));
            }
            certs.push(ChainCertificate {
                certificate: CertificateSummary::from(n.cert),
                source: n.source.to_string(),
                link_verdict: worst,
                link_reason: reasons.join("; "),
            });
        }
        let top = path.last().and_then(|i| self.nodes.get(*i));
        let (trust, anchor) = self.trust_at(end, path.len());
        if let Some(f) = end_finding(end, top) {
            findings.insert(0, f);
        }
        let verdict = chain_verdict(&findings, &certs, trust);
        if is_trusted(trust) && verdict != Outcome::Fail {
            findings.insert(0, trusted_finding(trust, anchor.as_deref(), t, req.basis));
        }
        let rank = Rank {
            trust: match trust {
                TrustKind::MicrosoftRoot | TrustKind::UserRoot | TrustKind::MicrosoftCodeVerificationRoot => 2,
                TrustKind::UntrustedRoot | TrustKind::SelfSigned => 1,
                TrustKind::Incomplete => 0,
            },
            verdict: match verdict {
                Outcome::Pass => 2,
                Outcome::Warn => 1,
                _ => 0,
            },
            fewer_failures: (findings.iter().filter(|f| f.outcome == Outcome::Fail).count() as i64).saturating_neg(),
            length: path.len(),
        };
        Judged {
            rank,
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

    /// The top certificate's link: how the path ends ([`End`]); an expired Microsoft Code
    /// Verification Root adds `chain.code-verification-root.expired`.
    fn link_at_top(
        &self,
        n: &Node<'_>,
        end: &End,
        t: UnixTime,
        basis: crate::report::ValidityBasis,
        checks: &mut Vec<Check>,
    ) -> (Outcome, String) {
        match end {
            End::Anchor(a) => {
                let src = self.ctx.anchors.get(*a).map(|a| a.source).unwrap_or("built-in");
                (Outcome::Pass, format!("trust anchor ({src})"))
            }
            End::CodeVerificationRoot => {
                if t > anchors::MSCV_NOT_AFTER {
                    checks.push((
                        Outcome::Fail,
                        checks::CHAIN_CODE_VERIFICATION_ROOT_EXPIRED.id,
                        format!(
                            "{} expired on {}, before {}: cross-signed signatures stay valid only when timestamped before that",
                            anchors::MSCV_NAME,
                            anchors::MSCV_NOT_AFTER.to_rfc3339(),
                            when(t, basis)
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
            End::Incomplete(failed) if failed.is_empty() => {
                (Outcome::Fail, format!("issuer {} is not among the certificates carried nor a trust anchor", n.cert.issuer()))
            }
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
    }

    /// The path's trust and the anchor's name, from how it ends.
    fn trust_at(&self, end: &End, path_len: usize) -> (TrustKind, Option<String>) {
        match end {
            End::Anchor(a) => match self.ctx.anchors.get(*a) {
                Some(a) => (a.kind, Some(a.name.clone())),
                None => (TrustKind::Incomplete, None),
            },
            End::CodeVerificationRoot => (TrustKind::MicrosoftCodeVerificationRoot, Some(anchors::MSCV_NAME.to_string())),
            End::UntrustedRoot if path_len == 1 => (TrustKind::SelfSigned, None),
            End::UntrustedRoot => (TrustKind::UntrustedRoot, None),
            _ => (TrustKind::Incomplete, None),
        }
    }
}

/// One failed or noted rule on one certificate of a path: (outcome, check id, reason).
type Check = (Outcome, &'static str, String);

/// The judged time and its basis, for reasons.
fn when(t: UnixTime, basis: crate::report::ValidityBasis) -> String {
    format!("{} ({})", t.to_rfc3339(), basis_words(basis))
}

/// `chain.validity`: the certificate is valid at the judged time (a trust anchor's own validity
/// only warns).
fn check_validity(n: &Node<'_>, who: &str, t: UnixTime, basis: crate::report::ValidityBasis, checks: &mut Vec<Check>) {
    let (outcome, anchor_note) =
        if n.anchor.is_some() { (Outcome::Warn, " (a trust anchor's own validity is not enforced)") } else { (Outcome::Fail, "") };
    if let Some(na) = n.cert.not_after().filter(|na| t > *na) {
        checks.push((
            outcome,
            checks::CHAIN_VALIDITY.id,
            format!("{who} expired on {}, before {}{anchor_note}", na.to_rfc3339(), when(t, basis)),
        ));
    }
    if let Some(nb) = n.cert.not_before().filter(|nb| t < *nb) {
        checks.push((
            outcome,
            checks::CHAIN_VALIDITY.id,
            format!("{who} is not valid before {}, after {}{anchor_note}", nb.to_rfc3339(), when(t, basis)),
        ));
    }
}

/// `chain.extensions`: extensions that do not decode are ignored, with a warning.
fn check_extensions_decode(n: &Node<'_>, who: &str, checks: &mut Vec<Check>) {
    if !n.facts.malformed.is_empty() {
        let list = n.facts.malformed.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ");
        checks.push((Outcome::Warn, checks::CHAIN_EXTENSIONS.id, format!("{who}: extension(s) {list} do not decode and were ignored")));
    }
}

/// `chain.key-usage` / `chain.eku` on the signer: digitalSignature, and an EKU for the purpose.
fn check_signer_usage(n: &Node<'_>, who: &str, purpose: Purpose, checks: &mut Vec<Check>) {
    if n.facts.key_usage.as_ref().is_some_and(|ku| !ku.digital_signature()) {
        checks.push((Outcome::Fail, checks::CHAIN_KEY_USAGE.id, format!("{who} (the signer) has keyUsage without digitalSignature")));
    }
    if let Some(ekus) = &n.facts.ekus {
        if !ekus.iter().any(|o| purpose.ekus().contains(o) || *o == EKU_ANY) {
            checks.push((
                Outcome::Fail,
                checks::CHAIN_EKU.id,
                format!("{who} (the signer) is not valid for {}: its extended key usages are {}", purpose.label(), eku_list(ekus)),
            ));
        }
    }
}

/// `chain.basic-constraints`, `chain.path-length`, `chain.key-usage`, `chain.eku` on an issuing CA
/// at `pos` in the path (not a trust anchor): a CA, within its path length, allowed to sign
/// certificates, and not narrowing the leaf's EKUs away.
fn check_issuer(n: &Node<'_>, who: &str, pos: usize, leaf_ekus: &[ObjectIdentifier], purpose: Purpose, checks: &mut Vec<Check>) {
    match n.facts.basic_constraints {
        Some((false, _)) => checks.push((
            Outcome::Fail,
            checks::CHAIN_BASIC_CONSTRAINTS.id,
            format!("{who} issued a certificate but is not a CA (basicConstraints cA false)"),
        )),
        Some((true, Some(len))) if (pos as u64).saturating_sub(1) > u64::from(len) => checks.push((
            Outcome::Fail,
            checks::CHAIN_PATH_LENGTH.id,
            format!("{who} allows {len} CA certificate(s) below it (pathLenConstraint), the path has {}", pos.saturating_sub(1)),
        )),
        None if n.cert.decoded.tbs_certificate.extensions.is_some() => checks.push((
            Outcome::Warn,
            checks::CHAIN_BASIC_CONSTRAINTS.id,
            format!("{who} issued a certificate but has no basicConstraints extension"),
        )),
        _ => {}
    }
    if n.facts.key_usage.as_ref().is_some_and(|ku| !ku.key_cert_sign()) {
        checks.push((Outcome::Fail, checks::CHAIN_KEY_USAGE.id, format!("{who} issued a certificate but its keyUsage lacks keyCertSign")));
    }
    if let Some(ekus) = &n.facts.ekus {
        if !ekus.contains(&EKU_ANY) && !ekus.iter().any(|o| leaf_ekus.contains(o)) {
            checks.push((
                Outcome::Fail,
                checks::CHAIN_EKU.id,
                format!("{who} is an issuing CA whose extended key usages ({}) do not allow {}", eku_list(ekus), purpose.label()),
            ));
        }
    }
}

/// The finding that says why a path does not end at a trust anchor (none when it does).
fn end_finding(end: &End, top: Option<&Node<'_>>) -> Option<Finding> {
    let top_desc = top.map(|n| format!("{} (SHA-1 {})", n.cert.subject(), full_sha1(n.cert))).unwrap_or_default();
    match end {
        End::Anchor(_) | End::CodeVerificationRoot => None,
        End::UntrustedRoot => Some(Finding::new(
            checks::CHAIN_UNTRUSTED_ROOT.id,
            Outcome::Fail,
            format!(
                "the top certificate {top_desc} is self-signed but not a trust anchor (drvsig trusts the built-in Microsoft roots and the roots given with --trust)"
            ),
        )),
        End::Incomplete(failed) => {
            let issuer = top.map(|n| n.cert.issuer()).unwrap_or_default();
            let (check, why) = if failed.is_empty() {
                (checks::CHAIN_INCOMPLETE.id, format!("its issuer {issuer} is not among the certificates the signature carries nor a trust anchor"))
            } else {
                (checks::CHAIN_ISSUER_SIGNATURE.id, format!("certificates named {issuer} were found but none verifies its signature"))
            };
            Some(Finding::new(check, Outcome::Fail, format!("the path ends at {top_desc}: {why}")))
        }
        End::TooDeep => Some(Finding::new(checks::CHAIN_DEPTH.id, Outcome::Fail, format!("no trust anchor within {MAX_DEPTH} certificates"))),
        End::Budget => Some(Finding::new(checks::CHAIN_INCOMPLETE.id, Outcome::Fail, format!("the path ends at {top_desc}: the work budget ran out"))),
    }
}

fn is_trusted(trust: TrustKind) -> bool {
    matches!(trust, TrustKind::MicrosoftRoot | TrustKind::UserRoot | TrustKind::MicrosoftCodeVerificationRoot)
}

/// Fail when anything fails or the path is not trusted, Warn when anything warns, else Pass.
fn chain_verdict(findings: &[Finding], certs: &[ChainCertificate], trust: TrustKind) -> Outcome {
    let any_fail = findings.iter().any(|f| f.outcome == Outcome::Fail) || certs.iter().any(|c| c.link_verdict == Outcome::Fail);
    let any_warn = certs.iter().any(|c| c.link_verdict == Outcome::Warn) || findings.iter().any(|f| f.outcome == Outcome::Warn);
    if any_fail || !is_trusted(trust) {
        Outcome::Fail
    } else if any_warn {
        Outcome::Warn
    } else {
        Outcome::Pass
    }
}

/// `chain.trusted`: which anchor, of which kind, at which time.
fn trusted_finding(trust: TrustKind, anchor: Option<&str>, t: UnixTime, basis: crate::report::ValidityBasis) -> Finding {
    let src = match trust {
        TrustKind::UserRoot => "a root you trust",
        TrustKind::MicrosoftCodeVerificationRoot => "the kernel-mode cross-signing root, by name and key identifier",
        _ => "a built-in Microsoft root",
    };
    Finding::new(
        checks::CHAIN_TRUSTED.id,
        Outcome::Pass,
        format!("chains to {} ({src}), valid at {} ({})", anchor.unwrap_or_default(), t.to_rfc3339(), basis_words(basis)),
    )
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

fn full_sha1(cert: &Certificate) -> String {
    crate::hex::encode(&cert.thumbprint(crate::digest::DigestAlgorithm::Sha1))
}

fn is_code_verification_cross(n: &Node<'_>) -> bool {
    n.cert.issuer() == anchors::MSCV_SUBJECT && n.facts.authority_key_id.as_deref().is_none_or(|k| k == anchors::MSCV_KEY_ID)
}

/// EKUs by name, comma-separated, for a finding's reason.
fn eku_list(ekus: &[ObjectIdentifier]) -> String {
    ekus.iter().map(crate::x509::oid::eku_short_name).collect::<Vec<_>>().join(", ")
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
            leaf: Candidate { cert: &a.cert, source: "signature" },
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
}
