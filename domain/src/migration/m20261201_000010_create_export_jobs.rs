//! Export jobs: developers, apps or API products as CSV or JSON, written in the
//! background to a file whose progress the admin watches.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExportJobs {
    Table,
    Id,
    Kind,
    Format,
    Filter,
    FilterSummary,
    Status,
    RowsDone,
    RowsTotal,
    Bytes,
    Error,
    CreatedBy,
    CreatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExportJobs::Table)
                    .col(uuid(ExportJobs::Id).primary_key())
                    .col(string_len(ExportJobs::Kind, 16))
                    .col(string_len(ExportJobs::Format, 8))
                    .col(text(ExportJobs::Filter))
                    .col(string_len(ExportJobs::FilterSummary, 500))
                    .col(string_len(ExportJobs::Status, 16))
                    .col(big_integer(ExportJobs::RowsDone).default(0))
                    .col(big_integer(ExportJobs::RowsTotal).default(0))
                    .col(big_integer(ExportJobs::Bytes).default(0))
                    .col(string_len_null(ExportJobs::Error, 500))
                    .col(uuid(ExportJobs::CreatedBy))
                    .col(timestamp_with_time_zone(ExportJobs::CreatedAt))
                    .col(timestamp_with_time_zone_null(ExportJobs::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_export_jobs_created")
                    .table(ExportJobs::Table)
                    .col(ExportJobs::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExportJobs::Table).to_owned()).await
    }
}
