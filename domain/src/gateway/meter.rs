//! Each key's live state on this host: its rate window and quota count, and the calls
//! counted and not yet written — all under the key's shard lock, so counting a call
//! takes one lock and one map lookup.
//!
//! A shard keeps its calls not yet written in one list beside its keys (each key knows
//! its entries in it), so a flush takes a shard's calls by swapping that list out: it
//! holds each lock for a moment and its work grows with the calls made, not with the
//! keys known. (Visiting every key's meter instead took 3.5-23 ms each second with
//! 100,000 keys at 17,500 calls a second, and calls made meanwhile waited for a core.)

use super::cache::Entitlement;
use super::{Limits, Reason, Shards, quota_period_end, quota_period_start};
use chrono::{DateTime, Utc};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// The key's quota count must be seeded from the store for the period starting then
/// (the entitlement's own reading is for another period, or too old).
#[derive(Debug)]
pub(super) struct NeedsSeed(pub DateTime<Utc>);

/// A call's outcome: allowed within these limits, or refused (with the limit it hit).
pub(super) type Counted = Result<Limits, (Reason, Option<Limits>)>;

/// Every key's meter, in independently locked shards.
#[derive(Default)]
pub(super) struct Meters {
    shards: Shards<Shard>,
    /// Lists that drains emptied and flushes wrote, kept with their room for the next
    /// drains: see [`Self::drain`].
    spare: Mutex<Spare>,
}

#[derive(Default)]
struct Spare {
    /// Shards' lists, emptied into a drain's whole.
    shards: Vec<Drained>,
    /// A drain's whole list, written.
    whole: Option<Drained>,
}

#[derive(Default)]
struct Shard {
    keys: HashMap<Uuid, KeyMeter>,
    /// Counts one drain after another: a key's `slots` from an earlier one are stale.
    epoch: u64,
    /// Calls counted since the last drain (or given back by a failed flush).
    pending: Drained,
}

#[derive(Debug)]
struct KeyMeter {
    rate_window: i64,
    rate_count: u64,
    /// The quota period (its start, Unix seconds) the count is for, once seeded.
    quota_period: Option<i64>,
    quota_count: u64,
    /// The shard's epoch the slots below are of.
    epoch: u64,
    /// This key's cells in the shard's `pending.cells`: usually one or two, kept
    /// inline (a separate list would be one more cache miss per call).
    slots: SmallVec<[u32; 2]>,
    /// This key's entry in the shard's `pending.used`.
    used_slot: Option<u32>,
    /// The minute (Unix minutes) of the last use taken by a flush (or pending).
    written_minute: i64,
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
    /// Keys used in a minute later than the last use written, with their newest use.
    pub used: Vec<(Uuid, DateTime<Utc>)>,
}

impl Drained {
    /// Sorts the cells as the rollup tables' primary keys are, and the last uses by
    /// key (see [`super::flush::write_all`]).
    pub fn sort(&mut self) {
        self.cells.sort_unstable();
        self.used.sort_unstable_by_key(|(key, _)| *key);
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.used.is_empty()
    }

    pub fn calls(&self) -> u64 {
        self.cells.iter().map(|(_, n)| n).sum()
    }

    /// The lists emptied, each keeping its room unless that is far more than the `len`
    /// entries it last held (a burst's room is not kept for good).
    fn emptied(mut self, len: usize) -> Self {
        fn empty<T>(list: &mut Vec<T>, len: usize) {
            if list.capacity() <= 2 * len + 1024 { list.clear() } else { *list = Vec::new() }
        }
        empty(&mut self.cells, len);
        empty(&mut self.used, len);
        self
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
    fn shard(&self, key_id: Uuid) -> MutexGuard<'_, Shard> {
        self.shards.lock(mix(key_id))
    }

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
        let mut guard = self.shard(ent.key_id);
        let shard = &mut *guard;
        let meter = shard.keys.entry(ent.key_id).or_insert_with(KeyMeter::new);
        meter.catch_up(shard.epoch);
        let counted = match denied {
            Some(reason) => Err((reason, None)),
            None => meter.limit(ent, now, seed, &shard.pending)?,
        };
        let outcome = match &counted {
            Ok(_) => "allowed",
            Err((reason, _)) => reason.code(),
        };
        let cell =
            UsageCell { minute: minute_of(now), app_id: ent.app_id, key_id: ent.key_id, product_id, outcome };
        meter.add(&mut shard.pending.cells, cell, 1);
        meter.used(&mut shard.pending.used, ent.key_id, now, false);
        Ok(counted)
    }

    /// Calls counted in memory and not yet taken by a flush.
    pub fn unflushed(&self) -> u64 {
        self.shards.each().map(|shard| shard.pending.calls()).sum()
    }

    /// Takes every shard's unwritten calls, and the last use of keys used in a minute
    /// whose use is not written yet (so `last_used_at` is written at most once a
    /// minute per key). Each lock is held only to swap a shard's lists out.
    ///
    /// The lists come and go through [`Self::recycle`]: a shard's new lists are ones
    /// an earlier drain emptied, and the whole list returned is the one the last flush
    /// wrote, each with the room it had. A second's lists are megabytes with many keys,
    /// and new ones were new memory every second: the allocator gives a freed block
    /// that large back to the kernel, and each page of its successor was a page fault,
    /// most taken by a request thread while it held a shard's lock. With 100,000 keys
    /// at about 55,000 calls a second, the lists' faults fell from about 1,200 a second
    /// to about 400; those left come from lists outgrowing their room while a flush
    /// falls behind.
    pub fn drain(&self) -> Drained {
        let mut spare = super::lock(&self.spare);
        let parts: Vec<(Drained, usize)> = self
            .shards
            .each()
            .map(|mut shard| {
                shard.epoch += 1;
                let (cells, used) = (shard.pending.cells.len(), shard.pending.used.len());
                // The next second's calls start with room for a quarter more than this
                // one's: a list that fills up moves to new memory.
                let mut fresh = spare.shards.pop().unwrap_or_default();
                fresh.cells.reserve(cells + cells / 4);
                fresh.used.reserve(used + used / 4);
                (std::mem::replace(&mut shard.pending, fresh), cells.max(used))
            })
            .collect();
        let mut out = spare.whole.take().unwrap_or_default();
        let (cells, used): (usize, usize) =
            parts.iter().fold((0, 0), |(c, u), (p, _)| (c + p.cells.len(), u + p.used.len()));
        out.cells.reserve(cells + cells / 4);
        out.used.reserve(used + used / 4);
        for (mut part, len) in parts {
            out.cells.append(&mut part.cells);
            out.used.append(&mut part.used);
            spare.shards.push(part.emptied(len));
        }
        out
    }

    /// Takes back a drain's list once written, for the next drain (see [`Self::drain`]).
    pub fn recycle(&self, drained: Drained) {
        let len = drained.cells.len().max(drained.used.len());
        super::lock(&self.spare).whole = Some(drained.emptied(len));
    }

    /// Gives back what a failed flush took.
    pub fn restore(&self, drained: Drained) {
        for (cell, n) in drained.cells {
            let mut guard = self.shard(cell.key_id);
            let shard = &mut *guard;
            let meter = shard.keys.entry(cell.key_id).or_insert_with(KeyMeter::new);
            meter.catch_up(shard.epoch);
            meter.add(&mut shard.pending.cells, cell, n);
        }
        for (key_id, at) in drained.used {
            let mut guard = self.shard(key_id);
            let shard = &mut *guard;
            if let Some(meter) = shard.keys.get_mut(&key_id) {
                meter.catch_up(shard.epoch);
                meter.used(&mut shard.pending.used, key_id, at, true);
            }
        }
    }
}

impl KeyMeter {
    fn new() -> Self {
        Self {
            rate_window: 0,
            rate_count: 0,
            quota_period: None,
            quota_count: 0,
            epoch: 0,
            slots: SmallVec::new(),
            used_slot: None,
            written_minute: i64::MIN,
        }
    }

    /// Forgets slots of lists a drain has taken since.
    fn catch_up(&mut self, epoch: u64) {
        if self.epoch != epoch {
            self.epoch = epoch;
            self.slots.clear();
            self.used_slot = None;
        }
    }

    /// Counts an allowed-so-far call against the key's rate window and quota; refuses
    /// it (uncounted) when either is used up.
    fn limit(
        &mut self,
        ent: &Entitlement,
        now: DateTime<Utc>,
        seed: Option<(i64, u64)>,
        pending: &Drained,
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
            self.quota_count = stored + self.unflushed_allowed_since(pending, start.div_euclid(60));
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

    /// This key's allowed calls since `from_minute` still in memory (the slots must be
    /// current: [`Self::catch_up`]).
    fn unflushed_allowed_since(&self, pending: &Drained, from_minute: i64) -> u64 {
        self.slots
            .iter()
            .filter_map(|&i| pending.cells.get(i as usize))
            .filter(|(c, _)| c.outcome == "allowed" && c.minute >= from_minute)
            .map(|(_, n)| n)
            .sum()
    }

    /// Adds `n` calls to this key's cell in the shard's list (the slots must be
    /// current).
    fn add(&mut self, cells: &mut Vec<(UsageCell, u64)>, cell: UsageCell, n: u64) {
        let found = self.slots.iter().find(|&&i| cells.get(i as usize).is_some_and(|(c, _)| *c == cell));
        match found {
            Some(&i) => cells[i as usize].1 += n,
            None => {
                self.slots.push(u32::try_from(cells.len()).unwrap_or(u32::MAX));
                cells.push((cell, n));
            }
        }
    }

    /// Notes a use at `at`: the first in a minute later than the last one taken adds
    /// the key to the shard's list, later ones move its time on; `again`: a use a
    /// failed flush gives back, listed whatever its minute (the slots must be current).
    fn used(&mut self, used: &mut Vec<(Uuid, DateTime<Utc>)>, key_id: Uuid, at: DateTime<Utc>, again: bool) {
        if let Some(slot) = self.used_slot.and_then(|i| used.get_mut(i as usize)) {
            slot.1 = slot.1.max(at);
        } else if again || minute_of(at) > self.written_minute {
            self.used_slot = u32::try_from(used.len()).ok();
            used.push((key_id, at));
        }
        self.written_minute = self.written_minute.max(minute_of(at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::plan::QuotaPeriod;
    use crate::gateway::cache::Texts;
    use chrono::TimeZone;
    use std::time::{Duration, Instant};

    fn entitlement(rate_limit: u64, quota: Option<u64>, stored: (i64, u64)) -> Entitlement {
        Entitlement {
            key_id: Uuid::from_u128(7),
            app_id: Uuid::from_u128(8),
            texts: Texts::new(["App", "dev@example.com", "Org"], []),
            expires_at: None,
            denied: None,
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
    fn each_drain_takes_the_calls_since_the_one_before_and_keys_never_share_a_cell() {
        let meters = Meters::default();
        let a = entitlement(100, None, (0, 0));
        // Another key of the same shard (a shard is chosen by the low half of the id).
        let b = Entitlement {
            key_id: Uuid::from_u64_pair(1, a.key_id.as_u64_pair().1),
            ..entitlement(100, None, (0, 0))
        };
        let cells = |d: &Drained| {
            let mut c: Vec<(Uuid, u64)> = d.cells.iter().map(|(c, n)| (c.key_id, *n)).collect();
            c.sort();
            c
        };
        for _ in 0..2 {
            meters.count(&a, PRODUCT, None, at(0), None).unwrap().unwrap();
        }
        assert_eq!(cells(&meters.drain()), [(a.key_id, 2)]);
        // After the drain `a`'s old cell and use are gone: `b` takes the first place in
        // the new lists, and `a`'s next call gets a cell and a use of its own.
        meters.count(&b, PRODUCT, None, at(61), None).unwrap().unwrap();
        meters.count(&a, PRODUCT, None, at(61), None).unwrap().unwrap();
        meters.count(&a, PRODUCT, Some(Reason::NotEntitled), at(62), None).unwrap().unwrap_err();
        assert_eq!(meters.unflushed(), 3);
        let mut drained = meters.drain();
        assert_eq!(cells(&drained), [(a.key_id, 1), (a.key_id, 1), (b.key_id, 1)]);
        drained.sort();
        assert_eq!(drained.used, [(a.key_id, at(62)), (b.key_id, at(61))]);
        assert_eq!(meters.unflushed(), 0);
        assert!(meters.drain().is_empty(), "nothing counted since");
    }

    #[test]
    fn lists_come_back_empty_with_their_room_and_a_burst_room_is_let_go() {
        let meters = Meters::default();
        let keys: Vec<Entitlement> = (0..3000u64)
            .map(|i| Entitlement { key_id: Uuid::from_u64_pair(i, i), ..entitlement(100, None, (0, 0)) })
            .collect();
        let count_all = |keys: &[Entitlement], at_secs: i64| {
            for key in keys {
                meters.count(key, PRODUCT, None, at(at_secs), None).unwrap().unwrap();
            }
        };
        count_all(&keys, 0);
        let first = meters.drain();
        assert_eq!(first.calls(), 3000);
        let room = first.cells.capacity();
        meters.recycle(first);
        // The next drain hands back the written list, emptied and as large, holding
        // only the calls since; so does each drain after it.
        for round in 1..4 {
            count_all(&keys[..2000], round * 61);
            let again = meters.drain();
            assert_eq!((again.calls(), again.cells.len(), again.used.len()), (2000, 2000, 2000));
            assert!(again.cells.iter().all(|(c, _)| c.minute == round * 61 / 60 + minute_of(at(0))));
            assert_eq!(again.cells.capacity(), room, "round {round}: the same list");
            meters.recycle(again);
        }
        // Far more room than the last drain needed is not kept.
        count_all(&keys[..10], 400);
        let small = meters.drain();
        assert_eq!(small.calls(), 10);
        meters.recycle(small);
        count_all(&keys[..10], 500);
        let after = meters.drain();
        assert_eq!(after.calls(), 10);
        assert!(after.cells.capacity() < room, "{} of {room}", after.cells.capacity());
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
