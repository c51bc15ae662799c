//! Hourly rollups folded from the per-minute rows once a minute, instead of an hour row
//! upserted beside every minute row each second (half of a flush's writes).
//!
//! - `usage_folds` holds one row, `folded_until` (Unix seconds): per-minute rows of
//!   earlier minutes are in `usage_hours`, later ones not yet. It starts at the minute
//!   after this migration: every minute before it was written to both tables by the
//!   flush as it was.
//! - `usage_hours_live` is what the readers read: the hourly rows plus the minutes not
//!   yet folded, summed into their hours by the reader's query. One statement, so one
//!   snapshot: a fold between two statements cannot count a minute twice or not at all.
//! - `usage_minutes` gets `(app_id, minute)` and `(key_id, minute)` indexes, so the
//!   view's per-app and per-key reads seek the unfolded minutes. A flush writes them
//!   only when it inserts a row (a key's first call in a minute), not when it adds to one.

use chrono::Utc;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

const VIEW: &str = r#"CREATE VIEW "usage_hours_live" AS
    SELECT "hour", "app_id", "key_id", "product_id", "outcome", "count" FROM "usage_hours"
    UNION ALL
    SELECT "minute" - "minute" % 3600, "app_id", "key_id", "product_id", "outcome", "count"
    FROM "usage_minutes" WHERE "minute" >= (SELECT "folded_until" FROM "usage_folds" WHERE "id" = 1)"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            r#"CREATE TABLE "usage_folds" ("id" integer NOT NULL PRIMARY KEY, "folded_until" bigint NOT NULL)"#,
        )
        .await?;
        let next_minute = (Utc::now().timestamp().div_euclid(60) + 1) * 60;
        db.execute_unprepared(&format!(
            r#"INSERT INTO "usage_folds" ("id", "folded_until") VALUES (1, {next_minute})"#
        ))
        .await?;
        for (name, column) in [("idx_usage_minutes_app", "app_id"), ("idx_usage_minutes_key", "key_id")] {
            db.execute_unprepared(&format!(
                r#"CREATE INDEX "{name}" ON "usage_minutes" ("{column}", "minute")"#
            ))
            .await?;
        }
        db.execute_unprepared(VIEW).await?;
        Ok(())
    }

    /// Folds what is not folded yet, so the hourly rows hold every call again.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            r#"INSERT INTO "usage_hours" ("hour", "app_id", "key_id", "product_id", "outcome", "count")
            SELECT "minute" - "minute" % 3600, "app_id", "key_id", "product_id", "outcome", SUM("count")
            FROM "usage_minutes" WHERE "minute" >= (SELECT "folded_until" FROM "usage_folds" WHERE "id" = 1)
            GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT ("hour", "app_id", "key_id", "product_id", "outcome")
            DO UPDATE SET "count" = "usage_hours"."count" + "excluded"."count""#,
        )
        .await?;
        db.execute_unprepared(r#"DROP VIEW "usage_hours_live""#).await?;
        for name in ["idx_usage_minutes_app", "idx_usage_minutes_key"] {
            db.execute_unprepared(&format!(r#"DROP INDEX "{name}""#)).await?;
        }
        db.execute_unprepared(r#"DROP TABLE "usage_folds""#).await?;
        Ok(())
    }
}
