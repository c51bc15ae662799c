//! Email templates: the default unless an admin customised it.

use crate::entities::email_template;
use crate::services::audit::{self, Event};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model::FieldError;
use portico_model::email::{EmailTemplate, EmailTemplateView, TemplateKey, unknown_variables};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set, TransactionSession, TransactionTrait};

const MAX_SUBJECT: usize = 200;
const MAX_BODY: usize = 50_000;

/// The template in force for `key`.
pub async fn current(db: &impl ConnectionTrait, key: TemplateKey) -> DomainResult<EmailTemplate> {
    Ok(match email_template::Entity::find_by_id(key.as_str().to_owned()).one(db).await? {
        Some(row) => EmailTemplate { subject: row.subject, text: row.text_body, html: row.html_body },
        None => key.default_template(),
    })
}

/// Every template, for the editor. Portal admins only.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<EmailTemplateView>> {
    actor.require_portal_admin()?;
    let custom = email_template::Entity::find().all(db).await?;
    Ok(TemplateKey::ALL
        .into_iter()
        .map(|key| match custom.iter().find(|row| row.key == key.as_str()) {
            Some(row) => EmailTemplateView {
                key,
                template: EmailTemplate {
                    subject: row.subject.clone(),
                    text: row.text_body.clone(),
                    html: row.html_body.clone(),
                },
                customised: true,
            },
            None => EmailTemplateView { key, template: key.default_template(), customised: false },
        })
        .collect())
}

/// Saves a customised template. Refuses empty parts, oversized parts and variables the
/// template does not offer (they would render as nothing).
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    key: TemplateKey,
    t: EmailTemplate,
) -> DomainResult<EmailTemplateView> {
    actor.require_portal_admin()?;
    let mut errors = Vec::new();
    if t.subject.trim().is_empty() || t.subject.chars().count() > MAX_SUBJECT {
        errors.push(FieldError::new("subject", format!("Use 1 to {MAX_SUBJECT} characters.")));
    }
    if t.text.trim().is_empty() || t.text.len() > MAX_BODY {
        errors.push(FieldError::new("text", "The text body must not be empty (and at most 50 kB)."));
    }
    if t.html.trim().is_empty() || t.html.len() > MAX_BODY {
        errors.push(FieldError::new("html", "The HTML body must not be empty (and at most 50 kB)."));
    }
    let unknown = unknown_variables(key, &t);
    if !unknown.is_empty() {
        errors.push(FieldError::new(
            "variables",
            format!("Unknown variable(s): {}. Use only the variables listed.", unknown.join(", ")),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let txn = db.begin().await?;
    let row = email_template::ActiveModel {
        key: Set(key.as_str().to_owned()),
        subject: Set(t.subject.clone()),
        text_body: Set(t.text.clone()),
        html_body: Set(t.html.clone()),
        updated_at: Set(Utc::now()),
        updated_by: Set(actor.user_id),
    };
    email_template::Entity::insert(row)
        .on_conflict(
            OnConflict::column(email_template::Column::Key)
                .update_columns([
                    email_template::Column::Subject,
                    email_template::Column::TextBody,
                    email_template::Column::HtmlBody,
                    email_template::Column::UpdatedAt,
                    email_template::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    let event = Event::portal(
        "template.update",
        "email_template",
        key.as_str(),
        format!("Customised the email template {}", key.as_str()),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, template = key.as_str(), "email template customised");
    Ok(EmailTemplateView { key, template: t, customised: true })
}

/// Back to the built-in template.
pub async fn restore_default(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    key: TemplateKey,
) -> DomainResult<EmailTemplateView> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    email_template::Entity::delete_by_id(key.as_str().to_owned()).exec(&txn).await?;
    let event = Event::portal(
        "template.restore",
        "email_template",
        key.as_str(),
        format!("Restored the default email template {}", key.as_str()),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, template = key.as_str(), "email template restored to default");
    Ok(EmailTemplateView { key, template: key.default_template(), customised: false })
}
