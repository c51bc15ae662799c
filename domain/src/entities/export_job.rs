//! A background export of developers, apps or API products to a CSV or JSON file.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `developers`, `apps` or `products`.
    pub kind: String,
    /// `csv` or `json`.
    pub format: String,
    /// The developer search it exports (JSON of `DeveloperQuery`), `{}` for everything.
    pub filter: String,
    /// The filter in words ("search “ada”, status active"), or "everything".
    pub filter_summary: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub rows_done: i64,
    pub rows_total: i64,
    pub bytes: i64,
    pub error: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
