//! The export toolbar: the whole report as JSON (the core's `InspectionReport` schema, as the CLI's
//! `--json` prints it) or Markdown for tickets; copy to the clipboard, download, preview, print.

use std::rc::Rc;

use drvsig::report::PackageReport;
use drvsig::InspectionReport;
use yew::prelude::*;

use crate::services::browser;
use crate::state::{AppState, Entry};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Markdown,
}

impl Format {
    fn key(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }
}

/// The export text in one format.
pub fn render(report: &InspectionReport, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(&report.clone().stamped(&browser::now().to_rfc3339()))
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
        Format::Markdown => drvsig::markdown::report_markdown(report),
    }
}

#[derive(Properties, PartialEq)]
pub struct ExportBarProps {
    pub entries: Rc<Vec<Entry>>,
    pub packages: Rc<Vec<PackageReport>>,
    /// The chosen Windows, for "Copy summary".
    #[prop_or(drvsig::triage::DEFAULT_TARGET)]
    pub target: drvsig::policy::Target,
}

fn report_of(entries: &Rc<Vec<Entry>>, packages: &Rc<Vec<PackageReport>>) -> InspectionReport {
    AppState { entries: entries.clone(), packages: packages.clone(), ..Default::default() }.inspection_report()
}

#[function_component(ExportBar)]
pub fn export_bar(props: &ExportBarProps) -> Html {
    let format = use_state_eq(|| Format::Json);
    let show = use_state_eq(|| false);
    let message = use_state_eq(String::new);

    let choose = |f: Format| {
        let format = format.clone();
        Callback::from(move |_: MouseEvent| format.set(f))
    };
    let copy = {
        let (entries, packages, format, message) = (props.entries.clone(), props.packages.clone(), format.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let text = render(&report_of(&entries, &packages), *format);
            let message = message.clone();
            let what = if *format == Format::Json { "JSON" } else { "Markdown" };
            wasm_bindgen_futures::spawn_local(async move {
                if browser::copy_text(&text).await {
                    message.set(format!("{what} copied to the clipboard."));
                } else {
                    message.set("The browser refused the clipboard: use Download or Preview.".into());
                }
            });
        })
    };
    let download = {
        let (entries, packages, format, message) = (props.entries.clone(), props.packages.clone(), format.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let text = render(&report_of(&entries, &packages), *format);
            let (name, mime) = match *format {
                Format::Json => ("drvsig-report.json", "application/json"),
                Format::Markdown => ("drvsig-report.md", "text/markdown"),
            };
            if browser::download(name, mime, &text) {
                message.set(format!("Saved {name}."));
            } else {
                message.set("The download could not be started.".into());
            }
        })
    };
    let toggle = {
        let show = show.clone();
        Callback::from(move |_: MouseEvent| show.set(!*show))
    };
    let print = Callback::from(|_: MouseEvent| wasm_bindgen_futures::spawn_local(browser::print()));
    let link = {
        let (entries, packages, message) = (props.entries.clone(), props.packages.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let report = report_of(&entries, &packages).stamped(&browser::now().to_rfc3339());
            let message = message.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let url = match (browser::address_without_fragment(), crate::saved::encode_fragment(&report).await) {
                    (Some(address), Ok(fragment)) => format!("{address}{fragment}"),
                    (_, Err(e)) => return message.set(format!("The link could not be made: {e}")),
                    (None, _) => return message.set("The link could not be made: the page has no address.".into()),
                };
                if let Some(too_long) = crate::saved::too_long(url.chars().count()) {
                    return message.set(too_long);
                }
                let chars = url.chars().count();
                if browser::copy_text(&url).await {
                    message.set(format!(
                        "Link copied ({chars} characters). The report rides in the part after #, which browsers never send to a server."
                    ));
                } else {
                    message.set("The browser refused the clipboard: use Download and send the JSON file.".into());
                }
            });
        })
    };
    let summary = {
        let (entries, packages, target, message) = (props.entries.clone(), props.packages.clone(), props.target, message.clone());
        Callback::from(move |_: MouseEvent| {
            let text = drvsig::triage::summary_markdown(&report_of(&entries, &packages), target);
            let message = message.clone();
            let lines = text.lines().count();
            wasm_bindgen_futures::spawn_local(async move {
                if browser::copy_text(&text).await {
                    message.set(format!("Summary copied ({lines} lines of Markdown)."));
                } else {
                    message.set("The browser refused the clipboard: use Preview with Markdown.".into());
                }
            });
        })
    };

    let preview = if *show { Some(render(&report_of(&props.entries, &props.packages), *format)) } else { None };
    let pressed = |f: Format| (*format == f).to_string();
    html! {
        <div class="export">
            <div class="export-bar" role="toolbar" aria-label="Export the report">
                <span class="export-label" id="export-label">{ "Export" }</span>
                <div class="segmented" role="group" aria-labelledby="export-label">
                    <button type="button" id="export-format-json" aria-pressed={pressed(Format::Json)} onclick={choose(Format::Json)}>{ "JSON" }</button>
                    <button type="button" id="export-format-markdown" aria-pressed={pressed(Format::Markdown)} onclick={choose(Format::Markdown)}>{ "Markdown" }</button>
                </div>
                <button type="button" id="export-copy" class="button button-small" onclick={copy}>{ "Copy" }</button>
                <button type="button" id="export-download" class="button button-small" onclick={download}>{ "Download" }</button>
                <button type="button" id="export-show" class="button button-small" aria-expanded={show.to_string()} aria-controls="export-text" onclick={toggle}>
                    { if *show { "Hide preview" } else { "Preview" } }
                </button>
                <button type="button" id="copy-summary" class="button button-small" onclick={summary} title="A short Markdown summary for a ticket: files, signers, the verdict on the chosen Windows, what failed">{ "Copy summary" }</button>
                <button type="button" id="copy-link" class="button button-small" onclick={link} title="A link that carries the whole report (compressed) in its # part: nothing is uploaded">{ "Copy link" }</button>
                <button type="button" id="print-button" class="button button-small button-ghost" onclick={print}>{ "Print" }</button>
                <span class="export-message muted" role="status" aria-live="polite">{ (*message).clone() }</span>
            </div>
            if let Some(text) = preview {
                <pre id="export-text" class="export-text" data-format={format.key()} tabindex="0" aria-label="Export preview">{ text }</pre>
            }
        </div>
    }
}
