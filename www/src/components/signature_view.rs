//! One Authenticode signature (outer or nested): signed vs recomputed digest side by side, page
//! hashes, signer, program name and URL (as text, never a link), the classification and its
//! evidence, timestamps with their TSA chains, and the signer's chain as a picture.
//! Also the WIN_CERTIFICATE layout table of the file.

use drvsig::report::{CertificateTable, SignatureReport, SignerKind, TimestampReport};
use drvsig::Outcome;
use yew::prelude::*;

use super::badge::Badge;
use super::chain_view::ChainView;
use crate::state::{grouped, hex_offset, outcome_label};
use crate::text::Inert;

#[derive(Properties, PartialEq)]
pub struct SignatureViewProps {
    pub signature: SignatureReport,
    /// The report's verification time (RFC 3339).
    pub verified_at: AttrValue,
    /// Unique per page: prefixes the ids inside.
    pub id: AttrValue,
}

pub fn kind_label(kind: SignerKind) -> &'static str {
    match kind {
        SignerKind::Whql => "WHQL (Windows Hardware Quality Labs)",
        SignerKind::Attestation => "Attestation-signed (Hardware Dev Center)",
        SignerKind::WindowsComponent => "Windows component",
        SignerKind::Microsoft => "Microsoft",
        SignerKind::Elam => "ELAM (Early Launch Antimalware)",
        SignerKind::Store => "Windows Store",
        SignerKind::MicrosoftUserMode => "Microsoft user-mode root (not a kernel-mode signature)",
        SignerKind::CrossSignedSpc => "Cross-signed vendor certificate (legacy)",
        SignerKind::SpcWithoutCrossCertificate => "Vendor certificate without cross certificate",
        SignerKind::TestSigned => "Test-signed",
        SignerKind::SelfSigned => "Self-signed",
        SignerKind::Untrusted => "Untrusted",
        SignerKind::Unsigned => "Unsigned",
    }
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

/// The verified timestamp's time of a signature, if any (marked on certificate timelines).
pub fn signing_time(sig: &SignatureReport) -> Option<String> {
    sig.timestamps.iter().find(|t| t.verdict == Outcome::Pass).and_then(|t| t.time.clone())
}

#[function_component(SignatureView)]
pub fn signature_view(props: &SignatureViewProps) -> Html {
    let sig = &props.signature;
    let depth = sig.depth.min(3);
    let title = match (sig.depth, sig.parent) {
        (0, _) => format!("Signature {}", sig.index),
        (d, Some(parent)) => format!("Nested signature {} (depth {d}, in signature {parent})", sig.index),
        (d, None) => format!("Nested signature {} (depth {d})", sig.index),
    };
    let title_id = format!("{}-title", props.id);
    let signed_time = signing_time(sig);
    html! {
        <section
            class={classes!("sig", format!("sig-depth-{depth}"), (sig.depth > 0).then_some("is-nested"))}
            data-signature={sig.index.to_string()}
            data-depth={sig.depth.to_string()}
            aria-labelledby={title_id.clone()}
        >
            <header class="sig-head">
                <div>
                    <h5 id={title_id} class="sig-title">{ title }</h5>
                    <p class="sig-source muted">
                        <Inert text={sig.source.clone()} />
                        if let Some(offset) = sig.offset { { format!(" \u{b7} SignedData at {}", hex_offset(offset)) } }
                    </p>
                </div>
                <div class="checks">
                    { check("Digest", sig.digest_verdict) }
                    { check("Signature", sig.signature_verdict) }
                    if sig.page_hash_verdict != Outcome::NotPresent || sig.page_hashes.is_some() {
                        { check("Page hashes", sig.page_hash_verdict) }
                    }
                </div>
            </header>

            { digests(sig) }

            <dl class="sig-facts">
                if let Some(signer) = &sig.signer {
                    <div class="sig-fact">
                        <dt>{ "Signed by" }</dt>
                        <dd data-field="signer"><Inert text={signer.subject_cn()} /></dd>
                    </div>
                }
                if let Some(class) = &sig.classification {
                    <div class="sig-fact sig-fact-wide">
                        <dt>{ "Kind" }</dt>
                        <dd data-field="classification">
                            <strong>{ kind_label(class.kind) }</strong>
                            if !class.evidence.is_empty() {
                                <ul class="sig-evidence" aria-label="Evidence">
                                    { for class.evidence.iter().map(|e| html! { <li><Inert text={e.clone()} /></li> }) }
                                </ul>
                            }
                        </dd>
                    </div>
                }
                if let Some(pages) = &sig.page_hashes {
                    <div class="sig-fact sig-fact-wide">
                        <dt>{ "Page hashes" }</dt>
                        <dd data-field="page-hashes">
                            { format!("{} of {} pages match ({})", grouped(pages.matching), grouped(pages.pages), pages.algorithm) }
                            if let Some(offset) = pages.first_mismatch_offset {
                                <span class="mismatch">{ format!(" \u{2715} first mismatch at {}", hex_offset(offset)) }</span>
                            }
                        </dd>
                    </div>
                }
                if let Some(name) = &sig.program_name {
                    <div class="sig-fact">
                        <dt>{ "Program name" }</dt>
                        <dd data-field="program-name"><Inert text={name.clone()} /></dd>
                    </div>
                }
                if let Some(url) = &sig.more_info_url {
                    <div class="sig-fact sig-fact-wide">
                        <dt>{ "More info URL" }<span class="muted">{ " (as written; not a link)" }</span></dt>
                        <dd class="break" data-field="program-url"><code><Inert text={url.clone()} /></code></dd>
                    </div>
                }
            </dl>

            <div class="sig-timestamps">
                <h6 class="sig-subtitle">{ "Timestamp" }</h6>
                if sig.timestamps.is_empty() {
                    <p class="muted" data-field="timestamps">{ "None: the signature is valid only while its certificates are." }</p>
                } else {
                    { for sig.timestamps.iter().enumerate().map(|(i, ts)| timestamp(ts, &format!("{}-ts{i}", props.id), &props.verified_at)) }
                }
            </div>

            if let Some(chain) = &sig.chain {
                <ChainView
                    chain={chain.clone()}
                    id={format!("{}-chain", props.id)}
                    title="Signer certificate chain"
                    signing_time={signed_time}
                    verified_at={props.verified_at.clone()}
                />
            }

            if !sig.certificates.is_empty() {
                <details class="sig-certs">
                    <summary>{ format!("Certificates carried in the signature ({})", sig.certificates.len()) }</summary>
                    <ul class="plain-list">
                        { for sig.certificates.iter().map(|c| html! {
                            <li class="sig-cert">
                                <strong><Inert text={c.subject_cn()} /></strong>
                                <span class="muted">{ " issued by " }<Inert text={c.issuer_cn()} /></span>
                                <span class="muted">{ format!(" \u{b7} {} to {}", c.not_before.to_date(), c.not_after.to_date()) }</span>
                            </li>
                        }) }
                    </ul>
                </details>
            }
        </section>
    }
}

/// Signed and computed digest side by side, with a visible match marker.
fn digests(sig: &SignatureReport) -> Html {
    let same = !sig.signed_digest.is_empty() && sig.signed_digest.eq_ignore_ascii_case(&sig.computed_digest);
    let (marker, class, word) = if sig.computed_digest.is_empty() {
        ("?", "digest-unknown", "not computed")
    } else if same {
        ("\u{2713}", "digest-match", "match")
    } else {
        ("\u{2715}", "digest-mismatch", "MISMATCH")
    };
    html! {
        <div class={classes!("digest-compare", class)} role="group" aria-label={format!("Digests ({}): {word}", or_dash(&sig.digest_algorithm))}>
            <div class="digest-row">
                <span class="digest-label">{ "Signed" }</span>
                <code class="hash" data-field="signed-digest">{ or_dash(&sig.signed_digest) }</code>
            </div>
            <div class="digest-row">
                <span class="digest-label">{ "Computed" }</span>
                <code class="hash" data-field="computed-digest">{ or_dash(&sig.computed_digest) }</code>
            </div>
            <div class="digest-verdict">
                <span class="digest-alg">{ or_dash(&sig.digest_algorithm).to_ascii_uppercase() }</span>
                <span class="digest-marker"><span aria-hidden="true">{ marker }</span>{ format!(" {word}") }</span>
            </div>
        </div>
    }
}

fn timestamp(ts: &TimestampReport, id: &str, verified_at: &AttrValue) -> Html {
    let kind = match ts.kind {
        drvsig::report::TimestampKind::Rfc3161 => "RFC 3161",
        drvsig::report::TimestampKind::Pkcs9Countersignature => "PKCS #9 countersignature",
    };
    html! {
        <div class="sig-ts" data-field="timestamps">
            <p class="sig-ts-line">
                <Badge outcome={ts.verdict} />
                { " " }
                <strong>{ ts.time.clone().unwrap_or_else(|| "time unreadable".to_string()) }</strong>
                <span class="muted">{ format!(" \u{b7} {kind}, {}", or_dash(&ts.digest_algorithm)) }</span>
            </p>
            if let Some(signer) = &ts.signer {
                <p class="muted">{ "Timestamp authority: " }<Inert text={signer.subject_cn()} /></p>
            }
            if let Some(chain) = &ts.chain {
                <ChainView
                    chain={chain.clone()}
                    id={format!("{id}-chain")}
                    title="Timestamp authority chain"
                    signing_time={ts.time.clone()}
                    verified_at={verified_at.clone()}
                />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct WinCertTableProps {
    pub table: CertificateTable,
}

fn cert_type_name(t: u16) -> &'static str {
    match t {
        0x0001 => "X.509",
        0x0002 => "PKCS #7 SignedData",
        0x0003 => "reserved",
        0x0004 => "TS stack signed",
        _ => "unknown",
    }
}

/// The attribute certificate table: one row per WIN_CERTIFICATE entry.
#[function_component(WinCertTable)]
pub fn win_cert_table(props: &WinCertTableProps) -> Html {
    let t = &props.table;
    html! {
        <div class="v-table-wrap">
            <table class="v-table wincert-table">
                <caption>
                    { format!("Certificate table at {}, {} bytes", hex_offset(t.offset), grouped(t.size)) }
                </caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Entry" }</th>
                        <th scope="col">{ "Offset" }</th>
                        <th scope="col">{ "Length" }</th>
                        <th scope="col">{ "Revision" }</th>
                        <th scope="col">{ "Type" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for t.entries.iter().enumerate().map(|(i, e)| html! {
                        <tr>
                            <th scope="row" data-label="Entry">{ format!("#{i}") }</th>
                            <td data-label="Offset"><code>{ hex_offset(e.offset) }</code></td>
                            <td data-label="Length">{ format!("{} bytes", grouped(u64::from(e.length))) }</td>
                            <td data-label="Revision">
                                <code>{ format!("{:#06x}", e.revision) }</code>
                                { if e.revision == 0x0200 { " (2.0)" } else { " (unexpected)" } }
                            </td>
                            <td data-label="Type">
                                <code>{ format!("{:#06x}", e.certificate_type) }</code>
                                { format!(" {}", cert_type_name(e.certificate_type)) }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
