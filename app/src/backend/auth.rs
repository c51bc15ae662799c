//! The caller's session: reading the cookie, resolving it, starting and ending sessions.
//!
//! The cookie carries a 128-bit random id, `HttpOnly`, `SameSite=Lax`, `Path=/`, and
//! `Secure` when the public URL is https. Sign-in always issues a new id (and deletes
//! the one the browser presented), so a planted id never becomes a signed-in session.

use super::Backend;
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use portico_domain::entities::user;
use portico_domain::services::sessions;
use portico_domain::{Actor, DomainError};
use portico_model::AppError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "portico_session";

/// The session id the request carries, if any.
pub fn session_token() -> Option<String> {
    let parts = use_context::<Parts>()?;
    token_from_headers(&parts.headers)
}

/// Finds our cookie among the request's `Cookie` headers.
pub fn token_from_headers(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The signed-in user behind this request, if the session is alive.
pub async fn current_user(be: &Backend) -> Result<Option<user::Model>, AppError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    Ok(sessions::resolve(&be.db, &token, be.sessions).await?)
}

/// The signed-in caller, or `Unauthenticated`. A user who must change their password
/// can do nothing else (`PasswordChangeRequired`) until they have.
pub async fn require_user(be: &Backend) -> Result<Actor, AppError> {
    let user = require_user_model(be).await?;
    if user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(Actor::from(&user))
}

/// The signed-in caller even if they must change their password (for changing it).
pub async fn require_user_model(be: &Backend) -> Result<user::Model, AppError> {
    match current_user(be).await? {
        Some(user) => Ok(user),
        None => Err(DomainError::Unauthenticated.into()),
    }
}

/// Starts a fresh session for `user` and sets its cookie, ending the session the
/// browser presented (if any).
pub async fn start_session(be: &Backend, user: &user::Model) -> Result<(), AppError> {
    if let Some(old) = session_token() {
        sessions::delete(&be.db, &old).await?;
    }
    let token = sessions::create(&be.db, user.id, be.sessions).await?;
    set_cookie(&cookie(be, &token, be.sessions.absolute.num_seconds()));
    tracing::info!(user.id = %user.id, "signed in");
    Ok(())
}

/// Deletes the presented session and clears the cookie.
pub async fn end_session(be: &Backend) -> Result<(), AppError> {
    if let Some(token) = session_token() {
        sessions::delete(&be.db, &token).await?;
    }
    set_cookie(&cookie(be, "", 0));
    Ok(())
}

fn cookie(be: &Backend, value: &str, max_age: i64) -> String {
    let secure = if be.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

fn set_cookie(value: &str) {
    match (use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
        (Some(response), Ok(v)) => response.append_header(SET_COOKIE, v),
        _ => tracing::error!("cannot set the session cookie on this response"),
    }
}
