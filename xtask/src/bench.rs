//! `cargo xtask bench`: drvsig side by side with its peers and the hardware limit (issue 8).
//!
//! One run generates its inputs into `target/bench/` (never committed), measures on them and prints
//! a table of medians and ratios (also written to `target/bench/results.md`):
//!
//! - native: `drvsig inspect` (release CLI) of a signed 64 MiB PE32+ vs `osslsigncode verify`, the
//!   core's Authenticode SHA-256 throughput vs `openssl speed -evp sha256` (one core's limit), and
//!   1000 small signed files: one `drvsig inspect` over all cores vs `osslsigncode verify` in a loop;
//! - browser (headless Chromium through chromedriver, spoken to in plain WebDriver JSON): the page
//!   from `dist/`, drop-to-verdict of the 64 MiB file and of a typical package (the files are set on
//!   `#file-input` by path, so the browser reads them from disk), `crypto.subtle.digest('SHA-256')`
//!   over the same bytes in the same page, the longest main-thread task (Long Tasks API) and memory;
//!   and a small driver dropped while the page starts, each run in a browser of its own (a first
//!   visit: nothing compiled or cached by an earlier run);
//! - what ships: every file of `dist/`, raw and gzip (also with `--no-browser`).
//!
//! Flags: `--runs N` (default 5; the 1000-file batches use min(N, 3)), `--no-native`, `--no-browser`,
//! `--no-dist` (use the existing `dist/`), `--only GROUP,...` (browser rows: startup, big, corpus,
//! package, many).
//!
//! Profiles: with `DRVSIG_BENCH_PROFILE=DIR`, every page run of the big, corpus, package and many
//! rows also records the page's main thread with the DevTools profiler (through chromedriver) into
//! `DIR/page-<files>-files-<n>.cpuprofile` (open in Chromium's DevTools, or any .cpuprofile reader);
//! build with `DRVSIG_WASM_NAMES=1 cargo xtask dist` first for the wasm functions' names.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fixtures::{build_pe, PeSpec, SectionSpec, IMAGE_SCN_CNT_INITIALIZED_DATA, IMAGE_SCN_MEM_READ, SECTION_ALIGNMENT, SIGNING_TIME};

/// Size of the big file's padding sections together (the signed file is a few KiB larger).
const BIG_PADDING: usize = 64 << 20;
const BIG_SECTIONS: usize = 4;
const SMALL_COUNT: usize = 1000;
/// Bump when the generated inputs change, so old ones in target/bench are rebuilt.
const INPUTS_VERSION: &str = "bench-inputs-1";
const MIB: f64 = 1024.0 * 1024.0;

struct Opts {
    runs: usize,
    native: bool,
    browser: bool,
    dist: bool,
    /// `--only a,b`: only these groups of browser rows (startup, big, corpus, package, many).
    only: Option<Vec<String>>,
}

/// The groups of browser rows `--only` can pick.
const BROWSER_GROUPS: [&str; 5] = ["startup", "big", "corpus", "package", "many"];

impl Opts {
    fn wants(&self, group: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.iter().any(|g| g == group))
    }
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts { runs: 5, native: true, browser: true, dist: true, only: None };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                let v = it.next().ok_or("--runs needs a number")?;
                o.runs = v.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("--runs: not a positive number: {v}"))?;
            }
            "--no-browser" => o.browser = false,
            "--no-native" => o.native = false,
            "--no-dist" => o.dist = false,
            "--only" => {
                let v = it.next().ok_or("--only needs a list of groups")?;
                let groups: Vec<String> = v.split(',').map(|g| g.trim().to_string()).filter(|g| !g.is_empty()).collect();
                if let Some(bad) = groups.iter().find(|g| !BROWSER_GROUPS.contains(&g.as_str())) {
                    return Err(format!("--only: unknown group `{bad}` (one of {})", BROWSER_GROUPS.join(", ")));
                }
                o.only = Some(groups);
            }
            other => {
                return Err(format!(
                    "bench: unknown argument `{other}` (--runs N, --no-native, --no-browser, --no-dist, --only {})",
                    BROWSER_GROUPS.join(",")
                ))
            }
        }
    }
    Ok(o)
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    let started = Instant::now();
    let dir = crate::target_dir(root).join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    for tool in ["osslsigncode", "openssl"] {
        if crate::output_of(Command::new(tool).arg("version")).is_none() && crate::output_of(Command::new(tool).arg("--version")).is_none()
        {
            return Err(format!("bench needs `{tool}` (apt-get install osslsigncode openssl)"));
        }
    }

    eprintln!("bench: building the CLI (cargo build --release -p drvsig-cli)");
    crate::run(crate::cargo().current_dir(root).args(["build", "--release", "-p", "drvsig-cli"]))?;
    let drvsig = crate::target_dir(root).join("release/drvsig");

    let inputs = make_inputs(root, &dir)?;
    let mut rows = Vec::new();
    if opts.native {
        native(&opts, &drvsig, &inputs, &mut rows)?;
    }
    // The page: its timings need the browser; its shipped size is measured even with --no-browser.
    let dist = if opts.dist { crate::dist(root, false)? } else { root.join("dist") };
    if !dist.join("index.html").is_file() {
        return Err(format!("{} has no index.html: run `cargo xtask dist`", dist.display()));
    }
    if opts.browser {
        browser(&opts, &drvsig, &dist, &inputs, &mut rows)?;
    }
    shipped(&dist, &mut rows)?;

    let table = render(&rows);
    let machine = machine();
    println!("\n{machine}\n");
    println!("{table}");
    let md =
        format!("{machine}\n\nCommand: `cargo xtask bench` (runs: {}; {:.0} s)\n\n{table}", opts.runs, started.elapsed().as_secs_f64());
    let out = dir.join("results.md");
    std::fs::write(&out, md).map_err(|e| format!("write {}: {e}", out.display()))?;
    println!("(also in {})", out.display());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Inputs

struct Inputs {
    root_pem: PathBuf,
    big: PathBuf,
    big_len: u64,
    small_dir: PathBuf,
    package: Vec<PathBuf>,
    /// The corpus's signed 14 MB vmlinuz (`../shared/corpus`, or `DRVSIG_CORPUS`), when present.
    vmlinuz: Option<PathBuf>,
}

/// The biggest signed file of the shared corpus, the Debian kernel's EFI stub (found by name in its
/// `manifest.json`), or `None` (with a notice) when the corpus is absent.
fn corpus_vmlinuz(root: &Path) -> Option<PathBuf> {
    let dir = std::env::var_os("DRVSIG_CORPUS").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/corpus"));
    let manifest: Value = std::fs::read(dir.join("manifest.json")).ok().and_then(|b| serde_json::from_slice(&b).ok()).or_else(|| {
        eprintln!("bench: notice: no corpus at {} (set DRVSIG_CORPUS): the vmlinuz rows are skipped", dir.display());
        None
    })?;
    let path = manifest.get("files")?.as_array()?.iter().filter_map(|f| f.get("path")?.as_str()).find(|p| {
        let name = p.rsplit('/').next().unwrap_or(p);
        name.starts_with("vmlinuz")
    })?;
    // chromedriver takes canonical paths only.
    let path = dir.join(path);
    if let Ok(path) = path.canonicalize() {
        Some(path)
    } else {
        eprintln!("bench: notice: {} is listed in the corpus manifest but absent: the vmlinuz rows are skipped", path.display());
        None
    }
}

/// xorshift64*: deterministic pseudo-random bytes (incompressible, unlike zeros).
fn fill_random(buf: &mut [u8], mut state: u64) {
    for chunk in buf.chunks_mut(8) {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let v = state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

/// The test driver of the fixtures, plus `BIG_SECTIONS` data sections of pseudo-random bytes.
fn big_unsigned() -> Vec<u8> {
    let mut spec = PeSpec::driver_x64();
    let names: [&'static [u8]; BIG_SECTIONS] = [b".bench0", b".bench1", b".bench2", b".bench3"];
    let each = BIG_PADDING / BIG_SECTIONS;
    let mut va = spec.sections.iter().map(|s| s.virtual_address).max().unwrap_or(0) + SECTION_ALIGNMENT;
    for (i, name) in names.into_iter().enumerate() {
        let mut data = vec![0u8; each];
        fill_random(&mut data, 0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1));
        spec.sections.push(SectionSpec {
            name,
            virtual_address: va,
            data,
            characteristics: IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ,
        });
        va += each as u32;
    }
    build_pe(&spec)
}

/// The test driver with a distinct `.rdata` string: every small file has its own digest.
fn small_unsigned(i: usize) -> Vec<u8> {
    let mut spec = PeSpec::driver_x64();
    if let Some(rdata) = spec.sections.iter_mut().find(|s| s.name == b".rdata") {
        rdata.data = format!("drvsig benchmark driver {i:04} (TEST ONLY)\0").into_bytes();
    }
    build_pe(&spec)
}

fn sign(root: &Path, chain: &Path, input: &Path, output: &Path) -> Result<(), String> {
    let _ = std::fs::remove_file(output);
    let out = Command::new("osslsigncode")
        .arg("sign")
        .arg("-certs")
        .arg(chain)
        .arg("-key")
        .arg(root.join("tests/fixtures/pki/publisher.key"))
        .args(["-h", "sha256", "-time", &SIGNING_TIME.to_string(), "-in"])
        .arg(input)
        .arg("-out")
        .arg(output)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run osslsigncode: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "osslsigncode sign {} failed: {}{}",
            input.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("write {}: {e}", path.display()))
}

fn make_inputs(root: &Path, dir: &Path) -> Result<Inputs, String> {
    let pki = root.join("tests/fixtures/pki");
    let read = |p: PathBuf| std::fs::read(&p).map_err(|e| format!("read {}: {e}", p.display()));
    let mut chain = read(pki.join("publisher.pem"))?;
    chain.extend(read(pki.join("code-signing-ca.pem"))?);
    let chain_path = dir.join("chain.pem");
    write(&chain_path, &chain)?;
    let root_pem = pki.join("root-ca.pem");

    let stamp = dir.join("inputs.stamp");
    let fresh = std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == INPUTS_VERSION);
    let big = dir.join("big-64mib.sys");
    let small_dir = dir.join("small");
    let package_dir = dir.join("package");
    if !fresh {
        let t = Instant::now();
        let _ = std::fs::remove_file(&stamp);
        let unsigned = dir.join("big-64mib-unsigned.sys");
        write(&unsigned, &big_unsigned())?;
        sign(root, &chain_path, &unsigned, &big)?;
        let _ = std::fs::remove_file(&unsigned);
        eprintln!("bench: made {} in {:.1}s", big.display(), t.elapsed().as_secs_f64());

        let t = Instant::now();
        let unsigned_dir = dir.join("small-unsigned");
        for d in [&small_dir, &unsigned_dir] {
            let _ = std::fs::remove_dir_all(d);
            std::fs::create_dir_all(d).map_err(|e| format!("mkdir {}: {e}", d.display()))?;
        }
        for i in 0..SMALL_COUNT {
            write(&unsigned_dir.join(format!("driver-{i:04}.sys")), &small_unsigned(i))?;
        }
        // osslsigncode once per file, one signer per core.
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<Result<(), String>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= SMALL_COUNT {
                            return Ok(());
                        }
                        let name = format!("driver-{i:04}.sys");
                        sign(root, &chain_path, &unsigned_dir.join(&name), &small_dir.join(&name))?;
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err("a signing thread panicked".into()))).collect()
        });
        results.into_iter().collect::<Result<Vec<()>, String>>()?;
        let _ = std::fs::remove_dir_all(&unsigned_dir);
        eprintln!("bench: signed {SMALL_COUNT} small files in {:.1}s", t.elapsed().as_secs_f64());

        // A typical package: the fixture package (INF + catalog + driver) and two more drivers.
        let _ = std::fs::remove_dir_all(&package_dir);
        std::fs::create_dir_all(&package_dir).map_err(|e| format!("mkdir {}: {e}", package_dir.display()))?;
        let good = root.join("tests/fixtures/packages/good");
        for entry in std::fs::read_dir(&good).map_err(|e| format!("read {}: {e}", good.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            std::fs::copy(entry.path(), package_dir.join(entry.file_name())).map_err(|e| e.to_string())?;
        }
        for (i, name) in ["drvsigaux.sys", "drvsigflt.sys"].iter().enumerate() {
            std::fs::copy(small_dir.join(format!("driver-{i:04}.sys")), package_dir.join(name)).map_err(|e| e.to_string())?;
        }
        write(&stamp, INPUTS_VERSION.as_bytes())?;
    }
    let mut package: Vec<PathBuf> = std::fs::read_dir(&package_dir)
        .map_err(|e| format!("read {}: {e}", package_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    package.sort();
    let big_len = std::fs::metadata(&big).map_err(|e| e.to_string())?.len();
    Ok(Inputs { root_pem, big, big_len, small_dir, package, vmlinuz: corpus_vmlinuz(root) })
}

// ---------------------------------------------------------------------------------------------
// Measuring

fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// User + system CPU time of every waited-for child process so far, in milliseconds.
fn children_cpu_ms() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return f64::NAN;
    }
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// CPU time of the calling thread in seconds.
fn thread_cpu_s() -> f64 {
    // SAFETY: clock_gettime only writes the struct it is given.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// Wall and CPU (user + system) time of `cmd` in milliseconds, `runs` times after one unmeasured
/// run when `warm_up` (warm page cache). Every run must exit 0 (for drvsig: no check failed).
fn time_cmd(what: &str, make: &dyn Fn() -> Command, runs: usize, warm_up: bool) -> Result<(Vec<f64>, Vec<f64>), String> {
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    for i in 0..runs + usize::from(warm_up) {
        let mut cmd = make();
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let c = children_cpu_ms();
        let t = Instant::now();
        let out = cmd.output().map_err(|e| format!("{what}: cannot run: {e}"))?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let cpu_ms = children_cpu_ms() - c;
        if !out.status.success() {
            return Err(format!("{what}: {cmd:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)));
        }
        if i > 0 || !warm_up {
            times.push(ms);
            cpu.push(cpu_ms);
        }
    }
    eprintln!("bench: {what}: wall {}; cpu {}", fmt_list(&times, "ms"), fmt_list(&cpu, "ms"));
    Ok((times, cpu))
}

fn fmt_list(v: &[f64], unit: &str) -> String {
    let parts: Vec<String> = v.iter().map(|x| format!("{x:.1}")).collect();
    format!("[{}] {unit}, median {:.1}", parts.join(", "), median(v))
}

struct Row {
    metric: String,
    drvsig: String,
    reference: String,
    ratio: String,
    target: String,
    met: String,
}

fn row(metric: &str, drvsig: String, reference: &str, ratio: Option<f64>, target: &str, met: Option<bool>) -> Row {
    Row {
        metric: metric.into(),
        drvsig,
        reference: reference.into(),
        ratio: ratio.filter(|r| r.is_finite()).map_or("-".into(), |r| format!("{r:.2}x")),
        target: target.into(),
        met: met.map_or("-".into(), |m| if m { "yes".into() } else { "NO".into() }),
    }
}

fn native(opts: &Opts, drvsig: &Path, inputs: &Inputs, rows: &mut Vec<Row>) -> Result<(), String> {
    let runs = opts.runs;
    let big_mib = inputs.big_len as f64 / MIB;

    // 1. One big file: the whole verification, CLI vs osslsigncode.
    let (ours, ours_cpu) = time_cmd(
        "drvsig inspect (64 MiB)",
        &|| {
            let mut c = Command::new(drvsig);
            c.arg("inspect").arg("--trust").arg(&inputs.root_pem).arg(&inputs.big);
            c
        },
        runs,
        true,
    )?;
    let (theirs, theirs_cpu) = time_cmd(
        "osslsigncode verify (64 MiB)",
        &|| {
            let mut c = Command::new("osslsigncode");
            c.arg("verify").arg("-CAfile").arg(&inputs.root_pem).arg("-in").arg(&inputs.big);
            c
        },
        runs,
        true,
    )?;
    let (o, t) = (median(&ours), median(&theirs));
    rows.push(row(
        &format!("native: verify one {big_mib:.0} MiB driver, wall"),
        format!("{o:.0} ms"),
        &format!("{t:.0} ms (osslsigncode verify -CAfile)"),
        Some(o / t),
        "<= 0.80x",
        Some(o / t <= 0.8),
    ));
    let (o, t) = (median(&ours_cpu), median(&theirs_cpu));
    rows.push(row(
        &format!("native: verify one {big_mib:.0} MiB driver, CPU (user+sys)"),
        format!("{o:.0} ms"),
        &format!("{t:.0} ms"),
        Some(o / t),
        "<= 0.80x",
        Some(o / t <= 0.8),
    ));

    // 2. Authenticode hashing throughput (the core, in this process) vs openssl speed.
    let bytes = std::fs::read(&inputs.big).map_err(|e| e.to_string())?;
    let ranges = drvsig::pe::authenticode_ranges(&bytes).map_err(|e| format!("authenticode ranges: {e}"))?;
    let hashed: usize = ranges.ranges.iter().map(|r| r.len()).sum::<usize>() + ranges.zero_padding;
    // Rates per second of this thread's CPU time: `openssl speed` reports per CPU second too (its
    // default), so a busy machine does not skew the ratio.
    let mut rates = Vec::new();
    let mut rates_wall = Vec::new();
    for i in 0..=runs {
        let (t, c) = (Instant::now(), thread_cpu_s());
        let d = drvsig::pe::authenticode_digests(&bytes, &[drvsig::digest::DigestAlgorithm::Sha256]).map_err(|e| e.to_string())?;
        let (s, cs) = (t.elapsed().as_secs_f64(), thread_cpu_s() - c);
        std::hint::black_box(d);
        if i > 0 {
            rates.push(hashed as f64 / cs / 1e6);
            rates_wall.push(hashed as f64 / s / 1e6);
        }
    }
    let mut whole = Vec::new();
    for i in 0..=runs {
        let c = thread_cpu_s();
        let d = drvsig::digest::DigestAlgorithm::Sha256.digest(&bytes);
        let cs = thread_cpu_s() - c;
        std::hint::black_box(d);
        if i > 0 {
            whole.push(bytes.len() as f64 / cs / 1e6);
        }
    }
    eprintln!("bench: authenticode SHA-256 per wall second: {}", fmt_list(&rates_wall, "MB/s"));
    drop(bytes);
    eprintln!("bench: authenticode SHA-256: {}", fmt_list(&rates, "MB/s"));
    eprintln!("bench: plain SHA-256 (sha2 crate): {}", fmt_list(&whole, "MB/s"));
    let mut speed = Vec::new();
    for _ in 0..runs.min(3) {
        speed.push(openssl_speed()?);
    }
    eprintln!("bench: openssl speed -evp sha256: {}", fmt_list(&speed, "MB/s"));
    let (r, s) = (median(&rates), median(&speed));
    rows.push(row(
        "native: Authenticode SHA-256 throughput, 1 core (per CPU second)",
        format!("{r:.0} MB/s"),
        &format!("{s:.0} MB/s (openssl speed -evp sha256 -bytes 16384)"),
        Some(r / s),
        "(the limit)",
        None,
    ));
    rows.push(row(
        "native: plain SHA-256 of the file (sha2 crate, per CPU second)",
        format!("{:.0} MB/s", median(&whole)),
        &format!("{s:.0} MB/s (openssl speed)"),
        Some(median(&whole) / s),
        "(info)",
        None,
    ));

    // 3. Batch: 1000 small signed files.
    let batch_runs = runs.min(3);
    let (ours, ours_cpu) = time_cmd(
        "drvsig inspect (1000 files, all cores)",
        &|| {
            let mut c = Command::new(drvsig);
            c.arg("inspect").arg("--trust").arg(&inputs.root_pem).arg(&inputs.small_dir);
            c
        },
        batch_runs,
        true,
    )?;
    let one_core = if crate::output_of(Command::new("taskset").arg("--version")).is_some() {
        Some(
            time_cmd(
                "drvsig inspect (1000 files, 1 core)",
                &|| {
                    let mut c = Command::new("taskset");
                    c.args(["-c", "0"]).arg(drvsig).arg("inspect").arg("--trust").arg(&inputs.root_pem).arg(&inputs.small_dir);
                    c
                },
                batch_runs,
                false,
            )?
            .0,
        )
    } else {
        None
    };
    let script = format!(
        "for f in '{}'/*.sys; do osslsigncode verify -CAfile '{}' -in \"$f\" >/dev/null 2>&1 || exit 1; done",
        inputs.small_dir.display(),
        inputs.root_pem.display()
    );
    let (theirs, theirs_cpu) = time_cmd(
        "osslsigncode verify loop (1000 files)",
        &|| {
            let mut c = Command::new("sh");
            c.arg("-c").arg(&script);
            c
        },
        batch_runs,
        false,
    )?;
    let (o, t) = (median(&ours), median(&theirs));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    rows.push(row(
        &format!("native: batch of {SMALL_COUNT} small signed drivers ({cores} cores)"),
        format!("{o:.0} ms"),
        &format!("{t:.0} ms (osslsigncode verify, shell loop)"),
        Some(o / t),
        "(none set)",
        None,
    ));
    let (oc, tc) = (median(&ours_cpu), median(&theirs_cpu));
    rows.push(row(
        &format!("native: batch of {SMALL_COUNT}, CPU (user+sys)"),
        format!("{oc:.0} ms"),
        &format!("{tc:.0} ms"),
        Some(oc / tc),
        "(info)",
        None,
    ));
    if let Some(one) = one_core {
        let m = median(&one);
        rows.push(row(
            "native: same batch on 1 core (taskset -c 0)",
            format!("{m:.0} ms"),
            &format!("{t:.0} ms"),
            Some(m / t),
            "(info)",
            None,
        ));
    }
    Ok(())
}

/// `openssl speed -evp sha256 -bytes 16384 -seconds 2` in MB/s (10^6 bytes per second).
fn openssl_speed() -> Result<f64, String> {
    let out = Command::new("openssl")
        .args(["speed", "-evp", "sha256", "-bytes", "16384", "-seconds", "2"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("openssl speed: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_openssl_speed(&text).ok_or_else(|| format!("cannot read openssl speed's output:\n{text}"))
}

/// The last line `sha256  123456.78k` ("k" = 1000 bytes per second) -> MB/s.
fn parse_openssl_speed(text: &str) -> Option<f64> {
    text.lines().rev().find_map(|line| {
        let mut words = line.split_whitespace();
        let name = words.next()?;
        if !name.to_ascii_lowercase().contains("sha256") {
            return None;
        }
        let k = words.last()?.strip_suffix('k')?.parse::<f64>().ok()?;
        Some(k / 1000.0)
    })
}

// ---------------------------------------------------------------------------------------------
// Browser: plain WebDriver over HTTP/1.1 to a local chromedriver

struct WebDriver {
    port: u16,
    session: String,
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).map_err(|e| format!("chromedriver: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(300))).map_err(|e| e.to_string())?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| format!("chromedriver: {e}"))?;
    // chromedriver keeps the connection open whatever the request says: read by Content-Length.
    let mut response = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let payload = loop {
        let n = stream.read(&mut buf).map_err(|e| format!("chromedriver ({method} {path}): {e}"))?;
        response.extend_from_slice(&buf[..n]);
        let split = response.windows(4).position(|w| w == b"\r\n\r\n");
        if let Some(split) = split {
            let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
            let body = &response[split + 4..];
            let length = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
            match length {
                Some(len) if body.len() >= len => break body[..len].to_vec(),
                None if head.contains("transfer-encoding: chunked") && body.ends_with(b"0\r\n\r\n") => break dechunk(body),
                None if n == 0 => break body.to_vec(),
                _ => {}
            }
        }
        if n == 0 {
            return Err(format!("chromedriver ({method} {path}): connection closed mid-response"));
        }
    };
    let v: Value =
        serde_json::from_slice(&payload).map_err(|e| format!("chromedriver: bad JSON ({e}): {}", String::from_utf8_lossy(&payload)))?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if let Some(err) = value.get("error").and_then(Value::as_str) {
        let msg = value.get("message").and_then(Value::as_str).unwrap_or("");
        return Err(format!("WebDriver {method} {path}: {err}: {}", msg.lines().next().unwrap_or("")));
    }
    Ok(value)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&data[..eol]).ok().and_then(|s| usize::from_str_radix(s.trim(), 16).ok()).unwrap_or(0);
        if size == 0 || data.len() < eol + 2 + size {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[(eol + 4 + size).min(data.len())..];
    }
    out
}

impl WebDriver {
    fn new(port: u16) -> Result<Self, String> {
        Self::with_page_load(port, "normal")
    }

    /// A session whose navigation and scripts do not wait for the page's load (`"none"`): the
    /// start-up rows drop a file while the page is still starting.
    fn with_page_load(port: u16, strategy: &str) -> Result<Self, String> {
        let mut args: Vec<&str> = crate::CHROME_FLAGS.to_vec();
        // Unquantised performance.memory values.
        args.extend(["--enable-precise-memory-info", "--window-size=1280,1000"]);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": strategy,
            "goog:chromeOptions": {"binary": crate::CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let v = http(port, "POST", "/session", Some(&caps))?;
        let session = v.get("sessionId").and_then(Value::as_str).ok_or_else(|| format!("no session id in {v}"))?.to_string();
        let wd = WebDriver { port, session };
        if let Err(e) = wd.post("timeouts", json!({"script": 120_000})) {
            // Not left running (the start-up rows make a session per run).
            wd.close();
            return Err(e);
        }
        Ok(wd)
    }

    fn post(&self, what: &str, body: Value) -> Result<Value, String> {
        http(self.port, "POST", &format!("/session/{}/{what}", self.session), Some(&body))
    }

    /// A DevTools protocol command on the page (chromedriver's `goog/cdp/execute`).
    fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.post("goog/cdp/execute", json!({"cmd": cmd, "params": params}))
    }

    fn goto(&self, url: &str) -> Result<(), String> {
        self.post("url", json!({ "url": url })).map(|_| ())
    }

    fn exec(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post("execute/sync", json!({"script": script, "args": args}))
    }

    fn exec_async(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post("execute/async", json!({"script": script, "args": args}))
    }

    /// chromedriver sets a file input's files from newline-separated local paths.
    fn set_files(&self, css: &str, paths: &[&Path]) -> Result<(), String> {
        let el = self.post("element", json!({"using": "css selector", "value": css}))?;
        let id = el
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no element for {css}: {el}"))?
            .to_string();
        let text: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        self.post(&format!("element/{id}/value"), json!({"text": text.join("\n")})).map(|_| ())
    }

    /// Drags these paths (files or folders) from outside the browser and drops them on the middle
    /// of the element `css`, through Chromium's `Input.dispatchDragEvent`.
    fn drop_paths(&self, css: &str, paths: &[&Path]) -> Result<(), String> {
        let at = self.exec(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];",
            json!([css]),
        )?;
        let (x, y) = (at[0].as_f64().unwrap_or(0.0), at[1].as_f64().unwrap_or(0.0));
        let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let data = json!({"items": [], "files": files, "dragOperationsMask": 1});
        for kind in ["dragEnter", "dragOver", "drop"] {
            self.cdp("Input.dispatchDragEvent", json!({"type": kind, "x": x, "y": y, "data": data}))?;
        }
        Ok(())
    }

    fn wait(&self, what: &str, script: &str, timeout: Duration) -> Result<Value, String> {
        let t = Instant::now();
        loop {
            let v = self.exec(script, json!([]))?;
            if !(v.is_null() || v == Value::Bool(false)) {
                return Ok(v);
            }
            if t.elapsed() > timeout {
                return Err(format!("timed out after {}s waiting for {what}", timeout.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn close(&self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.session), None);
    }
}

struct Chromedriver(Child);

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Installed before the files are set: the input's first `input`/`change` event is t0 (its
/// timeStamp), a MutationObserver notes when the verdict is in the DOM, a PerformanceObserver
/// collects long tasks, a 20 ms timer samples `performance.memory`. The verdict (`until`):
/// `cards`: every expected card has `data-status` done (or failed); `package`: that, and the
/// package view shows its verdict (not busy, a `.package` in it); `summary`: the summary table
/// counts every file (its `data-count`), its tally counts a verdict for each (`data-verdicts`;
/// a page without the tally: a row with a verdict for each), and nothing is in progress (cheap
/// checks first: with a thousand files the observer runs often).
const INSTRUMENT_JS: &str = r#"
const expected = arguments[0];
const until = arguments[1];
const b = window.__bench = { t0: null, tDone: null, tCards: null, tFirst: null, long: [], heapMax: 0, heapStart: 0, expected, files: null };
if (performance.memory) b.heapStart = performance.memory.usedJSHeapSize;
b.po = new PerformanceObserver(list => { for (const e of list.getEntries()) b.long.push([e.startTime, e.duration]); });
b.po.observe({ type: 'longtask' });
const input = document.querySelector('#file-input');
const start = ev => { if (b.t0 === null) { b.t0 = ev.timeStamp; b.files = [...input.files]; } };
input.addEventListener('input', start, { capture: true });
input.addEventListener('change', start, { capture: true });
// A dropped folder: from the drop (its files are walked after it).
document.addEventListener('drop', ev => { if (b.t0 === null) b.t0 = ev.timeStamp; }, { capture: true });
const sample = () => { if (performance.memory) b.heapMax = Math.max(b.heapMax, performance.memory.usedJSHeapSize); };
b.timer = setInterval(sample, 20);
const finish = () => {
  b.tDone = performance.now();
  sample();
  const cards = [...document.querySelectorAll('article.file-card')];
  b.cardCount = cards.length;
  b.statuses = cards.slice(0, 8).map(c => c.dataset.name + ':' + c.dataset.status + ':' + [...c.classList].join('.'));
};
const check = () => {
  if (b.t0 === null || b.tDone !== null) return;
  if (until === 'summary') {
    const count = document.querySelector('.triage .filter-count');
    const n = count ? Number(count.dataset.count) : 0;
    if (n > 0 && b.tFirst === null) b.tFirst = performance.now();
    if (n < expected || document.querySelector('section.results[aria-busy="true"]')) return;
    // The tally counts every verdict (the table draws the first rows); without one, the rows.
    const tally = document.querySelector('.triage-tally');
    const verdicts = tally ? Number(tally.dataset.verdicts)
      : document.querySelectorAll('table.triage-table tr.triage-row:not([data-verdict="none"])').length;
    if (verdicts >= expected) finish();
    return;
  }
  const cards = [...document.querySelectorAll('article.file-card')];
  const cardsDone = cards.length >= expected && cards.every(c => c.dataset.status === 'done' || c.dataset.status === 'failed');
  if (cardsDone && b.tCards === null) b.tCards = performance.now();
  const packaged = until !== 'package' || !!document.querySelector('section.packages[aria-busy="false"] .package');
  if (packaged && cardsDone) finish();
};
b.mo = new MutationObserver(check);
b.mo.observe(document.body, { subtree: true, childList: until !== 'summary', attributes: true, attributeFilter: ['data-status', 'aria-busy', 'data-count', 'data-verdicts'] });
if (until === 'summary') {
  // The summary's first appearance is an insertion, which the observer above does not see: a
  // second one watches insertions until then.
  b.moFirst = new MutationObserver(() => { check(); if (b.tFirst !== null) b.moFirst.disconnect(); });
  b.moFirst.observe(document.body, { subtree: true, childList: true });
}
return true;
"#;

/// After the verdict (and a pause for the long-task entries to arrive): the numbers, and the
/// page's wasm linear memory (it never shrinks: its size now is its peak).
const COLLECT_JS: &str = r#"
const done = arguments[arguments.length - 1];
const b = window.__bench;
(async () => {
  for (const e of b.po.takeRecords()) b.long.push([e.startTime, e.duration]);
  clearInterval(b.timer);
  b.mo.disconnect();
  const during = b.long.filter(([s, d]) => s + d >= b.t0 && s <= b.tDone);
  let wasmMemory = null;
  try {
    const glue = await import('./drvsig_www.js');
    const w = await glue.default();
    if (w && w.memory) wasmMemory = w.memory.buffer.byteLength;
  } catch (e) { wasmMemory = 'unreachable: ' + e; }
  let timings = null;
  try { timings = JSON.parse(document.body.dataset.timings || 'null'); } catch (_) {}
  const marks = performance.getEntriesByType('mark').filter(m => m.name.startsWith('drvsig:') && m.startTime >= b.t0)
    .slice(0, 40).map(m => m.name.slice(7) + '@' + (m.startTime - b.t0).toFixed(1));
  done({ total: b.tDone - b.t0, cards: b.tCards - b.t0, first: b.tFirst - b.t0, cardCount: b.cardCount, timings, marks, workerMemory: timings && timings.wasmMemory, longMax: during.reduce((m, [, d]) => Math.max(m, d), 0), longCount: during.length,
         longSum: during.reduce((m, [, d]) => m + d, 0), heapMax: b.heapMax, heapStart: b.heapStart, wasmMemory,
         statuses: b.statuses });
})().catch(e => done({ error: String(e) }));
"#;

/// WebCrypto over the same bytes in the same page: read the File the input got, then digest it
/// three times (the first one-shot digest in a page is often slower; all are reported).
const WEBCRYPTO_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const f = window.__bench.files[0];
  let t = performance.now();
  const buf = await f.arrayBuffer();
  const read = performance.now() - t;
  const times = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    await crypto.subtle.digest('SHA-256', buf);
    times.push(performance.now() - t);
  }
  done({ read, times, size: buf.byteLength });
})().catch(e => done({ error: String(e) }));
"#;

/// Start-up: as soon as index.html's drop zone exists, watch for the card of the file and drop
/// it (a DataTransfer built in the page, as a person's drop), noting whether the app had already
/// started (then the drop did not test the early queue).
const STARTUP_DROP_JS: &str = r#"
const [name, b64] = arguments;
const zone = document.getElementById('drop-zone');
if (!zone || !window.drvsigEarly) return null;
const s = window.__startup = { tDrop: null, tCard: null, readyBefore: document.body.dataset.ready === 'true',
  early: zone.classList.contains('early-drop') };
const check = () => {
  if (s.tCard !== null) return;
  const card = [...document.querySelectorAll('article.file-card')].find(c => c.dataset.name === name);
  if (card && (card.dataset.status === 'done' || card.dataset.status === 'failed')) s.tCard = performance.now();
};
s.mo = new MutationObserver(check);
s.mo.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
const bin = atob(b64);
const bytes = new Uint8Array(bin.length);
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
const dt = new DataTransfer();
dt.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
s.tDrop = performance.now();
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
}
return s.early;
"#;

/// Start-up, when the card did not come: where the page was (ready or not, its cards, the early
/// queue, an error card).
const STARTUP_STATE_JS: &str = r#"
return { ready: document.body.dataset.ready || null, early: !!window.drvsigEarly,
  queued: window.drvsigEarly ? String(window.drvsigEarly.queued()) : null,
  cards: [...document.querySelectorAll('article.file-card')].map(c => [c.dataset.name, c.dataset.status]),
  error: (document.querySelector('.error-card, .panic') || {}).textContent || null,
  zone: (document.getElementById('drop-zone') || {}).className || null };
"#;

/// Start-up, after the card: the moments, all in ms since navigation start.
const STARTUP_COLLECT_JS: &str = r#"
const s = window.__startup;
s.mo.disconnect();
const nav = performance.getEntriesByType('navigation')[0] || {};
const paint = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
return { responseEnd: nav.responseEnd || null, fcp: paint ? paint.startTime : null,
  listening: window.drvsigEarly ? window.drvsigEarly.listeningAt : null,
  ready: Number(document.body.dataset.readyAt) || null, drop: s.tDrop, card: s.tCard,
  readyBefore: s.readyBefore, early: s.early, worker: document.body.dataset.timings || null,
  marks: performance.getEntriesByType('mark').filter(m => m.name.startsWith('drvsig:')).slice(0, 12)
    .map(m => m.name.slice(7) + '@' + m.startTime.toFixed(1)) };
"#;

/// One start-up run: navigate without waiting for the load event (the session's page load
/// strategy), drop a small signed driver on index.html's drop zone as soon as it exists, wait for
/// its card.
fn startup_run(wd: &WebDriver, base: &str, file: &Path, run: usize) -> Result<Value, String> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = std::fs::read(file).map_err(|e| format!("read {}: {e}", file.display()))?;
    let b64 = crate::base64(&bytes);
    let url = format!("{base}/?startup={run}");
    // The session does not wait for the page's load (`"none"`): this returns once the navigation
    // starts (the loop below waits for the new document).
    wd.goto(&url)?;
    let t = Instant::now();
    let early = loop {
        // Spin without sleeping: the drop should come as early as a person's could.
        let here = wd.exec("return location.search;", json!([]))?;
        if here == json!(format!("?startup={run}")) {
            let v = wd.exec(STARTUP_DROP_JS, json!([name, b64]))?;
            if !v.is_null() {
                break v;
            }
        }
        if t.elapsed() > Duration::from_secs(30) {
            let here = wd.exec("return [location.href, !!document.getElementById('drop-zone'), !!window.drvsigEarly];", json!([]));
            return Err(format!("the page did not show its drop zone within 30 s ({here:?})"));
        }
    };
    if let Err(e) = wd.wait("the first card", "return window.__startup.tCard !== null;", Duration::from_secs(60)) {
        let state = wd.exec(STARTUP_STATE_JS, json!([]));
        let log = wd.post("se/log", json!({"type": "browser"}));
        return Err(format!("{e}; the page: {state:?}; its console: {log:?}"));
    }
    let mut v = wd.exec(STARTUP_COLLECT_JS, json!([]))?;
    v["earlyZone"] = early;
    Ok(v)
}

/// Start-up rows: when the plain drop zone is usable (early.js listening) against the first
/// paint; when the app is ready; drop-to-card of a small driver dropped at once against the wasm's
/// own start-up time (navigation to ready).
fn startup_rows(opts: &Opts, port: u16, base: &str, inputs: &Inputs, rows: &mut Vec<Row>) -> Result<(), String> {
    let file = inputs.small_dir.join("driver-0000.sys");
    let file = file.as_path();
    let mut runs = Vec::new();
    for i in 0..opts.runs {
        // Every run a first visit: a browser of its own (a fresh profile and renderer, so nothing
        // the last run compiled or cached is at hand; in one browser, stop 18's build took 511 ms
        // from drop to card in run 1 and 107-162 ms in runs 2-7).
        let wd = WebDriver::with_page_load(port, "none")?;
        let v = startup_run(&wd, base, file, i);
        wd.close();
        let v = v?;
        eprintln!("bench: start-up run {}: {v}", i + 1);
        runs.push(v);
    }
    let get = |k: &str| -> Vec<f64> { runs.iter().filter_map(|v| v.get(k).and_then(Value::as_f64)).collect() };
    let diff = |a: &str, b: &str| -> Vec<f64> { runs.iter().filter_map(|v| Some(v.get(a)?.as_f64()? - v.get(b)?.as_f64()?)).collect() };
    let listening = median(&get("listening"));
    let fcp = median(&get("fcp"));
    let usable_after_paint = median(&diff("listening", "fcp"));
    rows.push(row(
        "browser: drop zone usable (index.html + early.js listening), ms after navigation",
        format!("{listening:.0} ms"),
        &format!("first contentful paint {fcp:.0} ms (usable {usable_after_paint:+.0} ms from it)"),
        None,
        "within one frame (16.7 ms) of the first paint",
        Some(usable_after_paint <= 16.7),
    ));
    let ready = median(&get("ready"));
    let drop_to_card = median(&diff("card", "drop"));
    let early_all = runs.iter().all(|v| v.get("readyBefore") == Some(&Value::Bool(false)));
    rows.push(row(
        "browser: small signed driver dropped at once, drop to card",
        format!("{drop_to_card:.0} ms"),
        &format!(
            "wasm start-up (navigation to app ready) {ready:.0} ms{}",
            if early_all { "" } else { "; some drops came after the app was ready" }
        ),
        Some(drop_to_card / ready),
        "<= the start-up time",
        Some(drop_to_card <= ready),
    ));
    Ok(())
}

struct PageRun {
    total: f64,
    long_max: f64,
    long_count: f64,
    heap_max: f64,
    wasm_memory: Option<f64>,
    /// The inspecting worker's wasm memory (its peak), from the page's `data-timings`.
    worker_memory: Option<f64>,
}

/// What a page run waits for: every card done (one file), every card done and the package verdict
/// (a package), or every file's verdict in the summary table (many files: the cards may come later).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    Cards,
    Package,
    Summary,
}

impl Until {
    fn name(self) -> &'static str {
        match self {
            Until::Cards => "cards",
            Until::Package => "package",
            Until::Summary => "summary",
        }
    }
}

/// How a page run gives the page its files.
#[derive(Clone, Copy)]
enum Give<'a> {
    /// Set on the file input, as a picker does (`files`).
    Pick,
    /// This folder dropped on the drop zone (Chromium's `Input.dispatchDragEvent`, the browser's
    /// own drop: the page walks the folder as it walks a person's); `files` are what it holds.
    DropFolder(&'a Path),
}

fn page_run(wd: &WebDriver, base: &str, files: &[&Path], until: Until) -> Result<(PageRun, Value), String> {
    page_run_given(wd, base, files, until, Give::Pick)
}

fn page_run_given(wd: &WebDriver, base: &str, files: &[&Path], until: Until, give: Give) -> Result<(PageRun, Value), String> {
    wd.goto(&format!("{base}/"))?;
    wd.wait("the page", "return !!document.body && document.body.dataset.ready === 'true';", Duration::from_secs(60))?;
    // A person presses "Choose files" before the picker opens: the first sign of use, which starts
    // the workers (a plain visit loads none; the startup rows measure a drop that comes at once).
    wd.exec(
        "const b = document.querySelector('#drop-zone button, #drop-zone label'); \
         if (b) b.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true })); return null;",
        json!([]),
    )?;
    // Let the workers start and the page's own warm-up (a few frames of small hashes) finish first.
    std::thread::sleep(Duration::from_millis(1500));
    wd.exec(INSTRUMENT_JS, json!([files.len(), until.name()]))?;
    let profile = std::env::var_os("DRVSIG_BENCH_PROFILE").map(PathBuf::from);
    if profile.is_some() {
        wd.cdp("Profiler.enable", json!({}))?;
        wd.cdp("Profiler.setSamplingInterval", json!({"interval": 100}))?;
        wd.cdp("Profiler.start", json!({}))?;
    }
    match give {
        Give::Pick => {
            eprintln!("bench: page: setting {} file(s) on #file-input", files.len());
            wd.set_files("#file-input", files)?;
        }
        Give::DropFolder(dir) => {
            eprintln!("bench: page: dropping the folder {} ({} files)", dir.display(), files.len());
            wd.drop_paths("#drop-zone", &[dir])?;
        }
    }
    wd.wait("the verdict", "return window.__bench.tDone !== null;", Duration::from_secs(240))?;
    if let Some(dir) = profile {
        let v = wd.cdp("Profiler.stop", json!({}))?;
        std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        let path = dir.join(format!("page-{}-files-{n}.cpuprofile", files.len()));
        let profile = v.get("profile").ok_or_else(|| format!("Profiler.stop gave no profile: {v}"))?;
        write(&path, profile.to_string().as_bytes())?;
        eprintln!("bench: page: main-thread profile in {}", path.display());
    }
    std::thread::sleep(Duration::from_millis(300));
    eprintln!("bench: page: verdict shown; collecting");
    // The figures are the workers': a page that fell back to inspecting on its main thread (a
    // worker that did not start) measures something else.
    let inspector = wd.exec("return document.body.dataset.inspector || null;", json!([]))?;
    if inspector == json!("main-thread") {
        let log = wd.post("se/log", json!({"type": "browser"}));
        return Err(format!("the page inspected on its main thread: its workers did not start ({log:?})"));
    }
    let v = wd.exec_async(COLLECT_JS, json!([]))?;
    if let Some(e) = v.get("error") {
        return Err(format!("collecting page numbers: {e}"));
    }
    let num = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let run = PageRun {
        total: num("total"),
        long_max: num("longMax"),
        long_count: num("longCount"),
        heap_max: num("heapMax"),
        wasm_memory: v.get("wasmMemory").and_then(Value::as_f64),
        worker_memory: v.get("workerMemory").and_then(Value::as_f64),
    };
    Ok((run, v))
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())
}

fn browser(opts: &Opts, drvsig: &Path, dist: &Path, inputs: &Inputs, rows: &mut Vec<Row>) -> Result<(), String> {
    for p in [crate::CHROMIUM, crate::CHROMEDRIVER] {
        if !Path::new(p).is_file() {
            return Err(format!("{p} not found: `cargo xtask setup` (or --no-browser)"));
        }
    }
    let server = crate::StaticServer::start(dist.to_path_buf())?;
    let port = free_port()?;
    let driver = Chromedriver(
        Command::new(crate::CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start chromedriver: {e}"))?,
    );
    let t = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if t.elapsed() > Duration::from_secs(20) {
            return Err("chromedriver did not listen".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("bench: browser: chromedriver on port {port}, page at {}", server.base);
    if opts.wants("startup") {
        startup_rows(opts, port, &server.base, inputs, rows)?;
    }
    let wd = WebDriver::new(port)?;
    let result = browser_runs(opts, drvsig, &wd, &server.base, inputs, rows);
    wd.close();
    drop(driver);
    drop(server);
    result
}

fn browser_runs(opts: &Opts, drvsig: &Path, wd: &WebDriver, base: &str, inputs: &Inputs, rows: &mut Vec<Row>) -> Result<(), String> {
    if opts.wants("big") {
        let label = format!("{:.0} MiB driver", inputs.big_len as f64 / MIB);
        big_file_rows(opts, wd, base, &inputs.big, &label, rows)?;
    }
    if opts.wants("corpus") {
        match &inputs.vmlinuz {
            Some(path) => {
                let len = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
                let label = format!("corpus vmlinuz ({:.1} MB, signed EFI stub)", len as f64 / 1e6);
                big_file_rows(opts, wd, base, path, &label, rows)?;
            }
            None => eprintln!("bench: notice: the shared corpus is absent: no vmlinuz rows"),
        }
    }
    if opts.wants("package") {
        package_rows(opts, wd, base, inputs, rows)?;
    }
    if opts.wants("many") {
        many_rows(opts, drvsig, wd, base, inputs, rows)?;
    }
    Ok(())
}

/// One big signed file dropped alone: drop-to-verdict against reading the same `File` and one
/// `crypto.subtle.digest('SHA-256')` of it in the same page right after (the least any page must
/// do to hash a dropped file), the longest main-thread task, memory.
fn big_file_rows(opts: &Opts, wd: &WebDriver, base: &str, path: &Path, label: &str, rows: &mut Vec<Row>) -> Result<(), String> {
    let size = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len() as f64;
    let mut big = Vec::new();
    let mut crypto = Vec::new();
    let mut crypto_first = Vec::new();
    let mut reads = Vec::new();
    for i in 0..opts.runs {
        let (run, raw) = page_run(wd, base, &[path], Until::Cards)?;
        let wc = wd.exec_async(WEBCRYPTO_JS, json!([]))?;
        if let Some(e) = wc.get("error") {
            return Err(format!("WebCrypto: {e}"));
        }
        let times: Vec<f64> =
            wc.get("times").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default();
        eprintln!(
            "bench: page run {}: {label}: verdict {:.0} ms, longest task {:.0} ms ({} long tasks), heap max {:.1} MiB, wasm memory {:?}, statuses {}; WebCrypto read {:.0} ms, digests {:?} ms; worker timings {}",
            i + 1,
            run.total,
            run.long_max,
            run.long_count,
            run.heap_max / MIB,
            run.wasm_memory.map(|m| m / MIB),
            raw.get("statuses").map(Value::to_string).unwrap_or_default(),
            wc.get("read").and_then(Value::as_f64).unwrap_or(f64::NAN),
            times.iter().map(|t| t.round()).collect::<Vec<_>>(),
            raw.get("timings").map(Value::to_string).unwrap_or_default(),
        );
        eprintln!(
            "bench: page run {}: the page's marks (ms after the pick): {}",
            i + 1,
            raw.get("marks").map(Value::to_string).unwrap_or_default()
        );
        crypto_first.push(times.first().copied().unwrap_or(f64::NAN));
        crypto.push(median(&times));
        reads.push(wc.get("read").and_then(Value::as_f64).unwrap_or(f64::NAN));
        big.push(run);
    }
    let totals: Vec<f64> = big.iter().map(|r| r.total).collect();
    let total = median(&totals);
    let wc = median(&crypto);
    rows.push(row(
        &format!("browser: drop-to-verdict, {label}"),
        format!("{total:.0} ms ({})", spread(&totals)),
        &format!(
            "{wc:.0} ms (crypto.subtle.digest SHA-256; first call {:.0} ms, file read {:.0} ms)",
            median(&crypto_first),
            median(&reads)
        ),
        Some(total / wc),
        "(info)",
        None,
    ));
    // The same bytes read from the file input and digested, as the page must do too: what a
    // verdict could cost at best with WebCrypto.
    let read_digest = median(&reads.iter().zip(&crypto).map(|(r, d)| r + d).collect::<Vec<_>>());
    rows.push(row(
        &format!("browser: drop-to-verdict, {label}, vs read + digest"),
        format!("{total:.0} ms"),
        &format!("{read_digest:.0} ms (File.arrayBuffer() + one crypto.subtle.digest SHA-256, same page)"),
        Some(total / read_digest),
        "<= 1.3x",
        Some(total / read_digest <= 1.3),
    ));
    let long_max = median(&big.iter().map(|r| r.long_max).collect::<Vec<_>>());
    rows.push(row(
        &format!("browser: longest main-thread task, {label}"),
        format!("{long_max:.0} ms"),
        "-",
        None,
        "<= 50 ms",
        Some(long_max <= 50.0),
    ));
    let wasm_mem = big.iter().filter_map(|r| r.wasm_memory).fold(f64::NAN, f64::max);
    let worker_mem = big.iter().filter_map(|r| r.worker_memory).fold(f64::NAN, f64::max);
    let heap = median(&big.iter().map(|r| r.heap_max).collect::<Vec<_>>());
    rows.push(row(
        &format!("browser: memory, {label} (worker wasm memory / page wasm memory / page JS heap max)"),
        format!("{:.0} MiB / {:.0} MiB / {:.0} MiB", worker_mem / MIB, wasm_mem / MIB, heap / MIB),
        &format!("file {:.1} MiB", size / MIB),
        Some(worker_mem / size),
        "(none set)",
        None,
    ));
    Ok(())
}

/// `min-max ms`: the run-to-run spread.
fn spread(values: &[f64]) -> String {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if v.is_empty() {
        "-".into()
    } else {
        format!("{min:.0}-{max:.0} ms over {} runs", v.len())
    }
}

/// The typical package: drop to the package verdict, median and spread, split into the cards
/// (every card done) and the package pass after them.
fn package_rows(opts: &Opts, wd: &WebDriver, base: &str, inputs: &Inputs, rows: &mut Vec<Row>) -> Result<(), String> {
    let mut pkg = Vec::new();
    let mut cards = Vec::new();
    let files: Vec<&Path> = inputs.package.iter().map(PathBuf::as_path).collect();
    for i in 0..opts.runs {
        let (run, raw) = page_run(wd, base, &files, Until::Package)?;
        let c = raw.get("cards").and_then(Value::as_f64).unwrap_or(f64::NAN);
        eprintln!(
            "bench: page run {}: package verdict {:.1} ms (every card done at {c:.1} ms, package pass after {:.1} ms), longest task {:.0} ms, statuses {}; worker timings {}",
            i + 1,
            run.total,
            run.total - c,
            run.long_max,
            raw.get("statuses").map(Value::to_string).unwrap_or_default(),
            raw.get("timings").map(Value::to_string).unwrap_or_default(),
        );
        eprintln!(
            "bench: page run {}: the page's marks (ms after the pick): {}",
            i + 1,
            raw.get("marks").map(Value::to_string).unwrap_or_default()
        );
        cards.push(c);
        pkg.push(run);
    }
    let totals: Vec<f64> = pkg.iter().map(|r| r.total).collect();
    let p = median(&totals);
    let after: Vec<f64> = totals.iter().zip(&cards).map(|(t, c)| t - c).collect();
    let names: Vec<String> = inputs.package.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    rows.push(row(
        &format!("browser: drop-to-verdict, typical package ({}), median and spread", names.join(" ")),
        format!("{p:.0} ms ({})", spread(&totals)),
        &format!(
            "every card done at {:.0} ms ({}), package pass after them {:.0} ms ({})",
            median(&cards),
            spread(&cards),
            median(&after),
            spread(&after)
        ),
        None,
        "< 60 ms",
        Some(p < 60.0),
    ));
    let pl = median(&pkg.iter().map(|r| r.long_max).collect::<Vec<_>>());
    rows.push(row("browser: longest main-thread task, package", format!("{pl:.0} ms"), "-", None, "<= 50 ms", Some(pl <= 50.0)));
    Ok(())
}

/// `SMALL_COUNT` small signed drivers dropped as their folder (the browser's own drop, as issue 16
/// puts it), then picked at once (one multi-file pick on `#file-input`): each time until the
/// summary table shows every file's verdict, against the CLI over the same files in the same run;
/// the longest main-thread task throughout; peak memory over both.
fn many_rows(opts: &Opts, drvsig: &Path, wd: &WebDriver, base: &str, inputs: &Inputs, rows: &mut Vec<Row>) -> Result<(), String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&inputs.small_dir)
        .map_err(|e| format!("read {}: {e}", inputs.small_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sys"))
        .collect();
    files.sort();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let n = paths.len();
    let runs = opts.runs.min(3);
    let (cli, _) = time_cmd(
        &format!("drvsig inspect ({n} files, all cores), beside the page"),
        &|| {
            let mut c = Command::new(drvsig);
            c.arg("inspect").arg("--trust").arg(&inputs.root_pem).args(&paths);
            c
        },
        runs,
        true,
    )?;
    // The issue's case is a folder dropped; a picker's thousand files are measured too (Chromium
    // sets them on the input in one task of its own, the longest of that run).
    let mut all_runs = Vec::new();
    let mut heap_added = Vec::new();
    for (give, how) in [(Give::DropFolder(&inputs.small_dir), "dropped as a folder"), (Give::Pick, "picked at once")] {
        let mut page = Vec::new();
        let mut first = Vec::new();
        let mut long_sum = Vec::new();
        for i in 0..runs {
            let (run, raw) = page_run_given(wd, base, &paths, Until::Summary, give)?;
            let f = raw.get("first").and_then(Value::as_f64).unwrap_or(f64::NAN);
            let ls = raw.get("longSum").and_then(Value::as_f64).unwrap_or(f64::NAN);
            eprintln!(
                "bench: page run {} ({how}): {n} files: every verdict in the summary at {:.0} ms (first row {f:.0} ms), longest task {:.0} ms ({} long tasks, {ls:.0} ms in all), heap max {:.1} MiB (at start {:.1}), page wasm {:?} MiB, last worker wasm {:?} MiB, cards in the DOM {}",
                i + 1,
                run.total,
                run.long_max,
                run.long_count,
                run.heap_max / MIB,
                raw.get("heapStart").and_then(Value::as_f64).unwrap_or(f64::NAN) / MIB,
                run.wasm_memory.map(|m| m / MIB),
                run.worker_memory.map(|m| m / MIB),
                raw.get("cardCount").map(Value::to_string).unwrap_or_default(),
            );
            eprintln!(
                "bench: page run {} ({how}): the last batch's worker timings {}",
                i + 1,
                raw.get("timings").map(Value::to_string).unwrap_or_default()
            );
            first.push(f);
            long_sum.push(ls);
            // The page's JS heap grew by this much over what it started with (the session's
            // earlier pages may still be in the heap at the start: the runs share a browser).
            heap_added.push(run.heap_max - raw.get("heapStart").and_then(Value::as_f64).unwrap_or(f64::NAN));
            page.push(run);
        }
        let totals: Vec<f64> = page.iter().map(|r| r.total).collect();
        let (t, c) = (median(&totals), median(&cli));
        rows.push(row(
            &format!("browser: {n} small signed drivers {how}, every verdict in the summary"),
            format!("{t:.0} ms ({}; first row at {:.0} ms)", spread(&totals), median(&first)),
            &format!("{c:.0} ms (drvsig inspect --trust root-ca.pem, the same {n} files, all cores)"),
            Some(t / c),
            "<= 2x",
            Some(t / c <= 2.0),
        ));
        let lm = median(&page.iter().map(|r| r.long_max).collect::<Vec<_>>());
        rows.push(row(
            &format!("browser: longest main-thread task, {n} files {how}"),
            format!(
                "{lm:.0} ms ({:.0} long tasks, {:.0} ms in all)",
                median(&page.iter().map(|r| r.long_count).collect::<Vec<_>>()),
                median(&long_sum)
            ),
            "-",
            None,
            "<= 50 ms",
            Some(lm <= 50.0),
        ));
        all_runs.extend(page);
    }
    let page = all_runs;
    let heap = page.iter().map(|r| r.heap_max).fold(f64::NAN, f64::max);
    let added = heap_added.iter().copied().fold(f64::NAN, f64::max);
    let wasm_mem = page.iter().filter_map(|r| r.wasm_memory).fold(f64::NAN, f64::max);
    let worker_mem = page.iter().filter_map(|r| r.worker_memory).fold(f64::NAN, f64::max);
    let bytes: u64 = files.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    rows.push(row(
        &format!(
            "browser: peak memory, {n} files (page JS heap max, and its growth in a run / page wasm memory / last worker's wasm memory)"
        ),
        format!("{:.0} MiB (+{:.0} MiB) / {:.0} MiB / {:.0} MiB", heap / MIB, added / MIB, wasm_mem / MIB, worker_mem / MIB),
        &format!("files {:.1} MiB in all", bytes as f64 / MIB),
        None,
        "(stated, bounded)",
        None,
    ));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What ships

fn unbase64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn shipped(dist: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    let read = |name: &str| std::fs::read(dist.join(name)).map_err(|e| format!("read dist/{name}: {e}"));
    let kb = |n: u64| format!("{:.0} KB", n as f64 / 1024.0);
    // Each module holds its wasm gzip-compressed, then base64 (see `cargo xtask dist`): the page's
    // (drawing reports) and the workers' (the core).
    for (what, module) in [("page", "drvsig_wasm_bytes.js"), ("worker", "drvsig_worker_bytes.js")] {
        let bytes_js = String::from_utf8_lossy(&read(module)?).into_owned();
        let b64 = bytes_js.split('"').nth(1).unwrap_or("");
        let packed = unbase64(b64);
        let packed_len = packed.len() as u64;
        let mut wasm_bytes = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(packed.as_slice()), &mut wasm_bytes)
            .map_err(|e| format!("gunzip the inlined {what} wasm: {e}"))?;
        let wasm = crate::sizes(&wasm_bytes);
        rows.push(row(
            &format!("size: {what} wasm (decoded from {module})"),
            format!("{} raw / {} gzip (inlined: {} gzip)", kb(wasm.raw), kb(wasm.gzip), kb(packed_len)),
            "-",
            None,
            "(info)",
            None,
        ));
    }
    // Every file of dist/ is what a browser may download: index.html, early.js, boot.js, the
    // page's glue and wasm module, style.css, the favicon on a first visit; worker.js +
    // inspector.js + the workers' glue and wasm module on the first sign of use (a drag over the
    // window, the drop zone touched, a demo: early.js starts the first worker then); the block list
    // index and the demos only when first needed. gzip: `crate::sizes`,
    // level 6 as a server sends it.
    let (mut page, mut first, mut all) = ((0, 0), (0, 0), (0, 0));
    for (name, s) in crate::dist_file_sizes(dist)? {
        let add = |t: &mut (u64, u64)| {
            t.0 += s.raw;
            t.1 += s.gzip;
        };
        add(&mut all);
        if !crate::LAZY_FILES.contains(&name.as_str()) {
            add(&mut first);
            if !crate::WORKER_FILES.contains(&name.as_str()) {
                add(&mut page);
            }
        }
        rows.push(row(
            &format!("size: dist/{name}"),
            format!("{:.1} KB raw / {:.1} KB gzip", s.raw as f64 / 1024.0, s.gzip as f64 / 1024.0),
            "-",
            None,
            "(info)",
            None,
        ));
    }
    rows.push(row(
        "size: the page (html, css, early.js, boot.js, the page's glue and wasm: what the first paint and the views need)",
        format!("{} raw / {} gzip", kb(page.0), kb(page.1)),
        "-",
        None,
        "gzip <= 450 KB",
        Some(page.1 <= 450 * 1024),
    ));
    rows.push(row(
        "size: a first visit (the page alone: the workers start on the first sign of use)",
        format!("{} raw / {} gzip", kb(page.0), kb(page.1)),
        "-",
        None,
        "gzip <= 450 KB",
        Some(page.1 <= 450 * 1024),
    ));
    rows.push(row(
        "size: what the first use adds (the workers' shim, glue and wasm; not the block list index nor the demos)",
        format!("{} raw / {} gzip", kb(first.0 - page.0), kb(first.1 - page.1)),
        "-",
        None,
        "(info)",
        None,
    ));
    rows.push(row("size: all of dist/", format!("{} raw / {} gzip", kb(all.0), kb(all.1)), "-", None, "(info)", None));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Output

fn render(rows: &[Row]) -> String {
    let mut out = String::from("| metric | drvsig | reference | ratio | target | met? |\n|---|---|---|---|---|---|\n");
    for r in rows {
        out.push_str(&format!("| {} | {} | {} | {} | {} | {} |\n", r.metric, r.drvsig, r.reference, r.ratio, r.target, r.met));
    }
    out
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let sha_ni = cpuinfo.lines().find(|l| l.starts_with("flags")).is_some_and(|l| l.split_whitespace().any(|f| f == "sha_ni"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chromium = crate::output_of(Command::new(crate::CHROMIUM).arg("--version")).unwrap_or_default();
    let ossl = crate::output_of(Command::new("osslsigncode").arg("--version")).unwrap_or_default();
    let openssl = crate::output_of(Command::new("openssl").arg("version")).unwrap_or_default();
    format!(
        "Machine: {model}, {cores} cores (nproc), SHA-NI {}; {}; {}; {}",
        if sha_ni { "yes" } else { "no" },
        chromium.trim(),
        ossl.lines().next().unwrap_or("").trim(),
        openssl.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openssl_speed() {
        let text = "version: 3.0.19\n...\nThe 'numbers' are in 1000s of bytes per second processed.\ntype          16384 bytes\nsha256         1234567.89k\n";
        let mbs = parse_openssl_speed(text).unwrap();
        assert!((mbs - 1234.56789).abs() < 1e-6, "{mbs}");
        assert_eq!(parse_openssl_speed("nothing"), None);
    }

    #[test]
    fn base64_round_trip() {
        let data: Vec<u8> = (0..=255u8).collect();
        assert_eq!(unbase64(&crate::base64(&data)), data);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn small_files_differ() {
        assert_ne!(small_unsigned(1), small_unsigned(2));
        assert_eq!(small_unsigned(1).len(), small_unsigned(999).len());
    }
}
