//! A product's page: what it is, its base URL, its documentation, its APIs with their
//! operations, and the plans each catalog offers, with "Add to cart". Open to visitors;
//! adding to the cart needs an account.

use crate::api::apps::{add_to_cart, get_cart, get_product};
use crate::components::cart_count::CartCount;
use crate::components::secret_key::CopyButton;
use crate::components::states::{ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::session::Session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use portico_model::{
    AppError, Cart, CatalogId, CatalogOffer, Plan, ProductApi, ProductDetail, ProductId, Visibility,
};

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.with(|p| p.get("slug")).unwrap_or_default());
    let session = Session::use_session();
    let detail = RwSignal::new(None::<Result<ProductDetail, AppError>>);
    let seq = StoredValue::new(0u64);
    // Private catalogs' plans depend on who asks: load again on sign-in or sign-out.
    let viewer = Memo::new(move |_| session.loaded().then(|| session.me().map(|me| me.id)));
    Effect::new(move |_| {
        let slug = slug.get();
        if viewer.get().is_none() {
            return;
        }
        let n = seq.get_value() + 1;
        seq.set_value(n);
        detail.set(None);
        spawn_local(async move {
            let result = get_product(slug).await;
            // A slow answer for an earlier address never replaces a newer one.
            if seq.get_value() == n {
                detail.set(Some(result));
            }
        });
    });

    view! {
        <p class="breadcrumb"><A href="/catalog">"← All APIs"</A></p>
        {move || match detail.get() {
            None => view! { <Loading label="Loading the API…"/> }.into_any(),
            Some(Err(AppError::NotFound)) => view! {
                <div class="state state-error" role="alert">
                    <h2>"API not found"</h2>
                    <p>"It may have been renamed or withdrawn, or it is in a catalog you cannot see."</p>
                    <A href="/catalog" attr:class="btn btn-ghost">"Browse the catalog"</A>
                </div>
            }.into_any(),
            Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
            Some(Ok(d)) => view! { <Product detail=d/> }.into_any(),
        }}
    }
}

#[component]
fn Product(detail: ProductDetail) -> impl IntoView {
    let ProductDetail { id, name, summary, base_url, documentation_html, apis, offers, .. } = detail;
    let has_docs = !documentation_html.trim().is_empty();
    view! {
        <header class="product-header">
            <h1 data-testid="product-name">{name.clone()}</h1>
            {(!summary.is_empty()).then(|| view! { <p class="lead-left">{summary.clone()}</p> })}
            <div class="base-url-row">
                <span class="muted small" id="base-url-label">"Base URL"</span>
                <code class="base-url base-url-lg" aria-labelledby="base-url-label" id="product-base-url" data-testid="product-base-url">
                    {base_url.clone()}
                </code>
                <CopyButton text=base_url target="product-base-url" testid="copy-base-url"/>
            </div>
        </header>
        <div class="product-layout">
            <div class="stack">
                <section class="card" aria-labelledby="docs-heading">
                    <h2 id="docs-heading">"Documentation"</h2>
                    {if has_docs {
                        view! { <div class="prose" data-testid="product-docs" inner_html=documentation_html/> }.into_any()
                    } else {
                        view! { <p class="muted">"This API has no documentation yet."</p> }.into_any()
                    }}
                </section>
                <section class="card" aria-labelledby="apis-heading">
                    <h2 id="apis-heading">"APIs"</h2>
                    {if apis.is_empty() {
                        view! { <p class="muted">"No APIs are listed for this product yet."</p> }.into_any()
                    } else {
                        apis.into_iter().map(|api| view! { <ApiBlock api=api/> }).collect_view().into_any()
                    }}
                </section>
            </div>
            <aside class="product-plans" aria-labelledby="plans-heading">
                <h2 id="plans-heading">"Plans"</h2>
                <Offers product_id=id product_name=name offers=offers/>
            </aside>
        </div>
    }
}

/// One API: its name, path prefix and the operations of its OpenAPI document.
#[component]
fn ApiBlock(api: ProductApi) -> impl IntoView {
    let ProductApi { name, path_prefix, spec_title, operations, .. } = api;
    let operations_view = if operations.is_empty() {
        let note = if spec_title.is_some() {
            "The OpenAPI document lists no operations."
        } else {
            "No OpenAPI document"
        };
        view! { <p class="muted small" data-testid="no-openapi">{note}</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="table operations" data-testid="operations">
                    <thead><tr>
                        <th scope="col">"Method"</th><th scope="col">"Path"</th><th scope="col">"Summary"</th>
                    </tr></thead>
                    <tbody>
                        {operations.into_iter().map(|op| {
                            let class = format!("method method-{}", op.method.to_lowercase());
                            view! {
                                <tr data-testid="operation">
                                    <td><span class=class>{op.method.clone()}</span></td>
                                    <td><code class="op-path">{op.path.clone()}</code></td>
                                    <td>{if op.summary.is_empty() {
                                        view! { <span class="muted">"—"</span> }.into_any()
                                    } else {
                                        view! { <span>{op.summary.clone()}</span> }.into_any()
                                    }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <article class="api-block" data-testid="product-api">
            <div class="api-block-head">
                <h3>{name}</h3>
                <code>{path_prefix}</code>
                {spec_title.map(|t| view! { <span class="muted small">{t}</span> })}
            </div>
            {operations_view}
        </article>
    }
}

/// The plans of each catalog that offers the product, with "Add to cart".
#[component]
fn Offers(product_id: ProductId, product_name: String, offers: Vec<CatalogOffer>) -> impl IntoView {
    let session = Session::use_session();
    let toasts = Toasts::use_toasts();
    let cart_count = CartCount::use_cart_count();
    // The catalogs whose offer of this product is already in the cart.
    let in_cart = RwSignal::new(Vec::<CatalogId>::new());
    let busy = RwSignal::new(None::<CatalogId>);
    let note_cart = move |cart: &Cart| {
        let catalogs = cart
            .groups
            .iter()
            .filter(|g| g.products.iter().any(|p| p.id == product_id))
            .map(|g| g.catalog.id)
            .collect();
        in_cart.set(catalogs);
        if let Some(count) = cart_count {
            count.set_from(cart);
        }
    };
    let developer = Memo::new(move |_| session.me().filter(|me| !me.is_admin()).map(|me| me.id));
    Effect::new(move |_| {
        if developer.get().is_some() {
            spawn_local(async move {
                // Only to mark what is in the cart already; without it, adding still works.
                if let Ok(cart) = get_cart().await {
                    note_cart(&cart);
                }
            });
        } else {
            in_cart.set(Vec::new());
        }
    });
    let product_name = StoredValue::new(product_name);
    let add = move |catalog_id: CatalogId, catalog_name: String| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(catalog_id));
        spawn_local(async move {
            match add_to_cart(product_id, catalog_id).await {
                Ok(cart) => {
                    note_cart(&cart);
                    toasts.success(format!("{} ({catalog_name}) is in your cart.", product_name.get_value()));
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(None);
        });
    };

    if offers.is_empty() {
        return view! {
            <div class="card">
                <p class="muted">"This API is not offered in any catalog you can see, so there are no plans to choose from."</p>
            </div>
        }
        .into_any();
    }
    offers
        .into_iter()
        .map(|offer| {
            let CatalogOffer { catalog, plans } = offer;
            let (catalog_id, catalog_name) = (catalog.id, catalog.name.clone());
            let private = catalog.visibility == Visibility::Private;
            let no_plans = plans.is_empty();
            let action = {
                let catalog_name = catalog_name.clone();
                move || {
                    let testid_catalog = catalog_name.clone();
                    match (session.loaded(), session.me()) {
                        (false, _) => view! {
                            <button type="button" class="btn btn-primary btn-block" disabled=true>"Add to cart"</button>
                        }
                        .into_any(),
                        (true, None) => view! {
                            <A href="/sign-in" attr:class="btn btn-primary btn-block" attr:data-testid="add-to-cart"
                                attr:data-catalog=testid_catalog>"Sign in to add to cart"</A>
                        }
                        .into_any(),
                        (true, Some(me)) if me.is_admin() => view! {
                            <p class="muted small">
                                "Developers add plans to their cart here. Manage this product in "
                                <A href=format!("/admin/products/{product_id}")>"Admin → Products"</A> "."
                            </p>
                        }
                        .into_any(),
                        _ if no_plans => view! {
                            <button type="button" class="btn btn-primary btn-block" disabled=true
                                data-testid="add-to-cart" data-catalog=testid_catalog>"Add to cart"</button>
                            <p class="muted small">"No plans yet, so access cannot be requested."</p>
                        }
                        .into_any(),
                        _ if in_cart.with(|c| c.contains(&catalog_id)) => view! {
                            <A href="/cart" attr:class="btn btn-ghost btn-block in-cart" attr:data-testid="add-to-cart"
                                attr:data-catalog=testid_catalog attr:data-in-cart="true">"In cart ✓ — View cart"</A>
                        }
                        .into_any(),
                        _ => {
                            let name = catalog_name.clone();
                            view! {
                                <button type="button" class="btn btn-primary btn-block" data-testid="add-to-cart"
                                    data-catalog=testid_catalog disabled=move || busy.get().is_some()
                                    on:click=move |_| add(catalog_id, name.clone())>
                                    {move || if busy.get() == Some(catalog_id) { "Adding…" } else { "Add to cart" }}
                                </button>
                            }
                            .into_any()
                        }
                    }
                }
            };
            view! {
                <section class="card offer-card" data-testid="plan-card" data-catalog=catalog_name.clone()>
                    <h3 class="offer-title">
                        <span class="muted small">"Catalog"</span>
                        <span>{catalog_name.clone()}</span>
                        {private.then(|| view! { <span class="badge badge-private">"private"</span> })}
                    </h3>
                    {if no_plans {
                        view! { <p class="muted small">"This catalog has no plans yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plan-list">
                                {plans.into_iter().map(|plan| view! { <PlanItem plan=plan/> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                    <div class="offer-action">{action}</div>
                </section>
            }
        })
        .collect_view()
        .into_any()
}

/// A plan's name, terms and whether access needs an administrator's approval.
#[component]
pub fn PlanItem(plan: Plan) -> impl IntoView {
    let terms = plan.terms();
    view! {
        <li class="plan-item" data-testid="plan" data-plan=plan.name.clone()>
            <div class="plan-item-head">
                <strong>{plan.name.clone()}</strong>
                <ApprovalBadge requires_approval=plan.requires_approval/>
            </div>
            <div class="muted small">{terms}</div>
        </li>
    }
}

/// "Requires approval" or "Instant access".
#[component]
pub fn ApprovalBadge(requires_approval: bool) -> impl IntoView {
    let (class, label) = if requires_approval {
        ("badge badge-approval", "Requires approval")
    } else {
        ("badge badge-instant", "Instant access")
    };
    view! { <span class=class data-testid="approval-badge">{label}</span> }
}
