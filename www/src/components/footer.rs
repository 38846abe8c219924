//! How the page keeps its promise.

use yew::prelude::*;

#[function_component(Footer)]
pub fn footer() -> Html {
    html! {
        <footer class="site-footer">
            <div class="container">
                <p>
                    { "Everything runs in this tab, compiled to WebAssembly. The page's Content-Security-Policy " }
                    { "forbids network connections, so your files cannot be uploaded, even by mistake." }
                </p>
            </div>
        </footer>
    }
}
