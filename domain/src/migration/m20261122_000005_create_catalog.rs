//! The catalog and the way to a key: API products and their APIs, catalogs with their
//! audiences, plans, carts, apps, access requests (with the per-product rows whose
//! unique index makes requests idempotent) and API keys (hashes only).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiProducts {
    Table,
    Id,
    Name,
    Slug,
    Summary,
    Documentation,
    BaseUrl,
    Published,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductApis {
    Table,
    Id,
    ProductId,
    Name,
    PathPrefix,
    SpecTitle,
    Spec,
    Operations,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Catalogs {
    Table,
    Id,
    Name,
    Visibility,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CatalogProducts {
    Table,
    CatalogId,
    ProductId,
}

#[derive(DeriveIden)]
enum CatalogOrgs {
    Table,
    CatalogId,
    OrgId,
}

#[derive(DeriveIden)]
enum CatalogTeams {
    Table,
    CatalogId,
    TeamId,
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    Id,
    CatalogId,
    Name,
    RateLimit,
    RatePeriod,
    Quota,
    QuotaPeriod,
    KeyLifetimeDays,
    RequiresApproval,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CartItems {
    Table,
    UserId,
    CatalogId,
    ProductId,
    AddedAt,
}

#[derive(DeriveIden)]
enum Apps {
    Table,
    Id,
    OrgId,
    OwnerId,
    Name,
    Description,
    CreatedBy,
    CreatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum AccessRequests {
    Table,
    Id,
    AppId,
    CatalogId,
    PlanId,
    Status,
    Comment,
    RequestedBy,
    IdempotencyKey,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccessRequestItems {
    Table,
    Id,
    RequestId,
    AppId,
    ProductId,
    PlanId,
    Live,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    AppId,
    RequestId,
    Prefix,
    KeyHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[&str],
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    manager.create_index(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        manager
            .create_table(
                Table::create()
                    .table(ApiProducts::Table)
                    .col(uuid(ApiProducts::Id).primary_key())
                    .col(string_len(ApiProducts::Name, 100))
                    .col(string_len(ApiProducts::Slug, 60).unique_key())
                    .col(text(ApiProducts::Summary))
                    .col(text(ApiProducts::Documentation))
                    .col(string_len(ApiProducts::BaseUrl, 300))
                    .col(boolean(ApiProducts::Published).default(false))
                    .col(timestamp_with_time_zone(ApiProducts::CreatedAt))
                    .col(timestamp_with_time_zone(ApiProducts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProductApis::Table)
                    .col(uuid(ProductApis::Id).primary_key())
                    .col(uuid(ProductApis::ProductId))
                    .col(string_len(ProductApis::Name, 100))
                    .col(string_len(ProductApis::PathPrefix, 200))
                    .col(string_len_null(ProductApis::SpecTitle, 200))
                    .col(text_null(ProductApis::Spec))
                    .col(text(ProductApis::Operations))
                    .col(timestamp_with_time_zone(ProductApis::CreatedAt))
                    .foreign_key(&mut fk(
                        (ProductApis::Table, ProductApis::ProductId),
                        (ApiProducts::Table, ApiProducts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_product_apis_product", ProductApis::Table, &["product_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(Catalogs::Table)
                    .col(uuid(Catalogs::Id).primary_key())
                    .col(string_len(Catalogs::Name, 100).unique_key())
                    .col(string_len(Catalogs::Visibility, 16))
                    .col(timestamp_with_time_zone(Catalogs::CreatedAt))
                    .col(timestamp_with_time_zone(Catalogs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CatalogProducts::Table)
                    .col(uuid(CatalogProducts::CatalogId))
                    .col(uuid(CatalogProducts::ProductId))
                    .primary_key(
                        Index::create().col(CatalogProducts::CatalogId).col(CatalogProducts::ProductId),
                    )
                    .foreign_key(&mut fk(
                        (CatalogProducts::Table, CatalogProducts::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CatalogProducts::Table, CatalogProducts::ProductId),
                        (ApiProducts::Table, ApiProducts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_catalog_products_product", CatalogProducts::Table, &["product_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(CatalogOrgs::Table)
                    .col(uuid(CatalogOrgs::CatalogId))
                    .col(uuid(CatalogOrgs::OrgId))
                    .primary_key(Index::create().col(CatalogOrgs::CatalogId).col(CatalogOrgs::OrgId))
                    .foreign_key(&mut fk(
                        (CatalogOrgs::Table, CatalogOrgs::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CatalogOrgs::Table, CatalogOrgs::OrgId),
                        (Organisations::Table, Organisations::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_catalog_orgs_org", CatalogOrgs::Table, &["org_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(CatalogTeams::Table)
                    .col(uuid(CatalogTeams::CatalogId))
                    .col(uuid(CatalogTeams::TeamId))
                    .primary_key(Index::create().col(CatalogTeams::CatalogId).col(CatalogTeams::TeamId))
                    .foreign_key(&mut fk(
                        (CatalogTeams::Table, CatalogTeams::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CatalogTeams::Table, CatalogTeams::TeamId),
                        (Teams::Table, Teams::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_catalog_teams_team", CatalogTeams::Table, &["team_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(Plans::Table)
                    .col(uuid(Plans::Id).primary_key())
                    .col(uuid(Plans::CatalogId))
                    .col(string_len(Plans::Name, 100))
                    .col(big_integer(Plans::RateLimit))
                    .col(string_len(Plans::RatePeriod, 16))
                    .col(big_integer_null(Plans::Quota))
                    .col(string_len(Plans::QuotaPeriod, 16))
                    .col(integer_null(Plans::KeyLifetimeDays))
                    .col(boolean(Plans::RequiresApproval))
                    .col(timestamp_with_time_zone(Plans::CreatedAt))
                    .foreign_key(&mut fk(
                        (Plans::Table, Plans::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plans_catalog_name")
                    .table(Plans::Table)
                    .col(Plans::CatalogId)
                    .col(Plans::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CartItems::Table)
                    .col(uuid(CartItems::UserId))
                    .col(uuid(CartItems::CatalogId))
                    .col(uuid(CartItems::ProductId))
                    .col(timestamp_with_time_zone(CartItems::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(CartItems::UserId)
                            .col(CartItems::CatalogId)
                            .col(CartItems::ProductId),
                    )
                    .foreign_key(&mut fk(
                        (CartItems::Table, CartItems::UserId),
                        (Users::Table, Users::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CartItems::Table, CartItems::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CartItems::Table, CartItems::ProductId),
                        (ApiProducts::Table, ApiProducts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Apps::Table)
                    .col(uuid(Apps::Id).primary_key())
                    .col(uuid(Apps::OrgId))
                    .col(uuid_null(Apps::OwnerId))
                    .col(string_len(Apps::Name, 100))
                    .col(text(Apps::Description))
                    .col(uuid(Apps::CreatedBy))
                    .col(timestamp_with_time_zone(Apps::CreatedAt))
                    .col(timestamp_with_time_zone_null(Apps::DeletedAt))
                    .foreign_key(&mut fk(
                        (Apps::Table, Apps::OrgId),
                        (Organisations::Table, Organisations::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_apps_org", Apps::Table, &["org_id"]).await?;
        index(manager, "idx_apps_owner", Apps::Table, &["owner_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessRequests::Table)
                    .col(uuid(AccessRequests::Id).primary_key())
                    .col(uuid(AccessRequests::AppId))
                    .col(uuid(AccessRequests::CatalogId))
                    .col(uuid(AccessRequests::PlanId))
                    .col(string_len(AccessRequests::Status, 16))
                    .col(text(AccessRequests::Comment))
                    .col(uuid(AccessRequests::RequestedBy))
                    .col(string_len(AccessRequests::IdempotencyKey, 100))
                    .col(uuid_null(AccessRequests::DecidedBy))
                    .col(timestamp_with_time_zone_null(AccessRequests::DecidedAt))
                    .col(text_null(AccessRequests::DecisionReason))
                    .col(timestamp_with_time_zone(AccessRequests::CreatedAt))
                    .foreign_key(&mut fk(
                        (AccessRequests::Table, AccessRequests::AppId),
                        (Apps::Table, Apps::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (AccessRequests::Table, AccessRequests::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        (AccessRequests::Table, AccessRequests::PlanId),
                        (Plans::Table, Plans::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_access_requests_app", AccessRequests::Table, &["app_id"]).await?;
        index(manager, "idx_access_requests_status", AccessRequests::Table, &["status", "created_at"])
            .await?;
        // A retried checkout (same person, same form) finds the first request.
        manager
            .create_index(
                Index::create()
                    .name("idx_access_requests_idempotency")
                    .table(AccessRequests::Table)
                    .col(AccessRequests::RequestedBy)
                    .col(AccessRequests::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessRequestItems::Table)
                    .col(uuid(AccessRequestItems::Id).primary_key())
                    .col(uuid(AccessRequestItems::RequestId))
                    .col(uuid(AccessRequestItems::AppId))
                    .col(uuid(AccessRequestItems::ProductId))
                    .col(uuid(AccessRequestItems::PlanId))
                    .col(boolean_null(AccessRequestItems::Live))
                    .foreign_key(&mut fk(
                        (AccessRequestItems::Table, AccessRequestItems::RequestId),
                        (AccessRequests::Table, AccessRequests::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (AccessRequestItems::Table, AccessRequestItems::ProductId),
                        (ApiProducts::Table, ApiProducts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_access_request_items_request", AccessRequestItems::Table, &["request_id"])
            .await?;
        // At most one pending or approved request per app, product and plan: `live` is
        // TRUE while a request is pending or approved and NULL afterwards, and NULLs are
        // distinct in a unique index on SQLite and PostgreSQL alike.
        manager
            .create_index(
                Index::create()
                    .name("idx_access_request_items_live")
                    .table(AccessRequestItems::Table)
                    .col(AccessRequestItems::AppId)
                    .col(AccessRequestItems::ProductId)
                    .col(AccessRequestItems::PlanId)
                    .col(AccessRequestItems::Live)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(uuid(ApiKeys::Id).primary_key())
                    .col(uuid(ApiKeys::AppId))
                    .col(uuid(ApiKeys::RequestId))
                    .col(string_len(ApiKeys::Prefix, 16))
                    .col(string_len(ApiKeys::KeyHash, 64).unique_key())
                    .col(uuid(ApiKeys::CreatedBy))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .foreign_key(&mut fk((ApiKeys::Table, ApiKeys::AppId), (Apps::Table, Apps::Id), Cascade))
                    .foreign_key(&mut fk(
                        (ApiKeys::Table, ApiKeys::RequestId),
                        (AccessRequests::Table, AccessRequests::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_api_keys_app", ApiKeys::Table, &["app_id"]).await?;
        index(manager, "idx_api_keys_request", ApiKeys::Table, &["request_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiKeys::Table.into_iden(),
            AccessRequestItems::Table.into_iden(),
            AccessRequests::Table.into_iden(),
            Apps::Table.into_iden(),
            CartItems::Table.into_iden(),
            Plans::Table.into_iden(),
            CatalogTeams::Table.into_iden(),
            CatalogOrgs::Table.into_iden(),
            CatalogProducts::Table.into_iden(),
            Catalogs::Table.into_iden(),
            ProductApis::Table.into_iden(),
            ApiProducts::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
