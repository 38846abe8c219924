//! End-to-end tests of the built page: `dist/` served on 127.0.0.1, driven in headless Chromium
//! through chromedriver (fantoccini, plain HTTP). `cargo xtask test` builds `dist/` and sets
//! `DRVSIG_DIST`; under plain `cargo test` without it, every test prints a notice and passes.
//!
//! The DOM contract with the page: `#file-input` (multiple), `#drop-zone`, `#demo-button`, one
//! `article.file-card[data-name=NAME]` per file with `[data-field=name|size|sha256|kind|cert-table]`,
//! `document.body.dataset.ready = "true"` once mounted, `?demo` loads the bundled demo.

use std::path::Path;

use fantoccini::Client;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

// The shared harness (static server, chromedriver, scenario, js/wait_for/open): also used by
// tests/packages.rs.
mod harness;

use harness::*;

// ---------------------------------------------------------------------------------------------
// Test inputs

/// A minimal unsigned PE32+ image (x64, no sections, 16 empty data directories), padded to 0x200.
fn tiny_pe32_plus() -> Vec<u8> {
    let mut pe = vec![0u8; 0x200];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    pe[0x40..0x44].copy_from_slice(b"PE\0\0");
    pe[0x44..0x46].copy_from_slice(&0x8664u16.to_le_bytes());
    pe[0x54..0x56].copy_from_slice(&240u16.to_le_bytes());
    pe[0x56..0x58].copy_from_slice(&0x0022u16.to_le_bytes());
    let opt = 0x58;
    pe[opt..opt + 2].copy_from_slice(&0x20bu16.to_le_bytes());
    pe[opt + 32..opt + 36].copy_from_slice(&0x1000u32.to_le_bytes());
    pe[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes());
    pe[opt + 56..opt + 60].copy_from_slice(&0x1000u32.to_le_bytes());
    pe[opt + 60..opt + 64].copy_from_slice(&0x200u32.to_le_bytes());
    pe[opt + 68..opt + 70].copy_from_slice(&1u16.to_le_bytes());
    pe[opt + 108..opt + 112].copy_from_slice(&16u32.to_le_bytes());
    // Something in the "code" so that two test files never share a digest by accident.
    pe[0x1f0..0x200].copy_from_slice(b"drvsig e2e test!");
    pe
}

const INF: &[u8] = b"[Version]\r\nSignature=\"$Windows NT$\"\r\nClass=System\r\nCatalogFile=e2e.cat\r\n";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The fields of the card for `name`, once its digest is there (or any card matching `filter`).
const CARD_JS: &str = r#"
const [name, wantKind] = arguments;
const field = (card, k) => {
  const e = card.querySelector(`[data-field="${k}"]`);
  return e ? { text: e.textContent.trim(), offset: e.getAttribute('data-offset'), size: e.getAttribute('data-size') } : null;
};
const cards = [...document.querySelectorAll('article.file-card')]
  .filter(c => name === null || c.dataset.name === name)
  .map(c => ({ dataName: c.dataset.name, name: field(c, 'name'), size: field(c, 'size'), sha256: field(c, 'sha256'),
               kind: field(c, 'kind'), cert: field(c, 'cert-table') }))
  .filter(c => c.sha256 && /^[0-9a-f]{64}$/.test(c.sha256.text) && c.kind && c.kind.text !== ''
               && c.cert && c.cert.text !== '' && (wantKind === null || c.kind.text === wantKind));
return cards.length ? cards[0] : null;
"#;

async fn card(client: &Client, name: &str) -> Result<Value, String> {
    wait_for(client, &format!("a finished card for {name}"), CARD_JS, vec![json!(name), Value::Null]).await
}

fn text<'a>(card: &'a Value, field: &str) -> &'a str {
    card.get(field).and_then(|f| f.get("text")).and_then(Value::as_str).unwrap_or("")
}

fn check_card(card: &Value, name: &str, bytes: &[u8], kind: &str, cert: Option<&str>) -> Result<(), String> {
    let expected = sha256_hex(bytes);
    if text(card, "sha256") != expected {
        return Err(format!("{name}: sha256 is {:?}, expected {expected}: {card}", text(card, "sha256")));
    }
    if text(card, "kind") != kind {
        return Err(format!("{name}: kind is {:?}, expected {kind:?}: {card}", text(card, "kind")));
    }
    if !text(card, "name").contains(name) {
        return Err(format!("{name}: name field is {:?}: {card}", text(card, "name")));
    }
    if let Some(prefix) = cert {
        if !text(card, "cert").starts_with(prefix) {
            return Err(format!("{name}: cert-table is {:?}, expected {prefix:?}...: {card}", text(card, "cert")));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/// The per-file report views and inert strings (tests/views/mod.rs).
mod views;

/// Compare mode: two versions of a package, the diff highlighted, exported as Markdown.
mod compare;

/// Inspection in the Web Worker: a free main thread, no requests, Cancel (tests/worker/mod.rs).
mod worker;

/// Triage first: summary table, target picker, folded cards, copy summary (tests/triage/mod.rs).
mod triage;

/// A thousand files at once: a verdict each in the summary, never a blank page (tests/many/mod.rs).
mod many;

/// Dropped folders, walked by the app and by early.js: the same files in the same order
/// (tests/folders/mod.rs).
mod folders;

#[test]
fn file_input_shows_digest_and_kind() {
    scenario("file_input_shows_digest_and_kind", |client, base| async move {
        let dir = std::env::temp_dir().join(format!("drvsig-e2e-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let pe = tiny_pe32_plus();
        let (pe_path, inf_path) = (dir.join("tiny64.sys"), dir.join("setup.inf"));
        std::fs::write(&pe_path, &pe).map_err(|e| e.to_string())?;
        std::fs::write(&inf_path, INF).map_err(|e| e.to_string())?;

        open(&client, &format!("{base}/")).await?;
        let input = client.find(fantoccini::Locator::Css("#file-input")).await.map_err(|e| format!("#file-input: {e}"))?;
        // chromedriver sets a file input's files from newline-separated paths.
        let paths = format!("{}\n{}", pe_path.display(), inf_path.display());
        input.send_keys(&paths).await.map_err(|e| format!("setting files on #file-input: {e}"))?;

        let result = async {
            check_card(&card(&client, "tiny64.sys").await?, "tiny64.sys", &pe, "PE32+", Some("none"))?;
            check_card(&card(&client, "setup.inf").await?, "setup.inf", INF, "INF", None)
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        result
    });
}

#[test]
fn drop_zone_accepts_dropped_files() {
    scenario("drop_zone_accepts_dropped_files", |client, base| async move {
        let mut pe = tiny_pe32_plus();
        pe[0x1f0..0x200].copy_from_slice(b"dropped, not set");
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("dropped64.sys", pe.clone()), ("dropped.inf", INF.to_vec())]).await?;
        check_card(&card(&client, "dropped64.sys").await?, "dropped64.sys", &pe, "PE32+", Some("none"))?;
        check_card(&card(&client, "dropped.inf").await?, "dropped.inf", INF, "INF", None)
    });
}

/// index.html's drop zone is plain HTML and works before the wasm is ready: files dropped there
/// while the app is held back (`?boot-delay`) are queued by early.js and inspected once it starts.
#[test]
fn drop_zone_works_before_the_wasm_is_ready() {
    scenario("drop_zone_works_before_the_wasm_is_ready", |client, base| async move {
        let mut pe = tiny_pe32_plus();
        pe[0x1f0..0x200].copy_from_slice(b"queued early!!!!");
        client.goto(&format!("{base}/?boot-delay=4000")).await.map_err(|e| format!("goto: {e}"))?;
        wait_for_early_drop_zone(&client).await?;
        drop_files(&client, &[("early64.sys", pe.clone()), ("early.inf", INF.to_vec())]).await?;
        let state = js(
            &client,
            "return { queued: window.drvsigEarly.queued(), ready: document.body.dataset.ready || null, \
                 status: document.getElementById('early-status').textContent };",
            vec![],
        )
        .await?;
        if state["queued"] != json!(2) || !state["ready"].is_null() {
            return Err(format!("expected 2 files queued before the app started: {state}"));
        }
        if !state["status"].as_str().unwrap_or("").contains("2 files queued") {
            return Err(format!("the status line does not count the queue: {state}"));
        }
        check_card(&card(&client, "early64.sys").await?, "early64.sys", &pe, "PE32+", Some("none"))?;
        check_card(&card(&client, "early.inf").await?, "early.inf", INF, "INF", None)?;
        // The app took over: its own drop zone replaced the plain one, and the queue is empty.
        let after =
            js(&client, "return { plain: !!document.querySelector('.early-drop'), queued: window.drvsigEarly.queued() };", vec![]).await?;
        if after != json!({ "plain": false, "queued": 0 }) {
            return Err(format!("after start: {after}"));
        }
        Ok(())
    });
}

/// A drag out of a web page carries strings beside the files: index.html's drop zone queues each
/// dropped file once, and only the files. (A DataTransfer made in the page has no file entries, so
/// this cannot show the old fault, a real drop's file taken twice when a string item came first:
/// early.js indexed `dt.files` by the items' positions; it checks the string is left out.)
#[test]
fn early_drop_zone_takes_each_file_once() {
    scenario("early_drop_zone_takes_each_file_once", |client, base| async move {
        let mut pe = tiny_pe32_plus();
        pe[0x1f0..0x200].copy_from_slice(b"string item 1st!");
        client.goto(&format!("{base}/?boot-delay=3000")).await.map_err(|e| format!("goto: {e}"))?;
        wait_for_early_drop_zone(&client).await?;
        let script = r#"
const bin = atob(arguments[0]);
const bytes = new Uint8Array(bin.length);
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
const dt = new DataTransfer();
dt.items.add('https://example.invalid/driver', 'text/uri-list');
dt.items.add(new File([bytes], 'strings64.sys', { type: 'application/octet-stream' }));
const zone = document.getElementById('drop-zone');
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
}
return null;"#;
        js(&client, script, vec![json!(base64(&pe))]).await?;
        let queued = wait_for(
            &client,
            "the queue",
            "const n = window.drvsigEarly.queued(); return n > 0 && !document.body.dataset.ready ? n : null;",
            vec![],
        )
        .await?;
        if queued != json!(1) {
            return Err(format!("one file dropped, {queued} queued"));
        }
        check_card(&card(&client, "strings64.sys").await?, "strings64.sys", &pe, "PE32+", Some("none"))?;
        let cards = js(&client, "return document.querySelectorAll('article.file-card').length;", vec![]).await?;
        if cards != json!(1) {
            return Err(format!("one file dropped, {cards} cards"));
        }
        Ok(())
    });
}

/// Without JavaScript the page says what it needs, and hides the drop zone that cannot work.
#[test]
fn page_without_javascript_says_what_it_needs() {
    let Some(dist) = dist_dir("page_without_javascript_says_what_it_needs") else { return };
    let html = std::fs::read_to_string(dist.join("index.html")).expect("dist/index.html");
    let noscript = html.split("<noscript>").skip(1).map(|s| s.split("</noscript>").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    assert!(noscript.contains("needs JavaScript"), "noscript notice missing: {noscript}");
    assert!(noscript.contains("noscript.css"), "noscript stylesheet missing: {noscript}");
    let css = std::fs::read_to_string(dist.join("noscript.css")).expect("dist/noscript.css");
    assert!(css.contains(".early-drop") && css.contains("display: none"), "{css}");
    assert!(html.contains("id=\"drop-zone\"") && html.contains("id=\"file-input\""), "no plain drop zone in index.html");
}

/// Chrome's performance log (goog:loggingPrefs), read with chromedriver's `POST /se/log`.
#[derive(Debug)]
struct GetLog;

impl fantoccini::wd::WebDriverCompatibleCommand for GetLog {
    fn endpoint(&self, base: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session_id.unwrap_or("")))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "type": "performance" }).to_string()))
    }
}

/// Every URL Chromium requested on the network since the session began (workers included), from
/// its performance log.
async fn network_requests(client: &Client) -> Result<Vec<String>, String> {
    let log = client.issue_cmd(GetLog).await.map_err(|e| format!("reading the performance log: {e}"))?;
    let mut network = Vec::new();
    for entry in log.as_array().into_iter().flatten() {
        let Some(message) = entry.get("message").and_then(Value::as_str) else {
            continue;
        };
        let Ok(message) = serde_json::from_str::<Value>(message) else {
            continue;
        };
        let message = &message["message"];
        if message["method"] == "Network.requestWillBeSent" {
            if let Some(url) = message["params"]["request"]["url"].as_str() {
                network.push(url.to_string());
            }
        }
    }
    Ok(network)
}

/// The URLs that leave `own` origin (data: and blob: URLs stay in the page).
fn off_origin<'a>(urls: &'a [String], own: &str) -> Vec<&'a String> {
    urls.iter().filter(|u| !u.starts_with(own) && !u.starts_with("data:") && !u.starts_with("blob:")).collect()
}

/// Every URL the browser requested (see [`network_requests`]); an error naming those off `own`.
async fn only_own_origin_requests(client: &Client, own: &str) -> Result<Vec<String>, String> {
    let network = network_requests(client).await?;
    let foreign = off_origin(&network, own);
    if !foreign.is_empty() {
        return Err(format!("network requests to other origins: {foreign:?}"));
    }
    Ok(network)
}

#[test]
fn page_stays_on_its_own_origin() {
    scenario("page_stays_on_its_own_origin", |client, base| async move {
        open(&client, &format!("{base}/?demo")).await?;
        // Let the demo finish so that whatever it loads is counted.
        wait_for(&client, "a demo card", CARD_JS, vec![Value::Null, Value::Null]).await?;
        let own = format!("{base}/");

        let csp = js(
            &client,
            "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\" i]'); return m ? m.content : null;",
            vec![],
        )
        .await?;
        let csp = csp.as_str().ok_or("no <meta http-equiv=\"Content-Security-Policy\"> in the page")?;
        for directive in ["default-src 'self'", "connect-src 'none'"] {
            if !csp.contains(directive) {
                return Err(format!("CSP {csp:?} lacks {directive:?}"));
            }
        }

        // What the page itself saw: navigation and every resource timing entry.
        let entries = js(
            &client,
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name);",
            vec![],
        )
        .await?;
        let urls: Vec<String> = entries.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
        let foreign: Vec<&String> = urls.iter().filter(|u| !u.starts_with(&own)).collect();
        if !foreign.is_empty() {
            return Err(format!("requests to other origins: {foreign:?}"));
        }
        if !urls.iter().any(|u| u.ends_with("/boot.js")) {
            return Err(format!("boot.js not among the page's requests {urls:?}"));
        }

        // What the browser sent on the network (incl. anything the page cannot see).
        let network = only_own_origin_requests(&client, &own).await?;
        if !network.iter().any(|u| u.ends_with("/boot.js")) {
            return Err(format!("the performance log has no request for boot.js: {network:?}"));
        }
        Ok(())
    });
}

/// The workers' files (the core's wasm) and the block lists' index they import when they start:
/// not on a plain visit, only from the first sign of use (a worker's own dynamic import is not in
/// the page's resource timing: a_dropped_sipolicy_changes_a_verdict checks the worker loaded it).
const WORKER_FILES: [&str; 5] = ["/worker.js", "/inspector.js", "/drvsig_worker.js", "/drvsig_worker_bytes.js", "/drvsig_blocklists.js"];

#[test]
fn a_plain_visit_loads_no_worker_until_the_page_is_used() {
    scenario("a_plain_visit_loads_no_worker_until_the_page_is_used", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        // Give a worker time to start, were one started.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let own = format!("{base}/");
        let network = only_own_origin_requests(&client, &own).await?;
        let early: Vec<&String> = network.iter().filter(|u| WORKER_FILES.iter().any(|f| u.ends_with(f))).collect();
        if !early.is_empty() {
            return Err(format!("a plain visit requested the workers' files: {early:?}"));
        }
        let loaded = js(&client, "return performance.getEntriesByType('resource').map(e => e.name);", vec![]).await?;
        let loaded: Vec<String> = loaded.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
        if loaded.iter().any(|u| WORKER_FILES.iter().any(|f| u.ends_with(f))) {
            return Err(format!("a plain visit loaded the workers' files: {loaded:?}"));
        }
        let used = js(&client, "return window.drvsigEarly.usedAt();", vec![]).await?;
        if !used.is_null() {
            return Err(format!("a plain visit counted as a use at {used}"));
        }
        // Something dragged over the window: the first worker starts.
        js(&client, "window.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true })); return null;", vec![]).await?;
        // The page's resource timing lists what its workers load, too.
        wait_for(
            &client,
            "the workers' files loaded after a dragenter",
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/drvsig_worker_bytes.js')) || null;",
            vec![],
        )
        .await?;
        Ok(())
    });
}

#[test]
fn demo_shows_a_signed_pe() {
    scenario("demo_shows_a_signed_pe", |client, base| async move {
        open(&client, &format!("{base}/?demo")).await?;
        let card = wait_for(&client, "a demo card of kind PE32+", CARD_JS, vec![Value::Null, json!("PE32+")]).await?;
        let cert = card.get("cert").cloned().unwrap_or(Value::Null);
        let cert_text = cert["text"].as_str().unwrap_or("");
        if !cert_text.starts_with("present") {
            return Err(format!("the demo's cert-table says {cert_text:?}, expected \"present...\": {card}"));
        }
        for attr in ["offset", "size"] {
            let v = cert[attr].as_str().unwrap_or("");
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v == "0" && attr == "size" {
                return Err(format!("the demo's cert-table data-{attr} is {v:?}, expected a decimal number: {card}"));
            }
        }
        Ok(())
    });
}

#[test]
fn demo_button_loads_the_demo() {
    scenario("demo_button_loads_the_demo", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        let button = client.find(fantoccini::Locator::Css("#demo-button")).await.map_err(|e| format!("#demo-button: {e}"))?;
        button.click().await.map_err(|e| format!("clicking #demo-button: {e}"))?;
        let card = wait_for(&client, "a demo card of kind PE32+", CARD_JS, vec![Value::Null, json!("PE32+")]).await?;
        let cert_text = card["cert"]["text"].as_str().unwrap_or("");
        if !cert_text.starts_with("present") {
            return Err(format!("the demo's cert-table says {cert_text:?}, expected \"present...\": {card}"));
        }
        Ok(())
    });
}

#[test]
fn harness_helpers() {
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"fooba"), "Zm9vYmE=");
    assert_eq!(base64(b"foob"), "Zm9vYg==");
    assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
    assert_eq!(tiny_pe32_plus().len(), 0x200);
}
