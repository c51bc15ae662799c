//! Data transfer objects returned by server functions. Built from entities by explicit
//! conversions on the host; never entities themselves.

use crate::ids::{InvitationId, InviteCodeId, MailId, OrgId, TeamId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which side of the portal a user is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum PortalRole {
    /// Provider side: manages the portal.
    Admin,
    /// Consumer side: uses the APIs.
    Developer,
}

/// Where an account is in its life: pending → active ⇄ inactive, pending → rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum AccountStatus {
    Pending,
    Active,
    Inactive,
    Rejected,
}

impl AccountStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Rejected => "rejected",
        }
    }
}

/// The signed-in user, as the client needs to know them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: PortalRole,
    pub status: AccountStatus,
    pub org_id: OrgId,
    pub org_name: String,
    /// The user's role inside their organisation.
    pub org_role: ConsumerRole,
    /// Still an individual: a member of the portal's default organisation.
    pub org_is_default: bool,
    /// Set when an admin chose the password: the user must change it first.
    pub must_change_password: bool,
    /// MD5 of the email, for the Gravatar picture (initials when there is none).
    pub gravatar_hash: String,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.role == PortalRole::Admin
    }

    /// Super admin of a real (not the default) organisation: may invite and manage members.
    pub fn is_org_super_admin(&self) -> bool {
        self.org_role == ConsumerRole::SuperAdmin && !self.org_is_default
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Two letters for the avatar when no picture is available.
    pub fn initials(&self) -> String {
        self.first_name
            .chars()
            .take(1)
            .chain(self.last_name.chars().take(1))
            .flat_map(char::to_uppercase)
            .collect()
    }
}

/// What happened to a sign-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum SignUpOutcome {
    /// The account is active and the caller is now signed in.
    SignedIn(Me),
    /// Registrations need an admin's approval; nobody is signed in yet.
    AwaitingApproval { email: String },
}

/// One row of the admin's user list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub username: Option<String>,
    pub role: PortalRole,
    pub status: AccountStatus,
    pub org_id: OrgId,
    pub org_name: String,
    pub created_at: DateTime<Utc>,
    /// When the status last changed.
    pub status_since: DateTime<Utc>,
}

/// The admin home page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdminOverview {
    pub users: u64,
    pub pending_users: u64,
    pub organisations: u64,
    /// Organisation registrations waiting for a decision.
    pub pending_organisations: u64,
    pub recent_users: Vec<UserSummary>,
}

/// What anyone may know about the portal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortalInfo {
    pub portal_name: String,
    /// Developers may ask for organisations of their own (sign-up offers the field).
    pub org_registration: bool,
}

/// Portal-wide settings an admin can change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortalSettings {
    pub portal_name: String,
    pub auto_approve_registrations: bool,
    /// "Enable API consumers to register organisations".
    pub org_registration: bool,
    /// "Auto-approve organisation registrations".
    pub auto_approve_org_registrations: bool,
}

/// The outcome of an admin's "Add user".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum AddUserOutcome {
    /// The account exists with the password the admin set.
    Created(UserSummary),
    /// An invitation was emailed.
    Invited { email: String },
}

/// A pending invitation, for the admin's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvitationSummary {
    pub id: InvitationId,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
    /// The role the invitee gets in the organisation.
    pub role: ConsumerRole,
}

/// What an invitation link prefills on the registration form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvitationPreview {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub organisation: String,
}

/// Where a mail is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum MailStatus {
    /// No SMTP configured: kept in the outbox.
    Held,
    Queued,
    Sent,
    Failed,
}

impl MailStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

/// A mail in the outbox; bodies only when one mail is opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutboxMail {
    pub id: MailId,
    pub to: String,
    pub template: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// An organisation's lifecycle: pending → active ⇄ inactive, pending → rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum OrgStatus {
    Pending,
    Active,
    Inactive,
    Rejected,
}

impl OrgStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Rejected => "rejected",
        }
    }
}

/// A consumer's role inside their organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ConsumerRole {
    SuperAdmin,
    Member,
}

impl ConsumerRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::SuperAdmin => "super admin",
            Self::Member => "team member",
        }
    }
}

/// One organisation in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrgSummary {
    pub id: OrgId,
    pub name: String,
    pub status: OrgStatus,
    pub is_default: bool,
    pub members: u64,
    pub teams: u64,
    pub created_at: DateTime<Utc>,
    /// Who asked for it, for a developer's registration ("Ada Lovelace <ada@…>").
    pub requested_by: Option<String>,
    /// Why an admin rejected it.
    pub decision_reason: Option<String>,
}

/// A team of an organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TeamSummary {
    pub id: TeamId,
    pub name: String,
    pub is_default: bool,
    pub members: u64,
}

/// A member of an organisation with the teams they are in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrgMember {
    pub id: UserId,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: ConsumerRole,
    pub status: AccountStatus,
    pub team_ids: Vec<TeamId>,
}

/// An organisation with its teams and members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrgDetail {
    pub org: OrgSummary,
    pub teams: Vec<TeamSummary>,
    pub members: Vec<OrgMember>,
}

/// The "My organisation" page: the caller's organisation, or their own request while
/// they are still an individual.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MyOrganisation {
    /// The organisation with members and teams; `None` for individuals.
    pub org: Option<OrgDetail>,
    /// An individual's pending or last rejected registration.
    pub request: Option<OrgSummary>,
    /// Whether the portal lets developers register organisations.
    pub can_register: bool,
}

/// An invite code as listed (the code itself is shown only once, when created).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InviteCodeSummary {
    pub id: InviteCodeId,
    /// The first characters, to tell codes apart.
    pub prefix: String,
    pub team_id: TeamId,
    pub team_name: String,
    pub max_uses: Option<u32>,
    pub uses: u32,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
    /// Neither revoked, expired nor used up.
    pub usable: bool,
}

/// A freshly created invite code, shown once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewInviteCode {
    pub code: String,
    pub summary: InviteCodeSummary,
}
