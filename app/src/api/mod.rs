//! Server functions: the typed API between the client and the host.
//!
//! One module per resource, functions named `<verb>_<resource>`. Each is a thin adapter:
//! take the backend from context, identify the caller, call one domain service, map the
//! error. Every server function is a public endpoint, so each checks who may call it.
//! All are POST (state-changing or not); none changes state over GET.

pub mod account;
pub mod admin;
pub mod apps;
pub mod auth;
pub mod catalog;
pub mod developers;
pub mod exports;
pub mod mail;
pub mod my_organisation;
pub mod organisations;
pub mod usage;
pub mod users;

/// Every server function by endpoint and who may call it. The host's tests walk this
/// list so that a new function cannot ship without an authorisation test.
pub const REGISTRY: &[(&str, Access)] = &[
    ("sign_up", Access::Anyone),
    ("sign_in", Access::Anyone),
    ("sign_out", Access::Anyone),
    ("who_am_i", Access::Anyone),
    ("get_portal_info", Access::Anyone),
    ("request_password_reset", Access::Anyone),
    ("reset_password", Access::Anyone),
    ("get_invitation", Access::Anyone),
    ("accept_invitation", Access::Anyone),
    ("confirm_email_change", Access::Anyone),
    ("update_profile", Access::SignedIn),
    ("change_password", Access::SignedIn),
    ("request_email_change", Access::SignedIn),
    ("get_admin_overview", Access::PortalAdmin),
    ("get_portal_settings", Access::PortalAdmin),
    ("update_portal_settings", Access::PortalAdmin),
    ("list_api_tokens", Access::PortalAdmin),
    ("create_api_token", Access::PortalAdmin),
    ("revoke_api_token", Access::PortalAdmin),
    ("approve_user", Access::PortalAdmin),
    ("reject_user", Access::PortalAdmin),
    ("deactivate_user", Access::PortalAdmin),
    ("activate_user", Access::PortalAdmin),
    ("add_user", Access::PortalAdmin),
    ("list_invitations", Access::PortalAdmin),
    ("resend_invitation", Access::AdminOrSuperAdmin),
    ("revoke_invitation", Access::AdminOrSuperAdmin),
    ("list_outbox", Access::PortalAdmin),
    ("get_outbox_mail", Access::PortalAdmin),
    ("list_email_templates", Access::PortalAdmin),
    ("update_email_template", Access::PortalAdmin),
    ("restore_email_template", Access::PortalAdmin),
    ("list_organisations", Access::PortalAdmin),
    ("get_organisation", Access::OrgMember),
    ("create_organisation", Access::PortalAdmin),
    ("rename_organisation", Access::PortalAdmin),
    ("set_organisation_active", Access::PortalAdmin),
    ("create_team", Access::PortalAdmin),
    ("rename_team", Access::PortalAdmin),
    ("delete_team", Access::PortalAdmin),
    ("set_team_member", Access::PortalAdmin),
    ("assign_user", Access::PortalAdmin),
    ("decide_organisation", Access::PortalAdmin),
    ("create_invite_code", Access::PortalAdmin),
    ("list_invite_codes", Access::PortalAdmin),
    ("revoke_invite_code", Access::PortalAdmin),
    ("get_my_organisation", Access::SignedIn),
    ("request_organisation", Access::SignedIn),
    ("invite_teammate", Access::OrgSuperAdmin),
    ("list_team_invitations", Access::OrgSuperAdmin),
    ("update_member", Access::OrgSuperAdmin),
    ("remove_member", Access::OrgSuperAdmin),
    ("list_products", Access::PortalAdmin),
    ("get_product_admin", Access::PortalAdmin),
    ("create_product", Access::PortalAdmin),
    ("update_product", Access::PortalAdmin),
    ("add_product_api", Access::PortalAdmin),
    ("remove_product_api", Access::PortalAdmin),
    ("list_catalogs", Access::PortalAdmin),
    ("create_catalog", Access::PortalAdmin),
    ("get_catalog", Access::PortalAdmin),
    ("update_catalog", Access::PortalAdmin),
    ("set_catalog_product", Access::PortalAdmin),
    ("set_catalog_org", Access::PortalAdmin),
    ("set_catalog_team", Access::PortalAdmin),
    ("create_plan", Access::PortalAdmin),
    ("update_plan", Access::PortalAdmin),
    ("delete_plan", Access::PortalAdmin),
    ("list_access_requests", Access::PortalAdmin),
    ("decide_access_request", Access::PortalAdmin),
    ("list_all_apps", Access::PortalAdmin),
    ("browse_catalog", Access::Anyone),
    ("get_product", Access::Anyone),
    ("get_cart", Access::SignedIn),
    ("add_to_cart", Access::SignedIn),
    ("remove_from_cart", Access::SignedIn),
    ("request_access", Access::SignedIn),
    ("list_my_apps", Access::SignedIn),
    ("create_app", Access::SignedIn),
    ("get_app", Access::OrgMember),
    ("delete_app", Access::OrgMember),
    ("create_key", Access::OrgMember),
    ("rotate_key", Access::OrgMember),
    ("revoke_key", Access::OrgMember),
    ("get_my_usage", Access::SignedIn),
    ("get_developer_usage", Access::PortalAdmin),
    ("get_portal_usage", Access::PortalAdmin),
    ("search_developers", Access::PortalAdmin),
    ("get_developer", Access::PortalAdmin),
    ("update_developer", Access::PortalAdmin),
    ("set_developer_attribute", Access::PortalAdmin),
    ("delete_developer_attribute", Access::PortalAdmin),
    ("change_subscription_plan", Access::PortalAdmin),
    ("revoke_subscription", Access::PortalAdmin),
    ("get_delete_preview", Access::PortalAdmin),
    ("delete_developer", Access::PortalAdmin),
    ("list_audit", Access::PortalAdmin),
    ("start_export", Access::PortalAdmin),
    ("list_exports", Access::PortalAdmin),
    ("get_export", Access::PortalAdmin),
];

/// Who may call a server function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session needed (sign-in and friends).
    Anyone,
    /// Any signed-in user.
    SignedIn,
    /// Portal admins, and members of the organisation the call names.
    OrgMember,
    /// Portal admins only.
    PortalAdmin,
    /// Super admins of an active organisation, for their own organisation only.
    OrgSuperAdmin,
    /// Portal admins for anything; super admins for what belongs to their organisation.
    AdminOrSuperAdmin,
}
