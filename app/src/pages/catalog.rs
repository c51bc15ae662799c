//! Catalog: the published API products of every catalog the visitor may see, searched by
//! name and summary as they type and filtered by catalog. Open to visitors.

use crate::api::apps::browse_catalog;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::pages::count;
use crate::session::Session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{AppError, CatalogId, CatalogListing, CatalogRef, ProductSummary, Visibility};

#[component]
pub fn CatalogPage() -> impl IntoView {
    let session = Session::use_session();
    let listing = RwSignal::new(None::<Result<CatalogListing, AppError>>);
    // Loaded again when the visitor signs in or out: private catalogs depend on who asks.
    let viewer = Memo::new(move |_| session.loaded().then(|| session.me().map(|me| me.id)));
    Effect::new(move |_| {
        if viewer.get().is_some() {
            spawn_local(async move { listing.set(Some(browse_catalog().await)) });
        }
    });

    view! {
        <div class="page-header">
            <div>
                <h1>"API catalog"</h1>
                <p class="muted">"Browse the APIs you can use, read their documentation and request access for your apps."</p>
            </div>
        </div>
        {move || match listing.get() {
            None => view! { <Loading label="Loading the catalog…"/> }.into_any(),
            Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
            Some(Ok(l)) if l.products.is_empty() => view! {
                <section class="card">
                    <Empty title="No APIs are published yet">
                        <p>"When the portal's administrators publish API products, they appear here."</p>
                    </Empty>
                </section>
            }.into_any(),
            Some(Ok(l)) => view! { <Browse listing=l/> }.into_any(),
        }}
    }
}

/// The search box, the catalog filter and the grid of product cards.
#[component]
fn Browse(listing: CatalogListing) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let catalog = RwSignal::new(None::<CatalogId>);
    let products = StoredValue::new(listing.products);
    let total = products.with_value(Vec::len);
    let visible = Memo::new(move |_| {
        let words: Vec<String> = search.with(|s| s.split_whitespace().map(str::to_lowercase).collect());
        let wanted = catalog.get();
        products.with_value(|all| {
            all.iter()
                .filter(|p| wanted.is_none_or(|c| p.catalogs.iter().any(|r| r.id == c)))
                .filter(|p| {
                    let haystack = format!("{} {}", p.name, p.summary).to_lowercase();
                    words.iter().all(|w| haystack.contains(w.as_str()))
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let catalogs = listing.catalogs;
    let show_filter = !catalogs.is_empty();
    let filter_button = move |value: Option<CatalogId>, name: String, private: bool| {
        let testid_name = name.clone();
        view! {
            <button type="button" class="filter-btn" class:filter-active=move || catalog.get() == value
                aria-pressed=move || (catalog.get() == value).to_string()
                data-testid="catalog-filter" data-catalog=testid_name
                on:click=move |_| catalog.set(value)>
                {name}
                {private.then(|| view! { " " <span class="badge badge-private">"private"</span> })}
            </button>
        }
    };

    view! {
        <div class="catalog-toolbar">
            <div class="field catalog-search">
                <label for="catalog_search">"Search APIs"</label>
                <input id="catalog_search" type="search" placeholder="Name or summary" autocomplete="off"
                    data-testid="catalog-search"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            {show_filter.then(|| view! {
                <div class="catalog-filter">
                    <span class="catalog-filter-label" id="catalog-filter-label">"Catalog"</span>
                    <div class="filter-bar filter-wrap" role="group" aria-labelledby="catalog-filter-label">
                        {filter_button(None, "All".to_owned(), false)}
                        {catalogs.into_iter().map(|c| {
                            filter_button(Some(c.id), c.name, c.visibility == Visibility::Private)
                        }).collect_view()}
                    </div>
                </div>
            })}
        </div>
        <p class="muted small catalog-count" aria-live="polite" data-testid="catalog-count">
            {move || {
                let n = visible.with(Vec::len);
                if n == total { count(n as u64, "API") } else { format!("{n} of {total} APIs") }
            }}
        </p>
        {move || {
            let list = visible.get();
            if list.is_empty() {
                view! {
                    <section class="card">
                        <Empty title="No APIs match">
                            <p>"Try fewer words, or show all catalogs."</p>
                            <button type="button" class="btn btn-ghost" data-testid="clear-filters"
                                on:click=move |_| { search.set(String::new()); catalog.set(None); }>
                                "Clear the search and filter"
                            </button>
                        </Empty>
                    </section>
                }.into_any()
            } else {
                view! {
                    <ul class="product-grid" data-testid="product-grid">
                        {list.into_iter().map(|p| view! { <ProductCard product=p/> }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
    }
}

#[component]
fn ProductCard(product: ProductSummary) -> impl IntoView {
    let href = format!("/catalog/{}", product.slug);
    let apis = match product.api_count {
        0 => String::new(),
        1 => "1 API".to_owned(),
        n => format!("{n} APIs"),
    };
    view! {
        <li class="card product-card" data-testid="product-card" data-slug=product.slug.clone()>
            <h2 class="product-card-title"><A href=href>{product.name.clone()}</A></h2>
            {if product.summary.is_empty() {
                view! { <p class="muted small">"No summary yet."</p> }.into_any()
            } else {
                view! { <p class="product-card-summary">{product.summary.clone()}</p> }.into_any()
            }}
            <code class="base-url" title="Base URL">{product.base_url.clone()}</code>
            <div class="product-card-foot">
                <CatalogChips catalogs=product.catalogs.clone()/>
                {(!apis.is_empty()).then(|| view! { <span class="muted small">{apis}</span> })}
            </div>
        </li>
    }
}

/// The catalogs holding a product, private ones marked.
#[component]
fn CatalogChips(catalogs: Vec<CatalogRef>) -> impl IntoView {
    view! {
        <ul class="catalog-chips" aria-label="Catalogs">
            {catalogs.into_iter().map(|c| {
                let private = c.visibility == Visibility::Private;
                view! {
                    <li class="catalog-chip" class:catalog-chip-private=private>
                        {c.name}
                        {private.then(|| view! { <span class="visually-hidden">" (private)"</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
