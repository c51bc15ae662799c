//! Reading the outbox (Admin → Outbox). Portal admins only.

use crate::entities::outbox_message;
use crate::{Actor, DomainError, DomainResult};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QuerySelect};
use uuid::Uuid;

/// The newest mails first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    limit: u64,
) -> DomainResult<Vec<outbox_message::Model>> {
    actor.require_portal_admin()?;
    Ok(outbox_message::Entity::find()
        .order_by_desc(outbox_message::Column::CreatedAt)
        .order_by_desc(outbox_message::Column::Id)
        .limit(limit.min(500))
        .all(db)
        .await?)
}

/// One mail with its bodies.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<outbox_message::Model> {
    actor.require_portal_admin()?;
    outbox_message::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)
}
