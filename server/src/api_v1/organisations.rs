//! `/api/v1/organisations`: list (search, status), create (with its default team), one
//! organisation with its teams and members, and its teams.

use super::{Admin, ApiResult, Page, PageParams, body, path_id, query};
use crate::routes::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portico_app::backend::convert;
use portico_domain::services::organisations;
use portico_model::{OrgDetail, OrgStatus, OrgSummary, TeamSummary};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

/// The list's filters and page.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListParams {
    /// Part of the name.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub status: Option<OrgStatus>,
    /// Items to skip.
    #[serde(default)]
    pub offset: u64,
    /// Items per page.
    #[serde(default = "super::default_limit")]
    #[schemars(range(min = 1, max = 500))]
    pub limit: u32,
}

pub async fn list(
    State(s): State<AppState>,
    Admin(actor): Admin,
    q: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Json<Page<OrgSummary>>> {
    let p = query(q)?;
    let rows = organisations::list(
        &s.backend.db,
        &actor,
        p.q.as_deref().filter(|q| !q.trim().is_empty()),
        p.status.map(convert::domain_org_status),
    )
    .await?;
    Ok(Json(
        PageParams { offset: p.offset, limit: p.limit }
            .page(rows.into_iter().map(convert::org_summary).collect())?,
    ))
}

/// A name for a new organisation or team.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NameInput {
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
}

async fn detail(s: &AppState, actor: &portico_domain::Actor, id: Uuid) -> ApiResult<OrgDetail> {
    Ok(convert::org_detail(organisations::detail(&s.backend.db, actor, id).await?))
}

pub async fn create(
    State(s): State<AppState>,
    Admin(actor): Admin,
    b: Result<Json<NameInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<OrgDetail>)> {
    let org = organisations::create(&s.backend.db, &actor, &body(b)?.name).await?;
    Ok((StatusCode::CREATED, Json(detail(&s, &actor, org.id).await?)))
}

pub async fn get_one(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<OrgDetail>> {
    Ok(Json(detail(&s, &actor, path_id(id)?).await?))
}

pub async fn teams(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<Vec<TeamSummary>>> {
    Ok(Json(detail(&s, &actor, path_id(id)?).await?.teams))
}

pub async fn create_team(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
    b: Result<Json<NameInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<TeamSummary>)> {
    let org_id = path_id(id)?;
    let team = organisations::create_team(&s.backend.db, &actor, org_id, &body(b)?.name).await?;
    let teams = detail(&s, &actor, org_id).await?.teams;
    let created = teams.into_iter().find(|t| t.id.0 == team.id).ok_or(portico_model::AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(created)))
}
