//! The outbox and customised email templates.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    Id,
    ToAddress,
    Template,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum EmailTemplates {
    Table,
    Key,
    Subject,
    TextBody,
    HtmlBody,
    UpdatedAt,
    UpdatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxMessages::Table)
                    .col(uuid(OutboxMessages::Id).primary_key())
                    .col(string_len(OutboxMessages::ToAddress, 254))
                    .col(string_len(OutboxMessages::Template, 64))
                    .col(text(OutboxMessages::Subject))
                    .col(text(OutboxMessages::TextBody))
                    .col(text(OutboxMessages::HtmlBody))
                    .col(string_len(OutboxMessages::Status, 16))
                    .col(integer(OutboxMessages::Attempts).default(0))
                    .col(text_null(OutboxMessages::LastError))
                    .col(timestamp_with_time_zone(OutboxMessages::NextAttemptAt))
                    .col(timestamp_with_time_zone(OutboxMessages::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxMessages::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_status_next")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::Status)
                    .col(OutboxMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_created")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailTemplates::Table)
                    .col(string_len(EmailTemplates::Key, 64).primary_key())
                    .col(text(EmailTemplates::Subject))
                    .col(text(EmailTemplates::TextBody))
                    .col(text(EmailTemplates::HtmlBody))
                    .col(timestamp_with_time_zone(EmailTemplates::UpdatedAt))
                    .col(uuid(EmailTemplates::UpdatedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EmailTemplates::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(OutboxMessages::Table).to_owned()).await
    }
}
