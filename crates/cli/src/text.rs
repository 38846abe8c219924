//! The human-readable text summary of a report.

use std::fmt::Write;

use drvsig::policy::Target;
use drvsig::report::{
    BlocklistReport, ChainReport, FileReport, Finding, LoadVerdict, LolCategory, Outcome, SignatureReport, TargetVerdict, TrustKind,
    VersionInfo,
};

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
        if let Some(v) = &pe.version {
            version(&mut s, v);
        }
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
    if let Some(b) = &r.blocklist {
        blocklist(&mut s, b);
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

/// The version resource, one line per field the file gives.
fn version(s: &mut String, v: &VersionInfo) {
    let fixed = |f: &Option<drvsig::report::FourPartVersion>| f.map(|f| format!(" (fixed {f})")).unwrap_or_default();
    let lines: [(&str, Option<String>); 7] = [
        ("original name", v.original_filename.as_deref().map(inert)),
        ("file version", v.file_version.as_deref().map(|t| format!("{}{}", inert(t), fixed(&v.file_version_fixed)))),
        ("product ver.", v.product_version.as_deref().map(|t| format!("{}{}", inert(t), fixed(&v.product_version_fixed)))),
        ("product", v.product_name.as_deref().map(inert)),
        ("company", v.company_name.as_deref().map(inert)),
        ("description", v.file_description.as_deref().map(inert)),
        ("internal name", v.internal_name.as_deref().map(inert)),
    ];
    let _ = writeln!(s, "  version resource");
    for (label, value) in lines {
        let value = match (label, value) {
            (_, Some(value)) => value,
            ("file version", None) => match v.file_version_fixed {
                Some(f) => f.to_string(),
                None => continue,
            },
            _ => continue,
        };
        let _ = writeln!(s, "    {label:<15}{value}");
    }
}

/// What the block lists matched, then the lists (name and version) it was judged against.
fn blocklist(s: &mut String, b: &BlocklistReport) {
    if b.matches.is_empty() {
        let _ = writeln!(s, "  block lists no match");
    }
    for m in &b.matches {
        let name = m.rule_name.as_deref().map(|n| format!(" \"{}\"", inert(n))).unwrap_or_default();
        let _ = writeln!(s, "  block lists MATCH {} {} {}{name}: {}", inert(&m.list), m.list_version, m.rule_id, inert(&m.detail));
        if let Some(c) = m.category {
            let hvci = match m.loads_despite_hvci {
                Some(true) => ", loads despite HVCI",
                Some(false) => ", stopped by HVCI",
                None => "",
            };
            let _ = writeln!(s, "              {}{hvci}", if c == LolCategory::Malicious { "malicious" } else { "vulnerable driver" });
        }
        for link in &m.resources {
            let _ = writeln!(s, "              {}", inert(link));
        }
    }
    let lists: Vec<String> = b.lists.iter().map(|l| format!("{} {}", inert(&l.name), l.version)).collect();
    let _ = writeln!(s, "              judged against: {}", lists.join("; "));
    for note in &b.notes {
        let _ = writeln!(s, "              note: {note}");
    }
}

/// The longest string from a file the text output shows (characters).
const INERT_MAX: usize = 200;

/// A string from the file made inert for a terminal: control characters, bidirectional controls
/// and other invisible format characters become `\u{XXXX}` (no escape sequence reaches the
/// terminal, no text is reordered), and the text is cut at [`INERT_MAX`] characters with `…`.
pub(crate) fn inert(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i >= INERT_MAX {
            out.push('…');
            break;
        }
        if c.is_control() || is_format_char(c) {
            let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Invisible format characters (Unicode Cf) that can hide or reorder text: bidirectional marks,
/// embeddings, overrides and isolates, zero-width characters, the BOM.
fn is_format_char(c: char) -> bool {
    matches!(u32::from(c), 0x00ad | 0x061c | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb)
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
        let _ =
            writeln!(s, "{indent}  timestamp   {:<5} {} {} by {}", mark(t.verdict), t.kind, t.time.as_deref().unwrap_or("(no time)"), who);
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
        let _ = writeln!(s, "{indent}            {:<5} {} [{}]{reason}", mark(c.link_verdict), c.certificate.subject_cn(), c.source);
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

#[cfg(test)]
mod inert_tests {
    use super::inert;

    #[test]
    fn hostile_strings_are_inert_and_bounded() {
        assert_eq!(inert("gdrv.sys"), "gdrv.sys");
        assert_eq!(inert("a\u{1b}[2Jb"), "a\\u{001B}[2Jb");
        assert_eq!(inert("evil\u{202e}sys.exe"), "evil\\u{202E}sys.exe");
        assert_eq!(inert("x\u{200b}\n"), "x\\u{200B}\\u{000A}");
        let long = "a".repeat(1000);
        assert_eq!(inert(&long).chars().count(), 201);
        assert!(inert(&long).ends_with('…'));
    }
}
