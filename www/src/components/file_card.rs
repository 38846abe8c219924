//! One file: its identity (name, size, SHA-256, type), its PE layout, signatures and findings.

use drvsig::{FileReport, Outcome};
use yew::prelude::*;

use super::badge::Badge;
use super::finding_list::FindingList;
use super::pe_facts::PeFacts;
use super::signature_view::SignatureView;
use crate::state::{grouped, human_size, outcome_class, verdict, Entry, FileId, Status};

#[derive(Properties, PartialEq)]
pub struct FileCardProps {
    pub entry: Entry,
    pub on_remove: Callback<FileId>,
}

#[function_component(FileCard)]
pub fn file_card(props: &FileCardProps) -> Html {
    let entry = &props.entry;
    let on_remove = {
        let on_remove = props.on_remove.clone();
        let id = entry.id;
        Callback::from(move |_: MouseEvent| on_remove.emit(id))
    };
    let title_id = format!("file-{}-title", entry.id);
    let (state_class, status) = match &entry.status {
        Status::Queued => ("is-busy".to_string(), progress("Waiting")),
        Status::Reading => ("is-busy".to_string(), progress("Reading\u{2026}")),
        Status::Inspecting => ("is-busy".to_string(), progress("Inspecting\u{2026}")),
        Status::Failed(_) => (
            "is-failed".to_string(),
            html! { <Badge outcome={Outcome::Fail} text="Could not read" large=true /> },
        ),
        Status::Done(report) => {
            let v = verdict(report);
            (
                format!("verdict-{}", outcome_class(v.outcome)),
                html! { <Badge outcome={v.outcome} text={v.text} large=true /> },
            )
        }
    };
    html! {
        <article
            class={classes!("file-card", state_class)}
            data-name={entry.name.clone()}
            data-status={status_name(&entry.status)}
            aria-labelledby={title_id.clone()}
        >
            <header class="card-head">
                <div class="card-title">
                    <h3 id={title_id} class="file-name" data-field="name">{ &entry.name }</h3>
                    <div class="card-status">{ status }</div>
                </div>
                <button type="button" class="icon-button" onclick={on_remove} aria-label={format!("Remove {}", entry.name)} title="Remove">
                    <span aria-hidden="true">{ "\u{2715}" }</span>
                </button>
            </header>
            <dl class="facts">
                <div class="fact">
                    <dt>{ "Size" }</dt>
                    <dd data-field="size" data-bytes={entry.size.to_string()}>
                        { human_size(entry.size) }
                        if entry.size >= 1000 {
                            <span class="muted">{ format!(" ({} bytes)", grouped(entry.size)) }</span>
                        }
                    </dd>
                </div>
                if let Status::Done(report) = &entry.status {
                    <div class="fact">
                        <dt>{ "Type" }</dt>
                        <dd><span class="kind-chip" data-field="kind">{ report.kind.label() }</span></dd>
                    </div>
                    <div class="fact fact-wide">
                        <dt>{ "SHA-256" }</dt>
                        <dd><code class="hash" data-field="sha256">{ &report.sha256 }</code></dd>
                    </div>
                }
            </dl>
            { body(&entry.status) }
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

fn status_name(status: &Status) -> &'static str {
    match status {
        Status::Queued => "queued",
        Status::Reading => "reading",
        Status::Inspecting => "inspecting",
        Status::Done(_) => "done",
        Status::Failed(_) => "failed",
    }
}

fn body(status: &Status) -> Html {
    match status {
        Status::Done(report) => report_body(report),
        Status::Failed(message) => html! { <p class="card-error" role="alert">{ message }</p> },
        _ => html! {},
    }
}

fn report_body(report: &FileReport) -> Html {
    let signable = report.kind.is_pe() || report.kind == drvsig::FileKind::Catalog;
    let count = report.signatures.len();
    html! {
        <>
            <PeFacts kind={report.kind} pe={report.pe.clone()} />
            if count > 0 {
                <div class="signatures">
                    <h4 class="section-title">
                        { if count == 1 { "Signature".to_string() } else { format!("Signatures ({count})") } }
                    </h4>
                    { for report.signatures.iter().map(|sig| html! {
                        <SignatureView key={sig.index} signature={sig.clone()} />
                    }) }
                </div>
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
            <FindingList findings={report.findings.clone()} title="File findings" />
        </>
    }
}
