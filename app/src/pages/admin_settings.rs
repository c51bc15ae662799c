//! Admin → Settings: the portal's general settings, the email template editor (whose
//! live preview renders in the browser with the same code the host sends with) and the
//! admin API tokens of the REST API.
//! Portal admins only; the host checks every call.

use crate::api::admin::{
    create_api_token, get_portal_settings, list_api_tokens, revoke_api_token, update_portal_settings,
};
use crate::api::mail::{list_email_templates, restore_email_template, update_email_template};
use crate::components::admin_nav::AdminNav;
use crate::components::field::Field;
use crate::components::secret_key::SecretKey;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::email::{EmailTemplate, EmailTemplateView, TemplateKey, render_email, unknown_variables};
use portico_model::{ApiTokenView, AppError, NewApiToken, PortalSettings, parse_token_name};

#[component]
pub fn AdminSettingsPage() -> impl IntoView {
    signed_in(|_| view! { <AdminSettings/> })
}

#[component]
fn AdminSettings() -> impl IntoView {
    view! {
        <AdminNav/>
        <div class="page-header">
            <div>
                <h1>"Settings"</h1>
                <p class="muted">"How your portal is called, who may join, and what it writes to people."</p>
            </div>
        </div>
        <section class="card admin-section" aria-labelledby="general-heading">
            <h2 id="general-heading">"General"</h2>
            <SettingsForm/>
        </section>
        <section class="card admin-section" aria-labelledby="emails-heading">
            <h2 id="emails-heading">"Emails"</h2>
            <p class="muted">
                "Every email Portico sends. Edit the wording; the preview uses example values."
            </p>
            <EmailTemplates/>
        </section>
        <section class="card admin-section" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p class="muted">
                "Tokens for the REST API ("<a href="/api/v1/openapi.json">"OpenAPI document"</a>
                "). A token acts as you, with your admin rights, until it is revoked; send it as "
                <code>"Authorization: Bearer ptk_…"</code>"."
            </p>
            <ApiTokens/>
        </section>
    }
}

/// Admin → Settings → API tokens: make one (shown once), see each with its last use,
/// revoke.
#[component]
fn ApiTokens() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let tokens = RwSignal::new(None::<Result<Vec<ApiTokenView>, AppError>>);
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let creating = RwSignal::new(false);
    let fresh = RwSignal::new(None::<NewApiToken>);
    let reload = move || {
        spawn_local(async move {
            tokens.set(Some(list_api_tokens().await));
        });
    };
    reload();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        name_error.set(parse_token_name(&name.get_untracked()).err().map(|e| e.message));
        if name_error.get_untracked().is_some() {
            return;
        }
        creating.set(true);
        spawn_local(async move {
            match create_api_token(name.get_untracked()).await {
                Ok(made) => {
                    name.set(String::new());
                    fresh.set(Some(made));
                    reload();
                }
                Err(e) => match e.field_message("name") {
                    Some(m) => name_error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            creating.set(false);
        });
    };
    let revoke = move |token: ApiTokenView| {
        spawn_local(async move {
            match revoke_api_token(token.id).await {
                Ok(()) => {
                    toasts.success(format!("Revoked “{}”.", token.name));
                    reload();
                }
                Err(e) => toasts.error(e.to_string()),
            }
        });
    };
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    view! {
        <form on:submit=create class="inline-form" data-testid="new-token-form">
            <Field id="token_name" label="Token name" value=name error=name_error
                hint="What it is for, e.g. “CRM sync”."/>
            <button type="submit" class="btn btn-primary" disabled=move || creating.get()>
                {move || if creating.get() { "Creating…" } else { "Create token" }}
            </button>
        </form>
        {move || fresh.get().map(|made| view! {
            <SecretKey secret=made.secret noun="token" title=format!("Token “{}” created", made.token.name)
                id=made.token.id.to_string() on_done=Callback::new(move |()| fresh.set(None))/>
        })}
        {move || match tokens.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <Empty title="No API tokens yet">
                    <p>"Create one to call the REST API from a script or another system."</p>
                </Empty>
            }.into_any(),
            Some(Ok(list)) => view! {
                <table class="table" data-testid="tokens-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Token"</th>
                            <th scope="col">"Acts as"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|t| {
                            let revoked = t.revoked_at.is_some();
                            let label = format!("Revoke {}", t.name);
                            let row = t.clone();
                            view! {
                                <tr class:muted=revoked>
                                    <td>{t.name.clone()}</td>
                                    <td><code>{format!("{}…", t.prefix)}</code></td>
                                    <td>{t.created_by.clone()}</td>
                                    <td class="nowrap">{time(t.created_at)}</td>
                                    <td class="nowrap">{t.last_used_at.map_or_else(|| "never".to_owned(), time)}</td>
                                    <td>
                                        {match t.revoked_at {
                                            Some(at) => view! { <span class="badge badge-revoked">{format!("revoked {}", time(at))}</span> }.into_any(),
                                            None => view! { <span class="badge badge-approved">"active"</span> }.into_any(),
                                        }}
                                    </td>
                                    <td>
                                        {(!revoked).then(|| view! {
                                            <button type="button" class="btn btn-ghost btn-sm btn-danger-text" aria-label=label data-testid="revoke-token"
                                                on:click=move |_| revoke(row.clone())>"Revoke"</button>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}

#[component]
fn SettingsForm() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let portal = crate::session::Portal::use_portal();
    let loaded = RwSignal::new(None::<Result<PortalSettings, AppError>>);
    let name = RwSignal::new(String::new());
    let auto_approve = RwSignal::new(true);
    let org_registration = RwSignal::new(true);
    let auto_approve_orgs = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let name_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        let result = get_portal_settings().await;
        if let Ok(s) = &result {
            name.set(s.portal_name.clone());
            auto_approve.set(s.auto_approve_registrations);
            org_registration.set(s.org_registration);
            auto_approve_orgs.set(s.auto_approve_org_registrations);
        }
        loaded.set(Some(result));
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        name_error.set(None);
        let wanted = PortalSettings {
            portal_name: name.get_untracked(),
            auto_approve_registrations: auto_approve.get_untracked(),
            org_registration: org_registration.get_untracked(),
            auto_approve_org_registrations: auto_approve_orgs.get_untracked(),
        };
        spawn_local(async move {
            match update_portal_settings(wanted).await {
                Ok(saved) => {
                    portal.set_name(saved.portal_name.clone());
                    name.set(saved.portal_name);
                    auto_approve.set(saved.auto_approve_registrations);
                    portal.set_org_registration(saved.org_registration);
                    org_registration.set(saved.org_registration);
                    auto_approve_orgs.set(saved.auto_approve_org_registrations);
                    toasts.success("Settings saved.");
                }
                Err(e) => match e.field_message("portal_name") {
                    Some(m) => name_error.set(Some(m)),
                    None => toasts.error(e.to_string()),
                },
            }
            saving.set(false);
        });
    };

    move || {
        match loaded.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(_)) => view! {
            <form on:submit=save class="settings-form">
                <Field id="portal_name" label="Portal name" value=name error=name_error/>
                <div class="field field-check">
                    <input type="checkbox" id="auto_approve" name="auto_approve"
                        prop:checked=move || auto_approve.get()
                        on:change=move |ev| auto_approve.set(event_target_checked(&ev))/>
                    <label for="auto_approve">"Auto-approve developer registrations"</label>
                </div>
                <p class="field-hint">"When off, new accounts wait for an administrator's approval before they can sign in."</p>
                <div class="field field-check">
                    <input type="checkbox" id="org_registration" name="org_registration"
                        prop:checked=move || org_registration.get()
                        on:change=move |ev| org_registration.set(event_target_checked(&ev))/>
                    <label for="org_registration">"Enable API consumers to register organisations"</label>
                </div>
                <p class="field-hint">"Developers can name an organisation at sign-up or from My organisation, and become its super admin."</p>
                <div class="field field-check">
                    <input type="checkbox" id="auto_approve_orgs" name="auto_approve_orgs"
                        prop:checked=move || auto_approve_orgs.get()
                        prop:disabled=move || !org_registration.get()
                        on:change=move |ev| auto_approve_orgs.set(event_target_checked(&ev))/>
                    <label for="auto_approve_orgs">"Auto-approve organisation registrations"</label>
                </div>
                <p class="field-hint">"When off, each new organisation waits for an administrator in Admin → Organisations."</p>
                <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save settings" }}
                </button>
            </form>
        }
        .into_any(),
    }
    }
}

/// One template being edited. Kept per template for the life of the page, so switching
/// to another template and back keeps unsaved edits.
#[derive(Clone, Copy)]
struct Draft {
    key: TemplateKey,
    subject: RwSignal<String>,
    text: RwSignal<String>,
    html: RwSignal<String>,
    /// What the host has.
    saved: RwSignal<EmailTemplate>,
    customised: RwSignal<bool>,
}

impl Draft {
    fn new(view: EmailTemplateView) -> Self {
        let t = &view.template;
        Self {
            key: view.key,
            subject: RwSignal::new(t.subject.clone()),
            text: RwSignal::new(t.text.clone()),
            html: RwSignal::new(t.html.clone()),
            saved: RwSignal::new(view.template),
            customised: RwSignal::new(view.customised),
        }
    }

    /// Takes what the host answered as both the saved and the edited version.
    fn load(self, view: EmailTemplateView) {
        self.subject.set(view.template.subject.clone());
        self.text.set(view.template.text.clone());
        self.html.set(view.template.html.clone());
        self.saved.set(view.template);
        self.customised.set(view.customised);
    }

    /// The edited template (tracked).
    fn current(self) -> EmailTemplate {
        EmailTemplate { subject: self.subject.get(), text: self.text.get(), html: self.html.get() }
    }

    fn current_untracked(self) -> EmailTemplate {
        EmailTemplate {
            subject: self.subject.get_untracked(),
            text: self.text.get_untracked(),
            html: self.html.get_untracked(),
        }
    }

    /// Edited since it was loaded or saved (tracked).
    fn dirty(self) -> bool {
        self.saved.with(|s| {
            s.subject != self.subject.get() || s.text != self.text.get() || s.html != self.html.get()
        })
    }

    fn discard(self) {
        let saved = self.saved.get_untracked();
        self.subject.set(saved.subject);
        self.text.set(saved.text);
        self.html.set(saved.html);
    }
}

#[component]
fn EmailTemplates() -> impl IntoView {
    let drafts = RwSignal::new(None::<Result<Vec<Draft>, AppError>>);
    let selected = RwSignal::new(None::<TemplateKey>);
    // The drafts' signals belong to this component, not to the task that loads them.
    let owner = Owner::current();
    spawn_local(async move {
        let result = list_email_templates().await;
        let build = move || {
            result.map(|mut views| {
                views.sort_by_key(|v| TemplateKey::ALL.iter().position(|k| *k == v.key));
                views.into_iter().map(Draft::new).collect::<Vec<_>>()
            })
        };
        let built = match owner {
            Some(o) => o.with(build),
            None => build(),
        };
        if let Ok(list) = &built {
            selected.set(list.first().map(|d| d.key));
        }
        drafts.set(Some(built));
    });

    move || match drafts.get() {
        None => view! { <Loading label="Loading templates…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <Empty title="No templates"><p>"This portal sends no emails."</p></Empty>
        }
        .into_any(),
        Some(Ok(list)) => {
            let editor_list = list.clone();
            view! {
                <div class="template-layout">
                    <ul class="template-list" aria-label="Email templates">
                        {list.into_iter().map(|d| {
                            let is_selected = move || selected.get() == Some(d.key);
                            view! {
                                <li>
                                    <button type="button" class="template-item" class:template-selected=is_selected
                                        aria-current=move || if is_selected() { "true" } else { "false" }
                                        data-testid="template-item"
                                        on:click=move |_| selected.set(Some(d.key))>
                                        <span class="template-title">{d.key.title()}</span>
                                        <span class="template-marks">
                                            {move || d.dirty().then(|| view! {
                                                <span class="badge badge-unsaved">"unsaved"</span>
                                            })}
                                            {move || d.customised.get().then(|| view! {
                                                <span class="badge badge-customised">"customised"</span>
                                            })}
                                        </span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || {
                        let key = selected.get();
                        editor_list.iter().find(|d| Some(d.key) == key).map(|d| view! { <TemplateEditor draft=*d/> })
                    }}
                </div>
            }
            .into_any()
        }
    }
}

/// The fields of a template whose errors show beside them.
const TEMPLATE_FIELDS: [&str; 4] = ["subject", "text", "html", "variables"];

#[component]
fn TemplateEditor(draft: Draft) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let key = draft.key;
    let busy = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);
    let field_error = move |field: &'static str| server_error.get().and_then(|e| e.field_message(field));

    // Re-rendered on every keystroke, with the same code the host sends with.
    let sample = key.sample();
    let preview = Memo::new(move |_| render_email(&draft.current(), &sample));
    let unknown = Memo::new(move |_| unknown_variables(key, &draft.current()));

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        server_error.set(None);
        let template = draft.current_untracked();
        spawn_local(async move {
            match update_email_template(key, template).await {
                Ok(view) => {
                    draft.load(view);
                    toasts.success("Template saved.");
                }
                Err(e @ AppError::Invalid(_))
                    if TEMPLATE_FIELDS.iter().any(|f| e.field_message(f).is_some()) =>
                {
                    server_error.set(Some(e));
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let restore = move |_| {
        busy.set(true);
        server_error.set(None);
        spawn_local(async move {
            match restore_email_template(key).await {
                Ok(view) => {
                    draft.load(view);
                    toasts.success("Default template restored.");
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };

    let text_area =
        move |id: &'static str, label: &'static str, value: RwSignal<String>, rows: &'static str| {
            let error_id = format!("{id}-error");
            let field = match id {
                "tpl-text" => "text",
                _ => "html",
            };
            view! {
                <div class="field" class:field-invalid=move || field_error(field).is_some()>
                    <label for=id>{label}</label>
                    <textarea id=id name=id rows=rows class="code-input" spellcheck="false"
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                        aria-invalid=move || field_error(field).is_some().to_string()
                        aria-describedby=error_id.clone()></textarea>
                    <p class="field-error" id=error_id>{move || field_error(field).unwrap_or_default()}</p>
                </div>
            }
        };

    view! {
        <div class="template-editor" data-testid="template-editor">
            <form class="template-form" on:submit=save novalidate>
                <h3>{key.title()}</h3>
                <div class="field" class:field-invalid=move || field_error("subject").is_some()>
                    <label for="tpl-subject">"Subject"</label>
                    <input type="text" id="tpl-subject" name="tpl-subject" class="code-input"
                        prop:value=move || draft.subject.get()
                        on:input=move |ev| draft.subject.set(event_target_value(&ev))
                        aria-invalid=move || field_error("subject").is_some().to_string()
                        aria-describedby="tpl-subject-error"/>
                    <p class="field-error" id="tpl-subject-error">{move || field_error("subject").unwrap_or_default()}</p>
                </div>
                {text_area("tpl-text", "Text body", draft.text, "10")}
                {text_area("tpl-html", "HTML body", draft.html, "12")}
                {move || {
                    let names = unknown.get();
                    (!names.is_empty()).then(|| {
                        let list = names.iter().map(|n| format!("{{{{{n}}}}}")).collect::<Vec<_>>().join(", ");
                        view! {
                            <div class="alert alert-warning" role="status" data-testid="unknown-variables">
                                "Unknown variables: " {list} ". They render as empty text."
                            </div>
                        }
                    })
                }}
                {move || field_error("variables").map(|m| view! {
                    <div class="alert alert-error" role="alert">{m}</div>
                })}
                <details class="variables" open>
                    <summary>"Available variables"</summary>
                    <dl class="variable-list">
                        {key.variables().into_iter().map(|(name, description)| view! {
                            <dt><code>{format!("{{{{{name}}}}}")}</code></dt>
                            <dd>{description}</dd>
                        }).collect_view()}
                    </dl>
                </details>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save template" }}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=restore
                        disabled=move || busy.get() || !(draft.customised.get() || draft.dirty())>
                        "Restore default"
                    </button>
                    <Show when=move || draft.dirty()>
                        <button type="button" class="btn btn-ghost" on:click=move |_| draft.discard()>
                            "Discard changes"
                        </button>
                    </Show>
                </div>
            </form>
            <section class="template-preview" aria-labelledby="preview-heading" data-testid="template-preview">
                <h3 id="preview-heading">"Preview"</h3>
                <p class="muted small">"With example values."</p>
                <div class="preview-subject">
                    <span class="muted small">"Subject"</span>
                    <strong data-testid="preview-subject">{move || preview.get().subject}</strong>
                </div>
                <h4>"Text"</h4>
                <pre class="mail-text" data-testid="preview-text">{move || preview.get().text}</pre>
                <h4>"HTML"</h4>
                // No permissions at all: what an admin types cannot run scripts here.
                <iframe class="mail-frame" sandbox="" title="Preview of the HTML body" data-testid="preview-html"
                    srcdoc=move || preview.get().html></iframe>
            </section>
        </div>
    }
}
