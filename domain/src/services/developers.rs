//! Admin developer management: a developer's profile (fields, organisation and teams,
//! status and how long, custom attributes, apps, subscriptions, audit entries), edits of
//! every field (never the keys), and custom attributes. Portal admins only; every change
//! is audited and re-indexed for the search in the transaction that makes it.

use crate::entities::access_request::{self, RequestStatus};
use crate::entities::user::{self, PortalRole};
use crate::entities::{app, developer_attribute, organisation, team, team_membership};
use crate::services::audit::{self, Event};
use crate::services::{apps, catalogs, search_index};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model as m;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

/// A developer (any user) by id; `NotFound` otherwise.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<user::Model> {
    user::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)
}

/// The developer's profile. Portal admins only.
pub async fn profile(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<m::DeveloperProfile> {
    actor.require_portal_admin()?;
    let u = get(db, id).await?;
    let org = organisation::Entity::find_by_id(u.org_id).one(db).await?.ok_or(DomainError::NotFound)?;
    let team_ids: Vec<Uuid> = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|mb| mb.team_id)
        .collect();
    let teams = team::Entity::find()
        .filter(team::Column::Id.is_in(team_ids))
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|t| m::TeamRef { id: t.id.into(), name: t.name })
        .collect();
    let app_rows = app::Entity::find()
        .filter(app::Column::DeletedAt.is_null())
        .filter(Condition::any().add(app::Column::CreatedBy.eq(id)).add(app::Column::OwnerId.eq(id)))
        .order_by_desc(app::Column::CreatedAt)
        .all(db)
        .await?;
    let app_views = apps::views(db, app_rows).await?;
    Ok(m::DeveloperProfile {
        id: u.id.into(),
        gravatar_hash: String::new(),
        role: u.portal_role.into(),
        status: u.status.into(),
        status_since: u.status_changed_at,
        created_at: u.created_at,
        updated_at: u.updated_at,
        org_id: org.id.into(),
        org_name: org.name,
        org_is_default: org.is_default,
        org_role: u.org_role.into(),
        teams,
        attributes: attributes(db, id).await?,
        subscriptions: subscriptions(db, &app_views).await?,
        apps: app_views,
        audit: audit::for_target(db, id, 50).await?,
        as_of: Utc::now(),
        email: u.email,
        first_name: u.first_name,
        last_name: u.last_name,
        username: u.username,
    })
}

/// The live (pending or approved) requests of these apps, each with the other plans of
/// its catalog.
async fn subscriptions(db: &impl ConnectionTrait, apps: &[m::AppView]) -> DomainResult<Vec<m::Subscription>> {
    let live: Vec<&m::AccessRequestView> = apps
        .iter()
        .flat_map(|a| a.requests.iter())
        .filter(|r| matches!(r.status, m::RequestStatus::Approved | m::RequestStatus::Pending))
        .collect();
    let plans = catalogs::plans_of(db, live.iter().map(|r| r.catalog.id.0)).await?;
    Ok(live
        .into_iter()
        .map(|request| m::Subscription {
            other_plans: plans
                .get(&request.catalog.id.0)
                .map(|ps| ps.iter().filter(|p| p.id != request.plan.id).cloned().collect())
                .unwrap_or_default(),
            request: request.clone(),
        })
        .collect())
}

/// A developer's attributes, by name.
pub async fn attributes(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Vec<m::Attribute>> {
    Ok(developer_attribute::Entity::find()
        .filter(developer_attribute::Column::UserId.eq(id))
        .order_by_asc(developer_attribute::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|a| m::Attribute { name: a.name, value: a.value, updated_at: a.updated_at })
        .collect())
}

/// Changes a developer's names, email and username (never their keys). A taken email
/// or username is a field error. Portal admins only.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, user.id = %id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: m::DeveloperEditInput,
) -> DomainResult<user::Model> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let before = get(&txn, id).await?;
    for (column, value, field, message) in [
        (
            user::Column::Email,
            Some(input.email.as_str().to_owned()),
            "email",
            "Another account has this email address.",
        ),
        (user::Column::Username, input.username.clone(), "username", "Another account has this username."),
    ] {
        if let Some(value) = value {
            let taken = user::Entity::find()
                .filter(column.eq(value))
                .filter(user::Column::Id.ne(id))
                .count(&txn)
                .await?;
            if taken > 0 {
                return Err(m::FieldError::new(field, message).into());
            }
        }
    }
    let mut row: user::ActiveModel = before.clone().into();
    row.first_name = Set(input.first_name.clone());
    row.last_name = Set(input.last_name.clone());
    row.email = Set(input.email.as_str().to_owned());
    row.username = Set(input.username.clone());
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await.map_err(|e| {
        if DomainError::is_unique_violation(&e) {
            DomainError::Conflict("Another account took that email address or username meanwhile.".into())
        } else {
            e.into()
        }
    })?;
    let none = String::new();
    let event = Event::developer(
        "developer.update",
        id,
        &after.email,
        after.org_id,
        format!("Edited {}", after.email),
    )
    .change("first_name", &before.first_name, &after.first_name)
    .change("last_name", &before.last_name, &after.last_name)
    .change("email", &before.email, &after.email)
    .change(
        "username",
        before.username.as_ref().unwrap_or(&none),
        after.username.as_ref().unwrap_or(&none),
    );
    if !event.changes.is_empty() {
        audit::record(&txn, Some(actor), event).await?;
    }
    search_index::refresh(&txn, &[id]).await?;
    txn.commit().await?;
    tracing::info!("developer edited");
    Ok(after)
}

/// Adds or changes a custom attribute. A developer has at most [`m::MAX_ATTRIBUTES`];
/// adding one more is refused with a clear message. Portal admins only.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, user.id = %id))]
pub async fn set_attribute(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: m::AttributeInput,
) -> DomainResult<Vec<m::Attribute>> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    // Locks the developer's row (PostgreSQL; SQLite serialises writers), so two admins
    // adding the 18th attribute at once cannot make 19.
    let dev = user::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(DomainError::NotFound)?;
    let existing = developer_attribute::Entity::find_by_id((id, input.name.clone())).one(&txn).await?;
    let now = Utc::now();
    let before = match existing {
        Some(a) => {
            let old = a.value.clone();
            let mut row: developer_attribute::ActiveModel = a.into();
            row.value = Set(input.value.clone());
            row.updated_at = Set(now);
            row.update(&txn).await?;
            old
        }
        None => {
            let count = developer_attribute::Entity::find()
                .filter(developer_attribute::Column::UserId.eq(id))
                .count(&txn)
                .await?;
            if count >= m::MAX_ATTRIBUTES as u64 {
                return Err(m::FieldError::new(
                    "name",
                    format!(
                        "A developer can have at most {} custom attributes. Delete one before adding another.",
                        m::MAX_ATTRIBUTES
                    ),
                )
                .into());
            }
            developer_attribute::ActiveModel {
                user_id: Set(id),
                name: Set(input.name.clone()),
                value: Set(input.value.clone()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            String::new()
        }
    };
    let event = Event::developer(
        "attribute.set",
        id,
        &dev.email,
        dev.org_id,
        format!("Set attribute {} of {}", input.name, dev.email),
    )
    .change(&input.name, before, &input.value);
    audit::record(&txn, Some(actor), event).await?;
    search_index::refresh(&txn, &[id]).await?;
    txn.commit().await?;
    attributes(db, id).await
}

/// Deletes a custom attribute. Portal admins only.
pub async fn delete_attribute(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    name: &str,
) -> DomainResult<Vec<m::Attribute>> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let dev = get(&txn, id).await?;
    let existing = developer_attribute::Entity::find_by_id((id, name.to_owned()))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    developer_attribute::Entity::delete_by_id((id, name.to_owned())).exec(&txn).await?;
    let event = Event::developer(
        "attribute.delete",
        id,
        &dev.email,
        dev.org_id,
        format!("Deleted attribute {name} of {}", dev.email),
    )
    .change(name, existing.value, "");
    audit::record(&txn, Some(actor), event).await?;
    search_index::refresh(&txn, &[id]).await?;
    txn.commit().await?;
    attributes(db, id).await
}

/// Moves a subscription (a pending or approved request) to another plan of the same
/// catalog: upgrade or downgrade. The keys stay the same; the gateway applies the new
/// limits on the next call. Portal admins only.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, request.id = %request_id))]
pub async fn change_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    request_id: Uuid,
    plan_id: Uuid,
) -> DomainResult<()> {
    use crate::entities::access_request_item;
    use sea_orm::sea_query::Expr;
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let request =
        access_request::Entity::find_by_id(request_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if !request.status.is_live() {
        return Err(DomainError::Conflict("Only a pending or approved subscription can change plan.".into()));
    }
    let (old, new) =
        (catalogs::get_plan(&txn, request.plan_id).await?, catalogs::get_plan(&txn, plan_id).await?);
    if new.catalog_id != request.catalog_id {
        return Err(m::FieldError::new("plan_id", "Choose a plan of the same catalog.").into());
    }
    if new.id == old.id {
        return Err(m::FieldError::new("plan_id", "This is the current plan already.").into());
    }
    access_request::Entity::update_many()
        .col_expr(access_request::Column::PlanId, Expr::value(new.id))
        .filter(access_request::Column::Id.eq(request.id))
        .exec(&txn)
        .await?;
    access_request_item::Entity::update_many()
        .col_expr(access_request_item::Column::PlanId, Expr::value(new.id))
        .filter(access_request_item::Column::RequestId.eq(request.id))
        .exec(&txn)
        .await
        .map_err(|e| {
            if DomainError::is_unique_violation(&e) {
                DomainError::Conflict("The app already has these products on that plan.".into())
            } else {
                e.into()
            }
        })?;
    let app = app::Entity::find_by_id(request.app_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let requester = user::Entity::find_by_id(request.requested_by).one(&txn).await?;
    let event = Event {
        action: "subscription.change_plan",
        target_kind: "developer",
        target_id: Some(request.requested_by),
        target_label: requester.as_ref().map_or(app.name.as_str(), |u| u.email.as_str()),
        org_id: Some(app.org_id),
        summary: format!("Moved {} from plan {} to {}", app.name, old.name, new.name),
        changes: Vec::new(),
    }
    .change("plan", &old.name, &new.name);
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!(from = %old.name, to = %new.name, "subscription moved to another plan");
    Ok(())
}

/// Ends an approved or pending subscription: the request is revoked (or cancelled) and
/// its keys stop at once. Portal admins only.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, request.id = %request_id))]
pub async fn revoke_subscription(
    db: &DatabaseConnection,
    actor: &Actor,
    request_id: Uuid,
) -> DomainResult<()> {
    use crate::entities::{access_request_item, api_key};
    use sea_orm::sea_query::Expr;
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let request =
        access_request::Entity::find_by_id(request_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let to = match request.status {
        RequestStatus::Approved => RequestStatus::Revoked,
        RequestStatus::Pending => RequestStatus::Cancelled,
        _ => return Err(DomainError::Conflict("This subscription has ended already.".into())),
    };
    let now = Utc::now();
    let changed = access_request::Entity::update_many()
        .col_expr(access_request::Column::Status, Expr::value(to))
        .col_expr(access_request::Column::DecidedBy, Expr::value(actor.user_id))
        .col_expr(access_request::Column::DecidedAt, Expr::value(now))
        .filter(access_request::Column::Id.eq(request.id))
        .filter(access_request::Column::Status.eq(request.status))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::Conflict(
            "The subscription changed meanwhile; reload and try again.".into(),
        ));
    }
    access_request_item::Entity::update_many()
        .col_expr(access_request_item::Column::Live, Expr::value(Option::<bool>::None))
        .filter(access_request_item::Column::RequestId.eq(request.id))
        .exec(&txn)
        .await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::RequestId.eq(request.id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let app = app::Entity::find_by_id(request.app_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let requester = user::Entity::find_by_id(request.requested_by).one(&txn).await?;
    let event = Event {
        action: "subscription.revoke",
        target_kind: "developer",
        target_id: Some(request.requested_by),
        target_label: requester.as_ref().map_or(app.name.as_str(), |u| u.email.as_str()),
        org_id: Some(app.org_id),
        summary: format!("Revoked the subscription of {} and its keys", app.name),
        changes: Vec::new(),
    };
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!("subscription revoked");
    Ok(())
}

/// Refuses actions on portal admins that are meant for developers.
pub fn require_developer(u: &user::Model) -> DomainResult<()> {
    if u.portal_role == PortalRole::Admin {
        return Err(DomainError::Conflict("This is a portal admin, not a developer.".into()));
    }
    Ok(())
}
