//! PE layout facts: format, machine, subsystem, version resource, checksum and the certificate table.

use drvsig::report::{PeInfo, VersionInfo};
use drvsig::{FileKind, Outcome};
use yew::prelude::*;

use super::badge::Badge;
use crate::state::{grouped, hex_offset};
use crate::text::inert_html;

#[derive(Properties, PartialEq)]
pub struct PeFactsProps {
    pub kind: FileKind,
    pub pe: Option<PeInfo>,
}

#[function_component(PeFacts)]
pub fn pe_facts(props: &PeFactsProps) -> Html {
    let Some(pe) = &props.pe else {
        let why = if props.kind.is_pe() { "none (the PE headers could not be read)" } else { "none (only PE files have one)" };
        return html! {
            <dl class="facts">
                <div class="fact fact-wide">
                    <dt>{ "Certificate table" }</dt>
                    <dd data-field="cert-table">{ why }</dd>
                </div>
            </dl>
        };
    };
    let checksum = &pe.checksum;
    let (checksum_outcome, checksum_text) = if checksum.stored == 0 {
        (Outcome::NotPresent, "not set")
    } else if checksum.matches {
        (Outcome::Pass, "matches")
    } else {
        (Outcome::Warn, "mismatch")
    };
    let cert = match &pe.certificate_table {
        Some(table) => html! {
            <dd>
                <span data-field="cert-table" data-offset={table.offset.to_string()} data-size={table.size.to_string()}>
                    { format!("present at {}, {} bytes", hex_offset(table.offset), grouped(table.size)) }
                </span>
                if !table.entries.is_empty() {
                    <ul class="cert-entries">
                        { for table.entries.iter().enumerate().map(|(i, e)| html! {
                            <li>
                                { format!("WIN_CERTIFICATE #{i} at {}: {} bytes, revision {:#06x}, type {:#06x}{}",
                                    hex_offset(e.offset), grouped(u64::from(e.length)), e.revision, e.certificate_type,
                                    cert_type_name(e.certificate_type)) }
                            </li>
                        }) }
                    </ul>
                }
            </dd>
        },
        None => {
            html! { <dd data-field="cert-table">{ "none (the security directory is empty)" }</dd> }
        }
    };
    html! {
        <dl class="facts">
            <div class="fact">
                <dt>{ "Format" }</dt>
                <dd data-field="format">{ &pe.format }</dd>
            </div>
            <div class="fact">
                <dt>{ "Machine" }</dt>
                <dd data-field="machine">{ &pe.machine }</dd>
            </div>
            <div class="fact">
                <dt>{ "Subsystem" }</dt>
                <dd data-field="subsystem">{ &pe.subsystem }</dd>
            </div>
            { version_facts(pe.version.as_ref()) }
            <div class="fact">
                <dt>{ "Checksum" }</dt>
                <dd data-field="checksum">
                    <Badge outcome={checksum_outcome} text={checksum_text} />
                    <span class="checksum-values muted">
                        { format!("stored {:#010x}", checksum.stored) }<br />
                        { format!("computed {:#010x}", checksum.computed) }
                    </span>
                </dd>
            </div>
            <div class="fact fact-wide">
                <dt>{ "Certificate table" }</dt>
                { cert }
            </div>
        </dl>
    }
}

/// The version resource's fields, each inert (they come from whoever made the file).
fn version_facts(version: Option<&VersionInfo>) -> Html {
    let Some(v) = version else {
        return html! {
            <div class="fact">
                <dt>{ "Version resource" }</dt>
                <dd data-field="version" class="muted">{ "none" }</dd>
            </div>
        };
    };
    let with_fixed = |text: &Option<String>, fixed: &Option<drvsig::report::FourPartVersion>| -> Option<Html> {
        match (text, fixed) {
            (Some(t), Some(f)) => Some(html! { <>{ inert_html(t) }<span class="muted">{ format!(" (fixed {f})") }</span></> }),
            (Some(t), None) => Some(inert_html(t)),
            (None, Some(f)) => Some(html! { { f.to_string() } }),
            (None, None) => None,
        }
    };
    let rows: [(&str, &str, Option<Html>); 7] = [
        ("Original file name", "original-filename", v.original_filename.as_deref().map(inert_html)),
        ("File version", "file-version", with_fixed(&v.file_version, &v.file_version_fixed)),
        ("Product version", "product-version", with_fixed(&v.product_version, &v.product_version_fixed)),
        ("Product", "product-name", v.product_name.as_deref().map(inert_html)),
        ("Company", "company-name", v.company_name.as_deref().map(inert_html)),
        ("Description", "file-description", v.file_description.as_deref().map(inert_html)),
        ("Internal name", "internal-name", v.internal_name.as_deref().map(inert_html)),
    ];
    html! {
        { for rows.into_iter().filter_map(|(label, field, value)| value.map(|value| html! {
            <div class="fact">
                <dt>{ label }</dt>
                <dd data-field={field}>{ value }</dd>
            </div>
        })) }
    }
}

fn cert_type_name(t: u16) -> &'static str {
    match t {
        0x0001 => " (X.509)",
        0x0002 => " (PKCS#7 SignedData)",
        0x0003 => " (reserved)",
        0x0004 => " (TS stack signed)",
        _ => "",
    }
}
