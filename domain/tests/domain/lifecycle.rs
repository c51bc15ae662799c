//! Registration approval: the status state machine, its history, and its mails.

use crate::{admin, boot, developer, hasher, input, mailer};
use portico_domain::entities::outbox_message;
use portico_domain::entities::user::UserStatus;
use portico_domain::services::lifecycle::{self, Transition};
use portico_domain::services::{accounts, search_index, settings};
use portico_domain::{Actor, DomainError, db_test};
use portico_model::{AccountStatus, DeveloperQuery};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

async fn mails_to(db: &DatabaseConnection, to: &str, template: &str) -> u64 {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::ToAddress.eq(to))
        .filter(outbox_message::Column::Template.eq(template))
        .count(db)
        .await
        .unwrap()
}

async fn pending_registration_is_announced_approved_and_recorded(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    settings::set_auto_approve_registrations(&db, false).await.unwrap();
    let dev = developer(&db, "wait@example.com").await;
    assert_eq!(dev.status, UserStatus::Pending);
    assert_eq!(mails_to(&db, "root@example.com", "registration_received").await, 1, "admins are told");

    // The Pending filter of Admin → Developers finds exactly the waiting ones.
    developer(&db, "later@example.com").await;
    settings::set_auto_approve_registrations(&db, true).await.unwrap();
    developer(&db, "newest@example.com").await;
    let pending = DeveloperQuery { status: Some(AccountStatus::Pending), ..DeveloperQuery::default() };
    let (only_pending, page) = search_index::search_users(&db, &admin, &pending).await.unwrap();
    assert_eq!((only_pending.len(), page.matched), (2, 2));
    assert!(only_pending.iter().all(|u| u.user.status == UserStatus::Pending));

    let approved = lifecycle::apply(&db, &mailer(), &admin, dev.id, Transition::Approve).await.unwrap();
    assert_eq!(approved.status, UserStatus::Active);
    assert!(approved.status_changed_at >= dev.status_changed_at);
    assert_eq!(mails_to(&db, "wait@example.com", "registration_approved").await, 1);
    accounts::authenticate(&db, &hasher(), "wait@example.com", "analytical-engine").await.unwrap();

    let history = lifecycle::history(&db, &admin, dev.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].from_status, history[0].to_status), (UserStatus::Pending, UserStatus::Active));
    assert_eq!(history[0].changed_by, admin.user_id, "who");

    // Approving twice is refused: the state machine has no such edge.
    let again = lifecycle::apply(&db, &mailer(), &admin, dev.id, Transition::Approve).await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");
}
db_test!(pending_registration_is_announced_approved_and_recorded);

async fn rejected_applicants_are_told_cannot_sign_in_and_may_register_again(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    settings::set_auto_approve_registrations(&db, false).await.unwrap();
    let dev = developer(&db, "nope@example.com").await;
    let reason = Some("  We could not verify your company.  ".to_owned());
    let rejected =
        lifecycle::apply(&db, &mailer(), &admin, dev.id, Transition::Reject { reason }).await.unwrap();
    assert_eq!(rejected.status, UserStatus::Rejected);
    let history = lifecycle::history(&db, &admin, dev.id).await.unwrap();
    assert_eq!(history[0].reason.as_deref(), Some("We could not verify your company."));
    let mail = outbox_message::Entity::find()
        .filter(outbox_message::Column::Template.eq("registration_rejected"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(mail.text_body.contains("We could not verify your company."));
    let attempt = accounts::authenticate(&db, &hasher(), "nope@example.com", "analytical-engine").await;
    assert!(matches!(attempt, Err(DomainError::AccountDisabled)), "{attempt:?}");

    // Registering again replaces the rejected record with a new pending one.
    let again = accounts::sign_up(&db, &hasher(), &mailer(), input("nope@example.com")).await.unwrap();
    assert_ne!(again.id, dev.id);
    assert_eq!(again.status, UserStatus::Pending);
}
db_test!(rejected_applicants_are_told_cannot_sign_in_and_may_register_again);

async fn only_admins_change_statuses_and_never_their_own(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let dev = developer(&db, "ada@example.com").await;
    let other = developer(&db, "bob@example.com").await;
    let as_dev = Actor::from(&dev);
    let r = lifecycle::apply(&db, &mailer(), &as_dev, other.id, Transition::Deactivate).await;
    assert!(matches!(r, Err(DomainError::Forbidden)), "{r:?}");
    let r = lifecycle::apply(&db, &mailer(), &admin, admin.user_id, Transition::Deactivate).await;
    assert!(matches!(r, Err(DomainError::Conflict(_))), "{r:?}");

    let inactive = lifecycle::apply(&db, &mailer(), &admin, other.id, Transition::Deactivate).await.unwrap();
    assert_eq!(inactive.status, UserStatus::Inactive);
    // An inactive developer can still sign in (their keys stop working; see the gateway).
    accounts::authenticate(&db, &hasher(), "bob@example.com", "analytical-engine").await.unwrap();
    let active = lifecycle::apply(&db, &mailer(), &admin, other.id, Transition::Activate).await.unwrap();
    assert_eq!(active.status, UserStatus::Active);
    assert_eq!(lifecycle::history(&db, &admin, other.id).await.unwrap().len(), 2);
    assert!(matches!(lifecycle::history(&db, &as_dev, other.id).await, Err(DomainError::Forbidden)));
}
db_test!(only_admins_change_statuses_and_never_their_own);
