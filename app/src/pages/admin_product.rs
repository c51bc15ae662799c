//! Admin → one API product: its fields, documentation, publication and APIs.

use crate::api::catalog::{add_product_api, get_product_admin, remove_product_api, update_product};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::{count, signed_in};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use portico_model::{
    ApiInput, ApiOperation, AppError, FieldError, ProductApi, ProductApiId, ProductDetail, ProductId,
    ProductInput,
};

#[component]
pub fn AdminProductPage() -> impl IntoView {
    signed_in(|_| {
        let params = use_params_map();
        let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<ProductId>().ok())));
        view! {
            <AdminNav/>
            <p class="breadcrumb"><A href="/admin/products">"← All API products"</A></p>
            {move || match id.get() {
                Some(id) => view! { <Product id=id/> }.into_any(),
                None => view! { <ErrorPanel error=AppError::NotFound/> }.into_any(),
            }}
        }
    })
}

/// The message for `field` among `errors`, as a signal a [`Field`] can show.
fn error_for(errors: RwSignal<Vec<FieldError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.with(|es| es.iter().find(|e| e.field == field).map(|e| e.message.clone())))
}

/// Where the first load is. Later reloads keep the page and report failures as toasts.
#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Failed(AppError),
    Ready,
}

#[component]
fn Product(id: ProductId) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let detail = RwSignal::new(None::<Result<ProductDetail, AppError>>);
    let reload = move || {
        spawn_local(async move {
            match get_product_admin(id).await {
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
        Load::Loading => view! { <Loading label="Loading the product…"/> }.into_any(),
        Load::Failed(e) => view! { <ErrorPanel error=e/> }.into_any(),
        Load::Ready => {
            let Some(first) = current.get_untracked() else { return ().into_any() };
            view! {
                <Header current=current/>
                <div class="grid-admin">
                    <div class="stack">
                        <DetailsForm id=id first=first current=current reload=reload/>
                        <Preview current=current/>
                        <Apis current=current reload=reload/>
                    </div>
                    <div class="stack">
                        <Catalogs current=current/>
                        <AddApi id=id reload=reload/>
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn Header(current: Memo<Option<ProductDetail>>) -> impl IntoView {
    move || {
        current.get().map(|p| {
            let (label, class) = if p.published {
                ("published", "badge badge-published")
            } else {
                ("unpublished", "badge badge-unpublished")
            };
            view! {
                <div class="page-header">
                    <div>
                        <h1 data-testid="product-name">{p.name.clone()}</h1>
                        <p class="muted">
                            <span class=class data-testid="product-status">{label}</span>
                            " · " <code>{p.slug.clone()}</code>
                            {format!(" · {}", count(p.apis.len() as u64, "API"))}
                        </p>
                    </div>
                    {p.published.then(|| view! {
                        <A href=format!("/catalog/{}", p.slug) attr:class="btn btn-ghost">"View in the catalog"</A>
                    })}
                </div>
                {(!p.published).then(|| view! {
                    <div class="alert alert-info" role="status">
                        "Unpublished: developers do not see this product, even in its catalogs. "
                        "Tick “Published” and save when it is ready."
                    </div>
                })}
            }
        })
    }
}

/// The product's fields. The inputs keep what the admin typed across reloads; the
/// badge says when they differ from what is saved.
#[component]
fn DetailsForm(
    id: ProductId,
    first: ProductDetail,
    current: Memo<Option<ProductDetail>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let name = RwSignal::new(first.name);
    let slug = RwSignal::new(first.slug);
    let summary = RwSignal::new(first.summary);
    let base_url = RwSignal::new(first.base_url);
    let documentation = RwSignal::new(first.documentation);
    let published = RwSignal::new(first.published);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);

    let unsaved = move || {
        current.with(|c| {
            c.as_ref().is_some_and(|p| {
                name.with(|v| v.trim() != p.name)
                    || slug.with(|v| v.trim() != p.slug)
                    || summary.with(|v| v.trim() != p.summary)
                    || base_url.with(|v| v.trim().trim_end_matches('/') != p.base_url)
                    || documentation.with(|v| *v != p.documentation)
                    || published.get() != p.published
            })
        })
    };

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
            &documentation.get_untracked(),
        ) {
            Ok(input) => input,
            Err(es) => {
                errors.set(es);
                return;
            }
        };
        errors.set(Vec::new());
        busy.set(true);
        let publish = published.get_untracked();
        spawn_local(async move {
            let ProductInput { name: n, slug: s, summary: sm, base_url: b, documentation: d } = input;
            match update_product(id, n.clone(), s.clone(), sm.clone(), b.clone(), d, publish).await {
                Ok(()) => {
                    // Show the values as the host keeps them (trimmed).
                    name.set(n);
                    slug.set(s);
                    summary.set(sm);
                    base_url.set(b);
                    toasts.success("Product saved.");
                    reload();
                }
                Err(AppError::Invalid(es)) => errors.set(es),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };

    let doc_error = error_for(errors, "documentation");
    view! {
        <section class="card" aria-labelledby="details-heading">
            <div class="section-head">
                <h2 id="details-heading">"Details"</h2>
                {move || unsaved().then(|| view! {
                    <span class="badge badge-unsaved" data-testid="product-unsaved">"unsaved changes"</span>
                })}
            </div>
            <form on:submit=submit novalidate>
                <div class="field-row">
                    <Field id="product_name" label="Name" value=name error=error_for(errors, "name")/>
                    <Field id="product_slug" label="Slug" value=slug error=error_for(errors, "slug")
                        hint="Part of the product's address in the catalog."/>
                </div>
                <Field id="product_summary" label="Summary" value=summary error=error_for(errors, "summary")
                    hint="One sentence for the catalog's list, up to 300 characters."/>
                <Field id="product_base_url" label="Base URL" value=base_url error=error_for(errors, "base_url")
                    hint="Where its APIs answer, e.g. https://api.example.com/v1."/>
                <div class="field" class:field-invalid=move || doc_error.get().is_some()>
                    <label for="product_documentation">"Documentation (Markdown)"</label>
                    <textarea id="product_documentation" name="product_documentation" class="code-input doc-editor"
                        rows="18" spellcheck="true" aria-describedby="product_documentation-hint product_documentation-error"
                        aria-invalid=move || if doc_error.get().is_some() { "true" } else { "false" }
                        prop:value=move || documentation.get()
                        on:input=move |ev| documentation.set(event_target_value(&ev))></textarea>
                    <p class="field-hint" id="product_documentation-hint">
                        "Headings, lists, links, code blocks and tables. Raw HTML is shown as text. "
                        "The preview below shows the last saved version."
                    </p>
                    <p class="field-error" id="product_documentation-error">{move || doc_error.get().unwrap_or_default()}</p>
                </div>
                <div class="field-check">
                    <input id="product_published" name="product_published" type="checkbox"
                        prop:checked=move || published.get()
                        on:change=move |ev| published.set(event_target_checked(&ev))/>
                    <label for="product_published">"Published"</label>
                </div>
                <p class="field-hint published-hint">"Developers see a published product in the catalogs that hold it."</p>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="save-product" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save product" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The documentation as the host rendered it when it was last saved.
#[component]
fn Preview(current: Memo<Option<ProductDetail>>) -> impl IntoView {
    let html = Memo::new(move |_| current.with(|c| c.as_ref().map(|p| p.documentation_html.clone())));
    view! {
        <section class="card" aria-labelledby="preview-heading">
            <div class="section-head">
                <h2 id="preview-heading">"Documentation preview"</h2>
                <span class="muted small">"as last saved"</span>
            </div>
            {move || match html.get().filter(|h| !h.trim().is_empty()) {
                Some(h) => view! { <div class="prose doc-preview" data-testid="documentation-preview" inner_html=h></div> }.into_any(),
                None => view! {
                    <Empty title="No documentation yet">
                        <p>"Write Markdown in the Documentation field and save: developers read it on the product's page."</p>
                    </Empty>
                }.into_any(),
            }}
        </section>
    }
}

/// The product's APIs with their operations; each can be removed (after a second click).
#[component]
fn Apis(
    current: Memo<Option<ProductDetail>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let apis = Memo::new(move |_| current.with(|c| c.as_ref().map(|p| p.apis.clone()).unwrap_or_default()));
    view! {
        <section class="card" aria-labelledby="apis-heading">
            <h2 id="apis-heading">"APIs"</h2>
            {move || {
                let list = apis.get();
                if list.is_empty() {
                    view! {
                        <Empty title="No APIs yet">
                            <p>"Add an API with the path prefix its calls start with (e.g. /payments) and, "
                                "if you have one, its OpenAPI document: its operations are listed here and on the product's page."</p>
                        </Empty>
                    }.into_any()
                } else {
                    view! {
                        <div class="api-list">
                            {list.into_iter().map(|api| view! { <Api api=api reload=reload/> }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Api(api: ProductApi, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let id: ProductApiId = api.id;
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let api_name = api.name.clone();
    let remove = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let api_name = api_name.clone();
        spawn_local(async move {
            match remove_product_api(id).await {
                Ok(()) => {
                    toasts.success(format!("API {api_name} removed."));
                    reload();
                }
                Err(e) => {
                    toasts.error(e.to_string());
                    busy.set(false);
                    confirming.set(false);
                }
            }
        });
    };
    let heading_id = format!("api-{id}");
    let labelled_by = heading_id.clone();
    view! {
        <article class="api-block" data-testid="product-api" aria-labelledby=labelled_by>
            <div class="api-head">
                <div>
                    <h3 id=heading_id>{api.name.clone()}</h3>
                    <div class="muted small">
                        "Path prefix " <code data-testid="api-prefix">{api.path_prefix.clone()}</code>
                        " · "
                        {match api.spec_title.clone() {
                            Some(t) => view! { <span data-testid="api-spec-title">{t}</span> }.into_any(),
                            None => view! { <span>"no OpenAPI document"</span> }.into_any(),
                        }}
                    </div>
                </div>
                <div class="row-actions">
                    {move || confirming.get().then(|| view! {
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    })}
                    <button type="button" data-testid="remove-api"
                        class=move || if confirming.get() { "btn btn-danger btn-sm" } else { "btn btn-ghost btn-sm btn-danger-text" }
                        disabled=move || busy.get() on:click=remove>
                        {move || match (busy.get(), confirming.get()) {
                            (true, _) => "Removing…",
                            (false, true) => "Confirm remove",
                            (false, false) => "Remove",
                        }}
                    </button>
                </div>
            </div>
            <Operations operations=api.operations/>
        </article>
    }
}

#[component]
fn Operations(operations: Vec<ApiOperation>) -> impl IntoView {
    if operations.is_empty() {
        return view! { <p class="muted small">"No operations listed."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table operations">
                <thead><tr>
                    <th scope="col">"Method"</th><th scope="col">"Path"</th><th scope="col">"Summary"</th>
                </tr></thead>
                <tbody>
                    {operations.into_iter().map(|op| {
                        let class = format!("method method-{}", op.method.to_lowercase());
                        view! {
                            <tr data-testid="api-operation">
                                <td><span class=class>{op.method.clone()}</span></td>
                                <td><code class="op-path">{op.path.clone()}</code></td>
                                <td class="small">{op.summary.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The catalogs that hold the product, with links to them.
#[component]
fn Catalogs(current: Memo<Option<ProductDetail>>) -> impl IntoView {
    let offers =
        Memo::new(move |_| current.with(|c| c.as_ref().map(|p| p.offers.clone()).unwrap_or_default()));
    view! {
        <section class="card" aria-labelledby="product-catalogs-heading">
            <h2 id="product-catalogs-heading">"Catalogs"</h2>
            {move || {
                let list = offers.get();
                if list.is_empty() {
                    view! {
                        <p class="muted small" data-testid="product-no-catalogs">
                            "In no catalog yet: developers cannot find it. Open a "
                            <A href="/admin/catalogs">"catalog"</A>
                            " and add this product to offer it with that catalog's plans."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {list.into_iter().map(|o| {
                                let vis = o.catalog.visibility.label();
                                view! {
                                    <li data-testid="product-catalog">
                                        <A href=format!("/admin/catalogs/{}", o.catalog.id)>{o.catalog.name.clone()}</A>
                                        " " <span class=format!("badge visibility-badge badge-{vis}")>{vis}</span>
                                        <div class="muted small">{count(o.plans.len() as u64, "plan")}</div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// A new API: name, path prefix and, optionally, an OpenAPI document pasted in.
#[component]
fn AddApi(id: ProductId, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let name = RwSignal::new(String::new());
    let prefix = RwSignal::new(String::new());
    let spec = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = match ApiInput::parse(&name.get_untracked(), &prefix.get_untracked()) {
            Ok(input) => input,
            Err(es) => {
                errors.set(es);
                return;
            }
        };
        errors.set(Vec::new());
        busy.set(true);
        let document = Some(spec.get_untracked()).filter(|s| !s.trim().is_empty());
        spawn_local(async move {
            let api_name = input.name.clone();
            match add_product_api(id, input.name, input.path_prefix, document).await {
                Ok(api) => {
                    let ops = api.operations.len() as u64;
                    toasts.success(if api.spec_title.is_some() {
                        format!("API {api_name} added with {}.", count(ops, "operation"))
                    } else {
                        format!("API {api_name} added.")
                    });
                    name.set(String::new());
                    prefix.set(String::new());
                    spec.set(String::new());
                    reload();
                }
                Err(AppError::Invalid(es)) => {
                    // Rules the browser cannot check (the document itself) come back
                    // from the host; any field this form does not have becomes a toast.
                    let known = ["api_name", "path_prefix", "spec", "api_spec"];
                    if let Some(other) = es.iter().find(|e| !known.contains(&e.field.as_str())) {
                        toasts.error(other.message.clone());
                    }
                    errors.set(es);
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };

    let spec_error = Signal::derive(move || {
        errors.with(|es| {
            es.iter().find(|e| e.field == "spec" || e.field == "api_spec").map(|e| e.message.clone())
        })
    });
    view! {
        <section class="card" aria-labelledby="add-api-heading">
            <h2 id="add-api-heading">"Add an API"</h2>
            <form on:submit=submit novalidate>
                <Field id="api_name" label="Name" value=name error=error_for(errors, "api_name")/>
                <Field id="path_prefix" label="Path prefix" value=prefix error=error_for(errors, "path_prefix")
                    hint="Calls whose path starts with it belong to this product, e.g. /payments. Empty: /."/>
                <div class="field" class:field-invalid=move || spec_error.get().is_some()>
                    <label for="api_spec">"OpenAPI document (optional)"</label>
                    <textarea id="api_spec" name="api_spec" class="code-input" rows="10" spellcheck="false"
                        placeholder="openapi: 3.0.3\ninfo:\n  title: Payments\n  version: 1.0.0\npaths: …"
                        aria-describedby="api_spec-hint api_spec-error"
                        aria-invalid=move || if spec_error.get().is_some() { "true" } else { "false" }
                        prop:value=move || spec.get()
                        on:input=move |ev| spec.set(event_target_value(&ev))></textarea>
                    <p class="field-hint" id="api_spec-hint">"Paste an OpenAPI 3 document, JSON or YAML, or load it from a file below. Its operations are listed for developers."</p>
                    <p class="field-error" id="api_spec-error">{move || spec_error.get().unwrap_or_default()}</p>
                </div>
                <div class="field">
                    <label for="api_spec_file">"OpenAPI file (.json, .yaml)"</label>
                    <input id="api_spec_file" name="api_spec_file" type="file" data-testid="api-spec-file"
                        accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
                        on:change=move |ev| load_spec_file(&ev, spec, toasts)/>
                </div>
                <button type="submit" class="btn btn-primary" data-testid="add-api" disabled=move || busy.get()>
                    {move || if busy.get() { "Adding…" } else { "Add API" }}
                </button>
            </form>
        </section>
    }
}

/// Reads the chosen OpenAPI file's text into the document box (the host checks it).
fn load_spec_file(ev: &leptos::ev::Event, spec: RwSignal<String>, toasts: Toasts) {
    #[cfg(feature = "csr")]
    {
        use web_sys::wasm_bindgen::JsCast;
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.and_then(|i| i.files()).and_then(|files| files.get(0)) else {
            return;
        };
        if file.size() > 2.0 * 1024.0 * 1024.0 {
            toasts.error(format!("{} is larger than 2 MB.", file.name()));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => spec.set(text.as_string().unwrap_or_default()),
                Err(_) => toasts.error(format!("{} could not be read.", file.name())),
            }
        });
    }
    #[cfg(not(feature = "csr"))]
    let _ = (ev, spec, toasts);
}
