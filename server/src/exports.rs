//! `GET /exports/{id}/download`: the finished file of an export job, for portal admins
//! (the session cookie decides, as for server functions), offered as an attachment.

use crate::routes::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_app::backend::Backend;
use portico_app::backend::auth::token_from_headers;
use portico_domain::Actor;
use portico_domain::services::{exports, sessions};
use portico_model::AppError;
use tower::ServiceExt;
use tower_http::services::ServeFile;

fn refuse(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(serde_json::json!({ "error": error.to_string() }))).into_response()
}

/// Streams the export's file with `Content-Disposition: attachment`.
pub async fn download(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
    let be = &state.backend;
    let Some(token) = token_from_headers(req.headers()) else {
        return refuse(AppError::Unauthenticated);
    };
    let user = match sessions::resolve(&be.db, &token, be.sessions).await {
        Ok(Some(user)) => user,
        Ok(None) => return refuse(AppError::Unauthenticated),
        Err(e) => return refuse(e.into()),
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return refuse(AppError::NotFound);
    };
    match serve(be, &Actor::from(&user), id, req).await {
        Ok(response) => response,
        Err(e) => refuse(e),
    }
}

/// The export's file as an attachment, for `actor` (the session's user or an API
/// token's admin).
pub async fn serve(be: &Backend, actor: &Actor, id: uuid::Uuid, req: Request) -> Result<Response, AppError> {
    let (path, job) = exports::download(&be.db, actor, id, &be.export_dir).await?;
    let mut response = match ServeFile::new(path).oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(e) => {
            tracing::error!(export.id = %id, error = %e, "cannot read an export file");
            return Err(AppError::Internal("export-file".into()));
        }
    };
    let disposition = format!("attachment; filename=\"{}\"", job.file_name());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(job.format.content_type()) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}
