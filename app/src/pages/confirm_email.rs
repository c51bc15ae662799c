//! `/account/confirm-email?token=…`: applies an email change from its link.

use crate::api::account::confirm_email_change;
use crate::components::states::Loading;
use crate::pages::token_from_query;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::A;
use portico_model::AppError;

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let session = Session::use_session();
    let token = token_from_query();
    let outcome = RwSignal::new(None::<Result<String, AppError>>);
    Effect::new(move |_| {
        let token = token.get();
        leptos::task::spawn_local(async move {
            let result = confirm_email_change(token).await;
            if result.is_ok() {
                session.refresh();
            }
            outcome.set(Some(result));
        });
    });
    move || match outcome.get() {
        None => view! { <Loading label="Confirming your new address…"/> }.into_any(),
        Some(Ok(email)) => view! {
            <section class="auth-card card pending-panel" data-testid="email-confirmed">
                <h1>"Email address changed"</h1>
                <p>"Your account now uses " <strong>{email}</strong> "."</p>
                <A href="/account" attr:class="btn btn-primary">"Go to your account"</A>
            </section>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <section class="auth-card card pending-panel" data-testid="email-not-confirmed">
                <h1>"This link cannot be used"</h1>
                <p>{e.field_message("token").unwrap_or_else(|| e.to_string())}</p>
                <A href="/account" attr:class="btn btn-ghost">"Go to your account"</A>
            </section>
        }
        .into_any(),
    }
}
