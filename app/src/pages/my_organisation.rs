//! My organisation: individuals register one (or see their request's state); members
//! see who is in it; super admins invite teammates and manage members. The page only
//! offers what the caller may do — the host refuses everything else anyway.

use crate::api::my_organisation::{
    get_my_organisation, invite_teammate, list_team_invitations, remove_member, request_organisation,
    update_member,
};
use crate::components::avatar::{Avatar, initials};
use crate::components::field::Field;
use crate::components::invitations::InvitationsTable;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::{count, signed_in};
use crate::session::Session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{
    AppError, ConsumerRole, Email, GroupName, InvitationSummary, Me, MyOrganisation, OrgDetail, OrgMember,
    OrgStatus, OrgSummary, PersonName, UserId,
};

#[component]
pub fn MyOrganisationPage() -> impl IntoView {
    signed_in(|me| view! { <MyOrganisationView me=me/> })
}

#[component]
fn MyOrganisationView(me: Me) -> impl IntoView {
    let page = RwSignal::new(None::<Result<MyOrganisation, AppError>>);
    let reload = move || spawn_local(async move { page.set(Some(get_my_organisation().await)) });
    reload();
    let me = StoredValue::new(me);
    move || match page.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(MyOrganisation { org: Some(detail), .. })) => {
            view! { <Organisation detail=detail me=me.get_value() reload=reload/> }.into_any()
        }
        Some(Ok(MyOrganisation { org: None, request, can_register })) => {
            view! { <Individual request=request can_register=can_register reload=reload/> }.into_any()
        }
    }
}

/// An individual developer: their request's state, and the form to ask for one.
#[component]
fn Individual(
    request: Option<OrgSummary>,
    can_register: bool,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let pending = request.as_ref().filter(|r| r.status == OrgStatus::Pending).cloned();
    let rejected = request.filter(|r| r.status == OrgStatus::Rejected);
    view! {
        <div class="page-header">
            <div>
                <h1>"My organisation"</h1>
                <p class="muted">"You use the portal as an individual developer."</p>
            </div>
        </div>
        {match pending {
            Some(p) => view! {
                <section class="card org-request" data-testid="org-request-pending">
                    <h2>{p.name.clone()} " " <span class="badge badge-pending">"pending"</span></h2>
                    <p>"Your request to register this organisation is waiting for an administrator. "
                        "You will get an email when they decide; then you can invite your teammates."</p>
                </section>
            }.into_any(),
            None => view! {
                {rejected.map(|r| view! {
                    <div class="alert alert-error" role="status" data-testid="org-request-rejected">
                        {format!("Your request to register {} was rejected", r.name)}
                        {r.decision_reason.map(|why| format!(": {why}"))}
                        "."
                    </div>
                })}
                {if can_register {
                    view! { <RequestForm reload=reload/> }.into_any()
                } else {
                    view! {
                        <section class="card">
                            <Empty title="Not part of an organisation">
                                <p>"Ask your organisation's super admin to invite you, or an administrator to add you."</p>
                            </Empty>
                        </section>
                    }.into_any()
                }}
            }.into_any(),
        }}
    }
}

#[component]
fn RequestForm(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = Session::use_session();
    let toasts = Toasts::use_toasts();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(GroupName::parse("organisation", &name.get_untracked()).err().map(|e| e.message));
        if error.get_untracked().is_some() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match request_organisation(name.get_untracked()).await {
                Ok(OrgStatus::Active) => {
                    toasts.success("Your organisation is ready: you are its super admin.");
                    // The caller's organisation and role changed.
                    session.refresh();
                    reload();
                }
                Ok(_) => {
                    toasts.success("Request sent. An administrator will review it.");
                    reload();
                }
                Err(e) => match e.field_message("organisation") {
                    Some(m) => error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card org-request" aria-labelledby="create-org-heading">
            <h2 id="create-org-heading">"Create an organisation"</h2>
            <p class="muted">"Register your company so your teammates can share apps and keys. You become its super admin."</p>
            <form on:submit=submit class="inline-form" novalidate>
                <Field id="org_request_name" label="Organisation name" value=name error=error autocomplete="organization"/>
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Sending…" } else { "Create organisation" }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn Organisation(
    detail: OrgDetail,
    me: Me,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let super_admin = me.is_org_super_admin();
    let invitations = RwSignal::new(None::<Result<Vec<InvitationSummary>, AppError>>);
    let reload_invitations =
        move || spawn_local(async move { invitations.set(Some(list_team_invitations().await)) });
    if super_admin {
        reload_invitations();
    }
    let org = detail.org.clone();
    view! {
        <div class="page-header">
            <div>
                <h1 data-testid="my-org-name">{org.name.clone()}</h1>
                <p class="muted">
                    {format!("{} · {} · you are ", count(org.members, "member"), count(org.teams, "team"))}
                    <strong data-testid="my-org-role">{me.org_role.label()}</strong>
                </p>
            </div>
        </div>
        <div class="grid-admin">
            <div class="stack">
                <Members detail=detail.clone() me_id=me.id super_admin=super_admin reload=reload/>
                {super_admin.then(|| view! {
                    <section class="card" aria-labelledby="team-invitations-heading">
                        <h2 id="team-invitations-heading">"Pending invitations"</h2>
                        <InvitationsTable invitations=invitations show_role=true
                            on_change=Callback::new(move |()| reload_invitations())/>
                    </section>
                })}
            </div>
            <div class="stack">
                {if super_admin {
                    view! { <InviteTeammate on_sent=Callback::new(move |()| reload_invitations())/> }.into_any()
                } else {
                    view! {
                        <section class="card" data-testid="member-note">
                            <h2>"Inviting teammates"</h2>
                            <p class="muted">"Your organisation's super admins invite teammates and manage members."</p>
                        </section>
                    }.into_any()
                }}
                <section class="card" aria-labelledby="my-teams-heading">
                    <h2 id="my-teams-heading">"Teams"</h2>
                    <ul class="team-list">
                        {detail.teams.iter().map(|t| view! {
                            <li class="team-item">
                                <span>{t.name.clone()}</span>
                                <span class="muted small">
                                    {count(t.members, "member")}
                                    {t.is_default.then_some(" · default team")}
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            </div>
        </div>
    }
}

#[component]
fn Members(
    detail: OrgDetail,
    me_id: UserId,
    super_admin: bool,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let editing = RwSignal::new(None::<UserId>);
    let teams = detail.teams.clone();
    let team_names = move |m: &OrgMember| {
        teams
            .iter()
            .filter(|t| m.team_ids.contains(&t.id))
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <section class="card" aria-labelledby="my-members-heading">
            <h2 id="my-members-heading">"Members"</h2>
            <div class="table-wrap">
                <table class="table" data-testid="my-members-table">
                    <thead><tr>
                        <th scope="col">"Member"</th><th scope="col">"Role"</th><th scope="col">"Teams"</th>
                        {super_admin.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr></thead>
                    <tbody>
                        {detail.members.into_iter().map(|m| {
                            let id = m.id;
                            let teams = team_names(&m);
                            let you = (id == me_id).then_some(" (you)");
                            let member = m.clone();
                            view! {
                                <tr data-testid="my-member-row">
                                    <td>
                                        <div class="user-cell">
                                            <Avatar initials=initials(&m.name) seed=m.email.clone() size="avatar-sm"/>
                                            <div><div>{m.name.clone()}{you}</div><div class="muted small">{m.email.clone()}</div></div>
                                        </div>
                                    </td>
                                    <td class="small">{m.role.label()}</td>
                                    <td class="small">{teams}</td>
                                    {super_admin.then(|| view! {
                                        <td>
                                            <div class="row-actions">
                                                <button type="button" class="btn btn-ghost btn-sm"
                                                    aria-expanded=move || (editing.get() == Some(id)).to_string()
                                                    on:click=move |_| editing.update(|e| *e = if *e == Some(id) { None } else { Some(id) })>
                                                    "Edit"
                                                </button>
                                            </div>
                                        </td>
                                    })}
                                </tr>
                                {move || (editing.get() == Some(id)).then(|| view! {
                                    <MemberForm member=member.clone() reload=reload
                                        on_close=Callback::new(move |()| editing.set(None))/>
                                })}
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// A super admin edits a member's names and role, or removes them.
#[component]
fn MemberForm(
    member: OrgMember,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    on_close: Callback<()>,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let session = Session::use_session();
    let id = member.id;
    let first = RwSignal::new(member.first_name.clone());
    let last = RwSignal::new(member.last_name.clone());
    let role = RwSignal::new(member.role);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    let done = move |message: String| {
        toasts.success(message);
        on_close.run(());
        // Your own role may have changed.
        session.refresh();
        reload();
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match update_member(id, first.get_untracked(), last.get_untracked(), role.get_untracked()).await {
                Ok(()) => done("Member updated.".into()),
                Err(e @ AppError::Invalid(_)) => error.set(Some(e)),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let name = member.name.clone();
    let remove = move |_| {
        busy.set(true);
        let name = name.clone();
        spawn_local(async move {
            match remove_member(id).await {
                Ok(()) => done(format!("{name} was removed from the organisation.")),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let role_id = format!("member-role-{id}");
    view! {
        <tr class="reject-row" data-testid="member-form">
            <td colspan="4">
                <form on:submit=save class="member-form" novalidate>
                    <Field id="member_first_name" label="First name" value=first error=field("first_name")/>
                    <Field id="member_last_name" label="Last name" value=last error=field("last_name")/>
                    <div class="field">
                        <label for=role_id.clone()>"Role"</label>
                        <select id=role_id on:change=move |ev| role.set(
                            if event_target_value(&ev) == "super_admin" { ConsumerRole::SuperAdmin } else { ConsumerRole::Member }
                        )>
                            <option value="member" selected=member.role == ConsumerRole::Member>"Team member"</option>
                            <option value="super_admin" selected=member.role == ConsumerRole::SuperAdmin>"Super admin"</option>
                        </select>
                    </div>
                    <div class="row-actions">
                        <button type="submit" class="btn btn-primary btn-sm" disabled=move || busy.get()>"Save"</button>
                        <button type="button" class="btn btn-ghost btn-sm btn-danger-text" disabled=move || busy.get()
                            on:click=remove>"Remove from organisation"</button>
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| on_close.run(())>"Cancel"</button>
                    </div>
                </form>
            </td>
        </tr>
    }
}

/// A super admin invites a teammate by email, with a role.
#[component]
fn InviteTeammate(on_sent: Callback<()>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(ConsumerRole::Member);
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let message = move |field: &'static str, local: Option<String>| {
        submitted
            .get()
            .then_some(local)
            .flatten()
            .or_else(|| server_error.get().and_then(|e| e.field_message(field)))
    };
    let first_error = Signal::derive(move || {
        message("first_name", PersonName::parse("first_name", &first.get()).err().map(|e| e.message))
    });
    let last_error = Signal::derive(move || {
        message("last_name", PersonName::parse("last_name", &last.get()).err().map(|e| e.message))
    });
    let email_error =
        Signal::derive(move || message("email", Email::parse(&email.get()).err().map(|e| e.message)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_error.set(None);
        if first_error.get_untracked().is_some()
            || last_error.get_untracked().is_some()
            || email_error.get_untracked().is_some()
        {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = invite_teammate(
                first.get_untracked(),
                last.get_untracked(),
                email.get_untracked(),
                role.get_untracked(),
            )
            .await;
            match result {
                Ok(inv) => {
                    toasts.success(format!("Invitation sent to {}.", inv.email));
                    submitted.set(false);
                    first.set(String::new());
                    last.set(String::new());
                    email.set(String::new());
                    on_sent.run(());
                }
                Err(e @ AppError::Invalid(_)) => server_error.set(Some(e)),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="invite-heading" data-testid="invite-teammate">
            <h2 id="invite-heading">"Invite a teammate"</h2>
            <p class="muted small">"They get an email link that registers them straight into your organisation."</p>
            <form on:submit=submit novalidate>
                <div class="field-row">
                    <Field id="invite_first_name" label="First name" value=first error=first_error autocomplete="off"/>
                    <Field id="invite_last_name" label="Last name" value=last error=last_error autocomplete="off"/>
                </div>
                <Field id="invite_email" label="Email" value=email error=email_error kind="email" autocomplete="off"/>
                <div class="field">
                    <label for="invite_role">"Role"</label>
                    <select id="invite_role" on:change=move |ev| role.set(
                        if event_target_value(&ev) == "super_admin" { ConsumerRole::SuperAdmin } else { ConsumerRole::Member }
                    )>
                        <option value="member" selected=true>"Team member"</option>
                        <option value="super_admin">"Super admin"</option>
                    </select>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Sending…" } else { "Send invitation" }}
                </button>
            </form>
        </section>
    }
}
