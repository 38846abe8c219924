//! Would Windows load it: [`evaluate`] gives one [`TargetVerdict`] per Windows target for one
//! kernel driver binary, from its embedded signatures and the catalogs that list it.
//!
//! Every signature (embedded, nested, or catalog) is judged against every target; the best one
//! decides (loads, then loads-with-conditions with the fewest conditions, then the kind's rank),
//! and the verdict names it (`rests_on`, and as typed facts `signature`). Before any signature, a
//! driver built for another architecture is blocked and 32-bit Windows 7 needs no signature;
//! after, memory integrity blocks static incompatibilities where it is on. The rules are DOMAIN.md
//! "Would Windows load it?"; the table with sources and dates is docs/policy.md.

use super::classify::{classify, CODE_VERIFICATION_ROOT};
use super::hvci;
use super::target::{Arch, Target};
use super::{
    CODE_SIGNING_REQUIREMENTS, DRIVER_SIGNING_POLICY, HVCI, KERNEL_TRUST_2026, KMCS, PE_FORMAT, PUBLIC_RELEASE, SIGNING_A_DRIVER, S_MODE,
};
use crate::checks;
use crate::report::{LoadVerdict, Outcome, PeInfo, RestsOn, SignatureReport, SignerKind, TargetVerdict, TrustKind};
use crate::time::UnixTime;

/// Cross-signed drivers whose end-entity certificate was issued before this date keep loading on
/// Windows 10 1607+ with Secure Boot ("Driver Signing Policy"): 2015-07-29T00:00:00Z.
pub const CROSS_SIGNED_CUTOFF: UnixTime = UnixTime(1_438_128_000);

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

    /// The signature as typed facts (`TargetVerdict::signature`).
    fn rests_on_facts(&self) -> RestsOn {
        RestsOn {
            catalog: match self.source {
                Source::Embedded => None,
                Source::Catalog(c) => Some(c.name.clone()),
            },
            index: self.sig.index,
            nested: self.sig.depth > 0,
            kind: self.kind,
            signer: self.sig.signer.as_ref().map(|s| s.subject_cn()).unwrap_or_default(),
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
        SignerKind::Elam => 3,
        SignerKind::Microsoft => 4,
        SignerKind::Store => 5,
        SignerKind::CrossSignedSpc => 6,
        SignerKind::SpcWithoutCrossCertificate => 7,
        SignerKind::MicrosoftUserMode => 8,
        SignerKind::TestSigned => 9,
        SignerKind::SelfSigned => 10,
        SignerKind::Untrusted => 11,
        SignerKind::Unsigned => 12,
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
        return Some(blocked(
            "Windows loads a kernel driver only if its signature verifies; the catalog's content digest does not match",
            KMCS,
        ));
    }
    if s.signature_verdict != Outcome::Pass {
        return Some(blocked(
            format!(
                "Windows loads a kernel driver only if its signature verifies; the CMS signature is {}",
                outcome_word(s.signature_verdict)
            ),
            KMCS,
        ));
    }
    if let Some(chain) = &s.chain {
        // In test mode the kernel accepts a valid signature whose root is not trusted (that is
        // what test signing is); only a chain that fails for other reasons still blocks there.
        let untrusted_top = matches!(chain.trust, TrustKind::Incomplete | TrustKind::UntrustedRoot | TrustKind::SelfSigned);
        let trust_only = chain.findings.iter().filter(|f| f.outcome == Outcome::Fail).all(|f| checks::is_trust_only(&f.check));
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

/// Whether the end-entity certificate was issued before 2015-07-29 (`None` without a signer).
fn issued_before_cutoff(sig: &SignatureReport) -> Option<bool> {
    let leaf = sig.chain.as_ref().and_then(|c| c.certificates.first()).map(|c| &c.certificate).or(sig.signer.as_ref())?;
    Some(leaf.not_before < CROSS_SIGNED_CUTOFF)
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

const MS_ROOT_RULE: &str = "64-bit Windows loads kernel drivers whose embedded or catalog signature chains to a Microsoft kernel root: WHQL, or an SPC cross-signed to the Microsoft Code Verification Root";

const USER_MODE_RULE: &str = "Microsoft Root Certificate Authority 2011 is Microsoft's user-mode code-signing root: the kernel does not accept signatures that chain to it (its roots are Microsoft Root Authority, Microsoft Root Certificate Authority, Microsoft Root Certificate Authority 2010, and the Microsoft Code Verification Root for cross certificates)";

/// The sentence every April 2026 verdict on a cross-signed driver ends with.
const ALLOW_LIST: &str =
    "such a driver still loads only if Microsoft's allow list of widely used cross-signed drivers (not public) names it, \
     or an App Control policy signed with the device's Secure Boot keys allows it";

/// The condition of a cross-signed driver while the April 2026 policy evaluates.
pub const EVALUATION_CONDITION: &str = "the April 2026 policy is still in evaluation mode: the load is logged as would-be-blocked \
     (CodeIntegrity event log), and the driver is blocked once enforcement turns on (after about 100 hours of runtime and a few \
     restarts without an incompatible driver load)";

/// Signatures that chain to a Microsoft kernel root (or the Code Verification Root).
fn is_production(kind: SignerKind) -> bool {
    matches!(
        kind,
        SignerKind::Whql
            | SignerKind::Attestation
            | SignerKind::WindowsComponent
            | SignerKind::Elam
            | SignerKind::Store
            | SignerKind::Microsoft
            | SignerKind::CrossSignedSpc
    )
}

/// What no target's own rule needs to know: invalid signatures, test-like signatures, test mode.
fn judge_kind(c: &Candidate, target: Target) -> Option<Decision> {
    if let Some(d) = invalid(c, target) {
        return Some(d);
    }
    let kind = c.kind;
    match kind {
        SignerKind::Unsigned => return Some(blocked("an empty signature (no signer) does not sign anything", KMCS)),
        SignerKind::Untrusted => {
            return Some(blocked(
                "the signature cannot be attributed to a trusted or test certificate (see the classification evidence)",
                KMCS,
            ))
        }
        _ => {}
    }
    if target == Target::TestSigning {
        return Some(if is_production(kind) {
            loads("a production signature also loads in test mode", KMCS)
        } else {
            with_conditions(
                "a test signature (test, self-signed, user-mode or non-Microsoft certificate) loads only in test mode",
                KMCS,
                vec![TESTSIGNING_CONDITION.to_string()],
            )
        });
    }
    if !is_production(kind) {
        let rule = match kind {
            SignerKind::MicrosoftUserMode => USER_MODE_RULE,
            SignerKind::SpcWithoutCrossCertificate => {
                "a code-signing certificate without a cross certificate to the Microsoft Code Verification Root is not trusted for \
                 kernel mode: it loads only like a test signature, with TESTSIGNING on"
            }
            _ => "a test-signed (or self-signed) driver loads only with TESTSIGNING on and Secure Boot off (see the testsigning target)",
        };
        return Some(blocked(rule, KMCS));
    }
    os_attr_block(c, target)
}

/// The decision for one candidate on one target.
fn judge(c: &Candidate, target: Target, input: &PolicyInput) -> Decision {
    if let Some(d) = judge_kind(c, target) {
        // Test mode relaxes the signer, not the boot-start rule of 64-bit Windows.
        if target == Target::TestSigning && d.verdict != LoadVerdict::Blocked {
            return boot_start_block(c, target, input).unwrap_or_else(|| add_catalog_boot_condition(d, c, target, input));
        }
        return d;
    }
    if target.is_windows_7() {
        return windows_7(c, target, input);
    }
    if let Some(d) = boot_start_block(c, target, input) {
        return d;
    }
    let d = match target {
        Target::Win81 => windows_8_1(c.kind),
        Target::Win10Early => microsoft_loads(
            c.kind,
            "Windows 10 before 1607 loads kernel drivers signed through the Hardware Dev Center (WHQL or attestation) or by an SPC \
             cross-signed to the Microsoft Code Verification Root",
            DRIVER_SIGNING_POLICY,
        ),
        Target::Win10NoSecureBoot => microsoft_loads(
            c.kind,
            "with Secure Boot off, Windows 10 1607+ still loads cross-signed drivers (an exception to the Hardware Dev Center requirement), \
             and Hardware Dev Center signatures (WHQL, attestation)",
            DRIVER_SIGNING_POLICY,
        ),
        Target::Win10SecureBoot | Target::Win10X86SecureBoot => windows_10_secure_boot(c, target, input),
        Target::Win11Enforced | Target::Win11Evaluation | Target::Win11Arm64 | Target::Server2025 => april_2026(c, target, input),
        Target::Server2016 => server_2016(c),
        Target::SMode => s_mode(c.kind),
        Target::Win7Sp1X86 | Target::Win7Sp1 | Target::Win7Sp1Sha2 | Target::TestSigning => blocked("unreachable target branch", KMCS),
    };
    add_catalog_boot_condition(d, c, target, input)
}

/// Windows 7: the primary signature only, SHA-1 without the update, no attestation, boot-start
/// needs an embedded signature.
fn windows_7(c: &Candidate, target: Target, input: &PolicyInput) -> Decision {
    if c.sig.depth > 0 {
        return Decision {
            ignored: true,
            ..blocked(
                "Windows 7 code integrity reads only the primary signature, not nested ones (dual signing puts the SHA-1 signature \
                 first for Windows 7 and nests the SHA-256 one for Windows 8 and later)",
                CODE_SIGNING_REQUIREMENTS,
            )
        };
    }
    if target == Target::Win7Sp1 {
        let alg = match c.source {
            Source::Embedded => c.sig.digest_algorithm.as_str(),
            Source::Catalog(cover) => cover.member_algorithm.as_deref().unwrap_or("sha1"),
        };
        if alg != "sha1" {
            return blocked(
                format!(
                    "Windows 7 SP1 verifies SHA-256 signatures only with SHA-2 code signing support installed (security advisory \
                     3033929, 2015, or KB4474419, 2019); without it SHA-1 only, and this one is {}: dual SHA-1 + SHA-256 signing \
                     is the compatible form",
                    alg_label(alg)
                ),
                CODE_SIGNING_REQUIREMENTS,
            );
        }
    }
    if c.kind == SignerKind::Attestation {
        return blocked("attestation signatures are accepted by Windows 10 client and later only, not by Windows 7", DRIVER_SIGNING_POLICY);
    }
    if let Some(d) = boot_start_block(c, target, input) {
        return d;
    }
    let d = microsoft_root_loads(c.kind);
    add_catalog_boot_condition(d, c, target, input)
}

/// A boot-start driver (INF StartType 0) signed only through a catalog, on 64-bit Windows:
/// blocked ("Kernel-Mode Code Signing Requirements": a boot-start driver must have an embedded
/// signature, whether or not the package has a signed catalog).
fn boot_start_block(c: &Candidate, target: Target, input: &PolicyInput) -> Option<Decision> {
    (c.is_catalog() && input.boot_start == Some(true) && target.arch().is_64_bit()).then(|| {
        blocked(
            "64-bit Windows (Vista and later) loads a boot-start driver (INF StartType 0) only with an embedded signature, whether \
             or not its package has a signed catalog: catalogs are not read at boot",
            KMCS,
        )
    })
}

/// A catalog signature whose StartType no INF gives (64-bit: "not a boot-start driver"), or a
/// 32-bit boot-start driver signed only through a catalog.
fn add_catalog_boot_condition(mut d: Decision, c: &Candidate, target: Target, input: &PolicyInput) -> Decision {
    if !c.is_catalog() || d.verdict == LoadVerdict::Blocked {
        return d;
    }
    let condition = match (input.boot_start, target.arch().is_64_bit()) {
        (None, true) => {
            "it is not a boot-start driver: on 64-bit Windows a boot-start driver needs an embedded signature, and no INF \
                         says its StartType"
        }
        (Some(true), false) => "boot-start driver signed only through a catalog: the catalog must be installed before boot",
        _ => return d,
    };
    d.verdict = LoadVerdict::LoadsWithConditions;
    d.conditions.push(condition.to_string());
    d
}

fn windows_8_1(kind: SignerKind) -> Decision {
    if kind == SignerKind::Attestation {
        blocked("attestation signatures are accepted by Windows 10 client and later only, not by Windows 8.1", DRIVER_SIGNING_POLICY)
    } else {
        microsoft_root_loads(kind)
    }
}

fn windows_10_secure_boot(c: &Candidate, target: Target, input: &PolicyInput) -> Decision {
    match c.kind {
        SignerKind::CrossSignedSpc => cross_signed_1607(c, target, input),
        kind => microsoft_loads(
            kind,
            "Windows 10 1607+ with Secure Boot loads new kernel drivers only when Microsoft signed them through the Hardware Dev \
             Center (WHQL or attestation)",
            DRIVER_SIGNING_POLICY,
        ),
    }
}

/// Windows 11 24H2+ and Server 2025 with the April 2026 kernel trust policy: WHCP signatures and
/// Windows components only; attestation is client-only.
fn april_2026(c: &Candidate, target: Target, input: &PolicyInput) -> Decision {
    let server = target == Target::Server2025;
    match c.kind {
        SignerKind::Attestation if server => blocked(
            "Windows Server accepts only HLK-tested (WHQL) Hardware Dev Center signatures: attestation signatures are not accepted",
            DRIVER_SIGNING_POLICY,
        ),
        SignerKind::CrossSignedSpc if target.april_2026_enforced() => blocked(
            format!(
                "since the April 2026 update, Windows 11 24H2/25H2/26H1 and Windows Server 2025 no longer trust kernel drivers of the \
                 deprecated cross-signed root program (only WHCP-signed drivers and Windows components load); {ALLOW_LIST}"
            ),
            KERNEL_TRUST_2026,
        ),
        SignerKind::CrossSignedSpc => {
            let mut d = cross_signed_1607(c, target, input);
            if d.verdict != LoadVerdict::Blocked {
                d.rule = format!("{} (the April 2026 policy only audits it while in evaluation mode)", d.rule);
                d.conditions.push(EVALUATION_CONDITION.to_string());
            }
            d
        }
        kind => microsoft_loads(
            kind,
            if server {
                "Windows Server 2025 with the April 2026 policy loads kernel drivers signed through the Windows Hardware Compatibility \
                 Program after HLK testing (WHQL) and Windows components"
            } else {
                "Windows 11 24H2+ with the April 2026 policy loads kernel drivers signed through the Windows Hardware Compatibility \
                 Program (WHQL/HLK or attestation) and Windows components"
            },
            KERNEL_TRUST_2026,
        ),
    }
}

/// Windows Server 2016 to 2022: HLK (WHQL) only; the "Driver code signing requirements" table
/// lists cross-signed drivers with a pre-2015-07-29 end-entity certificate (SHA-1) as loading.
fn server_2016(c: &Candidate) -> Decision {
    match c.kind {
        SignerKind::Attestation => blocked(
            "Windows Server 2016 to 2022 accept only HLK-tested (WHQL) Hardware Dev Center signatures: attestation signatures are not accepted",
            DRIVER_SIGNING_POLICY,
        ),
        SignerKind::CrossSignedSpc => match issued_before_cutoff(c.sig) {
            Some(true) => with_conditions(
                "the \"Driver code signing requirements\" table lists cross-signed drivers whose end-entity certificate was issued \
                 before 2015-07-29 as loading on Windows Server 2016 and later",
                CODE_SIGNING_REQUIREMENTS,
                vec!["that column of the table names a SHA-1 certificate: the end-entity certificate is SHA-1 signed (drvsig does not \
                      read certificate signature algorithms)"
                    .to_string()],
            ),
            Some(false) => blocked(
                "Windows Server 2016 to 2022 load kernel drivers signed by the Hardware Dev Center after HLK testing (WHQL); a \
                 cross-signed certificate issued after 2015-07-29 is not accepted",
                CODE_SIGNING_REQUIREMENTS,
            ),
            None => blocked(
                "Windows Server 2016 to 2022 load cross-signed drivers only when the end-entity certificate was issued before \
                 2015-07-29; its issue date cannot be read",
                CODE_SIGNING_REQUIREMENTS,
            ),
        },
        kind => microsoft_loads(
            kind,
            "Windows Server 2016 to 2022 load kernel drivers signed by the Hardware Dev Center after HLK testing (WHQL)",
            DRIVER_SIGNING_POLICY,
        ),
    }
}

/// S mode: Windows, WHQL, ELAM and Store signatures.
fn s_mode(kind: SignerKind) -> Decision {
    match kind {
        SignerKind::Whql => loads("Windows in S mode loads drivers signed with a WHQL certificate", S_MODE),
        SignerKind::WindowsComponent => {
            loads("Windows in S mode loads drivers signed with a Windows certificate (inbox components)", S_MODE)
        }
        SignerKind::Elam => loads("Windows in S mode loads drivers signed with an ELAM (Early Launch Antimalware) certificate", S_MODE),
        SignerKind::Store => loads("Windows in S mode loads drivers signed with a Store certificate", S_MODE),
        _ => blocked(
            "Windows in S mode loads only drivers signed with a Windows, WHQL, ELAM or Store certificate: attestation, cross-signed \
             and other signatures are not accepted",
            S_MODE,
        ),
    }
}

/// Loads for the Microsoft kinds; a Microsoft (or Store) signature without a Hardware Dev Center,
/// ELAM or Windows component EKU gets a condition where the rule names only Hardware Dev Center
/// signatures (Windows 10, Server, the April 2026 policy: every rule but the Microsoft-root rule
/// of Windows 7 / 8.1).
fn microsoft_loads(kind: SignerKind, rule: &str, source: &'static str) -> Decision {
    hdc_loads(kind, rule, source, true)
}

/// [`microsoft_loads`] for the Microsoft-root rule of Windows 7 / 8.1 (no condition on other
/// Microsoft signatures there).
fn microsoft_root_loads(kind: SignerKind) -> Decision {
    hdc_loads(kind, MS_ROOT_RULE, KMCS, false)
}

fn hdc_loads(kind: SignerKind, rule: &str, source: &'static str, hardware_dev_center_rule: bool) -> Decision {
    match kind {
        SignerKind::Microsoft | SignerKind::Store if hardware_dev_center_rule => with_conditions(
            format!("{rule}; this is a Microsoft signature without the WHQL, attestation, ELAM or Windows component EKU"),
            source,
            vec!["Windows accepts this Microsoft signing certificate for kernel mode (it is not a Hardware Dev Center signature)"
                .to_string()],
        ),
        SignerKind::WindowsComponent => loads(format!("{rule}; Windows' own components are signed by Microsoft Windows"), source),
        SignerKind::Elam => loads(format!("{rule}; an ELAM signature is issued by Microsoft to antimalware vendors"), source),
        _ => loads(rule, source),
    }
}

/// A cross-signed SPC where Windows 10 1607+ enforces the Hardware Dev Center rule: only
/// end-entity certificates issued before 2015-07-29 keep loading; a boot-start one is not
/// blocked but removed by the Program Compatibility Assistant.
fn cross_signed_1607(c: &Candidate, target: Target, input: &PolicyInput) -> Decision {
    let what = if target.april_2026_policy() { "Windows 11 with Secure Boot" } else { "Windows 10 1607+ with Secure Boot" };
    match issued_before_cutoff(c.sig) {
        Some(true) => {
            let mut conditions =
                vec!["the end-entity certificate was issued before 2015-07-29 (the grandfathering exception of \"Driver Signing Policy\")".to_string()];
            if !target.april_2026_policy() {
                conditions.push(
                    "Windows 10 1607-1803 only: the newer table of \"Driver code signing requirements\" no longer lists cross-signed \
                     drivers as loading on Windows 10 1809 and later / 11 with Secure Boot on"
                        .to_string(),
                );
            }
            with_conditions(
                format!(
                    "{what} still loads cross-signed drivers whose end-entity certificate was issued before 2015-07-29 and chains to a \
                     supported cross-signed CA ({CODE_VERIFICATION_ROOT})"
                ),
                DRIVER_SIGNING_POLICY,
                conditions,
            )
        }
        Some(false) if input.boot_start == Some(true) => blocked(
            format!(
                "{what} does not block a cross-signed boot driver at boot (so that Windows still starts), but the Program \
                 Compatibility Assistant removes it: its certificate was issued after 2015-07-29"
            ),
            DRIVER_SIGNING_POLICY,
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

/// The verdict before any signature is looked at: the wrong architecture, or no signature needed.
fn before_signatures(target: Target, input: &PolicyInput) -> Option<(Decision, &'static str)> {
    if let Some(pe) = input.pe {
        if Arch::of_machine(&pe.machine) != Some(target.arch()) {
            let d = blocked(
                format!(
                    "Windows loads only kernel drivers built for its own architecture: this driver's PE machine is {}, and this Windows \
                     runs {} drivers",
                    pe.machine,
                    target.arch().id()
                ),
                PE_FORMAT,
            );
            return Some((d, "not judged: built for another architecture"));
        }
    }
    if !target.requires_signature() {
        let d = loads(
            "32-bit Windows 7 does not require kernel-mode drivers to be signed (driver signing is required on 64-bit versions of \
             Windows)",
            SIGNING_A_DRIVER,
        );
        return Some((d, "no signature needed"));
    }
    None
}

/// Memory integrity: blocked where it is on, a condition where it can be turned on (64-bit
/// Windows 10 and later).
fn memory_integrity(mut d: Decision, target: Target, incompatible: &[String]) -> Decision {
    if incompatible.is_empty() || d.verdict == LoadVerdict::Blocked || target.os_rank() != Some(100) || !target.arch().is_64_bit() {
        return d;
    }
    let what = incompatible.join("; ");
    if target.memory_integrity_on() {
        return blocked(
            format!("memory integrity (HVCI), on here by default, does not load a driver with static incompatibilities: {what}"),
            HVCI,
        );
    }
    d.verdict = LoadVerdict::LoadsWithConditions;
    d.conditions.push(format!("memory integrity (HVCI) is off: the driver is blocked once memory integrity is on ({what})"));
    d
}

fn verdict(target: Target, d: Decision, rests_on: String, signature: Option<RestsOn>, note: &dyn Fn(String) -> String) -> TargetVerdict {
    TargetVerdict {
        target,
        arch: target.arch(),
        label: target.label().to_string(),
        verdict: d.verdict,
        rule: note(d.rule),
        source: d.source.to_string(),
        rests_on,
        signature,
        conditions: d.conditions,
    }
}

/// One verdict per target (`Target::ALL`) for a kernel driver; empty for anything else.
pub fn evaluate(input: &PolicyInput) -> Vec<TargetVerdict> {
    if !input.kernel_driver {
        return Vec::new();
    }
    let cands = candidates(input);
    let incompatible = input.pe.map(hvci::incompatibilities).unwrap_or_default();
    let considered = input.catalogs_considered || !input.catalogs.is_empty();
    let note = |rule: String| if considered { rule } else { format!("{rule} ({NO_CATALOG})") };
    Target::ALL
        .iter()
        .map(|&target| {
            let mut verdict = target_verdict(target, &cands, input, &incompatible, &note);
            super::blocklist::apply(target, input.blocklist, &mut verdict);
            verdict
        })
        .collect()
}

/// The verdict of one target: the rules that come before any signature (architecture, boot-start
/// without an embedded signature), else the best signature's decision, memory integrity applied.
fn target_verdict(
    target: Target,
    cands: &[Candidate],
    input: &PolicyInput,
    incompatible: &[String],
    note: &dyn Fn(String) -> String,
) -> TargetVerdict {
    if let Some((d, rests_on)) = before_signatures(target, input) {
        // No signature was weighed: the "no catalog" note does not apply.
        return verdict(target, d, rests_on.to_string(), None, &|rule| rule);
    }
    let best = cands.iter().map(|c| (c, judge(c, target, input))).min_by_key(|(c, d)| {
        (verdict_rank(d.verdict), d.ignored, d.conditions.len(), kind_rank(c.kind), c.is_catalog(), c.sig.depth, c.sig.index)
    });
    match best {
        Some((c, d)) => verdict(target, memory_integrity(d, target, incompatible), c.rests_on(), Some(c.rests_on_facts()), note),
        None => {
            let rule = if target == Target::TestSigning {
                "test mode still requires a signature: the driver has none"
            } else {
                "Windows loads only signed kernel drivers here: the driver has no signature"
            };
            verdict(target, blocked(rule, KMCS), "no signature".to_string(), None, note)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::classify::tests::{attestation, cert, cross_signed, elam, sig, store, test_signed, user_mode, whql};
    use super::*;
    use crate::report::{Checksum, PeSection};
    use crate::x509::oid::EKU_CODE_SIGNING;
    use LoadVerdict::{Blocked as B, Loads as L, LoadsWithConditions as C};

    fn run(embedded: &[SignatureReport]) -> Vec<TargetVerdict> {
        evaluate(&PolicyInput { embedded, kernel_driver: true, ..PolicyInput::default() })
    }

    fn verdicts(v: &[TargetVerdict]) -> Vec<LoadVerdict> {
        v.iter().map(|t| t.verdict).collect()
    }

    fn get(v: &[TargetVerdict], target: Target) -> &TargetVerdict {
        v.iter().find(|t| t.target == target).unwrap_or_else(|| panic!("no verdict for {}", target.id()))
    }

    fn pe(machine: &str, sections: &[(&str, bool, bool)]) -> PeInfo {
        PeInfo {
            format: "PE32+".into(),
            machine: machine.into(),
            subsystem: "native".into(),
            checksum: Checksum { stored: 0, computed: 0, matches: true },
            certificate_table: None,
            section_alignment: 0x1000,
            dll_characteristics: 0x100,
            nx_compat: true,
            sections: sections
                .iter()
                .map(|(name, w, x)| PeSection { name: name.to_string(), writable: *w, executable: *x, ..PeSection::default() })
                .collect(),
            import_address_table: None,
            version: None,
        }
    }

    // Columns (Target::ALL): 7x86 7 7+SHA2 8.1 10e 10x86SB 10SB 10off 11enf 11eval 11arm S16 S25 S test
    #[test]
    fn whql_everywhere() {
        let v = run(&[whql()]);
        assert_eq!(verdicts(&v), [L, B, L, L, L, L, L, L, L, L, L, L, L, L, L]);
        let mut sha1 = whql();
        sha1.digest_algorithm = "sha1".into();
        assert_eq!(verdicts(&run(&[sha1])), [L; 15]);
        let w7 = get(&v, Target::Win7Sp1);
        assert!(w7.rule.contains("3033929") && w7.rule.contains("KB4474419"), "{}", w7.rule);
        assert!(w7.label.contains("3033929") && w7.label.contains("KB4474419"));
        assert!(v.iter().filter(|t| t.target != Target::Win7Sp1X86).all(|t| t.rule.contains(NO_CATALOG)), "{v:#?}");
        assert!(v.iter().filter(|t| t.target != Target::Win7Sp1X86).all(|t| t.rests_on == "embedded signature #0 (sha256)"));
        assert_eq!(get(&v, Target::Win7Sp1X86).rests_on, "no signature needed");
        assert_eq!(get(&v, Target::Win7Sp1X86).source, SIGNING_A_DRIVER);
        let facts = get(&v, Target::Win11Enforced).signature.clone().unwrap_or_default();
        assert_eq!((facts.kind, facts.index, facts.nested, facts.catalog), (SignerKind::Whql, 0, false, None));
        assert_eq!(facts.signer, super::super::classify::HARDWARE_COMPATIBILITY_PUBLISHER);
        assert!(v.iter().all(|t| t.arch == t.target.arch()));
    }

    #[test]
    fn attestation_not_on_server_s_mode_or_before_10() {
        let v = run(&[attestation()]);
        assert_eq!(verdicts(&v), [L, B, B, B, L, L, L, L, L, L, L, B, B, B, L]);
        assert!(get(&v, Target::Server2016).rule.contains("attestation"));
        assert!(get(&v, Target::Server2025).rule.contains("attestation"));
        assert_eq!(get(&v, Target::Win11Enforced).source, KERNEL_TRUST_2026);
        assert_eq!(get(&v, Target::SMode).source, S_MODE);
    }

    #[test]
    fn cross_signed_before_and_after_cutoff() {
        assert_eq!(CROSS_SIGNED_CUTOFF.to_rfc3339(), "2015-07-29T00:00:00Z");
        let old = run(&[cross_signed("sha1", "2014-08-18T00:00:00Z")]);
        assert_eq!(verdicts(&old), [L, L, L, L, L, C, C, L, B, C, B, C, B, B, L]);
        let sb = get(&old, Target::Win10SecureBoot);
        assert_eq!(sb.conditions.len(), 2);
        assert!(sb.conditions.iter().any(|c| c.contains("2015-07-29")) && sb.conditions.iter().any(|c| c.contains("1809")));
        let enforced = get(&old, Target::Win11Enforced);
        assert!(enforced.rule.contains("allow list") && enforced.rule.contains("App Control"), "{}", enforced.rule);
        assert_eq!(enforced.source, KERNEL_TRUST_2026);
        let eval = get(&old, Target::Win11Evaluation);
        assert!(eval.conditions.iter().any(|c| c == EVALUATION_CONDITION), "{:?}", eval.conditions);
        let server = get(&old, Target::Server2016);
        assert_eq!(server.source, CODE_SIGNING_REQUIREMENTS);
        assert!(server.conditions.len() == 1 && server.conditions.iter().all(|c| c.contains("SHA-1")), "{:?}", server.conditions);
        let new = run(&[cross_signed("sha256", "2016-03-01T00:00:00Z")]);
        assert_eq!(verdicts(&new), [L, B, L, L, L, B, B, L, B, B, B, B, B, B, L]);
        assert!(get(&new, Target::Win10SecureBoot).rule.contains("Secure Boot off"));
    }

    #[test]
    fn cross_signed_boot_driver_is_removed_by_pca() {
        let v = evaluate(&PolicyInput {
            embedded: &[cross_signed("sha256", "2016-03-01T00:00:00Z")],
            boot_start: Some(true),
            kernel_driver: true,
            ..PolicyInput::default()
        });
        let sb = get(&v, Target::Win10SecureBoot);
        assert_eq!(sb.verdict, B);
        assert!(sb.rule.contains("Program Compatibility Assistant"), "{}", sb.rule);
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
        assert_eq!(verdicts(&v), [L, B, B, L, L, L, L, L, L, L, L, L, L, L, L]);
        assert!(get(&v, Target::Win7Sp1Sha2).rule.contains("attestation"));
        assert_eq!(get(&v, Target::Win81).rests_on, "embedded signature #1 (sha256, nested)");
        assert_eq!(get(&v, Target::Server2025).signature.as_ref().map(|s| (s.kind, s.nested)), Some((SignerKind::Whql, true)));
    }

    #[test]
    fn test_signed_needs_testsigning() {
        let v = run(&[test_signed()]);
        let mut expected = [B; 15];
        expected[0] = L;
        expected[14] = C;
        assert_eq!(verdicts(&v), expected);
        assert_eq!(get(&v, Target::TestSigning).conditions, [TESTSIGNING_CONDITION]);
        let ev = sig("sha256", vec![cert("Vendor", "DigiCert EV Code Signing CA (SHA2)", "2019-01-01T00:00:00Z", &[EKU_CODE_SIGNING])]);
        assert_eq!(verdicts(&run(&[ev])), expected);
    }

    #[test]
    fn user_mode_root_is_not_a_kernel_signature() {
        let v = run(&[user_mode()]);
        let mut expected = [B; 15];
        expected[0] = L;
        expected[14] = C;
        assert_eq!(verdicts(&v), expected, "{v:#?}");
        assert!(get(&v, Target::Win81).rule.contains("user-mode code-signing root"));
    }

    #[test]
    fn elam_and_store_load_in_s_mode() {
        for (what, s) in [("elam", elam()), ("store", store())] {
            let v = run(&[s]);
            assert_eq!(get(&v, Target::SMode).verdict, L, "{what}");
            assert_eq!(get(&v, Target::Win81).verdict, L, "{what}");
        }
        assert_eq!(get(&run(&[elam()]), Target::Win11Enforced).verdict, L);
        assert_eq!(get(&run(&[store()]), Target::Win11Enforced).verdict, C);
    }

    #[test]
    fn unsigned_blocked_where_a_signature_is_required() {
        let v = run(&[]);
        let mut expected = [B; 15];
        expected[0] = L;
        assert_eq!(verdicts(&v), expected);
        assert!(v.iter().skip(1).all(|t| t.rests_on == "no signature" && t.source == KMCS && t.signature.is_none()));
        assert!(evaluate(&PolicyInput { kernel_driver: false, ..PolicyInput::default() }).is_empty());
    }

    #[test]
    fn invalid_digest_or_signature_blocked() {
        let mut expected = [B; 15];
        expected[0] = L;
        let mut bad = whql();
        bad.digest_verdict = Outcome::Fail;
        let v = run(&[bad.clone()]);
        assert_eq!(verdicts(&v), expected);
        assert!(v.iter().skip(1).all(|t| t.rule.contains("changed after signing")));
        bad.digest_verdict = Outcome::Pass;
        bad.signature_verdict = Outcome::Fail;
        assert_eq!(verdicts(&run(&[bad])), expected);
        let mut chain_fails = whql();
        chain_fails.chain = Some(crate::report::ChainReport {
            verdict: Outcome::Fail,
            trust: crate::report::TrustKind::MicrosoftRoot,
            ..Default::default()
        });
        assert_eq!(verdicts(&run(&[chain_fails])), expected);
    }

    #[test]
    fn architecture_must_match() {
        let embedded = [whql()];
        let run_on = |machine: &str| {
            let info = pe(machine, &[]);
            let v = evaluate(&PolicyInput { embedded: &embedded, kernel_driver: true, pe: Some(&info), ..PolicyInput::default() });
            v.iter().map(|t| (t.target.arch(), t.verdict, t.source.clone())).collect::<Vec<_>>()
        };
        for (machine, arch) in [("x86", Arch::X86), ("x64", Arch::X64), ("ARM64", Arch::Arm64)] {
            for (target_arch, verdict, source) in run_on(machine) {
                if target_arch == arch {
                    assert_ne!(source, PE_FORMAT, "{machine}");
                } else {
                    assert_eq!((verdict, source.as_str()), (B, PE_FORMAT), "{machine} on {target_arch:?}");
                }
            }
        }
        assert!(run_on("ARM64EC").iter().all(|(_, v, _)| *v == B));
    }

    #[test]
    fn memory_integrity_blocks_where_on_and_warns_elsewhere() {
        let embedded = [whql()];
        let info = pe("x64", &[("PAGE", true, true)]);
        let v = evaluate(&PolicyInput { embedded: &embedded, kernel_driver: true, pe: Some(&info), ..PolicyInput::default() });
        let enforced = get(&v, Target::Win11Enforced);
        assert_eq!((enforced.verdict, enforced.source.as_str()), (B, HVCI));
        assert!(enforced.rule.contains("section PAGE is writable and executable"));
        assert_eq!(get(&v, Target::SMode).verdict, B, "memory integrity is on by default in S mode");
        let sb = get(&v, Target::Win10SecureBoot);
        assert_eq!(sb.verdict, C);
        assert!(sb.conditions.iter().any(|c| c.contains("blocked once memory integrity is on")));
        assert_eq!(get(&v, Target::Win81).verdict, L, "no memory integrity before Windows 10");
        // An INIT section that is W+X, and a missing NX flag, are no incompatibility.
        let mut init = pe("x64", &[("INIT", true, true)]);
        init.nx_compat = false;
        let v = evaluate(&PolicyInput { embedded: &embedded, kernel_driver: true, pe: Some(&init), ..PolicyInput::default() });
        let x64 = |v: &[TargetVerdict]| v.iter().filter(|t| t.arch == Arch::X64).map(|t| t.verdict).collect::<Vec<_>>();
        assert_eq!(x64(&v), x64(&run(&embedded)), "{v:#?}");
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
        assert_eq!(verdicts(&boot), [L, B, B, B, B, C, B, B, B, B, B, B, B, B, B]);
        assert!(get(&boot, Target::Win10SecureBoot).rule.contains("boot-start"));
        assert_eq!(get(&boot, Target::Win10SecureBoot).rests_on, "catalog drv.cat (sha1 members)");
        assert!(!get(&boot, Target::Win10SecureBoot).rule.contains(NO_CATALOG));
        let unknown = run_boot(None);
        assert_eq!(verdicts(&unknown), [L, C, C, C, C, L, C, C, C, C, C, C, C, C, C]);
        let not_boot = run_boot(Some(false));
        assert_eq!(verdicts(&not_boot), [L; 15]);
        let facts = get(&not_boot, Target::Win81).signature.clone().unwrap_or_default();
        assert_eq!(facts.catalog.as_deref(), Some("drv.cat"));
    }

    #[test]
    fn embedded_signature_carries_a_boot_start_driver() {
        let ev_cross = cross_signed("sha1", "2014-01-01T00:00:00Z");
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
        assert_eq!(get(&v, Target::Win7Sp1).rests_on, "embedded signature #0 (sha1)");
        assert_eq!(get(&v, Target::Win7Sp1).verdict, L);
        assert_eq!(get(&v, Target::Win10SecureBoot).rests_on, "embedded signature #0 (sha1)");
        assert_eq!(get(&v, Target::Win10SecureBoot).verdict, C);
        assert_eq!(get(&v, Target::SMode).verdict, B, "S mode takes WHQL, but the catalog cannot carry a boot-start driver");
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
        assert_eq!(verdicts(&v), [L, B, B, B, L, L, L, L, L, L, L, L, L, L, L]);
        assert!(get(&v, Target::Win81).rule.contains("OSAttr"));
    }
}
