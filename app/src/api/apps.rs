//! The consumer's way to a key: browse the catalog, fill the cart, request access, and
//! manage the organisation's apps and keys. Browsing is open to anyone (private
//! catalogs only to their audiences); everything else needs a signed-in user, and apps
//! and keys are reachable only inside their organisation (or by portal admins).

// Plans and checkouts have many fields; the server-fn macro's generated code too.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use portico_model::{
    AccessRequestId, ApiKeyId, AppError, AppId, AppView, Cart, CatalogId, CatalogListing, NewApiKey, PlanId,
    ProductDetail, ProductId, RequestOutcome,
};

/// The published products of every catalog the caller may see.
#[server(endpoint = "browse_catalog")]
pub async fn browse_catalog() -> Result<CatalogListing, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::Actor;
    use portico_domain::services::catalogs;

    let be = backend::get()?;
    let actor = auth::current_user(&be).await?.map(|u| Actor::from(&u));
    Ok(catalogs::listing(&be.db, actor.as_ref()).await?)
}

/// A published product's page, with the plans of each catalog the caller may see.
#[server(endpoint = "get_product")]
pub async fn get_product(slug: String) -> Result<ProductDetail, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::Actor;
    use portico_domain::services::products;

    let be = backend::get()?;
    let actor = auth::current_user(&be).await?.map(|u| Actor::from(&u));
    Ok(products::detail_for_consumer(&be.db, actor.as_ref(), &slug).await?)
}

/// The caller's cart, grouped by catalog.
#[server(endpoint = "get_cart")]
pub async fn get_cart() -> Result<Cart, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::cart;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(cart::get(&be.db, &actor).await?)
}

/// Adds a product, as offered by one catalog, to the cart (again is harmless).
#[server(endpoint = "add_to_cart")]
pub async fn add_to_cart(product_id: ProductId, catalog_id: CatalogId) -> Result<Cart, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::cart;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    cart::add(&be.db, &actor, product_id.0, catalog_id.0).await?;
    Ok(cart::get(&be.db, &actor).await?)
}

/// Takes a product out of the cart.
#[server(endpoint = "remove_from_cart")]
pub async fn remove_from_cart(product_id: ProductId, catalog_id: CatalogId) -> Result<Cart, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::cart;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    cart::remove(&be.db, &actor, product_id.0, catalog_id.0).await?;
    Ok(cart::get(&be.db, &actor).await?)
}

/// Checkout of one catalog group: the products, a plan, an existing app of the
/// organisation (`app_id`) or a new one (`app_name`, `app_description`), and a comment.
/// `idempotency_key` is made once per checkout form: sending it again (a double click, a
/// retry) returns the first answer instead of a second request.
#[server(endpoint = "request_access")]
pub async fn request_access(
    catalog_id: CatalogId,
    plan_id: PlanId,
    #[server(default)] product_ids: Vec<ProductId>,
    app_id: Option<AppId>,
    app_name: Option<String>,
    app_description: Option<String>,
    comment: Option<String>,
    idempotency_key: String,
) -> Result<RequestOutcome, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::access::{self, AppChoice, NewRequest};
    use portico_model::AppInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let app = match app_id {
        Some(id) => AppChoice::Existing(id.0),
        None => AppChoice::New(AppInput::parse(
            app_name.as_deref().unwrap_or_default(),
            app_description.as_deref().unwrap_or_default(),
        )?),
    };
    let new = NewRequest {
        catalog_id: catalog_id.0,
        plan_id: plan_id.0,
        product_ids: product_ids.into_iter().map(|p| p.0).collect(),
        app,
        comment: comment.unwrap_or_default(),
        idempotency_key,
    };
    Ok(access::request(&be.db, &be.mailer, &actor, new).await?)
}

/// The apps the caller shares with their organisation (and their own, as an
/// individual), each with its requests and keys.
#[server(endpoint = "list_my_apps")]
pub async fn list_my_apps() -> Result<Vec<AppView>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::apps;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(apps::list_mine(&be.db, &actor).await?)
}

/// One app with its requests and keys.
#[server(endpoint = "get_app")]
pub async fn get_app(id: AppId) -> Result<AppView, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::apps;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(apps::view(&be.db, &actor, id.0).await?)
}

/// A new app for the caller's organisation.
#[server(endpoint = "create_app")]
pub async fn create_app(name: String, description: String) -> Result<AppId, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::apps;
    use portico_model::AppInput;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    let input = AppInput::parse(&name, &description)?;
    Ok(apps::create(&be.db, &actor, input).await?.id.into())
}

/// Deletes an app: its keys are revoked and its pending requests cancelled.
#[server(endpoint = "delete_app")]
pub async fn delete_app(id: AppId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::apps;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    apps::delete(&be.db, &actor, id.0).await?;
    Ok(())
}

/// A new key for an approved request of an app; the key is in the answer, once.
#[server(endpoint = "create_key")]
pub async fn create_key(request_id: AccessRequestId) -> Result<NewApiKey, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::keys;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(keys::create(&be.db, &actor, request_id.0).await?)
}

/// Replaces a key: the new key is in the answer (once); the old one keeps working for
/// `grace_hours` (0: it stops at once).
#[server(endpoint = "rotate_key")]
pub async fn rotate_key(id: ApiKeyId, grace_hours: u32) -> Result<NewApiKey, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::keys;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(keys::rotate(&be.db, &actor, id.0, grace_hours).await?)
}

/// Ends a key at once.
#[server(endpoint = "revoke_key")]
pub async fn revoke_key(id: ApiKeyId) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    use portico_domain::services::keys;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    keys::revoke(&be.db, &actor, id.0).await?;
    Ok(())
}
