//! Apps: the apps a developer shares with their organisation, each with what it may
//! call, its pending requests and its keys; and a form to make a new one.

use crate::api::apps::{create_app, list_my_apps};
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::{count, signed_in};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{AppError, AppInput, AppView, RequestStatus};

#[component]
pub fn AppsPage() -> impl IntoView {
    signed_in(|_| view! { <Apps/> })
}

#[component]
fn Apps() -> impl IntoView {
    let apps = RwSignal::new(None::<Result<Vec<AppView>, AppError>>);
    let reload = move || spawn_local(async move { apps.set(Some(list_my_apps().await)) });
    reload();

    view! {
        <div class="page-header">
            <div>
                <h1>"Apps"</h1>
                <p class="muted">"Your organisation's apps: what each may call, its requests waiting for review, and its API keys."</p>
            </div>
            <A href="/catalog" attr:class="btn btn-ghost">"Browse the catalog"</A>
        </div>
        <div class="grid-admin">
            <section class="card" aria-labelledby="apps-heading">
                <h2 id="apps-heading">"Your apps"</h2>
                {move || match apps.get() {
                    None => view! { <Loading label="Loading your apps…"/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <Empty title="No apps yet">
                            <p>
                                "No apps yet — " <A href="/catalog">"browse the catalog"</A>
                                ", add APIs to your cart and request access: an app is made for you on the way. "
                                "Or create one with the form."
                            </p>
                        </Empty>
                    }.into_any(),
                    Some(Ok(list)) => view! { <AppsTable apps=list/> }.into_any(),
                }}
            </section>
            <NewApp on_created=Callback::new(move |()| reload())/>
        </div>
    }
}

#[component]
fn AppsTable(apps: Vec<AppView>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="apps-table">
                <thead><tr>
                    <th scope="col">"App"</th>
                    <th scope="col">"Access"</th>
                    <th scope="col">"Keys"</th>
                    <th scope="col">"Created"</th>
                </tr></thead>
                <tbody>
                    {apps.into_iter().map(|app| view! { <AppRow app=app/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AppRow(app: AppView) -> impl IntoView {
    let href = format!("/apps/{}", app.id);
    let name = app.name.clone();
    let approved: Vec<_> = app
        .requests
        .iter()
        .filter(|r| r.status == RequestStatus::Approved)
        .map(|r| {
            let products = r.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
            (products, r.plan.name.clone())
        })
        .collect();
    let pending = app.requests.iter().filter(|r| r.status == RequestStatus::Pending).count();
    let working = app.keys.iter().filter(|k| k.status.works()).count();
    let keys = if working == 0 { "No keys".to_owned() } else { count(working as u64, "active key") };
    view! {
        <tr data-testid="app-row" data-app=app.name.clone()>
            <td>
                <A href=href attr:class="app-name">{name}</A>
                {(!app.description.is_empty()).then(|| view! { <div class="muted small clamp-2">{app.description.clone()}</div> })}
            </td>
            <td class="small">
                {if approved.is_empty() && pending == 0 {
                    view! { <span class="muted">"No access yet"</span> }.into_any()
                } else {
                    view! {
                        <ul class="access-list">
                            {approved.into_iter().map(|(products, plan)| view! {
                                <li data-testid="app-subscription">{products} " " <span class="muted">{format!("· {plan}")}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {(pending > 0).then(|| view! {
                    <span class="badge badge-pending badge-count" data-testid="pending-count">{format!("{pending} pending")}</span>
                })}
            </td>
            <td class="small" data-testid="key-count">{keys}</td>
            <td class="muted small">
                <div class="nowrap">{app.created_at.format("%Y-%m-%d").to_string()}</div>
                <div>{format!("by {}", app.created_by)}</div>
            </td>
        </tr>
    }
}

/// A new app, without access yet: requests are made from the cart.
#[component]
fn NewApp(on_created: Callback<()>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let message = move |field: &'static str| {
        Signal::derive(move || {
            let local = submitted
                .get()
                .then(|| AppInput::parse(&name.get(), &description.get()).err())
                .flatten()
                .and_then(|errors| errors.into_iter().find(|e| e.field == field).map(|e| e.message));
            local.or_else(|| server_error.with(|e| e.as_ref().and_then(|e| e.field_message(field))))
        })
    };
    let name_error = message("app_name");
    let description_error = message("app_description");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        submitted.set(true);
        server_error.set(None);
        let Ok(input) = AppInput::parse(&name.get_untracked(), &description.get_untracked()) else { return };
        busy.set(true);
        spawn_local(async move {
            match create_app(input.name.clone(), input.description).await {
                Ok(_) => {
                    toasts.success(format!("App {} created.", input.name));
                    submitted.set(false);
                    name.set(String::new());
                    description.set(String::new());
                    on_created.run(());
                }
                Err(e @ AppError::Invalid(_)) => server_error.set(Some(e)),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="new-app-heading" data-testid="new-app">
            <h2 id="new-app-heading">"New app"</h2>
            <p class="muted small">"An app holds the keys for the APIs it calls. Your organisation shares it."</p>
            <form on:submit=submit novalidate>
                <div class="field" class:field-invalid=move || name_error.get().is_some()>
                    <label for="new_app_name">"Name"</label>
                    <input id="new_app_name" name="app_name" type="text" autocomplete="off"
                        aria-invalid=move || name_error.get().is_some().to_string()
                        aria-describedby="new_app_name-error"
                        prop:value=move || name.get() on:input=move |ev| { server_error.set(None); name.set(event_target_value(&ev)); }/>
                    <p class="field-error" id="new_app_name-error">{move || name_error.get().unwrap_or_default()}</p>
                </div>
                <div class="field" class:field-invalid=move || description_error.get().is_some()>
                    <label for="new_app_description">"Description " <span class="muted">"(optional)"</span></label>
                    <textarea id="new_app_description" name="app_description" rows="3"
                        aria-invalid=move || description_error.get().is_some().to_string()
                        aria-describedby="new_app_description-error"
                        prop:value=move || description.get()
                        on:input=move |ev| { server_error.set(None); description.set(event_target_value(&ev)); }></textarea>
                    <p class="field-error" id="new_app_description-error">{move || description_error.get().unwrap_or_default()}</p>
                </div>
                <button type="submit" class="btn btn-primary" data-testid="create-app" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create app" }}
                </button>
            </form>
        </section>
    }
}
