//! Triage first (issue 14): the summary table over a real drop (corpus packages), the target
//! picker (address + remembered), folded cards with counted summaries, "Expand all", and "Copy
//! summary". A module of the `e2e` test binary (same harness). Skips with a notice when the
//! shared corpus is absent.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::{drop_files, js, open, scenario, wait_for};

/// The shared corpus (`DRVSIG_CORPUS`, else `../shared/corpus` beside the repository).
fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("DRVSIG_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    if dir.join("manifest.json").is_file() {
        Some(dir)
    } else {
        eprintln!("notice: corpus not found at {} (set DRVSIG_CORPUS); skipping", dir.display());
        None
    }
}

/// Seven files from three packages (cp210x, ViGEmBus, a loose WinDivert driver), by base name.
fn seven_files() -> Option<Vec<(&'static str, Vec<u8>)>> {
    let dir = corpus()?;
    let files = [
        ("slabvcp.inf", "drivers/cp210x-6.7/slabvcp.inf"),
        ("slabvcp.cat", "drivers/cp210x-6.7/slabvcp.cat"),
        ("silabser.sys", "drivers/cp210x-6.7/x64/silabser.sys"),
        ("ViGEmBus.inf", "drivers/vigembus/ViGEmBus.inf"),
        ("ViGEmBus.cat", "drivers/vigembus/ViGEmBus.cat"),
        ("ViGEmBus.sys", "drivers/vigembus/ViGEmBus.sys"),
        ("WinDivert64.sys", "drivers/windivert-1.3/WinDivert64.sys"),
    ];
    Some(files.iter().map(|(name, rel)| (*name, std::fs::read(dir.join(rel)).expect("a corpus file"))).collect())
}

/// The summary once every file has a row and the packages are in: groups with their rows.
const SUMMARY_JS: &str = r#"
const t = document.querySelector('table.triage-table');
if (!t) return null;
const groups = [...t.querySelectorAll('tbody.triage-group')].map(g => ({
  title: g.querySelector('.triage-package-title').textContent,
  line: (g.querySelector('[data-field="package-line"]') || {textContent: ''}).textContent,
  rows: [...g.querySelectorAll('tr.triage-row')].map(r => ({
    file: r.dataset.file, verdict: r.dataset.verdict, tone: r.dataset.tone,
    href: (r.querySelector('a.triage-link') || {getAttribute: () => null}).getAttribute('href'),
    cells: [...r.querySelectorAll('td')].map(td => td.textContent.trim()) })) }));
const rows = groups.reduce((n, g) => n + g.rows.length, 0);
if (rows < arguments[0] || !groups.some(g => g.title.startsWith('Package'))) return null;
if (document.querySelector('.results[aria-busy="true"]')) return null;
return { target: t.dataset.target, groups, rows };
"#;

async fn dropped_seven(client: &fantoccini::Client, base: &str, query: &str) -> Result<Option<Value>, String> {
    let Some(files) = seven_files() else {
        return Ok(None);
    };
    client.set_window_size(1280, 1000).await.map_err(|e| format!("window size: {e}"))?;
    open(client, &format!("{base}/{query}")).await?;
    drop_files(client, &files).await?;
    wait_for(client, "the summary table with 7 rows and the packages", SUMMARY_JS, vec![json!(7)]).await.map(Some)
}

#[test]
fn summary_table_for_seven_files_of_three_packages() {
    scenario("summary_table_for_seven_files_of_three_packages", |client, base| async move {
        let Some(summary) = dropped_seven(&client, &base, "").await? else {
            return Ok(());
        };
        if summary["target"] != json!("win11-24h2-enforced") {
            return Err(format!("the default target is not the newest mainstream one: {summary}"));
        }
        let groups = summary["groups"].as_array().cloned().unwrap_or_default();
        let titles: Vec<&str> = groups.iter().filter_map(|g| g["title"].as_str()).collect();
        if !titles.contains(&"Package slabvcp.inf") || !titles.contains(&"Package ViGEmBus.inf") {
            return Err(format!("packages are not grouped: {titles:?}"));
        }
        let vigem = groups.iter().find(|g| g["title"] == "Package ViGEmBus.inf").cloned().unwrap_or_default();
        if !vigem["line"].as_str().unwrap_or("").contains("all covered by ViGEmBus.cat") {
            return Err(format!("the package line: {vigem}"));
        }
        let sys = vigem["rows"].as_array().into_iter().flatten().find(|r| r["file"] == "ViGEmBus.sys").cloned().unwrap_or_default();
        let cells: Vec<&str> = sys["cells"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        // Role, signer, kind, intact, catalog, verdict, targets loading.
        if cells.first() != Some(&"driver")
            || cells.get(2) != Some(&"Attestation")
            || cells.get(3) != Some(&"intact")
            || cells.get(4) != Some(&"covered")
        {
            return Err(format!("the ViGEmBus.sys row: {sys}"));
        }
        // Known bad: judged against the built-in block lists (issue 13), nothing matched.
        if cells.get(7) != Some(&"no match") {
            return Err(format!("the known-bad cell: {sys}"));
        }
        if !cells.get(6).is_some_and(|c| c.ends_with("of 15")) {
            return Err(format!("the targets-loading cell: {sys}"));
        }
        // Each row links to its card.
        let href = sys["href"].as_str().unwrap_or("").to_string();
        let card =
            js(&client, "const el = document.querySelector(arguments[0]); return el ? el.dataset.name : null;", vec![json!(href)]).await?;
        if card != json!("ViGEmBus.sys") {
            return Err(format!("the row's link {href} does not reach its card: {card}"));
        }
        // The summary is above the first card (the first screen).
        let order = js(
            &client,
            "window.scrollTo(0, 0); const t = document.querySelector('table.triage-table').getBoundingClientRect().top; const c = document.querySelector('article.file-card').getBoundingClientRect().top; return { table: t, card: c, screen: window.innerHeight };",
            vec![],
        )
        .await?;
        let (table, card, screen) =
            (order["table"].as_f64().unwrap_or(f64::MAX), order["card"].as_f64().unwrap_or(0.0), order["screen"].as_f64().unwrap_or(0.0));
        if table >= card || table >= screen {
            return Err(format!("the summary is not first on the screen: {order}"));
        }
        // Filter and sort.
        let filtered = js(
            &client,
            r#"const i = document.getElementById('triage-search');
               const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
               set.call(i, 'vigembus'); i.dispatchEvent(new InputEvent('input', { bubbles: true }));
               return null;"#,
            vec![],
        )
        .await?;
        let _ = filtered;
        let rows = wait_for(
            &client,
            "the filtered summary",
            "const r = [...document.querySelectorAll('tr.triage-row')].map(r => r.dataset.file); return r.length === 3 ? r : null;",
            vec![],
        )
        .await?;
        if !rows.as_array().into_iter().flatten().all(|f| f.as_str().unwrap_or("").starts_with("ViGEmBus")) {
            return Err(format!("filter: {rows}"));
        }
        js(
            &client,
            r#"const i = document.getElementById('triage-search');
               const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
               set.call(i, ''); i.dispatchEvent(new InputEvent('input', { bubbles: true }));
               document.querySelector('th[data-column="file"] button').click(); return null;"#,
            vec![],
        )
        .await?;
        let sorted = wait_for(
            &client,
            "the summary sorted by file",
            r#"const th = document.querySelector('th[data-column="file"]');
               if (th.getAttribute('aria-sort') !== 'ascending') return null;
               const g = [...document.querySelectorAll('tbody.triage-group')].find(g => g.textContent.includes('ViGEmBus.inf'));
               return [...g.querySelectorAll('tr.triage-row')].map(r => r.dataset.file);"#,
            vec![],
        )
        .await?;
        if sorted != json!(["ViGEmBus.cat", "ViGEmBus.inf", "ViGEmBus.sys"]) {
            return Err(format!("sorted: {sorted}"));
        }
        Ok(())
    });
}

#[test]
fn cards_are_folded_with_counts_and_expand_all_opens_them() {
    scenario("cards_are_folded_with_counts_and_expand_all_opens_them", |client, base| async move {
        let Some(_) = dropped_seven(&client, &base, "").await? else {
            return Ok(());
        };
        // The folded bodies are drawn once the cards are painted (components/fold.rs), closed: in the
        // page for find-in-page and "Expand all" without a click.
        wait_for(
            &client,
            "every card's folded verdict table and signatures drawn, still closed",
            r#"const v = [...document.querySelectorAll('details.fold-verdicts')], s = [...document.querySelectorAll('details.fold-signatures')];
               return v.length && s.length && v.every(d => !d.open && d.querySelector('table.verdict-table'))
                 && s.every(d => !d.open && d.querySelector('.v-signatures')) ? true : null;"#,
            vec![],
        )
        .await?;
        let folded = js(
            &client,
            r#"const d = [...document.querySelectorAll('details')];
               const c = [...document.querySelectorAll('article.file-card')].find(c => c.dataset.name === 'ViGEmBus.sys');
               return { open: d.filter(x => x.open).length, total: d.length, height: document.documentElement.scrollHeight,
                        screen: window.innerHeight,
                        parts: [...document.querySelectorAll('.summary-panel, .packages, article.file-card, .card-extras, article.file-card > *')].map(e => `${e.className || e.tagName}:${Math.round(e.getBoundingClientRect().height)}`),
                        chosen: c.querySelector('.chosen-verdict') ? c.querySelector('.chosen-verdict').dataset.target : null,
                        summaries: [...c.querySelectorAll('details.fold > summary')].map(s => s.textContent),
                        hwids: (document.querySelector('details.hwids > summary') || {textContent: null}).textContent };"#,
            vec![],
        )
        .await?;
        if folded["open"] != json!(0) || folded["total"].as_u64().unwrap_or(0) < 10 {
            return Err(format!("details are not folded: {folded}"));
        }
        if folded["chosen"] != json!("win11-24h2-enforced") {
            return Err(format!("the card does not lead with the chosen target's verdict: {folded}"));
        }
        let summaries: Vec<&str> = folded["summaries"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if !summaries.iter().any(|s| s.starts_with("Every Windows target: ") && s.contains(" of 15 load it"))
            || !summaries.iter().any(|s| s.starts_with("Signatures (2): ") && s.contains("certificates"))
        {
            return Err(format!("the folded summaries carry no counts: {summaries:?}"));
        }
        if !folded["hwids"].as_str().unwrap_or("").contains("hardware ID") {
            return Err(format!("the hardware IDs summary: {folded}"));
        }
        let (height, screen) = (folded["height"].as_f64().unwrap_or(0.0), folded["screen"].as_f64().unwrap_or(1.0));
        eprintln!("seven files folded: {height} px ({:.1} screens of {screen} px): {}", height / screen, folded["parts"]);
        js(&client, "document.getElementById('expand-all').click(); return null;", vec![]).await?;
        let expanded = js(
            &client,
            "return { closed: document.querySelectorAll('details:not([open])').length, height: document.documentElement.scrollHeight };",
            vec![],
        )
        .await?;
        if expanded["closed"] != json!(0) || expanded["height"].as_f64().unwrap_or(0.0) <= height {
            return Err(format!("Expand all: {expanded}"));
        }
        eprintln!("seven files expanded: {} px", expanded["height"]);
        js(&client, "document.getElementById('collapse-all').click(); return null;", vec![]).await?;
        let closed = js(&client, "return document.querySelectorAll('details[open]').length;", vec![]).await?;
        if closed != json!(0) {
            return Err(format!("Collapse all left {closed} open"));
        }
        Ok(())
    });
}

#[test]
fn target_picker_drives_the_summary_and_is_in_the_address() {
    scenario("target_picker_drives_the_summary_and_is_in_the_address", |client, base| async move {
        let Some(_) = dropped_seven(&client, &base, "").await? else {
            return Ok(());
        };
        js(
            &client,
            r#"const s = document.getElementById('target-picker');
               s.value = 'win7-sp1-x64'; s.dispatchEvent(new Event('change', { bubbles: true })); return null;"#,
            vec![],
        )
        .await?;
        let after = wait_for(
            &client,
            "the summary for win7-sp1-x64",
            r#"const t = document.querySelector('table.triage-table');
               if (t.dataset.target !== 'win7-sp1-x64') return null;
               const c = [...document.querySelectorAll('article.file-card')].find(c => c.dataset.name === 'WinDivert64.sys');
               return { url: location.search, stored: localStorage.getItem('drvsig.target'),
                        header: document.querySelector('th[data-column="verdict"]').textContent,
                        card: c.querySelector('.chosen-verdict').dataset.target };"#,
            vec![],
        )
        .await?;
        if after["url"] != json!("?target=win7-sp1-x64")
            || after["stored"] != json!("win7-sp1-x64")
            || after["card"] != json!("win7-sp1-x64")
        {
            return Err(format!("the choice is not in the address, remembered and on the cards: {after}"));
        }
        if !after["header"].as_str().unwrap_or("").contains("win7-sp1-x64") {
            return Err(format!("the verdict column does not name the target: {after}"));
        }
        // Remembered without the address; the address wins over the remembered choice.
        open(&client, &format!("{base}/")).await?;
        let remembered =
            js(&client, "return document.getElementById('target-picker') ? null : localStorage.getItem('drvsig.target');", vec![]).await?;
        if remembered != json!("win7-sp1-x64") {
            return Err(format!("not remembered: {remembered}"));
        }
        let Some(summary) = dropped_seven(&client, &base, "").await? else {
            return Ok(());
        };
        if summary["target"] != json!("win7-sp1-x64") {
            return Err(format!("the remembered target is not used: {}", summary["target"]));
        }
        let Some(summary) = dropped_seven(&client, &base, "?target=server-2025").await? else {
            return Ok(());
        };
        if summary["target"] != json!("server-2025") {
            return Err(format!("?target= does not win: {}", summary["target"]));
        }
        js(&client, "localStorage.removeItem('drvsig.target'); return null;", vec![]).await?;
        Ok(())
    });
}

#[test]
fn copy_summary_gives_short_markdown() {
    scenario("copy_summary_gives_short_markdown", |client, base| async move {
        let Some(_) = dropped_seven(&client, &base, "?target=win10-1607-secureboot").await? else {
            return Ok(());
        };
        js(
            &client,
            r#"window.__copied = null;
               navigator.clipboard.writeText = (t) => { window.__copied = t; return Promise.resolve(); };
               document.getElementById('copy-summary').click(); return null;"#,
            vec![],
        )
        .await?;
        let text = wait_for(&client, "the copied summary", "return window.__copied;", vec![]).await?;
        let text = text.as_str().unwrap_or("");
        let lines = text.lines().count();
        for want in [
            "**drvsig summary** for ",
            "`win10-1607-secureboot`",
            "**Package ViGEmBus.inf**",
            "`ViGEmBus.sys` (driver): Attestation",
            "`WinDivert64.sys`",
        ] {
            if !text.contains(want) {
                return Err(format!("the summary lacks {want:?}:\n{text}"));
            }
        }
        if lines > 30 {
            return Err(format!("the summary is {lines} lines:\n{text}"));
        }
        let message = wait_for(
            &client,
            "the copy message",
            "const m = document.querySelector('.export-message').textContent; return m.startsWith('Summary copied') ? m : null;",
            vec![],
        )
        .await?;
        eprintln!("{message}: {lines} lines");
        Ok(())
    });
}

/// The report the CLI's `--json` writes for the seven files (the native core, stamped).
fn cli_report() -> Option<drvsig::InspectionReport> {
    let files = seven_files()?;
    let borrowed: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.to_string(), b.as_slice())).collect();
    let at = drvsig::UnixTime::parse_rfc3339("2026-12-01T00:00:00Z").ok()?;
    Some(drvsig::inspect_package(&borrowed, &drvsig::Options::at(at)).stamped("2026-12-02T09:30:00Z"))
}

const SAVED_JS: &str = r#"
const s = document.querySelector('section.saved-report');
if (!s) return null;
return { state: s.dataset.state, origin: s.dataset.origin,
         marker: (s.querySelector('[data-field="saved-marker"]') || {textContent: ''}).textContent,
         error: (s.querySelector('[data-field="saved-error"]') || {textContent: null}).textContent,
         rows: [...s.querySelectorAll('tr.triage-row')].map(r => r.dataset.file),
         cards: s.querySelectorAll('article.file-card').length,
         packages: s.querySelectorAll('article.package').length,
         liveCards: document.querySelectorAll('.cards > .file-block:not(.is-saved) article.file-card').length };
"#;

#[test]
fn a_dropped_cli_report_is_shown_as_a_saved_report() {
    scenario("a_dropped_cli_report_is_shown_as_a_saved_report", |client, base| async move {
        let Some(report) = cli_report() else {
            return Ok(());
        };
        let json = serde_json::to_vec_pretty(&report).map_err(|e| e.to_string())?;
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("drvsig-report.json", json)]).await?;
        let saved = wait_for(&client, "the saved report", SAVED_JS, vec![]).await?;
        let marker = saved["marker"].as_str().unwrap_or("");
        if marker != "Saved report of slabvcp.inf and 6 more files, made 2026-12-02 09:30:00 UTC by drvsig 0.1.0" {
            return Err(format!("marker: {saved}"));
        }
        if saved["rows"].as_array().map(Vec::len) != Some(7) || saved["cards"] != json!(7) || saved["packages"].as_u64().unwrap_or(0) < 2 {
            return Err(format!("the saved report is not shown in the page's views: {saved}"));
        }
        if saved["liveCards"] != json!(0) || saved["origin"] != json!("drvsig-report.json") {
            return Err(format!("the JSON file got a card of its own: {saved}"));
        }
        // A newer schema: a clear message, not a blank card.
        let mut newer = serde_json::to_value(&report).map_err(|e| e.to_string())?;
        newer["made_by"]["schema_version"] = json!(drvsig::report::SCHEMA_VERSION + 1);
        newer["made_by"]["version"] = json!("9.9.9");
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("newer.json", newer.to_string().into_bytes())]).await?;
        let refused = wait_for(&client, "the newer report's message", SAVED_JS, vec![]).await?;
        let error = refused["error"].as_str().unwrap_or("");
        if refused["state"] != json!("error") || !error.starts_with("This report was made by drvsig 9.9.9 with report schema 2;") {
            return Err(format!("newer schema: {refused}"));
        }
        // Other JSON is just a file.
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("package.json", b"{\"name\": \"x\"}".to_vec())]).await?;
        wait_for(&client, "package.json as a plain file", "return !!document.querySelector('article.file-card[data-name=\"package.json\"][data-status=\"done\"]') && !document.querySelector('section.saved-report');", vec![]).await?;
        Ok(())
    });
}

#[test]
fn copy_link_carries_the_report_in_the_fragment() {
    scenario("copy_link_carries_the_report_in_the_fragment", |client, base| async move {
        let Some(dir) = corpus() else { return Ok(()) };
        // One package (the cp210x INF, catalog and driver): a link of a typical size.
        let files: Vec<(&str, Vec<u8>)> = [
            ("slabvcp.inf", "drivers/cp210x-6.7/slabvcp.inf"),
            ("slabvcp.cat", "drivers/cp210x-6.7/slabvcp.cat"),
            ("silabser.sys", "drivers/cp210x-6.7/x64/silabser.sys"),
        ]
        .iter()
        .map(|(n, rel)| (*n, std::fs::read(dir.join(rel)).expect("corpus file")))
        .collect();
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &files).await?;
        wait_for(&client, "the summary", SUMMARY_JS, vec![json!(3)]).await?;
        js(
            &client,
            r#"window.__copied = null;
               navigator.clipboard.writeText = (t) => { window.__copied = t; return Promise.resolve(); };
               document.getElementById('copy-link').click(); return null;"#,
            vec![],
        )
        .await?;
        let outcome = wait_for(
            &client,
            "a link or the too-long message",
            "const m = document.querySelector('.export-message').textContent; return (window.__copied || m.startsWith('This report is too big')) ? { link: window.__copied, message: m } : null;",
            vec![],
        )
        .await?;
        let message = outcome["message"].as_str().unwrap_or("");
        eprintln!("copy link: {message}");
        let Some(link) = outcome["link"].as_str() else {
            return Err(format!("no link for one package: {message}"));
        };
        if !link.starts_with(&format!("{base}/#report=")) {
            return Err(format!("the link: {}", &link[..link.len().min(200)]));
        }
        // Opening it shows the report as a saved report (nothing requested: the fragment stays here).
        // A fresh load (a link pasted into a new tab), not a same-document fragment change.
        client.goto("about:blank").await.map_err(|e| e.to_string())?;
        open(&client, link).await?;
        let saved = wait_for(&client, "the linked report", SAVED_JS, vec![]).await?;
        if saved["origin"] != json!("a shared link")
            || saved["cards"] != json!(3)
            || !saved["marker"].as_str().unwrap_or("").starts_with("Saved report of slabvcp.inf and 2 more files, made ")
        {
            return Err(format!("the linked report: {saved}"));
        }
        // The same link pasted into a tab that already shows the page (a fragment change only).
        open(&client, &format!("{base}/")).await?;
        js(&client, "location.hash = arguments[0].slice(arguments[0].indexOf('#')); return null;", vec![json!(link)]).await?;
        let pasted = wait_for(&client, "the linked report after a fragment change", SAVED_JS, vec![]).await?;
        if pasted["cards"] != json!(3) {
            return Err(format!("the pasted link: {pasted}"));
        }
        // Seven files of three packages: too long for a link, and the page says so.
        let Some(seven) = seven_files() else {
            return Ok(());
        };
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &seven).await?;
        wait_for(&client, "the summary", SUMMARY_JS, vec![json!(7)]).await?;
        js(&client, "navigator.clipboard.writeText = (t) => { window.__copied = t; return Promise.resolve(); }; document.getElementById('copy-link').click(); return null;", vec![]).await?;
        let m = wait_for(
            &client,
            "the copy-link message",
            "const m = document.querySelector('.export-message').textContent; return m ? m : null;",
            vec![],
        )
        .await?;
        eprintln!("seven files: {m}");
        if !m.as_str().unwrap_or("").starts_with("This report is too big for a link (") {
            return Err(format!("seven files: {m}"));
        }
        Ok(())
    });
}

/// axe-core's violations on the page as it is now: `[{id, impact, nodes, targets, summary}]`.
async fn axe_violations(client: &fantoccini::Client, axe: &str) -> Result<Value, String> {
    // The engine is evaluated as the body of a WebDriver script (the page's CSP allows no eval).
    js(client, &format!("{axe}\nreturn typeof window.axe === 'object';"), vec![]).await?;
    client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ['violations'] })
                 .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                     targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                     summary: v.nodes[0] ? v.nodes[0].failureSummary : '' }))))
                 .catch(e => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .map_err(|e| format!("axe.run: {e}"))
}

#[test]
fn axe_finds_no_serious_or_critical_violations_with_a_real_drop() {
    scenario("axe_finds_no_serious_or_critical_violations_with_a_real_drop", |client, base| async move {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/axe-core/axe.min.js");
        let Ok(axe) = std::fs::read_to_string(&path) else {
            eprintln!("notice: {} absent (npm install --no-save axe-core); skipping the accessibility check", path.display());
            return Ok(());
        };
        let Some(_) = dropped_seven(&client, &base, "").await? else {
            return Ok(());
        };
        let mut bad = Vec::new();
        for (state, setup) in [("folded", "return null;"), ("expanded", "document.getElementById('expand-all').click(); return null;")] {
            js(&client, setup, vec![]).await?;
            let violations = axe_violations(&client, &axe).await?;
            if violations.get("error").is_some() {
                return Err(format!("axe-core failed: {violations}"));
            }
            for v in violations.as_array().into_iter().flatten() {
                eprintln!("axe ({state}): {} {} on {} nodes, e.g. {} ({})", v["impact"], v["id"], v["nodes"], v["targets"], v["summary"]);
                if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                    bad.push(format!("{state}: {} {} ({} nodes, e.g. {})", v["impact"], v["id"], v["nodes"], v["targets"]));
                }
            }
        }
        // The same, expanded, in dark mode (prefers-color-scheme).
        client
            .issue_cmd(super::Cdp(
                "Emulation.setEmulatedMedia",
                json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
            ))
            .await
            .map_err(|e| format!("emulating dark mode: {e}"))?;
        let violations = axe_violations(&client, &axe).await?;
        for v in violations.as_array().into_iter().flatten() {
            eprintln!("axe (dark): {} {} on {} nodes, e.g. {}", v["impact"], v["id"], v["nodes"], v["targets"]);
            if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                bad.push(format!("dark: {} {} ({} nodes, e.g. {}; {})", v["impact"], v["id"], v["nodes"], v["targets"], v["summary"]));
            }
        }
        if !bad.is_empty() {
            return Err(format!("axe-core: serious or critical violations:\n{}", bad.join("\n")));
        }
        Ok(())
    });
}

/// The README's summary picture (`DRVSIG_SCREENSHOTS=DIR`): the first screen after dropping the
/// seven corpus files, light and dark. Does nothing without the variable.
#[test]
fn summary_screenshots() {
    let Some(dir) = std::env::var_os("DRVSIG_SCREENSHOTS").map(PathBuf::from) else {
        return;
    };
    scenario("summary_screenshots", |client, base| async move {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for scheme in ["light", "dark"] {
            client
                .issue_cmd(super::Cdp(
                    "Emulation.setEmulatedMedia",
                    json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
                ))
                .await
                .map_err(|e| format!("emulating {scheme}: {e}"))?;
            let Some(_) = dropped_seven(&client, &base, "").await? else {
                return Ok(());
            };
            js(&client, "document.querySelector('.drop-zone').scrollIntoView(); window.scrollTo(0, document.querySelector('.results').getBoundingClientRect().top + window.scrollY - 8); return null;", vec![]).await?;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let png = client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
            let path = dir.join(format!("summary-{scheme}.png"));
            std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    });
}

/// A dropped certificate file (our fixture PKI's root, named `.crt`, and a PEM bundle) is
/// recognised by content and shown as certificates: subject, issuer, thumbprints, downloads.
#[test]
fn dropped_certificates_are_shown_as_certificates() {
    scenario("dropped_certificates_are_shown_as_certificates", |client, base| async move {
        let pki = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pki");
        let root = std::fs::read(pki.join("root-ca.der")).map_err(|e| e.to_string())?;
        let mut bundle = std::fs::read(pki.join("code-signing-ca.pem")).map_err(|e| e.to_string())?;
        bundle.extend(std::fs::read(pki.join("root-ca.pem")).map_err(|e| e.to_string())?);
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("lab-root.crt", root), ("chain.pem", bundle)]).await?;
        let cards = wait_for(
            &client,
            "two certificate cards",
            r#"const cards = [...document.querySelectorAll('article.file-card[data-status="done"]')];
               if (cards.length < 2) return null;
               return cards.map(c => ({ name: c.dataset.name, kind: c.querySelector('[data-field="kind"]').textContent,
                 headline: c.querySelector('[data-field="headline"]').textContent,
                 certs: [...c.querySelectorAll('details.fold-certificate')].map(d => d.dataset.sha256),
                 sha1: [...c.querySelectorAll('[data-field="cert-sha1"]')].map(e => e.textContent.length),
                 downloads: [...c.querySelectorAll('.cert-downloads button')].map(b => b.textContent) }));"#,
            vec![],
        )
        .await?;
        let cards = cards.as_array().cloned().unwrap_or_default();
        let root = cards.iter().find(|c| c["name"] == "lab-root.crt").cloned().unwrap_or_default();
        let chain = cards.iter().find(|c| c["name"] == "chain.pem").cloned().unwrap_or_default();
        if root["kind"] != json!("certificate")
            || !root["headline"].as_str().unwrap_or("").starts_with("Certificate: ")
            || !root["headline"].as_str().unwrap_or("").contains("self-signed")
        {
            return Err(format!("the root: {root}"));
        }
        if root["certs"].as_array().map(Vec::len) != Some(1)
            || root["sha1"] != json!([40])
            || root["downloads"] != json!(["Download .cer", "Download .pem"])
        {
            return Err(format!("the root's details: {root}"));
        }
        if chain["certs"].as_array().map(Vec::len) != Some(2) || !chain["headline"].as_str().unwrap_or("").starts_with("2 certificates: ") {
            return Err(format!("the bundle: {chain}"));
        }
        Ok(())
    });
}

/// "Trust this root for this page": a test-signed fixture driver and its lab root dropped together;
/// trusting the root judges the drop again (the chain ends at "Your trusted root", a banner names
/// the root), and stopping undoes it.
#[test]
fn trusting_a_dropped_root_judges_the_drop_again() {
    scenario("trusting_a_dropped_root_judges_the_drop_again", |client, base| async move {
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let driver = std::fs::read(fixtures.join("pe/driver-sha256.sys")).map_err(|e| e.to_string())?;
        let root = std::fs::read(fixtures.join("pki/root-ca.der")).map_err(|e| e.to_string())?;
        open(&client, &format!("{base}/")).await?;
        drop_files(&client, &[("driver-sha256.sys", driver), ("lab-root.cer", root)]).await?;
        const STATE: &str = r#"
const d = document.querySelector('article.file-card[data-name="driver-sha256.sys"][data-status="done"]');
const r = document.querySelector('article.file-card[data-name="lab-root.cer"][data-status="done"]');
// The chains sit in a folded body drawn once the card is painted (components/fold.rs).
if (!d || !r || !d.querySelector('.chain-anchor') || document.querySelector('.results[aria-busy="true"]')) return null;
return { anchors: [...d.querySelectorAll('.chain-anchor')].map(a => a.textContent.trim()),
         trusted: r.querySelector('.trust-row').dataset.trusted,
         banner: (document.querySelector('.trusted-roots') || {textContent: null}).textContent };"#;
        let before = wait_for(&client, "the driver and the root", STATE, vec![]).await?;
        if before["trusted"] != json!("false") || !before["banner"].is_null() {
            return Err(format!("before: {before}"));
        }
        let has_user_root =
            |v: &Value| v["anchors"].as_array().into_iter().flatten().any(|a| a.as_str().unwrap_or("").contains("Your trusted root"));
        if has_user_root(&before) {
            return Err(format!("the root is trusted before anyone asked: {before}"));
        }
        js(&client, "document.querySelector('article.file-card[data-name=\"lab-root.cer\"] .trust-button').click(); return null;", vec![])
            .await?;
        let after = wait_for(
            &client,
            "the drop judged again with the root",
            &format!("const s = (() => {{ {STATE} }})(); return s && s.trusted === 'true' ? s : null;"),
            vec![],
        )
        .await?;
        if !has_user_root(&after) || !after["banner"].as_str().unwrap_or("").contains("Roots you added for this page") {
            return Err(format!("after trusting: {after}"));
        }
        js(&client, "document.querySelector('.trusted-roots button').click(); return null;", vec![]).await?;
        let undone = wait_for(
            &client,
            "the drop judged again without the root",
            &format!("const s = (() => {{ {STATE} }})(); return s && s.trusted === 'false' && s.banner === null ? s : null;"),
            vec![],
        )
        .await?;
        if has_user_root(&undone) {
            return Err(format!("after stopping: {undone}"));
        }
        Ok(())
    });
}
