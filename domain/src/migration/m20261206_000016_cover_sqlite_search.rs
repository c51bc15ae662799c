//! SQLite: the developer list's date orders carry what a search tests on each row, as
//! PostgreSQL's have since 000012 and 000015. Walking the date order (or the status
//! filter's) for a common term read a table row per candidate, a random read each:
//! at a million developers "marga" walked 3,500 rows in 17 ms. With the document, the
//! status and the organisation in the index, SQLite tests each candidate in the index and
//! reads a table row only for a match (1 ms). The new indexes replace the plain date and
//! status indexes, whose keys they begin with.
//!
//! Both databases also lose the first-name, last-name and username indexes: they served
//! the prefix search that word heads (000015) replaced, and nothing reads them now.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UNUSED: [(&str, &str); 3] = [
    ("idx_dsearch_first", "first_lc"),
    ("idx_dsearch_last", "last_lc"),
    ("idx_dsearch_username", "username"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (index, _) in UNUSED {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}")).await?;
        }
        if manager.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared(
                "CREATE INDEX idx_dsearch_created_cover ON developer_search (created_at, user_id, status, org_id, doc); \
                 DROP INDEX idx_dsearch_created; \
                 CREATE INDEX idx_dsearch_status_cover ON developer_search (status, created_at, user_id, org_id, doc); \
                 DROP INDEX idx_dsearch_status",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (index, column) in UNUSED {
            db.execute_unprepared(&format!("CREATE INDEX {index} ON developer_search ({column})")).await?;
        }
        if manager.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared(
                "CREATE INDEX idx_dsearch_created ON developer_search (created_at, user_id); \
                 DROP INDEX idx_dsearch_created_cover; \
                 CREATE INDEX idx_dsearch_status ON developer_search (status, created_at); \
                 DROP INDEX idx_dsearch_status_cover",
            )
            .await?;
        }
        Ok(())
    }
}
