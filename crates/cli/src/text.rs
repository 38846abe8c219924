//! The human-readable text summary of a report.

use std::fmt::Write;

use drvsig::report::{FileReport, Finding, Outcome, SignatureReport};

fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "ok",
        Outcome::Warn => "WARN",
        Outcome::Fail => "FAIL",
        Outcome::Unsupported => "unsupported",
        Outcome::NotPresent => "-",
    }
}

/// Render one file's report as indented text.
pub fn render(r: &FileReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.name);
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
