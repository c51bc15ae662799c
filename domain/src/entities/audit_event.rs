//! One recorded admin or super-admin action: who, what, on what, when, and for edits the
//! fields before and after (`detail`, JSON).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    /// `None` for the system itself (start-up, API tokens without a person).
    pub actor_id: Option<Uuid>,
    /// The actor's email at the time (kept when the account goes).
    pub actor_name: String,
    /// e.g. `developer.update`, `developer.deactivate`, `attribute.set`.
    pub action: String,
    /// `developer`, `organisation`, `team`, `app`, `key`, `product`, `catalog`, `plan`, …
    pub target_kind: String,
    pub target_id: Option<Uuid>,
    /// The target's name or email at the time.
    pub target_label: String,
    /// The organisation the target belongs to, when it has one (for super admins' views).
    pub org_id: Option<Uuid>,
    /// One line for people.
    pub summary: String,
    /// JSON: `{"before": {…}, "after": {…}}` for edits, `{}` otherwise.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
