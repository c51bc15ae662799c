//! Organisation requests (who asked, who decided, why) and invite codes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    RequestedBy,
    DecidedBy,
    DecidedAt,
    DecisionReason,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InviteCodes {
    Table,
    Id,
    CodeHash,
    Prefix,
    OrgId,
    TeamId,
    MaxUses,
    Uses,
    ExpiresAt,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            uuid_null(Organisations::RequestedBy),
            uuid_null(Organisations::DecidedBy),
            timestamp_with_time_zone_null(Organisations::DecidedAt),
            text_null(Organisations::DecisionReason),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(Organisations::Table).add_column(&mut column).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(InviteCodes::Table)
                    .col(uuid(InviteCodes::Id).primary_key())
                    .col(string_len(InviteCodes::CodeHash, 64).unique_key())
                    .col(string_len(InviteCodes::Prefix, 16))
                    .col(uuid(InviteCodes::OrgId))
                    .col(uuid(InviteCodes::TeamId))
                    .col(integer_null(InviteCodes::MaxUses))
                    .col(integer(InviteCodes::Uses).default(0))
                    .col(timestamp_with_time_zone_null(InviteCodes::ExpiresAt))
                    .col(uuid(InviteCodes::CreatedBy))
                    .col(timestamp_with_time_zone(InviteCodes::CreatedAt))
                    .col(timestamp_with_time_zone_null(InviteCodes::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InviteCodes::Table, InviteCodes::OrgId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InviteCodes::Table, InviteCodes::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invite_codes_org")
                    .table(InviteCodes::Table)
                    .col(InviteCodes::OrgId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invitations_org")
                    .table(Alias::new("invitations"))
                    .col(Alias::new("org_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_invitations_org").table(Alias::new("invitations")).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(InviteCodes::Table).to_owned()).await?;
        for column in [
            Organisations::RequestedBy,
            Organisations::DecidedBy,
            Organisations::DecidedAt,
            Organisations::DecisionReason,
        ] {
            manager
                .alter_table(Table::alter().table(Organisations::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
