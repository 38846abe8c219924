//! Compare mode (issue 17): "Compare with another version" keeps the page's files as the old side,
//! the next drop is inspected in the workers like any other, and the page shows
//! `drvsig::diff` of the two with the changes highlighted and exports it as Markdown; nothing
//! leaves the page. A module of the `e2e` test binary, on the bundled demo packages.

use fantoccini::Locator;
use serde_json::json;

use super::{drop_files, js, only_own_origin_requests, open, scenario, wait_for};

/// The package rows of the page once the package pass is done.
const ROWS_JS: &str = "return document.querySelector('article.package tr.coverage-row') \
    && !document.querySelector('section.packages[aria-busy=true]') ? true : null;";

/// The diff once shown: `{differs, highlights: [[class, kind, text]], files: [[path, status]]}`.
const DIFF_JS: &str = r#"
const d = document.getElementById('diff');
if (!d) return null;
return {
  differs: d.dataset.differs,
  highlights: [...d.querySelectorAll('li.diff-highlight')].map(h => [h.className, h.dataset.kind, h.innerText]),
  files: [...d.querySelectorAll('article.diff-file')].map(a => [a.dataset.path, a.dataset.status,
    a.querySelectorAll('tr.diff-row.is-worse').length]),
  none: (d.querySelector('.diff-none') || {}).innerText || null,
};
"#;

fn demo_file(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn click(client: &fantoccini::Client, css: &str) -> Result<(), String> {
    client.find(Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?.click().await.map_err(|e| format!("clicking {css}: {e}"))
}

/// The good demo package, kept as the old version; the page then waits for the new one.
async fn keep_good_as_old(client: &fantoccini::Client, base: &str) -> Result<(), String> {
    open(client, &format!("{base}/?demo=good")).await?;
    wait_for(client, "the good package", ROWS_JS, vec![]).await?;
    click(client, "#compare-button").await?;
    let banner = wait_for(
        client,
        "the compare banner over an empty page",
        "const b = document.getElementById('compare-banner'); \
         return b && !document.querySelector('article.file-card') ? b.innerText : null;",
        vec![],
    )
    .await?;
    if !banner.as_str().is_some_and(|t| t.contains("good.zip")) {
        return Err(format!("the banner does not name the old version: {banner}"));
    }
    Ok(())
}

#[test]
fn compare_good_with_tampered_highlights_the_mismatch_and_exports_markdown() {
    scenario("compare_good_with_tampered_highlights_the_mismatch_and_exports_markdown", |client, base| async move {
        keep_good_as_old(&client, &base).await?;
        drop_files(&client, &[("tampered.zip", demo_file("tampered.zip"))]).await?;
        let diff = wait_for(&client, "the diff", DIFF_JS, vec![]).await?;
        if diff["differs"] != json!("true") {
            return Err(format!("the two packages should differ: {diff}"));
        }
        let highlights = diff["highlights"].as_array().cloned().unwrap_or_default();
        let worse = |kind: &str, text: &str| {
            highlights.iter().any(|h| {
                h[0].as_str().is_some_and(|c| c.contains("is-worse"))
                    && h[1] == json!(kind)
                    && h[2].as_str().is_some_and(|t| t.contains(text))
            })
        };
        if !worse("coverage-changed", "drvsigtest.sys: covered -> mismatch") || !worse("package-verdict-changed", "pass -> fail") {
            return Err(format!("the summary misses the mismatch: {highlights:?}"));
        }
        // The driver's row table highlights what got worse (its digest, its test-mode verdict).
        let files = diff["files"].as_array().cloned().unwrap_or_default();
        let sys = files.iter().find(|f| f[0] == json!("drvsigtest.sys")).ok_or(format!("no drvsigtest.sys: {files:?}"))?;
        if sys[1] != json!("changed") || sys[2].as_u64().unwrap_or(0) == 0 {
            return Err(format!("drvsigtest.sys should be changed with rows highlighted as worse: {sys}"));
        }
        click(&client, "#diff-preview").await?;
        let markdown = wait_for(
            &client,
            "the Markdown preview",
            "const p = document.getElementById('diff-markdown'); return p ? p.textContent : null;",
            vec![],
        )
        .await?;
        let md = markdown.as_str().unwrap_or_default();
        if !md.starts_with("# drvsig diff\n") || !md.contains("## Summary") || !md.contains("covered -> mismatch") {
            return Err(format!("the Markdown export: {md}"));
        }
        // Both sides were inspected in the page: nothing went anywhere else.
        only_own_origin_requests(&client, &base).await?;
        // Stop comparing: the diff goes, the new version's files stay.
        click(&client, "#compare-stop").await?;
        let after = js(
            &client,
            "return [!!document.getElementById('diff'), !!document.getElementById('compare-banner'), \
             document.querySelectorAll('article.file-card').length > 0];",
            vec![],
        )
        .await?;
        if after != json!([false, false, true]) {
            return Err(format!("after Stop comparing [diff, banner, cards]: {after}"));
        }
        Ok(())
    });
}

#[test]
fn compare_a_package_with_itself_says_no_differences() {
    scenario("compare_a_package_with_itself_says_no_differences", |client, base| async move {
        keep_good_as_old(&client, &base).await?;
        drop_files(&client, &[("good.zip", demo_file("good.zip"))]).await?;
        let diff = wait_for(&client, "the diff", DIFF_JS, vec![]).await?;
        let none = diff["none"].as_str().unwrap_or_default();
        if diff["differs"] != json!("false") || !none.starts_with("No differences") {
            return Err(format!("a package against itself: {diff}"));
        }
        Ok(())
    });
}
