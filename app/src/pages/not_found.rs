//! Shown for any address the app does not know.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="narrow state state-empty">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <A href="/" attr:class="btn btn-primary">"Go to the start page"</A>
        </section>
    }
}
