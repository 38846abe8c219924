//! The product name and its promise.

use yew::prelude::*;

#[function_component(Header)]
pub fn header() -> Html {
    html! {
        <header class="site-header">
            <div class="container header-inner">
                <img class="logo" src="./favicon.svg" alt="" width="40" height="40" />
                <div>
                    <h1 class="product">{ "drvsig" }</h1>
                    <p class="promise">
                        { "Is this Windows driver signed properly, by whom, and would Windows load it? " }
                        <strong>{ "Files never leave your computer." }</strong>
                    </p>
                </div>
            </div>
        </header>
    }
}
