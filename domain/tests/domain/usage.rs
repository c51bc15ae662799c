//! Usage as the dashboards read it: calls decided by the gateway, flushed to the rollups,
//! then the 7-day series, the per-key quota meters, the filters, and who may see what.

use crate::{admin, boot, developer, mailer};
use portico_domain::entities::user::OrgRole;
use portico_domain::gateway::{Decision, Gateway, Reason};
use portico_domain::services::access::{self, AppChoice, NewRequest};
use portico_domain::services::{accounts, catalogs, keys, organisations, products, usage};
use portico_domain::{Actor, DomainError, apikey, db_test};
use portico_model::{ApiInput, AppInput, PlanInput, ProductInput, QuotaPeriod, RatePeriod, Visibility};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use uuid::Uuid;

struct World {
    admin: Actor,
    ada: Actor,
    hank: Actor,
    /// Ada's app and key (quota 5 a day), and Hank's app.
    app: Uuid,
    key: String,
    request: Uuid,
    hank_app: Uuid,
}

async fn world(db: &DatabaseConnection) -> World {
    boot(db).await;
    let admin = admin(db).await;
    let mut people = Vec::new();
    for (email, org) in [("ada@acme.test", "Acme"), ("hank@globex.test", "Globex")] {
        let org = organisations::create(db, &admin, org).await.unwrap();
        let dev = developer(db, email).await;
        organisations::assign(db, &admin, dev.id, org.id, &[], OrgRole::SuperAdmin).await.unwrap();
        people.push(Actor::from(&accounts::get(db, dev.id).await.unwrap()));
    }
    let [ada, hank] = <[Actor; 2]>::try_from(people).unwrap();
    let input = ProductInput::parse("Maps", "maps", "Maps", "https://api.example.com", "# Maps").unwrap();
    let maps = products::create(db, &admin, input.clone()).await.unwrap();
    products::update(db, &admin, maps, input, true).await.unwrap();
    products::add_api(db, &admin, maps, ApiInput::parse("Maps", "/maps").unwrap(), None).await.unwrap();
    let open = catalogs::create(db, &admin, "Open", Visibility::Public).await.unwrap();
    catalogs::set_product(db, &admin, open, maps, true).await.unwrap();
    let plan = PlanInput {
        name: "Starter".into(),
        rate_limit: 1000,
        rate_period: RatePeriod::Second,
        quota: Some(5),
        quota_period: QuotaPeriod::Day,
        key_lifetime_days: None,
        requires_approval: false,
    };
    let plan = catalogs::create_plan(db, &admin, open, plan).await.unwrap().id.0;
    let mut apps = Vec::new();
    for (who, name) in [(&ada, "Checkout"), (&hank, "Globex app")] {
        let ask = NewRequest {
            catalog_id: open,
            plan_id: plan,
            product_ids: vec![maps],
            app: AppChoice::New(AppInput::parse(name, "").unwrap()),
            comment: String::new(),
            idempotency_key: format!("usage-form-{}", name.len()),
        };
        apps.push(access::request(db, &mailer(), who, ask).await.unwrap());
    }
    let ada_outcome = apps.remove(0);
    World {
        admin,
        ada,
        hank,
        app: ada_outcome.request.app_id.0,
        request: ada_outcome.request.id.0,
        key: ada_outcome.key.unwrap().secret,
        hank_app: apps[0].request.app_id.0,
    }
}

async fn sum_of(db: &DatabaseConnection, table: &str) -> i64 {
    let sql = format!("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS n FROM {table}");
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get("", "n").unwrap()
}

async fn the_dashboard_counts_every_call_and_shows_the_quota_left(db: DatabaseConnection) {
    let w = world(&db).await;
    let gateway = Gateway::new(db.clone());
    let mut allowed = 0;
    for _ in 0..7 {
        if matches!(gateway.decide(Some(&w.key), "/maps/tiles").await.unwrap(), Decision::Allow(_)) {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5, "the quota of 5 a day holds");
    let refused = gateway.decide(Some(&w.key), "/elsewhere").await.unwrap();
    assert!(matches!(refused, Decision::Deny { reason: Reason::NotEntitled, .. }));
    assert_eq!(gateway.flush().await.unwrap(), 8);
    assert_eq!(sum_of(&db, "usage_minutes").await, 8);
    assert_eq!(sum_of(&db, "usage_hours_live").await, 8, "what the graphs read holds the same calls");
    // Whether the flush wrote the hour rows itself (calls in the minute the database was
    // set up in, counted as folded) or left them to a fold depends on the clock; once
    // this minute is folded, the hourly rollup holds every call either way.
    let next_minute = (chrono::Utc::now().timestamp().div_euclid(60) + 1) * 60;
    gateway.fold_minutes(next_minute).await.unwrap();
    assert_eq!(sum_of(&db, "usage_hours").await, 8, "the hourly rollup holds the same calls");
    assert_eq!(sum_of(&db, "usage_hours_live").await, 8, "and they are not counted twice");
    assert_eq!(sum_of(&db, "usage_portal_hours").await, 8, "and the portal totals");

    let d = usage::my_dashboard(&db, &w.ada, None, None).await.unwrap();
    assert_eq!(d.series.points.len(), 168, "one point per hour for seven days");
    assert_eq!((d.series.allowed, d.series.denied), (5, 3));
    // The calls were made seconds ago: in the last point, or (should the hour have turned
    // since) the one before.
    let recent = &d.series.points[d.series.points.len() - 2..];
    let in_recent =
        (recent.iter().map(|p| p.allowed).sum::<u64>(), recent.iter().map(|p| p.denied).sum::<u64>());
    assert_eq!(in_recent, (5, 3), "the calls are in the newest points");
    let reasons: Vec<(&str, u64)> =
        d.series.denied_by_reason.iter().map(|r| (r.reason.as_str(), r.count)).collect();
    assert_eq!(reasons, vec![("quota_exceeded", 2), ("not_entitled", 1)]);
    assert_eq!(d.apps.len(), 1, "Ada sees her organisation's app only");
    let key = &d.keys[0];
    assert_eq!((key.quota_used, key.quota_remaining, key.calls_7d), (5, Some(0), 8));
    assert_eq!(key.plan.quota, Some(5));
    assert_eq!(key.products, vec!["Maps".to_owned()]);
    assert!(key.quota_resets_at > d.as_of && key.quota_resets_at - d.as_of <= chrono::Duration::days(1));

    // Narrowed to the app, and to the key: the same calls.
    let by_app = usage::my_dashboard(&db, &w.ada, Some(w.app), None).await.unwrap();
    assert_eq!(by_app.series.allowed, 5);
    let by_key = usage::my_dashboard(&db, &w.ada, Some(w.app), Some(key.id.0)).await.unwrap();
    assert_eq!(by_key.series.denied, 3);

    // The admin's view of Ada, and of the whole portal.
    let admin_view = usage::developer_dashboard(&db, &w.admin, w.ada.user_id, None).await.unwrap();
    assert_eq!((admin_view.series.allowed, admin_view.keys.len()), (5, 1));
    let portal = usage::portal_series(&db, &w.admin).await.unwrap();
    assert_eq!((portal.allowed, portal.denied), (5, 3));
}
db_test!(the_dashboard_counts_every_call_and_shows_the_quota_left);

async fn keys_first_used_together_are_each_answered_and_counted_as_themselves(db: DatabaseConnection) {
    let w = world(&db).await;
    let mut keys = vec![w.key.clone()];
    for _ in 0..30 {
        keys.push(keys::create(&db, &w.ada, w.request).await.unwrap().secret);
    }
    let strangers: Vec<String> = (0..5).map(|_| apikey::generate()).collect();
    let gateway = Gateway::new(db.clone());
    // All first uses at once: they queue while the first loads run, and are loaded in
    // batches; each call must get its own key's answer.
    let calls = keys.iter().chain(&strangers).map(|k| gateway.decide(Some(k), "/maps/tiles"));
    let answers = futures_util::future::join_all(calls).await;
    let (known, unknown) = answers.split_at(keys.len());
    assert!(known.iter().all(|a| matches!(a, Ok(Decision::Allow(x)) if x.app_id() == w.app)), "{known:?}");
    assert!(unknown.iter().all(|a| matches!(a, Ok(Decision::Deny { reason: Reason::UnknownKey, .. }))));
    assert_eq!(gateway.flush().await.unwrap(), 31, "strangers' calls belong to no app");
    let sql = "SELECT key_id, CAST(SUM(count) AS BIGINT) AS n FROM usage_minutes GROUP BY key_id";
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    let counted: Vec<i64> = rows.iter().map(|r| r.try_get::<i64>("", "n").unwrap()).collect();
    assert_eq!((counted.len(), counted.iter().all(|n| *n == 1)), (31, true), "one call on each key");
    let stored: std::collections::HashSet<Uuid> =
        rows.iter().map(|r| r.try_get::<Uuid>("", "key_id").unwrap()).collect();
    for key in &keys {
        let row = keys::find_by_secret(&db, key).await.unwrap().expect("a stored key");
        assert!(stored.contains(&row.id), "the call was counted to the key that made it");
    }
}
db_test!(keys_first_used_together_are_each_answered_and_counted_as_themselves);

async fn a_failed_flush_keeps_every_call_for_the_next(db: DatabaseConnection) {
    let w = world(&db).await;
    let gateway = Gateway::new(db.clone());
    for _ in 0..3 {
        gateway.decide(Some(&w.key), "/maps").await.unwrap();
    }
    db.execute_unprepared("ALTER TABLE usage_portal_hours RENAME TO usage_portal_hours_away").await.unwrap();
    assert!(gateway.flush().await.is_err(), "the write fails inside its transaction");
    assert_eq!(gateway.unflushed(), 3, "the calls went back");
    assert_eq!(sum_of(&db, "usage_minutes").await, 0, "nothing half-written");
    db.execute_unprepared("ALTER TABLE usage_portal_hours_away RENAME TO usage_portal_hours").await.unwrap();
    assert_eq!(gateway.flush().await.unwrap(), 3);
    assert_eq!((sum_of(&db, "usage_minutes").await, sum_of(&db, "usage_hours").await), (3, 3));
    let last_used = keys::find_by_secret(&db, &w.key).await.unwrap().unwrap().last_used_at;
    assert!(last_used.is_some(), "the key's last use is written by the retry");
}
db_test!(a_failed_flush_keeps_every_call_for_the_next);

/// On a SQLite file the main pool has one connection; a long write holding it must not
/// keep the gateway from loading keys (it reads through its own readers' pool). The
/// write here is held open for the whole check: a gateway reading through the main
/// pool would wait for the connection and answer "unavailable".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_loads_do_not_wait_for_a_write_holding_the_sqlite_writer() {
    use sea_orm::TransactionTrait;
    let dir = std::env::temp_dir().join(format!("portico-readers-{}", Uuid::now_v7().simple()));
    let url = format!("sqlite://{}/portal.db", dir.display());
    let db = portico_domain::db::connect(&url).await.unwrap();
    portico_domain::db::migrate(&db).await.unwrap();
    let w = world(&db).await;
    let readers = portico_domain::db::connect_readers(&url, &db, 2).await.unwrap();
    let gateway = Gateway::with_readers(db.clone(), readers);
    let writing = db.begin().await.unwrap();
    writing
        .execute_unprepared("UPDATE gateway_state SET generation = generation WHERE id = 1")
        .await
        .unwrap();
    let answer =
        tokio::time::timeout(std::time::Duration::from_secs(20), gateway.decide(Some(&w.key), "/maps"))
            .await
            .expect("the decision does not hang");
    assert!(matches!(answer, Ok(Decision::Allow(_))), "{answer:?}");
    writing.rollback().await.unwrap();
    assert_eq!(gateway.flush().await.unwrap(), 1, "and the call is written once the writer is free");
    db.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The SQLite writer connection's thread carries the name the gateway looks for when it
/// lowers that thread's priority (otherwise the lowering would silently find nothing).
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_sqlite_writer_thread_is_found_by_its_name() {
    let dir = std::env::temp_dir().join(format!("portico-writer-{}", Uuid::now_v7().simple()));
    let url = format!("sqlite://{}/portal.db", dir.display());
    let db = portico_domain::db::connect(&url).await.unwrap();
    portico_domain::db::migrate(&db).await.unwrap();
    assert!(portico_domain::priority::lower_threads_named(portico_domain::db::WRITER_THREAD) >= 1);
    db.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

async fn another_organisations_usage_is_not_found_and_admin_views_are_for_admins(db: DatabaseConnection) {
    let w = world(&db).await;
    let gateway = Gateway::new(db.clone());
    gateway.decide(Some(&w.key), "/maps").await.unwrap();
    gateway.flush().await.unwrap();
    let ada_key = usage::my_dashboard(&db, &w.ada, None, None).await.unwrap().keys[0].id.0;
    // Hank (Globex) cannot name Acme's app or key, and sees none of Acme's calls.
    for (app, key) in [(Some(w.app), None), (None, Some(ada_key)), (Some(w.hank_app), Some(ada_key))] {
        let r = usage::my_dashboard(&db, &w.hank, app, key).await;
        assert!(matches!(r, Err(DomainError::NotFound)), "{app:?} {key:?}: {r:?}");
    }
    let his = usage::my_dashboard(&db, &w.hank, None, None).await.unwrap();
    assert_eq!((his.series.allowed, his.apps.len()), (0, 1));
    // Developers get no admin views.
    assert!(matches!(
        usage::developer_dashboard(&db, &w.ada, w.hank.user_id, None).await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(usage::portal_series(&db, &w.hank).await, Err(DomainError::Forbidden)));
    // An admin asking for a key that is not the developer's gets "not found".
    let r = usage::developer_dashboard(&db, &w.admin, w.hank.user_id, Some(ada_key)).await;
    assert!(matches!(r, Err(DomainError::NotFound)));
}
db_test!(another_organisations_usage_is_not_found_and_admin_views_are_for_admins);

async fn folded_until(db: &DatabaseConnection) -> i64 {
    let sql = "SELECT folded_until FROM usage_folds WHERE id = 1";
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get("", "folded_until").unwrap()
}

async fn closed_minutes_are_folded_into_the_hours_once(db: DatabaseConnection) {
    let w = world(&db).await;
    // Every minute from the epoch on counts as not folded yet.
    db.execute_unprepared("UPDATE usage_folds SET folded_until = 0").await.unwrap();
    let gateway = Gateway::new(db.clone());
    for _ in 0..3 {
        assert!(matches!(gateway.decide(Some(&w.key), "/maps").await.unwrap(), Decision::Allow(_)));
    }
    assert_eq!(gateway.flush().await.unwrap(), 3);
    assert_eq!(sum_of(&db, "usage_minutes").await, 3);
    assert_eq!(sum_of(&db, "usage_hours").await, 0, "the flush leaves the hours to the fold");
    assert_eq!(sum_of(&db, "usage_hours_live").await, 3, "readers see the unfolded minutes");
    assert_eq!(sum_of(&db, "usage_portal_hours").await, 3, "the portal totals are written at once");
    let d = usage::my_dashboard(&db, &w.ada, None, None).await.unwrap();
    assert_eq!((d.series.allowed, d.keys[0].quota_used), (3, 3), "the dashboard is as fresh as the flush");
    // A host starting now seeds the key's quota (5 a day) from the unfolded minutes too.
    let fresh = Gateway::new(db.clone());
    let answers: Vec<bool> =
        futures_util::future::join_all((0..3).map(|_| fresh.decide(Some(&w.key), "/maps")))
            .await
            .into_iter()
            .map(|a| matches!(a, Ok(Decision::Allow(_))))
            .collect();
    assert_eq!(answers.iter().filter(|a| **a).count(), 2, "3 used, 2 left: {answers:?}");
    drop(fresh);

    // Up to the minute after next, so the call below is in a folded minute even if the
    // clock turns a minute meanwhile.
    let next_minute = (chrono::Utc::now().timestamp().div_euclid(60) + 2) * 60;
    assert!(gateway.fold_minutes(next_minute).await.unwrap() > 0);
    assert_eq!(folded_until(&db).await, next_minute);
    assert_eq!(sum_of(&db, "usage_hours").await, 3, "folded");
    assert_eq!(sum_of(&db, "usage_hours_live").await, 3, "and not counted twice");
    assert_eq!(gateway.fold_minutes(next_minute).await.unwrap(), 0, "a minute is folded once");

    // A call of a folded minute (a late flush, another host's) goes to the hours at once.
    gateway.decide(Some(&w.key), "/maps").await.unwrap();
    assert_eq!(gateway.flush().await.unwrap(), 1);
    assert_eq!(sum_of(&db, "usage_hours").await, 4);
    assert_eq!(sum_of(&db, "usage_hours_live").await, 4);
    assert_eq!(sum_of(&db, "usage_portal_hours").await, 4);
    let d = usage::my_dashboard(&db, &w.ada, None, None).await.unwrap();
    assert_eq!(d.series.allowed, 4);
}
db_test!(closed_minutes_are_folded_into_the_hours_once);

async fn old_minutes_are_pruned_only_once_folded(db: DatabaseConnection) {
    let w = world(&db).await;
    let old = chrono::Utc::now().timestamp().div_euclid(60) * 60 - 3 * 86_400;
    let backend = db.get_database_backend();
    let p = |n: usize| if backend == sea_orm::DbBackend::Postgres { format!("${n}") } else { "?".into() };
    let sql = format!(
        "INSERT INTO usage_minutes (minute, app_id, key_id, product_id, outcome, count) VALUES ({}, {}, {}, {}, 'allowed', 7)",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    let values: [sea_orm::Value; 4] =
        [old.into(), w.app.into(), Uuid::from_u128(7).into(), Uuid::nil().into()];
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    db.execute_unprepared("UPDATE usage_folds SET folded_until = 0").await.unwrap();
    let gateway = Gateway::new(db.clone());
    assert_eq!(gateway.prune_minutes().await.unwrap(), 0, "three days old, but not in the hours yet");
    assert_eq!(sum_of(&db, "usage_hours_live").await, 7);
    gateway.fold_minutes(old + 60).await.unwrap();
    assert_eq!(gateway.prune_minutes().await.unwrap(), 1, "folded: the hours keep it");
    assert_eq!((sum_of(&db, "usage_minutes").await, sum_of(&db, "usage_hours_live").await), (0, 7));
}
db_test!(old_minutes_are_pruned_only_once_folded);

/// On PostgreSQL flushes of several hosts run beside a fold: a fold waits for every
/// flush that has read the boundary (`FOR SHARE`), and a flush for a fold that holds it
/// (`FOR UPDATE`). Otherwise a flush's minute rows, committed after a fold read the
/// minutes but behind the boundary it set, would be in neither the hours nor the
/// unfolded minutes.
async fn flushes_and_folds_wait_for_each_other(db: DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return; // SQLite has one writer: a fold and a flush cannot overlap.
    }
    let w = world(&db).await;
    db.execute_unprepared("UPDATE usage_folds SET folded_until = 0").await.unwrap();
    let gateway = std::sync::Arc::new(Gateway::new(db.clone()));
    let minute = chrono::Utc::now().timestamp().div_euclid(60) * 60;

    // A flush waits for a fold in progress, then sees this minute as folded and writes
    // its hour rows itself.
    gateway.decide(Some(&w.key), "/maps").await.unwrap();
    let fold = db.begin().await.unwrap();
    fold.execute_unprepared("SELECT folded_until FROM usage_folds WHERE id = 1 FOR UPDATE").await.unwrap();
    // (Two minutes on: the call's minute is folded even if the clock turned one.)
    fold.execute_unprepared(&format!("UPDATE usage_folds SET folded_until = {}", minute + 120))
        .await
        .unwrap();
    let flushing = tokio::spawn({
        let gateway = gateway.clone();
        async move { gateway.flush().await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    fold.commit().await.unwrap();
    assert_eq!(flushing.await.unwrap().unwrap(), 1);
    assert_eq!(sum_of(&db, "usage_hours").await, 1, "the call is in the hours");
    assert_eq!(sum_of(&db, "usage_hours_live").await, 1);

    // A fold waits for a flush in progress: one that has read the boundary (the
    // minute it names is not folded) and written a row of that minute, not committed.
    let next = minute + 120;
    let flush = db.begin().await.unwrap();
    flush.execute_unprepared("SELECT folded_until FROM usage_folds WHERE id = 1 FOR SHARE").await.unwrap();
    let sql = "INSERT INTO usage_minutes (minute, app_id, key_id, product_id, outcome, count) VALUES ($1, $2, $3, $4, 'allowed', 5)";
    let values: [sea_orm::Value; 4] =
        [next.into(), w.app.into(), Uuid::from_u128(5).into(), Uuid::nil().into()];
    flush.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.unwrap();
    let folding = tokio::spawn({
        let gateway = gateway.clone();
        async move { gateway.fold_minutes(next + 60).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!folding.is_finished(), "the fold waits for the flush");
    flush.commit().await.unwrap();
    folding.await.unwrap().unwrap();
    assert_eq!(folded_until(&db).await, next + 60, "then runs");
    assert_eq!(sum_of(&db, "usage_hours").await, 6, "and folds what the flush wrote");
    assert_eq!(sum_of(&db, "usage_hours_live").await, 6);
}
db_test!(flushes_and_folds_wait_for_each_other);
