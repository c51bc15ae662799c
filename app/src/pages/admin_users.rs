//! Admin → Users: every account (pending first) with approval, rejection, activation and
//! deactivation; adding a user by invitation or password; and the pending invitations.
//! The host refuses every call here to anyone but a portal admin.

use crate::api::users::{
    activate_user, add_user, approve_user, deactivate_user, list_invitations, list_users, reject_user,
    resend_invitation, revoke_invitation,
};
use crate::components::admin_nav::{AdminNav, AdminNavRefresh};
use crate::components::avatar::Avatar;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{
    AccountStatus, AddUserOutcome, AppError, Email, InvitationId, InvitationSummary, Password, PersonName,
    UserId, UserSummary,
};

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
struct UsersState {
    filter: RwSignal<Option<AccountStatus>>,
    users: RwSignal<Option<Result<Vec<UserSummary>, AppError>>>,
    invitations: RwSignal<Option<Result<Vec<InvitationSummary>, AppError>>>,
    /// Answers to older requests are dropped, so a slow answer cannot overwrite a newer one.
    users_seq: StoredValue<u64>,
    nav: AdminNavRefresh,
    /// The signed-in admin, who cannot change the status of their own account.
    me: UserId,
}

impl UsersState {
    fn reload_users(self) {
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

    fn reload_invitations(self) {
        spawn_local(async move { self.invitations.set(Some(list_invitations().await)) });
    }

    /// After any change: both lists and the tab bar's pending count.
    fn reload_all(self) {
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
            <InvitationsTable state=state/>
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

fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).take(2).collect()
}

#[component]
fn UsersTable(state: UsersState) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    // The row whose action is under way, and the row whose rejection form is open.
    let busy = RwSignal::new(None::<UserId>);
    let rejecting = RwSignal::new(None::<UserId>);
    let reason = RwSignal::new(String::new());

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
                                    <td><div class="row-actions">{actions}</div></td>
                                </tr>
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

/// How the new user gets their first password.
#[derive(Clone, Copy, PartialEq)]
enum Credential {
    Invite,
    Password,
}

/// The fields of "Add user" whose errors show beside them.
const ADD_USER_FIELDS: [&str; 5] = ["first_name", "last_name", "email", "password", "credential"];

#[component]
fn AddUserPanel(state: UsersState, on_close: Callback<()>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let credential = RwSignal::new(Credential::Invite);
    let must_change = RwSignal::new(true);
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);

    // The local rule once the form was submitted; otherwise what the server said.
    let message = move |field: &'static str, local: Option<String>| {
        submitted
            .get()
            .then_some(local)
            .flatten()
            .or_else(|| server_error.get().and_then(|e| e.field_message(field)))
    };
    let first_error = Signal::derive(move || {
        message("first_name", PersonName::parse("first_name", &first_name.get()).err().map(|e| e.message))
    });
    let last_error = Signal::derive(move || {
        message("last_name", PersonName::parse("last_name", &last_name.get()).err().map(|e| e.message))
    });
    let email_error =
        Signal::derive(move || message("email", Email::parse(&email.get()).err().map(|e| e.message)));
    let password_error = Signal::derive(move || {
        let local = match credential.get() {
            Credential::Password => Password::parse(&password.get()).err().map(|e| e.message),
            Credential::Invite => None,
        };
        message("password", local)
    });
    let credential_error = move || server_error.get().and_then(|e| e.field_message("credential"));
    // A refusal that names none of the fields above (a duplicate email, say).
    let form_error = move || {
        server_error
            .get()
            .filter(|e| ADD_USER_FIELDS.iter().all(|f| e.field_message(f).is_none()))
            .map(|e| view! { <div class="alert alert-error" role="alert" data-testid="add-user-error">{e.to_string()}</div> })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_error.set(None);
        let invalid = first_error.get_untracked().is_some()
            || last_error.get_untracked().is_some()
            || email_error.get_untracked().is_some()
            || password_error.get_untracked().is_some();
        if invalid {
            return;
        }
        // Exactly one of the two: a password, or an invitation email.
        let (pw, must, invite) = match credential.get_untracked() {
            Credential::Invite => (None, false, true),
            Credential::Password => (Some(password.get_untracked()), must_change.get_untracked(), false),
        };
        saving.set(true);
        spawn_local(async move {
            let result = add_user(
                first_name.get_untracked().trim().to_owned(),
                last_name.get_untracked().trim().to_owned(),
                email.get_untracked().trim().to_owned(),
                pw,
                must,
                invite,
            )
            .await;
            saving.set(false);
            match result {
                Ok(outcome) => {
                    toasts.success(match outcome {
                        AddUserOutcome::Invited { email } => format!("Invitation sent to {email}."),
                        AddUserOutcome::Created(user) => format!("User {} created.", user.name),
                    });
                    state.reload_all();
                    on_close.run(());
                }
                Err(e @ (AppError::Internal(_) | AppError::Transport(_))) => toasts.error(e.to_string()),
                Err(e) => server_error.set(Some(e)),
            }
        });
    };

    let radio = move |id: &'static str, value: Credential, label: &'static str, hint: &'static str| {
        view! {
            <div class="radio-option">
                <input type="radio" id=id name="credential" value=id
                    prop:checked=move || credential.get() == value
                    on:change=move |_| credential.set(value)
                    aria-describedby=format!("{id}-hint")/>
                <div>
                    <label for=id>{label}</label>
                    <p class="field-hint" id=format!("{id}-hint")>{hint}</p>
                </div>
            </div>
        }
    };

    view! {
        <section class="card admin-section add-user" aria-labelledby="add-user-heading" data-testid="add-user-panel">
            <h2 id="add-user-heading">"Add user"</h2>
            <form on:submit=submit novalidate>
                {form_error}
                <div class="field-row">
                    <Field id="first_name" label="First name" value=first_name error=first_error autocomplete="off"/>
                    <Field id="last_name" label="Last name" value=last_name error=last_error autocomplete="off"/>
                </div>
                <Field id="email" label="Email" value=email error=email_error kind="email" autocomplete="off"/>
                <fieldset class="radio-group" aria-describedby="credential-error">
                    <legend>"How will they sign in?"</legend>
                    {radio("credential_invite", Credential::Invite, "Send an invitation email",
                        "They get a single-use link to choose their own password.")}
                    {radio("credential_password", Credential::Password, "Set a password now",
                        "You tell them the password yourself; no email is sent.")}
                    <p class="field-error" id="credential-error">{move || credential_error().unwrap_or_default()}</p>
                </fieldset>
                <Show when=move || credential.get() == Credential::Password>
                    <div class="credential-password">
                        <Field id="password" label="Password" value=password error=password_error
                            kind="password" autocomplete="new-password" hint="At least 8 characters."/>
                        <div class="field field-check">
                            <input type="checkbox" id="must_change" name="must_change"
                                prop:checked=move || must_change.get()
                                on:change=move |ev| must_change.set(event_target_checked(&ev))/>
                            <label for="must_change">"Must change password at next sign-in"</label>
                        </div>
                    </div>
                </Show>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                        {move || match (saving.get(), credential.get()) {
                            (true, _) => "Adding…",
                            (false, Credential::Invite) => "Send invitation",
                            (false, Credential::Password) => "Create user",
                        }}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn InvitationsTable(state: UsersState) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let busy = RwSignal::new(None::<InvitationId>);

    let resend = move |inv: InvitationSummary| {
        busy.set(Some(inv.id));
        spawn_local(async move {
            match resend_invitation(inv.id).await {
                Ok(sent) => {
                    toasts.success(format!("Invitation sent again to {}.", sent.email));
                    state.reload_invitations();
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(None);
        });
    };
    let revoke = move |inv: InvitationSummary| {
        busy.set(Some(inv.id));
        spawn_local(async move {
            match revoke_invitation(inv.id).await {
                Ok(()) => {
                    toasts.success(format!("Invitation to {} revoked.", inv.email));
                    state.reload_invitations();
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(None);
        });
    };

    move || {
        match state.invitations.get() {
        None => view! { <Loading label="Loading invitations…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <Empty title="No pending invitations">
                <p>"Invitations you send show here until they are used or revoked."</p>
            </Empty>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <div class="table-wrap">
                <table class="table" data-testid="invitations-table">
                    <thead>
                        <tr>
                            <th scope="col">"Invited"</th>
                            <th scope="col">"Sent"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|inv| {
                            let id = inv.id;
                            let is_busy = move || busy.get() == Some(id);
                            let (for_resend, for_revoke) = (inv.clone(), inv.clone());
                            view! {
                                <tr data-testid="invitation-row">
                                    <td>
                                        <div class="user-cell">
                                            <Avatar initials=initials(&inv.name) seed=inv.email.clone() size="avatar-sm"/>
                                            <div><div>{inv.name.clone()}</div><div class="muted small">{inv.email.clone()}</div></div>
                                        </div>
                                    </td>
                                    <td class="muted small">{inv.last_sent_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                    <td class="small">
                                        <span class="muted">{inv.expires_at.format("%Y-%m-%d %H:%M").to_string()}</span>
                                        {inv.expired.then(|| view! { " " <span class="badge badge-expired">"expired"</span> })}
                                    </td>
                                    <td>
                                        <div class="row-actions">
                                            <button type="button" class="btn btn-ghost btn-sm" disabled=is_busy
                                                on:click=move |_| resend(for_resend.clone())>"Resend"</button>
                                            <button type="button" class="btn btn-ghost btn-sm btn-danger-text" disabled=is_busy
                                                on:click=move |_| revoke(for_revoke.clone())>"Revoke"</button>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
    }
    }
}
