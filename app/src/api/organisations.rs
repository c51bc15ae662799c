//! Admin → Organisations: organisations, their teams and memberships. Portal admins
//! only (an organisation's own members may read its details); each service checks it.

use leptos::prelude::*;
use portico_model::{
    AppError, ConsumerRole, InviteCodeId, InviteCodeSummary, NewInviteCode, OrgDetail, OrgId, OrgStatus,
    OrgSummary, TeamId, UserId,
};

/// Organisations matching `search` in their name, optionally of one status.
#[server(endpoint = "list_organisations")]
pub async fn list_organisations(
    search: Option<String>,
    status: Option<OrgStatus>,
) -> Result<Vec<OrgSummary>, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let rows = organisations::list(&be.db, &actor, search.as_deref(), status.map(convert::domain_org_status))
        .await?;
    Ok(rows.into_iter().map(convert::org_summary).collect())
}

/// One organisation with its teams and members.
#[server(endpoint = "get_organisation")]
pub async fn get_organisation(id: OrgId) -> Result<OrgDetail, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(convert::org_detail(organisations::detail(&be.db, &actor, id.0).await?))
}

/// Creates an active organisation with its default team.
#[server(endpoint = "create_organisation")]
pub async fn create_organisation(name: String) -> Result<OrgId, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(organisations::create(&be.db, &actor, &name).await?.id.into())
}

/// Renames an organisation.
#[server(endpoint = "rename_organisation")]
pub async fn rename_organisation(id: OrgId, name: String) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    organisations::rename(&be.db, &actor, id.0, &name).await?;
    Ok(())
}

/// Activates (`active = true`) or deactivates an organisation.
#[server(endpoint = "set_organisation_active")]
pub async fn set_organisation_active(id: OrgId, active: bool) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    organisations::set_active(&be.db, &actor, id.0, active).await?;
    Ok(())
}

/// A new team in an organisation.
#[server(endpoint = "create_team")]
pub async fn create_team(org_id: OrgId, name: String) -> Result<TeamId, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(organisations::create_team(&be.db, &actor, org_id.0, &name).await?.id.into())
}

/// Renames a team.
#[server(endpoint = "rename_team")]
pub async fn rename_team(id: TeamId, name: String) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    organisations::rename_team(&be.db, &actor, id.0, &name).await?;
    Ok(())
}

/// Deletes a team; its members move to the default team.
#[server(endpoint = "delete_team")]
pub async fn delete_team(id: TeamId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    organisations::delete_team(&be.db, &actor, id.0).await?;
    Ok(())
}

/// Puts a user in a team of their organisation (`member = true`) or takes them out.
#[server(endpoint = "set_team_member")]
pub async fn set_team_member(team_id: TeamId, user_id: UserId, member: bool) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    if member {
        organisations::add_to_team(&be.db, &actor, team_id.0, user_id.0).await?;
    } else {
        organisations::remove_from_team(&be.db, &actor, team_id.0, user_id.0).await?;
    }
    Ok(())
}

/// Moves a user to an organisation, into some of its teams, with a consumer role.
#[server(endpoint = "assign_user")]
pub async fn assign_user(
    user_id: UserId,
    org_id: OrgId,
    // No teams chosen: the form sends no field at all; the default team is used.
    #[server(default)] team_ids: Vec<TeamId>,
    role: ConsumerRole,
) -> Result<(), AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::organisations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let teams: Vec<_> = team_ids.into_iter().map(|t| t.0).collect();
    organisations::assign(&be.db, &actor, user_id.0, org_id.0, &teams, convert::org_role(role)).await?;
    Ok(())
}

/// Approves (`approve = true`) or rejects a developer's organisation registration; the
/// requester is emailed the outcome.
#[server(endpoint = "decide_organisation")]
pub async fn decide_organisation(id: OrgId, approve: bool, reason: Option<String>) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::org_registration::{self, Decision};

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let decision = if approve { Decision::Approve } else { Decision::Reject { reason } };
    org_registration::decide(&be.db, &be.mailer, &actor, id.0, decision).await?;
    Ok(())
}

/// A new invite code for a team; the code is in the answer and nowhere else.
#[server(endpoint = "create_invite_code")]
pub async fn create_invite_code(
    team_id: TeamId,
    max_uses: Option<u32>,
    expires_in_days: Option<u32>,
) -> Result<NewInviteCode, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::invite_codes::{self, NewCode};
    use portico_model::FieldError;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let expires_at = match expires_in_days {
        None => None,
        Some(days @ 1..=365) => Some(chrono::Utc::now() + chrono::Duration::days(i64::from(days))),
        Some(_) => {
            return Err(FieldError::new("expires_in_days", "Choose between 1 and 365 days, or none.").into());
        }
    };
    let max_uses = max_uses.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    let (row, code) =
        invite_codes::create(&be.db, &actor, NewCode { team_id: team_id.0, max_uses, expires_at }).await?;
    let team = invite_codes::team_name(&be.db, row.team_id).await?;
    Ok(NewInviteCode { code, summary: convert::invite_code(row, team) })
}

/// The invite codes of an organisation, newest first.
#[server(endpoint = "list_invite_codes")]
pub async fn list_invite_codes(org_id: OrgId) -> Result<Vec<InviteCodeSummary>, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::invite_codes;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let rows = invite_codes::list(&be.db, &actor, org_id.0).await?;
    Ok(rows.into_iter().map(|(code, team)| convert::invite_code(code, team)).collect())
}

/// Stops an invite code from working.
#[server(endpoint = "revoke_invite_code")]
pub async fn revoke_invite_code(id: InviteCodeId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::invite_codes;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    invite_codes::revoke(&be.db, &actor, id.0).await?;
    Ok(())
}
