//! Access requests: a consumer asks for products of one catalog on one plan for one app;
//! a plan without manual approval grants it at once (with a first key), otherwise a
//! portal admin approves or rejects it and the requester is emailed.
//!
//! Idempotency is the database's job, twice over: the checkout form's key is unique per
//! requester (a retry of the same form finds the first request), and a unique index over
//! (app, product, plan, live) admits one pending-or-approved request per app, product and
//! plan however many tabs or tasks ask at once.

use crate::entities::access_request::{self, RequestStatus};
use crate::entities::{access_request_item, user};
use crate::mail::Mailer;
use crate::services::audit::{self, Event};
use crate::services::{apps, cart, catalogs, keys, lifecycle, products};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model as m;
use portico_model::email::TemplateKey;
use portico_model::{AppInput, FieldError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The app a request is for.
pub enum AppChoice {
    /// One the requester may use.
    Existing(Uuid),
    /// Made with the request, in the same transaction.
    New(AppInput),
}

/// A checkout of one catalog group.
pub struct NewRequest {
    pub catalog_id: Uuid,
    pub plan_id: Uuid,
    pub product_ids: Vec<Uuid>,
    pub app: AppChoice,
    pub comment: String,
    /// Made once per checkout form (8 to 100 letters, digits, `-` or `_`).
    pub idempotency_key: String,
}

const MAX_COMMENT: usize = 1000;

fn check_key(key: &str) -> DomainResult<()> {
    let ok = (8..=100).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("idempotency_key", "The form is out of date; reload the page.").into())
    }
}

async fn by_key(
    db: &impl ConnectionTrait,
    actor: &Actor,
    key: &str,
) -> DomainResult<Option<access_request::Model>> {
    Ok(access_request::Entity::find()
        .filter(access_request::Column::RequestedBy.eq(actor.user_id))
        .filter(access_request::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

async fn view_of(
    db: &impl ConnectionTrait,
    request: access_request::Model,
) -> DomainResult<m::AccessRequestView> {
    apps::request_views(db, vec![request]).await?.pop().ok_or(DomainError::NotFound)
}

/// What the transaction of a request ended in.
enum Attempt {
    Made(Box<access_request::Model>, Option<(crate::entities::api_key::Model, String)>),
    /// A unique index refused a row: someone (or this very form) asked first.
    Clashed,
}

/// Asks for access. Returns the request and, when the plan needs no approval, the
/// first key (shown once). Asking again with the same form, or for products the app
/// already has (or awaits) on this plan, makes nothing new.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, catalog.id = %new.catalog_id))]
pub async fn request(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    new: NewRequest,
) -> DomainResult<m::RequestOutcome> {
    check_key(&new.idempotency_key)?;
    if let Some(first) = by_key(db, actor, &new.idempotency_key).await? {
        return Ok(m::RequestOutcome { request: view_of(db, first).await?, key: None });
    }
    let catalog = catalogs::visible_catalog(db, Some(actor), new.catalog_id).await?;
    let plan = catalogs::get_plan(db, new.plan_id).await?;
    if plan.catalog_id != catalog.id {
        return Err(FieldError::new("plan", "Choose one of this catalog's plans.").into());
    }
    let product_ids: BTreeSet<Uuid> = new.product_ids.iter().copied().collect();
    if product_ids.is_empty() {
        return Err(FieldError::new("products", "Choose at least one product.").into());
    }
    if product_ids.len() > cart::MAX_ITEMS {
        return Err(FieldError::new("products", "Ask for at most 50 products at once.").into());
    }
    for id in &product_ids {
        let product = products::get(db, *id).await?;
        if !product.published || !catalogs::holds(db, catalog.id, *id).await? {
            return Err(FieldError::new(
                "products",
                format!("{} is not offered by {}.", product.name, catalog.name),
            )
            .into());
        }
    }
    let comment = new.comment.trim().to_owned();
    if comment.chars().count() > MAX_COMMENT {
        return Err(FieldError::new("comment", "Keep the comment to 1,000 characters.").into());
    }
    if let AppChoice::Existing(id) = &new.app {
        apps::get_for(db, actor, *id).await?;
    }

    let status = if plan.requires_approval { RequestStatus::Pending } else { RequestStatus::Approved };
    let attempt = {
        let txn = db.begin().await?;
        let made: Result<Attempt, DomainError> = async {
            let app = match &new.app {
                AppChoice::Existing(id) => apps::get_for(&txn, actor, *id).await?,
                AppChoice::New(input) => apps::create(&txn, actor, input.clone()).await?,
            };
            let now = Utc::now();
            let row = access_request::ActiveModel {
                id: Set(Uuid::now_v7()),
                app_id: Set(app.id),
                catalog_id: Set(catalog.id),
                plan_id: Set(plan.id),
                status: Set(status),
                comment: Set(comment.clone()),
                requested_by: Set(actor.user_id),
                idempotency_key: Set(new.idempotency_key.clone()),
                decided_by: Set(None),
                decided_at: Set((status == RequestStatus::Approved).then_some(now)),
                decision_reason: Set(None),
                created_at: Set(now),
            };
            let request = match row.insert(&txn).await {
                Ok(r) => r,
                Err(e) if DomainError::is_unique_violation(&e) => return Ok(Attempt::Clashed),
                Err(e) => return Err(e.into()),
            };
            for product_id in &product_ids {
                let item = access_request_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    request_id: Set(request.id),
                    app_id: Set(app.id),
                    product_id: Set(*product_id),
                    plan_id: Set(plan.id),
                    live: Set(Some(true)),
                };
                match item.insert(&txn).await {
                    Ok(_) => {}
                    Err(e) if DomainError::is_unique_violation(&e) => return Ok(Attempt::Clashed),
                    Err(e) => return Err(e.into()),
                }
            }
            let key = if status == RequestStatus::Approved {
                Some(keys::issue(&txn, actor.user_id, &request, &plan).await?)
            } else {
                None
            };
            cart::remove_many(&txn, actor, catalog.id, &product_ids.iter().copied().collect::<Vec<_>>())
                .await?;
            Ok(Attempt::Made(Box::new(request), key))
        }
        .await;
        match made {
            Ok(Attempt::Made(request, key)) => {
                txn.commit().await?;
                Attempt::Made(request, key)
            }
            // On PostgreSQL a failed statement spoils the transaction: end it, then look.
            other => {
                txn.rollback().await?;
                other?
            }
        }
    };
    match attempt {
        Attempt::Made(request, key) => {
            let view = view_of(db, *request).await?;
            if status == RequestStatus::Pending {
                tell_admins(db, mailer, actor, &view).await?;
            }
            tracing::info!(request.id = %view.id, status = ?status, "access requested");
            let key = match key {
                Some((row, secret)) => {
                    let by = view.requested_by.clone();
                    Some(m::NewApiKey { key: keys::view(&row, by, Utc::now()), secret })
                }
                None => None,
            };
            Ok(m::RequestOutcome { request: view, key })
        }
        Attempt::Clashed => clash(db, actor, &new, &product_ids).await,
    }
}

/// After a unique index refused: the same form's first request, or the one request
/// that already holds exactly these products for the app and plan (a second tab), is
/// the answer; anything partial is a conflict naming what is already there.
async fn clash(
    db: &DatabaseConnection,
    actor: &Actor,
    new: &NewRequest,
    product_ids: &BTreeSet<Uuid>,
) -> DomainResult<m::RequestOutcome> {
    if let Some(first) = by_key(db, actor, &new.idempotency_key).await? {
        return Ok(m::RequestOutcome { request: view_of(db, first).await?, key: None });
    }
    let AppChoice::Existing(app_id) = &new.app else {
        return Err(DomainError::Internal("a new app clashed with a live request".into()));
    };
    let live = access_request_item::Entity::find()
        .filter(access_request_item::Column::AppId.eq(*app_id))
        .filter(access_request_item::Column::PlanId.eq(new.plan_id))
        .filter(access_request_item::Column::Live.eq(true))
        .all(db)
        .await?;
    let held: Vec<_> = live.iter().filter(|i| product_ids.contains(&i.product_id)).collect();
    if let Some(first) = held.first() {
        let same: BTreeSet<Uuid> =
            live.iter().filter(|i| i.request_id == first.request_id).map(|i| i.product_id).collect();
        if held.iter().all(|i| i.request_id == first.request_id) && &same == product_ids {
            let request = access_request::Entity::find_by_id(first.request_id)
                .one(db)
                .await?
                .ok_or(DomainError::NotFound)?;
            return Ok(m::RequestOutcome { request: view_of(db, request).await?, key: None });
        }
        let names: Vec<String> = product_names_of(db, held.iter().map(|i| i.product_id)).await?;
        return Err(DomainError::Conflict(format!(
            "This app already has access to, or is waiting for, {} on this plan.",
            names.join(", ")
        )));
    }
    Err(DomainError::Conflict(
        "Another request for this app changed at the same moment; please try again.".into(),
    ))
}

async fn product_names_of(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> DomainResult<Vec<String>> {
    let mut names = Vec::new();
    for id in ids {
        names.push(products::get(db, id).await?.name);
    }
    names.sort();
    Ok(names)
}

fn product_names(view: &m::AccessRequestView) -> String {
    view.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
}

async fn tell_admins(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    actor: &Actor,
    view: &m::AccessRequestView,
) -> DomainResult<()> {
    let requester = user::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(DomainError::NotFound)?;
    for admin in lifecycle::active_admins(db).await? {
        let vars = vec![
            ("first_name", admin.first_name.clone()),
            ("last_name", admin.last_name.clone()),
            ("requester_name", format!("{} {}", requester.first_name, requester.last_name)),
            ("requester_email", requester.email.clone()),
            ("organisation", view.organisation.clone()),
            ("app", view.app_name.clone()),
            ("products", product_names(view)),
            ("plan", view.plan.name.clone()),
            ("link", mailer.link("/admin/access-requests")),
        ];
        mailer.send(db, TemplateKey::AccessRequestReceived, &admin.email, vars).await?;
    }
    Ok(())
}

/// Access requests for the admin's queue, optionally of one status: pending first
/// (oldest first, as a queue), then the rest newest first. Portal admins only.
pub async fn list_for_admin(
    db: &impl ConnectionTrait,
    actor: &Actor,
    status: Option<m::RequestStatus>,
) -> DomainResult<Vec<m::AccessRequestView>> {
    actor.require_portal_admin()?;
    let mut query =
        access_request::Entity::find().order_by_desc(access_request::Column::CreatedAt).limit(500);
    if let Some(s) = status {
        query = query.filter(access_request::Column::Status.eq(status_entity(s)));
    }
    let mut rows = query.all(db).await?;
    // Pending first, oldest first (a queue); the rest stay newest first.
    rows.sort_by_key(|r| {
        let pending = r.status == RequestStatus::Pending;
        let age = r.created_at.timestamp_micros();
        (!pending, if pending { age } else { -age })
    });
    apps::request_views(db, rows).await
}

fn status_entity(s: m::RequestStatus) -> RequestStatus {
    match s {
        m::RequestStatus::Pending => RequestStatus::Pending,
        m::RequestStatus::Approved => RequestStatus::Approved,
        m::RequestStatus::Rejected => RequestStatus::Rejected,
        m::RequestStatus::Cancelled => RequestStatus::Cancelled,
        m::RequestStatus::Revoked => RequestStatus::Revoked,
    }
}

/// Approves or rejects a pending request; the requester is emailed. One conditional
/// update decides, so two admins deciding at once cannot both win. Portal admins only.
#[tracing::instrument(skip_all, fields(by = %actor.user_id, request.id = %id))]
pub async fn decide(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    id: Uuid,
    approve: bool,
    reason: Option<&str>,
) -> DomainResult<m::AccessRequestView> {
    actor.require_portal_admin()?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if reason.as_ref().is_some_and(|r| r.chars().count() > MAX_COMMENT) {
        return Err(FieldError::new("reason", "Keep the reason to 1,000 characters.").into());
    }
    let txn = db.begin().await?;
    let request = access_request::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let to = if approve { RequestStatus::Approved } else { RequestStatus::Rejected };
    let decided = access_request::Entity::update_many()
        .col_expr(access_request::Column::Status, Expr::value(to))
        .col_expr(access_request::Column::DecidedBy, Expr::value(actor.user_id))
        .col_expr(access_request::Column::DecidedAt, Expr::value(Utc::now()))
        .col_expr(
            access_request::Column::DecisionReason,
            Expr::value(if approve { None } else { reason.clone() }),
        )
        .filter(access_request::Column::Id.eq(id))
        .filter(access_request::Column::Status.eq(RequestStatus::Pending))
        .exec(&txn)
        .await?;
    if decided.rows_affected != 1 {
        return Err(DomainError::Conflict(format!(
            "This request is {} already.",
            apps::request_status_dto(request.status).label()
        )));
    }
    if !approve {
        end_items(&txn, id).await?;
    }
    let view =
        view_of(&txn, access_request::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?)
            .await?;
    let requester = user::Entity::find_by_id(request.requested_by).one(&txn).await?;
    let event = Event::new(
        if approve { "access.approve" } else { "access.reject" },
        "access_request",
        id,
        &view.app_name,
        requester.as_ref().map(|r| r.org_id),
        format!(
            "{} access of {} to {} on plan {}",
            if approve { "Approved" } else { "Rejected" },
            view.app_name,
            product_names(&view),
            view.plan.name
        ),
    )
    .change("status", "pending", if approve { "approved" } else { "rejected" })
    .change("reason", "", reason.clone().unwrap_or_default());
    audit::record(&txn, Some(actor), event).await?;
    if let Some(requester) = requester {
        let mut vars = vec![
            ("first_name", requester.first_name.clone()),
            ("last_name", requester.last_name.clone()),
            ("app", view.app_name.clone()),
            ("products", product_names(&view)),
            ("plan", view.plan.name.clone()),
        ];
        let template = if approve {
            vars.push(("link", mailer.link(&format!("/apps/{}", view.app_id))));
            TemplateKey::AccessRequestApproved
        } else {
            vars.push(("reason", reason.clone().unwrap_or_default()));
            TemplateKey::AccessRequestRejected
        };
        mailer.send(&txn, template, &requester.email, vars).await?;
    }
    txn.commit().await?;
    tracing::info!(approve, "access request decided");
    Ok(view)
}

/// The request's products are no longer held (rejected, cancelled, revoked).
async fn end_items(db: &impl ConnectionTrait, request_id: Uuid) -> Result<(), DbErr> {
    access_request_item::Entity::update_many()
        .col_expr(access_request_item::Column::Live, Expr::value(Option::<bool>::None))
        .filter(access_request_item::Column::RequestId.eq(request_id))
        .exec(db)
        .await?;
    Ok(())
}
