//! Data-layer tests: every service against the real migrations, on SQLite and
//! PostgreSQL (`db_test!`). One test binary, one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_tokens;
mod audit;
mod catalog;
mod consumer_orgs;
mod demo;
mod developers;
mod export_fast;
mod exports;
mod lifecycle;
mod mail;
mod organisations;
mod search;
mod sign_up_and_sessions;
mod tokens;
mod usage;

use portico_domain::Actor;
use portico_domain::entities::user;
use portico_domain::mail::Mailer;
use portico_domain::password::PasswordHasher;
use portico_domain::services::accounts;
use portico_domain::services::bootstrap::{self, FirstAdmin};
use portico_model::{Email, Password, SignUpInput};
use sea_orm::DatabaseConnection;

pub const PUBLIC_URL: &str = "http://portal.test";

pub fn hasher() -> PasswordHasher {
    PasswordHasher::new(2)
}

pub fn mailer() -> Mailer {
    Mailer::outbox_only(PUBLIC_URL)
}

/// Default organisation, default team, and the admin root@example.com.
pub async fn boot(db: &DatabaseConnection) {
    bootstrap::ensure_defaults(
        db,
        &hasher(),
        FirstAdmin {
            email: Email::parse("root@example.com").unwrap(),
            password: Some(Password::parse("admin-password").unwrap()),
        },
    )
    .await
    .unwrap();
}

pub fn input(email: &str) -> SignUpInput {
    SignUpInput::parse("Ada", "Lovelace", email, "analytical-engine").unwrap()
}

/// The bootstrap admin as an actor.
pub async fn admin(db: &DatabaseConnection) -> Actor {
    let root = accounts::authenticate(db, &hasher(), "root@example.com", "admin-password").await.unwrap();
    Actor::from(&root)
}

/// A signed-up developer.
pub async fn developer(db: &DatabaseConnection, email: &str) -> user::Model {
    accounts::sign_up(db, &hasher(), &mailer(), input(email)).await.unwrap()
}

/// The link in the newest held mail to `to`.
pub async fn last_link_to(db: &DatabaseConnection, to: &str) -> String {
    let mail = portico_domain::testing::latest_mail_to(db, to).await;
    let start = mail.text_body.find(PUBLIC_URL).expect("a link in the mail");
    mail.text_body[start..].split_whitespace().next().unwrap().to_owned()
}

/// The `token` query parameter of a link.
pub fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("token parameter").to_owned()
}
