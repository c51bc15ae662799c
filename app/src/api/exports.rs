//! Exports: start one (developers — everything or the current search — apps or API
//! products, as CSV or JSON), follow its progress, list the recent ones. The file itself
//! is downloaded from `/exports/<id>/download`. Portal admins only.

use leptos::prelude::*;
use portico_model::{AppError, ExportId, ExportJob, ExportRequest};

/// Queues an export; it runs in the background.
#[server(endpoint = "start_export")]
pub async fn start_export(request: ExportRequest) -> Result<ExportJob, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::exports;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(exports::start(&be.db, &actor, request, &be.export_dir).await?)
}

/// The newest 20 export jobs.
#[server(endpoint = "list_exports")]
pub async fn list_exports() -> Result<Vec<ExportJob>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::exports;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(exports::list(&be.db, &actor).await?)
}

/// One export job, for its progress.
#[server(endpoint = "get_export")]
pub async fn get_export(id: ExportId) -> Result<ExportJob, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::exports;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(exports::get(&be.db, &actor, id.0).await?)
}
