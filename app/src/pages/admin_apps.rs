//! Admin → Apps: every organisation's apps with their subscriptions and keys' status.

use crate::api::catalog::list_all_apps;
use crate::components::admin_nav::AdminNav;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{AppError, AppView, KeyStatus, RequestStatus};

#[component]
pub fn AdminAppsPage() -> impl IntoView {
    signed_in(|_| view! { <AdminNav/> <Apps/> })
}

#[component]
fn Apps() -> impl IntoView {
    let apps = RwSignal::new(None::<Result<Vec<AppView>, AppError>>);
    spawn_local(async move { apps.set(Some(list_all_apps().await)) });
    let search = RwSignal::new(String::new());

    view! {
        <div class="page-header">
            <div>
                <h1>"Apps"</h1>
                <p class="muted">"Every organisation's apps, what they subscribe to and the state of their keys."</p>
            </div>
        </div>
        <section class="card admin-section" aria-labelledby="apps-heading">
            <h2 id="apps-heading">"All apps"</h2>
            <div class="field">
                <label for="app_filter">"Filter"</label>
                <input id="app_filter" type="search" placeholder="Part of an app's or an organisation's name"
                    data-testid="app-filter"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            {move || match apps.get() {
                None => view! { <Loading label="Loading apps…"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <Empty title="No apps yet">
                        <p>"Developers create an app when they request access to products in the catalog."</p>
                    </Empty>
                }.into_any(),
                Some(Ok(list)) => {
                    let needle = search.get().trim().to_lowercase();
                    let shown: Vec<_> = list
                        .into_iter()
                        .filter(|a| {
                            needle.is_empty()
                                || a.name.to_lowercase().contains(&needle)
                                || a.organisation.to_lowercase().contains(&needle)
                        })
                        .collect();
                    if shown.is_empty() {
                        view! {
                            <Empty title="No apps match"><p>"Try another app or organisation name."</p></Empty>
                        }.into_any()
                    } else {
                        view! { <AppsTable apps=shown/> }.into_any()
                    }
                }
            }}
        </section>
    }
}

#[component]
fn AppsTable(apps: Vec<AppView>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="apps-table">
                <thead><tr>
                    <th scope="col">"App"</th>
                    <th scope="col">"Organisation"</th>
                    <th scope="col">"Created by"</th>
                    <th scope="col">"Subscriptions"</th>
                    <th scope="col">"Keys"</th>
                </tr></thead>
                <tbody>
                    {apps.into_iter().map(|a| {
                        let subscriptions: Vec<_> =
                            a.requests.iter().filter(|r| r.status == RequestStatus::Approved).cloned().collect();
                        let pending = a.requests.iter().filter(|r| r.status == RequestStatus::Pending).count();
                        let keys = [KeyStatus::Active, KeyStatus::ExpiringSoon, KeyStatus::Expired, KeyStatus::Revoked]
                            .into_iter()
                            .map(|s| (s, a.keys.iter().filter(|k| k.status == s).count()))
                            .filter(|(_, n)| *n > 0)
                            .collect::<Vec<_>>();
                        view! {
                            <tr data-testid="app-row">
                                <td>
                                    <A href=format!("/apps/{}", a.id)>{a.name.clone()}</A>
                                    {(!a.description.is_empty()).then(|| view! {
                                        <div class="muted small clamp-1">{a.description.clone()}</div>
                                    })}
                                </td>
                                <td>
                                    <div>{a.organisation.clone()}</div>
                                    {(!a.shared).then(|| view! { <div class="muted small">"individual developer's app"</div> })}
                                </td>
                                <td>
                                    <div class="small">{a.created_by.clone()}</div>
                                    <div class="muted small">{a.created_at.format("%Y-%m-%d").to_string()}</div>
                                </td>
                                <td>
                                    {if subscriptions.is_empty() {
                                        view! { <span class="muted small">"None yet"</span> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="subscription-list">
                                                {subscriptions.into_iter().map(|r| {
                                                    let products = r.products.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
                                                    view! {
                                                        <li data-testid="app-subscription">
                                                            <span>{r.catalog.name.clone()}</span>
                                                            " · " <strong>{r.plan.name.clone()}</strong>
                                                            <div class="muted small">{products}</div>
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    {(pending > 0).then(|| view! {
                                        <A href="/admin/access-requests" attr:class="small">
                                            {if pending == 1 { "1 request pending".to_owned() } else { format!("{pending} requests pending") }}
                                        </A>
                                    })}
                                </td>
                                <td>
                                    {if keys.is_empty() {
                                        view! { <span class="muted small">"No keys"</span> }.into_any()
                                    } else {
                                        view! {
                                            <div class="key-counts">
                                                {keys.into_iter().map(|(s, n)| view! {
                                                    <span class=format!("badge badge-{}", s.slug())
                                                        data-testid=format!("key-count-{}", s.slug())>
                                                        {format!("{n} {}", s.label())}
                                                    </span>
                                                }).collect_view()}
                                            </div>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
