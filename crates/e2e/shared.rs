// Shared by the e2e harness (crates/e2e/tests/harness) and xtask (serve, test, bench) through
// `include!`: the two crates do not depend on each other.

/// Headless Chromium flags (TOOLCHAIN.md): quiet, sandbox-free as root, and no DNS at all. One
/// list for the e2e tests and `cargo xtask` (test runner config, bench).
pub const CHROME_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/// The Content-Type a static server gives a file of `dist/`.
pub fn content_type(path: &std::path::Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file of `dir` a request URL names (`/` and directories give their `index.html`); `None` for
/// anything that tries to leave `dir` (`..`, `.`, `\\`, percent-escapes) or does not exist.
pub fn resolve(dir: &std::path::Path, url: &str) -> Option<std::path::PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let mut file = dir.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part == "." || part.contains('\\') || part.contains('%') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

/// `dir` served on an ephemeral 127.0.0.1 port from a thread (the e2e tests, the benchmark);
/// stopped on drop.
pub struct StaticServer {
    server: std::sync::Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl StaticServer {
    pub fn start(dir: std::path::PathBuf) -> Result<Self, String> {
        let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").map_err(|e| format!("listen: {e}"))?);
        let port = server.server_addr().to_ip().map(|a| a.port()).ok_or("no IP listener")?;
        let s = std::sync::Arc::clone(&server);
        let thread = std::thread::spawn(move || {
            for request in s.incoming_requests() {
                let response = match resolve(&dir, request.url()).and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
                    Some((file, body)) => {
                        let mut r = tiny_http::Response::from_data(body);
                        if let Ok(h) = tiny_http::Header::from_bytes("Content-Type", content_type(&file)) {
                            r = r.with_header(h);
                        }
                        r
                    }
                    None => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
                };
                let _ = request.respond(response);
            }
        });
        Ok(StaticServer { server, thread: Some(thread), base: format!("http://127.0.0.1:{port}") })
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
