//! One module per page, named after what the user sees.

pub mod account;
pub mod admin;
pub mod admin_access_requests;
pub mod admin_apps;
pub mod admin_audit;
pub mod admin_catalog;
pub mod admin_catalogs;
pub mod admin_developer;
pub mod admin_developers;
pub mod admin_exports;
pub mod admin_organisation;
pub mod admin_organisations;
pub mod admin_outbox;
pub mod admin_product;
pub mod admin_products;
pub mod admin_settings;
pub mod app_detail;
pub mod apps;
pub mod cart;
pub mod catalog;
pub mod confirm_email;
pub mod dashboard;
pub mod forgot_password;
pub mod home;
pub mod invitation;
pub mod my_organisation;
pub mod not_found;
pub mod product;
pub mod reset_password;
pub mod sign_in;
pub mod sign_up;

use crate::components::states::Loading;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use portico_model::Me;

/// Renders `page` for the signed-in user, or sends a visitor to the sign-in page, and a
/// user who must change their password to the page for that. This is convenience
/// only: every server function checks the caller itself.
pub fn signed_in<V: IntoView + 'static>(page: impl Fn(Me) -> V + Send + Sync + 'static) -> impl IntoView {
    let session = Session::use_session();
    move || match (session.loaded(), session.me()) {
        (false, _) => view! { <Loading/> }.into_any(),
        (true, None) => view! { <Redirect path="/sign-in"/> }.into_any(),
        (true, Some(me)) if me.must_change_password => {
            view! { <Redirect path="/account/password"/> }.into_any()
        }
        (true, Some(me)) => page(me).into_any(),
    }
}

/// The `token` query parameter of the current address (links from emails).
pub fn token_from_query() -> Memo<String> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| query.with(|q| q.get("token").unwrap_or_default()))
}

/// Runs `f` every `secs` seconds for as long as the calling component is mounted.
pub fn refresh_every(secs: u64, f: impl Fn() + 'static) {
    match set_interval_with_handle(f, std::time::Duration::from_secs(secs)) {
        Ok(handle) => on_cleanup(move || handle.clear()),
        Err(_) => leptos::logging::warn!("cannot schedule a refresh"),
    }
}

/// "1 member", "3 members".
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
