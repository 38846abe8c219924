//! One Authenticode signature: digests signed vs recomputed, verdicts, signer, timestamps.

use drvsig::report::{CertificateSummary, SignatureReport, TimestampReport};
use drvsig::Outcome;
use yew::prelude::*;

use super::badge::Badge;
use super::finding_list::FindingList;
use crate::state::{grouped, hex_offset, outcome_label};

#[derive(Properties, PartialEq)]
pub struct SignatureViewProps {
    pub signature: SignatureReport,
}

fn check(name: &str, outcome: Outcome) -> Html {
    let text = format!("{name}: {}", outcome_label(outcome).1);
    html! { <Badge {outcome} {text} /> }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "\u{2014}".to_string()
    } else {
        s.to_string()
    }
}

#[function_component(SignatureView)]
pub fn signature_view(props: &SignatureViewProps) -> Html {
    let sig = &props.signature;
    // Numbered as the core numbers them (its `source` strings say "nested in signature 0").
    let title = match (sig.depth, sig.parent) {
        (0, _) => format!("Signature {}", sig.index),
        (_, Some(parent)) => format!("Nested signature {} (in signature {parent})", sig.index),
        (_, None) => format!("Nested signature {}", sig.index),
    };
    let digests_match = !sig.signed_digest.is_empty() && sig.signed_digest == sig.computed_digest;
    html! {
        <section class={classes!("signature", (sig.depth > 0).then_some("is-nested"))} data-signature={sig.index.to_string()}>
            <header class="signature-head">
                <h5 class="signature-title">{ title }</h5>
                <p class="muted signature-source">
                    { &sig.source }
                    if let Some(offset) = sig.offset { { format!(" \u{b7} SignedData at {}", hex_offset(offset)) } }
                </p>
                <div class="checks">
                    { check("Digest", sig.digest_verdict) }
                    { check("Signature", sig.signature_verdict) }
                    if sig.page_hash_verdict != Outcome::NotPresent || sig.page_hashes.is_some() {
                        { check("Page hashes", sig.page_hash_verdict) }
                    }
                </div>
            </header>
            <dl class="facts">
                <div class="fact">
                    <dt>{ "Digest algorithm" }</dt>
                    <dd data-field="digest-algorithm">{ or_dash(&sig.digest_algorithm) }</dd>
                </div>
                if let Some(signer) = &sig.signer {
                    <div class="fact fact-wide">
                        <dt>{ "Signed by" }</dt>
                        <dd data-field="signer">{ certificate(signer) }</dd>
                    </div>
                }
                <div class="fact fact-wide">
                    <dt>{ "Signed digest" }</dt>
                    <dd><code class="hash" data-field="signed-digest">{ or_dash(&sig.signed_digest) }</code></dd>
                </div>
                <div class="fact fact-wide">
                    <dt>{ "Computed digest" }</dt>
                    <dd>
                        <code class="hash" data-field="computed-digest">{ or_dash(&sig.computed_digest) }</code>
                        if !sig.computed_digest.is_empty() {
                            <span class="digest-compare">
                                { if digests_match { " \u{2713} same as signed" } else { " \u{2715} differs from signed" } }
                            </span>
                        }
                    </dd>
                </div>
                if let Some(pages) = &sig.page_hashes {
                    <div class="fact fact-wide">
                        <dt>{ "Page hashes" }</dt>
                        <dd>
                            { format!("{} of {} pages match ({})", grouped(pages.matching), grouped(pages.pages), pages.algorithm) }
                            if let Some(offset) = pages.first_mismatch_offset {
                                { format!("; first mismatch at {}", hex_offset(offset)) }
                            }
                        </dd>
                    </div>
                }
                if let Some(name) = &sig.program_name {
                    <div class="fact">
                        <dt>{ "Program name" }</dt>
                        <dd>{ name }</dd>
                    </div>
                }
                if let Some(url) = &sig.more_info_url {
                    <div class="fact fact-wide">
                        <dt>{ "More info URL" }</dt>
                        <dd class="break">{ url }</dd>
                    </div>
                }
                <div class="fact fact-wide">
                    <dt>{ "Timestamp" }</dt>
                    <dd data-field="timestamps">
                        if sig.timestamps.is_empty() {
                            { "none: the signature is only valid while its certificates are" }
                        } else {
                            <ul class="plain-list">
                                { for sig.timestamps.iter().map(timestamp) }
                            </ul>
                        }
                    </dd>
                </div>
            </dl>
            if !sig.certificates.is_empty() {
                <details class="certificates">
                    <summary>{ format!("Certificates carried ({})", sig.certificates.len()) }</summary>
                    <ul class="plain-list">
                        { for sig.certificates.iter().map(|c| html! { <li class="certificate">{ certificate(c) }</li> }) }
                    </ul>
                </details>
            }
            <FindingList findings={sig.findings.clone()} title="Signature findings" />
        </section>
    }
}

fn timestamp(ts: &TimestampReport) -> Html {
    let kind = match ts.kind.as_str() {
        "rfc3161" => "RFC 3161",
        "pkcs9-countersignature" => "PKCS #9 countersignature",
        other => other,
    };
    html! {
        <li class="timestamp">
            <Badge outcome={ts.verdict} />
            { " " }
            <strong>{ ts.time.clone().unwrap_or_else(|| "time unreadable".to_string()) }</strong>
            <span class="muted">{ format!(" \u{b7} {kind}, {}", or_dash(&ts.digest_algorithm)) }</span>
            if let Some(signer) = &ts.signer {
                <div class="muted">{ format!("by {}", or_dash(&signer.subject)) }</div>
            }
            <FindingList findings={ts.findings.clone()} title="Timestamp findings" />
        </li>
    }
}

fn certificate(c: &CertificateSummary) -> Html {
    html! {
        <div class="cert">
            <div class="cert-subject">{ or_dash(&c.subject) }</div>
            <div class="muted">{ format!("issued by {}", or_dash(&c.issuer)) }</div>
            <div class="muted">{ format!("valid {} to {}", or_dash(&c.not_before), or_dash(&c.not_after)) }</div>
            if !c.serial.is_empty() {
                <div class="muted">{ "serial " }<code class="hash">{ &c.serial }</code></div>
            }
        </div>
    }
}
