//! Would each Windows load it? One row per target (`FileReport.verdicts`): the verdict as icon and
//! word, the rule that decided it and its source, the signature it rests on, and the conditions.

use drvsig::report::{LoadVerdict, TargetVerdict};
use yew::prelude::*;

use crate::text::Inert;

#[derive(Properties, PartialEq)]
pub struct VerdictTableProps {
    pub verdicts: Vec<TargetVerdict>,
    /// The heading's id (the table is labelled by it).
    pub id: AttrValue,
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
    html! {
        <section class="v-verdicts" aria-labelledby={props.id.clone()}>
            <h4 id={props.id.clone()} class="v-section-title">{ "Would Windows load it?" }</h4>
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
                        { for props.verdicts.iter().enumerate().map(|(i, v)| row(v, span(&props.verdicts, i))) }
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
        <tr class={format!("v-row-{class}")} data-target={v.target.clone()} data-verdict={class}>
            <th scope="row" data-label="Windows">{ &v.label }</th>
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
    fn identical_rules_are_merged() {
        let rows = [v("a"), v("a"), v("a"), v("b"), v("a")];
        let spans: Vec<Option<usize>> = (0..rows.len()).map(|i| span(&rows, i)).collect();
        assert_eq!(spans, vec![Some(3), None, None, Some(1), Some(1)]);
    }
}
