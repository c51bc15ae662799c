//! The REST API, `/api/v1`: admin API tokens (made and revoked with server functions),
//! typed JSON errors, developers end to end, pagination, and the OpenAPI document
//! against the routes that serve it.

use crate::organisations::{developer, ok, str_of};
use crate::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use portico_domain::db_test;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

/// Sends `method path` with the token (if any) and a JSON body (if any).
async fn api(app: &TestApp, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    app.send(req.unwrap()).await
}

async fn admin_token(app: &TestApp) -> (String, String) {
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let made = ok(app, "create_api_token", &[("name", "tests")], &admin).await;
    (admin, str_of(&made["secret"]))
}

async fn only_a_live_admin_token_opens_the_api(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let none = api(&app, Method::GET, "/api/v1/developers", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.body["error"], "unauthenticated");
    assert!(none.headers[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Bearer"));

    let (admin, token) = admin_token(&app).await;
    let (dev, _) = developer(&app, "ada@example.com").await;
    // A developer cannot make a token; a session cookie does not open the API.
    assert_eq!(
        app.call("create_api_token", &[("name", "mine")], Some(&dev)).await.status,
        StatusCode::FORBIDDEN
    );
    let cookie = format!("portico_session={admin}");
    let with_cookie = app.get("/api/v1/developers", &[("cookie", &cookie)]).await;
    assert_eq!(with_cookie.status, StatusCode::UNAUTHORIZED);
    let bogus = api(&app, Method::GET, "/api/v1/developers", Some("ptk_nottherealtoken"), None).await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);

    let found = api(&app, Method::GET, "/api/v1/developers?q=ada", Some(&token), None).await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(found.body["matched"], 1);
    assert_eq!(found.body["rows"][0]["email"], "ada@example.com");

    // The list shows the token, never the secret; revoking it closes the API at once.
    let listed = ok(&app, "list_api_tokens", &[], &admin).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(&token), "the secret is never listed");
    assert!(listed[0]["last_used_at"].is_string());
    let id = str_of(&listed[0]["id"]);
    ok(&app, "revoke_api_token", &[("id", &id)], &admin).await;
    let after = api(&app, Method::GET, "/api/v1/developers", Some(&token), None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}
db_test!(only_a_live_admin_token_opens_the_api);

async fn developers_are_managed_through_the_api(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let (_, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    let new = json!({ "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
                      "password": "cobol-compiler-1" });
    let made = api(&app, Method::POST, "/api/v1/developers", t, Some(new.clone())).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let id = str_of(&made.body["Created"]["id"]);
    let again = api(&app, Method::POST, "/api/v1/developers", t, Some(new)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", again.body);
    assert_eq!(again.body["fields"][0]["field"], "email", "a taken email is named as the email's problem");
    let both = json!({ "first_name": "X", "last_name": "Y", "email": "xy@example.com",
                       "password": "long-enough-pw", "send_invite": true });
    let refused = api(&app, Method::POST, "/api/v1/developers", t, Some(both)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["fields"][0]["field"], "credential");

    let path = format!("/api/v1/developers/{id}");
    let profile = api(&app, Method::GET, &path, t, None).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.body["email"], "grace@example.com");

    // A bad edit names its field and changes nothing.
    let bad = json!({ "first_name": "Grace", "last_name": "Hopper", "email": "not-an-email" });
    let r = api(&app, Method::PATCH, &path, t, Some(bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (r.body["error"].as_str(), r.body["fields"][0]["field"].as_str()),
        (Some("invalid"), Some("email"))
    );
    let edit = json!({ "first_name": "Amazing", "last_name": "Grace", "email": "grace@example.com", "username": "grace" });
    let r = api(&app, Method::PATCH, &path, t, Some(edit)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["first_name"], "Amazing");

    // Malformed requests are 400 (415 for a body that is not JSON), never 500.
    let garbled = Request::patch(&path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"first_name\":"))
        .unwrap();
    let r = app.send(garbled).await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    let text = Request::patch(&path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("hi"))
        .unwrap();
    assert_eq!(app.send(text).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        api(&app, Method::GET, "/api/v1/developers/not-a-uuid", t, None).await.status,
        StatusCode::BAD_REQUEST
    );
    let unknown = format!("/api/v1/developers/{}", uuid::Uuid::now_v7());
    assert_eq!(api(&app, Method::GET, &unknown, t, None).await.body["error"], "not_found");
    let r = api(&app, Method::GET, "/api/v1/developers?limit=-1", t, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Attributes: at most 18; the 19th is refused with a message.
    for i in 0..18 {
        let r =
            api(&app, Method::PUT, &format!("{path}/attributes/attr{i}"), t, Some(json!({ "value": "v" })))
                .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let r =
        api(&app, Method::PUT, &format!("{path}/attributes/attr18"), t, Some(json!({ "value": "v" }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("18"), "{:?}", r.body);
    let r = api(&app, Method::DELETE, &format!("{path}/attributes/attr0"), t, None).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(17));

    // Status: deactivate, then activate.
    let r =
        api(&app, Method::POST, &format!("{path}/status"), t, Some(json!({ "action": "deactivate" }))).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("Inactive")), "{:?}", r.body);
    let r =
        api(&app, Method::POST, &format!("{path}/status"), t, Some(json!({ "action": "activate" }))).await;
    assert_eq!(r.body["status"], "Active");
    let r = api(&app, Method::POST, &format!("{path}/status"), t, Some(json!({ "action": "explode" }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown action is a body axum cannot read");

    // Delete: the preview, a wrong confirmation changes nothing, the right one deletes.
    let preview = api(&app, Method::GET, &format!("{path}/delete-preview"), t, None).await;
    assert_eq!(preview.status, StatusCode::OK);
    let wrong = api(&app, Method::DELETE, &format!("{path}?confirm=someone@example.com"), t, None).await;
    assert!(wrong.status.is_client_error(), "{:?}", wrong.status);
    assert_eq!(api(&app, Method::GET, &path, t, None).await.status, StatusCode::OK);
    let gone = api(&app, Method::DELETE, &format!("{path}?confirm=grace@example.com"), t, None).await;
    assert_eq!(gone.status, StatusCode::OK, "{:?}", gone.body);
    assert_eq!(gone.body, preview.body, "what went is what the preview listed");
    assert_eq!(api(&app, Method::GET, &path, t, None).await.status, StatusCode::NOT_FOUND);
}
db_test!(developers_are_managed_through_the_api);

async fn lists_come_in_pages(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let (_, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    for name in ["Acme", "Globex", "Initech"] {
        let r = api(&app, Method::POST, "/api/v1/organisations", t, Some(json!({ "name": name }))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    // The default organisation and three more.
    let first = api(&app, Method::GET, "/api/v1/organisations?limit=3", t, None).await;
    assert_eq!((first.body["total"].as_u64(), first.body["next_offset"].as_u64()), (Some(4), Some(3)));
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
    let rest = api(&app, Method::GET, "/api/v1/organisations?limit=3&offset=3", t, None).await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
    assert!(rest.body["next_offset"].is_null());
    let r = api(&app, Method::GET, "/api/v1/organisations?limit=0", t, None).await;
    assert_eq!(
        (r.status, r.body["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
    );
    let r = api(&app, Method::GET, "/api/v1/organisations?q=glob", t, None).await;
    assert_eq!(r.body["items"][0]["name"], "Globex");
    let org = str_of(&r.body["items"][0]["id"]);
    let team = api(
        &app,
        Method::POST,
        &format!("/api/v1/organisations/{org}/teams"),
        t,
        Some(json!({ "name": "Ops" })),
    )
    .await;
    assert_eq!((team.status, team.body["name"].as_str()), (StatusCode::CREATED, Some("Ops")));
    let teams = api(&app, Method::GET, &format!("/api/v1/organisations/{org}/teams"), t, None).await;
    assert_eq!(teams.body.as_array().unwrap().len(), 2, "the default team and Ops");
}
db_test!(lists_come_in_pages);

/// Every `$ref` in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(str_of(v));
                } else {
                    refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
        _ => {}
    }
}

async fn the_openapi_document_matches_the_routes(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let (_, token) = admin_token(&app).await;
    let doc = app.get("/api/v1/openapi.json", &[]).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.0.3");
    let mut found = Vec::new();
    refs(&doc.body, &mut found);
    for r in &found {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r} points elsewhere"));
        assert!(doc.body["components"]["schemas"][name].is_object(), "{r} does not resolve");
    }
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{} paths", paths.len());
    let mut operations = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            operations += 1;
            let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string()).replace("{name}", "x");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
            let r = api(&app, method.clone(), &concrete, Some(&token), body).await;
            // A served route answers JSON: data or a typed error, never the SPA or 405.
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(r.body.is_object() || r.body.is_array(), "{method} {path}: {:?} {:?}", r.status, r.body);
            assert!(!r.status.is_server_error(), "{method} {path}: {:?}", r.body);
            // Without a token every operation is refused.
            let anonymous = api(&app, method.clone(), &concrete, None, None).await;
            assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
    assert!(operations >= 28, "{operations} operations");
}
db_test!(the_openapi_document_matches_the_routes);
