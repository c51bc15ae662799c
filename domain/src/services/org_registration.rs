//! Developers register organisations of their own; admins approve or reject.
//!
//! The request state machine: pending → active (approved: the requester moves in as its
//! super admin), pending → rejected. With "auto-approve organisation registrations" on,
//! a request is active at once. Until approved the requester stays an individual in the
//! default organisation, so they cannot invite anyone into the requested one.

use crate::entities::organisation::{self, OrgStatus};
use crate::entities::user::{self, OrgRole, PortalRole};
use crate::mail::Mailer;
use crate::services::audit::{self, Event};
use crate::services::organisations::{self, NewOrg};
use crate::services::{accounts, lifecycle, settings};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model::email::TemplateKey;
use portico_model::{FieldError, GroupName};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use uuid::Uuid;

/// What a developer's request led to.
#[derive(Debug)]
pub enum Requested {
    /// Auto-approved: the organisation exists and the requester is its super admin.
    Active(organisation::Model),
    /// Waiting for an admin.
    Pending(organisation::Model),
}

/// A developer asks for an organisation named `name`. Only developers of the default
/// organisation (individuals) may, only while the setting allows it, and only one
/// request at a time.
#[tracing::instrument(skip_all, fields(user.id = %actor.user_id))]
pub async fn request(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    name: &str,
) -> DomainResult<Requested> {
    let name = parse_request(db, name).await?;
    if actor.portal_role != PortalRole::Developer {
        return Err(DomainError::Forbidden);
    }
    let requester = accounts::get(db, actor.user_id).await?;
    let txn = db.begin().await?;
    let outcome = request_in(&txn, mailer, &requester, &name).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// Checks a requested name and that requests are open (before anything is written).
pub async fn parse_request(db: &impl ConnectionTrait, name: &str) -> DomainResult<GroupName> {
    let name = GroupName::parse("organisation", name)?;
    if !settings::org_registration(db).await? {
        return Err(FieldError::new(
            "organisation",
            "Registering organisations is switched off on this portal.",
        )
        .into());
    }
    Ok(name)
}

/// [`request`] inside the caller's transaction (sign-up uses it for the optional
/// organisation name, so the account and the request stand or fall together).
pub async fn request_in(
    txn: &impl ConnectionTrait,
    mailer: &Mailer,
    requester: &user::Model,
    name: &GroupName,
) -> DomainResult<Requested> {
    let home = organisations::default_org(txn).await?;
    if requester.org_id != home.id {
        return Err(DomainError::Conflict(
            "You already belong to an organisation. Leave it before registering another.".into(),
        ));
    }
    if pending_request_of(txn, requester.id).await?.is_some() {
        return Err(DomainError::Conflict(
            "You already asked for an organisation; wait for the administrators' decision.".into(),
        ));
    }
    if name_taken(txn, name.as_str()).await? {
        return Err(FieldError::new("organisation", "An organisation with this name already exists.").into());
    }
    let auto = settings::auto_approve_orgs(txn).await?;
    let status = if auto { OrgStatus::Active } else { OrgStatus::Pending };
    let org = organisations::insert_with_default_team(
        txn,
        NewOrg { name: name.as_str(), status, is_default: false, requested_by: Some(requester.id) },
    )
    .await?;
    let outcome = if auto {
        organisations::move_user(txn, requester.id, org.id, &[], OrgRole::SuperAdmin).await?;
        Requested::Active(org)
    } else {
        notify_admins(txn, mailer, requester, &org).await?;
        Requested::Pending(org)
    };
    tracing::info!(user.id = %requester.id, outcome = ?outcome, "organisation requested");
    Ok(outcome)
}

/// The caller's open or last refused request, while they are still an individual.
pub async fn my_request(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> DomainResult<Option<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::RequestedBy.eq(actor.user_id))
        .filter(organisation::Column::Status.is_in([OrgStatus::Pending, OrgStatus::Rejected]))
        .order_by_desc(organisation::Column::CreatedAt)
        .one(db)
        .await?)
}

async fn pending_request_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> DomainResult<Option<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::RequestedBy.eq(user_id))
        .filter(organisation::Column::Status.eq(OrgStatus::Pending))
        .one(db)
        .await?)
}

/// Whether a live (not rejected) organisation already has this name, ignoring case.
async fn name_taken(db: &impl ConnectionTrait, name: &str) -> DomainResult<bool> {
    let found = organisation::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(organisation::Column::Name))).eq(name.to_lowercase()))
        .filter(organisation::Column::Status.ne(OrgStatus::Rejected))
        .one(db)
        .await?;
    Ok(found.is_some())
}

async fn notify_admins(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    requester: &user::Model,
    org: &organisation::Model,
) -> DomainResult<()> {
    let admins = lifecycle::active_admins(db).await?;
    for admin in admins {
        let vars = vec![
            ("first_name", admin.first_name.clone()),
            ("last_name", admin.last_name.clone()),
            ("requester_name", format!("{} {}", requester.first_name, requester.last_name)),
            ("requester_email", requester.email.clone()),
            ("organisation", org.name.clone()),
            ("link", mailer.link(&format!("/admin/organisations/{}", org.id))),
        ];
        mailer.send(db, TemplateKey::OrgRegistrationReceived, &admin.email, vars).await?;
    }
    Ok(())
}

/// An admin's decision on a pending organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: Option<String> },
}

/// pending → active (the requester moves in as super admin) or pending → rejected; the
/// requester is emailed either way. Portal admins only; two admins cannot both decide.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn decide(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    org_id: Uuid,
    decision: Decision,
) -> DomainResult<organisation::Model> {
    actor.require_portal_admin()?;
    let reason = match &decision {
        Decision::Reject { reason } => reason.as_deref().map(str::trim).filter(|r| !r.is_empty()),
        Decision::Approve => None,
    };
    if reason.is_some_and(|r| r.chars().count() > 1000) {
        return Err(FieldError::new("reason", "Use at most 1000 characters.").into());
    }
    let to = match decision {
        Decision::Approve => OrgStatus::Active,
        Decision::Reject { .. } => OrgStatus::Rejected,
    };
    let txn = db.begin().await?;
    let org = organisations::get_org(&txn, org_id).await?;
    let now = Utc::now();
    let changed = organisation::Entity::update_many()
        .col_expr(organisation::Column::Status, Expr::value(to))
        .col_expr(organisation::Column::DecidedBy, Expr::value(actor.user_id))
        .col_expr(organisation::Column::DecidedAt, Expr::value(now))
        .col_expr(organisation::Column::DecisionReason, Expr::value(reason.map(str::to_owned)))
        .col_expr(organisation::Column::UpdatedAt, Expr::value(now))
        .filter(organisation::Column::Id.eq(org_id))
        .filter(organisation::Column::Status.eq(OrgStatus::Pending))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::Conflict(format!(
            "{} is not waiting for a decision (it is {}).",
            org.name,
            status_label(org.status)
        )));
    }
    let requester = match org.requested_by {
        Some(id) => user::Entity::find_by_id(id).one(&txn).await?,
        None => None,
    };
    if let Some(requester) = &requester {
        let home = organisations::default_org(&txn).await?;
        let mut vars = vec![
            ("first_name", requester.first_name.clone()),
            ("last_name", requester.last_name.clone()),
            ("organisation", org.name.clone()),
        ];
        if to == OrgStatus::Active {
            // They may have joined another organisation meanwhile: then they stay there.
            if requester.org_id == home.id {
                organisations::move_user(&txn, requester.id, org.id, &[], OrgRole::SuperAdmin).await?;
            }
            vars.push(("link", mailer.link("/organisation")));
            mailer.send(&txn, TemplateKey::OrgRegistrationApproved, &requester.email, vars).await?;
        } else {
            vars.push(("reason", reason.unwrap_or_default().to_owned()));
            mailer.send(&txn, TemplateKey::OrgRegistrationRejected, &requester.email, vars).await?;
        }
    }
    let verb = if to == OrgStatus::Active { "Approved" } else { "Rejected" };
    let event = Event::new(
        if to == OrgStatus::Active { "organisation.approve" } else { "organisation.reject" },
        "organisation",
        org.id,
        &org.name,
        Some(org.id),
        format!("{verb} the registration of {}", org.name),
    )
    .change("status", status_label(org.status), status_label(to))
    .change("reason", "", reason.unwrap_or_default());
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, status = status_label(to), "organisation request decided");
    organisations::get_org(db, org_id).await
}

fn status_label(s: OrgStatus) -> &'static str {
    match s {
        OrgStatus::Pending => "pending",
        OrgStatus::Active => "active",
        OrgStatus::Inactive => "inactive",
        OrgStatus::Rejected => "rejected",
    }
}
