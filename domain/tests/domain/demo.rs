//! `portico demo`: the seeded portal is whole (every developer indexed as the services
//! would index them, keys that work, usage on the dashboards), mails nobody, runs once,
//! and only for admins; the scale generator writes exactly what the services would.

use crate::{admin, boot, developer, hasher};
use portico_domain::entities::{organisation, outbox_message, user};
use portico_domain::services::{accounts, search_index, usage};
use portico_domain::{Actor, DomainError, db_test, demo};
use portico_model::{AccountStatus, DeveloperQuery};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Statement,
};
use std::collections::BTreeSet;

/// (hour, outcome, calls) rows of a query.
async fn grouped(db: &DatabaseConnection, sql: &str) -> Vec<(i64, String, i64)> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    let rows: Vec<_> = rows
        .iter()
        .map(|r| {
            (r.try_get("", "hour").unwrap(), r.try_get("", "outcome").unwrap(), r.try_get("", "n").unwrap())
        })
        .collect();
    assert!(!rows.is_empty(), "{sql}: no rows");
    rows
}

db_test!(the_demo_seeds_a_living_portal_once);
async fn the_demo_seeds_a_living_portal_once(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let mails_before = outbox_message::Entity::find().count(&db).await.unwrap();
    let seeded = demo::seed(&db, &hasher(), &admin).await.unwrap().expect("seeded the first time");
    assert_eq!(seeded.organisations, 5);
    assert_eq!(seeded.products, 4);
    assert!(seeded.developers >= 30 && seeded.keys >= 10 && seeded.apps > seeded.keys, "{seeded:?}");
    assert!(seeded.usage_rows > 10_000, "30 days of hourly usage: {seeded:?}");

    // Every developer is in the search index exactly as the services keep it.
    assert_eq!(search_index::stale(&db).await.unwrap(), Vec::<uuid::Uuid>::new());
    let q = DeveloperQuery { text: "lovelace".into(), ..Default::default() };
    let (rows, _) = search_index::search_users(&db, &admin, &q).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.user.email.as_str()).collect::<Vec<_>>(),
        ["ada.lovelace@acme-payments.example"]
    );
    let pending = DeveloperQuery { status: Some(AccountStatus::Pending), ..Default::default() };
    assert!(search_index::search(&db, &admin, &pending).await.unwrap().1.matched >= 2);

    // A demo developer signs in with the demo password and sees their usage.
    let ada =
        accounts::authenticate(&db, &hasher(), &seeded.sample_logins[0], demo::DEMO_PASSWORD).await.unwrap();
    let dashboard = usage::my_dashboard(&db, &Actor::from(&ada), None, None).await.unwrap();
    assert!(dashboard.series.allowed > 1_000, "a week of calls on the dashboard");
    assert!(dashboard.series.denied > 0, "and some refusals");
    assert!(!dashboard.keys.is_empty());
    assert!(dashboard.keys.iter().any(|k| k.quota_remaining.is_some()), "the Free key has a quota meter");
    // The admin home's graph reads the portal totals: every hour and outcome as summed
    // from the per-app rows.
    let per_hour = "SELECT hour, outcome, CAST(SUM(count) AS BIGINT) AS n FROM usage_hours GROUP BY hour, outcome ORDER BY hour, outcome";
    let portal = "SELECT hour, outcome, count AS n FROM usage_portal_hours ORDER BY hour, outcome";
    assert_eq!(grouped(&db, portal).await, grouped(&db, per_hour).await);
    assert!(usage::portal_series(&db, &admin).await.unwrap().allowed > dashboard.series.allowed);

    // Nothing it did was left for delivery.
    assert_eq!(outbox_message::Entity::find().count(&db).await.unwrap(), mails_before);

    // A second run changes nothing.
    let users = user::Entity::find().count(&db).await.unwrap();
    assert_eq!(demo::seed(&db, &hasher(), &admin).await.unwrap(), None);
    assert_eq!(user::Entity::find().count(&db).await.unwrap(), users);
    let marker = organisation::Entity::find()
        .filter(organisation::Column::Name.eq(demo::MARKER_ORG))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(marker, 1);
}

db_test!(only_admins_seed_the_demo);
async fn only_admins_seed_the_demo(db: DatabaseConnection) {
    boot(&db).await;
    let dev = developer(&db, "dev@example.com").await;
    let err = demo::seed(&db, &hasher(), &Actor::from(&dev)).await.unwrap_err();
    assert!(matches!(err, DomainError::Forbidden), "{err:?}");
    assert_eq!(organisation::Entity::find().count(&db).await.unwrap(), 1, "only the default organisation");
}

db_test!(generated_developers_are_indexed_as_the_services_would_and_never_clash);
async fn generated_developers_are_indexed_as_the_services_would_and_never_clash(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let mut heard = Vec::new();
    let added = demo::bulk_developers(&db, 2_500, |n| heard.push(n)).await.unwrap();
    assert_eq!(added, 2_500);
    assert_eq!(heard, [1_000, 2_000, 2_500], "progress after each organisation");
    // A second run adds more without clashing on emails or usernames.
    assert_eq!(demo::bulk_developers(&db, 700, |_| {}).await.unwrap(), 700);
    let users = user::Entity::find().all(&db).await.unwrap();
    assert_eq!(users.len(), 1 + 3_200, "the admin and the generated developers");
    let emails: BTreeSet<&str> = users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails.len(), users.len());
    assert_eq!(organisation::Entity::find().count(&db).await.unwrap(), 1 + 4);

    assert_eq!(search_index::stale(&db).await.unwrap(), Vec::<uuid::Uuid>::new());
    let everyone = search_index::search(&db, &admin, &DeveloperQuery::default()).await.unwrap().1;
    assert!(everyone.matched >= 1_000 || everyone.more, "{everyone:?}");
    let crm = DeveloperQuery { text: "crm-0000010".into(), ..Default::default() };
    let (rows, _) = search_index::search_users(&db, &admin, &crm).await.unwrap();
    assert_eq!(rows.len(), 1, "attribute values are searchable");
}
