//! `/auth/reset/code?token=…`: choose a new password from the emailed link, then sign in
//! again (every session was ended).

use crate::api::auth::reset_password;
use crate::components::field::Field;
use crate::pages::token_from_query;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::A;
use portico_model::Password;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let session = Session::use_session();
    let token = token_from_query();
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let password_error = RwSignal::new(None::<String>);
    let confirm_error = RwSignal::new(None::<String>);
    let link_error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        link_error.set(None);
        password_error.set(Password::parse(&password.get_untracked()).err().map(|e| e.message));
        confirm_error.set(
            (confirm.get_untracked() != password.get_untracked())
                .then(|| "The passwords do not match.".to_owned()),
        );
        if password_error.get_untracked().is_some() || confirm_error.get_untracked().is_some() {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            match reset_password(token.get_untracked(), password.get_untracked()).await {
                Ok(()) => {
                    // Every session ended on the host, this one included.
                    session.set(None);
                    done.set(true);
                }
                Err(e) => match e.field_message("new_password") {
                    Some(m) => password_error.set(Some(m)),
                    None => link_error.set(Some(e.field_message("token").unwrap_or_else(|| e.to_string()))),
                },
            }
            pending.set(false);
        });
    };

    view! {
        <section class="auth-card card">
            <Show when=move || !done.get() fallback=|| view! {
                <div class="pending-panel" data-testid="reset-done">
                    <h1>"Password changed"</h1>
                    <p>"Your new password is set and every session was signed out."</p>
                    <A href="/sign-in" attr:class="btn btn-primary">"Sign in again"</A>
                </div>
            }>
                <h1>"Choose a new password"</h1>
                <form on:submit=submit novalidate>
                    {move || link_error.get().map(|m| view! {
                        <div class="alert alert-error" role="alert" data-testid="form-error">
                            {m} " " <A href="/forgot-password">"Ask for a new link"</A>
                        </div>
                    })}
                    <Field id="new_password" label="New password" value=password error=password_error
                        kind="password" autocomplete="new-password" hint="At least 8 characters."/>
                    <Field id="confirm_password" label="Repeat the new password" value=confirm error=confirm_error
                        kind="password" autocomplete="new-password"/>
                    <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                        {move || if pending.get() { "Saving…" } else { "Set new password" }}
                    </button>
                </form>
            </Show>
        </section>
    }
}
