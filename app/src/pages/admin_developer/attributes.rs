//! Custom attributes: up to 18 name/value pairs per developer. Add one, change a value
//! in place, delete one; names and values are checked as typed with the host's rules,
//! and the 19th is refused with a clear message.

use crate::api::developers::{delete_developer_attribute, set_developer_attribute};
use crate::components::states::Empty;
use crate::components::toast::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{Attribute, AttributeInput, MAX_ATTRIBUTES, UserId};

#[component]
pub(super) fn Attributes(id: UserId, attributes: Vec<Attribute>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let list = RwSignal::new(attributes);
    let name = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let value_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let editing = RwSignal::new(None::<String>);
    let edit_value = RwSignal::new(String::new());

    let save = move |n: String, v: String, after: Box<dyn FnOnce() + Send>| {
        name_error.set(None);
        value_error.set(None);
        if let Err(errors) = AttributeInput::parse(&n, &v) {
            for e in errors {
                match e.field.as_str() {
                    "value" => value_error.set(Some(e.message)),
                    _ => name_error.set(Some(e.message)),
                }
            }
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match set_developer_attribute(id, n.trim().to_owned(), v).await {
                Ok(updated) => {
                    list.set(updated);
                    toasts.success(format!("Attribute {} saved.", n.trim()));
                    after();
                }
                Err(e) => match (e.field_message("name"), e.field_message("value")) {
                    (None, None) => toasts.error(e.to_string()),
                    (n, v) => {
                        name_error.set(n);
                        value_error.set(v);
                    }
                },
            }
            busy.set(false);
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save(
            name.get_untracked(),
            value.get_untracked(),
            Box::new(move || {
                name.set(String::new());
                value.set(String::new());
            }),
        );
    };
    let remove = move |n: String| {
        busy.set(true);
        spawn_local(async move {
            match delete_developer_attribute(id, n.clone()).await {
                Ok(updated) => {
                    list.set(updated);
                    toasts.success(format!("Attribute {n} deleted."));
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let full = move || list.with(Vec::len) >= MAX_ATTRIBUTES;

    view! {
        <section class="card" aria-labelledby="attributes-heading">
            <div class="section-head">
                <h2 id="attributes-heading">"Custom attributes"</h2>
                <span class="muted small" data-testid="attribute-count">
                    {move || format!("{} of {MAX_ATTRIBUTES}", list.with(Vec::len))}
                </span>
            </div>
            {move || if list.with(Vec::is_empty) {
                view! { <Empty title="No attributes"><p>"Add name/value pairs such as a CRM id or a tier."</p></Empty> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="attributes-table">
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Value"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.get().into_iter().map(|a| {
                                    let (n1, n2, n3) = (a.name.clone(), a.name.clone(), a.name.clone());
                                    let shown = a.value.clone();
                                    let is_editing = move || editing.get().as_deref() == Some(n1.as_str());
                                                        let value_id = format!("attr-value-{}", a.name);
                                    view! {
                                        <tr data-testid="attribute-row" data-name=a.name.clone()>
                                            <td><code>{a.name.clone()}</code></td>
                                            <td>
                                                {let is_editing = is_editing.clone(); move || if is_editing() {
                                                    let n = n2.clone();
                                                    view! {
                                                        <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                                            ev.prevent_default();
                                                            save(n.clone(), edit_value.get_untracked(), Box::new(move || editing.set(None)));
                                                        }>
                                                            <label class="visually-hidden" for=value_id.clone()>{format!("Value of {}", n2)}</label>
                                                            <input id=value_id.clone() type="text" prop:value=move || edit_value.get()
                                                                on:input=move |ev| edit_value.set(event_target_value(&ev))/>
                                                            <button type="submit" class="btn btn-primary btn-sm" disabled=move || busy.get()>"Save"</button>
                                                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| editing.set(None)>"Cancel"</button>
                                                        </form>
                                                    }.into_any()
                                                } else {
                                                    view! { <span class="attr-value" data-testid="attribute-value">{shown.clone()}</span> }.into_any()
                                                }}
                                            </td>
                                            <td>
                                                <div class="row-actions">
                                                    <button type="button" class="btn btn-ghost btn-sm" disabled=move || busy.get()
                                                        on:click={let (n, v) = (a.name.clone(), a.value.clone()); move |_| {
                                                            edit_value.set(v.clone());
                                                            editing.set(Some(n.clone()));
                                                        }}>"Edit"</button>
                                                    <button type="button" class="btn btn-ghost btn-sm" disabled=move || busy.get()
                                                        aria-label=format!("Delete attribute {}", a.name)
                                                        on:click=move |_| remove(n3.clone())>"Delete"</button>
                                                </div>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <form class="attribute-form" on:submit=add novalidate data-testid="attribute-form">
                <div class="field" class:field-invalid=move || name_error.get().is_some()>
                    <label for="attr_name">"Name"</label>
                    <input id="attr_name" type="text" autocomplete="off" prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                        aria-invalid=move || name_error.get().is_some().to_string() aria-describedby="attr_name-error"/>
                    <p class="field-error" id="attr_name-error">{move || name_error.get().unwrap_or_default()}</p>
                </div>
                <div class="field" class:field-invalid=move || value_error.get().is_some()>
                    <label for="attr_value">"Value"</label>
                    <input id="attr_value" type="text" autocomplete="off" prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                        aria-invalid=move || value_error.get().is_some().to_string() aria-describedby="attr_value-error"/>
                    <p class="field-error" id="attr_value-error">{move || value_error.get().unwrap_or_default()}</p>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || busy.get() data-testid="add-attribute">
                    "Add attribute"
                </button>
            </form>
            <Show when=full>
                <p class="field-hint" data-testid="attributes-full">
                    {format!("This developer has the most attributes allowed ({MAX_ATTRIBUTES}); delete one to add another.")}
                </p>
            </Show>
        </section>
    }
}
