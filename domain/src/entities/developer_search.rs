//! The developer search index: one row per user with a combined, lower-cased document
//! (names, email, username, organisation, teams, attribute values, key prefixes, then a
//! line of word heads for one- and two-letter terms) and the columns the list filters
//! and sorts by. Written only by `services::search_index`.
//! SQLite indexes `doc` with FTS5 trigrams, PostgreSQL with `pg_trgm`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "developer_search")]
pub struct Model {
    /// The FTS5 rowid on SQLite; stable for the row's life.
    #[sea_orm(primary_key)]
    pub doc_id: i64,
    #[sea_orm(unique)]
    pub user_id: Uuid,
    pub doc: String,
    pub status: String,
    pub org_id: Uuid,
    pub portal_role: String,
    pub first_lc: String,
    pub last_lc: String,
    /// Lower-cased "first last".
    pub sort_name: String,
    pub email: String,
    pub username: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
