//! Keys at the gateway: the decision for one API call, answered from memory.
//!
//! - **Format first.** A presented key's prefix, alphabet and checksum are checked before
//!   anything else; a typo or a stranger's string never reaches the database.
//! - **Entitlement cache** ([`cache`]). A key's entitlement (app, organisation,
//!   developer, products' path prefixes, plan limits, and whatever already denies it) is
//!   loaded once and kept, in shards keyed by the key's SHA-256; unknown keys are cached
//!   as unknown for a short while. Keys missing at the same moment are loaded together,
//!   by one joined query for the lot, so a burst of first uses costs a few queries, not
//!   one each.
//! - **Freshness.** Every change that affects a decision calls [`changed`] after it
//!   commits: it bumps this process's change counter (so the very next call here
//!   reloads) and the database's (`gateway_state.generation`); on PostgreSQL it also
//!   sends a notification, on which every listening host drops its cached decisions at
//!   once. Hosts also read the counter every [`POLL`] (configurable), the only way on
//!   SQLite and the fallback on PostgreSQL. A cached entry remembers the counter read
//!   *before* it was loaded, so a load racing a change is never kept, and a call never
//!   takes an entry loaded before a change it could have seen.
//! - **Limits** ([`meter`]). Rate limits (per second or minute) and quotas (per day or
//!   month) are fixed windows per key, counted under the key's shard lock: no overshoot
//!   on one host. A key's quota count is seeded from the stored usage of the current
//!   period.
//! - **Lossless usage** ([`flush`]). Every decision is counted in memory by minute, app,
//!   key, product and outcome beside the key's limits; [`Gateway::flush`] (about once a
//!   second) adds the counts to `usage_minutes` and the portal-wide
//!   `usage_portal_hours`, in short transactions each written whole or not at all, and
//!   puts back what a failed one did not write. Once a minute, the minute that ended a
//!   few seconds before is folded into `usage_hours` ([`Gateway::fold_minutes`]); the
//!   graphs and quota counts read `usage_hours_live`, the hourly rows plus the minutes
//!   not folded yet, so they are as fresh as the last flush.
//!   Keys' `last_used_at` is written from the same path, at most once a minute per key.
//!   Per-minute rows are kept for [`MINUTES_KEPT`] (and until folded); the hourly ones
//!   for good.

mod cache;
mod flush;
mod meter;

use crate::entities::plan::QuotaPeriod;
use crate::{DomainResult, apikey};
use cache::{Cache, Cached};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use meter::Meters;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use uuid::Uuid;

pub use flush::MINUTES_KEPT;
pub(crate) use flush::add_portal_hours;

/// How often hosts look at the database's change counter by default: the only way
/// changes reach other hosts on SQLite, the fallback beside LISTEN/NOTIFY on PostgreSQL.
pub const POLL: Duration = Duration::from_millis(500);
/// How often counted usage is written.
const FLUSH: Duration = Duration::from_secs(1);
/// Seconds after a minute's end before it is folded into the hourly rows.
const FOLD_AFTER: i64 = 5;
/// The PostgreSQL notification channel [`changed`] notifies.
const CHANNEL: &str = "portico_gateway_changed";

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

/// What an allowed call learns. The names are read from the cached entitlement, not
/// copied per call.
#[derive(Clone, Debug)]
pub struct Allowed {
    pub product_id: Uuid,
    pub limits: Limits,
    entitlement: Arc<cache::Entitlement>,
}

impl Allowed {
    pub fn app_id(&self) -> Uuid {
        self.entitlement.app_id
    }

    pub fn app_name(&self) -> &str {
        self.entitlement.texts.app_name()
    }

    /// The email of the developer who made the key.
    pub fn developer(&self) -> &str {
        self.entitlement.texts.developer()
    }

    pub fn organisation(&self) -> &str {
        self.entitlement.texts.organisation()
    }
}

impl PartialEq for Allowed {
    fn eq(&self, other: &Self) -> bool {
        (self.app_id(), self.product_id, self.limits) == (other.app_id(), other.product_id, other.limits)
            && (self.app_name(), self.developer(), self.organisation())
                == (other.app_name(), other.developer(), other.organisation())
    }
}

impl Eq for Allowed {}

/// The rate limit the call was counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the window (or, when the quota ran out, the quota period) ends.
    pub reset_secs: u64,
}

/// A store that could not be reached (the caller answers 503, never 401/403).
#[derive(Debug, thiserror::Error)]
#[error("the key store cannot be reached: {0}")]
pub struct Unavailable(pub String);

/// The gateway's state in one host: the entitlement cache and each key's limits and
/// unflushed usage.
pub struct Gateway {
    /// Where usage is written.
    db: DatabaseConnection,
    /// Where keys, stored quota use and the change counter are read (see
    /// [`crate::db::connect_readers`]): loads never queue behind a usage write.
    readers: DatabaseConnection,
    cache: Arc<Cache>,
    meters: Arc<Meters>,
    /// The database's change counter as last seen.
    remote_seen: AtomicU64,
}

impl Gateway {
    /// A gateway reading and writing through one pool.
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        Self::with_readers(db.clone(), db)
    }

    /// A gateway that writes usage through `db` and reads through `readers`.
    pub fn with_readers(db: DatabaseConnection, readers: DatabaseConnection) -> Arc<Self> {
        Arc::new(Self {
            cache: Arc::new(Cache::new(readers.clone())),
            db,
            readers,
            meters: Arc::default(),
            remote_seen: AtomicU64::new(0),
        })
    }

    /// Reads the database's change counter; when it moved, cached decisions are dropped.
    pub async fn poll_changes(&self) -> Result<(), Unavailable> {
        let row = self
            .readers
            .query_one_raw(Statement::from_string(
                self.readers.get_database_backend(),
                "SELECT generation FROM gateway_state WHERE id = 1",
            ))
            .await
            .map_err(|e| Unavailable(e.to_string()))?;
        let now: i64 = row.and_then(|r| r.try_get("", "generation").ok()).unwrap_or(0);
        let now = u64::try_from(now).unwrap_or(0);
        if self.remote_seen.swap(now, Ordering::SeqCst) != now {
            self.cache.remote_changed();
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
        let ent = match self.cache.get(cache::digest(presented)).await?.value {
            Cached::Unknown(_) => return Ok(Decision::Deny { reason: Reason::UnknownKey, limit: None }),
            Cached::Known(ent) => ent,
        };
        let now = Utc::now();
        let covering = covering_product(ent.texts.prefixes(), path);
        let denied = if let Some(reason) = ent.denied {
            Some(reason)
        } else if ent.expires_at.is_some_and(|at| at <= now) {
            Some(Reason::ExpiredKey)
        } else if covering.is_none() {
            Some(Reason::NotEntitled)
        } else {
            None
        };
        let product_id = covering.unwrap_or(Uuid::nil());
        let counted = match self.meters.count(&ent, product_id, denied, now, None) {
            Ok(counted) => counted,
            Err(meter::NeedsSeed(period)) => {
                // The quota period turned since the entitlement was loaded: read what is
                // stored for the new one (rare: once per key and period).
                let stored = self.stored_allowed_since(ent.key_id, period).await?;
                self.meters
                    .count(&ent, product_id, denied, now, Some((period.timestamp(), stored)))
                    .map_err(|_| Unavailable("the quota period moved twice during one call".into()))?
            }
        };
        Ok(match counted {
            Ok(limits) => Decision::Allow(Allowed { product_id, limits, entitlement: ent }),
            Err((reason, limit)) => Decision::Deny { reason, limit },
        })
    }

    /// Allowed calls of a key stored since `since` (an hour boundary: quota periods
    /// start at midnight UTC), from the hourly rollups.
    async fn stored_allowed_since(&self, key_id: Uuid, since: DateTime<Utc>) -> Result<u64, Unavailable> {
        let backend = self.readers.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => {
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS n FROM usage_hours_live WHERE key_id = $1 AND hour >= $2 AND outcome = 'allowed'"
            }
            _ => {
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS n FROM usage_hours_live WHERE key_id = ? AND hour >= ? AND outcome = 'allowed'"
            }
        };
        let row = self
            .readers
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

    /// Calls counted in memory and not yet written (for tests and shutdown).
    pub fn unflushed(&self) -> u64 {
        self.meters.unflushed()
    }

    /// Adds the counted usage to the rollups and writes keys' last use, in short
    /// transactions. What a failed one did not write goes back, to be written next time.
    /// Returns the calls written.
    pub async fn flush(&self) -> Result<u64, Unavailable> {
        let taking = std::time::Instant::now();
        let drained = self.drain().await;
        if drained.is_empty() {
            self.meters.recycle(drained);
            return Ok(0);
        }
        let (cells, last_used) = (drained.cells.len(), drained.used.len());
        let started = std::time::Instant::now();
        let taken_ms = (started - taking).as_secs_f64() * 1000.0;
        match flush::write_all(&self.db, &drained).await {
            Ok(calls) => {
                self.meters.recycle(drained);
                tracing::debug!(
                    calls,
                    cells,
                    last_used,
                    taken_ms,
                    ms = started.elapsed().as_millis(),
                    "gateway: usage written"
                );
                Ok(calls)
            }
            Err((e, unwritten)) => {
                self.meters.restore(unwritten);
                Err(Unavailable(e.to_string()))
            }
        }
    }

    /// Takes the counts out of memory, sorted for writing, on a thread of its own:
    /// sorting a second's cells takes milliseconds, which on a request thread held up
    /// every call queued behind it. The drain itself runs at the usual priority, since
    /// it takes the shard locks calls need (a thread preempted while holding one would
    /// stall them); the sort, holding nothing, at a lower one ([`crate::priority`]).
    async fn drain(&self) -> meter::Drained {
        let meters = self.meters.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new().name("portico-usage".into()).spawn(move || {
            let mut drained = meters.drain();
            crate::priority::lower_this_thread();
            drained.sort();
            // Should the flush have stopped waiting, the counts go back.
            if let Err(drained) = tx.send(drained) {
                meters.restore(drained);
            }
        });
        match spawned {
            Ok(_) => rx.await.unwrap_or_else(|_| {
                // Only if the thread panicked between taking the counts and sending them.
                tracing::error!("gateway: the usage drain stopped; the counts it took are lost");
                meter::Drained::default()
            }),
            Err(e) => {
                tracing::warn!(error = %e, "gateway: cannot start a thread; draining here");
                let mut drained = self.meters.drain();
                drained.sort();
                drained
            }
        }
    }

    /// Folds the per-minute rows of minutes before `until` (Unix seconds, a minute's
    /// start) into the hourly rows, unless folded already (by this host or another).
    /// Returns the hour cells written.
    pub async fn fold_minutes(&self, until: i64) -> Result<u64, Unavailable> {
        let started = std::time::Instant::now();
        let cells = flush::fold(&self.db, until).await.map_err(|e| Unavailable(e.to_string()))?;
        if cells > 0 {
            tracing::debug!(cells, ms = started.elapsed().as_millis(), "gateway: minutes folded");
        }
        Ok(cells)
    }

    /// Deletes per-minute rows older than [`MINUTES_KEPT`] and folded; the hourly rows
    /// keep their sums.
    pub async fn prune_minutes(&self) -> Result<u64, sea_orm::DbErr> {
        flush::prune_minutes(&self.db).await
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
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let (mut n, mut folded) = (0u64, i64::MIN);
            loop {
                tick.tick().await;
                n += 1;
                // The SQLite writer's thread runs the usage writes' B-tree work: at a
                // lower priority, like the rest of the flush (looked for once a minute:
                // the pool may have opened a new connection, with a new thread).
                // PostgreSQL does that work in its own processes.
                if n % 60 == 1 && gateway.db.get_database_backend() == DbBackend::Sqlite {
                    crate::priority::lower_threads_named(crate::db::WRITER_THREAD);
                }
                if let Err(e) = gateway.flush().await {
                    tracing::warn!(error = %e, "gateway: usage kept in memory, will retry");
                }
                // Once a minute, the minute that ended a few seconds ago (this host's
                // flushes of it are written; another host's later ones write their hour
                // rows themselves) goes into the hourly rows.
                let until = (Utc::now().timestamp() - FOLD_AFTER).div_euclid(60) * 60;
                if until > folded {
                    match gateway.fold_minutes(until).await {
                        Ok(_) => folded = until,
                        Err(e) => {
                            tracing::warn!(error = %e, "gateway: cannot fold per-minute usage, will retry")
                        }
                    }
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
                        self.cache.remote_changed();
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
                Ok(Some(_)) => self.cache.remote_changed(),
                Ok(None) => {
                    self.cache.remote_changed();
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

/// How many independently locked parts a [`Shards`] has: calls for different keys on
/// different worker threads rarely meet on a lock.
const SHARDS: usize = 32;

/// State split into independently locked shards (maps of keys, say), chosen by a
/// well-mixed 64-bit number of the key (part of a SHA-256 or a random UUID).
struct Shards<T> {
    parts: Box<[Mutex<T>]>,
}

impl<T: Default> Default for Shards<T> {
    fn default() -> Self {
        Self { parts: (0..SHARDS).map(|_| Mutex::default()).collect() }
    }
}

impl<T> Shards<T> {
    fn lock(&self, mix: u64) -> MutexGuard<'_, T> {
        lock(&self.parts[(mix % SHARDS as u64) as usize])
    }

    /// Every shard, locked one after another.
    fn each(&self) -> impl Iterator<Item = MutexGuard<'_, T>> {
        self.parts.iter().map(lock)
    }
}

/// Locks a mutex, taking the data even if a thread panicked while holding it: what
/// the gateway keeps under locks is counts and cached copies, consistent after every
/// statement, so a panic elsewhere must not stop every later call.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The `n`th (from 1) bind parameter of a statement whose parameters appear in the
/// text in the order of their values. SQLite gets plain `?`: for a numbered `?NNN`
/// sqlx asks SQLite each parameter's name, which SQLite finds by a linear search, so
/// binding a statement of a flush's 1,200 parameters cost more than running it.
fn placeholder(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres { format!("${n}") } else { "?".to_owned() }
}

/// The product whose API path prefix covers `path` (whole segments: `/pay` covers
/// `/pay` and `/pay/x`, not `/payments`); the longest prefix wins.
fn covering_product<'a>(prefixes: impl Iterator<Item = (Uuid, &'a str)>, path: &str) -> Option<Uuid> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    prefixes
        .filter(|(_, prefix)| {
            *prefix == "/"
                || path == *prefix
                || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(_, prefix)| prefix.len())
        .map(|(product, _)| product)
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
        let texts = cache::Texts::new(["App", "dev@example.com", "Org"], [(a, "/pay"), (b, "/pay/refunds")]);
        let covering = |path| covering_product(texts.prefixes(), path);
        assert_eq!(covering("/pay"), Some(a));
        assert_eq!(covering("/pay/x?y=1"), Some(a));
        assert_eq!(covering("/pay/refunds/7"), Some(b));
        assert_eq!(covering("/payments"), None);
        assert_eq!(covering_product([(a, "/")].into_iter(), "/anything"), Some(a));
        // The names and the prefixes share one text and stay apart.
        assert_eq!(
            (texts.app_name(), texts.developer(), texts.organisation()),
            ("App", "dev@example.com", "Org")
        );
        assert_eq!(texts.prefixes().map(|(_, p)| p).collect::<Vec<_>>(), ["/pay", "/pay/refunds"]);
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
