//! Admin → Developers: find anyone as you type (names, email, username, organisation,
//! team, attribute values, key prefix), filter by status and organisation, sort, and
//! page through by keyset; approve, reject, deactivate and activate from the list, move
//! a developer to an organisation, add users, and the pending invitations. Each name
//! opens the developer's profile. The host refuses every call here to anyone but a
//! portal admin.

mod add_user;
mod assign;
mod export;

use crate::api::admin::get_admin_overview;
use crate::api::developers::search_developers;
use crate::api::organisations::list_organisations;
use crate::api::users::{activate_user, approve_user, deactivate_user, list_invitations, reject_user};
use crate::components::admin_nav::{AdminNav, AdminNavRefresh};
use crate::components::avatar::{Avatar, initials};
use crate::components::invitations::InvitationsTable;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use add_user::AddUserPanel;
use assign::AssignRow;
use export::SearchExport;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::time::span;
use portico_model::{
    AccountStatus, AppError, DeveloperPage, DeveloperQuery, DeveloperSort, InvitationSummary, OrgId,
    OrgSummary, PortalRole, UserId, UserSummary,
};

#[component]
pub fn AdminDevelopersPage() -> impl IntoView {
    signed_in(|me| view! { <AdminDevelopers me=me.id/> })
}

/// The status filters, in the order the buttons show them.
const FILTERS: [(Option<AccountStatus>, &str); 5] = [
    (None, "All"),
    (Some(AccountStatus::Pending), "Pending"),
    (Some(AccountStatus::Active), "Active"),
    (Some(AccountStatus::Inactive), "Inactive"),
    (Some(AccountStatus::Rejected), "Rejected"),
];

/// How long typing must pause before the list is asked again.
const DEBOUNCE_MS: u32 = 100;

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
    text: RwSignal<String>,
    filter: RwSignal<Option<AccountStatus>>,
    org: RwSignal<Option<OrgId>>,
    sort: RwSignal<DeveloperSort>,
    /// The cursor of the page shown (`None`: the first) and those of the pages before it.
    cursor: RwSignal<Option<String>>,
    back: RwSignal<Vec<Option<String>>>,
    pub(super) page: RwSignal<Option<Result<DeveloperPage, AppError>>>,
    pub(super) invitations: RwSignal<Option<Result<Vec<InvitationSummary>, AppError>>>,
    /// Registrations waiting for a decision, whatever the filters.
    pending: RwSignal<u64>,
    /// Answers to older requests are dropped, so a slow answer cannot overwrite a newer one.
    users_seq: StoredValue<u64>,
    typing_seq: StoredValue<u64>,
    nav: AdminNavRefresh,
    /// The signed-in admin, who cannot change the status of their own account.
    me: UserId,
}

impl UsersState {
    /// Asks for the current page again with the current text, filters and order.
    pub(super) fn reload_users(self) {
        let seq = self.users_seq.get_value() + 1;
        self.users_seq.set_value(seq);
        let query = DeveloperQuery {
            text: self.text.get_untracked(),
            status: self.filter.get_untracked(),
            org_id: self.org.get_untracked(),
            sort: self.sort.get_untracked(),
            after: self.cursor.get_untracked(),
            limit: 25,
        };
        spawn_local(async move {
            let result = search_developers(query).await;
            if self.users_seq.get_value() == seq {
                self.page.set(Some(result));
            }
        });
        spawn_local(async move {
            if let Ok(o) = get_admin_overview().await {
                self.pending.set(o.pending_users);
            }
        });
    }

    /// Back to the first page (after the text, a filter or the order changed).
    fn restart(self) {
        self.cursor.set(None);
        self.back.set(Vec::new());
        self.reload_users();
    }

    /// Reloads once typing pauses for [`DEBOUNCE_MS`].
    fn typed(self, text: String) {
        self.text.set(text);
        let n = self.typing_seq.get_value() + 1;
        self.typing_seq.set_value(n);
        spawn_local(async move {
            gloo_timers_sleep(DEBOUNCE_MS).await;
            if self.typing_seq.get_value() == n {
                self.restart();
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

/// Waits `ms` milliseconds in the browser (no-op on the host, which never runs it).
async fn gloo_timers_sleep(ms: u32) {
    #[cfg(feature = "csr")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "csr"))]
    let _ = ms;
}

#[component]
fn AdminDevelopers(me: UserId) -> impl IntoView {
    let state = UsersState {
        text: RwSignal::new(String::new()),
        filter: RwSignal::new(None),
        org: RwSignal::new(None),
        sort: RwSignal::new(DeveloperSort::Newest),
        cursor: RwSignal::new(None),
        back: RwSignal::new(Vec::new()),
        page: RwSignal::new(None),
        invitations: RwSignal::new(None),
        pending: RwSignal::new(0),
        users_seq: StoredValue::new(0),
        typing_seq: StoredValue::new(0),
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
                <h1>"Developers"</h1>
                <p class="muted">"Find anyone as you type, approve new developers, manage accounts and invite people."</p>
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
            <h2 id="users-heading" class="visually-hidden">"Developers"</h2>
            <SearchBar state=state/>
            <PendingNotice state=state/>
            <UsersTable state=state/>
            <Pager state=state/>
        </section>
        <section class="card admin-section" aria-labelledby="invitations-heading">
            <h2 id="invitations-heading">"Pending invitations"</h2>
            <InvitationsTable invitations=state.invitations on_change=Callback::new(move |()| state.reload_invitations())/>
        </section>
    }
}

/// The search box, the status buttons, the organisation and order pickers, the count.
#[component]
fn SearchBar(state: UsersState) -> impl IntoView {
    let orgs = RwSignal::new(Vec::<OrgSummary>::new());
    spawn_local(async move {
        // The picker is a convenience: without the list it offers "All organisations" only.
        if let Ok(list) = list_organisations(None, None).await {
            orgs.set(list);
        }
    });
    let count = move || {
        state.page.with(|p| match p {
            Some(Ok(page)) => page.count_label(),
            _ => String::new(),
        })
    };
    view! {
        <div class="developer-search" role="search">
            <div class="field search-field">
                <label for="developer_search">"Search developers"</label>
                <input id="developer_search" type="search" autocomplete="off" spellcheck="false"
                    placeholder="Name, email, username, organisation, team, attribute, key prefix…"
                    data-testid="developer-search"
                    prop:value=move || state.text.get()
                    on:input=move |ev| state.typed(event_target_value(&ev))/>
            </div>
            <div class="field inline-field">
                <label for="developer_org">"Organisation"</label>
                <select id="developer_org" data-testid="developer-org"
                    on:change=move |ev| {
                        state.org.set(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(OrgId));
                        state.restart();
                    }>
                    <option value="" selected=move || state.org.get().is_none()>"All organisations"</option>
                    {move || orgs.get().into_iter().map(|o| {
                        let id = o.id;
                        view! { <option value=o.id.to_string() selected=move || state.org.get() == Some(id)>{o.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field inline-field">
                <label for="developer_sort">"Sort by"</label>
                <select id="developer_sort" data-testid="developer-sort"
                    on:change=move |ev| {
                        state.sort.set(DeveloperSort::from_key(&event_target_value(&ev)).unwrap_or_default());
                        state.restart();
                    }>
                    {DeveloperSort::ALL.into_iter().map(|s| view! {
                        <option value=s.key() selected=move || state.sort.get() == s>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
        </div>
        <div class="section-head">
            <StatusFilter state=state/>
            <div class="count-and-export">
                <p class="muted small" aria-live="polite" data-testid="developer-count">{count}</p>
                <SearchExport state=state/>
            </div>
        </div>
    }
}

/// "3 registrations await approval — Show them", unless they are shown already.
#[component]
fn PendingNotice(state: UsersState) -> impl IntoView {
    move || {
        let n = state.pending.get();
        (n > 0 && state.filter.get() != Some(AccountStatus::Pending)).then(|| {
            let noun = if n == 1 { "registration awaits" } else { "registrations await" };
            view! {
                <div class="alert alert-info notice-row" data-testid="pending-notice">
                    <span>{format!("{n} {noun} approval.")}</span>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| {
                        state.filter.set(Some(AccountStatus::Pending));
                        state.restart();
                    }>"Show them"</button>
                </div>
            }
        })
    }
}

/// Previous / next page.
#[component]
fn Pager(state: UsersState) -> impl IntoView {
    let next =
        move || state.page.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).and_then(|p| p.next.clone()));
    let has_back = move || !state.back.with(Vec::is_empty);
    view! {
        <Show when=move || has_back() || next().is_some()>
            <nav class="pager" aria-label="Pages of developers">
                <button type="button" class="btn btn-ghost btn-sm" disabled=move || !has_back()
                    data-testid="previous-page"
                    on:click=move |_| {
                        let previous = state.back.try_update(Vec::pop).flatten().flatten();
                        state.cursor.set(previous);
                        state.reload_users();
                    }>"← Previous"</button>
                <button type="button" class="btn btn-ghost btn-sm" disabled=move || next().is_none()
                    data-testid="next-page"
                    on:click=move |_| {
                        if let Some(cursor) = next() {
                            let current = state.cursor.get_untracked();
                            state.back.update(|b| b.push(current));
                            state.cursor.set(Some(cursor));
                            state.reload_users();
                        }
                    }>"Next →"</button>
            </nav>
        </Show>
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
                                state.page.set(None);
                                state.restart();
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

    move || match state.page.get() {
        None => view! { <Loading label="Loading developers…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(page)) if page.rows.is_empty() => {
            let text = match (state.text.get_untracked().trim().is_empty(), state.filter.get_untracked()) {
                (false, _) => {
                    "Nobody matches what you typed. Try part of a name, an email or a key prefix.".to_owned()
                }
                (true, None) => "Nobody matches these filters.".to_owned(),
                (true, Some(s)) => format!("No {} accounts right now.", s.label()),
            };
            view! { <Empty title="No developers match"><p>{text}</p></Empty> }.into_any()
        }
        Some(Ok(page)) => {
            let page_as_of = page.as_of;
            let users = page.rows;
            view! {
            <div class="table-wrap">
                <table class="table" data-testid="users-table">
                    <thead>
                        <tr>
                            <th scope="col">"Developer"</th>
                            <th scope="col">"Organisation"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Registered"</th>
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
                                            <div>
                                                <div><A href=format!("/admin/developers/{}", u.id) attr:data-testid="developer-link">{u.name.clone()}</A></div>
                                                <div class="muted small">{u.email.clone()}
                                                    {u.username.clone().map(|n| format!(" · @{n}"))}</div>
                                            </div>
                                        </div>
                                    </td>
                                    <td>{u.org_name.clone()}</td>
                                    <td>
                                        <span class=format!("badge badge-{status}")>{status}</span>
                                        {(u.status == AccountStatus::Pending).then(|| view! {
                                            <div class="muted small">{format!("for {}", span(page_as_of - u.status_since))}</div>
                                        })}
                                    </td>
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
        }.into_any()
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
