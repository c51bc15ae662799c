//! The audit log: every admin and super-admin action, recorded in the transaction that
//! makes it (so an action and its entry commit together or not at all), with the
//! fields before and after for edits. Read by the developer profile and Admin → Audit
//! log.

use crate::entities::audit_event;
use crate::{Actor, DomainResult};
use chrono::Utc;
use portico_model as m;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// What was done to what.
pub struct Event<'a> {
    /// `developer.update`, `developer.deactivate`, `attribute.set`, `key.revoke`, …
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<Uuid>,
    /// The target's name or email now.
    pub target_label: &'a str,
    pub org_id: Option<Uuid>,
    pub summary: String,
    /// Field, before, after.
    pub changes: Vec<(&'a str, String, String)>,
}

impl<'a> Event<'a> {
    /// An event about any kind of target.
    pub fn new(
        action: &'a str,
        target_kind: &'a str,
        target_id: Uuid,
        target_label: &'a str,
        org_id: Option<Uuid>,
        summary: String,
    ) -> Self {
        Self {
            action,
            target_kind,
            target_id: Some(target_id),
            target_label,
            org_id,
            summary,
            changes: Vec::new(),
        }
    }

    /// An event about something that has no id of its own (the settings, a template).
    pub fn portal(action: &'a str, target_kind: &'a str, target_label: &'a str, summary: String) -> Self {
        Self { target_id: None, ..Self::new(action, target_kind, Uuid::nil(), target_label, None, summary) }
    }

    /// An event about a developer.
    pub fn developer(action: &'a str, id: Uuid, email: &'a str, org_id: Uuid, summary: String) -> Self {
        Self {
            action,
            target_kind: "developer",
            target_id: Some(id),
            target_label: email,
            org_id: Some(org_id),
            summary,
            changes: Vec::new(),
        }
    }

    /// Adds a field's change if it changed.
    pub fn change(mut self, field: &'a str, before: impl ToString, after: impl ToString) -> Self {
        let (before, after) = (before.to_string(), after.to_string());
        if before != after {
            self.changes.push((field, before, after));
        }
        self
    }
}

/// Records `event` as done by `actor` (`None`: the system).
pub async fn record(db: &impl ConnectionTrait, actor: Option<&Actor>, event: Event<'_>) -> DomainResult<()> {
    let changes: Vec<serde_json::Value> = event
        .changes
        .iter()
        .map(|(f, b, a)| serde_json::json!({ "field": f, "before": b, "after": a }))
        .collect();
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_id: Set(actor.map(|a| a.user_id)),
        actor_name: Set(actor.map_or_else(|| "Portico".to_owned(), |a| a.email.clone())),
        action: Set(event.action.to_owned()),
        target_kind: Set(event.target_kind.to_owned()),
        target_id: Set(event.target_id),
        target_label: Set(truncate(event.target_label, 254)),
        org_id: Set(event.org_id),
        summary: Set(truncate(&event.summary, 500)),
        detail: Set(serde_json::json!({ "changes": changes }).to_string()),
    }
    .insert(db)
    .await?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// An entry as the UI shows it.
pub fn entry(e: audit_event::Model) -> m::AuditEntry {
    let changes = serde_json::from_str::<serde_json::Value>(&e.detail)
        .ok()
        .and_then(|v| v.get("changes").and_then(|c| c.as_array()).cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let text = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            m::FieldChange { field: text("field"), before: text("before"), after: text("after") }
        })
        .collect();
    m::AuditEntry {
        at: e.at,
        actor: e.actor_name,
        action: e.action,
        target_kind: e.target_kind,
        target_label: e.target_label,
        summary: e.summary,
        changes,
    }
}

/// The newest entries about one target.
pub async fn for_target(
    db: &impl ConnectionTrait,
    target_id: Uuid,
    limit: u64,
) -> DomainResult<Vec<m::AuditEntry>> {
    Ok(audit_event::Entity::find()
        .filter(audit_event::Column::TargetId.eq(target_id))
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(entry)
        .collect())
}

/// Admin → Audit log: newest first, 100 at a time, filtered. Portal admins only.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    q: &m::AuditQuery,
) -> DomainResult<Vec<m::AuditEntry>> {
    actor.require_portal_admin()?;
    let mut cond = Condition::all();
    // `%`, `_` and `\` typed mean themselves (action names have underscores).
    let contains = |s: &str| {
        let escaped = s.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        LikeExpr::new(format!("%{escaped}%")).escape('\\')
    };
    // Case-insensitive on both databases: compare lower-cased text.
    let lower = |c: audit_event::Column| Expr::expr(Func::lower(Expr::col(c)));
    for (column, text) in [
        (audit_event::Column::Action, &q.action),
        (audit_event::Column::ActorName, &q.actor),
        (audit_event::Column::TargetLabel, &q.target),
    ] {
        if !text.trim().is_empty() {
            cond = cond.add(lower(column).like(contains(text)));
        }
    }
    if let Some(before) = q.before {
        cond = cond.add(audit_event::Column::At.lt(before));
    }
    Ok(audit_event::Entity::find()
        .filter(cond)
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(entry)
        .collect())
}
