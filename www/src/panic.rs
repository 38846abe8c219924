//! The last line of defence: the core must not panic, but if anything in the page does, the hook
//! overlays an error card (built from DOM text nodes, never HTML strings) with the message and a
//! copyable report, instead of leaving a dead page. The report holds no file contents.

use std::cell::Cell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

thread_local! {
    static SHOWN: Cell<bool> = const { Cell::new(false) };
}

/// The text of the report people paste into a ticket.
pub fn report_text(message: &str, location: &str, user_agent: &str, version: &str) -> String {
    format!(
        "drvsig page error report\nversion: {version}\nmessage: {message}\nlocation: {location}\nbrowser: {user_agent}\n\
         (No file contents are included. Reloading the page starts over.)\n"
    )
}

/// Installs the hook (keeps the default behaviour of logging to the console).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = match (info.payload().downcast_ref::<&str>(), info.payload().downcast_ref::<String>()) {
            (Some(s), _) => (*s).to_string(),
            (_, Some(s)) => s.clone(),
            _ => "panic with a non-text payload".to_string(),
        };
        let location =
            info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_else(|| "unknown".to_string());
        web_sys::console::error_1(&format!("drvsig panicked: {message} at {location}").into());
        if SHOWN.with(|s| s.replace(true)) {
            return;
        }
        let user_agent = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
        let report = report_text(&message, &location, &user_agent, env!("CARGO_PKG_VERSION"));
        let _ = show(&message, &report);
    }));
}

fn show(message: &str, report: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let body = document.body()?;
    let el = |tag: &str, class: &str| -> Option<web_sys::Element> {
        let e = document.create_element(tag).ok()?;
        e.set_class_name(class);
        Some(e)
    };
    let text = |parent: &web_sys::Element, s: &str| {
        let _ = parent.append_child(&document.create_text_node(s));
    };
    let card = el("section", "panic-card")?;
    card.set_id("panic-card");
    let _ = card.set_attribute("role", "alertdialog");
    let _ = card.set_attribute("aria-labelledby", "panic-title");
    let title = el("h2", "panic-title")?;
    title.set_id("panic-title");
    text(&title, "drvsig stopped working");
    let lead = el("p", "panic-lead")?;
    text(
        &lead,
        "Something in this page failed. Your files were not uploaded and nothing was changed. \
         Reload the page to start over; if it happens again, please send us the report below.",
    );
    let msg = el("p", "panic-message")?;
    let code = el("code", "")?;
    text(&code, message);
    let _ = msg.append_child(&code);
    let area = el("textarea", "panic-report")?;
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("rows", "7");
    let _ = area.set_attribute("aria-label", "Error report");
    if let Some(a) = area.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        a.set_value(report);
    }
    let actions = el("div", "panic-actions")?;
    let copy = el("button", "button button-primary")?;
    let _ = copy.set_attribute("type", "button");
    text(&copy, "Copy report");
    let status = el("span", "panic-status")?;
    let _ = status.set_attribute("role", "status");
    let reload = el("button", "button")?;
    let _ = reload.set_attribute("type", "button");
    text(&reload, "Reload page");

    let report_owned = report.to_string();
    let status_c = status.clone();
    let area_c = area.clone();
    let on_copy = Closure::<dyn Fn()>::new(move || {
        let done = copy_text(&report_owned);
        if !done {
            if let Some(a) = area_c.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                a.select();
            }
        }
        status_c.set_text_content(Some(if done { "Copied." } else { "Selected: press Ctrl+C to copy." }));
    });
    let _ = copy.add_event_listener_with_callback("click", on_copy.as_ref().unchecked_ref());
    on_copy.forget();
    let on_reload = Closure::<dyn Fn()>::new(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let _ = reload.add_event_listener_with_callback("click", on_reload.as_ref().unchecked_ref());
    on_reload.forget();

    let _ = actions.append_child(&copy);
    let _ = actions.append_child(&reload);
    let _ = actions.append_child(&status);
    for child in [&title, &lead, &msg, &area, &actions] {
        let _ = card.append_child(child);
    }
    let backdrop = el("div", "panic-backdrop")?;
    let _ = backdrop.append_child(&card);
    let _ = body.append_child(&backdrop);
    if let Some(b) = copy.dyn_ref::<web_sys::HtmlElement>() {
        let _ = b.focus();
    }
    Some(())
}

/// `navigator.clipboard.writeText(text)`, looked up dynamically (absent on insecure origins).
fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let navigator: wasm_bindgen::JsValue = window.navigator().into();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else { return false };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else { return false };
    let Some(write) = write.dyn_ref::<js_sys::Function>() else { return false };
    write.call1(&clipboard, &text.into()).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn report_has_the_facts() {
        let r = super::report_text("index out of bounds", "www/src/x.rs:1:2", "Chromium", "0.1.0");
        assert!(r.contains("message: index out of bounds"));
        assert!(r.contains("location: www/src/x.rs:1:2"));
        assert!(r.contains("No file contents"));
    }
}
