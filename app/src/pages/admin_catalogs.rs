//! Admin → Catalogs: every catalog and a form to create one.

use crate::api::catalog::{create_catalog, list_catalogs};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portico_model::{AppError, CatalogSummary, GroupName, Visibility};

#[component]
pub fn AdminCatalogsPage() -> impl IntoView {
    signed_in(|_| view! { <AdminNav/> <Catalogs/> })
}

#[component]
fn Catalogs() -> impl IntoView {
    let catalogs = RwSignal::new(None::<Result<Vec<CatalogSummary>, AppError>>);
    spawn_local(async move { catalogs.set(Some(list_catalogs().await)) });

    view! {
        <div class="page-header">
            <div>
                <h1>"Catalogs"</h1>
                <p class="muted">"Each catalog offers products with its own plans, to everyone or to chosen organisations and teams."</p>
            </div>
        </div>
        <div class="grid-admin">
            <section class="card" aria-labelledby="catalogs-heading">
                <h2 id="catalogs-heading">"All catalogs"</h2>
                {move || match catalogs.get() {
                    None => view! { <Loading label="Loading catalogs…"/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <Empty title="No catalogs yet">
                            <p>"Create a catalog with the form, then add products and at least one plan: "
                                "developers request access to a catalog's products on one of its plans."</p>
                        </Empty>
                    }.into_any(),
                    Some(Ok(list)) => view! { <CatalogsTable catalogs=list/> }.into_any(),
                }}
            </section>
            <NewCatalog/>
        </div>
    }
}

#[component]
fn CatalogsTable(catalogs: Vec<CatalogSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="catalogs-table">
                <thead><tr>
                    <th scope="col">"Catalog"</th>
                    <th scope="col">"Visibility"</th>
                    <th scope="col" class="num">"Products"</th>
                    <th scope="col" class="num">"Plans"</th>
                    <th scope="col" class="num">"Audiences"</th>
                </tr></thead>
                <tbody>
                    {catalogs.into_iter().map(|c| {
                        let vis = c.catalog.visibility.label();
                        let audiences = if c.catalog.visibility == Visibility::Public {
                            view! { <span class="muted small" title="Everyone sees a public catalog">"everyone"</span> }.into_any()
                        } else {
                            c.audiences.to_string().into_any()
                        };
                        view! {
                            <tr data-testid="catalog-row">
                                <td><A href=format!("/admin/catalogs/{}", c.catalog.id)>{c.catalog.name.clone()}</A></td>
                                <td><span class=format!("badge visibility-badge badge-{vis}") data-testid="catalog-visibility">{vis}</span></td>
                                <td class="num">{c.products}</td>
                                <td class="num">{c.plans}</td>
                                <td class="num">{audiences}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The visibility radio group, shared with the catalog's own page.
#[component]
pub fn VisibilityChoice(
    /// Prefix of the radio ids (`{prefix}_public`, `{prefix}_private`) and their name.
    prefix: &'static str,
    value: RwSignal<Visibility>,
) -> impl IntoView {
    let options = [
        (Visibility::Public, "public", "Public", "Everyone sees it, signed in or not."),
        (
            Visibility::Private,
            "private",
            "Private",
            "Only the organisations and teams you choose (and admins) see it.",
        ),
    ];
    view! {
        <fieldset class="radio-group">
            <legend>"Visibility"</legend>
            {options.into_iter().map(|(v, key, label, hint)| {
                let id = format!("{prefix}_{key}");
                view! {
                    <div class="radio-option">
                        <input type="radio" id=id.clone() name=prefix value=key
                            prop:checked=move || value.get() == v
                            on:change=move |_| value.set(v)/>
                        <div>
                            <label for=id>{label}</label>
                            <p class="field-hint">{hint}</p>
                        </div>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn NewCatalog() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let visibility = RwSignal::new(Visibility::Public);
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
        let navigate = navigate.clone();
        spawn_local(async move {
            match create_catalog(checked.clone(), visibility.get_untracked()).await {
                Ok(id) => {
                    toasts.success(format!("Catalog {checked} created. Add products and a plan next."));
                    navigate(&format!("/admin/catalogs/{id}"), Default::default());
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
        <section class="card" aria-labelledby="new-catalog-heading">
            <h2 id="new-catalog-heading">"New catalog"</h2>
            <form on:submit=submit novalidate>
                <Field id="catalog_name" label="Name" value=name error=name_error/>
                <VisibilityChoice prefix="visibility" value=visibility/>
                <button type="submit" class="btn btn-primary" data-testid="create-catalog" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create catalog" }}
                </button>
            </form>
        </section>
    }
}
