//! Inert strings: certificate subjects, catalog attributes, program names and URLs come from the
//! file, i.e. from whoever made it. Yew puts them in text nodes (never parsed as HTML, so `<script>`
//! and `&amp;` stay literal); this module also makes *invisible* characters visible: control
//! characters (NUL, ESC, ...), bidirectional overrides and isolates (U+202E can make
//! `exe.sys` read `sys.exe`), zero-width and other format characters. Each becomes a marked
//! `<U+XXXX>` piece, and the field gets a warning marker.
//!
//! Pure functions, unit-tested natively; [`Inert`] is the component every report string goes through.

use yew::prelude::*;

/// Longest string shown in full; longer ones are cut with a note (a hostile 1 MB subject must not
/// freeze the page).
pub const MAX_CHARS: usize = 600;

/// A piece of a string as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Ordinary text, shown as is (in a text node).
    Text(String),
    /// A hidden or control character, shown as `<U+XXXX>`.
    Hidden(char),
    /// The string was cut here; this many characters were left out.
    Cut(usize),
}

/// Whether `c` is invisible or changes how the text around it is displayed: C0/C1 controls
/// (NUL, tab and newline included: none belongs in a certificate name), the Unicode format
/// characters (general category Cf: bidi controls, zero-width, invisible operators, tags), line and
/// paragraph separators, and a few invisible letters (Hangul fillers, the combining grapheme joiner).
pub fn is_hidden(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    matches!(
        u32::from(c),
        0x00AD                    // soft hyphen
        | 0x034F                  // combining grapheme joiner
        | 0x0600..=0x0605         // Arabic number signs
        | 0x061C                  // Arabic letter mark
        | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x115F | 0x1160 | 0x3164 | 0xFFA0 // Hangul fillers
        | 0x17B4 | 0x17B5         // Khmer inherent vowels (invisible)
        | 0x180B..=0x180F         // Mongolian variation selectors, vowel separator
        | 0x200B..=0x200F         // zero width space / non-joiner / joiner, LRM, RLM
        | 0x2028..=0x202E         // line / paragraph separator, LRE RLE PDF LRO RLO
        | 0x2060..=0x2064         // word joiner, invisible operators
        | 0x2066..=0x206F         // isolates LRI RLI FSI PDI, deprecated format characters
        | 0xFE00..=0xFE0F         // variation selectors
        | 0xFEFF                  // zero width no-break space (BOM)
        | 0xFFF9..=0xFFFB         // interlinear annotation
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001 | 0xE0020..=0xE007F // tags
        | 0xE0100..=0xE01EF       // variation selectors supplement
    )
}

/// Bidirectional controls: the characters that can reorder what surrounds them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(u32::from(c), 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// `U+202E`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// A short name for the characters people meet in hostile names (for the tooltip).
pub fn char_name(c: char) -> &'static str {
    match u32::from(c) {
        0x00 => "NUL",
        0x09 => "TAB",
        0x0A => "LINE FEED",
        0x0D => "CARRIAGE RETURN",
        0x1B => "ESCAPE",
        0x7F => "DELETE",
        0x00AD => "SOFT HYPHEN",
        0x061C => "ARABIC LETTER MARK",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x2028 => "LINE SEPARATOR",
        0x2029 => "PARAGRAPH SEPARATOR",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x2060 => "WORD JOINER",
        0x2066 => "LEFT-TO-RIGHT ISOLATE",
        0x2067 => "RIGHT-TO-LEFT ISOLATE",
        0x2068 => "FIRST STRONG ISOLATE",
        0x2069 => "POP DIRECTIONAL ISOLATE",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE",
        n if n < 0x20 || (0x80..0xA0).contains(&n) => "CONTROL CHARACTER",
        _ => "INVISIBLE FORMAT CHARACTER",
    }
}

/// Splits `s` into text and hidden characters, cutting after `max` characters.
pub fn pieces(s: &str, max: usize) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().enumerate();
    while let Some((shown, c)) = chars.next() {
        if shown >= max {
            // Put the character back into the count of what was left out.
            let rest = 1 + chars.count();
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            out.push(Piece::Cut(rest));
            return out;
        }
        if is_hidden(c) {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            out.push(Piece::Hidden(c));
        } else {
            text.push(c);
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// Whether `s` has any hidden character.
pub fn has_hidden(s: &str) -> bool {
    s.chars().any(is_hidden)
}

/// `s` as plain visible text, hidden characters written `<U+XXXX>`: for attributes (aria-label,
/// title), SVG text and file names, where no markup can be used.
pub fn plain(s: &str) -> String {
    plain_cut(s, MAX_CHARS)
}

/// [`plain`], cut after `max` characters with an ellipsis.
pub fn plain_cut(s: &str, max: usize) -> String {
    let mut out = String::new();
    for piece in pieces(s, max) {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Hidden(c) => {
                out.push('<');
                out.push_str(&code_point(c));
                out.push('>');
            }
            Piece::Cut(_) => out.push('\u{2026}'),
        }
    }
    out
}

/// What the warning marker says about `s`.
pub fn warning(s: &str) -> String {
    let hidden: Vec<char> = s.chars().filter(|c| is_hidden(*c)).collect();
    let bidi = hidden.iter().any(|c| is_bidi_control(*c));
    let mut kinds: Vec<String> = Vec::new();
    for c in &hidden {
        let name = format!("{} {}", code_point(*c), char_name(*c));
        if !kinds.contains(&name) {
            kinds.push(name);
        }
        if kinds.len() == 4 {
            break;
        }
    }
    format!(
        "Contains {} hidden or control character{}{}: {}. They are shown escaped.",
        hidden.len(),
        if hidden.len() == 1 { "" } else { "s" },
        if bidi { " (including text-direction overrides, which can disguise a name)" } else { "" },
        kinds.join(", ")
    )
}

#[derive(Properties, PartialEq)]
pub struct InertProps {
    pub text: AttrValue,
    /// Cut after this many characters.
    #[prop_or(MAX_CHARS)]
    pub max: usize,
}

/// A report string, inert and with its hidden characters visible.
#[function_component(Inert)]
pub fn inert(props: &InertProps) -> Html {
    let s: &str = &props.text;
    if !has_hidden(s) && s.chars().count() <= props.max {
        // The common case: one isolated text node.
        return html! { <bdi class="inert">{ s }</bdi> };
    }
    let pieces = pieces(s, props.max);
    let hidden = has_hidden(s);
    html! {
        <bdi class={classes!("inert", hidden.then_some("has-hidden"))}>
            if hidden {
                <span class="hidden-warning" role="img" aria-label={warning(s)} title={warning(s)}>{ "\u{26a0}" }</span>
            }
            { for pieces.into_iter().map(|p| match p {
                Piece::Text(t) => html! { { t } },
                Piece::Hidden(c) => html! {
                    <span class="esc" title={format!("{} {}", code_point(c), char_name(c))}>{ format!("<{}>", code_point(c)) }</span>
                },
                Piece::Cut(n) => html! {
                    <span class="cut muted">{ format!("\u{2026} ({n} more characters)") }</span>
                },
            }) }
        </bdi>
    }
}

/// Shorthand: `inert("...")` in `html!`.
pub fn inert_html(s: &str) -> Html {
    html! { <Inert text={AttrValue::from(s.to_string())} /> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_one_piece() {
        assert_eq!(pieces("Contoso Ltd.", 100), vec![Piece::Text("Contoso Ltd.".into())]);
        assert!(!has_hidden("Contoso <script>alert(1)</script> &amp; Müller Ω 日本"));
        assert_eq!(plain("<script>&amp;"), "<script>&amp;");
    }

    #[test]
    fn bidi_override_is_escaped() {
        let s = "Evil\u{202E}sys.exe";
        assert_eq!(pieces(s, 100), vec![Piece::Text("Evil".into()), Piece::Hidden('\u{202E}'), Piece::Text("sys.exe".into())]);
        assert_eq!(plain(s), "Evil<U+202E>sys.exe");
        assert!(warning(s).contains("U+202E RIGHT-TO-LEFT OVERRIDE"));
        assert!(warning(s).contains("text-direction"));
    }

    #[test]
    fn controls_zero_width_and_nul() {
        assert_eq!(plain("a\0b\u{200B}c\u{FEFF}d\u{1B}[31m\te\u{2066}"), "a<U+0000>b<U+200B>c<U+FEFF>d<U+001B>[31m<U+0009>e<U+2066>");
        assert_eq!(plain("\u{85}\u{9F}\u{E0041}"), "<U+0085><U+009F><U+E0041>");
        for c in ['\u{200C}', '\u{200D}', '\u{2060}', '\u{00AD}', '\u{061C}', '\u{3164}', '\u{FE0F}'] {
            assert!(is_hidden(c), "{:?}", c);
        }
        for c in ['a', ' ', 'é', 'ß', 'Ω', '日', '\u{05D0}', '\u{0627}', '\u{00A0}'] {
            assert!(!is_hidden(c), "{:?}", c);
        }
    }

    #[test]
    fn long_strings_are_cut() {
        let s = "x".repeat(10);
        assert_eq!(pieces(&s, 4), vec![Piece::Text("xxxx".into()), Piece::Cut(6)]);
        assert_eq!(plain_cut(&s, 4), "xxxx\u{2026}");
        assert_eq!(pieces("ab", 2), vec![Piece::Text("ab".into())]);
        assert_eq!(pieces("", 2), vec![]);
    }

    #[test]
    fn warning_counts() {
        let w = warning("\0\0");
        assert!(w.starts_with("Contains 2 hidden or control characters: U+0000 NUL."), "{w}");
    }
}
