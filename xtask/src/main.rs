//! `cargo xtask <command>`: repository tasks (the cargo xtask pattern).
//! Minimal dispatcher from the fixtures branch; the lead merges it with build / serve / test.
mod fixtures;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let root: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default();
    let command = std::env::args().nth(1);
    let result = match command.as_deref() {
        Some("fixtures") => fixtures::run(&root),
        Some("fixtures-packages") => fixtures::run_packages(&root),
        _ => Err("usage: cargo xtask fixtures | fixtures-packages".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
