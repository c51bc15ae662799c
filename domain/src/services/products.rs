//! API products and their APIs. Admins create and edit them (unpublished until they
//! say so); consumers read published products through the catalogs they may see.

use crate::entities::{api_product, catalog, catalog_product, product_api};
use crate::services::audit::{self, Event};
use crate::services::catalogs;
use crate::{Actor, DomainError, DomainResult, markdown, openapi};
use chrono::Utc;
use portico_model as m;
use portico_model::{ApiInput, FieldError, ProductInput};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

pub fn product_ref(p: &api_product::Model) -> m::ProductRef {
    m::ProductRef { id: p.id.into(), name: p.name.clone(), slug: p.slug.clone() }
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<api_product::Model> {
    api_product::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)
}

/// Products with their API counts and catalogs. `visible`: only these catalogs are
/// named (and, for consumers, only products in one of them count); `published_only`
/// hides drafts.
pub async fn summaries(
    db: &impl ConnectionTrait,
    visible: Option<&BTreeSet<Uuid>>,
    published_only: bool,
) -> DomainResult<Vec<m::ProductSummary>> {
    let mut query = api_product::Entity::find().order_by_asc(api_product::Column::Name);
    if published_only {
        query = query.filter(api_product::Column::Published.eq(true));
    }
    let products = query.all(db).await?;
    let catalogs: HashMap<Uuid, catalog::Model> =
        catalog::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c)).collect();
    let mut held: HashMap<Uuid, Vec<m::CatalogRef>> = HashMap::new();
    for row in catalog_product::Entity::find().all(db).await? {
        if visible.is_some_and(|v| !v.contains(&row.catalog_id)) {
            continue;
        }
        if let Some(c) = catalogs.get(&row.catalog_id) {
            held.entry(row.product_id).or_default().push(catalogs::catalog_ref(c));
        }
    }
    let mut apis: HashMap<Uuid, u32> = HashMap::new();
    for api in product_api::Entity::find().all(db).await? {
        *apis.entry(api.product_id).or_default() += 1;
    }
    Ok(products
        .into_iter()
        .map(|p| {
            let mut in_catalogs = held.remove(&p.id).unwrap_or_default();
            in_catalogs.sort_by(|a, b| a.name.cmp(&b.name));
            m::ProductSummary {
                api_count: apis.get(&p.id).copied().unwrap_or(0),
                id: p.id.into(),
                name: p.name,
                slug: p.slug,
                summary: p.summary,
                base_url: p.base_url,
                published: p.published,
                catalogs: in_catalogs,
            }
        })
        .collect())
}

/// Every product, published or not. Portal admins only.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<m::ProductSummary>> {
    actor.require_portal_admin()?;
    summaries(db, None, false).await
}

fn api_dto(api: product_api::Model) -> m::ProductApi {
    let operations = serde_json::from_str(&api.operations).unwrap_or_default();
    m::ProductApi {
        id: api.id.into(),
        name: api.name,
        path_prefix: api.path_prefix,
        spec_title: api.spec_title,
        operations,
    }
}

async fn detail(
    db: &impl ConnectionTrait,
    product: api_product::Model,
    visible: &BTreeSet<Uuid>,
) -> DomainResult<m::ProductDetail> {
    let apis = product_api::Entity::find()
        .filter(product_api::Column::ProductId.eq(product.id))
        .order_by_asc(product_api::Column::PathPrefix)
        .all(db)
        .await?;
    let catalog_ids: Vec<Uuid> = catalog_product::Entity::find()
        .filter(catalog_product::Column::ProductId.eq(product.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.catalog_id)
        .filter(|id| visible.contains(id))
        .collect();
    let holding = catalog::Entity::find()
        .filter(catalog::Column::Id.is_in(catalog_ids.clone()))
        .order_by_asc(catalog::Column::Name)
        .all(db)
        .await?;
    let mut plans = catalogs::plans_of(db, catalog_ids).await?;
    Ok(m::ProductDetail {
        id: product.id.into(),
        documentation_html: markdown::render(&product.documentation),
        name: product.name,
        slug: product.slug,
        summary: product.summary,
        base_url: product.base_url,
        published: product.published,
        documentation: product.documentation,
        apis: apis.into_iter().map(api_dto).collect(),
        offers: holding
            .iter()
            .map(|c| m::CatalogOffer {
                catalog: catalogs::catalog_ref(c),
                plans: plans.remove(&c.id).unwrap_or_default(),
            })
            .collect(),
    })
}

/// A product as the admin edits it. Portal admins only.
pub async fn detail_for_admin(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<m::ProductDetail> {
    actor.require_portal_admin()?;
    let product = get(db, id).await?;
    let all = catalogs::visible_ids(db, Some(actor)).await?;
    detail(db, product, &all).await
}

/// A published product in a catalog the caller may see, by slug; `NotFound` otherwise
/// (drafts and products of hidden catalogs do not exist for them). Admins see drafts.
pub async fn detail_for_consumer(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    slug: &str,
) -> DomainResult<m::ProductDetail> {
    let product = api_product::Entity::find()
        .filter(api_product::Column::Slug.eq(slug.trim().to_lowercase()))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let admin = actor.is_some_and(Actor::is_portal_admin);
    if !product.published && !admin {
        return Err(DomainError::NotFound);
    }
    let visible = catalogs::visible_ids(db, actor).await?;
    let detail = detail(db, product, &visible).await?;
    if detail.offers.is_empty() && !admin {
        return Err(DomainError::NotFound);
    }
    Ok(detail)
}

/// The documentation as an edit's before/after shows it (its size, not its text).
fn doc_size(doc: &str) -> String {
    format!("{} characters", doc.chars().count())
}

fn slug_taken(err: &sea_orm::DbErr) -> Option<DomainError> {
    DomainError::is_unique_violation(err)
        .then(|| FieldError::new("slug", "Another product already uses this slug.").into())
}

/// A new, unpublished product. Portal admins only.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: ProductInput,
) -> DomainResult<Uuid> {
    actor.require_portal_admin()?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let row = api_product::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name),
        slug: Set(input.slug),
        summary: Set(input.summary),
        documentation: Set(input.documentation),
        base_url: Set(input.base_url),
        published: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| slug_taken(&e).unwrap_or(e.into()))?;
    let event = Event::new(
        "product.create",
        "product",
        row.id,
        &row.name,
        None,
        format!("Created product {}", row.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, product.id = %row.id, "product created");
    Ok(row.id)
}

/// Changes a product's fields and publication. Portal admins only.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    input: ProductInput,
    published: bool,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let before = get(&txn, id).await?;
    let event = Event::new(
        "product.update",
        "product",
        id,
        &input.name,
        None,
        format!("Edited product {}", input.name),
    )
    .change("name", &before.name, &input.name)
    .change("slug", &before.slug, &input.slug)
    .change("summary", &before.summary, &input.summary)
    .change("base URL", &before.base_url, &input.base_url)
    .change("documentation", doc_size(&before.documentation), doc_size(&input.documentation))
    .change("published", before.published, published);
    audit::record(&txn, Some(actor), event).await?;
    let mut row: api_product::ActiveModel = before.into();
    row.name = Set(input.name);
    row.slug = Set(input.slug);
    row.summary = Set(input.summary);
    row.documentation = Set(input.documentation);
    row.base_url = Set(input.base_url);
    row.published = Set(published);
    row.updated_at = Set(Utc::now());
    row.update(&txn).await.map_err(|e| slug_taken(&e).unwrap_or(e.into()))?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!(by = %actor.user_id, product.id = %id, published, "product updated");
    Ok(())
}

/// Adds an API, with its OpenAPI 3 document (JSON or YAML) when given. Portal admins
/// only.
pub async fn add_api(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    product_id: Uuid,
    input: ApiInput,
    spec: Option<&str>,
) -> DomainResult<m::ProductApi> {
    actor.require_portal_admin()?;
    let product = get(db, product_id).await?;
    let spec = spec.map(openapi::read).transpose()?;
    let operations = spec.as_ref().map(|s| s.operations.clone()).unwrap_or_default();
    let row = product_api::ActiveModel {
        id: Set(Uuid::now_v7()),
        product_id: Set(product_id),
        name: Set(input.name),
        path_prefix: Set(input.path_prefix),
        spec_title: Set(spec.as_ref().map(|s| s.title.chars().take(200).collect())),
        spec: Set(spec.map(|s| s.json)),
        operations: Set(serde_json::to_string(&operations).map_err(|e| DomainError::Internal(e.to_string()))?),
        created_at: Set(Utc::now()),
    };
    let txn = db.begin().await?;
    let row = row.insert(&txn).await?;
    let event = Event::new(
        "product.add_api",
        "product",
        product.id,
        &product.name,
        None,
        format!("Added API {} ({}) to {}", row.name, row.path_prefix, product.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!(by = %actor.user_id, product.id = %product_id, api.id = %row.id, "API added");
    Ok(api_dto(row))
}

/// Removes an API from its product. Portal admins only.
pub async fn remove_api(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let api = product_api::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let product = get(&txn, api.product_id).await?;
    product_api::Entity::delete_by_id(id).exec(&txn).await?;
    let event = Event::new(
        "product.remove_api",
        "product",
        product.id,
        &product.name,
        None,
        format!("Removed API {} ({}) from {}", api.name, api.path_prefix, product.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    Ok(())
}
