//! One file, answer first: the verdict card (one sentence), the per-Windows table, the findings
//! (failures and warnings first), then the signatures with their chains, and the PE layout.

use std::rc::Rc;

use drvsig::{FileReport, Outcome};
use yew::prelude::*;

use super::badge::Badge;
use super::blocklist_view::BlocklistView;
use super::findings::{collect, Findings};
use super::fold::Fold;
use super::pe_facts::PeFacts;
use super::signature_view::{SignatureView, WinCertTable};
use super::verdict_card::{tone_class, VerdictCard};
use super::verdict_table::VerdictTable;
use crate::services::pipeline;
use crate::state::{grouped, human_size, Entry, FileId, Status};
use crate::text::{plain, Inert};

#[derive(Properties, PartialEq)]
pub struct FileCardProps {
    pub entry: Entry,
    pub on_remove: Callback<FileId>,
    /// The Windows the customer runs: its verdict comes first, the full table is folded.
    #[prop_or(drvsig::triage::DEFAULT_TARGET)]
    pub target: drvsig::policy::Target,
    /// SHA-256 thumbprints of the roots trusted for this page, and the toggle (trust, certificate).
    #[prop_or_default]
    pub trusted: Vec<String>,
    #[prop_or_default]
    pub on_trust: Callback<(bool, drvsig::report::CertificateSummary)>,
}

#[function_component(FileCard)]
pub fn file_card(props: &FileCardProps) -> Html {
    let entry = &props.entry;
    let services = use_context::<pipeline::Services>();
    let on_remove = {
        let on_remove = props.on_remove.clone();
        let id = entry.id;
        Callback::from(move |_: MouseEvent| on_remove.emit(id))
    };
    let title_id = format!("file-{}-title", entry.id);
    let (state_class, status) = match &entry.status {
        Status::Queued => ("is-busy".to_string(), progress("Waiting")),
        Status::Reading => ("is-busy".to_string(), reading(services.as_ref(), entry.id, entry.loaded)),
        Status::Inspecting => ("is-busy".to_string(), inspecting(services.as_ref(), entry.id)),
        Status::Failed(_) => ("is-failed".to_string(), html! { <Badge outcome={Outcome::Fail} text="Could not read" large=true /> }),
        Status::Done(report) => {
            let tone = drvsig::summary::headline(report).tone;
            (format!("tone-{}", tone_class(tone)), html! {})
        }
    };
    html! {
        <article
            id={format!("file-{}", entry.id)}
            class={classes!("file-card", state_class)}
            data-name={entry.name.clone()}
            data-status={status_name(&entry.status)}
            data-completing={entry.completing.then_some("true")}
            aria-labelledby={title_id.clone()}
        >
            <header class="card-head">
                <div class="card-title">
                    <h3 id={title_id} class="file-name" data-field="name"><Inert text={entry.name.clone()} max={300} /></h3>
                    <div class="card-status">{ status }</div>
                </div>
                <button type="button" class="icon-button" onclick={on_remove} aria-label={format!("Remove {}", plain(&entry.name))} title="Remove">
                    <span aria-hidden="true">{ "\u{2715}" }</span>
                </button>
            </header>
            if let Status::Done(report) = &entry.status {
                <VerdictCard report={report.clone()} />
            }
            <dl class="facts">
                if let Some(size) = entry.size {
                    <div class="fact">
                        <dt>{ "Size" }</dt>
                        <dd data-field="size" data-bytes={size.to_string()}>
                            { human_size(size) }
                            if size >= 1000 {
                                <span class="muted">{ format!(" ({} bytes)", grouped(size)) }</span>
                            }
                        </dd>
                    </div>
                }
                if let Status::Done(report) = &entry.status {
                    <div class="fact">
                        <dt>{ "Type" }</dt>
                        <dd><span class="kind-chip" data-field="kind">{ report.kind.label() }</span></dd>
                    </div>
                    <div class="fact fact-wide">
                        <dt>{ "SHA-256" }</dt>
                        if entry.completing {
                            <dd data-field="sha256-pending">{ progress("Hashing the whole file\u{2026}") }</dd>
                        } else {
                            <dd><code class="hash" data-field="sha256">{ &report.sha256 }</code></dd>
                        }
                    </div>
                }
            </dl>
            if entry.completing {
                <p class="notice completing" data-field="blocklist-pending" role="status">
                    { "Verdict from the signatures. Still running: the whole file's SHA-256 and the check against the known-vulnerable driver block lists (their hash rules); the verdict is updated if a list names this file." }
                </p>
            }
            { body(&entry.status, entry.id, props) }
        </article>
    }
}

fn progress(text: &'static str) -> Html {
    html! {
        <span class="progress">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ text }</span>
        </span>
    }
}

/// "Reading…" with a progress bar, determinate once the worker reports how far it read, and a
/// Cancel button when a worker has the file (it terminates that worker only).
fn reading(services: Option<&pipeline::Services>, id: FileId, loaded: Option<(u64, u64)>) -> Html {
    let bar = match loaded {
        Some((loaded, total)) if total > 0 => {
            let percent = (loaded as f64 * 100.0 / total as f64).floor();
            html! {
                <>
                    <span data-field="progress-text">{ format!("Reading\u{2026} {percent:.0}%") }</span>
                    <progress class="inspect-progress" aria-label="Reading" max={total.to_string()} value={loaded.to_string()}></progress>
                </>
            }
        }
        _ => html! {
            <>
                <span data-field="progress-text">{ "Reading\u{2026}" }</span>
                <progress class="inspect-progress" aria-label="Reading"></progress>
            </>
        },
    };
    html! {
        <span class="progress reading">
            { bar }
            { cancel_button(services, id) }
        </span>
    }
}

/// A Cancel button when a worker has the file (none when the inspection runs on this thread).
fn cancel_button(services: Option<&pipeline::Services>, id: FileId) -> Html {
    let Some(services) = services.filter(|s| s.off_main_thread()).cloned() else {
        return html! {};
    };
    let on_cancel = Callback::from(move |_: MouseEvent| services.abort_inspection(id));
    html! {
        <button type="button" class="button button-small cancel-button" data-action="cancel" onclick={on_cancel}>{ "Cancel" }</button>
    }
}

/// "Hashing and verifying…" with an indeterminate progress bar and, when the core runs in a worker,
/// a Cancel button (it terminates that worker; the other files go on).
fn inspecting(services: Option<&pipeline::Services>, id: FileId) -> Html {
    let off_main = services.is_some_and(|s| s.off_main_thread());
    html! {
        <span class="progress inspecting">
            <span data-field="progress-text">{ "Hashing and verifying\u{2026}" }</span>
            <progress class="inspect-progress" aria-label="Inspecting"></progress>
            if off_main {
                { cancel_button(services, id) }
            } else {
                <span class="muted note" data-field="main-thread-note">{ "(no Web Worker here: the page may pause while this file is inspected)" }</span>
            }
        </span>
    }
}

fn status_name(status: &Status) -> &'static str {
    match status {
        Status::Queued => "queued",
        Status::Reading => "reading",
        Status::Inspecting => "inspecting",
        Status::Done(_) => "done",
        Status::Failed(_) => "failed",
    }
}

fn body(status: &Status, id: FileId, props: &FileCardProps) -> Html {
    match status {
        Status::Done(report) => report_body(report, id, props),
        Status::Failed(message) => html! { <p class="card-error" role="alert">{ message }</p> },
        _ => html! {},
    }
}

fn report_body(report: &Rc<crate::state::Report>, id: FileId, props: &FileCardProps) -> Html {
    let target = props.target;
    let signable = report.kind.is_pe() || report.kind == drvsig::FileKind::Catalog;
    let count = report.signatures.len();
    let prefix = format!("file-{id}");
    let findings = collect(report);
    let table = report.pe.as_ref().and_then(|pe| pe.certificate_table.clone());
    let (only, unknown) = crate::services::browser::requested_targets();
    html! {
        <>
            { chosen_verdict(report, target) }
            if !findings.is_empty() {
                <Findings {findings} id={format!("{prefix}-findings")} />
            }
            if let Some(b) = &report.blocklist {
                // A match stays in view; "no match" is one line (the summary table says it too).
                if b.matches.is_empty() {
                    <details class="fold fold-blocklists">
                        <summary>{ format!("Block lists: no match in {} list{}", b.lists.len(), if b.lists.len() == 1 { "" } else { "s" }) }</summary>
                        <BlocklistView report={b.clone()} id={format!("{prefix}-blocklists")} />
                    </details>
                } else {
                    <BlocklistView report={b.clone()} id={format!("{prefix}-blocklists")} />
                }
            }
            if !report.certificates.is_empty() {
                { certificate_list(report, &prefix, props) }
            }
            if !report.verdicts.is_empty() {
                <Fold class={classes!("fold", "fold-verdicts")} summary={html! { verdicts_summary(report) }}>
                    <VerdictTable verdicts={report.verdicts.clone()} id={format!("{prefix}-verdicts")} only={only} {unknown} />
                </Fold>
            }
            if count > 0 || table.is_some() {
                <Fold class={classes!("fold", "fold-signatures")} summary={html! { signatures_summary(report) }}>
                <section class="v-signatures" aria-labelledby={format!("{prefix}-sigs")}>
                    <h4 id={format!("{prefix}-sigs")} class="v-section-title">
                        { match count {
                            0 => "Signatures".to_string(),
                            1 => "Signature".to_string(),
                            n => format!("Signatures ({n}, nested included)"),
                        } }
                    </h4>
                    if let Some(table) = table {
                        <WinCertTable {table} />
                    }
                    { for report.signatures.iter().map(|sig| html! {
                        <SignatureView
                            key={sig.index}
                            signature={sig.clone()}
                            verified_at={report.verified_at.clone()}
                            id={format!("{prefix}-sig{}", sig.index)}
                        />
                    }) }
                </section>
                </Fold>
            } else if signable {
                <p class="no-signature">
                    <Badge outcome={Outcome::Warn} text="No signature" />
                    { if report.kind.is_pe() {
                        " No Authenticode signature was found in this file. A driver can still be signed by a catalog (.cat) that lists its hash."
                    } else {
                        " No signature was found in this catalog."
                    } }
                </p>
            }
            <details class="fold fold-layout">
                <summary>{ layout_summary(report) }</summary>
                <section class="v-file-facts" aria-labelledby={format!("{prefix}-layout")}>
                    <h4 id={format!("{prefix}-layout")} class="v-section-title">{ if report.kind.is_pe() { "PE layout" } else { "File" } }</h4>
                    <PeFacts kind={report.kind} pe={report.pe.clone()} />
                </section>
            </details>
        </>
    }
}

/// The verdict on the chosen Windows, first (the full table is folded below).
fn chosen_verdict(report: &FileReport, target: drvsig::policy::Target) -> Html {
    let Some(v) = report.verdicts.iter().find(|v| v.target == target) else {
        return html! {};
    };
    let (icon, word, class) = super::verdict_table::load_label(v.verdict);
    html! {
        <p class="chosen-verdict" data-target={target.id()} data-verdict={class}>
            <span class="chosen-label">{ format!("On {}: ", v.label) }</span>
            <span class={classes!("load", format!("load-{class}"))}>
                <span class="load-icon" aria-hidden="true">{ icon }</span>
                <span class="load-word">{ word }</span>
            </span>
            <span class="chosen-rule">{ " \u{2014} " }<Inert text={v.rule.clone()} max={400} /></span>
        </p>
    }
}

/// `Every Windows target: 3 of 15 load it (2 with conditions)`.
pub fn verdicts_summary(report: &FileReport) -> String {
    use drvsig::report::LoadVerdict;
    let total = report.verdicts.len();
    let loads = report.verdicts.iter().filter(|v| v.verdict != LoadVerdict::Blocked).count();
    let conditional = report.verdicts.iter().filter(|v| v.verdict == LoadVerdict::LoadsWithConditions).count();
    let mut s = format!("Every Windows target: {loads} of {total} load it");
    if conditional > 0 {
        s.push_str(&format!(" ({conditional} with conditions)"));
    }
    s
}

/// `Signatures (2): 7 certificates, 2 timestamps, chains`.
pub fn signatures_summary(report: &FileReport) -> String {
    let sigs = report.signatures.len();
    let certs: usize = report.signatures.iter().map(|s| s.certificates.len()).sum();
    let stamps: usize = report.signatures.iter().map(|s| s.timestamps.len()).sum();
    let page_hashes = report.signatures.iter().filter(|s| s.page_hashes.is_some()).count();
    let mut s = format!(
        "{} ({sigs}): {}, {}, chains",
        if sigs == 1 { "Signature" } else { "Signatures" },
        plural(certs, "certificate", "certificates"),
        plural(stamps, "timestamp", "timestamps")
    );
    if page_hashes > 0 {
        s.push_str(", page hashes");
    }
    s
}

/// `PE layout: 6 sections, certificate table` / `File facts`.
pub fn layout_summary(report: &FileReport) -> String {
    match &report.pe {
        Some(pe) => format!(
            "PE layout: {}, {}{}",
            pe.machine,
            plural(pe.sections.len(), "section", "sections"),
            if pe.certificate_table.is_some() { ", certificate table" } else { "" }
        ),
        None => "File facts".to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The certificates of a dropped certificate file, each folded behind its subject and validity
/// (the first open): subject, issuer, validity on a timeline, thumbprints, key, extensions and
/// .cer / .pem downloads.
fn certificate_list(report: &FileReport, prefix: &str, props: &FileCardProps) -> Html {
    let toggle = |c: &drvsig::report::CertificateSummary, trusted: bool| {
        let (cb, c) = (props.on_trust.clone(), c.clone());
        Callback::from(move |_: MouseEvent| cb.emit((!trusted, c.clone())))
    };
    html! {
        <section class="v-certificates" aria-labelledby={format!("{prefix}-certs")}>
            <h4 id={format!("{prefix}-certs")} class="v-section-title">{ plural(report.certificates.len(), "certificate", "certificates") }</h4>
            { for report.certificates.iter().enumerate().map(|(i, c)| html! {
                <details class="fold fold-certificate" open={i == 0} data-sha256={c.sha256.clone()}>
                    <summary>{ format!("{} \u{2014} valid {} to {}", crate::text::plain_cut(&c.subject_cn(), 80), c.not_before.to_date(), c.not_after.to_date()) }</summary>
                    <super::certificate_view::CertificateView
                        certificate={c.clone()}
                        source="dropped certificate file"
                        verified_at={report.verified_at.clone()}
                        validity_time={report.verified_at.clone()}
                        on_close={Callback::noop()}
                        closable=false
                    />
                    if props.trusted.contains(&c.sha256) {
                        <p class="trust-row" data-trusted="true">
                            <span class="badge badge-warn">{ "Trusted for this page \u{2014} a root you added, like the CLI's --trust" }</span>
                            { " " }
                            <button type="button" class="button button-small trust-button" onclick={toggle(c, true)}>{ "Stop trusting" }</button>
                        </p>
                    } else {
                        <p class="trust-row" data-trusted="false">
                            <button type="button" class="button button-small trust-button" onclick={toggle(c, false)}
                                title="Every file is judged again with this certificate as a trusted root (test-signed drivers: loads in test mode)">
                                { "Trust this root for this page" }
                            </button>
                        </p>
                    }
                </details>
            }) }
        </section>
    }
}
