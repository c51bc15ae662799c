//! The caller's own profile: names, and email change confirmed by a link sent to the
//! new address (the old address stays until then).

use crate::entities::account_token::TokenPurpose;
use crate::entities::user;
use crate::mail::Mailer;
use crate::services::passwords::{consume_token, issue_token};
use crate::services::{accounts, search_index};
use crate::{Actor, DomainError, DomainResult};
use chrono::{Duration, Utc};
use portico_model::email::TemplateKey;
use portico_model::{Email, FieldError, PersonName};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};

/// How long an email-change link works.
pub const EMAIL_CHANGE_TTL: Duration = Duration::hours(24);

/// Changes the caller's first and last name.
pub async fn update_names(
    db: &DatabaseConnection,
    actor: &Actor,
    first_name: &str,
    last_name: &str,
) -> DomainResult<user::Model> {
    let first = PersonName::parse("first_name", first_name);
    let last = PersonName::parse("last_name", last_name);
    let (first, last) = match (first, last) {
        (Ok(f), Ok(l)) => (f, l),
        (f, l) => return Err(DomainError::Invalid([f.err(), l.err()].into_iter().flatten().collect())),
    };
    let txn = db.begin().await?;
    let user = accounts::get(&txn, actor.user_id).await?;
    let mut active: user::ActiveModel = user.into();
    active.first_name = Set(first.as_str().to_owned());
    active.last_name = Set(last.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    search_index::refresh(&txn, &[user.id]).await?;
    txn.commit().await?;
    Ok(user)
}

/// Mails a confirmation link to the new address. Nothing changes until it is used.
pub async fn request_email_change(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    new_email: &str,
) -> DomainResult<()> {
    let new_email = Email::parse(new_email).map_err(|e| FieldError::new("new_email", e.message))?;
    let user = accounts::get(db, actor.user_id).await?;
    if user.email == new_email.as_str() {
        return Err(FieldError::new("new_email", "That is already your email address.").into());
    }
    if accounts::find_by_email(db, &new_email).await?.is_some() {
        return Err(FieldError::new("new_email", "Another account uses that email address.").into());
    }
    let txn = db.begin().await?;
    let token = issue_token(
        &txn,
        TokenPurpose::EmailChange,
        user.id,
        Some(new_email.as_str().to_owned()),
        EMAIL_CHANGE_TTL,
    )
    .await?;
    let vars = vec![
        ("first_name", user.first_name.clone()),
        ("last_name", user.last_name.clone()),
        ("new_email", new_email.as_str().to_owned()),
        ("link", mailer.link(&format!("/account/confirm-email?token={token}"))),
    ];
    mailer.send(&txn, TemplateKey::EmailChange, new_email.as_str(), vars).await?;
    txn.commit().await?;
    Ok(())
}

/// Applies an email change from its link.
pub async fn confirm_email_change(db: &DatabaseConnection, token: &str) -> DomainResult<user::Model> {
    let txn = db.begin().await?;
    let used = consume_token(&txn, TokenPurpose::EmailChange, token).await?;
    let new_email =
        used.new_email.ok_or_else(|| DomainError::Internal("email-change token without address".into()))?;
    let user = accounts::get(&txn, used.user_id).await?;
    let mut active: user::ActiveModel = user.into();
    active.email = Set(new_email);
    active.updated_at = Set(Utc::now());
    let updated = match active.update(&txn).await {
        Ok(u) => u,
        Err(e) if DomainError::is_unique_violation(&e) => {
            return Err(FieldError::new("token", "Another account took that email address meanwhile.").into());
        }
        Err(e) => return Err(e.into()),
    };
    search_index::refresh(&txn, &[updated.id]).await?;
    txn.commit().await?;
    tracing::info!(user.id = %updated.id, "email address changed");
    Ok(updated)
}
