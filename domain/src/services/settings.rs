//! Portal settings: typed reads with defaults, admin-only writes.

use crate::entities::setting;
use crate::services::audit::{self, Event};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model::{FieldError, PortalSettings};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set, TransactionSession, TransactionTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;

const AUTO_APPROVE_REGISTRATIONS: &str = "auto_approve_registrations";
const ORG_REGISTRATION: &str = "org_registration";
const AUTO_APPROVE_ORGS: &str = "auto_approve_org_registrations";
const PORTAL_NAME: &str = "portal_name";
const DEFAULT_PORTAL_NAME: &str = "Portico";

async fn read<T: DeserializeOwned>(db: &impl ConnectionTrait, key: &str) -> DomainResult<Option<T>> {
    let Some(row) = setting::Entity::find_by_id(key.to_owned()).one(db).await? else {
        return Ok(None);
    };
    serde_json::from_str(&row.value)
        .map(Some)
        .map_err(|e| DomainError::Internal(format!("setting {key} is not valid JSON: {e}")))
}

async fn write<T: Serialize>(db: &impl ConnectionTrait, key: &str, value: &T) -> DomainResult<()> {
    let json =
        serde_json::to_string(value).map_err(|e| DomainError::Internal(format!("setting {key}: {e}")))?;
    let row =
        setting::ActiveModel { key: Set(key.to_owned()), value: Set(json), updated_at: Set(Utc::now()) };
    setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(setting::Column::Key)
                .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Whether new self-registered accounts are active at once (default: yes).
pub async fn auto_approve_registrations(db: &impl ConnectionTrait) -> DomainResult<bool> {
    Ok(read(db, AUTO_APPROVE_REGISTRATIONS).await?.unwrap_or(true))
}

/// Whether developers may ask for organisations of their own (default: yes).
pub async fn org_registration(db: &impl ConnectionTrait) -> DomainResult<bool> {
    Ok(read(db, ORG_REGISTRATION).await?.unwrap_or(true))
}

/// Whether requested organisations exist at once, without an admin's approval
/// (default: no — admins decide).
pub async fn auto_approve_orgs(db: &impl ConnectionTrait) -> DomainResult<bool> {
    Ok(read(db, AUTO_APPROVE_ORGS).await?.unwrap_or(false))
}

/// The current settings, defaults filled in. Anyone may read them (the portal name is
/// shown on every page; the approval switch explains the sign-up page).
pub async fn get(db: &impl ConnectionTrait) -> DomainResult<PortalSettings> {
    Ok(PortalSettings {
        portal_name: read(db, PORTAL_NAME).await?.unwrap_or_else(|| DEFAULT_PORTAL_NAME.to_owned()),
        auto_approve_registrations: auto_approve_registrations(db).await?,
        org_registration: org_registration(db).await?,
        auto_approve_org_registrations: auto_approve_orgs(db).await?,
    })
}

/// Changes the settings. Portal admins only.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    new: &PortalSettings,
) -> DomainResult<PortalSettings> {
    actor.require_portal_admin()?;
    let name = new.portal_name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(FieldError::new("portal_name", "Use 1 to 60 characters.").into());
    }
    let txn = db.begin().await?;
    let before = get(&txn).await?;
    write(&txn, PORTAL_NAME, &name).await?;
    write(&txn, AUTO_APPROVE_REGISTRATIONS, &new.auto_approve_registrations).await?;
    write(&txn, ORG_REGISTRATION, &new.org_registration).await?;
    write(&txn, AUTO_APPROVE_ORGS, &new.auto_approve_org_registrations).await?;
    let event =
        Event::portal("settings.update", "settings", "Portal settings", "Changed the portal settings".into())
            .change("portal name", &before.portal_name, name)
            .change(
                "auto-approve registrations",
                before.auto_approve_registrations,
                new.auto_approve_registrations,
            )
            .change("organisation registration", before.org_registration, new.org_registration)
            .change(
                "auto-approve organisations",
                before.auto_approve_org_registrations,
                new.auto_approve_org_registrations,
            );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, settings = ?new, "settings updated");
    get(db).await
}

/// Sets the approval switch without an actor: for bootstrap and tests.
pub async fn set_auto_approve_registrations(db: &impl ConnectionTrait, on: bool) -> DomainResult<()> {
    write(db, AUTO_APPROVE_REGISTRATIONS, &on).await
}

/// Sets the organisation-registration switches without an actor: for tests and demo data.
pub async fn set_org_registration(
    db: &impl ConnectionTrait,
    enabled: bool,
    auto_approve: bool,
) -> DomainResult<()> {
    write(db, ORG_REGISTRATION, &enabled).await?;
    write(db, AUTO_APPROVE_ORGS, &auto_approve).await
}
