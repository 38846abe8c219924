//! The block lists of a run: the built-in index (`data/blocklists.json`, built by `cargo xtask
//! blocklists`) and the user's `--blocklist` files. A list that cannot be read is an error on
//! stderr naming the file, line and element; the files are still inspected with the other lists.

use std::path::{Path, PathBuf};

use drvsig::blocklist::index;
use drvsig::blocklist::{loldrivers, user_info, BlockLists, List};
use drvsig::report::ListKind;

/// The index shipped with drvsig.
const BUILTIN: &[u8] = include_bytes!("../../../data/blocklists.json");

/// The built-in lists and the user's; errors are printed.
pub fn load(paths: &[PathBuf]) -> BlockLists {
    let mut user = Vec::new();
    for path in paths {
        match read_list(path) {
            Ok(list) => user.push(list),
            Err(errors) => {
                for e in errors {
                    eprintln!("drvsig: --blocklist {e}; the files are inspected without it");
                }
            }
        }
    }
    // The index's lists are parsed only if a file may match them (index::read).
    match index::read(BUILTIN, Vec::new()) {
        Ok(builtin) => builtin.with_own(user),
        Err(e) => {
            eprintln!("drvsig: the built-in block lists cannot be read: {e}");
            BlockLists::new(user)
        }
    }
}

/// One `--blocklist`: a file (recognised by content) or a folder of LOLDrivers YAML.
fn read_list(path: &Path) -> Result<List, Vec<String>> {
    let name = path.display().to_string();
    if path.is_dir() {
        return read_yaml_folder(path);
    }
    let bytes = std::fs::read(path).map_err(|e| vec![format!("{name}: {e}")])?;
    drvsig::blocklist::parse_user_list(&name, &bytes).map_err(|e| vec![e.to_string()])
}

fn read_yaml_folder(dir: &Path) -> Result<List, Vec<String>> {
    let name = dir.display().to_string();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| vec![format!("{name}: {e}")])?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for p in &paths {
        let file = p.display().to_string();
        let parsed = std::fs::read(p)
            .map_err(|e| format!("{file}: {e}"))
            .and_then(|b| drvsig::blocklist::utf8(&file, &b).map(str::to_string).map_err(|e| e.to_string()))
            .and_then(|t| loldrivers::parse_yaml_record(&file, &t).map_err(|e| e.to_string()));
        match parsed {
            Ok(r) => records.push(r),
            Err(e) => errors.push(e),
        }
    }
    if records.is_empty() && errors.is_empty() {
        errors.push(format!("{name}: no LOLDrivers YAML file in the folder"));
    }
    for e in &errors {
        eprintln!("drvsig: --blocklist {e}; the record is left out");
    }
    if records.is_empty() {
        return Err(Vec::new());
    }
    Ok(loldrivers::list(records, user_info(&name, ListKind::Loldrivers)))
}
