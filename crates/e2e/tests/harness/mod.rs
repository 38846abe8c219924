//! The browser-test harness for e2e test files other than `e2e.rs` (`mod harness;`): a static
//! server for `dist/`, chromedriver, a WebDriver session with the same Chromium flags, polling
//! helpers. It is the harness part of `e2e.rs`, copied so that both files can change on their own
//! branches; `e2e.rs` can switch to it later.
#![allow(dead_code)]

use std::future::Future;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

include!("../../shared.rs");
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Harness: static server, chromedriver, session

/// `dist/` from `DRVSIG_DIST`; `None` (with a notice) under plain `cargo test`.
pub fn dist_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os("DRVSIG_DIST") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(dir.join("index.html").is_file(), "DRVSIG_DIST={} has no index.html", dir.display());
            Some(dir)
        }
        None => {
            // Written to stderr directly so that the test harness does not capture it.
            let _ = writeln!(
                std::io::stderr(),
                "notice: {test}: DRVSIG_DIST is not set, so the browser test does nothing (run `cargo xtask test`)"
            );
            None
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// chromedriver on a free port; killed on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        assert!(Path::new(&chromedriver).is_file(), "{chromedriver} not found: install the Debian packages chromium and chromium-driver");
        let port = free_port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let driver = Driver { child, port };
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn connect(port: u16) -> Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).is_file(), "{chromium} not found: install the Debian package chromium");
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": chromium, "args": CHROME_FLAGS },
        "goog:loggingPrefs": { "performance": "ALL" },
    });
    let Value::Object(caps) = caps else { unreachable!() };
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.enforce_http(true);
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session with headless Chromium")
}

/// Run one scenario against a fresh server, chromedriver and browser session. The session is
/// closed whatever the outcome (so no Chromium is left behind), then a failure panics.
pub fn scenario<F, Fut>(test: &str, body: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let Some(dist) = dist_dir(test) else { return };
    let server = StaticServer::start(dist).expect("serve dist/ on 127.0.0.1");
    let driver = Driver::start();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let outcome = rt.block_on(async {
        let client = connect(driver.port).await;
        let outcome = match tokio::time::timeout(Duration::from_secs(180), body(client.clone(), server.base.clone())).await {
            Ok(r) => r,
            Err(_) => Err("the scenario timed out after 180 s".into()),
        };
        let outcome = match outcome {
            Ok(()) => Ok(()),
            Err(e) => Err(format!("{e}\npage state: {}", page_state(&client).await)),
        };
        let _ = client.close().await;
        outcome
    });
    drop(driver);
    drop(server);
    if let Err(e) = outcome {
        panic!("{test}: {e}");
    }
}

pub async fn js(client: &Client, script: &str, args: Vec<Value>) -> Result<Value, String> {
    client.execute(script, args).await.map_err(|e| format!("script failed: {e}\n{script}"))
}

/// A short description of the page for failure messages.
pub async fn page_state(client: &Client) -> String {
    let script = "return {url: location.href, ready: document.body ? document.body.dataset.ready : null, \
                  cards: [...document.querySelectorAll('article.file-card')].map(c => c.outerHTML.slice(0, 600)), \
                  body: document.body ? document.body.innerText.slice(0, 600) : null};";
    match client.execute(script, vec![]).await {
        Ok(v) => v.to_string(),
        Err(e) => format!("(unavailable: {e})"),
    }
}

/// Poll a script until it returns something other than null/false, or time out.
pub async fn wait_for(client: &Client, what: &str, script: &str, args: Vec<Value>) -> Result<Value, String> {
    let started = Instant::now();
    loop {
        let v = js(client, script, args.clone()).await?;
        if !(v.is_null() || v == Value::Bool(false)) {
            return Ok(v);
        }
        if started.elapsed() > TIMEOUT {
            return Err(format!("timed out after {}s waiting for {what}", TIMEOUT.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for index.html's plain drop zone with early.js listening (the app not necessarily up:
/// `?boot-delay` holds it back).
pub async fn wait_for_early_drop_zone(client: &Client) -> Result<(), String> {
    wait_for(
        client,
        "the plain HTML drop zone with early.js listening",
        "return !!document.querySelector('#drop-zone.early-drop') && !!window.drvsigEarly;",
        vec![],
    )
    .await
    .map(|_| ())
}

pub async fn open(client: &Client, url: &str) -> Result<(), String> {
    client.goto(url).await.map_err(|e| format!("goto {url}: {e}"))?;
    wait_for(client, "document.body.dataset.ready == \"true\"", "return !!document.body && document.body.dataset.ready === 'true';", vec![])
        .await
        .map(|_| ())
}

/// Drops `files` (name, bytes) on `#drop-zone` in one DataTransfer, recording in
/// `window.__dropped` the moment of the drop.
pub async fn drop_files(client: &fantoccini::Client, files: &[(&str, Vec<u8>)]) -> Result<(), String> {
    let script = r#"
const files = arguments[0].map(([name, b64]) => {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new File([bytes], name, { type: 'application/octet-stream' });
});
const dt = new DataTransfer();
for (const f of files) dt.items.add(f);
const zone = document.getElementById('drop-zone');
if (!zone) return 'no #drop-zone';
window.__dropped = performance.now();
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
}
return 'dropped';
"#;
    let list: Vec<Value> = files.iter().map(|(name, bytes)| json!([name, base64(bytes)])).collect();
    let r = js(client, script, vec![Value::Array(list)]).await?;
    if r != json!("dropped") {
        return Err(format!("drop: {r}"));
    }
    Ok(())
}

/// chromedriver's `POST /session/{id}/goog/cdp/execute`: one Chrome DevTools command.
#[derive(Debug)]
pub(crate) struct Cdp(pub &'static str, pub Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or("")))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.0, "params": self.1 }).to_string()))
    }
}
