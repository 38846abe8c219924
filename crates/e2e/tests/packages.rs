//! End-to-end tests of the package views, the catalog view, the ASN.1 tree, the exports and the
//! demo / embed URLs (`?demo=NAME`, `?embed`), on the bundled demo packages (made by
//! `cargo xtask fixtures`: good, tampered, missing-file). Same harness and rules as `e2e.rs`.

mod harness;

use fantoccini::Locator;
use harness::{drop_files, js, open, scenario, wait_for};
use serde_json::{json, Value};

/// The coverage rows of every package: `[{package, file, status}]`, once there is at least one.
const ROWS_JS: &str = r#"
const rows = [...document.querySelectorAll('article.package tr.coverage-row')].map(r => ({
  package: r.closest('article.package').dataset.package, file: r.dataset.file, status: r.dataset.status }));
return rows.length ? rows : null;
"#;

async fn click(client: &fantoccini::Client, css: &str) -> Result<(), String> {
    client.find(Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?.click().await.map_err(|e| format!("clicking {css}: {e}"))
}

#[test]
fn tampered_demo_shows_a_mismatch_for_the_driver() {
    scenario("tampered_demo_shows_a_mismatch_for_the_driver", |client, base| async move {
        open(&client, &format!("{base}/?demo=tampered")).await?;
        let rows = wait_for(&client, "coverage rows", ROWS_JS, vec![]).await?;
        let sys = rows
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["file"].as_str().is_some_and(|f| f.ends_with("drvsigtest.sys")))
            .ok_or(format!("no coverage row for drvsigtest.sys: {rows}"))?;
        if sys["status"] != "mismatch" {
            return Err(format!("drvsigtest.sys is {}, expected mismatch: {rows}", sys["status"]));
        }
        let verdict = js(&client, "return document.querySelector('article.package').dataset.verdict;", vec![]).await?;
        if verdict != json!("fail") {
            return Err(format!("the package verdict is {verdict}, expected fail"));
        }
        // The zip's members have their own cards, named as the core names them.
        wait_for(
            &client,
            "a card for the zipped driver",
            "return !!document.querySelector('article.file-card[data-name=\"tampered.zip/tampered/drvsigtest.sys\"]');",
            vec![],
        )
        .await
        .map(|_| ())
    });
}

#[test]
fn good_demo_is_all_covered() {
    scenario("good_demo_is_all_covered", |client, base| async move {
        open(&client, &format!("{base}/?demo=good")).await?;
        let rows = wait_for(&client, "coverage rows", ROWS_JS, vec![]).await?;
        let rows = rows.as_array().cloned().unwrap_or_default();
        if rows.len() < 2 {
            return Err(format!("expected the .inf and the .sys rows: {rows:?}"));
        }
        if let Some(bad) = rows.iter().find(|r| r["status"] != "covered") {
            return Err(format!("not covered: {bad} (all rows: {rows:?})"));
        }
        let verdict = js(&client, "return document.querySelector('article.package').dataset.verdict;", vec![]).await?;
        if verdict != json!("pass") {
            return Err(format!("the package verdict is {verdict}, expected pass"));
        }
        Ok(())
    });
}

#[test]
fn catalog_search_filters_members() {
    scenario("catalog_search_filters_members", |client, base| async move {
        open(&client, &format!("{base}/?demo=missing-file")).await?;
        let count_js =
            "const t = document.querySelector('.members-table'); return t ? t.querySelectorAll('tbody tr[data-member]').length : null;";
        let before = wait_for(&client, "the members table", count_js, vec![]).await?;
        if before != json!(3) {
            return Err(format!("expected 3 members before searching, got {before}"));
        }
        // The catalog's contents are folded (issue 14): open them, as a person would.
        click(&client, "details.catalog-details > summary").await?;
        let input = client.find(Locator::Css("input.catalog-search")).await.map_err(|e| format!("input.catalog-search: {e}"))?;
        input.send_keys("filter").await.map_err(|e| format!("typing: {e}"))?;
        let files = wait_for(
            &client,
            "one row left",
            "const rows = [...document.querySelectorAll('.members-table tbody tr[data-member]')]; return rows.length === 1 ? rows.map(r => [r.dataset.file, r.dataset.status]) : null;",
            vec![],
        )
        .await?;
        if files != json!([["drvsigfilter.sys", "missing"]]) {
            return Err(format!("after searching \"filter\": {files}"));
        }
        // The status filter: only the covered members (the search emptied first).
        js(
            &client,
            "const i = document.querySelector('input.catalog-search'); i.value = ''; i.dispatchEvent(new InputEvent('input', {bubbles: true})); \
             const s = document.querySelector('select.catalog-status'); s.value = 'covered'; s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
            vec![],
        )
        .await?;
        let covered = wait_for(
            &client,
            "the covered members",
            "const rows = [...document.querySelectorAll('.members-table tbody tr[data-member]')]; return rows.length === 2 && rows.every(r => r.dataset.status === 'covered') ? rows.length : null;",
            vec![],
        )
        .await?;
        if covered != json!(2) {
            return Err(format!("covered rows: {covered}"));
        }
        Ok(())
    });
}

#[test]
fn exports_hold_the_packages_and_the_file_names() {
    scenario("exports_hold_the_packages_and_the_file_names", |client, base| async move {
        open(&client, &format!("{base}/?demo=good")).await?;
        wait_for(&client, "coverage rows", ROWS_JS, vec![]).await?;
        click(&client, "#export-show").await?;
        let text_js =
            "const p = document.getElementById('export-text'); return p && p.dataset.format === arguments[0] ? p.textContent : null;";
        let json_text = wait_for(&client, "the JSON export", text_js, vec![json!("json")]).await?;
        let parsed: Value =
            serde_json::from_str(json_text.as_str().unwrap_or("")).map_err(|e| format!("the JSON export does not parse: {e}"))?;
        let packages = parsed["packages"].as_array().ok_or(format!("no \"packages\" array: {parsed}"))?;
        if packages.is_empty() || packages[0]["coverage"].as_array().is_none_or(Vec::is_empty) {
            return Err(format!("the JSON export has no package coverage: {parsed}"));
        }
        let names: Vec<&str> = parsed["files"].as_array().into_iter().flatten().filter_map(|f| f["name"].as_str()).collect();
        for want in ["good.zip", "good.zip/good/drvsigtest.sys", "good.zip/good/drvsigtest.cat", "good.zip/good/drvsigtest.inf"] {
            if !names.contains(&want) {
                return Err(format!("the JSON export lacks the file {want}: {names:?}"));
            }
        }
        click(&client, "#export-format-markdown").await?;
        let md = wait_for(&client, "the Markdown export", text_js, vec![json!("markdown")]).await?;
        let md = md.as_str().unwrap_or("");
        for want in
            ["# drvsig report", "good.zip/good/drvsigtest.sys", "good.zip/good/drvsigtest.cat", "good.zip/good/drvsigtest.inf", "covered"]
        {
            if !md.contains(want) {
                return Err(format!("the Markdown export lacks {want:?}:\n{md}"));
            }
        }
        Ok(())
    });
}

#[test]
fn embed_mode_and_the_asn1_tree() {
    scenario("embed_mode_and_the_asn1_tree", |client, base| async move {
        open(&client, &format!("{base}/?demo=good&embed")).await?;
        wait_for(&client, "coverage rows", ROWS_JS, vec![]).await?;
        let chrome = js(
            &client,
            "return [!!document.querySelector('header.site-header'), !!document.querySelector('footer.site-footer'), document.body.classList.contains('is-embed')];",
            vec![],
        )
        .await?;
        if chrome != json!([false, false, true]) {
            return Err(format!("embed: [header, footer, body.is-embed] = {chrome}"));
        }
        // Open the catalog's ASN.1 tree: it is built on demand.
        let opened = js(
            &client,
            "const d = document.querySelector('.card-extras[data-for$=\".cat\"] details.asn1-blob'); if (!d) return false; d.open = true; return true;",
            vec![],
        )
        .await?;
        if opened != json!(true) {
            return Err("no ASN.1 section under the catalog's card".into());
        }
        let names = wait_for(
            &client,
            "the ASN.1 tree",
            "const t = document.querySelector('[role=tree]'); if (!t) return null; const items = t.querySelectorAll('[role=treeitem]'); return items.length > 3 ? [items.length, t.textContent.includes('signedData'), t.textContent.includes('SEQUENCE')] : null;",
            vec![],
        )
        .await?;
        if names[1] != json!(true) || names[2] != json!(true) {
            return Err(format!("the ASN.1 tree lacks signedData / SEQUENCE: {names}"));
        }
        // `?demo` alone still loads the signed driver.
        open(&client, &format!("{base}/?demo")).await?;
        wait_for(
            &client,
            "the demo driver's card",
            "return !!document.querySelector('article.file-card[data-name=\"demo-driver.sys\"]');",
            vec![],
        )
        .await
        .map(|_| ())
    });
}

fn demo_file(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn successive_drops_form_one_package_set() {
    scenario("successive_drops_form_one_package_set", |client, base| async move {
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("good.zip", demo_file("good.zip"))]).await?;
        wait_for(&client, "the good package", ROWS_JS, vec![]).await?;
        drop_files(&client, &[("tampered.zip", demo_file("tampered.zip"))]).await?;
        let by_package = wait_for(
            &client,
            "two packages",
            "const p = [...document.querySelectorAll('article.package')]; \
                 if (p.length !== 2 || document.querySelector('section.packages[aria-busy=true]')) return null; \
                 return p.map(a => [a.dataset.package, a.dataset.verdict, \
                   [...a.querySelectorAll('tr.coverage-row')].map(r => r.dataset.file + '=' + r.dataset.status)]);",
            vec![],
        )
        .await?;
        let expected = json!([
            ["good.zip/good/drvsigtest.inf", "pass", ["good.zip/good/drvsigtest.inf=covered", "good.zip/good/drvsigtest.sys=covered"]],
            // The tampered catalog lists the original driver's digest, which the good package's
            // driver has: the core counts that file in (matched by digest anywhere in the drop).
            [
                "tampered.zip/tampered/drvsigtest.inf",
                "fail",
                [
                    "good.zip/good/drvsigtest.sys=covered",
                    "tampered.zip/tampered/drvsigtest.inf=covered",
                    "tampered.zip/tampered/drvsigtest.sys=mismatch"
                ]
            ]
        ]);
        if by_package != expected {
            return Err(format!("packages after two drops: {by_package}"));
        }
        Ok(())
    });
}

#[test]
fn removing_a_zip_member_updates_the_package() {
    scenario("removing_a_zip_member_updates_the_package", |client, base| async move {
        open(&client, &format!("{base}/?demo=good")).await?;
        wait_for(&client, "coverage rows", ROWS_JS, vec![]).await?;
        click(&client, "article.file-card[data-name=\"good.zip/good/drvsigtest.sys\"] button[aria-label^=\"Remove\"]").await?;
        let state = wait_for(
                &client,
                "the package without the driver",
                "const a = document.querySelector('article.package'); if (!a || document.querySelector('section.packages[aria-busy=true]')) return null; \
                 const rows = [...a.querySelectorAll('tr.coverage-row')].map(r => r.dataset.file); \
                 const missing = [...a.querySelectorAll('[data-missing-file]')].map(m => m.dataset.missingFile); \
                 return rows.some(f => f.endsWith('.sys')) ? null : [rows, missing, a.dataset.verdict];",
                vec![],
            )
            .await?;
        let expected = json!([["good.zip/good/drvsigtest.inf"], ["drvsigtest.sys"], "fail"]);
        if state != expected {
            return Err(format!("after removing the driver: [rows, missing files, verdict] = {state}"));
        }
        Ok(())
    });
}
