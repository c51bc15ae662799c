//! Admin → Outbox: every mail Portico sends, with its delivery status; opening one shows
//! its text body and its HTML body in a sandboxed frame. Portal admins only.

use crate::api::mail::{get_outbox_mail, list_outbox};
use crate::components::admin_nav::AdminNav;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AppError, MailId, OutboxMail};

#[component]
pub fn AdminOutboxPage() -> impl IntoView {
    signed_in(|_| view! { <AdminOutbox/> })
}

const TIME: &str = "%Y-%m-%d %H:%M";

#[component]
fn AdminOutbox() -> impl IntoView {
    let mails = RwSignal::new(None::<Result<Vec<OutboxMail>, AppError>>);
    let refreshing = RwSignal::new(false);
    // The open mail: its id, then its contents once they arrive.
    let open = RwSignal::new(None::<(MailId, Option<Result<OutboxMail, AppError>>)>);

    let reload = move || {
        refreshing.set(true);
        spawn_local(async move {
            mails.set(Some(list_outbox().await));
            refreshing.set(false);
        });
    };
    reload();

    let show = move |id: MailId| {
        if open.get_untracked().is_some_and(|(current, _)| current == id) {
            return;
        }
        open.set(Some((id, None)));
        spawn_local(async move {
            let result = get_outbox_mail(id).await;
            // Only if the admin did not open another mail meanwhile.
            if open.get_untracked().is_some_and(|(current, _)| current == id) {
                open.set(Some((id, Some(result))));
            }
        });
    };
    let selected = move || open.get().map(|(id, _)| id);

    let list = move || {
        match mails.get() {
        None => view! { <Loading label="Loading mails…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <Empty title="No mails yet">
                <p>"Invitations, approvals and password resets show here as soon as Portico sends them."</p>
            </Empty>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <div class="table-wrap">
                <table class="table outbox-table" data-testid="outbox-table">
                    <thead>
                        <tr>
                            <th scope="col">"To"</th>
                            <th scope="col">"Subject"</th>
                            <th scope="col" class="col-extra">"Template"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col" class="col-extra">"Created"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|m| {
                            let id = m.id;
                            let status = m.status.label();
                            let is_open = move || selected() == Some(id);
                            // The whole row is clickable; the button in it makes it reachable by keyboard
                            // (its click bubbles up to the row).
                            view! {
                                <tr class="row-link" class:row-selected=is_open data-testid="outbox-row"
                                    on:click=move |_| show(id)>
                                    <td class="small">{m.to.clone()}</td>
                                    <td>
                                        <button type="button" class="link-button"
                                            aria-pressed=move || is_open().to_string()>
                                            {m.subject.clone()}
                                        </button>
                                    </td>
                                    <td class="col-extra"><code>{m.template.clone()}</code></td>
                                    <td><span class=format!("badge badge-{status}")>{status}</span></td>
                                    <td class="muted small col-extra">{m.created_at.format(TIME).to_string()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
    }
    };

    view! {
        <AdminNav/>
        <div class="page-header">
            <div>
                <h1>"Outbox"</h1>
                <p class="muted">"Every mail Portico sends. Without SMTP configured, mails are held here."</p>
            </div>
            <button type="button" class="btn btn-ghost" on:click=move |_| reload()
                disabled=move || refreshing.get()>
                {move || if refreshing.get() { "Refreshing…" } else { "Refresh" }}
            </button>
        </div>
        <div class="admin-split" class:admin-split-open=move || open.get().is_some()>
            <section class="card admin-section" aria-label="Mails">{list}</section>
            {move || open.get().map(|(_, mail)| view! {
                <MailDetail mail=mail on_close=Callback::new(move |()| open.set(None))/>
            })}
        </div>
    }
}

/// One opened mail. `None` while it loads.
#[component]
fn MailDetail(mail: Option<Result<OutboxMail, AppError>>, on_close: Callback<()>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    // Move focus to the opened mail, which also scrolls it into view on small screens.
    Effect::new(move |_| {
        if let Some(el) = heading.get() {
            let _ = el.focus();
        }
    });
    let body = match mail {
        None => view! { <Loading label="Opening mail…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(m)) => {
            let status = m.status.label();
            view! {
                <dl class="facts mail-facts">
                    <dt>"To"</dt><dd data-testid="mail-to">{m.to.clone()}</dd>
                    <dt>"Subject"</dt><dd data-testid="mail-subject">{m.subject.clone()}</dd>
                    <dt>"Status"</dt>
                    <dd><span class=format!("badge badge-{status}") data-testid="mail-status">{status}</span></dd>
                    <dt>"Template"</dt><dd><code>{m.template.clone()}</code></dd>
                    <dt>"Created"</dt><dd>{m.created_at.format(TIME).to_string()}</dd>
                    {m.sent_at.map(|t| view! { <dt>"Sent"</dt><dd>{t.format(TIME).to_string()}</dd> })}
                    <dt>"Attempts"</dt><dd>{m.attempts}</dd>
                    {m.last_error.clone().map(|e| view! {
                        <dt>"Last error"</dt><dd class="mail-error" data-testid="mail-error">{e}</dd>
                    })}
                </dl>
                <h3>"Text"</h3>
                <pre class="mail-text" data-testid="mail-text">{m.text.clone().unwrap_or_default()}</pre>
                <h3>"HTML"</h3>
                // No permissions at all: the mail's HTML cannot run scripts, submit forms or navigate.
                <iframe class="mail-frame" sandbox="" title="HTML body of the mail" data-testid="mail-html"
                    srcdoc=m.html.clone().unwrap_or_default()></iframe>
            }
            .into_any()
        }
    };
    view! {
        <section class="card admin-section mail-detail" aria-labelledby="mail-heading" data-testid="mail-detail">
            <div class="section-head">
                <h2 id="mail-heading" tabindex="-1" node_ref=heading>"Mail"</h2>
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            {body}
        </section>
    }
}
