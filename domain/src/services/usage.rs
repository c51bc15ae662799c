//! Usage as the dashboards show it, read from the hourly rollups the gateway writes and
//! the minutes not folded into them yet (`usage_hours_live`): a 7-day series (allowed
//! vs denied, per hour) for a scope, and for each key its plan's limits with the quota
//! used and left in the current period.
//!
//! Who sees what: a developer sees the apps they may use (their organisation's shared
//! apps and their own) and those apps' keys; a portal admin sees any developer's keys
//! (the keys they made) and the whole portal. Reads cost a bounded number of rows (at
//! most 168 hours per key, product and outcome, and the minute or two not folded yet)
//! whatever the traffic.

use crate::entities::{
    access_request, access_request_item, api_key, api_product, app, plan, usage_hour_live, usage_portal_hour,
    user,
};
use crate::gateway::{quota_period_end, quota_period_start};
use crate::services::{apps, catalogs, keys};
use crate::{Actor, DomainError, DomainResult};
use chrono::{DateTime, Duration, TimeZone, Utc};
use portico_model as m;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Which calls a series counts.
#[derive(Clone, Debug)]
pub enum Scope {
    /// Calls made with the keys of these apps.
    Apps(Vec<Uuid>),
    /// Calls made with these keys.
    Keys(Vec<Uuid>),
    /// Every call the portal answered.
    Portal,
}

/// The start of the hour `at` is in.
fn hour_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(3600) * 3600
}

/// The first hour a 7-day series shows: 167 hours before the current one.
fn series_start(now: DateTime<Utc>) -> i64 {
    hour_of(now) - (m::USAGE_DAYS * 24 - 1) * 3600
}

fn scope_condition(scope: &Scope) -> Option<Condition> {
    match scope {
        Scope::Apps(ids) => Some(Condition::all().add(usage_hour_live::Column::AppId.is_in(ids.clone()))),
        Scope::Keys(ids) => Some(Condition::all().add(usage_hour_live::Column::KeyId.is_in(ids.clone()))),
        Scope::Portal => None,
    }
}

/// `SUM(count)` as a 64-bit integer on both databases (PostgreSQL sums to NUMERIC).
fn sum_count() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust("CAST(SUM(count) AS BIGINT)")
}

/// Calls per hour over the past [`m::USAGE_DAYS`] days, oldest hour first, every hour
/// present (zero when quiet), the current hour last. The portal-wide series reads the
/// portal totals (at most 168 rows per outcome), the others the hourly rows of their
/// apps or keys (by the app and key indexes).
pub async fn series(
    db: &impl ConnectionTrait,
    scope: &Scope,
    now: DateTime<Utc>,
) -> DomainResult<m::UsageSeries> {
    let start = series_start(now);
    let empty = matches!(scope, Scope::Apps(ids) | Scope::Keys(ids) if ids.is_empty());
    let rows: Vec<(i64, String, i64)> = if empty {
        Vec::new()
    } else if matches!(scope, Scope::Portal) {
        usage_portal_hour::Entity::find()
            .select_only()
            .column(usage_portal_hour::Column::Hour)
            .column(usage_portal_hour::Column::Outcome)
            .column(usage_portal_hour::Column::Count)
            .filter(usage_portal_hour::Column::Hour.gte(start))
            .into_tuple()
            .all(db)
            .await?
    } else {
        let mut query = usage_hour_live::Entity::find()
            .select_only()
            .column(usage_hour_live::Column::Hour)
            .column(usage_hour_live::Column::Outcome)
            .column_as(sum_count(), "n")
            .filter(usage_hour_live::Column::Hour.gte(start))
            .group_by(usage_hour_live::Column::Hour)
            .group_by(usage_hour_live::Column::Outcome);
        if let Some(condition) = scope_condition(scope) {
            query = query.filter(condition);
        }
        query.into_tuple().all(db).await?
    };
    let hours = usize::try_from(m::USAGE_DAYS * 24).unwrap_or(168);
    let mut points: Vec<m::UsagePoint> = (0..hours)
        .map(|i| m::UsagePoint {
            hour: Utc.timestamp_opt(start + i64::try_from(i).unwrap_or(0) * 3600, 0).single().unwrap_or(now),
            allowed: 0,
            denied: 0,
        })
        .collect();
    let mut reasons: HashMap<String, u64> = HashMap::new();
    let (mut allowed, mut denied) = (0, 0);
    for (hour, outcome, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        let Some(point) = usize::try_from((hour - start) / 3600).ok().and_then(|i| points.get_mut(i)) else {
            continue;
        };
        if outcome == "allowed" {
            point.allowed += n;
            allowed += n;
        } else {
            point.denied += n;
            denied += n;
            *reasons.entry(outcome).or_default() += n;
        }
    }
    let mut denied_by_reason: Vec<m::ReasonCount> =
        reasons.into_iter().map(|(reason, count)| m::ReasonCount { reason, count }).collect();
    denied_by_reason.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Ok(m::UsageSeries { points, allowed, denied, denied_by_reason })
}

/// Per key, the sum of calls since `since` (Unix seconds), allowed only or all.
async fn sums_by_key(
    db: &impl ConnectionTrait,
    keys: &[Uuid],
    since: i64,
    allowed_only: bool,
) -> DomainResult<HashMap<Uuid, u64>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = usage_hour_live::Entity::find()
        .select_only()
        .column(usage_hour_live::Column::KeyId)
        .column_as(sum_count(), "n")
        .filter(usage_hour_live::Column::KeyId.is_in(keys.iter().copied()))
        .filter(usage_hour_live::Column::Hour.gte(since))
        .group_by(usage_hour_live::Column::KeyId);
    if allowed_only {
        query = query.filter(usage_hour_live::Column::Outcome.eq("allowed"));
    }
    let rows: Vec<(Uuid, i64)> = query.into_tuple().all(db).await?;
    Ok(rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or(0))).collect())
}

/// Each key with its plan, products and where it stands in its quota period (keys
/// revoked more than [`m::USAGE_DAYS`] days ago are left out: nothing to watch).
pub async fn key_usages(
    db: &impl ConnectionTrait,
    key_rows: Vec<api_key::Model>,
    now: DateTime<Utc>,
) -> DomainResult<Vec<m::KeyUsage>> {
    let horizon = now - Duration::days(m::USAGE_DAYS);
    let key_rows: Vec<api_key::Model> =
        key_rows.into_iter().filter(|k| k.revoked_at.is_none_or(|at| at > horizon)).collect();
    if key_rows.is_empty() {
        return Ok(Vec::new());
    }
    let by_id = |ids: Vec<Uuid>| ids.into_iter().collect::<std::collections::HashSet<_>>();
    let requests: HashMap<Uuid, access_request::Model> = access_request::Entity::find()
        .filter(access_request::Column::Id.is_in(by_id(key_rows.iter().map(|k| k.request_id).collect())))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let plans: HashMap<Uuid, plan::Model> = plan::Entity::find()
        .filter(plan::Column::Id.is_in(by_id(requests.values().map(|r| r.plan_id).collect())))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let items = access_request_item::Entity::find()
        .filter(access_request_item::Column::RequestId.is_in(requests.keys().copied()))
        .all(db)
        .await?;
    let product_names: HashMap<Uuid, String> = api_product::Entity::find()
        .filter(api_product::Column::Id.is_in(by_id(items.iter().map(|i| i.product_id).collect())))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut products_of: HashMap<Uuid, Vec<String>> = HashMap::new();
    for i in &items {
        if let Some(name) = product_names.get(&i.product_id) {
            products_of.entry(i.request_id).or_default().push(name.clone());
        }
    }
    let app_names: HashMap<Uuid, String> = app::Entity::find()
        .filter(app::Column::Id.is_in(by_id(key_rows.iter().map(|k| k.app_id).collect())))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let people: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(by_id(key_rows.iter().map(|k| k.created_by).collect())))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let ids: Vec<Uuid> = key_rows.iter().map(|k| k.id).collect();
    let day = quota_period_start(plan::QuotaPeriod::Day, now);
    let month = quota_period_start(plan::QuotaPeriod::Month, now);
    let used_today = sums_by_key(db, &ids, day.timestamp(), true).await?;
    let used_this_month = sums_by_key(db, &ids, month.timestamp(), true).await?;
    let calls_7d = sums_by_key(db, &ids, series_start(now), false).await?;

    let mut out = Vec::with_capacity(key_rows.len());
    for k in key_rows {
        let Some(p) = requests.get(&k.request_id).and_then(|r| plans.get(&r.plan_id)) else {
            return Err(DomainError::Internal(format!("API key {} lost its request or plan", k.id)));
        };
        let (period_start, used) = match p.quota_period {
            plan::QuotaPeriod::Day => (day, used_today.get(&k.id)),
            plan::QuotaPeriod::Month => (month, used_this_month.get(&k.id)),
        };
        let quota_used = used.copied().unwrap_or(0);
        let mut products = products_of.remove(&k.request_id).unwrap_or_default();
        products.sort();
        out.push(m::KeyUsage {
            id: k.id.into(),
            app_id: k.app_id.into(),
            app_name: app_names.get(&k.app_id).cloned().unwrap_or_default(),
            prefix: k.prefix.clone(),
            created_by: apps::full_name(people.get(&k.created_by)),
            status: keys::status(&k, now),
            plan: catalogs::plan_dto(p),
            products,
            quota_used,
            quota_remaining: p.quota.map(|q| u64::try_from(q).unwrap_or(0).saturating_sub(quota_used)),
            quota_resets_at: quota_period_end(p.quota_period, period_start),
            last_used_at: k.last_used_at,
            calls_7d: calls_7d.get(&k.id).copied().unwrap_or(0),
        });
    }
    // Working keys first, then by app and age.
    out.sort_by_key(|k| (!k.status.works(), k.app_name.clone(), k.prefix.clone()));
    Ok(out)
}

/// The signed-in developer's dashboard: the apps they may use, their keys, and the
/// series for all of them, one app, or one key. An app or key the caller may not use is
/// `NotFound`.
pub async fn my_dashboard(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Option<Uuid>,
    key_id: Option<Uuid>,
) -> DomainResult<m::UsageDashboard> {
    let now = Utc::now();
    let app_rows = app::Entity::find()
        .filter(app::Column::DeletedAt.is_null())
        .filter(apps::usable_by(actor))
        .order_by_asc(app::Column::Name)
        .all(db)
        .await?;
    let app_ids: Vec<Uuid> = app_rows.iter().map(|a| a.id).collect();
    if app_id.is_some_and(|id| !app_ids.contains(&id)) {
        return Err(DomainError::NotFound);
    }
    let key_rows = api_key::Entity::find()
        .filter(api_key::Column::AppId.is_in(app_ids.clone()))
        .order_by_asc(api_key::Column::CreatedAt)
        .all(db)
        .await?;
    let scope = match (app_id, key_id) {
        (_, Some(key)) => {
            let found = key_rows.iter().find(|k| k.id == key).ok_or(DomainError::NotFound)?;
            if app_id.is_some_and(|a| a != found.app_id) {
                return Err(DomainError::NotFound);
            }
            Scope::Keys(vec![key])
        }
        (Some(app), None) => Scope::Apps(vec![app]),
        (None, None) => Scope::Apps(app_ids),
    };
    Ok(m::UsageDashboard {
        series: series(db, &scope, now).await?,
        apps: app_rows.into_iter().map(|a| m::UsageApp { id: a.id.into(), name: a.name }).collect(),
        keys: key_usages(db, key_rows, now).await?,
        as_of: now,
    })
}

/// A developer's usage as a portal admin sees it: every key the developer made, in any
/// app, with the series of all of them or of one. Portal admins only.
pub async fn developer_dashboard(
    db: &impl ConnectionTrait,
    actor: &Actor,
    developer_id: Uuid,
    key_id: Option<Uuid>,
) -> DomainResult<m::UsageDashboard> {
    actor.require_portal_admin()?;
    let now = Utc::now();
    user::Entity::find_by_id(developer_id).one(db).await?.ok_or(DomainError::NotFound)?;
    let key_rows = api_key::Entity::find()
        .filter(api_key::Column::CreatedBy.eq(developer_id))
        .order_by_asc(api_key::Column::CreatedAt)
        .all(db)
        .await?;
    let scope = match key_id {
        Some(key) if key_rows.iter().any(|k| k.id == key) => Scope::Keys(vec![key]),
        Some(_) => return Err(DomainError::NotFound),
        None => Scope::Keys(key_rows.iter().map(|k| k.id).collect()),
    };
    let app_rows = app::Entity::find()
        .filter(app::Column::Id.is_in(key_rows.iter().map(|k| k.app_id).collect::<Vec<_>>()))
        .order_by_asc(app::Column::Name)
        .all(db)
        .await?;
    Ok(m::UsageDashboard {
        series: series(db, &scope, now).await?,
        apps: app_rows.into_iter().map(|a| m::UsageApp { id: a.id.into(), name: a.name }).collect(),
        keys: key_usages(db, key_rows, now).await?,
        as_of: now,
    })
}

/// Every call the portal answered over the past 7 days. Portal admins only.
pub async fn portal_series(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<m::UsageSeries> {
    actor.require_portal_admin()?;
    series(db, &Scope::Portal, Utc::now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_ends_with_the_current_hour_and_spans_seven_days() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 13, 45, 0).unwrap();
        let start = series_start(now);
        assert_eq!(hour_of(now) - start, 167 * 3600);
        assert_eq!(
            Utc.timestamp_opt(start, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap()
        );
    }
}
