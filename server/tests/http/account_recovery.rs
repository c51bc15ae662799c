//! Password reset, must-change-password, invitations and add-user over HTTP.

use crate::*;
use axum::http::{StatusCode, header};
use portico_domain::db_test;
use portico_domain::entities::outbox_message;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::Value;

async fn reset_does_not_reveal_accounts_and_ends_every_session(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let old_session = app.sign_up("ada@example.com").await.session_cookie().unwrap();
    let known = app.call("request_password_reset", &[("email", "ada@example.com")], None).await;
    let unknown = app.call("request_password_reset", &[("email", "nobody@example.com")], None).await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body), "same answer either way");
    assert_eq!(known.status, StatusCode::OK);

    // The work happens in the background: wait for the mail.
    let mut mail = None;
    for _ in 0..50 {
        let n = outbox_message::Entity::find().count(&app.db).await.unwrap();
        if n > 0 {
            mail = Some(portico_domain::testing::latest_mail_to(&app.db, "ada@example.com").await);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mail = mail.expect("a reset mail for the known address");
    assert!(mail.text_body.contains("/auth/reset/code?token="), "{}", mail.text_body);
    let token = token_in(&mail.text_body);
    assert_eq!(
        outbox_message::Entity::find().count(&app.db).await.unwrap(),
        1,
        "none for the unknown address"
    );

    let r =
        app.call("reset_password", &[("token", &token), ("new_password", "brand-new-password")], None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.who_am_i(&old_session).await, Value::Null, "the reset ended the old session");
    assert_eq!(
        app.sign_in("ada@example.com", "analytical-engine", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.sign_in("ada@example.com", "brand-new-password", None).await.status, StatusCode::OK);
    let again =
        app.call("reset_password", &[("token", &token), ("new_password", "another-password")], None).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "single use: {:?}", again.body);
}
db_test!(reset_does_not_reveal_accounts_and_ends_every_session);

async fn reset_requests_are_rate_limited_with_retry_after(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let mut last = None;
    for _ in 0..4 {
        last = Some(app.call("request_password_reset", &[("email", "spam@example.com")], None).await);
    }
    let last = last.unwrap();
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = last.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Another address is not limited by this one.
    let other = app.call("request_password_reset", &[("email", "other@example.com")], None).await;
    assert_eq!(other.status, StatusCode::OK);
}
db_test!(reset_requests_are_rate_limited_with_retry_after);

async fn a_user_who_must_change_their_password_can_do_nothing_else(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let both = [
        ("first_name", "Pat"),
        ("last_name", "Temp"),
        ("email", "pat@example.com"),
        ("password", "temporary-pass"),
        ("must_change", "true"),
        ("send_invite", "true"),
    ];
    let r = app.call("add_user", &both, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "password and invite together are refused");
    assert!(r.body["Invalid"][0]["message"].as_str().unwrap().contains("not both"));
    let r = app
        .call(
            "add_user",
            &[
                ("first_name", "Pat"),
                ("last_name", "Temp"),
                ("email", "pat@example.com"),
                ("password", ""),
                ("must_change", "false"),
                ("send_invite", "false"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "neither is refused too");

    let mut with_password = both;
    with_password[5] = ("send_invite", "false");
    let r = app.call("add_user", &with_password, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["Created"]["email"], "pat@example.com");

    let signed_in = app.sign_in("pat@example.com", "temporary-pass", None).await;
    assert_eq!(signed_in.body["must_change_password"], true);
    let pat = signed_in.session_cookie().unwrap();
    let blocked = app.call("update_profile", &[("first_name", "P"), ("last_name", "T")], Some(&pat)).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.body, Value::String("PasswordChangeRequired".into()));
    let changed = app
        .call(
            "change_password",
            &[("current_password", "temporary-pass"), ("new_password", "pats-own-pass")],
            Some(&pat),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["must_change_password"], false);
    let allowed =
        app.call("update_profile", &[("first_name", "Patricia"), ("last_name", "T")], Some(&pat)).await;
    assert_eq!(allowed.status, StatusCode::OK, "{:?}", allowed.body);
}
db_test!(a_user_who_must_change_their_password_can_do_nothing_else);

async fn an_invited_user_registers_from_the_link_once(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let r = app
        .call(
            "add_user",
            &[
                ("first_name", "Ivy"),
                ("last_name", "Invitee"),
                ("email", "ivy@example.com"),
                ("password", ""),
                ("must_change", "false"),
                ("send_invite", "true"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let token =
        token_in(&portico_domain::testing::latest_mail_to(&app.db, "ivy@example.com").await.text_body);
    let preview = app.call("get_invitation", &[("token", &token)], None).await;
    assert_eq!(preview.body["email"], "ivy@example.com");
    assert_eq!(preview.body["first_name"], "Ivy");
    let form = [
        ("token", token.as_str()),
        ("first_name", "Ivy"),
        ("last_name", "Invitee"),
        ("password", "ivy-password"),
    ];
    let joined = app.call("accept_invitation", &form, None).await;
    assert_eq!(joined.status, StatusCode::OK, "{:?}", joined.body);
    let ivy = joined.session_cookie().expect("signed in at once");
    assert_eq!(app.who_am_i(&ivy).await["email"], "ivy@example.com");
    let twice = app.call("accept_invitation", &form, None).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = app.call("list_invitations", &[], Some(&admin)).await;
    assert_eq!(listed.body, Value::Array(vec![]), "no longer pending");
}
db_test!(an_invited_user_registers_from_the_link_once);
