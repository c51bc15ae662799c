//! Portico's UI and server functions.
//!
//! Compiled twice from one source: with `csr` into the WASM client the browser runs,
//! and with `ssr` into the host, where the server-function bodies run. The two
//! features are exclusive. Server-only code is gated in one place: [`backend`].

pub mod api;
pub mod components;
pub mod pages;
pub mod session;

#[cfg(feature = "ssr")]
pub mod backend;

use components::nav::TopNav;
use components::toast::{ToastHost, Toasts};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use pages::{admin::AdminPage, dashboard::DashboardPage, home::HomePage, not_found::NotFoundPage};
use pages::{sign_in::SignInPage, sign_up::SignUpPage};
use session::Session;

/// The whole single-page application.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Toasts::new());
    let session = Session::new();
    provide_context(session);
    session.refresh();

    view! {
        <Router>
            <TopNav/>
            <main class="page">
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/sign-up") view=SignUpPage/>
                    <Route path=path!("/dashboard") view=DashboardPage/>
                    <Route path=path!("/admin") view=AdminPage/>
                </Routes>
            </main>
            <ToastHost/>
        </Router>
    }
}

/// Entry point of the WASM client.
#[cfg(feature = "csr")]
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
