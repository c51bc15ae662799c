//! Passwords: forgotten-password reset by emailed link, change with the current
//! password, and the "must change password" rule.
//!
//! Reset tokens are 128-bit random, stored only as SHA-256, single-use, and expire in
//! an hour. A reset ends every session of the user and sends "password changed".

use crate::entities::account_token::{self, TokenPurpose};
use crate::entities::user::{self, UserStatus};
use crate::mail::Mailer;
use crate::password::PasswordHasher;
use crate::secret::{hash_token, random_token};
use crate::services::{accounts, sessions};
use crate::{Actor, DomainError, DomainResult};
use chrono::{Duration, Utc};
use portico_model::email::TemplateKey;
use portico_model::{Email, FieldError, Password};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::hours(1);

/// Stores a new single-use token and returns it (the only copy).
pub(crate) async fn issue_token(
    db: &impl ConnectionTrait,
    purpose: TokenPurpose,
    user_id: Uuid,
    new_email: Option<String>,
    ttl: Duration,
) -> DomainResult<String> {
    let token = random_token(16);
    let now = Utc::now();
    account_token::ActiveModel {
        token_hash: Set(hash_token(&token)),
        purpose: Set(purpose),
        user_id: Set(user_id),
        new_email: Set(new_email),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Marks a token used, if it is valid, unused and unexpired; exactly one caller wins.
pub(crate) async fn consume_token(
    db: &impl ConnectionTrait,
    purpose: TokenPurpose,
    token: &str,
) -> DomainResult<account_token::Model> {
    let hash = hash_token(token.trim());
    let now = Utc::now();
    let used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::TokenHash.eq(hash.clone()))
        .filter(account_token::Column::Purpose.eq(purpose))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "token",
            "This link is invalid, expired or already used. Ask for a new one.",
        )]));
    }
    account_token::Entity::find_by_id(hash).one(db).await?.ok_or(DomainError::NotFound)
}

/// "Forgot password": mails a reset link when the address belongs to an account that
/// may sign in; does nothing otherwise. The caller answers the same either way.
#[tracing::instrument(skip_all)]
pub async fn request_reset(db: &DatabaseConnection, mailer: &Mailer, email: &str) -> DomainResult<()> {
    let Ok(email) = Email::parse(email) else { return Ok(()) };
    let Some(user) = accounts::find_by_email(db, &email).await? else {
        tracing::info!("password reset asked for an unknown address");
        return Ok(());
    };
    if !matches!(user.status, UserStatus::Active | UserStatus::Inactive) {
        tracing::info!(user.id = %user.id, "password reset asked for an account that cannot sign in");
        return Ok(());
    }
    let txn = db.begin().await?;
    let token = issue_token(&txn, TokenPurpose::PasswordReset, user.id, None, RESET_TTL).await?;
    let vars = vec![
        ("first_name", user.first_name.clone()),
        ("last_name", user.last_name.clone()),
        ("link", mailer.link(&format!("/auth/reset/code?token={token}"))),
        ("expires_in", "1 hour".to_owned()),
    ];
    mailer.send(&txn, TemplateKey::PasswordReset, &user.email, vars).await?;
    txn.commit().await?;
    tracing::info!(user.id = %user.id, "password reset link sent");
    Ok(())
}

/// Sets a new password from a reset link. Ends every session of the user.
#[tracing::instrument(skip_all)]
pub async fn reset(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    mailer: &Mailer,
    token: &str,
    new_password: &str,
) -> DomainResult<()> {
    let password = Password::parse_field("new_password", new_password)?;
    let hash = hasher.hash(&password).await?;
    let txn = db.begin().await?;
    let used = consume_token(&txn, TokenPurpose::PasswordReset, token).await?;
    let user = user::Entity::find_by_id(used.user_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    store_password(&txn, mailer, &user, hash).await?;
    sessions::delete_all_for_user(&txn, user.id).await?;
    txn.commit().await?;
    tracing::info!(user.id = %user.id, "password reset; every session ended");
    Ok(())
}

/// Changes the caller's password, which they must confirm with the current one.
/// Other sessions end; the current one stays.
pub async fn change(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    mailer: &Mailer,
    actor: &Actor,
    current_session: Option<&str>,
    current_password: &str,
    new_password: &str,
) -> DomainResult<()> {
    let user = accounts::get(db, actor.user_id).await?;
    let matches = match user.password_hash.as_deref() {
        Some(stored) => hasher.verify(stored, current_password).await?,
        None => false,
    };
    if !matches {
        return Err(FieldError::new("current_password", "The current password is not correct.").into());
    }
    let password = Password::parse_field("new_password", new_password)?;
    if new_password == current_password {
        return Err(
            FieldError::new("new_password", "Choose a password different from the current one.").into()
        );
    }
    let hash = hasher.hash(&password).await?;
    let txn = db.begin().await?;
    store_password(&txn, mailer, &user, hash).await?;
    let mut others = sea_orm::Condition::all().add(crate::entities::session::Column::UserId.eq(user.id));
    if let Some(current) = current_session {
        others = others.add(crate::entities::session::Column::IdHash.ne(hash_token(current)));
    }
    crate::entities::session::Entity::delete_many().filter(others).exec(&txn).await?;
    txn.commit().await?;
    tracing::info!(user.id = %user.id, "password changed; other sessions ended");
    Ok(())
}

async fn store_password(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    user: &user::Model,
    hash: String,
) -> DomainResult<()> {
    let mut active: user::ActiveModel = user.clone().into();
    active.password_hash = Set(Some(hash));
    active.must_change_password = Set(false);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    let vars = vec![
        ("first_name", user.first_name.clone()),
        ("last_name", user.last_name.clone()),
        ("link", mailer.link("/forgot-password")),
    ];
    mailer.send(db, TemplateKey::PasswordChanged, &user.email, vars).await?;
    Ok(())
}
