//! Block lists: the upstream snapshots parse completely (counts asserted against the upstream
//! files), the committed index is what `cargo xtask blocklists` builds from them (byte for byte),
//! every rule kind matches on SiPolicy files the tests write about a real driver (as parsed lists,
//! and through an index read lazily, alone and beside the shipped one, all three agreeing), and the
//! real lists match no corpus file, read either way.

use std::path::PathBuf;
use std::sync::Arc;

use drvsig::blocklist::index::{self, Index};
use drvsig::blocklist::{parse_user_list, BlockLists};
use drvsig::digest::DigestAlgorithm;
use drvsig::report::{FileReport, LoadVerdict, MatchedBy};
use drvsig::{hex, inspect, pe, Options, UnixTime};

use crate::support::corpus;

#[path = "../xtask/src/blocklists.rs"]
#[allow(dead_code)]
mod upstream;

fn upstream_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/blocklists");
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        eprintln!("notice: ../shared/blocklists not found; skipping the upstream block list tests");
        None
    }
}

fn builtin() -> Index {
    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/blocklists.json")).unwrap();
    Index::from_json(&bytes).unwrap()
}

fn options(lists: BlockLists) -> Options {
    let mut o = Options::at(UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap());
    o.blocklists = Some(Arc::new(lists));
    o
}

#[test]
fn index_is_rebuilt_byte_for_byte_and_counts_match_upstream() {
    let Some(dir) = upstream_dir() else { return };
    let index = upstream::build(&dir).unwrap();
    let committed = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/blocklists.json")).unwrap();
    assert!(index.to_json() == committed, "data/blocklists.json is stale: run cargo xtask blocklists --from ../shared/blocklists");
    assert_eq!(Index::from_json(&committed).unwrap(), index, "the hash pool round-trips");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &committed).unwrap();
    let gz = gz.finish().unwrap().len();
    assert!(gz <= 300 * 1024, "the index is {gz} bytes gzipped, over its 300 KB budget");
    // 4 distinct in-box lists, then the recommended one, then LOLDrivers.
    let versions: Vec<&str> = index.lists.iter().map(|l| l.info.version.as_str()).collect();
    assert_eq!(versions, ["10.0.25211.0", "10.0.25873.0", "10.0.25965.0", "10.0.26025.0", "10.0.27685.0", "2026-08-12"]);
    assert_eq!(index.lists[3].info.builds, ["10.0.22631.3520", "10.0.26100.1"]);
    // The recommended list (README): 1,598 hash rules, all in force for drivers; 11 FileName rules;
    // 188 signers of which 185 are DeniedSigners of scenario 131.
    let rec = &index.lists[4].info.counts;
    assert_eq!((rec.hash_rules, rec.file_name_rules, rec.signer_rules), (1598, 11, 185));
    let lol = &index.lists[5].info.counts;
    assert_eq!((lol.records, lol.samples), (661, 2213));
    let upstream_records = std::fs::read_dir(dir.join("loldrivers/yaml")).unwrap().count();
    assert_eq!(lol.records as usize, upstream_records);
    assert_eq!(index.notices.len(), 3);
    assert!(index.notices[2].text.contains("Apache License"));
}

/// A small SiPolicy with the given FileRules / Signers elements, all in force in scenario 131.
fn sipolicy(file_rules: &str, signers: &str, file_refs: &[&str], signer_refs: &[&str]) -> String {
    let refs: String = file_refs.iter().map(|r| format!("<FileRuleRef RuleID=\"{r}\"/>")).collect();
    let denied: String = signer_refs.iter().map(|r| format!("<DeniedSigner SignerId=\"{r}\"/>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
  <VersionEx>10.0.0.1</VersionEx>
  <FileRules>{file_rules}</FileRules>
  <Signers>{signers}</Signers>
  <SigningScenarios>
    <SigningScenario Value="131" ID="ID_SS_DRIVERS">
      <ProductSigners><DeniedSigners>{denied}</DeniedSigners><FileRulesRef>{refs}</FileRulesRef></ProductSigners>
    </SigningScenario>
  </SigningScenarios>
  <Settings><Setting Provider="PolicyInfo" Key="Information" ValueName="Id"><Value><String>10.0.0.1</String></Value></Setting></Settings>
</SiPolicy>"#
    )
}

fn ftser2k() -> Option<Vec<u8>> {
    Some(std::fs::read(corpus()?.join("drivers/ftdi-ports/amd64/ftser2k.sys")).unwrap())
}

fn shipped() -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/blocklists.json")).unwrap()
}

/// The file judged against the list three ways: the list as parsed; the list as the one list of
/// an index read lazily ([`index::read`]); the list as a user's beside the shipped index, read
/// lazily. The three must agree (the third lists the shipped lists first); the first is returned.
fn judge(bytes: &[u8], xml: &str) -> FileReport {
    let list = parse_user_list("test.xml", xml.as_bytes()).unwrap();
    let eager = inspect("ftser2k.sys", bytes, &options(BlockLists::new(vec![list.clone()])));
    let json = Index { format: index::FORMAT, notices: Vec::new(), lists: vec![list.clone()] }.to_json();
    let lazy = Arc::new(index::read(&json, Vec::new()).unwrap());
    assert!(!lazy.builtin_parsed(), "read() parses no list");
    let mut opts = options(BlockLists::default());
    opts.blocklists = Some(lazy.clone());
    assert_eq!(inspect("ftser2k.sys", bytes, &opts), eager, "an index read lazily judges as its lists parsed");
    assert!(matched(&eager).is_empty() || lazy.builtin_parsed(), "a match parsed the lists");
    let beside = index::read(&shipped(), vec![list]).unwrap();
    let r = inspect("ftser2k.sys", bytes, &options(beside));
    let (b, e) = (r.blocklist.as_ref().unwrap(), eager.blocklist.as_ref().unwrap());
    assert_eq!((b.matches.clone(), b.notes.clone()), (e.matches.clone(), e.notes.clone()));
    assert_eq!(b.lists.len(), 7);
    assert_eq!(b.lists.last(), e.lists.last());
    assert_eq!((r.verdicts.clone(), r.findings.clone()), (eager.verdicts.clone(), eager.findings.clone()));
    eager
}

fn matched(r: &FileReport) -> Vec<(String, MatchedBy)> {
    r.blocklist.as_ref().unwrap().matches.iter().map(|m| (m.rule_id.clone(), m.matched_by)).collect()
}

#[test]
fn first_page_hash_is_the_page_hash_tables_offset_0_entry() {
    let Some(bytes) = ftser2k() else { return };
    // ftser2k.sys carries a SHA-256 page hash table whose 27 pages all verify, entry 0 included.
    let r = inspect("ftser2k.sys", &bytes, &Options::at(UnixTime(0)));
    let ph = r.signatures[0].page_hashes.as_ref().unwrap();
    assert_eq!((ph.pages, ph.matching), (27, 27));
    let table = pe::page_hashes(&bytes, DigestAlgorithm::Sha256).unwrap();
    assert_eq!(table.entries[0].0, 0);
    assert_eq!(pe::first_page_hash(&bytes, DigestAlgorithm::Sha256).unwrap(), table.entries[0].1);
}

#[test]
fn every_rule_kind_matches_a_real_driver() {
    let Some(bytes) = ftser2k() else { return };
    let auth = hex::encode(&pe::authenticode_digest(&bytes, DigestAlgorithm::Sha1).unwrap()).to_uppercase();
    let page = hex::encode(&pe::first_page_hash(&bytes, DigestAlgorithm::Sha256).unwrap());
    // By Authenticode hash and by first-page hash.
    let rules = format!(
        r#"<Deny ID="ID_H" FriendlyName="ftser2k Hash Sha1" Hash="{auth}"/><Deny ID="ID_P" FriendlyName="ftser2k Hash Page Sha256" Hash="{page}"/>"#
    );
    let r = judge(&bytes, &sipolicy(&rules, "", &["ID_H", "ID_P"], &[]));
    assert_eq!(matched(&r), [("ID_H".to_string(), MatchedBy::AuthenticodeSha1), ("ID_P".to_string(), MatchedBy::FirstPageSha256)]);
    // A rule not referenced by scenario 131 is not in force for drivers.
    let r = judge(&bytes, &sipolicy(&rules, "", &[], &[]));
    assert!(matched(&r).is_empty());
    // By name + version: inside, at the bounds, and outside the range.
    for (min, max, hit) in [
        ("2.0.0.0", "2.12.36.3", true),
        ("2.12.36.3", "65535.65535.65535.65535", true),
        ("0.0.0.0", "2.12.36.2", false),
        ("2.12.36.4", "3.0.0.0", false),
    ] {
        let rule =
            format!(r#"<Deny ID="ID_N" FriendlyName="ftser2k" FileName="ftser2k" MinimumFileVersion="{min}" MaximumFileVersion="{max}"/>"#);
        let r = judge(&bytes, &sipolicy(&rule, "", &["ID_N"], &[]));
        assert_eq!(!matched(&r).is_empty(), hit, "{min}..{max}");
    }
    // By signer: the TBS hash of a CA of the chain, with the leaf's CN; with a FileAttribRef.
    let plain = inspect("ftser2k.sys", &bytes, &Options::at(UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()));
    let chain = plain.signatures[0].chain.as_ref().unwrap();
    let ca = &chain.certificates[1].certificate;
    assert_eq!(ca.tbs_hash.len(), 64, "{}", ca.subject);
    let publisher = "Future Technology Devices International Ltd";
    let signer = |publisher: &str, attrib: &str| {
        format!(
            r#"<Signer ID="ID_S" Name="EV CA"><CertRoot Type="TBS" Value="{}"/><CertPublisher Value="{publisher}"/>{attrib}</Signer>"#,
            ca.tbs_hash.to_uppercase()
        )
    };
    let r = judge(&bytes, &sipolicy("", &signer(publisher, ""), &[], &["ID_S"]));
    assert_eq!(matched(&r), [("ID_S".to_string(), MatchedBy::Signer)]);
    let r = judge(&bytes, &sipolicy("", &signer("Someone Else", ""), &[], &["ID_S"]));
    assert!(matched(&r).is_empty());
    for (max, hit) in [("2.12.36.3", true), ("2.0.0.0", false)] {
        let attrib = format!(r#"<FileAttrib ID="ID_A" FileName="FTSER2K" MinimumFileVersion="0.0.0.0" MaximumFileVersion="{max}"/>"#);
        let r = judge(&bytes, &sipolicy(&attrib, &signer(publisher, r#"<FileAttribRef RuleID="ID_A"/>"#), &[], &["ID_S"]));
        assert_eq!(!matched(&r).is_empty(), hit, "FileAttrib ..{max}");
    }
}

#[test]
fn a_denied_driver_is_blocked_where_the_list_is_enforced() {
    let Some(bytes) = ftser2k() else { return };
    let auth = hex::encode(&pe::authenticode_digest(&bytes, DigestAlgorithm::Sha256).unwrap());
    let xml = sipolicy(&format!(r#"<Deny ID="ID_DENY_FT" Hash="{auth}"/>"#), "", &["ID_DENY_FT"], &[]);
    let r = judge(&bytes, &xml);
    let s_mode = r.verdicts.iter().find(|v| v.target.id() == "s-mode").unwrap();
    // Windows 11 24H2+ enforces the blocklist too.
    let win11 = r.verdicts.iter().find(|v| v.target.id() == "win11-24h2-enforced").unwrap();
    assert_eq!(win11.verdict, LoadVerdict::Blocked);
    assert!(win11.rule.contains("ID_DENY_FT"), "{}", win11.rule);
    assert_eq!(s_mode.verdict, LoadVerdict::Blocked);
    assert!(s_mode.rule.contains("ID_DENY_FT"), "{}", s_mode.rule);
    let other = r.verdicts.iter().find(|v| v.target.id() == "win10-1607-no-secureboot").unwrap();
    assert_ne!(other.verdict, LoadVerdict::Loads);
    assert!(r.findings.iter().any(|f| f.check == "blocklist.microsoft"));
    assert!(drvsig::summary::headline(&r).sentence.starts_with("Denied by Microsoft's driver block rules (ID_DENY_FT"));
}

#[test]
fn malformed_lists_name_file_line_and_element() {
    let e = parse_user_list("bad.xml", b"<?xml version=\"1.0\"?>\n<SiPolicy>\n  <FileRules>\n</SiPolicy>").unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("bad.xml", Some(4)));
    let xml = sipolicy(r#"<Deny ID="ID_X" Hash="zz"/>"#, "", &["ID_X"], &[]);
    let e = parse_user_list("hash.xml", xml.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.element.as_deref()), (Some(4), Some("Deny")), "{e}");
    let e = parse_user_list("x.yaml", b"Id: x\nCategory: nonsense\nKnownVulnerableSamples: []\n").unwrap_err();
    assert!(e.to_string().contains("unknown category"), "{e}");
    assert!(parse_user_list("notes.txt", b"hello").is_err());
}

#[test]
fn the_real_lists_match_no_corpus_file() {
    let Some(dir) = corpus() else { return };
    let opts = options(builtin().into_blocklists(Vec::new()));
    let mut seen = 0;
    let mut unparsed = 0;
    for entry in walk(&dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let name = entry.to_string_lossy().to_string();
        let r = inspect(&name, &bytes, &opts);
        // The shipped index read lazily (a fresh read per file: whether this file made it parse
        // its lists) gives the same report.
        let lazy = Arc::new(index::read(&shipped(), Vec::new()).unwrap());
        let mut lazy_opts = options(BlockLists::default());
        lazy_opts.blocklists = Some(lazy.clone());
        assert_eq!(inspect(&name, &bytes, &lazy_opts), r, "{name}: read lazily");
        if let Some(b) = &r.blocklist {
            seen += 1;
            unparsed += usize::from(!lazy.builtin_parsed());
            assert!(b.matches.is_empty(), "{name}: {:?}", b.matches);
            assert_eq!(b.lists.len(), 6);
        }
    }
    assert!(seen > 10, "only {seen} PE files judged");
    // The gate turns most files away: their lists were never parsed.
    assert!(unparsed * 2 > seen, "{unparsed} of {seen} PE files left the lists unparsed");
}

/// The summary a lazy read relies on is checked: an index whose lists do not parse (here a
/// digest reference outside the pool) is read, and a file that may match them gets a note and is
/// judged without them; one that cannot match them is judged as usual.
#[test]
fn an_index_whose_lists_do_not_parse_is_a_note_not_a_panic() {
    let Some(bytes) = ftser2k() else { return };
    let auth = hex::encode(&pe::authenticode_digest(&bytes, DigestAlgorithm::Sha256).unwrap());
    let list = parse_user_list("t.xml", sipolicy(&format!(r#"<Deny ID="ID_D" Hash="{auth}"/>"#), "", &["ID_D"], &[]).as_bytes()).unwrap();
    let json = String::from_utf8(Index { format: index::FORMAT, notices: Vec::new(), lists: vec![list] }.to_json()).unwrap();
    assert!(json.contains(r##""hash":"#0""##), "{json}");
    let broken = json.replace(r##""hash":"#0""##, r##""hash":"#7""##);
    let lists = index::read(broken.as_bytes(), Vec::new()).unwrap();
    assert!(Index::from_json(broken.as_bytes()).is_err());
    let opts = options(lists);
    let r = inspect("ftser2k.sys", &bytes, &opts);
    let b = r.blocklist.as_ref().unwrap();
    assert!(b.matches.is_empty());
    assert!(b.notes.iter().any(|n| n.contains("could not be read") && n.contains("not in the hash pool")), "{:?}", b.notes);
    // The same driver changed in its code has no digest in the pool: judged as usual, no note.
    let mut changed = bytes.clone();
    changed[0x1000] ^= 1;
    let r = inspect("x.sys", &changed, &opts);
    assert_eq!(r.blocklist.as_ref().unwrap().notes, Vec::<String>::new());
    // A pool out of order (the lookups binary-search it) is an error of the read itself.
    let (head, tail) = json.split_once('\n').unwrap();
    let mut head: serde_json::Value = serde_json::from_str(head).unwrap();
    let unsorted: Vec<u8> = [[0xff_u8; 32], [0x00; 32]].concat();
    head["pool"]["sha256"] = serde_json::Value::String(<base64ct::Base64 as base64ct::Encoding>::encode_string(&unsorted));
    let unsorted = format!("{head}\n{tail}");
    assert!(index::read(unsorted.as_bytes(), Vec::new()).unwrap_err().to_string().contains("not sorted"));
    // Not JSON, and another format, are errors of the read itself.
    assert!(index::read(b"{", Vec::new()).is_err());
    assert!(index::read(br#"{"format":1}"#, Vec::new()).is_err());
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// LOLDrivers records the test writes (YAML and drivers.json): a malicious one by whole-file
/// SHA-256 and a vulnerable one by Authentihash SHA-256. No verdict changes; the findings and the
/// headline say it.
#[test]
fn loldrivers_matches_change_no_verdict() {
    let Some(bytes) = ftser2k() else { return };
    let plain = inspect("ftser2k.sys", &bytes, &Options::at(UnixTime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()));
    let auth = hex::encode(&pe::authenticode_digest(&bytes, DigestAlgorithm::Sha256).unwrap());
    let yaml = format!(
        "Id: 11111111-2222-3333-4444-555555555555\nCategory: malicious\nResources:\n- https://example.invalid/a\nKnownVulnerableSamples:\n- Filename: ''\n  SHA256: {}\n  LoadsDespiteHVCI: 'TRUE'\n",
        plain.sha256.to_uppercase()
    );
    let json = format!(
        r#"[{{"Id": "99999999-2222-3333-4444-555555555555", "Category": "vulnerable driver", "KnownVulnerableSamples": [{{"OriginalFilename": "ftser2k.sys", "Authentihash": {{"SHA256": "{auth}"}}}}]}}]"#
    );
    let lists = vec![parse_user_list("rec.yaml", yaml.as_bytes()).unwrap(), parse_user_list("drivers.json", json.as_bytes()).unwrap()];
    let r = inspect("ftser2k.sys", &bytes, &options(BlockLists::new(lists)));
    let m = &r.blocklist.as_ref().unwrap().matches;
    assert_eq!(m.len(), 2, "{m:?}");
    assert_eq!(
        (m[0].matched_by, m[0].category, m[0].loads_despite_hvci),
        (MatchedBy::FileSha256, Some(drvsig::report::LolCategory::Malicious), Some(true))
    );
    assert_eq!(m[0].resources, ["https://example.invalid/a"]);
    assert_eq!((m[1].matched_by, m[1].category), (MatchedBy::AuthenticodeSha256, Some(drvsig::report::LolCategory::VulnerableDriver)));
    assert_eq!(r.verdicts, plain.verdicts, "LOLDrivers changes no verdict");
    let outcomes: Vec<drvsig::Outcome> = r.findings.iter().filter(|f| f.check == "blocklist.loldrivers").map(|f| f.outcome).collect();
    assert_eq!(outcomes, [drvsig::Outcome::Fail, drvsig::Outcome::Warn]);
    assert!(drvsig::summary::headline(&r).sentence.starts_with("Known malicious driver (LOLDrivers record 11111111"));
}
