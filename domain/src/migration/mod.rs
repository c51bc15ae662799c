//! The one portable migration set for SQLite and PostgreSQL (sea-orm DSL, except where a
//! migration says why it is not).
//! Append-only: never edit a migration once it has shipped; add a new one.

use sea_orm_migration::prelude::*;

mod m20261122_000001_create_accounts;
mod m20261122_000002_create_mail;
mod m20261122_000003_create_account_lifecycle;
mod m20261122_000004_create_org_registration;
mod m20261122_000005_create_catalog;
mod m20261122_000006_create_gateway;
mod m20261201_000007_create_usage_hours;
mod m20261201_000008_create_developer_admin;
mod m20261201_000010_create_export_jobs;
mod m20261202_000011_create_api_tokens;
mod m20261202_000012_cover_developer_search;
mod m20261203_000013_create_usage_portal_hours;
mod m20261206_000014_slim_usage_rollups;
mod m20261206_000015_search_word_heads;
mod m20261206_000016_cover_sqlite_search;
mod m20261206_000017_fold_usage_minutes;

/// Runs on every boot (`Migrator::up`) and in every data-layer test.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_accounts::Migration),
            Box::new(m20261122_000002_create_mail::Migration),
            Box::new(m20261122_000003_create_account_lifecycle::Migration),
            Box::new(m20261122_000004_create_org_registration::Migration),
            Box::new(m20261122_000005_create_catalog::Migration),
            Box::new(m20261122_000006_create_gateway::Migration),
            Box::new(m20261201_000007_create_usage_hours::Migration),
            Box::new(m20261201_000008_create_developer_admin::Migration),
            Box::new(m20261201_000010_create_export_jobs::Migration),
            Box::new(m20261202_000011_create_api_tokens::Migration),
            Box::new(m20261202_000012_cover_developer_search::Migration),
            Box::new(m20261203_000013_create_usage_portal_hours::Migration),
            Box::new(m20261206_000014_slim_usage_rollups::Migration),
            Box::new(m20261206_000015_search_word_heads::Migration),
            Box::new(m20261206_000016_cover_sqlite_search::Migration),
            Box::new(m20261206_000017_fold_usage_minutes::Migration),
        ]
    }
}
