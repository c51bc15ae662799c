//! Admin → Audit log: every admin and super-admin action, newest first, filtered by
//! action, actor and target as you type, 100 at a time with "Older entries".

use crate::api::developers::list_audit;
use crate::components::admin_nav::AdminNav;
use crate::components::audit::AuditList;
use crate::components::states::{ErrorPanel, Loading};
use crate::pages::signed_in;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AppError, AuditEntry, AuditQuery};

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    signed_in(|_| view! { <AdminNav/> <AuditLog/> })
}

#[component]
fn AuditLog() -> impl IntoView {
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let entries = RwSignal::new(None::<Result<Vec<AuditEntry>, AppError>>);
    let older = RwSignal::new(Vec::<AuditEntry>::new());
    let seq = StoredValue::new(0u64);
    let query = move |before| AuditQuery {
        action: action.get_untracked(),
        actor: actor.get_untracked(),
        target: target.get_untracked(),
        before,
    };
    // Every change of a filter asks again; an older answer never replaces a newer one.
    Effect::new(move |_| {
        action.track();
        actor.track();
        target.track();
        let n = seq.get_value() + 1;
        seq.set_value(n);
        older.set(Vec::new());
        let q = query(None);
        spawn_local(async move {
            let result = list_audit(q).await;
            if seq.get_value() == n {
                entries.set(Some(result));
            }
        });
    });
    let load_older = move |_| {
        let last = older.with(|o| o.last().map(|e| e.at)).or_else(|| {
            entries.with(|e| e.as_ref().and_then(|r| r.as_ref().ok()).and_then(|l| l.last().map(|e| e.at)))
        });
        let q = query(last);
        spawn_local(async move {
            if let Ok(more) = list_audit(q).await {
                older.update(|o| o.extend(more));
            }
        });
    };
    let filter = |id: &'static str, label: &'static str, hint: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field inline-field">
                <label for=id>{label}</label>
                <input id=id type="search" autocomplete="off" placeholder=hint prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <div class="page-header">
            <div>
                <h1>"Audit log"</h1>
                <p class="muted">"Who did what, to what, and when — with each edit's fields before and after."</p>
            </div>
        </div>
        <section class="card admin-section" aria-labelledby="audit-log-heading">
            <h2 id="audit-log-heading" class="visually-hidden">"Entries"</h2>
            <div class="usage-filters audit-filters" role="search">
                {filter("audit_action", "Action", "developer., key.revoke…", action)}
                {filter("audit_actor", "By", "admin@…", actor)}
                {filter("audit_target", "Target", "name or email", target)}
            </div>
            {move || match entries.get() {
                None => view! { <Loading label="Loading the audit log…"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                Some(Ok(list)) => {
                    let full_page = list.len() >= 100;
                    let mut all = list;
                    all.extend(older.get());
                    view! {
                        <AuditList entries=all/>
                        {full_page.then(|| view! {
                            <p><button type="button" class="btn btn-ghost" on:click=load_older>"Older entries"</button></p>
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}
