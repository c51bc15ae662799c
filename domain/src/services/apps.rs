//! Apps: what a consumer's keys belong to. An app belongs to its organisation, so every
//! member sees and manages it and it stays when its creator leaves; an individual
//! developer's app (made in the default organisation) is theirs alone. Portal admins see
//! every app. Deleting an app revokes its keys and ends its requests, in one
//! transaction; the row stays, hidden, for the usage history.

use crate::entities::access_request::{self, RequestStatus};
use crate::entities::{access_request_item, api_key, api_product, app, catalog, organisation, plan, user};
use crate::services::{catalogs, keys, organisations, products};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model as m;
use portico_model::AppInput;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The apps `actor` may use: their organisation's shared apps and their own.
pub(crate) fn usable_by(actor: &Actor) -> Condition {
    Condition::any()
        .add(app::Column::OwnerId.eq(actor.user_id))
        .add(Condition::all().add(app::Column::OwnerId.is_null()).add(app::Column::OrgId.eq(actor.org_id)))
}

/// An app the caller may use (portal admins: any app), not deleted; `NotFound`
/// otherwise — another organisation's apps do not exist for the caller.
pub async fn get_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<app::Model> {
    let mut query = app::Entity::find_by_id(id).filter(app::Column::DeletedAt.is_null());
    if !actor.is_portal_admin() {
        query = query.filter(usable_by(actor));
    }
    query.one(db).await?.ok_or(DomainError::NotFound)
}

/// A new app: shared by the caller's organisation, or the caller's own when they are an
/// individual developer.
pub async fn create(db: &impl ConnectionTrait, actor: &Actor, input: AppInput) -> DomainResult<app::Model> {
    let org = organisations::get_org(db, actor.org_id).await?;
    let row = app::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(org.id),
        owner_id: Set(org.is_default.then_some(actor.user_id)),
        name: Set(input.name),
        description: Set(input.description),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        deleted_at: Set(None),
    }
    .insert(db)
    .await?;
    tracing::info!(by = %actor.user_id, app.id = %row.id, "app created");
    Ok(row)
}

/// Deletes an app: its keys are revoked, pending requests cancelled and approved ones
/// revoked, all at once.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, app.id = %id))]
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<()> {
    let txn = db.begin().await?;
    let app = get_for(&txn, actor, id).await?;
    let now = Utc::now();
    app::Entity::update_many()
        .col_expr(app::Column::DeletedAt, Expr::value(now))
        .filter(app::Column::Id.eq(app.id))
        .exec(&txn)
        .await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::AppId.eq(app.id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    for (from, to) in [
        (RequestStatus::Pending, RequestStatus::Cancelled),
        (RequestStatus::Approved, RequestStatus::Revoked),
    ] {
        access_request::Entity::update_many()
            .col_expr(access_request::Column::Status, Expr::value(to))
            .filter(access_request::Column::AppId.eq(app.id))
            .filter(access_request::Column::Status.eq(from))
            .exec(&txn)
            .await?;
    }
    access_request_item::Entity::update_many()
        .col_expr(access_request_item::Column::Live, Expr::value(Option::<bool>::None))
        .filter(access_request_item::Column::AppId.eq(app.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!("app deleted, its keys revoked");
    Ok(())
}

/// The caller's apps with their requests and keys, newest first.
pub async fn list_mine(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<m::AppView>> {
    let apps = app::Entity::find()
        .filter(app::Column::DeletedAt.is_null())
        .filter(usable_by(actor))
        .order_by_desc(app::Column::CreatedAt)
        .all(db)
        .await?;
    views(db, apps).await
}

/// Every app of the portal. Portal admins only.
pub async fn list_all(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<m::AppView>> {
    actor.require_portal_admin()?;
    let apps = app::Entity::find()
        .filter(app::Column::DeletedAt.is_null())
        .order_by_desc(app::Column::CreatedAt)
        .all(db)
        .await?;
    views(db, apps).await
}

/// One app with its requests and keys.
pub async fn view(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<m::AppView> {
    let app = get_for(db, actor, id).await?;
    views(db, vec![app]).await?.pop().ok_or(DomainError::NotFound)
}

async fn names_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, user::Model>> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// "First Last", or a placeholder for a user who no longer exists.
pub fn full_name(u: Option<&user::Model>) -> String {
    u.map(|u| format!("{} {}", u.first_name, u.last_name)).unwrap_or_else(|| "a former user".to_owned())
}

/// Views of apps, built with one query per table.
pub async fn views(db: &impl ConnectionTrait, apps: Vec<app::Model>) -> DomainResult<Vec<m::AppView>> {
    let ids: Vec<Uuid> = apps.iter().map(|a| a.id).collect();
    let requests = access_request::Entity::find()
        .filter(access_request::Column::AppId.is_in(ids.clone()))
        .order_by_desc(access_request::Column::CreatedAt)
        .all(db)
        .await?;
    let mut requests_by_app: HashMap<Uuid, Vec<m::AccessRequestView>> = HashMap::new();
    for r in request_views(db, requests).await? {
        requests_by_app.entry(r.app_id.0).or_default().push(r);
    }
    let key_rows = api_key::Entity::find()
        .filter(api_key::Column::AppId.is_in(ids))
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await?;
    let people =
        names_of(db, apps.iter().map(|a| a.created_by).chain(key_rows.iter().map(|k| k.created_by))).await?;
    let orgs: HashMap<Uuid, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(apps.iter().map(|a| a.org_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let now = Utc::now();
    let mut keys_by_app: HashMap<Uuid, Vec<m::ApiKeyView>> = HashMap::new();
    for k in key_rows {
        let by = full_name(people.get(&k.created_by));
        keys_by_app.entry(k.app_id).or_default().push(keys::view(&k, by, now));
    }
    Ok(apps
        .into_iter()
        .map(|a| m::AppView {
            id: a.id.into(),
            organisation: orgs.get(&a.org_id).cloned().unwrap_or_default(),
            shared: a.owner_id.is_none(),
            created_by: full_name(people.get(&a.created_by)),
            created_at: a.created_at,
            requests: requests_by_app.remove(&a.id).unwrap_or_default(),
            keys: keys_by_app.remove(&a.id).unwrap_or_default(),
            name: a.name,
            description: a.description,
        })
        .collect())
}

pub fn request_status_dto(s: RequestStatus) -> m::RequestStatus {
    match s {
        RequestStatus::Pending => m::RequestStatus::Pending,
        RequestStatus::Approved => m::RequestStatus::Approved,
        RequestStatus::Rejected => m::RequestStatus::Rejected,
        RequestStatus::Cancelled => m::RequestStatus::Cancelled,
        RequestStatus::Revoked => m::RequestStatus::Revoked,
    }
}

/// Views of access requests (in the given order), built with one query per table.
pub async fn request_views(
    db: &impl ConnectionTrait,
    requests: Vec<access_request::Model>,
) -> DomainResult<Vec<m::AccessRequestView>> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let items = access_request_item::Entity::find()
        .filter(access_request_item::Column::RequestId.is_in(requests.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let products: HashMap<Uuid, api_product::Model> = api_product::Entity::find()
        .filter(api_product::Column::Id.is_in(items.iter().map(|i| i.product_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut products_of: HashMap<Uuid, Vec<m::ProductRef>> = HashMap::new();
    for i in &items {
        if let Some(p) = products.get(&i.product_id) {
            products_of.entry(i.request_id).or_default().push(products::product_ref(p));
        }
    }
    let catalogs: HashMap<Uuid, catalog::Model> = catalog::Entity::find()
        .filter(catalog::Column::Id.is_in(requests.iter().map(|r| r.catalog_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let plans: HashMap<Uuid, plan::Model> = plan::Entity::find()
        .filter(plan::Column::Id.is_in(requests.iter().map(|r| r.plan_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let apps: HashMap<Uuid, app::Model> = app::Entity::find()
        .filter(app::Column::Id.is_in(requests.iter().map(|r| r.app_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let orgs: HashMap<Uuid, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(apps.values().map(|a| a.org_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let people = names_of(db, requests.iter().map(|r| r.requested_by)).await?;
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        let (Some(c), Some(p), Some(a)) =
            (catalogs.get(&r.catalog_id), plans.get(&r.plan_id), apps.get(&r.app_id))
        else {
            return Err(DomainError::Internal(format!(
                "access request {} lost its catalog, plan or app",
                r.id
            )));
        };
        let mut products = products_of.remove(&r.id).unwrap_or_default();
        products.sort_by(|a, b| a.name.cmp(&b.name));
        let who = people.get(&r.requested_by);
        out.push(m::AccessRequestView {
            id: r.id.into(),
            app_id: a.id.into(),
            app_name: a.name.clone(),
            catalog: catalogs::catalog_ref(c),
            plan: catalogs::plan_dto(p),
            products,
            status: request_status_dto(r.status),
            comment: r.comment,
            reason: r.decision_reason,
            requested_by: full_name(who),
            requested_by_email: who.map(|u| u.email.clone()).unwrap_or_default(),
            organisation: orgs.get(&a.org_id).cloned().unwrap_or_default(),
            created_at: r.created_at,
            decided_at: r.decided_at,
        });
    }
    Ok(out)
}
