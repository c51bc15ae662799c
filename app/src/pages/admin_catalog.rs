//! Admin → one catalog: its products, who may see it, and its plans.

use crate::api::catalog::{
    create_plan, delete_plan, get_catalog, list_products, set_catalog_org, set_catalog_product,
    set_catalog_team, update_catalog, update_plan,
};
use crate::api::organisations::{get_organisation, list_organisations};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::admin_catalogs::VisibilityChoice;
use crate::pages::{count, signed_in};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use portico_model::{
    AppError, CatalogDetail, CatalogId, FieldError, GroupName, OrgId, OrgStatus, OrgSummary, Plan, PlanId,
    PlanInput, ProductId, ProductSummary, QuotaPeriod, RatePeriod, TeamId, TeamSummary, Visibility,
};
use std::future::Future;

#[component]
pub fn AdminCatalogPage() -> impl IntoView {
    signed_in(|_| {
        let params = use_params_map();
        let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<CatalogId>().ok())));
        view! {
            <AdminNav/>
            <p class="breadcrumb"><A href="/admin/catalogs">"← All catalogs"</A></p>
            {move || match id.get() {
                Some(id) => view! { <Catalog id=id/> }.into_any(),
                None => view! { <ErrorPanel error=AppError::NotFound/> }.into_any(),
            }}
        }
    })
}

/// Where the first load is. Later reloads keep the page and report failures as toasts.
#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Failed(AppError),
    Ready,
}

/// Runs a change while `busy` is set, then reloads the catalog; errors become toasts.
fn act(
    toasts: Toasts,
    busy: RwSignal<bool>,
    reload: impl Fn() + Copy + 'static,
    done: String,
    call: impl Future<Output = Result<(), AppError>> + 'static,
) {
    busy.set(true);
    spawn_local(async move {
        match call.await {
            Ok(()) => {
                toasts.success(done);
                reload();
            }
            Err(e) => toasts.error(e.to_string()),
        }
        busy.set(false);
    });
}

#[component]
fn Catalog(id: CatalogId) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let detail = RwSignal::new(None::<Result<CatalogDetail, AppError>>);
    let reload = move || {
        spawn_local(async move {
            match get_catalog(id).await {
                Ok(d) => detail.set(Some(Ok(d))),
                Err(e) if matches!(detail.get_untracked(), Some(Ok(_))) => toasts.error(e.to_string()),
                Err(e) => detail.set(Some(Err(e))),
            }
        })
    };
    reload();
    let state = Memo::new(move |_| {
        detail.with(|d| match d {
            None => Load::Loading,
            Some(Err(e)) => Load::Failed(e.clone()),
            Some(Ok(_)) => Load::Ready,
        })
    });
    let current = Memo::new(move |_| detail.with(|d| d.as_ref().and_then(|r| r.as_ref().ok().cloned())));

    move || match state.get() {
        Load::Loading => view! { <Loading label="Loading the catalog…"/> }.into_any(),
        Load::Failed(e) => view! { <ErrorPanel error=e/> }.into_any(),
        Load::Ready => {
            let Some(first) = current.get_untracked() else { return ().into_any() };
            view! {
                <Header current=current/>
                <div class="grid-admin">
                    <div class="stack">
                        <Products id=id current=current reload=reload/>
                        <Plans id=id current=current reload=reload/>
                    </div>
                    <div class="stack">
                        <Settings id=id first=first reload=reload/>
                        <Audience id=id current=current reload=reload/>
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn Header(current: Memo<Option<CatalogDetail>>) -> impl IntoView {
    move || {
        current.get().map(|c| {
            let vis = c.catalog.visibility.label();
            view! {
                <div class="page-header">
                    <div>
                        <h1 data-testid="catalog-name">{c.catalog.name.clone()}</h1>
                        <p class="muted">
                            <span class=format!("badge visibility-badge badge-{vis}") data-testid="catalog-visibility">{vis}</span>
                            {format!(
                                " · {} · {}",
                                count(c.products.len() as u64, "product"),
                                count(c.plans.len() as u64, "plan"),
                            )}
                        </p>
                    </div>
                </div>
                {(c.plans.is_empty() && !c.products.is_empty()).then(|| view! {
                    <div class="alert alert-info" role="status">
                        "Developers cannot request access yet: add a plan to this catalog."
                    </div>
                })}
            }
        })
    }
}

/// Rename the catalog and choose who sees it.
#[component]
fn Settings(
    id: CatalogId,
    first: CatalogDetail,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let name = RwSignal::new(first.catalog.name);
    let name_error = RwSignal::new(None::<String>);
    let visibility = RwSignal::new(first.catalog.visibility);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let checked = match GroupName::parse("catalog_name", &name.get_untracked()) {
            Ok(n) => n.as_str().to_owned(),
            Err(e) => {
                name_error.set(Some(e.message));
                return;
            }
        };
        name_error.set(None);
        busy.set(true);
        name.set(checked.clone());
        spawn_local(async move {
            match update_catalog(id, checked, visibility.get_untracked()).await {
                Ok(()) => {
                    toasts.success("Catalog saved.");
                    reload();
                }
                Err(e) => match e.field_message("name").or_else(|| e.field_message("catalog_name")) {
                    Some(m) => name_error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="catalog-settings-heading">
            <h2 id="catalog-settings-heading">"Name and visibility"</h2>
            <form on:submit=submit novalidate>
                <Field id="catalog_name" label="Name" value=name error=name_error/>
                <VisibilityChoice prefix="catalog_visibility" value=visibility/>
                <button type="submit" class="btn btn-primary" data-testid="save-catalog" disabled=move || busy.get()>
                    {move || if busy.get() { "Saving…" } else { "Save" }}
                </button>
            </form>
        </section>
    }
}

/// The products in the catalog, and a select of the others to add one.
#[component]
fn Products(
    id: CatalogId,
    current: Memo<Option<CatalogDetail>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let all = RwSignal::new(None::<Result<Vec<ProductSummary>, AppError>>);
    spawn_local(async move { all.set(Some(list_products().await)) });
    let busy = RwSignal::new(false);
    let chosen = RwSignal::new(None::<ProductId>);
    let in_catalog =
        Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.products.clone()).unwrap_or_default()));
    let published = move |p: ProductId| {
        all.with(|a| match a {
            Some(Ok(list)) => list.iter().find(|s| s.id == p).map(|s| s.published),
            _ => None,
        })
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(product) = chosen.get_untracked() else { return };
        if busy.get_untracked() {
            return;
        }
        let name = all.with_untracked(|a| match a {
            Some(Ok(list)) => list.iter().find(|s| s.id == product).map(|s| s.name.clone()),
            _ => None,
        });
        chosen.set(None);
        let done = format!("{} added to the catalog.", name.unwrap_or_else(|| "Product".to_owned()));
        act(toasts, busy, reload, done, set_catalog_product(id, product, true));
    };
    let remove = move |product: ProductId, name: String| {
        if !busy.get_untracked() {
            let done = format!("{name} removed from the catalog.");
            act(toasts, busy, reload, done, set_catalog_product(id, product, false));
        }
    };

    view! {
        <section class="card" aria-labelledby="catalog-products-heading">
            <h2 id="catalog-products-heading">"Products"</h2>
            {move || {
                let list = in_catalog.get();
                if list.is_empty() {
                    view! {
                        <Empty title="No products in this catalog">
                            <p>"Choose a product below to offer it here with this catalog's plans."</p>
                        </Empty>
                    }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">"Product"</th><th scope="col">"Slug"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|p| {
                                        let pid = p.id;
                                        let name = p.name.clone();
                                        view! {
                                            <tr data-testid="catalog-product-row">
                                                <td>
                                                    <A href=format!("/admin/products/{}", p.id)>{p.name.clone()}</A>
                                                    {move || (published(pid) == Some(false)).then(|| view! {
                                                        " " <span class="badge badge-unpublished"
                                                            title="Developers do not see unpublished products">"unpublished"</span>
                                                    })}
                                                </td>
                                                <td><code>{p.slug.clone()}</code></td>
                                                <td>
                                                    <div class="row-actions">
                                                        <button type="button" class="btn btn-ghost btn-sm btn-danger-text"
                                                            data-testid="remove-catalog-product" disabled=move || busy.get()
                                                            on:click=move |_| remove(pid, name.clone())>"Remove"</button>
                                                    </div>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
            {move || match all.get() {
                None => view! { <Loading label="Loading products…"/> }.into_any(),
                Some(Err(e)) => view! { <p class="muted small">"Could not load the products: " {e.to_string()}</p> }.into_any(),
                Some(Ok(products)) if products.is_empty() => view! {
                    <p class="muted small">"There are no products yet. " <A href="/admin/products">"Create one"</A> " first."</p>
                }.into_any(),
                Some(Ok(products)) => {
                    let taken = in_catalog.get();
                    let others: Vec<_> = products.into_iter().filter(|p| !taken.iter().any(|t| t.id == p.id)).collect();
                    if others.is_empty() {
                        return view! { <p class="muted small">"Every product is in this catalog."</p> }.into_any();
                    }
                    view! {
                        <form class="inline-form select-form" on:submit=add>
                            <div class="field">
                                <label for="catalog_product">"Add a product"</label>
                                <select id="catalog_product" name="catalog_product"
                                    on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                                    <option value="" prop:selected=move || chosen.get().is_none()>"Choose a product…"</option>
                                    {others.into_iter().map(|p| {
                                        let pid = p.id;
                                        let label = if p.published { p.name.clone() } else { format!("{} (unpublished)", p.name) };
                                        view! { <option value=p.id.to_string() prop:selected=move || chosen.get() == Some(pid)>{label}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class="btn btn-ghost" data-testid="add-catalog-product"
                                disabled=move || busy.get() || chosen.get().is_none()>"Add"</button>
                        </form>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The organisations and teams a private catalog is shown to.
#[component]
fn Audience(
    id: CatalogId,
    current: Memo<Option<CatalogDetail>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let busy = RwSignal::new(false);
    let orgs = RwSignal::new(None::<Result<Vec<OrgSummary>, AppError>>);
    spawn_local(async move { orgs.set(Some(list_organisations(None, None).await)) });
    let public = Memo::new(move |_| {
        current.with(|c| c.as_ref().is_some_and(|c| c.catalog.visibility == Visibility::Public))
    });
    let audience_orgs =
        Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.orgs.clone()).unwrap_or_default()));
    let audience_teams =
        Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.teams.clone()).unwrap_or_default()));

    // Organisations that can be chosen: not rejected, with their state when not active.
    let choosable = move || {
        orgs.with(|o| match o {
            Some(Ok(list)) => list
                .iter()
                .filter(|o| o.status != OrgStatus::Rejected)
                .map(|o| {
                    let label = if o.status == OrgStatus::Active {
                        o.name.clone()
                    } else {
                        format!("{} ({})", o.name, o.status.label())
                    };
                    (o.id, label)
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };

    let org_choice = RwSignal::new(None::<OrgId>);
    let add_org = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org) = org_choice.get_untracked() else { return };
        if busy.get_untracked() {
            return;
        }
        org_choice.set(None);
        act(
            toasts,
            busy,
            reload,
            "Organisation added to the audience.".to_owned(),
            set_catalog_org(id, org, true),
        );
    };

    // Teams: first the organisation, then one of its teams.
    let team_org = RwSignal::new(None::<OrgId>);
    let teams = RwSignal::new(None::<Result<Vec<TeamSummary>, AppError>>);
    let team_choice = RwSignal::new(None::<TeamId>);
    let seq = StoredValue::new(0u64);
    Effect::new(move |_| {
        let org = team_org.get();
        team_choice.set(None);
        let n = seq.get_value() + 1;
        seq.set_value(n);
        let Some(org) = org else {
            teams.set(None);
            return;
        };
        teams.set(None);
        spawn_local(async move {
            let result = get_organisation(org).await.map(|d| d.teams);
            if seq.get_value() == n {
                teams.set(Some(result));
            }
        });
    });
    let add_team = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(team) = team_choice.get_untracked() else { return };
        if busy.get_untracked() {
            return;
        }
        team_choice.set(None);
        act(toasts, busy, reload, "Team added to the audience.".to_owned(), set_catalog_team(id, team, true));
    };

    view! {
        <section class="card" aria-labelledby="audience-heading" data-testid="catalog-audience">
            <h2 id="audience-heading">"Audience"</h2>
            {move || if public.get() {
                view! {
                    <div class="alert alert-info" role="status" data-testid="audience-public-note">
                        "This catalog is public: everyone sees it. Make it private to show it only to the organisations and teams below."
                    </div>
                }.into_any()
            } else {
                view! {
                    <p class="muted small">"Members of these organisations and teams (and portal admins) see this private catalog."</p>
                }.into_any()
            }}

            <h3>"Organisations"</h3>
            {move || {
                let list = audience_orgs.get();
                if list.is_empty() {
                    view! { <p class="muted small">"No organisation chosen."</p> }.into_any()
                } else {
                    view! {
                        <ul class="audience-list">
                            {list.into_iter().map(|o| {
                                let oid = o.id;
                                let done = format!("{} removed from the audience.", o.name);
                                view! {
                                    <li data-testid="audience-org">
                                        <span>{o.name.clone()}</span>
                                        <button type="button" class="btn btn-ghost btn-sm btn-danger-text" data-testid="remove-audience-org"
                                            disabled=move || busy.get()
                                            on:click=move |_| act(toasts, busy, reload, done.clone(), set_catalog_org(id, oid, false))>
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || match orgs.get() {
                None => view! { <Loading label="Loading organisations…"/> }.into_any(),
                Some(Err(e)) => view! { <p class="muted small">"Could not load the organisations: " {e.to_string()}</p> }.into_any(),
                Some(Ok(_)) => {
                    let taken = audience_orgs.get();
                    let options: Vec<_> = choosable().into_iter().filter(|(o, _)| !taken.iter().any(|t| t.id == *o)).collect();
                    if options.is_empty() {
                        return view! { <p class="muted small">"Every organisation is in the audience."</p> }.into_any();
                    }
                    view! {
                        <form class="inline-form select-form audience-form" on:submit=add_org>
                            <div class="field">
                                <label for="audience_org">"Add an organisation"</label>
                                <select id="audience_org" name="audience_org"
                                    on:change=move |ev| org_choice.set(event_target_value(&ev).parse().ok())>
                                    <option value="" prop:selected=move || org_choice.get().is_none()>"Choose an organisation…"</option>
                                    {options.into_iter().map(|(oid, label)| view! {
                                        <option value=oid.to_string() prop:selected=move || org_choice.get() == Some(oid)>{label}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class="btn btn-ghost" data-testid="add-catalog-org"
                                disabled=move || busy.get() || org_choice.get().is_none()>"Add organisation"</button>
                        </form>
                    }.into_any()
                }
            }}

            <h3 class="audience-subhead">"Teams"</h3>
            {move || {
                let list = audience_teams.get();
                if list.is_empty() {
                    view! { <p class="muted small">"No team chosen."</p> }.into_any()
                } else {
                    view! {
                        <ul class="audience-list">
                            {list.into_iter().map(|t| {
                                let tid = t.id;
                                let done = format!("{} removed from the audience.", t.name);
                                view! {
                                    <li data-testid="audience-team">
                                        <span>{t.name.clone()} <span class="muted small">{format!(" · {}", t.org_name)}</span></span>
                                        <button type="button" class="btn btn-ghost btn-sm btn-danger-text" data-testid="remove-audience-team"
                                            disabled=move || busy.get()
                                            on:click=move |_| act(toasts, busy, reload, done.clone(), set_catalog_team(id, tid, false))>
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || orgs.get().and_then(Result::ok).map(|_| {
                let options = choosable();
                view! {
                    <form class="stack-sm" on:submit=add_team>
                        <div class="field">
                            <label for="team_org">"Organisation of the team"</label>
                            <select id="team_org" name="team_org"
                                on:change=move |ev| team_org.set(event_target_value(&ev).parse().ok())>
                                <option value="" prop:selected=move || team_org.get().is_none()>"Choose an organisation…"</option>
                                {options.into_iter().map(|(oid, label)| view! {
                                    <option value=oid.to_string() prop:selected=move || team_org.get() == Some(oid)>{label}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        {move || match (team_org.get(), teams.get()) {
                            (None, _) => ().into_any(),
                            (Some(_), None) => view! { <Loading label="Loading teams…"/> }.into_any(),
                            (Some(_), Some(Err(e))) => view! {
                                <p class="muted small">"Could not load the teams: " {e.to_string()}</p>
                            }.into_any(),
                            (Some(_), Some(Ok(list))) => {
                                let taken = audience_teams.get();
                                let options: Vec<_> = list.into_iter().filter(|t| !taken.iter().any(|a| a.id == t.id)).collect();
                                if options.is_empty() {
                                    return view! { <p class="muted small">"All of its teams are in the audience."</p> }.into_any();
                                }
                                view! {
                                    <div class="inline-form select-form audience-form">
                                        <div class="field">
                                            <label for="audience_team">"Team"</label>
                                            <select id="audience_team" name="audience_team"
                                                on:change=move |ev| team_choice.set(event_target_value(&ev).parse().ok())>
                                                <option value="" prop:selected=move || team_choice.get().is_none()>"Choose a team…"</option>
                                                {options.into_iter().map(|t| {
                                                    let tid = t.id;
                                                    view! {
                                                        <option value=t.id.to_string() prop:selected=move || team_choice.get() == Some(tid)>
                                                            {t.name.clone()}
                                                        </option>
                                                    }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <button type="submit" class="btn btn-ghost" data-testid="add-catalog-team"
                                            disabled=move || busy.get() || team_choice.get().is_none()>"Add team"</button>
                                    </div>
                                }.into_any()
                            }
                        }}
                    </form>
                }
            })}
        </section>
    }
}

/// The catalog's plans: a table with inline editing and deletion, and a form for a new one.
#[component]
fn Plans(
    id: CatalogId,
    current: Memo<Option<CatalogDetail>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let plans = Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.plans.clone()).unwrap_or_default()));
    let editing = RwSignal::new(None::<PlanId>);
    let confirming = RwSignal::new(None::<PlanId>);
    let deleting = RwSignal::new(None::<PlanId>);
    let delete = move |plan: PlanId, name: String| {
        if confirming.get_untracked() != Some(plan) {
            confirming.set(Some(plan));
            return;
        }
        if deleting.get_untracked().is_some() {
            return;
        }
        deleting.set(Some(plan));
        spawn_local(async move {
            match delete_plan(plan).await {
                Ok(()) => {
                    toasts.success(format!("Plan {name} deleted."));
                    reload();
                }
                // A plan that was requested cannot go (Conflict): the host says why.
                Err(e) => toasts.error(e.to_string()),
            }
            confirming.set(None);
            deleting.set(None);
        });
    };

    view! {
        <section class="card" aria-labelledby="plans-heading">
            <h2 id="plans-heading">"Plans"</h2>
            {move || {
                let list = plans.get();
                if list.is_empty() {
                    return view! {
                        <Empty title="No plans yet">
                            <p>"Developers choose a plan when they request access. Add one below: its rate limit, quota and whether you approve each request."</p>
                        </Empty>
                    }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table plans-table" data-testid="plans-table">
                            <thead><tr>
                                <th scope="col">"Plan"</th><th scope="col">"Terms"</th><th scope="col">"Approval"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|p| {
                                    let pid = p.id;
                                    let name = p.name.clone();
                                    let (approval, class) = if p.requires_approval {
                                        ("Manual approval", "badge badge-plain badge-pending")
                                    } else {
                                        ("Automatic", "badge badge-plain badge-active")
                                    };
                                    let plan = p.clone();
                                    view! {
                                        <tr data-testid="plan-row">
                                            <td data-testid="plan-name"><strong>{p.name.clone()}</strong></td>
                                            <td class="small" data-testid="plan-terms">{p.terms()}</td>
                                            <td><span class=class data-testid="plan-approval">{approval}</span></td>
                                            <td>
                                                <div class="row-actions">
                                                    <button type="button" class="btn btn-ghost btn-sm" data-testid="edit-plan"
                                                        aria-expanded=move || (editing.get() == Some(pid)).to_string()
                                                        on:click=move |_| {
                                                            confirming.set(None);
                                                            editing.update(|e| *e = if *e == Some(pid) { None } else { Some(pid) });
                                                        }>"Edit"</button>
                                                    {move || (confirming.get() == Some(pid)).then(|| view! {
                                                        <button type="button" class="btn btn-ghost btn-sm"
                                                            on:click=move |_| confirming.set(None)>"Cancel"</button>
                                                    })}
                                                    <button type="button" data-testid="delete-plan"
                                                        class=move || if confirming.get() == Some(pid) { "btn btn-danger btn-sm" } else { "btn btn-ghost btn-sm btn-danger-text" }
                                                        disabled=move || deleting.get().is_some()
                                                        on:click=move |_| delete(pid, name.clone())>
                                                        {move || match (deleting.get() == Some(pid), confirming.get() == Some(pid)) {
                                                            (true, _) => "Deleting…",
                                                            (false, true) => "Confirm delete",
                                                            (false, false) => "Delete",
                                                        }}
                                                    </button>
                                                </div>
                                            </td>
                                        </tr>
                                        {move || (editing.get() == Some(pid)).then(|| {
                                            let plan = plan.clone();
                                            view! {
                                                <tr class="row-form">
                                                    <td colspan="4">
                                                        <PlanForm catalog=id plan=Some(plan) prefix="edit_"
                                                            on_done=Callback::new(move |()| { editing.set(None); reload(); })
                                                            on_cancel=Callback::new(move |()| editing.set(None))/>
                                                    </td>
                                                </tr>
                                            }
                                        })}
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <div class="new-plan">
                <h3 id="new-plan-heading">"New plan"</h3>
                <PlanForm catalog=id plan=None prefix="" on_done=Callback::new(move |()| reload())/>
            </div>
        </section>
    }
}

/// A plan's terms as a form: creates a plan (`plan: None`) or changes one. Checked with
/// [`PlanInput::parse`] before it is sent; the host checks again.
#[component]
fn PlanForm(
    catalog: CatalogId,
    plan: Option<Plan>,
    /// Prefix of the inputs' ids (the edit form sits beside the new-plan form).
    prefix: &'static str,
    on_done: Callback<()>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let editing = plan.as_ref().map(|p| p.id);
    let name = RwSignal::new(plan.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let rate = RwSignal::new(plan.as_ref().map(|p| p.rate_limit.to_string()).unwrap_or_default());
    let rate_period = RwSignal::new(plan.as_ref().map_or(RatePeriod::Second, |p| p.rate_period));
    let quota = RwSignal::new(plan.as_ref().and_then(|p| p.quota).map(|q| q.to_string()).unwrap_or_default());
    let quota_period = RwSignal::new(plan.as_ref().map_or(QuotaPeriod::Day, |p| p.quota_period));
    let days = RwSignal::new(
        plan.as_ref().and_then(|p| p.key_lifetime_days).map(|d| d.to_string()).unwrap_or_default(),
    );
    let approval = RwSignal::new(plan.as_ref().is_some_and(|p| p.requires_approval));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);

    let parsed = move || {
        PlanInput::parse(
            &name.get(),
            &rate.get(),
            rate_period.get(),
            &quota.get(),
            quota_period.get(),
            &days.get(),
            approval.get(),
        )
    };
    // What developers will read, once the numbers make sense.
    let terms = move || {
        parsed().ok().map(|p| {
            Plan {
                id: PlanId(uuid::Uuid::nil()),
                catalog_id: catalog,
                name: p.name,
                rate_limit: p.rate_limit,
                rate_period: p.rate_period,
                quota: p.quota,
                quota_period: p.quota_period,
                key_lifetime_days: p.key_lifetime_days,
                requires_approval: p.requires_approval,
            }
            .terms()
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = match untrack(parsed) {
            Ok(input) => input,
            Err(es) => {
                errors.set(es);
                return;
            }
        };
        errors.set(Vec::new());
        busy.set(true);
        spawn_local(async move {
            let PlanInput {
                name: n,
                rate_limit,
                rate_period: rp,
                quota: q,
                quota_period: qp,
                key_lifetime_days,
                requires_approval,
            } = input;
            let result = match editing {
                Some(plan) => {
                    update_plan(plan, n, rate_limit, rp, q, qp, key_lifetime_days, requires_approval).await
                }
                None => {
                    create_plan(catalog, n, rate_limit, rp, q, qp, key_lifetime_days, requires_approval).await
                }
            };
            match result {
                Ok(saved) => {
                    toasts.success(if editing.is_some() {
                        format!("Plan {} saved.", saved.name)
                    } else {
                        format!("Plan {} created.", saved.name)
                    });
                    if editing.is_none() {
                        name.set(String::new());
                        rate.set(String::new());
                        quota.set(String::new());
                        days.set(String::new());
                        approval.set(false);
                    }
                    on_done.run(());
                }
                Err(AppError::Invalid(es)) => errors.set(es),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };

    let error = move |field: &'static str| {
        Signal::derive(move || {
            errors.with(|es| es.iter().find(|e| e.field == field).map(|e| e.message.clone()))
        })
    };
    let id = move |field: &str| format!("{prefix}{field}");
    let text = move |field: &'static str,
                     label: &'static str,
                     value: RwSignal<String>,
                     placeholder: &'static str,
                     hint: &'static str| {
        let err = error(field);
        let input_id = id(field);
        let error_id = format!("{input_id}-error");
        let hint_id = format!("{input_id}-hint");
        let described = if hint.is_empty() { error_id.clone() } else { format!("{hint_id} {error_id}") };
        view! {
            <div class="field" class:field-invalid=move || err.get().is_some()>
                <label for=input_id.clone()>{label}</label>
                <input id=input_id.clone() name=input_id type="text" inputmode="numeric" autocomplete="off"
                    placeholder=placeholder aria-describedby=described
                    aria-invalid=move || if err.get().is_some() { "true" } else { "false" }
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                {(!hint.is_empty()).then(|| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
                <p class="field-error" id=error_id>{move || err.get().unwrap_or_default()}</p>
            </div>
        }
    };
    let name_err = error("plan_name");
    let submit_label = if editing.is_some() { "Save plan" } else { "Create plan" };
    let submit_testid = if editing.is_some() { "save-plan" } else { "create-plan" };

    view! {
        <form class="plan-form" on:submit=submit novalidate data-testid=if editing.is_some() { "edit-plan-form" } else { "new-plan-form" }>
            <div class="field" class:field-invalid=move || name_err.get().is_some()>
                <label for=id("plan_name")>"Name"</label>
                <input id=id("plan_name") name=id("plan_name") type="text" autocomplete="off"
                    aria-describedby=format!("{}-error", id("plan_name"))
                    aria-invalid=move || if name_err.get().is_some() { "true" } else { "false" }
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <p class="field-error" id=format!("{}-error", id("plan_name"))>{move || name_err.get().unwrap_or_default()}</p>
            </div>
            <div class="field-row">
                {text("rate_limit", "Rate limit (requests)", rate, "e.g. 10", "")}
                <div class="field">
                    <label for=id("rate_period")>"Per"</label>
                    <select id=id("rate_period") name=id("rate_period")
                        on:change=move |ev| rate_period.set(if event_target_value(&ev) == "minute" { RatePeriod::Minute } else { RatePeriod::Second })>
                        <option value="second" prop:selected=move || rate_period.get() == RatePeriod::Second>"per second"</option>
                        <option value="minute" prop:selected=move || rate_period.get() == RatePeriod::Minute>"per minute"</option>
                    </select>
                </div>
            </div>
            <div class="field-row">
                {text("quota", "Quota (requests)", quota, "Unlimited", "Leave empty for no quota.")}
                <div class="field">
                    <label for=id("quota_period")>"Per"</label>
                    <select id=id("quota_period") name=id("quota_period")
                        on:change=move |ev| quota_period.set(if event_target_value(&ev) == "month" { QuotaPeriod::Month } else { QuotaPeriod::Day })>
                        <option value="day" prop:selected=move || quota_period.get() == QuotaPeriod::Day>"per day"</option>
                        <option value="month" prop:selected=move || quota_period.get() == QuotaPeriod::Month>"per month"</option>
                    </select>
                </div>
            </div>
            {text("key_lifetime_days", "Key lifetime (days)", days, "Keys do not expire", "Leave empty for keys that do not expire.")}
            <div class="field-check">
                <input id=id("requires_approval") name=id("requires_approval") type="checkbox"
                    prop:checked=move || approval.get() on:change=move |ev| approval.set(event_target_checked(&ev))/>
                <label for=id("requires_approval")>"Requires manual approval"</label>
            </div>
            <p class="field-hint">"Otherwise developers get their key as soon as they ask."</p>
            <p class="plan-terms-preview small" aria-live="polite">
                {move || terms().map(|t| view! { "Developers will read: " <strong>{t}</strong> })}
            </p>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid=submit_testid disabled=move || busy.get()>
                    {move || if busy.get() { "Saving…" } else { submit_label }}
                </button>
                {on_cancel.map(|cancel| view! {
                    <button type="button" class="btn btn-ghost" on:click=move |_| cancel.run(())>"Cancel"</button>
                })}
            </div>
        </form>
    }
}
