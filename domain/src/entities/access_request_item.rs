//! One product of an access request. `live` is `Some(true)` while the request is
//! pending or approved and `None` afterwards; the unique index over (app, product, plan,
//! live) lets the database refuse a second live request for the same three.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_request_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub request_id: Uuid,
    pub app_id: Uuid,
    pub product_id: Uuid,
    pub plan_id: Uuid,
    pub live: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
