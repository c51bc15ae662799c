//! "Forgot password?": ask for a reset link. The answer is the same whether or not the
//! address has an account.

use crate::api::auth::request_password_reset;
use crate::components::field::Field;
use leptos::prelude::*;
use leptos_router::components::A;
use portico_model::Email;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let sent = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        email_error.set(Email::parse(&email.get_untracked()).err().map(|e| e.message));
        if email_error.get_untracked().is_some() {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            match request_password_reset(email.get_untracked()).await {
                Ok(()) => sent.set(true),
                Err(e) => form_error.set(Some(e.to_string())),
            }
            pending.set(false);
        });
    };

    view! {
        <section class="auth-card card">
            <Show when=move || !sent.get() fallback=move || view! {
                <div class="pending-panel" data-testid="reset-sent">
                    <h1>"Check your email"</h1>
                    <p>"If an account exists for " <strong>{email.get()}</strong>
                       ", we have sent a link to choose a new password. It works once, within an hour."</p>
                    <A href="/sign-in" attr:class="btn btn-ghost">"Back to sign in"</A>
                </div>
            }>
                <h1>"Forgot your password?"</h1>
                <p class="muted">"Enter your email address and we will send you a link to choose a new one."</p>
                <form on:submit=submit novalidate>
                    {move || form_error.get().map(|m| view! { <div class="alert alert-error" role="alert" data-testid="form-error">{m}</div> })}
                    <Field id="email" label="Email" value=email error=email_error kind="email" autocomplete="email"/>
                    <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                        {move || if pending.get() { "Sending…" } else { "Send reset link" }}
                    </button>
                </form>
                <p class="auth-switch"><A href="/sign-in">"Back to sign in"</A></p>
            </Show>
        </section>
    }
}
