//! The human-readable text summary of a report.

use std::fmt::Write;

use drvsig::policy::Target;
use drvsig::report::{ChainReport, FileReport, Finding, LoadVerdict, Outcome, SignatureReport, TargetVerdict, TrustKind};

/// An outcome as one word in the text output (also the package table's).
pub(crate) fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "ok",
        Outcome::Warn => "WARN",
        Outcome::Fail => "FAIL",
        Outcome::Unsupported => "unsupported",
        Outcome::NotPresent => "-",
    }
}

/// Render one file's report as indented text.
/// `with_verdicts`: print the file's own (embedded-signature-only) load verdicts; false when a
/// package table will show verdicts that also weigh its catalogs.
/// `targets`: print only these targets' verdicts (all when empty); the headline weighs every one.
pub fn render(r: &FileReport, with_verdicts: bool, targets: &[Target]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.name);
    let headline = drvsig::summary::headline(r);
    let _ = writeln!(s, "  verdict     {} {}", headline.icon, headline.sentence);
    let _ = writeln!(s, "  kind        {}", r.kind.label());
    let _ = writeln!(s, "  size        {} bytes", r.size);
    let _ = writeln!(s, "  sha256      {}", r.sha256);
    if let Some(pe) = &r.pe {
        let _ = writeln!(s, "  pe          {} {} subsystem {}", pe.format, pe.machine, pe.subsystem);
        let _ = writeln!(
            s,
            "  checksum    stored 0x{:08x} computed 0x{:08x} {}",
            pe.checksum.stored,
            pe.checksum.computed,
            if pe.checksum.matches { "ok" } else { "differs" }
        );
        match &pe.certificate_table {
            Some(t) => {
                let _ = writeln!(
                    s,
                    "  cert table  at 0x{:x}, {} bytes, {} entr{}",
                    t.offset,
                    t.size,
                    t.entries.len(),
                    if t.entries.len() == 1 { "y" } else { "ies" }
                );
            }
            None => {
                let _ = writeln!(s, "  cert table  none (no embedded signature)");
            }
        }
    }
    for sig in &r.signatures {
        signature(&mut s, sig);
    }
    if with_verdicts && !r.verdicts.is_empty() {
        let _ = writeln!(s, "  would Windows load it? (embedded signature only: no catalog covers it here)");
        verdicts(&mut s, "    ", &r.verdicts, targets);
    }
    findings(&mut s, "  ", &r.findings);
    s.push('\n');
    s
}

fn signature(s: &mut String, sig: &SignatureReport) {
    let indent = "  ".repeat(usize::try_from(sig.depth).unwrap_or(0) + 1);
    let _ = writeln!(s, "{indent}signature #{} ({}), {}", sig.index, sig.source, sig.digest_algorithm);
    let _ = writeln!(s, "{indent}  digest      {:<5} signed   {}", mark(sig.digest_verdict), sig.signed_digest);
    let _ = writeln!(s, "{indent}                    computed {}", sig.computed_digest);
    if let Some(ph) = &sig.page_hashes {
        let _ = writeln!(
            s,
            "{indent}  page hashes {:<5} {} of {} pages match ({})",
            mark(sig.page_hash_verdict),
            ph.matching,
            ph.pages,
            ph.algorithm
        );
    }
    match &sig.signer {
        Some(c) => {
            let _ = writeln!(s, "{indent}  signer      {:<5} {}", mark(sig.signature_verdict), c.subject);
            let _ = writeln!(s, "{indent}              issuer {}  serial {}", c.issuer, c.serial);
            let _ = writeln!(s, "{indent}              valid {} .. {}", c.not_before, c.not_after);
        }
        None => {
            let _ = writeln!(s, "{indent}  signer      {:<5} (signer certificate not found)", mark(sig.signature_verdict));
        }
    }
    if let Some(c) = &sig.classification {
        let _ = writeln!(s, "{indent}  kind        {}", kind_label(c.kind));
        for e in &c.evidence {
            let _ = writeln!(s, "{indent}              {e}");
        }
    }
    if let Some(chain) = &sig.chain {
        chain_lines(s, &format!("{indent}  "), "chain", chain);
    }
    if let Some(p) = &sig.program_name {
        let _ = writeln!(s, "{indent}  program     {p}");
    }
    if let Some(u) = &sig.more_info_url {
        let _ = writeln!(s, "{indent}  url         {u}");
    }
    for t in &sig.timestamps {
        let who = t.signer.as_ref().map(|c| c.subject.as_str()).unwrap_or("unknown TSA");
        let _ = writeln!(
            s,
            "{indent}  timestamp   {:<5} {} {} by {}",
            mark(t.verdict),
            t.kind,
            t.time.as_deref().unwrap_or("(no time)"),
            who
        );
        findings(s, &format!("{indent}    "), &t.findings);
        if let Some(chain) = &t.chain {
            chain_lines(s, &format!("{indent}    "), "tsa chain", chain);
        }
    }
    findings(s, &format!("{indent}  "), &sig.findings);
}

fn findings(s: &mut String, indent: &str, list: &[Finding]) {
    let mut sorted: Vec<&Finding> = list.iter().filter(|f| f.outcome != Outcome::Pass).collect();
    sorted.sort_by_key(|f| match f.outcome {
        Outcome::Fail => 0,
        Outcome::Warn => 1,
        _ => 2,
    });
    for f in sorted {
        let at = f.offset.map(|o| format!(" [at 0x{o:x}]")).unwrap_or_default();
        let _ = writeln!(s, "{indent}{:<5} {}: {}{at}", mark(f.outcome), f.check, f.reason);
    }
}

fn kind_label(k: drvsig::report::SignerKind) -> &'static str {
    use drvsig::report::SignerKind::*;
    match k {
        Whql => "WHQL (Windows Hardware Compatibility Publisher)",
        Attestation => "attestation-signed (Hardware Dev Center)",
        WindowsComponent => "Windows component",
        Microsoft => "Microsoft-signed",
        Elam => "ELAM (Early Launch Antimalware, Microsoft-signed)",
        Store => "Windows Store (Microsoft-signed)",
        MicrosoftUserMode => "Microsoft user-mode code signing (Root Certificate Authority 2011): not a kernel-mode signature",
        CrossSignedSpc => "cross-signed SPC (legacy kernel-mode cross certificate)",
        SpcWithoutCrossCertificate => "code-signing certificate without a kernel-mode cross certificate",
        TestSigned => "test-signed",
        SelfSigned => "self-signed",
        Untrusted => "untrusted",
        Unsigned => "unsigned",
    }
}

fn trust_label(t: TrustKind) -> &'static str {
    match t {
        TrustKind::MicrosoftRoot => "Microsoft root",
        TrustKind::MicrosoftCodeVerificationRoot => "Microsoft Code Verification Root (cross certificate)",
        TrustKind::UserRoot => "user-trusted root",
        TrustKind::UntrustedRoot => "untrusted root",
        TrustKind::SelfSigned => "self-signed",
        TrustKind::Incomplete => "incomplete (issuer not available)",
    }
}

fn chain_lines(s: &mut String, indent: &str, what: &str, chain: &ChainReport) {
    let anchor = chain.anchor.as_deref().map(|a| format!(" at {a}")).unwrap_or_default();
    let _ = writeln!(
        s,
        "{indent}{what:<11} {:<5} {}{anchor}, judged at {} ({})",
        mark(chain.verdict),
        trust_label(chain.trust),
        chain.validity_time,
        chain.validity_basis
    );
    for c in &chain.certificates {
        let reason = if c.link_reason.is_empty() { String::new() } else { format!(": {}", c.link_reason) };
        let _ = writeln!(
            s,
            "{indent}            {:<5} {} [{}]{reason}",
            mark(c.link_verdict),
            drvsig::summary::common_name(&c.certificate.subject),
            c.source
        );
    }
    findings(s, &format!("{indent}            "), &chain.findings);
}

/// The per-Windows load verdicts, one line each (label and architecture), with conditions and
/// the rule; only `targets` when it is not empty.
pub fn verdicts(s: &mut String, indent: &str, list: &[TargetVerdict], targets: &[Target]) {
    let list: Vec<&TargetVerdict> = list.iter().filter(|v| targets.is_empty() || targets.contains(&v.target)).collect();
    let width = list.iter().map(|v| v.label.chars().count()).max().unwrap_or(0);
    for v in list {
        let word = match v.verdict {
            LoadVerdict::Loads => "loads",
            LoadVerdict::LoadsWithConditions => "loads if",
            LoadVerdict::Blocked => "BLOCKED",
        };
        let _ = writeln!(s, "{indent}{:<width$}  {:<5}  {word:<8}  via {}", v.label, v.arch.id(), v.rests_on);
        for c in &v.conditions {
            let _ = writeln!(s, "{indent}{:<width$}                   condition: {c}", "");
        }
        // The rule is worth reading where the answer is not a plain yes.
        if v.verdict != LoadVerdict::Loads {
            let rule = v.rule.trim_end_matches(" (no catalog was given: only the embedded signature was considered)");
            let _ = writeln!(s, "{indent}{:<width$}                   {rule} [{}]", "", v.source);
        }
    }
}
