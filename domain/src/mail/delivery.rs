//! Background SMTP delivery with retries and exponential backoff.

use super::Mailer;
use crate::entities::outbox_message::{self, MailStatus};
use chrono::{Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// After this many failed attempts a mail is marked failed (visible in the outbox).
pub const MAX_ATTEMPTS: i32 = 6;

/// SMTP settings, from `PORTICO_SMTP_URL` and `PORTICO_MAIL_FROM`.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://…` (TLS),
    /// `smtp://host:25` (plain, for local relays and tests).
    pub url: String,
    pub from: Mailbox,
}

/// Why SMTP settings cannot be used.
pub fn check(url: &str, from: &str) -> Result<SmtpSettings, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("{e}"))?;
    let from: Mailbox = from.parse().map_err(|e| format!("sender {from:?}: {e}"))?;
    Ok(SmtpSettings { url: url.to_owned(), from })
}

/// Delay before attempt `n + 1` after `n` failures: 5 s, 10 s, 20 s … capped at 10 min.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((5_i64 << exp).min(600))
}

/// Starts the delivery worker for `mailer`'s queue. It wakes when a mail is queued and
/// every two seconds, and runs until the process ends.
pub fn spawn(db: DatabaseConnection, mailer: &Mailer, smtp: SmtpSettings) {
    let wake = mailer.wake();
    tokio::spawn(async move {
        let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url) {
            Ok(b) => b.timeout(Some(std::time::Duration::from_secs(20))).build(),
            Err(e) => {
                tracing::error!(error = %e, "SMTP settings unusable; mails stay queued");
                return;
            }
        };
        loop {
            if let Err(e) = deliver_due(&db, &transport, &smtp.from).await {
                tracing::warn!(error = %e, "mail delivery pass failed");
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            }
        }
    });
}

/// Sends every queued mail whose time has come. Returns how many were sent.
pub async fn deliver_due(
    db: &DatabaseConnection,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> Result<usize, sea_orm::DbErr> {
    let due = outbox_message::Entity::find()
        .filter(outbox_message::Column::Status.eq(MailStatus::Queued))
        .filter(outbox_message::Column::NextAttemptAt.lte(Utc::now()))
        .order_by_asc(outbox_message::Column::CreatedAt)
        .limit(50)
        .all(db)
        .await?;
    let mut sent = 0;
    for mail in due {
        let outcome = match build(&mail, from) {
            Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let attempts = mail.attempts + 1;
        let (id, to, template) = (mail.id, mail.to_address.clone(), mail.template.clone());
        let mut row: outbox_message::ActiveModel = mail.into();
        row.attempts = Set(attempts);
        match outcome {
            Ok(()) => {
                row.status = Set(MailStatus::Sent);
                row.sent_at = Set(Some(Utc::now()));
                row.last_error = Set(None);
                tracing::info!(mail.id = %id, to, template, "mail sent");
                sent += 1;
            }
            Err(error) if attempts >= MAX_ATTEMPTS => {
                row.status = Set(MailStatus::Failed);
                row.last_error = Set(Some(error.clone()));
                tracing::error!(mail.id = %id, to, template, attempts, error, "mail failed for good");
            }
            Err(error) => {
                row.next_attempt_at = Set(Utc::now() + backoff(attempts));
                row.last_error = Set(Some(error.clone()));
                tracing::warn!(mail.id = %id, to, template, attempts, error, "mail delivery failed; will retry");
            }
        }
        row.update(db).await?;
    }
    Ok(sent)
}

fn build(mail: &outbox_message::Model, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = mail.to_address.parse().map_err(|e| format!("recipient: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(mail.text_body.clone(), mail.html_body.clone()))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(3), Duration::seconds(20));
        assert_eq!(backoff(8), Duration::seconds(600));
        assert_eq!(backoff(50), Duration::seconds(600));
    }

    #[test]
    fn smtp_settings_are_checked() {
        assert!(check("smtp://127.0.0.1:2525", "Portico <portico@example.com>").is_ok());
        assert!(check("http://nope", "portico@example.com").is_err());
        assert!(check("smtp://127.0.0.1:25", "not an address").is_err());
    }
}
