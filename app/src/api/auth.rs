//! Sign-up, sign-in, sign-out and "who am I".

use leptos::prelude::*;
use portico_model::{AppError, Me, SignUpOutcome};

/// Creates a developer account. Signed in at once when registrations are auto-approved.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    first_name: String,
    last_name: String,
    email: String,
    password: String,
) -> Result<SignUpOutcome, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::entities::user::UserStatus;
    use portico_domain::services::accounts;

    let input = portico_model::SignUpInput::parse(&first_name, &last_name, &email, &password)?;
    let be = backend::get()?;
    let user = accounts::sign_up(&be.db, &be.hasher, input).await?;
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
