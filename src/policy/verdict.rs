//! Would Windows load it: [`evaluate`] gives one [`TargetVerdict`] per Windows target for one
//! kernel driver binary, from its embedded signatures and the catalogs that list it.
//!
//! Every signature (embedded, nested, or catalog) is judged against every target; the best one
//! decides (loads, then loads-with-conditions with the fewest conditions, then the kind's rank),
//! and the verdict names it (`rests_on`). The rules are DOMAIN.md "Would Windows load it?"; the
//! table with sources is docs/policy.md.

use super::classify::{classify, CODE_VERIFICATION_ROOT};
use super::{CODE_SIGNING_REQUIREMENTS, DRIVER_SIGNING_POLICY, KMCS, PUBLIC_RELEASE, S_MODE};
use crate::report::{LoadVerdict, Outcome, PeInfo, SignatureReport, SignerKind, TargetVerdict, TrustKind};
use crate::time::UnixTime;

/// Cross-signed drivers whose end-entity certificate was issued before this date keep loading on
/// Windows 10 1607+ with Secure Boot ("Driver Signing Policy").
pub const CROSS_SIGNED_CUTOFF: &str = "2015-07-29T00:00:00Z";

/// The phrase a verdict carries when only the embedded signatures could be considered.
pub const NO_CATALOG: &str = "no catalog was given: only the embedded signature was considered";

/// The condition of every test-signed verdict.
pub const TESTSIGNING_CONDITION: &str = "TESTSIGNING on (bcdedit /set testsigning on), Secure Boot off";

/// A catalog that lists the driver binary (its member digest matched), with its signatures.
#[derive(Clone, Debug)]
pub struct CatalogCover<'a> {
    /// The catalog's file name, e.g. `ViGEmBus.cat`.
    pub name: String,
    /// The catalog's signatures (`FileReport::signatures` of the catalog), nested included.
    pub signatures: &'a [SignatureReport],
    /// `CatalogReport::os_attr_windows` (e.g. `Windows 7`, `Windows 10/11`); empty when unknown.
    pub os_attr_windows: Vec<String>,
    /// `CatalogReport::subject_algorithm` (`sha1` for v1 catalogs, `sha256` for v2), when known.
    pub member_algorithm: Option<String>,
}

/// One driver binary as the policy sees it.
#[derive(Clone, Debug, Default)]
pub struct PolicyInput<'a> {
    /// The binary's embedded signatures (`FileReport::signatures`, nested included).
    pub embedded: &'a [SignatureReport],
    /// Catalogs that list the binary.
    pub catalogs: Vec<CatalogCover<'a>>,
    /// Whether catalogs were looked for at all (false for a single file: the verdicts then say
    /// that only the embedded signature was considered).
    pub catalogs_considered: bool,
    /// INF service StartType 0 (boot); `None` when no INF says.
    pub boot_start: Option<bool>,
    /// A kernel-mode driver (subsystem native / `.sys`): the kernel-mode signing policy applies.
    pub kernel_driver: bool,
    /// PE facts, for the memory integrity (HVCI) checks.
    pub pe: Option<&'a PeInfo>,
    /// What the block lists matched (`FileReport::blocklist`): see [`super::blocklist`].
    pub blocklist: Option<&'a crate::report::BlocklistReport>,
}

/// The Windows targets, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Win7Sp1,
    Win7Sp1Sha2,
    Win81,
    Win10Early,
    Win10SecureBoot,
    Win10NoSecureBoot,
    Server2016,
    SMode,
    TestSigning,
}

impl Target {
    pub const ALL: [Target; 9] = [
        Target::Win7Sp1,
        Target::Win7Sp1Sha2,
        Target::Win81,
        Target::Win10Early,
        Target::Win10SecureBoot,
        Target::Win10NoSecureBoot,
        Target::Server2016,
        Target::SMode,
        Target::TestSigning,
    ];

    /// The stable id (`TargetVerdict::target`).
    pub fn id(self) -> &'static str {
        match self {
            Target::Win7Sp1 => "win7-sp1-x64",
            Target::Win7Sp1Sha2 => "win7-sp1-x64-sha2",
            Target::Win81 => "win8.1-x64",
            Target::Win10Early => "win10-1507",
            Target::Win10SecureBoot => "win10-1607-secureboot",
            Target::Win10NoSecureBoot => "win10-1607-no-secureboot",
            Target::Server2016 => "server-2016",
            Target::SMode => "s-mode",
            Target::TestSigning => "testsigning",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Target::Win7Sp1 => "Windows 7 SP1 x64 without the SHA-2 update",
            Target::Win7Sp1Sha2 => "Windows 7 SP1 x64 with KB4474419 (SHA-2)",
            Target::Win81 => "Windows 8.1 x64",
            Target::Win10Early => "Windows 10 1507-1511",
            Target::Win10SecureBoot => "Windows 10 1607+ / 11, Secure Boot on",
            Target::Win10NoSecureBoot => "Windows 10 1607+ / 11, Secure Boot off",
            Target::Server2016 => "Windows Server 2016 and later",
            Target::SMode => "Windows 10/11 in S mode",
            Target::TestSigning => "Test mode (TESTSIGNING on, Secure Boot off)",
        }
    }

    fn is_windows_7(self) -> bool {
        matches!(self, Target::Win7Sp1 | Target::Win7Sp1Sha2)
    }

    /// The OSAttr rank of the target's Windows version (6.1 -> 61, 6.3 -> 63, 10.0 -> 100).
    fn os_rank(self) -> Option<u32> {
        match self {
            Target::Win7Sp1 | Target::Win7Sp1Sha2 => Some(61),
            Target::Win81 => Some(63),
            Target::TestSigning => None,
            _ => Some(100),
        }
    }
}

/// `catalog::os_attr_windows` names back to a comparable rank.
fn os_name_rank(name: &str) -> Option<u32> {
    Some(match name {
        "Windows 2000" => 50,
        "Windows XP" => 51,
        "Windows Server 2003 / XP x64" => 52,
        "Windows Vista" => 60,
        "Windows 7" => 61,
        "Windows 8" => 62,
        "Windows 8.1" => 63,
        "Windows 10/11" => 100,
        _ => return None,
    })
}

/// Where a candidate signature lives.
#[derive(Clone, Copy, Debug)]
enum Source<'a> {
    Embedded,
    Catalog(&'a CatalogCover<'a>),
}

#[derive(Clone, Debug)]
struct Candidate<'a> {
    sig: &'a SignatureReport,
    kind: SignerKind,
    source: Source<'a>,
}

impl Candidate<'_> {
    fn rests_on(&self) -> String {
        let nested = if self.sig.depth > 0 { ", nested" } else { "" };
        match self.source {
            Source::Embedded => format!("embedded signature #{} ({}{nested})", self.sig.index, alg_label(&self.sig.digest_algorithm)),
            Source::Catalog(c) => {
                let alg = c.member_algorithm.as_deref().map(|a| format!(" ({a} members{nested})")).unwrap_or_default();
                format!("catalog {}{alg}", c.name)
            }
        }
    }

    fn is_catalog(&self) -> bool {
        matches!(self.source, Source::Catalog(_))
    }
}

fn alg_label(alg: &str) -> &str {
    if alg.is_empty() {
        "unknown digest"
    } else {
        alg
    }
}

/// One candidate's answer for one target.
#[derive(Clone, Debug)]
struct Decision {
    /// The signature is merely not considered (e.g. nested on Windows 7): a blocked verdict
    /// prefers another signature's reason.
    ignored: bool,
    verdict: LoadVerdict,
    rule: String,
    source: &'static str,
    conditions: Vec<String>,
}

fn loads(rule: impl Into<String>, source: &'static str) -> Decision {
    Decision { ignored: false, verdict: LoadVerdict::Loads, rule: rule.into(), source, conditions: Vec::new() }
}

fn blocked(rule: impl Into<String>, source: &'static str) -> Decision {
    Decision { ignored: false, verdict: LoadVerdict::Blocked, rule: rule.into(), source, conditions: Vec::new() }
}

fn with_conditions(rule: impl Into<String>, source: &'static str, conditions: Vec<String>) -> Decision {
    Decision { ignored: false, verdict: LoadVerdict::LoadsWithConditions, rule: rule.into(), source, conditions }
}

/// Preference among kinds when verdicts tie (lower is better).
fn kind_rank(kind: SignerKind) -> u8 {
    match kind {
        SignerKind::Whql => 0,
        SignerKind::WindowsComponent => 1,
        SignerKind::Attestation => 2,
        SignerKind::Microsoft => 3,
        SignerKind::CrossSignedSpc => 4,
        SignerKind::SpcWithoutCrossCertificate => 5,
        SignerKind::TestSigned => 6,
        SignerKind::SelfSigned => 7,
        SignerKind::Untrusted => 8,
        SignerKind::Unsigned => 9,
    }
}

fn verdict_rank(v: LoadVerdict) -> u8 {
    match v {
        LoadVerdict::Loads => 0,
        LoadVerdict::LoadsWithConditions => 1,
        LoadVerdict::Blocked => 2,
    }
}

/// Why a signature cannot be used at all (integrity or chain), if it cannot.
fn invalid(c: &Candidate, target: Target) -> Option<Decision> {
    let s = c.sig;
    let embedded = !c.is_catalog();
    if embedded && s.digest_verdict != Outcome::Pass {
        let why = if s.digest_verdict == Outcome::Fail {
            "the file's Authenticode digest does not match the signed digest (the file was changed after signing)"
        } else {
            "the file's Authenticode digest could not be checked"
        };
        return Some(blocked(format!("Windows loads a kernel driver only if its signature verifies; {why}"), KMCS));
    }
    if !embedded && s.digest_verdict == Outcome::Fail {
        return Some(blocked("Windows loads a kernel driver only if its signature verifies; the catalog's content digest does not match", KMCS));
    }
    if s.signature_verdict != Outcome::Pass {
        return Some(blocked(
            format!("Windows loads a kernel driver only if its signature verifies; the CMS signature is {}", outcome_word(s.signature_verdict)),
            KMCS,
        ));
    }
    if let Some(chain) = &s.chain {
        // In test mode the kernel accepts a valid signature whose root is not trusted (that is
        // what test signing is); only a chain that fails for other reasons still blocks there.
        let untrusted_top = matches!(chain.trust, TrustKind::Incomplete | TrustKind::UntrustedRoot | TrustKind::SelfSigned);
        let trust_only = chain
            .findings
            .iter()
            .filter(|f| f.outcome == Outcome::Fail)
            .all(|f| f.check.starts_with("chain.untrusted") || f.check.starts_with("chain.incomplete") || f.check.starts_with("chain.self-signed"));
        if chain.verdict == Outcome::Fail && !(target == Target::TestSigning && untrusted_top && trust_only) {
            let reason = chain.findings.iter().find(|f| f.outcome == Outcome::Fail).map(|f| format!(": {}", f.reason)).unwrap_or_default();
            return Some(blocked(
                format!(
                    "Windows loads a kernel driver only if its certificate chain is valid (an expired certificate is fine when a timestamp \
                     falls inside its validity); the chain fails{reason}"
                ),
                KMCS,
            ));
        }
    }
    None
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "valid",
        Outcome::Warn => "doubtful",
        Outcome::Fail => "invalid",
        Outcome::Unsupported => "of an unsupported kind",
        Outcome::NotPresent => "missing",
    }
}

/// Whether the end-entity certificate was issued before 2015-07-29 (`None` when unreadable).
fn issued_before_cutoff(sig: &SignatureReport) -> Option<bool> {
    let leaf = sig.chain.as_ref().and_then(|c| c.certificates.first()).map(|c| &c.certificate).or(sig.signer.as_ref())?;
    let issued = UnixTime::parse_rfc3339(&leaf.not_before).ok()?;
    let cutoff = UnixTime::parse_rfc3339(CROSS_SIGNED_CUTOFF).ok()?;
    Some(issued < cutoff)
}

fn os_attr_block(c: &Candidate, target: Target) -> Option<Decision> {
    let Source::Catalog(cover) = c.source else { return None };
    let target_rank = target.os_rank()?;
    let ranks: Vec<u32> = cover.os_attr_windows.iter().filter_map(|n| os_name_rank(n)).collect();
    let lowest = ranks.iter().min()?;
    if *lowest > target_rank {
        return Some(blocked(
            format!(
                "the catalog's OSAttr names only {}: Windows treats its signature as valid for those versions (and later) only",
                cover.os_attr_windows.join(", ")
            ),
            PUBLIC_RELEASE,
        ));
    }
    None
}

const MS_ROOT_RULE: &str = "64-bit Windows loads kernel drivers whose embedded or catalog signature chains to a Microsoft root: WHQL, or an SPC cross-signed to the Microsoft Code Verification Root";

/// The decision for one candidate on one target.
fn judge(c: &Candidate, target: Target, input: &PolicyInput) -> Decision {
    if let Some(d) = invalid(c, target) {
        return d;
    }
    let kind = c.kind;
    match kind {
        SignerKind::Unsigned => return blocked("an empty signature (no signer) does not sign anything", KMCS),
        SignerKind::Untrusted => {
            return blocked("the signature cannot be attributed to a trusted or test certificate (see the classification evidence)", KMCS)
        }
        _ => {}
    }
    let production = matches!(
        kind,
        SignerKind::Whql | SignerKind::Attestation | SignerKind::WindowsComponent | SignerKind::Microsoft | SignerKind::CrossSignedSpc
    );
    if target == Target::TestSigning {
        return if production {
            loads("a production signature also loads in test mode", KMCS)
        } else {
            with_conditions(
                "a test signature (test, self-signed or non-Microsoft certificate) loads only in test mode",
                KMCS,
                vec![TESTSIGNING_CONDITION.to_string()],
            )
        };
    }
    if !production {
        let rule = match kind {
            SignerKind::SpcWithoutCrossCertificate => {
                "a code-signing certificate without a cross certificate to the Microsoft Code Verification Root is not trusted for \
                 kernel mode: it loads only like a test signature, with TESTSIGNING on"
            }
            _ => "a test-signed (or self-signed) driver loads only with TESTSIGNING on and Secure Boot off (see the testsigning target)",
        };
        return blocked(rule, KMCS);
    }
    if let Some(d) = os_attr_block(c, target) {
        return d;
    }

    // Windows 7: SHA-1 without the update, no attestation, boot-start needs an embedded signature.
    if target.is_windows_7() {
        if c.sig.depth > 0 {
            return Decision { ignored: true, ..blocked(
                "Windows 7 code integrity reads only the primary signature, not nested ones (dual signing puts the SHA-1 signature \
                 first for Windows 7 and nests the SHA-256 one for Windows 8 and later)",
                CODE_SIGNING_REQUIREMENTS,
            ) };
        }
        if target == Target::Win7Sp1 {
            let alg = match c.source {
                Source::Embedded => c.sig.digest_algorithm.as_str(),
                Source::Catalog(cover) => cover.member_algorithm.as_deref().unwrap_or("sha1"),
            };
            if alg != "sha1" {
                return blocked(
                    format!(
                        "Windows 7 SP1 without the SHA-2 code signing update (KB4474419) verifies SHA-1 signatures only; this one is {}: \
                         dual SHA-1 + SHA-256 signing is the compatible form",
                        alg_label(alg)
                    ),
                    CODE_SIGNING_REQUIREMENTS,
                );
            }
        }
        if kind == SignerKind::Attestation {
            return blocked("attestation signatures are accepted by Windows 10 client and later only, not by Windows 7", DRIVER_SIGNING_POLICY);
        }
        if c.is_catalog() {
            match input.boot_start {
                Some(true) => {
                    return blocked(
                        "a boot-start driver (INF StartType 0) needs an embedded signature on Windows Vista/7 x64: catalogs are not read at boot",
                        KMCS,
                    )
                }
                None => {
                    return with_conditions(
                        MS_ROOT_RULE,
                        KMCS,
                        vec!["it is not a boot-start driver: a boot-start driver needs an embedded signature on Windows 7, and no INF says its StartType".to_string()],
                    )
                }
                Some(false) => {}
            }
        }
        return microsoft_loads(kind, MS_ROOT_RULE, KMCS);
    }

    let boot_condition = (c.is_catalog() && input.boot_start == Some(true)).then(|| {
        "boot-start driver signed only through a catalog: older pages require an embedded signature for boot-start drivers (newer ones \
         no longer do); the catalog must be installed before boot"
            .to_string()
    });
    let add_boot = |mut d: Decision| {
        if let (Some(cond), LoadVerdict::Loads | LoadVerdict::LoadsWithConditions) = (&boot_condition, d.verdict) {
            d.verdict = LoadVerdict::LoadsWithConditions;
            d.conditions.push(cond.clone());
        }
        d
    };

    let d = match target {
        Target::Win81 => {
            if kind == SignerKind::Attestation {
                blocked("attestation signatures are accepted by Windows 10 client and later only, not by Windows 8.1", DRIVER_SIGNING_POLICY)
            } else {
                microsoft_loads(kind, MS_ROOT_RULE, KMCS)
            }
        }
        Target::Win10Early => microsoft_loads(
            kind,
            "Windows 10 before 1607 loads kernel drivers signed through the Hardware Dev Center (WHQL or attestation) or by an SPC \
             cross-signed to the Microsoft Code Verification Root",
            DRIVER_SIGNING_POLICY,
        ),
        Target::Win10NoSecureBoot => microsoft_loads(
            kind,
            "with Secure Boot off, Windows 10 1607+ still loads cross-signed drivers (an exception to the Hardware Dev Center requirement), \
             and Hardware Dev Center signatures (WHQL, attestation)",
            DRIVER_SIGNING_POLICY,
        ),
        Target::Win10SecureBoot => match kind {
            SignerKind::CrossSignedSpc => cross_signed_secure_boot(c, false),
            _ => microsoft_loads(
                kind,
                "Windows 10 1607+ with Secure Boot loads new kernel drivers only when Microsoft signed them through the Hardware Dev \
                 Center (WHQL or attestation)",
                DRIVER_SIGNING_POLICY,
            ),
        },
        Target::Server2016 => match kind {
            SignerKind::Attestation => blocked(
                "Windows Server 2016 and later accept only HLK-tested (WHQL) Hardware Dev Center signatures: attestation signatures are not accepted",
                DRIVER_SIGNING_POLICY,
            ),
            SignerKind::CrossSignedSpc => cross_signed_secure_boot(c, true),
            _ => microsoft_loads(
                kind,
                "Windows Server 2016 and later load kernel drivers signed by the Hardware Dev Center after HLK testing (WHQL)",
                DRIVER_SIGNING_POLICY,
            ),
        },
        Target::SMode => match (kind, c.is_catalog()) {
            (SignerKind::Whql, true) => loads("Windows in S mode loads drivers whose package is WHQL-signed (a WHQL catalog)", S_MODE),
            (SignerKind::Whql, false) => with_conditions(
                "Windows in S mode loads drivers whose package is WHQL-signed (a WHQL catalog); this verdict rests on an embedded WHQL signature",
                S_MODE,
                vec!["the driver is installed from its WHQL-signed package (INF + WHQL catalog)".to_string()],
            ),
            (SignerKind::WindowsComponent, _) => loads("Windows' own (inbox) components load in S mode", S_MODE),
            _ => blocked(
                "Windows in S mode loads only WHQL-signed drivers: attestation, cross-signed and other signatures are not accepted",
                S_MODE,
            ),
        },
        Target::Win7Sp1 | Target::Win7Sp1Sha2 | Target::TestSigning => blocked("unreachable target branch", KMCS),
    };
    add_boot(d)
}

/// Loads for the Microsoft kinds; a Microsoft signature without a Hardware Dev Center or Windows
/// component EKU gets a condition on Windows 10 1607+ / Server (the 1607 rule names only the
/// Hardware Dev Center).
fn microsoft_loads(kind: SignerKind, rule: &str, source: &'static str) -> Decision {
    match kind {
        SignerKind::Microsoft if source == DRIVER_SIGNING_POLICY => with_conditions(
            format!("{rule}; this is a Microsoft signature without the WHQL, attestation or Windows component EKU"),
            source,
            vec!["Windows accepts this Microsoft signing certificate for kernel mode (it is not a Hardware Dev Center signature)".to_string()],
        ),
        SignerKind::WindowsComponent => loads(format!("{rule}; Windows' own components are signed by Microsoft Windows"), source),
        _ => loads(rule, source),
    }
}

/// A cross-signed SPC where Windows 10 1607+ (and Server 2016+) enforce the Hardware Dev Center
/// rule: only end-entity certificates issued before 2015-07-29 keep loading.
fn cross_signed_secure_boot(c: &Candidate, server: bool) -> Decision {
    let what = if server { "Windows Server 2016 and later" } else { "Windows 10 1607+ with Secure Boot" };
    match issued_before_cutoff(c.sig) {
        Some(true) => with_conditions(
            format!(
                "{what} still loads cross-signed drivers whose end-entity certificate was issued before 2015-07-29 and chains to a \
                 supported cross-signed CA ({CODE_VERIFICATION_ROOT})"
            ),
            DRIVER_SIGNING_POLICY,
            vec![
                "the end-entity certificate was issued before 2015-07-29 (the grandfathering exception of \"Driver Signing Policy\")".to_string(),
                format!(
                    "{} only: the newer table of \"Driver code signing requirements\" no longer lists cross-signed drivers as loading on \
                     {} with Secure Boot on",
                    if server { "Windows Server 2016 (1607)" } else { "Windows 10 1607-1803" },
                    if server { "Windows Server 2019 (1809) and later" } else { "Windows 10 1809 and later / 11" }
                ),
            ],
        ),
        Some(false) => blocked(
            format!(
                "{what} loads new kernel drivers only when Microsoft signed them through the Hardware Dev Center; this cross-signed \
                 certificate was issued after 2015-07-29 (it loads with Secure Boot off, or on a PC upgraded from a release before 1607)"
            ),
            DRIVER_SIGNING_POLICY,
        ),
        None => blocked(
            format!("{what} loads cross-signed drivers only when the end-entity certificate was issued before 2015-07-29; its issue date cannot be read"),
            DRIVER_SIGNING_POLICY,
        ),
    }
}

fn candidates<'a>(input: &'a PolicyInput<'a>) -> Vec<Candidate<'a>> {
    let kind_of = |s: &SignatureReport| s.classification.as_ref().map(|c| c.kind).unwrap_or_else(|| classify(s).kind);
    let mut out: Vec<Candidate<'a>> =
        input.embedded.iter().map(|sig| Candidate { sig, kind: kind_of(sig), source: Source::Embedded }).collect();
    for cover in &input.catalogs {
        out.extend(cover.signatures.iter().map(|sig| Candidate { sig, kind: kind_of(sig), source: Source::Catalog(cover) }));
    }
    out
}

/// One verdict per target (`Target::ALL`) for a kernel driver; empty for anything else.
pub fn evaluate(input: &PolicyInput) -> Vec<TargetVerdict> {
    if !input.kernel_driver {
        return Vec::new();
    }
    let cands = candidates(input);
    let note = |rule: String| {
        if input.catalogs_considered || !input.catalogs.is_empty() {
            rule
        } else {
            format!("{rule} ({NO_CATALOG})")
        }
    };
    Target::ALL
        .iter()
        .map(|&target| {
            let mut verdict = target_verdict(target, &cands, input, &note);
            super::blocklist::apply(target, input.blocklist, &mut verdict);
            verdict
        })
        .collect()
}

fn target_verdict(target: Target, cands: &[Candidate], input: &PolicyInput, note: &dyn Fn(String) -> String) -> TargetVerdict {
    let best = cands
        .iter()
        .map(|c| (c, judge(c, target, input)))
        .min_by_key(|(c, d)| (verdict_rank(d.verdict), d.ignored, d.conditions.len(), kind_rank(c.kind), c.is_catalog(), c.sig.depth, c.sig.index));
    match best {
        Some((c, d)) => TargetVerdict {
            target: target.id().to_string(),
            label: target.label().to_string(),
            verdict: d.verdict,
            rule: note(d.rule),
            source: d.source.to_string(),
            rests_on: c.rests_on(),
            conditions: d.conditions,
        },
        None => TargetVerdict {
            target: target.id().to_string(),
            label: target.label().to_string(),
            verdict: LoadVerdict::Blocked,
            rule: note(if target == Target::TestSigning {
                "test mode still requires a signature: the driver has none".to_string()
            } else {
                "64-bit Windows loads only signed kernel drivers: the driver has no signature".to_string()
            }),
            source: KMCS.to_string(),
            rests_on: "no signature".to_string(),
            conditions: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::classify::tests::{attestation, cert, cross_signed, sig, test_signed, whql};
    use super::super::classify::EKU_CODE_SIGNING;
    use super::*;
    use LoadVerdict::{Blocked as B, Loads as L, LoadsWithConditions as C};

    fn run(embedded: &[SignatureReport]) -> Vec<TargetVerdict> {
        evaluate(&PolicyInput { embedded, kernel_driver: true, ..PolicyInput::default() })
    }

    fn verdicts(v: &[TargetVerdict]) -> Vec<LoadVerdict> {
        v.iter().map(|t| t.verdict).collect()
    }

    fn get(v: &[TargetVerdict], target: Target) -> &TargetVerdict {
        v.iter().find(|t| t.target == target.id()).unwrap_or_else(|| panic!("no verdict for {}", target.id()))
    }

    //                          7    7+SHA2 8.1  10e  10SB 10off S16  S    test
    #[test]
    fn whql_everywhere() {
        let v = run(&[whql()]);
        assert_eq!(verdicts(&v), [B, L, L, L, L, L, L, C, L]);
        let mut sha1 = whql();
        sha1.digest_algorithm = "sha1".into();
        assert_eq!(verdicts(&run(&[sha1])), [L, L, L, L, L, L, L, C, L]);
        assert!(get(&v, Target::Win7Sp1).rule.contains("KB4474419"));
        assert!(v.iter().all(|t| t.rule.contains(NO_CATALOG) && t.rests_on == "embedded signature #0 (sha256)"), "{v:#?}");
    }

    #[test]
    fn attestation_not_on_server_s_mode_or_before_10() {
        assert_eq!(verdicts(&run(&[attestation()])), [B, B, B, L, L, L, B, B, L]);
        let v = run(&[attestation()]);
        assert!(get(&v, Target::Server2016).rule.contains("attestation"));
        assert_eq!(get(&v, Target::Server2016).source, DRIVER_SIGNING_POLICY);
        assert_eq!(get(&v, Target::SMode).source, S_MODE);
    }

    #[test]
    fn cross_signed_before_and_after_cutoff() {
        let old = run(&[cross_signed("sha1", "2014-08-18T00:00:00Z")]);
        assert_eq!(verdicts(&old), [L, L, L, L, C, L, C, B, L]);
        let sb = get(&old, Target::Win10SecureBoot);
        assert_eq!(sb.conditions.len(), 2);
        assert!(sb.conditions.iter().any(|c| c.contains("2015-07-29")) && sb.conditions.iter().any(|c| c.contains("1809")));
        let new = run(&[cross_signed("sha256", "2016-03-01T00:00:00Z")]);
        assert_eq!(verdicts(&new), [B, L, L, L, B, L, B, B, L]);
        assert!(get(&new, Target::Win10SecureBoot).rule.contains("Secure Boot off"));
    }

    #[test]
    fn sha256_only_fails_on_windows_7_without_update() {
        let v = run(&[cross_signed("sha256", "2014-08-18T00:00:00Z")]);
        assert_eq!(get(&v, Target::Win7Sp1).verdict, B);
        assert_eq!(get(&v, Target::Win7Sp1).source, CODE_SIGNING_REQUIREMENTS);
        assert_eq!(get(&v, Target::Win7Sp1Sha2).verdict, L);
        // Dual signing: the SHA-1 signature carries Windows 7, the SHA-256 one the rest.
        let mut nested = cross_signed("sha256", "2014-08-18T00:00:00Z");
        nested.index = 1;
        nested.depth = 1;
        let v = run(&[cross_signed("sha1", "2014-08-18T00:00:00Z"), nested]);
        assert_eq!(get(&v, Target::Win7Sp1).verdict, L);
        assert_eq!(get(&v, Target::Win7Sp1).rests_on, "embedded signature #0 (sha1)");
        // Windows 7 ignores a nested signature, even a WHQL one with the SHA-2 update.
        let mut nested_whql = whql();
        nested_whql.index = 1;
        nested_whql.depth = 1;
        let v = run(&[attestation(), nested_whql]);
        assert_eq!(verdicts(&v), [B, B, L, L, L, L, L, C, L]);
        assert!(get(&v, Target::Win7Sp1Sha2).rule.contains("attestation"));
        assert_eq!(get(&v, Target::Win81).rests_on, "embedded signature #1 (sha256, nested)");
    }

    #[test]
    fn test_signed_needs_testsigning() {
        let v = run(&[test_signed()]);
        assert_eq!(verdicts(&v), [B, B, B, B, B, B, B, B, C]);
        assert_eq!(get(&v, Target::TestSigning).conditions, [TESTSIGNING_CONDITION]);
        let ev = sig("sha256", vec![cert("Vendor", "DigiCert EV Code Signing CA (SHA2)", "2019-01-01T00:00:00Z", &[EKU_CODE_SIGNING])]);
        assert_eq!(verdicts(&run(&[ev])), [B, B, B, B, B, B, B, B, C]);
    }

    #[test]
    fn unsigned_blocked_everywhere() {
        let v = run(&[]);
        assert_eq!(verdicts(&v), [B; 9]);
        assert!(v.iter().all(|t| t.rests_on == "no signature" && t.source == KMCS));
        assert!(evaluate(&PolicyInput { kernel_driver: false, ..PolicyInput::default() }).is_empty());
    }

    #[test]
    fn invalid_digest_or_signature_blocked() {
        let mut bad = whql();
        bad.digest_verdict = Outcome::Fail;
        let v = run(&[bad.clone()]);
        assert_eq!(verdicts(&v), [B; 9]);
        assert!(v.iter().all(|t| t.rule.contains("changed after signing")));
        bad.digest_verdict = Outcome::Pass;
        bad.signature_verdict = Outcome::Fail;
        assert_eq!(verdicts(&run(&[bad])), [B; 9]);
        let mut chain_fails = whql();
        chain_fails.chain = Some(crate::report::ChainReport {
            verdict: Outcome::Fail,
            trust: crate::report::TrustKind::MicrosoftRoot,
            ..Default::default()
        });
        assert_eq!(verdicts(&run(&[chain_fails])), [B; 9]);
    }

    fn cover<'a>(name: &str, sigs: &'a [SignatureReport], os: &[&str], alg: &str) -> CatalogCover<'a> {
        CatalogCover {
            name: name.into(),
            signatures: sigs,
            os_attr_windows: os.iter().map(|s| s.to_string()).collect(),
            member_algorithm: Some(alg.into()),
        }
    }

    #[test]
    fn boot_start_with_catalog_only() {
        let cat = [whql()];
        let run_boot = |boot: Option<bool>| {
            evaluate(&PolicyInput {
                embedded: &[],
                catalogs: vec![cover("drv.cat", &cat, &[], "sha1")],
                catalogs_considered: true,
                boot_start: boot,
                kernel_driver: true,
                pe: None,
                blocklist: None,
            })
        };
        let boot = run_boot(Some(true));
        assert_eq!(verdicts(&boot), [B, B, C, C, C, C, C, C, L]);
        assert!(get(&boot, Target::Win7Sp1Sha2).rule.contains("boot-start"));
        assert_eq!(get(&boot, Target::Win10SecureBoot).rests_on, "catalog drv.cat (sha1 members)");
        assert!(!get(&boot, Target::Win10SecureBoot).rule.contains(NO_CATALOG));
        let unknown = run_boot(None);
        assert_eq!(verdicts(&unknown), [C, C, L, L, L, L, L, L, L]);
        let not_boot = run_boot(Some(false));
        assert_eq!(verdicts(&not_boot), [L, L, L, L, L, L, L, L, L]);
    }

    #[test]
    fn whql_catalog_beats_ev_embedded_and_embedded_counts_for_boot_on_7() {
        let ev_cross = cross_signed("sha1", "2017-01-01T00:00:00Z");
        let cat = [whql()];
        let v = evaluate(&PolicyInput {
            embedded: std::slice::from_ref(&ev_cross),
            catalogs: vec![cover("drv.cat", &cat, &["Windows 7", "Windows 10/11"], "sha256")],
            catalogs_considered: true,
            boot_start: Some(true),
            kernel_driver: true,
            pe: None,
            blocklist: None,
        });
        assert_eq!(get(&v, Target::Win10SecureBoot).rests_on, "catalog drv.cat (sha256 members)");
        assert_eq!(get(&v, Target::Win7Sp1).rests_on, "embedded signature #0 (sha1)");
        assert_eq!(get(&v, Target::Win7Sp1).verdict, L);
        assert_eq!(get(&v, Target::SMode).verdict, C, "boot-start via catalog warns on 10+");
    }

    #[test]
    fn os_attr_limits_catalog() {
        let cat = [whql()];
        let v = evaluate(&PolicyInput {
            embedded: &[],
            catalogs: vec![cover("win10.cat", &cat, &["Windows 10/11"], "sha256")],
            catalogs_considered: true,
            boot_start: Some(false),
            kernel_driver: true,
            pe: None,
            blocklist: None,
        });
        assert_eq!(verdicts(&v), [B, B, B, L, L, L, L, L, L]);
        assert!(get(&v, Target::Win81).rule.contains("OSAttr"));
    }
}
