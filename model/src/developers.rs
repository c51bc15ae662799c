//! Admin developer management on the wire: the live search (query, page), a developer's
//! profile with custom attributes and subscriptions, edits, the delete preview, and the
//! audit log. The input rules (`DeveloperEdit::parse`, `AttributeInput::parse`) run in
//! the browser and again on the host.

use crate::catalog::{AccessRequestView, AppView, Plan};
use crate::dto::{AccountStatus, ConsumerRole, PortalRole, UserSummary};
use crate::ids::{AccessRequestId, OrgId, TeamId, UserId};
use crate::input::{Email, FieldError, PersonName};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many custom attributes a developer may have.
pub const MAX_ATTRIBUTES: usize = 18;
/// The longest attribute name.
pub const MAX_ATTRIBUTE_NAME: usize = 64;
/// The longest attribute value.
pub const MAX_ATTRIBUTE_VALUE: usize = 1024;
/// The most rows a search page holds.
pub const MAX_PAGE: u32 = 100;
/// Matches are counted up to this many; beyond, the list says "1,000+".
pub const COUNT_CAP: u32 = 1000;

/// The order of the developers list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum DeveloperSort {
    #[default]
    Newest,
    Oldest,
    Name,
    Email,
}

impl DeveloperSort {
    pub const ALL: [Self; 4] = [Self::Newest, Self::Oldest, Self::Name, Self::Email];

    pub fn label(self) -> &'static str {
        match self {
            Self::Newest => "Newest first",
            Self::Oldest => "Oldest first",
            Self::Name => "Name",
            Self::Email => "Email",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Name => "name",
            Self::Email => "email",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// What the developers list asks for: text typed so far (names, email, username,
/// organisation, team, attribute values, key prefix), filters, order, and the page
/// after `after` (an opaque cursor from the previous page).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeveloperQuery {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub status: Option<AccountStatus>,
    #[serde(default)]
    pub org_id: Option<OrgId>,
    #[serde(default)]
    pub sort: DeveloperSort,
    #[serde(default)]
    pub after: Option<String>,
    /// Rows per page (1 to [`MAX_PAGE`]; 0 means the default, 25).
    #[serde(default)]
    pub limit: u32,
}

impl DeveloperQuery {
    /// The page size to use.
    pub fn page_size(&self) -> u32 {
        match self.limit {
            0 => 25,
            n => n.min(MAX_PAGE),
        }
    }
}

/// One page of developers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeveloperPage {
    pub rows: Vec<UserSummary>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// Matches counted, at most [`COUNT_CAP`].
    pub matched: u32,
    /// More than [`COUNT_CAP`] match.
    pub more: bool,
    /// When the host read the page (for "pending for 2 days").
    pub as_of: DateTime<Utc>,
}

impl DeveloperPage {
    /// "1 developer", "240 developers", "1,000+ developers".
    pub fn count_label(&self) -> String {
        match (self.more, self.matched) {
            (true, _) => format!("{}+ developers", crate::catalog::thousands(u64::from(COUNT_CAP))),
            (false, 1) => "1 developer".to_owned(),
            (false, n) => format!("{} developers", crate::catalog::thousands(u64::from(n))),
        }
    }
}

/// A custom attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Attribute {
    pub name: String,
    pub value: String,
    pub updated_at: DateTime<Utc>,
}

/// A checked attribute: a name of letters, digits, `_`, `-` and `.` starting with a
/// letter (at most 64), and a value of at most 1,024 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeInput {
    pub name: String,
    pub value: String,
}

impl AttributeInput {
    pub fn parse(name: &str, value: &str) -> Result<Self, Vec<FieldError>> {
        let name = name.trim();
        let mut errors = Vec::new();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Enter a name."));
        } else if name.chars().count() > MAX_ATTRIBUTE_NAME {
            errors.push(FieldError::new("name", "Keep the name to 64 characters."));
        } else if !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            errors.push(FieldError::new(
                "name",
                "Start with a letter; use letters, digits, '_', '-' and '.' only.",
            ));
        }
        if value.chars().count() > MAX_ATTRIBUTE_VALUE {
            errors.push(FieldError::new("value", "Keep the value to 1,024 characters."));
        }
        if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            errors.push(FieldError::new("value", "The value cannot hold control characters."));
        }
        if errors.is_empty() {
            Ok(Self { name: name.to_owned(), value: value.to_owned() })
        } else {
            Err(errors)
        }
    }
}

/// A checked username: 3 to 32 of a–z, 0–9, `.`, `_` and `-`, starting with a letter or
/// digit; stored lower-cased. Empty means none.
pub fn parse_username(raw: &str) -> Result<Option<String>, FieldError> {
    let name = raw.trim().to_lowercase();
    if name.is_empty() {
        return Ok(None);
    }
    let ok_chars =
        name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=32).contains(&name.chars().count()) {
        Err(FieldError::new("username", "Use 3 to 32 characters."))
    } else if !ok_chars || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        Err(FieldError::new(
            "username",
            "Use letters, digits, '.', '_' and '-', starting with a letter or digit.",
        ))
    } else {
        Ok(Some(name))
    }
}

/// An admin's "Add user": EITHER `password` (with `must_change`) OR `send_invite`,
/// never both and never neither; in `org_id`'s organisation (default: the portal's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewDeveloper {
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
    pub first_name: String,
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
    pub last_name: String,
    #[cfg_attr(feature = "schema", schemars(email))]
    pub email: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub must_change: bool,
    #[serde(default)]
    pub send_invite: bool,
    #[serde(default)]
    pub org_id: Option<OrgId>,
}

/// An admin's edit of a developer's fields (never their keys).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeveloperEdit {
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
    pub first_name: String,
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
    pub last_name: String,
    #[cfg_attr(feature = "schema", schemars(email))]
    pub email: String,
    #[serde(default)]
    pub username: String,
}

/// [`DeveloperEdit`] checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeveloperEditInput {
    pub first_name: String,
    pub last_name: String,
    pub email: Email,
    pub username: Option<String>,
}

impl DeveloperEdit {
    pub fn parse(&self) -> Result<DeveloperEditInput, Vec<FieldError>> {
        let first = PersonName::parse("first_name", &self.first_name);
        let last = PersonName::parse("last_name", &self.last_name);
        let email = Email::parse(&self.email);
        let username = parse_username(&self.username);
        match (first, last, email, username) {
            (Ok(first), Ok(last), Ok(email), Ok(username)) => Ok(DeveloperEditInput {
                first_name: first.as_str().to_owned(),
                last_name: last.as_str().to_owned(),
                email,
                username,
            }),
            (first, last, email, username) => {
                Err([first.err(), last.err(), email.err(), username.err()].into_iter().flatten().collect())
            }
        }
    }
}

/// A team by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TeamRef {
    pub id: TeamId,
    pub name: String,
}

/// An approved (or pending) access of one of the developer's apps: its plan, and the
/// other plans of the same catalog it could move to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Subscription {
    pub request: AccessRequestView,
    /// The catalog's other plans (upgrade / downgrade), without the current one.
    pub other_plans: Vec<Plan>,
}

/// A developer as Admin → Developers → a developer shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeveloperProfile {
    pub id: UserId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub gravatar_hash: String,
    pub role: PortalRole,
    pub status: AccountStatus,
    /// When the status last changed ("pending for 2 days").
    pub status_since: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_is_default: bool,
    pub org_role: ConsumerRole,
    pub teams: Vec<TeamRef>,
    pub attributes: Vec<Attribute>,
    /// Apps the developer made (or owns), not deleted.
    pub apps: Vec<AppView>,
    pub subscriptions: Vec<Subscription>,
    /// The newest entries about this developer.
    pub audit: Vec<AuditEntry>,
    /// When the profile was read (for "registered 3 months ago").
    pub as_of: DateTime<Utc>,
}

impl DeveloperProfile {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// "active · registered 3 months ago", "pending for 2 days".
    pub fn status_line(&self) -> String {
        let since = crate::time::span(self.as_of - self.status_since);
        let registered = crate::time::span(self.as_of - self.created_at);
        match self.status {
            AccountStatus::Pending => format!("pending for {since}"),
            AccountStatus::Active => format!("active · registered {registered} ago"),
            AccountStatus::Inactive => format!("inactive for {since} · registered {registered} ago"),
            AccountStatus::Rejected => format!("rejected {since} ago"),
        }
    }
}

/// What deleting a developer removes, listed before anyone confirms.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeletePreview {
    pub email: String,
    /// Apps that go with the developer (their own apps and the shared apps only they used
    /// are not included: shared apps stay with the organisation).
    pub apps: Vec<String>,
    /// Keys the developer made that stop working.
    pub keys: u32,
    /// Access requests of those apps still waiting for a decision.
    pub pending_requests: u32,
    /// "Acme — Payments team", one per team membership.
    pub memberships: Vec<String>,
    /// Invitations the developer sent that are still open.
    pub invitations: u32,
    /// Sessions that end.
    pub sessions: u32,
}

/// One audit-log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_label: String,
    pub summary: String,
    /// Field → (before, after), for edits.
    pub changes: Vec<FieldChange>,
}

/// One field of an edit, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Filters of the audit log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditQuery {
    /// Part of an action name (`developer.`, `key.revoke`).
    #[serde(default)]
    pub action: String,
    /// Part of the actor's email.
    #[serde(default)]
    pub actor: String,
    /// Part of the target's name or email.
    #[serde(default)]
    pub target: String,
    /// Entries older than this (paging by time).
    #[serde(default)]
    pub before: Option<DateTime<Utc>>,
}

/// A plan change of a subscription, as chosen by an admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlanChange {
    pub request_id: AccessRequestId,
    pub plan_id: crate::ids::PlanId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_and_values_are_checked() {
        assert!(AttributeInput::parse("tier", "gold").is_ok());
        assert!(AttributeInput::parse("crm.account-id_2", "").is_ok());
        assert_eq!(AttributeInput::parse(" region ", "eu").unwrap().name, "region");
        for bad in ["", "2fa", "has space", "ünïcode", &"x".repeat(65)] {
            assert!(AttributeInput::parse(bad, "v").is_err(), "{bad:?}");
        }
        assert!(AttributeInput::parse("notes", &"v".repeat(1024)).is_ok());
        assert!(AttributeInput::parse("notes", &"v".repeat(1025)).is_err());
        assert!(AttributeInput::parse("notes", "line\nbreak").is_ok());
        assert!(AttributeInput::parse("notes", "bell\u{7}").is_err());
    }

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(parse_username(" Ada.L ").unwrap().as_deref(), Some("ada.l"));
        assert_eq!(parse_username("").unwrap(), None);
        for bad in ["ab", "-ada", "ada lovelace", &"a".repeat(33), "ada@home"] {
            assert!(parse_username(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn counts_read_naturally() {
        let page =
            |matched, more| DeveloperPage { rows: vec![], next: None, matched, more, as_of: Utc::now() };
        assert_eq!(page(1, false).count_label(), "1 developer");
        assert_eq!(page(240, false).count_label(), "240 developers");
        assert_eq!(page(1000, true).count_label(), "1,000+ developers");
    }
}
