//! `cargo xtask bench-blocklists [--corpus DIR]`: what the block lists cost (issue 13): the
//! index's size (raw and gzip -9), the time to read it and build the lookup tables, and the time
//! matching adds per driver (computing the facts it needs that `inspect` has not, then the
//! lookups), over every PE file of the corpus, natively. xtask is a dev build with the hashing
//! crates at opt-level 3 (root Cargo.toml), like `cargo xtask bench`'s hashing figures.

use std::path::{Path, PathBuf};
use std::time::Instant;

use drvsig::blocklist::index::Index;
use drvsig::blocklist::match_file;

fn pe_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            pe_files(&p, out);
        } else if std::fs::read(&p).is_ok_and(|b| b.starts_with(b"MZ")) {
            out.push(p);
        }
    }
}

/// Runs per file; the best is kept.
const RUNS: usize = 5;

/// Runs of each index read; the best is kept.
const READ_RUNS: usize = 30;

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let corpus = match args {
        [flag, dir] if flag == "--corpus" => PathBuf::from(dir),
        [] => root.join("../shared/corpus"),
        _ => return Err("usage: cargo xtask bench-blocklists [--corpus DIR]".to_string()),
    };
    let bytes = std::fs::read(root.join("data/blocklists.json")).map_err(|e| format!("data/blocklists.json: {e}"))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &bytes).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?.len();
    let t = Instant::now();
    let index = Index::from_json(&bytes).map_err(|e| e.to_string())?;
    let parsed = t.elapsed();
    let t = Instant::now();
    let lists = index.into_blocklists(Vec::new());
    let tables = t.elapsed();
    println!(
        "index: {} bytes, {gz} bytes gzip -9; read {:.1} ms, lookup tables {:.1} ms",
        bytes.len(),
        parsed.as_secs_f64() * 1e3,
        tables.as_secs_f64() * 1e3
    );
    // The whole read against the lazy one the CLI and the page's workers use (its summary and
    // hash pool; the lists only for a file that may match them), best of READ_RUNS each.
    let best = |f: &dyn Fn()| {
        (0..READ_RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3
            })
            .fold(f64::MAX, f64::min)
    };
    let whole = best(&|| {
        let _ = Index::from_json(&bytes).map(|i| i.into_blocklists(Vec::new()));
    });
    let lazy = best(&|| {
        let _ = drvsig::blocklist::index::read(&bytes, Vec::new());
    });
    println!("index read, best of {READ_RUNS}: whole (Index::from_json + tables) {whole:.2} ms, lazy (index::read) {lazy:.2} ms");
    let mut files = Vec::new();
    pe_files(&corpus, &mut files);
    files.sort();
    let options = drvsig::Options::at(drvsig::UnixTime(1_767_225_600));
    let mut times = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let report = drvsig::inspect(&path.to_string_lossy(), &bytes, &options);
        if report.pe.is_none() {
            continue;
        }
        // The best of RUNS (the machine is shared: the minimum is the cost, the rest is noise).
        let mut best = f64::MAX;
        let mut found = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let facts = drvsig::file::blocklist_facts(&bytes, &report, &lists, &drvsig::KnownDigests::default());
            found = match_file(&lists, &facts).len();
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        times.push((best, bytes.len(), found, path.clone()));
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median = times.get(times.len() / 2).map(|t| t.0).unwrap_or(0.0);
    if let Some((max, size, _, path)) = times.last() {
        println!("matching: {} PE files, median {median:.3} ms, max {max:.3} ms ({}, {size} bytes)", times.len(), path.display());
    }
    let small: Vec<f64> = times.iter().filter(|t| t.1 <= 1 << 20).map(|t| t.0).collect();
    println!("matching, files up to 1 MiB: {} files, max {:.3} ms", small.len(), small.iter().copied().fold(0.0, f64::max));
    println!("matches: {}", times.iter().map(|t| t.2).sum::<usize>());
    for (ms, size, _, path) in &times {
        println!("  {ms:>9.3} ms  {size:>9} bytes  {}", path.strip_prefix(&corpus).unwrap_or(path).display());
    }
    Ok(())
}
