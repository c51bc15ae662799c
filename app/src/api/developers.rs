//! Admin → Developers: the live search, a developer's profile, edits, custom attributes,
//! subscriptions (change plan, revoke), delete with its preview, and the audit log.
//! Portal admins only; each service checks it again.

use leptos::prelude::*;
use portico_model::{
    AccessRequestId, AppError, Attribute, AuditEntry, AuditQuery, DeletePreview, DeveloperEdit,
    DeveloperPage, DeveloperProfile, DeveloperQuery, PlanId, UserId,
};

/// One page of developers matching what was typed, filtered and sorted.
#[server(endpoint = "search_developers")]
pub async fn search_developers(query: DeveloperQuery) -> Result<DeveloperPage, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::search_index;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let (rows, mut page) = search_index::search_users(&be.db, &actor, &query).await?;
    page.rows = rows.into_iter().map(convert::user_summary).collect();
    Ok(page)
}

/// A developer's profile.
#[server(endpoint = "get_developer")]
pub async fn get_developer(id: UserId) -> Result<DeveloperProfile, AppError> {
    use crate::backend::{self, auth};

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    profile(&be, &actor, id).await
}

#[cfg(feature = "ssr")]
async fn profile(
    be: &crate::backend::Backend,
    actor: &portico_domain::Actor,
    id: UserId,
) -> Result<DeveloperProfile, AppError> {
    use crate::backend::convert;
    use portico_domain::services::developers;

    let mut profile = developers::profile(&be.db, actor, id.0).await?;
    profile.gravatar_hash = convert::gravatar_hash(&profile.email);
    Ok(profile)
}

/// Changes a developer's names, email and username (never their keys).
#[server(endpoint = "update_developer")]
pub async fn update_developer(id: UserId, edit: DeveloperEdit) -> Result<DeveloperProfile, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::developers;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    actor.require_portal_admin()?;
    let input = edit.parse()?;
    developers::update(&be.db, &actor, id.0, input).await?;
    profile(&be, &actor, id).await
}

/// Adds or changes a custom attribute (at most 18 per developer).
#[server(endpoint = "set_developer_attribute")]
pub async fn set_developer_attribute(
    id: UserId,
    name: String,
    value: String,
) -> Result<Vec<Attribute>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::developers;
    use portico_model::AttributeInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    actor.require_portal_admin()?;
    let input = AttributeInput::parse(&name, &value)?;
    Ok(developers::set_attribute(&be.db, &actor, id.0, input).await?)
}

/// Deletes a custom attribute.
#[server(endpoint = "delete_developer_attribute")]
pub async fn delete_developer_attribute(id: UserId, name: String) -> Result<Vec<Attribute>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::developers;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(developers::delete_attribute(&be.db, &actor, id.0, &name).await?)
}

/// Moves a subscription to another plan of its catalog; the keys stay.
#[server(endpoint = "change_subscription_plan")]
pub async fn change_subscription_plan(request_id: AccessRequestId, plan_id: PlanId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::developers;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(developers::change_plan(&be.db, &actor, request_id.0, plan_id.0).await?)
}

/// Ends a subscription; its keys stop at once.
#[server(endpoint = "revoke_subscription")]
pub async fn revoke_subscription(request_id: AccessRequestId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::developers;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(developers::revoke_subscription(&be.db, &actor, request_id.0).await?)
}

/// What deleting a developer would remove.
#[server(endpoint = "get_delete_preview")]
pub async fn get_delete_preview(id: UserId) -> Result<DeletePreview, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::developer_delete;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(developer_delete::preview(&be.db, &actor, id.0).await?)
}

/// Deletes a developer once `confirm` is their email address; returns what went.
#[server(endpoint = "delete_developer")]
pub async fn delete_developer(id: UserId, confirm: String) -> Result<DeletePreview, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::developer_delete;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(developer_delete::delete(&be.db, &actor, id.0, &confirm).await?)
}

/// Admin → Audit log: the newest 100 entries matching the filters.
#[server(endpoint = "list_audit")]
pub async fn list_audit(query: AuditQuery) -> Result<Vec<AuditEntry>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::audit;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(audit::list(&be.db, &actor, &query).await?)
}
