//! Cart: the products a developer picked, grouped by catalog. Each group is checked out
//! on its own — a plan, an app (existing or new) and a comment — and gives one access
//! request and, when the plan needs no approval, one key, shown once.

use crate::api::apps::{get_cart, list_my_apps, remove_from_cart, request_access};
use crate::components::cart_count::CartCount;
use crate::components::secret_key::SecretKey;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::product::ApprovalBadge;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{
    AppError, AppId, AppInput, AppView, Cart, CartGroup, CatalogId, ProductId, RequestOutcome, Visibility,
};

#[component]
pub fn CartPage() -> impl IntoView {
    signed_in(|_| view! { <CartView/> })
}

/// What the page shows below the outcomes.
#[derive(Clone, Debug, PartialEq)]
enum CartState {
    Loading,
    Failed(AppError),
    Empty,
    Full,
}

#[component]
fn CartView() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let cart_count = CartCount::use_cart_count();
    let cart = RwSignal::new(None::<Result<Cart, AppError>>);
    let apps = RwSignal::new(None::<Result<Vec<AppView>, AppError>>);
    // Newest first; they stay on the page after their products left the cart.
    let outcomes = RwSignal::new(Vec::<RequestOutcome>::new());

    let set_cart = move |result: Result<Cart, AppError>| {
        if let (Ok(c), Some(count)) = (&result, cart_count) {
            count.set_from(c);
        }
        cart.set(Some(result));
    };
    let reload = move || spawn_local(async move { set_cart(get_cart().await) });
    let reload_apps = move || spawn_local(async move { apps.set(Some(list_my_apps().await)) });
    reload();
    reload_apps();

    let state = Memo::new(move |_| {
        cart.with(|c| match c {
            None => CartState::Loading,
            Some(Err(e)) => CartState::Failed(e.clone()),
            Some(Ok(c)) if c.is_empty() => CartState::Empty,
            Some(Ok(_)) => CartState::Full,
        })
    });
    let group_ids = Memo::new(move |_| {
        cart.with(|c| match c {
            Some(Ok(c)) => c.groups.iter().filter(|g| !g.products.is_empty()).map(|g| g.catalog.id).collect(),
            _ => Vec::<CatalogId>::new(),
        })
    });

    let on_outcome = Callback::new(move |outcome: RequestOutcome| {
        toasts.success(if outcome.key.is_some() {
            "Access granted. Copy your key now."
        } else {
            "Request sent for review."
        });
        outcomes.update(|o| o.insert(0, outcome));
        reload();
        // A new app may have been made: the other groups' app lists include it.
        reload_apps();
        scroll_to_top();
    });
    let on_cart = Callback::new(move |c: Cart| set_cart(Ok(c)));

    view! {
        <div class="page-header">
            <div>
                <h1>"Cart"</h1>
                <p class="muted">
                    "For each catalog, choose a plan and the app that will call the APIs, then request access. "
                    "The products of one catalog share one set of credentials."
                </p>
            </div>
        </div>
        <div class="stack">
            {move || outcomes.get().into_iter().map(|o| view! { <OutcomePanel outcome=o/> }).collect_view()}
            {move || match state.get() {
                CartState::Loading => view! { <Loading label="Loading your cart…"/> }.into_any(),
                CartState::Failed(e) => view! { <ErrorPanel error=e/> }.into_any(),
                CartState::Empty => view! {
                    <section class="card" data-testid="cart-empty">
                        <Empty title="Your cart is empty">
                            <p>"Add API products from the catalog, then come back here to request access."</p>
                            <A href="/catalog" attr:class="btn btn-primary">"Browse the catalog"</A>
                        </Empty>
                    </section>
                }.into_any(),
                CartState::Full => view! {
                    <For each=move || group_ids.get() key=|id| *id let:id>
                        {
                            // Ids of the first group's fields stay plain (app_name, …).
                            let first = group_ids.with_untracked(|ids| ids.first() == Some(&id));
                            view! { <GroupCard id=id first=first cart=cart apps=apps on_outcome=on_outcome on_cart=on_cart/> }
                        }
                    </For>
                }.into_any(),
            }}
        </div>
    }
}

/// After a successful "Request access": the key (shown once) or the note that an
/// administrator reviews the request.
#[component]
fn OutcomePanel(outcome: RequestOutcome) -> impl IntoView {
    let RequestOutcome { request, key } = outcome;
    let app_href = format!("/apps/{}", request.app_id);
    let products = request.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    let summary = format!(
        "{products} — {} plan in {}, for the app {}.",
        request.plan.name, request.catalog.name, request.app_name
    );
    match key {
        Some(new) => view! {
            <section class="card outcome outcome-granted" data-testid="request-granted" aria-labelledby=format!("granted-{}", request.id)>
                <h2 id=format!("granted-{}", request.id)>"Access granted"</h2>
                <p>{summary}</p>
                <SecretKey secret=new.secret id=new.key.id.to_string()/>
                <p class="small"><A href=app_href>{format!("Open {} to manage its keys", request.app_name)}</A></p>
            </section>
        }
        .into_any(),
        None => view! {
            <section class="card outcome outcome-pending" data-testid="request-pending" aria-labelledby=format!("pending-{}", request.id)>
                <h2 id=format!("pending-{}", request.id)>"Request sent"</h2>
                <p>"Request sent — an administrator will review it; you will get an email."</p>
                <p class="muted small">{summary}</p>
                <p class="small"><A href=app_href>{format!("Follow the request on {}'s page", request.app_name)}</A></p>
            </section>
        }
        .into_any(),
    }
}

/// One catalog's products and its checkout form.
#[component]
fn GroupCard(
    id: CatalogId,
    /// The first group keeps the plain field ids (`app_name`, `app_description`).
    first: bool,
    cart: RwSignal<Option<Result<Cart, AppError>>>,
    apps: RwSignal<Option<Result<Vec<AppView>, AppError>>>,
    on_outcome: Callback<RequestOutcome>,
    on_cart: Callback<Cart>,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let group = Memo::new(move |_| {
        cart.with(|c| match c {
            Some(Ok(c)) => c.groups.iter().find(|g| g.catalog.id == id).cloned(),
            _ => None,
        })
    });
    let busy_product = RwSignal::new(None::<ProductId>);
    let remove = move |product_id: ProductId, name: String| {
        busy_product.set(Some(product_id));
        spawn_local(async move {
            match remove_from_cart(product_id, id).await {
                Ok(c) => {
                    toasts.success(format!("{name} was removed from the cart."));
                    on_cart.run(c);
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy_product.set(None);
        });
    };
    let catalog_name =
        group.with_untracked(|g| g.as_ref().map(|g| g.catalog.name.clone()).unwrap_or_default());
    let heading_id = format!("group-{id}");
    let labelled_by = heading_id.clone();

    view! {
        <section class="card cart-group" data-testid="cart-group" data-catalog=catalog_name aria-labelledby=labelled_by>
            {move || group.get().map(|g| {
                let CartGroup { catalog, products, .. } = g;
                let private = catalog.visibility == Visibility::Private;
                view! {
                    <h2 id=heading_id.clone() class="cart-group-title">
                        <span class="muted small">"Catalog"</span>
                        <span>{catalog.name.clone()}</span>
                        {private.then(|| view! { <span class="badge badge-private">"private"</span> })}
                    </h2>
                    <ul class="cart-products">
                        {products.into_iter().map(|p| {
                            let (pid, name) = (p.id, p.name.clone());
                            let remove_label = format!("Remove {} from the cart", p.name);
                            let href = format!("/catalog/{}", p.slug);
                            let link_text = p.name.clone();
                            view! {
                                <li class="cart-product" data-testid="cart-product" data-product=p.name.clone()>
                                    <A href=href>{link_text}</A>
                                    <button type="button" class="btn btn-ghost btn-sm btn-danger-text"
                                        data-testid="remove-from-cart"
                                        aria-label=remove_label
                                        disabled=move || busy_product.get().is_some()
                                        on:click=move |_| remove(pid, name.clone())>
                                        {move || if busy_product.get() == Some(pid) { "Removing…" } else { "Remove" }}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
            <Checkout id=id first=first group=group apps=apps on_outcome=on_outcome/>
        </section>
    }
}

/// The checkout form of one group. Its idempotency key is made once, with the form, and
/// sent with every try: a double click or a retry gets the first answer back.
#[component]
fn Checkout(
    id: CatalogId,
    first: bool,
    group: Memo<Option<CartGroup>>,
    apps: RwSignal<Option<Result<Vec<AppView>, AppError>>>,
    on_outcome: Callback<RequestOutcome>,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let suffix = if first { String::new() } else { format!("-{id}") };
    let ids = StoredValue::new(FieldIds {
        plan: format!("plan{suffix}"),
        app: format!("app_select{suffix}"),
        name: format!("app_name{suffix}"),
        description: format!("app_description{suffix}"),
        comment: format!("comment{suffix}"),
    });

    let plans = Memo::new(move |_| group.with(|g| g.as_ref().map(|g| g.plans.clone()).unwrap_or_default()));
    let only_plan = plans.with_untracked(|p| if p.len() == 1 { p.first().map(|p| p.id) } else { None });
    let plan = RwSignal::new(only_plan);
    // None until the apps are loaded; then Some(None) for a new app or Some(Some(id)).
    let choice = RwSignal::new(None::<Option<AppId>>);
    Effect::new(move |_| {
        if choice.get_untracked().is_some() {
            return;
        }
        match apps.get() {
            Some(Ok(list)) => choice.set(Some(list.first().map(|a| a.id))),
            Some(Err(_)) => choice.set(Some(None)),
            None => {}
        }
    });
    let new_app = move || choice.get() == Some(None);
    let app_name = RwSignal::new(String::new());
    let app_description = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let key = StoredValue::new(new_idempotency_key());
    let busy = RwSignal::new(false);
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);

    let server_message =
        move |field: &str| server_error.with(|e| e.as_ref().and_then(|e| e.field_message(field)));
    let plan_error = Signal::derive(move || {
        (submitted.get() && plan.get().is_none())
            .then(|| "Choose a plan.".to_owned())
            .or_else(|| server_message("plan_id"))
    });
    let app_input = move || AppInput::parse(&app_name.get(), &app_description.get());
    let app_field_error = move |field: &'static str| {
        Signal::derive(move || {
            let local = (submitted.get() && new_app())
                .then(|| app_input().err())
                .flatten()
                .and_then(|errors| errors.into_iter().find(|e| e.field == field).map(|e| e.message));
            local.or_else(|| server_message(field))
        })
    };
    let name_error = app_field_error("app_name");
    let description_error = app_field_error("app_description");
    let app_error = Signal::derive(move || server_message("app_id"));
    let comment_error = Signal::derive(move || server_message("comment"));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        submitted.set(true);
        server_error.set(None);
        let Some(plan_id) = plan.get_untracked() else { return };
        let (app_id, name, description) = match choice.get_untracked() {
            Some(Some(app)) => (Some(app), None, None),
            Some(None) => {
                match AppInput::parse(&app_name.get_untracked(), &app_description.get_untracked()) {
                    Ok(input) => (None, Some(input.name), Some(input.description)),
                    Err(_) => return,
                }
            }
            None => return,
        };
        let products: Vec<ProductId> =
            group.with_untracked(|g| g.iter().flat_map(|g| g.products.iter().map(|p| p.id)).collect());
        if products.is_empty() {
            return;
        }
        let note = comment.get_untracked().trim().to_owned();
        let note = (!note.is_empty()).then_some(note);
        busy.set(true);
        spawn_local(async move {
            let result =
                request_access(id, plan_id, products, app_id, name, description, note, key.get_value()).await;
            match result {
                Ok(outcome) => {
                    // This form's request is made; whatever is sent next is a new one.
                    key.set_value(new_idempotency_key());
                    submitted.set(false);
                    on_outcome.run(outcome);
                }
                Err(e) if shown_beside_a_field(&e) => server_error.set(Some(e)),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };

    let plan_options = move || {
        let list = plans.get();
        if list.is_empty() {
            return view! {
                <p class="muted small">"This catalog has no plans yet, so access cannot be requested. Try again later."</p>
            }
            .into_any();
        }
        let name = ids.with_value(|i| i.plan.clone());
        list.into_iter()
            .map(|p| {
                let pid = p.id;
                let input_id = format!("{name}-{pid}");
                let hint_id = format!("{input_id}-terms");
                view! {
                    <div class="radio-option" data-testid="plan-option" data-plan=p.name.clone()>
                        <input type="radio" id=input_id.clone() name=name.clone() value=pid.to_string()
                            aria-describedby=hint_id.clone()
                            prop:checked=move || plan.get() == Some(pid)
                            on:change=move |_| plan.set(Some(pid))/>
                        <div>
                            <label for=input_id>{p.name.clone()}</label>
                            " " <ApprovalBadge requires_approval=p.requires_approval/>
                            <p class="field-hint" id=hint_id>{p.terms()}</p>
                        </div>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };

    let app_options = move || match apps.get() {
        None => {
            view! { <option value="" disabled=true selected=true>"Loading your apps…"</option> }.into_any()
        }
        Some(result) => {
            let list = result.unwrap_or_default();
            view! {
                {list.into_iter().map(|a| {
                    let aid = a.id;
                    view! { <option value=aid.to_string() selected=move || choice.get() == Some(Some(aid))>{a.name}</option> }
                }).collect_view()}
                <option value="new" selected=move || choice.get() == Some(None)>"New app…"</option>
            }
            .into_any()
        }
    };

    let (app_id, name_id, description_id, comment_id) =
        ids.with_value(|i| (i.app.clone(), i.name.clone(), i.description.clone(), i.comment.clone()));
    let no_plans = move || plans.with(Vec::is_empty);

    view! {
        <form class="checkout" on:submit=submit novalidate data-testid="checkout">
            <fieldset class="radio-group" class:field-invalid=move || plan_error.get().is_some()
                aria-describedby=format!("{}-error", ids.with_value(|i| i.plan.clone()))>
                <legend>"Plan"</legend>
                {plan_options}
                <p class="field-error" id=format!("{}-error", ids.with_value(|i| i.plan.clone()))>
                    {move || plan_error.get().unwrap_or_default()}
                </p>
            </fieldset>
            <div class="field" class:field-invalid=move || app_error.get().is_some()>
                <label for=app_id.clone()>"App"</label>
                <select id=app_id.clone() data-testid="app-select" aria-describedby=format!("{app_id}-error")
                    disabled=move || apps.with(Option::is_none)
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        choice.set(Some(value.parse::<AppId>().ok()));
                    }>
                    {app_options}
                </select>
                <p class="field-hint">"The app's keys call these APIs. Apps are shared with your organisation."</p>
                <p class="field-error" id=format!("{app_id}-error")>{move || app_error.get().unwrap_or_default()}</p>
            </div>
            {move || new_app().then(|| {
                let (name_id, description_id) = (name_id.clone(), description_id.clone());
                view! {
                    <div class="new-app-fields" data-testid="new-app-fields">
                        <div class="field" class:field-invalid=move || name_error.get().is_some()>
                            <label for=name_id.clone()>"App name"</label>
                            <input id=name_id.clone() name="app_name" type="text" autocomplete="off"
                                aria-invalid=move || name_error.get().is_some().to_string()
                                aria-describedby=format!("{name_id}-error")
                                prop:value=move || app_name.get()
                                on:input=move |ev| {
                                    server_error.set(None);
                                    app_name.set(event_target_value(&ev));
                                }/>
                            <p class="field-error" id=format!("{name_id}-error")>{move || name_error.get().unwrap_or_default()}</p>
                        </div>
                        <div class="field" class:field-invalid=move || description_error.get().is_some()>
                            <label for=description_id.clone()>"Description " <span class="muted">"(optional)"</span></label>
                            <textarea id=description_id.clone() name="app_description" rows="2"
                                aria-invalid=move || description_error.get().is_some().to_string()
                                aria-describedby=format!("{description_id}-error")
                                prop:value=move || app_description.get()
                                on:input=move |ev| {
                                    server_error.set(None);
                                    app_description.set(event_target_value(&ev));
                                }></textarea>
                            <p class="field-error" id=format!("{description_id}-error")>
                                {move || description_error.get().unwrap_or_default()}
                            </p>
                        </div>
                    </div>
                }
            })}
            <div class="field" class:field-invalid=move || comment_error.get().is_some()>
                <label for=comment_id.clone()>"Comment for the reviewer " <span class="muted">"(optional)"</span></label>
                <textarea id=comment_id.clone() name="comment" rows="2" aria-describedby=format!("{comment_id}-error")
                    placeholder="What will you build with it?"
                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <p class="field-error" id=format!("{comment_id}-error")>{move || comment_error.get().unwrap_or_default()}</p>
            </div>
            <button type="submit" class="btn btn-primary" data-testid="request-access"
                disabled=move || busy.get() || no_plans() || apps.with(Option::is_none)>
                {move || if busy.get() { "Requesting…" } else { "Request access" }}
            </button>
        </form>
    }
}

struct FieldIds {
    plan: String,
    app: String,
    name: String,
    description: String,
    comment: String,
}

/// Whether the form shows this error next to one of its fields (otherwise: a toast).
fn shown_beside_a_field(e: &AppError) -> bool {
    ["plan_id", "app_id", "app_name", "app_description", "comment"]
        .iter()
        .any(|f| e.field_message(f).is_some())
}

/// A fresh random key (a version 4 UUID) for one checkout form.
fn new_idempotency_key() -> String {
    #[cfg(feature = "csr")]
    {
        let mut bytes = [0u8; 16];
        let random = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
        if !random {
            // No Web Crypto: the clock and Math.random still tell one form from another.
            let now = web_sys::js_sys::Date::now() as u64;
            let noise = (web_sys::js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
            bytes = ((u128::from(now) << 64) | u128::from(noise)).to_be_bytes();
        }
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }
    #[cfg(not(feature = "csr"))]
    {
        // The host never renders pages; this only keeps the `ssr` build whole.
        uuid::Uuid::nil().to_string()
    }
}

/// Brings the outcome panels (at the top) into view.
fn scroll_to_top() {
    #[cfg(feature = "csr")]
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}
