//! Deleting a developer, and the preview of exactly what goes. The preview and the
//! deletion are computed by the same function ([`doomed`]), the deletion inside its
//! transaction, so what the dialog lists is what is deleted.
//!
//! What goes: the developer's own apps (an individual's; shared apps stay with the
//! organisation) and with them their requests; every key the developer made is revoked;
//! requests they made that wait for a decision are cancelled; their team memberships,
//! open invitations they sent, sessions, attributes and the account. Usage history stays
//! (it names apps and keys, not people), so portal aggregates do not change.

use crate::entities::access_request::{self, RequestStatus};
use crate::entities::user::OrgRole;
use crate::entities::{
    access_request_item, api_key, app, developer_search, invitation, organisation, session, team,
    team_membership, user,
};
use crate::services::audit::{self, Event};
use crate::services::developers::{get, require_developer};
use crate::services::org_members;
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model as m;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// The rows a deletion touches.
struct Doomed {
    preview: m::DeletePreview,
    own_apps: Vec<Uuid>,
}

async fn doomed(db: &impl ConnectionTrait, u: &user::Model) -> DomainResult<Doomed> {
    let apps = app::Entity::find()
        .filter(app::Column::OwnerId.eq(u.id))
        .filter(app::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let own_apps: Vec<Uuid> = apps.iter().map(|a| a.id).collect();
    let keys = api_key::Entity::find()
        .filter(
            Condition::any()
                .add(api_key::Column::CreatedBy.eq(u.id))
                .add(api_key::Column::AppId.is_in(own_apps.clone())),
        )
        .filter(api_key::Column::RevokedAt.is_null())
        .count(db)
        .await?;
    let pending = access_request::Entity::find()
        .filter(access_request::Column::Status.eq(RequestStatus::Pending))
        .filter(
            Condition::any()
                .add(access_request::Column::RequestedBy.eq(u.id))
                .add(access_request::Column::AppId.is_in(own_apps.clone())),
        )
        .count(db)
        .await?;
    let memberships =
        team_membership::Entity::find().filter(team_membership::Column::UserId.eq(u.id)).all(db).await?;
    let teams: HashMap<Uuid, team::Model> = team::Entity::find()
        .filter(team::Column::Id.is_in(memberships.iter().map(|mb| mb.team_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let org = organisation::Entity::find_by_id(u.org_id).one(db).await?;
    let org_name = org.map_or_else(String::new, |o| o.name);
    let mut membership_names: Vec<String> = memberships
        .iter()
        .filter_map(|mb| teams.get(&mb.team_id))
        .map(|t| format!("{org_name} — {}", t.name))
        .collect();
    membership_names.sort();
    let invitations = invitation::Entity::find()
        .filter(invitation::Column::InvitedBy.eq(u.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .count(db)
        .await?;
    let sessions = session::Entity::find().filter(session::Column::UserId.eq(u.id)).count(db).await?;
    let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let mut app_names: Vec<String> = apps.into_iter().map(|a| a.name).collect();
    app_names.sort();
    Ok(Doomed {
        preview: m::DeletePreview {
            email: u.email.clone(),
            apps: app_names,
            keys: small(keys),
            pending_requests: small(pending),
            memberships: membership_names,
            invitations: small(invitations),
            sessions: small(sessions),
        },
        own_apps,
    })
}

/// What deleting this developer would remove. Portal admins only.
pub async fn preview(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<m::DeletePreview> {
    actor.require_portal_admin()?;
    let u = get(db, id).await?;
    require_developer(&u)?;
    Ok(doomed(db, &u).await?.preview)
}

/// Deletes a developer (see the module docs for what goes) once `confirm` is their email
/// address, and returns what was deleted. The last super admin of an organisation must
/// hand over first. Portal admins only.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, user.id = %id))]
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    confirm: &str,
) -> DomainResult<m::DeletePreview> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let u = get(&txn, id).await?;
    require_developer(&u)?;
    if confirm.trim().to_lowercase() != u.email {
        return Err(m::FieldError::new("confirm", "Type the developer's email address to confirm.").into());
    }
    let org = organisation::Entity::find_by_id(u.org_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if u.org_role == OrgRole::SuperAdmin && !org.is_default {
        org_members::keep_a_super_admin(&txn, &org, &u).await?;
    }
    let Doomed { preview, own_apps } = doomed(&txn, &u).await?;
    let now = Utc::now();
    app::Entity::update_many()
        .col_expr(app::Column::DeletedAt, Expr::value(now))
        .filter(app::Column::Id.is_in(own_apps.clone()))
        .exec(&txn)
        .await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(
            Condition::any()
                .add(api_key::Column::CreatedBy.eq(id))
                .add(api_key::Column::AppId.is_in(own_apps.clone())),
        )
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let mine = || {
        Condition::any()
            .add(access_request::Column::RequestedBy.eq(id))
            .add(access_request::Column::AppId.is_in(own_apps.clone()))
    };
    let ended: Vec<Uuid> = access_request::Entity::find()
        .filter(mine())
        .filter(access_request::Column::Status.is_in([RequestStatus::Pending, RequestStatus::Approved]))
        .all(&txn)
        .await?
        .into_iter()
        // Approved requests of shared apps stay: teammates' keys keep working.
        .filter(|r| r.status == RequestStatus::Pending || own_apps.contains(&r.app_id))
        .map(|r| r.id)
        .collect();
    for (from, to) in [
        (RequestStatus::Pending, RequestStatus::Cancelled),
        (RequestStatus::Approved, RequestStatus::Revoked),
    ] {
        access_request::Entity::update_many()
            .col_expr(access_request::Column::Status, Expr::value(to))
            .filter(access_request::Column::Id.is_in(ended.clone()))
            .filter(access_request::Column::Status.eq(from))
            .exec(&txn)
            .await?;
    }
    access_request_item::Entity::update_many()
        .col_expr(access_request_item::Column::Live, Expr::value(Option::<bool>::None))
        .filter(access_request_item::Column::RequestId.is_in(ended))
        .exec(&txn)
        .await?;
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(now))
        .filter(invitation::Column::InvitedBy.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    // The search row first, by statement (its delete trigger keeps SQLite's FTS index in
    // step); memberships, sessions, tokens, attributes and the cart go with the account
    // (ON DELETE CASCADE).
    developer_search::Entity::delete_many()
        .filter(developer_search::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    user::Entity::delete_by_id(id).exec(&txn).await?;
    let event = Event::developer(
        "developer.delete",
        id,
        &u.email,
        u.org_id,
        format!(
            "Deleted {} ({} apps, {} keys revoked, {} pending requests cancelled)",
            u.email,
            preview.apps.len(),
            preview.keys,
            preview.pending_requests
        ),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!("developer deleted");
    Ok(preview)
}
