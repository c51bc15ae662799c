//! Each key's live state on this host: its rate window and quota count, the calls
//! counted and not yet written, and its last use — all under the key's shard lock, so
//! counting a call takes one lock and one map lookup.

use super::cache::Entitlement;
use super::{Limits, Reason, Shards, quota_period_end, quota_period_start};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The key's quota count must be seeded from the store for the period starting then
/// (the entitlement's own reading is for another period, or too old).
#[derive(Debug)]
pub(super) struct NeedsSeed(pub DateTime<Utc>);

/// A call's outcome: allowed within these limits, or refused (with the limit it hit).
pub(super) type Counted = Result<Limits, (Reason, Option<Limits>)>;

/// Every key's meter.
#[derive(Default)]
pub(super) struct Meters {
    keys: Shards<Uuid, KeyMeter>,
}

#[derive(Debug)]
struct KeyMeter {
    app_id: Uuid,
    rate_window: i64,
    rate_count: u64,
    /// The quota period (its start, Unix seconds) the count is for, once seeded.
    quota_period: Option<i64>,
    quota_count: u64,
    /// Calls counted and not yet written.
    calls: Vec<Calls>,
    /// The newest use not yet taken by a flush.
    last_used: Option<DateTime<Utc>>,
    /// The minute (Unix minutes) of the last use a flush wrote.
    written_minute: i64,
}

/// Calls of one key in one minute, for one product, with one outcome.
#[derive(Clone, Copy, Debug)]
struct Calls {
    minute: i64,
    product_id: Uuid,
    outcome: &'static str,
    n: u64,
}

/// One usage rollup cell, as written. Ordered as the rollup tables' primary keys are.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct UsageCell {
    pub minute: i64,
    pub app_id: Uuid,
    pub key_id: Uuid,
    pub product_id: Uuid,
    pub outcome: &'static str,
}

/// What a flush takes out of memory, and gives back if its write fails.
#[derive(Default)]
pub(super) struct Drained {
    pub cells: Vec<(UsageCell, u64)>,
    /// Keys used in a minute later than the last use written: (key, newest use, the
    /// minute written before).
    pub used: Vec<(Uuid, DateTime<Utc>, i64)>,
}

impl Drained {
    /// Sorts the cells as the rollup tables' primary keys are, and the last uses by
    /// key (see [`super::flush::write_all`]).
    pub fn sort(&mut self) {
        self.cells.sort_unstable();
        self.used.sort_unstable_by_key(|(key, _, _)| *key);
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.used.is_empty()
    }

    #[cfg(test)]
    pub fn calls(&self) -> u64 {
        self.cells.iter().map(|(_, n)| n).sum()
    }
}

/// The shard of a key: the low half of its id, random in v4 and v7 UUIDs.
fn mix(key_id: Uuid) -> u64 {
    key_id.as_u64_pair().1
}

fn minute_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

impl Meters {
    /// Counts one call of an entitled key. `denied`: why it is refused whatever the
    /// limits (then no limit is counted). `seed`: the stored quota count for a period
    /// (Unix seconds), read by the caller after a [`NeedsSeed`].
    pub fn count(
        &self,
        ent: &Entitlement,
        product_id: Uuid,
        denied: Option<Reason>,
        now: DateTime<Utc>,
        seed: Option<(i64, u64)>,
    ) -> Result<Counted, NeedsSeed> {
        let mut shard = self.keys.lock(mix(ent.key_id));
        let meter = shard.entry(ent.key_id).or_insert_with(|| KeyMeter::new(ent.app_id));
        let counted = match denied {
            Some(reason) => Err((reason, None)),
            None => meter.limit(ent, now, seed)?,
        };
        let outcome = match &counted {
            Ok(_) => "allowed",
            Err((reason, _)) => reason.code(),
        };
        meter.record(now, product_id, outcome);
        Ok(counted)
    }

    /// Calls counted and not yet written.
    pub fn unflushed(&self) -> u64 {
        self.keys.each().map(|shard| shard.values().flat_map(|m| &m.calls).map(|c| c.n).sum::<u64>()).sum()
    }

    /// Takes every key's unwritten calls, and the last use of keys used in a minute
    /// whose use is not written yet (so `last_used_at` is written at most once a
    /// minute per key).
    pub fn drain(&self) -> Drained {
        let mut out = Drained::default();
        for mut shard in self.keys.each() {
            for (key_id, m) in shard.iter_mut() {
                let app_id = m.app_id;
                out.cells.extend(m.calls.drain(..).map(|c| {
                    let cell = UsageCell {
                        minute: c.minute,
                        app_id,
                        key_id: *key_id,
                        product_id: c.product_id,
                        outcome: c.outcome,
                    };
                    (cell, c.n)
                }));
                if let Some(at) = m.last_used.take()
                    && minute_of(at) > m.written_minute
                {
                    out.used.push((*key_id, at, m.written_minute));
                    m.written_minute = minute_of(at);
                }
            }
        }
        out
    }

    /// Gives back what a failed flush took.
    pub fn restore(&self, drained: Drained) {
        for (cell, n) in drained.cells {
            let mut shard = self.keys.lock(mix(cell.key_id));
            let meter = shard.entry(cell.key_id).or_insert_with(|| KeyMeter::new(cell.app_id));
            meter.add(cell.minute, cell.product_id, cell.outcome, n);
        }
        for (key_id, at, before) in drained.used {
            if let Some(meter) = self.keys.lock(mix(key_id)).get_mut(&key_id) {
                if meter.written_minute == minute_of(at) {
                    meter.written_minute = before;
                }
                meter.last_used = meter.last_used.max(Some(at));
            }
        }
    }
}

impl KeyMeter {
    fn new(app_id: Uuid) -> Self {
        Self {
            app_id,
            rate_window: 0,
            rate_count: 0,
            quota_period: None,
            quota_count: 0,
            calls: Vec::new(),
            last_used: None,
            written_minute: i64::MIN,
        }
    }

    /// Counts an allowed-so-far call against the key's rate window and quota; refuses
    /// it (uncounted) when either is used up.
    fn limit(
        &mut self,
        ent: &Entitlement,
        now: DateTime<Utc>,
        seed: Option<(i64, u64)>,
    ) -> Result<Counted, NeedsSeed> {
        let period = quota_period_start(ent.quota_period, now);
        let start = period.timestamp();
        if ent.quota.is_some() && self.quota_period != Some(start) {
            let stored = seed
                .filter(|(p, _)| *p == start)
                .map(|(_, n)| n)
                .or_else(|| ent.fresh_quota_seed(start))
                .ok_or(NeedsSeed(period))?;
            self.quota_period = Some(start);
            self.quota_count = stored + self.unflushed_allowed_since(start.div_euclid(60));
        }
        let secs = i64::try_from(ent.rate_secs).unwrap_or(1).max(1);
        let window = now.timestamp().div_euclid(secs);
        if self.rate_window != window {
            self.rate_window = window;
            self.rate_count = 0;
        }
        let reset = u64::try_from(secs - now.timestamp().rem_euclid(secs)).unwrap_or(1);
        if self.rate_count >= ent.rate_limit {
            let limits = Limits { limit: ent.rate_limit, remaining: 0, reset_secs: reset };
            return Ok(Err((Reason::RateLimited, Some(limits))));
        }
        if let Some(quota) = ent.quota
            && self.quota_count >= quota
        {
            let end = quota_period_end(ent.quota_period, period);
            let reset_secs = u64::try_from((end - now).num_seconds().max(1)).unwrap_or(1);
            let limits = Limits { limit: ent.rate_limit, remaining: 0, reset_secs };
            return Ok(Err((Reason::QuotaExceeded, Some(limits))));
        }
        self.rate_count += 1;
        self.quota_count += 1;
        Ok(Ok(Limits {
            limit: ent.rate_limit,
            remaining: ent.rate_limit - self.rate_count,
            reset_secs: reset,
        }))
    }

    fn unflushed_allowed_since(&self, from_minute: i64) -> u64 {
        self.calls.iter().filter(|c| c.outcome == "allowed" && c.minute >= from_minute).map(|c| c.n).sum()
    }

    fn record(&mut self, now: DateTime<Utc>, product_id: Uuid, outcome: &'static str) {
        self.add(minute_of(now), product_id, outcome, 1);
        self.last_used = self.last_used.max(Some(now));
    }

    fn add(&mut self, minute: i64, product_id: Uuid, outcome: &'static str, n: u64) {
        match self
            .calls
            .iter_mut()
            .find(|c| c.minute == minute && c.product_id == product_id && c.outcome == outcome)
        {
            Some(calls) => calls.n += n,
            None => self.calls.push(Calls { minute, product_id, outcome, n }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::plan::QuotaPeriod;
    use chrono::TimeZone;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn entitlement(rate_limit: u64, quota: Option<u64>, stored: (i64, u64)) -> Entitlement {
        Entitlement {
            key_id: Uuid::from_u128(7),
            app_id: Uuid::from_u128(8),
            app_name: Arc::from("App"),
            developer: Arc::from("dev@example.com"),
            organisation: Arc::from("Org"),
            expires_at: None,
            denied: None,
            prefixes: Vec::new(),
            rate_limit,
            rate_secs: 1,
            quota,
            quota_period: QuotaPeriod::Day,
            quota_stored: stored,
            loaded_at: Instant::now(),
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    const PRODUCT: Uuid = Uuid::from_u128(9);

    #[test]
    fn the_rate_window_holds_and_turns() {
        let (meters, ent) = (Meters::default(), entitlement(2, None, (0, 0)));
        let outcomes: Vec<bool> =
            (0..3).map(|_| meters.count(&ent, PRODUCT, None, at(0), None).unwrap().is_ok()).collect();
        assert_eq!(outcomes, [true, true, false]);
        let refused = meters.count(&ent, PRODUCT, None, at(0), None).unwrap().unwrap_err();
        assert_eq!(refused.0, Reason::RateLimited);
        assert!(meters.count(&ent, PRODUCT, None, at(1), None).unwrap().is_ok(), "a new second");
    }

    #[test]
    fn the_quota_starts_from_what_is_stored_and_a_stale_reading_asks_for_a_fresh_one() {
        let day = quota_period_start(QuotaPeriod::Day, at(0)).timestamp();
        let meters = Meters::default();
        let ent = entitlement(100, Some(5), (day, 4));
        assert!(meters.count(&ent, PRODUCT, None, at(0), None).unwrap().is_ok(), "4 stored + 1");
        let refused = meters.count(&ent, PRODUCT, None, at(0), None).unwrap().unwrap_err();
        assert_eq!(refused.0, Reason::QuotaExceeded);

        // Read for yesterday, or too long ago: the caller must read the store.
        let meters = Meters::default();
        let old = entitlement(100, Some(5), (day - 86_400, 0));
        assert!(meters.count(&old, PRODUCT, None, at(0), None).is_err());
        let mut aged = entitlement(100, Some(5), (day, 0));
        aged.loaded_at = Instant::now().checked_sub(Duration::from_secs(60)).unwrap();
        assert!(meters.count(&aged, PRODUCT, None, at(0), None).is_err());
        assert!(meters.count(&aged, PRODUCT, None, at(0), Some((day, 5))).unwrap().is_err(), "5 of 5 used");
    }

    #[test]
    fn refused_calls_are_counted_but_use_no_limit() {
        let (meters, ent) = (Meters::default(), entitlement(1, Some(1), (0, 0)));
        let day = quota_period_start(QuotaPeriod::Day, at(0)).timestamp();
        let ent = Entitlement { quota_stored: (day, 0), ..ent };
        let denied = meters.count(&ent, PRODUCT, Some(Reason::NotEntitled), at(0), None).unwrap();
        assert_eq!(denied.unwrap_err().0, Reason::NotEntitled);
        assert!(meters.count(&ent, PRODUCT, None, at(0), None).unwrap().is_ok(), "the one call allowed");
        assert_eq!(meters.unflushed(), 2);
        let drained = meters.drain();
        let outcomes: Vec<(&str, u64)> = drained.cells.iter().map(|(c, n)| (c.outcome, *n)).collect();
        assert_eq!(outcomes.len(), 2);
        assert!(outcomes.contains(&("not_entitled", 1)) && outcomes.contains(&("allowed", 1)));
        assert_eq!(meters.unflushed(), 0);
    }

    #[test]
    fn last_use_is_written_once_a_minute_and_a_failed_flush_gives_everything_back() {
        let (meters, ent) = (Meters::default(), entitlement(100, None, (0, 0)));
        meters.count(&ent, PRODUCT, None, at(0), None).unwrap().unwrap();
        let first = meters.drain();
        assert_eq!(first.used.len(), 1, "first use");
        meters.count(&ent, PRODUCT, None, at(20), None).unwrap().unwrap();
        assert!(meters.drain().used.is_empty(), "the same minute: already written");
        meters.count(&ent, PRODUCT, None, at(65), None).unwrap().unwrap();
        meters.count(&ent, PRODUCT, None, at(66), None).unwrap().unwrap();
        let failed = meters.drain();
        assert_eq!((failed.calls(), failed.used.len()), (2, 1));
        assert_eq!(failed.used[0].1, at(66), "the newest use");
        meters.restore(failed);
        assert_eq!(meters.unflushed(), 2);
        let retried = meters.drain();
        assert_eq!((retried.calls(), retried.used.len()), (2, 1), "the use is written on the retry");
    }
}
