//! Page-level facts: the clock the core does not have, the URL, the `ready` flag for tests.

use drvsig::UnixTime;

/// Now, from the browser's clock (the core takes time as an argument).
pub fn now() -> UnixTime {
    let millis = js_sys::Date::now();
    UnixTime((millis / 1000.0).floor() as i64)
}

/// `?demo` or `?demo=1` (any value but `0` / `false`) asks for the bundled demo.
pub fn demo_requested() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Ok(search) = window.location().search() else {
        return false;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return false;
    };
    match params.get("demo") {
        Some(value) => !matches!(value.as_str(), "0" | "false" | "no"),
        None => false,
    }
}

/// Sets `document.body.dataset.ready = "true"` once the app is mounted.
pub fn mark_ready() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-ready", "true");
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
        let _ = self
            .window
            .remove_event_listener_with_callback("dragover", self.over.as_ref().unchecked_ref());
        let _ = self
            .window
            .remove_event_listener_with_callback("drop", self.drop.as_ref().unchecked_ref());
    }
}
