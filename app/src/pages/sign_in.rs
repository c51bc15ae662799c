//! Sign in with email and password.

use crate::api::auth::sign_in;
use crate::components::field::Field;
use crate::components::toast::Toasts;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portico_model::{AppError, Email};

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = Session::use_session();
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        email_error.set(Email::parse(&email.get_untracked()).err().map(|e| e.message));
        password_error.set(password.get_untracked().is_empty().then(|| "Enter your password.".to_owned()));
        if email_error.get_untracked().is_some() || password_error.get_untracked().is_some() {
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match sign_in(email.get_untracked(), password.get_untracked()).await {
                Ok(me) => {
                    let target = if me.must_change_password {
                        "/account/password"
                    } else if me.is_admin() {
                        "/admin"
                    } else {
                        "/dashboard"
                    };
                    session.set(Some(me));
                    navigate(target, Default::default());
                }
                Err(e @ (AppError::Internal(_) | AppError::Transport(_))) => {
                    toasts.error(e.to_string());
                }
                Err(e) => form_error.set(Some(e.to_string())),
            }
            pending.set(false);
        });
    };

    view! {
        <section class="auth-card card">
            <h1>"Sign in"</h1>
            <p class="muted">"Welcome back. Sign in to manage your apps and keys."</p>
            <form on:submit=submit novalidate>
                {move || form_error.get().map(|m| view! {
                    <div class="alert alert-error" role="alert" data-testid="form-error">{m}</div>
                })}
                <Field id="email" label="Email" value=email error=email_error kind="email" autocomplete="email"/>
                <Field id="password" label="Password" value=password error=password_error
                    kind="password" autocomplete="current-password"/>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
            <p class="auth-switch"><A href="/forgot-password">"Forgot password?"</A></p>
            <p class="auth-switch">"New here? " <A href="/sign-up">"Create an account"</A></p>
        </section>
    }
}
