//! LOLDrivers (github.com/magicsword-io/LOLDrivers): one YAML record per driver family, or all of
//! them as `drivers.json`. Both go through the same serde model ([`Record`]); YAML is read with
//! yaml-rust2 and turned into a JSON value first. Every field is optional where upstream leaves it
//! empty; a record without an `Id` or with an unknown `Category` is an error naming it.

use serde::Deserialize;
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::{normalise_hash, List, ListError, LolRecord, LolRules, LolSample, Rules};
use crate::report::{ListCounts, ListInfo, LolCategory};

/// One upstream record, as upstream spells it (the fields drvsig uses).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Record {
    #[serde(rename = "Id")]
    pub id: Option<Value>,
    pub category: Option<Value>,
    pub resources: Option<Value>,
    pub known_vulnerable_samples: Option<Vec<Sample>>,
}

/// One upstream sample.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Sample {
    #[serde(rename = "Filename")]
    pub filename: Option<Value>,
    #[serde(rename = "OriginalFilename")]
    pub original_filename: Option<Value>,
    #[serde(rename = "MD5")]
    pub md5: Option<Value>,
    #[serde(rename = "SHA1")]
    pub sha1: Option<Value>,
    #[serde(rename = "SHA256")]
    pub sha256: Option<Value>,
    #[serde(rename = "Authentihash")]
    pub authentihash: Option<Authentihash>,
    #[serde(rename = "LoadsDespiteHVCI")]
    pub loads_despite_hvci: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Authentihash {
    #[serde(rename = "SHA1")]
    pub sha1: Option<Value>,
    #[serde(rename = "SHA256")]
    pub sha256: Option<Value>,
}

/// `drivers.json`: a JSON array of records.
pub fn parse_json(file: &str, text: &str) -> Result<Vec<LolRecord>, ListError> {
    let records: Vec<Record> = serde_json::from_str(text).map_err(|e| ListError {
        file: file.to_string(),
        line: u32::try_from(e.line()).ok(),
        element: None,
        message: e.to_string(),
    })?;
    records.into_iter().enumerate().map(|(i, r)| compile(file, &format!("record #{i}"), None, r)).collect()
}

/// One YAML record file.
pub fn parse_yaml_record(file: &str, text: &str) -> Result<LolRecord, ListError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| ListError {
        file: file.to_string(),
        line: u32::try_from(e.marker().line()).ok(),
        element: None,
        message: e.info().to_string(),
    })?;
    let doc = docs.into_iter().next().ok_or_else(|| error(file, None, "the file holds no YAML document"))?;
    let record: Record = serde_json::from_value(yaml_to_json(doc)).map_err(|e| error(file, None, &e.to_string()))?;
    compile(file, "record", None, record)
}

/// A list of records with its provenance and counts.
pub fn list(records: Vec<LolRecord>, mut info: ListInfo) -> List {
    info.counts = ListCounts {
        records: u32::try_from(records.len()).unwrap_or(u32::MAX),
        samples: u32::try_from(records.iter().map(|r| r.samples.len()).sum::<usize>()).unwrap_or(u32::MAX),
        ..ListCounts::default()
    };
    List { info, rules: Rules::Loldrivers(LolRules { records }) }
}

fn error(file: &str, element: Option<&str>, message: &str) -> ListError {
    ListError { file: file.to_string(), line: None, element: element.map(str::to_string), message: message.to_string() }
}

/// A scalar as text (`''` and null are absent; numbers and booleans as YAML wrote them).
fn text(v: &Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

fn hash(v: &Option<Value>) -> Option<String> {
    text(v).as_deref().and_then(normalise_hash)
}

fn compile(file: &str, what: &str, _line: Option<u32>, r: Record) -> Result<LolRecord, ListError> {
    let id = text(&r.id).ok_or_else(|| error(file, Some("Id"), &format!("{what} has no Id")))?;
    let category = match text(&r.category).map(|c| c.to_ascii_lowercase()).as_deref() {
        Some("vulnerable driver") => LolCategory::VulnerableDriver,
        Some("malicious") => LolCategory::Malicious,
        other => return Err(error(file, Some("Category"), &format!("record {id}: unknown category {other:?}"))),
    };
    let resources = match &r.resources {
        Some(Value::Array(items)) => items.iter().filter_map(|v| text(&Some(v.clone()))).collect(),
        other => text(other).into_iter().collect(),
    };
    let samples = r.known_vulnerable_samples.unwrap_or_default().iter().map(sample).collect();
    Ok(LolRecord { id, category, resources, samples })
}

fn sample(s: &Sample) -> LolSample {
    let sha256 = hash(&s.sha256);
    let auth = s.authentihash.as_ref();
    let auth_sha256 = auth.and_then(|a| hash(&a.sha256));
    LolSample {
        file_name: text(&s.original_filename).or_else(|| text(&s.filename)),
        sha1: if sha256.is_none() { hash(&s.sha1) } else { None },
        md5: if sha256.is_none() { hash(&s.md5) } else { None },
        sha256,
        authentihash_sha1: if auth_sha256.is_none() { auth.and_then(|a| hash(&a.sha1)) } else { None },
        authentihash_sha256: auth_sha256,
        loads_despite_hvci: match text(&s.loads_despite_hvci).map(|t| t.to_ascii_uppercase()).as_deref() {
            Some("TRUE") => Some(true),
            Some("FALSE") => Some(false),
            _ => None,
        },
    }
}

/// A YAML document as a JSON value (keys as text; aliases and bad values as null).
fn yaml_to_json(y: Yaml) -> Value {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Value::String(s),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s,
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}
