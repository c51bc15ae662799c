//! A user of the portal: a developer (consumer side) or a portal admin (provider side).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased; unique.
    #[sea_orm(unique)]
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Optional handle, lower-cased; unique when set.
    pub username: Option<String>,
    /// argon2id PHC string; `None` until an invited user sets a password.
    pub password_hash: Option<String>,
    pub portal_role: PortalRole,
    pub status: UserStatus,
    pub org_id: Uuid,
    pub org_role: OrgRole,
    pub must_change_password: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When `status` last changed (drives "pending for 2 days").
    pub status_changed_at: DateTimeUtc,
}

/// Provider-side admin or consumer-side developer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PortalRole {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "developer")]
    Developer,
}

/// pending → active ⇄ inactive, pending → rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum UserStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "inactive")]
    Inactive,
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

/// A consumer's role inside their organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrgRole {
    #[sea_orm(string_value = "super_admin")]
    SuperAdmin,
    #[sea_orm(string_value = "member")]
    Member,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrgId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl From<UserStatus> for portico_model::AccountStatus {
    fn from(s: UserStatus) -> Self {
        match s {
            UserStatus::Pending => Self::Pending,
            UserStatus::Active => Self::Active,
            UserStatus::Inactive => Self::Inactive,
            UserStatus::Rejected => Self::Rejected,
        }
    }
}

impl From<PortalRole> for portico_model::PortalRole {
    fn from(r: PortalRole) -> Self {
        match r {
            PortalRole::Admin => Self::Admin,
            PortalRole::Developer => Self::Developer,
        }
    }
}

impl From<OrgRole> for portico_model::ConsumerRole {
    fn from(r: OrgRole) -> Self {
        match r {
            OrgRole::SuperAdmin => Self::SuperAdmin,
            OrgRole::Member => Self::Member,
        }
    }
}
