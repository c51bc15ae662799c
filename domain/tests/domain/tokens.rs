//! Single-use links: invitations, password resets, email changes.

use crate::{admin, boot, developer, hasher, last_link_to, mailer, token_of};
use chrono::Duration;
use portico_domain::entities::{account_token, invitation, outbox_message};
use portico_domain::services::invitations::{self, AddUser, Added, Credential};
use portico_domain::services::sessions::{self, SessionPolicy};
use portico_domain::services::{accounts, passwords, profile};
use portico_domain::{Actor, DomainError, db_test};
use portico_model::{Email, Password, PersonName};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

fn add(email: &str, credential: Credential) -> AddUser {
    AddUser {
        first_name: PersonName::parse("first_name", "Ivy").unwrap(),
        last_name: PersonName::parse("last_name", "Invitee").unwrap(),
        email: Email::parse(email).unwrap(),
        credential,
    }
}

/// Invites `email` as the admin; returns the invitation.
async fn invite(db: &DatabaseConnection, admin: &Actor, email: &str) -> invitation::Model {
    let added = invitations::add_user(
        db,
        &hasher(),
        &mailer(),
        admin,
        add(email, Credential::Invite),
        None,
        Duration::hours(72),
    )
    .await
    .unwrap();
    let Added::Invited(inv) = added else { panic!("expected an invitation") };
    inv
}

fn is_bad_link(r: &Result<impl std::fmt::Debug, DomainError>) -> bool {
    matches!(r, Err(DomainError::Invalid(f)) if f[0].field == "token")
}

async fn an_invitation_link_works_once_and_stores_no_token(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let inv = invite(&db, &admin, "ivy@example.com").await;
    let token = token_of(&last_link_to(&db, "ivy@example.com").await);
    assert_eq!(token.len(), 32);
    assert_ne!(inv.token_hash, token, "only the hash is stored");
    assert_eq!(invitations::peek(&db, &token).await.unwrap().email, "ivy@example.com");
    // Inviting the same address again while the first is open is refused.
    let dup = invitations::add_user(
        &db,
        &hasher(),
        &mailer(),
        &admin,
        add("ivy@example.com", Credential::Invite),
        None,
        Duration::hours(72),
    )
    .await;
    assert!(matches!(dup, Err(DomainError::Invalid(_))));

    let user = invitations::accept(&db, &hasher(), &token, "Ivy", "Invitee", "ivy-password").await.unwrap();
    assert_eq!(user.email, "ivy@example.com");
    accounts::authenticate(&db, &hasher(), "ivy@example.com", "ivy-password").await.unwrap();
    let reuse = invitations::accept(&db, &hasher(), &token, "Ivy", "Again", "ivy-password").await;
    assert!(is_bad_link(&reuse), "{reuse:?}");
    assert!(invitations::list_pending(&db, &admin).await.unwrap().is_empty());
}
db_test!(an_invitation_link_works_once_and_stores_no_token);

async fn invitations_expire_can_be_resent_and_revoked(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let inv = invite(&db, &admin, "late@example.com").await;
    let old = token_of(&last_link_to(&db, "late@example.com").await);
    // Expire it.
    let mut row: invitation::ActiveModel = inv.clone().into();
    row.expires_at = Set(chrono::Utc::now() - Duration::minutes(1));
    row.update(&db).await.unwrap();
    assert!(is_bad_link(&invitations::peek(&db, &old).await));
    assert!(is_bad_link(&invitations::accept(&db, &hasher(), &old, "L", "Ate", "late-password").await));

    // Resend: a new link works, the old one does not.
    invitations::resend(&db, &mailer(), &admin, inv.id, Duration::hours(72)).await.unwrap();
    let new = token_of(&last_link_to(&db, "late@example.com").await);
    assert_ne!(old, new);
    assert!(is_bad_link(&invitations::peek(&db, &old).await));
    invitations::peek(&db, &new).await.unwrap();

    invitations::revoke(&db, &admin, inv.id).await.unwrap();
    assert!(is_bad_link(&invitations::peek(&db, &new).await));
    assert!(matches!(invitations::revoke(&db, &admin, inv.id).await, Err(DomainError::NotFound)));

    let dev = developer(&db, "dev@example.com").await;
    let r = invitations::resend(&db, &mailer(), &Actor::from(&dev), inv.id, Duration::hours(1)).await;
    assert!(matches!(r, Err(DomainError::Forbidden)));
}
db_test!(invitations_expire_can_be_resent_and_revoked);

async fn an_admin_set_password_can_require_a_change(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let cred =
        Credential::Password { password: Password::parse("temporary-pass").unwrap(), must_change: true };
    let Added::User(user) = invitations::add_user(
        &db,
        &hasher(),
        &mailer(),
        &admin,
        add("pat@example.com", cred),
        None,
        Duration::hours(72),
    )
    .await
    .unwrap() else {
        panic!()
    };
    assert!(user.must_change_password);
    let signed_in =
        accounts::authenticate(&db, &hasher(), "pat@example.com", "temporary-pass").await.unwrap();
    let actor = Actor::from(&signed_in);
    passwords::change(&db, &hasher(), &mailer(), &actor, None, "temporary-pass", "my-own-password")
        .await
        .unwrap();
    let after = accounts::get(&db, user.id).await.unwrap();
    assert!(!after.must_change_password);
    let no_invites = invitation::Entity::find().count(&db).await.unwrap();
    assert_eq!(no_invites, 0, "a password, not an invitation");
}
db_test!(an_admin_set_password_can_require_a_change);

async fn password_reset_is_single_use_expires_and_ends_every_session(db: DatabaseConnection) {
    boot(&db).await;
    let dev = developer(&db, "ada@example.com").await;
    let policy = SessionPolicy::default();
    let s1 = sessions::create(&db, dev.id, policy).await.unwrap();

    // Unknown addresses get nothing, and no error.
    passwords::request_reset(&db, &mailer(), "nobody@example.com").await.unwrap();
    assert_eq!(
        outbox_message::Entity::find()
            .filter(outbox_message::Column::ToAddress.eq("nobody@example.com"))
            .count(&db)
            .await
            .unwrap(),
        0
    );

    passwords::request_reset(&db, &mailer(), "ADA@example.com").await.unwrap();
    let link = last_link_to(&db, "ada@example.com").await;
    assert!(link.starts_with("http://portal.test/auth/reset/code?token="), "{link}");
    let token = token_of(&link);
    let stored = account_token::Entity::find().one(&db).await.unwrap().unwrap();
    assert_ne!(stored.token_hash, token);
    assert!(stored.expires_at <= chrono::Utc::now() + Duration::hours(1));

    let weak = passwords::reset(&db, &hasher(), &mailer(), &token, "short").await;
    assert!(matches!(&weak, Err(DomainError::Invalid(f)) if f[0].field == "new_password"), "{weak:?}");
    passwords::reset(&db, &hasher(), &mailer(), &token, "a-brand-new-password").await.unwrap();
    assert!(sessions::resolve(&db, &s1, policy).await.unwrap().is_none(), "every session ended");
    let changed = outbox_message::Entity::find()
        .filter(outbox_message::Column::Template.eq("password_changed"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(changed, 1);
    assert!(matches!(
        accounts::authenticate(&db, &hasher(), "ada@example.com", "analytical-engine").await,
        Err(DomainError::InvalidCredentials)
    ));
    accounts::authenticate(&db, &hasher(), "ada@example.com", "a-brand-new-password").await.unwrap();

    let reuse = passwords::reset(&db, &hasher(), &mailer(), &token, "yet-another-password").await;
    assert!(is_bad_link(&reuse), "{reuse:?}");

    // An expired link is refused.
    passwords::request_reset(&db, &mailer(), "ada@example.com").await.unwrap();
    let token = token_of(&last_link_to(&db, "ada@example.com").await);
    account_token::Entity::update_many()
        .col_expr(
            account_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - Duration::seconds(1)),
        )
        .exec(&db)
        .await
        .unwrap();
    assert!(is_bad_link(&passwords::reset(&db, &hasher(), &mailer(), &token, "too-late-password").await));
}
db_test!(password_reset_is_single_use_expires_and_ends_every_session);

async fn changing_the_password_needs_the_current_one_and_keeps_this_session(db: DatabaseConnection) {
    boot(&db).await;
    let dev = developer(&db, "ada@example.com").await;
    let actor = Actor::from(&dev);
    let policy = SessionPolicy::default();
    let here = sessions::create(&db, dev.id, policy).await.unwrap();
    let elsewhere = sessions::create(&db, dev.id, policy).await.unwrap();
    let wrong =
        passwords::change(&db, &hasher(), &mailer(), &actor, Some(&here), "not-it-at-all", "new-password-1")
            .await;
    assert!(matches!(&wrong, Err(DomainError::Invalid(f)) if f[0].field == "current_password"), "{wrong:?}");
    passwords::change(&db, &hasher(), &mailer(), &actor, Some(&here), "analytical-engine", "new-password-1")
        .await
        .unwrap();
    assert!(sessions::resolve(&db, &here, policy).await.unwrap().is_some());
    assert!(sessions::resolve(&db, &elsewhere, policy).await.unwrap().is_none());
}
db_test!(changing_the_password_needs_the_current_one_and_keeps_this_session);

async fn an_email_change_takes_effect_only_when_confirmed(db: DatabaseConnection) {
    boot(&db).await;
    let dev = developer(&db, "ada@example.com").await;
    developer(&db, "taken@example.com").await;
    let actor = Actor::from(&dev);
    let taken = profile::request_email_change(&db, &mailer(), &actor, "taken@example.com").await;
    assert!(matches!(&taken, Err(DomainError::Invalid(f)) if f[0].field == "new_email"), "{taken:?}");
    profile::request_email_change(&db, &mailer(), &actor, "ada@new.example").await.unwrap();
    assert_eq!(
        accounts::get(&db, dev.id).await.unwrap().email,
        "ada@example.com",
        "unchanged until confirmed"
    );
    let token = token_of(&last_link_to(&db, "ada@new.example").await);
    let updated = profile::confirm_email_change(&db, &token).await.unwrap();
    assert_eq!(updated.email, "ada@new.example");
    assert!(is_bad_link(&profile::confirm_email_change(&db, &token).await));
    let renamed = profile::update_names(&db, &actor, " Augusta ", "King").await.unwrap();
    assert_eq!((renamed.first_name.as_str(), renamed.last_name.as_str()), ("Augusta", "King"));
    assert!(matches!(profile::update_names(&db, &actor, "", "King").await, Err(DomainError::Invalid(_))));
}
db_test!(an_email_change_takes_effect_only_when_confirmed);
