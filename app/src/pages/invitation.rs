//! `/auth/invite?token=…`: register from an invitation — name and email prefilled, the
//! new user chooses a password and is signed in.

use crate::api::auth::{accept_invitation, get_invitation};
use crate::components::field::Field;
use crate::components::states::Loading;
use crate::components::toast::Toasts;
use crate::pages::token_from_query;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portico_model::{AppError, InvitationPreview, Password, PersonName};

#[component]
pub fn InvitationPage() -> impl IntoView {
    let token = token_from_query();
    let preview = RwSignal::new(None::<Result<InvitationPreview, AppError>>);
    Effect::new(move |_| {
        let token = token.get();
        leptos::task::spawn_local(async move { preview.set(Some(get_invitation(token).await)) });
    });
    move || match preview.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => {
            let message = e.field_message("token").unwrap_or_else(|| e.to_string());
            view! {
                <section class="auth-card card" data-testid="invitation-invalid">
                    <h1>"This invitation cannot be used"</h1>
                    <p>{message}</p>
                </section>
            }
            .into_any()
        }
        Some(Ok(p)) => view! { <RegisterForm token=token.get_untracked() preview=p/> }.into_any(),
    }
}

#[component]
fn RegisterForm(token: String, preview: InvitationPreview) -> impl IntoView {
    let session = Session::use_session();
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let first_name = RwSignal::new(preview.first_name.clone());
    let last_name = RwSignal::new(preview.last_name.clone());
    let password = RwSignal::new(String::new());
    let (first_error, last_error, password_error) =
        (RwSignal::new(None::<String>), RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let token = StoredValue::new(token);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        first_error
            .set(PersonName::parse("first_name", &first_name.get_untracked()).err().map(|e| e.message));
        last_error.set(PersonName::parse("last_name", &last_name.get_untracked()).err().map(|e| e.message));
        password_error.set(Password::parse(&password.get_untracked()).err().map(|e| e.message));
        if first_error.get_untracked().is_some()
            || last_error.get_untracked().is_some()
            || password_error.get_untracked().is_some()
        {
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = accept_invitation(
                token.get_value(),
                first_name.get_untracked(),
                last_name.get_untracked(),
                password.get_untracked(),
            )
            .await;
            match result {
                Ok(me) => {
                    session.set(Some(me));
                    toasts.success("Welcome! Your account is ready.");
                    navigate("/dashboard", Default::default());
                }
                Err(e) => form_error.set(Some(e.field_message("token").unwrap_or_else(|| e.to_string()))),
            }
            pending.set(false);
        });
    };

    view! {
        <section class="auth-card card">
            <h1>"Create your account"</h1>
            <p class="muted">"You were invited to join " <strong>{preview.organisation.clone()}</strong> "."</p>
            <form on:submit=submit novalidate>
                {move || form_error.get().map(|m| view! { <div class="alert alert-error" role="alert" data-testid="form-error">{m}</div> })}
                <div class="field">
                    <label for="invite_email">"Email"</label>
                    <input id="invite_email" type="email" value=preview.email.clone() readonly/>
                </div>
                <div class="field-row">
                    <Field id="first_name" label="First name" value=first_name error=first_error autocomplete="given-name"/>
                    <Field id="last_name" label="Last name" value=last_name error=last_error autocomplete="family-name"/>
                </div>
                <Field id="password" label="Password" value=password error=password_error kind="password"
                    autocomplete="new-password" hint="At least 8 characters."/>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating account…" } else { "Create account" }}
                </button>
            </form>
        </section>
    }
}
