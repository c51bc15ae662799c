//! Admin → Organisations: organisations, their teams and memberships. Portal admins
//! only (an organisation's own members may read its details); each service checks it.

use leptos::prelude::*;
use portico_model::{AppError, ConsumerRole, OrgDetail, OrgId, OrgStatus, OrgSummary, TeamId, UserId};

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
    Ok(rows.into_iter().map(|r| convert::org_summary(r.org, r.members, r.teams)).collect())
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
    team_ids: Vec<TeamId>,
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
