//! The developer's fields: first and last name, email, username. Checked as typed with
//! the same rules the host applies; saving never touches their keys.

use super::ProfileState;
use crate::api::developers::update_developer;
use crate::components::field::Field;
use crate::components::toast::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{DeveloperEdit, DeveloperProfile};

#[component]
pub(super) fn Details(profile: DeveloperProfile, state: ProfileState) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let first = RwSignal::new(profile.first_name.clone());
    let last = RwSignal::new(profile.last_name.clone());
    let email = RwSignal::new(profile.email.clone());
    let username = RwSignal::new(profile.username.clone().unwrap_or_default());
    let errors: [(&'static str, RwSignal<Option<String>>); 4] = [
        ("first_name", RwSignal::new(None)),
        ("last_name", RwSignal::new(None)),
        ("email", RwSignal::new(None)),
        ("username", RwSignal::new(None)),
    ];
    let error_of =
        move |field: &str| errors.iter().find(|(f, _)| *f == field).map(|(_, s)| *s).unwrap_or(errors[0].1);
    let saving = RwSignal::new(false);
    let edit = move || DeveloperEdit {
        first_name: first.get_untracked(),
        last_name: last.get_untracked(),
        email: email.get_untracked(),
        username: username.get_untracked(),
    };
    let check = move || {
        for (_, e) in errors {
            e.set(None);
        }
        match edit().parse() {
            Ok(_) => true,
            Err(list) => {
                for fe in list {
                    error_of(&fe.field).set(Some(fe.message));
                }
                false
            }
        }
    };
    let id = profile.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !check() {
            return;
        }
        saving.set(true);
        spawn_local(async move {
            match update_developer(id, edit()).await {
                Ok(p) => {
                    toasts.success(format!("{} saved.", p.display_name()));
                    state.profile.set(Some(Ok(p)));
                }
                Err(e) => {
                    let mut shown = false;
                    for (field, signal) in errors {
                        if let Some(m) = e.field_message(field) {
                            signal.set(Some(m));
                            shown = true;
                        }
                    }
                    if !shown {
                        toasts.error(e.to_string());
                    }
                }
            }
            saving.set(false);
        });
    };
    let blur = Callback::new(move |()| {
        check();
    });
    view! {
        <section class="card" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            <form on:submit=submit novalidate data-testid="developer-form">
                <div class="field-row">
                    <Field id="dev_first_name" label="First name" value=first error=error_of("first_name") on_blur=blur/>
                    <Field id="dev_last_name" label="Last name" value=last error=error_of("last_name") on_blur=blur/>
                </div>
                <Field id="dev_email" label="Email" kind="email" value=email error=error_of("email") on_blur=blur/>
                <Field id="dev_username" label="Username" value=username error=error_of("username") on_blur=blur
                    hint="Optional: 3 to 32 letters, digits, '.', '_' or '-'."/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || saving.get() data-testid="save-developer">
                        {move || if saving.get() { "Saving…" } else { "Save changes" }}
                    </button>
                    <span class="field-hint">"Editing never changes the developer's API keys."</span>
                </div>
            </form>
        </section>
    }
}
