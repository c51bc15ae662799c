//! Input newtypes: parse, don't validate.
//!
//! Each `parse` is the single statement of a rule. The sign-up form calls it on every
//! keystroke for inline feedback; the host calls it again before anything is stored.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A rule an input broke: which field, and a sentence a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An email address, trimmed and lower-cased (addresses are compared case-insensitively).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_lowercase();
        let err = |m: &str| Err(FieldError::new("email", m));
        if value.is_empty() {
            return err("Enter your email address.");
        }
        if value.len() > Self::MAX_LEN {
            return err("That email address is too long.");
        }
        let Some((local, domain)) = value.split_once('@') else {
            return err("Enter an email address like name@example.com.");
        };
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || !domain_ok || value.chars().any(char::is_whitespace) {
            return err("Enter an email address like name@example.com.");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed. NIST SP 800-63B: at least 8 characters, long ones allowed,
/// no composition rules. Never printed: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Generous, but bounded so a request cannot make the host hash megabytes.
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::parse_field("password", raw)
    }

    /// Same rule, reported against another form field (e.g. `new_password`).
    pub fn parse_field(field: &str, raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(FieldError::new(field, format!("Use at least {} characters.", Self::MIN_CHARS)));
        }
        if chars > Self::MAX_CHARS {
            return Err(FieldError::new(field, format!("Use at most {} characters.", Self::MAX_CHARS)));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A first or last name: trimmed, 1 to 100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        short_text(field, raw, Self::MAX_CHARS, "This field is required.").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organisation's or a team's name: trimmed, 1 to 100 characters, no control
/// characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupName(String);

impl GroupName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        short_text(field, raw, Self::MAX_CHARS, "Enter a name.").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A trimmed, non-empty line of at most `max` characters without control characters.
pub(crate) fn short_text(field: &str, raw: &str, max: usize, when_empty: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, when_empty));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("Use at most {max} characters.")));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "Remove the control characters."));
    }
    Ok(value.to_owned())
}

/// A validated sign-up form: the shape the domain accepts.
#[derive(Clone, Debug)]
pub struct SignUpInput {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub password: Password,
}

impl SignUpInput {
    /// Parses every field, reporting every broken rule at once (not just the first).
    pub fn parse(
        first_name: &str,
        last_name: &str,
        email: &str,
        password: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let first = PersonName::parse("first_name", first_name);
        let last = PersonName::parse("last_name", last_name);
        let email = Email::parse(email);
        let password = Password::parse(password);
        match (first, last, email, password) {
            (Ok(first_name), Ok(last_name), Ok(email), Ok(password)) => {
                Ok(Self { first_name, last_name, email, password })
            }
            (first, last, email, password) => {
                Err([first.err(), last.err(), email.err(), password.err()].into_iter().flatten().collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in ["", "ada", "@example.com", "ada@", "ada@exa mple.com", "ada@.com", "ada@example..com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn password_length_rules_without_composition_rules() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("aaaaaaaa").is_ok(), "no composition rules");
        assert!(Password::parse(&"x".repeat(64)).is_ok(), "at least 64 allowed");
        assert!(Password::parse(&"x".repeat(129)).is_err());
        // Counted in characters, not bytes.
        assert!(Password::parse("ééééééé").is_err());
        assert_eq!(format!("{:?}", Password::parse("hunter2hunter2").unwrap()), "Password(<redacted>)");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("first_name", "  Ada ").unwrap().as_str(), "Ada");
        assert_eq!(PersonName::parse("first_name", "   ").unwrap_err().field, "first_name");
        assert!(PersonName::parse("last_name", &"x".repeat(101)).is_err());
        assert!(PersonName::parse("last_name", "a\u{0007}b").is_err());
    }

    #[test]
    fn group_names_are_trimmed_and_bounded() {
        assert_eq!(GroupName::parse("name", " Acme  ").unwrap().as_str(), "Acme");
        assert_eq!(GroupName::parse("name", "").unwrap_err().field, "name");
        assert!(GroupName::parse("name", &"x".repeat(101)).is_err());
    }

    #[test]
    fn sign_up_reports_every_broken_field() {
        let errors = SignUpInput::parse("", "Lovelace", "nope", "short").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "email", "password"]);
    }
}
