//! The admin area's tab bar: Overview, Users (with how many wait for approval),
//! Organisations, Outbox and Settings.

use crate::api::admin::get_admin_overview;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// Lets a page tell the tab bar that the number of pending users may have changed
/// (after an approval, say). Pages that change users provide it before `AdminNav`.
#[derive(Clone, Copy)]
pub struct AdminNavRefresh(Trigger);

impl AdminNavRefresh {
    /// Creates the handle and provides it to the components below the caller.
    pub fn provide() -> Self {
        let handle = Self(Trigger::new());
        provide_context(handle);
        handle
    }

    /// Asks the tab bar to count the pending users again.
    pub fn notify(self) {
        self.0.notify();
    }
}

#[component]
pub fn AdminNav() -> impl IntoView {
    let pending = RwSignal::new(0usize);
    // Counted on mount, and again whenever the page says the users changed.
    let refresh = use_context::<AdminNavRefresh>();
    Effect::new(move |_| {
        if let Some(r) = refresh {
            r.0.track();
        }
        spawn_local(async move {
            // The badge is a hint: on any error it simply stays hidden.
            // A count from the overview, not the whole list of pending users.
            let count = get_admin_overview()
                .await
                .map(|o| usize::try_from(o.pending_users).unwrap_or(usize::MAX))
                .unwrap_or(0);
            pending.set(count);
        });
    });

    let badge = move || {
        let n = pending.get();
        (n > 0).then(|| {
            view! {
                <span class="tab-count" data-testid="pending-count" title="Awaiting approval">
                    {n}
                    <span class="visually-hidden">" awaiting approval"</span>
                </span>
            }
        })
    };

    view! {
        <nav class="admin-tabs" aria-label="Admin sections">
            <A href="/admin" exact=true>"Overview"</A>
            <A href="/admin/users">"Users" {badge}</A>
            <A href="/admin/organisations">"Organisations"</A>
            <A href="/admin/outbox">"Outbox"</A>
            <A href="/admin/settings">"Settings"</A>
        </nav>
    }
}
