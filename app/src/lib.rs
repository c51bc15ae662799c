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
use pages::account::{AccountPage, ChangePasswordPage};
use pages::admin::AdminPage;
use pages::admin_access_requests::AdminAccessRequestsPage;
use pages::admin_apps::AdminAppsPage;
use pages::admin_audit::AdminAuditPage;
use pages::admin_catalog::AdminCatalogPage;
use pages::admin_catalogs::AdminCatalogsPage;
use pages::admin_developer::AdminDeveloperPage;
use pages::admin_developers::AdminDevelopersPage;
use pages::admin_exports::AdminExportsPage;
use pages::admin_organisation::AdminOrganisationPage;
use pages::admin_organisations::AdminOrganisationsPage;
use pages::admin_outbox::AdminOutboxPage;
use pages::admin_product::AdminProductPage;
use pages::admin_products::AdminProductsPage;
use pages::admin_settings::AdminSettingsPage;
use pages::app_detail::AppDetailPage;
use pages::apps::AppsPage;
use pages::cart::CartPage;
use pages::catalog::CatalogPage;
use pages::confirm_email::ConfirmEmailPage;
use pages::forgot_password::ForgotPasswordPage;
use pages::invitation::InvitationPage;
use pages::my_organisation::MyOrganisationPage;
use pages::product::ProductPage;
use pages::reset_password::ResetPasswordPage;
use pages::{dashboard::DashboardPage, home::HomePage, not_found::NotFoundPage};
use pages::{sign_in::SignInPage, sign_up::SignUpPage};
use session::Session;

/// The whole single-page application.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Toasts::new());
    session::Portal::provide();
    let session = Session::new();
    provide_context(session);
    provide_context(components::cart_count::CartCount::new());
    session.refresh();

    view! {
        <Router>
            <TopNav/>
            <main class="page">
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/sign-up") view=SignUpPage/>
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage/>
                    <Route path=path!("/auth/reset/code") view=ResetPasswordPage/>
                    <Route path=path!("/auth/invite") view=InvitationPage/>
                    <Route path=path!("/dashboard") view=DashboardPage/>
                    <Route path=path!("/organisation") view=MyOrganisationPage/>
                    <Route path=path!("/catalog") view=CatalogPage/>
                    <Route path=path!("/catalog/:slug") view=ProductPage/>
                    <Route path=path!("/cart") view=CartPage/>
                    <Route path=path!("/apps") view=AppsPage/>
                    <Route path=path!("/apps/:id") view=AppDetailPage/>
                    <Route path=path!("/account") view=AccountPage/>
                    <Route path=path!("/account/password") view=ChangePasswordPage/>
                    <Route path=path!("/account/confirm-email") view=ConfirmEmailPage/>
                    <Route path=path!("/admin") view=AdminPage/>
                    <Route path=path!("/admin/developers") view=AdminDevelopersPage/>
                    <Route path=path!("/admin/developers/:id") view=AdminDeveloperPage/>
                    <Route path=path!("/admin/users") view=AdminDevelopersPage/>
                    <Route path=path!("/admin/organisations") view=AdminOrganisationsPage/>
                    <Route path=path!("/admin/organisations/:id") view=AdminOrganisationPage/>
                    <Route path=path!("/admin/products") view=AdminProductsPage/>
                    <Route path=path!("/admin/products/:id") view=AdminProductPage/>
                    <Route path=path!("/admin/catalogs") view=AdminCatalogsPage/>
                    <Route path=path!("/admin/catalogs/:id") view=AdminCatalogPage/>
                    <Route path=path!("/admin/access-requests") view=AdminAccessRequestsPage/>
                    <Route path=path!("/admin/apps") view=AdminAppsPage/>
                    <Route path=path!("/admin/audit") view=AdminAuditPage/>
                    <Route path=path!("/admin/exports") view=AdminExportsPage/>
                    <Route path=path!("/admin/outbox") view=AdminOutboxPage/>
                    <Route path=path!("/admin/settings") view=AdminSettingsPage/>
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
