//! The catalog over the wire: typed field errors for bad plans and products, safe
//! documentation, a checkout retried with the same form, and keys in their format.

use crate::organisations::{catalog_for, developer, ok, str_of};
use crate::*;
use axum::http::StatusCode;
use portico_domain::db_test;
use portico_domain::entities::{access_request, api_key, plan};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

async fn bad_plans_and_products_get_field_errors_and_store_nothing(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let catalog =
        str_of(&ok(&app, "create_catalog", &[("name", "Open"), ("visibility", "Public")], &admin).await);
    let bad = [
        ("catalog_id", catalog.as_str()),
        ("name", " "),
        ("rate_limit", "0"),
        ("rate_period", "Second"),
        ("quota", "0"),
        ("quota_period", "Day"),
        ("key_lifetime_days", "99999"),
        ("requires_approval", "true"),
    ];
    let r = app.call("create_plan", &bad, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let fields: Vec<&str> =
        r.body["Invalid"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["plan_name", "rate_limit", "quota", "key_lifetime_days"]);
    let r = app
        .call("create_plan", &[("catalog_id", catalog.as_str()), ("rate_limit", "-1")], Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "malformed arguments are bad input: {:?}", r.body);
    assert_eq!(plan::Entity::find().count(&app.db).await.unwrap(), 0);
    let r = app
        .call(
            "create_product",
            &[
                ("name", "X"),
                ("slug", "Not A Slug"),
                ("summary", ""),
                ("base_url", "ftp://x"),
                ("documentation", ""),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        r.body["Invalid"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["slug", "base_url"]);
}
db_test!(bad_plans_and_products_get_field_errors_and_store_nothing);

async fn a_retried_checkout_returns_the_first_request_and_shows_the_key_once(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let org = str_of(&ok(&app, "create_organisation", &[("name", "Acme")], &admin).await);
    let (ada, ada_id) = developer(&app, "ada@acme.test").await;
    ok(
        &app,
        "assign_user",
        &[("user_id", ada_id.as_str()), ("org_id", &org), ("role", "SuperAdmin")],
        &admin,
    )
    .await;
    let ids = catalog_for(&app, &admin, &org).await;
    // Documentation with a script comes back escaped.
    let doc = [
        ("id", ids.product.as_str()),
        ("name", "Payments"),
        ("slug", "payments"),
        ("summary", "Take payments"),
        ("base_url", "https://api.example.com"),
        ("documentation", "# Pay\n\n<script>alert(1)</script>"),
        ("published", "true"),
    ];
    ok(&app, "update_product", &doc, &admin).await;
    let page = ok(&app, "get_product", &[("slug", "payments")], &ada).await;
    let html = page["documentation_html"].as_str().unwrap();
    assert!(
        html.contains("<h1>Pay</h1>") && html.contains("&lt;script&gt;") && !html.contains("<script>"),
        "{html}"
    );
    // Visitors do not see a private catalog's product.
    assert_eq!(app.call("get_product", &[("slug", "payments")], None).await.status, StatusCode::NOT_FOUND);

    ok(&app, "add_to_cart", &[("product_id", ids.product.as_str()), ("catalog_id", &ids.catalog)], &ada)
        .await;
    let form = [
        ("catalog_id", ids.catalog.as_str()),
        ("plan_id", &ids.plan),
        ("product_ids[0]", &ids.product),
        ("app_name", "Checkout"),
        ("app_description", "Our shop"),
        ("comment", "Launching soon"),
        ("idempotency_key", "form-0000-0001"),
    ];
    let first = ok(&app, "request_access", &form, &ada).await;
    assert_eq!(first["request"]["status"], "Approved");
    let secret = first["key"]["secret"].as_str().unwrap();
    assert!(secret.starts_with("ptc_") && secret.len() == 42, "{secret}");
    assert!(secret.starts_with(first["key"]["key"]["prefix"].as_str().unwrap()));
    let again = ok(&app, "request_access", &form, &ada).await;
    assert_eq!(again["request"]["id"], first["request"]["id"], "the same request");
    assert!(again["key"].is_null(), "the key is never shown twice");
    assert_eq!(access_request::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(api_key::Entity::find().count(&app.db).await.unwrap(), 1);
    let cart = ok(&app, "get_cart", &[], &ada).await;
    assert_eq!(cart["groups"].as_array().unwrap().len(), 0, "the requested product left the cart");
    // The app lists its key's metadata only.
    let apps = ok(&app, "list_my_apps", &[], &ada).await;
    assert!(!apps.to_string().contains(secret));
    assert_eq!(apps[0]["keys"][0]["status"], "Active");
}
db_test!(a_retried_checkout_returns_the_first_request_and_shows_the_key_once);
