//! Export what the list shows: the current search and filters (every match, not just
//! this page), as CSV or JSON. The job runs on the host; its progress shows here and in
//! Admin → Exports, where it can also be downloaded later.

use super::UsersState;
use crate::api::exports::{get_export, start_export};
use crate::components::export_progress::ExportProgress;
use crate::components::toast::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use portico_model::{DeveloperQuery, ExportFormat, ExportJob, ExportKind, ExportRequest};

#[component]
pub(super) fn SearchExport(state: UsersState) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let job = RwSignal::new(None::<ExportJob>);
    let busy = RwSignal::new(false);
    // Follows the job every second until it ends.
    crate::pages::refresh_every(1, move || {
        let Some(current) = job.get_untracked() else { return };
        if !current.status.is_open() {
            return;
        }
        spawn_local(async move {
            if let Ok(now) = get_export(current.id).await {
                job.set(Some(now));
            }
        });
    });
    let start = move |format: ExportFormat| {
        busy.set(true);
        let search = DeveloperQuery {
            text: state.text.get_untracked(),
            status: state.filter.get_untracked(),
            org_id: state.org.get_untracked(),
            sort: state.sort.get_untracked(),
            after: None,
            limit: 0,
        };
        let request = ExportRequest { kind: ExportKind::Developers, format, search: Some(search) };
        spawn_local(async move {
            match start_export(request).await {
                Ok(started) => job.set(Some(started)),
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="search-export" role="group" aria-label="Export these developers">
            <span class="muted small">"Export these:"</span>
            <button type="button" class="btn btn-ghost btn-sm" disabled=move || busy.get()
                data-testid="export-csv" on:click=move |_| start(ExportFormat::Csv)>"CSV"</button>
            <button type="button" class="btn btn-ghost btn-sm" disabled=move || busy.get()
                data-testid="export-json" on:click=move |_| start(ExportFormat::Json)>"JSON"</button>
        </div>
        {move || job.get().map(|j| view! {
            <div class="export-inline">
                <ExportProgress job=j/>
                <A href="/admin/exports" attr:class="small">"All exports"</A>
            </div>
        })}
    }
}
