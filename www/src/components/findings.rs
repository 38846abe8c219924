//! Every finding of one file in one list: file-level, per signature, per timestamp, per chain.
//! Failures and warnings first; each with its check name, reason, where it comes from and its
//! offset in hex. Passing checks are folded away behind a disclosure.

use drvsig::{FileReport, Finding, Outcome};
use yew::prelude::*;

use super::badge::Badge;
use crate::state::{hex_offset, outcome_class, severity_rank};
use crate::text::Inert;

/// A finding with the part of the report it belongs to (`file`, `signature 0`, `timestamp of signature 0`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Sourced {
    pub source: String,
    pub finding: Finding,
}

/// All findings of a report, failures and warnings first (stable within one outcome).
pub fn collect(report: &FileReport) -> Vec<Sourced> {
    let mut out = Vec::new();
    let mut push = |source: String, findings: &[Finding]| {
        out.extend(findings.iter().map(|f| Sourced { source: source.clone(), finding: f.clone() }));
    };
    push("file".to_string(), &report.findings);
    if let Some(catalog) = &report.catalog {
        push("catalog".to_string(), &catalog.findings);
    }
    for sig in &report.signatures {
        let name = format!("signature {}", sig.index);
        push(name.clone(), &sig.findings);
        if let Some(chain) = &sig.chain {
            push(format!("chain of {name}"), &chain.findings);
        }
        for (i, ts) in sig.timestamps.iter().enumerate() {
            let ts_name = if sig.timestamps.len() == 1 { format!("timestamp of {name}") } else { format!("timestamp {} of {name}", i + 1) };
            push(ts_name.clone(), &ts.findings);
            if let Some(chain) = &ts.chain {
                push(format!("TSA chain, {ts_name}"), &chain.findings);
            }
        }
    }
    out.sort_by_key(|s| severity_rank(s.finding.outcome));
    out
}

#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    pub findings: Vec<Sourced>,
    /// The heading's id (for aria-labelledby) and its level is h4.
    pub id: AttrValue,
}

#[function_component(Findings)]
pub fn findings(props: &FindingsProps) -> Html {
    let (important, rest): (Vec<&Sourced>, Vec<&Sourced>) =
        props.findings.iter().partition(|s| matches!(s.finding.outcome, Outcome::Fail | Outcome::Warn | Outcome::Unsupported));
    let fails = important.iter().filter(|s| s.finding.outcome == Outcome::Fail).count();
    let warns = important.iter().filter(|s| s.finding.outcome == Outcome::Warn).count();
    let summary = match (fails, warns) {
        (0, 0) if important.is_empty() => "no failures or warnings".to_string(),
        (0, 0) => format!("{} not checked", important.len()),
        (f, 0) => format!("{f} failing"),
        (0, w) => format!("{w} warning{}", if w == 1 { "" } else { "s" }),
        (f, w) => format!("{f} failing, {w} warning{}", if w == 1 { "" } else { "s" }),
    };
    let (failing, other): (Vec<&Sourced>, Vec<&Sourced>) = important.iter().copied().partition(|s| s.finding.outcome == Outcome::Fail);
    html! {
        <section class="v-findings" aria-labelledby={props.id.clone()}>
            <h4 id={props.id.clone()} class="v-section-title">
                { "Findings " }<span class="v-count">{ summary }</span>
            </h4>
            // Failures stay open; warnings and checks not made are one click away (issue 14: the
            // card shows what failed).
            if !failing.is_empty() {
                <ul class="v-finding-list">
                    { for failing.iter().map(|s| item(s)) }
                </ul>
            }
            if !other.is_empty() {
                <details class="v-warnings fold">
                    <summary>{ warnings_summary(&other) }</summary>
                    <ul class="v-finding-list">
                        { for other.iter().map(|s| item(s)) }
                    </ul>
                </details>
            }
            if !rest.is_empty() {
                <details class="v-passed">
                    <summary>{ format!("{} passing or informational check{}", rest.len(), if rest.len() == 1 { "" } else { "s" }) }</summary>
                    <ul class="v-finding-list">
                        { for rest.iter().map(|s| item(s)) }
                    </ul>
                </details>
            }
        </section>
    }
}

/// `3 warnings, 1 not checked`.
fn warnings_summary(other: &[&Sourced]) -> String {
    let warns = other.iter().filter(|s| s.finding.outcome == Outcome::Warn).count();
    let unchecked = other.len() - warns;
    let mut parts = Vec::new();
    if warns > 0 {
        parts.push(format!("{warns} warning{}", if warns == 1 { "" } else { "s" }));
    }
    if unchecked > 0 {
        parts.push(format!("{unchecked} not checked"));
    }
    parts.join(", ")
}

fn item(s: &Sourced) -> Html {
    let f = &s.finding;
    html! {
        <li class={classes!("v-finding", format!("v-finding-{}", outcome_class(f.outcome)))} data-check={f.check.clone()}>
            <Badge outcome={f.outcome} />
            <div class="v-finding-body">
                <p class="v-finding-reason"><Inert text={f.reason.clone()} /></p>
                <p class="v-finding-meta">
                    <code class="v-check">{ &f.check }</code>
                    <span class="v-source">{ &s.source }</span>
                    if let Some(offset) = f.offset {
                        <span class="v-offset">{ "at " }<code>{ hex_offset(offset) }</code></span>
                    }
                </p>
            </div>
        </li>
    }
}
