//! `cargo xtask fixtures`: regenerate the repository's own test fixtures (STUB, being written).
use std::path::Path;

pub fn run(root: &Path) -> Result<(), String> {
    let _ = root;
    Err("fixtures: not implemented yet".into())
}
