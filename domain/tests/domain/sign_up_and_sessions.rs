//! Sign-up, authentication, sessions, bootstrap, settings.

use chrono::{Duration, Utc};
use portico_domain::entities::{organisation, session, team, team_membership, user};
use portico_domain::services::bootstrap::{self, FirstAdmin};
use portico_domain::services::sessions::{self, SessionPolicy};
use portico_domain::services::{accounts, admin, settings};
use portico_domain::{Actor, DomainError, db_test};
use portico_model::{Email, Password, PortalSettings};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{boot, hasher, input, mailer};

async fn bootstrap_is_idempotent(db: DatabaseConnection) {
    let first = bootstrap::ensure_defaults(
        &db,
        &hasher(),
        FirstAdmin { email: Email::parse("admin@localhost").unwrap(), password: None },
    )
    .await
    .unwrap();
    assert!(first.created_default_org);
    let (email, generated) = first.created_admin.expect("admin created on first start");
    assert_eq!(email, "admin@localhost");
    let generated = generated.expect("a password is generated when none is configured");
    assert!(generated.len() >= 16);

    // A second start, even with a configured password, changes nothing.
    let second = bootstrap::ensure_defaults(
        &db,
        &hasher(),
        FirstAdmin {
            email: Email::parse("admin@localhost").unwrap(),
            password: Some(Password::parse("another-password").unwrap()),
        },
    )
    .await
    .unwrap();
    assert!(!second.created_default_org);
    assert!(second.created_admin.is_none());
    assert_eq!(organisation::Entity::find().count(&db).await.unwrap(), 1);
    assert_eq!(team::Entity::find().count(&db).await.unwrap(), 1);
    assert_eq!(user::Entity::find().count(&db).await.unwrap(), 1);

    // The generated password still works; the second one was never applied.
    let admin = accounts::authenticate(&db, &hasher(), "admin@localhost", &generated).await.unwrap();
    assert_eq!(admin.portal_role, user::PortalRole::Admin);
    let refused = accounts::authenticate(&db, &hasher(), "admin@localhost", "another-password").await;
    assert!(matches!(refused, Err(DomainError::InvalidCredentials)));

    // The default organisation has its default team, and the admin is in it.
    let org = organisation::Entity::find().one(&db).await.unwrap().unwrap();
    assert!(org.is_default);
    let default_team =
        team::Entity::find().filter(team::Column::OrgId.eq(org.id)).one(&db).await.unwrap().unwrap();
    assert!(default_team.is_default);
    let membership = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.eq(admin.id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(membership.team_id, default_team.id);
}
db_test!(bootstrap_is_idempotent);

async fn sign_up_stores_an_argon2id_hash_and_joins_the_default_team(db: DatabaseConnection) {
    boot(&db).await;
    let user = accounts::sign_up(&db, &hasher(), &mailer(), input("Ada@Example.com")).await.unwrap();
    assert_eq!(user.email, "ada@example.com", "stored lower-cased");
    assert_eq!(user.status, user::UserStatus::Active, "auto-approve is on by default");
    assert_eq!(user.portal_role, user::PortalRole::Developer);
    let hash = user.password_hash.clone().unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains("analytical-engine"));
    let teams = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.eq(user.id))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(teams, 1);
}
db_test!(sign_up_stores_an_argon2id_hash_and_joins_the_default_team);

async fn duplicate_email_is_a_conflict_even_with_other_case(db: DatabaseConnection) {
    boot(&db).await;
    accounts::sign_up(&db, &hasher(), &mailer(), input("ada@example.com")).await.unwrap();
    let again = accounts::sign_up(&db, &hasher(), &mailer(), input("ADA@example.com")).await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");
    assert_eq!(user::Entity::find().count(&db).await.unwrap(), 2, "admin + one developer");
}
db_test!(duplicate_email_is_a_conflict_even_with_other_case);

async fn concurrent_sign_ups_for_one_email_create_one_account(db: DatabaseConnection) {
    boot(&db).await;
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                accounts::sign_up(&db, &hasher(), &mailer(), input("race@example.com")).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(DomainError::Conflict(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let n = user::Entity::find().filter(user::Column::Email.eq("race@example.com")).count(&db).await.unwrap();
    assert_eq!(n, 1);
}
db_test!(concurrent_sign_ups_for_one_email_create_one_account);

async fn approval_required_makes_accounts_pending_until_approved(db: DatabaseConnection) {
    boot(&db).await;
    settings::set_auto_approve_registrations(&db, false).await.unwrap();
    let user = accounts::sign_up(&db, &hasher(), &mailer(), input("wait@example.com")).await.unwrap();
    assert_eq!(user.status, user::UserStatus::Pending);
    let attempt = accounts::authenticate(&db, &hasher(), "wait@example.com", "analytical-engine").await;
    assert!(matches!(attempt, Err(DomainError::AccountPending)), "{attempt:?}");
    // A wrong password does not reveal that the account is pending.
    let wrong = accounts::authenticate(&db, &hasher(), "wait@example.com", "not-the-password").await;
    assert!(matches!(wrong, Err(DomainError::InvalidCredentials)), "{wrong:?}");
}
db_test!(approval_required_makes_accounts_pending_until_approved);

async fn unknown_email_and_wrong_password_are_the_same_error(db: DatabaseConnection) {
    boot(&db).await;
    accounts::sign_up(&db, &hasher(), &mailer(), input("ada@example.com")).await.unwrap();
    for (email, password) in [
        ("nobody@example.com", "analytical-engine"),
        ("ada@example.com", "wrong-password"),
        ("not an email", "analytical-engine"),
        ("ada@example.com", "short"),
    ] {
        let r = accounts::authenticate(&db, &hasher(), email, password).await;
        assert!(matches!(r, Err(DomainError::InvalidCredentials)), "{email}/{password}: {r:?}");
    }
    accounts::authenticate(&db, &hasher(), " ADA@example.com ", "analytical-engine").await.unwrap();
}
db_test!(unknown_email_and_wrong_password_are_the_same_error);

async fn sessions_store_only_hashes_and_expire(db: DatabaseConnection) {
    boot(&db).await;
    let user = accounts::sign_up(&db, &hasher(), &mailer(), input("ada@example.com")).await.unwrap();
    let policy = SessionPolicy { idle: Duration::minutes(30), absolute: Duration::hours(8) };
    let token = sessions::create(&db, user.id, policy).await.unwrap();
    assert_eq!(token.len(), 32, "128 bits, hex");
    let stored = session::Entity::find().one(&db).await.unwrap().unwrap();
    assert_ne!(stored.id_hash, token, "the id itself is never stored");

    let now = Utc::now();
    let found = sessions::resolve_at(&db, &token, policy, now).await.unwrap();
    assert_eq!(found.map(|u| u.id), Some(user.id));
    assert!(sessions::resolve(&db, "0".repeat(32).as_str(), policy).await.unwrap().is_none());

    // Activity keeps it alive past the idle timeout...
    let later = now + Duration::minutes(20);
    assert!(sessions::resolve_at(&db, &token, policy, later).await.unwrap().is_some());
    let later = later + Duration::minutes(20);
    assert!(sessions::resolve_at(&db, &token, policy, later).await.unwrap().is_some());
    // ...but idleness ends it, and the row goes.
    let idle = later + Duration::minutes(31);
    assert!(sessions::resolve_at(&db, &token, policy, idle).await.unwrap().is_none());
    assert_eq!(sessions::count_for_user(&db, user.id).await.unwrap(), 0);

    // The absolute end applies however active the session is.
    let token = sessions::create(&db, user.id, policy).await.unwrap();
    let mut t = Utc::now();
    for _ in 0..20 {
        t += Duration::minutes(25);
        if t >= Utc::now() + policy.absolute {
            break;
        }
        assert!(sessions::resolve_at(&db, &token, policy, t).await.unwrap().is_some());
    }
    let past_end = Utc::now() + policy.absolute + Duration::minutes(1);
    assert!(sessions::resolve_at(&db, &token, policy, past_end).await.unwrap().is_none());

    // Sign-out deletes exactly that session.
    let a = sessions::create(&db, user.id, policy).await.unwrap();
    let b = sessions::create(&db, user.id, policy).await.unwrap();
    sessions::delete(&db, &a).await.unwrap();
    assert!(sessions::resolve(&db, &a, policy).await.unwrap().is_none());
    assert!(sessions::resolve(&db, &b, policy).await.unwrap().is_some());
    assert_eq!(sessions::delete_all_for_user(&db, user.id).await.unwrap(), 1);
}
db_test!(sessions_store_only_hashes_and_expire);

async fn admin_overview_and_settings_are_admin_only(db: DatabaseConnection) {
    boot(&db).await;
    let dev = accounts::sign_up(&db, &hasher(), &mailer(), input("ada@example.com")).await.unwrap();
    let root = accounts::authenticate(&db, &hasher(), "root@example.com", "admin-password").await.unwrap();
    let dev_actor = Actor::from(&dev);
    let admin_actor = Actor::from(&root);

    assert!(matches!(admin::overview(&db, &dev_actor, 5).await, Err(DomainError::Forbidden)));
    let overview = admin::overview(&db, &admin_actor, 5).await.unwrap();
    assert_eq!((overview.users, overview.pending_users, overview.organisations), (2, 0, 1));
    assert_eq!(overview.recent_users[0].user.email, "ada@example.com", "newest first");
    assert_eq!(overview.recent_users[0].org_name, bootstrap::DEFAULT_ORG_NAME);

    let wanted = PortalSettings {
        portal_name: "Acme APIs".into(),
        auto_approve_registrations: false,
        org_registration: false,
        auto_approve_org_registrations: true,
    };
    assert!(matches!(settings::update(&db, &dev_actor, &wanted).await, Err(DomainError::Forbidden)));
    assert!(settings::get(&db).await.unwrap().auto_approve_registrations, "unchanged by the refused call");
    assert_eq!(settings::update(&db, &admin_actor, &wanted).await.unwrap(), wanted);
    let blank = PortalSettings { portal_name: "  ".into(), ..wanted.clone() };
    assert!(matches!(settings::update(&db, &admin_actor, &blank).await, Err(DomainError::Invalid(_))));
    assert_eq!(settings::get(&db).await.unwrap(), wanted, "a refused update stores nothing");
}
db_test!(admin_overview_and_settings_are_admin_only);
