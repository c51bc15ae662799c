//! Admin → Access requests: the queue, approve or reject with a reason.

use crate::api::catalog::{decide_access_request, list_access_requests};
use crate::components::admin_nav::{AdminNav, AdminNavRefresh};
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{AccessRequestId, AccessRequestView, AppError, RequestStatus};

#[component]
pub fn AdminAccessRequestsPage() -> impl IntoView {
    signed_in(|_| {
        let nav = AdminNavRefresh::provide();
        view! { <AdminNav/> <Requests nav=nav/> }
    })
}

#[component]
fn Requests(nav: AdminNavRefresh) -> impl IntoView {
    let filter = RwSignal::new(Some(RequestStatus::Pending));
    let requests = RwSignal::new(None::<Result<Vec<AccessRequestView>, AppError>>);
    let seq = StoredValue::new(0u64);
    // Loads on every change of the filter; a slow, older answer never replaces a newer one.
    let load = move |status: Option<RequestStatus>, show_loading: bool| {
        let n = seq.get_value() + 1;
        seq.set_value(n);
        if show_loading {
            requests.set(None);
        }
        spawn_local(async move {
            let result = list_access_requests(status).await;
            if seq.get_value() == n {
                requests.set(Some(result));
            }
        });
    };
    Effect::new(move |_| load(filter.get(), true));
    let reload = move || load(filter.get_untracked(), false);

    let filters = [
        (Some(RequestStatus::Pending), "Pending"),
        (Some(RequestStatus::Approved), "Approved"),
        (Some(RequestStatus::Rejected), "Rejected"),
        (None, "All"),
    ];

    view! {
        <div class="page-header">
            <div>
                <h1>"Access requests"</h1>
                <p class="muted">"Developers ask for a catalog's products on one of its plans. Plans with manual approval wait here; either way the developer is emailed."</p>
            </div>
        </div>
        <section class="card admin-section" aria-labelledby="requests-heading">
            <div class="section-head">
                <h2 id="requests-heading">"Requests"</h2>
                <div class="filter-bar" role="group" aria-label="Filter by status">
                    {filters.into_iter().map(|(value, label)| view! {
                        <button type="button" class="filter-btn" class:filter-active=move || filter.get() == value
                            aria-pressed=move || (filter.get() == value).to_string()
                            data-testid=format!("filter-{}", label.to_lowercase())
                            on:click=move |_| filter.set(value)>{label}</button>
                    }).collect_view()}
                </div>
            </div>
            {move || match requests.get() {
                None => view! { <Loading label="Loading requests…"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    let (title, text) = match filter.get_untracked() {
                        Some(RequestStatus::Pending) => (
                            "Nothing waiting",
                            "No request needs a decision. Requests for plans with manual approval appear here.",
                        ),
                        None => ("No access requests yet", "Developers request access from a product's page in the catalog."),
                        Some(_) => ("No requests", "No request has this status. Try another filter."),
                    };
                    view! { <Empty title=title><p>{text}</p></Empty> }.into_any()
                }
                Some(Ok(list)) => view! { <RequestsTable requests=list reload=reload nav=nav/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RequestsTable(
    requests: Vec<AccessRequestView>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    nav: AdminNavRefresh,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    // The row whose decision is under way, and the row whose rejection form is open.
    let busy = RwSignal::new(None::<AccessRequestId>);
    let rejecting = RwSignal::new(None::<AccessRequestId>);
    let reason = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<String>);

    let decide = move |id: AccessRequestId, app: String, approve: bool| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(id));
        reason_error.set(None);
        let why = if approve {
            None
        } else {
            Some(reason.get_untracked().trim().to_owned()).filter(|r| !r.is_empty())
        };
        spawn_local(async move {
            match decide_access_request(id, approve, why).await {
                Ok(_) => {
                    toasts.success(if approve {
                        format!("Access for {app} approved; the developer was emailed.")
                    } else {
                        format!("Request for {app} rejected; the developer was emailed.")
                    });
                    rejecting.set(None);
                    reason.set(String::new());
                    reload();
                    nav.notify();
                }
                Err(e) => match e.field_message("reason") {
                    Some(m) => reason_error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            busy.set(None);
        });
    };

    view! {
        <div class="table-wrap">
            <table class="table requests-table" data-testid="access-requests-table">
                <thead><tr>
                    <th scope="col">"Requested"</th>
                    <th scope="col">"Developer"</th>
                    <th scope="col">"App"</th>
                    <th scope="col">"Catalog and products"</th>
                    <th scope="col">"Plan"</th>
                    <th scope="col">"Comment"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {requests.into_iter().map(|r| {
                        let id = r.id;
                        let status = r.status.label();
                        let is_busy = move || busy.get() == Some(id);
                        let products = r.products.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
                        let (app_for_approve, app_for_reject) = (r.app_name.clone(), r.app_name.clone());
                        let pending = r.status == RequestStatus::Pending;
                        let field_id = format!("reject-reason-{id}");
                        let error_id = format!("reject-reason-{id}-error");
                        view! {
                            <tr data-testid="access-request-row">
                                <td class="small nowrap">{r.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                <td>
                                    <div>{r.requested_by.clone()}</div>
                                    <div class="muted small">{r.requested_by_email.clone()}</div>
                                    <div class="muted small">{r.organisation.clone()}</div>
                                </td>
                                <td><A href=format!("/apps/{}", r.app_id)>{r.app_name.clone()}</A></td>
                                <td>
                                    <div>{r.catalog.name.clone()}</div>
                                    <div class="muted small" data-testid="request-products">{products}</div>
                                </td>
                                <td>
                                    <div>{r.plan.name.clone()}</div>
                                    <div class="muted small">{r.plan.terms()}</div>
                                </td>
                                <td class="small request-comment">
                                    {if r.comment.trim().is_empty() {
                                        view! { <span class="muted">"—"</span> }.into_any()
                                    } else {
                                        r.comment.clone().into_any()
                                    }}
                                </td>
                                <td>
                                    <span class=format!("badge badge-{status}") data-testid="request-status">{status}</span>
                                    {r.decided_at.map(|at| view! {
                                        <div class="muted small nowrap">"Decided " {at.format("%Y-%m-%d %H:%M").to_string()}</div>
                                    })}
                                    {r.reason.clone().filter(|_| r.status == RequestStatus::Rejected).map(|why| view! {
                                        <div class="small request-reason" data-testid="request-reason">"Reason: " {why}</div>
                                    })}
                                </td>
                                <td>
                                    {pending.then(|| view! {
                                        <div class="row-actions">
                                            <button type="button" class="btn btn-primary btn-sm" data-testid="approve-request"
                                                disabled=move || busy.get().is_some()
                                                on:click=move |_| decide(id, app_for_approve.clone(), true)>
                                                {move || if is_busy() && rejecting.get() != Some(id) { "Approving…" } else { "Approve" }}
                                            </button>
                                            <button type="button" class="btn btn-ghost btn-sm btn-danger-text" data-testid="reject-request"
                                                disabled=move || busy.get().is_some()
                                                aria-expanded=move || (rejecting.get() == Some(id)).to_string()
                                                on:click=move |_| {
                                                    reason.set(String::new());
                                                    reason_error.set(None);
                                                    rejecting.set(Some(id));
                                                }>"Reject"</button>
                                        </div>
                                    })}
                                </td>
                            </tr>
                            {move || (rejecting.get() == Some(id)).then(|| {
                                let app = app_for_reject.clone();
                                let area = NodeRef::<leptos::html::Textarea>::new();
                                Effect::new(move |_| {
                                    if let Some(el) = area.get() {
                                        let _ = el.focus();
                                    }
                                });
                                view! {
                                    <tr class="row-form">
                                        <td colspan="8">
                                            <form class="inline-form" data-testid="reject-form"
                                                on:submit=move |ev: leptos::ev::SubmitEvent| {
                                                    ev.prevent_default();
                                                    decide(id, app.clone(), false);
                                                }
                                                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                                    if ev.key() == "Escape" {
                                                        rejecting.set(None);
                                                    }
                                                }>
                                                <div class="field" class:field-invalid=move || reason_error.get().is_some()>
                                                    <label for=field_id.clone()>"Reason for rejecting (optional)"</label>
                                                    <textarea id=field_id.clone() name="reason" rows="2" node_ref=area
                                                        data-testid="reject-reason" aria-describedby=error_id.clone()
                                                        prop:value=move || reason.get()
                                                        on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                                                    <p class="field-hint">"It is included in the email to the developer."</p>
                                                    <p class="field-error" id=error_id.clone()>{move || reason_error.get().unwrap_or_default()}</p>
                                                </div>
                                                <div class="form-actions">
                                                    <button type="submit" class="btn btn-danger" data-testid="confirm-reject"
                                                        disabled=is_busy>
                                                        {move || if is_busy() { "Rejecting…" } else { "Reject request" }}
                                                    </button>
                                                    <button type="button" class="btn btn-ghost" on:click=move |_| rejecting.set(None)>"Cancel"</button>
                                                </div>
                                            </form>
                                        </td>
                                    </tr>
                                }
                            })}
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
