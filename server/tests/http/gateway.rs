//! `/gateway/verify` through the real router: every decision with its status, reason and
//! headers; changes that take effect on the very next call; lossless usage counting;
//! revocation under load; a store outage answers 503.

use crate::organisations::{CatalogIds, catalog_for, developer, ok, str_of};
use crate::*;
use axum::http::StatusCode;
use portico_domain::{apikey, db_test};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub struct Setup {
    pub app: Arc<TestApp>,
    pub admin: String,
    pub ada: String,
    pub ada_id: String,
    pub org: String,
    pub ids: CatalogIds,
}

pub async fn setup(db: DatabaseConnection) -> Setup {
    let app = spawn_app(db).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let org = str_of(&ok(&app, "create_organisation", &[("name", "Acme")], &admin).await);
    let (ada, ada_id) = developer(&app, "ada@acme.test").await;
    let assign = [("user_id", ada_id.as_str()), ("org_id", &org), ("role", "SuperAdmin")];
    ok(&app, "assign_user", &assign, &admin).await;
    let ids = catalog_for(&app, &admin, &org).await;
    Setup { app: Arc::new(app), admin, ada, ada_id, org, ids }
}

/// A plan in the test catalog, and a key for a new app on it.
pub async fn key_on_plan(s: &Setup, plan: &str, rate: &str, per: &str, quota: Option<&str>) -> String {
    let mut args = vec![
        ("catalog_id", s.ids.catalog.as_str()),
        ("name", plan),
        ("rate_limit", rate),
        ("rate_period", per),
        ("quota_period", "Day"),
        ("requires_approval", "false"),
    ];
    if let Some(q) = quota {
        args.push(("quota", q));
    }
    let plan_id = str_of(&ok(&s.app, "create_plan", &args, &s.admin).await["id"]);
    key_for(s, &plan_id, plan).await
}

async fn key_for(s: &Setup, plan_id: &str, app_name: &str) -> String {
    let form_key = format!("form-{}-0001", app_name.replace(' ', "-"));
    let args = [
        ("catalog_id", s.ids.catalog.as_str()),
        ("plan_id", plan_id),
        ("product_ids[0]", &s.ids.product),
        ("app_name", app_name),
        ("idempotency_key", &form_key),
    ];
    let out = ok(&s.app, "request_access", &args, &s.ada).await;
    str_of(&out["key"]["secret"])
}

async fn verify(app: &TestApp, headers: &[(&str, &str)]) -> Reply {
    app.get("/gateway/verify", headers).await
}

fn header(r: &Reply, name: &str) -> String {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

fn reason(r: &Reply) -> String {
    header(r, "x-portico-reason")
}

async fn call(app: &TestApp, key: &str, uri: &str) -> Reply {
    verify(app, &[("x-api-key", key), ("x-original-uri", uri), ("x-original-method", "GET")]).await
}

/// Waits, if needed, so that a per-minute window does not end during the next seconds.
async fn fresh_minute() {
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 45 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::try_from(61 - second).unwrap())).await;
    }
}

async fn every_decision_has_its_status_reason_and_headers(db: DatabaseConnection) {
    let s = setup(db).await;
    let app = &s.app;
    let key = key_for(&s, &s.ids.plan, "Acme checkout").await;
    // The key itself: missing, malformed, mistyped, unknown.
    let r = verify(app, &[("x-original-uri", "/payments")]).await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::UNAUTHORIZED, "missing_key"));
    assert_eq!(r.body["reason"], "missing_key");
    let r = call(app, "ptc_short", "/payments").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::UNAUTHORIZED, "malformed_key"));
    let mut typo = key.clone().into_bytes();
    typo[8] = if typo[8] == b'Q' { b'R' } else { b'Q' };
    let r = call(app, &String::from_utf8(typo).unwrap(), "/payments").await;
    assert_eq!(reason(&r), "malformed_key", "a typo fails the checksum");
    let r = call(app, &apikey::generate(), "/payments").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::UNAUTHORIZED, "unknown_key"));
    // Allowed, in each of the three places a key may travel.
    let r = call(app, &key, "/payments/42?x=1").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(header(&r, "x-portico-app"), "Acme checkout");
    assert_eq!(header(&r, "x-portico-developer"), "ada@acme.test");
    assert_eq!(header(&r, "x-portico-organisation"), "Acme");
    assert_eq!(header(&r, "x-ratelimit-limit"), "10");
    assert!(header(&r, "x-ratelimit-remaining").parse::<u32>().unwrap() < 10);
    assert!(header(&r, "x-ratelimit-reset").parse::<u32>().unwrap() <= 60);
    assert_eq!(header(&r, "x-portico-product-id"), s.ids.product);
    assert_eq!(r.body["allow"], true);
    assert_eq!(r.body["app_id"], header(&r, "x-portico-app-id").as_str());
    assert_eq!(header(&r, "x-portico-app-id").len(), 36);
    assert_eq!(header(&r, "content-type"), "application/json");
    assert_eq!(header(&r, "content-length"), "62", "{{\"allow\":true,\"app_id\":\"<36>\"}}");
    let bearer = format!("Bearer {key}");
    let r = verify(app, &[("authorization", &bearer), ("x-original-uri", "/payments")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let uri = format!("/payments/7?api_key={key}&y=2");
    let r = verify(app, &[("x-original-uri", &uri)]).await;
    assert_eq!(r.status, StatusCode::OK);
    // A path no product of the key covers.
    let r = call(app, &key, "/paymentsX").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::FORBIDDEN, "not_entitled"));

    // Rate limit per minute: exactly the limit passes, then 429 with Retry-After.
    fresh_minute().await;
    let tight = key_on_plan(&s, "Tight", "5", "Minute", None).await;
    let mut allowed = 0;
    for _ in 0..8 {
        allowed += usize::from(call(app, &tight, "/payments").await.status == StatusCode::OK);
    }
    assert_eq!(allowed, 5);
    let r = call(app, &tight, "/payments").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(header(&r, "retry-after").parse::<u64>().unwrap() <= 60);
    assert_eq!(header(&r, "x-ratelimit-remaining"), "0");
    // Quota per day, and the nginx recipe: limits as 403 + X-Portico-Status when asked.
    let trial = key_on_plan(&s, "Trial", "1000", "Second", Some("3")).await;
    for _ in 0..3 {
        assert_eq!(call(app, &trial, "/payments").await.status, StatusCode::OK);
    }
    let r = call(app, &trial, "/payments").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::TOO_MANY_REQUESTS, "quota_exceeded"));
    let r = verify(
        app,
        &[("x-api-key", &trial), ("x-original-uri", "/payments"), ("x-portico-limit-status", "403")],
    )
    .await;
    assert_eq!((r.status, header(&r, "x-portico-status").as_str()), (StatusCode::FORBIDDEN, "429"));

    // Changes take effect on the very next call: developer, organisation, key.
    let deactivate = [("id", s.ada_id.as_str())];
    ok(app, "deactivate_user", &deactivate, &s.admin).await;
    let r = call(app, &key, "/payments").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::FORBIDDEN, "developer_inactive"));
    ok(app, "activate_user", &deactivate, &s.admin).await;
    assert_eq!(call(app, &key, "/payments").await.status, StatusCode::OK, "works again on reactivation");
    ok(app, "set_organisation_active", &[("id", s.org.as_str()), ("active", "false")], &s.admin).await;
    assert_eq!(reason(&call(app, &key, "/payments").await), "organisation_inactive");
    ok(app, "set_organisation_active", &[("id", s.org.as_str()), ("active", "true")], &s.admin).await;
    assert_eq!(call(app, &key, "/payments").await.status, StatusCode::OK);
    let apps = ok(app, "list_my_apps", &[], &s.ada).await;
    let acme = apps.as_array().unwrap().iter().find(|a| a["name"] == "Acme checkout").unwrap();
    let key_id = str_of(&acme["keys"][0]["id"]);
    ok(app, "revoke_key", &[("id", key_id.as_str())], &s.ada).await;
    let r = call(app, &key, "/payments").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::UNAUTHORIZED, "revoked_key"));
}
db_test!(every_decision_has_its_status_reason_and_headers);

async fn usage_is_counted_without_losing_a_call(db: DatabaseConnection) {
    let s = setup(db).await;
    let key = key_on_plan(&s, "Bulk", "1000000", "Second", None).await;
    let sent = 3000u64;
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let (app, key) = (s.app.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..sent / 8 {
                // Some calls are refused (a path the key does not cover): counted too.
                let uri = if (i + worker).is_multiple_of(10) { "/elsewhere" } else { "/payments" };
                call(&app, &key, uri).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // The host's own flusher runs every second; wait until everything is stored.
    let stored = |db: DatabaseConnection| async move {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS n FROM usage_minutes",
            ))
            .await
            .unwrap()
            .unwrap();
        u64::try_from(row.try_get::<Option<i64>>("", "n").unwrap().unwrap_or(0)).unwrap()
    };
    let mut total = 0;
    for _ in 0..50 {
        total = stored(s.app.db.clone()).await;
        if total >= sent {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(total, sent, "every call is stored, once");
    let apps = ok(&s.app, "list_my_apps", &[], &s.ada).await;
    let bulk = apps.as_array().unwrap().iter().find(|a| a["name"] == "Bulk").unwrap();
    assert!(!bulk["keys"][0]["last_used_at"].is_null(), "last use is recorded from the same path");
}
db_test!(usage_is_counted_without_losing_a_call);

async fn a_deactivated_developers_key_stops_at_once_under_load(db: DatabaseConnection) {
    let s = setup(db).await;
    let key = key_on_plan(&s, "Load", "1000000", "Second", None).await;
    let deactivated = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let (allowed_before, allowed_after) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut loops = Vec::new();
    for _ in 0..4 {
        let (app, key, deactivated, stop) = (s.app.clone(), key.clone(), deactivated.clone(), stop.clone());
        let (before, after) = (allowed_before.clone(), allowed_after.clone());
        loops.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                // Only calls that start after the deactivation returned count against it.
                let after_change = deactivated.load(Ordering::SeqCst);
                if call(&app, &key, "/payments").await.status == StatusCode::OK {
                    if after_change { &after } else { &before }.fetch_add(1, Ordering::SeqCst);
                }
                // Answers from the cache never wait; let the other tasks run.
                tokio::task::yield_now().await;
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    ok(&s.app, "deactivate_user", &[("id", s.ada_id.as_str())], &s.admin).await;
    deactivated.store(true, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for l in loops {
        l.await.unwrap();
    }
    assert!(allowed_before.load(Ordering::SeqCst) > 0, "the load loop ran");
    assert_eq!(allowed_after.load(Ordering::SeqCst), 0, "no call allowed after the deactivation returned");
}
db_test!(a_deactivated_developers_key_stops_at_once_under_load);

async fn a_store_that_cannot_be_reached_answers_503_never_401(db: DatabaseConnection) {
    let s = setup(db).await;
    let r = s.app.get("/readyz", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    s.app.db.clone().close().await.unwrap();
    let r = call(&s.app, &apikey::generate(), "/payments").await;
    assert_eq!((r.status, reason(&r).as_str()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"));
    assert_eq!(s.app.get("/readyz", &[]).await.status, StatusCode::SERVICE_UNAVAILABLE);
}
db_test!(a_store_that_cannot_be_reached_answers_503_never_401);
