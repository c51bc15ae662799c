//! [`AppError`]: the one error type that crosses the wire.
//!
//! The host maps its domain errors into it in one place and takes the HTTP status from
//! [`AppError::status_code`]; the client shows [`AppError`]'s `Display` text to people.
//! Internal details never travel: an internal failure carries only a reference that
//! matches the host's log line.

use crate::input::FieldError;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum AppError {
    /// One or more inputs broke a rule; each names its field.
    #[error("{}", summary(.0))]
    Invalid(Vec<FieldError>),
    /// Sign-in failed. Deliberately the same whether or not the email exists.
    #[error("The email or password is not correct.")]
    InvalidCredentials,
    /// The account exists but an admin has not approved it yet.
    #[error(
        "Your account is waiting for an administrator's approval. You will get an email once it is approved."
    )]
    AccountPending,
    /// The account was not approved or is closed.
    #[error(
        "This account cannot sign in. Contact the portal's administrators if you think this is a mistake."
    )]
    AccountDisabled,
    /// The caller must sign in first (or the session has ended).
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in with a password an admin set: nothing else until it is changed.
    #[error("Please choose a new password before you continue.")]
    PasswordChangeRequired,
    /// Signed in, but not allowed to do this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("Not found.")]
    NotFound,
    /// The change clashes with what is stored (e.g. a duplicate email).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again after the given number of seconds.
    #[error("Too many attempts. Try again in {0} seconds.")]
    RateLimited(u64),
    /// A request from another site was refused (cross-site request forgery protection).
    #[error("This request came from another site and was refused.")]
    CrossSite,
    /// Something failed on the host. The reference matches the host's log line.
    #[error("Something went wrong on our side (reference {0}). Please try again.")]
    Internal(String),
    /// The request did not reach the host, or its answer could not be read.
    #[error("Could not reach the portal: {0}")]
    Transport(String),
}

fn summary(errors: &[FieldError]) -> String {
    match errors {
        [one] => one.message.clone(),
        _ => "Please correct the highlighted fields.".to_owned(),
    }
}

impl AppError {
    /// The single mapping from error to HTTP status.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Invalid(_) => 422,
            Self::InvalidCredentials | Self::Unauthenticated => 401,
            Self::AccountPending
            | Self::AccountDisabled
            | Self::Forbidden
            | Self::CrossSite
            | Self::PasswordChangeRequired => 403,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::RateLimited(_) => 429,
            Self::Internal(_) => 500,
            Self::Transport(_) => 502,
        }
    }

    /// One broken rule on one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// The message for one form field, if this error names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.message.clone()),
            _ => None,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(e: Vec<FieldError>) -> Self {
        Self::Invalid(e)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not decode are bad input, not a transport failure.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                Self::invalid("request", format!("The request was malformed: {m}"))
            }
            ServerFnErrorErr::ServerError(m) => Self::Internal(m),
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_distinct_per_kind() {
        assert_eq!(AppError::InvalidCredentials.status_code(), 401);
        assert_eq!(AppError::Forbidden.status_code(), 403);
        assert_eq!(AppError::invalid("email", "x").status_code(), 422);
        assert_eq!(AppError::Conflict("dup".into()).status_code(), 409);
        assert_eq!(AppError::RateLimited(3).status_code(), 429);
    }

    #[test]
    fn error_round_trips_through_the_wire_encoding() {
        let e =
            AppError::Invalid(vec![FieldError::new("email", "bad"), FieldError::new("password", "short")]);
        let back = AppError::de(e.ser());
        assert_eq!(back, e);
        assert_eq!(back.field_message("password").as_deref(), Some("short"));
        assert_eq!(back.to_string(), "Please correct the highlighted fields.");
    }

    #[test]
    fn undecodable_error_body_becomes_transport_error() {
        let e = AppError::de(bytes_of("<html>502 Bad Gateway</html>"));
        assert!(matches!(e, AppError::Transport(_)), "{e:?}");
    }

    fn bytes_of(s: &'static str) -> server_fn::Bytes {
        server_fn::Bytes::from_static(s.as_bytes())
    }
}
