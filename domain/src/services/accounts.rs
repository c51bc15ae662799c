//! Accounts: sign-up and password authentication.

use crate::entities::organisation;
use crate::entities::team;
use crate::entities::team_membership;
use crate::entities::user::{self, OrgRole, PortalRole, UserStatus};
use crate::mail::Mailer;
use crate::password::PasswordHasher;
use crate::services::settings;
use crate::services::{invite_codes, lifecycle, org_registration, organisations, search_index};
use crate::{DomainError, DomainResult};
use chrono::Utc;
use portico_model::{Email, FieldError, SignUpInput};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

const DUPLICATE_EMAIL: &str =
    "An account with this email address already exists. Sign in instead, or use another address.";

/// A new account, ready to store.
pub struct NewUser {
    pub first_name: String,
    pub last_name: String,
    pub email: Email,
    pub password_hash: Option<String>,
    pub portal_role: PortalRole,
    pub status: UserStatus,
    pub must_change_password: bool,
}

/// What a sign-up may carry besides the account itself.
#[derive(Clone, Debug, Default)]
pub struct SignUpExtras {
    /// An invite code: the account lands in the code's team.
    pub invite_code: Option<String>,
    /// The name of an organisation to register for the new account.
    pub organisation: Option<String>,
}

/// Self sign-up. The account lands in the default organisation's default team;
/// it is active at once when registrations are auto-approved, pending otherwise.
pub async fn sign_up(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    mailer: &Mailer,
    input: SignUpInput,
) -> DomainResult<user::Model> {
    sign_up_with(db, hasher, mailer, input, SignUpExtras::default()).await
}

/// [`sign_up`] with an invite code (the account lands in the code's team) or an
/// organisation to register — not both. Everything is checked before anything is
/// written, and the account, the code's use and the organisation request are one
/// transaction.
#[tracing::instrument(skip_all, fields(email = %input.email))]
pub async fn sign_up_with(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    mailer: &Mailer,
    input: SignUpInput,
    extras: SignUpExtras,
) -> DomainResult<user::Model> {
    let code = extras.invite_code.filter(|c| !c.trim().is_empty());
    let org_name = extras.organisation.filter(|o| !o.trim().is_empty());
    if code.is_some() && org_name.is_some() {
        return Err(FieldError::new(
            "organisation",
            "Use either an invite code or a new organisation's name, not both.",
        )
        .into());
    }
    let org_name = match org_name {
        Some(name) => Some(org_registration::parse_request(db, &name).await?),
        None => None,
    };
    let rejected_before = match find_by_email(db, &input.email).await? {
        Some(existing) if existing.status == UserStatus::Rejected => Some(existing.id),
        Some(_) => return Err(DomainError::Conflict(DUPLICATE_EMAIL.into())),
        None => None,
    };
    let status = if settings::auto_approve_registrations(db).await? {
        UserStatus::Active
    } else {
        UserStatus::Pending
    };
    let password_hash = hasher.hash(&input.password).await?;
    let txn = db.begin().await?;
    // A rejected applicant may register again: the old record makes way.
    if let Some(old) = rejected_before {
        user::Entity::delete_by_id(old).exec(&txn).await?;
    }
    let new = NewUser {
        first_name: input.first_name.as_str().to_owned(),
        last_name: input.last_name.as_str().to_owned(),
        email: input.email,
        password_hash: Some(password_hash),
        portal_role: PortalRole::Developer,
        status,
        must_change_password: false,
    };
    let user = match code {
        Some(code) => {
            let team = invite_codes::redeem(&txn, &code).await?;
            insert_in_team(&txn, new, &team, OrgRole::Member).await?
        }
        None => insert_in_default_team(&txn, new).await?,
    };
    if user.status == UserStatus::Pending {
        lifecycle::notify_admins_of_registration(&txn, mailer, &user).await?;
    }
    if let Some(name) = org_name {
        org_registration::request_in(&txn, mailer, &user, &name).await?;
    }
    txn.commit().await?;
    // An auto-approved organisation moved the account: read it as it now is.
    let user = get(db, user.id).await?;
    tracing::info!(user.id = %user.id, status = ?user.status, org.id = %user.org_id, "developer signed up");
    Ok(user)
}

/// Stores a user in the default organisation and its default team, in one transaction.
pub async fn create_in_default_team(db: &DatabaseConnection, new: NewUser) -> DomainResult<user::Model> {
    let txn = db.begin().await?;
    let user = insert_in_default_team(&txn, new).await?;
    txn.commit().await?;
    Ok(user)
}

/// [`create_in_default_team`] inside the caller's transaction.
pub async fn insert_in_default_team(txn: &impl ConnectionTrait, new: NewUser) -> DomainResult<user::Model> {
    let org = organisations::default_org(txn).await?;
    let team = default_team_of(txn, org.id).await?;
    insert_in_team(txn, new, &team, OrgRole::Member).await
}

/// The default team of an organisation.
pub async fn default_team_of(txn: &impl ConnectionTrait, org_id: Uuid) -> DomainResult<team::Model> {
    team::Entity::find()
        .filter(team::Column::OrgId.eq(org_id))
        .filter(team::Column::IsDefault.eq(true))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("organisation {org_id} has no default team")))
}

/// Stores a user in `team` (and so in its organisation) with a consumer role, inside
/// the caller's transaction. A lost race for the email address is a clear conflict.
pub async fn insert_in_team(
    txn: &impl ConnectionTrait,
    new: NewUser,
    team: &team::Model,
    role: OrgRole,
) -> DomainResult<user::Model> {
    let now = Utc::now();
    let inserted = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        username: Set(None),
        password_hash: Set(new.password_hash),
        portal_role: Set(new.portal_role),
        status: Set(new.status),
        org_id: Set(team.org_id),
        org_role: Set(role),
        must_change_password: Set(new.must_change_password),
        created_at: Set(now),
        updated_at: Set(now),
        status_changed_at: Set(now),
    }
    .insert(txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        // Two sign-ups racing for one address: the unique index decides.
        Err(e) if DomainError::is_unique_violation(&e) => {
            return Err(DomainError::Conflict(DUPLICATE_EMAIL.into()));
        }
        Err(e) => return Err(e.into()),
    };
    team_membership::ActiveModel { team_id: Set(team.id), user_id: Set(user.id), created_at: Set(now) }
        .insert(txn)
        .await?;
    search_index::refresh(txn, &[user.id]).await?;
    Ok(user)
}

/// Looks a user up by (normalised) email.
pub async fn find_by_email(db: &impl ConnectionTrait, email: &Email) -> DomainResult<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?)
}

/// Checks an email and password. Unknown email and wrong password are the same error and
/// cost the same time; only after the right password does the account's state show.
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    email: &str,
    password: &str,
) -> DomainResult<user::Model> {
    // A malformed email cannot match any account, but still spends the hashing time.
    let found = match Email::parse(email) {
        Ok(email) => find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let Some(user) = found else {
        hasher.verify_decoy(password).await?;
        return Err(DomainError::InvalidCredentials);
    };
    let Some(stored) = user.password_hash.as_deref() else {
        hasher.verify_decoy(password).await?;
        return Err(DomainError::InvalidCredentials);
    };
    if !hasher.verify(stored, password).await? {
        tracing::info!(user.id = %user.id, "sign-in refused: wrong password");
        return Err(DomainError::InvalidCredentials);
    }
    match user.status {
        // An inactive organisation's members cannot sign in.
        UserStatus::Active | UserStatus::Inactive if !organisation_active(db, user.org_id).await? => {
            Err(DomainError::AccountDisabled)
        }
        UserStatus::Active | UserStatus::Inactive => Ok(user),
        UserStatus::Pending => Err(DomainError::AccountPending),
        UserStatus::Rejected => Err(DomainError::AccountDisabled),
    }
}

/// A user by id.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<user::Model> {
    user::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)
}

/// The name of a user's organisation.
pub async fn organisation_of(
    db: &impl ConnectionTrait,
    user: &user::Model,
) -> DomainResult<organisation::Model> {
    organisation::Entity::find_by_id(user.org_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("user {} has no organisation", user.id)))
}

/// Whether an organisation is active (its members may sign in).
pub async fn organisation_active(db: &impl ConnectionTrait, org_id: Uuid) -> DomainResult<bool> {
    use crate::entities::organisation::OrgStatus;
    Ok(organisation::Entity::find_by_id(org_id).one(db).await?.is_some_and(|o| o.status == OrgStatus::Active))
}
