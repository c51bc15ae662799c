//! The entitlement cache: what each key may do, by the key's SHA-256, loaded from the
//! database once and kept until a change makes it stale.
//!
//! A call whose key is missing (or stale) joins a queue; up to [`LOADERS`] loader tasks
//! take whatever waits, up to [`BATCH`] keys at a time, and read them with one joined
//! query. Under a burst of first uses the queue fills while a query runs, so the next
//! query carries many keys: the cost of a round trip is shared. When calls are few, a
//! call's key is loaded at once, alone. Several calls for one key wait on one load.

use super::{LOCAL_CHANGES, Reason, Shards, Unavailable, lock, placeholder, quota_period_start};
use crate::entities::access_request::RequestStatus;
use crate::entities::organisation::OrgStatus;
use crate::entities::plan::{QuotaPeriod, RatePeriod};
use crate::entities::user::UserStatus;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, FromQueryResult, Statement};
use sha2::{Digest as _, Sha256};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use uuid::Uuid;

/// How long an unknown key is remembered as unknown.
const UNKNOWN_TTL: Duration = Duration::from_secs(30);
/// The most entries the cache holds (a shard that reaches its share starts over).
const MAX_CACHED: usize = 1_000_000;
/// Loader tasks that may query at the same time (each holds one pooled connection).
const LOADERS: usize = 2;
/// The most keys one query loads.
const BATCH: usize = 256;
/// How long a stored quota count read with an entitlement may seed the key's quota.
const SEED_FRESH: Duration = Duration::from_secs(2);
/// How often a call retries when its load was abandoned (a loader task cancelled).
const RETRIES: usize = 3;

/// The SHA-256 of a presented key: what the cache is keyed by (the database holds its
/// hex form).
pub(super) type Digest = [u8; 32];

pub(super) fn digest(key: &str) -> Digest {
    Sha256::digest(key.as_bytes()).into()
}

/// A well-mixed number from a digest, to pick its shard.
fn mix(d: &Digest) -> u64 {
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// A key's entitlement as loaded.
#[derive(Debug)]
pub(super) struct Entitlement {
    pub key_id: Uuid,
    pub app_id: Uuid,
    /// The names and the (product, path prefix) pairs the key may call.
    pub texts: Texts,
    pub expires_at: Option<DateTime<Utc>>,
    /// Whatever denies every call, whatever the path (revoked, not approved, inactive).
    pub denied: Option<Reason>,
    pub rate_limit: u64,
    pub rate_secs: u64,
    pub quota: Option<u64>,
    pub quota_period: QuotaPeriod,
    /// Allowed calls stored for the key in the quota period current at loading (its
    /// start in Unix seconds, the calls), and when that was read.
    pub quota_stored: (i64, u64),
    pub loaded_at: Instant,
}

impl Entitlement {
    /// The stored quota count read with the entitlement, if it is recent and for the
    /// period `period_start` (Unix seconds).
    pub fn fresh_quota_seed(&self, period_start: i64) -> Option<u64> {
        (self.quota_stored.0 == period_start && self.loaded_at.elapsed() < SEED_FRESH)
            .then_some(self.quota_stored.1)
    }
}

/// An entitlement's names (app, developer, organisation) and path prefixes, one after
/// another in one allocation: with 100,000 keys cached, each separate place a call
/// reads is likely a cache miss, and every allowed call reads these.
#[derive(Debug)]
pub(super) struct Texts {
    text: Box<str>,
    /// Where the three names end in `text`.
    name_ends: [u32; 3],
    /// The products the key may call, each with where its path prefix ends in `text`
    /// (it starts where the one before ended): usually one or two, kept inline.
    prefixes: SmallVec<[(Uuid, u32); 2]>,
}

impl Texts {
    pub fn new<'a>(names: [&str; 3], prefixes: impl IntoIterator<Item = (Uuid, &'a str)>) -> Self {
        let mut text = String::new();
        let mut end = |part: &str| {
            text.push_str(part);
            u32::try_from(text.len()).unwrap_or(u32::MAX)
        };
        let name_ends = names.map(&mut end);
        let prefixes = prefixes.into_iter().map(|(product, prefix)| (product, end(prefix))).collect();
        Self { text: text.into_boxed_str(), name_ends, prefixes }
    }

    /// `text` from `start` to `end` (empty if out of place, which `new` never makes).
    fn part(&self, start: u32, end: u32) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or_default()
    }

    pub fn app_name(&self) -> &str {
        self.part(0, self.name_ends[0])
    }

    pub fn developer(&self) -> &str {
        self.part(self.name_ends[0], self.name_ends[1])
    }

    pub fn organisation(&self) -> &str {
        self.part(self.name_ends[1], self.name_ends[2])
    }

    /// The (product, path prefix) pairs the key may call.
    pub fn prefixes(&self) -> impl Iterator<Item = (Uuid, &str)> {
        let starts = std::iter::once(self.name_ends[2]).chain(self.prefixes.iter().map(|(_, end)| *end));
        self.prefixes.iter().zip(starts).map(|(&(product, end), start)| (product, self.part(start, end)))
    }
}

#[derive(Clone, Debug)]
pub(super) enum Cached {
    Known(Arc<Entitlement>),
    Unknown(Instant),
}

/// A cached answer and the change counter read before it was loaded.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    generation: u64,
    pub value: Cached,
}

impl Entry {
    fn fresh(&self, generation: u64) -> bool {
        self.generation == generation
            && match self.value {
                Cached::Unknown(at) => at.elapsed() < UNKNOWN_TTL,
                Cached::Known(_) => true,
            }
    }
}

type Reply = oneshot::Sender<Result<Entry, String>>;

/// Keys waiting to be loaded, and how many loader tasks run.
#[derive(Default)]
struct Queue {
    waiting: HashMap<Digest, Vec<Reply>>,
    loaders: usize,
}

pub(super) struct Cache {
    db: DatabaseConnection,
    entries: Shards<HashMap<Digest, Entry>>,
    queue: Mutex<Queue>,
    /// Changes other hosts made, as this host learnt of them (notifications, polls).
    remote_changes: AtomicU64,
}

impl Cache {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, entries: Shards::default(), queue: Mutex::default(), remote_changes: AtomicU64::new(0) }
    }

    /// The change counter cached entries are compared with.
    fn generation(&self) -> u64 {
        LOCAL_CHANGES.load(Ordering::SeqCst).wrapping_add(self.remote_changes.load(Ordering::SeqCst))
    }

    /// Another host changed something: every cached entry is stale from now on.
    pub fn remote_changed(&self) {
        self.remote_changes.fetch_add(1, Ordering::SeqCst);
    }

    /// The entry for a key, loaded when missing or stale. An entry loaded before a
    /// change this call could see (the counter moved since the call began) is not
    /// taken: the call waits for a load that started after it.
    pub async fn get(self: &Arc<Self>, digest: Digest) -> Result<Entry, Unavailable> {
        for _ in 0..RETRIES {
            let generation = self.generation();
            if let Some(entry) = self.entries.lock(mix(&digest)).get(&digest).filter(|e| e.fresh(generation))
            {
                return Ok(entry.clone());
            }
            match self.enqueue(digest).await {
                Ok(Ok(entry)) if entry.generation >= generation => return Ok(entry),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(Unavailable(e)),
                // The loader was cancelled (the runtime is shutting down): try again.
                Err(_) => {}
            }
        }
        Err(Unavailable("the key could not be loaded".into()))
    }

    /// Puts a key in the queue and starts a loader when fewer than [`LOADERS`] run.
    fn enqueue(self: &Arc<Self>, digest: Digest) -> oneshot::Receiver<Result<Entry, String>> {
        let (reply, answer) = oneshot::channel();
        let mut queue = lock(&self.queue);
        queue.waiting.entry(digest).or_default().push(reply);
        if queue.loaders < LOADERS {
            queue.loaders += 1;
            tokio::spawn(self.clone().load_waiting());
        }
        answer
    }

    /// A loader: takes up to [`BATCH`] waiting keys, loads them with one query, answers
    /// their calls, and goes on until nothing waits.
    async fn load_waiting(self: Arc<Self>) {
        let mut slot = LoaderSlot { cache: &self, held: true };
        loop {
            let batch: Vec<(Digest, Vec<Reply>)> = {
                let mut queue = lock(&self.queue);
                if queue.waiting.is_empty() {
                    // Under the queue's lock, so a call queued after this sees the room.
                    queue.loaders -= 1;
                    slot.held = false;
                    return;
                }
                let digests: Vec<Digest> = queue.waiting.keys().take(BATCH).copied().collect();
                digests.into_iter().filter_map(|d| queue.waiting.remove_entry(&d)).collect()
            };
            let generation = self.generation();
            let digests: Vec<Digest> = batch.iter().map(|(d, _)| *d).collect();
            match load(&self.db, &digests).await {
                Ok(mut found) => {
                    for (digest, replies) in batch {
                        let value = found
                            .remove(&digest)
                            .map_or_else(|| Cached::Unknown(Instant::now()), |e| Cached::Known(Arc::new(e)));
                        let entry = Entry { generation, value };
                        self.insert(digest, entry.clone());
                        for reply in replies {
                            let _ = reply.send(Ok(entry.clone()));
                        }
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for reply in batch.into_iter().flat_map(|(_, replies)| replies) {
                        let _ = reply.send(Err(message.clone()));
                    }
                }
            }
        }
    }

    fn insert(&self, digest: Digest, entry: Entry) {
        let mut shard = self.entries.lock(mix(&digest));
        if shard.get(&digest).is_some_and(|old| old.generation > entry.generation) {
            return;
        }
        if shard.len() >= MAX_CACHED / super::SHARDS {
            shard.clear();
        }
        shard.insert(digest, entry);
    }
}

/// A running loader's place in [`Queue::loaders`], given back if the loader ends
/// without emptying the queue (cancelled), so later calls start another.
struct LoaderSlot<'a> {
    cache: &'a Cache,
    held: bool,
}

impl Drop for LoaderSlot<'_> {
    fn drop(&mut self) {
        if self.held {
            lock(&self.cache.queue).loaders -= 1;
        }
    }
}

/// One row of [`load`]'s query: one per path prefix the key's request covers (or one
/// with no prefix).
#[derive(Debug, FromQueryResult)]
struct LoadRow {
    key_hash: String,
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
    quota_used: i64,
    org_name: Option<String>,
    org_status: Option<OrgStatus>,
    developer_email: Option<String>,
    developer_status: Option<UserStatus>,
    product_id: Option<Uuid>,
    path_prefix: Option<String>,
}

/// Reads the entitlements of these keys with one query; keys not found are absent from
/// the answer.
async fn load(
    db: &DatabaseConnection,
    digests: &[Digest],
) -> Result<HashMap<Digest, Entitlement>, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let param = |n: usize| placeholder(backend, n);
    let now = Utc::now();
    let (day, month) = (
        quota_period_start(QuotaPeriod::Day, now).timestamp(),
        quota_period_start(QuotaPeriod::Month, now).timestamp(),
    );
    let hashes: Vec<String> = (0..digests.len()).map(|i| param(i + 3)).collect();
    let sql = format!(
        "SELECT k.key_hash, k.id AS key_id, k.expires_at, k.revoked_at, \
                a.id AS app_id, a.name AS app_name, a.deleted_at, \
                r.status AS request_status, \
                p.rate_limit, p.rate_period, p.quota, p.quota_period, \
                CASE WHEN p.quota IS NULL THEN 0 ELSE ( \
                    SELECT CAST(COALESCE(SUM(h.count), 0) AS BIGINT) FROM usage_hours_live h \
                    WHERE h.key_id = k.id AND h.outcome = 'allowed' \
                      AND h.hour >= CASE WHEN p.quota_period = 'month' THEN {month} ELSE {day} END \
                ) END AS quota_used, \
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
         WHERE k.key_hash IN ({})",
        hashes.join(", "),
        month = param(1),
        day = param(2),
    );
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(digests.len() + 2);
    values.extend([month.into(), day.into()]);
    values.extend(digests.iter().map(|d| sea_orm::Value::from(hex::encode(d))));
    let rows =
        LoadRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?;
    let mut by_key: HashMap<String, Vec<LoadRow>> = HashMap::new();
    for row in rows {
        by_key.entry(row.key_hash.clone()).or_default().push(row);
    }
    let loaded_at = Instant::now();
    let mut found = HashMap::with_capacity(by_key.len());
    for (hash, rows) in by_key {
        let mut digest = [0u8; 32];
        if hex::decode_to_slice(&hash, &mut digest).is_ok() {
            found.insert(digest, entitlement(&rows, (day, month), loaded_at));
        }
    }
    Ok(found)
}

/// A key's entitlement from its rows (at least one).
fn entitlement(rows: &[LoadRow], (day, month): (i64, i64), loaded_at: Instant) -> Entitlement {
    let first = &rows[0];
    let prefixes = rows.iter().filter_map(|r| Some((r.product_id?, r.path_prefix.as_deref()?)));
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
    let period_start = if quota_period == QuotaPeriod::Month { month } else { day };
    let names = [
        first.app_name.as_str(),
        first.developer_email.as_deref().unwrap_or_default(),
        first.org_name.as_deref().unwrap_or_default(),
    ];
    Entitlement {
        key_id: first.key_id,
        app_id: first.app_id,
        texts: Texts::new(names, prefixes),
        expires_at: first.expires_at,
        denied,
        rate_limit,
        rate_secs,
        quota,
        quota_period,
        quota_stored: (period_start, u64::try_from(first.quota_used).unwrap_or(0)),
        loaded_at,
    }
}
