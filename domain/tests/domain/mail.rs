//! The outbox, templates, and real SMTP delivery with retries.

use crate::{admin, boot, developer};
use portico_domain::entities::outbox_message::{self, MailStatus};
use portico_domain::mail::{Mailer, delivery, outbox, templates};
use portico_domain::testing::SmtpSink;
use portico_domain::{DomainError, db_test};
use portico_model::email::{EmailTemplate, TemplateKey};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use std::time::Duration;

async fn without_smtp_mails_are_held_in_the_outbox_for_admins(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let dev = developer(&db, "ada@example.com").await;
    let mailer = Mailer::outbox_only("http://portal.test");
    let vars = vec![("first_name", "Ada".to_owned()), ("link", "http://portal.test/sign-in".to_owned())];
    let id = mailer.send(&db, TemplateKey::RegistrationApproved, &dev.email, vars).await.unwrap();
    let mail = outbox::get(&db, &admin, id).await.unwrap();
    assert_eq!(mail.status, MailStatus::Held);
    assert_eq!(mail.to_address, "ada@example.com");
    assert_eq!(mail.subject, "Your Portico account is approved");
    assert!(mail.text_body.contains("Hello Ada"));
    assert!(mail.html_body.contains("href=\"http://portal.test/sign-in\""));
    let listed = outbox::list(&db, &admin, 10).await.unwrap();
    assert_eq!(listed[0].id, id);
    // Only portal admins read the outbox.
    let dev_actor = portico_domain::Actor::from(&dev);
    assert!(matches!(outbox::list(&db, &dev_actor, 10).await, Err(DomainError::Forbidden)));
    assert!(matches!(outbox::get(&db, &dev_actor, id).await, Err(DomainError::Forbidden)));
}
db_test!(without_smtp_mails_are_held_in_the_outbox_for_admins);

async fn customised_templates_are_used_validated_and_restorable(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let custom = EmailTemplate {
        subject: "Welcome aboard, {{first_name}}".into(),
        text: "Sign in: {{link}}".into(),
        html: "<p>Sign in: <a href=\"{{link}}\">here</a></p>".into(),
    };
    templates::update(&db, &admin, TemplateKey::RegistrationApproved, custom.clone()).await.unwrap();
    let mailer = Mailer::outbox_only("http://portal.test");
    let vars = vec![("first_name", "<Ada>".to_owned()), ("link", "http://x/?a=1&b=2".to_owned())];
    let id = mailer.send(&db, TemplateKey::RegistrationApproved, "ada@example.com", vars).await.unwrap();
    let mail = outbox::get(&db, &admin, id).await.unwrap();
    assert_eq!(mail.subject, "Welcome aboard, <Ada>");
    assert_eq!(mail.text_body, "Sign in: http://x/?a=1&b=2");
    assert_eq!(mail.html_body, "<p>Sign in: <a href=\"http://x/?a=1&amp;b=2\">here</a></p>");

    let bad = EmailTemplate { subject: " ".into(), text: "{{password}}".into(), html: "x".into() };
    let err = templates::update(&db, &admin, TemplateKey::RegistrationApproved, bad).await.unwrap_err();
    let DomainError::Invalid(fields) = err else { panic!("{err:?}") };
    let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["subject", "variables"]);
    assert_eq!(
        templates::current(&db, TemplateKey::RegistrationApproved).await.unwrap(),
        custom,
        "unchanged"
    );

    let listed = templates::list(&db, &admin).await.unwrap();
    assert_eq!(listed.len(), TemplateKey::ALL.len());
    assert!(listed.iter().find(|t| t.key == TemplateKey::RegistrationApproved).unwrap().customised);
    let restored = templates::restore_default(&db, &admin, TemplateKey::RegistrationApproved).await.unwrap();
    assert!(!restored.customised);
    assert_eq!(
        templates::current(&db, TemplateKey::RegistrationApproved).await.unwrap(),
        TemplateKey::RegistrationApproved.default_template()
    );
}
db_test!(customised_templates_are_used_validated_and_restorable);

async fn smtp_delivery_reaches_a_real_smtp_server_and_retries(db: DatabaseConnection) {
    boot(&db).await;
    // The first attempt is refused (451), the retry succeeds.
    let mut sink = SmtpSink::start(1).await;
    let smtp = delivery::check(&sink.url(), "Portico <portico@portal.test>").unwrap();
    let mailer = Mailer::new(true, "http://portal.test");
    let vars = vec![("first_name", "Ada".to_owned()), ("link", "http://portal.test/sign-in".to_owned())];
    let id = mailer.send(&db, TemplateKey::RegistrationApproved, "ada@example.com", vars).await.unwrap();
    let transport =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&smtp.url).unwrap().build();

    assert_eq!(delivery::deliver_due(&db, &transport, &smtp.from).await.unwrap(), 0);
    let mail = outbox_message::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
    assert_eq!((mail.status, mail.attempts), (MailStatus::Queued, 1));
    assert!(mail.last_error.as_deref().unwrap_or_default().contains("451"), "{:?}", mail.last_error);
    assert!(mail.next_attempt_at > chrono::Utc::now(), "backs off before the retry");

    // Bring the retry forward instead of sleeping through the backoff.
    let mut row: outbox_message::ActiveModel = mail.into();
    row.next_attempt_at = Set(chrono::Utc::now());
    row.update(&db).await.unwrap();
    assert_eq!(delivery::deliver_due(&db, &transport, &smtp.from).await.unwrap(), 1);
    let received = tokio::time::timeout(Duration::from_secs(5), sink.received.recv()).await.unwrap().unwrap();
    assert_eq!(received.from, "portico@portal.test");
    assert_eq!(received.to, ["ada@example.com"]);
    assert!(received.data.contains("Subject: Your Portico account is approved"), "{}", received.data);
    assert!(received.data.contains("Content-Type: multipart/alternative"));
    assert!(received.data.contains("Hello Ada"));
    let mail = outbox_message::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
    assert_eq!((mail.status, mail.attempts), (MailStatus::Sent, 2));
    assert!(mail.sent_at.is_some());
}
db_test!(smtp_delivery_reaches_a_real_smtp_server_and_retries);

async fn a_mail_that_keeps_failing_ends_as_failed(db: DatabaseConnection) {
    boot(&db).await;
    let sink = SmtpSink::start(usize::MAX).await;
    let smtp = delivery::check(&sink.url(), "portico@portal.test").unwrap();
    let mailer = Mailer::new(true, "http://portal.test");
    let id = mailer.send(&db, TemplateKey::PasswordChanged, "ada@example.com", vec![]).await.unwrap();
    let transport =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&smtp.url).unwrap().build();
    for _ in 0..delivery::MAX_ATTEMPTS {
        let mail = outbox_message::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
        let mut row: outbox_message::ActiveModel = mail.into();
        row.next_attempt_at = Set(chrono::Utc::now());
        row.update(&db).await.unwrap();
        delivery::deliver_due(&db, &transport, &smtp.from).await.unwrap();
    }
    let mail = outbox_message::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
    assert_eq!(mail.status, MailStatus::Failed);
    assert_eq!(mail.attempts, delivery::MAX_ATTEMPTS);
}
db_test!(a_mail_that_keeps_failing_ends_as_failed);
