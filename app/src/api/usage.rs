//! Usage at the gateway: the developer's dashboard (the apps they may use), a developer's
//! usage as an admin sees it, and the portal-wide series. Read from the hourly rollups,
//! at most about a second behind the gateway.

use leptos::prelude::*;
use portico_model::{ApiKeyId, AppError, AppId, UsageDashboard, UsageSeries, UserId};

/// The caller's usage: every app they may use, or one app, or one key.
#[server(endpoint = "get_my_usage")]
pub async fn get_my_usage(
    app_id: Option<AppId>,
    key_id: Option<ApiKeyId>,
) -> Result<UsageDashboard, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::usage;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(usage::my_dashboard(&be.db, &actor, app_id.map(|a| a.0), key_id.map(|k| k.0)).await?)
}

/// A developer's keys and their usage, all together or one key. Portal admins only.
#[server(endpoint = "get_developer_usage")]
pub async fn get_developer_usage(
    developer_id: UserId,
    key_id: Option<ApiKeyId>,
) -> Result<UsageDashboard, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::usage;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(usage::developer_dashboard(&be.db, &actor, developer_id.0, key_id.map(|k| k.0)).await?)
}

/// Every call the portal answered over the past seven days. Portal admins only.
#[server(endpoint = "get_portal_usage")]
pub async fn get_portal_usage() -> Result<UsageSeries, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::usage;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(usage::portal_series(&be.db, &actor).await?)
}
