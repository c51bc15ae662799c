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

/// SQLite: (plain index, its columns, the covering index replacing it, its columns).
const COVERED: [(&str, &str, &str, &str); 2] = [
    (
        "idx_dsearch_created",
        "created_at, user_id",
        "idx_dsearch_created_cover",
        "created_at, user_id, status, org_id, doc",
    ),
    (
        "idx_dsearch_status",
        "status, created_at",
        "idx_dsearch_status_cover",
        "status, created_at, user_id, org_id, doc",
    ),
];

/// Builds each index `(name, columns)` on the search rows, then drops `gone`.
async fn swap(
    manager: &SchemaManager<'_>,
    pairs: impl Iterator<Item = ((&str, &str), &str)>,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for ((name, columns), gone) in pairs {
        db.execute_unprepared(&format!("CREATE INDEX {name} ON developer_search ({columns})")).await?;
        db.execute_unprepared(&format!("DROP INDEX {gone}")).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (index, _) in UNUSED {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}")).await?;
        }
        if manager.get_database_backend() == DbBackend::Sqlite {
            swap(manager, COVERED.into_iter().map(|(plain, _, cover, columns)| ((cover, columns), plain)))
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
            swap(manager, COVERED.into_iter().map(|(plain, columns, cover, _)| ((plain, columns), cover)))
                .await?;
        }
        Ok(())
    }
}
