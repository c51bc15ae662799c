//! Word heads in the developer search document, so a term of one or two letters matches
//! the start of any word of any indexed field through the text index (see
//! `services::search_index`): every existing document gains its heads' line
//! ([`crate::services::search_index::with_heads`], a pure function of the document
//! before it, so the result equals what the service writes). Documents that already
//! carry heads (written by 000008's backfill on a database created with this code) are
//! left as they are.
//!
//! SQLite: the FTS5 table follows `developer_search` through triggers; rewriting a
//! million documents row by row through them would re-tokenize each twice, so the
//! update trigger is dropped for the rewrite, the FTS5 index rebuilt once from the
//! content table, and the trigger made again. PostgreSQL: the trigram and covering date
//! indexes (which hold `doc`) are dropped for the rewrite and built again after it, and
//! the status index becomes covering (`(status, created_at, user_id) INCLUDE (org_id,
//! doc)`), so the active filter with text walks the index alone. PostgreSQL also
//! samples `doc` ten times more widely (statistics target 1000): with the default 100
//! its histogram is too small for the planner to test a pattern against it, so it
//! guessed 100 rows for a word head that 15,000 of a million documents hold, and
//! sorted all of them instead of walking the covering index (431 ms against 15 ms for
//! "ki" with the active filter, 1M developers).

use crate::services::search_index::{HEAD, with_heads};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UPDATE_TRIGGER: &str = "CREATE TRIGGER developer_search_au AFTER UPDATE ON developer_search BEGIN \
       INSERT INTO developer_search_fts(developer_search_fts, rowid, doc) VALUES ('delete', old.doc_id, old.doc); \
       INSERT INTO developer_search_fts(rowid, doc) VALUES (new.doc_id, new.doc); \
     END";

/// Documents read and written per batch.
const BATCH: usize = 2000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite(manager, |doc| (!doc.contains(HEAD)).then(|| with_heads(doc))).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX idx_dsearch_status_cover ON developer_search (status, created_at, user_id) \
                     INCLUDE (org_id, doc); DROP INDEX idx_dsearch_status; \
                     ALTER TABLE developer_search ALTER COLUMN doc SET STATISTICS 1000; \
                     ANALYZE developer_search",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite(manager, |doc| {
            let (fields, heads) = doc.rsplit_once('\n')?;
            heads.starts_with(HEAD).then(|| fields.to_owned())
        })
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX idx_dsearch_status ON developer_search (status, created_at); \
                     DROP INDEX idx_dsearch_status_cover; \
                     ALTER TABLE developer_search ALTER COLUMN doc SET STATISTICS -1",
                )
                .await?;
        }
        Ok(())
    }
}

/// Replaces each document `change` returns a new one for, with the text indexes
/// brought up to date once at the end.
async fn rewrite(manager: &SchemaManager<'_>, change: impl Fn(&str) -> Option<String>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let pg = backend == DbBackend::Postgres;
    let schema = if pg { trgm_index_schema(db).await? } else { None };
    if pg {
        db.execute_unprepared("DROP INDEX idx_dsearch_doc_trgm; DROP INDEX idx_dsearch_created_cover")
            .await?;
    } else {
        db.execute_unprepared("DROP TRIGGER developer_search_au").await?;
    }
    let mut after = i64::MIN;
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                if pg {
                    "SELECT doc_id, doc FROM developer_search WHERE doc_id > $1 ORDER BY doc_id LIMIT $2"
                } else {
                    "SELECT doc_id, doc FROM developer_search WHERE doc_id > ?1 ORDER BY doc_id LIMIT ?2"
                },
                [Value::from(after), Value::from(BATCH as i64)],
            ))
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("", "doc_id")?;
        let mut changed: Vec<(i64, String)> = Vec::new();
        for r in &rows {
            let doc: String = r.try_get("", "doc")?;
            if let Some(new) = change(&doc) {
                changed.push((r.try_get("", "doc_id")?, new));
            }
        }
        if changed.is_empty() {
            continue;
        }
        if pg {
            let mut sql = String::from("UPDATE developer_search SET doc = v.doc FROM (VALUES ");
            let mut values = Vec::new();
            for (i, (id, doc)) in changed.into_iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("(${}::bigint, ${}::text)", 2 * i + 1, 2 * i + 2));
                values.extend([Value::from(id), Value::from(doc)]);
            }
            sql.push_str(") AS v(id, doc) WHERE developer_search.doc_id = v.id");
            db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        } else {
            for (id, doc) in changed {
                db.execute_raw(Statement::from_sql_and_values(
                    backend,
                    "UPDATE developer_search SET doc = ?1 WHERE doc_id = ?2",
                    [Value::from(doc), Value::from(id)],
                ))
                .await?;
            }
        }
    }
    if pg {
        let schema = schema.unwrap_or_else(|| "public".to_owned());
        db.execute_unprepared(&format!(
            "CREATE INDEX idx_dsearch_doc_trgm ON developer_search USING gin (doc \"{schema}\".gin_trgm_ops); \
             CREATE INDEX idx_dsearch_created_cover ON developer_search (created_at, user_id) \
             INCLUDE (status, org_id, doc)"
        ))
        .await?;
    } else {
        db.execute_unprepared("INSERT INTO developer_search_fts(developer_search_fts) VALUES ('rebuild')")
            .await?;
        db.execute_unprepared(SQLITE_UPDATE_TRIGGER).await?;
    }
    Ok(())
}

/// The schema of the operator class the trigram index uses (where `pg_trgm` lives).
async fn trgm_index_schema(db: &impl ConnectionTrait) -> Result<Option<String>, DbErr> {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT n.nspname AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname = 'pg_trgm'"
            .to_owned(),
    ))
    .await?
    .map(|r| r.try_get("", "s"))
    .transpose()
}
