//! Admins add users: EITHER with a password they set (optionally "must change at next
//! sign-in") OR by an emailed invitation to register — never both; the type makes the
//! choice. Invitation links are single-use, expire, and are stored only hashed.

use crate::entities::invitation;
use crate::entities::organisation;
use crate::entities::user::{self, OrgRole, PortalRole, UserStatus};
use crate::mail::Mailer;
use crate::password::PasswordHasher;
use crate::secret::{hash_token, random_token};
use crate::services::accounts::{self, NewUser};
use crate::{Actor, DomainError, DomainResult};
use chrono::{Duration, Utc};
use portico_model::email::TemplateKey;
use portico_model::{Email, FieldError, Password, PersonName};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use uuid::Uuid;

/// How the new user gets in.
pub enum Credential {
    /// The admin sets the password now.
    Password { password: Password, must_change: bool },
    /// The user gets an email with a link to a registration form.
    Invite,
}

/// An admin's "Add user" form, parsed.
pub struct AddUser {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub credential: Credential,
}

/// What "Add user" did.
pub enum Added {
    User(user::Model),
    Invited(invitation::Model),
}

/// Whether an invitation can still be used.
pub fn is_open(inv: &invitation::Model) -> bool {
    inv.accepted_at.is_none() && inv.revoked_at.is_none() && inv.expires_at > Utc::now()
}

/// Adds a user to the default organisation. Portal admins only.
#[tracing::instrument(skip_all, fields(email = %input.email))]
pub async fn add_user(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    mailer: &Mailer,
    actor: &Actor,
    input: AddUser,
    invite_ttl: Duration,
) -> DomainResult<Added> {
    actor.require_portal_admin()?;
    if accounts::find_by_email(db, &input.email).await?.is_some() {
        return Err(FieldError::new("email", "An account with this email address already exists.").into());
    }
    match input.credential {
        Credential::Password { password, must_change } => {
            let hash = hasher.hash(&password).await?;
            let user = accounts::create_in_default_team(
                db,
                NewUser {
                    first_name: input.first_name.as_str().to_owned(),
                    last_name: input.last_name.as_str().to_owned(),
                    email: input.email,
                    password_hash: Some(hash),
                    portal_role: PortalRole::Developer,
                    status: UserStatus::Active,
                    must_change_password: must_change,
                },
            )
            .await?;
            tracing::info!(by = %actor.user_id, user.id = %user.id, must_change, "user added with a password");
            Ok(Added::User(user))
        }
        Credential::Invite => {
            let open = invitation::Entity::find()
                .filter(invitation::Column::Email.eq(input.email.as_str()))
                .all(db)
                .await?
                .into_iter()
                .any(|i| is_open(&i));
            if open {
                return Err(FieldError::new(
                    "email",
                    "This address already has a pending invitation. Resend it from the list instead.",
                )
                .into());
            }
            let org = default_org(db).await?;
            let token = random_token(16);
            let now = Utc::now();
            let txn = db.begin().await?;
            let inv = invitation::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set(input.email.as_str().to_owned()),
                first_name: Set(input.first_name.as_str().to_owned()),
                last_name: Set(input.last_name.as_str().to_owned()),
                org_id: Set(org.id),
                org_role: Set(OrgRole::Member),
                token_hash: Set(hash_token(&token)),
                expires_at: Set(now + invite_ttl),
                invited_by: Set(actor.user_id),
                created_at: Set(now),
                last_sent_at: Set(now),
                accepted_at: Set(None),
                revoked_at: Set(None),
            }
            .insert(&txn)
            .await?;
            send_invite(&txn, mailer, actor, &inv, &org.name, &token, invite_ttl).await?;
            txn.commit().await?;
            tracing::info!(by = %actor.user_id, invitation.id = %inv.id, "invitation sent");
            Ok(Added::Invited(inv))
        }
    }
}

async fn default_org(db: &impl ConnectionTrait) -> DomainResult<organisation::Model> {
    organisation::Entity::find()
        .filter(organisation::Column::IsDefault.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::Internal("the default organisation is missing".into()))
}

async fn send_invite(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    actor: &Actor,
    inv: &invitation::Model,
    org_name: &str,
    token: &str,
    ttl: Duration,
) -> DomainResult<()> {
    let inviter = accounts::get(db, actor.user_id).await?;
    let vars = vec![
        ("first_name", inv.first_name.clone()),
        ("last_name", inv.last_name.clone()),
        ("inviter_name", format!("{} {}", inviter.first_name, inviter.last_name)),
        ("organisation", org_name.to_owned()),
        ("link", mailer.link(&format!("/auth/invite?token={token}"))),
        ("expires_in", human_hours(ttl)),
    ];
    mailer.send(db, TemplateKey::Invite, &inv.email, vars).await?;
    Ok(())
}

fn human_hours(d: Duration) -> String {
    match d.num_hours() {
        1 => "1 hour".to_owned(),
        h if h % 24 == 0 && h >= 48 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}

/// Invitations not yet accepted or revoked (expired ones included, marked by date).
pub async fn list_pending(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<invitation::Model>> {
    actor.require_portal_admin()?;
    Ok(invitation::Entity::find()
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Sends a fresh link (the old one stops working) with a new expiry.
pub async fn resend(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    id: Uuid,
    invite_ttl: Duration,
) -> DomainResult<invitation::Model> {
    actor.require_portal_admin()?;
    let inv = invitation::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)?;
    if inv.accepted_at.is_some() || inv.revoked_at.is_some() {
        return Err(DomainError::Conflict("This invitation was already used or revoked.".into()));
    }
    let org = organisation::Entity::find_by_id(inv.org_id).one(db).await?.ok_or(DomainError::NotFound)?;
    let token = random_token(16);
    let now = Utc::now();
    let txn = db.begin().await?;
    let mut active: invitation::ActiveModel = inv.into();
    active.token_hash = Set(hash_token(&token));
    active.expires_at = Set(now + invite_ttl);
    active.last_sent_at = Set(now);
    let inv = active.update(&txn).await?;
    send_invite(&txn, mailer, actor, &inv, &org.name, &token, invite_ttl).await?;
    txn.commit().await?;
    Ok(inv)
}

/// Revokes an invitation: its link stops working at once.
pub async fn revoke(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let res = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// The open invitation behind a link, for prefilling the registration form.
pub async fn peek(db: &impl ConnectionTrait, token: &str) -> DomainResult<invitation::Model> {
    let inv = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?;
    match inv {
        Some(inv) if is_open(&inv) => Ok(inv),
        _ => Err(invalid_link()),
    }
}

fn invalid_link() -> DomainError {
    FieldError::new("token", "This invitation link is invalid, expired or already used. Ask for a new one.")
        .into()
}

/// Registers from an invitation: the account is active at once (an admin invited it).
/// The link works exactly once, even if submitted twice at the same time.
#[tracing::instrument(skip_all)]
pub async fn accept(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    token: &str,
    first_name: &str,
    last_name: &str,
    password: &str,
) -> DomainResult<user::Model> {
    let first = PersonName::parse("first_name", first_name);
    let last = PersonName::parse("last_name", last_name);
    let pw = Password::parse(password);
    let (first, last, pw) = match (first, last, pw) {
        (Ok(f), Ok(l), Ok(p)) => (f, l, p),
        (f, l, p) => {
            return Err(DomainError::Invalid([f.err(), l.err(), p.err()].into_iter().flatten().collect()));
        }
    };
    let inv = peek(db, token).await?;
    let hash = hasher.hash(&pw).await?;
    let txn = db.begin().await?;
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Utc::now()))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid_link());
    }
    let email = Email::parse(&inv.email).map_err(|e| DomainError::Internal(e.message))?;
    let user = accounts::insert_in_default_team(
        &txn,
        NewUser {
            first_name: first.as_str().to_owned(),
            last_name: last.as_str().to_owned(),
            email,
            password_hash: Some(hash),
            portal_role: PortalRole::Developer,
            status: UserStatus::Active,
            must_change_password: false,
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user.id = %user.id, invitation.id = %inv.id, "invitation accepted");
    Ok(user)
}
