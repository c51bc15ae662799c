//! Admin → API products: every product, published or not, and a form to create one.

use crate::api::catalog::{create_product, list_products};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::{count, signed_in};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portico_model::{AppError, FieldError, ProductInput, ProductSummary, slug_from};

#[component]
pub fn AdminProductsPage() -> impl IntoView {
    signed_in(|_| view! { <AdminNav/> <Products/> })
}

/// The message for `field` among `errors`, as a signal a [`Field`] can show.
fn error_for(errors: RwSignal<Vec<FieldError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.with(|es| es.iter().find(|e| e.field == field).map(|e| e.message.clone())))
}

#[component]
fn Products() -> impl IntoView {
    let products = RwSignal::new(None::<Result<Vec<ProductSummary>, AppError>>);
    spawn_local(async move { products.set(Some(list_products().await)) });

    view! {
        <div class="page-header">
            <div>
                <h1>"API products"</h1>
                <p class="muted">"Bundles of APIs that developers find in catalogs, read about and request access to."</p>
            </div>
        </div>
        <div class="grid-admin">
            <section class="card" aria-labelledby="products-heading">
                <h2 id="products-heading">"All products"</h2>
                {move || match products.get() {
                    None => view! { <Loading label="Loading products…"/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <Empty title="No API products yet">
                            <p>"Create your first product with the form: a name and the base URL its APIs answer on. "
                                "Then add its APIs, write its documentation and put it in a catalog."</p>
                        </Empty>
                    }.into_any(),
                    Some(Ok(list)) => view! { <ProductsTable products=list/> }.into_any(),
                }}
            </section>
            <NewProduct/>
        </div>
    }
}

#[component]
fn ProductsTable(products: Vec<ProductSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="products-table">
                <thead><tr>
                    <th scope="col">"Product"</th>
                    <th scope="col">"Slug"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"APIs"</th>
                    <th scope="col">"Catalogs"</th>
                </tr></thead>
                <tbody>
                    {products.into_iter().map(|p| {
                        let (label, class) = if p.published {
                            ("published", "badge badge-published")
                        } else {
                            ("unpublished", "badge badge-unpublished")
                        };
                        let catalogs = if p.catalogs.is_empty() {
                            view! { <span class="muted small">"In no catalog"</span> }.into_any()
                        } else {
                            p.catalogs.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ").into_any()
                        };
                        view! {
                            <tr data-testid="product-row">
                                <td>
                                    <A href=format!("/admin/products/{}", p.id)>{p.name.clone()}</A>
                                    {(!p.summary.is_empty()).then(|| view! {
                                        <div class="muted small clamp-1">{p.summary.clone()}</div>
                                    })}
                                </td>
                                <td><code>{p.slug.clone()}</code></td>
                                <td><span class=class data-testid="product-status">{label}</span></td>
                                <td class="small">{count(u64::from(p.api_count), "API")}</td>
                                <td class="small">{catalogs}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Name, slug (suggested from the name until the admin edits it), summary and base URL.
/// The product starts unpublished, without documentation; its page is where both are
/// written.
#[component]
fn NewProduct() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    // Once the admin types in the slug, the name no longer overwrites it (until they
    // empty it again).
    let slug_edited = RwSignal::new(false);
    let summary = RwSignal::new(String::new());
    let base_url = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);

    Effect::new(move |_| {
        let typed = name.get();
        if !slug_edited.get_untracked() {
            slug.set(slug_from(&typed));
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = match ProductInput::parse(
            &name.get_untracked(),
            &slug.get_untracked(),
            &summary.get_untracked(),
            &base_url.get_untracked(),
            "",
        ) {
            Ok(input) => input,
            Err(es) => {
                errors.set(es);
                return;
            }
        };
        errors.set(Vec::new());
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let product = input.name.clone();
            match create_product(input.name, input.slug, input.summary, input.base_url, String::new()).await {
                Ok(id) => {
                    toasts.success(format!(
                        "{product} created. Add its APIs and documentation, then publish it."
                    ));
                    navigate(&format!("/admin/products/{id}"), Default::default());
                }
                Err(AppError::Invalid(es)) => errors.set(es),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };

    let slug_error = error_for(errors, "slug");
    view! {
        <section class="card" aria-labelledby="new-product-heading">
            <h2 id="new-product-heading">"New product"</h2>
            <form on:submit=submit novalidate>
                <Field id="product_name" label="Name" value=name error=error_for(errors, "name")/>
                <div class="field" class:field-invalid=move || slug_error.get().is_some()>
                    <label for="product_slug">"Slug"</label>
                    <input id="product_slug" name="product_slug" type="text" autocomplete="off" spellcheck="false"
                        aria-describedby="product_slug-hint product_slug-error"
                        aria-invalid=move || if slug_error.get().is_some() { "true" } else { "false" }
                        prop:value=move || slug.get()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            slug_edited.set(!value.trim().is_empty());
                            slug.set(value);
                        }/>
                    <p class="field-hint" id="product_slug-hint">
                        "In the product's address: /catalog/"
                        {move || {
                            let s = slug.get();
                            if s.trim().is_empty() { "payments-api".to_owned() } else { s }
                        }}
                    </p>
                    <p class="field-error" id="product_slug-error">{move || slug_error.get().unwrap_or_default()}</p>
                </div>
                <Field id="product_summary" label="Summary (optional)" value=summary error=error_for(errors, "summary")
                    hint="One sentence for the catalog's list, up to 300 characters."/>
                <Field id="product_base_url" label="Base URL" value=base_url error=error_for(errors, "base_url")
                    autocomplete="url" hint="Where its APIs answer, e.g. https://api.example.com/v1."/>
                <button type="submit" class="btn btn-primary" data-testid="create-product"
                    disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create product" }}
                </button>
            </form>
        </section>
    }
}
