//! Admin API tokens: shown once and stored hashed, act as their admin only while that
//! admin is an active portal admin, refused once revoked, made by portal admins only.

use crate::{admin, boot, developer, mailer};
use chrono::{Duration, Utc};
use portico_domain::entities::{api_token, user};
use portico_domain::services::lifecycle::{self, Transition};
use portico_domain::services::{api_tokens, audit};
use portico_domain::{Actor, DomainError, db_test};
use portico_model::AuditQuery;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

db_test!(a_token_acts_as_its_admin_until_revoked);
async fn a_token_acts_as_its_admin_until_revoked(db: DatabaseConnection) {
    boot(&db).await;
    let root = admin(&db).await;
    let made = api_tokens::create(&db, &root, "  CRM sync ").await.unwrap();
    assert_eq!(made.token.name, "CRM sync");
    assert!(made.secret.starts_with("ptk_") && made.secret.len() == 44, "{}", made.secret);
    assert!(made.secret.starts_with(&made.token.prefix));

    // Only the hash is stored.
    let row = api_token::Entity::find_by_id(made.token.id.0).one(&db).await.unwrap().unwrap();
    assert_ne!(row.token_hash, made.secret);
    assert!(!row.token_hash.contains(&made.secret[4..]));

    let actor = api_tokens::authenticate(&db, &made.secret).await.unwrap();
    assert_eq!(actor.user_id, root.user_id);
    assert!(actor.is_portal_admin());
    let listed = api_tokens::list(&db, &root).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].created_by, "root@example.com");
    assert!(listed[0].last_used_at.is_some(), "use is recorded");

    // A near miss of the real token, a gateway key and garbage are all refused.
    let mut near = made.secret.clone();
    near.pop();
    near.push(if made.secret.ends_with('a') { 'b' } else { 'a' });
    for wrong in [near.as_str(), "ptk_short", "ptc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""] {
        assert!(
            matches!(api_tokens::authenticate(&db, wrong).await, Err(DomainError::Unauthenticated)),
            "{wrong}"
        );
    }

    api_tokens::revoke(&db, &root, made.token.id.0).await.unwrap();
    assert!(matches!(api_tokens::authenticate(&db, &made.secret).await, Err(DomainError::Unauthenticated)));
    api_tokens::revoke(&db, &root, made.token.id.0).await.unwrap();
    let log = audit::list(&db, &root, &AuditQuery { action: "api_token.".into(), ..Default::default() })
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["api_token.revoke", "api_token.create"], "revoking twice is recorded once");
}

db_test!(last_use_is_written_at_most_once_a_minute);
async fn last_use_is_written_at_most_once_a_minute(db: DatabaseConnection) {
    boot(&db).await;
    let root = admin(&db).await;
    let made = api_tokens::create(&db, &root, "ci").await.unwrap();
    let t0 = Utc::now();
    api_tokens::authenticate_at(&db, &made.secret, t0).await.unwrap();
    api_tokens::authenticate_at(&db, &made.secret, t0 + Duration::seconds(30)).await.unwrap();
    let row = api_token::Entity::find_by_id(made.token.id.0).one(&db).await.unwrap().unwrap();
    assert_eq!(row.last_used_at.map(|t| t.timestamp()), Some(t0.timestamp()));
    api_tokens::authenticate_at(&db, &made.secret, t0 + Duration::seconds(61)).await.unwrap();
    let row = api_token::Entity::find_by_id(made.token.id.0).one(&db).await.unwrap().unwrap();
    assert_eq!(row.last_used_at.map(|t| t.timestamp()), Some((t0 + Duration::seconds(61)).timestamp()));
}

db_test!(only_active_portal_admins_have_tokens);
async fn only_active_portal_admins_have_tokens(db: DatabaseConnection) {
    boot(&db).await;
    let root = admin(&db).await;
    let dev = developer(&db, "ada@example.com").await;
    let dev_actor = Actor::from(&dev);
    assert!(matches!(api_tokens::create(&db, &dev_actor, "mine").await, Err(DomainError::Forbidden)));
    assert!(matches!(api_tokens::list(&db, &dev_actor).await, Err(DomainError::Forbidden)));

    // A second admin makes a token; it stops when they are deactivated or lose the role.
    let mut second: user::ActiveModel = dev.clone().into();
    second.portal_role = Set(user::PortalRole::Admin);
    second.status = Set(user::UserStatus::Active);
    let second = second.update(&db).await.unwrap();
    let token = api_tokens::create(&db, &Actor::from(&second), "second's").await.unwrap();
    assert!(matches!(
        api_tokens::revoke(&db, &dev_actor, token.token.id.0).await,
        Err(DomainError::Forbidden)
    ));
    api_tokens::authenticate(&db, &token.secret).await.unwrap();

    lifecycle::apply(&db, &mailer(), &root, second.id, Transition::Deactivate).await.unwrap();
    assert!(matches!(api_tokens::authenticate(&db, &token.secret).await, Err(DomainError::Unauthenticated)));
    lifecycle::apply(&db, &mailer(), &root, second.id, Transition::Activate).await.unwrap();
    api_tokens::authenticate(&db, &token.secret).await.unwrap();

    let mut demoted: user::ActiveModel =
        user::Entity::find_by_id(second.id).one(&db).await.unwrap().unwrap().into();
    demoted.portal_role = Set(user::PortalRole::Developer);
    demoted.update(&db).await.unwrap();
    assert!(matches!(api_tokens::authenticate(&db, &token.secret).await, Err(DomainError::Unauthenticated)));
    // A token name is checked like any field.
    assert!(matches!(api_tokens::create(&db, &root, " ").await, Err(DomainError::Invalid(_))));
}
