//! Known-vulnerable and malicious drivers, offline: Microsoft's driver block rules (SiPolicy XML,
//! [`sipolicy`]) and LOLDrivers ([`loldrivers`]), compiled into [`List`]s, shipped as a JSON index
//! ([`index`]) and matched by hash lookups ([`matching`]).
//!
//! The lists are data the caller passes in ([`crate::options::Options::blocklists`]), like the time: the
//! core never reads a file or fetches one. A list the caller cannot parse is a [`ListError`]
//! naming the file, the line and the element; the files are still inspected with the other lists.

pub mod index;
pub mod loldrivers;
pub mod matching;
pub mod sipolicy;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::report::{FourPartVersion, ListInfo, ListKind, LolCategory};

pub use matching::{match_file, match_file_noted, FileFacts};

/// One list, compiled: what applies to kernel drivers, nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct List {
    pub info: ListInfo,
    pub rules: Rules,
}

/// The rules of a list, by format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rules {
    SiPolicy(PolicyRules),
    Loldrivers(LolRules),
}

/// The SiPolicy rules in force for kernel drivers (SigningScenario 131): its `FileRulesRef`
/// deny rules and its `DeniedSigners`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRules {
    /// `Deny Hash=`: Authenticode or first-page hash, SHA-1 or SHA-256 (lowercase hex).
    #[serde(default)]
    pub hashes: Vec<HashRule>,
    /// `Deny FileName=` with a version range.
    #[serde(default)]
    pub files: Vec<FileRule>,
    /// Denied signers, their `FileAttribRef`s resolved.
    #[serde(default)]
    pub signers: Vec<SignerRule>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashRule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub hash: String,
}

/// A `Deny` or `FileAttrib` rule on the version resource: every attribute present must match; a
/// missing version bound is open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Compared with OriginalFilename, case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Compared with ProductName, case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_version: Option<FourPartVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_version: Option<FourPartVersion>,
}

/// A denied signer: a CA certificate (by TBS hash) in the signature's chain, narrowed by the
/// leaf's subject CN, the OEM id and file attributes where the rule gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerRule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `CertRoot Type="TBS"` value, lowercase hex (40, 64 or 96 digits).
    pub tbs: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oem_id: Option<String>,
    /// `FileAttribRef`s: the signer is denied only for files matching one of them (none = all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_attribs: Vec<FileRule>,
}

/// LOLDrivers records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LolRules {
    pub records: Vec<LolRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LolRecord {
    pub id: String,
    pub category: LolCategory,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    pub samples: Vec<LolSample>,
}

/// One LOLDrivers sample: the hashes that identify it (lowercase hex). Whole-file SHA-1 / MD5
/// and the Authenticode SHA-1 are kept only where the sample has no SHA-256 of the same kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LolSample {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentihash_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentihash_sha1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loads_despite_hvci: Option<bool>,
}

/// Why a list could not be read: the file, and where in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListError {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// The element (XML) or key (YAML / JSON) concerned, when known.
    pub element: Option<String>,
    pub message: String,
}

impl core::fmt::Display for ListError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(element) = &self.element {
            write!(f, ": <{element}>")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ListError {}

/// What a dropped or given file is, from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    SiPolicyXml,
    LoldriversJson,
    LoldriversYaml,
}

/// Recognise a block list by content: SiPolicy XML (an `<SiPolicy` element), LOLDrivers
/// `drivers.json` (a JSON array of records) or one LOLDrivers YAML record
/// (`KnownVulnerableSamples:`). `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<ListFormat> {
    let head = bytes.get(..bytes.len().min(4096)).unwrap_or_default();
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') && text.contains("<SiPolicy") {
        Some(ListFormat::SiPolicyXml)
    } else if trimmed.starts_with('[') && text.contains("KnownVulnerableSamples") {
        Some(ListFormat::LoldriversJson)
    } else if !trimmed.starts_with('<') && String::from_utf8_lossy(bytes).contains("KnownVulnerableSamples:") {
        Some(ListFormat::LoldriversYaml)
    } else {
        None
    }
}

/// Parse a list the user gave (`name` is how errors name it): SiPolicy XML or LOLDrivers JSON /
/// one YAML record (see [`sniff`]); a folder of YAML goes through [`loldrivers::parse_yaml_record`]
/// per file and [`loldrivers::list`].
pub fn parse_user_list(name: &str, bytes: &[u8]) -> Result<List, ListError> {
    match sniff(bytes) {
        Some(ListFormat::SiPolicyXml) => {
            let text = utf8(name, bytes)?;
            sipolicy::parse(name, text, user_info(name, ListKind::UserSipolicy))
        }
        Some(ListFormat::LoldriversJson) => {
            let records = loldrivers::parse_json(name, utf8(name, bytes)?)?;
            Ok(loldrivers::list(records, user_info(name, ListKind::Loldrivers)))
        }
        Some(ListFormat::LoldriversYaml) => {
            let record = loldrivers::parse_yaml_record(name, utf8(name, bytes)?)?;
            Ok(loldrivers::list(vec![record], user_info(name, ListKind::Loldrivers)))
        }
        None => Err(ListError {
            file: name.to_string(),
            line: None,
            element: None,
            message: "not a block list: neither SiPolicy XML nor LOLDrivers drivers.json / YAML".to_string(),
        }),
    }
}

/// The provenance of a list the user gave: its file name.
pub fn user_info(name: &str, kind: ListKind) -> ListInfo {
    ListInfo { kind, name: name.to_string(), source: "user file".to_string(), ..ListInfo::default() }
}

/// The text of a list file: UTF-8 (a BOM is dropped).
pub fn utf8<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, ListError> {
    let text = core::str::from_utf8(bytes).map_err(|e| ListError {
        file: name.to_string(),
        line: None,
        element: None,
        message: format!("not UTF-8 text (byte {})", e.valid_up_to()),
    })?;
    Ok(text.trim_start_matches('\u{feff}'))
}

/// Where one hash points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HashTarget {
    /// (list, rule) of an SiPolicy `Deny Hash=` rule.
    Policy(usize, usize),
    /// (list, record, sample) of a LOLDrivers sample, and which of its hashes.
    Lol(usize, usize, usize, LolHash),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LolHash {
    FileSha256,
    FileSha1,
    FileMd5,
    AuthSha256,
    AuthSha1,
}

/// The lists a run judges against: the built-in index's, read on the first file that may match
/// them ([`index::read`]), and lists given as parsed ([`BlockLists::new`]: every list, or the
/// lists a user dropped beside the index).
#[derive(Clone, Debug, Default)]
pub struct BlockLists {
    /// The index's lists (first in list order), not parsed until a file may match them.
    builtin: Option<std::sync::Arc<index::Deferred>>,
    /// The lists given as parsed.
    own: Tables,
}

/// Lookup tables over lists: every hash (lowercase hex), every OriginalFilename a rule names
/// (lowercase), every signer TBS hash.
#[derive(Clone, Debug, Default)]
struct Tables {
    lists: Vec<List>,
    hashes: HashMap<String, Vec<HashTarget>>,
    /// lowercase FileName of `Deny` rules -> (list, rule).
    names: HashMap<String, Vec<(usize, usize)>>,
    /// TBS hash -> (list, signer).
    signers: HashMap<String, Vec<(usize, usize)>>,
    needs_file_sha1: bool,
    needs_file_md5: bool,
}

impl Tables {
    fn new(lists: Vec<List>) -> Self {
        let mut out = Tables { lists, ..Tables::default() };
        for (l, list) in out.lists.iter().enumerate() {
            match &list.rules {
                Rules::SiPolicy(p) => {
                    for (r, rule) in p.hashes.iter().enumerate() {
                        out.hashes.entry(rule.hash.clone()).or_default().push(HashTarget::Policy(l, r));
                    }
                    for (r, rule) in p.files.iter().enumerate() {
                        if let Some(name) = &rule.file_name {
                            out.names.entry(name.to_lowercase()).or_default().push((l, r));
                        }
                    }
                    for (r, rule) in p.signers.iter().enumerate() {
                        out.signers.entry(rule.tbs.clone()).or_default().push((l, r));
                    }
                }
                Rules::Loldrivers(lol) => {
                    for (r, record) in lol.records.iter().enumerate() {
                        for (s, sample) in record.samples.iter().enumerate() {
                            let kinds = [
                                (&sample.sha256, LolHash::FileSha256),
                                (&sample.sha1, LolHash::FileSha1),
                                (&sample.md5, LolHash::FileMd5),
                                (&sample.authentihash_sha256, LolHash::AuthSha256),
                                (&sample.authentihash_sha1, LolHash::AuthSha1),
                            ];
                            for (hash, kind) in kinds {
                                if let Some(h) = hash {
                                    out.hashes.entry(h.clone()).or_default().push(HashTarget::Lol(l, r, s, kind));
                                    out.needs_file_sha1 |= kind == LolHash::FileSha1;
                                    out.needs_file_md5 |= kind == LolHash::FileMd5;
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

impl BlockLists {
    /// Build the lookup tables over `lists`.
    pub fn new(lists: Vec<List>) -> Self {
        BlockLists { builtin: None, own: Tables::new(lists) }
    }

    /// These lists' built-in index (shared, still unread if it was) with `extra` in place of the
    /// lists given as parsed: the lists a user dropped, changed.
    pub fn with_own(&self, extra: Vec<List>) -> Self {
        BlockLists { builtin: self.builtin.clone(), own: Tables::new(extra) }
    }

    /// Every list's provenance, in order (the index's first).
    pub fn infos(&self) -> Vec<ListInfo> {
        self.info_refs().cloned().collect()
    }

    fn info_refs(&self) -> impl Iterator<Item = &ListInfo> {
        let builtin = self.builtin.iter().flat_map(|b| b.infos().iter());
        builtin.chain(self.own.lists.iter().map(|l| &l.info))
    }

    pub fn is_empty(&self) -> bool {
        self.builtin.as_ref().is_none_or(|b| b.infos().is_empty()) && self.own.lists.is_empty()
    }

    /// Whether any list needs the whole-file SHA-1 (only then is it computed).
    pub fn needs_file_sha1(&self) -> bool {
        self.own.needs_file_sha1 || self.builtin.as_ref().is_some_and(|b| b.needs_file_sha1())
    }

    /// Whether any list needs the whole-file MD5.
    pub fn needs_file_md5(&self) -> bool {
        self.own.needs_file_md5 || self.builtin.as_ref().is_some_and(|b| b.needs_file_md5())
    }

    /// Whether the index's lists have been parsed (only once a file may match them).
    pub fn builtin_parsed(&self) -> bool {
        self.builtin.as_ref().is_none_or(|b| b.parsed())
    }
}

/// Lowercase hex of an upstream hash string, `None` unless it is 32, 40, 64 or 96 hex digits.
pub fn normalise_hash(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = matches!(s.len(), 32 | 40 | 64 | 96) && s.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| s.to_ascii_lowercase())
}
