//! One API of a product: a path prefix, optionally with its OpenAPI document and the
//! operations read from it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_apis")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Uuid,
    pub name: String,
    pub path_prefix: String,
    /// "title version" of the OpenAPI document.
    pub spec_title: Option<String>,
    /// The OpenAPI document as JSON.
    pub spec: Option<String>,
    /// The operations as a JSON array of `portico_model::ApiOperation`.
    pub operations: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
