//! A certification path as a picture: an SVG drawn by the app (no library), the trust anchor at the
//! top, the leaf (the signer) at the bottom, one box per certificate and one labelled link per
//! issuer relation. Links are coloured *and* labelled *and* stroked differently (solid trusted,
//! dashed untrusted / expired, thick dashed failing, dotted not verifiable), so the picture reads
//! without colour. Every box opens the certificate's details; a text list repeats the picture.

use drvsig::report::{ChainCertificate, ChainReport, TrustKind};
use drvsig::Outcome;
use yew::prelude::*;

use super::badge::Badge;
use super::certificate_view::CertificateView;
use crate::text::{plain_cut, Inert};

#[derive(Properties, PartialEq)]
pub struct ChainViewProps {
    pub chain: ChainReport,
    /// Unique per page (ids of the heading and the certificate panels).
    pub id: AttrValue,
    /// `Signer chain` / `Timestamp authority chain`.
    pub title: AttrValue,
    /// The verified timestamp's time, when there is one (marked on the validity timelines).
    #[prop_or_default]
    pub signing_time: Option<String>,
    /// The report's verification time.
    pub verified_at: AttrValue,
}

/// How a link (a certificate to its issuer) is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    Trusted,
    Untrusted,
    Expired,
    Failing,
    NotVerifiable,
}

impl LinkKind {
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Trusted => "trusted",
            LinkKind::Untrusted => "untrusted",
            LinkKind::Expired => "expired",
            LinkKind::Failing => "failing",
            LinkKind::NotVerifiable => "not verifiable",
        }
    }

    fn class(self) -> &'static str {
        match self {
            LinkKind::Trusted => "trusted",
            LinkKind::Untrusted => "untrusted",
            LinkKind::Expired => "expired",
            LinkKind::Failing => "failing",
            LinkKind::NotVerifiable => "unverifiable",
        }
    }

    fn glyph(self) -> &'static str {
        match self {
            LinkKind::Trusted => "\u{2713}",
            LinkKind::Untrusted => "!",
            LinkKind::Expired => "\u{29d6}",
            LinkKind::Failing => "\u{2715}",
            LinkKind::NotVerifiable => "?",
        }
    }
}

/// Whether the chain's top is a trust anchor.
pub fn anchored(trust: TrustKind) -> bool {
    matches!(trust, TrustKind::MicrosoftRoot | TrustKind::MicrosoftCodeVerificationRoot | TrustKind::UserRoot)
}

/// Outside its validity at the time the chain was judged (`at`, RFC 3339).
pub fn out_of_validity(c: &ChainCertificate, at: &str) -> bool {
    let cert = &c.certificate;
    drvsig::UnixTime::parse_rfc3339(at).is_ok_and(|at| cert.not_after < at || cert.not_before > at)
}

/// The link of `c` to its issuer.
pub fn link_kind(c: &ChainCertificate, chain: &ChainReport) -> LinkKind {
    let expired = out_of_validity(c, &chain.validity_time) || c.link_reason.contains("expired");
    match c.link_verdict {
        Outcome::Fail if expired => LinkKind::Expired,
        Outcome::Fail => LinkKind::Failing,
        Outcome::Warn if expired => LinkKind::Expired,
        Outcome::Warn => LinkKind::Untrusted,
        Outcome::Unsupported | Outcome::NotPresent => LinkKind::NotVerifiable,
        Outcome::Pass if anchored(chain.trust) => LinkKind::Trusted,
        Outcome::Pass => LinkKind::Untrusted,
    }
}

/// The anchor as words: what the top of the path is.
pub fn anchor_label(chain: &ChainReport) -> (String, &'static str) {
    let name = chain.anchor.clone().unwrap_or_default();
    let named = |what: &str| if name.is_empty() { what.to_string() } else { format!("{what}: {name}") };
    match chain.trust {
        TrustKind::MicrosoftRoot => (named("Microsoft root"), "trusted"),
        TrustKind::MicrosoftCodeVerificationRoot => (named("Microsoft Code Verification Root"), "trusted"),
        TrustKind::UserRoot => (named("Your trusted root"), "trusted"),
        TrustKind::UntrustedRoot => ("Untrusted root: in no trust store".to_string(), "untrusted"),
        TrustKind::SelfSigned => ("Self-signed signer: in no trust store".to_string(), "untrusted"),
        TrustKind::Incomplete => ("Incomplete: the next issuer is not available".to_string(), "failing"),
    }
}

fn source_label(source: &str) -> &str {
    match source {
        "signature" => "from the signature",
        "catalog" => "from a catalog",
        "built-in" => "built-in root",
        "user" => "your root",
        "timestamp" => "from the timestamp",
        other => other,
    }
}

fn year(time: &str) -> &str {
    time.get(..4).unwrap_or(time)
}

// Geometry of the picture (SVG user units; the picture scales to its container, and is narrow
// enough to stay readable on a phone).
const W: i32 = 360;
const BOX_X: i32 = 6;
const BOX_W: i32 = W - 2 * BOX_X;
const BOX_H: i32 = 80;
const GAP: i32 = 46;
const PILL_H: i32 = 46;
const LINE_X: i32 = 40;
/// Characters per line of a certificate name in a box.
const LINE_CHARS: usize = 34;

/// A name on at most two lines of `width` characters, broken at spaces where possible; the second
/// line ends with an ellipsis when the name is longer.
pub fn wrap2(name: &str, width: usize) -> (String, Option<String>) {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= width {
        return (name.to_string(), None);
    }
    let head: String = chars.iter().take(width + 1).collect();
    let cut = head.rfind(' ').filter(|&i| i > width / 2).map(|i| head[..i].chars().count()).unwrap_or(width);
    let first: String = chars.iter().take(cut).collect();
    let rest: String = chars.iter().skip(cut).collect::<String>().trim_start().to_string();
    let second = if rest.chars().count() > width {
        let mut s: String = rest.chars().take(width.saturating_sub(1)).collect();
        s.push('\u{2026}');
        s
    } else {
        rest
    };
    (first, Some(second))
}

#[function_component(ChainView)]
pub fn chain_view(props: &ChainViewProps) -> Html {
    let selected = use_state(|| None::<usize>);
    let chain = &props.chain;
    let n = chain.certificates.len();
    if n == 0 {
        return html! {
            <section class="chain-view" aria-labelledby={format!("{}-title", props.id)}>
                <h6 id={format!("{}-title", props.id)} class="chain-title">{ props.title.clone() }</h6>
                <p class="muted">{ "No certificate path could be built (the signature carries no signer certificate)." }</p>
            </section>
        };
    }
    let select = {
        let selected = selected.clone();
        Callback::from(move |i: usize| {
            selected.set(if *selected == Some(i) { None } else { Some(i) });
        })
    };
    let (anchor_text, anchor_class) = anchor_label(chain);
    let incomplete = chain.trust == TrustKind::Incomplete;

    // Display order: top (the root or the highest certificate reached) first.
    let top_y = 8 + PILL_H + GAP;
    let box_y = |k: usize| top_y + (k as i32) * (BOX_H + GAP);
    let height = box_y(n) - GAP + 8;

    let summary = {
        let names: Vec<String> = chain.certificates.iter().map(|c| plain_cut(&c.certificate.subject_cn(), 80)).collect();
        format!(
            "Certificate chain, leaf first: {}. Top: {}. Chain verdict: {}.",
            names.join(", issued by "),
            anchor_text,
            crate::state::outcome_label(chain.verdict).1
        )
    };

    let mut nodes = Vec::new();
    let mut links = Vec::new();
    for k in 0..n {
        let i = n - 1 - k; // index in the report (leaf first)
        let Some(c) = chain.certificates.get(i) else { continue };
        let y = box_y(k);
        let cert = &c.certificate;
        let cn = plain_cut(&cert.subject_cn(), 200);
        let (cn1, cn2) = wrap2(&cn, LINE_CHARS);
        let cn_two = cn2.is_some();
        let issuer = plain_cut(&cert.issuer_cn(), 34);
        let role = if i == 0 {
            "leaf"
        } else if i + 1 == n && !incomplete {
            "top"
        } else {
            "intermediate"
        };
        let kind = link_kind(c, chain);
        let is_selected = *selected == Some(i);
        let onclick = {
            let select = select.clone();
            Callback::from(move |_: MouseEvent| select.emit(i))
        };
        let onkeydown = {
            let select = select.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    select.emit(i);
                }
            })
        };
        let expired = out_of_validity(c, &chain.validity_time);
        let line3 = format!(
            "{} \u{b7} {}\u{2013}{}{} \u{b7} {}",
            role,
            year(&cert.not_before.to_rfc3339()),
            year(&cert.not_after.to_rfc3339()),
            if expired { " (expired then)" } else { "" },
            source_label(&c.source)
        );
        let visible_text =
            [Some(cn1.to_string()), cn2.as_ref().map(|c| c.to_string()), Some(format!("issued by {issuer}")), Some(line3.clone())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
        nodes.push(html! {
            <g
                class={classes!("chain-node", format!("node-{role}"), is_selected.then_some("is-selected"))}
                role="button"
                tabindex="0"
                aria-pressed={is_selected.to_string()}
                data-subject={cn.clone()}
                {onclick}
                {onkeydown}
            >
                // The name (SVG <title>) starts with the box's visible text, in order (WCAG 2.5.3,
                // label in name); an aria-label that differed from it failed axe-core.
                <title>{ format!("{visible_text}. {role} certificate; {}. Show details", c.link_reason) }</title>
                <rect class="node-box" x={BOX_X.to_string()} y={y.to_string()} width={BOX_W.to_string()} height={BOX_H.to_string()} rx="10" />
                <rect class={classes!("node-stripe", format!("link-{}", kind.class()))} x={BOX_X.to_string()} y={y.to_string()} width="8" height={BOX_H.to_string()} rx="4" />
                <text class="node-cn" x={(BOX_X + 20).to_string()} y={(y + if cn2.is_some() { 20 } else { 27 }).to_string()}>{ cn1 }</text>
                if let Some(cn2) = cn2 {
                    <text class="node-cn" x={(BOX_X + 20).to_string()} y={(y + 37).to_string()}>{ cn2 }</text>
                }
                <text class="node-issuer" x={(BOX_X + 20).to_string()} y={(y + if cn_two { 55 } else { 48 }).to_string()}>{ format!("issued by {issuer}") }</text>
                <text class="node-meta" x={(BOX_X + 20).to_string()} y={(y + if cn_two { 71 } else { 65 }).to_string()}>{ line3 }</text>
            </g>
        });
        // The link from this certificate up to its issuer (the box above), or to the anchor pill.
        let y_from = y;
        let y_to = if k == 0 { 8 + PILL_H } else { box_y(k - 1) + BOX_H };
        let (dash, width) = match kind {
            LinkKind::Trusted => ("none", "3"),
            LinkKind::Untrusted => ("8 5", "3"),
            LinkKind::Expired => ("8 5", "3"),
            LinkKind::Failing => ("4 4", "5"),
            LinkKind::NotVerifiable => ("1 6", "3"),
        };
        let label_y = (y_from + y_to) / 2 + 5;
        links.push(html! {
            <g class={classes!("chain-link", format!("link-{}", kind.class()))} data-link={kind.label()}>
                <line x1={LINE_X.to_string()} y1={y_from.to_string()} x2={LINE_X.to_string()} y2={y_to.to_string()}
                      stroke-dasharray={dash} stroke-width={width} stroke-linecap="round" />
                <polygon points={format!("{},{} {},{} {},{}", LINE_X - 6, y_to + 9, LINE_X + 6, y_to + 9, LINE_X, y_to)} />
                <text class="link-label" x={(LINE_X + 16).to_string()} y={label_y.to_string()}>
                    { format!("{} {}", kind.glyph(), if k == 0 && role == "top" { format!("{} (self-signed)", kind.label()) } else { kind.label().to_string() }) }
                </text>
            </g>
        });
    }

    let (anchor_kind, anchor_name) = match anchor_text.split_once(": ") {
        Some((kind, name)) => (kind.to_string(), Some(name.to_string())),
        None => (anchor_text.clone(), None),
    };
    let has_name = anchor_name.is_some();
    let glyph = if anchor_class == "trusted" {
        "\u{2693}"
    } else if incomplete {
        "?"
    } else {
        "\u{26a0}"
    };
    let pill = html! {
        <g class={classes!("chain-anchor", format!("anchor-{anchor_class}"))}>
            <rect x={BOX_X.to_string()} y="8" width={BOX_W.to_string()} height={PILL_H.to_string()} rx="12"
                  stroke-dasharray={if incomplete { "6 4" } else { "none" }} />
            <text class="anchor-kind" x={(W / 2).to_string()} y={(8 + if has_name { 19 } else { 28 }).to_string()} text-anchor="middle">
                { format!("{glyph} {}", plain_cut(&anchor_kind, 44)) }
            </text>
            if let Some(name) = anchor_name {
                <text class="anchor-name" x={(W / 2).to_string()} y={(8 + 37).to_string()} text-anchor="middle">
                    { plain_cut(&name, 50) }
                </text>
            }
        </g>
    };

    let list_id = format!("{}-list", props.id);
    html! {
        <section class="chain-view" aria-labelledby={format!("{}-title", props.id)} data-chain={props.title.clone()} data-trust={format!("{:?}", chain.trust)}>
            <div class="chain-head">
                <h6 id={format!("{}-title", props.id)} class="chain-title">{ props.title.clone() }</h6>
                <Badge outcome={chain.verdict} text={format!("chain: {}", crate::state::outcome_label(chain.verdict).1)} />
            </div>
            <p class="chain-basis muted">
                { format!("Validity judged at {} ({}); {} path{} tried.",
                    chain.validity_time,
                    basis_label(chain.validity_basis),
                    chain.paths_tried,
                    if chain.paths_tried == 1 { "" } else { "s" }) }
            </p>
            <div class="chain-figure">
                <svg class="chain-svg" viewBox={format!("0 0 {W} {height}")} role="group"
                     aria-label={summary} aria-describedby={list_id.clone()}
                     preserveAspectRatio="xMidYMin meet">
                    { pill }
                    { for links.into_iter() }
                    { for nodes.into_iter() }
                </svg>
                <ol id={list_id} class="chain-list" aria-label="The chain as text, leaf first">
                    { for chain.certificates.iter().enumerate().map(|(i, c)| {
                        let kind = link_kind(c, chain);
                        let onclick = {
                            let select = select.clone();
                            Callback::from(move |_: MouseEvent| select.emit(i))
                        };
                        html! {
                            <li class={classes!("chain-item", format!("link-{}", kind.class()))}>
                                <button type="button" class="chain-item-button" {onclick}
                                        aria-expanded={(*selected == Some(i)).to_string()}
                                        aria-controls={format!("{}-cert", props.id)}>
                                    <Inert text={c.certificate.subject_cn()} max={120} />
                                </button>
                                <span class="chain-item-link">
                                    <span aria-hidden="true">{ kind.glyph() }</span>
                                    { format!(" {} \u{b7} {}", kind.label(), source_label(&c.source)) }
                                </span>
                                <span class="chain-item-reason muted"><Inert text={c.link_reason.clone()} max={300} /></span>
                            </li>
                        }
                    }) }
                    <li class={classes!("chain-item", "chain-item-anchor", format!("anchor-{anchor_class}"))}>
                        { anchor_text.clone() }
                    </li>
                </ol>
            </div>
            <div id={format!("{}-cert", props.id)}>
                if let Some(c) = selected.and_then(|i| chain.certificates.get(i)) {
                    <CertificateView
                        key={c.certificate.sha256.clone()}
                        certificate={c.certificate.clone()}
                        source={c.source.clone()}
                        signing_time={props.signing_time.clone()}
                        verified_at={props.verified_at.clone()}
                        validity_time={chain.validity_time.clone()}
                        on_close={{ let selected = selected.clone(); Callback::from(move |()| selected.set(None)) }}
                    />
                }
            </div>
        </section>
    }
}

fn basis_label(basis: drvsig::report::ValidityBasis) -> &'static str {
    match basis {
        drvsig::report::ValidityBasis::Timestamp => "the verified timestamp's time",
        drvsig::report::ValidityBasis::VerificationTime => "the verification time: no verified timestamp",
        drvsig::report::ValidityBasis::LifetimeSigning => "the verification time: lifetime-signing EKU",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::report::CertificateSummary;

    fn cert(nb: &str, na: &str, verdict: Outcome) -> ChainCertificate {
        ChainCertificate {
            certificate: CertificateSummary {
                not_before: drvsig::UnixTime::parse_rfc3339(nb).unwrap_or_default(),
                not_after: drvsig::UnixTime::parse_rfc3339(na).unwrap_or_default(),
                ..Default::default()
            },
            source: "signature".into(),
            link_verdict: verdict,
            link_reason: String::new(),
        }
    }

    #[test]
    fn link_kinds() {
        let mut chain = ChainReport { validity_time: "2025-01-01T00:00:00Z".into(), trust: TrustKind::MicrosoftRoot, ..Default::default() };
        let ok = cert("2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", Outcome::Pass);
        assert_eq!(link_kind(&ok, &chain), LinkKind::Trusted);
        let old = cert("2020-01-01T00:00:00Z", "2024-01-01T00:00:00Z", Outcome::Fail);
        assert_eq!(link_kind(&old, &chain), LinkKind::Expired);
        let bad = cert("2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", Outcome::Fail);
        assert_eq!(link_kind(&bad, &chain), LinkKind::Failing);
        let unk = cert("2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", Outcome::Unsupported);
        assert_eq!(link_kind(&unk, &chain), LinkKind::NotVerifiable);
        chain.trust = TrustKind::UntrustedRoot;
        assert_eq!(link_kind(&ok, &chain), LinkKind::Untrusted);
        assert_eq!(anchor_label(&chain).1, "untrusted");
    }

    #[test]
    fn names_wrap_on_two_lines() {
        assert_eq!(wrap2("short", 10), ("short".to_string(), None));
        assert_eq!(
            wrap2("Microsoft Windows Hardware Compatibility Publisher", 34),
            ("Microsoft Windows Hardware".to_string(), Some("Compatibility Publisher".to_string()))
        );
        assert_eq!(wrap2("abcdefghij", 4), ("abcd".to_string(), Some("efg\u{2026}".to_string())));
    }
}
