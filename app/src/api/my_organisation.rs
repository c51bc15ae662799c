//! My organisation: the consumer side. Individuals register an organisation; super
//! admins invite teammates and manage members; team members read. Each service checks
//! the caller's organisation and role, so one organisation never reaches another.

use leptos::prelude::*;
use portico_model::{AppError, ConsumerRole, InvitationSummary, MyOrganisation, OrgStatus, UserId};

/// The caller's organisation, or their own registration while they are an individual.
#[server(endpoint = "get_my_organisation")]
pub async fn get_my_organisation() -> Result<MyOrganisation, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::{org_members, org_registration, organisations, settings};

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let home = organisations::default_org(&be.db).await?;
    let can_register = settings::org_registration(&be.db).await?;
    if actor.org_id == home.id {
        let request = match org_registration::my_request(&be.db, &actor).await? {
            Some(org) => {
                let requester = organisations::requester_of(&be.db, &org).await?;
                Some(convert::org_summary(organisations::OrgSummary { org, members: 0, teams: 0, requester }))
            }
            None => None,
        };
        return Ok(MyOrganisation { org: None, request, can_register });
    }
    let detail = org_members::my_organisation(&be.db, &actor).await?;
    Ok(MyOrganisation { org: Some(convert::org_detail(detail)), request: None, can_register })
}

/// An individual asks for an organisation of their own: active at once (they become its
/// super admin) when registrations are auto-approved, otherwise pending.
#[server(endpoint = "request_organisation")]
pub async fn request_organisation(name: String) -> Result<OrgStatus, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::org_registration::{self, Requested};

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(match org_registration::request(&be.db, &be.mailer, &actor, &name).await? {
        Requested::Active(_) => OrgStatus::Active,
        Requested::Pending(_) => OrgStatus::Pending,
    })
}

/// A super admin invites a teammate by email into their organisation with a role.
#[server(endpoint = "invite_teammate")]
pub async fn invite_teammate(
    first_name: String,
    last_name: String,
    email: String,
    role: ConsumerRole,
) -> Result<InvitationSummary, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::invitations::{self, Invitee};
    use portico_model::{Email, PersonName};

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let (first, last, mail) = (
        PersonName::parse("first_name", &first_name),
        PersonName::parse("last_name", &last_name),
        Email::parse(&email),
    );
    let invitee = match (first, last, mail) {
        (Ok(first_name), Ok(last_name), Ok(email)) => Invitee { first_name, last_name, email },
        (f, l, e) => {
            return Err(AppError::Invalid([f.err(), l.err(), e.err()].into_iter().flatten().collect()));
        }
    };
    let inv = invitations::invite_teammate(
        &be.db,
        &be.mailer,
        &actor,
        invitee,
        convert::org_role(role),
        be.invite_ttl,
    )
    .await?;
    Ok(convert::invitation(inv))
}

/// The open invitations into the caller's organisation. Super admins only.
#[server(endpoint = "list_team_invitations")]
pub async fn list_team_invitations() -> Result<Vec<InvitationSummary>, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::invitations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(invitations::list_for_my_org(&be.db, &actor).await?.into_iter().map(convert::invitation).collect())
}

/// A super admin changes a member's names and role.
#[server(endpoint = "update_member")]
pub async fn update_member(
    id: UserId,
    first_name: String,
    last_name: String,
    role: ConsumerRole,
) -> Result<(), AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::org_members::{self, MemberChange};
    use portico_model::PersonName;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let (first, last) =
        (PersonName::parse("first_name", &first_name), PersonName::parse("last_name", &last_name));
    let change = match (first, last) {
        (Ok(first_name), Ok(last_name)) => {
            MemberChange { first_name, last_name, role: convert::org_role(role) }
        }
        (f, l) => return Err(AppError::Invalid([f.err(), l.err()].into_iter().flatten().collect())),
    };
    org_members::update_member(&be.db, &actor, id.0, change).await?;
    Ok(())
}

/// A super admin removes a member: they become an individual; their apps stay.
#[server(endpoint = "remove_member")]
pub async fn remove_member(id: UserId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::org_members;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    org_members::remove_member(&be.db, &actor, id.0).await?;
    Ok(())
}
