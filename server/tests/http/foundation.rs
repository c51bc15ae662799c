//! The foundation: sessions and cookies, input errors, cross-site refusal, the
//! registry of server functions and their sample arguments, health and static files.

use crate::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use portico_domain::db_test;
use portico_domain::entities::user;
use portico_domain::services::settings;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::Value;

async fn sign_up_sets_a_hardened_session_cookie(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let r = app.sign_up("ada@example.com").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["SignedIn"]["email"], "ada@example.com");
    let cookie = r.set_cookie().expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(!cookie.contains("Secure"), "plain-http public URL: no Secure flag ({cookie})");
    let id = r.session_cookie().unwrap();
    assert_eq!(id.len(), 32, "128-bit id as hex");
    assert_eq!(app.who_am_i(&id).await["email"], "ada@example.com");
}
db_test!(sign_up_sets_a_hardened_session_cookie);

async fn https_public_url_marks_the_cookie_secure(db: DatabaseConnection) {
    let app = spawn_app_with(db, &["--public-url", "https://developers.example.com"]).await;
    let r = app
        .call_from(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
            None,
            Some("https://developers.example.com"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.set_cookie().unwrap().contains("; Secure"));
}
db_test!(https_public_url_marks_the_cookie_secure);

async fn sign_in_rotates_the_session_id_and_sign_out_deletes_it(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let first = app.sign_up("ada@example.com").await.session_cookie().unwrap();
    let second = app.sign_in("ada@example.com", "analytical-engine", Some(&first)).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    let second = second.session_cookie().unwrap();
    assert_ne!(first, second, "a new id at sign-in");
    assert_eq!(app.who_am_i(&first).await, Value::Null, "the presented session ended");
    assert_eq!(app.who_am_i(&second).await["email"], "ada@example.com");

    let out = app.call("sign_out", &[], Some(&second)).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.set_cookie().unwrap().contains("Max-Age=0"), "cookie cleared");
    assert_eq!(app.who_am_i(&second).await, Value::Null, "the session is gone on the host");
    // A forged id is nobody.
    assert_eq!(app.who_am_i(&"ab".repeat(16)).await, Value::Null);
}
db_test!(sign_in_rotates_the_session_id_and_sign_out_deletes_it);

async fn wrong_credentials_look_the_same_whether_or_not_the_email_exists(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    app.sign_up("ada@example.com").await;
    let unknown = app.sign_in("nobody@example.com", "analytical-engine", None).await;
    let wrong = app.sign_in("ada@example.com", "wrong-password", None).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(wrong.body, Value::String("InvalidCredentials".into()));
    assert!(unknown.session_cookie().is_none() && wrong.session_cookie().is_none());
}
db_test!(wrong_credentials_look_the_same_whether_or_not_the_email_exists);

async fn bad_sign_up_input_gets_field_errors_and_stores_nothing(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let r = app
        .call(
            "sign_up",
            &[("first_name", ""), ("last_name", "L"), ("email", "nope"), ("password", "short")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        r.body["Invalid"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["first_name", "email", "password"]);
    // A request missing arguments is refused as bad input, not a crash.
    let r = app.call("sign_up", &[("email", "x@example.com")], None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);

    app.sign_up("ada@example.com").await;
    let dup = app.sign_up("ADA@example.com").await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(dup.body["Conflict"].as_str().unwrap().contains("already exists"));
    assert_eq!(user::Entity::find().count(&app.db).await.unwrap(), 2, "admin + Ada, nothing else");
}
db_test!(bad_sign_up_input_gets_field_errors_and_stores_nothing);

async fn approval_required_sign_up_is_pending_and_cannot_sign_in(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    settings::set_auto_approve_registrations(&app.db, false).await.unwrap();
    let r = app.sign_up("wait@example.com").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["AwaitingApproval"]["email"], "wait@example.com");
    assert!(r.session_cookie().is_none(), "nobody is signed in");
    let r = app.sign_in("wait@example.com", "analytical-engine", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, Value::String("AccountPending".into()));
}
db_test!(approval_required_sign_up_is_pending_and_cannot_sign_in);

async fn cross_site_requests_are_refused_before_anything_changes(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let form = [
        ("first_name", "Eve"),
        ("last_name", "X"),
        ("email", "eve@example.com"),
        ("password", "long-enough-pw"),
    ];
    let r = app.call_from("sign_up", &form, None, Some("https://evil.example")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, Value::String("CrossSite".into()));
    assert_eq!(user::Entity::find().count(&app.db).await.unwrap(), 1, "only the admin exists");

    // Sec-Fetch-Site alone is enough to tell.
    let req =
        Request::post("/api/sign_out").header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);

    // No server function changes state over GET.
    let r = app.get("/api/sign_out", &[]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}
db_test!(cross_site_requests_are_refused_before_anything_changes);

const SAMPLE_TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub const SAMPLE_ID: &str = "01900000-0000-7000-8000-000000000000";

/// Valid arguments for each server function, so a refusal is about the caller, not the
/// input. A server function missing here fails `every_server_function_is_registered…`.
pub fn sample_args(endpoint: &str) -> Vec<(&'static str, &'static str)> {
    match endpoint {
        "sign_up" => vec![
            ("first_name", "Sam"),
            ("last_name", "Sample"),
            ("email", "sample@example.com"),
            ("password", "sample-password"),
        ],
        "sign_in" => vec![("email", "sample@example.com"), ("password", "sample-password")],
        "sign_out"
        | "who_am_i"
        | "get_portal_info"
        | "get_admin_overview"
        | "get_portal_settings"
        | "list_invitations"
        | "list_outbox"
        | "list_email_templates"
        | "get_my_organisation"
        | "list_team_invitations"
        | "list_api_tokens" => vec![],
        "create_api_token" => vec![("name", "Sample token")],
        "revoke_api_token" => vec![("id", SAMPLE_ID)],
        "update_portal_settings" => {
            vec![
                ("settings[portal_name]", "Hijacked"),
                ("settings[auto_approve_registrations]", "false"),
                ("settings[org_registration]", "true"),
                ("settings[auto_approve_org_registrations]", "false"),
            ]
        }
        "request_password_reset" => vec![("email", "sample@example.com")],
        "reset_password" => vec![("token", SAMPLE_TOKEN), ("new_password", "sample-password-2")],
        "get_invitation" | "confirm_email_change" => vec![("token", SAMPLE_TOKEN)],
        "accept_invitation" => vec![
            ("token", SAMPLE_TOKEN),
            ("first_name", "Sam"),
            ("last_name", "Sample"),
            ("password", "sample-password"),
        ],
        "update_profile" => vec![("first_name", "Sam"), ("last_name", "Sample")],
        "change_password" => {
            vec![("current_password", "sample-password"), ("new_password", "sample-password-2")]
        }
        "request_email_change" => vec![("new_email", "sample-new@example.com")],
        "approve_user" | "deactivate_user" | "activate_user" | "resend_invitation" | "revoke_invitation"
        | "get_outbox_mail" => vec![("id", SAMPLE_ID)],
        "reject_user" => vec![("id", SAMPLE_ID), ("reason", "sample")],
        "add_user" => vec![
            ("first_name", "Sam"),
            ("last_name", "Sample"),
            ("email", "sample-added@example.com"),
            ("password", ""),
            ("must_change", "false"),
            ("send_invite", "true"),
        ],
        "update_email_template" => vec![
            ("key", "Invite"),
            ("template[subject]", "Join {{portal_name}}"),
            ("template[text]", "Hi {{first_name}}: {{link}}"),
            ("template[html]", "<p>Hi {{first_name}}: {{link}}</p>"),
        ],
        "restore_email_template" => vec![("key", "Invite")],
        "list_organisations" => vec![("search", "acme")],
        "get_organisation" | "rename_organisation" => vec![("id", SAMPLE_ID), ("name", "Renamed")],
        "create_organisation" => vec![("name", "Sample Org")],
        "set_organisation_active" => vec![("id", SAMPLE_ID), ("active", "false")],
        "create_team" => vec![("org_id", SAMPLE_ID), ("name", "Sample team")],
        "rename_team" => vec![("id", SAMPLE_ID), ("name", "Renamed team")],
        "delete_team" => vec![("id", SAMPLE_ID)],
        "set_team_member" => vec![("team_id", SAMPLE_ID), ("user_id", SAMPLE_ID), ("member", "true")],
        "assign_user" => vec![
            ("user_id", SAMPLE_ID),
            ("org_id", SAMPLE_ID),
            ("team_ids[0]", SAMPLE_ID),
            ("role", "Member"),
        ],
        "decide_organisation" => vec![("id", SAMPLE_ID), ("approve", "false"), ("reason", "sample")],
        "create_invite_code" => vec![("team_id", SAMPLE_ID), ("max_uses", "5")],
        "list_invite_codes" => vec![("org_id", SAMPLE_ID)],
        "revoke_invite_code" | "remove_member" => vec![("id", SAMPLE_ID)],
        "request_organisation" => vec![("name", "Sample Org")],
        "invite_teammate" => vec![
            ("first_name", "Sam"),
            ("last_name", "Sample"),
            ("email", "sample-teammate@example.com"),
            ("role", "Member"),
        ],
        "update_member" => {
            vec![("id", SAMPLE_ID), ("first_name", "Sam"), ("last_name", "Sample"), ("role", "Member")]
        }
        "list_products" | "list_catalogs" | "list_all_apps" | "browse_catalog" | "get_cart"
        | "list_my_apps" => {
            vec![]
        }
        "get_product_admin" | "remove_product_api" | "get_catalog" | "delete_plan" | "get_app"
        | "delete_app" | "revoke_key" => vec![("id", SAMPLE_ID)],
        "create_product" => vec![
            ("name", "Sample product"),
            ("slug", "sample-product"),
            ("summary", "A sample"),
            ("base_url", "https://api.example.com"),
            ("documentation", "# Sample"),
        ],
        "update_product" => vec![
            ("id", SAMPLE_ID),
            ("name", "Sample product"),
            ("slug", "sample-product"),
            ("summary", "A sample"),
            ("base_url", "https://api.example.com"),
            ("documentation", "# Sample"),
            ("published", "true"),
        ],
        "add_product_api" => {
            vec![("product_id", SAMPLE_ID), ("name", "Sample API"), ("path_prefix", "/sample")]
        }
        "create_catalog" => vec![("name", "Sample catalog"), ("visibility", "Public")],
        "update_catalog" => vec![("id", SAMPLE_ID), ("name", "Sample catalog"), ("visibility", "Private")],
        "set_catalog_product" => {
            vec![("catalog_id", SAMPLE_ID), ("product_id", SAMPLE_ID), ("included", "true")]
        }
        "set_catalog_org" => vec![("catalog_id", SAMPLE_ID), ("org_id", SAMPLE_ID), ("included", "true")],
        "set_catalog_team" => vec![("catalog_id", SAMPLE_ID), ("team_id", SAMPLE_ID), ("included", "true")],
        "create_plan" | "update_plan" => vec![
            (if endpoint == "create_plan" { "catalog_id" } else { "id" }, SAMPLE_ID),
            ("name", "Sample plan"),
            ("rate_limit", "10"),
            ("rate_period", "Second"),
            ("quota", "1000"),
            ("quota_period", "Day"),
            ("requires_approval", "true"),
        ],
        "list_access_requests" => vec![("status", "Pending")],
        "decide_access_request" => vec![("id", SAMPLE_ID), ("approve", "false"), ("reason", "sample")],
        "get_product" => vec![("slug", "sample-product")],
        "add_to_cart" | "remove_from_cart" => vec![("product_id", SAMPLE_ID), ("catalog_id", SAMPLE_ID)],
        "request_access" => vec![
            ("catalog_id", SAMPLE_ID),
            ("plan_id", SAMPLE_ID),
            ("product_ids[0]", SAMPLE_ID),
            ("app_name", "Sample app"),
            ("idempotency_key", "sample-form-0001"),
        ],
        "create_app" => vec![("name", "Sample app"), ("description", "")],
        "create_key" => vec![("request_id", SAMPLE_ID)],
        "rotate_key" => vec![("id", SAMPLE_ID), ("grace_hours", "24")],
        "get_my_usage" => vec![("app_id", SAMPLE_ID)],
        "get_developer_usage" => vec![("developer_id", SAMPLE_ID)],
        "get_portal_usage" => vec![],
        "search_developers" => vec![("query[text]", "ada"), ("query[sort]", "Name")],
        "get_developer" | "get_delete_preview" => vec![("id", SAMPLE_ID)],
        "update_developer" => vec![
            ("id", SAMPLE_ID),
            ("edit[first_name]", "Sam"),
            ("edit[last_name]", "Sample"),
            ("edit[email]", "sample-edited@example.com"),
            ("edit[username]", "sammy"),
        ],
        "set_developer_attribute" => vec![("id", SAMPLE_ID), ("name", "tier"), ("value", "gold")],
        "delete_developer_attribute" => vec![("id", SAMPLE_ID), ("name", "tier")],
        "change_subscription_plan" => vec![("request_id", SAMPLE_ID), ("plan_id", SAMPLE_ID)],
        "revoke_subscription" => vec![("request_id", SAMPLE_ID)],
        "delete_developer" => vec![("id", SAMPLE_ID), ("confirm", "sample@example.com")],
        "list_audit" => vec![("query[action]", "developer.")],
        "start_export" => vec![("request[kind]", "Developers"), ("request[format]", "Csv")],
        "list_exports" => vec![],
        "get_export" => vec![("id", SAMPLE_ID)],
        other => panic!("no sample arguments for server function {other}: add a case"),
    }
}

#[test]
fn every_server_function_is_registered_with_its_access_rule() {
    let mut registered: Vec<&str> = server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.strip_prefix("/api/").unwrap_or(path))
        .collect();
    registered.sort_unstable();
    let mut listed: Vec<&str> = portico_app::api::REGISTRY.iter().map(|(name, _)| *name).collect();
    listed.sort_unstable();
    assert_eq!(registered, listed, "api::REGISTRY must list every server function exactly once");
    // Each one has sample arguments for the authorisation tests (panics otherwise).
    for name in listed {
        sample_args(name);
    }
}

async fn healthz_reports_the_database(db: DatabaseConnection) {
    let app = spawn_app(db.clone()).await;
    let ok = app.get("/healthz", &[]).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["database"], "up");
    db.close_by_ref().await.unwrap();
    let down = app.get("/healthz", &[]).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.body["status"], "unavailable");
}
db_test!(healthz_reports_the_database);

#[tokio::test]
async fn spa_routes_fall_back_to_index_and_hashed_assets_are_cached_for_long() {
    let app = spawn_app(portico_domain::testing::sqlite().await).await;
    let page = app.get("/dashboard", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.as_str().unwrap().contains("spa"));
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    let asset = app.get("/portico-web-0123456789abcdef.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(asset.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(asset.headers[header::CONTENT_ENCODING], "gzip");

    let unknown_fn = app.call("no_such_function", &[], None).await;
    assert!(unknown_fn.status.is_client_error(), "{:?}", unknown_fn.status);
}
