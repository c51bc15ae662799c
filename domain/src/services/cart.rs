//! The cart: products, each as offered by one catalog, kept on the host per user and
//! grouped by catalog at checkout. Only what the user may still see is shown; stale
//! rows (a product unpublished, a catalog hidden) are left out, not errors.

use crate::entities::{api_product, cart_item, catalog, catalog_product};
use crate::services::{catalogs, products};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model as m;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The most products a cart holds.
pub const MAX_ITEMS: usize = 50;

/// The caller's cart, grouped by catalog (catalogs and products in name order).
pub async fn get(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<m::Cart> {
    let rows = cart_item::Entity::find()
        .filter(cart_item::Column::UserId.eq(actor.user_id))
        .order_by_asc(cart_item::Column::AddedAt)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(m::Cart::default());
    }
    let visible = catalogs::visible_ids(db, Some(actor)).await?;
    let products: HashMap<Uuid, api_product::Model> = api_product::Entity::find()
        .filter(api_product::Column::Id.is_in(rows.iter().map(|r| r.product_id)))
        .filter(api_product::Column::Published.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let catalog_rows = catalog::Entity::find()
        .filter(
            catalog::Column::Id.is_in(rows.iter().map(|r| r.catalog_id).filter(|id| visible.contains(id))),
        )
        .order_by_asc(catalog::Column::Name)
        .all(db)
        .await?;
    let mut plans = catalogs::plans_of(db, catalog_rows.iter().map(|c| c.id)).await?;
    let offered: HashSet<(Uuid, Uuid)> = catalog_product::Entity::find()
        .filter(catalog_product::Column::CatalogId.is_in(catalog_rows.iter().map(|c| c.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.catalog_id, r.product_id))
        .collect();
    let mut groups = Vec::new();
    for c in catalog_rows {
        let mut in_group = Vec::new();
        for row in rows.iter().filter(|r| r.catalog_id == c.id) {
            if let Some(p) = products.get(&row.product_id)
                && offered.contains(&(c.id, p.id))
            {
                in_group.push(products::product_ref(p));
            }
        }
        if in_group.is_empty() {
            continue;
        }
        in_group.sort_by(|a, b| a.name.cmp(&b.name));
        groups.push(m::CartGroup {
            catalog: catalogs::catalog_ref(&c),
            products: in_group,
            plans: plans.remove(&c.id).unwrap_or_default(),
        });
    }
    Ok(m::Cart { groups })
}

/// Adds a product as offered by a catalog. The catalog must be visible to the caller
/// and hold the published product; adding it again changes nothing.
pub async fn add(
    db: &impl ConnectionTrait,
    actor: &Actor,
    product_id: Uuid,
    catalog_id: Uuid,
) -> DomainResult<()> {
    catalogs::visible_catalog(db, Some(actor), catalog_id).await?;
    let product = products::get(db, product_id).await?;
    if !product.published || !catalogs::holds(db, catalog_id, product_id).await? {
        return Err(DomainError::NotFound);
    }
    let count =
        cart_item::Entity::find().filter(cart_item::Column::UserId.eq(actor.user_id)).all(db).await?.len();
    if count >= MAX_ITEMS {
        return Err(DomainError::Conflict(format!(
            "Your cart holds {MAX_ITEMS} products already; request access for some of them first."
        )));
    }
    cart_item::Entity::insert(cart_item::ActiveModel {
        user_id: Set(actor.user_id),
        catalog_id: Set(catalog_id),
        product_id: Set(product_id),
        added_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// Takes products of one catalog out of the caller's cart (absent ones are ignored).
pub async fn remove_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    catalog_id: Uuid,
    product_ids: &[Uuid],
) -> DomainResult<()> {
    cart_item::Entity::delete_many()
        .filter(cart_item::Column::UserId.eq(actor.user_id))
        .filter(cart_item::Column::CatalogId.eq(catalog_id))
        .filter(cart_item::Column::ProductId.is_in(product_ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes one product out of the cart. Like adding, it names a catalog the caller may
/// see (others do not exist for them).
pub async fn remove(
    db: &impl ConnectionTrait,
    actor: &Actor,
    product_id: Uuid,
    catalog_id: Uuid,
) -> DomainResult<()> {
    catalogs::visible_catalog(db, Some(actor), catalog_id).await?;
    remove_many(db, actor, catalog_id, &[product_id]).await
}
