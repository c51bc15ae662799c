//! Admin → Users: every account (pending first) with approval, rejection, activation and
//! deactivation; adding a user by invitation or password; and the pending invitations.
//! The host refuses every call here to anyone but a portal admin.

mod add_user;
mod assign;

use crate::api::users::{
    activate_user, approve_user, deactivate_user, list_invitations, list_users, reject_user,
};
use crate::components::admin_nav::{AdminNav, AdminNavRefresh};
use crate::components::avatar::{Avatar, initials};
use crate::components::invitations::InvitationsTable;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use add_user::AddUserPanel;
use assign::AssignRow;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AccountStatus, AppError, InvitationSummary, PortalRole, UserId, UserSummary};

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    signed_in(|me| view! { <AdminUsers me=me.id/> })
}

/// The status filters, in the order the buttons show them.
const FILTERS: [(Option<AccountStatus>, &str); 5] = [
    (None, "All"),
    (Some(AccountStatus::Pending), "Pending"),
    (Some(AccountStatus::Active), "Active"),
    (Some(AccountStatus::Inactive), "Inactive"),
    (Some(AccountStatus::Rejected), "Rejected"),
];

/// What an admin can do to an account, depending on its status.
#[derive(Clone, Copy, PartialEq)]
enum Action {
    Approve,
    Reject,
    Deactivate,
    Activate,
}

/// The page's shared state, passed to its parts.
#[derive(Clone, Copy)]
pub(super) struct UsersState {
    pub(super) filter: RwSignal<Option<AccountStatus>>,
    pub(super) users: RwSignal<Option<Result<Vec<UserSummary>, AppError>>>,
    pub(super) invitations: RwSignal<Option<Result<Vec<InvitationSummary>, AppError>>>,
    /// Answers to older requests are dropped, so a slow answer cannot overwrite a newer one.
    users_seq: StoredValue<u64>,
    nav: AdminNavRefresh,
    /// The signed-in admin, who cannot change the status of their own account.
    me: UserId,
}

impl UsersState {
    pub(super) fn reload_users(self) {
        let seq = self.users_seq.get_value() + 1;
        self.users_seq.set_value(seq);
        let filter = self.filter.get_untracked();
        spawn_local(async move {
            let result = list_users(filter).await;
            if self.users_seq.get_value() == seq {
                self.users.set(Some(result));
            }
        });
    }

    pub(super) fn reload_invitations(self) {
        spawn_local(async move { self.invitations.set(Some(list_invitations().await)) });
    }

    /// After any change: both lists and the tab bar's pending count.
    pub(super) fn reload_all(self) {
        self.reload_users();
        self.reload_invitations();
        self.nav.notify();
    }
}

#[component]
fn AdminUsers(me: UserId) -> impl IntoView {
    let state = UsersState {
        filter: RwSignal::new(None),
        users: RwSignal::new(None),
        invitations: RwSignal::new(None),
        users_seq: StoredValue::new(0),
        nav: AdminNavRefresh::provide(),
        me,
    };
    state.reload_users();
    state.reload_invitations();
    let adding = RwSignal::new(false);

    view! {
        <AdminNav/>
        <div class="page-header">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"Approve new developers, manage accounts and invite people."</p>
            </div>
            <button type="button" class="btn btn-primary" aria-expanded=move || adding.get().to_string()
                on:click=move |_| adding.update(|a| *a = !*a)>
                "Add user"
            </button>
        </div>
        <Show when=move || adding.get()>
            <AddUserPanel state=state on_close=Callback::new(move |()| adding.set(false))/>
        </Show>
        <section class="card admin-section" aria-labelledby="users-heading">
            <div class="section-head">
                <h2 id="users-heading">"Accounts"</h2>
                <StatusFilter state=state/>
            </div>
            <UsersTable state=state/>
        </section>
        <section class="card admin-section" aria-labelledby="invitations-heading">
            <h2 id="invitations-heading">"Pending invitations"</h2>
            <InvitationsTable invitations=state.invitations on_change=Callback::new(move |()| state.reload_invitations())/>
        </section>
    }
}

#[component]
fn StatusFilter(state: UsersState) -> impl IntoView {
    view! {
        <div class="filter-bar" role="group" aria-label="Filter by status">
            {FILTERS.into_iter().map(|(status, label)| {
                let pressed = move || state.filter.get() == status;
                view! {
                    <button type="button" class="filter-btn" class:filter-active=pressed
                        aria-pressed=move || pressed().to_string()
                        on:click=move |_| {
                            if state.filter.get_untracked() != status {
                                state.filter.set(status);
                                state.users.set(None);
                                state.reload_users();
                            }
                        }>
                        {label}
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn UsersTable(state: UsersState) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    // The row whose action is under way, and the row whose rejection form is open.
    let busy = RwSignal::new(None::<UserId>);
    let rejecting = RwSignal::new(None::<UserId>);
    let reason = RwSignal::new(String::new());
    // The developer whose organisation form is open.
    let assigning = RwSignal::new(None::<UserId>);

    let act = move |user: UserSummary, action: Action| {
        busy.set(Some(user.id));
        let (id, name) = (user.id, user.name);
        spawn_local(async move {
            let result = match action {
                Action::Approve => approve_user(id).await,
                Action::Reject => {
                    let why = reason.get_untracked().trim().to_owned();
                    reject_user(id, (!why.is_empty()).then_some(why)).await
                }
                Action::Deactivate => deactivate_user(id).await,
                Action::Activate => activate_user(id).await,
            };
            match result {
                Ok(()) => {
                    toasts.success(match action {
                        Action::Approve => format!("{name} is approved."),
                        Action::Reject => format!("{name} was rejected."),
                        Action::Deactivate => format!("{name} is deactivated."),
                        Action::Activate => format!("{name} is active again."),
                    });
                    if action == Action::Reject {
                        rejecting.set(None);
                        reason.set(String::new());
                    }
                    state.reload_users();
                    state.nav.notify();
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(None);
        });
    };

    move || {
        match state.users.get() {
        None => view! { <Loading label="Loading users…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(users)) if users.is_empty() => {
            let text = match state.filter.get_untracked() {
                None => "Nobody has an account yet.".to_owned(),
                Some(s) => format!("No {} accounts right now.", s.label()),
            };
            view! { <Empty title="No users match"><p>{text}</p></Empty> }.into_any()
        }
        Some(Ok(users)) => view! {
            <div class="table-wrap">
                <table class="table" data-testid="users-table">
                    <thead>
                        <tr>
                            <th scope="col">"User"</th>
                            <th scope="col">"Organisation"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Joined"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {users.into_iter().map(|u| {
                            let id = u.id;
                            let status = u.status.label();
                            let is_busy = move || busy.get() == Some(id);
                            let for_buttons = u.clone();
                            let button = move |label: &'static str, action: Action, class: &'static str| {
                                let user = for_buttons.clone();
                                view! {
                                    <button type="button" class=class disabled=is_busy
                                        on:click=move |_| {
                                            if action == Action::Reject {
                                                reason.set(String::new());
                                                rejecting.set(Some(id));
                                            } else {
                                                act(user.clone(), action);
                                            }
                                        }>
                                        {label}
                                    </button>
                                }
                            };
                            let actions = match u.status {
                                _ if id == state.me => view! { <span class="muted small">"You"</span> }.into_any(),
                                AccountStatus::Pending => view! {
                                    {button("Approve", Action::Approve, "btn btn-primary btn-sm")}
                                    {button("Reject", Action::Reject, "btn btn-ghost btn-sm")}
                                }.into_any(),
                                AccountStatus::Active => {
                                    button("Deactivate", Action::Deactivate, "btn btn-ghost btn-sm").into_any()
                                }
                                AccountStatus::Inactive => {
                                    button("Activate", Action::Activate, "btn btn-ghost btn-sm").into_any()
                                }
                                AccountStatus::Rejected => ().into_any(),
                            };
                            let move_button = (u.role == PortalRole::Developer && id != state.me
                                && u.status != AccountStatus::Rejected)
                                .then(|| view! {
                                    <button type="button" class="btn btn-ghost btn-sm"
                                        on:click=move |_| assigning.set(Some(id))>"Organisation…"</button>
                                });
                            let assigned_user = u.clone();
                            let rejected_user = u.clone();
                            view! {
                                <tr data-testid="user-row">
                                    <td>
                                        <div class="user-cell">
                                            <Avatar initials=initials(&u.name) seed=u.email.clone() size="avatar-sm"/>
                                            <div><div>{u.name.clone()}</div><div class="muted small">{u.email.clone()}</div></div>
                                        </div>
                                    </td>
                                    <td>{u.org_name.clone()}</td>
                                    <td><span class=format!("badge badge-{status}")>{status}</span></td>
                                    <td class="muted small">{u.created_at.format("%Y-%m-%d").to_string()}</td>
                                    <td><div class="row-actions">{actions}{move_button}</div></td>
                                </tr>
                                {move || (assigning.get() == Some(id)).then(|| view! {
                                    <AssignRow user=assigned_user.clone() state=state
                                        on_close=Callback::new(move |()| assigning.set(None))/>
                                })}
                                {move || (rejecting.get() == Some(id)).then(|| view! {
                                    <RejectRow user=rejected_user.clone() reason=reason busy=Signal::derive(is_busy)
                                        on_cancel=Callback::new(move |()| rejecting.set(None))
                                        on_confirm=Callback::new({
                                            let user = rejected_user.clone();
                                            move |()| act(user.clone(), Action::Reject)
                                        })/>
                                })}
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any(),
    }
    }
}

/// The inline form under a pending user's row: an optional reason, then confirm.
#[component]
fn RejectRow(
    user: UserSummary,
    reason: RwSignal<String>,
    #[prop(into)] busy: Signal<bool>,
    on_cancel: Callback<()>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let area = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(el) = area.get() {
            let _ = el.focus();
        }
    });
    let field_id = format!("reject-reason-{}", user.id);
    view! {
        <tr class="row-form">
            <td colspan="5">
                <form class="inline-form" data-testid="reject-form"
                    on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        on_confirm.run(());
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            on_cancel.run(());
                        }
                    }>
                    <div class="field">
                        <label for=field_id.clone()>"Reason for rejecting " {user.name.clone()} " (optional)"</label>
                        <textarea id=field_id.clone() name="reason" rows="2" node_ref=area
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        <p class="field-hint">"It is included in the email telling them the registration was not approved."</p>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-danger" disabled=move || busy.get()>
                            {move || if busy.get() { "Rejecting…" } else { "Confirm rejection" }}
                        </button>
                        <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    </div>
                </form>
            </td>
        </tr>
    }
}
