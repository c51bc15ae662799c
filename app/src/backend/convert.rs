//! Explicit entity → DTO conversions. Wire types are not entities.

use portico_domain::entities::organisation;
use portico_domain::entities::user::{self, PortalRole, UserStatus};
use portico_domain::services::admin::UserWithOrg;
use portico_model::{AccountStatus, Me, UserSummary};

pub fn portal_role(role: PortalRole) -> portico_model::PortalRole {
    match role {
        PortalRole::Admin => portico_model::PortalRole::Admin,
        PortalRole::Developer => portico_model::PortalRole::Developer,
    }
}

pub fn status(status: UserStatus) -> AccountStatus {
    match status {
        UserStatus::Pending => AccountStatus::Pending,
        UserStatus::Active => AccountStatus::Active,
        UserStatus::Inactive => AccountStatus::Inactive,
        UserStatus::Rejected => AccountStatus::Rejected,
    }
}

pub fn me(user: &user::Model, org: &organisation::Model) -> Me {
    Me {
        id: user.id.into(),
        email: user.email.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        role: portal_role(user.portal_role),
        status: status(user.status),
        org_id: org.id.into(),
        org_name: org.name.clone(),
    }
}

pub fn user_summary(row: UserWithOrg) -> UserSummary {
    let u = row.user;
    UserSummary {
        id: u.id.into(),
        name: format!("{} {}", u.first_name, u.last_name),
        email: u.email,
        role: portal_role(u.portal_role),
        status: status(u.status),
        org_name: row.org_name,
        created_at: u.created_at,
    }
}
