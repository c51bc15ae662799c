//! Server-side sessions.
//!
//! The cookie carries a 128-bit random id; the database stores only its SHA-256, so a
//! leaked database does not hand out sessions. A session ends when idle for longer than
//! the idle timeout or at its absolute end, whichever comes first.

use crate::entities::session;
use crate::entities::user::{self, UserStatus};
use crate::secret::{hash_token, random_token};
use crate::{DomainError, DomainResult};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// How long sessions live.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// Ends a session nobody used for this long.
    pub idle: Duration,
    /// Ends every session this long after sign-in, active or not.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle: Duration::hours(12), absolute: Duration::days(7) }
    }
}

/// "Last seen" is written at most this often, so reads do not become writes.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A new session for a user: returns the id for the cookie (the only copy).
pub async fn create(db: &impl ConnectionTrait, user_id: Uuid, policy: SessionPolicy) -> DomainResult<String> {
    let token = random_token(16);
    let now = Utc::now();
    session::ActiveModel {
        id_hash: Set(hash_token(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The user behind a cookie's session id, if the session is alive and the account may
/// still sign in. Expired sessions are deleted when met.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
    policy: SessionPolicy,
) -> DomainResult<Option<user::Model>> {
    resolve_at(db, token, policy, Utc::now()).await
}

/// [`resolve`] at a given instant (tests move the clock).
pub async fn resolve_at(
    db: &impl ConnectionTrait,
    token: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> DomainResult<Option<user::Model>> {
    let Some((session, Some(user))) =
        session::Entity::find_by_id(hash_token(token)).find_also_related(user::Entity).one(db).await?
    else {
        return Ok(None);
    };
    let expired = now >= session.expires_at || now - session.last_seen_at >= policy.idle;
    // An account that was rejected (or is again pending), or whose organisation was
    // deactivated, loses its sessions.
    let barred = matches!(user.status, UserStatus::Pending | UserStatus::Rejected)
        || !crate::services::accounts::organisation_active(db, user.org_id).await?;
    if expired || barred {
        session::Entity::delete_by_id(session.id_hash).exec(db).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        let mut active: session::ActiveModel = session.into();
        active.last_seen_at = Set(now);
        active.update(db).await?;
    }
    Ok(Some(user))
}

/// Ends one session (sign-out). Unknown ids are not an error.
pub async fn delete(db: &impl ConnectionTrait, token: &str) -> DomainResult<()> {
    session::Entity::delete_by_id(hash_token(token)).exec(db).await?;
    Ok(())
}

/// Ends every session of a user (password reset, deactivation by an admin).
pub async fn delete_all_for_user(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<u64> {
    let res = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(res.rows_affected)
}

/// Deletes sessions past their absolute end or idle for too long.
pub async fn purge_expired(db: &impl ConnectionTrait, policy: SessionPolicy) -> DomainResult<u64> {
    let now = Utc::now();
    let res = session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lte(now - policy.idle)),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// How many sessions a user has (tests, admin views).
pub async fn count_for_user(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<u64> {
    use sea_orm::PaginatorTrait;
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .count(db)
        .await
        .map_err(DomainError::from)
}
