//! Audit-log entries as a list: when, who, what, and for edits each field before and
//! after. Used by a developer's profile and by Admin → Audit log.

use crate::components::states::Empty;
use leptos::prelude::*;
use portico_model::AuditEntry;

/// `compact` leaves out the target (the page is about it already).
#[component]
pub fn AuditList(entries: Vec<AuditEntry>, #[prop(optional)] compact: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <Empty title="Nothing recorded yet"><p>"Admin actions are listed here as they happen."</p></Empty> }
            .into_any();
    }
    view! {
        <ol class="audit-list" data-testid="audit-list">
            {entries.into_iter().map(|e| {
                // On the target's own page its name need not be repeated.
                let summary = if compact {
                    e.summary.replace(&format!(" of {}", e.target_label), "").replace(&format!(" {}", e.target_label), "")
                } else {
                    e.summary.clone()
                };
                view! {
                <li class="audit-entry" data-testid="audit-entry" data-action=e.action.clone()>
                    <div class="audit-head">
                        <span class="audit-summary">{summary}</span>
                        <time class="muted small" datetime=e.at.to_rfc3339()>{e.at.format("%Y-%m-%d %H:%M UTC").to_string()}</time>
                    </div>
                    <div class="muted small">
                        "by " {e.actor.clone()} " · " <code>{e.action.clone()}</code>
                        {(!compact).then(|| format!(" · {} {}", e.target_kind, e.target_label))}
                    </div>
                    {(!e.changes.is_empty()).then(|| view! {
                        <ul class="audit-changes">
                            {e.changes.into_iter().map(|c| view! {
                                <li>
                                    <span class="audit-field">{c.field}</span> ": "
                                    <del>{if c.before.is_empty() { "—".to_owned() } else { c.before }}</del>
                                    " → "
                                    <ins>{if c.after.is_empty() { "—".to_owned() } else { c.after }}</ins>
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                </li>
            }}).collect_view()}
        </ol>
    }
    .into_any()
}
