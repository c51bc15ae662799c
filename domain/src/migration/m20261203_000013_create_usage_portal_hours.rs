//! Portal-wide calls per hour and outcome, written by the same flush as `usage_hours`,
//! so that the admin home's 7-day graph reads at most 168 rows per outcome however
//! many apps and keys there are. Filled once from the hourly rows already stored.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsagePortalHours {
    Table,
    Hour,
    Outcome,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UsagePortalHours::Table)
                    .col(big_integer(UsagePortalHours::Hour))
                    .col(string_len(UsagePortalHours::Outcome, 32))
                    .col(big_integer(UsagePortalHours::Count))
                    .primary_key(Index::create().col(UsagePortalHours::Hour).col(UsagePortalHours::Outcome))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO usage_portal_hours (hour, outcome, count) \
                 SELECT hour, outcome, CAST(SUM(count) AS BIGINT) FROM usage_hours GROUP BY hour, outcome",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UsagePortalHours::Table).to_owned()).await
    }
}
