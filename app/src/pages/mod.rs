//! One module per page, named after what the user sees.

pub mod admin;
pub mod dashboard;
pub mod home;
pub mod not_found;
pub mod sign_in;
pub mod sign_up;

use crate::components::states::Loading;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use portico_model::Me;

/// Renders `page` for the signed-in user, or sends a visitor to the sign-in page.
/// This is convenience only: every server function checks the caller itself.
pub fn signed_in<V: IntoView + 'static>(page: impl Fn(Me) -> V + Send + Sync + 'static) -> impl IntoView {
    let session = Session::use_session();
    move || match (session.loaded(), session.me()) {
        (false, _) => view! { <Loading/> }.into_any(),
        (true, None) => view! { <Redirect path="/sign-in"/> }.into_any(),
        (true, Some(me)) => page(me).into_any(),
    }
}
