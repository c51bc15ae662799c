//! Admin developer management: usernames, custom attributes, the audit log, and the
//! developer search index.
//!
//! The search index is one row per user (`developer_search`) with a combined,
//! lower-cased document and the columns lists filter and sort by. Its text index is
//! the one place the two databases need their own SQL (deliberately, see
//! ARCHITECTURE.md): SQLite gets an FTS5 table with the trigram tokenizer, kept in step
//! by triggers; PostgreSQL a `pg_trgm` GIN index, and "C" collation on the prefix
//! columns so that range scans compare bytes as SQLite does. Existing users are indexed
//! here with plain SQL (a migration must not depend on today's entities).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::collections::HashMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
}

#[derive(DeriveIden)]
enum DeveloperAttributes {
    Table,
    UserId,
    Name,
    Value,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorId,
    ActorName,
    Action,
    TargetKind,
    TargetId,
    TargetLabel,
    OrgId,
    Summary,
    Detail,
}

#[derive(DeriveIden)]
enum DeveloperSearch {
    Table,
    DocId,
    UserId,
    Doc,
    Status,
    OrgId,
    PortalRole,
    FirstLc,
    LastLc,
    SortName,
    Email,
    Username,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::Username, 32))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_username")
                    .table(Users::Table)
                    .col(Users::Username)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeveloperAttributes::Table)
                    .col(uuid(DeveloperAttributes::UserId))
                    .col(string_len(DeveloperAttributes::Name, 64))
                    .col(string_len(DeveloperAttributes::Value, 1024))
                    .col(timestamp_with_time_zone(DeveloperAttributes::CreatedAt))
                    .col(timestamp_with_time_zone(DeveloperAttributes::UpdatedAt))
                    .primary_key(
                        Index::create().col(DeveloperAttributes::UserId).col(DeveloperAttributes::Name),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeveloperAttributes::Table, DeveloperAttributes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(uuid(AuditEvents::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(uuid_null(AuditEvents::ActorId))
                    .col(string_len(AuditEvents::ActorName, 254))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len(AuditEvents::TargetKind, 32))
                    .col(uuid_null(AuditEvents::TargetId))
                    .col(string_len(AuditEvents::TargetLabel, 254))
                    .col(uuid_null(AuditEvents::OrgId))
                    .col(string_len(AuditEvents::Summary, 500))
                    .col(text(AuditEvents::Detail))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_at", vec![AuditEvents::At]),
            ("idx_audit_target", vec![AuditEvents::TargetId, AuditEvents::At]),
            ("idx_audit_actor", vec![AuditEvents::ActorId, AuditEvents::At]),
            ("idx_audit_action", vec![AuditEvents::Action, AuditEvents::At]),
        ] {
            let mut index = Index::create().name(name).table(AuditEvents::Table).to_owned();
            for c in cols {
                index.col(c);
            }
            manager.create_index(index).await?;
        }
        create_search_table(manager, backend).await?;
        create_text_index(manager, backend).await?;
        index_existing_users(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("DROP TABLE IF EXISTS developer_search_fts").await?;
        }
        manager.drop_table(Table::drop().table(DeveloperSearch::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DeveloperAttributes::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_users_username").table(Users::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::Username).to_owned()).await
    }
}

async fn create_search_table(manager: &SchemaManager<'_>, backend: DbBackend) -> Result<(), DbErr> {
    // Prefix columns compare bytes on both databases.
    let bytewise = |mut c: ColumnDef| {
        if backend == DbBackend::Postgres {
            c.extra("COLLATE \"C\"");
        }
        c
    };
    manager
        .create_table(
            Table::create()
                .table(DeveloperSearch::Table)
                .col(big_integer(DeveloperSearch::DocId).auto_increment().primary_key())
                .col(uuid(DeveloperSearch::UserId).unique_key())
                .col(text(DeveloperSearch::Doc))
                .col(string_len(DeveloperSearch::Status, 16))
                .col(uuid(DeveloperSearch::OrgId))
                .col(string_len(DeveloperSearch::PortalRole, 16))
                .col(bytewise(string_len(DeveloperSearch::FirstLc, 100)))
                .col(bytewise(string_len(DeveloperSearch::LastLc, 100)))
                .col(bytewise(string_len(DeveloperSearch::SortName, 202)))
                .col(bytewise(string_len(DeveloperSearch::Email, 254)))
                .col(bytewise(string_len_null(DeveloperSearch::Username, 32)))
                .col(timestamp_with_time_zone(DeveloperSearch::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DeveloperSearch::Table, DeveloperSearch::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    for (name, cols) in [
        ("idx_dsearch_created", vec![DeveloperSearch::CreatedAt, DeveloperSearch::UserId]),
        ("idx_dsearch_name", vec![DeveloperSearch::SortName, DeveloperSearch::UserId]),
        ("idx_dsearch_email", vec![DeveloperSearch::Email]),
        ("idx_dsearch_first", vec![DeveloperSearch::FirstLc]),
        ("idx_dsearch_last", vec![DeveloperSearch::LastLc]),
        ("idx_dsearch_username", vec![DeveloperSearch::Username]),
        ("idx_dsearch_status", vec![DeveloperSearch::Status, DeveloperSearch::CreatedAt]),
        ("idx_dsearch_org", vec![DeveloperSearch::OrgId, DeveloperSearch::CreatedAt]),
    ] {
        let mut index = Index::create().name(name).table(DeveloperSearch::Table).to_owned();
        for c in cols {
            index.col(c);
        }
        manager.create_index(index).await?;
    }
    Ok(())
}

async fn create_text_index(manager: &SchemaManager<'_>, backend: DbBackend) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match backend {
        DbBackend::Postgres => {
            // In `public`, so that a schema dropped in tests never takes it along; a
            // concurrent first install may lose the race, which is fine if it exists.
            if pg_trgm_schema(db).await?.is_none()
                && let Err(e) =
                    db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public").await
                && pg_trgm_schema(db).await?.is_none()
            {
                return Err(DbErr::Migration(format!(
                    "developer search needs the pg_trgm extension (CREATE EXTENSION pg_trgm as a superuser): {e}"
                )));
            }
            let schema = pg_trgm_schema(db).await?.unwrap_or_else(|| "public".to_owned());
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_dsearch_doc_trgm ON developer_search USING gin (doc \"{schema}\".gin_trgm_ops)"
            ))
            .await?;
        }
        _ => {
            db.execute_unprepared(
                "CREATE VIRTUAL TABLE developer_search_fts USING fts5(doc, content='developer_search', \
                 content_rowid='doc_id', tokenize='trigram')",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER developer_search_ai AFTER INSERT ON developer_search BEGIN \
                   INSERT INTO developer_search_fts(rowid, doc) VALUES (new.doc_id, new.doc); \
                 END; \
                 CREATE TRIGGER developer_search_ad AFTER DELETE ON developer_search BEGIN \
                   INSERT INTO developer_search_fts(developer_search_fts, rowid, doc) VALUES ('delete', old.doc_id, old.doc); \
                 END; \
                 CREATE TRIGGER developer_search_au AFTER UPDATE ON developer_search BEGIN \
                   INSERT INTO developer_search_fts(developer_search_fts, rowid, doc) VALUES ('delete', old.doc_id, old.doc); \
                   INSERT INTO developer_search_fts(rowid, doc) VALUES (new.doc_id, new.doc); \
                 END;",
            )
            .await?;
        }
    }
    Ok(())
}

/// The schema `pg_trgm` is installed in, if it is.
async fn pg_trgm_schema(db: &impl ConnectionTrait) -> Result<Option<String>, DbErr> {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT n.nspname AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname = 'pg_trgm'",
    ))
    .await?
    .map(|r| r.try_get("", "s"))
    .transpose()
}

/// Indexes the users that exist already, with the same document the search service
/// writes ([`crate::services::search_index::document`], a pure function of its parts).
async fn index_existing_users(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use crate::services::search_index::{DocParts, document};
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let rows = |sql: &str| db.query_all_raw(Statement::from_string(backend, sql.to_owned()));
    let orgs: HashMap<uuid::Uuid, String> = rows("SELECT id, name FROM organisations")
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "name")?)))
        .collect::<Result<_, DbErr>>()?;
    let mut teams: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for r in rows("SELECT m.user_id, t.name FROM team_memberships m JOIN teams t ON t.id = m.team_id").await?
    {
        teams.entry(r.try_get("", "user_id")?).or_default().push(r.try_get("", "name")?);
    }
    let mut prefixes: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for r in rows("SELECT created_by, prefix FROM api_keys").await? {
        prefixes.entry(r.try_get("", "created_by")?).or_default().push(r.try_get("", "prefix")?);
    }
    let users =
        rows("SELECT id, email, first_name, last_name, status, org_id, portal_role, created_at FROM users")
            .await?;
    for u in users {
        let id: uuid::Uuid = u.try_get("", "id")?;
        let (first, last, email): (String, String, String) =
            (u.try_get("", "first_name")?, u.try_get("", "last_name")?, u.try_get("", "email")?);
        let org_id: uuid::Uuid = u.try_get("", "org_id")?;
        let doc = document(&DocParts {
            first_name: &first,
            last_name: &last,
            email: &email,
            username: None,
            organisation: orgs.get(&org_id).map_or("", String::as_str),
            teams: teams.get(&id).map_or(&[], Vec::as_slice),
            attribute_values: &[],
            key_prefixes: prefixes.get(&id).map_or(&[], Vec::as_slice),
        });
        let created: chrono::DateTime<chrono::Utc> = u.try_get("", "created_at")?;
        let status: String = u.try_get("", "status")?;
        let role: String = u.try_get("", "portal_role")?;
        let insert = Query::insert()
            .into_table(DeveloperSearch::Table)
            .columns([
                DeveloperSearch::UserId,
                DeveloperSearch::Doc,
                DeveloperSearch::Status,
                DeveloperSearch::OrgId,
                DeveloperSearch::PortalRole,
                DeveloperSearch::FirstLc,
                DeveloperSearch::LastLc,
                DeveloperSearch::SortName,
                DeveloperSearch::Email,
                DeveloperSearch::CreatedAt,
            ])
            .values_panic([
                id.into(),
                doc.into(),
                status.into(),
                org_id.into(),
                role.into(),
                first.to_lowercase().into(),
                last.to_lowercase().into(),
                crate::services::search_index::sort_name(&first, &last).into(),
                email.into(),
                created.into(),
            ])
            .to_owned();
        manager.exec_stmt(insert).await?;
    }
    Ok(())
}
