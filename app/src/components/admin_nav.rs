//! The admin area's tab bar: Overview, Developers and Organisations (each with how many
//! wait for approval), API products, Catalogs, Access requests (with how many wait),
//! Apps, Audit log, Exports, Outbox and Settings.

use crate::api::admin::get_admin_overview;
use crate::api::catalog::list_access_requests;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::RequestStatus;

/// Lets a page tell the tab bar that the number of pending users, organisations or
/// access requests may have changed (after an approval, say). Pages that change them
/// provide it before `AdminNav`.
#[derive(Clone, Copy)]
pub struct AdminNavRefresh(Trigger);

impl AdminNavRefresh {
    /// Creates the handle and provides it to the components below the caller.
    pub fn provide() -> Self {
        let handle = Self(Trigger::new());
        provide_context(handle);
        handle
    }

    /// Asks the tab bar to count what is pending again.
    pub fn notify(self) {
        self.0.notify();
    }
}

#[component]
pub fn AdminNav() -> impl IntoView {
    let pending = RwSignal::new(0usize);
    let pending_orgs = RwSignal::new(0usize);
    let pending_requests = RwSignal::new(0usize);
    // Counted on mount, and again whenever the page says something pending changed.
    let refresh = use_context::<AdminNavRefresh>();
    Effect::new(move |_| {
        if let Some(r) = refresh {
            r.0.track();
        }
        spawn_local(async move {
            // The badge is a hint: on any error it simply stays hidden.
            // A count from the overview, not the whole list of pending users.
            let counts = get_admin_overview().await.map(|o| (o.pending_users, o.pending_organisations));
            let (users, orgs) = counts.unwrap_or((0, 0));
            pending.set(usize::try_from(users).unwrap_or(usize::MAX));
            pending_orgs.set(usize::try_from(orgs).unwrap_or(usize::MAX));
        });
        spawn_local(async move {
            // Same here: hidden when the list cannot be read.
            let n = list_access_requests(Some(RequestStatus::Pending)).await.map(|l| l.len()).unwrap_or(0);
            pending_requests.set(n);
        });
    });

    let badge = move |count: RwSignal<usize>, testid: &'static str| {
        move || {
            let n = count.get();
            (n > 0).then(|| {
                view! {
                    <span class="tab-count" data-testid=testid title="Awaiting approval">
                        {n}
                        <span class="visually-hidden">" awaiting approval"</span>
                    </span>
                }
            })
        }
    };

    view! {
        <nav class="admin-tabs" aria-label="Admin sections">
            <A href="/admin" exact=true>"Overview"</A>
            <A href="/admin/developers">"Developers" {badge(pending, "pending-count")}</A>
            <A href="/admin/organisations">"Organisations" {badge(pending_orgs, "pending-orgs-count")}</A>
            <A href="/admin/products">"API products"</A>
            <A href="/admin/catalogs">"Catalogs"</A>
            <A href="/admin/access-requests">
                "Access requests" {badge(pending_requests, "pending-requests-count")}
            </A>
            <A href="/admin/apps">"Apps"</A>
            <A href="/admin/audit">"Audit log"</A>
            <A href="/admin/exports">"Exports"</A>
            <A href="/admin/outbox">"Outbox"</A>
            <A href="/admin/settings">"Settings"</A>
        </nav>
    }
}
