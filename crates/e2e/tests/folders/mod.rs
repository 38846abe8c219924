//! Dropped folders, through the browser's own drop (Chromium's `Input.dispatchDragEvent` with
//! paths on disk, so the page gets real folder entries): walked in a worker (walker.js) where the
//! browser gives File System Access handles, on the page (`webkitGetAsEntry`) where it does not.
//! Both give the same files, named by their path from the dropped folder, in the same order
//! (depth-first, each folder by name), nested and empty folders included; a folder of more files
//! than one piece of the walk (100) gives every one of them a verdict. A module of the `e2e` test
//! binary (same harness).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{js, open, scenario, tiny_pe32_plus, wait_for, Cdp, INF};

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

/// Drops `path` (a folder) on the middle of `#drop-zone` as a drag from outside the browser.
async fn drop_path(client: &fantoccini::Client, path: &Path) -> Result<(), String> {
    let at = js(
        client,
        "const r = document.getElementById('drop-zone').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];",
        vec![],
    )
    .await?;
    let data = json!({ "items": [], "files": [path.display().to_string()], "dragOperationsMask": 1 });
    for kind in ["dragEnter", "dragOver", "drop"] {
        client
            .issue_cmd(Cdp("Input.dispatchDragEvent", json!({ "type": kind, "x": at[0], "y": at[1], "data": data })))
            .await
            .map_err(|e| format!("Input.dispatchDragEvent {kind}: {e}"))?;
    }
    Ok(())
}

/// The summary's counts, the cards' names in the page's order, and where the folder was walked.
const STATE_JS: &str = r#"
const tally = document.querySelector('.triage-tally');
return {
  busy: !!document.querySelector('section.results[aria-busy="true"]'),
  files: tally ? Number(tally.dataset.files) : 0,
  verdicts: tally ? Number(tally.dataset.verdicts) : 0,
  cards: [...document.querySelectorAll('article.file-card')].map(c => c.dataset.name),
  walk: document.body.dataset.folderWalk || null,
};
"#;

/// Opens the page (without the File System Access handles when `on_page`), drops `folder` and
/// waits for `count` files of which `verdicts` have a verdict (an .inf has none): the page's state
/// then.
async fn drop_and_wait(
    client: &fantoccini::Client,
    base: &str,
    folder: &Path,
    count: u64,
    verdicts: u64,
    on_page: bool,
) -> Result<Value, String> {
    open(client, &format!("{base}/")).await?;
    if on_page {
        js(client, "delete DataTransferItem.prototype.getAsFileSystemHandle; return true;", vec![]).await?;
    }
    drop_path(client, folder).await?;
    let started = Instant::now();
    loop {
        let v = js(client, STATE_JS, vec![]).await?;
        let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        if !v["busy"].as_bool().unwrap_or(true) && n("verdicts") >= verdicts && n("files") >= count {
            let want = if on_page { "page" } else { "worker" };
            if v["walk"] != json!(want) {
                return Err(format!("the folder was not walked where expected ({want}): {v}"));
            }
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
fn a_dropped_folder_is_walked_in_order_in_a_worker_and_on_the_page() {
    scenario("a_dropped_folder_is_walked_in_order_in_a_worker_and_on_the_page", |client, base| async move {
        let tree = TempTree::new("folder-order");
        let pe = tiny_pe32_plus();
        // Names in byte order ("Z" before "a"), a nested folder, an empty one.
        tree.write("pkg/b.sys", &pe);
        tree.write("pkg/a.inf", INF);
        tree.write("pkg/Z.sys", &pe);
        tree.write("pkg/x64/deeper/d.sys", &pe);
        tree.write("pkg/x64/c.sys", &pe);
        std::fs::create_dir_all(tree.0.join("pkg/empty")).map_err(|e| e.to_string())?;
        let want = json!(["pkg/Z.sys", "pkg/a.inf", "pkg/b.sys", "pkg/x64/c.sys", "pkg/x64/deeper/d.sys"]);
        for on_page in [false, true] {
            let v = drop_and_wait(&client, &base, &tree.0.join("pkg"), 5, 4, on_page).await?;
            if v["cards"] != want {
                return Err(format!("walked {} (on the page: {on_page}): {v}", v["cards"]));
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
        Ok(())
    });
}

#[test]
fn a_dropped_folder_bigger_than_a_piece_gives_every_file() {
    scenario("a_dropped_folder_bigger_than_a_piece_gives_every_file", |client, base| async move {
        let tree = TempTree::new("folder-many");
        let mut pe = tiny_pe32_plus();
        for i in 0..230 {
            // Each its own bytes (the page tells copies of one file apart by name anyway).
            pe[0x1e0..0x1e4].copy_from_slice(&(i as u32).to_le_bytes());
            tree.write(&format!("many/driver-{i:03}.sys"), &pe);
        }
        for i in 0..20 {
            tree.write(&format!("many/sub/inner-{i:02}.sys"), &pe);
        }
        for on_page in [false, true] {
            drop_and_wait(&client, &base, &tree.0.join("many"), 250, 250, on_page).await?;
        }
        Ok(())
    });
}
