//! Invitations, single-use account tokens (password reset, email change) and the
//! history of user status changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    Email,
    FirstName,
    LastName,
    OrgId,
    OrgRole,
    TokenHash,
    ExpiresAt,
    InvitedBy,
    CreatedAt,
    LastSentAt,
    AcceptedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    TokenHash,
    Purpose,
    UserId,
    NewEmail,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserStatusChanges {
    Table,
    Id,
    UserId,
    FromStatus,
    ToStatus,
    ChangedBy,
    Reason,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(uuid(Invitations::Id).primary_key())
                    .col(string_len(Invitations::Email, 254))
                    .col(string_len(Invitations::FirstName, 100))
                    .col(string_len(Invitations::LastName, 100))
                    .col(uuid(Invitations::OrgId))
                    .col(string_len(Invitations::OrgRole, 16))
                    .col(string_len(Invitations::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(uuid(Invitations::InvitedBy))
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .col(timestamp_with_time_zone(Invitations::LastSentAt))
                    .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                    .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invitations_email")
                    .table(Invitations::Table)
                    .col(Invitations::Email)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(string_len(AccountTokens::TokenHash, 64).primary_key())
                    .col(string_len(AccountTokens::Purpose, 16))
                    .col(uuid(AccountTokens::UserId))
                    .col(string_len_null(AccountTokens::NewEmail, 254))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountTokens::Table, AccountTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserStatusChanges::Table)
                    .col(uuid(UserStatusChanges::Id).primary_key())
                    .col(uuid(UserStatusChanges::UserId))
                    .col(string_len(UserStatusChanges::FromStatus, 16))
                    .col(string_len(UserStatusChanges::ToStatus, 16))
                    .col(uuid(UserStatusChanges::ChangedBy))
                    .col(text_null(UserStatusChanges::Reason))
                    .col(timestamp_with_time_zone(UserStatusChanges::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserStatusChanges::Table, UserStatusChanges::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_status_changes_user")
                    .table(UserStatusChanges::Table)
                    .col(UserStatusChanges::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            UserStatusChanges::Table.into_iden(),
            AccountTokens::Table.into_iden(),
            Invitations::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
