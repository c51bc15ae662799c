//! Admin → Developers → one developer (`/admin/developers/:id`): avatar, names,
//! username, email, organisation and teams, role, registration status and how long,
//! developer ID; editing every field (never the keys); activate / deactivate; custom
//! attributes; apps and subscriptions with change-plan and revoke; the usage graph with
//! a per-key drill-down; the audit entries about them; and delete, with a preview of
//! exactly what goes. The host refuses every call here to anyone but a portal admin.

mod attributes;
mod delete;
mod details;
mod subscriptions;

use crate::api::developers::get_developer;
use crate::api::usage::get_developer_usage;
use crate::api::users::{activate_user, approve_user, deactivate_user};
use crate::components::admin_nav::AdminNav;
use crate::components::audit::AuditList;
use crate::components::avatar::{Avatar, initials};
use crate::components::key_usage::KeyUsageTable;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::components::usage_chart::UsageChart;
use crate::pages::signed_in;
use attributes::Attributes;
use delete::DangerZone;
use details::Details;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use portico_model::{
    AccountStatus, ApiKeyId, AppError, DeveloperProfile, PortalRole, UsageDashboard, UserId,
};
use subscriptions::{Apps, Subscriptions};

#[component]
pub fn AdminDeveloperPage() -> impl IntoView {
    signed_in(|me| view! { <AdminNav/> <Developer me=me.id/> })
}

/// The loaded profile, shared by the page's parts; `reload` asks for it again.
#[derive(Clone, Copy)]
pub(super) struct ProfileState {
    pub(super) profile: RwSignal<Option<Result<DeveloperProfile, AppError>>>,
    id: Memo<Option<UserId>>,
}

impl ProfileState {
    pub(super) fn reload(self) {
        let Some(id) = self.id.get_untracked() else {
            self.profile.set(Some(Err(AppError::NotFound)));
            return;
        };
        spawn_local(async move { self.profile.set(Some(get_developer(id).await)) });
    }
}

#[component]
fn Developer(me: UserId) -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse().ok())));
    let state = ProfileState { profile: RwSignal::new(None), id };
    Effect::new(move |_| {
        id.track();
        state.reload();
    });
    view! {
        <p class="back-link"><A href="/admin/developers">"← Developers"</A></p>
        {move || match state.profile.get() {
            None => view! { <Loading label="Loading the developer…"/> }.into_any(),
            Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
            Some(Ok(p)) => view! { <Profile profile=p state=state me=me/> }.into_any(),
        }}
    }
}

#[component]
fn Profile(profile: DeveloperProfile, state: ProfileState, me: UserId) -> impl IntoView {
    let status = profile.status.label();
    let is_developer = profile.role == PortalRole::Developer;
    view! {
        <div class="page-header developer-header">
            <div class="profile-row">
                <Avatar initials=initials(&profile.display_name()) seed=profile.email.clone() size="avatar-lg"
                    gravatar=profile.gravatar_hash.clone()/>
                <div>
                    <h1 data-testid="developer-name">{profile.display_name()}</h1>
                    <p class="muted">
                        {profile.email.clone()}
                        {profile.username.clone().map(|u| format!(" · @{u}"))}
                    </p>
                    <p>
                        <span class=format!("badge badge-{status}") data-testid="developer-status">{status}</span>
                        " "
                        <span class="muted small" data-testid="developer-status-line">{profile.status_line()}</span>
                    </p>
                </div>
            </div>
        </div>
        <div class="grid-admin">
            <div class="stack">
                <Details profile=profile.clone() state=state/>
                {is_developer.then(|| view! {
                    <Attributes id=profile.id attributes=profile.attributes.clone()/>
                    <DeveloperUsage id=profile.id/>
                    <Subscriptions subscriptions=profile.subscriptions.clone() state=state/>
                    <Apps apps=profile.apps.clone()/>
                })}
            </div>
            <div class="stack">
                <StatusCard profile=profile.clone() state=state me=me/>
                <OrganisationCard profile=profile.clone()/>
                <section class="card" aria-labelledby="audit-heading">
                    <h2 id="audit-heading">"History"</h2>
                    <AuditList entries=profile.audit.clone() compact=true/>
                </section>
                {is_developer.then(|| view! { <DangerZone profile=profile.clone() state=state/> })}
            </div>
        </div>
    }
}

/// Facts about the account and the status buttons that fit it.
#[component]
fn StatusCard(profile: DeveloperProfile, state: ProfileState, me: UserId) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let busy = RwSignal::new(false);
    let id = profile.id;
    let name = profile.display_name();
    let act = move |what: &'static str| {
        busy.set(true);
        let name = name.clone();
        spawn_local(async move {
            let result = match what {
                "approve" => approve_user(id).await,
                "deactivate" => deactivate_user(id).await,
                _ => activate_user(id).await,
            };
            match result {
                Ok(()) => {
                    toasts.success(match what {
                        "approve" => format!("{name} is approved."),
                        "deactivate" => format!("{name} is deactivated: their keys stop working now."),
                        _ => format!("{name} is active again; their keys work again."),
                    });
                    state.reload();
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let button = {
        let act = act.clone();
        move |label: &'static str, what: &'static str, class: &'static str| {
            let act = act.clone();
            view! {
                <button type="button" class=class disabled=move || busy.get() data-testid=format!("{what}-developer")
                    on:click=move |_| act(what)>{label}</button>
            }
        }
    };
    let actions = match profile.status {
        _ if profile.id == me => view! { <p class="muted small">"This is your own account."</p> }.into_any(),
        AccountStatus::Pending => button("Approve", "approve", "btn btn-primary").into_any(),
        AccountStatus::Active => view! {
            {button("Deactivate", "deactivate", "btn btn-ghost")}
            <p class="field-hint">"They can still sign in and manage apps, but none of their keys work until you activate them again."</p>
        }.into_any(),
        AccountStatus::Inactive => view! {
            {button("Activate", "activate", "btn btn-primary")}
            <p class="field-hint">"Their apps and keys kept their own status and work again at once."</p>
        }.into_any(),
        AccountStatus::Rejected => view! { <p class="muted small">"The registration was rejected."</p> }.into_any(),
    };
    let role = match profile.role {
        PortalRole::Admin => "Portal admin",
        PortalRole::Developer => "Developer",
    };
    view! {
        <section class="card" aria-labelledby="status-heading">
            <h2 id="status-heading">"Account"</h2>
            <dl class="facts">
                <dt>"Developer ID"</dt><dd><code data-testid="developer-id">{profile.id.to_string()}</code></dd>
                <dt>"Role"</dt><dd>{role}</dd>
                <dt>"Registered"</dt><dd>{profile.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</dd>
                <dt>"Status since"</dt><dd>{profile.status_since.format("%Y-%m-%d %H:%M UTC").to_string()}</dd>
                <dt>"Last edited"</dt><dd>{profile.updated_at.format("%Y-%m-%d %H:%M UTC").to_string()}</dd>
            </dl>
            <div class="card-actions">{actions}</div>
        </section>
    }
}

#[component]
fn OrganisationCard(profile: DeveloperProfile) -> impl IntoView {
    let org_link = format!("/admin/organisations/{}", profile.org_id);
    view! {
        <section class="card" aria-labelledby="org-heading">
            <h2 id="org-heading">"Organisation"</h2>
            <dl class="facts">
                <dt>"Organisation"</dt>
                <dd>
                    {if profile.org_is_default {
                        view! { <span>"Individual developer"</span> }.into_any()
                    } else {
                        view! { <A href=org_link>{profile.org_name.clone()}</A> }.into_any()
                    }}
                </dd>
                <dt>"Role"</dt><dd>{profile.org_role.label()}</dd>
                <dt>"Teams"</dt>
                <dd>{profile.teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>().join(", ")}</dd>
            </dl>
            <p class="field-hint">"Move them to another organisation from the Developers list (Organisation…)."</p>
        </section>
    }
}

/// The developer's usage over 7 days, all keys together or one key.
#[component]
fn DeveloperUsage(id: UserId) -> impl IntoView {
    let key = RwSignal::new(None::<ApiKeyId>);
    let data = RwSignal::new(None::<Result<UsageDashboard, AppError>>);
    let seq = StoredValue::new(0u64);
    let load = move || {
        let n = seq.get_value() + 1;
        seq.set_value(n);
        let k = key.get_untracked();
        spawn_local(async move {
            let result = get_developer_usage(id, k).await;
            if seq.get_value() == n {
                data.set(Some(result));
            }
        });
    };
    load();
    crate::pages::refresh_every(5, load);
    let series = Signal::derive(move || {
        data.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.series.clone()))
    });
    let label = Signal::derive(move || {
        if key.get().is_some() {
            "Calls with this key".to_owned()
        } else {
            "Calls with all their keys".to_owned()
        }
    });
    view! {
        <section class="card" aria-labelledby="dev-usage-heading">
            <div class="section-head">
                <h2 id="dev-usage-heading">"Usage, past 7 days"</h2>
                <div class="field inline-field">
                    <label for="developer-usage-key">"Key"</label>
                    <select id="developer-usage-key" data-testid="developer-usage-key"
                        on:change=move |ev| {
                            key.set(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(ApiKeyId));
                            load();
                        }>
                        <option value="" selected=move || key.get().is_none()>"All keys"</option>
                        {move || data.with(|d| match d {
                            Some(Ok(d)) => d.keys.iter().map(|k| {
                                let (id, label) = (k.id, format!("{}… · {} · {}", k.prefix, k.app_name, k.plan.name));
                                view! { <option value=k.id.to_string() selected=move || key.get() == Some(id)>{label}</option> }
                            }).collect_view().into_any(),
                            _ => ().into_any(),
                        })}
                    </select>
                </div>
            </div>
            <Show when=move || data.with(|d| matches!(d, Some(Ok(d)) if !d.keys.is_empty()))>
                <UsageChart series=series label=label/>
            </Show>
            {move || match data.get() {
                None => view! { <Loading label="Loading usage…"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(d)) if d.keys.is_empty() => view! {
                    <Empty title="No keys"><p>"This developer has made no API keys yet."</p></Empty>
                }.into_any(),
                Some(Ok(d)) => view! { <KeyUsageTable keys=d.keys as_of=d.as_of/> }.into_any(),
            }}
        </section>
    }
}
