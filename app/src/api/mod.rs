//! Server functions: the typed API between the client and the host.
//!
//! One module per resource, functions named `<verb>_<resource>`. Each is a thin adapter:
//! take the backend from context, identify the caller, call one domain service, map the
//! error. Every server function is a public endpoint, so each checks who may call it.
//! All are POST (state-changing or not); none changes state over GET.

pub mod admin;
pub mod auth;

/// Every server function by endpoint and who may call it. The host's tests walk this
/// list so that a new function cannot ship without an authorisation test.
pub const REGISTRY: &[(&str, Access)] = &[
    ("sign_up", Access::Anyone),
    ("sign_in", Access::Anyone),
    ("sign_out", Access::Anyone),
    ("who_am_i", Access::Anyone),
    ("get_admin_overview", Access::PortalAdmin),
    ("get_portal_settings", Access::PortalAdmin),
    ("update_portal_settings", Access::PortalAdmin),
];

/// Who may call a server function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session needed (sign-in and friends).
    Anyone,
    /// Any signed-in user.
    SignedIn,
    /// Portal admins only.
    PortalAdmin,
}
