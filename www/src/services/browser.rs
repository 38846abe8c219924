//! Page-level facts: the clock the core does not have, the URL, the `ready` flag for tests.

use drvsig::UnixTime;
use wasm_bindgen::JsCast;

/// Now, from the browser's clock (the core takes time as an argument).
pub fn now() -> UnixTime {
    let millis = js_sys::Date::now();
    UnixTime((millis / 1000.0).floor() as i64)
}

/// The next animation frame (or 100 ms, in a background tab where frames stop).
pub async fn next_frame() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.request_animation_frame(&resolve);
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
}

/// A task `ms` milliseconds from now (`setTimeout`).
pub async fn after_ms(ms: i32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let task = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(task).await;
}

/// Once the next frame is painted: the next animation frame, then a task after it (the paint
/// comes between the two).
pub async fn after_next_paint() {
    next_frame().await;
    let Some(window) = web_sys::window() else {
        return;
    };
    let task = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(task).await;
}

/// A query parameter of the page's URL (`Some("")` for a bare `?name`).
pub fn query(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// The URL's fragment (`#...`), if any.
pub fn fragment() -> Option<String> {
    web_sys::window()?.location().hash().ok().filter(|h| !h.is_empty())
}

/// The page's address without its fragment, for share links.
pub fn address_without_fragment() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!("{}{}{}", location.origin().ok()?, location.pathname().ok()?, location.search().ok()?))
}

/// Every value of a repeatable query parameter, in order.
pub fn query_all(name: &str) -> Vec<String> {
    let values = || -> Option<Vec<String>> {
        let search = web_sys::window()?.location().search().ok()?;
        let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
        Some(params.get_all(name).iter().filter_map(|v| v.as_string()).collect())
    };
    values().unwrap_or_default()
}

/// `?target=ID` (repeatable): the Windows targets the verdict tables show (see
/// [`crate::state::targets_from_query`]); empty for all.
pub fn requested_targets() -> (Vec<drvsig::policy::Target>, Vec<String>) {
    crate::state::targets_from_query(&query_all("target"))
}

/// `?demo` / `?demo=NAME`: which bundled demo to load at start (see [`crate::state::demo_from_query`]).
pub fn requested_demo() -> Option<&'static str> {
    crate::state::demo_from_query(query("demo").as_deref())
}

/// `?embed`: the compact layout for iframes (no header or footer).
pub fn embed_requested() -> bool {
    query("embed").is_some_and(|v| !matches!(v.as_str(), "0" | "false" | "no"))
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `drvsigEarly.deflate(bytes)` (early.js): raw deflate with the browser's CompressionStream.
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = deflate)]
    fn early_deflate(bytes: &[u8]) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
    /// `drvsigEarly.inflate(bytes, limit)` (early.js): its inverse, rejected past `limit` bytes.
    #[wasm_bindgen(catch, js_namespace = drvsigEarly, js_name = inflate)]
    fn early_inflate(bytes: &[u8], limit: f64) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
}

/// Raw deflate (RFC 1951) by the browser; `None` where it cannot.
pub async fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let out = wasm_bindgen_futures::JsFuture::from(early_deflate(bytes).ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&out).to_vec())
}

/// Raw inflate by the browser, at most `limit` bytes; `None` for damaged data, past the limit, or
/// where it cannot.
pub async fn inflate(bytes: &[u8], limit: usize) -> Option<Vec<u8>> {
    let out = wasm_bindgen_futures::JsFuture::from(early_inflate(bytes, limit as f64).ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&out).to_vec())
}

/// Copies text with `navigator.clipboard`; resolves to whether it worked.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Saves text as a file: a Blob, an object URL and a click on a temporary `<a download>`.
pub fn download(file_name: &str, mime: &str, text: &str) -> bool {
    let run = || -> Option<()> {
        let document = web_sys::window()?.document()?;
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&url);
        a.set_download(file_name);
        a.set_hidden(true);
        document.body()?.append_child(&a).ok()?;
        a.click();
        a.remove();
        // Revoke later: the download starts asynchronously.
        let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000).ok()?;
        Some(())
    };
    run().is_some()
}

/// Opens every `<details>` (so that the printout has everything), then the print dialog (the
/// stylesheet has a print layout). A fold whose body was not drawn yet draws it when it opens
/// (`components::fold`): the dialog waits for that paint, and opens what the bodies brought.
pub async fn print() {
    set_all_details(true);
    after_next_paint().await;
    set_all_details(true);
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// Opens (or closes) every `<details>` of the page: "Expand all" / "Collapse all", and before
/// printing.
pub fn set_all_details(open: bool) {
    let selector = if open { "details:not([open])" } else { "details[open]" };
    let Some(list) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector_all(selector).ok()) else {
        return;
    };
    for i in 0..list.length() {
        if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
            if open {
                let _ = el.set_attribute("open", "");
            } else {
                let _ = el.remove_attribute("open");
            }
        }
    }
}

/// Marks the page as embedded (`body.is-embed`), for the compact iframe layout.
pub fn mark_embed() {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.class_list().add_1("is-embed");
    }
}

/// Sets `document.body.dataset.ready = "true"` once the app is mounted.
pub fn mark_ready() {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-ready", "true");
        // When the app started, in ms since navigation (the benchmark compares it with early.js).
        if let Some(now) = web_sys::window().and_then(|w| w.performance()).map(|p| p.now()) {
            let _ = body.set_attribute("data-ready-at", &format!("{now:.1}"));
        }
    }
}

/// While alive, `on_change` gets the new fragment whenever the address's `#...` part changes (a
/// share link pasted into the tab that already shows the page).
pub struct HashChange {
    window: web_sys::Window,
    listener: wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>,
}

impl HashChange {
    pub fn listen(on_change: yew::Callback<String>) -> Option<HashChange> {
        let window = web_sys::window()?;
        let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            if let Some(hash) = fragment() {
                on_change.emit(hash);
            }
        });
        let _ = window.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        Some(HashChange { window, listener })
    }
}

impl Drop for HashChange {
    fn drop(&mut self) {
        let _ = self.window.remove_event_listener_with_callback("hashchange", self.listener.as_ref().unchecked_ref());
    }
}

/// While alive, files dropped anywhere on the page (outside the drop zone, which handles its own)
/// are handed to `on_drop` instead of making the browser navigate to them.
pub struct WindowDrop {
    window: web_sys::Window,
    over: wasm_bindgen::closure::Closure<dyn Fn(web_sys::DragEvent)>,
    drop: wasm_bindgen::closure::Closure<dyn Fn(web_sys::DragEvent)>,
}

impl WindowDrop {
    pub fn listen(on_drop: yew::Callback<super::files::Dropped>) -> Option<WindowDrop> {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let window = web_sys::window()?;
        let over = Closure::<dyn Fn(web_sys::DragEvent)>::new(|e: web_sys::DragEvent| {
            if !e.default_prevented() {
                e.prevent_default();
                if let Some(t) = e.data_transfer() {
                    t.set_drop_effect("copy");
                }
            }
        });
        let drop = Closure::<dyn Fn(web_sys::DragEvent)>::new(move |e: web_sys::DragEvent| {
            if !e.default_prevented() {
                e.prevent_default();
                let dropped = super::files::take_drop(e.data_transfer());
                if !dropped.is_empty() {
                    on_drop.emit(dropped);
                }
            }
        });
        let _ = window.add_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
        Some(WindowDrop { window, over, drop })
    }
}

impl Drop for WindowDrop {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self.window.remove_event_listener_with_callback("dragover", self.over.as_ref().unchecked_ref());
        let _ = self.window.remove_event_listener_with_callback("drop", self.drop.as_ref().unchecked_ref());
    }
}
