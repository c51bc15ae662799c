//! Admin → Catalog: API products and their APIs, catalogs with their audiences and
//! plans, the access-request queue, and every app's keys. Portal admins only; each
//! service checks it.

// Plans and checkouts have many fields; the server-fn macro's generated code too.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use portico_model::{
    AccessRequestId, AccessRequestView, AppError, AppView, CatalogDetail, CatalogId, CatalogSummary, OrgId,
    Plan, PlanId, ProductApi, ProductApiId, ProductDetail, ProductId, ProductSummary, QuotaPeriod,
    RatePeriod, RequestStatus, TeamId, Visibility,
};

/// Every product, published or not.
#[server(endpoint = "list_products")]
pub async fn list_products() -> Result<Vec<ProductSummary>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::products;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(products::list(&be.db, &actor).await?)
}

/// One product as the admin edits it (every catalog and plan, published or not).
#[server(endpoint = "get_product_admin")]
pub async fn get_product_admin(id: ProductId) -> Result<ProductDetail, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::products;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(products::detail_for_admin(&be.db, &actor, id.0).await?)
}

/// A new, unpublished product.
#[server(endpoint = "create_product")]
pub async fn create_product(
    name: String,
    slug: String,
    summary: String,
    base_url: String,
    documentation: String,
) -> Result<ProductId, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::products;
    use portico_model::ProductInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    actor.require_portal_admin()?;
    let input = ProductInput::parse(&name, &slug, &summary, &base_url, &documentation)?;
    Ok(products::create(&be.db, &actor, input).await?.into())
}

/// Changes a product's fields and whether it is published.
#[server(endpoint = "update_product")]
pub async fn update_product(
    id: ProductId,
    name: String,
    slug: String,
    summary: String,
    base_url: String,
    documentation: String,
    published: bool,
) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::products;
    use portico_model::ProductInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    actor.require_portal_admin()?;
    let input = ProductInput::parse(&name, &slug, &summary, &base_url, &documentation)?;
    products::update(&be.db, &actor, id.0, input, published).await?;
    Ok(())
}

/// Adds an API to a product; `spec` is an OpenAPI 3 document (JSON or YAML) or empty.
#[server(endpoint = "add_product_api")]
pub async fn add_product_api(
    product_id: ProductId,
    name: String,
    path_prefix: String,
    spec: Option<String>,
) -> Result<ProductApi, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::products;
    use portico_model::ApiInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    actor.require_portal_admin()?;
    let input = ApiInput::parse(&name, &path_prefix)?;
    let spec = spec.filter(|s| !s.trim().is_empty());
    Ok(products::add_api(&be.db, &actor, product_id.0, input, spec.as_deref()).await?)
}

/// Removes an API from its product.
#[server(endpoint = "remove_product_api")]
pub async fn remove_product_api(id: ProductApiId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::products;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    products::remove_api(&be.db, &actor, id.0).await?;
    Ok(())
}

/// Every catalog with its counts.
#[server(endpoint = "list_catalogs")]
pub async fn list_catalogs() -> Result<Vec<CatalogSummary>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(catalogs::list(&be.db, &actor).await?)
}

/// A new catalog (no products, no plans yet).
#[server(endpoint = "create_catalog")]
pub async fn create_catalog(name: String, visibility: Visibility) -> Result<CatalogId, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(catalogs::create(&be.db, &actor, &name, visibility).await?.into())
}

/// One catalog with its products, plans and audiences.
#[server(endpoint = "get_catalog")]
pub async fn get_catalog(id: CatalogId) -> Result<CatalogDetail, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(catalogs::detail(&be.db, &actor, id.0).await?)
}

/// Renames a catalog or changes who may see it.
#[server(endpoint = "update_catalog")]
pub async fn update_catalog(id: CatalogId, name: String, visibility: Visibility) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    catalogs::update(&be.db, &actor, id.0, &name, visibility).await?;
    Ok(())
}

/// Puts a product in a catalog (`included = true`) or takes it out.
#[server(endpoint = "set_catalog_product")]
pub async fn set_catalog_product(
    catalog_id: CatalogId,
    product_id: ProductId,
    included: bool,
) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    catalogs::set_product(&be.db, &actor, catalog_id.0, product_id.0, included).await?;
    Ok(())
}

/// Shows a private catalog to an organisation (`included = true`) or stops showing it.
#[server(endpoint = "set_catalog_org")]
pub async fn set_catalog_org(catalog_id: CatalogId, org_id: OrgId, included: bool) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    catalogs::set_org(&be.db, &actor, catalog_id.0, org_id.0, included).await?;
    Ok(())
}

/// Shows a private catalog to a team (`included = true`) or stops showing it.
#[server(endpoint = "set_catalog_team")]
pub async fn set_catalog_team(
    catalog_id: CatalogId,
    team_id: TeamId,
    included: bool,
) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    catalogs::set_team(&be.db, &actor, catalog_id.0, team_id.0, included).await?;
    Ok(())
}

/// A new plan in a catalog.
#[server(endpoint = "create_plan")]
pub async fn create_plan(
    catalog_id: CatalogId,
    name: String,
    rate_limit: u32,
    rate_period: RatePeriod,
    quota: Option<u32>,
    quota_period: QuotaPeriod,
    key_lifetime_days: Option<u32>,
    requires_approval: bool,
) -> Result<Plan, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;
    use portico_model::PlanInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    actor.require_portal_admin()?;
    let input = PlanInput {
        name,
        rate_limit,
        rate_period,
        quota,
        quota_period,
        key_lifetime_days,
        requires_approval,
    }
    .check()?;
    Ok(catalogs::create_plan(&be.db, &actor, catalog_id.0, input).await?)
}

/// Changes a plan's terms. Keys already issued follow the new limits.
#[server(endpoint = "update_plan")]
pub async fn update_plan(
    id: PlanId,
    name: String,
    rate_limit: u32,
    rate_period: RatePeriod,
    quota: Option<u32>,
    quota_period: QuotaPeriod,
    key_lifetime_days: Option<u32>,
    requires_approval: bool,
) -> Result<Plan, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;
    use portico_model::PlanInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    actor.require_portal_admin()?;
    let input = PlanInput {
        name,
        rate_limit,
        rate_period,
        quota,
        quota_period,
        key_lifetime_days,
        requires_approval,
    }
    .check()?;
    Ok(catalogs::update_plan(&be.db, &actor, id.0, input).await?)
}

/// Deletes a plan nobody has requested.
#[server(endpoint = "delete_plan")]
pub async fn delete_plan(id: PlanId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    catalogs::delete_plan(&be.db, &actor, id.0).await?;
    Ok(())
}

/// Access requests, optionally of one status; pending first, then newest.
#[server(endpoint = "list_access_requests")]
pub async fn list_access_requests(status: Option<RequestStatus>) -> Result<Vec<AccessRequestView>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::access;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(access::list_for_admin(&be.db, &actor, status).await?)
}

/// Approves or rejects a pending request (with an optional reason); the requester is
/// emailed.
#[server(endpoint = "decide_access_request")]
pub async fn decide_access_request(
    id: AccessRequestId,
    approve: bool,
    reason: Option<String>,
) -> Result<AccessRequestView, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::access;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(access::decide(&be.db, &be.mailer, &actor, id.0, approve, reason.as_deref()).await?)
}

/// Every app of every organisation with its requests and keys' status.
#[server(endpoint = "list_all_apps")]
pub async fn list_all_apps() -> Result<Vec<AppView>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::apps;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(apps::list_all(&be.db, &actor).await?)
}
