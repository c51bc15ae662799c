//! A plan of a catalog: rate limit, quota, key lifetime, and whether access needs an
//! admin's approval.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub catalog_id: Uuid,
    pub name: String,
    pub rate_limit: i64,
    pub rate_period: RatePeriod,
    /// `None`: unlimited.
    pub quota: Option<i64>,
    pub quota_period: QuotaPeriod,
    pub key_lifetime_days: Option<i32>,
    pub requires_approval: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RatePeriod {
    #[sea_orm(string_value = "second")]
    Second,
    #[sea_orm(string_value = "minute")]
    Minute,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum QuotaPeriod {
    #[sea_orm(string_value = "day")]
    Day,
    #[sea_orm(string_value = "month")]
    Month,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
