//! Findings, failures and warnings first, each with its reason (and offset when it has one).

use drvsig::Finding;
use yew::prelude::*;

use super::badge::Badge;
use crate::state::{hex_offset, outcome_class, sorted_findings};

#[derive(Properties, PartialEq)]
pub struct FindingListProps {
    pub findings: Vec<Finding>,
    #[prop_or(AttrValue::Static("Findings"))]
    pub title: AttrValue,
}

#[function_component(FindingList)]
pub fn finding_list(props: &FindingListProps) -> Html {
    if props.findings.is_empty() {
        return html! {};
    }
    html! {
        <div class="findings">
            <h4 class="section-title">{ props.title.clone() }</h4>
            <ul class="finding-list">
                { for sorted_findings(&props.findings).into_iter().map(|f| html! {
                    <li class={classes!("finding", format!("finding-{}", outcome_class(f.outcome)))} data-check={f.check.clone()}>
                        <Badge outcome={f.outcome} />
                        <div class="finding-body">
                            <p class="finding-reason">{ &f.reason }</p>
                            <p class="finding-meta">
                                <code>{ &f.check }</code>
                                if let Some(offset) = f.offset {
                                    { " \u{b7} at " }<code>{ hex_offset(offset) }</code>
                                }
                            </p>
                        </div>
                    </li>
                }) }
            </ul>
        </div>
    }
}
