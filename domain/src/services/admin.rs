//! The admin home page: portal-wide counts and the newest users.

use crate::entities::organisation;
use crate::entities::user::{self, UserStatus};
use crate::{Actor, DomainResult};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// One user row with their organisation's name.
pub struct UserWithOrg {
    pub user: user::Model,
    pub org_name: String,
}

/// Counts and the newest users, for the admin home.
pub struct Overview {
    pub users: u64,
    pub pending_users: u64,
    pub organisations: u64,
    /// Organisation registrations waiting for a decision.
    pub pending_organisations: u64,
    pub recent_users: Vec<UserWithOrg>,
}

/// Portal admins only.
pub async fn overview(db: &impl ConnectionTrait, actor: &Actor, recent: u64) -> DomainResult<Overview> {
    actor.require_portal_admin()?;
    let users = user::Entity::find().count(db).await?;
    let pending_users =
        user::Entity::find().filter(user::Column::Status.eq(UserStatus::Pending)).count(db).await?;
    let organisations = organisation::Entity::find().count(db).await?;
    let pending_organisations = organisation::Entity::find()
        .filter(organisation::Column::Status.eq(organisation::OrgStatus::Pending))
        .count(db)
        .await?;
    let newest = user::Entity::find()
        .order_by_desc(user::Column::CreatedAt)
        .order_by_desc(user::Column::Id)
        .limit(recent)
        .all(db)
        .await?;
    let recent_users = with_org_names(db, newest).await?;
    Ok(Overview { users, pending_users, organisations, pending_organisations, recent_users })
}

/// Users with their organisations' names, in the given order.
pub async fn with_org_names(
    db: &impl ConnectionTrait,
    users: Vec<user::Model>,
) -> DomainResult<Vec<UserWithOrg>> {
    let org_names: HashMap<_, _> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(users.iter().map(|u| u.org_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(users
        .into_iter()
        .map(|user| UserWithOrg { org_name: org_names.get(&user.org_id).cloned().unwrap_or_default(), user })
        .collect())
}
