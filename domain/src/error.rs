//! [`DomainError`] and its one mapping to the wire error.

use portico_model::{AppError, FieldError};
use sea_orm::{DbErr, SqlErr};

/// Everything a domain service can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account pending approval")]
    AccountPending,
    #[error("account cannot sign in")]
    AccountDisabled,
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl DomainError {
    /// Whether a database error is a unique-constraint violation (a lost race for a
    /// unique value such as an email address).
    pub fn is_unique_violation(err: &DbErr) -> bool {
        matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
    }
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

impl From<Vec<FieldError>> for DomainError {
    fn from(e: Vec<FieldError>) -> Self {
        Self::Invalid(e)
    }
}

impl From<DomainError> for AppError {
    /// The one place a domain error becomes a wire error. Internal details are logged
    /// here, with a reference the user sees, and never sent.
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound => AppError::NotFound,
            DomainError::Unauthenticated => AppError::Unauthenticated,
            DomainError::Forbidden => AppError::Forbidden,
            DomainError::Conflict(m) => AppError::Conflict(m),
            DomainError::Invalid(errors) => AppError::Invalid(errors),
            DomainError::InvalidCredentials => AppError::InvalidCredentials,
            DomainError::AccountPending => AppError::AccountPending,
            DomainError::AccountDisabled => AppError::AccountDisabled,
            DomainError::Db(_) | DomainError::Internal(_) => {
                let reference = crate::secret::short_reference();
                tracing::error!(error = %e, reference, "internal error");
                AppError::Internal(reference)
            }
        }
    }
}
