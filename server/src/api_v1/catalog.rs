//! `/api/v1/…` for the catalog side: apps and their keys (metadata only; revoking a
//! key), products, catalogs and their plans, access requests and decisions, exports.

use super::{Admin, ApiError, ApiResult, Page, PageParams, body, path_id, query};
use crate::routes::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use portico_domain::services::{access, apps, catalogs, exports, keys, products};
use portico_model::{
    AccessRequestView, ApiKeyView, AppView, CatalogDetail, CatalogSummary, ExportJob, ExportRequest, Plan,
    ProductDetail, ProductSummary, RequestStatus,
};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

pub async fn apps(
    State(s): State<AppState>,
    Admin(actor): Admin,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<Json<Page<AppView>>> {
    let p = query(q)?;
    Ok(Json(p.page(apps::list_all(&s.backend.db, &actor).await?)?))
}

pub async fn app(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<AppView>> {
    Ok(Json(apps::view(&s.backend.db, &actor, path_id(id)?).await?))
}

pub async fn app_keys(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<Vec<ApiKeyView>>> {
    Ok(Json(apps::view(&s.backend.db, &actor, path_id(id)?).await?.keys))
}

/// Revokes a key: the gateway refuses it from the next call.
pub async fn revoke_key(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<StatusCode> {
    keys::revoke(&s.backend.db, &actor, path_id(id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn products(
    State(s): State<AppState>,
    Admin(actor): Admin,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<Json<Page<ProductSummary>>> {
    let p = query(q)?;
    Ok(Json(p.page(products::list(&s.backend.db, &actor).await?)?))
}

pub async fn product(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<ProductDetail>> {
    Ok(Json(products::detail_for_admin(&s.backend.db, &actor, path_id(id)?).await?))
}

pub async fn catalogs(
    State(s): State<AppState>,
    Admin(actor): Admin,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<Json<Page<CatalogSummary>>> {
    let p = query(q)?;
    Ok(Json(p.page(catalogs::list(&s.backend.db, &actor).await?)?))
}

pub async fn catalog(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<CatalogDetail>> {
    Ok(Json(catalogs::detail(&s.backend.db, &actor, path_id(id)?).await?))
}

pub async fn plans(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<Vec<Plan>>> {
    Ok(Json(catalogs::detail(&s.backend.db, &actor, path_id(id)?).await?.plans))
}

/// The queue's filter and page.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RequestParams {
    #[serde(default)]
    pub status: Option<RequestStatus>,
    /// Items to skip.
    #[serde(default)]
    pub offset: u64,
    /// Items per page.
    #[serde(default = "super::default_limit")]
    #[schemars(range(min = 1, max = 500))]
    pub limit: u32,
}

pub async fn access_requests(
    State(s): State<AppState>,
    Admin(actor): Admin,
    q: Result<Query<RequestParams>, QueryRejection>,
) -> ApiResult<Json<Page<AccessRequestView>>> {
    let p = query(q)?;
    let rows = access::list_for_admin(&s.backend.db, &actor, p.status).await?;
    Ok(Json(PageParams { offset: p.offset, limit: p.limit }.page(rows)?))
}

/// An admin's decision on a pending request; the requester is emailed.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DecisionInput {
    pub approve: bool,
    /// Told to the requester.
    #[serde(default)]
    pub reason: Option<String>,
}

pub async fn decide(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
    b: Result<Json<DecisionInput>, JsonRejection>,
) -> ApiResult<Json<AccessRequestView>> {
    let id = path_id(id)?;
    let d = body(b)?;
    let be = &s.backend;
    Ok(Json(access::decide(&be.db, &be.mailer, &actor, id, d.approve, d.reason.as_deref()).await?))
}

pub async fn exports(State(s): State<AppState>, Admin(actor): Admin) -> ApiResult<Json<Vec<ExportJob>>> {
    Ok(Json(exports::list(&s.backend.db, &actor).await?))
}

pub async fn start_export(
    State(s): State<AppState>,
    Admin(actor): Admin,
    b: Result<Json<ExportRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ExportJob>)> {
    let job = exports::start(&s.backend.db, &actor, body(b)?, &s.backend.export_dir).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

pub async fn export(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<ExportJob>> {
    Ok(Json(exports::get(&s.backend.db, &actor, path_id(id)?).await?))
}

pub async fn download_export(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
    req: Request,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    crate::exports::serve(&s.backend, &actor, id, req).await.map_err(ApiError::from)
}
