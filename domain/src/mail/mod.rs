//! Email: templates, the outbox, and background delivery.
//!
//! Every mail is rendered and stored in the outbox first, inside the caller's
//! transaction when there is one, so no request waits on SMTP and nothing is lost. With
//! SMTP configured a background worker delivers queued mails with retries and backoff;
//! without it, mails are *held* in the outbox for admins to read.

pub mod delivery;
pub mod outbox;
pub mod templates;

use crate::DomainResult;
use crate::entities::outbox_message::{self, MailStatus};
use crate::services::settings;
use chrono::Utc;
use portico_model::email::{TemplateKey, render_email};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

/// Where mails go: an SMTP server, or (none configured) the outbox only.
#[derive(Clone)]
pub struct Mailer {
    smtp: bool,
    wake: Arc<Notify>,
    /// The portal's public URL, for links.
    public_url: Arc<str>,
}

impl Mailer {
    /// `smtp`: whether a delivery worker runs (see [`delivery::spawn`]).
    pub fn new(smtp: bool, public_url: &str) -> Self {
        Self { smtp, wake: Arc::new(Notify::new()), public_url: public_url.trim_end_matches('/').into() }
    }

    /// A mailer that only holds mails in the outbox (tests, no SMTP).
    pub fn outbox_only(public_url: &str) -> Self {
        Self::new(false, public_url)
    }

    /// An absolute link into the portal, e.g. `link("/auth/reset/code?token=…")`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    pub(crate) fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Renders `key` for `to` with `vars` (plus `portal_name` and `email`) and stores it.
    /// Returns the outbox id.
    pub async fn send(
        &self,
        db: &impl ConnectionTrait,
        key: TemplateKey,
        to: &str,
        mut vars: Vec<(&'static str, String)>,
    ) -> DomainResult<Uuid> {
        let portal = settings::get(db).await?.portal_name;
        vars.push(("portal_name", portal));
        vars.push(("email", to.to_owned()));
        let template = templates::current(db, key).await?;
        let rendered = render_email(&template, &vars);
        let now = Utc::now();
        let status = if self.smtp { MailStatus::Queued } else { MailStatus::Held };
        let id = Uuid::now_v7();
        outbox_message::ActiveModel {
            id: Set(id),
            to_address: Set(to.to_owned()),
            template: Set(key.as_str().to_owned()),
            subject: Set(rendered.subject),
            text_body: Set(rendered.text),
            html_body: Set(rendered.html),
            status: Set(status),
            attempts: Set(0),
            last_error: Set(None),
            next_attempt_at: Set(now),
            created_at: Set(now),
            sent_at: Set(None),
        }
        .insert(db)
        .await?;
        if self.smtp {
            tracing::info!(mail.id = %id, to, template = key.as_str(), "mail queued for SMTP delivery");
            self.wake.notify_one();
        } else {
            tracing::info!(
                mail.id = %id, to, template = key.as_str(),
                "mail held in the outbox (no SMTP configured): read it in Admin → Outbox"
            );
        }
        Ok(id)
    }
}
