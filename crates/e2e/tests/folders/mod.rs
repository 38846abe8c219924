//! Dropped folders, through the browser's own drop (Chromium's `Input.dispatchDragEvent` with
//! paths on disk, so the page gets real folder entries): the app walks them (`webkitGetAsEntry`),
//! and so does early.js for a folder dropped before the app is up. Both give the same files, named
//! by their path from the dropped folder, in the same order (each folder depth-first, each
//! folder's entries by name), nested and empty folders included, the drop's own files first. A
//! folder of more files than one piece of the walk gives every one of them a verdict, and a block
//! list in it applies to all of them. A module of the `e2e` test binary (same harness).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{js, open, scenario, tiny_pe32_plus, wait_for, wait_for_early_drop_zone, Cdp, INF};

/// A fresh folder for one test under the system's temporary folder (removed when dropped).
struct TempTree(PathBuf);

impl TempTree {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("drvsig-e2e-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        TempTree(dir)
    }

    fn write(&self, path: &str, bytes: &[u8]) {
        let at = self.0.join(path);
        std::fs::create_dir_all(at.parent().expect("a parent")).expect("a folder");
        std::fs::write(&at, bytes).expect("a file");
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Drops `paths` (files and folders, in this order) on the middle of `#drop-zone` as one drag
/// from outside the browser.
async fn drop_paths(client: &fantoccini::Client, paths: &[PathBuf]) -> Result<(), String> {
    // Scrolled into view first: a drag event's point must be in the viewport.
    let at = js(
        client,
        "const z = document.getElementById('drop-zone'); z.scrollIntoView({ block: 'center' }); const r = z.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];",
        vec![],
    )
    .await?;
    let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let data = json!({ "items": [], "files": files, "dragOperationsMask": 1 });
    for kind in ["dragEnter", "dragOver", "drop"] {
        client
            .issue_cmd(Cdp("Input.dispatchDragEvent", json!({ "type": kind, "x": at[0], "y": at[1], "data": data })))
            .await
            .map_err(|e| format!("Input.dispatchDragEvent {kind}: {e}"))?;
    }
    Ok(())
}

/// The summary's counts and the cards' names in the page's order.
const STATE_JS: &str = r#"
const tally = document.querySelector('.triage-tally');
return {
  busy: !!document.querySelector('section.results[aria-busy="true"]'),
  files: tally ? Number(tally.dataset.files) : 0,
  verdicts: tally ? Number(tally.dataset.verdicts) : 0,
  cards: [...document.querySelectorAll('article.file-card')].map(c => c.dataset.name),
};
"#;

/// Opens the page (held back when `early`: early.js takes the drop), drops `paths` and waits for
/// `count` files of which `verdicts` have a verdict (an .inf has none): the page's state then.
async fn drop_and_wait(
    client: &fantoccini::Client,
    base: &str,
    paths: &[PathBuf],
    count: u64,
    verdicts: u64,
    early: bool,
) -> Result<Value, String> {
    if early {
        client.goto(&format!("{base}/?boot-delay=2500")).await.map_err(|e| format!("goto: {e}"))?;
        wait_for_early_drop_zone(client).await?;
    } else {
        open(client, &format!("{base}/")).await?;
    }
    drop_settled(client, paths, count, verdicts).await
}

/// Drops `paths` on the page as it is and waits until the page counts `count` files, `verdicts`
/// of them with a verdict, none in progress.
async fn drop_settled(client: &fantoccini::Client, paths: &[PathBuf], count: u64, verdicts: u64) -> Result<Value, String> {
    drop_paths(client, paths).await?;
    let started = Instant::now();
    loop {
        let v = js(client, STATE_JS, vec![]).await?;
        let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        if !v["busy"].as_bool().unwrap_or(true) && n("verdicts") >= verdicts && n("files") >= count {
            if n("files") != count || n("verdicts") != verdicts {
                return Err(format!("expected {count} files, {verdicts} with a verdict: {v}"));
            }
            return Ok(v);
        }
        if started.elapsed() > Duration::from_secs(90) {
            return Err(format!("timed out waiting for {count} files, {verdicts} with a verdict: {v}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn dropped_folders_are_walked_in_order_by_the_app_and_by_early_js() {
    scenario("dropped_folders_are_walked_in_order_by_the_app_and_by_early_js", |client, base| async move {
        let tree = TempTree::new("folder-order");
        let pe = tiny_pe32_plus();
        // Names in byte order ("Z" before "a"), a nested folder, an empty one; a second folder and
        // a file of their own in the same drop.
        tree.write("pkg/b.sys", &pe);
        tree.write("pkg/a.inf", INF);
        tree.write("pkg/Z.sys", &pe);
        tree.write("pkg/x64/deeper/d.sys", &pe);
        tree.write("pkg/x64/c.sys", &pe);
        std::fs::create_dir_all(tree.0.join("pkg/empty")).map_err(|e| e.to_string())?;
        tree.write("other/e.sys", &pe);
        tree.write("loose.sys", &pe);
        let one = [tree.0.join("pkg")];
        let want_one = json!(["pkg/Z.sys", "pkg/a.inf", "pkg/b.sys", "pkg/x64/c.sys", "pkg/x64/deeper/d.sys"]);
        let mixed = [tree.0.join("pkg"), tree.0.join("loose.sys"), tree.0.join("other")];
        let want_mixed =
            json!(["loose.sys", "pkg/Z.sys", "pkg/a.inf", "pkg/b.sys", "pkg/x64/c.sys", "pkg/x64/deeper/d.sys", "other/e.sys"]);
        for early in [false, true] {
            let v = drop_and_wait(&client, &base, &one, 5, 4, early).await?;
            if v["cards"] != want_one {
                return Err(format!("walked {} (early: {early}): {v}", v["cards"]));
            }
            // The card of a nested file is that file.
            wait_for(
                &client,
                "the nested driver's card",
                "const c = document.querySelector('article.file-card[data-name=\"pkg/x64/deeper/d.sys\"]'); \
                 return c && c.dataset.status === 'done' && c.querySelector('[data-field=\"size\"]');",
                vec![],
            )
            .await?;
        }
        // The drop's own files first, then each folder in the drop's order.
        for early in [false, true] {
            let v = drop_and_wait(&client, &base, &mixed, 7, 6, early).await?;
            if v["cards"] != want_mixed {
                return Err(format!("walked {} (a file and two folders, early: {early}): {v}", v["cards"]));
            }
        }
        Ok(())
    });
}

#[test]
fn a_dropped_folder_bigger_than_a_piece_gives_every_file() {
    scenario("a_dropped_folder_bigger_than_a_piece_gives_every_file", |client, base| async move {
        let tree = TempTree::new("folder-many");
        let mut pe = tiny_pe32_plus();
        for i in 0..230u32 {
            // Each its own bytes.
            pe[0x1e0..0x1e4].copy_from_slice(&i.to_le_bytes());
            tree.write(&format!("many/driver-{i:03}.sys"), &pe);
        }
        for i in 0..20 {
            tree.write(&format!("many/sub/inner-{i:02}.sys"), &pe);
        }
        for early in [false, true] {
            let v = drop_and_wait(&client, &base, &[tree.0.join("many")], 250, 250, early).await?;
            // The first cards are the walk's first files, in order.
            let first: Vec<String> = (0..5).map(|i| format!("many/driver-{i:03}.sys")).collect();
            if v["cards"].as_array().map(|c| c.iter().take(5).cloned().collect::<Vec<_>>())
                != Some(first.iter().map(|s| json!(s)).collect())
            {
                return Err(format!("the first cards are not the walk's first files (early: {early}): {}", v["cards"]));
            }
        }
        Ok(())
    });
}

/// A block list in a big folder is read before the folder's drivers are judged, wherever its name
/// sorts: the folder's files come in pieces, and the files that may be block lists come first.
/// A folder of 200 copies of the fixture driver (more than one piece) and an SiPolicy denying it,
/// named to sort last: every copy is blocked in S mode by its rule.
#[test]
fn a_block_list_in_a_big_folder_applies_to_all_its_drivers() {
    scenario("a_block_list_in_a_big_folder_applies_to_all_its_drivers", |client, base| async move {
        let tree = TempTree::new("folder-list");
        let driver = fixture_driver()?;
        for i in 0..200 {
            tree.write(&format!("drop/driver-{i:03}.sys"), &driver);
        }
        tree.write("drop/zz-deny.xml", deny_policy(&driver)?.as_bytes());
        drop_and_wait(&client, &base, &[tree.0.join("drop")], 201, 200, false).await?;
        let report = super::worker::exported_report(&client).await?;
        let drivers: Vec<_> = report.files.iter().filter(|f| f.name.ends_with(".sys")).collect();
        if drivers.len() != 200 {
            return Err(format!("{} drivers in the export", drivers.len()));
        }
        for file in drivers {
            if !denied(file) {
                return Err(format!("{}: not blocked in S mode by the dropped list's rule", file.name));
            }
        }
        Ok(())
    });
}

/// The fixture driver the block list tests deny.
fn fixture_driver() -> Result<Vec<u8>, String> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/pe/driver-dual.sys"))
        .map_err(|e| format!("the fixture driver: {e}"))
}

/// Whether a file is blocked in S mode by the fixture policy's rule ([`deny_policy`]).
fn denied(file: &drvsig::FileReport) -> bool {
    file.verdicts
        .iter()
        .any(|v| v.target.id() == "s-mode" && v.verdict == drvsig::report::LoadVerdict::Blocked && v.rule.contains("ID_DENY_E2E"))
}

/// An SiPolicy denying `driver` by its Authenticode SHA-256 in S mode (rule ID_DENY_E2E).
fn deny_policy(driver: &[u8]) -> Result<String, String> {
    let hash =
        drvsig::hex::encode(&drvsig::pe::authenticode_digest(driver, drvsig::digest::DigestAlgorithm::Sha256).map_err(|e| e.to_string())?);
    Ok(format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy"><VersionEx>10.0.0.7</VersionEx>
<FileRules><Deny ID="ID_DENY_E2E" FriendlyName="e2e fixture Hash Sha256" Hash="{hash}"/></FileRules>
<SigningScenarios><SigningScenario Value="131" ID="ID_SS"><ProductSigners><FileRulesRef><FileRuleRef RuleID="ID_DENY_E2E"/></FileRulesRef></ProductSigners></SigningScenario></SigningScenarios>
</SiPolicy>"#
    ))
}

/// The page's JSON export, read afresh (the preview is closed first if it is open: the button
/// toggles it).
async fn export_now(client: &fantoccini::Client) -> Result<drvsig::InspectionReport, String> {
    js(
        client,
        "const b = document.getElementById('export-show'); if (b && b.getAttribute('aria-expanded') === 'true') b.click(); return true;",
        vec![],
    )
    .await?;
    super::worker::exported_report(client).await
}

/// Whether the exported report's `name` is blocked in S mode by the fixture policy's rule.
fn denied_by_the_dropped_list(report: &drvsig::InspectionReport, name: &str) -> Result<bool, String> {
    // A dropped folder's files are named by their path in it.
    let file = report
        .files
        .iter()
        .find(|f| f.name.rsplit('/').next() == Some(name))
        .ok_or_else(|| format!("{name} is not in the export: {:?}", report.files.iter().map(|f| &f.name).collect::<Vec<_>>()))?;
    Ok(denied(file))
}

/// A dropped block list judges the files dropped after it until its card goes: "Clear all", or
/// removing the list's card, stops it (it used to stay, judging later drops against a list no
/// longer on the page); Compare keeps the card, and the list, for the new side.
#[test]
fn a_dropped_list_stops_with_clear_all_and_with_its_card() {
    scenario("a_dropped_list_stops_with_clear_all_and_with_its_card", |client, base| async move {
        let tree = TempTree::new("list-stops");
        let driver = fixture_driver()?;
        tree.write("with/driver.sys", &driver);
        tree.write("with/deny.xml", deny_policy(&driver)?.as_bytes());
        tree.write("alone/driver.sys", &driver);
        tree.write("later/later.sys", &driver);
        drop_and_wait(&client, &base, &[tree.0.join("with")], 2, 1, false).await?;
        if !denied_by_the_dropped_list(&export_now(&client).await?, "driver.sys")? {
            return Err("the dropped list did not block the driver dropped with it".into());
        }
        js(&client, "document.getElementById('clear-button').click(); return true;", vec![]).await?;
        drop_settled(&client, &[tree.0.join("alone")], 1, 1).await?;
        if denied_by_the_dropped_list(&export_now(&client).await?, "driver.sys")? {
            return Err("after Clear all, the driver is still blocked by the list cleared away".into());
        }
        js(&client, "document.getElementById('clear-button').click(); return true;", vec![]).await?;
        drop_settled(&client, &[tree.0.join("with")], 2, 1).await?;
        js(&client, "document.querySelector('button[aria-label=\"Remove with/deny.xml\"]').click(); return true;", vec![]).await?;
        drop_settled(&client, &[tree.0.join("later")], 2, 2).await?;
        let report = export_now(&client).await?;
        if !denied_by_the_dropped_list(&report, "driver.sys")? {
            return Err("the driver judged while the list was on the page lost its verdict".into());
        }
        if denied_by_the_dropped_list(&report, "later.sys")? {
            return Err("a driver dropped after the list's card was removed is still blocked by it".into());
        }
        // Compare keeps the list's card (and its list) on the page for the new side.
        js(&client, "document.getElementById('clear-button').click(); return true;", vec![]).await?;
        drop_settled(&client, &[tree.0.join("with")], 2, 1).await?;
        js(&client, "document.getElementById('compare-button').click(); return true;", vec![]).await?;
        let kept = wait_for(
            &client,
            "the list's card on the new side",
            "const c = [...document.querySelectorAll('article.file-card')].map(c => c.dataset.name); return c.length === 1 ? c : null;",
            vec![],
        )
        .await?;
        if kept != json!(["with/deny.xml"]) {
            return Err(format!("after Compare the page shows {kept}, not the list's card alone"));
        }
        drop_settled(&client, &[tree.0.join("later")], 2, 1).await?;
        if !denied_by_the_dropped_list(&export_now(&client).await?, "later.sys")? {
            return Err("the new side of a comparison is not judged against the list kept on the page".into());
        }
        Ok(())
    });
}

/// Clear while a big folder is still being walked: the rest of the walk is not added afterwards
/// (the page stays empty). The folder is big enough (1,000 files) for the click to come mid-walk
/// in practice; if the walk were already over, the test would still pass.
#[test]
fn clear_during_a_folder_walk_stops_it() {
    scenario("clear_during_a_folder_walk_stops_it", |client, base| async move {
        let tree = TempTree::new("folder-clear");
        let pe = tiny_pe32_plus();
        for i in 0..1000 {
            tree.write(&format!("big/driver-{i:04}.sys"), &pe);
        }
        open(&client, &format!("{base}/")).await?;
        drop_paths(&client, &[tree.0.join("big")]).await?;
        let seen = wait_for(
            &client,
            "the first files of the walk",
            "const t = document.querySelector('.triage-tally'); const n = t ? Number(t.dataset.files) : document.querySelectorAll('article.file-card').length; return n > 0 ? n : null;",
            vec![],
        )
        .await?;
        js(&client, "document.getElementById('clear-button').click(); return true;", vec![]).await?;
        eprintln!("clear_during_a_folder_walk_stops_it: Clear pressed after {seen} of 1000 files");
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let left = js(&client, "return document.querySelectorAll('article.file-card').length;", vec![]).await?;
        if left != json!(0) {
            return Err(format!("{left} cards after Clear (the walk had given {seen} files when it was pressed)"));
        }
        Ok(())
    });
}
