//! The REST API, `/api/v1/…`, for scripts and integrations: developers, organisations
//! and teams, apps and keys (metadata), products, catalogs and plans, access requests
//! and exports. Every call carries an admin API token (`Authorization: Bearer ptk_…`,
//! made in Admin → Settings → API tokens) and runs the same domain services, with the
//! same checks, as the admin's pages. Errors are JSON ([`ErrorBody`]) with the status
//! [`AppError::status_code`] names; a request that cannot be read is 400 (422 for JSON
//! of the wrong shape, 415 for a body that is not JSON). The OpenAPI 3 document is `GET /api/v1/openapi.json` ([`openapi`]).

mod catalog;
mod developers;
pub mod openapi;
mod organisations;

use crate::routes::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use portico_domain::Actor;
use portico_domain::services::api_tokens;
use portico_model::{AppError, FieldError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every route of the API (the OpenAPI document lists the same ones; a test compares).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/developers", get(developers::list).post(developers::create))
        .route(
            "/api/v1/developers/{id}",
            get(developers::get_one).patch(developers::update).delete(developers::delete_one),
        )
        .route("/api/v1/developers/{id}/status", post(developers::set_status))
        .route("/api/v1/developers/{id}/delete-preview", get(developers::delete_preview))
        .route("/api/v1/developers/{id}/attributes", get(developers::attributes))
        .route(
            "/api/v1/developers/{id}/attributes/{name}",
            axum::routing::put(developers::set_attribute).delete(developers::delete_attribute),
        )
        .route("/api/v1/organisations", get(organisations::list).post(organisations::create))
        .route("/api/v1/organisations/{id}", get(organisations::get_one))
        .route("/api/v1/organisations/{id}/teams", get(organisations::teams).post(organisations::create_team))
        .route("/api/v1/apps", get(catalog::apps))
        .route("/api/v1/apps/{id}", get(catalog::app))
        .route("/api/v1/apps/{id}/keys", get(catalog::app_keys))
        .route("/api/v1/keys/{id}", delete(catalog::revoke_key))
        .route("/api/v1/products", get(catalog::products))
        .route("/api/v1/products/{id}", get(catalog::product))
        .route("/api/v1/catalogs", get(catalog::catalogs))
        .route("/api/v1/catalogs/{id}", get(catalog::catalog))
        .route("/api/v1/catalogs/{id}/plans", get(catalog::plans))
        .route("/api/v1/access-requests", get(catalog::access_requests))
        .route("/api/v1/access-requests/{id}/decision", post(catalog::decide))
        .route("/api/v1/exports", get(catalog::exports).post(catalog::start_export))
        .route("/api/v1/exports/{id}", get(catalog::export))
        .route("/api/v1/exports/{id}/download", get(catalog::download_export))
}

/// A refusal as the API sends it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// A stable code: `bad_request`, `invalid`, `unauthenticated`, `forbidden`,
    /// `not_found`, `conflict`, `rate_limited`, `unsupported_media_type`, `internal`.
    pub error: String,
    /// A sentence a person can act on.
    pub message: String,
    /// For `invalid`: each broken rule with the field it concerns.
    pub fields: Vec<FieldError>,
}

/// An error of the API: a status and its [`ErrorBody`].
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A request the API could not read (its path, query or body).
    fn bad_request(status: StatusCode, message: String) -> Self {
        let error = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            "unsupported_media_type"
        } else {
            "bad_request"
        };
        let status = if status.is_client_error() { status } else { StatusCode::BAD_REQUEST };
        Self {
            status,
            body: ErrorBody { error: error.into(), message, fields: Vec::new() },
            retry_after: None,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = match &e {
            AppError::Invalid(_) => "invalid",
            AppError::InvalidCredentials | AppError::Unauthenticated => "unauthenticated",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::RateLimited(_) => "rate_limited",
            AppError::Internal(_) | AppError::Transport(_) => "internal",
            _ => "forbidden",
        };
        let fields = match &e {
            AppError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        };
        let retry_after = match e {
            AppError::RateLimited(s) => Some(s),
            _ => None,
        };
        Self { status, body: ErrorBody { error: code.into(), message: e.to_string(), fields }, retry_after }
    }
}

impl From<portico_domain::DomainError> for ApiError {
    fn from(e: portico_domain::DomainError) -> Self {
        AppError::from(e).into()
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        AppError::from(e).into()
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(e: Vec<FieldError>) -> Self {
        AppError::from(e).into()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self::bad_request(r.status(), format!("The request body was not accepted: {}", r.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::bad_request(r.status(), format!("The query string was not accepted: {}", r.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::bad_request(StatusCode::BAD_REQUEST, format!("The path was not accepted: {}", r.body_text()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), message = %self.body.message, "api call failed");
        } else {
            tracing::info!(status = self.status.as_u16(), error = %self.body.error, "api call refused");
        }
        let mut response = (self.status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"portico\""));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The caller: the admin an API token acts as. Refused with 401 without a usable token.
pub struct Admin(pub Actor);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::from(AppError::Unauthenticated)
                    .with_message("Send an admin API token: Authorization: Bearer ptk_…")
            })?;
        let actor = api_tokens::authenticate(&state.backend.db, presented).await.map_err(|e| {
            ApiError::from(e)
                .with_message("The API token is not valid, was revoked, or its admin can no longer act.")
        })?;
        actor.require_portal_admin()?;
        Ok(Self(actor))
    }
}

impl ApiError {
    fn with_message(mut self, message: &str) -> Self {
        if self.status == StatusCode::UNAUTHORIZED {
            message.clone_into(&mut self.body.message);
        }
        self
    }
}

/// A UUID from the path, or 400.
pub fn path_id(path: Result<Path<Uuid>, PathRejection>) -> ApiResult<Uuid> {
    Ok(path?.0)
}

/// The query string, or 400.
pub fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    Ok(q?.0)
}

/// The JSON body, or 400/415.
pub fn body<T>(b: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    Ok(b?.0)
}

/// `offset` and `limit` of a list (limit 1 to 500, default 100).
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct PageParams {
    /// Items to skip.
    #[serde(default)]
    pub offset: u64,
    /// Items per page.
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 500))]
    pub limit: u32,
}

pub fn default_limit() -> u32 {
    100
}

/// One page of a list.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Page_of_{T}")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Every item of the list.
    pub total: u64,
    /// The `offset` of the next page, if there is one.
    pub next_offset: Option<u64>,
}

impl PageParams {
    /// The page of `all` these parameters ask for.
    pub fn page<T>(&self, all: Vec<T>) -> ApiResult<Page<T>> {
        if !(1..=500).contains(&self.limit) {
            return Err(FieldError::new("limit", "Ask for 1 to 500 items per page.").into());
        }
        let total = all.len() as u64;
        let start = usize::try_from(self.offset).unwrap_or(usize::MAX).min(all.len());
        let items: Vec<T> = all.into_iter().skip(start).take(self.limit as usize).collect();
        let end = start as u64 + items.len() as u64;
        Ok(Page { items, total, next_offset: (end < total).then_some(end) })
    }
}
