//! PostgreSQL: the developer list's date order carries what a search tests on each row
//! (`INCLUDE (status, org_id, doc)`), so walking it for a common term reads the index
//! alone, not a table row per candidate. It replaces the plain date index, whose key it
//! shares. SQLite keeps its indexes (its search picks between FTS5 and the walk itself).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_dsearch_created_cover ON developer_search (created_at, user_id) \
             INCLUDE (status, org_id, doc)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_dsearch_created").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE INDEX idx_dsearch_created ON developer_search (created_at, user_id)")
            .await?;
        db.execute_unprepared("DROP INDEX idx_dsearch_created_cover").await?;
        Ok(())
    }
}
