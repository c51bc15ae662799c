//! Hourly usage rollups, written beside the per-minute ones on every flush, so that a
//! 7-day graph reads at most 168 rows per key and outcome whatever the traffic. The hour
//! is stored as Unix seconds (an integer groups and compares the same on both
//! databases). Existing per-minute rows are folded in once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use std::collections::HashMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsageHours {
    Table,
    Hour,
    AppId,
    KeyId,
    ProductId,
    Outcome,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UsageHours::Table)
                    .col(big_integer(UsageHours::Hour))
                    .col(uuid(UsageHours::AppId))
                    .col(uuid(UsageHours::KeyId))
                    .col(uuid(UsageHours::ProductId))
                    .col(string_len(UsageHours::Outcome, 32))
                    .col(big_integer(UsageHours::Count))
                    .primary_key(
                        Index::create()
                            .col(UsageHours::Hour)
                            .col(UsageHours::AppId)
                            .col(UsageHours::KeyId)
                            .col(UsageHours::ProductId)
                            .col(UsageHours::Outcome),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in
            [("idx_usage_hours_app", UsageHours::AppId), ("idx_usage_hours_key", UsageHours::KeyId)]
        {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(UsageHours::Table)
                        .col(column)
                        .col(UsageHours::Hour)
                        .to_owned(),
                )
                .await?;
        }
        fold_minutes_into_hours(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UsageHours::Table).to_owned()).await
    }
}

/// Sums the existing per-minute rows by hour (in Rust: truncating a timestamp to the
/// hour is written differently by each database).
async fn fold_minutes_into_hours(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT minute, app_id, key_id, product_id, outcome, count FROM usage_minutes",
        ))
        .await?;
    let mut hours: HashMap<(i64, uuid::Uuid, uuid::Uuid, uuid::Uuid, String), i64> = HashMap::new();
    for row in rows {
        let minute: chrono::DateTime<chrono::Utc> = row.try_get("", "minute")?;
        let hour = minute.timestamp().div_euclid(3600) * 3600;
        let key = (
            hour,
            row.try_get("", "app_id")?,
            row.try_get("", "key_id")?,
            row.try_get("", "product_id")?,
            row.try_get("", "outcome")?,
        );
        *hours.entry(key).or_default() += row.try_get::<i64>("", "count")?;
    }
    for ((hour, app, key, product, outcome), count) in hours {
        let insert = Query::insert()
            .into_table(UsageHours::Table)
            .columns([
                UsageHours::Hour,
                UsageHours::AppId,
                UsageHours::KeyId,
                UsageHours::ProductId,
                UsageHours::Outcome,
                UsageHours::Count,
            ])
            .values_panic([hour.into(), app.into(), key.into(), product.into(), outcome.into(), count.into()])
            .to_owned();
        manager.exec_stmt(insert).await?;
    }
    Ok(())
}
