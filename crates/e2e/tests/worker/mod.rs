//! Inspection off the main thread (issue 6 item 7, issue 8): a pool of module Web Workers runs
//! the core and WebCrypto hashes, so a big file leaves the page's animation frames running;
//! several files are inspected at once, each shown when ready; a big file's progress bar is
//! determinate; Cancel terminates only that file's worker; the workers fetch nothing; the digests
//! equal the native core's. A module of the `e2e` test binary.

use fantoccini::Locator;
use serde_json::{json, Value};

use super::{
    check_card, drop_files, js, only_own_origin_requests, open, scenario, tiny_pe32_plus, wait_for, wait_for_early_drop_zone, Cdp, CARD_JS,
};

/// Starts a requestAnimationFrame loop in the page that records the longest gap between frames.
const FRAME_LOOP_JS: &str = r#"
window.__frames = { max: 0, count: 0, last: performance.now(), running: true };
const tick = () => {
  const f = window.__frames;
  const now = performance.now();
  f.max = Math.max(f.max, now - f.last);
  f.last = now;
  f.count++;
  if (f.running) requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
// For the record only: the longest main-thread task Chromium reports.
window.__longest = 0;
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: 'longtask' });
} catch (_) {}
return true;
"#;

/// Records `window.__verdict = {start, done}`: the file input's change event and the moment the
/// card named `arguments[0]` turns "done".
const TIME_TO_VERDICT_JS: &str = r#"
const name = arguments[0];
window.__verdict = { start: 0, done: 0 };
document.getElementById('file-input').addEventListener('change', () => {
  window.__verdict.start = performance.now();
}, { capture: true, once: true });
new MutationObserver((_, observer) => {
  const c = document.querySelector(`article.file-card[data-name="${name}"][data-status="done"]`);
  if (c && window.__verdict.start) { window.__verdict.done = performance.now(); observer.disconnect(); }
}).observe(document.body, { childList: true, subtree: true, attributes: true });
return true;
"#;

/// WebCrypto's raw SHA-256 over `arguments[0]` bytes (noise, as many as the big file holds), on
/// the main thread: the best of three runs, in milliseconds.
const RAW_WEBCRYPTO_JS: &str = r#"
return (async () => {
const bytes = new Uint8Array(arguments[0]);
for (let i = 0; i < bytes.length; i += 4) bytes[i] = (i * 2654435761) >>> 24;
let best = Infinity;
for (let run = 0; run < 3; run++) {
  const t = performance.now();
  await crypto.subtle.digest('SHA-256', bytes);
  best = Math.min(best, performance.now() - t);
}
return best;
})();
"#;

/// A tiny PE32+ followed by `len` bytes of deterministic noise (so nothing compresses or repeats).
fn big_pe(len: usize) -> Vec<u8> {
    let mut pe = tiny_pe32_plus();
    pe[0x1f0..0x200].copy_from_slice(b"big worker file!");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    pe.reserve(len);
    while pe.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        pe.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    pe.truncate(len);
    pe
}

/// A signed fixture driver with `extra` bytes of noise inserted right before its certificate table
/// (the security entry moved along): the signature names SHA-256, so the page hashes the whole
/// Authenticode image as for a real signed driver of that size; the digest no longer matches.
fn big_signed_pe(extra: usize) -> Vec<u8> {
    let pe = fixture("pe/driver-sha256.sys");
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
    let e_lfanew = u32_at(&pe, 0x3c);
    let optional = e_lfanew + 24;
    let magic = u16::from_le_bytes([pe[optional], pe[optional + 1]]);
    let security = optional + if magic == 0x20b { 0x70 } else { 0x60 } + 4 * 8;
    let table = u32_at(&pe, security);
    assert!(table > 0 && table < pe.len(), "the fixture has a certificate table");
    let noise = big_pe(extra);
    let mut out = Vec::with_capacity(pe.len() + extra);
    out.extend_from_slice(&pe[..table]);
    out.extend_from_slice(&noise);
    out.extend_from_slice(&pe[table..]);
    out[security..security + 4].copy_from_slice(&((table + extra) as u32).to_le_bytes());
    out
}

/// The report the page exports as JSON (the Export panel).
pub(crate) async fn exported_report(client: &fantoccini::Client) -> Result<drvsig::InspectionReport, String> {
    client
        .find(fantoccini::Locator::Css("#export-show"))
        .await
        .map_err(|e| format!("#export-show: {e}"))?
        .click()
        .await
        .map_err(|e| format!("clicking #export-show: {e}"))?;
    let text = wait_for(
        client,
        "the JSON export",
        "const p = document.getElementById('export-text'); return p && p.dataset.format === 'json' ? p.textContent : null;",
        vec![],
    )
    .await?;
    serde_json::from_str(text.as_str().unwrap_or("")).map_err(|e| format!("the JSON export does not parse as a report: {e}"))
}

/// (algorithm, computed digest, verdict) of each signature of a file report.
fn signature_digests(r: &drvsig::FileReport) -> Vec<(String, String, String)> {
    r.signatures
        .iter()
        .map(|s| (s.digest_algorithm.clone(), s.computed_digest.to_ascii_lowercase(), format!("{:?}", s.digest_verdict)))
        .collect()
}

/// Each signature's signer checks and each of its timestamps' (check id, outcome), in report order:
/// what the signer signature verification decided, wherever it was made.
fn signer_checks(r: &drvsig::FileReport) -> Vec<(String, String)> {
    let pair = |f: &drvsig::Finding| (f.check.clone(), format!("{:?}", f.outcome));
    r.signatures
        .iter()
        .flat_map(|s| {
            let own = s.findings.iter().map(pair).chain([("signature_verdict".to_string(), format!("{:?}", s.signature_verdict))]);
            let stamps = s
                .timestamps
                .iter()
                .flat_map(|t| t.findings.iter().map(pair).chain([("timestamp".to_string(), format!("{:?}", t.verdict))]));
            own.chain(stamps).collect::<Vec<_>>()
        })
        .collect()
}

/// Watches `arguments[0]`'s card: what it showed (`sha256` field, a pending one, the
/// completing mark) each time its attributes or children changed, in `window.__seen`.
const WATCH_CARD_JS: &str = r#"
const name = arguments[0];
window.__seen = [];
new MutationObserver(() => {
  const c = document.querySelector(`article.file-card[data-name="${name}"]`);
  if (!c) return;
  const last = window.__seen[window.__seen.length - 1];
  const now = { status: c.dataset.status, completing: c.dataset.completing === 'true',
                pending: !!c.querySelector('[data-field="sha256-pending"]'),
                blocklistPending: !!c.querySelector('[data-field="blocklist-pending"]'),
                sha256: (c.querySelector('[data-field="sha256"]') || {}).textContent || '' };
  if (!last || JSON.stringify(last) !== JSON.stringify(now)) window.__seen.push(now);
}).observe(document.body, { childList: true, subtree: true, attributes: true });
return true;
"#;

/// A big signed file: its card shows the verdict first, marked as completing (the whole-file
/// SHA-256 and the block lists' hash check pending, no hash shown), then the complete report,
/// which equals the native core's (the exported JSON, block lists aside).
#[test]
fn a_big_files_verdict_comes_before_its_whole_file_digest() {
    scenario("a_big_files_verdict_comes_before_its_whole_file_digest", |client, base| async move {
        let pe = big_signed_pe(24 << 20);
        open(&client, &format!("{base}/")).await?;
        js(&client, WATCH_CARD_JS, vec![json!("twophase.sys")]).await?;
        drop_files(&client, &[("twophase.sys", pe.clone())]).await?;
        let card = wait_for(&client, "a finished card for twophase.sys", CARD_JS, vec![json!("twophase.sys"), Value::Null]).await?;
        check_card(&card, "twophase.sys", &pe, "PE32+", None)?;
        let seen = js(&client, "return window.__seen;", vec![]).await?;
        eprintln!("a_big_files_verdict_comes_before_its_whole_file_digest: seen {seen}");
        let seen = seen.as_array().cloned().unwrap_or_default();
        let early = seen.iter().find(|s| s["status"] == "done" && s["completing"] == true);
        let Some(early) = early else {
            return Err(format!("the verdict was never shown before the report: {seen:?}"));
        };
        if early["pending"] != true || early["blocklistPending"] != true || early["sha256"] != "" {
            return Err(format!("while completing, the card must say the digest and the block-list check are pending: {early}"));
        }
        let last = seen.last().cloned().unwrap_or_default();
        if last["completing"] == true || last["pending"] == true {
            return Err(format!("the card still says completing at the end: {last}"));
        }
        let timings = js(&client, "return document.body.dataset.timings || null;", vec![]).await?;
        if !timings.as_str().is_some_and(|t| t.contains("\"verdict\":{") && t.contains("\"algorithms\":[\"SHA-1\",\"SHA-256\"]")) {
            return Err(format!("the worker's timings have no verdict or not both digests: {timings}"));
        }
        let page = exported_report(&client).await?;
        let native = drvsig::inspect("twophase.sys", &pe, &drvsig::Options::at(drvsig::UnixTime(1_800_000_000)));
        let shown = page.files.iter().find(|f| f.name == "twophase.sys").ok_or("twophase.sys is not in the export")?;
        if shown.sha256 != native.sha256 || signature_digests(shown) != signature_digests(&native) {
            return Err(format!("sha256 / signature digests differ from the native core's: {} vs {}", shown.sha256, native.sha256));
        }
        // The CheckSum, from the word sum the worker added up piece by piece as it read the file.
        let checksum = |r: &drvsig::FileReport| r.pe.as_ref().map(|p| p.checksum.clone());
        if checksum(shown).is_none() || checksum(shown) != checksum(&native) {
            return Err(format!("CheckSum {:?} in the page, {:?} natively", checksum(shown), checksum(&native)));
        }
        if shown.blocklist.is_none() {
            return Err("the complete report has no block list section".into());
        }
        Ok(())
    });
}

/// A signed driver big enough for the worker to read it as a stream (not in one go): its whole-file
/// SHA-256 and Authenticode digest (WebCrypto, with the algorithms `hash_plan` names) equal the
/// native core's, and the ASN.1 view of its signature is read from the File the page kept (the page
/// keeps no copy of the bytes).
#[test]
fn a_big_signed_file_digests_equal_the_native_cores() {
    scenario("a_big_signed_file_digests_equal_the_native_cores", |client, base| async move {
        let pe = big_signed_pe(3 << 20);
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("streamed.sys", pe.clone())]).await?;
        let card = wait_for(&client, "a finished card for streamed.sys", CARD_JS, vec![json!("streamed.sys"), Value::Null]).await?;
        check_card(&card, "streamed.sys", &pe, "PE32+", None)?;
        let timings = js(&client, "return document.body.dataset.timings || null;", vec![]).await?;
        eprintln!("a_big_signed_file_digests_equal_the_native_cores: worker timings {timings}");
        // The signature names SHA-256; the block lists' hash rules add the Authenticode SHA-1.
        if !timings.as_str().is_some_and(|t| t.contains("\"webcrypto\":true") && t.contains("\"algorithms\":[\"SHA-1\",\"SHA-256\"]")) {
            return Err(format!("the worker did not hash the image with WebCrypto's SHA-256: {timings}"));
        }
        let page = exported_report(&client).await?;
        let native = drvsig::inspect("streamed.sys", &pe, &drvsig::Options::at(drvsig::UnixTime(1_800_000_000)));
        let shown = page.files.iter().find(|f| f.name == "streamed.sys").ok_or("streamed.sys is not in the export")?;
        if shown.sha256 != native.sha256 {
            return Err(format!("sha256 {} in the page, {} natively", shown.sha256, native.sha256));
        }
        let checksum = |r: &drvsig::FileReport| r.pe.as_ref().map(|p| p.checksum.clone());
        if checksum(shown).is_none() || checksum(shown) != checksum(&native) {
            return Err(format!("CheckSum {:?} in the page, {:?} natively", checksum(shown), checksum(&native)));
        }
        if native.signatures.is_empty() || signature_digests(shown) != signature_digests(&native) {
            return Err(format!(
                "(algorithm, computed digest, verdict) {:?} in the page, {:?} natively",
                signature_digests(shown),
                signature_digests(&native)
            ));
        }
        // The signature's ASN.1 tree, read from the File handle.
        open_asn1_tree(&client, "streamed.sys").await?;
        Ok(())
    });
}

#[test]
fn big_file_leaves_the_main_thread_free() {
    scenario("big_file_leaves_the_main_thread_free", |client, base| async move {
        let dir = std::env::temp_dir().join(format!("drvsig-e2e-worker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // The issue's 64 MiB (DRVSIG_E2E_BIG_MIB=N for another size; ~4 s in all).
        let mib = std::env::var("DRVSIG_E2E_BIG_MIB").ok().and_then(|v| v.parse::<usize>().ok()).unwrap_or(64);
        // A signed driver by default (its Authenticode image is hashed too);
        // DRVSIG_E2E_BIG_SIGNED=0 for an unsigned one.
        let signed = std::env::var("DRVSIG_E2E_BIG_SIGNED").as_deref() != Ok("0");
        let pe = if signed { big_signed_pe(mib << 20) } else { big_pe(mib << 20) };
        let path = dir.join("big.sys");
        std::fs::write(&path, &pe).map_err(|e| e.to_string())?;

        let result = async {
                open(&client, &format!("{base}/")).await?;
                js(&client, FRAME_LOOP_JS, vec![]).await?;
                // Let the loop (and the worker's start-up) settle, then measure from the drop on.
                tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                js(
                    &client,
                    "window.__frames.max = 0; window.__frames.count = 0; window.__frames.last = performance.now(); window.__longest = 0; return true;",
                    vec![],
                )
                .await?;
                // Drop-to-verdict: from the input's change event to the card turning "done".
                js(&client, TIME_TO_VERDICT_JS, vec![json!("big.sys")]).await?;
                let input = client
                    .find(Locator::Css("#file-input"))
                    .await
                    .map_err(|e| format!("#file-input: {e}"))?;
                input
                    .send_keys(&path.display().to_string())
                    .await
                    .map_err(|e| format!("setting the file on #file-input: {e}"))?;
                let card = wait_for(
                    &client,
                    "a finished card for big8.sys",
                    CARD_JS,
                    vec![json!("big.sys"), Value::Null],
                )
                .await?;
                let frames = js(
                    &client,
                    "const f = window.__frames; f.running = false; return { max: f.max, count: f.count, longestTask: window.__longest, inspector: document.body.dataset.inspector || null };",
                    vec![],
                )
                .await?;
                check_card(&card, "big.sys", &pe, "PE32+", (!signed).then_some("none"))?;
                let max = frames["max"].as_f64().unwrap_or(f64::MAX);
                let count = frames["count"].as_u64().unwrap_or(0);
                let verdict = wait_for(
                    &client,
                    "the drop-to-verdict time",
                    "return window.__verdict && window.__verdict.done ? window.__verdict.done - window.__verdict.start : null;",
                    vec![],
                )
                .await?;
                let raw = js(&client, RAW_WEBCRYPTO_JS, vec![json!(pe.len())]).await?;
                let timings = js(&client, "return document.body.dataset.timings || null;", vec![]).await?;
                eprintln!(
                    "big_file_leaves_the_main_thread_free: {} MiB {} file, longest gap between animation frames {max:.1} ms over {count} frames, longest main-thread task {} ms; drop-to-verdict {verdict} ms; raw crypto.subtle SHA-256 of as many bytes {raw} ms; worker timings {timings}",
                    pe.len() >> 20,
                    if signed { "signed" } else { "unsigned" },
                    frames["longestTask"]
                );
                if !timings.as_str().is_some_and(|t| t.contains("\"webcrypto\":true")) {
                    return Err(format!("the worker did not hash with WebCrypto: {timings}"));
                }
                if frames["inspector"] != json!("worker") {
                    return Err(format!("the file was not inspected in the worker: {frames}"));
                }
                if count < 2 {
                    return Err(format!("the animation frame loop did not run: {frames}"));
                }
                // How long the main thread was blocked is a figure, not a test: it depends on the
                // machine's load (a 212 ms task was seen while other builds ran). It is printed above
                // and measured by `cargo xtask bench` ("longest main-thread task" rows); what this
                // test holds is that the file was inspected off the main thread, with WebCrypto,
                // while the page kept drawing frames.
                Ok(())
            }
            .await;
        let _ = std::fs::remove_dir_all(&dir);
        result
    });
}

#[test]
fn worker_requests_nothing_off_the_origin() {
    scenario("worker_requests_nothing_off_the_origin", |client, base| async move {
        open(&client, &format!("{base}/?demo")).await?;
        wait_for(&client, "a demo card", CARD_JS, vec![Value::Null, Value::Null]).await?;
        let inspector = js(&client, "return document.body.dataset.inspector || null;", vec![]).await?;
        if inspector != json!("worker") {
            return Err(format!("the demo was not inspected in the worker ({inspector})"));
        }
        let csp = js(
            &client,
            "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\" i]'); return m ? m.content : null;",
            vec![],
        )
        .await?;
        let csp = csp.as_str().ok_or("no CSP meta in the page")?;
        // The worker's own requests are not in the page's resource timing: the CSP is what
        // forbids them, so it must still say so.
        for directive in ["connect-src 'none'", "worker-src 'self'"] {
            if !csp.contains(directive) {
                return Err(format!("CSP {csp:?} lacks {directive:?}"));
            }
        }
        let own = format!("{base}/");
        let entries = js(&client, "return performance.getEntriesByType('resource').map(e => e.name);", vec![]).await?;
        let foreign: Vec<&str> =
            entries.as_array().into_iter().flatten().filter_map(Value::as_str).filter(|u| !u.starts_with(&own)).collect();
        if !foreign.is_empty() {
            return Err(format!("resources from other origins: {foreign:?}"));
        }
        // What Chromium sent on the network, the worker's script loads included.
        only_own_origin_requests(&client, &own).await?;
        Ok(())
    });
}

/// Clicks Cancel as soon as it shows on a 64 MiB file made in the page, then checks that file is
/// marked cancelled and that a later file is inspected by a fresh worker.
#[test]
fn cancel_terminates_the_worker_and_the_next_file_still_works() {
    scenario("cancel_terminates_the_worker_and_the_next_file_still_works", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        let drop = r#"
window.__cancelled = false;
new MutationObserver((_, observer) => {
  const button = document.querySelector('article.file-card[data-name="huge.bin"] [data-action="cancel"]');
  if (button) { observer.disconnect(); button.click(); window.__cancelled = true; }
}).observe(document.body, { childList: true, subtree: true });
const bytes = new Uint8Array(64 << 20);
for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 255;
const dt = new DataTransfer();
dt.items.add(new File([bytes], 'huge.bin', { type: 'application/octet-stream' }));
const zone = document.getElementById('drop-zone');
if (!zone) return 'no #drop-zone';
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
}
return 'dropped';
"#;
        let r = js(&client, drop, vec![]).await?;
        if r != json!("dropped") {
            return Err(format!("drop: {r}"));
        }
        let status = wait_for(
                &client,
                "huge.bin cancelled",
                "const c = document.querySelector('article.file-card[data-name=\"huge.bin\"]'); \
                 return c && window.__cancelled && c.dataset.status !== 'inspecting' && c.dataset.status !== 'reading' && c.dataset.status !== 'queued' \
                 ? { status: c.dataset.status, text: c.innerText } : null;",
                vec![],
            )
            .await?;
        if status["status"] != json!("failed") || !status["text"].as_str().unwrap_or("").contains("Cancelled") {
            return Err(format!("huge.bin was not marked cancelled: {status}"));
        }
        // A later file: a fresh worker inspects it.
        let mut pe = tiny_pe32_plus();
        pe[0x1f0..0x200].copy_from_slice(b"after the cancel");
        let drop_one = r#"
const [name, b64] = arguments;
const bin = atob(b64);
const bytes = new Uint8Array(bin.length);
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
const dt = new DataTransfer();
dt.items.add(new File([bytes], name));
const zone = document.getElementById('drop-zone');
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
}
return 'dropped';
"#;
        js(&client, drop_one, vec![json!("after.sys"), json!(super::base64(&pe))]).await?;
        let card = wait_for(&client, "a finished card for after.sys", CARD_JS, vec![json!("after.sys"), Value::Null]).await?;
        check_card(&card, "after.sys", &pe, "PE32+", Some("none"))?;
        let inspector = js(&client, "return document.body.dataset.inspector || null;", vec![]).await?;
        if inspector != json!("worker") {
            return Err(format!("after.sys was not inspected in a worker ({inspector})"));
        }
        Ok(())
    });
}

/// Without `Worker` (an old browser), the page inspects on the main thread and still shows the
/// result.
#[test]
fn without_a_worker_the_page_inspects_on_the_main_thread() {
    scenario("without_a_worker_the_page_inspects_on_the_main_thread", |client, base| async move {
        before_each_document(&client, "delete window.Worker;").await?;
        open(&client, &format!("{base}/?demo")).await?;
        let has_worker = js(&client, "return typeof Worker;", vec![]).await?;
        if has_worker != json!("undefined") {
            return Err(format!("Worker was not removed ({has_worker})"));
        }
        wait_for(&client, "a demo card", CARD_JS, vec![Value::Null, Value::Null]).await?;
        expect_main_thread(&client).await
    });
}

/// Runs `source` in every document the session opens from now on, before the page's scripts.
async fn before_each_document(client: &fantoccini::Client, source: &str) -> Result<(), String> {
    client
        .issue_cmd(Cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": source })))
        .await
        .map(|_| ())
        .map_err(|e| format!("CDP addScriptToEvaluateOnNewDocument: {e}"))
}

/// The page says its last inspection ran on the main thread (the fallback without workers).
async fn expect_main_thread(client: &fantoccini::Client) -> Result<(), String> {
    let inspector = js(client, "return document.body.dataset.inspector || null;", vec![]).await?;
    if inspector != json!("main-thread") {
        return Err(format!("expected the main-thread fallback, got {inspector}"));
    }
    Ok(())
}

/// Workers that exist but cannot start (their script is missing: a broken deployment, an
/// extension blocking it): a file dropped while the app is still loading (early.js's worker fails
/// first) and one dropped after both end as finished cards, inspected on the main thread, never
/// as a card left "Reading" for ever.
#[test]
fn workers_that_cannot_start_fall_back_to_the_main_thread() {
    scenario("workers_that_cannot_start_fall_back_to_the_main_thread", |client, base| async move {
        let missing_script = "const W = window.Worker; \
            window.Worker = class extends W { constructor(u, o) { super('./no-such-worker.js', o); } };";
        before_each_document(&client, missing_script).await?;
        client.goto(&format!("{base}/?boot-delay=1500")).await.map_err(|e| format!("goto: {e}"))?;
        wait_for_early_drop_zone(&client).await?;
        let pe = tiny_pe32_plus();
        drop_files(&client, &[("early-broken.sys", pe.clone())]).await?;
        wait_for(&client, "a card for the early file", CARD_JS, vec![json!("early-broken.sys"), Value::Null]).await?;
        drop_files(&client, &[("later-broken.sys", pe.clone())]).await?;
        let later = wait_for(&client, "a card for the later file", CARD_JS, vec![json!("later-broken.sys"), Value::Null]).await?;
        check_card(&later, "later-broken.sys", &pe, "PE32+", Some("none"))?;
        expect_main_thread(&client).await
    });
}

/// For the record (issue 8): SHA-256 of the same bytes with WebCrypto (one digest; two at once)
/// and with the core's sha2 compiled to wasm, in a worker like the page's; SHA-1 both ways too.
/// `DRVSIG_E2E_BENCH_MIB` sets the size (16 MiB by default). Prints MB/s; fails only when the
/// worker does not answer.
#[test]
fn webcrypto_and_wasm_sha256_speeds() {
    scenario("webcrypto_and_wasm_sha256_speeds", |client, base| async move {
        let mib = std::env::var("DRVSIG_E2E_BENCH_MIB").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(16);
        open(&client, &format!("{base}/")).await?;
        let script = r#"
return new Promise((resolve) => {
  const w = new Worker('./worker.js', { type: 'module' });
  w.onmessage = (e) => {
    const { ready, bench, error } = e.data;
    if (ready && !ready.ok) resolve('worker did not load: ' + ready.error);
    if (ready && ready.ok) { w.postMessage({ bench: { id: 1, mib: arguments[0] } }); return; }
    if (bench || error) { w.terminate(); resolve(bench ? bench.json : error.error); }
  };
});
"#;
        let answer = js(&client, script, vec![json!(mib)]).await?;
        let parsed: Value = serde_json::from_str(answer.as_str().unwrap_or("")).map_err(|e| format!("bench answer {answer}: {e}"))?;
        let mb = f64::from(mib) * 1.048_576;
        let speed = |k: &str| parsed[k].as_f64().map(|ms| mb / (ms / 1000.0)).unwrap_or(0.0);
        eprintln!(
                "webcrypto_and_wasm_sha256_speeds: {mib} MiB: SHA-256 WebCrypto {:.0} MB/s ({} ms), two WebCrypto digests at once {} ms, wasm sha2 {:.0} MB/s ({} ms, plus {} ms copying into the wasm memory); SHA-1 WebCrypto {:.0} MB/s, wasm {:.0} MB/s",
                speed("subtle"),
                parsed["subtle"],
                parsed["subtleTwo"],
                speed("wasm"),
                parsed["wasm"],
                parsed["copyIn"],
                speed("subtleSha1"),
                speed("wasmSha1"),
            );
        Ok(())
    });
}

/// Opens the ASN.1 section under `file`'s card and waits for its tree (a SignedData, read from the
/// bytes the page kept: the File handle or a small file's first read).
async fn open_asn1_tree(client: &fantoccini::Client, file: &str) -> Result<(), String> {
    let opened = js(
        client,
        "const d = document.querySelector(`.card-extras[data-for=\"${arguments[0]}\"] details.asn1-blob`); if (!d) return false; d.open = true; return true;",
        vec![json!(file)],
    )
    .await?;
    if opened != json!(true) {
        return Err(format!("no ASN.1 section under {file}"));
    }
    wait_for(
        client,
        &format!("the ASN.1 tree of {file}"),
        "const t = document.querySelector('[role=tree]'); return t && t.querySelectorAll('[role=treeitem]').length > 3 && t.textContent.includes('signedData') ? true : null;",
        vec![],
    )
    .await?;
    Ok(())
}

/// Drops in-page generated files `[[name, MiB], ...]` (made in the page: nothing big crosses
/// WebDriver).
const DROP_GENERATED_JS: &str = r#"
const dt = new DataTransfer();
for (const [name, mib] of arguments[0]) {
  const bytes = new Uint8Array(mib << 20);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i >> 12) & 255;
  dt.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
}
const zone = document.getElementById('drop-zone');
if (!zone) return 'no #drop-zone';
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
}
return 'dropped';
"#;

/// Drops files of `MiB` made in the page (nothing big crosses WebDriver).
async fn drop_generated(client: &fantoccini::Client, files: &[(&str, u32)]) -> Result<(), String> {
    let list: Vec<Value> = files.iter().map(|(name, mib)| json!([name, mib])).collect();
    let r = js(client, DROP_GENERATED_JS, vec![Value::Array(list)]).await?;
    if r != json!("dropped") {
        return Err(format!("drop: {r}"));
    }
    Ok(())
}

fn fixture(path: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(path);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Starts a MutationObserver that sets `window.__allDone` (performance.now()) once `arguments[0]`
/// cards are "done" and the package view is not busy (issue 8: a typical package's verdict).
const WATCH_ALL_DONE_JS: &str = r#"
const want = arguments[0];
window.__allDone = 0;
window.__long = [];
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__long.push([Math.round(e.startTime - (window.__dropped || 0)), Math.round(e.duration)]);
  }).observe({ type: 'longtask' });
} catch (_) {}
const check = () => {
  const cards = [...document.querySelectorAll('article.file-card')];
  const done = cards.filter(c => c.dataset.status === 'done').length;
  const busy = document.querySelector('section.packages[aria-busy=true]');
  const rows = document.querySelectorAll('article.package tr.coverage-row').length;
  if (!window.__allDone && done >= want && !busy && rows) window.__allDone = performance.now();
  window.__trace = window.__trace || [];
  const sig = cards.map(c => c.dataset.status[0]).join('') + (busy ? 'B' : '') + rows;
  if (!window.__trace.length || window.__trace[window.__trace.length - 1][1] !== sig)
    window.__trace.push([Math.round(performance.now() - (window.__dropped || 0)), sig]);
};
new MutationObserver(check).observe(document.body, { childList: true, subtree: true, attributes: true });
return true;
"#;

/// Several files dropped together (a driver package and two more drivers): each gets its card,
/// in drop order, each filled as soon as it is done, and the package pass (in a worker, reusing
/// the workers' reports) covers the package. Prints the drop-to-verdict time of the package.
#[test]
fn several_files_dropped_together_each_get_a_result_and_the_package() {
    scenario("several_files_dropped_together_each_get_a_result_and_the_package", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        // The first worker loads with the page: let it, as a user would take a moment to drop.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let mut one = tiny_pe32_plus();
        one[0x1f0..0x200].copy_from_slice(b"first other one!");
        let mut two = tiny_pe32_plus();
        two[0x1f0..0x200].copy_from_slice(b"second other one");
        let files: Vec<(&str, Vec<u8>)> = vec![
            ("drvsigtest.inf", fixture("packages/good/drvsigtest.inf")),
            ("drvsigtest.cat", fixture("packages/good/drvsigtest.cat")),
            ("drvsigtest.sys", fixture("packages/good/drvsigtest.sys")),
            ("other-one.sys", one.clone()),
            ("other-two.sys", two.clone()),
        ];
        js(&client, WATCH_ALL_DONE_JS, vec![json!(files.len())]).await?;
        drop_files(&client, &files).await?;
        let elapsed = wait_for(
            &client,
            "every card done and the package",
            "return window.__allDone ? window.__allDone - window.__dropped : null;",
            vec![],
        )
        .await?;
        let order = js(
            &client,
            "return [...document.querySelectorAll('article.file-card')].map(c => c.dataset.name + '=' + c.dataset.status);",
            vec![],
        )
        .await?;
        let want: Vec<String> = files.iter().map(|(n, _)| format!("{n}=done")).collect();
        if order != json!(want) {
            return Err(format!("cards (in page order): {order}, expected {want:?}"));
        }
        for (name, bytes) in [("other-one.sys", &one), ("other-two.sys", &two)] {
            let card = super::card(&client, name).await?;
            check_card(&card, name, bytes, "PE32+", Some("none"))?;
        }
        let packages = js(
            &client,
            "return [...document.querySelectorAll('article.package')].map(a => [a.dataset.package, a.dataset.verdict, \
                   [...a.querySelectorAll('tr.coverage-row')].map(r => r.dataset.file + '=' + r.dataset.status)]);",
            vec![],
        )
        .await?;
        // The two other drivers are in no catalog: the core groups them as "loose".
        let expected = json!([
            ["drvsigtest.inf", "pass", ["drvsigtest.inf=covered", "drvsigtest.sys=covered"]],
            ["loose", "warn", ["other-one.sys=not-in-catalog", "other-two.sys=not-in-catalog"]]
        ]);
        if packages != expected {
            return Err(format!("packages: {packages}, expected {expected}"));
        }
        // The catalog's ASN.1 tree, read from the File the page kept (after the package pass,
        // which read the Files in its worker).
        open_asn1_tree(&client, "drvsigtest.cat").await?;
        let trace = js(&client, "return [window.__trace, window.__long];", vec![]).await?;
        eprintln!(
                "several_files_dropped_together_each_get_a_result_and_the_package: trace (ms since the drop, card statuses, package busy, rows) {trace}"
            );
        eprintln!(
                "several_files_dropped_together_each_get_a_result_and_the_package: 5 files (inf + cat + 3 sys), drop to every verdict and the package {elapsed} ms"
            );
        Ok(())
    });
}

/// A big file's card shows a determinate progress bar whose value moves while the worker reads it.
#[test]
fn the_progress_bar_is_determinate_while_a_big_file_is_read() {
    scenario("the_progress_bar_is_determinate_while_a_big_file_is_read", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        js(
            &client,
            r#"
window.__progress = [];
new MutationObserver(() => {
  const p = document.querySelector('article.file-card[data-name="progress.bin"] progress[max]');
  if (p) {
    const v = [Number(p.getAttribute('max')), Number(p.getAttribute('value'))];
    const last = window.__progress[window.__progress.length - 1];
    if (!last || last[1] !== v[1]) window.__progress.push(v);
  }
}).observe(document.body, { childList: true, subtree: true, attributes: true });
return true;
"#,
            vec![],
        )
        .await?;
        drop_generated(&client, &[("progress.bin", 96)]).await?;
        wait_for(
                &client,
                "progress.bin done",
                "const c = document.querySelector('article.file-card[data-name=\"progress.bin\"]'); return c && c.dataset.status === 'done' ? true : null;",
                vec![],
            )
            .await?;
        let seen = js(&client, "return window.__progress;", vec![]).await?;
        let values: Vec<(f64, f64)> =
            seen.as_array().into_iter().flatten().filter_map(|v| Some((v[0].as_f64()?, v[1].as_f64()?))).collect();
        let total = f64::from(96u32 << 20);
        eprintln!("the_progress_bar_is_determinate_while_a_big_file_is_read: [max, value] seen {seen}");
        if values.is_empty() || values.iter().any(|(max, _)| *max != total) {
            return Err(format!("no determinate progress bar of max {total}: {seen}"));
        }
        if values.len() < 2 || !values.windows(2).all(|w| w[0].1 < w[1].1) {
            return Err(format!("the progress value did not move forward: {seen}"));
        }
        Ok(())
    });
}

/// Two big files at once: Cancel on one terminates only its worker; the other finishes.
#[test]
fn cancelling_one_file_leaves_the_others_running() {
    scenario("cancelling_one_file_leaves_the_others_running", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        js(
            &client,
            r#"
window.__cancelled = false;
window.__otherBusy = false;
new MutationObserver((_, observer) => {
  const button = document.querySelector('article.file-card[data-name="cancel-me.bin"] [data-action="cancel"]');
  if (button) {
    const other = document.querySelector('article.file-card[data-name="keep-me.bin"]');
    window.__otherBusy = !!other && other.dataset.status !== 'done';
    observer.disconnect();
    button.click();
    window.__cancelled = true;
  }
}).observe(document.body, { childList: true, subtree: true });
return true;
"#,
            vec![],
        )
        .await?;
        drop_generated(&client, &[("cancel-me.bin", 48), ("keep-me.bin", 48)]).await?;
        let state = wait_for(
                &client,
                "cancel-me.bin cancelled and keep-me.bin done",
                "const s = n => { const c = document.querySelector(`article.file-card[data-name=\"${n}\"]`); return c ? [c.dataset.status, c.innerText.includes('Cancelled')] : null; }; \
                 const a = s('cancel-me.bin'), b = s('keep-me.bin'); \
                 return window.__cancelled && a && b && a[0] !== 'reading' && a[0] !== 'inspecting' && a[0] !== 'queued' && b[0] === 'done' ? { a, b, otherBusy: window.__otherBusy } : null;",
                vec![],
            )
            .await?;
        if state["a"] != json!(["failed", true]) {
            return Err(format!("cancel-me.bin was not cancelled: {state}"));
        }
        if state["otherBusy"] != json!(true) {
            return Err(format!("keep-me.bin was already done when the other was cancelled: {state}"));
        }
        Ok(())
    });
}

/// The digests the page shows (whole-file SHA-256 and the Authenticode digests, from WebCrypto in
/// the worker) equal the native core's (sha2 / sha1), signature by signature, on the signed
/// fixtures (SHA-1, SHA-256, dual-signed, tampered, appended data, odd certificate tables); so do
/// the signer and timestamp checks, whose RSA signatures WebCrypto verified in the worker
/// (`webcrypto_verifies_the_signer_signatures`).
#[test]
fn webcrypto_digests_equal_the_native_cores() {
    scenario("webcrypto_digests_equal_the_native_cores", |client, base| async move {
        let names = [
            "driver-sha256.sys",
            "driver-sha1.sys",
            "driver-dual.sys",
            "driver-dual-ts.sys",
            "driver-sha256-ph.sys",
            "driver-tampered.sys",
            "driver-appended.sys",
            "driver-certdir-outside.sys",
            "driver-truncated.sys",
            "driver-unsigned.sys",
            "app32-sha256.exe",
            "app32-unsigned.exe",
        ];
        let files: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (*n, fixture(&format!("pe/{n}")))).collect();
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &files).await?;
        wait_for(
                &client,
                "every card done",
                "const c = [...document.querySelectorAll('article.file-card')]; return c.length === arguments[0] && c.every(x => x.dataset.status === 'done') ? true : null;",
                vec![json!(files.len())],
            )
            .await?;
        let timings = js(&client, "return document.body.dataset.timings || null;", vec![]).await?;
        if !timings.as_str().is_some_and(|t| t.contains("\"webcrypto\":true")) {
            return Err(format!("the worker did not hash with WebCrypto: {timings}"));
        }
        let page = exported_report(&client).await?;
        let options = drvsig::Options::at(drvsig::UnixTime(1_800_000_000));
        let mut compared = 0;
        for (name, bytes) in &files {
            let native = drvsig::inspect(name, bytes, &options);
            let shown = page.files.iter().find(|f| f.name == *name).ok_or(format!("{name} is not in the export"))?;
            if shown.sha256 != native.sha256 {
                return Err(format!("{name}: sha256 {} in the page, {} natively", shown.sha256, native.sha256));
            }
            let digests = signature_digests;
            if digests(shown) != digests(&native) {
                return Err(format!(
                    "{name}: (algorithm, computed digest, verdict) {:?} in the page, {:?} natively",
                    digests(shown),
                    digests(&native)
                ));
            }
            if signer_checks(shown) != signer_checks(&native) {
                return Err(format!(
                    "{name}: signer checks (id, outcome) {:?} in the page, {:?} natively",
                    signer_checks(shown),
                    signer_checks(&native)
                ));
            }
            compared += native.signatures.len();
        }
        if compared < 8 {
            return Err(format!("only {compared} signatures compared: the fixtures changed?"));
        }
        Ok(())
    });
}

/// The signer's and the timestamp's RSA signatures of a dual-signed, timestamped driver are
/// verified by WebCrypto in the worker and taken by the core (the timings count those asked, those
/// that held and those the core used: all of them), and the page's signer checks are the native
/// core's.
#[test]
fn webcrypto_verifies_the_signer_signatures() {
    scenario("webcrypto_verifies_the_signer_signatures", |client, base| async move {
        let name = "driver-dual-ts.sys";
        let bytes = fixture(&format!("pe/{name}"));
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[(name, bytes.clone())]).await?;
        wait_for(&client, "a finished card", CARD_JS, vec![json!(name), Value::Null]).await?;
        let timings = js(&client, "return document.body.dataset.timings || null;", vec![]).await?;
        eprintln!("webcrypto_verifies_the_signer_signatures: worker timings {timings}");
        let counted: Value = serde_json::from_str(timings.as_str().unwrap_or("{}")).map_err(|e| e.to_string())?;
        let (asked, verified, used) = (&counted["signatures"]["asked"], &counted["signatures"]["verified"], &counted["signatures"]["used"]);
        let native = drvsig::inspect(name, &bytes, &drvsig::Options::at(drvsig::UnixTime(1_800_000_000)));
        let stamps: usize = native.signatures.iter().map(|s| s.timestamps.len()).sum();
        let enough = asked.as_u64().is_some_and(|n| n as usize >= native.signatures.len() + stamps);
        // Verified by WebCrypto, and taken by the core (which would otherwise verify them itself
        // and give the same checks).
        if !enough || asked != verified || asked != used {
            return Err(format!(
                "WebCrypto did not verify the {} signer and {stamps} timestamp signatures: {timings}",
                native.signatures.len()
            ));
        }
        let page = exported_report(&client).await?;
        let shown = page.files.iter().find(|f| f.name == name).ok_or("the driver is not in the export")?;
        if signer_checks(shown) != signer_checks(&native) {
            return Err(format!("signer checks {:?} in the page, {:?} natively", signer_checks(shown), signer_checks(&native)));
        }
        Ok(())
    });
}

/// Block lists in the page (issue 13): a first visit does not load the index module; a dropped
/// SiPolicy (recognised by content) is listed as a block list in use and changes a verdict: the
/// fixture driver it denies by Authenticode SHA-256 is blocked in S mode, with the rule id; the
/// built-in index was imported by the worker (a script module, same origin: each worker reads it
/// when it starts, so that a driver does not wait for it), and nothing was requested off the
/// origin.
#[test]
fn a_dropped_sipolicy_changes_a_verdict() {
    scenario("a_dropped_sipolicy_changes_a_verdict", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let own = format!("{base}/");
        let driver = fixture("pe/driver-dual.sys");
        let hash = drvsig::hex::encode(
            &drvsig::pe::authenticode_digest(&driver, drvsig::digest::DigestAlgorithm::Sha256).map_err(|e| e.to_string())?,
        );
        let policy = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy"><VersionEx>10.0.0.7</VersionEx>
<FileRules><Deny ID="ID_DENY_E2E" FriendlyName="e2e fixture Hash Sha256" Hash="{hash}"/></FileRules>
<SigningScenarios><SigningScenario Value="131" ID="ID_SS"><ProductSigners><FileRulesRef><FileRuleRef RuleID="ID_DENY_E2E"/></FileRulesRef></ProductSigners></SigningScenario></SigningScenarios>
</SiPolicy>"#
        );
        drop_files(&client, &[("deny.xml", policy.into_bytes()), ("driver-dual.sys", driver)]).await?;
        wait_for(&client, "a finished card for driver-dual.sys", CARD_JS, vec![json!("driver-dual.sys"), Value::Null]).await?;
        let in_use = wait_for(
            &client,
            "the block lists in use on the driver's card",
            "const c = document.querySelector('article.file-card[data-name=\"driver-dual.sys\"] [data-field=\"blocklists-in-use\"]'); return c ? c.textContent : null;",
            vec![],
        )
        .await?;
        let in_use = in_use.as_str().unwrap_or_default();
        if !in_use.contains("deny.xml") || !in_use.contains("LOLDrivers") {
            return Err(format!("block lists in use: {in_use:?}"));
        }
        let report = exported_report(&client).await?;
        let file = report.files.iter().find(|f| f.name == "driver-dual.sys").ok_or("driver-dual.sys is not in the export")?;
        let s_mode = file.verdicts.iter().find(|v| v.target.id() == "s-mode").ok_or("no s-mode verdict")?;
        if s_mode.verdict != drvsig::report::LoadVerdict::Blocked || !s_mode.rule.contains("ID_DENY_E2E") {
            return Err(format!("s-mode verdict {:?}: {}", s_mode.verdict, s_mode.rule));
        }
        let list = report.files.iter().find(|f| f.name == "deny.xml").ok_or("deny.xml has no card")?;
        if !list.findings.iter().any(|f| f.check == "blocklist.dropped" && f.outcome == drvsig::Outcome::Pass) {
            return Err(format!("deny.xml findings: {:?}", list.findings));
        }
        let timings = js(&client, "return document.body.dataset.timings || null;", vec![]).await?;
        if !timings.as_str().is_some_and(|t| t.contains("\"blocklists\":true")) {
            return Err(format!("the worker did not load the index for the driver: {timings}"));
        }
        only_own_origin_requests(&client, &own).await?;
        Ok(())
    });
}

/// What matching costs in the page (docs/benchmarks.md): the workers' wasm, instantiated
/// in the page, loads the index, then matches the fixture drivers 50 times each; the figures are printed.
#[test]
fn block_list_matching_time_in_the_page() {
    scenario("block_list_matching_time_in_the_page", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        let files = ["pe/driver-dual.sys", "pe/driver-sha256.sys"];
        let mut args = Vec::new();
        for f in files {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(f);
            if let Ok(bytes) = std::fs::read(&path) {
                args.push(json!({ "name": f, "bytes": super::base64(&bytes) }));
            }
        }
        let result = client
            .execute_async(
                r#"
const files = arguments[0];
const done = arguments[arguments.length - 1];
(async () => {
  const www = await import('./drvsig_worker.js');
  await www.default({ module_or_path: await (await import('./drvsig_worker_bytes.js')).wasmBytes() });
  const lists = await import('./drvsig_blocklists.js');
  let t = performance.now();
  const index = await lists.blocklistIndex();
  const inflate = performance.now() - t;
  t = performance.now();
  const error = www.set_blocklist_index(index);
  const load = performance.now() - t;
  const out = { inflate, load, error: error || null, files: [] };
  for (const f of files) {
    const bin = atob(f.bytes);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    out.files.push({ name: f.name, size: bytes.length, ms: www.blocklist_match_ms(f.name, bytes, 50) });
  }
  return out;
})().then(done, (e) => done({ error: String(e) }));
"#,
                vec![json!(args)],
            )
            .await
            .map_err(|e| format!("the matching benchmark script failed: {e}"))?;
        eprintln!("block_list_matching_time_in_the_page: {result}");
        if !result["error"].is_null() {
            return Err(format!("{result}"));
        }
        for f in result["files"].as_array().into_iter().flatten() {
            if f["ms"].as_f64().unwrap_or(-1.0) < 0.0 {
                return Err(format!("no block lists in the page's wasm: {result}"));
            }
        }
        Ok(())
    });
}

/// A loose package (INF + catalog + driver) dropped alone: one worker request inspects the three
/// files and makes the package (the worker's timings say so: three files, a package step), and the
/// package verdict is the demo's.
#[test]
fn a_loose_package_is_inspected_and_packaged_in_one_request() {
    scenario("a_loose_package_is_inspected_and_packaged_in_one_request", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        let files: Vec<(&str, Vec<u8>)> = ["drvsigtest.inf", "drvsigtest.cat", "drvsigtest.sys"]
            .iter()
            .map(|name| (*name, fixture(&format!("packages/good/{name}"))))
            .collect();
        drop_files(&client, &files).await?;
        let verdict = wait_for(
            &client,
            "the package's verdict",
            "const p = document.querySelector('article.package'); \
             if (!p || document.querySelector('section.packages[aria-busy=true]')) return null; \
             return [p.dataset.package, p.dataset.verdict];",
            vec![],
        )
        .await?;
        if verdict != json!(["drvsigtest.inf", "pass"]) {
            return Err(format!("the package: {verdict}"));
        }
        let timings = js(&client, "return document.body.dataset.timings || null;", vec![]).await?;
        let timings: Value = serde_json::from_str(timings.as_str().unwrap_or("null")).map_err(|e| format!("timings: {e}"))?;
        if timings["files"] != json!(3) || !timings["package"].is_number() {
            return Err(format!("not one request for the files and their package: {timings}"));
        }
        Ok(())
    });
}
