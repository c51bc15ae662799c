//! Admin → Developers: approval, activation, adding users and invitations (the list
//! itself is `developers::search_developers`). Portal admins only; each service checks it again.

use leptos::prelude::*;
use portico_model::{AddUserOutcome, AppError, InvitationId, InvitationSummary, OrgId, UserId};

/// pending → active; the user is emailed.
#[server(endpoint = "approve_user")]
pub async fn approve_user(id: UserId) -> Result<(), AppError> {
    transition(id, Op::Approve, None).await
}

/// pending → rejected, with an optional reason for the email.
#[server(endpoint = "reject_user")]
pub async fn reject_user(id: UserId, reason: Option<String>) -> Result<(), AppError> {
    transition(id, Op::Reject, reason).await
}

/// active → inactive.
#[server(endpoint = "deactivate_user")]
pub async fn deactivate_user(id: UserId) -> Result<(), AppError> {
    transition(id, Op::Deactivate, None).await
}

/// inactive → active.
#[server(endpoint = "activate_user")]
pub async fn activate_user(id: UserId) -> Result<(), AppError> {
    transition(id, Op::Activate, None).await
}

#[cfg(feature = "ssr")]
enum Op {
    Approve,
    Reject,
    Deactivate,
    Activate,
}

#[cfg(feature = "ssr")]
async fn transition(id: UserId, op: Op, reason: Option<String>) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::lifecycle::{self, Transition};

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let t = match op {
        Op::Approve => Transition::Approve,
        Op::Reject => Transition::Reject { reason },
        Op::Deactivate => Transition::Deactivate,
        Op::Activate => Transition::Activate,
    };
    lifecycle::apply(&be.db, &be.mailer, &actor, id.0, t).await?;
    Ok(())
}

/// "Add user": EITHER `password` (with `must_change`) OR `send_invite` — never both,
/// never neither.
#[server(endpoint = "add_user")]
pub async fn add_user(
    first_name: String,
    last_name: String,
    email: String,
    password: Option<String>,
    must_change: bool,
    send_invite: bool,
    org_id: Option<OrgId>,
) -> Result<AddUserOutcome, AppError> {
    use crate::backend::{self, auth};
    use portico_model::NewDeveloper;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let new = NewDeveloper { first_name, last_name, email, password, must_change, send_invite, org_id };
    add(&be, &actor, new).await
}

/// "Add user" for any caller the host has identified (a session or an API token).
#[cfg(feature = "ssr")]
pub async fn add(
    be: &crate::backend::Backend,
    actor: &portico_domain::Actor,
    new: portico_model::NewDeveloper,
) -> Result<AddUserOutcome, AppError> {
    use crate::backend::convert;
    use portico_domain::services::admin::UserWithOrg;
    use portico_domain::services::invitations::{self, AddUser, Added, Credential};
    use portico_model::{Email, FieldError, Password, PersonName};

    actor.require_portal_admin()?;
    let password = new.password.filter(|p| !p.is_empty());
    let credential = match (password, new.send_invite) {
        (Some(_), true) => {
            return Err(FieldError::new(
                "credential",
                "Choose either a password or an invitation email, not both.",
            )
            .into());
        }
        (None, false) => {
            return Err(FieldError::new("credential", "Set a password or send an invitation email.").into());
        }
        (Some(p), false) => {
            Credential::Password { password: Password::parse(&p)?, must_change: new.must_change }
        }
        (None, true) => Credential::Invite,
    };
    let (first, last, mail) = (
        PersonName::parse("first_name", &new.first_name),
        PersonName::parse("last_name", &new.last_name),
        Email::parse(&new.email),
    );
    let (first_name, last_name, email) = match (first, last, mail) {
        (Ok(f), Ok(l), Ok(e)) => (f, l, e),
        (f, l, e) => {
            return Err(AppError::Invalid([f.err(), l.err(), e.err()].into_iter().flatten().collect()));
        }
    };
    let input = AddUser { first_name, last_name, email, credential };
    match invitations::add_user(
        &be.db,
        &be.hasher,
        &be.mailer,
        actor,
        input,
        new.org_id.map(|o| o.0),
        be.invite_ttl,
    )
    .await?
    {
        Added::User(user) => {
            let org = portico_domain::services::accounts::organisation_of(&be.db, &user).await?;
            Ok(AddUserOutcome::Created(convert::user_summary(UserWithOrg { user, org_name: org.name })))
        }
        Added::Invited(inv) => Ok(AddUserOutcome::Invited { email: inv.email }),
    }
}

/// Invitations not yet used or revoked.
#[server(endpoint = "list_invitations")]
pub async fn list_invitations() -> Result<Vec<InvitationSummary>, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::invitations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(invitations::list_pending(&be.db, &actor).await?.into_iter().map(convert::invitation).collect())
}

/// Emails a fresh link with a new expiry; the old link stops working.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(id: InvitationId) -> Result<InvitationSummary, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::services::invitations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(convert::invitation(invitations::resend(&be.db, &be.mailer, &actor, id.0, be.invite_ttl).await?))
}

/// Revokes an invitation at once.
#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(id: InvitationId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::invitations;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    invitations::revoke(&be.db, &actor, id.0).await?;
    Ok(())
}
