//! The view `usage_hours_live`: the hourly rollups ([`super::usage_hour`]) and the
//! per-minute rows not folded into them yet, each as a row of its hour. Several rows
//! may share a key (an hour's folded sum and its unfolded minutes): read it with
//! `SUM(count)`. What the graphs and quota counts read; never written.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_hours_live")]
pub struct Model {
    /// The start of the hour, in Unix seconds.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub app_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_id: Uuid,
    /// Nil when the call named no product of the key (refused before one was found).
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub outcome: String,
    pub count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
