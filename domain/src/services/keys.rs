//! API keys. A key opens the products and plan of one approved request of an app. Any
//! member who may use the app can make another key (so nobody passes keys around),
//! rotate one (the old key keeps working for a grace period) or revoke one. The key is
//! returned once, when made; the database keeps its SHA-256 and a visible prefix only.

use crate::entities::access_request::{self, RequestStatus};
use crate::entities::{api_key, plan, user};
use crate::secret::hash_token;
use crate::services::audit::{self, Event};
use crate::services::{apps, search_index};
use crate::{Actor, DomainError, DomainResult, apikey};
use chrono::{DateTime, Duration, Utc};
use portico_model as m;
use portico_model::{FieldError, MAX_GRACE_HOURS};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

/// A key that ends within this long is "expiring soon".
pub const EXPIRING_SOON: Duration = Duration::days(7);

/// A key's state at `now`.
pub fn status(key: &api_key::Model, now: DateTime<Utc>) -> m::KeyStatus {
    if key.revoked_at.is_some_and(|at| at <= now) {
        m::KeyStatus::Revoked
    } else if key.expires_at.is_some_and(|at| at <= now) {
        m::KeyStatus::Expired
    } else if key.expires_at.is_some_and(|at| at - now <= EXPIRING_SOON) {
        m::KeyStatus::ExpiringSoon
    } else {
        m::KeyStatus::Active
    }
}

pub fn view(key: &api_key::Model, created_by: String, now: DateTime<Utc>) -> m::ApiKeyView {
    m::ApiKeyView {
        id: key.id.into(),
        request_id: key.request_id.into(),
        prefix: key.prefix.clone(),
        created_by,
        created_at: key.created_at,
        expires_at: key.expires_at,
        revoked_at: key.revoked_at,
        last_used_at: key.last_used_at,
        status: status(key, now),
    }
}

/// Makes and stores a key for an approved request; returns the row and the one copy of
/// the key. The plan's key lifetime sets its expiry.
pub async fn issue(
    db: &impl ConnectionTrait,
    created_by: Uuid,
    request: &access_request::Model,
    plan: &plan::Model,
) -> DomainResult<(api_key::Model, String)> {
    let secret = apikey::generate();
    let now = Utc::now();
    let row = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        app_id: Set(request.app_id),
        request_id: Set(request.id),
        prefix: Set(apikey::visible_prefix(&secret)),
        key_hash: Set(hash_token(&secret)),
        created_by: Set(created_by),
        created_at: Set(now),
        expires_at: Set(plan.key_lifetime_days.map(|d| now + Duration::days(i64::from(d)))),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(db)
    .await?;
    // Admins find developers by key prefix too.
    search_index::refresh(db, &[created_by]).await?;
    tracing::info!(key.id = %row.id, app.id = %row.app_id, "API key issued");
    Ok((row, secret))
}

async fn new_key_view(
    db: &impl ConnectionTrait,
    row: api_key::Model,
    secret: String,
) -> DomainResult<m::NewApiKey> {
    let by = user::Entity::find_by_id(row.created_by).one(db).await?;
    let by = apps::full_name(by.as_ref());
    Ok(m::NewApiKey { key: view(&row, by, Utc::now()), secret })
}

async fn approved_request(
    db: &impl ConnectionTrait,
    actor: &Actor,
    request_id: Uuid,
) -> DomainResult<(access_request::Model, plan::Model)> {
    let request =
        access_request::Entity::find_by_id(request_id).one(db).await?.ok_or(DomainError::NotFound)?;
    apps::get_for(db, actor, request.app_id).await?;
    if request.status != RequestStatus::Approved {
        return Err(DomainError::Conflict("Keys are made for approved access only.".into()));
    }
    let plan = plan::Entity::find_by_id(request.plan_id).one(db).await?.ok_or(DomainError::NotFound)?;
    Ok((request, plan))
}

/// Another key for an approved request of an app the caller may use.
pub async fn create(
    db: &impl ConnectionTrait,
    actor: &Actor,
    request_id: Uuid,
) -> DomainResult<m::NewApiKey> {
    let (request, plan) = approved_request(db, actor, request_id).await?;
    let (row, secret) = issue(db, actor.user_id, &request, &plan).await?;
    new_key_view(db, row, secret).await
}

async fn key_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<api_key::Model> {
    let key = api_key::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)?;
    apps::get_for(db, actor, key.app_id).await?;
    Ok(key)
}

/// Replaces a working key: a new key for the same request, and the old one ends after
/// `grace_hours` (at once for 0; never later than it would have anyway).
#[tracing::instrument(skip_all, fields(by = %actor.user_id, key.id = %id))]
pub async fn rotate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    grace_hours: u32,
) -> DomainResult<m::NewApiKey> {
    if grace_hours > MAX_GRACE_HOURS {
        return Err(
            FieldError::new("grace_hours", "Choose a grace period of at most 30 days (720 hours).").into()
        );
    }
    let txn = db.begin().await?;
    let old = key_for(&txn, actor, id).await?;
    let now = Utc::now();
    if !status(&old, now).works() {
        return Err(DomainError::Conflict(
            "Only a working key can be rotated; create a new key instead.".into(),
        ));
    }
    let (request, plan) = approved_request(&txn, actor, old.request_id).await?;
    let (row, secret) = issue(&txn, actor.user_id, &request, &plan).await?;
    let grace_end = now + Duration::hours(i64::from(grace_hours));
    let ends = old.expires_at.map_or(grace_end, |at| at.min(grace_end));
    let app = apps::get_for(&txn, actor, old.app_id).await?;
    let event = Event::new(
        "key.rotate",
        "key",
        old.id,
        &old.prefix,
        Some(app.org_id),
        format!(
            "Rotated key {}… of app {} (the old one ends {})",
            old.prefix,
            app.name,
            ends.format("%Y-%m-%d %H:%M UTC")
        ),
    );
    audit::record(&txn, Some(actor), event).await?;
    let mut old: api_key::ActiveModel = old.into();
    old.expires_at = Set(Some(ends));
    old.update(&txn).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!(grace_hours, "API key rotated");
    new_key_view(db, row, secret).await
}

/// Ends a key at once. Revoking a revoked key changes nothing.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
) -> DomainResult<()> {
    let txn = db.begin().await?;
    let key = key_for(&txn, actor, id).await?;
    let revoked = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_key::Column::Id.eq(key.id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if revoked.rows_affected == 1 {
        let app = apps::get_for(&txn, actor, key.app_id).await?;
        let event = Event::new(
            "key.revoke",
            "key",
            key.id,
            &key.prefix,
            Some(app.org_id),
            format!("Revoked key {}… of app {}", key.prefix, app.name),
        );
        audit::record(&txn, Some(actor), event).await?;
    }
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!(by = %actor.user_id, key.id = %id, "API key revoked");
    Ok(())
}

/// The stored key a presented key stands for, if any. The format and checksum are
/// checked first, so a typo or a stranger's string costs no database lookup.
pub async fn find_by_secret(
    db: &impl ConnectionTrait,
    presented: &str,
) -> DomainResult<Option<api_key::Model>> {
    if apikey::check(presented).is_err() {
        return Ok(None);
    }
    Ok(api_key::Entity::find().filter(api_key::Column::KeyHash.eq(hash_token(presented))).one(db).await?)
}
