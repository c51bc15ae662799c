//! Admin → Organisations → one organisation: rename, activate/deactivate, its teams
//! (create, rename, delete) and its members with the teams they are in.

use crate::api::organisations::{
    create_team, delete_team, get_organisation, rename_organisation, rename_team, set_organisation_active,
    set_team_member,
};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use portico_model::{AppError, GroupName, OrgDetail, OrgId, OrgStatus, TeamSummary};

#[component]
pub fn AdminOrganisationPage() -> impl IntoView {
    signed_in(|_| {
        let params = use_params_map();
        let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<OrgId>().ok())));
        view! {
            <AdminNav/>
            <p class="breadcrumb"><A href="/admin/organisations">"← All organisations"</A></p>
            {move || match id.get() {
                Some(id) => view! { <Organisation id=id/> }.into_any(),
                None => view! { <ErrorPanel error=AppError::NotFound/> }.into_any(),
            }}
        }
    })
}

/// "1 member", "3 members".
fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Runs a change, then reloads the page's data; errors become toasts.
fn act(
    toasts: Toasts,
    reload: impl Fn() + Copy + 'static,
    done: &'static str,
    call: impl std::future::Future<Output = Result<(), AppError>> + 'static,
) {
    spawn_local(async move {
        match call.await {
            Ok(()) => {
                toasts.success(done);
                reload();
            }
            Err(e) => toasts.error(e.to_string()),
        }
    });
}

#[component]
fn Organisation(id: OrgId) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let detail = RwSignal::new(None::<Result<OrgDetail, AppError>>);
    let reload = move || spawn_local(async move { detail.set(Some(get_organisation(id).await)) });
    reload();

    move || match detail.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(d)) => {
            let org = d.org.clone();
            let status = org.status.label();
            let active = org.status == OrgStatus::Active;
            let can_toggle = !org.is_default && matches!(org.status, OrgStatus::Active | OrgStatus::Inactive);
            let name = RwSignal::new(org.name.clone());
            let name_error = RwSignal::new(None::<String>);
            let rename = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                name_error.set(GroupName::parse("name", &name.get_untracked()).err().map(|e| e.message));
                if name_error.get_untracked().is_none() {
                    act(
                        toasts,
                        reload,
                        "Organisation renamed.",
                        rename_organisation(id, name.get_untracked()),
                    );
                }
            };
            let toggle = move |_| {
                let done = if active { "Organisation deactivated." } else { "Organisation activated." };
                act(toasts, reload, done, set_organisation_active(id, !active));
            };
            view! {
                <div class="page-header">
                    <div>
                        <h1 data-testid="org-name">{org.name.clone()}</h1>
                        <p class="muted">
                            <span class=format!("badge badge-{status}")>{status}</span>
                            {format!(" · {} · {}", count(org.members, "member"), count(org.teams, "team"))}
                            {org.is_default.then_some(" · where self-registered developers land")}
                        </p>
                    </div>
                    {can_toggle.then(|| view! {
                        <button type="button" class="btn btn-ghost" on:click=toggle>
                            {if active { "Deactivate organisation" } else { "Activate organisation" }}
                        </button>
                    })}
                </div>
                {(!active).then(|| view! {
                    <div class="alert alert-error" role="status">"Members of an inactive organisation cannot sign in."</div>
                })}
                <div class="grid-admin">
                    <div class="stack">
                        <Members detail=d.clone() reload=reload/>
                    </div>
                    <div class="stack">
                        <section class="card" aria-labelledby="rename-heading">
                            <h2 id="rename-heading">"Name"</h2>
                            <form on:submit=rename class="inline-form" novalidate>
                                <Field id="org_rename" label="Organisation name" value=name error=name_error/>
                                <button type="submit" class="btn btn-ghost">"Rename"</button>
                            </form>
                        </section>
                        <Teams org=id teams=d.teams.clone() reload=reload/>
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn Teams(
    org: OrgId,
    teams: Vec<TeamSummary>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let new_team = RwSignal::new(String::new());
    let team_error = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        team_error.set(GroupName::parse("name", &new_team.get_untracked()).err().map(|e| e.message));
        if team_error.get_untracked().is_some() {
            return;
        }
        let name = new_team.get_untracked();
        spawn_local(async move {
            match create_team(org, name).await {
                Ok(_) => {
                    new_team.set(String::new());
                    toasts.success("Team created.");
                    reload();
                }
                Err(e) => toasts.error(e.to_string()),
            }
        });
    };
    let last = teams.len() <= 1;
    view! {
        <section class="card" aria-labelledby="teams-heading">
            <h2 id="teams-heading">"Teams"</h2>
            <ul class="team-list" data-testid="teams">
                {teams.into_iter().map(|t| {
                    let id = t.id;
                    let name = RwSignal::new(t.name.clone());
                    let label = format!("Name of team {}", t.name);
                    let input_id = format!("team-{id}");
                    let rename = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        act(toasts, reload, "Team renamed.", rename_team(id, name.get_untracked()));
                    };
                    let remove = move |_| act(toasts, reload, "Team deleted; its members moved to the default team.", delete_team(id));
                    view! {
                        <li class="team-item" data-testid="team-item">
                            <form on:submit=rename class="team-form">
                                <label class="visually-hidden" for=input_id.clone()>{label}</label>
                                <input id=input_id type="text" prop:value=move || name.get()
                                    on:input=move |ev| name.set(event_target_value(&ev))/>
                                <button type="submit" class="btn btn-ghost btn-sm">"Save"</button>
                                <button type="button" class="btn btn-ghost btn-sm btn-danger-text" disabled=last
                                    title=if last { "An organisation keeps at least one team." } else { "" }
                                    on:click=remove>"Delete"</button>
                            </form>
                            <span class="muted small">
                                {count(t.members, "member")}
                                {t.is_default.then_some(" · default team")}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form on:submit=add class="inline-form" novalidate>
                <Field id="new_team" label="New team" value=new_team error=team_error/>
                <button type="submit" class="btn btn-ghost">"Add team"</button>
            </form>
        </section>
    }
}

#[component]
fn Members(detail: OrgDetail, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    if detail.members.is_empty() {
        return view! {
            <section class="card" aria-labelledby="members-heading">
                <h2 id="members-heading">"Members"</h2>
                <Empty title="No members yet"><p>"Users appear here when they join this organisation."</p></Empty>
            </section>
        }
        .into_any();
    }
    let teams = detail.teams.clone();
    view! {
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <div class="table-wrap">
                <table class="table" data-testid="members-table">
                    <thead><tr><th scope="col">"Member"</th><th scope="col">"Role"</th><th scope="col">"Teams"</th></tr></thead>
                    <tbody>
                        {detail.members.into_iter().map(|m| {
                            let user = m.id;
                            let chips = teams.iter().map(|t| {
                                let team = t.id;
                                let on = m.team_ids.contains(&team);
                                let toggle = move |_| {
                                    let done = if on { "Removed from the team." } else { "Added to the team." };
                                    act(toasts, reload, done, set_team_member(team, user, !on));
                                };
                                view! {
                                    <label class="team-chip" class:on=on>
                                        <input type="checkbox" prop:checked=on on:change=toggle/>
                                        {t.name.clone()}
                                    </label>
                                }
                            }).collect_view();
                            view! {
                                <tr data-testid="member-row">
                                    <td><div>{m.name.clone()}</div><div class="muted small">{m.email.clone()}</div></td>
                                    <td class="small">{m.role.label()}</td>
                                    <td><div class="team-chips">{chips}</div></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
