//! A consumer's application. It belongs to the organisation, so teammates share it and
//! it stays when its creator leaves; an individual developer's app (in the default
//! organisation) belongs to them alone (`owner_id`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "apps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    /// Set for an individual's own app; `None` for an app shared by the organisation.
    pub owner_id: Option<Uuid>,
    pub name: String,
    pub description: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    /// Deleted apps are kept (usage history refers to them) but hidden, and their keys
    /// revoked.
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
