//! The Windows target the person chose ("Which Windows does the customer run?"): in the URL as
//! `?target=ID` (the first known value, so deep links work) and remembered in `localStorage`.

use drvsig::policy::Target;
use wasm_bindgen::JsValue;

const KEY: &str = "drvsig.target";

/// The target at start: the URL's first known `?target=`, else the remembered one, else the
/// default (see [`crate::state::initial_target`]).
pub fn initial_target() -> Target {
    let stored = storage().and_then(|s| s.get_item(KEY).ok().flatten());
    crate::state::initial_target(&super::browser::query_all("target"), stored.as_deref())
}

/// Remembers `target` and puts it in the address (`?target=ID`, replacing earlier values, without
/// a new history entry).
pub fn choose_target(target: Target) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, target.id());
    }
    let update = || -> Option<()> {
        let window = web_sys::window()?;
        let location = window.location();
        let params = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
        params.delete("target");
        params.append("target", target.id());
        let query: String = params.to_string().into();
        let url = format!("{}?{}{}", location.pathname().ok()?, query, location.hash().ok()?);
        window.history().ok()?.replace_state_with_url(&JsValue::NULL, "", Some(&url)).ok()
    };
    let _ = update();
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}
