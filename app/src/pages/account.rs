//! The account page: profile (names, avatar), email address change, password change —
//! and the "choose a new password" page for users whose password an admin set.

use crate::api::account::{change_password, request_email_change, update_profile};
use crate::components::avatar::Avatar;
use crate::components::field::Field;
use crate::components::states::Loading;
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;
use portico_model::{AppError, Email, Me, Password, PersonName};

#[component]
pub fn AccountPage() -> impl IntoView {
    signed_in(|me| {
        view! {
            <div class="page-header">
                <div>
                    <h1>"Your account"</h1>
                    <p class="muted">"Your profile, email address and password."</p>
                </div>
            </div>
            <div class="grid-2">
                <ProfileCard me=me.clone()/>
                <div class="stack">
                    <EmailCard me=me.clone()/>
                    <section class="card" aria-labelledby="password-heading">
                        <h2 id="password-heading">"Password"</h2>
                        <PasswordForm/>
                    </section>
                </div>
            </div>
        }
    })
}

#[component]
fn ProfileCard(me: Me) -> impl IntoView {
    let session = Session::use_session();
    let toasts = Toasts::use_toasts();
    let first_name = RwSignal::new(me.first_name.clone());
    let last_name = RwSignal::new(me.last_name.clone());
    let first_error = RwSignal::new(None::<String>);
    let last_error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        first_error
            .set(PersonName::parse("first_name", &first_name.get_untracked()).err().map(|e| e.message));
        last_error.set(PersonName::parse("last_name", &last_name.get_untracked()).err().map(|e| e.message));
        if first_error.get_untracked().is_some() || last_error.get_untracked().is_some() {
            return;
        }
        saving.set(true);
        leptos::task::spawn_local(async move {
            match update_profile(first_name.get_untracked(), last_name.get_untracked()).await {
                Ok(me) => {
                    session.set(Some(me));
                    toasts.success("Profile saved.");
                }
                Err(e) => show_errors(&e, &[("first_name", first_error), ("last_name", last_error)], toasts),
            }
            saving.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <div class="profile-row">
                <Avatar initials=me.initials() seed=me.email.clone() size="avatar-lg" gravatar=me.gravatar_hash.clone()/>
                <dl class="facts">
                    <dt>"Organisation"</dt><dd>{me.org_name.clone()}</dd>
                    <dt>"Status"</dt><dd><span class=format!("badge badge-{}", me.status.label())>{me.status.label()}</span></dd>
                    <dt>"Developer ID"</dt><dd><code>{me.id.to_string()}</code></dd>
                </dl>
            </div>
            <p class="field-hint">"Your picture comes from Gravatar when your address has one."</p>
            <form on:submit=submit novalidate class="section-form">
                <div class="field-row">
                    <Field id="first_name" label="First name" value=first_name error=first_error autocomplete="given-name"/>
                    <Field id="last_name" label="Last name" value=last_name error=last_error autocomplete="family-name"/>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save profile" }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn EmailCard(me: Me) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let new_email = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let sent_to = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        email_error.set(Email::parse(&new_email.get_untracked()).err().map(|e| e.message));
        if email_error.get_untracked().is_some() {
            return;
        }
        saving.set(true);
        leptos::task::spawn_local(async move {
            match request_email_change(new_email.get_untracked()).await {
                Ok(()) => {
                    sent_to.set(Some(new_email.get_untracked()));
                    new_email.set(String::new());
                }
                Err(e) => show_errors(&e, &[("new_email", email_error)], toasts),
            }
            saving.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email address"</h2>
            <p>"You sign in with " <strong>{me.email.clone()}</strong> "."</p>
            {move || sent_to.get().map(|to| view! {
                <div class="alert alert-info" role="status" data-testid="email-change-sent">
                    "We sent a confirmation link to " <strong>{to}</strong>
                    ". Your address changes when you open it."
                </div>
            })}
            <form on:submit=submit novalidate class="section-form">
                <Field id="new_email" label="New email address" value=new_email error=email_error kind="email" autocomplete="email"/>
                <button type="submit" class="btn btn-ghost" disabled=move || saving.get()>"Send confirmation link"</button>
            </form>
        </section>
    }
}

/// Current + new password. Used on the account page and the must-change page.
#[component]
fn PasswordForm(#[prop(optional)] after: Option<Callback<Me>>) -> impl IntoView {
    let session = Session::use_session();
    let toasts = Toasts::use_toasts();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let current_error = RwSignal::new(None::<String>);
    let new_error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        current_error
            .set(current.get_untracked().is_empty().then(|| "Enter your current password.".to_owned()));
        new_error.set(Password::parse(&new.get_untracked()).err().map(|e| e.message));
        if current_error.get_untracked().is_some() || new_error.get_untracked().is_some() {
            return;
        }
        saving.set(true);
        leptos::task::spawn_local(async move {
            match change_password(current.get_untracked(), new.get_untracked()).await {
                Ok(me) => {
                    current.set(String::new());
                    new.set(String::new());
                    session.set(Some(me.clone()));
                    toasts.success("Password changed. Your other sessions were signed out.");
                    if let Some(cb) = after {
                        cb.run(me);
                    }
                }
                Err(e) => show_errors(
                    &e,
                    &[("current_password", current_error), ("new_password", new_error)],
                    toasts,
                ),
            }
            saving.set(false);
        });
    };
    view! {
        <form on:submit=submit novalidate class="section-form">
            <Field id="current_password" label="Current password" value=current error=current_error
                kind="password" autocomplete="current-password"/>
            <Field id="new_password" label="New password" value=new error=new_error kind="password"
                autocomplete="new-password" hint="At least 8 characters."/>
            <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving…" } else { "Change password" }}
            </button>
        </form>
    }
}

/// `/account/password`: shown after signing in with a password an admin set.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let session = Session::use_session();
    let navigate = use_navigate();
    let done = Callback::new(move |me: Me| {
        let target = if me.is_admin() { "/admin" } else { "/dashboard" };
        navigate(target, Default::default());
    });
    move || match (session.loaded(), session.me()) {
        (false, _) => view! { <Loading/> }.into_any(),
        (true, None) => view! { <Redirect path="/sign-in"/> }.into_any(),
        (true, Some(_)) => view! {
            <section class="auth-card card">
                <h1>"Choose a new password"</h1>
                <p class="muted">"Your password was set by an administrator. Choose your own to continue."</p>
                <PasswordForm after=done/>
            </section>
        }
        .into_any(),
    }
}

/// Puts field errors beside their fields; anything else becomes a toast.
fn show_errors(e: &AppError, fields: &[(&str, RwSignal<Option<String>>)], toasts: Toasts) {
    let mut placed = false;
    for (name, signal) in fields {
        if let Some(m) = e.field_message(name) {
            signal.set(Some(m));
            placed = true;
        }
    }
    if !placed {
        toasts.error(e.to_string());
    }
}
