//! The first thing under the toolbar once files are in: the target picker and the triage table
//! over everything finished so far (files, then the packages when the package pass is done), and
//! "Expand all" / "Collapse all" for the folded card details.

use std::collections::BTreeMap;
use std::rc::Rc;

use drvsig::policy::Target;
use drvsig::report::PackageReport;
use yew::prelude::*;

use super::target_picker::TargetPicker;
use super::triage_table::TriageTable;
use crate::services::browser;
use crate::state::{AppState, Entry, Status};

#[derive(Properties, PartialEq)]
pub struct SummaryPanelProps {
    pub entries: Vec<Entry>,
    pub packages: Rc<Vec<PackageReport>>,
    pub target: Target,
    pub on_target: Callback<Target>,
}

#[function_component(SummaryPanel)]
pub fn summary_panel(props: &SummaryPanelProps) -> Html {
    let groups = {
        let report =
            AppState { entries: props.entries.clone(), packages: props.packages.clone(), ..Default::default() }.inspection_report();
        Rc::new(drvsig::triage::triage(&report, props.target))
    };
    let ids: BTreeMap<String, u64> = props
        .entries
        .iter()
        .filter_map(|e| match &e.status {
            Status::Done(r) => Some((r.name.clone(), e.id)),
            _ => None,
        })
        .collect();
    let expand = Callback::from(|_: MouseEvent| browser::set_all_details(true));
    let collapse = Callback::from(|_: MouseEvent| browser::set_all_details(false));
    html! {
        <div class="summary-panel">
            <div class="summary-tools">
                <TargetPicker target={props.target} on_change={props.on_target.clone()} />
                <div class="fold-buttons">
                    <button type="button" id="expand-all" class="button button-small button-ghost" onclick={expand}>{ "Expand all" }</button>
                    <button type="button" id="collapse-all" class="button button-small button-ghost" onclick={collapse}>{ "Collapse all" }</button>
                </div>
            </div>
            if !groups.is_empty() {
                <TriageTable {groups} ids={Rc::new(ids)} target={props.target} />
            }
        </div>
    }
}
