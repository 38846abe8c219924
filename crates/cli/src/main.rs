//! `drvsig inspect FILE... [--json] [--time RFC3339] [--target ID]...`: the core's report on the
//! command line. `--target` (repeatable) keeps only those Windows targets in the verdict tables,
//! text and JSON alike; the headline still weighs every target.
//! All the files given (directories walked, zips expanded by the core) form one drop: each file's
//! summary is printed, then the driver packages they form and each file's catalog coverage.
//! Exit status: 0 when no check failed, 1 when any check failed (a coverage row is a mismatch, a file
//! an INF needs is missing, ...), 2 on usage or I/O errors.
//!
//! `drvsig diff OLD NEW [--json | --markdown] [--time RFC3339]`: compare two versions of a driver
//! package (files, directories or zips): exit 0 when nothing differs, 1 when something does, 2 on
//! usage or I/O errors.

mod blocklists;
mod diff;
mod packages;
mod text;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use drvsig::policy::Target;
use drvsig::report::InspectionReport;
use drvsig::{FileReport, Options, UnixTime};

#[derive(Parser)]
#[command(name = "drvsig", version, about = "Is this Windows driver signed properly, by whom, and would Windows load it?")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect files (or every file under a directory) and print what is signed, by whom, and whether it is intact.
    Inspect {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print the report as JSON (the schema in docs/report.md) instead of text.
        #[arg(long)]
        json: bool,
        /// Verify as of this time (RFC 3339, e.g. 2024-05-01T00:00:00Z or 2024-05-01) instead of now.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        time: Option<UnixTime>,
        /// Also trust the root certificate(s) in FILE: DER .cer/.crt, PEM (one or several), or a
        /// certs-only PKCS#7 .p7b. Repeatable.
        #[arg(long = "trust", value_name = "FILE")]
        trust: Vec<PathBuf>,
        /// Print the load verdicts for this Windows target only (repeatable), e.g.
        /// win11-24h2-enforced; every target when absent.
        #[arg(long = "target", value_name = "ID", value_parser = parse_target)]
        targets: Vec<Target>,
        /// Also judge against the block list in FILE, beside the built-in snapshot: an SiPolicy XML
        /// (Microsoft's format), LOLDrivers drivers.json, or a folder of LOLDrivers YAML. Repeatable.
        #[arg(long = "blocklist", value_name = "FILE")]
        blocklist: Vec<PathBuf>,
        /// Print the short Markdown summary for a ticket (the page's "Copy summary"): files,
        /// signers, the verdict on the first --target (default win11-24h2-enforced), what failed.
        #[arg(long, conflicts_with = "json")]
        summary: bool,
    },
    /// Compare two versions of a driver package (each a file, a directory or a zip): files added,
    /// removed, renamed or changed, their signatures, catalogs, INFs, verdicts and catalog coverage.
    /// Exit status 0 when nothing differs, 1 when something does, 2 on usage or I/O errors.
    Diff {
        /// The old version: a file, a directory or a zip.
        old: PathBuf,
        /// The new version: a file, a directory or a zip.
        new: PathBuf,
        /// Print the diff as JSON (the schema in docs/report.md, "Diff") instead of text.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print the diff as Markdown (for a ticket) instead of text.
        #[arg(long)]
        markdown: bool,
        /// Verify both sides as of this time (RFC 3339) instead of now.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        time: Option<UnixTime>,
        /// Also trust the root certificate(s) in FILE (as for `inspect`). Repeatable.
        #[arg(long = "trust", value_name = "FILE")]
        trust: Vec<PathBuf>,
        /// Also judge both sides against the block list in FILE (as for `inspect`). Repeatable.
        #[arg(long = "blocklist", value_name = "FILE")]
        blocklist: Vec<PathBuf>,
    },
}

fn parse_target(s: &str) -> Result<Target, String> {
    Target::from_id(s).ok_or_else(|| format!("unknown target; valid ids: {}", Target::ids()))
}

fn parse_time(s: &str) -> Result<UnixTime, String> {
    UnixTime::parse_rfc3339(s).map_err(|e| e.to_string())
}

fn now() -> UnixTime {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    UnixTime(i64::try_from(secs).unwrap_or(i64::MAX))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect { paths, json, time, trust, targets, blocklist, summary } => match options(time, &trust, &blocklist) {
            Ok(options) => {
                let format = if summary {
                    Format::Summary
                } else if json {
                    Format::Json
                } else {
                    Format::Text
                };
                inspect(&paths, format, &options, &targets)
            }
            Err(code) => code,
        },
        Command::Diff { old, new, json, markdown, time, trust, blocklist } => match options(time, &trust, &blocklist) {
            Ok(options) => {
                let format = if json {
                    diff::Format::Json
                } else if markdown {
                    diff::Format::Markdown
                } else {
                    diff::Format::Text
                };
                diff::run(&old, &new, format, &options)
            }
            Err(code) => code,
        },
    }
}

/// The verification time (now unless given), the user's trust anchors and the block lists (the
/// built-in snapshot and `--blocklist` files); exit 2 when a trust file cannot be read. A block
/// list that cannot be read is reported and left out: the files are still inspected.
fn options(time: Option<UnixTime>, trust: &[PathBuf], blocklist: &[PathBuf]) -> Result<Options, ExitCode> {
    let mut options = Options::at(time.unwrap_or_else(now));
    options.blocklists = Some(std::sync::Arc::new(blocklists::load(blocklist)));
    // Files signed through the same CAs verify each certificate link once (shared by the threads).
    options.link_cache = Some(std::sync::Arc::new(drvsig::x509::LinkCache::new()));
    for file in trust {
        let read = std::fs::read(file).map_err(|e| e.to_string());
        match read.and_then(|b| drvsig::chain::parse_trust_file(&b).map_err(|e| e.to_string())) {
            Ok(certs) => options.trust_anchors.extend(certs),
            Err(e) => {
                eprintln!("drvsig: --trust {}: {e}", file.display());
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(options)
}

/// Read and inspect the files under `paths` as one drop (the report `inspect --json` prints);
/// exit 2 (after a message) when a path cannot be read.
fn inspect_drop(paths: &[PathBuf], options: &Options) -> Result<drvsig::InspectionReport, ExitCode> {
    let mut files = Vec::new();
    let several = paths.len() > 1;
    for path in paths {
        if let Err(e) = collect(path, several, &mut files) {
            eprintln!("drvsig: {}: {e}", path.display());
            return Err(ExitCode::from(2));
        }
    }
    let mut contents = Vec::with_capacity(files.len());
    for (path, name) in &files {
        match Contents::read(path) {
            Ok(bytes) => contents.push((name.clone(), bytes)),
            Err(e) => {
                eprintln!("drvsig: {}: {e}", path.display());
                return Err(ExitCode::from(2));
            }
        }
    }
    let borrowed: Vec<(String, &[u8])> = contents.iter().map(|(n, b)| (n.clone(), b.bytes())).collect();
    // Every file's own report on all cores (hashing and signatures: the slow part), then the
    // packages they form, in the files' order: the same report as `drvsig::inspect_package`.
    let reports = inspect_parallel(&borrowed, options);
    Ok(drvsig::package::inspect_package_with_reports(&borrowed, reports, options))
}

/// What `inspect` prints.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Summary,
}

fn inspect(paths: &[PathBuf], format: Format, options: &Options, targets: &[Target]) -> ExitCode {
    let report = match inspect_drop(paths, options) {
        Ok(report) => report,
        Err(code) => return code,
    };
    if format == Format::Summary {
        let target = targets.first().copied().unwrap_or(drvsig::triage::DEFAULT_TARGET);
        print!("{}", drvsig::triage::summary_markdown(&report, target));
    } else if format == Format::Json {
        // Marked with this drvsig's version, the report schema and the time it was made, so the
        // page can show it as a saved report (docs/report.md "made_by").
        let report = only_targets(report.clone(), targets).stamped(&now().to_rfc3339());
        // `{"files": [...], "packages": [...]}` (docs/report.md).
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("drvsig: cannot serialize the report: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        for file in &report.files {
            // A driver that a package's catalog covers gets its verdicts in the package table.
            let judged_in_package =
                report.packages.iter().any(|p| p.coverage.iter().any(|r| r.file == file.name && !r.verdicts.is_empty()));
            print!("{}", text::render(file, !judged_in_package, targets));
        }
        for package in &report.packages {
            print!("{}", packages::render(package, targets));
        }
    }
    if report.files.iter().any(any_failure) || report.packages.iter().any(|p| p.verdict == drvsig::Outcome::Fail) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The report with only the verdicts of `targets` (all of them when `targets` is empty).
fn only_targets(mut report: InspectionReport, targets: &[Target]) -> InspectionReport {
    if targets.is_empty() {
        return report;
    }
    for file in &mut report.files {
        file.verdicts.retain(|v| targets.contains(&v.target));
    }
    for row in report.packages.iter_mut().flat_map(|p| p.coverage.iter_mut()) {
        row.verdicts.retain(|v| targets.contains(&v.target));
    }
    report
}

/// `drvsig::inspect` of each file (named as `inspect_package` names it), on up to one thread per
/// core; the reports come back in the order of `files`. With fewer files than cores, a big file's
/// digests are computed on several cores at once (see [`inspect_hashing_in_parallel`]).
fn inspect_parallel(files: &[(String, &[u8])], options: &Options) -> Vec<FileReport> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let spare_cores = cores > files.len();
    let one = |(name, bytes): &(String, &[u8])| {
        let name = name.replace('\\', "/");
        if spare_cores && bytes.len() >= PARALLEL_HASHING_MIN_BYTES {
            inspect_hashing_in_parallel(&name, bytes, options)
        } else {
            drvsig::inspect(&name, bytes, options)
        }
    };
    let threads = cores.min(files.len());
    if threads <= 1 {
        return files.iter().map(one).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, FileReport)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        mine.push((i, one(file)));
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Files from this size on are worth hashing on several cores (below, the threads cost more than
/// they save).
const PARALLEL_HASHING_MIN_BYTES: usize = 4 * 1024 * 1024;

/// `drvsig::inspect` of a big file whose digests are computed first, each on its own thread: the
/// whole-file SHA-256 (the report's `sha256`) and the Authenticode image hash with each algorithm
/// the embedded signatures name (`drvsig::pe::hash_plan`). The core then uses them as they are
/// (`drvsig::inspect_with`) and hashes nothing again. On two cores a 64 MiB SHA-256-signed driver
/// takes one SHA-256 pass of wall time instead of two.
fn inspect_hashing_in_parallel(name: &str, bytes: &[u8], options: &Options) -> FileReport {
    use drvsig::digest::DigestAlgorithm;
    let plan = drvsig::pe::hash_plan(bytes, options);
    let known = std::thread::scope(|scope| {
        let file = scope.spawn(|| DigestAlgorithm::Sha256.digest(bytes));
        let authenticode: Vec<_> = plan
            .iter()
            .flat_map(|plan| plan.algorithms.iter().map(move |alg| (plan, *alg)))
            .map(|(plan, alg)| (alg, scope.spawn(move || drvsig::pe::hash::hash_ranges(bytes, &plan.ranges, &[alg]))))
            .collect();
        // The CheckSum's pass over every byte, on this thread meanwhile.
        let mut word_sum = drvsig::digest::WordSum::new();
        word_sum.update(bytes);
        drvsig::KnownDigests {
            file_sha256: file.join().ok(),
            authenticode: authenticode.into_iter().filter_map(|(alg, t)| Some((alg, t.join().ok()?.ok()?.pop()?))).collect(),
            word_sum: Some(word_sum),
        }
    });
    drvsig::inspect_with(name, bytes, options, &known)
}

/// A file's bytes: big files are mapped (no copy, no page faults on a fresh 64 MiB buffer: about a
/// third of the time of a big driver's inspection went to reading it into a `Vec`), small ones read.
enum Contents {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Contents {
    /// Files from this size on are mapped.
    const MAP_MIN_BYTES: u64 = 1024 * 1024;

    fn read(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::File::open(path)?;
        if file.metadata()?.len() >= Self::MAP_MIN_BYTES {
            // SAFETY: the map is read-only and private to this process. Were another process to
            // truncate the file while we read it, the process would get SIGBUS (as with any mmap
            // reader, e.g. osslsigncode, ripgrep); nothing can make it read unrelated memory.
            #[allow(unsafe_code)]
            if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(Contents::Mapped(map));
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes)?;
        Ok(Contents::Read(bytes))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Contents::Read(v) => v,
            Contents::Mapped(m) => m,
        }
    }
}

/// Any failed check anywhere in the file's report.
fn any_failure(r: &FileReport) -> bool {
    use drvsig::Outcome::Fail;
    r.findings.iter().any(|f| f.outcome == Fail)
        || r.signatures.iter().any(|s| {
            s.digest_verdict == Fail
                || s.signature_verdict == Fail
                || s.page_hash_verdict == Fail
                || s.findings.iter().any(|f| f.outcome == Fail)
                || s.timestamps.iter().any(|t| t.verdict == Fail)
        })
}

/// Expand directories (recursively, sorted) into (path, display name relative to the argument; when
/// several arguments are given, prefixed with the directory's own name so names stay apart).
fn collect(path: &Path, several: bool, out: &mut Vec<(PathBuf, String)>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        let mut stack = vec![path.to_path_buf()];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let p = entry.path();
                if entry.file_type()?.is_dir() {
                    stack.push(p);
                } else {
                    found.push(p);
                }
            }
        }
        found.sort();
        for p in found {
            let mut name = p.strip_prefix(path).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            if several {
                let dir = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.to_string_lossy().into_owned());
                name = format!("{dir}/{name}");
            }
            out.push((p, name));
        }
    } else {
        out.push((path.to_path_buf(), path.to_string_lossy().into_owned()));
    }
    Ok(())
}
