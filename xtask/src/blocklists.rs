//! `cargo xtask blocklists --from DIR [--out FILE]`: build drvsig's block list index
//! (`data/blocklists.json`) from the upstream snapshots in DIR (`../shared/blocklists`: its
//! README gives the sources, formats and licences). Only std + drvsig: `tests/blocklist.rs`
//! includes this file to check that the same inputs give the committed bytes.

use std::path::Path;

use drvsig::blocklist::index::{Index, Notice, FORMAT};
use drvsig::blocklist::{loldrivers, sipolicy, List};
use drvsig::report::{ListInfo, ListKind};

const INBOX_SOURCE: &str = "github.com/jsecurity101/MSFT_DriverBlockList BlockListFiles/ (Windows in-box driversipolicy.p7b as XML)";
const LOLDRIVERS_SOURCE: &str = "github.com/magicsword-io/LOLDrivers yaml/";

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_text(path: &Path) -> Result<String, String> {
    String::from_utf8(read(path)?).map_err(|e| format!("{}: not UTF-8 ({e})", path.display()))
}

/// The files of `dir` ending with `ext`, sorted by name.
fn files(dir: &Path, ext: &str) -> Result<Vec<std::path::PathBuf>, String> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    Ok(out)
}

/// `COMMIT`: the commit hash first, then (for LOLDrivers and the in-box lists) its date.
fn commit(dir: &Path) -> Result<(Option<String>, Option<String>), String> {
    let text = read_text(&dir.join("COMMIT"))?;
    let mut words = text.split_whitespace();
    let commit = words.next().map(str::to_string);
    let date = words.next().filter(|w| w.len() == 10 && w.as_bytes().get(4) == Some(&b'-')).map(str::to_string);
    // The recommended list's COMMIT names the page date as `ms.date MM/DD/YYYY`.
    let page_date = text.split("ms.date ").nth(1).and_then(|rest| rest.get(..10)).and_then(|d| {
        let (m, rest) = d.split_once('/')?;
        let (day, y) = rest.split_once('/')?;
        Some(format!("{y}-{m}-{day}"))
    });
    Ok((commit, date.or(page_date)))
}

fn list_error(e: drvsig::blocklist::ListError) -> String {
    e.to_string()
}

/// `10_0_22621_1702.xml` -> `10.0.22621.1702`.
fn build_name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().replace('_', ".")).unwrap_or_default()
}

/// The in-box lists: files with the same content are one list shipped by several builds.
fn inbox(dir: &Path) -> Result<Vec<List>, String> {
    let dir = dir.join("microsoft-inbox");
    let (commit, date) = commit(&dir)?;
    let mut groups: Vec<(Vec<u8>, Vec<String>, String)> = Vec::new();
    for path in files(&dir, "xml")? {
        let bytes = read(&path)?;
        let name = format!("microsoft-inbox/{}", path.file_name().unwrap_or_default().to_string_lossy());
        match groups.iter_mut().find(|g| g.0 == bytes) {
            Some(g) => g.1.push(build_name(&path)),
            None => groups.push((bytes, vec![build_name(&path)], name)),
        }
    }
    let mut lists = Vec::new();
    for (bytes, builds, name) in groups {
        let info = ListInfo {
            kind: ListKind::MicrosoftInbox,
            builds,
            source: INBOX_SOURCE.to_string(),
            commit: commit.clone(),
            date: date.clone(),
            licence: Some("MIT".to_string()),
            ..ListInfo::default()
        };
        let text = drvsig::blocklist::utf8(&name, &bytes).map_err(list_error)?;
        lists.push(sipolicy::parse(&name, text, info).map_err(list_error)?);
    }
    lists.sort_by_key(|l| drvsig::report::FourPartVersion::parse(&l.info.version));
    Ok(lists)
}

fn recommended(dir: &Path) -> Result<List, String> {
    let dir = dir.join("microsoft-recommended");
    let (commit, date) = commit(&dir)?;
    let name = "microsoft-recommended/SiPolicy_Recommended.xml";
    let bytes = read(&dir.join("SiPolicy_Recommended.xml"))?;
    let info = ListInfo {
        kind: ListKind::MicrosoftRecommended,
        source: "MicrosoftDocs/windows-itpro-docs, page \"Microsoft recommended driver block rules\" (its XML block)".to_string(),
        commit,
        date,
        licence: Some("MIT (code samples)".to_string()),
        ..ListInfo::default()
    };
    let text = drvsig::blocklist::utf8(name, &bytes).map_err(list_error)?;
    let mut list = sipolicy::parse(name, text, info).map_err(list_error)?;
    list.info.name = format!("{} (recommended)", list.info.name);
    Ok(list)
}

fn lol(dir: &Path) -> Result<List, String> {
    let dir = dir.join("loldrivers");
    let (commit, date) = commit(&dir)?;
    let mut records = Vec::new();
    for path in files(&dir.join("yaml"), "yaml")? {
        let name = format!("loldrivers/yaml/{}", path.file_name().unwrap_or_default().to_string_lossy());
        let bytes = read(&path)?;
        let text = drvsig::blocklist::utf8(&name, &bytes).map_err(list_error)?;
        records.push(loldrivers::parse_yaml_record(&name, text).map_err(list_error)?);
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let info = ListInfo {
        kind: ListKind::Loldrivers,
        name: "LOLDrivers".to_string(),
        version: date.clone().unwrap_or_default(),
        source: LOLDRIVERS_SOURCE.to_string(),
        commit,
        date,
        licence: Some("Apache-2.0".to_string()),
        ..ListInfo::default()
    };
    Ok(loldrivers::list(records, info))
}

fn notices(dir: &Path) -> Result<Vec<Notice>, String> {
    Ok(vec![
        Notice {
            applies_to: "Microsoft in-box driver block lists (MSFT_DriverBlockList)".to_string(),
            licence: "MIT".to_string(),
            text: read_text(&dir.join("microsoft-inbox/LICENSE"))?,
        },
        Notice {
            applies_to: "Microsoft recommended driver block rules".to_string(),
            licence: "MIT (code samples), CC BY 4.0 (documentation)".to_string(),
            text: format!(
                "{}\n\n{}",
                read_text(&dir.join("microsoft-recommended/LICENSE.md"))?,
                read_text(&dir.join("microsoft-recommended/LICENSE-CODE.windows-dev-docs"))?
            ),
        },
        Notice {
            applies_to: "LOLDrivers (github.com/magicsword-io/LOLDrivers)".to_string(),
            licence: "Apache-2.0".to_string(),
            text: read_text(&dir.join("loldrivers/LICENSE"))?,
        },
    ])
}

/// The index of the upstream snapshots in `dir`.
pub fn build(dir: &Path) -> Result<Index, String> {
    let mut lists = inbox(dir)?;
    lists.push(recommended(dir)?);
    lists.push(lol(dir)?);
    Ok(Index { format: FORMAT, notices: notices(dir)?, lists })
}

/// `cargo xtask blocklists --from DIR [--out FILE]` (default `data/blocklists.json`).
#[allow(dead_code)]
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut from = None;
    let mut out = root.join("data/blocklists.json");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--from" => from = it.next().map(std::path::PathBuf::from),
            "--out" => out = it.next().map(std::path::PathBuf::from).ok_or("--out needs a file")?,
            other => return Err(format!("blocklists: unknown argument `{other}`")),
        }
    }
    let from = from.ok_or("blocklists: --from DIR is required (e.g. ../shared/blocklists)")?;
    let index = build(&from)?;
    let bytes = index.to_json();
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(&out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    for l in &index.lists {
        let c = &l.info.counts;
        println!(
            "{:<50} {:<12} hashes {:>5} names {:>3} signers {:>4} records {:>4} samples {:>5}",
            l.info.name, l.info.version, c.hash_rules, c.file_name_rules, c.signer_rules, c.records, c.samples
        );
    }
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}
