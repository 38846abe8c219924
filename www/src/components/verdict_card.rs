//! The answer first: one icon and one sentence for a file (`drvsig::summary::headline`), with the
//! few facts that back it (signer kind, timestamp, chain anchor).

use crate::state::Report;
use drvsig::summary::{headline, Tone};
use yew::prelude::*;

use crate::text::Inert;

#[derive(Properties, PartialEq)]
pub struct VerdictCardProps {
    pub report: std::rc::Rc<Report>,
}

pub fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Good => "good",
        Tone::Caution => "caution",
        Tone::Bad => "bad",
        Tone::Neutral => "neutral",
    }
}

#[function_component(VerdictCard)]
pub fn verdict_card(props: &VerdictCardProps) -> Html {
    let h = headline(&props.report);
    let class = classes!("verdict-card", format!("tone-{}", tone_class(h.tone)));
    let loads = props.report.verdicts.iter().filter(|v| v.verdict == drvsig::report::LoadVerdict::Loads).count();
    let conditional = props.report.verdicts.iter().filter(|v| v.verdict == drvsig::report::LoadVerdict::LoadsWithConditions).count();
    let total = props.report.verdicts.len();
    html! {
        <div {class} data-tone={tone_class(h.tone)} role="group" aria-label="Verdict">
            <span class="verdict-icon" role="img" aria-label={h.tone.word()}>
                <span aria-hidden="true">{ h.icon.clone() }</span>
            </span>
            <div class="verdict-text">
                <p class="verdict-word">{ h.tone.word() }</p>
                <p class="verdict-sentence" data-field="headline"><Inert text={h.sentence.clone()} max={700} /></p>
                if total > 0 {
                    <p class="verdict-tally">
                        { format!("Loads on {loads} of {total} Windows targets") }
                        if conditional > 0 { { format!(", {conditional} more with conditions") } }
                    </p>
                }
            </div>
        </div>
    }
}
