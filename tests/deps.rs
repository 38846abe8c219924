//! The core stays free of browser crates: web-sys, js-sys, wasm-bindgen, gloo and yew belong to the
//! page (www/), never to `drvsig`'s normal dependencies, for any target.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

const FORBIDDEN: &[&str] = &["web-sys", "js-sys", "wasm-bindgen", "gloo", "yew"];

fn forbidden(name: &str) -> bool {
    FORBIDDEN.iter().any(|f| name == *f || name.starts_with(&format!("{f}-")))
}

#[test]
fn core_has_no_browser_crates() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "-p", "drvsig", "-e", "normal", "--target", "all", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("cargo tree runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<&str> = stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(names.first() == Some(&"drvsig"), "unexpected cargo tree output:\n{stdout}");
    let bad: Vec<&str> = names.iter().copied().filter(|n| forbidden(n)).collect();
    assert!(bad.is_empty(), "the core depends on browser crates {bad:?}:\n{stdout}");
}

#[test]
fn forbidden_names() {
    assert!(forbidden("wasm-bindgen") && forbidden("wasm-bindgen-futures") && forbidden("gloo-file"));
    assert!(forbidden("yew-macro") && forbidden("js-sys"));
    assert!(!forbidden("sha2") && !forbidden("der") && !forbidden("wasm-encoder"));
}
