//! An outcome shown as an icon and a word, coloured: never colour alone.

use drvsig::Outcome;
use yew::prelude::*;

use crate::state::{outcome_class, outcome_label};

#[derive(Properties, PartialEq)]
pub struct BadgeProps {
    pub outcome: Outcome,
    /// Replaces the outcome's word (e.g. "No signature found").
    #[prop_or_default]
    pub text: Option<AttrValue>,
    /// The card headline size.
    #[prop_or_default]
    pub large: bool,
}

#[function_component(Badge)]
pub fn badge(props: &BadgeProps) -> Html {
    let (glyph, word) = outcome_label(props.outcome);
    let text = props.text.clone().unwrap_or(AttrValue::Static(word));
    let class = classes!("badge", format!("badge-{}", outcome_class(props.outcome)), props.large.then_some("badge-large"));
    html! {
        <span {class}>
            <span class="badge-icon" aria-hidden="true">{ glyph }</span>
            <span class="badge-text">{ text }</span>
        </span>
    }
}
