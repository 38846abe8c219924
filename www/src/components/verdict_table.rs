//! Would each Windows load it? One row per target (`FileReport.verdicts`): the target and its
//! architecture, the verdict as icon and word, the rule that decided it and its source, the
//! signature it rests on, and the conditions. `?target=ID` in the URL (repeatable) keeps only those
//! targets' rows, and the table says so.

use drvsig::policy::Target;
use drvsig::report::{LoadVerdict, TargetVerdict};
use yew::prelude::*;

use crate::text::Inert;

#[derive(Properties, PartialEq)]
pub struct VerdictTableProps {
    pub verdicts: Vec<TargetVerdict>,
    /// The heading's id (the table is labelled by it).
    pub id: AttrValue,
    /// Only these targets (`?target=ID`); every target when empty.
    #[prop_or_default]
    pub only: Vec<Target>,
    /// `?target=` values that name no target, to say so.
    #[prop_or_default]
    pub unknown: Vec<String>,
}

/// The rows the table shows: the verdicts of `only` (all when `only` is empty).
pub fn shown(verdicts: &[TargetVerdict], only: &[Target]) -> Vec<TargetVerdict> {
    verdicts.iter().filter(|v| only.is_empty() || only.contains(&v.target)).cloned().collect()
}

/// The note under the heading when the URL limits the targets.
pub fn filter_note(shown: usize, total: usize, only: &[Target], unknown: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    if !only.is_empty() {
        let ids: Vec<&str> = only.iter().map(|t| t.id()).collect();
        parts.push(format!("Showing {shown} of {total} Windows targets, as the page address asks (?target={}).", ids.join("&target=")));
    }
    if !unknown.is_empty() {
        parts.push(format!(
            "Unknown target id{} ignored: {}. Valid ids: {}.",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            Target::ids()
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Icon, word and CSS suffix of a load verdict.
pub fn load_label(v: LoadVerdict) -> (&'static str, &'static str, &'static str) {
    match v {
        LoadVerdict::Loads => ("\u{2713}", "Loads", "loads"),
        LoadVerdict::LoadsWithConditions => ("!", "With conditions", "conditional"),
        LoadVerdict::Blocked => ("\u{2715}", "Blocked", "blocked"),
    }
}

#[function_component(VerdictTable)]
pub fn verdict_table(props: &VerdictTableProps) -> Html {
    if props.verdicts.is_empty() {
        return html! {};
    }
    let rows = shown(&props.verdicts, &props.only);
    let note = filter_note(rows.len(), props.verdicts.len(), &props.only, &props.unknown);
    html! {
        <section class="v-verdicts" aria-labelledby={props.id.clone()}>
            <h4 id={props.id.clone()} class="v-section-title">{ "Would Windows load it?" }</h4>
            if let Some(note) = note {
                <p class="v-target-filter">{ note }</p>
            }
            <div class="v-table-wrap">
                <table class="v-table verdict-table" aria-labelledby={props.id.clone()}>
                    <thead>
                        <tr>
                            <th scope="col">{ "Windows" }</th>
                            <th scope="col">{ "Verdict" }</th>
                            <th scope="col">{ "Why" }</th>
                            <th scope="col">{ "Rests on" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for rows.iter().enumerate().map(|(i, v)| row(v, span(&rows, i))) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// How many rows the "Why" cell of row `i` spans: identical consecutive rules are written once
/// (`Some(n)`, n >= 1), and rows covered by a previous cell get `None`.
pub fn span(verdicts: &[TargetVerdict], i: usize) -> Option<usize> {
    let same = |a: &TargetVerdict, b: &TargetVerdict| a.rule == b.rule && a.source == b.source;
    let v = verdicts.get(i)?;
    if i > 0 && verdicts.get(i - 1).is_some_and(|prev| same(prev, v)) {
        return None;
    }
    Some(1 + verdicts.iter().skip(i + 1).take_while(|next| same(next, v)).count())
}

fn row(v: &TargetVerdict, span: Option<usize>) -> Html {
    let (icon, word, class) = load_label(v.verdict);
    html! {
        <tr class={format!("v-row-{class}")} data-target={v.target.id()} data-arch={v.arch.id()} data-verdict={class}>
            <th scope="row" data-label="Windows">
                { &v.label }
                <span class="v-arch">{ format!(" ({})", v.arch.id()) }</span>
            </th>
            <td data-label="Verdict">
                <span class={classes!("load", format!("load-{class}"))}>
                    <span class="load-icon" aria-hidden="true">{ icon }</span>
                    <span class="load-word">{ word }</span>
                </span>
                if !v.conditions.is_empty() {
                    <ul class="v-conditions" aria-label="Conditions">
                        { for v.conditions.iter().map(|c| html! { <li><Inert text={c.clone()} /></li> }) }
                    </ul>
                }
            </td>
            if let Some(n) = span {
                <td data-label="Why" rowspan={n.to_string()} class={classes!((n > 1).then_some("v-merged"))}>
                    <Inert text={v.rule.clone()} />
                    if !v.source.is_empty() {
                        <span class="v-rule-source">{ "Source: " }<cite>{ &v.source }</cite></span>
                    }
                    if n > 1 {
                        <span class="v-rule-source">{ format!("(the same rule for these {n} targets)") }</span>
                    }
                </td>
            } else {
                <td data-label="Why" class="v-same">{ "Same rule as the row above." }</td>
            }
            <td data-label="Rests on"><Inert text={v.rests_on.clone()} /></td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(rule: &str) -> TargetVerdict {
        TargetVerdict { rule: rule.into(), ..Default::default() }
    }

    #[test]
    fn url_targets_limit_the_rows() {
        let all: Vec<TargetVerdict> =
            Target::ALL.iter().map(|&t| TargetVerdict { target: t, arch: t.arch(), ..Default::default() }).collect();
        assert_eq!(shown(&all, &[]).len(), Target::ALL.len());
        let only = [Target::Server2025, Target::Win11Enforced];
        let rows = shown(&all, &only);
        assert_eq!(rows.iter().map(|v| v.target).collect::<Vec<_>>(), [Target::Win11Enforced, Target::Server2025]);
        let note = filter_note(rows.len(), all.len(), &only, &["win12".to_string()]).unwrap_or_default();
        assert!(note.starts_with("Showing 2 of 15 Windows targets"), "{note}");
        assert!(note.contains("Unknown target id ignored: win12") && note.contains("win11-arm64"), "{note}");
        assert_eq!(filter_note(15, 15, &[], &[]), None);
    }

    #[test]
    fn identical_rules_are_merged() {
        let rows = [v("a"), v("a"), v("a"), v("b"), v("a")];
        let spans: Vec<Option<usize>> = (0..rows.len()).map(|i| span(&rows, i)).collect();
        assert_eq!(spans, vec![Some(3), None, None, Some(1), Some(1)]);
    }
}
