//! The admin area's home: portal counts, every call the gateway answered over the past
//! seven days (refreshed every five seconds), the newest users, and where to go next.
//! The host refuses every call here to anyone but a portal admin.

use crate::api::admin::get_admin_overview;
use crate::api::usage::get_portal_usage;
use crate::components::admin_nav::AdminNav;
use crate::components::avatar::Avatar;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::usage_chart::UsageChart;
use crate::pages::{refresh_every, signed_in};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{AdminOverview, AppError, UsageSeries};

#[component]
pub fn AdminPage() -> impl IntoView {
    signed_in(|_| view! { <AdminNav/> <AdminHome/> })
}

#[component]
fn AdminHome() -> impl IntoView {
    let overview = RwSignal::new(None::<Result<AdminOverview, AppError>>);
    spawn_local(async move { overview.set(Some(get_admin_overview().await)) });

    move || match overview.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(o)) => {
            let pending = o.pending_users;
            view! {
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
            <PortalUsage/>
            <div class="grid-admin">
                <section class="card" aria-labelledby="recent-heading">
                    <h2 id="recent-heading">"Newest users"</h2>
                    <RecentUsers overview=o/>
                </section>
                <section class="card" aria-labelledby="next-heading">
                    <h2 id="next-heading">"Manage"</h2>
                    <ul class="link-list">
                        <li><A href="/admin/developers">"Developers and invitations"</A>
                            <span class="muted small">{format!(" — {pending} awaiting approval")}</span></li>
                        <li><A href="/admin/outbox">"Outbox"</A><span class="muted small">" — every mail sent"</span></li>
                        <li><A href="/admin/settings">"Settings"</A>
                            <span class="muted small">" — registrations, portal name, email templates"</span></li>
                    </ul>
                </section>
            </div>
        }.into_any()
        }
    }
}

/// Every call the portal answered, allowed and denied, over the past seven days.
#[component]
fn PortalUsage() -> impl IntoView {
    let usage = RwSignal::new(None::<Result<UsageSeries, AppError>>);
    let load = move || spawn_local(async move { usage.set(Some(get_portal_usage().await)) });
    load();
    refresh_every(5, load);
    let series = Signal::derive(move || usage.with(|u| u.as_ref().and_then(|r| r.as_ref().ok()).cloned()));
    view! {
        <section class="card admin-section" aria-labelledby="portal-usage-heading">
            <h2 id="portal-usage-heading">"API calls, past 7 days"</h2>
            {move || match usage.get() {
                None => view! { <Loading label="Loading usage…"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(_)) => ().into_any(),
            }}
            <Show when=move || series.with(Option::is_some)>
                <UsageChart series=series label=Signal::derive(|| "Calls to every API of the portal".to_owned())/>
            </Show>
        </section>
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
