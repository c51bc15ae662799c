//! Calls in one hour across the whole portal by outcome, written by the gateway's flush
//! beside the per-minute rows (and always equal to the sums of `usage_hours_live`). The
//! admin home's graph reads it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_portal_hours")]
pub struct Model {
    /// The start of the hour, in Unix seconds.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub outcome: String,
    pub count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
