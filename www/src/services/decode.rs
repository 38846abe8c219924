//! Decoding the JSON reports the inspection worker sends (an [`drvsig::InspectionReport`] per
//! file, the packages of the package pass).
//!
//! The browser's own parser (`JSON.parse`) reads the text and `serde-wasm-bindgen` converts the
//! resulting JS value: serde_json's parser is not linked into the page (it cost ~60 KB of the
//! gzipped wasm; serde_json stays for writing JSON only). The report's serde attributes
//! (`default`, `skip_serializing_if`) work as with serde_json, since the JS value is
//! self-describing. One difference: JSON numbers become JS doubles, so an integer above 2^53 does
//! not decode (an error: the caller then inspects the file on the page instead); none of the
//! report's counts, offsets or sizes comes near that.

use drvsig::report::PackageReport;
use drvsig::{FileReport, InspectionReport};
use js_sys::JsString;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string as it is (js_sys's takes a `&str`: the text would be copied
    /// into the wasm memory and back).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_js(text: &JsString) -> Result<JsValue, JsValue>;
}

fn parse(json: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(json).map_err(|_| "the report is not JSON".to_string())
}

/// One file's report as the worker sent it.
pub fn inspection_from_json(json: &str) -> Result<InspectionReport, String> {
    serde_wasm_bindgen::from_value(parse(json)?).map_err(|e| e.to_string())
}

/// One file's report as the worker sent it, a JS string (a batch's: it stays a JS string).
pub fn inspection_from_js(json: &JsString) -> Result<InspectionReport, String> {
    let value = parse_js(json).map_err(|_| "the report is not JSON".to_string())?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// The packages of the worker's package pass.
pub fn packages_from_json(json: &str) -> Result<Vec<PackageReport>, String> {
    serde_wasm_bindgen::from_value(parse(json)?).map_err(|e| e.to_string())
}

/// One file's report (a dropped block list's card).
pub fn file_from_json(json: &str) -> Result<FileReport, String> {
    serde_wasm_bindgen::from_value(parse(json)?).map_err(|e| e.to_string())
}
