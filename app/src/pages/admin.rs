//! The admin area's home: portal counts, newest users and the portal settings.
//! The host refuses every call here to anyone but a portal admin.

use crate::api::admin::{get_admin_overview, get_portal_settings, update_portal_settings};
use crate::components::avatar::Avatar;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AdminOverview, AppError, PortalSettings};

#[component]
pub fn AdminPage() -> impl IntoView {
    signed_in(|_| view! { <AdminHome/> })
}

#[component]
fn AdminHome() -> impl IntoView {
    let overview = RwSignal::new(None::<Result<AdminOverview, AppError>>);
    spawn_local(async move { overview.set(Some(get_admin_overview().await)) });

    move || {
        match overview.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(o)) => view! {
            <div class="page-header">
                <div>
                    <h1>"Admin"</h1>
                    <p class="muted">"Everything happening on your portal."</p>
                </div>
            </div>
            <div class="stats" data-testid="admin-stats">
                <div class="card stat"><span class="stat-value">{o.users}</span><span class="stat-label">"Users"</span></div>
                <div class="card stat">
                    <span class="stat-value">{o.pending_users}</span>
                    <span class="stat-label">"Awaiting approval"</span>
                </div>
                <div class="card stat"><span class="stat-value">{o.organisations}</span><span class="stat-label">"Organisations"</span></div>
            </div>
            <div class="grid-admin">
                <section class="card" aria-labelledby="recent-heading">
                    <h2 id="recent-heading">"Newest users"</h2>
                    <RecentUsers overview=o/>
                </section>
                <section class="card" aria-labelledby="settings-heading">
                    <h2 id="settings-heading">"Settings"</h2>
                    <SettingsForm/>
                </section>
            </div>
        }.into_any(),
    }
    }
}

#[component]
fn RecentUsers(overview: AdminOverview) -> impl IntoView {
    if overview.recent_users.is_empty() {
        return view! { <Empty title="No users yet"><p>"New sign-ups will show here."</p></Empty> }
            .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr><th scope="col">"User"</th><th scope="col">"Organisation"</th>
                        <th scope="col">"Status"</th><th scope="col">"Joined"</th></tr>
                </thead>
                <tbody>
                    {overview.recent_users.into_iter().map(|u| {
                        let status = u.status.label();
                        let initials: String = u.name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
                        view! {
                            <tr>
                                <td>
                                    <div class="user-cell">
                                        <Avatar initials=initials seed=u.email.clone() size="avatar-sm"/>
                                        <div><div>{u.name.clone()}</div><div class="muted small">{u.email.clone()}</div></div>
                                    </div>
                                </td>
                                <td>{u.org_name.clone()}</td>
                                <td><span class=format!("badge badge-{status}")>{status}</span></td>
                                <td class="muted small">{u.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }.into_any()
}

#[component]
fn SettingsForm() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let loaded = RwSignal::new(None::<Result<PortalSettings, AppError>>);
    let name = RwSignal::new(String::new());
    let auto_approve = RwSignal::new(true);
    let saving = RwSignal::new(false);
    let name_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        let result = get_portal_settings().await;
        if let Ok(s) = &result {
            name.set(s.portal_name.clone());
            auto_approve.set(s.auto_approve_registrations);
        }
        loaded.set(Some(result));
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        name_error.set(None);
        let wanted = PortalSettings {
            portal_name: name.get_untracked(),
            auto_approve_registrations: auto_approve.get_untracked(),
        };
        spawn_local(async move {
            match update_portal_settings(wanted).await {
                Ok(saved) => {
                    name.set(saved.portal_name);
                    auto_approve.set(saved.auto_approve_registrations);
                    toasts.success("Settings saved.");
                }
                Err(e) => match e.field_message("portal_name") {
                    Some(m) => name_error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            saving.set(false);
        });
    };

    move || {
        match loaded.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(_)) => view! {
            <form on:submit=save class="settings-form">
                <crate::components::field::Field id="portal_name" label="Portal name" value=name error=name_error/>
                <div class="field field-check">
                    <input type="checkbox" id="auto_approve" name="auto_approve"
                        prop:checked=move || auto_approve.get()
                        on:change=move |ev| auto_approve.set(event_target_checked(&ev))/>
                    <label for="auto_approve">"Auto-approve developer registrations"</label>
                </div>
                <p class="field-hint">"When off, new accounts wait for an administrator's approval before they can sign in."</p>
                <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save settings" }}
                </button>
            </form>
        }.into_any(),
    }
    }
}
