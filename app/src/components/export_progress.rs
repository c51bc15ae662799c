//! An export job's progress: a bar with rows done of the total, its status, and the
//! download link once the file is ready.

use leptos::prelude::*;
use portico_model::{ExportJob, ExportStatus, thousands};

/// Bytes in words: "812 B", "4.2 MB".
fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

#[component]
pub fn ExportProgress(job: ExportJob) -> impl IntoView {
    let percent = job.percent();
    let status = job.status.key();
    let rows = match job.status {
        ExportStatus::Done => format!("{} rows · {}", thousands(job.rows_done), size(job.bytes)),
        ExportStatus::Queued => "waiting for the export before it".to_owned(),
        _ => format!("{} of {} rows", thousands(job.rows_done), thousands(job.rows_total)),
    };
    let label = format!("{} export ({})", job.kind.label(), job.format.key().to_uppercase());
    view! {
        <div class="export-progress" data-testid="export-progress" data-status=status>
            <div class="export-progress-head">
                <span class=format!("badge badge-export-{status}") data-testid="export-status">{status}</span>
                <span class="small">{rows}</span>
            </div>
            <progress max="100" value=percent.to_string() aria-label=format!("{label}: {percent}%")></progress>
            {match job.status {
                ExportStatus::Done => view! {
                    <span class="export-file">
                        <a class="btn btn-primary btn-sm" href=job.download_path() download=job.file_name() rel="external"
                            data-testid="export-download" aria-label=format!("Download {}", job.file_name())>"Download"</a>
                        <span class="muted small">{job.file_name()}</span>
                    </span>
                }.into_any(),
                ExportStatus::Failed => view! {
                    <p class="field-error" role="alert">{job.error.clone().unwrap_or_else(|| "The export failed.".to_owned())}</p>
                }.into_any(),
                _ => ().into_any(),
            }}
        </div>
    }
}
