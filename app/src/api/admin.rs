//! The admin area: overview, portal settings and admin API tokens. Portal admins only,
//! checked on the host.

use leptos::prelude::*;
use portico_model::{AdminOverview, ApiTokenId, ApiTokenView, AppError, NewApiToken, PortalSettings};

/// Portal-wide counts and the newest users.
#[server(endpoint = "get_admin_overview")]
pub async fn get_admin_overview() -> Result<AdminOverview, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::admin;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let overview = admin::overview(&be.db, &actor, 10).await?;
    Ok(AdminOverview {
        users: overview.users,
        pending_users: overview.pending_users,
        organisations: overview.organisations,
        pending_organisations: overview.pending_organisations,
        recent_users: overview.recent_users.into_iter().map(backend::convert::user_summary).collect(),
    })
}

/// The current portal settings.
#[server(endpoint = "get_portal_settings")]
pub async fn get_portal_settings() -> Result<PortalSettings, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::settings;

    let be = backend::get()?;
    auth::require_user(&be).await?.require_portal_admin()?;
    Ok(settings::get(&be.db).await?)
}

/// Changes the portal settings.
#[server(endpoint = "update_portal_settings")]
pub async fn update_portal_settings(settings: PortalSettings) -> Result<PortalSettings, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::settings as service;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(service::update(&be.db, &actor, &settings).await?)
}

/// Admin → Settings → API tokens: every token, newest first.
#[server(endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::api_tokens;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(api_tokens::list(&be.db, &actor).await?)
}

/// Makes a token acting as the caller; the secret is in the answer, this once.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(name: String) -> Result<NewApiToken, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::api_tokens;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(api_tokens::create(&be.db, &actor, &name).await?)
}

/// Revokes a token: its next request is refused.
#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: ApiTokenId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::api_tokens;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(api_tokens::revoke(&be.db, &actor, id.0).await?)
}
