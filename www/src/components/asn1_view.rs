//! The ASN.1 tree of a signature blob (a WIN_CERTIFICATE payload, a catalog file), for deep
//! inspection. Built only when the user opens it; subtrees render only when expanded. A WAI-ARIA
//! tree: Up / Down move between items, Right opens (or goes to the first child), Left closes (or
//! goes to the parent), Home / End jump; Enter and Space toggle (the items are buttons).

use std::rc::Rc;

use drvsig::asn1::{tree_at, Asn1Node, Limits};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use crate::services::pipeline;
use crate::state::{grouped, hex_offset, FileId};

/// A byte range of a file that holds DER.
#[derive(Clone, Debug, PartialEq)]
pub struct Blob {
    pub label: String,
    pub offset: u64,
    pub len: u64,
}

/// The signature blobs of a file: each PKCS #7 WIN_CERTIFICATE payload, or the catalog itself.
pub fn blobs_of(report: &drvsig::FileReport) -> Vec<Blob> {
    let mut out = Vec::new();
    if let Some(table) = report.pe.as_ref().and_then(|p| p.certificate_table.as_ref()) {
        for (i, e) in table.entries.iter().enumerate() {
            let len = u64::from(e.length).saturating_sub(8);
            if len > 0 {
                out.push(Blob {
                    label: format!(
                        "WIN_CERTIFICATE #{} at {} (type {:#06x}, {} bytes)",
                        i,
                        hex_offset(e.offset),
                        e.certificate_type,
                        grouped(u64::from(e.length))
                    ),
                    offset: e.offset.saturating_add(8),
                    len,
                });
            }
        }
    }
    if report.kind == drvsig::FileKind::Catalog {
        out.push(Blob { label: format!("The catalog (PKCS #7 SignedData, {} bytes)", grouped(report.size)), offset: 0, len: report.size });
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct Asn1PanelProps {
    pub id: FileId,
    pub blobs: Vec<Blob>,
}

#[function_component(Asn1Panel)]
pub fn asn1_panel(props: &Asn1PanelProps) -> Html {
    if props.blobs.is_empty() {
        return html! {};
    }
    html! {
        <div class="asn1-panel">
            { for props.blobs.iter().enumerate().map(|(i, b)| html! {
                <Asn1Blob key={i} id={props.id} blob={b.clone()} />
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct Asn1BlobProps {
    id: FileId,
    blob: Blob,
}

/// The ASN.1 tree of one blob of a file (only the blob's bytes are read, not a whole big file).
async fn build_tree(services: Option<pipeline::Services>, id: FileId, blob: &Blob) -> Result<Rc<Asn1Node>, String> {
    let start = usize::try_from(blob.offset).unwrap_or(usize::MAX);
    let len = usize::try_from(blob.len).unwrap_or(usize::MAX);
    let slice = match services {
        Some(services) => services.slice_of(id, start, len).await,
        None => None,
    };
    let slice = slice.ok_or_else(|| "The file's bytes are no longer available.".to_string())?;
    if slice.is_empty() {
        return Err("The blob lies outside the file.".to_string());
    }
    Ok(Rc::new(tree_at(&slice, blob.offset, &Limits::default())))
}

#[function_component(Asn1Blob)]
fn asn1_blob(props: &Asn1BlobProps) -> Html {
    let tree = use_state(|| None::<Result<Rc<Asn1Node>, String>>);
    let reading = use_state(|| false);
    let services = use_context::<pipeline::Services>();
    let ontoggle = {
        let tree = tree.clone();
        let reading = reading.clone();
        let id = props.id;
        let blob = props.blob.clone();
        Callback::from(move |e: Event| {
            let open = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
            if !open || tree.is_some() || *reading {
                return;
            }
            // The blob's bytes are read from the file (asynchronously: a Blob slice).
            reading.set(true);
            let tree = tree.clone();
            let reading = reading.clone();
            let blob = blob.clone();
            let services = services.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let built = build_tree(services, id, &blob).await;
                tree.set(Some(built));
                reading.set(false);
            });
        })
    };
    html! {
        <details class="asn1-blob" {ontoggle}>
            <summary>
                <span class="asn1-summary-title">{ "ASN.1 structure" }</span>
                <span class="muted">{ format!(" \u{b7} {}", props.blob.label) }</span>
            </summary>
            { match &*tree {
                None if *reading => html! { <p class="muted">{ "Reading the signature\u{2026}" }</p> },
                None => html! {},
                Some(Err(message)) => html! { <p class="card-error">{ message }</p> },
                Some(Ok(root)) => html! {
                    <>
                        <p class="asn1-help muted">
                            { format!("{} elements. Offsets count from the start of the file; lengths read header + content bytes. Arrow keys move through the tree, Right and Left open and close.", grouped(root.count() as u64)) }
                        </p>
                        <ul class="asn1-tree" role="tree" aria-label={format!("ASN.1 of {}", props.blob.label)} onkeydown={Callback::from(tree_keys)}>
                            <Asn1Item root={Shared(root.clone())} path={Vec::new()} depth={0} />
                        </ul>
                    </>
                },
            } }
        </details>
    }
}

/// The whole tree, compared by identity (a deep comparison on every render would cost more than
/// the render).
#[derive(Clone, Debug)]
struct Shared(Rc<Asn1Node>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct Asn1ItemProps {
    root: Shared,
    /// Child indexes from the root to this node.
    path: Vec<usize>,
    depth: u32,
}

#[function_component(Asn1Item)]
fn asn1_item(props: &Asn1ItemProps) -> Html {
    let mut node: &Asn1Node = &props.root.0;
    for &i in &props.path {
        match node.children.get(i) {
            Some(child) => node = child,
            None => return html! {},
        }
    }
    let n = node;
    let has_children = !n.children.is_empty();
    let open = use_state(|| props.depth < 2);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let child_count = if has_children && *open { n.children.len() } else { 0 };
    let label = html! {
        <>
            <span class="asn1-offset">{ hex_offset(n.offset) }</span>
            <span class={classes!("asn1-tag", (n.class != "universal").then_some("is-context"))}>{ &n.tag }</span>
            <span class="asn1-len">{ format!("{}+{}", n.header_len, grouped(n.len)) }</span>
            if n.encapsulated {
                <span class="asn1-flag">{ "encapsulates" }</span>
            }
            if let Some(name) = &n.name {
                <span class="asn1-name">{ name }</span>
                <span class="asn1-oid">{ n.oid.clone().unwrap_or_default() }</span>
            } else if let Some(preview) = &n.preview {
                <span class="asn1-preview">{ preview }</span>
            }
            if let Some(note) = &n.note {
                <span class={classes!("asn1-note", benign(note).then_some("is-benign"))}>{ note }</span>
            }
        </>
    };
    html! {
        <li role="treeitem" aria-expanded={has_children.then(|| open.to_string())} class="asn1-item">
            if has_children {
                <button type="button" class="asn1-row" data-asn1-item="true" tabindex={if props.depth == 0 { "0" } else { "-1" }} onclick={toggle}>
                    <span class="asn1-twisty" aria-hidden="true">{ if *open { "\u{25be}" } else { "\u{25b8}" } }</span>
                    { label }
                </button>
                if *open {
                    <ul role="group">
                        { for (0..child_count).map(|i| {
                            let mut path = props.path.clone();
                            path.push(i);
                            html! { <Asn1Item key={i} root={props.root.clone()} {path} depth={props.depth + 1} /> }
                        }) }
                    </ul>
                }
            } else {
                <div class="asn1-row is-leaf" data-asn1-item="true" tabindex={if props.depth == 0 { "0" } else { "-1" }}>
                    <span class="asn1-twisty" aria-hidden="true"></span>
                    { label }
                </div>
            }
        </li>
    }
}

/// Padding after a signature is normal (WIN_CERTIFICATE entries are 8-byte aligned).
fn benign(note: &str) -> bool {
    note.ends_with("bytes of zero padding follow this element") && !note.contains(';')
}

/// Keyboard navigation over the rendered (visible) items of one tree.
fn tree_keys(e: KeyboardEvent) {
    let Some(target) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else {
        return;
    };
    let Some(tree) = target.closest("[role=tree]").ok().flatten() else {
        return;
    };
    let Ok(list) = tree.query_selector_all("[data-asn1-item]") else {
        return;
    };
    let items: Vec<HtmlElement> =
        (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<HtmlElement>().ok()).collect();
    let Some(pos) = items.iter().position(|i| i.is_same_node(Some(&target))) else {
        return;
    };
    let li: Option<Element> = target.parent_element();
    let expanded = li.as_ref().and_then(|l| l.get_attribute("aria-expanded"));
    let focus = |el: &HtmlElement| {
        for i in &items {
            let _ = i.set_attribute("tabindex", "-1");
        }
        let _ = el.set_attribute("tabindex", "0");
        let _ = el.focus();
    };
    let handled = match e.key().as_str() {
        "ArrowDown" => items.get(pos + 1).map(focus).is_some(),
        "ArrowUp" => pos.checked_sub(1).and_then(|p| items.get(p)).map(focus).is_some(),
        "Home" => items.first().map(focus).is_some(),
        "End" => items.last().map(focus).is_some(),
        "ArrowRight" => match expanded.as_deref() {
            Some("false") => {
                target.click();
                true
            }
            Some("true") => items.get(pos + 1).map(focus).is_some(),
            _ => false,
        },
        "ArrowLeft" => {
            if expanded.as_deref() == Some("true") {
                target.click();
                true
            } else {
                // To the parent item's row.
                let parent_row = li
                    .and_then(|l| l.parent_element())
                    .and_then(|group| group.parent_element())
                    .and_then(|parent_li| parent_li.query_selector("[data-asn1-item]").ok().flatten())
                    .and_then(|r| r.dyn_into::<HtmlElement>().ok());
                parent_row.as_ref().map(focus).is_some()
            }
        }
        _ => false,
    };
    if handled {
        e.prevent_default();
    }
}
