//! Admin → Organisations: search and filter organisations, create one (its default team
//! comes with it), and open one to manage it.

use crate::api::organisations::{create_organisation, list_organisations};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portico_model::{AppError, GroupName, OrgStatus, OrgSummary};

#[component]
pub fn AdminOrganisationsPage() -> impl IntoView {
    signed_in(|_| view! { <AdminNav/> <Organisations/> })
}

#[component]
fn Organisations() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(None::<OrgStatus>);
    let orgs = RwSignal::new(None::<Result<Vec<OrgSummary>, AppError>>);
    let seq = StoredValue::new(0u64);
    // Reloads on every change of the search or the filter; a slow, older answer never
    // replaces a newer one.
    Effect::new(move |_| {
        let (text, wanted) = (search.get(), status.get());
        let n = seq.get_value() + 1;
        seq.set_value(n);
        spawn_local(async move {
            let result = list_organisations(Some(text), wanted).await;
            if seq.get_value() == n {
                orgs.set(Some(result));
            }
        });
    });

    let new_name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let creating = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        name_error.set(GroupName::parse("name", &new_name.get_untracked()).err().map(|e| e.message));
        if name_error.get_untracked().is_some() {
            return;
        }
        creating.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match create_organisation(new_name.get_untracked()).await {
                Ok(id) => {
                    toasts.success(format!("Organisation {} created.", new_name.get_untracked().trim()));
                    navigate(&format!("/admin/organisations/{id}"), Default::default());
                }
                Err(e) => match e.field_message("name") {
                    Some(m) => name_error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            creating.set(false);
        });
    };

    let filters = [
        (None, "All"),
        (Some(OrgStatus::Active), "Active"),
        (Some(OrgStatus::Pending), "Pending"),
        (Some(OrgStatus::Inactive), "Inactive"),
        (Some(OrgStatus::Rejected), "Rejected"),
    ];

    view! {
        <div class="page-header">
            <div>
                <h1>"Organisations"</h1>
                <p class="muted">"Companies whose developers use your APIs. Each has teams; every user is in one organisation."</p>
            </div>
        </div>
        <section class="card admin-section" aria-labelledby="new-org-heading">
            <h2 id="new-org-heading">"New organisation"</h2>
            <form on:submit=create class="inline-form" novalidate>
                <Field id="org_name" label="Name" value=new_name error=name_error/>
                <button type="submit" class="btn btn-primary" disabled=move || creating.get()>"Create organisation"</button>
            </form>
        </section>
        <section class="card admin-section" aria-labelledby="orgs-heading">
            <div class="section-head">
                <h2 id="orgs-heading">"All organisations"</h2>
                <div class="filter-bar" role="group" aria-label="Filter by status">
                    {filters.into_iter().map(|(value, label)| view! {
                        <button type="button" class="filter-btn" class:filter-active=move || status.get() == value
                            aria-pressed=move || (status.get() == value).to_string()
                            on:click=move |_| status.set(value)>{label}</button>
                    }).collect_view()}
                </div>
            </div>
            <div class="field">
                <label for="org_search">"Search"</label>
                <input id="org_search" type="search" placeholder="Type part of a name"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            {move || match orgs.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <Empty title="No organisations match"><p>"Try another name or filter."</p></Empty>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="orgs-table">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Status"</th>
                                <th scope="col">"Members"</th><th scope="col">"Teams"</th><th scope="col">"Created"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|o| {
                                    let status = o.status.label();
                                    view! {
                                        <tr data-testid="org-row">
                                            <td>
                                                <A href=format!("/admin/organisations/{}", o.id)>{o.name.clone()}</A>
                                                {o.is_default.then(|| view! { " " <span class="badge badge-inactive">"default"</span> })}
                                                {o.requested_by.clone().map(|who| view! {
                                                    <div class="muted small">"Registered by " {who}</div>
                                                })}
                                            </td>
                                            <td><span class=format!("badge badge-{status}")>{status}</span></td>
                                            <td>{o.members}</td>
                                            <td>{o.teams}</td>
                                            <td class="muted small">{o.created_at.format("%Y-%m-%d").to_string()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
