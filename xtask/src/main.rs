//! `cargo xtask <command>`: build, serve and test drvsig with nothing but cargo and crates.io.
//!
//! - `dist [--dev]`: build the page (`drvsig-www`) and the workers' core (`drvsig-worker`), two
//!   wasm32 modules, run wasm-bindgen (library, pinned), optionally wasm-opt, and write a static
//!   `dist/` whose wasm modules are inlined into JS modules.
//! - `serve [--port N] [--no-build]`: `dist`, then serve `dist/` on 127.0.0.1.
//! - `test`: native tests, core tests under wasm32 in headless Chromium, end-to-end page tests.
//! - `setup`: install what `test` needs (wasm32 target, wasm-bindgen-test-runner, Chromium).
//! - `fixtures`: regenerate the repository's own test fixtures.
//! - `blocklists --from DIR`: build the block list index `data/blocklists.json` (src/blocklist/).
mod bench;
mod bench_blocklists;
mod blocklists;
mod fixtures;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// The wasm-bindgen version this xtask's `wasm-bindgen-cli-support` is pinned to (see Cargo.toml).
const WASM_BINDGEN_VERSION: &str = "0.2.130";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const WWW_PACKAGE: &str = "drvsig-www";
const WWW_LIB: &str = "drvsig_www";
const WORKER_PACKAGE: &str = "drvsig-worker";
const WORKER_LIB: &str = "drvsig_worker";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
include!("../../crates/e2e/shared.rs");

const USAGE: &str = "usage: cargo xtask <command>
  dist [--dev]                  build the page into dist/ (release unless --dev)
  serve [--port N] [--no-build] build dist/ and serve it on 127.0.0.1 (default port 8000)
  test                          native tests, core tests in headless Chromium (wasm32), e2e tests
  setup                         install the wasm32 target, wasm-bindgen-test-runner and Chromium
  fixtures                      regenerate the repository's test fixtures
  fixtures-packages             regenerate only the driver-package fixtures (catalogs, INFs, zips)
  fixtures-diff                 regenerate only the diff fixtures (tests/fixtures/diff: versions of a package)
  blocklists --from DIR [--out FILE]
                                build the block list index data/blocklists.json from DIR (../shared/blocklists)
  bench-blocklists [--corpus DIR]
                                index size, load time and matching time per corpus PE file (docs/benchmarks.md)
  bench [--runs N] [--no-native] [--no-browser] [--no-dist]
                                benchmarks vs osslsigncode, openssl speed and WebCrypto (docs/benchmarks.md)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let result = match args.first().map(String::as_str) {
        Some("dist") => parse_flags(&args[1..], &["--dev"]).and_then(|f| dist(&root, f.has("--dev")).map(|_| ())),
        Some("serve") => serve_cmd(&root, &args[1..]),
        Some("test") => parse_flags(&args[1..], &[]).and_then(|_| test(&root)),
        Some("setup") => parse_flags(&args[1..], &[]).and_then(|_| setup(&root).map(|_| ())),
        Some("fixtures") => fixtures::run(&root),
        Some("fixtures-packages") => fixtures::run_packages(&root),
        Some("fixtures-diff") => fixtures::run_diff(&root),
        Some("bench") => bench::run(&root, &args[1..]),
        Some("blocklists") => blocklists::run(&root, &args[1..]),
        Some("bench-blocklists") => bench_blocklists::run(&root, &args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // `test` has printed its summary (whose last line must stay last): it fails quietly.
            if !message.is_empty() {
                eprintln!("xtask: {message}");
            }
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

struct Flags(Vec<String>);

impl Flags {
    fn has(&self, flag: &str) -> bool {
        self.0.iter().any(|f| f == flag)
    }
}

fn parse_flags(args: &[String], allowed: &[&str]) -> Result<Flags, String> {
    for a in args {
        if !allowed.contains(&a.as_str()) {
            return Err(format!("unknown argument `{a}`\n{USAGE}"));
        }
    }
    Ok(Flags(args.to_vec()))
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

// ---------------------------------------------------------------------------------------------
// dist

/// Cargo.lock must still resolve `wasm-bindgen` to the version the bindgen library is pinned to.
fn check_lock_version(root: &Path) -> Result<(), String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut versions = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                versions.push(v.trim_end_matches('"').to_string());
            }
        }
    }
    if versions.iter().all(|v| v == WASM_BINDGEN_VERSION) && !versions.is_empty() {
        return Ok(());
    }
    Err(format!(
        "Cargo.lock resolves wasm-bindgen to {:?}, but xtask's wasm-bindgen-cli-support is pinned to \
         ={WASM_BINDGEN_VERSION}: the generated JS glue would not match the wasm. Pin both to the same \
         version (www/Cargo.toml `wasm-bindgen = \"=X\"`, xtask/Cargo.toml `wasm-bindgen-cli-support = \"=X\"`, \
         WASM_BINDGEN_VERSION in xtask/src/main.rs).",
        versions
    ))
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output_of(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => Ok(()),
        Some(_) => {
            eprintln!("xtask: adding the {WASM_TARGET} target (rustup)");
            run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
        }
        None => {
            // No rustup: trust the toolchain to have the target, and let cargo say so if not.
            eprintln!("xtask: rustup not found; assuming the toolchain has {WASM_TARGET}");
            Ok(())
        }
    }
}

struct Sizes {
    raw: u64,
    gzip: u64,
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// The best gzip we can make of `bytes` (zopfli, slow: seconds per MB): what the page inlines.
/// DecompressionStream("gzip") reads it like any gzip member.
fn zopfli_gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let options = zopfli::Options::default();
    match zopfli::compress(options, zopfli::Format::Gzip, bytes, &mut out) {
        Ok(()) => out,
        Err(_) => gzip(bytes),
    }
}

/// The transfer size of `bytes` as a web server sends it: gzip at level 6, the default of GNU gzip,
/// zlib and Apache's mod_deflate (nginx defaults to level 1). Not flate2's best: its zlib-rs
/// backend at level 9 takes short matches in base64 text that level 6 (and GNU gzip -9) do not,
/// and so reported drvsig_wasm_bytes.js 2.6 % bigger (664982 bytes; level 6: 647705; GNU gzip -9:
/// 650668). On the whole of dist/, level 6 gives 0.4 % less than GNU gzip -9 (668313 vs 671181
/// bytes; per file within 1 %).
fn gzip_len(bytes: &[u8]) -> u64 {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().map_or(0, |v| v.len() as u64)
}

fn sizes(bytes: &[u8]) -> Sizes {
    Sizes { raw: bytes.len() as u64, gzip: gzip_len(bytes) }
}

fn kb(n: u64) -> String {
    format!("{:.1} KB", n as f64 / 1024.0)
}

/// A conservative CSS minifier for the release dist: drops comments, collapses whitespace to one
/// space and removes it next to `{`, `}`, `;` and after `,`; quoted strings are kept as written.
/// (www/static/style.css: 42238 -> about 36500 bytes, gzip about -1.3 KB.)
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
                pending_space = true;
            }
            c if c.is_whitespace() => pending_space = true,
            '"' | '\'' => {
                if pending_space && !out.is_empty() && !out.ends_with(['{', '}', ';', ',']) {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                let mut escaped = false;
                for d in chars.by_ref() {
                    out.push(d);
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == c {
                        break;
                    }
                }
            }
            _ => {
                let tight = matches!(c, '{' | '}' | ';') || out.is_empty() || out.ends_with(['{', '}', ';', ',']);
                if pending_space && !tight {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
        }
    }
    out
}

/// Raw and gzip (flate2, best) size of every file under `dist` (name relative to it), sorted by name.
fn dist_file_sizes(dist: &Path) -> Result<Vec<(String, Sizes)>, String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, Sizes)>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                walk(&path, base, out)?;
            } else {
                let bytes = std::fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
                let name = path.strip_prefix(base).unwrap_or(&path).display().to_string();
                out.push((name, sizes(&bytes)));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dist, dist, &mut out)?;
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// A wasm-opt that works: the npm package `binaryen` in the repository's node_modules (Debian's
/// binaryen is too old for what rustc emits), or `$WASM_OPT` when set.
fn find_wasm_opt(root: &Path) -> Option<PathBuf> {
    let candidate = match std::env::var_os("WASM_OPT") {
        Some(p) => PathBuf::from(p),
        None => root.join("node_modules/.bin/wasm-opt"),
    };
    let version = output_of(Command::new(&candidate).arg("--version"))?;
    eprintln!("xtask: wasm-opt: {} ({})", candidate.display(), version.trim());
    Some(candidate)
}

/// The wasm-opt passes, chosen by what ships (the zopfli gzip of the result), not by the raw size.
/// Measured on the page's wasm (2172 KB raw, 634.3 KB zopfli unoptimised; binaryen 132):
/// -Oz: raw -12 % but zopfli 707 KB (+73 KB): binaryen's inlining of single-caller functions
/// breaks the repeats deflate finds, and memory-packing splits the data segment (+4 KB);
/// -O2 without those two passes: 624.5 KB (-9.8 KB, the smallest; -Os so: 626.6 KB, -O3 so:
/// 626.8 KB; duplicate-function-elimination alone: 630.7 KB).
const WASM_OPT_PASSES: &[&str] = &["-O2", "--skip-pass=inlining-optimizing", "--skip-pass=memory-packing"];

fn wasm_opt(tool: &Path, input: &Path, output: &Path) -> Result<(), String> {
    run(Command::new(tool)
        .args(WASM_OPT_PASSES)
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(input)
        .arg("-o")
        .arg(output))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("mkdir {}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| format!("copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The page's entry point. The CSP (`connect-src 'none'`) forbids fetching the wasm, so its bytes
/// come from a JS module; `init` instantiates them and runs the app's `#[wasm_bindgen(start)]`.
const BOOT_JS: &str = r#"// Generated by `cargo xtask dist`. Starts the drvsig page without fetch(): the CSP says
// connect-src 'none', so the wasm bytes are inlined in drvsig_wasm_bytes.js (gzip, base64).
import init from "./drvsig_www.js";
import { wasmResponse } from "./drvsig_wasm_bytes.js";

// `?boot-delay=MS` (at most 10 s) holds the start back: the e2e tests use it to drop files on
// index.html's plain drop zone (www/static/early.js) before the app runs.
const delay = Math.min(Number(new URLSearchParams(location.search).get("boot-delay")) || 0, 10000);
if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
await init({ module_or_path: wasmResponse() });
"#;

/// The functions of a module that carries a wasm (`drvsig_wasm_bytes.js` for the page,
/// `drvsig_worker_bytes.js` for the workers): gzip-compressed, base64, inflated by the browser's own
/// DecompressionStream (no fetch, no library). Base64 of the raw wasm gzips to about 1.4x the
/// wasm's own gzip; base64 of its gzip stays near 1.0x on the wire and 1.33x in memory.
///
/// `wasmResponse()` is what the page and the workers start from: a `Response` whose body is the
/// inflating stream, typed application/wasm, which wasm-bindgen's init hands to
/// `WebAssembly.instantiateStreaming`: the module compiles while it inflates (no fetch: the
/// Response is made here, so the CSP's connect-src 'none' stands). `wasmBytes()` (the whole
/// module, inflated) stays for callers that need the bytes.
const BYTES_JS_FUNCTIONS: &str = r#"
function gzipStream() {
  let packed;
  if (typeof Uint8Array.fromBase64 === "function") {
    packed = Uint8Array.fromBase64(WASM_GZIP_BASE64);
  } else {
    const binary = atob(WASM_GZIP_BASE64);
    packed = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) packed[i] = binary.charCodeAt(i);
  }
  return new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
}

/** The wasm bytes: base64-decoded, then gunzipped by the browser (DecompressionStream). */
export async function wasmBytes() {
  return new Uint8Array(await new Response(gzipStream()).arrayBuffer());
}

/** The wasm as a streaming application/wasm Response (it compiles while it inflates). */
export function wasmResponse() {
  return new Response(gzipStream(), { headers: { "Content-Type": "application/wasm" } });
}
"#;

/// `drvsig_blocklists.js`: the block list index (`data/blocklists.json`) gzip-compressed, base64,
/// inflated by DecompressionStream like the wasm. The worker imports it the first time it inspects
/// a PE or a zip, so a first visit does not load it.
fn blocklists_module(root: &Path, dev: bool) -> Result<String, String> {
    let path = root.join("data/blocklists.json");
    let index = std::fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let packed = if dev { gzip(&index) } else { zopfli_gzip(&index) };
    Ok(format!(
        "// Generated by `cargo xtask dist`: drvsig's block list index ({} bytes, data/blocklists.json;\n\
         // provenance and licence notices inside), gzip-compressed, base64.\n\
         export const BLOCKLISTS_GZIP_BASE64 = \"{}\";\n\
         /** The index's JSON bytes: base64-decoded, then gunzipped by the browser. */\n\
         export async function blocklistIndex() {{\n\
         \x20 let packed;\n\
         \x20 if (typeof Uint8Array.fromBase64 === \"function\") {{\n\
         \x20   packed = Uint8Array.fromBase64(BLOCKLISTS_GZIP_BASE64);\n\
         \x20 }} else {{\n\
         \x20   const binary = atob(BLOCKLISTS_GZIP_BASE64);\n\
         \x20   packed = new Uint8Array(binary.length);\n\
         \x20   for (let i = 0; i < binary.length; i++) packed[i] = binary.charCodeAt(i);\n\
         \x20 }}\n\
         \x20 const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream(\"gzip\"));\n\
         \x20 return new Uint8Array(await new Response(stream).arrayBuffer());\n\
         }}\n",
        index.len(),
        base64(&packed)
    ))
}

/// The bundled demos (`www/demo`): `?demo=ID` and the demo buttons; `id -> file`, as
/// `www/src/state.rs` `DEMOS` names them.
const DEMOS: &[(&str, &str)] =
    &[("driver", "demo-driver.sys"), ("good", "good.zip"), ("tampered", "tampered.zip"), ("missing-file", "missing-file.zip")];

/// `drvsig_demo.js`: the demos as base64, imported by early.js the first time one is asked for
/// (not in the page's wasm: a first visit does not load them).
fn demo_module(root: &Path) -> Result<String, String> {
    let mut out = String::from(
        "// Generated by `cargo xtask dist`: the bundled demos (www/demo, provenance in its README).\nexport const DEMOS = {\n",
    );
    for (id, file) in DEMOS {
        let path = root.join("www/demo").join(file);
        let bytes = std::fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        out.push_str(&format!("  \"{id}\": {{ name: \"{file}\", base64: \"{}\" }},\n", base64(&bytes)));
    }
    out.push_str("};\n");
    Ok(out)
}

/// Build `dist/`; returns its path.
fn dist(root: &Path, dev: bool) -> Result<PathBuf, String> {
    let started = Instant::now();
    check_lock_version(root)?;
    let index = root.join("index.html");
    let index_html = std::fs::read_to_string(&index).map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    if !index_html.contains(r#"<script type="module" src="./boot.js"></script>"#) {
        return Err(format!("{} must load the page with exactly <script type=\"module\" src=\"./boot.js\"></script>", index.display()));
    }
    ensure_wasm_target()?;

    let profile = if dev { "debug" } else { "release" };
    eprintln!("xtask: building {WWW_PACKAGE} and {WORKER_PACKAGE} for {WASM_TARGET} ({profile})");
    let mut build = cargo();
    build.current_dir(root).args(["build", "-p", WWW_PACKAGE, "-p", WORKER_PACKAGE, "--lib", "--target", WASM_TARGET]);
    if !dev {
        build.arg("--release");
    }
    run(&mut build)?;
    let page = bindgen_module(root, WWW_LIB, dev)?;
    let worker = bindgen_module(root, WORKER_LIB, dev)?;

    let dist = root.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist).map_err(|e| format!("mkdir {}: {e}", dist.display()))?;
    let static_dir = root.join("www/static");
    if static_dir.is_dir() {
        copy_dir(&static_dir, &dist)?;
    }
    if !dev {
        let css_path = dist.join("style.css");
        if let Ok(css) = std::fs::read_to_string(&css_path) {
            std::fs::write(&css_path, minify_css(&css)).map_err(|e| format!("write {}: {e}", css_path.display()))?;
        }
    }
    let page_bytes_js = page.bytes_module("the page's wasm (crates: drvsig-www)");
    let worker_bytes_js = worker.bytes_module("the inspection workers' wasm (crates: drvsig-worker)");
    let blocklists_js = blocklists_module(root, dev)?;
    let demo_js = demo_module(root)?;
    let files: [(&str, &[u8]); 8] = [
        ("index.html", index_html.as_bytes()),
        ("drvsig_www.js", &page.glue),
        ("drvsig_wasm_bytes.js", page_bytes_js.as_bytes()),
        ("drvsig_worker.js", &worker.glue),
        ("drvsig_worker_bytes.js", worker_bytes_js.as_bytes()),
        ("boot.js", BOOT_JS.as_bytes()),
        ("drvsig_blocklists.js", blocklists_js.as_bytes()),
        ("drvsig_demo.js", demo_js.as_bytes()),
    ];
    for (name, contents) in files {
        std::fs::write(dist.join(name), contents).map_err(|e| format!("write dist/{name}: {e}"))?;
    }

    println!("dist: {} ({profile}) in {:.1}s", dist.display(), started.elapsed().as_secs_f64());
    for (what, module) in [("page wasm", &page), ("worker wasm", &worker)] {
        let s = sizes(&module.wasm);
        println!("  {what}: {}", module.opt_note);
        println!(
            "  {what:<30} raw {:>10}  gzip {:>10}  inlined as {} {}",
            kb(s.raw),
            kb(s.gzip),
            if dev { "gzip" } else { "zopfli" },
            kb(module.packed.len() as u64)
        );
    }
    // What a browser downloads: every file of dist/ (the page, its modules, the worker, CSS, icon);
    // a first visit loads the page only; the first use (a drag over the window, the drop zone
    // touched, a demo) adds the workers' files; the block list index comes when a PE is first
    // inspected.
    let (mut total_raw, mut total_gzip, mut first_raw, mut first_gzip, mut page_raw, mut page_gzip) = (0, 0, 0, 0, 0, 0);
    for (name, s) in dist_file_sizes(&dist)? {
        println!("  {name:<30} raw {:>10}  gzip {:>10}", kb(s.raw), kb(s.gzip));
        if !LAZY_FILES.contains(&name.as_str()) {
            first_raw += s.raw;
            first_gzip += s.gzip;
            if !WORKER_FILES.contains(&name.as_str()) {
                page_raw += s.raw;
                page_gzip += s.gzip;
            }
        }
        total_raw += s.raw;
        total_gzip += s.gzip;
    }
    println!("  the page (all but the workers' files and {}): raw {}, gzip {}", LAZY_FILES.join(", "), kb(page_raw), kb(page_gzip));
    println!("  first visit: the page alone (the workers start on the first sign of use)");
    println!(
        "  first use adds the workers' files: raw {}, gzip {} (page + workers: raw {}, gzip {})",
        kb(first_raw - page_raw),
        kb(first_gzip - page_gzip),
        kb(first_raw),
        kb(first_gzip)
    );
    println!("  shipped (all of dist/, wasm inlined): raw {}, gzip {}", kb(total_raw), kb(total_gzip));
    Ok(dist)
}

/// Files of dist/ a first visit does not load: the block list index (the workers import it the
/// first time they inspect a PE or a zip), the demos (imported when one is asked for) and what
/// only applies without JavaScript.
pub(crate) const LAZY_FILES: &[&str] = &["drvsig_blocklists.js", "drvsig_demo.js", "noscript.css"];

/// The workers' files: loaded on the first sign of use (early.js or the app starts the first
/// worker then), not needed to draw the page nor on a plain visit.
pub(crate) const WORKER_FILES: &[&str] = &["worker.js", "inspector.js", "drvsig_worker.js", "drvsig_worker_bytes.js"];

/// One wasm module after wasm-bindgen (and wasm-opt when it helps).
struct Module {
    /// The JS glue (`{lib}.js`).
    glue: Vec<u8>,
    /// The wasm that ships.
    wasm: Vec<u8>,
    /// Its gzip, as inlined (zopfli in release).
    packed: Vec<u8>,
    opt_note: String,
}

impl Module {
    /// The JS module that carries the wasm: gzip, base64 (`wasmBytes()` inflates it).
    fn bytes_module(&self, what: &str) -> String {
        format!(
            "// Generated by `cargo xtask dist`: {what}, {} bytes, gzip-compressed, base64.\nexport const WASM_GZIP_BASE64 = \"{}\";\n{BYTES_JS_FUNCTIONS}",
            self.wasm.len(),
            base64(&self.packed)
        )
    }
}

/// wasm-bindgen (and wasm-opt, when it makes the gzip smaller) on the built `{lib}.wasm`.
fn bindgen_module(root: &Path, lib: &str, dev: bool) -> Result<Module, String> {
    let profile = if dev { "debug" } else { "release" };
    let wasm = target_dir(root).join(WASM_TARGET).join(profile).join(format!("{lib}.wasm"));
    let out = target_dir(root).join("xtask-bindgen").join(profile).join(lib);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("mkdir {}: {e}", out.display()))?;
    // DRVSIG_WASM_NAMES=1: keep the function names (and skip wasm-opt, which would drop them), for
    // profiles of the release build (Chromium's or node's --cpu-prof); never for what ships.
    let names = dev || std::env::var_os("DRVSIG_WASM_NAMES").is_some_and(|v| v == "1");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?
        .typescript(false)
        .omit_default_module_path(false)
        .remove_name_section(!names)
        .remove_producers_section(!dev)
        .generate(&out)
        .map_err(|e| format!("wasm-bindgen on {}: {e:#}", wasm.display()))?;
    let glue_path = out.join(format!("{lib}.js"));
    let bg_path = out.join(format!("{lib}_bg.wasm"));
    let glue = std::fs::read(&glue_path).map_err(|e| format!("read {}: {e}", glue_path.display()))?;
    let mut wasm_bytes = std::fs::read(&bg_path).map_err(|e| format!("read {}: {e}", bg_path.display()))?;

    // wasm-opt only when a working one is there, and only when it makes the gzip smaller.
    let plain = sizes(&wasm_bytes);
    let mut opt_note = "wasm-opt: not found (npm install binaryen for node_modules/.bin/wasm-opt); not run".to_string();
    if dev {
        opt_note = "wasm-opt: skipped (--dev)".into();
    } else if names {
        opt_note = "wasm-opt: skipped (DRVSIG_WASM_NAMES=1 keeps the names for profiling)".into();
    } else if let Some(tool) = find_wasm_opt(root) {
        let opt_path = out.join(format!("{lib}_opt.wasm"));
        match wasm_opt(&tool, &bg_path, &opt_path).and_then(|()| std::fs::read(&opt_path).map_err(|e| e.to_string())) {
            Ok(opt_bytes) => {
                let opt = sizes(&opt_bytes);
                // Judge by what ships: the gzip of the bytes (inlined as base64 of their zopfli
                // gzip; flate2 is the fast stand-in: it ranked every variant measured as zopfli did).
                let keep = opt.gzip < plain.gzip;
                opt_note = format!(
                    "wasm-opt {}: raw {} -> {}, gzip {} -> {}: {}",
                    WASM_OPT_PASSES.join(" "),
                    kb(plain.raw),
                    kb(opt.raw),
                    kb(plain.gzip),
                    kb(opt.gzip),
                    if keep { "kept the optimised file" } else { "kept the unoptimised file (its inlined form gzips smaller)" }
                );
                if keep {
                    wasm_bytes = opt_bytes;
                }
            }
            Err(e) => opt_note = format!("wasm-opt failed ({e}); kept the unoptimised file"),
        }
    }
    // Release: zopfli (about 5 % smaller than flate2's best, a few seconds); --dev: flate2.
    let packed = if dev { gzip(&wasm_bytes) } else { zopfli_gzip(&wasm_bytes) };
    Ok(Module { glue, wasm: wasm_bytes, packed, opt_note })
}

// ---------------------------------------------------------------------------------------------
// serve

fn serve_cmd(root: &Path, args: &[String]) -> Result<(), String> {
    let mut port: u16 = 8000;
    let mut build = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-build" => build = false,
            "--port" => {
                let v = it.next().ok_or("--port needs a number")?;
                port = v.parse().map_err(|_| format!("--port: not a port number: {v}"))?;
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let dir = if build { dist(root, false)? } else { root.join("dist") };
    if !dir.join("index.html").is_file() {
        return Err(format!("{} has no index.html: run `cargo xtask dist` first", dir.display()));
    }
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_else(|| format!("127.0.0.1:{port}"));
    println!("serving {} at http://{addr}/ (Ctrl-C to stop)", dir.display());
    for request in server.incoming_requests() {
        let response = match resolve(&dir, request.url()) {
            Some(file) => match std::fs::read(&file) {
                Ok(body) => {
                    let header = tiny_http::Header::from_bytes("Content-Type", content_type(&file)).ok();
                    let mut r = tiny_http::Response::from_data(body);
                    if let Some(h) = header {
                        r = r.with_header(h);
                    }
                    r
                }
                Err(_) => tiny_http::Response::from_data(b"error".to_vec()).with_status_code(500),
            },
            None => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
        };
        eprintln!("{} {} -> {}", request.method(), request.url(), response.status_code().0);
        let _ = request.respond(response);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// setup: what the test layers need

struct Tools {
    /// Directory to put first on PATH so that `wasm-bindgen-test-runner` (the wasm32 runner in
    /// .cargo/config.toml) is the pinned version; `None` when the one on PATH is already right.
    runner_dir: Option<PathBuf>,
}

fn runner_version_ok(runner: &Path) -> bool {
    output_of(Command::new(runner).arg("--version")).is_some_and(|v| v.split_whitespace().nth(1) == Some(WASM_BINDGEN_VERSION))
}

fn ensure_runner(root: &Path) -> Result<Option<PathBuf>, String> {
    if runner_version_ok(Path::new("wasm-bindgen-test-runner")) {
        return Ok(None);
    }
    let tools = root.join(".tools");
    let bin = tools.join("bin");
    if runner_version_ok(&bin.join("wasm-bindgen-test-runner")) {
        return Ok(Some(bin));
    }
    eprintln!("xtask: wasm-bindgen-test-runner {WASM_BINDGEN_VERSION} not found; installing it into {} (takes minutes)", tools.display());
    // No --locked: it fails on a dependency version this registry lacks (TOOLCHAIN.md).
    run(cargo().args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION, "--root"]).arg(&tools))?;
    if runner_version_ok(&bin.join("wasm-bindgen-test-runner")) {
        Ok(Some(bin))
    } else {
        Err(format!("installed wasm-bindgen-cli into {} but its runner is not {WASM_BINDGEN_VERSION}", tools.display()))
    }
}

fn is_root() -> bool {
    output_of(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

fn ensure_chromium() -> Result<(), String> {
    let missing = || [CHROMIUM, CHROMEDRIVER].iter().any(|p| !Path::new(p).is_file());
    if !missing() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "{CHROMIUM} and {CHROMEDRIVER} are needed for the browser tests: install the Debian packages \
             `chromium` and `chromium-driver` (sudo apt-get update && sudo apt-get install -y chromium chromium-driver)"
        ));
    }
    eprintln!("xtask: installing chromium and chromium-driver (apt-get)");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if missing() {
        return Err(format!("apt-get installed chromium but {CHROMIUM} or {CHROMEDRIVER} is still missing"));
    }
    Ok(())
}

fn setup(root: &Path) -> Result<Tools, String> {
    ensure_wasm_target()?;
    ensure_chromium()?;
    let runner_dir = ensure_runner(root)?;
    let runner = match &runner_dir {
        Some(dir) => dir.join("wasm-bindgen-test-runner").display().to_string(),
        None => "wasm-bindgen-test-runner (PATH)".to_string(),
    };
    eprintln!("xtask: tools ok: {WASM_TARGET} target, {CHROMIUM}, {CHROMEDRIVER}, {runner} {WASM_BINDGEN_VERSION}");
    Ok(Tools { runner_dir })
}

fn webdriver_json(root: &Path) -> Result<PathBuf, String> {
    let args: Vec<String> = CHROME_FLAGS.iter().map(|f| format!("\"{}\"", f.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    let json =
        format!("{{\n  \"goog:chromeOptions\": {{\n    \"binary\": \"{CHROMIUM}\",\n    \"args\": [{}]\n  }}\n}}\n", args.join(", "));
    let dir = target_dir(root).join("xtask");
    std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    let path = dir.join("webdriver.json");
    std::fs::write(&path, json).map_err(|e| format!("write {}: {e}", path.display()))?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------------
// test

#[derive(Default)]
struct Layer {
    name: &'static str,
    passed: u64,
    failed: u64,
    ignored: u64,
    ok: bool,
    note: String,
    seconds: f64,
}

/// `test result: ok. 5 passed; 0 failed; 1 ignored; ...` -> (5, 0, 1)
fn parse_result_line(line: &str) -> Option<(u64, u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    // Each `;`-separated part ends with "<number> <word>" (the first one starts with "ok. ").
    let count = |word: &str| {
        rest.split(';')
            .find_map(|part| {
                let mut words = part.split_whitespace().rev();
                let (w, n) = (words.next()?, words.next()?);
                (w == word).then(|| n.parse::<u64>().ok()).flatten()
            })
            .unwrap_or(0)
    };
    Some((count("passed"), count("failed"), count("ignored")))
}

/// Run a test command, echoing its output, and count its `test result:` lines.
fn run_layer(name: &'static str, cmd: &mut Command) -> Layer {
    let started = Instant::now();
    println!("\n=== {name}: {cmd:?}");
    let mut layer = Layer { name, ..Layer::default() };
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            layer.note = format!("cannot run: {e}");
            layer.failed = 1;
            return layer;
        }
    };
    if let Some(stdout) = child.stdout.take() {
        let mut reader = BufReader::new(stdout);
        let mut buf = Vec::new();
        while reader.read_until(b'\n', &mut buf).map(|n| n > 0).unwrap_or(false) {
            let line = String::from_utf8_lossy(&buf);
            print!("{line}");
            let _ = std::io::stdout().flush();
            if let Some((p, f, i)) = parse_result_line(&line) {
                layer.passed += p;
                layer.failed += f;
                layer.ignored += i;
            }
            buf.clear();
        }
    }
    let status = child.wait();
    layer.seconds = started.elapsed().as_secs_f64();
    layer.ok = matches!(status, Ok(s) if s.success());
    if !layer.ok && layer.failed == 0 {
        // A build failure or a crash: no test failed by name, but the layer did not pass.
        layer.failed = 1;
        layer.note = "command failed before reporting a failing test (build error?)".into();
    }
    layer
}

fn failed_layer(name: &'static str, why: String) -> Layer {
    Layer { name, failed: 1, note: why, ..Layer::default() }
}

fn test(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let mut layers = Vec::new();

    // (a) everything natively. DRVSIG_DIST is removed so the e2e crate passes trivially here; the
    // e2e layer below runs it for real.
    layers.push(run_layer(
        "native (cargo test --workspace)",
        cargo().current_dir(root).args(["test", "--workspace", "--no-fail-fast"]).env_remove("DRVSIG_DIST"),
    ));

    // (b) the core's tests under wasm32, in headless Chromium.
    let tools = setup(root);
    let webdriver = webdriver_json(root);
    match (&tools, &webdriver) {
        (Ok(tools), Ok(json)) => {
            let mut cmd = cargo();
            cmd.current_dir(root)
                .args(["test", "-p", "drvsig", "--target", WASM_TARGET, "--test", "wasm", "--no-fail-fast"])
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", json)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
                .env_remove("GECKODRIVER")
                .env_remove("SAFARIDRIVER");
            if let Some(dir) = &tools.runner_dir {
                let path = std::env::var_os("PATH").unwrap_or_default();
                let mut paths = vec![dir.clone()];
                paths.extend(std::env::split_paths(&path));
                cmd.env("PATH", std::env::join_paths(paths).map_err(|e| e.to_string())?);
            }
            layers.push(run_layer("wasm32 core (headless Chromium)", &mut cmd));
        }
        (Err(e), _) | (_, Err(e)) => layers.push(failed_layer("wasm32 core (headless Chromium)", e.clone())),
    }

    // (c) the built page, end to end.
    match (&tools, dist(root, false)) {
        (Ok(_), Ok(dist_dir)) => layers.push(run_layer(
            "e2e (dist/ in headless Chromium)",
            cargo()
                .current_dir(root)
                .args(["test", "-p", "drvsig-e2e", "--no-fail-fast"])
                .env("DRVSIG_DIST", &dist_dir)
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("CHROMIUM", CHROMIUM),
        )),
        (Err(e), _) => layers.push(failed_layer("e2e (dist/ in headless Chromium)", e.clone())),
        (_, Err(e)) => layers.push(failed_layer("e2e (dist/ in headless Chromium)", format!("dist: {e}"))),
    }

    println!("\n=== summary ({:.0}s)", started.elapsed().as_secs_f64());
    let (mut passed, mut failed) = (0, 0);
    for l in &layers {
        passed += l.passed;
        failed += l.failed;
        let status = if l.ok && l.failed == 0 { "ok" } else { "FAILED" };
        let note = if l.note.is_empty() { String::new() } else { format!(" - {}", l.note) };
        println!("{}: {status}: {} passed, {} failed, {} ignored ({:.0}s){note}", l.name, l.passed, l.failed, l.ignored, l.seconds);
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 && layers.iter().all(|l| l.ok) {
        Ok(())
    } else {
        Err(String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_test_result_lines() {
        assert_eq!(
            parse_result_line("test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.01s"),
            Some((12, 0, 3))
        );
        assert_eq!(parse_result_line("test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out"), Some((1, 2, 0)));
        assert_eq!(parse_result_line("running 3 tests"), None);
    }

    #[test]
    fn css_minifier_keeps_strings_and_meaning() {
        let css = "/* c */\n:root {\n  --a: 1px;\n}\n.a :hover,\n.b  > .c { content: \"\\2693  x\"; margin: 0 auto ; }\n@media (max-width: 600px) {\n  .d { x: 'a /* b */' }\n}\n";
        assert_eq!(
            minify_css(css),
            ":root{--a: 1px;}.a :hover,.b > .c{content: \"\\2693  x\";margin: 0 auto;}@media (max-width: 600px){.d{x: 'a /* b */'}}"
        );
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input), expected);
        }
    }

    #[test]
    fn resolve_stays_inside_dist() {
        let dir = std::env::temp_dir().join(format!("xtask-resolve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "x").unwrap();
        assert_eq!(resolve(&dir, "/?demo"), Some(dir.join("index.html")));
        assert_eq!(resolve(&dir, "/index.html"), Some(dir.join("index.html")));
        assert_eq!(resolve(&dir, "/../etc/passwd"), None);
        assert_eq!(resolve(&dir, "/missing.js"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lock_version_is_checked() {
        let dir = std::env::temp_dir().join(format!("xtask-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lock = |v: &str| format!("[[package]]\nname = \"wasm-bindgen\"\nversion = \"{v}\"\n");
        std::fs::write(dir.join("Cargo.lock"), lock(WASM_BINDGEN_VERSION)).unwrap();
        assert!(check_lock_version(&dir).is_ok());
        std::fs::write(dir.join("Cargo.lock"), lock("0.2.129")).unwrap();
        let err = check_lock_version(&dir).unwrap_err();
        assert!(err.contains("0.2.129") && err.contains(WASM_BINDGEN_VERSION), "{err}");
        std::fs::write(dir.join("Cargo.lock"), "").unwrap();
        assert!(check_lock_version(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        assert!(content_type(Path::new("a.js")).starts_with("text/javascript"));
        assert!(content_type(Path::new("a.css")).starts_with("text/css"));
        assert_eq!(content_type(Path::new("a.svg")), "image/svg+xml");
    }
}
