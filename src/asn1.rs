//! A generic DER (and BER indefinite-length) tree for deep inspection: every element with its tag,
//! byte offset, header and content lengths, OID names and a short value preview. The page shows it
//! for any signature blob (a WIN_CERTIFICATE payload, a catalog file).
//!
//! X.690 (08/2015) section 8.1: an element is identifier octets (8.1.2: class, constructed bit, tag
//! number, high tag numbers in base-128), length octets (8.1.3: short form, long form, indefinite
//! `0x80` for constructed BER ended by an end-of-contents `00 00`, 8.1.5) and contents.
//!
//! Invariants: never panics on input, never reads past the slice (every offset is checked), and is
//! bounded by [`Limits`] (depth and node count): a hostile blob yields a partial tree with notes.
//! OCTET STRING and BIT STRING contents that are themselves exactly one DER SEQUENCE / SET are shown
//! as children (`encapsulated`), as in SignedData's eContent and certificate extensions.

use serde::{Deserialize, Serialize};

/// Bounds on the work done for one blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting descended into (the root is depth 0).
    pub max_depth: u32,
    /// Most elements in the whole tree.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 48, max_nodes: 20_000 }
    }
}

/// One element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asn1Node {
    /// `SEQUENCE`, `OBJECT IDENTIFIER`, `[0]`, `[APPLICATION 3]`, ...
    pub tag: String,
    /// `universal`, `application`, `context`, `private`.
    pub class: String,
    pub tag_number: u64,
    pub constructed: bool,
    /// Offset of the identifier octet, counted from the start of the blob plus the caller's base.
    pub offset: u64,
    /// Identifier plus length octets.
    pub header_len: u64,
    /// Content length (for an indefinite length: the content up to, not including, end-of-contents).
    pub len: u64,
    /// Dotted OID for OBJECT IDENTIFIER elements.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub oid: Option<String>,
    /// Name of that OID, when known (Microsoft Authenticode / catalog OIDs, then const-oid's database).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// A short rendering of a primitive value (text, number, time, hex).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub preview: Option<String>,
    /// The children were parsed out of an OCTET STRING / BIT STRING value.
    pub encapsulated: bool,
    pub children: Vec<Asn1Node>,
    /// What went wrong or was cut here (truncated, limit reached, trailing bytes, BER length).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl Asn1Node {
    /// Number of elements in this subtree (itself included).
    pub fn count(&self) -> usize {
        1usize.saturating_add(self.children.iter().map(Asn1Node::count).fold(0usize, usize::saturating_add))
    }
}

/// The tree of the first element of `der` (offsets counted from 0).
pub fn tree(der: &[u8], limits: &Limits) -> Asn1Node {
    tree_at(der, 0, limits)
}

/// The tree of the first element of `der`, whose first byte sits at `base` in its file.
/// Bytes after that element are reported in the root's note (WIN_CERTIFICATE pads to 8 bytes).
pub fn tree_at(der: &[u8], base: u64, limits: &Limits) -> Asn1Node {
    let mut budget = Budget { nodes: 0, limits: *limits, cut: false };
    match parse_element(der, 0, base, 0, &mut budget) {
        Some((mut node, used)) => {
            let trailing = der.len().saturating_sub(used);
            if trailing > 0 {
                let all_zero = der.get(used..).is_some_and(|rest| rest.iter().all(|&b| b == 0));
                let what = if all_zero { "zero padding" } else { "data" };
                append_note(&mut node, format!("{trailing} bytes of {what} follow this element"));
            }
            if budget.cut {
                append_note(&mut node, format!("the tree is cut at {} elements or depth {} (limits)", limits.max_nodes, limits.max_depth));
            }
            node
        }
        None => Asn1Node {
            tag: "(not DER)".to_string(),
            class: "universal".to_string(),
            offset: base,
            note: Some(if der.is_empty() {
                "no bytes".to_string()
            } else {
                "the bytes do not start with a readable ASN.1 element".to_string()
            }),
            ..Default::default()
        },
    }
}

struct Budget {
    nodes: usize,
    limits: Limits,
    cut: bool,
}

fn append_note(node: &mut Asn1Node, note: String) {
    node.note = Some(match node.note.take() {
        Some(old) => format!("{old}; {note}"),
        None => note,
    });
}

/// Identifier octets: (class bits, constructed, number, octets used).
fn read_identifier(bytes: &[u8]) -> Option<(u8, bool, u64, usize)> {
    let first = *bytes.first()?;
    let class = first >> 6;
    let constructed = first & 0x20 != 0;
    let low = u64::from(first & 0x1f);
    if low != 0x1f {
        return Some((class, constructed, low, 1));
    }
    // High tag number: base-128, at most 9 octets (fits in u64).
    let mut number: u64 = 0;
    for i in 1..10usize {
        let b = *bytes.get(i)?;
        number = number.checked_mul(128)?.checked_add(u64::from(b & 0x7f))?;
        if b & 0x80 == 0 {
            return Some((class, constructed, number, i.checked_add(1)?));
        }
    }
    None
}

/// Length octets: (Some(length) or None for indefinite, octets used).
fn read_length(bytes: &[u8]) -> Option<(Option<u64>, usize)> {
    let first = *bytes.first()?;
    if first < 0x80 {
        return Some((Some(u64::from(first)), 1));
    }
    if first == 0x80 {
        return Some((None, 1));
    }
    let count = usize::from(first & 0x7f);
    if count > 8 {
        return None;
    }
    let mut len: u64 = 0;
    for i in 1..=count {
        len = len.checked_mul(256)?.checked_add(u64::from(*bytes.get(i)?))?;
    }
    Some((Some(len), count.checked_add(1)?))
}

/// Parses the element at `bytes[pos..]`; returns it and the position after it.
fn parse_element(bytes: &[u8], pos: usize, base: u64, depth: u32, budget: &mut Budget) -> Option<(Asn1Node, usize)> {
    let rest = bytes.get(pos..)?;
    let (class_bits, constructed, number, id_len) = read_identifier(rest)?;
    let (length, len_len) = read_length(rest.get(id_len..)?)?;
    let header_len = id_len.checked_add(len_len)?;
    let content_start = pos.checked_add(header_len)?;
    budget.nodes = budget.nodes.saturating_add(1);
    let mut node = Asn1Node {
        tag: tag_name(class_bits, number, constructed),
        class: class_name(class_bits).to_string(),
        tag_number: number,
        constructed,
        offset: base.saturating_add(pos as u64),
        header_len: header_len as u64,
        ..Default::default()
    };
    match length {
        Some(len) => {
            let available = bytes.len().saturating_sub(content_start);
            let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
            let (content_len, truncated) = if len_usize > available { (available, true) } else { (len_usize, false) };
            node.len = len;
            let end = content_start.checked_add(content_len)?;
            let content = bytes.get(content_start..end)?;
            if truncated {
                node.note = Some(format!("declares {len} content bytes but only {available} remain (truncated)"));
            }
            if constructed {
                parse_children(bytes, content_start, end, base, depth, budget, &mut node, false);
            } else {
                describe_primitive(&mut node, class_bits, number, content);
                if class_bits == 0 && (number == 4 || number == 3) {
                    try_encapsulated(bytes, content_start, end, base, depth, budget, &mut node, number == 3);
                }
            }
            Some((node, end))
        }
        None => {
            // BER indefinite length: constructed only, children until end-of-contents (00 00).
            if !constructed {
                node.note = Some("indefinite length on a primitive element (invalid)".to_string());
                return Some((node, bytes.len()));
            }
            append_note(&mut node, "indefinite length (BER, not DER)".to_string());
            let end = parse_children(bytes, content_start, bytes.len(), base, depth, budget, &mut node, true);
            let (content_end, after) = match end {
                Some(eoc) => (eoc, eoc.saturating_add(2)),
                None => {
                    append_note(&mut node, "no end-of-contents before the end of the data".to_string());
                    (bytes.len(), bytes.len())
                }
            };
            node.len = content_end.saturating_sub(content_start) as u64;
            Some((node, after.min(bytes.len())))
        }
    }
}

/// Parses the children in `bytes[start..end]`. With `until_eoc`, stops at an end-of-contents
/// element and returns its position.
#[allow(clippy::too_many_arguments)]
fn parse_children(
    bytes: &[u8],
    start: usize,
    end: usize,
    base: u64,
    depth: u32,
    budget: &mut Budget,
    node: &mut Asn1Node,
    until_eoc: bool,
) -> Option<usize> {
    if depth >= budget.limits.max_depth {
        budget.cut = true;
        append_note(node, "not expanded (depth limit)".to_string());
        return None;
    }
    let region = bytes.get(..end)?;
    let mut pos = start;
    while pos < end {
        if until_eoc && region.get(pos..pos.checked_add(2)?) == Some(&[0, 0][..]) {
            return Some(pos);
        }
        if budget.nodes >= budget.limits.max_nodes {
            budget.cut = true;
            append_note(node, "more elements not shown (element limit)".to_string());
            return None;
        }
        match parse_element(region, pos, base, depth.saturating_add(1), budget) {
            Some((child, next)) if next > pos => {
                node.children.push(child);
                pos = next;
            }
            _ => {
                append_note(node, format!("unreadable element at offset {}", base.saturating_add(pos as u64)));
                return None;
            }
        }
    }
    None
}

/// An OCTET STRING / BIT STRING whose value is exactly one SEQUENCE or SET: show it as children.
#[allow(clippy::too_many_arguments)]
fn try_encapsulated(
    bytes: &[u8],
    start: usize,
    end: usize,
    base: u64,
    depth: u32,
    budget: &mut Budget,
    node: &mut Asn1Node,
    bit_string: bool,
) {
    let start = if bit_string {
        // The first content octet is the unused-bits count; it must be 0.
        if bytes.get(start) != Some(&0) {
            return;
        }
        start.saturating_add(1)
    } else {
        start
    };
    let Some(&first) = bytes.get(start) else { return };
    if first != 0x30 && first != 0x31 {
        return;
    }
    if depth >= budget.limits.max_depth {
        return;
    }
    // Parse into a scratch budget first, so that a false positive costs nothing.
    let region = match bytes.get(..end) {
        Some(r) => r,
        None => return,
    };
    let mut trial = Budget { nodes: budget.nodes, limits: budget.limits, cut: false };
    if let Some((child, next)) = parse_element(region, start, base, depth.saturating_add(1), &mut trial) {
        if next == end && child.note.is_none() && !trial.cut {
            budget.nodes = trial.nodes;
            node.children.push(child);
            node.encapsulated = true;
        }
    }
}

fn class_name(class: u8) -> &'static str {
    match class {
        0 => "universal",
        1 => "application",
        2 => "context",
        _ => "private",
    }
}

fn tag_name(class: u8, number: u64, constructed: bool) -> String {
    match class {
        0 => universal_name(number).map(str::to_string).unwrap_or_else(|| {
            if constructed {
                format!("[UNIVERSAL {number}] (constructed)")
            } else {
                format!("[UNIVERSAL {number}]")
            }
        }),
        1 => format!("[APPLICATION {number}]"),
        2 => format!("[{number}]"),
        _ => format!("[PRIVATE {number}]"),
    }
}

fn universal_name(number: u64) -> Option<&'static str> {
    Some(match number {
        0 => "END OF CONTENTS",
        1 => "BOOLEAN",
        2 => "INTEGER",
        3 => "BIT STRING",
        4 => "OCTET STRING",
        5 => "NULL",
        6 => "OBJECT IDENTIFIER",
        10 => "ENUMERATED",
        12 => "UTF8String",
        16 => "SEQUENCE",
        17 => "SET",
        19 => "PrintableString",
        20 => "T61String",
        22 => "IA5String",
        23 => "UTCTime",
        24 => "GeneralizedTime",
        26 => "VisibleString",
        28 => "UniversalString",
        30 => "BMPString",
        _ => return None,
    })
}

/// Longest preview text, in characters.
const PREVIEW_CHARS: usize = 120;
/// Most bytes shown as hex in a preview.
const PREVIEW_HEX_BYTES: usize = 32;

fn describe_primitive(node: &mut Asn1Node, class: u8, number: u64, content: &[u8]) {
    if class != 0 {
        // Context-specific primitives: GeneralName URIs / DNS names are ASCII text, the rest hex.
        node.preview = Some(ascii_text(content).unwrap_or_else(|| hex_preview(content)));
        return;
    }
    node.preview = match number {
        1 => Some(match content {
            [0] => "FALSE".to_string(),
            [_] => "TRUE".to_string(),
            _ => hex_preview(content),
        }),
        2 | 10 => Some(integer_preview(content)),
        3 => Some(match content.split_first() {
            Some((unused, rest)) => format!("{} unused bits: {}", unused, hex_preview(rest)),
            None => "(empty)".to_string(),
        }),
        4 => Some(utf16le_text(content).map(|t| format!("\"{t}\"")).unwrap_or_else(|| hex_preview(content))),
        5 => None,
        6 => {
            let (dotted, name) = oid_text(content);
            node.oid = dotted.clone();
            node.name = name.clone();
            match (dotted, name) {
                (Some(d), Some(n)) => Some(format!("{n} ({d})")),
                (Some(d), None) => Some(d),
                _ => Some(format!("(invalid) {}", hex_preview(content))),
            }
        }
        12 | 19 | 20 | 22 | 23 | 24 | 26 => Some(clip(&String::from_utf8_lossy(content))),
        30 => Some(utf16be_text(content).unwrap_or_else(|| hex_preview(content))),
        _ => Some(hex_preview(content)),
    };
}

fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(PREVIEW_CHARS).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if text.chars().count() > PREVIEW_CHARS {
        out.push('\u{2026}');
    }
    out
}

fn hex_preview(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".to_string();
    }
    let shown = bytes.get(..PREVIEW_HEX_BYTES).unwrap_or(bytes);
    let mut out = crate::hex::encode(shown);
    if bytes.len() > PREVIEW_HEX_BYTES {
        out.push_str(&format!("\u{2026} ({} bytes)", bytes.len()));
    }
    out
}

fn integer_preview(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".to_string();
    }
    if bytes.len() <= 8 {
        let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
        let mut value: i128 = if negative { -1 } else { 0 };
        for &b in bytes {
            value = value.wrapping_shl(8) | i128::from(b);
        }
        return value.to_string();
    }
    format!("0x{}", hex_preview(bytes))
}

fn ascii_text(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() || !bytes.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    Some(format!("\"{}\"", clip(&String::from_utf8_lossy(bytes))))
}

/// Catalog NameValue values are UTF-16LE text, usually with a terminating NUL.
fn utf16le_text(bytes: &[u8]) -> Option<String> {
    utf16_text(bytes, u16::from_le_bytes)
}

fn utf16be_text(bytes: &[u8]) -> Option<String> {
    utf16_text(bytes, u16::from_be_bytes).map(|t| format!("\"{t}\""))
}

fn utf16_text(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    if bytes.len() < 2 || bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| match c {
            [a, b] => unit([*a, *b]),
            _ => 0,
        })
        .collect();
    let trimmed: &[u16] = match units.split_last() {
        Some((0, rest)) => rest,
        _ => &units,
    };
    let text = String::from_utf16(trimmed).ok()?;
    // Mostly ASCII text, or it is more likely binary that happens to decode.
    let ascii = text.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').count();
    if text.is_empty() || text.chars().any(|c| c.is_control()) || ascii.saturating_mul(5) < text.chars().count().saturating_mul(4) {
        return None;
    }
    Some(clip(&text))
}

/// The dotted form of an OID's content octets and its name.
fn oid_text(content: &[u8]) -> (Option<String>, Option<String>) {
    let Some(dotted) = dotted_oid(content) else { return (None, None) };
    let name = oid_name(&dotted).map(str::to_string);
    (Some(dotted), name)
}

/// X.690 8.19: base-128 subidentifiers; the first one encodes the first two arcs.
fn dotted_oid(content: &[u8]) -> Option<String> {
    if content.is_empty() || content.last().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let mut arcs: Vec<u128> = Vec::new();
    let mut value: u128 = 0;
    for &b in content {
        value = value.checked_mul(128)?.checked_add(u128::from(b & 0x7f))?;
        if b & 0x80 == 0 {
            arcs.push(value);
            value = 0;
        }
    }
    let first = *arcs.first()?;
    let (a, b) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first.saturating_sub(40)),
        _ => (2, first.saturating_sub(80)),
    };
    let mut out = format!("{a}.{b}");
    for arc in arcs.get(1..).unwrap_or(&[]) {
        out.push('.');
        out.push_str(&arc.to_string());
    }
    Some(out)
}

/// The name of an OID in dotted form (see [`crate::oid_names`]).
pub fn oid_name(dotted: &str) -> Option<&'static str> {
    crate::oid_names::name(dotted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    #[test]
    fn sequence_with_oid_integer_and_text() {
        // SEQUENCE { OID 1.3.6.1.4.1.311.2.1.4, INTEGER 300, UTF8String "hi", NULL }
        let oid = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04];
        let body = [&oid[..], &[0x02, 0x02, 0x01, 0x2c], &tlv(0x0c, b"hi"), &[0x05, 0x00]].concat();
        let der = tlv(0x30, &body);
        let root = tree_at(&der, 100, &Limits::default());
        assert_eq!(root.tag, "SEQUENCE");
        assert!(root.constructed);
        assert_eq!((root.offset, root.header_len, root.len), (100, 2, body.len() as u64));
        assert_eq!(root.children.len(), 4);
        let o = &root.children[0];
        assert_eq!(o.offset, 102);
        assert_eq!(o.oid.as_deref(), Some("1.3.6.1.4.1.311.2.1.4"));
        assert_eq!(o.name.as_deref(), Some("SPC_INDIRECT_DATA"));
        assert_eq!(root.children[1].preview.as_deref(), Some("300"));
        assert_eq!(root.children[2].preview.as_deref(), Some("hi"));
        assert_eq!(root.children[3].tag, "NULL");
        assert_eq!(root.note, None);
        assert_eq!(root.count(), 5);
    }

    #[test]
    fn known_standard_oids() {
        // 2.5.4.3 commonName
        let root = tree(&[0x06, 0x03, 0x55, 0x04, 0x03], &Limits::default());
        assert_eq!(root.oid.as_deref(), Some("2.5.4.3"));
        assert_eq!(root.name.as_deref(), Some("cn"));
        // sha256 2.16.840.1.101.3.4.2.1
        let root = tree(&[0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01], &Limits::default());
        assert_eq!(root.oid.as_deref(), Some("2.16.840.1.101.3.4.2.1"));
        assert_eq!(root.name.as_deref(), Some("id-sha256"));
    }

    #[test]
    fn context_tags_negative_integers_and_high_tags() {
        let der = tlv(0xa0, &[0x02, 0x01, 0xff, 0x9f, 0x1f, 0x01, 0x41]);
        let root = tree(&der, &Limits::default());
        assert_eq!((root.tag.as_str(), root.class.as_str()), ("[0]", "context"));
        assert_eq!(root.children[0].preview.as_deref(), Some("-1"));
        let high = &root.children[1];
        assert_eq!((high.tag_number, high.tag.as_str()), (31, "[31]"));
        assert_eq!(high.preview.as_deref(), Some("\"A\""));
    }

    #[test]
    fn encapsulated_octet_string_and_utf16_values() {
        let inner = tlv(0x30, &[0x02, 0x01, 0x05]);
        let der = tlv(0x30, &[tlv(0x04, &inner), tlv(0x04, &[b'O', 0, b'S', 0, 0, 0]), tlv(0x04, &[0x30, 0x05])].concat());
        let root = tree(&der, &Limits::default());
        let enc = &root.children[0];
        assert!(enc.encapsulated);
        assert_eq!(enc.children[0].children[0].preview.as_deref(), Some("5"));
        assert_eq!(root.children[1].preview.as_deref(), Some("\"OS\""));
        // Looks like a SEQUENCE but is not one: stays a leaf with a hex preview.
        assert!(!root.children[2].encapsulated);
        assert_eq!(root.children[2].preview.as_deref(), Some("3005"));
    }

    #[test]
    fn truncation_trailing_and_garbage_never_panic() {
        let der = tlv(0x30, &[0x02, 0x01, 0x05]);
        let cut = &der[..4];
        let root = tree(cut, &Limits::default());
        assert!(root.note.as_deref().unwrap_or("").contains("truncated"), "{root:?}");
        let mut padded = der.clone();
        padded.extend([0, 0, 0]);
        let root = tree(&padded, &Limits::default());
        assert_eq!(root.note.as_deref(), Some("3 bytes of zero padding follow this element"));
        assert_eq!(tree(&[], &Limits::default()).tag, "(not DER)");
        assert_eq!(tree(&[0x1f], &Limits::default()).tag, "(not DER)");
        assert_eq!(tree(&[0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1], &Limits::default()).tag, "(not DER)");
        // Every prefix and a few mutations of a real-ish blob.
        let big = tlv(0x30, &[tlv(0x31, &[0x06, 0x03, 0x55, 0x04, 0x03]), tlv(0xa0, &[0x80, 0x00])].concat());
        for end in 0..=big.len() {
            let _ = tree(&big[..end], &Limits::default());
        }
        for i in 0..big.len() {
            for v in [0x00, 0x80, 0xff, 0x1f, 0x30] {
                let mut m = big.clone();
                m[i] = v;
                let _ = tree(&m, &Limits::default());
            }
        }
    }

    #[test]
    fn ber_indefinite_length() {
        // SEQUENCE (indefinite) { INTEGER 1 } EOC, then nothing.
        let der = [0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00];
        let root = tree(&der, &Limits::default());
        assert_eq!(root.children.len(), 1);
        assert_eq!(root.len, 3);
        assert!(root.note.as_deref().unwrap_or("").contains("indefinite"));
        let open = tree(&der[..5], &Limits::default());
        assert!(open.note.as_deref().unwrap_or("").contains("no end-of-contents"));
    }

    #[test]
    fn a_real_catalog() {
        let cat = include_bytes!("../tests/fixtures/packages/good/drvsigtest.cat");
        let root = tree(cat, &Limits::default());
        assert_eq!(root.note, None, "{root:?}");
        assert_eq!(root.len + root.header_len, cat.len() as u64);
        assert_eq!(root.children[0].name.as_deref(), Some("signedData"));
        let mut names = Vec::new();
        fn walk(n: &Asn1Node, out: &mut Vec<String>) {
            out.extend(n.name.clone());
            n.children.iter().for_each(|c| walk(c, out));
        }
        walk(&root, &mut names);
        for want in ["szOID_CTL (certificate trust list)", "szOID_CATALOG_LIST", "CAT_NAMEVALUE", "SPC_INDIRECT_DATA", "id-sha256"] {
            assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
        }
    }

    #[test]
    fn limits_bound_depth_and_nodes() {
        let mut der = vec![0x05, 0x00];
        for _ in 0..100 {
            der = tlv(0x30, &der);
        }
        let root = tree(&der, &Limits { max_depth: 10, max_nodes: 1000 });
        assert!(root.count() <= 11, "{}", root.count());
        assert!(root.note.as_deref().unwrap_or("").contains("limits"));
        let many = tlv(0x30, &[0x05, 0x00].repeat(500));
        let root = tree(&many, &Limits { max_depth: 10, max_nodes: 50 });
        assert!(root.count() <= 50, "{}", root.count());
    }
}
