//! Makes the gateway's rollups cheaper to write, since every flush upserts a row per key
//! used in the last second: `usage_minutes.minute` becomes Unix seconds (as
//! `usage_hours.hour` already is) and loses its unused `(key_id, minute)` index; on
//! SQLite both rollup tables become `WITHOUT ROWID`, so an upsert searches and writes one
//! B-tree (the primary key) instead of the key index and then the table.
//!
//! Raw SQL on purpose (like the search index's migrations): sea-orm's DSL has neither
//! `WITHOUT ROWID` nor a type change with a conversion.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE: &[&str] = &[
    r#"CREATE TABLE "usage_minutes_slim" (
        "minute" integer NOT NULL,
        "app_id" uuid_text NOT NULL,
        "key_id" uuid_text NOT NULL,
        "product_id" uuid_text NOT NULL,
        "outcome" varchar(32) NOT NULL,
        "count" integer NOT NULL,
        PRIMARY KEY ("minute", "app_id", "key_id", "product_id", "outcome")
    ) WITHOUT ROWID"#,
    r#"INSERT INTO "usage_minutes_slim"
        SELECT CAST(strftime('%s', "minute") AS INTEGER), "app_id", "key_id", "product_id", "outcome", "count"
        FROM "usage_minutes""#,
    r#"DROP TABLE "usage_minutes""#,
    r#"ALTER TABLE "usage_minutes_slim" RENAME TO "usage_minutes""#,
    r#"CREATE TABLE "usage_hours_slim" (
        "hour" integer NOT NULL,
        "app_id" uuid_text NOT NULL,
        "key_id" uuid_text NOT NULL,
        "product_id" uuid_text NOT NULL,
        "outcome" varchar(32) NOT NULL,
        "count" integer NOT NULL,
        PRIMARY KEY ("hour", "app_id", "key_id", "product_id", "outcome")
    ) WITHOUT ROWID"#,
    r#"INSERT INTO "usage_hours_slim" SELECT "hour", "app_id", "key_id", "product_id", "outcome", "count" FROM "usage_hours""#,
    r#"DROP TABLE "usage_hours""#,
    r#"ALTER TABLE "usage_hours_slim" RENAME TO "usage_hours""#,
    r#"CREATE INDEX "idx_usage_hours_app" ON "usage_hours" ("app_id", "hour")"#,
    r#"CREATE INDEX "idx_usage_hours_key" ON "usage_hours" ("key_id", "hour")"#,
];

const POSTGRES: &[&str] = &[
    r#"DROP INDEX IF EXISTS "idx_usage_minutes_key""#,
    r#"ALTER TABLE "usage_minutes" ALTER COLUMN "minute" TYPE bigint USING CAST(EXTRACT(EPOCH FROM "minute") AS bigint)"#,
];

/// Back to rowid tables with a timestamp minute (the shape before).
const SQLITE_DOWN: &[&str] = &[
    r#"CREATE TABLE "usage_minutes_wide" (
        "minute" timestamp_with_timezone_text NOT NULL,
        "app_id" uuid_text NOT NULL,
        "key_id" uuid_text NOT NULL,
        "product_id" uuid_text NOT NULL,
        "outcome" varchar(32) NOT NULL,
        "count" integer NOT NULL,
        PRIMARY KEY ("minute", "app_id", "key_id", "product_id", "outcome")
    )"#,
    r#"INSERT INTO "usage_minutes_wide"
        SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', "minute", 'unixepoch'), "app_id", "key_id", "product_id", "outcome", "count"
        FROM "usage_minutes""#,
    r#"DROP TABLE "usage_minutes""#,
    r#"ALTER TABLE "usage_minutes_wide" RENAME TO "usage_minutes""#,
    r#"CREATE INDEX "idx_usage_minutes_key" ON "usage_minutes" ("key_id", "minute")"#,
    r#"CREATE TABLE "usage_hours_wide" (
        "hour" integer NOT NULL,
        "app_id" uuid_text NOT NULL,
        "key_id" uuid_text NOT NULL,
        "product_id" uuid_text NOT NULL,
        "outcome" varchar(32) NOT NULL,
        "count" integer NOT NULL,
        PRIMARY KEY ("hour", "app_id", "key_id", "product_id", "outcome")
    )"#,
    r#"INSERT INTO "usage_hours_wide" SELECT "hour", "app_id", "key_id", "product_id", "outcome", "count" FROM "usage_hours""#,
    r#"DROP TABLE "usage_hours""#,
    r#"ALTER TABLE "usage_hours_wide" RENAME TO "usage_hours""#,
    r#"CREATE INDEX "idx_usage_hours_app" ON "usage_hours" ("app_id", "hour")"#,
    r#"CREATE INDEX "idx_usage_hours_key" ON "usage_hours" ("key_id", "hour")"#,
];

const POSTGRES_DOWN: &[&str] = &[
    r#"ALTER TABLE "usage_minutes" ALTER COLUMN "minute" TYPE timestamp with time zone USING to_timestamp("minute")"#,
    r#"CREATE INDEX "idx_usage_minutes_key" ON "usage_minutes" ("key_id", "minute")"#,
];

async fn run(manager: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let statements = if db.get_database_backend() == DbBackend::Postgres { postgres } else { sqlite };
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE, POSTGRES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}
