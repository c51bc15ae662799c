//! Writing counted usage: per-minute rollups every second, folded into the hourly
//! rollups once a minute; the portal's hourly totals and keys' last use; in short
//! transactions each written whole; and pruning old per-minute rows.
//!
//! `usage_folds.folded_until` divides the per-minute rows: those of earlier minutes are
//! in `usage_hours`, later ones are not yet (readers read `usage_hours_live`, both). A
//! flush reads it in its transaction and writes the hour rows itself only for cells of
//! earlier minutes (late: a retried flush, another host's slow one); a fold moves it on.
//! On PostgreSQL the flush holds it `FOR SHARE` and the fold `FOR UPDATE`, so a fold
//! never runs beside a flush: each cell lands in the hourly rows exactly once.

use super::meter::{Drained, UsageCell};
use super::placeholder;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use std::collections::HashMap;
use uuid::Uuid;

/// How long per-minute usage is kept (the hourly rollups keep the sums for good).
pub const MINUTES_KEPT: chrono::Duration = chrono::Duration::hours(48);
/// Rows per multi-row upsert (6 values each, under every database's parameter limit).
const ROWS_PER_STATEMENT: usize = 200;
/// Keys per `last_used_at` update.
const KEYS_PER_UPDATE: usize = 500;

/// Cells (and keys' last uses) written per transaction: a flush is several short
/// transactions rather than one long one, so other work on the database (on SQLite,
/// the portal's one writer connection) gets its turn between them.
const CELLS_PER_TRANSACTION: usize = 2000;

/// Writes what a flush took (sorted: [`Drained::sort`]), a part per
/// transaction. On a failure, what was not written comes back with the error (each
/// part is written whole or not at all).
///
/// Cells come in the order of the tables' primary keys, so a transaction's
/// cells sit side by side in the B-tree: each part dirties (and writes to SQLite's log)
/// a few dozen pages instead of most of the current minute's and hour's pages, which
/// with every call on a different key were rewritten by every part.
pub(super) async fn write_all(
    db: &DatabaseConnection,
    drained: &Drained,
) -> Result<u64, (sea_orm::DbErr, Drained)> {
    let parts = drained.cells.len().max(drained.used.len()).div_ceil(CELLS_PER_TRANSACTION);
    let mut written = 0;
    for part in 0..parts {
        let range = |len: usize| {
            (part * CELLS_PER_TRANSACTION).min(len)..((part + 1) * CELLS_PER_TRANSACTION).min(len)
        };
        let (cells, used) =
            (&drained.cells[range(drained.cells.len())], &drained.used[range(drained.used.len())]);
        if let Err(e) = write(db, cells, used).await {
            let rest = Drained {
                cells: drained.cells[range(drained.cells.len()).start..].to_vec(),
                used: drained.used[range(drained.used.len()).start..].to_vec(),
            };
            return Err((e, rest));
        }
        written += cells.iter().map(|(_, n)| n).sum::<u64>();
    }
    Ok(written)
}

/// Writes one part in one transaction: multi-row upserts into `usage_minutes`, summed
/// by hour into `usage_portal_hours` and, for minutes already folded, into
/// `usage_hours` (times in Unix seconds);
/// and one `last_used_at` update per batch of keys (the newest use in this flush; uses
/// in one flush are about a second apart).
async fn write(
    db: &DatabaseConnection,
    cells: &[(UsageCell, u64)],
    used: &[(Uuid, DateTime<Utc>)],
) -> Result<(), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let folded_until = folded_until(&txn, "FOR SHARE").await?;
    let mut hours: HashMap<UsageCell, u64> = HashMap::new();
    for (cell, n) in cells.iter().filter(|(cell, _)| cell.minute * 60 < folded_until) {
        let hour = UsageCell { minute: cell.minute.div_euclid(60) * 60, ..cell.clone() };
        *hours.entry(hour).or_default() += n;
    }
    let mut hours: Vec<(UsageCell, u64)> = hours.into_iter().collect();
    hours.sort_unstable();
    for (table, time, rows) in [("usage_minutes", "minute", cells), ("usage_hours", "hour", &hours[..])] {
        for batch in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql =
                format!("INSERT INTO {table} ({time}, app_id, key_id, product_id, outcome, count) VALUES ");
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(batch.len() * 6);
            for (i, (cell, n)) in batch.iter().enumerate() {
                sql.push_str(if i == 0 { "(" } else { ", (" });
                for k in 1..=6 {
                    if k > 1 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&placeholder(backend, i * 6 + k));
                }
                sql.push(')');
                values.extend([
                    (cell.minute * 60).into(),
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
    add_portal_hours(
        &txn,
        cells.iter().map(|(cell, n)| (cell.minute.div_euclid(60) * 3600, cell.outcome, *n)),
    )
    .await?;
    if let Some(newest) = used.iter().map(|(_, at)| *at).max() {
        for batch in used.chunks(KEYS_PER_UPDATE) {
            let ids: Vec<String> = (0..batch.len()).map(|i| placeholder(backend, i + 2)).collect();
            let sql = format!(
                "UPDATE api_keys SET last_used_at = {at} WHERE id IN ({}) AND (last_used_at IS NULL OR last_used_at < {at})",
                ids.join(", "),
                at = placeholder(backend, 1),
            );
            let mut values: Vec<sea_orm::Value> = vec![newest.into()];
            values.extend(batch.iter().map(|(key, _)| sea_orm::Value::from(*key)));
            txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        }
    }
    txn.commit().await
}

/// Adds calls — (hour in Unix seconds, outcome, calls), in any order and grouping — to
/// the portal-wide hourly totals (`usage_portal_hours`). Called in the transaction
/// that adds the same calls to `usage_hours`, so the two always agree.
pub(crate) async fn add_portal_hours<'a>(
    db: &impl ConnectionTrait,
    calls: impl IntoIterator<Item = (i64, &'a str, u64)>,
) -> Result<(), sea_orm::DbErr> {
    let mut sums: HashMap<(i64, &str), u64> = HashMap::new();
    for (hour, outcome, n) in calls {
        *sums.entry((hour, outcome)).or_default() += n;
    }
    let sums: Vec<((i64, &str), u64)> = sums.into_iter().collect();
    let backend = db.get_database_backend();
    for batch in sums.chunks(300) {
        let rows: Vec<String> = (0..batch.len())
            .map(|i| {
                let p = |k| placeholder(backend, i * 3 + k);
                format!("({}, {}, {})", p(1), p(2), p(3))
            })
            .collect();
        let sql = format!(
            "INSERT INTO usage_portal_hours (hour, outcome, count) VALUES {} \
             ON CONFLICT (hour, outcome) DO UPDATE SET count = usage_portal_hours.count + excluded.count",
            rows.join(", ")
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(batch.len() * 3);
        for ((hour, outcome), n) in batch {
            values.extend([(*hour).into(), (*outcome).into(), i64::try_from(*n).unwrap_or(i64::MAX).into()]);
        }
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}

/// `usage_folds.folded_until`: per-minute rows before it are in the hourly rows. `lock`
/// is PostgreSQL's row lock (`FOR SHARE` or `FOR UPDATE`). Without the row (the
/// migration writes it) every minute counts as folded: the flush writes every hour row
/// itself, as before folding existed, and a fold does nothing.
async fn folded_until(db: &impl ConnectionTrait, lock: &str) -> Result<i64, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let lock = if backend == DbBackend::Postgres { lock } else { "" };
    let sql = format!("SELECT folded_until FROM usage_folds WHERE id = 1 {lock}");
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?;
    Ok(row.and_then(|r| r.try_get::<i64>("", "folded_until").ok()).unwrap_or(i64::MAX))
}

/// Folds the per-minute rows of minutes before `until` (Unix seconds, a minute's start)
/// not folded yet into the hourly rows, in one transaction. Returns the hour cells
/// written (0 when `until` is already folded, say by another host).
pub(super) async fn fold(db: &DatabaseConnection, until: i64) -> Result<u64, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let from = folded_until(&txn, "FOR UPDATE").await?;
    if until <= from {
        return Ok(0);
    }
    let sql = format!(
        "INSERT INTO usage_hours (hour, app_id, key_id, product_id, outcome, count) \
         SELECT minute - minute % 3600, app_id, key_id, product_id, outcome, SUM(count) FROM usage_minutes \
         WHERE minute >= {} AND minute < {} GROUP BY 1, 2, 3, 4, 5 \
         ON CONFLICT (hour, app_id, key_id, product_id, outcome) DO UPDATE SET count = usage_hours.count + excluded.count",
        placeholder(backend, 1),
        placeholder(backend, 2),
    );
    let folded =
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, [from.into(), until.into()])).await?;
    let sql = format!("UPDATE usage_folds SET folded_until = {} WHERE id = 1", placeholder(backend, 1));
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, [until.into()])).await?;
    txn.commit().await?;
    Ok(folded.rows_affected())
}

/// Deletes per-minute rows older than [`MINUTES_KEPT`] and folded; the hourly rows keep
/// their sums.
pub(super) async fn prune_minutes(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "DELETE FROM usage_minutes WHERE minute < {} AND minute < (SELECT folded_until FROM usage_folds WHERE id = 1)",
        placeholder(backend, 1)
    );
    let before = (Utc::now() - MINUTES_KEPT).timestamp();
    let done = db.execute_raw(Statement::from_sql_and_values(backend, sql, [before.into()])).await?;
    Ok(done.rows_affected())
}
