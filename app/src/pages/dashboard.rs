//! The developer's home: API usage over the past seven days (all apps, one app or one
//! key; allowed vs denied), every key's plan, rate limit and quota meter, and the
//! account summary. The figures refresh every five seconds while the page is open.

use crate::api::usage::get_my_usage;
use crate::components::avatar::Avatar;
use crate::components::key_usage::KeyUsageTable;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::usage_chart::UsageChart;
use crate::pages::{refresh_every, signed_in};
use crate::session::Portal;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{ApiKeyId, AppError, AppId, Me, UsageDashboard};

/// How often the figures are read again.
const REFRESH_SECS: u64 = 5;

#[component]
pub fn DashboardPage() -> impl IntoView {
    signed_in(move |me| {
        view! {
            <div class="page-header">
                <div>
                    <h1>"Dashboard"</h1>
                    <p class="muted">{format!("Welcome, {}.", me.first_name)}</p>
                </div>
            </div>
            <Usage/>
            <AccountCard me=me/>
        }
    })
}

#[component]
fn Usage() -> impl IntoView {
    let app = RwSignal::new(None::<AppId>);
    let key = RwSignal::new(None::<ApiKeyId>);
    let data = RwSignal::new(None::<Result<UsageDashboard, AppError>>);
    // Answers to older requests are dropped, so a slow answer cannot overwrite a newer one.
    let seq = StoredValue::new(0u64);
    let load = move || {
        let n = seq.get_value() + 1;
        seq.set_value(n);
        let (app, key) = (app.get_untracked(), key.get_untracked());
        spawn_local(async move {
            let result = get_my_usage(app, key).await;
            if seq.get_value() == n {
                data.set(Some(result));
            }
        });
    };
    load();
    refresh_every(REFRESH_SECS, load);
    let series = Signal::derive(move || {
        data.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.series.clone()))
    });
    let scope_label = move || match (app.get(), key.get()) {
        (_, Some(_)) => "Calls with this key",
        (Some(_), None) => "Calls to this app",
        (None, None) => "Calls to all your apps",
    };

    view! {
        <section class="card usage-card" aria-labelledby="usage-heading">
            <div class="section-head">
                <div>
                    <h2 id="usage-heading">"API usage, past 7 days"</h2>
                    <p class="muted small" data-testid="usage-as-of">
                        {move || data.with(|d| match d {
                            Some(Ok(d)) => format!("Updated {} UTC · refreshes every {REFRESH_SECS} s", d.as_of.format("%H:%M:%S")),
                            _ => String::new(),
                        })}
                    </p>
                </div>
                <UsageFilters data=data app=app key=key on_change=Callback::new(move |()| load())/>
            </div>
            {move || match data.get() {
                None => view! { <Loading label="Loading usage…"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(d)) if d.apps.is_empty() => view! {
                    <Empty title="No API usage yet">
                        <p>"Browse the catalog, request access to an API product, and your calls will show here within seconds."</p>
                        <p><A href="/catalog" attr:class="btn btn-primary">"Browse the catalog"</A></p>
                    </Empty>
                }.into_any(),
                Some(Ok(_)) => ().into_any(),
            }}
            <Show when=move || data.with(|d| matches!(d, Some(Ok(d)) if !d.apps.is_empty()))>
                <UsageChart series=series label=Signal::derive(move || scope_label().to_owned())/>
            </Show>
        </section>
        <section class="card admin-section" aria-labelledby="keys-heading">
            <h2 id="keys-heading">"Keys, limits and quotas"</h2>
            {move || match data.get() {
                Some(Ok(d)) if d.keys.is_empty() => view! {
                    <Empty title="No keys yet">
                        <p>"Once an access request is approved, its keys and their quotas appear here."</p>
                    </Empty>
                }.into_any(),
                Some(Ok(d)) => view! { <KeyUsageTable keys=d.keys as_of=d.as_of/> }.into_any(),
                Some(Err(_)) => ().into_any(),
                None => view! { <Loading label="Loading keys…"/> }.into_any(),
            }}
        </section>
    }
}

/// App and key pickers; a key list narrowed to the chosen app.
#[component]
fn UsageFilters(
    data: RwSignal<Option<Result<UsageDashboard, AppError>>>,
    app: RwSignal<Option<AppId>>,
    key: RwSignal<Option<ApiKeyId>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let loaded = move || data.with(|d| matches!(d, Some(Ok(d)) if !d.apps.is_empty()));
    let apps = move || {
        data.with(|d| match d {
            Some(Ok(d)) => d.apps.clone(),
            _ => Vec::new(),
        })
    };
    let keys = move || {
        data.with(|d| match d {
            Some(Ok(d)) => {
                d.keys.iter().filter(|k| app.get().is_none_or(|a| a == k.app_id)).cloned().collect()
            }
            _ => Vec::new(),
        })
    };
    let parse = |v: String| (!v.is_empty()).then(|| v.parse::<uuid::Uuid>().ok()).flatten();
    view! {
        <Show when=loaded>
            <div class="usage-filters">
                <div class="field inline-field">
                    <label for="usage-app">"App"</label>
                    <select id="usage-app" data-testid="usage-app"
                        on:change=move |ev| {
                            app.set(parse(event_target_value(&ev)).map(AppId));
                            key.set(None);
                            on_change.run(());
                        }>
                        <option value="" selected=move || app.get().is_none()>"All apps"</option>
                        {move || apps().into_iter().map(|a| {
                            let id = a.id;
                            view! { <option value=a.id.to_string() selected=move || app.get() == Some(id)>{a.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field inline-field">
                    <label for="usage-key">"Key"</label>
                    <select id="usage-key" data-testid="usage-key"
                        on:change=move |ev| {
                            key.set(parse(event_target_value(&ev)).map(ApiKeyId));
                            on_change.run(());
                        }>
                        <option value="" selected=move || key.get().is_none()>"All keys"</option>
                        {move || keys().into_iter().map(|k: portico_model::KeyUsage| {
                            let id = k.id;
                            let label = format!("{}… · {}", k.prefix, k.app_name);
                            view! { <option value=k.id.to_string() selected=move || key.get() == Some(id)>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
        </Show>
    }
}

#[component]
fn AccountCard(me: Me) -> impl IntoView {
    let portal = Portal::use_portal();
    let status = me.status.label();
    // Individuals may register an organisation of their own (when the portal allows).
    let individual = me.org_is_default && !me.is_admin();
    view! {
        <section class="card admin-section" aria-labelledby="account-heading">
            <h2 id="account-heading">"Your account"</h2>
            <div class="profile-row">
                <Avatar initials=me.initials() seed=me.email.clone() size="avatar-lg"/>
                <dl class="facts">
                    <dt>"Name"</dt><dd>{me.display_name()}</dd>
                    <dt>"Email"</dt><dd>{me.email.clone()}</dd>
                    <dt>"Organisation"</dt>
                    <dd>
                        {if me.org_is_default { "Individual developer".to_owned() } else {
                            format!("{} ({})", me.org_name, me.org_role.label())
                        }}
                    </dd>
                    <dt>"Status"</dt><dd><span class=format!("badge badge-{status}")>{status}</span></dd>
                    <dt>"Developer ID"</dt><dd><code>{me.id.to_string()}</code></dd>
                </dl>
            </div>
            {move || (individual && portal.org_registration()).then(|| view! {
                <p class="card-actions">
                    <A href="/organisation" attr:class="btn btn-ghost" attr:data-testid="create-org-link">
                        "Create an organisation"
                    </A>
                </p>
            })}
        </section>
    }
}
