//! Admin → Exports: export developers, apps or API products as CSV or JSON, and the
//! recent jobs with their progress and downloads. Jobs run on the host, so leaving the
//! page and coming back finds them where they are; the list refreshes every second
//! while one is running. Developer exports of a search start from Admin → Developers.

use crate::api::exports::{list_exports, start_export};
use crate::components::admin_nav::AdminNav;
use crate::components::export_progress::ExportProgress;
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use crate::pages::{refresh_every, signed_in};
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AppError, ExportFormat, ExportJob, ExportKind, ExportRequest};

#[component]
pub fn AdminExportsPage() -> impl IntoView {
    signed_in(|_| view! { <AdminNav/> <Exports/> })
}

#[component]
fn Exports() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let jobs = RwSignal::new(None::<Result<Vec<ExportJob>, AppError>>);
    let load = move || spawn_local(async move { jobs.set(Some(list_exports().await)) });
    load();
    // While anything runs, follow it every second.
    refresh_every(1, move || {
        if jobs.with_untracked(|j| matches!(j, Some(Ok(list)) if list.iter().any(|j| j.status.is_open()))) {
            load();
        }
    });
    let kind = RwSignal::new(ExportKind::Developers);
    let format = RwSignal::new(ExportFormat::Csv);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let request =
            ExportRequest { kind: kind.get_untracked(), format: format.get_untracked(), search: None };
        spawn_local(async move {
            match start_export(request).await {
                Ok(job) => {
                    toasts.success(format!("{} export started.", job.kind.label()));
                    load();
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="page-header">
            <div>
                <h1>"Exports"</h1>
                <p class="muted">"Developers, apps or API products as CSV (flat, spreadsheet-safe) or JSON (everything, nested)."</p>
            </div>
        </div>
        <div class="grid-admin">
            <section class="card" aria-labelledby="jobs-heading">
                <h2 id="jobs-heading">"Recent exports"</h2>
                {move || match jobs.get() {
                    None => view! { <Loading label="Loading exports…"/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <Empty title="No exports yet"><p>"Start one here, or export a search from Developers."</p></Empty>
                    }.into_any(),
                    Some(Ok(list)) => view! { <JobsTable jobs=list/> }.into_any(),
                }}
            </section>
            <section class="card" aria-labelledby="new-export-heading">
                <h2 id="new-export-heading">"New export"</h2>
                <form on:submit=submit data-testid="export-form">
                    <div class="field">
                        <label for="export_kind">"What"</label>
                        <select id="export_kind" data-testid="export-kind"
                            on:change=move |ev| kind.set(ExportKind::from_key(&event_target_value(&ev)).unwrap_or(ExportKind::Developers))>
                            {ExportKind::ALL.into_iter().map(|k| view! {
                                <option value=k.key() selected=move || kind.get() == k>{k.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <FormatChoice format=format name="export_format"/>
                    <button type="submit" class="btn btn-primary" disabled=move || busy.get() data-testid="start-export">
                        "Export"
                    </button>
                </form>
            </section>
        </div>
    }
}

/// CSV or JSON, as radio buttons.
#[component]
pub fn FormatChoice(format: RwSignal<ExportFormat>, name: &'static str) -> impl IntoView {
    let options = [
        (ExportFormat::Csv, "CSV", "Flat: one row each, custom attributes as attr.<name> columns."),
        (ExportFormat::Json, "JSON", "Everything, nested: teams, attributes, requests, keys."),
    ];
    view! {
        <fieldset class="radio-group">
            <legend>"Format"</legend>
            {options.into_iter().map(|(f, label, hint)| {
                let id = format!("{name}_{}", f.key());
                view! {
                    <div class="radio-option">
                        <input type="radio" id=id.clone() name=name value=f.key()
                            prop:checked=move || format.get() == f on:change=move |_| format.set(f)/>
                        <div>
                            <label for=id>{label}</label>
                            <p class="field-hint">{hint}</p>
                        </div>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn JobsTable(jobs: Vec<ExportJob>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="exports-table">
                <thead>
                    <tr>
                        <th scope="col">"Export"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col" class="export-col">"Progress"</th>
                    </tr>
                </thead>
                <tbody>
                    {jobs.into_iter().map(|j| view! {
                        <tr data-testid="export-row">
                            <td>
                                <div>{format!("{} · {}", j.kind.label(), j.format.key().to_uppercase())}</div>
                                <div class="muted small">{j.filter_summary.clone()}</div>
                            </td>
                            <td class="small">
                                <div class="nowrap">{j.created_at.format("%Y-%m-%d %H:%M").to_string()}</div>
                                <div class="muted">{j.created_by.clone()}</div>
                            </td>
                            <td class="export-col"><ExportProgress job=j/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
