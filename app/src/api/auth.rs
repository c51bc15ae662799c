//! Sign-up, sign-in, sign-out and "who am I".

use leptos::prelude::*;
use portico_model::{AppError, InvitationPreview, Me, PortalInfo, SignUpOutcome};

/// Creates a developer account. Signed in at once when registrations are auto-approved.
/// With `invite_code` the account lands in the code's team; with `organisation` it also
/// registers an organisation of that name (when the portal allows it).
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    first_name: String,
    last_name: String,
    email: String,
    password: String,
    invite_code: Option<String>,
    organisation: Option<String>,
) -> Result<SignUpOutcome, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::entities::user::UserStatus;
    use portico_domain::services::accounts::{self, SignUpExtras};

    let input = portico_model::SignUpInput::parse(&first_name, &last_name, &email, &password)?;
    let be = backend::get()?;
    let blank_is_none = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let extras =
        SignUpExtras { invite_code: blank_is_none(invite_code), organisation: blank_is_none(organisation) };
    let user = accounts::sign_up_with(&be.db, &be.hasher, &be.mailer, input, extras).await?;
    if user.status == UserStatus::Pending {
        return Ok(SignUpOutcome::AwaitingApproval { email: user.email });
    }
    auth::start_session(&be, &user).await?;
    Ok(SignUpOutcome::SignedIn(backend::me(&be, &user).await?))
}

/// Signs in with email and password; a new session id replaces any previous one.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Me, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::accounts;

    let be = backend::get()?;
    let user = accounts::authenticate(&be.db, &be.hasher, &email, &password).await?;
    auth::start_session(&be, &user).await?;
    backend::me(&be, &user).await
}

/// Ends the caller's session (deleted on the host, cookie cleared).
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::backend::{self, auth};

    let be = backend::get()?;
    auth::end_session(&be).await
}

/// The signed-in user, or `None`.
#[server(endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<Me>, AppError> {
    use crate::backend::{self, auth};

    let be = backend::get()?;
    match auth::current_user(&be).await? {
        Some(user) => Ok(Some(backend::me(&be, &user).await?)),
        None => Ok(None),
    }
}

/// "Forgot password": always the same answer, whether or not the address has an
/// account; the work happens in the background so the timing says nothing either.
/// Rate limited per address and per client.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::backend;
    use portico_domain::services::passwords;

    let be = backend::get()?;
    let key = email.trim().to_lowercase();
    be.reset_per_email.check(&key).map_err(AppError::RateLimited)?;
    if let Some(addr) = backend::client_addr() {
        be.reset_per_client.check(&addr.to_string()).map_err(AppError::RateLimited)?;
    }
    tokio::spawn(async move {
        if let Err(e) = passwords::request_reset(&be.db, &be.mailer, &email).await {
            tracing::error!(error = %e, "password reset request failed");
        }
    });
    Ok(())
}

/// Sets a new password from a reset link; every session of the account ends.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    use crate::backend;
    use portico_domain::services::passwords;

    let be = backend::get()?;
    passwords::reset(&be.db, &be.hasher, &be.mailer, &token, &new_password).await?;
    Ok(())
}

/// What an invitation link prefills, or why it cannot be used.
#[server(endpoint = "get_invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationPreview, AppError> {
    use crate::backend;
    use portico_domain::entities::organisation;
    use portico_domain::services::invitations;
    use sea_orm::EntityTrait;

    let be = backend::get()?;
    let inv = invitations::peek(&be.db, &token).await?;
    let org = organisation::Entity::find_by_id(inv.org_id)
        .one(&be.db)
        .await
        .map_err(portico_domain::DomainError::from)?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(InvitationPreview {
        email: inv.email,
        first_name: inv.first_name,
        last_name: inv.last_name,
        organisation: org,
    })
}

/// Registers from an invitation link and signs the new user in.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    first_name: String,
    last_name: String,
    password: String,
) -> Result<Me, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::invitations;

    let be = backend::get()?;
    let user = invitations::accept(&be.db, &be.hasher, &token, &first_name, &last_name, &password).await?;
    auth::start_session(&be, &user).await?;
    backend::me(&be, &user).await
}

/// What every visitor may know about the portal (its name, for the header).
#[server(endpoint = "get_portal_info")]
pub async fn get_portal_info() -> Result<PortalInfo, AppError> {
    use crate::backend;
    use portico_domain::services::settings;

    let be = backend::get()?;
    let settings = settings::get(&be.db).await?;
    Ok(PortalInfo { portal_name: settings.portal_name, org_registration: settings.org_registration })
}
