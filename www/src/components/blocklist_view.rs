//! Known-vulnerable and malicious driver lists: what matched (rule, list and version, what
//! matched, LOLDrivers category and links as inert text), then the lists in use with their
//! versions, so an old report is never mistaken for today's.

use drvsig::report::{BlocklistMatch, BlocklistReport, ListKind, LolCategory, Outcome};
use yew::prelude::*;

use super::badge::Badge;
use crate::text::Inert;

#[derive(Properties, PartialEq)]
pub struct BlocklistViewProps {
    pub report: BlocklistReport,
    pub id: String,
}

#[function_component(BlocklistView)]
pub fn blocklist_view(props: &BlocklistViewProps) -> Html {
    let b = &props.report;
    html! {
        <section class="v-blocklists" aria-labelledby={props.id.clone()} data-field="blocklists">
            <h4 id={props.id.clone()} class="v-section-title">{ "Block lists" }</h4>
            if b.matches.is_empty() {
                <p data-field="blocklist-result"><Badge outcome={Outcome::Pass} text="No match" /></p>
            } else {
                <ul class="blocklist-matches" data-field="blocklist-result">
                    { for b.matches.iter().map(match_item) }
                </ul>
            }
            <p class="muted" data-field="blocklists-in-use">
                { "Block lists in use: " }
                { for b.lists.iter().enumerate().map(|(i, l)| html! {
                    <>
                        if i > 0 { { "; " } }
                        <Inert text={l.name.clone()} max={120} />{ format!(" {}", l.version) }
                        if l.kind == ListKind::UserSipolicy || (l.kind == ListKind::Loldrivers && l.source == "user file") {
                            { " (dropped)" }
                        }
                    </>
                }) }
            </p>
            { for b.notes.iter().map(|n| html! { <p class="muted" data-field="blocklist-note">{ n.clone() }</p> }) }
        </section>
    }
}

fn match_item(m: &BlocklistMatch) -> Html {
    let outcome = match (m.list_kind, m.category) {
        (ListKind::Loldrivers, Some(LolCategory::VulnerableDriver)) => Outcome::Warn,
        _ => Outcome::Fail,
    };
    let what = match m.category {
        Some(LolCategory::Malicious) => "malicious",
        Some(LolCategory::VulnerableDriver) => "vulnerable driver",
        None => "denied",
    };
    html! {
        <li data-rule={m.rule_id.clone()}>
            <Badge {outcome} text={what} />
            { " " }<Inert text={format!("{} {}", m.list, m.list_version)} max={160} />
            { ": " }<code><Inert text={m.rule_id.clone()} max={120} /></code>
            if let Some(name) = &m.rule_name { { " " }<Inert text={format!("\"{name}\"")} max={160} /> }
            <br /><span class="muted"><Inert text={m.detail.clone()} max={400} /></span>
            if let Some(h) = m.loads_despite_hvci {
                <br /><span class="muted">{ if h { "LOLDrivers: loads despite memory integrity (HVCI)" } else { "LOLDrivers: memory integrity (HVCI) stops it" } }</span>
            }
            if !m.resources.is_empty() {
                <ul class="blocklist-links">
                    { for m.resources.iter().map(|r| html! { <li><Inert text={r.clone()} max={300} /></li> }) }
                </ul>
            }
        </li>
    }
}
