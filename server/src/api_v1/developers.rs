//! `/api/v1/developers`: search, one developer's profile, create, edit, status, custom
//! attributes, and delete (with the preview of what goes).

use super::{Admin, ApiResult, body, path_id, query};
use crate::routes::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portico_app::backend::convert;
use portico_domain::services::lifecycle::{self, Transition};
use portico_domain::services::{developer_delete, developers, search_index};
use portico_model::{
    AccountStatus, AddUserOutcome, Attribute, AttributeInput, DeletePreview, DeveloperEdit, DeveloperPage,
    DeveloperProfile, DeveloperQuery, DeveloperSort, NewDeveloper, OrgId,
};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

/// The search's query string.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListParams {
    /// Text typed so far: names, email, username, organisation, team, attribute values,
    /// key prefix.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: Option<AccountStatus>,
    #[serde(default)]
    pub org_id: Option<OrgId>,
    #[serde(default)]
    pub sort: DeveloperSort,
    /// The `next` cursor of the previous page.
    #[serde(default)]
    pub after: Option<String>,
    /// Rows per page: 1 to 100 (0 or absent: 25; more than 100: 100).
    #[serde(default)]
    pub limit: u32,
}

pub async fn list(
    State(s): State<AppState>,
    Admin(actor): Admin,
    q: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Json<DeveloperPage>> {
    let p = query(q)?;
    let q = DeveloperQuery {
        text: p.q,
        status: p.status,
        org_id: p.org_id,
        sort: p.sort,
        after: p.after,
        limit: p.limit,
    };
    let (rows, mut page) = search_index::search_users(&s.backend.db, &actor, &q).await?;
    page.rows = rows.into_iter().map(convert::user_summary).collect();
    Ok(Json(page))
}

pub async fn create(
    State(s): State<AppState>,
    Admin(actor): Admin,
    b: Result<Json<NewDeveloper>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<AddUserOutcome>)> {
    let outcome = portico_app::api::users::add(&s.backend, &actor, body(b)?).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

async fn profile(s: &AppState, actor: &portico_domain::Actor, id: Uuid) -> ApiResult<DeveloperProfile> {
    let mut profile = developers::profile(&s.backend.db, actor, id).await?;
    profile.gravatar_hash = convert::gravatar_hash(&profile.email);
    Ok(profile)
}

pub async fn get_one(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<DeveloperProfile>> {
    Ok(Json(profile(&s, &actor, path_id(id)?).await?))
}

pub async fn update(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
    b: Result<Json<DeveloperEdit>, JsonRejection>,
) -> ApiResult<Json<DeveloperProfile>> {
    let id = path_id(id)?;
    let input = body(b)?.parse()?;
    developers::update(&s.backend.db, &actor, id, input).await?;
    Ok(Json(profile(&s, &actor, id).await?))
}

/// A change of account status.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct StatusChange {
    pub action: StatusAction,
    /// For `reject`: the reason the developer is told.
    #[serde(default)]
    pub reason: Option<String>,
}

/// pending → active (`approve`) or rejected (`reject`); active → inactive
/// (`deactivate`: their keys stop at once); inactive → active (`activate`).
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusAction {
    Approve,
    Reject,
    Deactivate,
    Activate,
}

pub async fn set_status(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
    b: Result<Json<StatusChange>, JsonRejection>,
) -> ApiResult<Json<DeveloperProfile>> {
    let id = path_id(id)?;
    let change = body(b)?;
    let t = match change.action {
        StatusAction::Approve => Transition::Approve,
        StatusAction::Reject => Transition::Reject { reason: change.reason },
        StatusAction::Deactivate => Transition::Deactivate,
        StatusAction::Activate => Transition::Activate,
    };
    lifecycle::apply(&s.backend.db, &s.backend.mailer, &actor, id, t).await?;
    Ok(Json(profile(&s, &actor, id).await?))
}

pub async fn attributes(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<Vec<Attribute>>> {
    actor.require_portal_admin()?;
    let id = path_id(id)?;
    developers::get(&s.backend.db, id).await?;
    Ok(Json(developers::attributes(&s.backend.db, id).await?))
}

/// An attribute's new value.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AttributeValue {
    pub value: String,
}

pub async fn set_attribute(
    State(s): State<AppState>,
    Admin(actor): Admin,
    path: Result<Path<(Uuid, String)>, PathRejection>,
    b: Result<Json<AttributeValue>, JsonRejection>,
) -> ApiResult<Json<Vec<Attribute>>> {
    let Path((id, name)) = path?;
    let input = AttributeInput::parse(&name, &body(b)?.value)?;
    Ok(Json(developers::set_attribute(&s.backend.db, &actor, id, input).await?))
}

pub async fn delete_attribute(
    State(s): State<AppState>,
    Admin(actor): Admin,
    path: Result<Path<(Uuid, String)>, PathRejection>,
) -> ApiResult<Json<Vec<Attribute>>> {
    let Path((id, name)) = path?;
    Ok(Json(developers::delete_attribute(&s.backend.db, &actor, id, &name).await?))
}

pub async fn delete_preview(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Json<DeletePreview>> {
    Ok(Json(developer_delete::preview(&s.backend.db, &actor, path_id(id)?).await?))
}

/// Deleting a developer must name their email address, as the dialog asks.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteParams {
    /// The developer's email address.
    pub confirm: String,
}

pub async fn delete_one(
    State(s): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<Uuid>, PathRejection>,
    q: Result<Query<DeleteParams>, QueryRejection>,
) -> ApiResult<Json<DeletePreview>> {
    let id = path_id(id)?;
    let confirm = query(q)?.confirm;
    Ok(Json(developer_delete::delete(&s.backend.db, &actor, id, &confirm).await?))
}
