//! The "Add user" panel: a password now XOR an invitation email, chosen explicitly.

use super::UsersState;
use crate::api::organisations::list_organisations;
use crate::api::users::add_user;
use crate::components::field::Field;
use crate::components::toast::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AddUserOutcome, AppError, Email, OrgId, OrgStatus, OrgSummary, Password, PersonName};

#[component]
pub(super) fn AddUserPanel(state: UsersState, on_close: Callback<()>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let credential = RwSignal::new(Credential::Invite);
    let must_change = RwSignal::new(true);
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    // Where the user goes: an active organisation; none chosen means the default one.
    let orgs = RwSignal::new(Vec::<OrgSummary>::new());
    let org = RwSignal::new(None::<OrgId>);
    spawn_local(async move {
        match list_organisations(None, Some(OrgStatus::Active)).await {
            Ok(list) => orgs.set(list),
            Err(e) => toasts.error(e.to_string()),
        }
    });
    let org_error = move || server_error.get().and_then(|e| e.field_message("org"));

    // The local rule once the form was submitted; otherwise what the server said.
    let message = move |field: &'static str, local: Option<String>| {
        submitted
            .get()
            .then_some(local)
            .flatten()
            .or_else(|| server_error.get().and_then(|e| e.field_message(field)))
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
        let local = match credential.get() {
            Credential::Password => Password::parse(&password.get()).err().map(|e| e.message),
            Credential::Invite => None,
        };
        message("password", local)
    });
    let credential_error = move || server_error.get().and_then(|e| e.field_message("credential"));
    // A refusal that names none of the fields above (a duplicate email, say).
    let form_error = move || {
        server_error
            .get()
            .filter(|e| ADD_USER_FIELDS.iter().all(|f| e.field_message(f).is_none()))
            .map(|e| view! { <div class="alert alert-error" role="alert" data-testid="add-user-error">{e.to_string()}</div> })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_error.set(None);
        let invalid = first_error.get_untracked().is_some()
            || last_error.get_untracked().is_some()
            || email_error.get_untracked().is_some()
            || password_error.get_untracked().is_some();
        if invalid {
            return;
        }
        // Exactly one of the two: a password, or an invitation email.
        let (pw, must, invite) = match credential.get_untracked() {
            Credential::Invite => (None, false, true),
            Credential::Password => (Some(password.get_untracked()), must_change.get_untracked(), false),
        };
        saving.set(true);
        spawn_local(async move {
            let result = add_user(
                first_name.get_untracked().trim().to_owned(),
                last_name.get_untracked().trim().to_owned(),
                email.get_untracked().trim().to_owned(),
                pw,
                must,
                invite,
                org.get_untracked(),
            )
            .await;
            saving.set(false);
            match result {
                Ok(outcome) => {
                    toasts.success(match outcome {
                        AddUserOutcome::Invited { email } => format!("Invitation sent to {email}."),
                        AddUserOutcome::Created(user) => format!("User {} created.", user.name),
                    });
                    state.reload_all();
                    on_close.run(());
                }
                Err(e @ (AppError::Internal(_) | AppError::Transport(_))) => toasts.error(e.to_string()),
                Err(e) => server_error.set(Some(e)),
            }
        });
    };

    let radio = move |id: &'static str, value: Credential, label: &'static str, hint: &'static str| {
        view! {
            <div class="radio-option">
                <input type="radio" id=id name="credential" value=id
                    prop:checked=move || credential.get() == value
                    on:change=move |_| credential.set(value)
                    aria-describedby=format!("{id}-hint")/>
                <div>
                    <label for=id>{label}</label>
                    <p class="field-hint" id=format!("{id}-hint")>{hint}</p>
                </div>
            </div>
        }
    };

    view! {
        <section class="card admin-section add-user" aria-labelledby="add-user-heading" data-testid="add-user-panel">
            <h2 id="add-user-heading">"Add user"</h2>
            <form on:submit=submit novalidate>
                {form_error}
                <div class="field-row">
                    <Field id="first_name" label="First name" value=first_name error=first_error autocomplete="off"/>
                    <Field id="last_name" label="Last name" value=last_name error=last_error autocomplete="off"/>
                </div>
                <Field id="email" label="Email" value=email error=email_error kind="email" autocomplete="off"/>
                <div class="field" class:field-invalid=move || org_error().is_some()>
                    <label for="add_user_org">"Organisation"</label>
                    <select id="add_user_org" aria-describedby="add_user_org-error"
                        on:change=move |ev| org.set(event_target_value(&ev).parse().ok())>
                        {move || orgs.get().into_iter().map(|o| {
                            // The default organisation (individual developers) comes first.
                            let value = if o.is_default { String::new() } else { o.id.to_string() };
                            let label = if o.is_default { format!("{} (individual developers)", o.name) } else { o.name.clone() };
                            view! { <option value=value selected=o.is_default>{label}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="add_user_org-error">{move || org_error().unwrap_or_default()}</p>
                </div>
                <fieldset class="radio-group" aria-describedby="credential-error">
                    <legend>"How will they sign in?"</legend>
                    {radio("credential_invite", Credential::Invite, "Send an invitation email",
                        "They get a single-use link to choose their own password.")}
                    {radio("credential_password", Credential::Password, "Set a password now",
                        "You tell them the password yourself; no email is sent.")}
                    <p class="field-error" id="credential-error">{move || credential_error().unwrap_or_default()}</p>
                </fieldset>
                <Show when=move || credential.get() == Credential::Password>
                    <div class="credential-password">
                        <Field id="password" label="Password" value=password error=password_error
                            kind="password" autocomplete="new-password" hint="At least 8 characters."/>
                        <div class="field field-check">
                            <input type="checkbox" id="must_change" name="must_change"
                                prop:checked=move || must_change.get()
                                on:change=move |ev| must_change.set(event_target_checked(&ev))/>
                            <label for="must_change">"Must change password at next sign-in"</label>
                        </div>
                    </div>
                </Show>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                        {move || match (saving.get(), credential.get()) {
                            (true, _) => "Adding…",
                            (false, Credential::Invite) => "Send invitation",
                            (false, Credential::Password) => "Create user",
                        }}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </section>
    }
}

/// How the new user gets their first password.
#[derive(Clone, Copy, PartialEq)]
enum Credential {
    Invite,
    Password,
}

/// The fields of "Add user" whose errors show beside them.
const ADD_USER_FIELDS: [&str; 6] = ["first_name", "last_name", "email", "password", "credential", "org"];
