//! Admin API tokens for `/api/v1`: made and revoked by portal admins in Admin → Settings
//! → API tokens, shown once, stored as SHA-256. A token acts as the admin who made it,
//! and only while that admin is an active portal admin.

use crate::entities::api_token;
use crate::entities::user::{self, UserStatus};
use crate::secret::{hash_token, random_base62};
use crate::services::audit::{self, Event};
use crate::{Actor, DomainError, DomainResult};
use chrono::{DateTime, Duration, Utc};
use portico_model as m;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// What every token starts with (tells it from a gateway key, `ptc_`).
pub const TOKEN_PREFIX: &str = "ptk_";
/// Random base62 characters after the prefix (≈ 238 bits).
const RANDOM_LEN: usize = 40;
/// Characters of the token kept visible.
const VISIBLE_LEN: usize = 12;
/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY: Duration = Duration::seconds(60);

fn view(t: &api_token::Model, created_by: String) -> m::ApiTokenView {
    m::ApiTokenView {
        id: m::ApiTokenId(t.id),
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_by,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
    }
}

/// Makes a token acting as `actor` (a portal admin). The returned secret is the only copy.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    name: &str,
) -> DomainResult<m::NewApiToken> {
    actor.require_portal_admin()?;
    let name = m::parse_token_name(name)?;
    let secret = format!("{TOKEN_PREFIX}{}", random_base62(RANDOM_LEN));
    let token = api_token::Model {
        id: Uuid::now_v7(),
        name,
        prefix: secret.chars().take(VISIBLE_LEN).collect(),
        token_hash: hash_token(&secret),
        created_by: actor.user_id,
        created_at: Utc::now(),
        last_used_at: None,
        revoked_at: None,
    };
    let txn = db.begin().await?;
    api_token::ActiveModel::from(token.clone()).insert(&txn).await?;
    let summary = format!("Created API token “{}” ({})", token.name, token.prefix);
    audit::record(
        &txn,
        Some(actor),
        Event::new("api_token.create", "api_token", token.id, &token.name, None, summary),
    )
    .await?;
    txn.commit().await?;
    Ok(m::NewApiToken { token: view(&token, actor.email.clone()), secret })
}

/// Every token, newest first (revoked ones too, marked).
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<m::ApiTokenView>> {
    actor.require_portal_admin()?;
    let tokens = api_token::Entity::find().order_by_desc(api_token::Column::CreatedAt).all(db).await?;
    let ids: Vec<Uuid> = tokens.iter().map(|t| t.created_by).collect();
    let emails: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    Ok(tokens
        .iter()
        .map(|t| view(t, emails.get(&t.created_by).cloned().unwrap_or_else(|| "(deleted user)".to_owned())))
        .collect())
}

/// Revokes a token: the next request with it is refused. Revoking twice is a no-op.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let token = api_token::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if token.revoked_at.is_none() {
        let summary = format!("Revoked API token “{}” ({})", token.name, token.prefix);
        let mut active: api_token::ActiveModel = token.clone().into();
        active.revoked_at = Set(Some(Utc::now()));
        active.update(&txn).await?;
        audit::record(
            &txn,
            Some(actor),
            Event::new("api_token.revoke", "api_token", token.id, &token.name, None, summary),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The admin a presented token acts as. Refused (`Unauthenticated`) when the token is
/// malformed, unknown or revoked, or its admin is no longer an active portal admin
/// (or their organisation is inactive).
pub async fn authenticate(db: &impl ConnectionTrait, presented: &str) -> DomainResult<Actor> {
    authenticate_at(db, presented, Utc::now()).await
}

/// [`authenticate`] at a given instant (tests move the clock).
pub async fn authenticate_at(
    db: &impl ConnectionTrait,
    presented: &str,
    now: DateTime<Utc>,
) -> DomainResult<Actor> {
    let well_formed = presented
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(|rest| rest.len() == RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !well_formed {
        return Err(DomainError::Unauthenticated);
    }
    let Some(token) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_token(presented)))
        .one(db)
        .await?
    else {
        return Err(DomainError::Unauthenticated);
    };
    let Some(admin) = user::Entity::find_by_id(token.created_by).one(db).await? else {
        return Err(DomainError::Unauthenticated);
    };
    let usable = token.revoked_at.is_none()
        && admin.portal_role == user::PortalRole::Admin
        && admin.status == UserStatus::Active
        && crate::services::accounts::organisation_active(db, admin.org_id).await?;
    if !usable {
        return Err(DomainError::Unauthenticated);
    }
    // At most one write a minute per token: skipped when the row just read is fresh,
    // otherwise a conditional update (two hosts racing write once).
    let stale = token.last_used_at.is_none_or(|t| t < now - TOUCH_EVERY);
    if stale {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(token.id))
            .filter(
                Condition::any()
                    .add(api_token::Column::LastUsedAt.is_null())
                    .add(api_token::Column::LastUsedAt.lt(now - TOUCH_EVERY)),
            )
            .exec(db)
            .await?;
    }
    Ok(Actor::from(&admin))
}
