//! One app: its access requests, and for each approved one its API keys — create (shown
//! once), rotate with a grace period, revoke — and deleting the app. Members of the
//! app's organisation (and portal admins) may open it; the host checks every call.

use crate::api::apps::{create_key, delete_app, get_app, revoke_key, rotate_key};
use crate::components::secret_key::SecretKey;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use portico_model::{
    AccessRequestId, AccessRequestView, ApiKeyView, AppError, AppId, AppView, KeyStatus, NewApiKey,
    RequestStatus,
};

#[component]
pub fn AppDetailPage() -> impl IntoView {
    signed_in(|me| {
        let admin = me.is_admin();
        let params = use_params_map();
        let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<AppId>().ok())));
        let (back, back_label) = if admin { ("/admin/apps", "← All apps") } else { ("/apps", "← Apps") };
        view! {
            <p class="breadcrumb"><A href=back>{back_label}</A></p>
            {move || match id.get() {
                Some(id) => view! { <AppDetail id=id admin=admin/> }.into_any(),
                None => view! { <ErrorPanel error=AppError::NotFound/> }.into_any(),
            }}
        }
    })
}

/// A key just made or rotated, shown once beside its subscription.
#[derive(Clone, Debug, PartialEq)]
struct FreshKey {
    request: AccessRequestId,
    key: NewApiKey,
    title: String,
}

/// What the page's parts need to act: reload the app, show a fresh key.
#[derive(Clone, Copy)]
struct Ctx {
    toasts: Toasts,
    reload: Callback<()>,
    fresh: RwSignal<Option<FreshKey>>,
}

#[component]
fn AppDetail(id: AppId, admin: bool) -> impl IntoView {
    let detail = RwSignal::new(None::<Result<AppView, AppError>>);
    let reload = Callback::new(move |()| spawn_local(async move { detail.set(Some(get_app(id).await)) }));
    reload.run(());
    // Outside the view that reloads, so a new key stays on screen until "Done".
    let ctx = Ctx { toasts: Toasts::use_toasts(), reload, fresh: RwSignal::new(None) };
    move || match detail.get() {
        None => view! { <Loading label="Loading the app…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(app)) => view! { <AppBody app=app admin=admin ctx=ctx/> }.into_any(),
    }
}

#[component]
fn AppBody(app: AppView, admin: bool, ctx: Ctx) -> impl IntoView {
    let AppView { id, name, description, organisation, shared, created_by, created_at, requests, keys } = app;
    // Approved requests, and ended ones that still have keys to show.
    let subscriptions: Vec<AccessRequestView> = requests
        .iter()
        .filter(|r| {
            r.status == RequestStatus::Approved
                || (r.status == RequestStatus::Revoked && keys.iter().any(|k| k.request_id == r.id))
        })
        .cloned()
        .collect();
    let pending = requests.iter().any(|r| r.status == RequestStatus::Pending);
    let subscriptions_view = if subscriptions.is_empty() {
        view! {
            <Empty title="No access yet">
                {if pending {
                    view! { <p>"A request is waiting for an administrator. Once it is approved, create keys here."</p> }.into_any()
                } else {
                    view! {
                        <p>
                            <A href="/catalog">"Browse the catalog"</A>
                            ", add APIs to your cart and request access for this app; its keys appear here."
                        </p>
                    }.into_any()
                }}
            </Empty>
        }
        .into_any()
    } else {
        subscriptions
            .into_iter()
            .map(|r| {
                let own: Vec<ApiKeyView> = keys.iter().filter(|k| k.request_id == r.id).cloned().collect();
                view! { <Subscription request=r keys=own ctx=ctx/> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="page-header">
            <div>
                <h1 data-testid="app-name">{name.clone()}</h1>
                {(!description.is_empty()).then(|| view! { <p class="app-description">{description.clone()}</p> })}
                <p class="muted small">
                    {format!("{organisation} · created by {created_by} on {}", created_at.format("%Y-%m-%d"))}
                </p>
                {shared.then(|| view! {
                    <p class="shared-note" data-testid="shared-note">"Shared with your organisation: every member can use and manage it."</p>
                })}
            </div>
        </div>
        <div class="stack">
            <section class="card" aria-labelledby="subscriptions-heading">
                <h2 id="subscriptions-heading">"Access and keys"</h2>
                {subscriptions_view}
            </section>
            <section class="card" aria-labelledby="requests-heading">
                <h2 id="requests-heading">"Requests"</h2>
                <Requests requests=requests/>
            </section>
            <DangerZone id=id name=name admin=admin/>
        </div>
    }
}

#[component]
fn Requests(requests: Vec<AccessRequestView>) -> impl IntoView {
    if requests.is_empty() {
        return view! {
            <p class="muted">"No requests yet. Requests made from the cart for this app are listed here with their decisions."</p>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="requests-table">
                <thead><tr>
                    <th scope="col">"Products"</th>
                    <th scope="col">"Catalog"</th>
                    <th scope="col">"Plan"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Notes"</th>
                    <th scope="col">"Requested"</th>
                    <th scope="col">"Decided"</th>
                </tr></thead>
                <tbody>
                    {requests.into_iter().map(|r| {
                        let status = r.status.label();
                        let products = r.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
                        let no_notes = r.comment.is_empty() && r.reason.is_none();
                        view! {
                            <tr data-testid="request-row" data-status=status>
                                <td>{products}</td>
                                <td class="small">{r.catalog.name.clone()}</td>
                                <td class="small">
                                    <div>{r.plan.name.clone()}</div>
                                    <div class="muted">{r.plan.terms()}</div>
                                </td>
                                <td><span class=format!("badge badge-{status}") data-testid="request-status">{status}</span></td>
                                <td class="small notes">
                                    {(!r.comment.is_empty()).then(|| view! {
                                        <div data-testid="request-comment"><span class="muted">"Comment: "</span>{r.comment.clone()}</div>
                                    })}
                                    {r.reason.clone().map(|why| view! {
                                        <div data-testid="request-reason"><span class="muted">"Reason: "</span>{why}</div>
                                    })}
                                    {no_notes.then(|| view! { <span class="muted">"—"</span> })}
                                </td>
                                <td class="small">
                                    <div class="nowrap">{r.created_at.format("%Y-%m-%d %H:%M").to_string()}</div>
                                    <div class="muted">{format!("by {}", r.requested_by)}</div>
                                </td>
                                <td class="small muted nowrap">
                                    {r.decided_at.map_or_else(|| "—".to_owned(), |at| at.format("%Y-%m-%d %H:%M").to_string())}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// An approved request: its products and plan, "Create key", and its keys.
#[component]
fn Subscription(request: AccessRequestView, keys: Vec<ApiKeyView>, ctx: Ctx) -> impl IntoView {
    let request_id = request.id;
    let active = request.status == RequestStatus::Approved;
    let products = request.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    let creating = RwSignal::new(false);
    let create = move |_| {
        if creating.get_untracked() {
            return;
        }
        creating.set(true);
        spawn_local(async move {
            match create_key(request_id).await {
                Ok(key) => {
                    ctx.fresh.set(Some(FreshKey {
                        request: request_id,
                        key,
                        title: "New key created".into(),
                    }));
                    ctx.toasts.success("Key created. Copy it now: it is not shown again.");
                    ctx.reload.run(());
                }
                Err(e) => ctx.toasts.error(e.to_string()),
            }
            creating.set(false);
        });
    };
    let fresh = move || {
        ctx.fresh.get().filter(|f| f.request == request_id).map(|f| {
            view! {
                <SecretKey secret=f.key.secret title=f.title id=f.key.key.id.to_string()
                    on_done=Callback::new(move |()| ctx.fresh.set(None))/>
            }
        })
    };
    let keys_view = if keys.is_empty() {
        view! { <p class="muted small">"No keys yet. Create one to call the APIs."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="table keys-table" data-testid="keys-table">
                    <thead><tr>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {keys.into_iter().map(|k| view! { <KeyRow key=k ctx=ctx/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <article class="subscription" data-testid="subscription" data-catalog=request.catalog.name.clone()>
            <div class="subscription-head">
                <div>
                    <h3>{products}</h3>
                    <p class="muted small">
                        {format!("{} · {} plan — {}", request.catalog.name, request.plan.name, request.plan.terms())}
                    </p>
                    {(!active).then(|| view! {
                        <p class="small"><span class="badge badge-revoked">"access revoked"</span>
                            " These keys no longer open the APIs."</p>
                    })}
                </div>
                {active.then(|| view! {
                    <button type="button" class="btn btn-primary btn-sm" data-testid="create-key"
                        disabled=move || creating.get() on:click=create>
                        {move || if creating.get() { "Creating…" } else { "Create key" }}
                    </button>
                })}
            </div>
            {fresh}
            {keys_view}
        </article>
    }
}

/// Which inline form is open under a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyAction {
    None,
    Rotate,
    Revoke,
}

/// Grace periods offered when rotating: hours and how they read.
const GRACE_CHOICES: [(u32, &str); 5] =
    [(0, "immediately"), (1, "1 hour"), (24, "24 hours"), (72, "72 hours"), (168, "7 days")];

#[component]
fn KeyRow(key: ApiKeyView, ctx: Ctx) -> impl IntoView {
    let id = key.id;
    let open = RwSignal::new(KeyAction::None);
    let grace = RwSignal::new(24u32);
    let busy = RwSignal::new(false);
    let prefix = format!("{}…", key.prefix);
    let slug = key.status.slug();
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let expires = match (key.status, key.expires_at, key.revoked_at) {
        (KeyStatus::Revoked, _, Some(at)) => format!("revoked {}", time(at)),
        (KeyStatus::Revoked, _, None) => "revoked".to_owned(),
        (KeyStatus::Expired, Some(at), _) => format!("expired {}", time(at)),
        (KeyStatus::Expired, None, _) => "expired".to_owned(),
        // Expiring soon: a rotated key in its grace period, or close to its lifetime's end.
        (KeyStatus::ExpiringSoon, Some(at), _) => format!("works until {}", time(at)),
        (_, Some(at), _) => time(at),
        (_, None, _) => "never".to_owned(),
    };
    let last_used = key.last_used_at.map_or_else(|| "never".to_owned(), time);
    let toggle =
        move |action: KeyAction| open.update(|o| *o = if *o == action { KeyAction::None } else { action });

    let rotate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let hours = grace.get_untracked();
        let request = key.request_id;
        spawn_local(async move {
            match rotate_key(id, hours).await {
                Ok(new) => {
                    let title = match hours {
                        0 => "Key rotated — the old key stopped working".to_owned(),
                        h => format!("Key rotated — the old key keeps working for {}", grace_label(h)),
                    };
                    ctx.fresh.set(Some(FreshKey { request, key: new, title }));
                    ctx.toasts.success("Key rotated. Copy the new key now.");
                    ctx.reload.run(());
                }
                Err(e) => {
                    ctx.toasts.error(e.to_string());
                    busy.set(false);
                }
            }
        });
    };
    let revoke = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match revoke_key(id).await {
                Ok(()) => {
                    ctx.toasts.success("Key revoked: it no longer opens the APIs.");
                    ctx.reload.run(());
                }
                Err(e) => {
                    ctx.toasts.error(e.to_string());
                    busy.set(false);
                }
            }
        });
    };
    let grace_id = format!("grace-{id}");
    let prefix_for_forms = prefix.clone();

    view! {
        <tr data-testid="key-row" data-status=slug>
            <td><code class="key-prefix">{prefix}</code></td>
            <td><span class=format!("badge key-status key-{slug}") data-testid="key-status">{key.status.label()}</span></td>
            <td class="small">
                <div class="nowrap">{time(key.created_at)}</div>
                <div class="muted">{format!("by {}", key.created_by)}</div>
            </td>
            <td class="small" data-testid="key-expires">{expires}</td>
            <td class="small muted">{last_used}</td>
            <td>
                {key.status.works().then(|| view! {
                    <div class="row-actions">
                        <button type="button" class="btn btn-ghost btn-sm" data-testid="rotate-key"
                            aria-expanded=move || (open.get() == KeyAction::Rotate).to_string()
                            on:click=move |_| toggle(KeyAction::Rotate)>"Rotate"</button>
                        <button type="button" class="btn btn-ghost btn-sm btn-danger-text" data-testid="revoke-key"
                            aria-expanded=move || (open.get() == KeyAction::Revoke).to_string()
                            on:click=move |_| toggle(KeyAction::Revoke)>"Revoke"</button>
                    </div>
                })}
            </td>
        </tr>
        {move || match open.get() {
            KeyAction::None => ().into_any(),
            KeyAction::Rotate => {
                let grace_id = grace_id.clone();
                view! {
                    <tr class="row-form" data-testid="rotate-form">
                        <td colspan="6">
                            <form class="key-form" on:submit=rotate>
                                <p class="small">
                                    {format!("Rotating {} makes a new key at once. ", prefix_for_forms)}
                                    "Give the apps using the old one time to switch."
                                </p>
                                <div class="field">
                                    <label for=grace_id.clone()>"The old key keeps working"</label>
                                    <select id=grace_id data-testid="grace-hours"
                                        on:change=move |ev| grace.set(event_target_value(&ev).parse().unwrap_or(24))>
                                        {GRACE_CHOICES.iter().map(|&(hours, label)| {
                                            let text = if hours == 0 { "No — it stops immediately".to_owned() } else { format!("for {label}") };
                                            view! { <option value=hours.to_string() selected=hours == grace.get_untracked()>{text}</option> }
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="row-actions row-actions-start">
                                    <button type="submit" class="btn btn-primary btn-sm" data-testid="confirm-rotate"
                                        disabled=move || busy.get()>
                                        {move || if busy.get() { "Rotating…" } else { "Rotate key" }}
                                    </button>
                                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| open.set(KeyAction::None)>"Cancel"</button>
                                </div>
                            </form>
                        </td>
                    </tr>
                }
                .into_any()
            }
            KeyAction::Revoke => view! {
                <tr class="row-form" data-testid="revoke-form">
                    <td colspan="6">
                        <div class="key-form" role="group" aria-label="Confirm revoking the key">
                            <p class="small">
                                <strong>{format!("Revoke {}?", prefix_for_forms)}</strong>
                                " Anything using it stops working at once. This cannot be undone."
                            </p>
                            <div class="row-actions row-actions-start">
                                <button type="button" class="btn btn-danger btn-sm" data-testid="confirm-revoke"
                                    disabled=move || busy.get() on:click=revoke>
                                    {move || if busy.get() { "Revoking…" } else { "Revoke key" }}
                                </button>
                                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| open.set(KeyAction::None)>"Cancel"</button>
                            </div>
                        </div>
                    </td>
                </tr>
            }
            .into_any(),
        }}
    }
}

/// "1 hour", "7 days", … for a grace period in hours.
fn grace_label(hours: u32) -> String {
    GRACE_CHOICES
        .iter()
        .find(|(h, _)| *h == hours)
        .map_or_else(|| format!("{hours} hours"), |(_, label)| (*label).to_owned())
}

/// Deleting the app: type its name to confirm.
#[component]
fn DangerZone(id: AppId, name: String, admin: bool) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let name = StoredValue::new(name);
    let matches = move || name.with_value(|n| typed.get().trim() == n.trim());
    let delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !matches() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match delete_app(id).await {
                Ok(()) => {
                    toasts.success(format!("App {} deleted; its keys no longer work.", name.get_value()));
                    navigate(if admin { "/admin/apps" } else { "/apps" }, Default::default());
                }
                Err(e) => {
                    toasts.error(e.to_string());
                    busy.set(false);
                }
            }
        });
    };
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        // Focus the confirmation field as soon as it appears.
        #[cfg(feature = "csr")]
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
        #[cfg(not(feature = "csr"))]
        let _ = input.get();
    });
    view! {
        <section class="card danger-zone" aria-labelledby="danger-heading">
            <h2 id="danger-heading">"Danger zone"</h2>
            {move || if confirming.get() {
                let delete = delete.clone();
                view! {
                <form on:submit=delete class="stack" novalidate>
                    <p class="small">
                        "This deletes " <strong>{name.get_value()}</strong>
                        ": every key stops working immediately and pending requests are cancelled. It cannot be undone."
                    </p>
                    <div class="field">
                        <label for="confirm_app_name">{format!("Type {} to confirm", name.get_value())}</label>
                        <input id="confirm_app_name" type="text" autocomplete="off" node_ref=input
                            data-testid="confirm-app-name"
                            prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                    </div>
                    <div class="row-actions row-actions-start">
                        <button type="submit" class="btn btn-danger" data-testid="confirm-delete-app"
                            disabled=move || busy.get() || !matches()>
                            {move || if busy.get() { "Deleting…" } else { "Delete this app" }}
                        </button>
                        <button type="button" class="btn btn-ghost"
                            on:click=move |_| { confirming.set(false); typed.set(String::new()); }>"Cancel"</button>
                    </div>
                </form>
                }.into_any()
            } else {
                view! {
                    <div class="danger-row">
                        <p class="muted small">"Deleting the app revokes all its keys at once and cancels its pending requests."</p>
                        <button type="button" class="btn btn-ghost btn-danger-text" data-testid="delete-app"
                            on:click=move |_| confirming.set(true)>"Delete app…"</button>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
