//! Admin API tokens on the wire: what Admin → Settings → API tokens lists, the token
//! shown once when made, and the rule for a token's name.

use crate::ids::ApiTokenId;
use crate::input::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A token's metadata; the token itself is never stored, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiTokenView {
    pub id: ApiTokenId,
    pub name: String,
    /// The token's first characters, e.g. `ptk_AbCd1234`, to tell tokens apart.
    pub prefix: String,
    /// The admin it acts as (their email).
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just made: its metadata and, this once, the token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewApiToken {
    pub token: ApiTokenView,
    pub secret: String,
}

/// The longest token name.
pub const TOKEN_NAME_MAX: usize = 80;

/// A token's name: what it is for ("CRM sync"), 1 to 80 characters, trimmed.
pub fn parse_token_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "Give the token a name that says what it is for."));
    }
    if name.chars().count() > TOKEN_NAME_MAX {
        return Err(FieldError::new("name", format!("Use at most {TOKEN_NAME_MAX} characters.")));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new("name", "The name cannot contain control characters."));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_token_name("  CRM sync ").as_deref(), Ok("CRM sync"));
        assert_eq!(parse_token_name("   ").map_err(|e| e.field), Err("name".to_owned()));
        assert!(parse_token_name(&"x".repeat(TOKEN_NAME_MAX)).is_ok());
        assert!(parse_token_name(&"x".repeat(TOKEN_NAME_MAX + 1)).is_err());
        assert!(parse_token_name("a\u{7}b").is_err());
    }
}
