//! Admin → Outbox and Settings → Emails. Portal admins only.

use leptos::prelude::*;
use portico_model::email::{EmailTemplate, EmailTemplateView, TemplateKey};
use portico_model::{AppError, MailId, OutboxMail};

/// The newest mails, without bodies.
#[server(endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<Vec<OutboxMail>, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::mail::outbox;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(outbox::list(&be.db, &actor, 200).await?.into_iter().map(|m| convert::outbox_mail(m, false)).collect())
}

/// One mail with its text and HTML bodies.
#[server(endpoint = "get_outbox_mail")]
pub async fn get_outbox_mail(id: MailId) -> Result<OutboxMail, AppError> {
    use crate::backend::{self, auth, convert};
    use portico_domain::mail::outbox;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(convert::outbox_mail(outbox::get(&be.db, &actor, id.0).await?, true))
}

/// Every email template, customised or default.
#[server(endpoint = "list_email_templates")]
pub async fn list_email_templates() -> Result<Vec<EmailTemplateView>, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::mail::templates;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(templates::list(&be.db, &actor).await?)
}

/// Saves a customised template.
#[server(endpoint = "update_email_template")]
pub async fn update_email_template(
    key: TemplateKey,
    template: EmailTemplate,
) -> Result<EmailTemplateView, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::mail::templates;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(templates::update(&be.db, &actor, key, template).await?)
}

/// Back to the built-in template.
#[server(endpoint = "restore_email_template")]
pub async fn restore_email_template(key: TemplateKey) -> Result<EmailTemplateView, AppError> {
    use crate::backend::{self, auth};
    use portico_domain::mail::templates;

    let be = backend::get()?;
    let actor = auth::require_user(&be).await?;
    Ok(templates::restore_default(&be.db, &actor, key).await?)
}
