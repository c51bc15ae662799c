//! Keys at the gateway: per-minute usage rollups (by app, key, product and outcome) and
//! the change counter hosts compare to drop their cached decisions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsageMinutes {
    Table,
    Minute,
    AppId,
    KeyId,
    ProductId,
    Outcome,
    Count,
}

#[derive(DeriveIden)]
enum GatewayState {
    Table,
    Id,
    Generation,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UsageMinutes::Table)
                    .col(timestamp_with_time_zone(UsageMinutes::Minute))
                    .col(uuid(UsageMinutes::AppId))
                    .col(uuid(UsageMinutes::KeyId))
                    .col(uuid(UsageMinutes::ProductId))
                    .col(string_len(UsageMinutes::Outcome, 32))
                    .col(big_integer(UsageMinutes::Count))
                    .primary_key(
                        Index::create()
                            .col(UsageMinutes::Minute)
                            .col(UsageMinutes::AppId)
                            .col(UsageMinutes::KeyId)
                            .col(UsageMinutes::ProductId)
                            .col(UsageMinutes::Outcome),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_usage_minutes_key")
                    .table(UsageMinutes::Table)
                    .col(UsageMinutes::KeyId)
                    .col(UsageMinutes::Minute)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GatewayState::Table)
                    .col(integer(GatewayState::Id).primary_key())
                    .col(big_integer(GatewayState::Generation).default(0))
                    .to_owned(),
            )
            .await?;
        let insert = Query::insert()
            .into_table(GatewayState::Table)
            .columns([GatewayState::Id, GatewayState::Generation])
            .values_panic([1.into(), 0.into()])
            .to_owned();
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(GatewayState::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UsageMinutes::Table).to_owned()).await
    }
}
