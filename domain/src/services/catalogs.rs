//! Catalogs: which products are offered, on which plans, to whom. A public catalog is
//! seen by everyone; a private one by the organisations and teams chosen (and by portal
//! admins). Admins manage catalogs, their products, audiences and plans; consumers read
//! the listing of what they may see.

use crate::entities::catalog::{self, Visibility};
use crate::entities::plan::{self, QuotaPeriod, RatePeriod};
use crate::entities::{
    access_request, api_product, catalog_org, catalog_product, catalog_team, organisation, team,
    team_membership,
};
use crate::services::audit::{self, Event};
use crate::services::products;
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model as m;
use portico_model::{FieldError, GroupName, PlanInput};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

pub fn visibility_dto(v: Visibility) -> m::Visibility {
    match v {
        Visibility::Public => m::Visibility::Public,
        Visibility::Private => m::Visibility::Private,
    }
}

fn visibility_entity(v: m::Visibility) -> Visibility {
    match v {
        m::Visibility::Public => Visibility::Public,
        m::Visibility::Private => Visibility::Private,
    }
}

pub fn catalog_ref(c: &catalog::Model) -> m::CatalogRef {
    m::CatalogRef { id: c.id.into(), name: c.name.clone(), visibility: visibility_dto(c.visibility) }
}

pub fn plan_dto(p: &plan::Model) -> m::Plan {
    let small = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    m::Plan {
        id: p.id.into(),
        catalog_id: p.catalog_id.into(),
        name: p.name.clone(),
        rate_limit: small(p.rate_limit),
        rate_period: match p.rate_period {
            RatePeriod::Second => m::RatePeriod::Second,
            RatePeriod::Minute => m::RatePeriod::Minute,
        },
        quota: p.quota.map(small),
        quota_period: match p.quota_period {
            QuotaPeriod::Day => m::QuotaPeriod::Day,
            QuotaPeriod::Month => m::QuotaPeriod::Month,
        },
        key_lifetime_days: p.key_lifetime_days.map(|d| u32::try_from(d).unwrap_or(0)),
        requires_approval: p.requires_approval,
    }
}

pub async fn get_catalog(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<catalog::Model> {
    catalog::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)
}

pub async fn get_plan(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<plan::Model> {
    plan::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)
}

/// The ids of the catalogs `actor` may see: every one for portal admins; public ones
/// for everyone else, plus private ones shown to their organisation or one of their
/// teams. `None` is a visitor who is not signed in.
pub async fn visible_ids(db: &impl ConnectionTrait, actor: Option<&Actor>) -> DomainResult<BTreeSet<Uuid>> {
    let all = catalog::Entity::find().all(db).await?;
    if actor.is_some_and(Actor::is_portal_admin) {
        return Ok(all.into_iter().map(|c| c.id).collect());
    }
    let mut ids: BTreeSet<Uuid> =
        all.iter().filter(|c| c.visibility == Visibility::Public).map(|c| c.id).collect();
    if let Some(actor) = actor {
        let by_org =
            catalog_org::Entity::find().filter(catalog_org::Column::OrgId.eq(actor.org_id)).all(db).await?;
        ids.extend(by_org.into_iter().map(|r| r.catalog_id));
        let teams: Vec<Uuid> = team_membership::Entity::find()
            .filter(team_membership::Column::UserId.eq(actor.user_id))
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.team_id)
            .collect();
        if !teams.is_empty() {
            let by_team = catalog_team::Entity::find()
                .filter(catalog_team::Column::TeamId.is_in(teams))
                .all(db)
                .await?;
            ids.extend(by_team.into_iter().map(|r| r.catalog_id));
        }
    }
    Ok(ids)
}

/// A catalog the actor may see, or `NotFound` (hidden catalogs do not exist for them).
pub async fn visible_catalog(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: Uuid,
) -> DomainResult<catalog::Model> {
    if !visible_ids(db, actor).await?.contains(&id) {
        return Err(DomainError::NotFound);
    }
    get_catalog(db, id).await
}

/// Plans of the given catalogs, by catalog, in name order.
pub async fn plans_of(
    db: &impl ConnectionTrait,
    catalog_ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, Vec<m::Plan>>> {
    let ids: Vec<Uuid> = catalog_ids.into_iter().collect();
    let mut out: HashMap<Uuid, Vec<m::Plan>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for p in plan::Entity::find()
        .filter(plan::Column::CatalogId.is_in(ids))
        .order_by_asc(plan::Column::Name)
        .all(db)
        .await?
    {
        out.entry(p.catalog_id).or_default().push(plan_dto(&p));
    }
    Ok(out)
}

/// The consumer's listing: visible catalogs and their published products.
pub async fn listing(db: &impl ConnectionTrait, actor: Option<&Actor>) -> DomainResult<m::CatalogListing> {
    let visible = visible_ids(db, actor).await?;
    let catalogs: Vec<catalog::Model> = catalog::Entity::find()
        .filter(catalog::Column::Id.is_in(visible.iter().copied()))
        .order_by_asc(catalog::Column::Name)
        .all(db)
        .await?;
    let products = products::summaries(db, Some(&visible), true).await?;
    Ok(m::CatalogListing {
        catalogs: catalogs.iter().map(catalog_ref).collect(),
        products: products.into_iter().filter(|p| !p.catalogs.is_empty()).collect(),
    })
}

/// Every catalog with its counts. Portal admins only.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<m::CatalogSummary>> {
    actor.require_portal_admin()?;
    let mut out = Vec::new();
    for c in catalog::Entity::find().order_by_asc(catalog::Column::Name).all(db).await? {
        let products = catalog_product::Entity::find()
            .filter(catalog_product::Column::CatalogId.eq(c.id))
            .count(db)
            .await?;
        let plans = plan::Entity::find().filter(plan::Column::CatalogId.eq(c.id)).count(db).await?;
        let orgs =
            catalog_org::Entity::find().filter(catalog_org::Column::CatalogId.eq(c.id)).count(db).await?;
        let teams =
            catalog_team::Entity::find().filter(catalog_team::Column::CatalogId.eq(c.id)).count(db).await?;
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        out.push(m::CatalogSummary {
            catalog: catalog_ref(&c),
            products: n(products),
            plans: n(plans),
            audiences: n(orgs + teams),
        });
    }
    Ok(out)
}

fn name_taken(err: &sea_orm::DbErr) -> Option<DomainError> {
    DomainError::is_unique_violation(err)
        .then(|| FieldError::new("catalog_name", "Another catalog has this name.").into())
}

/// A new catalog. Portal admins only.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    name: &str,
    visibility: m::Visibility,
) -> DomainResult<Uuid> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let name = GroupName::parse("catalog_name", name)?;
    let now = Utc::now();
    let row = catalog::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.as_str().to_owned()),
        visibility: Set(visibility_entity(visibility)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| name_taken(&e).unwrap_or(e.into()))?;
    let event = Event::new(
        "catalog.create",
        "catalog",
        row.id,
        &row.name,
        None,
        format!("Created catalog {} ({})", row.name, visibility.label()),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, catalog.id = %row.id, "catalog created");
    Ok(row.id)
}

/// Renames a catalog or changes who may see it. Portal admins only.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    name: &str,
    visibility: m::Visibility,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let name = GroupName::parse("catalog_name", name)?;
    let before = get_catalog(&txn, id).await?;
    let event = Event::new(
        "catalog.update",
        "catalog",
        id,
        name.as_str(),
        None,
        format!("Edited catalog {}", name.as_str()),
    )
    .change("name", &before.name, name.as_str())
    .change("visibility", visibility_dto(before.visibility).label(), visibility.label());
    audit::record(&txn, Some(actor), event).await?;
    let mut row: catalog::ActiveModel = before.into();
    row.name = Set(name.as_str().to_owned());
    row.visibility = Set(visibility_entity(visibility));
    row.updated_at = Set(Utc::now());
    row.update(&txn).await.map_err(|e| name_taken(&e).unwrap_or(e.into()))?;
    txn.commit().await?;
    Ok(())
}

/// A catalog with its products, plans and audiences. Portal admins only.
pub async fn detail(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<m::CatalogDetail> {
    actor.require_portal_admin()?;
    let c = get_catalog(db, id).await?;
    let product_ids: Vec<Uuid> = catalog_product::Entity::find()
        .filter(catalog_product::Column::CatalogId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.product_id)
        .collect();
    let products = api_product::Entity::find()
        .filter(api_product::Column::Id.is_in(product_ids))
        .order_by_asc(api_product::Column::Name)
        .all(db)
        .await?;
    let org_ids: Vec<Uuid> = catalog_org::Entity::find()
        .filter(catalog_org::Column::CatalogId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.org_id)
        .collect();
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?;
    let team_ids: Vec<Uuid> = catalog_team::Entity::find()
        .filter(catalog_team::Column::CatalogId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.team_id)
        .collect();
    let teams = team::Entity::find()
        .filter(team::Column::Id.is_in(team_ids))
        .find_also_related(organisation::Entity)
        .all(db)
        .await?;
    let mut teams: Vec<m::AudienceTeam> = teams
        .into_iter()
        .map(|(t, o)| m::AudienceTeam {
            id: t.id.into(),
            name: t.name,
            org_name: o.map(|o| o.name).unwrap_or_default(),
        })
        .collect();
    teams.sort_by(|a, b| (&a.org_name, &a.name).cmp(&(&b.org_name, &b.name)));
    Ok(m::CatalogDetail {
        catalog: catalog_ref(&c),
        products: products.iter().map(products::product_ref).collect(),
        plans: plans_of(db, [id]).await?.remove(&id).unwrap_or_default(),
        orgs: orgs.into_iter().map(|o| m::AudienceOrg { id: o.id.into(), name: o.name }).collect(),
        teams,
    })
}

/// Puts a product in a catalog or takes it out (again is harmless). Portal admins only.
pub async fn set_product(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    catalog_id: Uuid,
    product_id: Uuid,
    included: bool,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let catalog = get_catalog(&txn, catalog_id).await?;
    let target = products::get(&txn, product_id).await?;
    if included {
        let row = catalog_product::ActiveModel { catalog_id: Set(catalog_id), product_id: Set(product_id) };
        catalog_product::Entity::insert(row).on_conflict_do_nothing().exec(&txn).await?;
    } else {
        catalog_product::Entity::delete_many()
            .filter(catalog_product::Column::CatalogId.eq(catalog_id))
            .filter(catalog_product::Column::ProductId.eq(product_id))
            .exec(&txn)
            .await?;
    }
    let (verb, action) =
        if included { ("Added", "catalog.product_add") } else { ("Removed", "catalog.product_remove") };
    let event = Event::new(
        action,
        "catalog",
        catalog.id,
        &catalog.name,
        None,
        format!(
            "{verb} product {} {} catalog {}",
            target.name,
            if included { "to" } else { "from" },
            catalog.name
        ),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    Ok(())
}

/// Shows a catalog to an organisation or stops. Portal admins only.
pub async fn set_org(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    catalog_id: Uuid,
    org_id: Uuid,
    included: bool,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let catalog = get_catalog(&txn, catalog_id).await?;
    let target = organisation::Entity::find_by_id(org_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if included {
        let row = catalog_org::ActiveModel { catalog_id: Set(catalog_id), org_id: Set(org_id) };
        catalog_org::Entity::insert(row).on_conflict_do_nothing().exec(&txn).await?;
    } else {
        catalog_org::Entity::delete_many()
            .filter(catalog_org::Column::CatalogId.eq(catalog_id))
            .filter(catalog_org::Column::OrgId.eq(org_id))
            .exec(&txn)
            .await?;
    }
    let (verb, action) =
        if included { ("Added", "catalog.org_add") } else { ("Removed", "catalog.org_remove") };
    let event = Event::new(
        action,
        "catalog",
        catalog.id,
        &catalog.name,
        None,
        format!(
            "{verb} organisation {} {} catalog {}",
            target.name,
            if included { "to" } else { "from" },
            catalog.name
        ),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    Ok(())
}

/// Shows a catalog to a team or stops. Portal admins only.
pub async fn set_team(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    catalog_id: Uuid,
    team_id: Uuid,
    included: bool,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let catalog = get_catalog(&txn, catalog_id).await?;
    let target = team::Entity::find_by_id(team_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    if included {
        let row = catalog_team::ActiveModel { catalog_id: Set(catalog_id), team_id: Set(team_id) };
        catalog_team::Entity::insert(row).on_conflict_do_nothing().exec(&txn).await?;
    } else {
        catalog_team::Entity::delete_many()
            .filter(catalog_team::Column::CatalogId.eq(catalog_id))
            .filter(catalog_team::Column::TeamId.eq(team_id))
            .exec(&txn)
            .await?;
    }
    let (verb, action) =
        if included { ("Added", "catalog.team_add") } else { ("Removed", "catalog.team_remove") };
    let event = Event::new(
        action,
        "catalog",
        catalog.id,
        &catalog.name,
        None,
        format!(
            "{verb} team {} {} catalog {}",
            target.name,
            if included { "to" } else { "from" },
            catalog.name
        ),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    Ok(())
}

fn plan_columns(row: &mut plan::ActiveModel, input: &PlanInput) {
    row.name = Set(input.name.clone());
    row.rate_limit = Set(i64::from(input.rate_limit));
    row.rate_period = Set(match input.rate_period {
        m::RatePeriod::Second => RatePeriod::Second,
        m::RatePeriod::Minute => RatePeriod::Minute,
    });
    row.quota = Set(input.quota.map(i64::from));
    row.quota_period = Set(match input.quota_period {
        m::QuotaPeriod::Day => QuotaPeriod::Day,
        m::QuotaPeriod::Month => QuotaPeriod::Month,
    });
    row.key_lifetime_days = Set(input.key_lifetime_days.map(|d| i32::try_from(d).unwrap_or(i32::MAX)));
    row.requires_approval = Set(input.requires_approval);
}

/// A plan's terms in a line, for the audit log: "10/second, 10000/day, approval".
fn terms(p: &plan::Model) -> String {
    let d = plan_dto(p);
    let quota = d.quota.map_or_else(|| "no quota".to_owned(), |q| format!("{q}/{}", d.quota_period.unit()));
    let approval = if d.requires_approval { "approval needed" } else { "instant" };
    format!("{}/{}, {quota}, {approval}", d.rate_limit, d.rate_period.unit())
}

fn plan_name_taken(err: &sea_orm::DbErr) -> Option<DomainError> {
    DomainError::is_unique_violation(err)
        .then(|| FieldError::new("plan_name", "This catalog already has a plan with this name.").into())
}

/// A new plan in a catalog. Portal admins only.
pub async fn create_plan(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    catalog_id: Uuid,
    input: PlanInput,
) -> DomainResult<m::Plan> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let input = input.check()?;
    let catalog = get_catalog(&txn, catalog_id).await?;
    let mut row = plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        catalog_id: Set(catalog_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    plan_columns(&mut row, &input);
    let saved = row.insert(&txn).await.map_err(|e| plan_name_taken(&e).unwrap_or(e.into()))?;
    let event = Event::new(
        "plan.create",
        "plan",
        saved.id,
        &saved.name,
        None,
        format!("Created plan {} in {}: {}", saved.name, catalog.name, terms(&saved)),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, plan.id = %saved.id, "plan created");
    Ok(plan_dto(&saved))
}

/// Changes a plan's terms; keys already issued follow them. Portal admins only.
pub async fn update_plan(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    input: PlanInput,
) -> DomainResult<m::Plan> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let input = input.check()?;
    let before = get_plan(&txn, id).await?;
    let mut row: plan::ActiveModel = before.clone().into();
    plan_columns(&mut row, &input);
    let saved = row.update(&txn).await.map_err(|e| plan_name_taken(&e).unwrap_or(e.into()))?;
    let event =
        Event::new("plan.update", "plan", id, &saved.name, None, format!("Edited plan {}", saved.name))
            .change("name", &before.name, &saved.name)
            .change("terms", terms(&before), terms(&saved));
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    crate::gateway::changed(db).await?;
    tracing::info!(by = %actor.user_id, plan.id = %id, "plan updated");
    Ok(plan_dto(&saved))
}

/// Deletes a plan that no request has used. Portal admins only.
pub async fn delete_plan(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let plan = get_plan(&txn, id).await?;
    let used =
        access_request::Entity::find().filter(access_request::Column::PlanId.eq(id)).count(&txn).await?;
    if used > 0 {
        return Err(DomainError::Conflict(format!(
            "{} has been requested {used} time(s); it stays so those subscriptions keep their terms.",
            plan.name
        )));
    }
    plan::Entity::delete_by_id(id).exec(&txn).await?;
    let event =
        Event::new("plan.delete", "plan", id, &plan.name, None, format!("Deleted plan {}", plan.name));
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, plan.id = %id, "plan deleted");
    Ok(())
}

/// Whether `product_id` sits in `catalog_id`.
pub async fn holds(db: &impl ConnectionTrait, catalog_id: Uuid, product_id: Uuid) -> DomainResult<bool> {
    Ok(catalog_product::Entity::find()
        .filter(
            Condition::all()
                .add(catalog_product::Column::CatalogId.eq(catalog_id))
                .add(catalog_product::Column::ProductId.eq(product_id)),
        )
        .count(db)
        .await?
        > 0)
}
