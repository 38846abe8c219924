//! Helpers shared by the test modules.

use std::path::PathBuf;

/// The shared reference corpus (`DRVSIG_CORPUS`, else `../shared/corpus` beside the repository),
/// or `None` with a printed notice when it is absent (e.g. on a user's machine): corpus tests then
/// return early; the tests on our own fixtures always run.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("DRVSIG_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("manifest.json").is_file() {
        Some(dir)
    } else {
        eprintln!("notice: corpus not found at {} (set DRVSIG_CORPUS); skipping", dir.display());
        None
    }
}
