//! Catalogs of the corpus against signify's listing (manifest.json `oracles.signify.signatures[0].ctl`):
//! member count, identifiers, tags, digests, data types, SIP GUIDs, and every name/value in order.

use drvsig::catalog::parse_catalog;
use drvsig::report::{CatalogReport, NameValueReport};
use drvsig::UnixTime;
use serde_json::Value;

use crate::support::corpus;

fn manifest(dir: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn name_values(list: &Value) -> Vec<(String, String, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|a| a.get("type").is_none_or(|t| t == "namevalue"))
        .map(|a| (a["name"].as_str().unwrap().to_string(), a["value"].as_str().unwrap().to_string(), a["flags"].as_i64().unwrap()))
        .collect()
}

fn ours(list: &[NameValueReport]) -> Vec<(String, String, i64)> {
    list.iter().map(|a| (a.name.clone(), a.value.clone(), a.flags)).collect()
}

fn content_type(data_type: Option<&str>) -> Option<&'static str> {
    data_type.map(|d| match d {
        "pe-image" => "microsoft_spc_pe_image_data",
        "flat-file" => "microsoft_spc_cab_data",
        _ => "other",
    })
}

fn check(path: &str, report: &CatalogReport, ctl: &Value) {
    assert_eq!(report.member_count, ctl["member_count"].as_u64().unwrap(), "{path}: member count");
    assert_eq!(report.members.len() as u64, report.member_count);
    assert_eq!(report.list_identifier, ctl["list_identifier"].as_str().unwrap(), "{path}: listIdentifier");
    assert_eq!(report.subject_algorithm, ctl["subject_algorithm"].as_str().unwrap(), "{path}: subjectAlgorithm");
    let this_update = ctl["this_update"].as_str().unwrap().replacen(' ', "T", 1);
    assert_eq!(report.this_update, UnixTime::parse_rfc3339(&this_update).unwrap().to_rfc3339(), "{path}: thisUpdate");
    assert_eq!(ours(&report.attributes), name_values(&ctl["catalog_attributes"]), "{path}: catalog attributes");
    for (i, (m, s)) in report.members.iter().zip(ctl["members"].as_array().unwrap()).enumerate() {
        let at = format!("{path}: member {i}");
        assert_eq!(m.identifier_hex, s["identifier_hex"].as_str().unwrap(), "{at}: identifier");
        // signify prints hash tags in lowercase; we print them uppercase (name tags as text).
        assert!(m.tag.eq_ignore_ascii_case(s["tag"].as_str().unwrap()), "{at}: tag {} vs {}", m.tag, s["tag"]);
        assert_eq!(m.digest.as_deref(), s.get("digest").and_then(Value::as_str), "{at}: digest");
        assert_eq!(m.digest_algorithm.as_deref(), s.get("digest_algorithm").and_then(Value::as_str), "{at}: digest algorithm");
        assert_eq!(content_type(m.data_type.as_deref()), s.get("content_type").and_then(Value::as_str), "{at}: data type");
        let attrs = s["attributes"].as_array().unwrap();
        assert_eq!(ours(&m.attributes), name_values(&s["attributes"]), "{at}: name/values");
        let info = attrs.iter().find(|a| a["type"] == "memberinfo");
        assert_eq!(m.sip_guid.as_deref(), info.map(|a| a["subguid"].as_str().unwrap()), "{at}: SIP GUID");
        assert_eq!(m.member_info_version, info.map(|a| a["certversion"].as_i64().unwrap()), "{at}: memberinfo version");
        assert_eq!(m.member_info2, attrs.iter().any(|a| a["type"] == "microsoft_cat_memberinfo2"), "{at}: memberinfo2");
        assert_eq!(m.digest.is_some(), attrs.iter().any(|a| a["type"] == "spc_indirect_data"), "{at}: SPC_INDIRECT_DATA");
        assert!(m.other_attributes.is_empty(), "{at}: unknown attributes {:?}", m.other_attributes);
    }
    assert!(report.findings.is_empty(), "{path}: {:?}", report.findings);
}

#[test]
fn every_corpus_catalog_matches_signify() {
    let Some(dir) = corpus() else { return };
    let manifest = manifest(&dir);
    let mut checked = Vec::new();
    for file in manifest["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        if !path.ends_with(".cat") {
            continue;
        }
        let bytes = std::fs::read(dir.join(path)).unwrap();
        let catalog = parse_catalog(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        let report = catalog.to_report();
        check(path, &report, &file["oracles"]["signify"]["signatures"][0]["ctl"]);
        // The same through the public entry point.
        let full = drvsig::inspect(path, &bytes, &drvsig::Options::at(UnixTime(1_700_000_000)));
        assert_eq!(full.kind, drvsig::FileKind::Catalog, "{path}");
        assert_eq!(full.catalog.as_ref(), Some(&report), "{path}");
        checked.push((path.to_string(), report.member_count));
    }
    eprintln!("catalogs checked against signify: {checked:?}");
    for must in
        ["catalogs/catfiletest.cat", "drivers/arduino/arduino.cat", "tampered/arduino-memberflip.cat", "drivers/vigembus/ViGEmBus.cat"]
    {
        assert!(checked.iter().any(|(p, _)| p == must), "{must} not in the manifest");
    }
}

#[test]
fn catalog_facts_people_read() {
    let Some(dir) = corpus() else { return };
    let bytes = std::fs::read(dir.join("drivers/cp210x-6.7/slabvcp.cat")).unwrap();
    let r = parse_catalog(&bytes).unwrap().to_report();
    assert_eq!(r.hwids.first().map(String::as_str), Some("usb\\vid_10c4&pid_ea60"));
    assert_eq!(r.hwids.len(), 7);
    assert_eq!(
        r.os_attr_windows,
        ["Windows 2000", "Windows XP", "Windows Server 2003 / XP x64", "Windows Vista", "Windows 7", "Windows 8", "Windows 8.1"]
    );
    let inf = r.members.iter().find(|m| m.attributes.iter().any(|a| a.name == "File" && a.value == "slabvcp.inf")).unwrap();
    assert_eq!(inf.tag_kind, "name");
    assert_eq!(inf.tag, "B97004A400E30DCF940971EFA7A0C13C6B0A4B66");
    assert_eq!(inf.data_type.as_deref(), Some("flat-file"));
    assert_eq!(inf.sip_guid.as_deref(), Some("{DE351A42-8E59-11D0-8C47-00C04FC295EE}"));

    let bytes = std::fs::read(dir.join("drivers/vigembus/ViGEmBus.cat")).unwrap();
    let r = parse_catalog(&bytes).unwrap().to_report();
    assert_eq!(r.subject_algorithm, "sha256");
    assert_eq!(r.os_attr_windows, ["Windows 10/11"]);
    assert_eq!(r.members[0].tag_kind, "hash");
    assert_eq!(r.members[0].tag, "167B62BFD7471179CF68CB5B2F83C8365EDF4875");
}

#[test]
fn non_catalogs_are_errors_not_panics() {
    let Some(dir) = corpus() else { return };
    for path in ["drivers/arduino/arduino.inf", "pe/signify/pciide.sys", "malformed/fwupdx64-truncated.efi"] {
        let bytes = std::fs::read(dir.join(path)).unwrap();
        assert!(parse_catalog(&bytes).is_err(), "{path}");
    }
    // Every truncation of a real catalog is an error or a partial listing, never a panic.
    let bytes = std::fs::read(dir.join("drivers/arduino/arduino.cat")).unwrap();
    for cut in (0..bytes.len()).step_by(7) {
        let _ = parse_catalog(&bytes[..cut]).map(|c| c.to_report());
    }
    // Every byte of the ContentInfo head and the CTL flipped in turn: never a panic.
    for i in 0..bytes.len().min(3600) {
        let mut b = bytes.clone();
        b[i] ^= 0x55;
        let _ = parse_catalog(&b).map(|c| c.to_report());
    }
}
