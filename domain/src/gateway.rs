//! Keys at the gateway: the decision for one API call, answered from memory.
//!
//! - **Format first.** A presented key's prefix, alphabet and checksum are checked before
//!   anything else; a typo or a stranger's string never reaches the database.
//! - **Entitlement cache.** A key's entitlement (app, organisation, developer, products'
//!   path prefixes, plan limits, and whatever already denies it) is loaded once, by one
//!   joined query, and kept; unknown keys are cached as unknown for a short while.
//! - **Freshness.** Every change that affects a decision calls [`changed`] after it
//!   commits: it bumps this process's change counter (so the very next call here
//!   reloads) and the database's (`gateway_state.generation`); on PostgreSQL it also
//!   sends a notification, on which every listening host drops its cached decisions at
//!   once. Hosts also read the counter every [`POLL`] (configurable), the only way on
//!   SQLite and the fallback on PostgreSQL. A cached entry remembers the counter read
//!   *before* it was loaded, so a load racing a change is never kept.
//! - **Limits.** Rate limits (per second or minute) and quotas (per day or month) are
//!   fixed windows per key, counted under one lock: no overshoot on one host. A key's
//!   quota count is seeded from the stored usage of the current period.
//! - **Lossless usage.** Every decision is counted in memory by minute, app, key,
//!   product and outcome; [`Gateway::flush`] (about once a second) adds the counts to
//!   `usage_minutes`, `usage_hours` and the portal-wide `usage_portal_hours` in one
//!   transaction and puts them back if the write fails. Keys' `last_used_at` is written
//!   from the same path. Per-minute rows are kept for [`MINUTES_KEPT`]; the hourly ones,
//!   which the graphs read, for good.

use crate::entities::access_request::RequestStatus;
use crate::entities::organisation::OrgStatus;
use crate::entities::plan::{QuotaPeriod, RatePeriod};
use crate::entities::user::UserStatus;
use crate::secret::hash_token;
use crate::{DomainResult, apikey};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement, TransactionTrait};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How often hosts look at the database's change counter by default: the only way
/// changes reach other hosts on SQLite, the fallback beside LISTEN/NOTIFY on PostgreSQL.
pub const POLL: Duration = Duration::from_millis(500);
/// How often counted usage is written.
const FLUSH: Duration = Duration::from_secs(1);
/// The PostgreSQL notification channel [`changed`] notifies.
const CHANNEL: &str = "portico_gateway_changed";
/// How long an unknown key is remembered as unknown.
const UNKNOWN_TTL: Duration = Duration::from_secs(30);
/// The most entries the cache holds before it starts over.
const MAX_CACHED: usize = 1_000_000;
/// How long per-minute usage is kept (the hourly rollups keep the sums for good).
pub const MINUTES_KEPT: chrono::Duration = chrono::Duration::hours(48);

/// This process's count of decision-affecting changes.
static LOCAL_CHANGES: AtomicU64 = AtomicU64::new(0);

/// Records a change that affects gateway decisions (a key revoked or rotated, an app
/// deleted, a developer or organisation deactivated, a plan or product changed). Call it
/// after the change is committed.
pub async fn changed(db: &impl ConnectionTrait) -> DomainResult<()> {
    LOCAL_CHANGES.fetch_add(1, Ordering::SeqCst);
    db.execute_unprepared("UPDATE gateway_state SET generation = generation + 1 WHERE id = 1").await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Other hosts listening on the channel drop their cached decisions at once
        // (inside a transaction, at its commit).
        db.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(())
}

/// Why a call is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    MissingKey,
    MalformedKey,
    UnknownKey,
    RevokedKey,
    ExpiredKey,
    NotApproved,
    NotEntitled,
    DeveloperInactive,
    OrganisationInactive,
    RateLimited,
    QuotaExceeded,
}

impl Reason {
    /// The machine-readable name (header `X-Portico-Reason`, JSON `reason`).
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingKey => "missing_key",
            Self::MalformedKey => "malformed_key",
            Self::UnknownKey => "unknown_key",
            Self::RevokedKey => "revoked_key",
            Self::ExpiredKey => "expired_key",
            Self::NotApproved => "not_approved",
            Self::NotEntitled => "not_entitled",
            Self::DeveloperInactive => "developer_inactive",
            Self::OrganisationInactive => "organisation_inactive",
            Self::RateLimited => "rate_limited",
            Self::QuotaExceeded => "quota_exceeded",
        }
    }

    /// 401 for the key itself, 403 for what it may not do, 429 for limits.
    pub fn status(self) -> u16 {
        match self {
            Self::MissingKey
            | Self::MalformedKey
            | Self::UnknownKey
            | Self::RevokedKey
            | Self::ExpiredKey => 401,
            Self::NotApproved | Self::NotEntitled | Self::DeveloperInactive | Self::OrganisationInactive => {
                403
            }
            Self::RateLimited | Self::QuotaExceeded => 429,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::MissingKey => "No API key: send it in X-API-Key, Authorization: Bearer, or api_key.",
            Self::MalformedKey => "This is not a Portico API key (wrong form or checksum).",
            Self::UnknownKey => "This API key does not exist.",
            Self::RevokedKey => "This API key was revoked.",
            Self::ExpiredKey => "This API key has expired.",
            Self::NotApproved => "The app's access to these products is not approved.",
            Self::NotEntitled => "This key's products do not cover this path.",
            Self::DeveloperInactive => "The key's developer is inactive.",
            Self::OrganisationInactive => "The key's organisation is inactive.",
            Self::RateLimited => "Rate limit exceeded.",
            Self::QuotaExceeded => "Quota exceeded.",
        }
    }
}

/// The answer for one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow(Allowed),
    Deny { reason: Reason, limit: Option<Limits> },
}

/// What an allowed call learns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub app_id: Uuid,
    pub app_name: String,
    pub developer: String,
    pub organisation: String,
    pub product_id: Uuid,
    pub limits: Limits,
}

/// The rate limit the call was counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the window (or, when the quota ran out, the quota period) ends.
    pub reset_secs: u64,
}

/// A key's entitlement as loaded.
#[derive(Debug)]
struct Entitlement {
    key_id: Uuid,
    app_id: Uuid,
    app_name: String,
    developer: String,
    organisation: String,
    expires_at: Option<DateTime<Utc>>,
    /// Whatever denies every call, whatever the path (revoked, not approved, inactive).
    denied: Option<Reason>,
    /// (product, path prefix) pairs the key may call.
    prefixes: Vec<(Uuid, String)>,
    rate_limit: u64,
    rate_secs: u64,
    quota: Option<u64>,
    quota_period: QuotaPeriod,
}

/// One row of [`Gateway::load`]'s query.
#[derive(Debug, FromQueryResult)]
struct LoadRow {
    key_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    app_id: Uuid,
    app_name: String,
    deleted_at: Option<DateTime<Utc>>,
    request_status: RequestStatus,
    rate_limit: Option<i64>,
    rate_period: Option<RatePeriod>,
    quota: Option<i64>,
    quota_period: Option<QuotaPeriod>,
    org_name: Option<String>,
    org_status: Option<OrgStatus>,
    developer_email: Option<String>,
    developer_status: Option<UserStatus>,
    product_id: Option<Uuid>,
    path_prefix: Option<String>,
}

#[derive(Debug)]
enum Cached {
    Known(Entitlement),
    Unknown(Instant),
}

#[derive(Debug)]
struct Entry {
    generation: u64,
    value: Cached,
}

/// Per key: the current rate window and quota period, and their counts.
#[derive(Debug, Default)]
struct Counters {
    rate_window: i64,
    rate_count: u64,
    quota_period: i64,
    quota_count: u64,
    quota_seeded: bool,
}

/// One usage rollup cell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct UsageCell {
    minute: i64,
    app_id: Uuid,
    key_id: Uuid,
    product_id: Uuid,
    outcome: &'static str,
}

/// The gateway's state in one host: the cache, the counters and the unflushed usage.
pub struct Gateway {
    db: DatabaseConnection,
    cache: RwLock<HashMap<String, Arc<Entry>>>,
    counters: Mutex<HashMap<Uuid, Counters>>,
    usage: Mutex<HashMap<UsageCell, u64>>,
    last_used: Mutex<HashMap<Uuid, DateTime<Utc>>>,
    /// The database's change counter as last seen, and how often it moved.
    remote_seen: AtomicU64,
    remote_changes: AtomicU64,
}

/// A store that could not be reached (the caller answers 503, never 401/403).
#[derive(Debug, thiserror::Error)]
#[error("the key store cannot be reached: {0}")]
pub struct Unavailable(pub String);

impl Gateway {
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        Arc::new(Self {
            db,
            cache: RwLock::new(HashMap::new()),
            counters: Mutex::new(HashMap::new()),
            usage: Mutex::new(HashMap::new()),
            last_used: Mutex::new(HashMap::new()),
            remote_seen: AtomicU64::new(0),
            remote_changes: AtomicU64::new(0),
        })
    }

    /// The change counter cached entries are compared with.
    fn generation(&self) -> u64 {
        LOCAL_CHANGES.load(Ordering::SeqCst).wrapping_add(self.remote_changes.load(Ordering::SeqCst))
    }

    /// Reads the database's change counter; when it moved, cached decisions are dropped.
    pub async fn poll_changes(&self) -> Result<(), Unavailable> {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT generation FROM gateway_state WHERE id = 1",
            ))
            .await
            .map_err(|e| Unavailable(e.to_string()))?;
        let now: i64 = row.and_then(|r| r.try_get("", "generation").ok()).unwrap_or(0);
        let now = u64::try_from(now).unwrap_or(0);
        if self.remote_seen.swap(now, Ordering::SeqCst) != now {
            self.remote_changes.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    /// Decides a call: `presented` is the key as sent (if any), `path` the original
    /// path.
    pub async fn decide(&self, presented: Option<&str>, path: &str) -> Result<Decision, Unavailable> {
        let Some(presented) = presented.map(str::trim).filter(|k| !k.is_empty()) else {
            return Ok(Decision::Deny { reason: Reason::MissingKey, limit: None });
        };
        if apikey::check(presented).is_err() {
            return Ok(Decision::Deny { reason: Reason::MalformedKey, limit: None });
        }
        let hash = hash_token(presented);
        let entry = self.entry(&hash).await?;
        let now = Utc::now();
        let ent = match &entry.value {
            Cached::Unknown(_) => return Ok(Decision::Deny { reason: Reason::UnknownKey, limit: None }),
            Cached::Known(ent) => ent,
        };
        let deny = |reason| Decision::Deny { reason, limit: None };
        let covering = covering_product(&ent.prefixes, path);
        let decision = if let Some(reason) = ent.denied {
            deny(reason)
        } else if ent.expires_at.is_some_and(|at| at <= now) {
            deny(Reason::ExpiredKey)
        } else {
            match covering {
                None => deny(Reason::NotEntitled),
                Some(product_id) => match self.count(ent, now).await? {
                    Ok(limits) => Decision::Allow(Allowed {
                        app_id: ent.app_id,
                        app_name: ent.app_name.clone(),
                        developer: ent.developer.clone(),
                        organisation: ent.organisation.clone(),
                        product_id,
                        limits,
                    }),
                    Err((reason, limits)) => Decision::Deny { reason, limit: Some(limits) },
                },
            }
        };
        self.record(ent, covering.unwrap_or(Uuid::nil()), &decision, now);
        Ok(decision)
    }

    /// The cached entry for a key hash, loaded when missing or stale.
    async fn entry(&self, hash: &str) -> Result<Arc<Entry>, Unavailable> {
        let generation = self.generation();
        if let Some(entry) = self.cache.read().map_err(poisoned)?.get(hash).cloned() {
            let fresh = entry.generation == generation
                && match entry.value {
                    Cached::Unknown(at) => at.elapsed() < UNKNOWN_TTL,
                    Cached::Known(_) => true,
                };
            if fresh {
                return Ok(entry);
            }
        }
        let value = self.load(hash).await.map_err(|e| Unavailable(e.to_string()))?;
        let entry = Arc::new(Entry { generation, value });
        let mut cache = self.cache.write().map_err(poisoned)?;
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(hash.to_owned(), entry.clone());
        Ok(entry)
    }

    /// Reads a key's entitlement from the database: one query, one row per path prefix
    /// the key's request covers (or one row with no prefix).
    async fn load(&self, hash: &str) -> Result<Cached, sea_orm::DbErr> {
        let backend = self.db.get_database_backend();
        let param = if backend == DbBackend::Postgres { "$1" } else { "?" };
        let sql = format!(
            "SELECT k.id AS key_id, k.expires_at, k.revoked_at, \
                    a.id AS app_id, a.name AS app_name, a.deleted_at, \
                    r.status AS request_status, \
                    p.rate_limit, p.rate_period, p.quota, p.quota_period, \
                    o.name AS org_name, o.status AS org_status, \
                    u.email AS developer_email, u.status AS developer_status, \
                    pa.product_id, pa.path_prefix \
             FROM api_keys k \
             JOIN apps a ON a.id = k.app_id \
             JOIN access_requests r ON r.id = k.request_id \
             LEFT JOIN plans p ON p.id = r.plan_id \
             LEFT JOIN organisations o ON o.id = a.org_id \
             LEFT JOIN users u ON u.id = k.created_by \
             LEFT JOIN access_request_items i ON i.request_id = r.id \
             LEFT JOIN product_apis pa ON pa.product_id = i.product_id \
             WHERE k.key_hash = {param}"
        );
        let rows = LoadRow::find_by_statement(Statement::from_sql_and_values(backend, sql, [hash.into()]))
            .all(&self.db)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(Cached::Unknown(Instant::now()));
        };
        let prefixes = rows.iter().filter_map(|r| Some((r.product_id?, r.path_prefix.clone()?))).collect();
        let denied = if first.revoked_at.is_some() || first.deleted_at.is_some() {
            Some(Reason::RevokedKey)
        } else if first.request_status != RequestStatus::Approved {
            Some(Reason::NotApproved)
        } else if first.developer_status != Some(UserStatus::Active) {
            Some(Reason::DeveloperInactive)
        } else if first.org_status != Some(OrgStatus::Active) {
            Some(Reason::OrganisationInactive)
        } else {
            None
        };
        // A request whose plan is gone allows nothing.
        let (rate_limit, rate_secs, quota, quota_period) = match (first.rate_limit, first.rate_period) {
            (Some(limit), Some(period)) => (
                u64::try_from(limit).unwrap_or(0),
                match period {
                    RatePeriod::Second => 1,
                    RatePeriod::Minute => 60,
                },
                first.quota.map(|q| u64::try_from(q).unwrap_or(0)),
                first.quota_period.unwrap_or(QuotaPeriod::Day),
            ),
            _ => (0, 1, Some(0), QuotaPeriod::Day),
        };
        Ok(Cached::Known(Entitlement {
            key_id: first.key_id,
            app_id: first.app_id,
            app_name: first.app_name.clone(),
            developer: first.developer_email.clone().unwrap_or_default(),
            organisation: first.org_name.clone().unwrap_or_default(),
            expires_at: first.expires_at,
            denied,
            prefixes,
            rate_limit,
            rate_secs,
            quota,
            quota_period,
        }))
    }

    /// Counts an allowed-so-far call against the key's rate window and quota; refuses
    /// it (uncounted) when either is used up.
    async fn count(
        &self,
        ent: &Entitlement,
        now: DateTime<Utc>,
    ) -> Result<Result<Limits, (Reason, Limits)>, Unavailable> {
        let period = quota_period_start(ent.quota_period, now);
        let needs_seed = ent.quota.is_some()
            && self
                .counters
                .lock()
                .map_err(poisoned)?
                .get(&ent.key_id)
                .is_none_or(|c| !c.quota_seeded || c.quota_period != period.timestamp());
        let seed = if needs_seed { Some(self.stored_allowed_since(ent.key_id, period).await?) } else { None };
        let mut counters = self.counters.lock().map_err(poisoned)?;
        let c = counters.entry(ent.key_id).or_default();
        if c.quota_period != period.timestamp() || !c.quota_seeded {
            c.quota_period = period.timestamp();
            c.quota_count = seed.unwrap_or(0) + self.unflushed_allowed_since(ent.key_id, period);
            c.quota_seeded = true;
        }
        let secs = i64::try_from(ent.rate_secs).unwrap_or(1);
        let window = now.timestamp().div_euclid(secs);
        if c.rate_window != window {
            c.rate_window = window;
            c.rate_count = 0;
        }
        let reset = u64::try_from(secs - now.timestamp().rem_euclid(secs)).unwrap_or(1);
        if c.rate_count >= ent.rate_limit {
            let limits = Limits { limit: ent.rate_limit, remaining: 0, reset_secs: reset };
            return Ok(Err((Reason::RateLimited, limits)));
        }
        if let Some(quota) = ent.quota
            && c.quota_count >= quota
        {
            let end = quota_period_end(ent.quota_period, period);
            let reset_secs = u64::try_from((end - now).num_seconds().max(1)).unwrap_or(1);
            return Ok(Err((
                Reason::QuotaExceeded,
                Limits { limit: ent.rate_limit, remaining: 0, reset_secs },
            )));
        }
        c.rate_count += 1;
        c.quota_count += 1;
        Ok(Ok(Limits { limit: ent.rate_limit, remaining: ent.rate_limit - c.rate_count, reset_secs: reset }))
    }

    /// Allowed calls of a key stored since `since` (an hour boundary: quota periods
    /// start at midnight UTC), from the hourly rollups.
    async fn stored_allowed_since(&self, key_id: Uuid, since: DateTime<Utc>) -> Result<u64, Unavailable> {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => {
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS n FROM usage_hours WHERE key_id = $1 AND hour >= $2 AND outcome = 'allowed'"
            }
            _ => {
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS n FROM usage_hours WHERE key_id = ? AND hour >= ? AND outcome = 'allowed'"
            }
        };
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [key_id.into(), since.timestamp().into()],
            ))
            .await
            .map_err(|e| Unavailable(e.to_string()))?;
        let n: i64 = row.and_then(|r| r.try_get("", "n").ok()).unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn unflushed_allowed_since(&self, key_id: Uuid, since: DateTime<Utc>) -> u64 {
        let from = since.timestamp() / 60;
        self.usage
            .lock()
            .map(|u| {
                u.iter()
                    .filter(|(c, _)| c.key_id == key_id && c.outcome == "allowed" && c.minute >= from)
                    .map(|(_, n)| *n)
                    .sum()
            })
            .unwrap_or(0)
    }

    fn record(&self, ent: &Entitlement, product_id: Uuid, decision: &Decision, now: DateTime<Utc>) {
        let outcome = match decision {
            Decision::Allow(_) => "allowed",
            Decision::Deny { reason, .. } => reason.code(),
        };
        let cell = UsageCell {
            minute: now.timestamp() / 60,
            app_id: ent.app_id,
            key_id: ent.key_id,
            product_id,
            outcome,
        };
        if let Ok(mut usage) = self.usage.lock() {
            *usage.entry(cell).or_default() += 1;
        }
        if let Ok(mut used) = self.last_used.lock() {
            used.insert(ent.key_id, now);
        }
    }

    /// Calls counted in memory and not yet written (for tests and shutdown).
    pub fn unflushed(&self) -> u64 {
        self.usage.lock().map(|u| u.values().sum()).unwrap_or(0)
    }

    /// Adds the counted usage to `usage_minutes` and writes keys' last use, in one
    /// transaction. On failure the counts go back, to be written next time.
    pub async fn flush(&self) -> Result<u64, Unavailable> {
        let cells: Vec<(UsageCell, u64)> = match self.usage.lock() {
            Ok(mut u) => u.drain().collect(),
            Err(_) => return Err(Unavailable("usage counter poisoned".into())),
        };
        let used: Vec<(Uuid, DateTime<Utc>)> = match self.last_used.lock() {
            Ok(mut u) => u.drain().collect(),
            Err(_) => Vec::new(),
        };
        if cells.is_empty() && used.is_empty() {
            return Ok(0);
        }
        let total = cells.iter().map(|(_, n)| n).sum();
        if let Err(e) = self.write(&cells, &used).await {
            if let Ok(mut u) = self.usage.lock() {
                for (cell, n) in cells {
                    *u.entry(cell).or_default() += n;
                }
            }
            if let Ok(mut u) = self.last_used.lock() {
                for (key, at) in used {
                    u.entry(key).or_insert(at);
                }
            }
            return Err(Unavailable(e.to_string()));
        }
        Ok(total)
    }

    /// Writes in batches: multi-row upserts of 200 cells into `usage_minutes` and,
    /// summed by hour, into `usage_hours`; and one `last_used_at` update per batch of
    /// keys (the newest use in this flush; uses are at most a second apart).
    async fn write(
        &self,
        cells: &[(UsageCell, u64)],
        used: &[(Uuid, DateTime<Utc>)],
    ) -> Result<(), sea_orm::DbErr> {
        let backend = self.db.get_database_backend();
        let param = |n: usize| if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") };
        let mut hours: HashMap<UsageCell, u64> = HashMap::new();
        for (cell, n) in cells {
            let hour = UsageCell { minute: cell.minute.div_euclid(60) * 60, ..cell.clone() };
            *hours.entry(hour).or_default() += n;
        }
        let hours: Vec<(UsageCell, u64)> = hours.into_iter().collect();
        let txn = self.db.begin().await?;
        for (table, time, rows) in [("usage_minutes", "minute", cells), ("usage_hours", "hour", &hours[..])] {
            for batch in rows.chunks(200) {
                let mut sql = format!(
                    "INSERT INTO {table} ({time}, app_id, key_id, product_id, outcome, count) VALUES "
                );
                let mut values: Vec<sea_orm::Value> = Vec::with_capacity(batch.len() * 6);
                for (i, (cell, n)) in batch.iter().enumerate() {
                    let row: Vec<String> = (1..=6).map(|k| param(i * 6 + k)).collect();
                    sql.push_str(if i == 0 { "(" } else { ", (" });
                    sql.push_str(&row.join(", "));
                    sql.push(')');
                    values.push(if table == "usage_hours" {
                        (cell.minute * 60).into()
                    } else {
                        Utc.timestamp_opt(cell.minute * 60, 0).single().unwrap_or_default().into()
                    });
                    values.extend([
                        cell.app_id.into(),
                        cell.key_id.into(),
                        cell.product_id.into(),
                        cell.outcome.into(),
                        i64::try_from(*n).unwrap_or(i64::MAX).into(),
                    ]);
                }
                sql.push_str(&format!(
                    " ON CONFLICT ({time}, app_id, key_id, product_id, outcome) \
                     DO UPDATE SET count = {table}.count + excluded.count"
                ));
                txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
            }
        }
        let mut portal: HashMap<(i64, &str), u64> = HashMap::new();
        for (cell, n) in &hours {
            *portal.entry((cell.minute * 60, cell.outcome)).or_default() += n;
        }
        let portal: Vec<(i64, &str, u64)> = portal.into_iter().map(|((h, o), n)| (h, o, n)).collect();
        add_portal_hours(&txn, &portal).await?;
        if let Some(newest) = used.iter().map(|(_, at)| *at).max() {
            for batch in used.chunks(500) {
                let ids: Vec<String> = (0..batch.len()).map(|i| param(i + 2)).collect();
                let sql = format!(
                    "UPDATE api_keys SET last_used_at = {} WHERE id IN ({}) AND (last_used_at IS NULL OR last_used_at < {})",
                    param(1),
                    ids.join(", "),
                    param(1)
                );
                let mut values: Vec<sea_orm::Value> = vec![newest.into()];
                values.extend(batch.iter().map(|(key, _)| sea_orm::Value::from(*key)));
                txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
            }
        }
        txn.commit().await
    }

    /// Deletes per-minute rows older than [`MINUTES_KEPT`]; the hourly rows keep their
    /// sums.
    pub async fn prune_minutes(&self) -> Result<u64, sea_orm::DbErr> {
        let backend = self.db.get_database_backend();
        let sql = if backend == DbBackend::Postgres {
            "DELETE FROM usage_minutes WHERE minute < $1"
        } else {
            "DELETE FROM usage_minutes WHERE minute < ?"
        };
        let before = Utc::now() - MINUTES_KEPT;
        let done = self.db.execute_raw(Statement::from_sql_and_values(backend, sql, [before.into()])).await?;
        Ok(done.rows_affected())
    }

    /// Whether the store answers (for `/readyz`).
    pub async fn ready(&self) -> bool {
        self.poll_changes().await.is_ok()
    }

    /// Runs the background work for as long as the process runs: flushes usage about
    /// once a second, reads the change counter every `poll` and, on PostgreSQL, listens
    /// for other hosts' changes.
    pub fn spawn_background(self: &Arc<Self>, poll: Duration) {
        let gateway = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH);
            let mut n = 0u64;
            loop {
                tick.tick().await;
                n += 1;
                if let Err(e) = gateway.flush().await {
                    tracing::warn!(error = %e, "gateway: usage kept in memory, will retry");
                }
                // About every ten minutes, per-minute rows past their keeping time go.
                if n % 600 == 1
                    && let Err(e) = gateway.prune_minutes().await
                {
                    tracing::warn!(error = %e, "gateway: cannot prune per-minute usage");
                }
            }
        });
        let gateway = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(poll);
            loop {
                tick.tick().await;
                if let Err(e) = gateway.poll_changes().await {
                    tracing::warn!(error = %e, "gateway: cannot read the change counter");
                }
            }
        });
        if self.db.get_database_backend() == DbBackend::Postgres {
            tokio::spawn(self.clone().listen());
        }
    }

    /// Drops cached decisions whenever another host notifies a change. A lost
    /// connection may have lost notifications, so it drops them then too; the periodic
    /// check covers the time it takes to reconnect. Ends when the pool is closed.
    async fn listen(self: Arc<Self>) {
        use sea_orm::sqlx::postgres::PgListener;
        let pool = self.db.get_postgres_connection_pool();
        let mut listener: Option<PgListener> = None;
        loop {
            if pool.is_closed() {
                return;
            }
            if listener.is_none() {
                let connected = match PgListener::connect_with(pool).await {
                    Ok(mut l) => l.listen(CHANNEL).await.map(|()| l),
                    Err(e) => Err(e),
                };
                match connected {
                    Ok(l) => {
                        // Whatever happened while nobody listened is unknown.
                        self.remote_changes.fetch_add(1, Ordering::SeqCst);
                        listener = Some(l);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "gateway: cannot listen for changes");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            let Some(current) = listener.as_mut() else { continue };
            match current.try_recv().await {
                Ok(Some(_)) => {
                    self.remote_changes.fetch_add(1, Ordering::SeqCst);
                }
                Ok(None) => {
                    self.remote_changes.fetch_add(1, Ordering::SeqCst);
                    tracing::warn!("gateway: the change listener lost its connection; reconnecting");
                }
                Err(sea_orm::sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "gateway: the change listener failed; reconnecting");
                    listener = None;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// Adds calls to the portal-wide hourly totals (`usage_portal_hours`): (hour in Unix
/// seconds, outcome, calls). Called in the transaction that adds the same calls to
/// `usage_hours`, so the two always agree.
pub(crate) async fn add_portal_hours(
    db: &impl ConnectionTrait,
    sums: &[(i64, &str, u64)],
) -> Result<(), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let param = |n: usize| if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") };
    for batch in sums.chunks(300) {
        let rows: Vec<String> = (0..batch.len())
            .map(|i| format!("({}, {}, {})", param(i * 3 + 1), param(i * 3 + 2), param(i * 3 + 3)))
            .collect();
        let sql = format!(
            "INSERT INTO usage_portal_hours (hour, outcome, count) VALUES {} \
             ON CONFLICT (hour, outcome) DO UPDATE SET count = usage_portal_hours.count + excluded.count",
            rows.join(", ")
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(batch.len() * 3);
        for (hour, outcome, n) in batch {
            values.extend([(*hour).into(), (*outcome).into(), i64::try_from(*n).unwrap_or(i64::MAX).into()]);
        }
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}

fn poisoned<T>(_: T) -> Unavailable {
    Unavailable("a gateway lock was poisoned".into())
}

/// The product whose API path prefix covers `path` (whole segments: `/pay` covers
/// `/pay` and `/pay/x`, not `/payments`); the longest prefix wins.
fn covering_product(prefixes: &[(Uuid, String)], path: &str) -> Option<Uuid> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    prefixes
        .iter()
        .filter(|(_, prefix)| {
            prefix == "/"
                || path == prefix.as_str()
                || path.strip_prefix(prefix.as_str()).is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(_, prefix)| prefix.len())
        .map(|(product, _)| *product)
}

pub(crate) fn quota_period_start(period: QuotaPeriod, now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.date_naive();
    let start = match period {
        QuotaPeriod::Day => day,
        QuotaPeriod::Month => day.with_day(1).unwrap_or(day),
    };
    Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).unwrap_or_default())
}

pub(crate) fn quota_period_end(period: QuotaPeriod, start: DateTime<Utc>) -> DateTime<Utc> {
    match period {
        QuotaPeriod::Day => start + chrono::Duration::days(1),
        QuotaPeriod::Month => {
            let (y, m) =
                if start.month() == 12 { (start.year() + 1, 1) } else { (start.year(), start.month() + 1) };
            Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single().unwrap_or(start + chrono::Duration::days(31))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn prefixes_cover_whole_segments_and_the_longest_wins() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let prefixes = vec![(a, "/pay".to_owned()), (b, "/pay/refunds".to_owned())];
        assert_eq!(covering_product(&prefixes, "/pay"), Some(a));
        assert_eq!(covering_product(&prefixes, "/pay/x?y=1"), Some(a));
        assert_eq!(covering_product(&prefixes, "/pay/refunds/7"), Some(b));
        assert_eq!(covering_product(&prefixes, "/payments"), None);
        assert_eq!(covering_product(&[(a, "/".to_owned())], "/anything"), Some(a));
    }

    #[test]
    fn quota_periods_start_and_end_on_calendar_boundaries() {
        let now = Utc.with_ymd_and_hms(2026, 12, 15, 13, 4, 5).unwrap();
        let day = quota_period_start(QuotaPeriod::Day, now);
        assert_eq!((day.day(), day.hour()), (15, 0));
        let month = quota_period_start(QuotaPeriod::Month, now);
        assert_eq!(
            quota_period_end(QuotaPeriod::Month, month),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()
        );
    }
}
