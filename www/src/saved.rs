//! Saved reports: a drvsig JSON report (the CLI's `--json`, the page's export, a share link) shown
//! in the page's own views, marked "saved report of FILE, made TIME by drvsig VERSION". Reports
//! of a newer schema get a clear message, never a blank card. Share links carry the report
//! deflated and base64url-encoded in the URL fragment (`#report=...`), which browsers never send
//! to a server. Pure functions: unit-tested natively.

use std::rc::Rc;

use base64::Engine;
use drvsig::report::SCHEMA_VERSION;
use drvsig::InspectionReport;

/// Longest share link the page hands out (the whole URL, in characters): chat tools and ticket
/// systems cut or refuse longer ones, and some browsers limit what they display.
pub const MAX_LINK_CHARS: usize = 32_000;

/// The fragment prefix of a share link.
pub const FRAGMENT: &str = "#report=";

/// A saved report on the page, or why it cannot be shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    /// Identifies it on the page (the dropped file's id, or a fresh one for a link).
    pub id: u64,
    /// Where it came from: the dropped file's name, or `a shared link`.
    pub origin: String,
    pub report: Result<Rc<InspectionReport>, String>,
}

/// What is read of a JSON file first, to tell a drvsig report from other JSON.
#[derive(serde::Deserialize)]
struct Peek {
    #[allow(dead_code)]
    files: Vec<serde::de::IgnoredAny>,
    #[allow(dead_code)]
    packages: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    made_by: Option<PeekMadeBy>,
}

#[derive(serde::Deserialize)]
struct PeekMadeBy {
    #[serde(default)]
    schema_version: u64,
    #[serde(default)]
    version: Option<String>,
}

/// JSON text, parsed once, decoded as often as asked. In the page the browser's `JSON.parse`
/// reads it and serde-wasm-bindgen converts it (as `services::decode` does for the workers'
/// reports): serde_json's parser and a second set of the report's `Deserialize` code stay out of
/// the page's wasm. Natively (the tests), serde_json.
struct Parsed(#[cfg(target_arch = "wasm32")] wasm_bindgen::JsValue, #[cfg(not(target_arch = "wasm32"))] serde_json::Value);

impl Parsed {
    fn new(text: &str) -> Option<Parsed> {
        #[cfg(target_arch = "wasm32")]
        return js_sys::JSON::parse(text).ok().map(Parsed);
        #[cfg(not(target_arch = "wasm32"))]
        return serde_json::from_str(text).ok().map(Parsed);
    }

    fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        #[cfg(target_arch = "wasm32")]
        return serde_wasm_bindgen::from_value(self.0.clone()).map_err(|e| e.to_string());
        #[cfg(not(target_arch = "wasm32"))]
        return T::deserialize(&self.0).map_err(|e| e.to_string());
    }
}

/// Reads `text` as a drvsig report: `Ok(None)` when it is not one (other JSON, or not JSON),
/// `Ok(Some(..))` when it is, `Err(message)` when it is a drvsig report this page cannot read.
pub fn parse_saved(text: &str) -> Result<Option<InspectionReport>, String> {
    let Some(parsed) = Parsed::new(text) else {
        return Ok(None);
    };
    let Ok(peek) = parsed.decode::<Peek>() else {
        return Ok(None);
    };
    let schema = peek.made_by.as_ref().map_or(0, |m| m.schema_version);
    if schema > u64::from(SCHEMA_VERSION) {
        let version = peek.made_by.and_then(|m| m.version).unwrap_or_else(|| "a newer drvsig".to_string());
        return Err(format!(
            "This report was made by drvsig {version} with report schema {schema}; this page reads schema {SCHEMA_VERSION} and earlier. Open it with drvsig {version} or newer (the command-line tool, or a newer copy of this page)."
        ));
    }
    parsed
        .decode::<InspectionReport>()
        .map(Some)
        .map_err(|e| format!("This looks like a drvsig report, but it cannot be read: {e}. Was it edited by hand?"))
}

/// `Saved report of silabser.sys and 2 more files, made 2026-12-01 10:00:00 UTC by drvsig 0.1.0`.
pub fn marker(report: &InspectionReport) -> String {
    let files = match report.files.as_slice() {
        [] => "no files".to_string(),
        [one] => one.name.clone(),
        [first, rest @ ..] => format!("{} and {} more file{}", first.name, rest.len(), if rest.len() == 1 { "" } else { "s" }),
    };
    match &report.made_by {
        Some(m) => {
            format!("Saved report of {files}, made {} by {} {}", m.made_at.replacen('T', " ", 1).replace('Z', " UTC"), m.tool, m.version)
        }
        None => format!("Saved report of {files}, made by an earlier drvsig (no version or time recorded)"),
    }
}

/// A share link's report is at most this big once inflated.
const MAX_LINK_REPORT: usize = 64 * 1024 * 1024;

/// The JSON a share link carries (deflated by [`fragment_of`]'s caller).
pub fn link_json(report: &InspectionReport) -> Result<Vec<u8>, String> {
    serde_json::to_vec(report).map_err(|e| e.to_string())
}

/// The fragment (`#report=...`) carrying the deflated JSON (base64url without padding).
pub fn fragment_of(deflated: &[u8]) -> String {
    format!("{FRAGMENT}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(deflated))
}

/// The deflated bytes of a share link's fragment: `None` when the fragment is not a share link.
pub fn deflated_of(hash: &str) -> Option<Result<Vec<u8>, String>> {
    let data = hash.strip_prefix(FRAGMENT)?;
    Some(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(data.trim_end_matches('='))
            .map_err(|_| "The link's report is damaged (it is not base64url): was the link cut short?".to_string()),
    )
}

/// The report of a share link, from its inflated JSON (`None`: it did not inflate).
pub fn report_of_link(json: Option<Vec<u8>>) -> Result<InspectionReport, String> {
    let json = json.ok_or_else(|| "The link's report is damaged (it does not inflate): was the link cut short?".to_string())?;
    match parse_saved(&String::from_utf8_lossy(&json))? {
        Some(report) => Ok(report),
        None => Err("The link does not carry a drvsig report.".to_string()),
    }
}

/// The fragment (`#report=...`) carrying `report`: its JSON deflated by the browser.
pub async fn encode_fragment(report: &InspectionReport) -> Result<String, String> {
    let json = link_json(report)?;
    let deflated = crate::services::browser::deflate(&json).await.ok_or("this browser cannot compress (CompressionStream)")?;
    Ok(fragment_of(&deflated))
}

/// The report in a share link's fragment: `None` when the fragment is not a share link.
pub async fn decode_fragment(hash: &str) -> Option<Result<InspectionReport, String>> {
    let deflated = match deflated_of(hash)? {
        Ok(deflated) => deflated,
        Err(e) => return Some(Err(e)),
    };
    Some(report_of_link(crate::services::browser::inflate(&deflated, MAX_LINK_REPORT).await))
}

/// The message when a share link would be too long, or `None` when it fits.
pub fn too_long(url_chars: usize) -> Option<String> {
    (url_chars > MAX_LINK_CHARS).then(|| {
        format!(
            "This report is too big for a link ({} characters compressed; links stay under {}): use Download and send the JSON file, which the page opens the same way.",
            url_chars, MAX_LINK_CHARS
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use drvsig::{Options, UnixTime};

    fn report() -> InspectionReport {
        let file = drvsig::inspect("a.sys", b"MZ not really", &Options::at(UnixTime(1_700_000_000)));
        InspectionReport { made_by: None, files: vec![file], packages: vec![] }.stamped("2026-12-01T10:00:00Z")
    }

    #[test]
    fn reports_round_trip_through_json_and_links() {
        let r = report();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(parse_saved(&json), Ok(Some(r.clone())));
        // The browser deflates and inflates (CompressionStream, e2e); here miniz_oxide stands in.
        let encode = |r: &InspectionReport| fragment_of(&miniz_oxide::deflate::compress_to_vec(&link_json(r).unwrap(), 9));
        let decode = |hash: &str| {
            deflated_of(hash).map(|d| {
                report_of_link(Some(d?).and_then(|d| miniz_oxide::inflate::decompress_to_vec_with_limit(&d, MAX_LINK_REPORT).ok()))
            })
        };
        let fragment = encode(&r);
        assert!(fragment.starts_with("#report=") && !fragment.contains('+') && !fragment.contains('/'));
        assert_eq!(decode(&fragment), Some(Ok(r.clone())));
        assert_eq!(decode("#other"), None);
        assert!(decode("#report=%%%").unwrap().is_err());
        assert!(decode(&fragment[..fragment.len() / 2]).unwrap().is_err());
        assert_eq!(marker(&r), "Saved report of a.sys, made 2026-12-01 10:00:00 UTC by drvsig 0.1.0");
    }

    #[test]
    fn other_json_and_newer_schemas() {
        assert_eq!(parse_saved("{\"name\": 1}"), Ok(None));
        assert_eq!(parse_saved("not json"), Ok(None));
        // A report of an earlier drvsig (no made_by) is read and marked so.
        let mut old = serde_json::to_value(report()).unwrap();
        old.as_object_mut().unwrap().remove("made_by");
        let old = parse_saved(&old.to_string()).unwrap().unwrap();
        assert!(marker(&old).ends_with("made by an earlier drvsig (no version or time recorded)"), "{}", marker(&old));
        let mut newer = serde_json::to_value(report()).unwrap();
        newer["made_by"]["schema_version"] = serde_json::json!(SCHEMA_VERSION + 1);
        newer["made_by"]["version"] = serde_json::json!("9.0.0");
        let message = parse_saved(&newer.to_string()).unwrap_err();
        assert!(message.starts_with("This report was made by drvsig 9.0.0 with report schema 2;"), "{message}");
        assert!(too_long(MAX_LINK_CHARS).is_none());
        assert!(too_long(MAX_LINK_CHARS + 1).unwrap().starts_with("This report is too big for a link"));
    }
}
