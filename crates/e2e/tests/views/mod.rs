//! The per-file report views (verdict card, verdict table, findings, chain picture, certificate
//! details) and inert strings, on the built page. A module of the `e2e` test binary: it reuses the
//! harness of `tests/e2e.rs` (`scenario`, `open`, `wait_for`, `js`).

use serde_json::{json, Value};

use super::{js, open, scenario, tiny_pe32_plus, wait_for, Cdp};

/// The finished card of kind `PE32+` (whatever else the demo loads), described as JSON.
const DEMO_CARD_JS: &str = r#"
const SIGNER_SVG = '.chain-view[data-chain="Signer certificate chain"] .chain-svg';
const cards = [...document.querySelectorAll('article.file-card')].filter(c => {
  const k = c.querySelector('[data-field="kind"]');
  const h = c.querySelector('[data-field="headline"]');
  return k && k.textContent.trim() === 'PE32+' && h && h.textContent.trim() !== '' && c.querySelector(SIGNER_SVG);
});
if (!cards.length) return null;
const c = cards[0];
const card = c.querySelector('.verdict-card');
const rows = [...c.querySelectorAll('table.verdict-table tbody tr')];
const svg = c.querySelector(SIGNER_SVG);
return {
  name: c.dataset.name,
  headline: c.querySelector('[data-field="headline"]').textContent.trim(),
  tone: card ? card.dataset.tone : null,
  iconLabel: card ? (card.querySelector('.verdict-icon') || {getAttribute: () => null}).getAttribute('aria-label') : null,
  rows: rows.length,
  rowHeaders: rows.filter(r => r.querySelector('th[scope="row"]')).length,
  colHeaders: c.querySelectorAll('table.verdict-table thead th[scope="col"]').length,
  verdicts: rows.map(r => r.dataset.verdict),
  nodes: [...svg.querySelectorAll('.chain-node')].map(n => n.dataset.subject),
  focusable: [...svg.querySelectorAll('.chain-node')].every(n => n.getAttribute('tabindex') === '0' && n.getAttribute('role') === 'button'),
  svgLabel: svg.getAttribute('aria-label'),
  links: [...svg.querySelectorAll('.chain-link')].map(l => l.dataset.link),
  listItems: svg.closest('.chain-view').querySelectorAll('.chain-list .chain-item-button').length,
  findings: [...c.querySelectorAll('.v-findings > .v-finding-list > .v-finding')].map(f => f.className),
  digests: [...c.querySelectorAll('.digest-compare')].map(d => d.className),
};
"#;

#[test]
fn demo_report_views() {
    scenario("demo_report_views", |client, base| async move {
        open(&client, &format!("{base}/?demo")).await?;
        let card = wait_for(&client, "a demo PE card with a headline and a chain picture", DEMO_CARD_JS, vec![]).await?;
        let headline = card["headline"].as_str().unwrap_or("");
        if !headline.contains("Test-signed") || !headline.contains("drvsig Test Driver Publisher") {
            return Err(format!("headline {headline:?} does not say Test-signed by the test publisher: {card}"));
        }
        if card["iconLabel"].as_str().unwrap_or("").is_empty() {
            return Err(format!("the verdict icon has no aria-label: {card}"));
        }
        if card["rows"] != json!(15) || card["rowHeaders"] != json!(15) || card["colHeaders"] != json!(4) {
            return Err(format!("verdict table: expected 15 rows (one per target) with row headers and 4 column headers: {card}"));
        }
        let nodes: Vec<&str> = card["nodes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        for want in ["drvsig Test Driver Publisher", "drvsig Test Code Signing CA"] {
            if !nodes.contains(&want) {
                return Err(format!("the chain picture lacks a node {want:?}: {nodes:?}"));
            }
        }
        // Root at the top, leaf at the bottom.
        if nodes.last() != Some(&"drvsig Test Driver Publisher") {
            return Err(format!("the leaf is not the last (bottom) node: {nodes:?}"));
        }
        if card["focusable"] != json!(true) || card["svgLabel"].as_str().unwrap_or("").is_empty() {
            return Err(format!("chain nodes must be focusable buttons and the picture labelled: {card}"));
        }
        if card["listItems"].as_u64() != Some(nodes.len() as u64) {
            return Err(format!("the text alternative lists {} certificates, the picture {}", card["listItems"], nodes.len()));
        }
        let findings: Vec<&str> = card["findings"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if findings.first().is_some_and(|f| !f.contains("v-finding-fail")) {
            return Err(format!("findings do not start with a failure: {findings:?}"));
        }
        if !card["digests"].as_array().into_iter().flatten().any(|d| d.as_str().unwrap_or("").contains("digest-match")) {
            return Err(format!("no signed = computed digest marker: {card}"));
        }

        // Keyboard: Enter on the leaf node opens its details, with downloads.
        let opened = js(
            &client,
            r#"const n = [...document.querySelectorAll('.chain-view[data-chain="Signer certificate chain"] .chain-svg .chain-node')].find(n => n.dataset.subject === 'drvsig Test Driver Publisher');
               if (!n) return 'no node';
               // The signatures sit in a folded section (issue 14): open it first.
               n.closest('details').open = true;
               n.focus();
               n.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
               return document.activeElement === n ? 'focused' : 'not focused';"#,
            vec![],
        )
        .await?;
        if opened != json!("focused") {
            return Err(format!("focusing the leaf node: {opened}"));
        }
        let details = wait_for(
            &client,
            "the certificate details panel",
            r#"const v = document.querySelector('.cert-view');
               if (!v) return null;
               return { title: v.querySelector('.cert-view-title').textContent,
                        sha1: (v.querySelector('[data-field="cert-sha1"]') || {}).textContent,
                        buttons: [...v.querySelectorAll('.cert-downloads button')].map(b => b.textContent),
                        timeline: !!v.querySelector('svg.cert-timeline[role="img"]') };"#,
            vec![],
        )
        .await?;
        if !details["title"].as_str().unwrap_or("").contains("drvsig Test Driver Publisher")
            || details["sha1"].as_str().map(str::len) != Some(40)
            || details["buttons"] != json!(["Download .cer", "Download .pem"])
            || details["timeline"] != json!(true)
        {
            return Err(format!("certificate details: {details}"));
        }
        Ok(())
    });
}

/// `?target=ID` (repeatable) keeps only those targets' rows, with their architecture, and says so.
#[test]
fn url_targets_limit_the_verdict_table() {
    scenario("url_targets_limit_the_verdict_table", |client, base| async move {
        open(&client, &format!("{base}/?demo&target=win11-24h2-enforced&target=testsigning&target=win12")).await?;
        let table = wait_for(
            &client,
            "the demo PE card's verdict table limited by ?target=",
            r#"const c = [...document.querySelectorAll('article.file-card')].find(c => c.querySelector('table.verdict-table'));
               if (!c) return null;
               const rows = [...c.querySelectorAll('table.verdict-table tbody tr')];
               const note = c.querySelector('.v-target-filter');
               return { rows: rows.map(r => [r.dataset.target, r.dataset.arch, r.dataset.verdict]),
                        note: note ? note.textContent : null };"#,
            vec![],
        )
        .await?;
        let want = json!([["win11-24h2-enforced", "x64", "blocked"], ["testsigning", "x64", "conditional"]]);
        if table["rows"] != want {
            return Err(format!("rows {} (want {want})", table["rows"]));
        }
        let note = table["note"].as_str().unwrap_or("");
        if !note.starts_with("Showing 2 of 15 Windows targets") || !note.contains("Unknown target id ignored: win12") {
            return Err(format!("the table does not say that the address limits it: {note:?}"));
        }
        Ok(())
    });
}

#[test]
fn hostile_names_are_inert() {
    scenario("hostile_names_are_inert", |client, base| async move {
        let mut pe = tiny_pe32_plus();
        pe[0x1f0..0x200].copy_from_slice(b"hostile name tst");
        open(&client, &format!("{base}/")).await?;
        let name = "evil\u{202E}sys.exe<script>window.pwned=1</script>&amp;\u{200B}\u{0}.sys";
        let drop = r#"
const [name, bytes] = arguments;
const before = document.querySelectorAll('script').length;
window.__scripts = before;
const file = new File([new Uint8Array(bytes)], name, { type: 'application/octet-stream' });
const dt = new DataTransfer();
dt.items.add(file);
const zone = document.getElementById('drop-zone');
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
}
return 'dropped';
"#;
        js(&client, drop, vec![json!(name), json!(pe)]).await?;
        let shown = wait_for(
            &client,
            "the card of the hostile name",
            r#"const h = document.querySelector('article.file-card [data-field="name"]');
               if (!h) return null;
               return { text: h.textContent, escapes: [...h.querySelectorAll('.esc')].map(e => e.textContent),
                        warning: !!h.querySelector('.hidden-warning[aria-label]'),
                        scripts: document.querySelectorAll('script').length, before: window.__scripts,
                        pwned: window.pwned === 1 };"#,
            vec![],
        )
        .await?;
        let text = shown["text"].as_str().unwrap_or("");
        if !text.contains("<script>window.pwned=1</script>&amp;") {
            return Err(format!("the markup in the name is not shown literally: {shown}"));
        }
        if text.contains('\u{202E}') || text.contains('\u{200B}') || text.contains('\u{0}') {
            return Err(format!("hidden characters reached the page unescaped: {shown}"));
        }
        if shown["escapes"] != json!(["<U+202E>", "<U+200B>", "<U+0000>"]) || shown["warning"] != json!(true) {
            return Err(format!("hidden characters are not marked: {shown}"));
        }
        if shown["pwned"] != json!(false) || shown["scripts"] != shown["before"] {
            return Err(format!("a script element was created: {shown}"));
        }
        Ok(())
    });
}

/// Screenshots of the demo's views for the README and reviews: desktop (1280) and phone (390),
/// light and dark, with the leaf certificate's details open. Only when `DRVSIG_SCREENSHOTS` names
/// a directory; otherwise it does nothing.
#[test]
fn screenshots() {
    let Some(dir) = std::env::var_os("DRVSIG_SCREENSHOTS").map(std::path::PathBuf::from) else { return };
    scenario("screenshots", |client, base| async move {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for (width, scheme) in [(1280u32, "light"), (1280, "dark"), (390, "light"), (390, "dark")] {
            client
                .issue_cmd(Cdp("Emulation.setEmulatedMedia", json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] })))
                .await
                .map_err(|e| format!("emulating {scheme}: {e}"))?;
            let height = 900u32;
            client
                .issue_cmd(Cdp(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
                ))
                .await
                .map_err(|e| format!("sizing: {e}"))?;
            open(&client, &format!("{base}/?demo")).await?;
            wait_for(&client, "the demo card", DEMO_CARD_JS, vec![]).await?;
            js(
                &client,
                r#"const n = [...document.querySelectorAll('.chain-view[data-chain="Signer certificate chain"] .chain-node')]
                     .find(n => n.dataset.subject === 'drvsig Test Driver Publisher');
                   n.dispatchEvent(new MouseEvent('click', { bubbles: true }));"#,
                vec![],
            )
            .await?;
            wait_for(&client, "the certificate details", "return !!document.querySelector('.cert-view');", vec![]).await?;
            let full = js(&client, "return document.documentElement.scrollHeight;", vec![]).await?;
            let full = full.as_u64().unwrap_or(u64::from(height)).min(16_000);
            client
                .issue_cmd(Cdp(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": width, "height": full, "deviceScaleFactor": 1, "mobile": width < 600 }),
                ))
                .await
                .map_err(|e| format!("sizing: {e}"))?;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let png = client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
            let path = dir.join(format!("demo-{width}-{scheme}.png"));
            std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    });
}

/// Print opens every fold and waits for the folded bodies (drawn once a card is painted, or when
/// opened: components/fold.rs) before the dialog: pressed as soon as the demo's cards are done,
/// the printout has every fold open with its verdict table and signatures.
#[test]
fn print_opens_every_fold_with_its_body() {
    scenario("print_opens_every_fold_with_its_body", |client, base| async move {
        open(&client, &format!("{base}/?demo")).await?;
        // Stub the dialog: record what it would print. Press Print at once, as the cards are done.
        wait_for(
            &client,
            "the demo's cards done and Print pressed",
            r#"const cards = [...document.querySelectorAll('article.file-card')];
               const button = document.getElementById('print-button');
               if (!cards.length || !cards.every(c => c.dataset.status === 'done') || !button) return null;
               window.print = () => {
                 window.__printed = {
                   closed: document.querySelectorAll('details:not([open])').length,
                   verdicts: [...document.querySelectorAll('details.fold-verdicts')].map(d => !!d.querySelector('table.verdict-table')),
                   signatures: [...document.querySelectorAll('details.fold-signatures')].map(d => !!d.querySelector('.v-signatures')),
                 };
               };
               button.click();
               return true;"#,
            vec![],
        )
        .await?;
        let printed = wait_for(&client, "the print dialog", "return window.__printed || null;", vec![]).await?;
        let all = |k: &str| printed[k].as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|v| v == &json!(true)));
        if printed["closed"] != json!(0) || !all("verdicts") || !all("signatures") {
            return Err(format!("what the printout would have: {printed}"));
        }
        Ok(())
    });
}
