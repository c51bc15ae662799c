//! Calls in one hour by app, key, product and outcome (`allowed` or a refusal's reason
//! code), folded from the per-minute rows once a minute by the gateway. Readers read
//! [`super::usage_hour_live`], these rows plus the minutes not folded yet.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_hours")]
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
