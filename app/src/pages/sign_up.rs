//! Self sign-up: the same rules run here on every change and again on the host.

use crate::api::auth::sign_up;
use crate::components::field::Field;
use crate::components::toast::Toasts;
use crate::session::{Portal, Session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use portico_model::{AppError, Email, GroupName, Password, PersonName, SignUpOutcome};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let session = Session::use_session();
    let portal = Portal::use_portal();
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // An invite code from an admin's link (`/sign-up?code=…`) or typed in.
    let code_in_link = use_query_map().with_untracked(|q| q.get("code").unwrap_or_default());
    let invite_code = RwSignal::new(code_in_link);
    let organisation = RwSignal::new(String::new());
    // Fields show their rule once touched (blurred) or once the form was submitted.
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);
    let awaiting = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let shown = move |field: &'static str| submitted.get() || touched.get().contains(&field);
    let touch = move |field: &'static str| {
        Callback::new(move |()| {
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field)
                }
            })
        })
    };
    // Local rule first; otherwise what the server said about this field.
    let message = move |field: &'static str, local: Option<String>| {
        if !shown(field) {
            return None;
        }
        local.or_else(|| server_error.get().and_then(|e| e.field_message(field)))
    };
    let first_error = Signal::derive(move || {
        message("first_name", PersonName::parse("first_name", &first_name.get()).err().map(|e| e.message))
    });
    let last_error = Signal::derive(move || {
        message("last_name", PersonName::parse("last_name", &last_name.get()).err().map(|e| e.message))
    });
    let email_error =
        Signal::derive(move || message("email", Email::parse(&email.get()).err().map(|e| e.message)));
    let password_error = Signal::derive(move || {
        message("password", Password::parse(&password.get()).err().map(|e| e.message))
    });
    let code_error = Signal::derive(move || message("invite_code", None));
    // Optional: only a name that is there is checked.
    let org_error = Signal::derive(move || {
        let name = organisation.get();
        let local = if name.trim().is_empty() {
            None
        } else if !invite_code.get().trim().is_empty() {
            Some("Use either an invite code or a new organisation's name, not both.".to_owned())
        } else {
            GroupName::parse("organisation", &name).err().map(|e| e.message)
        };
        message("organisation", local)
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_error.set(None);
        let parsed = portico_model::SignUpInput::parse(
            &first_name.get_untracked(),
            &last_name.get_untracked(),
            &email.get_untracked(),
            &password.get_untracked(),
        );
        if parsed.is_err() || org_error.get_untracked().is_some() {
            return;
        }
        let optional = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        pending.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = sign_up(
                first_name.get_untracked(),
                last_name.get_untracked(),
                email.get_untracked(),
                password.get_untracked(),
                optional(invite_code.get_untracked()),
                optional(organisation.get_untracked()),
            )
            .await;
            match result {
                Ok(SignUpOutcome::SignedIn(me)) => {
                    session.set(Some(me));
                    toasts.success("Welcome to Portico! Your account is ready.");
                    navigate("/dashboard", Default::default());
                }
                Ok(SignUpOutcome::AwaitingApproval { email }) => awaiting.set(Some(email)),
                Err(e @ (AppError::Internal(_) | AppError::Transport(_))) => toasts.error(e.to_string()),
                Err(e) => server_error.set(Some(e)),
            }
            pending.set(false);
        });
    };

    let form_error = move || {
        server_error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| {
            view! { <div class="alert alert-error" role="alert" data-testid="form-error">{e.to_string()}</div> }
        })
    };

    view! {
        <section class="auth-card card">
            <Show
                when=move || awaiting.get().is_none()
                fallback=move || view! {
                    <div class="pending-panel" data-testid="pending-approval">
                        <h1>"Almost there"</h1>
                        <p>
                            "Your account for " <strong>{awaiting.get().unwrap_or_default()}</strong>
                            " is waiting for an administrator's approval. "
                            "You can sign in as soon as it is approved."
                        </p>
                        <A href="/sign-in" attr:class="btn btn-ghost">"Go to sign in"</A>
                    </div>
                }
            >
                <h1>"Create your account"</h1>
                <p class="muted">"Get access to API products for your apps."</p>
                <form on:submit=submit.clone() novalidate>
                    {form_error}
                    <div class="field-row">
                        <Field id="first_name" label="First name" value=first_name error=first_error
                            autocomplete="given-name" on_blur=touch("first_name")/>
                        <Field id="last_name" label="Last name" value=last_name error=last_error
                            autocomplete="family-name" on_blur=touch("last_name")/>
                    </div>
                    <Field id="email" label="Email" value=email error=email_error kind="email"
                        autocomplete="email" on_blur=touch("email")/>
                    <Field id="password" label="Password" value=password error=password_error
                        kind="password" autocomplete="new-password" on_blur=touch("password")
                        hint="At least 8 characters. A passphrase of a few words is great."/>
                    <Field id="invite_code" label="Invite code (optional)" value=invite_code error=code_error
                        autocomplete="off" on_blur=touch("invite_code")
                        hint="From your organisation's administrator: it places you in their team."/>
                    <Show when=move || portal.org_registration()>
                        <Field id="organisation" label="Register an organisation (optional)" value=organisation
                            error=org_error autocomplete="organization" on_blur=touch("organisation")
                            hint="Your company's name. Once it is approved you become its super admin and can invite teammates."/>
                    </Show>
                    <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                        {move || if pending.get() { "Creating account…" } else { "Create account" }}
                    </button>
                </form>
                <p class="auth-switch">"Already have an account? " <A href="/sign-in">"Sign in"</A></p>
            </Show>
        </section>
    }
}
