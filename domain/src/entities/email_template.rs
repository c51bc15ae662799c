//! An admin's customisation of an email template; absent rows mean the default.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_templates")]
pub struct Model {
    /// `TemplateKey::as_str()`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub updated_at: DateTimeUtc,
    pub updated_by: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
