//! Driver setup information files (`.inf`): a tolerant reader for what matters to signing.
//!
//! Follows Microsoft's "General Syntax Rules for INF Files": sections `[name]` (case-insensitive,
//! repeated sections merge), `key = value[, value...]` entries, `;` comments outside quotes, quoted
//! strings with `""` for a literal quote, a trailing `\` joins the next line, `%strkey%` tokens come
//! from `[Strings]` (or a `[Strings.<locale>]` section when `[Strings]` lacks the key), `%%` is a literal
//! percent sign. Encodings: UTF-16LE/BE with a BOM, UTF-8 with or without a BOM, otherwise ANSI
//! read as Windows-1252. Nothing here fails: problems become findings with their line numbers.

use std::collections::{HashMap, HashSet};

use crate::checks;
use crate::report::{
    FileReport, Finding, InfCatalogFile, InfKeyValue, InfModel, InfReport, InfService, InfSourceDisk, InfSourceFile, Outcome,
};

/// How the bytes were decoded.
pub use crate::report::InfEncoding as Encoding;

/// One `key = values` (or key-less) line, strings substituted, quotes removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Option<String>,
    pub values: Vec<String>,
    /// 1-based line the entry starts on.
    pub line: u32,
}

impl Entry {
    /// The values joined back with commas (for single-valued keys that may hold commas).
    pub fn value(&self) -> String {
        self.values.join(",")
    }
    fn first(&self) -> &str {
        self.values.first().map_or("", String::as_str)
    }
    fn get(&self, i: usize) -> Option<&str> {
        self.values.get(i).map(String::as_str)
    }
    fn key_is(&self, name: &str) -> bool {
        self.key.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(name))
    }
}

/// A section (all same-named sections merged, in file order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The name as first written.
    pub name: String,
    /// Line of the first header.
    pub line: u32,
    pub entries: Vec<Entry>,
}

/// A parsed INF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inf {
    pub encoding: Encoding,
    pub sections: Vec<Section>,
    /// Problems found while reading (syntax, undefined strings).
    pub findings: Vec<Finding>,
    index: HashMap<String, usize>,
}

/// Longest accepted file (characters); the rest is ignored with a finding.
pub const MAX_CHARS: usize = 16 * 1024 * 1024;

/// Windows-1252 0x80..=0x9F (the C1 range it redefines); undefined positions map to the C1 control.
const CP1252_80_9F: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}',
    '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}', '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
    '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

fn windows_1252(b: u8) -> char {
    match b {
        0x80..=0x9f => CP1252_80_9F.get(usize::from(b.wrapping_sub(0x80))).copied().unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(b),
    }
}

/// Decode the bytes into text, telling the encoding used.
pub fn decode_text(bytes: &[u8]) -> (Encoding, String) {
    let utf16 = |body: &[u8], le: bool| -> String {
        let units = body.chunks_exact(2).map(|c| {
            let pair = [c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)];
            if le {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
    };
    if let Some(body) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return (Encoding::Utf16Le, utf16(body, true));
    }
    if let Some(body) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return (Encoding::Utf16Be, utf16(body, false));
    }
    if let Some(body) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return (Encoding::Utf8Bom, String::from_utf8_lossy(body).into_owned());
    }
    // UTF-16LE without a BOM: ASCII text with every second byte zero.
    if bytes.len() >= 4 && bytes.get(1) == Some(&0) && bytes.get(3) == Some(&0) && bytes.first().is_some_and(|b| *b != 0) {
        return (Encoding::Utf16Le, utf16(bytes, true));
    }
    match core::str::from_utf8(bytes) {
        Ok(s) => (Encoding::Utf8, s.to_string()),
        Err(_) => (Encoding::Windows1252, bytes.iter().map(|b| windows_1252(*b)).collect()),
    }
}

fn finding(check: &str, outcome: Outcome, reason: impl Into<String>, line: Option<u32>) -> Finding {
    let f = Finding::new(check, outcome, reason);
    match line {
        Some(line) => f.on_line(line),
        None => f,
    }
}

/// One logical line split into fields: the key (text before the first unquoted `=`) and the
/// comma-separated values, quotes removed. `None` for the key when there is no `=`.
struct Fields {
    key: Option<String>,
    values: Vec<String>,
}

/// Strip the comment (`;` outside quotes) and report whether a quote is left open.
fn strip_comment(line: &str) -> (&str, bool) {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => return (line.get(..i).unwrap_or(line), false),
            _ => {}
        }
    }
    (line, quoted)
}

/// Split a comment-free logical line into key and values.
fn split_fields(line: &str) -> Fields {
    let mut key: Option<String> = None;
    let mut values = Vec::new();
    let mut current = String::new();
    // Characters of `current` that came from inside quotes are protected from trimming: keep the
    // quoted part separately and trim only unquoted whitespace at the ends.
    let mut lead_trim_done = false;
    let mut trailing_ws = 0usize; // unquoted whitespace at the end of `current`, in bytes
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    let finish = |current: &mut String, trailing_ws: &mut usize, lead: &mut bool| -> String {
        let keep = current.len().saturating_sub(*trailing_ws);
        current.truncate(keep);
        *trailing_ws = 0;
        *lead = false;
        core::mem::take(current)
    };
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    current.push('"');
                } else {
                    quoted = false;
                }
            } else {
                current.push(c);
            }
            trailing_ws = 0;
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                lead_trim_done = true;
                trailing_ws = 0;
            }
            '=' if key.is_none() && values.is_empty() => {
                key = Some(finish(&mut current, &mut trailing_ws, &mut lead_trim_done));
            }
            ',' => values.push(finish(&mut current, &mut trailing_ws, &mut lead_trim_done)),
            c if c.is_whitespace() => {
                if lead_trim_done {
                    current.push(c);
                    trailing_ws = trailing_ws.saturating_add(c.len_utf8());
                }
            }
            c => {
                lead_trim_done = true;
                current.push(c);
                trailing_ws = 0;
            }
        }
    }
    // `key =` with nothing after it gives one empty value, as INF readers do.
    values.push(finish(&mut current, &mut trailing_ws, &mut lead_trim_done));
    Fields { key, values }
}

/// Split text into logical lines: (first physical line number, text without comment).
fn logical_lines(text: &str, findings: &mut Vec<Finding>) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    for (i, raw) in normalized.split('\n').enumerate() {
        let n = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        let (body, open_quote) = strip_comment(raw);
        if open_quote {
            findings.push(finding(
                checks::INF_SYNTAX_UNTERMINATED_QUOTE.id,
                Outcome::Warn,
                "a quoted string is not closed on this line",
                Some(n),
            ));
        }
        let trimmed = body.trim_end();
        let (content, continues) = match trimmed.strip_suffix('\\') {
            Some(c) if !open_quote => (c, true),
            _ => (trimmed, false),
        };
        let (start, mut acc) = pending.take().unwrap_or((n, String::new()));
        acc.push_str(content);
        if continues {
            pending = Some((start, acc));
        } else {
            out.push((start, acc));
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// Parse an INF; never fails.
pub fn parse_inf(bytes: &[u8]) -> Inf {
    let (encoding, mut text) = decode_text(bytes);
    let mut findings = Vec::new();
    if text.chars().count() > MAX_CHARS {
        let cut = text.char_indices().nth(MAX_CHARS).map_or(text.len(), |(i, _)| i);
        text.truncate(cut);
        findings.push(finding(checks::INF_TOO_LARGE.id, Outcome::Warn, format!("only the first {MAX_CHARS} characters are read"), None));
    }
    if encoding == Encoding::Utf8 {
        if let Some(i) = text.find(|c: char| !c.is_ascii()) {
            let line = text.get(..i).map_or(0, |t| t.matches('\n').count()).saturating_add(1);
            findings.push(finding(
                checks::INF_ENCODING_UTF8_WITHOUT_BOM.id,
                Outcome::Warn,
                "UTF-8 text without a byte order mark: Windows reads such INF files in the ANSI code page, so non-ASCII characters come out garbled",
                Some(u32::try_from(line).unwrap_or(u32::MAX)),
            ));
        }
    }
    let mut inf = Inf { encoding, sections: Vec::new(), findings, index: HashMap::new() };
    let mut current: Option<usize> = None;
    let mut outside_reported = false;
    let mut raw_entries: Vec<(usize, Fields, u32)> = Vec::new();
    for (line, content) in logical_lines(&text, &mut inf.findings) {
        let trimmed = content.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = match rest.find(']') {
                Some(end) => rest.get(..end).unwrap_or(rest).trim().to_string(),
                None => {
                    inf.findings.push(finding(
                        checks::INF_SYNTAX_SECTION_HEADER.id,
                        Outcome::Warn,
                        "section header without a closing ]",
                        Some(line),
                    ));
                    rest.trim().to_string()
                }
            };
            let lower = name.to_ascii_lowercase();
            let idx = match inf.index.get(&lower) {
                Some(i) => *i,
                None => {
                    inf.sections.push(Section { name, line, entries: Vec::new() });
                    let i = inf.sections.len().saturating_sub(1);
                    inf.index.insert(lower, i);
                    i
                }
            };
            current = Some(idx);
            continue;
        }
        let Some(section) = current else {
            if !outside_reported {
                inf.findings.push(finding(
                    checks::INF_SYNTAX_OUTSIDE_SECTION.id,
                    Outcome::Warn,
                    "text before the first section header is ignored",
                    Some(line),
                ));
                outside_reported = true;
            }
            continue;
        };
        raw_entries.push((section, split_fields(trimmed), line));
    }

    // [Strings] first, then the locale sections as fallbacks.
    let main_strings = inf.index.get("strings").copied();
    let locale_strings: HashSet<usize> =
        inf.sections.iter().enumerate().filter(|(_, s)| s.name.to_ascii_lowercase().starts_with("strings.")).map(|(i, _)| i).collect();
    let mut strings: HashMap<String, String> = HashMap::new();
    for pass_main in [true, false] {
        for (sec, fields, _) in &raw_entries {
            let wanted = if pass_main { Some(*sec) == main_strings } else { locale_strings.contains(sec) };
            if let (true, Some(k)) = (wanted, &fields.key) {
                strings.entry(k.to_ascii_lowercase()).or_insert_with(|| fields.values.join(","));
            }
        }
    }

    let mut undefined_seen: HashSet<String> = HashSet::new();
    for (sec, fields, line) in raw_entries {
        let is_strings = Some(sec) == main_strings || locale_strings.contains(&sec);
        let mut subst = |s: &str| -> String {
            if is_strings {
                return s.to_string();
            }
            substitute(s, &strings, line, &mut undefined_seen, &mut inf.findings)
        };
        let key = fields.key.as_deref().map(&mut subst);
        let values = fields.values.iter().map(|v| subst(v)).collect();
        if let Some(s) = inf.sections.get_mut(sec) {
            s.entries.push(Entry { key, values, line });
        }
    }
    inf
}

/// Replace `%name%` with its [Strings] value, `%%` with `%`. Numbers (DIRIDs like %12%) and
/// undefined names stay as written; an undefined non-numeric name is reported once.
fn substitute(s: &str, strings: &HashMap<String, String>, line: u32, seen: &mut HashSet<String>, findings: &mut Vec<Finding>) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('%') {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start.saturating_add(1)..).unwrap_or("");
        match after.find('%') {
            Some(0) => {
                out.push('%');
                rest = after.get(1..).unwrap_or("");
            }
            Some(end) => {
                let name = after.get(..end).unwrap_or("");
                match strings.get(&name.to_ascii_lowercase()) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('%');
                        out.push_str(name);
                        out.push('%');
                        let numeric = name.bytes().all(|b| b.is_ascii_digit());
                        if !numeric && seen.insert(name.to_ascii_lowercase()) {
                            findings.push(finding(
                                checks::INF_STRING_UNDEFINED.id,
                                Outcome::Warn,
                                format!("%{name}% is not defined in [Strings]"),
                                Some(line),
                            ));
                        }
                    }
                }
                rest = after.get(end.saturating_add(1)..).unwrap_or("");
            }
            None => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Inf {
    /// A section by name, case-insensitively.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.index.get(&name.to_ascii_lowercase()).and_then(|i| self.sections.get(*i))
    }

    /// Sections named `base` or `base.<decoration>`, with the decoration (`""` for `base`).
    fn decorated<'s>(&'s self, base: &str) -> Vec<(String, &'s Section)> {
        let lower = base.to_ascii_lowercase();
        self.sections
            .iter()
            .filter_map(|s| {
                let name = s.name.to_ascii_lowercase();
                if name == lower {
                    Some((String::new(), s))
                } else {
                    name.strip_prefix(&lower)?.strip_prefix('.')?;
                    let start = lower.len().saturating_add(1);
                    Some((s.name.get(start..).unwrap_or("").to_string(), s))
                }
            })
            .collect()
    }

    /// What matters for signing, with findings.
    pub fn to_report(&self) -> InfReport {
        let mut findings = self.findings.clone();
        let mut report = InfReport { encoding: self.encoding, ..InfReport::default() };

        match self.section("Version") {
            None => findings.push(finding(checks::INF_VERSION_MISSING.id, Outcome::Fail, "no [Version] section", None)),
            Some(version) => self.read_version(version, &mut report, &mut findings),
        }

        for (decoration, section) in self.decorated("SourceDisksNames") {
            for e in &section.entries {
                report.source_disks.push(InfSourceDisk {
                    decoration: decoration.clone(),
                    disk_id: e.key.clone().unwrap_or_default(),
                    description: e.first().to_string(),
                    path: e.get(3).filter(|p| !p.is_empty()).map(str::to_string),
                    line: e.line,
                });
            }
        }
        let disk_ids: HashSet<String> = report.source_disks.iter().map(|d| d.disk_id.clone()).collect();
        for (decoration, section) in self.decorated("SourceDisksFiles") {
            let mut seen: HashSet<String> = HashSet::new();
            for e in &section.entries {
                let file = e.key.clone().unwrap_or_else(|| e.first().to_string());
                if !seen.insert(file.to_ascii_lowercase()) {
                    findings.push(finding(
                        checks::INF_SOURCE_DISKS_FILES_DUPLICATE.id,
                        Outcome::Warn,
                        format!("{file} is listed twice in [{}]", section.name),
                        Some(e.line),
                    ));
                }
                let disk_id = if e.key.is_some() { e.first().to_string() } else { String::new() };
                if disk_id.is_empty() {
                    findings.push(finding(
                        checks::INF_SOURCE_DISKS_FILES_NO_DISK.id,
                        Outcome::Warn,
                        format!("{file} names no source disk"),
                        Some(e.line),
                    ));
                } else if !disk_ids.contains(disk_id.as_str()) {
                    findings.push(finding(
                        checks::INF_SOURCE_DISKS_FILES_UNKNOWN_DISK.id,
                        Outcome::Warn,
                        format!("{file} is on disk {disk_id}, which no [SourceDisksNames] section defines"),
                        Some(e.line),
                    ));
                }
                report.source_files.push(InfSourceFile {
                    decoration: decoration.clone(),
                    file,
                    disk_id,
                    subdir: e.get(1).filter(|s| !s.is_empty()).map(str::to_string),
                    line: e.line,
                });
            }
        }

        self.read_models(&mut report, &mut findings);
        self.read_services(&mut report, &mut findings);

        for (_, section) in self.decorated("SignatureAttributes") {
            for e in &section.entries {
                report.signature_attributes.push(InfKeyValue {
                    section: section.name.clone(),
                    key: e.key.clone().unwrap_or_default(),
                    value: e.value(),
                    line: e.line,
                });
            }
        }

        findings.sort_by_key(|f| f.line.unwrap_or(0));
        report.findings = findings;
        report
    }

    fn read_version(&self, version: &Section, report: &mut InfReport, findings: &mut Vec<Finding>) {
        const SIGNIFICANT: [&str; 6] = ["Signature", "Class", "ClassGuid", "Provider", "DriverVer", "CatalogFile"];
        let mut seen: Vec<String> = Vec::new();
        for e in &version.entries {
            let Some(key) = e.key.as_deref() else { continue };
            let lower = key.to_ascii_lowercase();
            let significant = SIGNIFICANT.iter().any(|s| lower == s.to_ascii_lowercase() || lower.starts_with("catalogfile."));
            if significant && seen.contains(&lower) {
                findings.push(finding(
                    checks::INF_VERSION_DUPLICATE_KEY.id,
                    Outcome::Warn,
                    format!("{key} appears more than once in [Version]; Windows uses one of them"),
                    Some(e.line),
                ));
            }
            seen.push(lower.clone());
            let first_wins = |slot: &mut Option<String>, v: String| {
                if slot.is_none() {
                    *slot = Some(v);
                }
            };
            match lower.as_str() {
                "signature" => first_wins(&mut report.signature, e.value()),
                "class" => first_wins(&mut report.class, e.value()),
                "classguid" => first_wins(&mut report.class_guid, e.value()),
                "provider" => first_wins(&mut report.provider, e.value()),
                "driverver" if report.driver_date.is_none() && report.driver_version.is_none() => {
                    let date = e.first().to_string();
                    let ver = e.get(1).map(str::to_string);
                    if !valid_date(&date) {
                        findings.push(finding(
                            checks::INF_VERSION_DRIVER_VER.id,
                            Outcome::Warn,
                            format!("DriverVer date {date:?} is not mm/dd/yyyy"),
                            Some(e.line),
                        ));
                    }
                    match &ver {
                        Some(v) if !valid_version(v) => findings.push(finding(
                            checks::INF_VERSION_DRIVER_VER.id,
                            Outcome::Warn,
                            format!("DriverVer version {v:?} is not w.x.y.z with numbers up to 65535"),
                            Some(e.line),
                        )),
                        _ => {}
                    }
                    report.driver_date = Some(date).filter(|d| !d.is_empty());
                    report.driver_version = ver.filter(|v| !v.is_empty());
                }
                _ if lower == "catalogfile" || lower.starts_with("catalogfile.") => {
                    let decoration = key.get("catalogfile.".len()..).unwrap_or("").to_string();
                    let file = e.value();
                    if !file.to_ascii_lowercase().ends_with(".cat") {
                        findings.push(finding(
                            checks::INF_CATALOG_FILE_NAME.id,
                            Outcome::Warn,
                            format!("{key} = {file:?} does not name a .cat file"),
                            Some(e.line),
                        ));
                    } else if file.contains(['\\', '/']) {
                        findings.push(finding(
                            checks::INF_CATALOG_FILE_NAME.id,
                            Outcome::Warn,
                            format!("{key} = {file:?} must be a file name without a path"),
                            Some(e.line),
                        ));
                    }
                    report.catalog_files.push(InfCatalogFile { decoration, file, line: e.line });
                }
                _ => {}
            }
        }
        match report.signature.as_deref() {
            None => findings.push(finding(
                checks::INF_VERSION_SIGNATURE_MISSING.id,
                Outcome::Fail,
                "[Version] has no Signature",
                Some(version.line),
            )),
            Some(s) if ["$windows nt$", "$chicago$", "$windows 95$"].contains(&s.to_ascii_lowercase().as_str()) => {}
            Some(s) => findings.push(finding(
                checks::INF_VERSION_SIGNATURE_UNKNOWN.id,
                Outcome::Warn,
                format!("Signature {s:?} is not $Windows NT$ or $Chicago$"),
                Some(version.line),
            )),
        }
        if report.catalog_files.is_empty() {
            findings.push(finding(
                checks::INF_CATALOG_FILE_MISSING.id,
                Outcome::Warn,
                "[Version] names no CatalogFile: the package cannot be signed by a catalog",
                Some(version.line),
            ));
        }
        if report.driver_date.is_none() && report.driver_version.is_none() {
            findings.push(finding(
                checks::INF_VERSION_DRIVER_VER_MISSING.id,
                Outcome::Warn,
                "[Version] has no DriverVer",
                Some(version.line),
            ));
        }
        if report.provider.is_none() {
            findings.push(finding(checks::INF_VERSION_PROVIDER_MISSING.id, Outcome::Warn, "[Version] has no Provider", Some(version.line)));
        }
    }

    fn read_models(&self, report: &mut InfReport, findings: &mut Vec<Finding>) {
        let Some(manufacturer) = self.section("Manufacturer") else {
            return;
        };
        for e in &manufacturer.entries {
            let (name, base) = match &e.key {
                Some(k) => (k.clone(), e.first().to_string()),
                None => (e.first().to_string(), e.first().to_string()),
            };
            if base.is_empty() {
                continue;
            }
            let decorations: Vec<&str> = e.values.iter().skip(1).map(String::as_str).filter(|d| !d.is_empty()).collect();
            let mut sections: Vec<&Section> = Vec::new();
            if let Some(s) = self.section(&base) {
                sections.push(s);
            }
            for d in &decorations {
                match self.section(&format!("{base}.{d}")) {
                    Some(s) => sections.push(s),
                    None => findings.push(finding(
                        checks::INF_MODELS_MISSING.id,
                        Outcome::Warn,
                        format!("models section [{base}.{d}] named in [Manufacturer] does not exist"),
                        Some(e.line),
                    )),
                }
            }
            if sections.is_empty() && decorations.is_empty() {
                findings.push(finding(
                    checks::INF_MODELS_MISSING.id,
                    Outcome::Warn,
                    format!("models section [{base}] named in [Manufacturer] does not exist"),
                    Some(e.line),
                ));
            }
            for s in sections {
                for m in &s.entries {
                    report.models.push(InfModel {
                        manufacturer: name.clone(),
                        section: s.name.clone(),
                        description: m.key.clone().unwrap_or_default(),
                        install_section: m.first().to_string(),
                        hardware_ids: m.values.iter().skip(1).filter(|h| !h.is_empty()).cloned().collect(),
                        line: m.line,
                    });
                }
            }
        }
    }

    fn read_services(&self, report: &mut InfReport, findings: &mut Vec<Finding>) {
        for section in &self.sections {
            for e in section.entries.iter().filter(|e| e.key_is("AddService")) {
                let name = e.first().to_string();
                let service_section = e.get(2).unwrap_or("").to_string();
                let mut svc = InfService {
                    name,
                    install_section: section.name.clone(),
                    service_section: service_section.clone(),
                    line: e.line,
                    ..InfService::default()
                };
                match self.section(&service_section) {
                    Some(s) => {
                        for se in &s.entries {
                            let number = || parse_number(se.first());
                            match se.key.as_deref().map(str::to_ascii_lowercase).as_deref() {
                                Some("displayname") => svc.display_name = Some(se.value()),
                                Some("servicetype") => svc.service_type = number(),
                                Some("starttype") => {
                                    svc.start_type = number();
                                    if svc.start_type.is_none() {
                                        findings.push(finding(
                                            checks::INF_SERVICE_START_TYPE.id,
                                            Outcome::Warn,
                                            format!("StartType {:?} is not a number", se.first()),
                                            Some(se.line),
                                        ));
                                    }
                                }
                                Some("errorcontrol") => svc.error_control = number(),
                                Some("servicebinary") => svc.service_binary = Some(se.value()),
                                _ => {}
                            }
                        }
                        if svc.service_binary.is_none() {
                            findings.push(finding(
                                checks::INF_SERVICE_BINARY_MISSING.id,
                                Outcome::Warn,
                                format!("[{}] has no ServiceBinary", s.name),
                                Some(s.line),
                            ));
                        }
                    }
                    None if service_section.is_empty() => {}
                    None => findings.push(finding(
                        checks::INF_SERVICE_SECTION_MISSING.id,
                        Outcome::Warn,
                        format!("service install section [{service_section}] does not exist"),
                        Some(e.line),
                    )),
                }
                svc.start_type_name = match svc.start_type {
                    Some(0) => "boot",
                    Some(1) => "system",
                    Some(2) => "auto",
                    Some(3) => "demand",
                    Some(4) => "disabled",
                    _ => "",
                }
                .to_string();
                report.services.push(svc);
            }
        }
    }
}

/// Decimal or 0x-hex.
fn parse_number(s: &str) -> Option<u32> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn valid_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    let num = |p: &str, max: u32| {
        p.len() <= 4 && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n >= 1 && n <= max)
    };
    matches!(parts.as_slice(), [m, d, y] if num(m, 12) && num(d, 31) && y.len() == 4 && num(y, 9999))
}

fn valid_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (1..=4).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= 65535))
}

/// Fill `report.inf` for an INF file.
pub fn inspect_inf(bytes: &[u8], report: &mut FileReport) {
    report.inf = Some(parse_inf(bytes).to_report());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le_bom(s: &str) -> Vec<u8> {
        [0xff, 0xfe].into_iter().chain(s.encode_utf16().flat_map(|u| u.to_le_bytes())).collect()
    }

    const SAMPLE: &str = "; leading comment\r\n\
[Version]\r\n\
Signature   = \"$Windows NT$\"\r\n\
Class       = Ports\r\n\
ClassGuid   = {4D36E978-E325-11CE-BFC1-08002BE10318}\r\n\
Provider    = %MfgName%\r\n\
DriverVer   = 01/15/2020,1.2.3.4\r\n\
CatalogFile = plain.cat\r\n\
CatalogFile.NTamd64 = x64.cat ; comment after value\r\n\
\r\n\
[Manufacturer]\r\n\
%MfgName% = Models, NTamd64, NTamd64.10.0...16299\r\n\
\r\n\
[Models.NTamd64]\r\n\
%Dev% = DevInstall, USB\\VID_1234&PID_5678, \\\r\n\
   USB\\VID_1234&PID_9999\r\n\
\r\n\
[models.ntamd64.10.0...16299]\r\n\
%Dev% = DevInstall, USB\\VID_AAAA&PID_BBBB\r\n\
\r\n\
[DevInstall.NT.Services]\r\n\
AddService = mydrv, 0x00000002, mydrv_Service\r\n\
\r\n\
[mydrv_Service]\r\n\
ServiceType   = 1\r\n\
StartType     = 0\r\n\
ErrorControl  = 1\r\n\
ServiceBinary = %12%\\mydrv.sys\r\n\
\r\n\
[SourceDisksNames]\r\n\
1 = %Disk%,,,\\x64\r\n\
\r\n\
[SourceDisksFiles.amd64]\r\n\
mydrv.sys = 1, x64\r\n\
\r\n\
[Strings]\r\n\
MfgName = \"Acme \"\"Quoted\"\" ; not a comment\"\r\n\
Disk = \"Install disk\"\r\n\
\r\n\
[Strings.0407]\r\n\
Dev = \"Gerät\"\r\n";

    #[test]
    fn reads_a_typical_inf() {
        let inf = parse_inf(SAMPLE.as_bytes());
        let r = inf.to_report();
        assert_eq!(r.encoding, Encoding::Utf8);
        assert_eq!(r.signature.as_deref(), Some("$Windows NT$"));
        assert_eq!(r.class.as_deref(), Some("Ports"));
        assert_eq!(r.provider.as_deref(), Some("Acme \"Quoted\" ; not a comment"));
        assert_eq!((r.driver_date.as_deref(), r.driver_version.as_deref()), (Some("01/15/2020"), Some("1.2.3.4")));
        let cats: Vec<_> = r.catalog_files.iter().map(|c| (c.decoration.as_str(), c.file.as_str(), c.line)).collect();
        assert_eq!(cats, [("", "plain.cat", 8), ("NTamd64", "x64.cat", 9)]);
        assert_eq!(r.models.len(), 2);
        assert_eq!(r.models[0].description, "Gerät", "locale strings section is the fallback");
        assert_eq!(r.models[0].hardware_ids, ["USB\\VID_1234&PID_5678", "USB\\VID_1234&PID_9999"], "continuation line joined");
        assert_eq!(r.models[0].line, 15);
        assert_eq!(r.models[1].section, "models.ntamd64.10.0...16299");
        assert_eq!(r.services.len(), 1);
        let s = &r.services[0];
        assert_eq!((s.name.as_str(), s.start_type, s.start_type_name.as_str()), ("mydrv", Some(0), "boot"));
        assert_eq!(s.service_binary.as_deref(), Some("%12%\\mydrv.sys"));
        assert_eq!(r.source_files[0].decoration, "amd64");
        assert_eq!(
            (r.source_files[0].file.as_str(), r.source_files[0].disk_id.as_str(), r.source_files[0].subdir.as_deref()),
            ("mydrv.sys", "1", Some("x64"))
        );
        assert_eq!(r.source_disks[0].description, "Install disk");
        let checks: Vec<_> = r.findings.iter().map(|f| (f.check.as_str(), f.line)).collect();
        assert_eq!(checks, [("inf.encoding.utf8-without-bom", Some(41))]);
        let mut with_bom = vec![0xef, 0xbb, 0xbf];
        with_bom.extend_from_slice(SAMPLE.as_bytes());
        let r = parse_inf(&with_bom).to_report();
        assert_eq!(r.encoding, Encoding::Utf8Bom);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn utf16le_with_bom() {
        let bytes =
            utf16le_bom("[Version]\r\nSignature=\"$Windows NT$\"\r\nProvider=Ünïcode\r\nCatalogFile=a.cat\r\nDriverVer=1/2/2003,1.0\r\n");
        let r = parse_inf(&bytes).to_report();
        assert_eq!(r.encoding, Encoding::Utf16Le);
        assert_eq!(r.provider.as_deref(), Some("Ünïcode"));
        assert_eq!(r.catalog_files[0].file, "a.cat");
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn ansi_windows_1252() {
        let mut bytes =
            b"[Version]\nSignature=$Chicago$\nProvider=Acme\x99 \x80 caf\xe9\nCatalogFile=a.cat\nDriverVer=01/01/2001,1.0.0.0\n".to_vec();
        bytes.push(b'\n');
        let r = parse_inf(&bytes).to_report();
        assert_eq!(r.encoding, Encoding::Windows1252);
        assert_eq!(r.provider.as_deref(), Some("Acme\u{2122} \u{20ac} café"));
    }

    #[test]
    fn comments_and_quotes() {
        let inf = parse_inf(b"[S]\nk1 = \"a;b\" ; real comment\nk2 = x ; \"quoted in comment\nk3 = \"say \"\"hi\"\"\", two\n");
        let s = inf.section("s").unwrap();
        assert_eq!(s.entries[0].values, ["a;b"]);
        assert_eq!(s.entries[1].values, ["x"]);
        assert_eq!(s.entries[2].values, ["say \"hi\"", "two"]);
        assert!(inf.findings.is_empty(), "{:?}", inf.findings);
    }

    #[test]
    fn missing_things_are_findings_with_lines() {
        let r = parse_inf(b"stray\n[Strings]\nA=1\n").to_report();
        let checks: Vec<_> = r.findings.iter().map(|f| (f.check.as_str(), f.line)).collect();
        assert_eq!(checks, [("inf.version.missing", None), ("inf.syntax.outside-section", Some(1))]);

        let r = parse_inf(b"[Version]\nClass=X\nProvider=%Nope%\nSignature=\"$Other$\nSignature=\"$Windows NT$\"\n").to_report();
        let checks: Vec<_> = r.findings.iter().map(|f| (f.check.as_str(), f.line)).collect();
        assert!(checks.contains(&("inf.string.undefined", Some(3))), "{checks:?}");
        assert!(checks.contains(&("inf.syntax.unterminated-quote", Some(4))), "{checks:?}");
        assert!(checks.contains(&("inf.version.duplicate-key", Some(5))), "{checks:?}");
        assert!(checks.contains(&("inf.version.signature-unknown", Some(1))), "{checks:?}");
        assert!(checks.contains(&("inf.catalog-file.missing", Some(1))), "{checks:?}");
        assert!(checks.contains(&("inf.version.driver-ver-missing", Some(1))), "{checks:?}");

        let r = parse_inf(b"[Version]\nClass=X\n").to_report();
        assert!(r.findings.iter().any(|f| f.check == "inf.version.signature-missing" && f.line == Some(1)));
    }

    #[test]
    fn hostile_bytes_never_panic() {
        for bytes in
            [&b""[..], b"\xff\xfe", b"\xfe\xff\x00", b"[", b"\"", b"%", b"%%%a%", b"\\\\\\", b"[Manufacturer]\n=\n", b"[x]\n,,,=,,"]
        {
            let _ = parse_inf(bytes).to_report();
        }
    }
}
