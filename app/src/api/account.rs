//! The signed-in user's own account: names, password, email address.

use leptos::prelude::*;
use portico_model::{AppError, Me};

/// Changes the caller's first and last name.
#[server(endpoint = "update_profile")]
pub async fn update_profile(first_name: String, last_name: String) -> Result<Me, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::profile;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let user = profile::update_names(&be.db, &actor, &first_name, &last_name).await?;
    backend::me(&be, &user).await
}

/// Changes the caller's password (the current one is required). Allowed, and required,
/// when an admin set the password with "must change".
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<Me, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::Actor;
    use portico_domain::services::{accounts, passwords};

    let be = backend::get()?;
    let user = auth::require_user_model(&be).await?;
    let session = auth::session_token();
    passwords::change(
        &be.db,
        &be.hasher,
        &be.mailer,
        &Actor::from(&user),
        session.as_deref(),
        &current_password,
        &new_password,
    )
    .await?;
    let user = accounts::get(&be.db, user.id).await?;
    backend::me(&be, &user).await
}

/// Mails a confirmation link to a new address; the change happens when it is used.
#[server(endpoint = "request_email_change")]
pub async fn request_email_change(new_email: String) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::profile;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    profile::request_email_change(&be.db, &be.mailer, &actor, &new_email).await?;
    Ok(())
}

/// Applies an email change from its link (the token is the authority).
#[server(endpoint = "confirm_email_change")]
pub async fn confirm_email_change(token: String) -> Result<String, AppError> {
    use crate::backend;
    use portico_domain::services::profile;

    let be = backend::get()?;
    let user = profile::confirm_email_change(&be.db, &token).await?;
    Ok(user.email)
}
