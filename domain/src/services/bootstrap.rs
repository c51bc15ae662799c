//! First start: the default organisation with its default team, and the first admin.
//!
//! Idempotent: every step looks before it creates, so restarts never duplicate anything
//! and never touch an existing password.

use crate::entities::organisation::{self, OrgStatus};
use crate::entities::user::{self, PortalRole, UserStatus};
use crate::password::PasswordHasher;
use crate::secret::random_base62;
use crate::services::accounts::{self, NewUser};
use crate::services::organisations::{self, NewOrg};
use crate::{DomainError, DomainResult};
use portico_model::{Email, Password};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

pub const DEFAULT_ORG_NAME: &str = "Default organisation";
pub const DEFAULT_TEAM_NAME: &str = "Default team";
/// The first admin's address when none is configured.
pub const FALLBACK_ADMIN_EMAIL: &str = "admin@localhost";

/// Who the first admin should be, from configuration.
pub struct FirstAdmin {
    pub email: Email,
    /// `None`: generate one and report it once.
    pub password: Option<Password>,
}

/// What bootstrap did, for the start-up log.
#[derive(Debug, Default)]
pub struct BootstrapReport {
    pub created_default_org: bool,
    /// Set when an admin was created: their email, and the password if it was generated
    /// (the only time it is ever shown).
    pub created_admin: Option<(String, Option<String>)>,
}

/// Makes sure the default organisation, its default team and a portal admin exist.
pub async fn ensure_defaults(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    first_admin: FirstAdmin,
) -> DomainResult<BootstrapReport> {
    let mut report = BootstrapReport::default();
    let existing =
        organisation::Entity::find().filter(organisation::Column::IsDefault.eq(true)).one(db).await?;
    if existing.is_none() {
        let txn = db.begin().await?;
        organisations::insert_with_default_team(
            &txn,
            NewOrg {
                name: DEFAULT_ORG_NAME,
                status: OrgStatus::Active,
                is_default: true,
                requested_by: None,
            },
        )
        .await?;
        txn.commit().await?;
        report.created_default_org = true;
    }

    let has_admin =
        user::Entity::find().filter(user::Column::PortalRole.eq(PortalRole::Admin)).one(db).await?.is_some();
    if !has_admin {
        if let Some(taken) = accounts::find_by_email(db, &first_admin.email).await? {
            return Err(DomainError::Conflict(format!(
                "cannot create the first admin: {} is already a developer account (id {})",
                taken.email, taken.id
            )));
        }
        let (password, generated) = match first_admin.password {
            Some(p) => (p, None),
            None => {
                let raw = random_base62(20);
                let p = Password::parse(&raw).map_err(|e| DomainError::Internal(e.message))?;
                (p, Some(raw))
            }
        };
        let hash = hasher.hash(&password).await?;
        let admin = accounts::create_in_default_team(
            db,
            NewUser {
                first_name: "Portal".into(),
                last_name: "Admin".into(),
                email: first_admin.email,
                password_hash: Some(hash),
                portal_role: PortalRole::Admin,
                status: UserStatus::Active,
                must_change_password: false,
            },
        )
        .await?;
        report.created_admin = Some((admin.email, generated));
    }
    Ok(report)
}
