//! One sentence per file: the headline a person reads before any detail ("WHQL-signed by ...,
//! timestamped 2021-03-04, loads on Windows 10/11 with Secure Boot"). Built only from the
//! [`FileReport`], so the page, the CLI and the Markdown export say the same thing.
//!
//! The order of the questions is the order a support engineer asks them: is there a signature at
//! all; was the file changed after signing; is the signature itself intact; who signed it (the
//! classification of the primary signature); is it timestamped; would Windows load it (the
//! per-target verdicts, when the policy layer judged the file).

use serde::{Deserialize, Serialize};

use crate::report::{Arch, FileKind, FileReport, LoadVerdict, Outcome, RestsOn, SignatureReport, SignerKind, Target, TargetVerdict};

/// How good the news is: drives the icon and the colour (never the colour alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tone {
    /// Signed, intact, and (for drivers) loads on current Windows.
    Good,
    /// Loads only under conditions, or something needs a look.
    Caution,
    /// Tampered, invalid, unsigned, or blocked everywhere.
    Bad,
    /// Nothing to judge (an INF, a zip, an unknown file).
    Neutral,
}

impl Tone {
    /// A glyph for the tone; front ends pair it with the tone's word.
    pub fn icon(self) -> &'static str {
        match self {
            Tone::Good => "\u{2714}",
            Tone::Caution => "\u{26a0}",
            Tone::Bad => "\u{2716}",
            Tone::Neutral => "\u{2139}",
        }
    }

    /// The word that goes with the icon (for screen readers and colour-blind readers).
    pub fn word(self) -> &'static str {
        match self {
            Tone::Good => "Good",
            Tone::Caution => "Caution",
            Tone::Bad => "Problem",
            Tone::Neutral => "Information",
        }
    }
}

/// The headline of one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headline {
    pub tone: Tone,
    /// [`Tone::icon`], repeated here so that a serialized headline is self-contained.
    pub icon: String,
    /// One sentence, without a final period.
    pub sentence: String,
}

impl Headline {
    fn new(tone: Tone, sentence: impl Into<String>) -> Self {
        Headline { tone, icon: tone.icon().to_string(), sentence: sentence.into() }
    }
}

/// The targets a headline leads with, in order, for a driver of each architecture: the Windows
/// people run today (a new Windows 11 PC; Windows 10/11 with Secure Boot).
const LEAD: [Target; 4] = [Target::Win11Enforced, Target::Win10SecureBoot, Target::Win10X86SecureBoot, Target::Win11Arm64];

/// The short name of a lead target in a headline.
fn lead_name(t: Target) -> &'static str {
    match t {
        Target::Win11Enforced => "Windows 11 24H2+ (April 2026 policy)",
        Target::Win10SecureBoot => "Windows 10/11 with Secure Boot",
        Target::Win10X86SecureBoot => "32-bit Windows 10 with Secure Boot",
        Target::Win11Arm64 => "Windows 11 on ARM64",
        other => other.label(),
    }
}

/// A name for a sentence: `an unnamed signer` when the CN (or the whole name) is empty.
fn or_unnamed(name: String) -> String {
    if name.is_empty() {
        "an unnamed signer".to_string()
    } else {
        name
    }
}

/// The date part of an RFC 3339 time (`2021-03-04T10:00:00Z` gives `2021-03-04`).
fn date(time: &str) -> &str {
    time.split('T').next().unwrap_or(time)
}

/// The headline for one file's report.
pub fn headline(report: &FileReport) -> Headline {
    let h = signature_headline(report);
    match known_bad(report) {
        Some((tone, what)) => {
            let tone = if h.tone == Tone::Bad { Tone::Bad } else { tone };
            Headline::new(tone, format!("{what}. {}", h.sentence))
        }
        None => h,
    }
}

/// The block list matches as the headline's first words: Microsoft's block rules and LOLDrivers'
/// malicious drivers are bad news, a LOLDrivers vulnerable driver a caution.
fn known_bad(report: &FileReport) -> Option<(Tone, String)> {
    use crate::report::{ListKind, LolCategory};
    let matches = &report.blocklist.as_ref()?.matches;
    if let Some(m) = matches.iter().find(|m| m.list_kind != ListKind::Loldrivers) {
        return Some((Tone::Bad, format!("Denied by Microsoft's driver block rules ({} of {} {})", m.rule_id, m.list, m.list_version)));
    }
    let lol = matches.iter().find(|m| m.category == Some(LolCategory::Malicious)).or(matches.first())?;
    Some(match lol.category {
        Some(LolCategory::Malicious) => (Tone::Bad, format!("Known malicious driver (LOLDrivers record {})", lol.rule_id)),
        _ => (Tone::Caution, format!("Known vulnerable driver (LOLDrivers record {})", lol.rule_id)),
    })
}

fn signature_headline(report: &FileReport) -> Headline {
    let signable = report.kind.is_pe() || report.kind == FileKind::Catalog;
    if !signable {
        return not_signable(report);
    }
    let Some(primary) = report.signatures.iter().find(|s| s.depth == 0).or(report.signatures.first()) else {
        return unsigned(report);
    };
    let outer: Vec<&SignatureReport> = report.signatures.iter().filter(|s| s.depth == 0).collect();
    let outer = if outer.is_empty() { vec![primary] } else { outer };

    if report.kind.is_pe() && outer.iter().any(|s| s.digest_verdict == Outcome::Fail) {
        return Headline::new(Tone::Bad, "Tampered: the file changed after it was signed (its digest no longer matches the signed one)");
    }
    if report.kind.is_pe() && outer.iter().any(|s| s.page_hash_verdict == Outcome::Fail) {
        return Headline::new(Tone::Bad, "Tampered: a page of the file changed after it was signed (page hashes differ)");
    }
    if outer.iter().any(|s| s.signature_verdict == Outcome::Fail) {
        let what = if report.kind == FileKind::Catalog {
            "Invalid signature: the catalog's signature does not verify (its content or signed attributes changed)"
        } else {
            "Invalid signature: the signer's signature over the signed data does not verify"
        };
        return Headline::new(Tone::Bad, what);
    }
    if report.kind == FileKind::Catalog && outer.iter().any(|s| s.digest_verdict == Outcome::Fail) {
        return Headline::new(Tone::Bad, "Tampered: the catalog's content changed after it was signed");
    }

    let signer = primary.signer.as_ref().map(|c| or_unnamed(c.subject_cn()));
    let kind = primary.classification.as_ref().map(|c| c.kind);
    if kind == Some(SignerKind::Unsigned) {
        return Headline::new(Tone::Bad, who(kind, signer.as_deref()));
    }
    if report.verdicts.is_empty() {
        let mut sentence = who(kind, signer.as_deref());
        sentence.push_str(&timestamp_clause(primary));
        let chain_ok = primary.chain.as_ref().map(|c| c.verdict);
        let tone = match (kind, chain_ok) {
            (Some(SignerKind::Untrusted | SignerKind::SelfSigned), _) => Tone::Caution,
            (Some(SignerKind::TestSigned), _) => Tone::Caution,
            (_, Some(Outcome::Fail)) => {
                sentence.push_str(": the certificate chain does not verify");
                Tone::Bad
            }
            (_, Some(Outcome::Pass)) => Tone::Good,
            _ => Tone::Caution,
        };
        return Headline::new(tone, sentence);
    }
    let lead = lead_verdicts(report);
    // The signature the lead verdict rests on (the first lead target that loads, at least with
    // conditions); the primary signature when none does.
    let basis = lead.iter().filter(|v| v.verdict != LoadVerdict::Blocked).find_map(|v| v.signature.as_ref());
    let basis_sig = basis.filter(|b| b.catalog.is_none()).and_then(|b| report.signatures.iter().find(|s| s.index == b.index));
    let mut sentence = match basis {
        Some(b) if !is_primary(b, primary) => format!("{}{}", who(Some(b.kind), Some(&b.signer)), where_from(b)),
        _ => who(kind, signer.as_deref()),
    };
    sentence.push_str(&timestamp_clause(basis_sig.unwrap_or(primary)));
    let LoadClause { tone, text: loads, no_production_target } = load_clause(&report.verdicts, &lead);
    sentence.push_str(if no_production_target { ": " } else { ", " });
    sentence.push_str(&loads);
    match basis {
        Some(b) if !is_primary(b, primary) => {
            let carried = carried_by(&report.verdicts, |s| is_primary(s, primary));
            sentence.push_str(&format!("; primary signature: {}: ", who(kind, signer.as_deref())));
            sentence.push_str(&match carried.first() {
                None => "no target loads the driver through it".to_string(),
                Some(first) => format!("it carries {}{}", first.label, others(carried.len())),
            });
        }
        Some(b) => {
            let carried = carried_by(&report.verdicts, |s| s != b);
            if let (Some(first), Some(sig)) = (carried.first(), carried.first().and_then(|v| v.signature.as_ref())) {
                sentence.push_str(&format!(
                    "; on {}{} the verdict rests on another signature: {}{}",
                    first.label,
                    others(carried.len()),
                    who(Some(sig.kind), Some(&sig.signer)),
                    where_from(sig)
                ));
            }
        }
        None => {}
    }
    Headline::new(tone, sentence)
}

/// The lead targets present in the report, for the driver's architecture.
fn lead_verdicts(report: &FileReport) -> Vec<&TargetVerdict> {
    let arch = report.pe.as_ref().and_then(|pe| Arch::of_machine(&pe.machine)).unwrap_or(Arch::X64);
    LEAD.iter().filter(|t| t.arch() == arch).filter_map(|t| report.verdicts.iter().find(|v| v.target == *t)).collect()
}

fn is_primary(b: &RestsOn, primary: &SignatureReport) -> bool {
    b.catalog.is_none() && b.index == primary.index
}

/// `(nested signature)` / `(catalog X)` after a signature that is not the primary one.
fn where_from(b: &RestsOn) -> String {
    match &b.catalog {
        Some(cat) => format!(" (catalog {cat})"),
        None if b.nested => " (nested signature)".to_string(),
        None => format!(" (embedded signature #{})", b.index),
    }
}

/// `, timestamped 2021-03-04` and its variants.
fn timestamp_clause(sig: &SignatureReport) -> String {
    let timestamp = sig.timestamps.iter().find(|t| t.verdict == Outcome::Pass && t.time.is_some()).and_then(|t| t.time.as_deref());
    match timestamp {
        Some(time) => format!(", timestamped {}", date(time)),
        None if sig.timestamps.is_empty() => ", not timestamped".to_string(),
        None => ", with a timestamp that does not verify".to_string(),
    }
}

fn not_signable(report: &FileReport) -> Headline {
    match report.kind {
        FileKind::Inf => {
            let catalogs: Vec<&str> = report.inf.iter().flat_map(|inf| inf.catalog_files.iter().map(|c| c.file.as_str())).collect();
            let mut unique: Vec<&str> = Vec::new();
            for c in catalogs {
                if !unique.iter().any(|u| u.eq_ignore_ascii_case(c)) {
                    unique.push(c);
                }
            }
            let sentence = match unique.as_slice() {
                [] => "Setup information (INF): not signed itself, and it names no catalog file".to_string(),
                [one] => format!("Setup information (INF): signed through its catalog {one}"),
                many => format!("Setup information (INF): signed through its catalogs {}", many.join(", ")),
            };
            let tone = if unique.is_empty() { Tone::Caution } else { Tone::Neutral };
            Headline::new(tone, sentence)
        }
        FileKind::Zip => Headline::new(Tone::Neutral, "Zip archive: its files are inspected one by one"),
        FileKind::Certificate => certificates(report),
        _ => Headline::new(Tone::Neutral, "Not a PE file, catalog or INF: nothing here carries a signature"),
    }
}

/// `Certificate: CN=X, issued by Y (self-signed), valid 2020-01-01 to 2030-01-01` / `3 certificates: ...`.
fn certificates(report: &FileReport) -> Headline {
    let describe = |c: &crate::report::CertificateSummary| {
        let subject = or_unnamed(c.subject_cn());
        let by = if c.subject == c.issuer { "self-signed".to_string() } else { format!("issued by {}", or_unnamed(c.issuer_cn())) };
        format!("{subject}, {by}, valid {} to {}", c.not_before.to_date(), c.not_after.to_date())
    };
    match report.certificates.as_slice() {
        [] => Headline::new(Tone::Caution, "Certificate file whose certificates do not decode"),
        [one] => Headline::new(Tone::Neutral, format!("Certificate: {}", describe(one))),
        [first, rest @ ..] => Headline::new(
            Tone::Neutral,
            format!("{} certificates: {} and {} more", rest.len().saturating_add(1), describe(first), rest.len()),
        ),
    }
}

fn unsigned(report: &FileReport) -> Headline {
    if report.kind == FileKind::Catalog {
        return Headline::new(Tone::Bad, "Unsigned catalog: it carries no signature, so it vouches for nothing");
    }
    let sentence = if report.verdicts.is_empty() {
        "Unsigned: no embedded signature (a catalog listing its hash could still sign it)"
    } else {
        "Unsigned: no embedded signature; without a catalog that lists it, Windows will not load it"
    };
    Headline::new(Tone::Bad, sentence)
}

fn who(kind: Option<SignerKind>, signer: Option<&str>) -> String {
    let by = signer.unwrap_or("an unnamed signer");
    match kind {
        Some(SignerKind::Whql) => format!("WHQL-signed by {by}"),
        Some(SignerKind::Attestation) => format!("Attestation-signed by {by}"),
        Some(SignerKind::WindowsComponent) => format!("Signed as a Windows component by {by}"),
        Some(SignerKind::Microsoft) => format!("Signed by Microsoft ({by})"),
        Some(SignerKind::Elam) => format!("ELAM-signed (Early Launch Antimalware) by {by}"),
        Some(SignerKind::Store) => format!("Store-signed by {by}"),
        Some(SignerKind::MicrosoftUserMode) => {
            format!("Signed by {by} with Microsoft's user-mode code-signing root (not a kernel-mode signature)")
        }
        Some(SignerKind::CrossSignedSpc) => format!("Cross-signed by {by} (legacy kernel-mode cross certificate)"),
        Some(SignerKind::SpcWithoutCrossCertificate) => {
            format!("Signed by {by} with a code-signing certificate that has no kernel-mode cross certificate")
        }
        Some(SignerKind::TestSigned) => format!("Test-signed by {by}"),
        Some(SignerKind::SelfSigned) => format!("Self-signed by {by}"),
        Some(SignerKind::Untrusted) => format!("Signed by {by}, but not by anyone Windows trusts"),
        Some(SignerKind::Unsigned) => "Unsigned: the signature has no signer".to_string(),
        None => format!("Signed by {by}"),
    }
}

/// The production targets that load (at least with conditions) through a signature `which` picks.
fn carried_by(verdicts: &[TargetVerdict], which: impl Fn(&RestsOn) -> bool) -> Vec<&TargetVerdict> {
    verdicts
        .iter()
        .filter(|v| v.target != Target::TestSigning && v.verdict != LoadVerdict::Blocked)
        .filter(|v| v.signature.as_ref().is_some_and(&which))
        .collect()
}

/// ` and 1 other target`, ` and N other targets` after the first of `n` targets.
fn others(n: usize) -> String {
    match n {
        0 | 1 => String::new(),
        2 => " and 1 other target".to_string(),
        n => format!(" and {} other targets", n.saturating_sub(1)),
    }
}

/// `X`, `X and Y`, `X, Y and Z`.
fn names(list: &[&TargetVerdict]) -> String {
    let names: Vec<&str> = list.iter().map(|v| lead_name(v.target)).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

/// The "would Windows load it" clause and the tone it sets, from the verdicts alone (the table
/// shows the same verdicts): the lead targets first, then the others.
/// What the lead targets say about loading, in a clause of the headline.
struct LoadClause {
    tone: Tone,
    text: String,
    /// No production target loads the driver (it loads in test mode, or nowhere): the clause
    /// stands after a colon.
    no_production_target: bool,
}

fn load_clause(verdicts: &[TargetVerdict], lead: &[&TargetVerdict]) -> LoadClause {
    let production: Vec<&TargetVerdict> = verdicts.iter().filter(|v| v.target != Target::TestSigning).collect();
    let of = |verdict: LoadVerdict| -> Vec<&TargetVerdict> { lead.iter().copied().filter(|v| v.verdict == verdict).collect() };
    let (loads, conditional, blocked) = (of(LoadVerdict::Loads), of(LoadVerdict::LoadsWithConditions), of(LoadVerdict::Blocked));
    if !lead.is_empty() && loads.len() == lead.len() {
        let mut clause = format!("loads on {}", names(&loads));
        let others = production.iter().filter(|v| v.verdict == LoadVerdict::Blocked).count();
        if others > 0 {
            clause.push_str(&format!(" (blocked on {others} of {} older or special targets)", production.len()));
        }
        return LoadClause { tone: Tone::Good, text: clause, no_production_target: false };
    }
    if !loads.is_empty() || !conditional.is_empty() {
        let mut parts = Vec::new();
        if !loads.is_empty() {
            parts.push(format!("loads on {}", names(&loads)));
        }
        if let Some(first) = conditional.first() {
            let condition = first.conditions.first().map(|c| format!(" ({c})")).unwrap_or_default();
            parts.push(format!("loads on {} only with conditions{condition}", names(&conditional)));
        }
        if !blocked.is_empty() {
            parts.push(format!("blocked on {}", names(&blocked)));
        }
        return LoadClause { tone: Tone::Caution, text: parts.join("; "), no_production_target: false };
    }
    let not_on = if blocked.is_empty() { String::new() } else { format!(", but not on {}", names(&blocked).replace(" and ", " or ")) };
    let elsewhere: Vec<&TargetVerdict> = production.iter().copied().filter(|v| v.verdict != LoadVerdict::Blocked).collect();
    if let Some(first) = elsewhere.first() {
        let mut clause = format!("loads on {}", first.label);
        if elsewhere.len() > 1 {
            let n = elsewhere.len().saturating_sub(1);
            clause.push_str(&format!(" and {n} other target{}", if n == 1 { "" } else { "s" }));
        }
        if first.verdict == LoadVerdict::LoadsWithConditions {
            clause.push_str(" (with conditions)");
        }
        clause.push_str(&not_on);
        return LoadClause { tone: Tone::Caution, text: clause, no_production_target: false };
    }
    let (tone, text) = match verdicts.iter().find(|v| v.target == Target::TestSigning).map(|t| t.verdict) {
        Some(LoadVerdict::Loads | LoadVerdict::LoadsWithConditions) => (Tone::Caution, "loads only with TESTSIGNING on"),
        _ => (Tone::Bad, "Windows will not load it on any target"),
    };
    LoadClause { tone, text: text.to_string(), no_production_target: true }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CertificateSummary, ChainReport, Classification, InfCatalogFile, InfReport, RestsOn, TimestampReport};

    fn verdict(target: Target, verdict: LoadVerdict) -> TargetVerdict {
        TargetVerdict { target, arch: target.arch(), label: target.label().into(), verdict, ..Default::default() }
    }

    fn all_targets(production: LoadVerdict, test: LoadVerdict) -> Vec<TargetVerdict> {
        Target::ALL.iter().map(|&t| verdict(t, if t == Target::TestSigning { test } else { production })).collect()
    }

    fn signed(kind: SignerKind, subject: &str, timestamp: Option<&str>) -> FileReport {
        let sig = SignatureReport {
            digest_verdict: Outcome::Pass,
            signature_verdict: Outcome::Pass,
            signer: Some(CertificateSummary { subject: subject.into(), ..Default::default() }),
            classification: Some(Classification { kind, evidence: vec![] }),
            timestamps: timestamp
                .map(|t| TimestampReport {
                    kind: crate::report::TimestampKind::Rfc3161,
                    time: Some(t.into()),
                    digest_algorithm: "sha256".into(),
                    signer: None,
                    verdict: Outcome::Pass,
                    findings: vec![],
                    chain: None,
                })
                .into_iter()
                .collect(),
            ..Default::default()
        };
        FileReport { kind: FileKind::Pe32Plus, signatures: vec![sig], ..Default::default() }
    }

    #[test]
    fn whql_loads_everywhere() {
        let mut r = signed(
            SignerKind::Whql,
            "CN=Microsoft Windows Hardware Compatibility Publisher, O=Microsoft Corporation, C=US",
            Some("2021-03-04T10:11:12Z"),
        );
        r.verdicts = all_targets(LoadVerdict::Loads, LoadVerdict::Loads);
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Good);
        assert_eq!(
            h.sentence,
            "WHQL-signed by Microsoft Windows Hardware Compatibility Publisher, timestamped 2021-03-04, loads on Windows 11 24H2+ (April 2026 policy) and Windows 10/11 with Secure Boot"
        );
        assert_eq!(h.icon, Tone::Good.icon());
    }

    #[test]
    fn test_signed_loads_only_in_test_mode() {
        let mut r = signed(SignerKind::TestSigned, "CN=drvsig Test Driver Publisher, O=drvsig", None);
        r.verdicts = all_targets(LoadVerdict::Blocked, LoadVerdict::LoadsWithConditions);
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Caution);
        assert_eq!(h.sentence, "Test-signed by drvsig Test Driver Publisher, not timestamped: loads only with TESTSIGNING on");
    }

    #[test]
    fn tampered_wins_over_everything() {
        let mut r = signed(SignerKind::Whql, "CN=X", Some("2021-03-04T10:11:12Z"));
        r.signatures[0].digest_verdict = Outcome::Fail;
        r.verdicts = all_targets(LoadVerdict::Blocked, LoadVerdict::Blocked);
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Bad);
        assert!(h.sentence.starts_with("Tampered: the file changed after it was signed"), "{}", h.sentence);
    }

    #[test]
    fn invalid_signature() {
        let mut r = signed(SignerKind::Whql, "CN=X", None);
        r.signatures[0].signature_verdict = Outcome::Fail;
        assert!(headline(&r).sentence.starts_with("Invalid signature"));
    }

    #[test]
    fn unsigned_pe_and_catalog() {
        let r = FileReport { kind: FileKind::Pe32Plus, ..Default::default() };
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Bad);
        assert!(h.sentence.starts_with("Unsigned"));
        let c = FileReport { kind: FileKind::Catalog, ..Default::default() };
        assert!(headline(&c).sentence.starts_with("Unsigned catalog"));
    }

    #[test]
    fn blocked_everywhere() {
        let mut r = signed(SignerKind::Untrusted, "CN=Evil Corp", Some("2024-01-01T00:00:00Z"));
        r.verdicts = all_targets(LoadVerdict::Blocked, LoadVerdict::Blocked);
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Bad);
        assert_eq!(
            h.sentence,
            "Signed by Evil Corp, but not by anyone Windows trusts, timestamped 2024-01-01: Windows will not load it on any target"
        );
    }

    #[test]
    fn cross_signed_on_older_windows_only() {
        let mut r = signed(SignerKind::CrossSignedSpc, "CN=Vendor", Some("2014-01-01T00:00:00Z"));
        r.verdicts = all_targets(LoadVerdict::Blocked, LoadVerdict::Loads);
        r.verdicts[1].verdict = LoadVerdict::Loads;
        r.verdicts[2].verdict = LoadVerdict::Loads;
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Caution);
        assert!(
            h.sentence.ends_with(
                "loads on Windows 7 SP1 x64 without SHA-2 support (advisory 3033929 / KB4474419) and 1 other target, but not on \
                 Windows 11 24H2+ (April 2026 policy) or Windows 10/11 with Secure Boot"
            ),
            "{}",
            h.sentence
        );
    }

    #[test]
    fn headline_names_the_signature_the_verdict_rests_on() {
        let mut r = signed(SignerKind::CrossSignedSpc, "CN=Vendor Ltd", Some("2021-07-05T00:00:00Z"));
        let mut nested = signed(SignerKind::Whql, "CN=Microsoft Windows Hardware Compatibility Publisher", Some("2021-07-08T00:00:00Z"))
            .signatures
            .remove(0);
        nested.index = 1;
        nested.depth = 1;
        r.signatures.push(nested);
        let on =
            |index: usize, kind: SignerKind, signer: &str| RestsOn { catalog: None, index, nested: index > 0, kind, signer: signer.into() };
        r.verdicts = all_targets(LoadVerdict::Loads, LoadVerdict::Loads);
        for v in &mut r.verdicts {
            v.signature = Some(on(1, SignerKind::Whql, "Microsoft Windows Hardware Compatibility Publisher"));
        }
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Good);
        assert!(
            h.sentence.starts_with(
                "WHQL-signed by Microsoft Windows Hardware Compatibility Publisher (nested signature), timestamped 2021-07-08, loads on \
                 Windows 11 24H2+ (April 2026 policy) and Windows 10/11 with Secure Boot"
            ),
            "{}",
            h.sentence
        );
        assert!(
            h.sentence.ends_with("; primary signature: Cross-signed by Vendor Ltd (legacy kernel-mode cross certificate): no target loads the driver through it"),
            "{}",
            h.sentence
        );
        // The primary signature carries Windows 8.1: the headline says so.
        if let Some(v) = r.verdicts.iter_mut().find(|v| v.target == Target::Win81) {
            v.signature = Some(on(0, SignerKind::CrossSignedSpc, "Vendor Ltd"));
        }
        assert!(headline(&r).sentence.ends_with(": it carries Windows 8.1 x64"), "{}", headline(&r).sentence);
    }

    #[test]
    fn catalog_without_verdicts_uses_the_chain() {
        let mut r = signed(SignerKind::Whql, "CN=Microsoft Windows Hardware Compatibility Publisher", None);
        r.kind = FileKind::Catalog;
        r.signatures[0].chain = Some(ChainReport { verdict: Outcome::Pass, ..Default::default() });
        let h = headline(&r);
        assert_eq!(h.tone, Tone::Good);
        assert_eq!(h.sentence, "WHQL-signed by Microsoft Windows Hardware Compatibility Publisher, not timestamped");
    }

    #[test]
    fn inf_names_its_catalog() {
        let r = FileReport {
            kind: FileKind::Inf,
            inf: Some(InfReport {
                catalog_files: vec![
                    InfCatalogFile { decoration: String::new(), file: "foo.cat".into(), line: 3 },
                    InfCatalogFile { decoration: "NTamd64".into(), file: "FOO.CAT".into(), line: 4 },
                ],
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(headline(&r).sentence, "Setup information (INF): signed through its catalog foo.cat");
    }
}
