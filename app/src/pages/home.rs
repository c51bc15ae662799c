//! The landing page for visitors; signed-in users go to their dashboard.

use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};

#[component]
pub fn HomePage() -> impl IntoView {
    let session = Session::use_session();
    move || match session.me() {
        Some(me) if me.is_admin() => view! { <Redirect path="/admin"/> }.into_any(),
        Some(_) => view! { <Redirect path="/dashboard"/> }.into_any(),
        None => view! {
            <section class="hero">
                <h1>"APIs, ready when you are."</h1>
                <p class="lead">
                    "Browse API products, request access for your apps and get working keys — "
                    "for you and your whole team."
                </p>
                <div class="hero-actions">
                    <A href="/sign-up" attr:class="btn btn-primary btn-lg">"Create an account"</A>
                    <A href="/sign-in" attr:class="btn btn-ghost btn-lg">"Sign in"</A>
                </div>
            </section>
            <section class="feature-grid" aria-label="What you can do">
                <div class="card feature">
                    <h3>"Discover"</h3>
                    <p>"Find the API products your organisation may use, with documentation and plans."</p>
                </div>
                <div class="card feature">
                    <h3>"Get access"</h3>
                    <p>"Request access for an app and receive credentials as soon as it is approved."</p>
                </div>
                <div class="card feature">
                    <h3>"Work as a team"</h3>
                    <p>"Share apps and keys inside your organisation, never outside it."</p>
                </div>
            </section>
        }
        .into_any(),
    }
}
