//! Admin → Organisations → one organisation: rename, activate/deactivate, its teams
//! (create, rename, delete) and its members with the teams they are in.

use crate::api::organisations::{
    create_invite_code, create_team, decide_organisation, delete_team, get_organisation, list_invite_codes,
    rename_organisation, rename_team, revoke_invite_code, set_organisation_active, set_team_member,
};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::{count, signed_in};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use portico_model::{AppError, GroupName, InviteCodeSummary, OrgDetail, OrgId, OrgStatus, TeamSummary};

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
                        {org.requested_by.clone().map(|who| view! {
                            <p class="muted small" data-testid="org-requester">"Registered by " {who}</p>
                        })}
                    </div>
                    {can_toggle.then(|| view! {
                        <button type="button" class="btn btn-ghost" on:click=toggle>
                            {if active { "Deactivate organisation" } else { "Activate organisation" }}
                        </button>
                    })}
                </div>
                {match org.status {
                    OrgStatus::Pending => view! { <Decision id=id reload=reload/> }.into_any(),
                    OrgStatus::Rejected => view! {
                        <div class="alert alert-error" role="status">
                            "This registration was rejected"
                            {org.decision_reason.clone().map(|r| format!(": {r}"))}
                        </div>
                    }.into_any(),
                    OrgStatus::Inactive => view! {
                        <div class="alert alert-error" role="status">"Members of an inactive organisation cannot sign in."</div>
                    }.into_any(),
                    OrgStatus::Active => ().into_any(),
                }}
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
                        {(active && !org.is_default).then(|| view! { <InviteCodes org=id teams=d.teams.clone()/> })}
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

/// Approve or reject a developer's organisation registration (with an optional reason).
#[component]
fn Decision(id: OrgId, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let rejecting = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let decide = move |approve: bool| {
        busy.set(true);
        let reason = Some(reason.get_untracked()).filter(|r| !r.trim().is_empty());
        spawn_local(async move {
            match decide_organisation(id, approve, if approve { None } else { reason }).await {
                Ok(()) => {
                    toasts.success(if approve {
                        "Organisation approved; the requester is its super admin now."
                    } else {
                        "Registration rejected; the requester was told."
                    });
                    reload();
                }
                Err(e) => toasts.error(e.field_message("reason").unwrap_or_else(|| e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card decision" aria-labelledby="decision-heading" data-testid="org-decision">
            <h2 id="decision-heading">"Waiting for your decision"</h2>
            <p class="muted">"A developer asked to register this organisation. Approving makes them its super admin; either way they are emailed."</p>
            <Show
                when=move || rejecting.get()
                fallback=move || view! {
                    <div class="row-actions">
                        <button type="button" class="btn btn-primary" disabled=move || busy.get()
                            on:click=move |_| decide(true)>"Approve organisation"</button>
                        <button type="button" class="btn btn-ghost btn-danger-text" disabled=move || busy.get()
                            on:click=move |_| rejecting.set(true)>"Reject…"</button>
                    </div>
                }
            >
                <form class="stack" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); decide(false) }>
                    <div class="field">
                        <label for="reject_reason">"Reason (optional, sent to the requester)"</label>
                        <textarea id="reject_reason" rows="2" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    </div>
                    <div class="row-actions">
                        <button type="submit" class="btn btn-danger" disabled=move || busy.get()>"Reject registration"</button>
                        <button type="button" class="btn btn-ghost" on:click=move |_| rejecting.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// Invite codes for the organisation's teams: create (the code is shown once), list,
/// revoke.
#[component]
fn InviteCodes(org: OrgId, teams: Vec<TeamSummary>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let codes = RwSignal::new(None::<Result<Vec<InviteCodeSummary>, AppError>>);
    let reload = move || spawn_local(async move { codes.set(Some(list_invite_codes(org).await)) });
    reload();
    let team = RwSignal::new(teams.iter().find(|t| t.is_default).map(|t| t.id));
    let max_uses = RwSignal::new(String::new());
    let days = RwSignal::new(String::from("30"));
    let fresh = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Some(team_id) = team.get_untracked() else { return };
        let parse = |s: String, field: &'static str| -> Result<Option<u32>, AppError> {
            let s = s.trim().to_owned();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<u32>()
                .map(Some)
                .map_err(|_| AppError::invalid(field, "Enter a whole number, or leave it empty."))
        };
        let (limit, expiry) = match (
            parse(max_uses.get_untracked(), "max_uses"),
            parse(days.get_untracked(), "expires_in_days"),
        ) {
            (Ok(l), Ok(d)) => (l, d),
            (Err(e), _) | (_, Err(e)) => {
                error.set(Some(e));
                return;
            }
        };
        spawn_local(async move {
            match create_invite_code(team_id, limit, expiry).await {
                Ok(new) => {
                    fresh.set(Some(new.code));
                    toasts.success("Invite code created. Copy it now: it is not shown again.");
                    reload();
                }
                Err(e @ AppError::Invalid(_)) => error.set(Some(e)),
                Err(e) => toasts.error(e.to_string()),
            }
        });
    };
    let field_error =
        move |f: &'static str| move || error.get().and_then(|e| e.field_message(f)).unwrap_or_default();
    let revoke = move |id| {
        spawn_local(async move {
            match revoke_invite_code(id).await {
                Ok(()) => {
                    toasts.success("Invite code revoked.");
                    reload();
                }
                Err(e) => toasts.error(e.to_string()),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="codes-heading" data-testid="invite-codes">
            <h2 id="codes-heading">"Invite codes"</h2>
            <p class="muted small">"Whoever signs up with a code joins its team."</p>
            {move || fresh.get().map(|code| view! {
                <div class="alert alert-success secret-once" role="status">
                    <div>"New code (shown only now):"</div>
                    <code class="secret" data-testid="new-invite-code">{code}</code>
                </div>
            })}
            <form on:submit=create class="stack" novalidate>
                <div class="field">
                    <label for="code_team">"Team"</label>
                    <select id="code_team" on:change=move |ev| team.set(event_target_value(&ev).parse().ok())>
                        {teams.iter().map(|t| view! {
                            <option value=t.id.to_string() selected=t.is_default>{t.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="code_max_uses">"Use limit"</label>
                        <input id="code_max_uses" type="number" min="1" placeholder="No limit" aria-describedby="code_max_uses-error"
                            prop:value=move || max_uses.get() on:input=move |ev| max_uses.set(event_target_value(&ev))/>
                        <p class="field-error" id="code_max_uses-error">{field_error("max_uses")}</p>
                    </div>
                    <div class="field">
                        <label for="code_days">"Expires after (days)"</label>
                        <input id="code_days" type="number" min="1" max="365" placeholder="Never" aria-describedby="code_days-error"
                            prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
                        <p class="field-error" id="code_days-error">{field_error("expires_in_days")}</p>
                    </div>
                </div>
                <button type="submit" class="btn btn-ghost">"Create invite code"</button>
            </form>
            {move || match codes.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted small">"No codes yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="code-list" data-testid="invite-code-list">
                        {list.into_iter().map(|c| {
                            let id = c.id;
                            let uses = match c.max_uses {
                                Some(max) => format!("{} of {max} used", c.uses),
                                None => format!("{} used", c.uses),
                            };
                            let state = if c.revoked { "revoked" } else if c.usable { "active" } else { "expired" };
                            let expiry = c.expires_at.map(|at| format!(" · until {}", at.format("%Y-%m-%d"))).unwrap_or_default();
                            view! {
                                <li class="code-item" data-testid="invite-code-row">
                                    <div>
                                        <code>{format!("{}…", c.prefix)}</code>
                                        " " <span class=format!("badge badge-{state}")>{state}</span>
                                        <div class="muted small">{format!("{} · {uses}{expiry}", c.team_name)}</div>
                                    </div>
                                    {c.usable.then(|| view! {
                                        <button type="button" class="btn btn-ghost btn-sm btn-danger-text"
                                            on:click=move |_| revoke(id)>"Revoke"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
