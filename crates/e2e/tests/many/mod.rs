//! A thousand files at once: one drop of 1,000 signed drivers (the fixture driver under 1,000
//! names, made in the page from one copy of its bytes) gives 1,000 verdicts in the summary, the
//! page never goes blank or shows the error card on the way, the table and the cards are drawn a
//! batch at a time (five cards first, "Show more" 20 more; "Show all" draws every row), and a
//! file name in the summary opens a card not drawn yet. A module of the `e2e` test binary (same
//! harness).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{base64, js, open, scenario};

const COUNT: usize = 1000;

/// Watches the page from before the drop: every frame and every change, the drop zone, the results
/// and (once it appeared) the summary must be there, and no error card.
const WATCH_JS: &str = r#"
const w = window.__watch = { blank: 0, panic: 0, summarySeen: false, frames: 0, first: null };
const look = () => {
  const zone = document.getElementById('drop-zone');
  const results = document.querySelector('section.results');
  const summary = document.querySelector('.triage');
  if (summary) w.summarySeen = true;
  if (!zone || !results || (w.summarySeen && !summary)) { w.blank++; if (!w.first) w.first = document.body.innerText.slice(0, 300); }
  if (document.getElementById('panic-card')) w.panic++;
};
new MutationObserver(look).observe(document.body, { subtree: true, childList: true });
const frame = () => { w.frames++; look(); requestAnimationFrame(frame); };
requestAnimationFrame(frame);
return true;
"#;

/// Drops `count` files named driver-NNNN.sys, all with the given bytes, on the drop zone.
const DROP_MANY_JS: &str = r#"
const [b64, count] = arguments;
const bin = atob(b64);
const bytes = new Uint8Array(bin.length);
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
const dt = new DataTransfer();
for (let i = 0; i < count; i++) dt.items.add(new File([bytes], `driver-${String(i).padStart(4, '0')}.sys`, { type: 'application/octet-stream' }));
const zone = document.getElementById('drop-zone');
for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
return dt.files.length;
"#;

/// The summary's state: the tally's counts, the filter count, the rows and cards drawn.
const STATE_JS: &str = r#"
const tally = document.querySelector('.triage-tally');
const count = document.querySelector('.triage .filter-count');
return {
  busy: !!document.querySelector('section.results[aria-busy="true"]'),
  files: tally ? Number(tally.dataset.files) : 0,
  verdicts: tally ? Number(tally.dataset.verdicts) : 0,
  count: count ? Number(count.dataset.count) : 0,
  rows: document.querySelectorAll('table.triage-table tr.triage-row').length,
  rowsWithVerdict: document.querySelectorAll('table.triage-table tr.triage-row:not([data-verdict="none"])').length,
  cards: document.querySelectorAll('article.file-card').length,
  cardsDone: document.querySelectorAll('article.file-card[data-status="done"]').length,
  watch: window.__watch,
};
"#;

async fn wait_state(client: &fantoccini::Client, what: &str, timeout: Duration, ok: impl Fn(&Value) -> bool) -> Result<Value, String> {
    let started = Instant::now();
    loop {
        let v = js(client, STATE_JS, vec![]).await?;
        if ok(&v) {
            return Ok(v);
        }
        if started.elapsed() > timeout {
            return Err(format!("timed out after {}s waiting for {what}: {v}", timeout.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn n(v: &Value, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

#[test]
fn a_thousand_files_give_a_thousand_verdicts_without_a_blank_page() {
    scenario("a_thousand_files_give_a_thousand_verdicts_without_a_blank_page", |client, base| async move {
        let driver = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/pe/driver-sha256-ts.sys"))
            .map_err(|e| format!("the fixture driver: {e}"))?;
        open(&client, &format!("{base}/")).await?;
        js(&client, WATCH_JS, vec![]).await?;
        let dropped = js(&client, DROP_MANY_JS, vec![json!(base64(&driver)), json!(COUNT)]).await?;
        if dropped != json!(COUNT) {
            return Err(format!("dropped {dropped} files"));
        }
        let done = wait_state(&client, "1,000 verdicts in the summary", Duration::from_secs(150), |v| {
            !v["busy"].as_bool().unwrap_or(true) && n(v, "verdicts") >= COUNT as u64
        })
        .await?;
        if n(&done, "files") != COUNT as u64 || n(&done, "count") != COUNT as u64 || n(&done, "verdicts") != COUNT as u64 {
            return Err(format!("the summary does not count 1,000 files with a verdict each: {done}"));
        }
        // Drawn a batch at a time: the first rows and cards, the rest on request.
        if n(&done, "rows") == 0 || n(&done, "rows") >= COUNT as u64 || n(&done, "cards") == 0 || n(&done, "cards") >= COUNT as u64 {
            return Err(format!("expected the first rows and cards only: {done}"));
        }
        // Its first cards show their verdicts (a frame after the summary first appears).
        wait_state(&client, "the 5 first cards done", Duration::from_secs(10), |v| n(v, "cardsDone") == 5).await?;
        // A big drop's table starts with 25 rows; "Show more" adds 100.
        if n(&done, "rows") != 25 {
            return Err(format!("expected the first 25 rows of a big drop: {done}"));
        }
        js(&client, "document.getElementById('show-more-rows').click(); return true;", vec![]).await?;
        wait_state(&client, "125 rows after Show more", Duration::from_secs(10), |v| n(v, "rows") == 125).await?;
        // A big drop starts with five cards (its summary comes first); "Show more" draws 20 more.
        if n(&done, "cards") != 5 {
            return Err(format!("expected the first 5 cards of a big drop: {done}"));
        }
        js(&client, "document.getElementById('show-more-cards').click(); return true;", vec![]).await?;
        wait_state(&client, "25 cards after Show more", Duration::from_secs(10), |v| n(v, "cards") == 25).await?;
        let watch = &done["watch"];
        if n(watch, "blank") != 0 || n(watch, "panic") != 0 || n(watch, "frames") == 0 {
            return Err(format!("the page went blank or showed the error card on the way: {watch}"));
        }
        // A file whose card is not drawn: following its name in the summary draws it.
        let last_drawn = js(
            &client,
            "const r = [...document.querySelectorAll('a.triage-link')]; return r.length ? r[r.length - 1].getAttribute('href') : null;",
            vec![],
        )
        .await?;
        let href = last_drawn.as_str().ok_or("no link in the summary")?.to_string();
        let opened = js(
            &client,
            "const [href] = arguments; const a = document.querySelector(`a.triage-link[href=\"${href}\"]`); const before = !!document.querySelector(href); a.click(); return before;",
            vec![json!(href)],
        )
        .await?;
        if opened != json!(false) {
            return Err(format!("{href}: expected its card not to be drawn before the click"));
        }
        let started = Instant::now();
        while js(&client, "return !!document.querySelector(arguments[0]);", vec![json!(href)]).await? != json!(true) {
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!("{href}: its card was not drawn after following its name"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // "Show all" draws every row, a batch per frame.
        js(&client, "document.getElementById('show-all-rows').click(); return true;", vec![]).await?;
        let all = wait_state(&client, "every row drawn", Duration::from_secs(60), |v| n(v, "rowsWithVerdict") >= COUNT as u64).await?;
        let watch = &all["watch"];
        if n(watch, "blank") != 0 || n(watch, "panic") != 0 {
            return Err(format!("the page went blank or showed the error card: {watch}"));
        }
        Ok(())
    });
}
