//! An API key of an app, for the products and plan of one approved request. Only the
//! SHA-256 of the key is stored, with its visible prefix.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub app_id: Uuid,
    pub request_id: Uuid,
    /// The key's first characters, e.g. `ptc_AbCd1234`.
    pub prefix: String,
    #[sea_orm(unique)]
    pub key_hash: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    /// From the plan's key lifetime, or the end of a rotation's grace period.
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
