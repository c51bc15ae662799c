//! The danger zone: delete a developer. The dialog lists exactly what will go (apps,
//! keys, pending requests, memberships, invitations, sessions), offers deactivation
//! instead, and asks for the developer's email address to confirm.

use super::ProfileState;
use crate::api::developers::{delete_developer, get_delete_preview};
use crate::api::users::deactivate_user;
use crate::components::states::{ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::count;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portico_model::{AccountStatus, AppError, DeletePreview, DeveloperProfile};

#[component]
pub(super) fn DangerZone(profile: DeveloperProfile, state: ProfileState) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <section class="card danger-zone" aria-labelledby="danger-heading">
            <h2 id="danger-heading">"Delete developer"</h2>
            <p class="small">"Deleting removes the account and stops every key they made. Usage history stays for the portal's totals."</p>
            <button type="button" class="btn btn-danger" data-testid="delete-developer"
                aria-expanded=move || open.get().to_string() on:click=move |_| open.set(true)>
                "Delete…"
            </button>
            <Show when=move || open.get()>
                <DeleteDialog profile=profile.clone() state=state on_close=Callback::new(move |()| open.set(false))/>
            </Show>
        </section>
    }
}

#[component]
fn DeleteDialog(profile: DeveloperProfile, state: ProfileState, on_close: Callback<()>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let preview = RwSignal::new(None::<Result<DeletePreview, AppError>>);
    let id = profile.id;
    spawn_local(async move { preview.set(Some(get_delete_preview(id).await)) });
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let email = profile.email.clone();
    let matches = {
        let email = email.clone();
        move || typed.get().trim().eq_ignore_ascii_case(&email)
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match delete_developer(id, typed.get_untracked()).await {
                Ok(gone) => {
                    toasts.success(format!(
                        "{} was deleted; {} stopped working.",
                        gone.email,
                        count(u64::from(gone.keys), "key")
                    ));
                    navigate("/admin/developers", Default::default());
                }
                Err(e) => match e.field_message("confirm") {
                    Some(m) => error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            busy.set(false);
        });
    };
    let deactivate = move |_| {
        busy.set(true);
        spawn_local(async move {
            match deactivate_user(id).await {
                Ok(()) => {
                    toasts.success("Deactivated instead: their keys stop working, nothing is deleted.");
                    on_close.run(());
                    state.reload();
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let can_deactivate = profile.status == AccountStatus::Active;
    view! {
        <div class="dialog" role="dialog" aria-modal="false" aria-labelledby="delete-dialog-title" data-testid="delete-dialog"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { on_close.run(()) }>
            <h3 id="delete-dialog-title">{format!("Delete {}?", profile.display_name())}</h3>
            {move || match preview.get() {
                None => view! { <Loading label="Finding what would go…"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(p)) => view! { <PreviewList preview=p/> }.into_any(),
            }}
            {can_deactivate.then(|| view! {
                <p class="small">"Not sure? Deactivating stops their keys too, keeps everything, and can be undone."
                    " " <button type="button" class="btn btn-ghost btn-sm" data-testid="deactivate-instead"
                        disabled=move || busy.get() on:click=deactivate>"Deactivate instead"</button></p>
            })}
            <form on:submit=confirm novalidate>
                <div class="field" class:field-invalid=move || error.get().is_some()>
                    <label for="delete_confirm">{format!("Type {email} to confirm")}</label>
                    <input id="delete_confirm" type="text" autocomplete="off" spellcheck="false"
                        data-testid="delete-confirm" prop:value=move || typed.get()
                        on:input=move |ev| { typed.set(event_target_value(&ev)); error.set(None); }
                        aria-invalid=move || error.get().is_some().to_string() aria-describedby="delete_confirm-error"/>
                    <p class="field-error" id="delete_confirm-error">{move || error.get().unwrap_or_default()}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-danger" data-testid="confirm-delete"
                        disabled={let matches = matches.clone(); move || busy.get() || !matches()}>
                        {move || if busy.get() { "Deleting…" } else { "Delete developer" }}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </div>
    }
}

/// What would go, in words.
#[component]
fn PreviewList(preview: DeletePreview) -> impl IntoView {
    let apps = if preview.apps.is_empty() {
        "No apps of their own (apps shared with the organisation stay).".to_owned()
    } else {
        format!("{}: {}", count(preview.apps.len() as u64, "app"), preview.apps.join(", "))
    };
    let memberships = if preview.memberships.is_empty() {
        "No team memberships.".to_owned()
    } else {
        format!("Team memberships: {}", preview.memberships.join("; "))
    };
    view! {
        <ul class="delete-preview" data-testid="delete-preview">
            <li data-testid="preview-apps">{apps}</li>
            <li data-testid="preview-keys">{format!("{} revoked", count(u64::from(preview.keys), "key"))}</li>
            <li>{format!("{} cancelled", count(u64::from(preview.pending_requests), "pending request"))}</li>
            <li>{memberships}</li>
            <li>{format!("{} revoked", count(u64::from(preview.invitations), "open invitation"))}</li>
            <li>{format!("{} ended", count(u64::from(preview.sessions), "session"))}</li>
        </ul>
    }
}
