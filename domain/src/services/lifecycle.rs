//! The account status state machine: pending → active ⇄ inactive, pending → rejected.
//! Every transition records who made it and when, and tells the user by mail.

use crate::entities::user::{self, PortalRole, UserStatus};
use crate::entities::user_status_change;
use crate::mail::Mailer;
use crate::services::audit::{self, Event};
use crate::services::{search_index, sessions};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model::FieldError;
use portico_model::email::TemplateKey;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use uuid::Uuid;

/// What an admin can do to an account's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transition {
    /// pending → active
    Approve,
    /// pending → rejected, with an optional reason for the mail
    Reject { reason: Option<String> },
    /// active → inactive
    Deactivate,
    /// inactive → active
    Activate,
}

/// The status a transition leads to, or why it is not allowed from `from`.
pub fn next(from: UserStatus, t: &Transition) -> DomainResult<UserStatus> {
    use UserStatus::*;
    let to = match (from, t) {
        (Pending, Transition::Approve) => Active,
        (Pending, Transition::Reject { .. }) => Rejected,
        (Active, Transition::Deactivate) => Inactive,
        (Inactive, Transition::Activate) => Active,
        (from, t) => {
            return Err(DomainError::Conflict(format!(
                "cannot {} an account that is {}",
                verb(t),
                label(from)
            )));
        }
    };
    Ok(to)
}

fn verb(t: &Transition) -> &'static str {
    match t {
        Transition::Approve => "approve",
        Transition::Reject { .. } => "reject",
        Transition::Deactivate => "deactivate",
        Transition::Activate => "activate",
    }
}

fn capitalised(verb: &str) -> String {
    let mut c = verb.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn label(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Pending => "pending",
        UserStatus::Active => "active",
        UserStatus::Inactive => "inactive",
        UserStatus::Rejected => "rejected",
    }
}

/// Applies a transition. Portal admins only, and never to their own account.
#[tracing::instrument(skip_all, fields(user.id = %user_id, transition = verb(&t)))]
pub async fn apply(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    user_id: Uuid,
    t: Transition,
) -> DomainResult<user::Model> {
    actor.require_portal_admin()?;
    if actor.user_id == user_id {
        return Err(DomainError::Conflict("You cannot change the status of your own account.".into()));
    }
    let reason = match &t {
        Transition::Reject { reason } => {
            reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned)
        }
        _ => None,
    };
    if reason.as_ref().is_some_and(|r| r.chars().count() > 1000) {
        return Err(FieldError::new("reason", "Use at most 1000 characters.").into());
    }
    let txn = db.begin().await?;
    let user = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let to = next(user.status, &t)?;
    let now = Utc::now();
    // Conditional on the status we read, so two admins cannot both apply a transition.
    let changed = user::Entity::update_many()
        .col_expr(user::Column::Status, sea_orm::sea_query::Expr::value(to))
        .col_expr(user::Column::StatusChangedAt, sea_orm::sea_query::Expr::value(now))
        .col_expr(user::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::Status.eq(user.status))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::Conflict("The account changed meanwhile; reload and try again.".into()));
    }
    user_status_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        from_status: Set(user.status),
        to_status: Set(to),
        changed_by: Set(actor.user_id),
        reason: Set(reason.clone()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let vars = vec![("first_name", user.first_name.clone()), ("last_name", user.last_name.clone())];
    match t {
        Transition::Approve => {
            let mut vars = vars;
            vars.push(("link", mailer.link("/sign-in")));
            mailer.send(&txn, TemplateKey::RegistrationApproved, &user.email, vars).await?;
        }
        Transition::Reject { .. } => {
            let mut vars = vars;
            vars.push(("reason", reason.unwrap_or_default()));
            mailer.send(&txn, TemplateKey::RegistrationRejected, &user.email, vars).await?;
            sessions::delete_all_for_user(&txn, user_id).await?;
        }
        Transition::Deactivate | Transition::Activate => {}
    }
    let action = format!("developer.{}", verb(&t));
    let summary = format!("{} {}", capitalised(verb(&t)), user.email);
    let event = Event::developer(&action, user_id, &user.email, user.org_id, summary).change(
        "status",
        label(user.status),
        label(to),
    );
    audit::record(&txn, Some(actor), event).await?;
    search_index::refresh(&txn, &[user_id]).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!(by = %actor.user_id, from = label(user.status), to = label(to), "account status changed");
    user::Entity::find_by_id(user_id).one(db).await?.ok_or(DomainError::NotFound)
}

/// The status history of a user, newest first. Portal admins only.
pub async fn history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    user_id: Uuid,
) -> DomainResult<Vec<user_status_change::Model>> {
    actor.require_portal_admin()?;
    Ok(user_status_change::Entity::find()
        .filter(user_status_change::Column::UserId.eq(user_id))
        .order_by_desc(user_status_change::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Every active portal admin: who is told when something waits for a decision.
pub async fn active_admins(db: &impl ConnectionTrait) -> DomainResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::PortalRole.eq(PortalRole::Admin))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .all(db)
        .await?)
}

/// Tells every active portal admin that a registration waits for approval.
pub async fn notify_admins_of_registration(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    applicant: &user::Model,
) -> DomainResult<()> {
    let admins = active_admins(db).await?;
    for admin in admins {
        let vars = vec![
            ("first_name", admin.first_name.clone()),
            ("last_name", admin.last_name.clone()),
            ("applicant_name", format!("{} {}", applicant.first_name, applicant.last_name)),
            ("applicant_email", applicant.email.clone()),
            ("link", mailer.link("/admin/developers")),
        ];
        mailer.send(db, TemplateKey::RegistrationReceived, &admin.email, vars).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use UserStatus::*;

    #[test]
    fn the_state_machine_allows_exactly_its_edges() {
        let reject = Transition::Reject { reason: None };
        assert_eq!(next(Pending, &Transition::Approve).unwrap(), Active);
        assert_eq!(next(Pending, &reject).unwrap(), Rejected);
        assert_eq!(next(Active, &Transition::Deactivate).unwrap(), Inactive);
        assert_eq!(next(Inactive, &Transition::Activate).unwrap(), Active);
        for (from, t) in [
            (Active, Transition::Approve),
            (Rejected, Transition::Approve),
            (Active, reject.clone()),
            (Inactive, reject),
            (Pending, Transition::Deactivate),
            (Pending, Transition::Activate),
            (Rejected, Transition::Activate),
            (Active, Transition::Activate),
            (Inactive, Transition::Deactivate),
        ] {
            assert!(next(from, &t).is_err(), "{from:?} --{t:?}--> must be refused");
        }
    }
}
