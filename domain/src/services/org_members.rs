//! An organisation run by its own people: super admins edit members' names and roles
//! and remove members; everyone in it sees who is in it.
//!
//! Rules kept here: only super admins of an active, real (not default) organisation
//! manage it, and only their own; an organisation never loses its last super admin.
//! A removed member becomes an individual developer again; the apps they made stay with
//! the organisation.

use crate::entities::organisation::{self, OrgStatus};
use crate::entities::user::{self, OrgRole};
use crate::services::audit::{self, Event};
use crate::services::organisations::{self, OrgDetail};
use crate::services::search_index;
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model::PersonName;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

/// The caller's organisation if they are one of its super admins and it can be managed
/// (active, not the default organisation); `Forbidden` otherwise.
pub async fn require_super_admin(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> DomainResult<organisation::Model> {
    if actor.org_role != OrgRole::SuperAdmin {
        return Err(DomainError::Forbidden);
    }
    let org = organisations::get_org(db, actor.org_id).await?;
    if org.is_default {
        return Err(DomainError::Forbidden);
    }
    if org.status != OrgStatus::Active {
        return Err(DomainError::Conflict(format!("{} is not active.", org.name)));
    }
    Ok(org)
}

/// The caller's own organisation with its teams and members (any member may look;
/// individuals in the default organisation have none to show).
pub async fn my_organisation(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<OrgDetail> {
    organisations::detail(db, actor, actor.org_id).await
}

/// A super admin's edit of a member.
pub struct MemberChange {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub role: OrgRole,
}

/// Changes a member's names and role. The organisation's last super admin cannot be
/// demoted.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, user.id = %user_id))]
pub async fn update_member(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: Uuid,
    change: MemberChange,
) -> DomainResult<user::Model> {
    let txn = db.begin().await?;
    let org = lock_own_org(&txn, actor).await?;
    let member = member_of(&txn, org.id, user_id).await?;
    if member.org_role == OrgRole::SuperAdmin && change.role == OrgRole::Member {
        keep_a_super_admin(&txn, &org, &member).await?;
    }
    user::Entity::update_many()
        .col_expr(user::Column::FirstName, Expr::value(change.first_name.as_str()))
        .col_expr(user::Column::LastName, Expr::value(change.last_name.as_str()))
        .col_expr(user::Column::OrgRole, Expr::value(change.role))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(member.id))
        .exec(&txn)
        .await?;
    let role = |r: OrgRole| if r == OrgRole::SuperAdmin { "super admin" } else { "team member" };
    let event = Event::developer(
        "member.update",
        member.id,
        &member.email,
        org.id,
        format!("Edited {} in {}", member.email, org.name),
    )
    .change("first_name", &member.first_name, change.first_name.as_str())
    .change("last_name", &member.last_name, change.last_name.as_str())
    .change("role", role(member.org_role), role(change.role));
    audit::record(&txn, Some(actor), event).await?;
    search_index::refresh(&txn, &[member.id]).await?;
    txn.commit().await?;
    tracing::info!(role = ?change.role, "member updated");
    user::Entity::find_by_id(user_id).one(db).await?.ok_or(DomainError::NotFound)
}

/// Removes a member from the organisation: they become an individual developer in the
/// default organisation; the apps they made stay. The last super admin cannot go.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, user.id = %user_id))]
pub async fn remove_member(db: &DatabaseConnection, actor: &Actor, user_id: Uuid) -> DomainResult<()> {
    let txn = db.begin().await?;
    let org = lock_own_org(&txn, actor).await?;
    let member = member_of(&txn, org.id, user_id).await?;
    if member.org_role == OrgRole::SuperAdmin {
        keep_a_super_admin(&txn, &org, &member).await?;
    }
    let home = organisations::default_org(&txn).await?;
    organisations::move_user(&txn, member.id, home.id, &[], OrgRole::Member).await?;
    let event = Event::developer(
        "member.remove",
        member.id,
        &member.email,
        org.id,
        format!("Removed {} from {}", member.email, org.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(org.id = %org.id, "member removed");
    Ok(())
}

/// [`require_super_admin`], then locks the organisation's row for the rest of the
/// transaction (PostgreSQL), so two super admins demoting each other at the same moment
/// are decided one after the other. SQLite serialises writers by itself.
async fn lock_own_org(txn: &impl ConnectionTrait, actor: &Actor) -> DomainResult<organisation::Model> {
    let org = require_super_admin(txn, actor).await?;
    organisation::Entity::find_by_id(org.id).lock_exclusive().one(txn).await?;
    Ok(org)
}

/// A user of the organisation; users of other organisations do not exist here.
async fn member_of(db: &impl ConnectionTrait, org_id: Uuid, user_id: Uuid) -> DomainResult<user::Model> {
    user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.org_id == org_id)
        .ok_or(DomainError::NotFound)
}

/// Refuses to take away the organisation's last super admin.
pub(crate) async fn keep_a_super_admin(
    db: &impl ConnectionTrait,
    org: &organisation::Model,
    member: &user::Model,
) -> DomainResult<()> {
    let super_admins = user::Entity::find()
        .filter(user::Column::OrgId.eq(org.id))
        .filter(user::Column::OrgRole.eq(OrgRole::SuperAdmin))
        .count(db)
        .await?;
    if super_admins <= 1 {
        return Err(DomainError::Conflict(format!(
            "{} {} is the last super admin of {}. Make someone else a super admin first.",
            member.first_name, member.last_name, org.name
        )));
    }
    Ok(())
}
