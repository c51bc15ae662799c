//! [`Actor`]: who is calling a service, as far as authorisation is concerned.

use crate::entities::user::{self, OrgRole, PortalRole, UserStatus};
use crate::{DomainError, DomainResult};
use uuid::Uuid;

/// The signed-in caller of a service.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Uuid,
    /// Who they are in the audit log.
    pub email: String,
    pub org_id: Uuid,
    pub portal_role: PortalRole,
    pub org_role: OrgRole,
    pub status: UserStatus,
}

impl Actor {
    pub fn is_portal_admin(&self) -> bool {
        self.portal_role == PortalRole::Admin
    }

    /// Refuses anyone but a portal admin.
    pub fn require_portal_admin(&self) -> DomainResult<()> {
        if self.is_portal_admin() { Ok(()) } else { Err(DomainError::Forbidden) }
    }
}

impl From<&user::Model> for Actor {
    fn from(u: &user::Model) -> Self {
        Self {
            user_id: u.id,
            email: u.email.clone(),
            org_id: u.org_id,
            portal_role: u.portal_role,
            org_role: u.org_role,
            status: u.status,
        }
    }
}
